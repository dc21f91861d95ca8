/*
 * publish.c - a native server's requests to the process server
 * (uxrt/ps.h): putting its endpoint under /ports, and taking it away.
 */
#include "uxrt.h"
#include "srvenv.h"
#include <uxrt/ps.h>

/* One request naming a port: the name goes as the long message. */
static long
port_request(unsigned op, const char *name, uint64_t badge)
{
	struct ux_ipc_buffer *b = ux_ipcbuf();
	struct ux_msg m = {.info = ux_msginfo(op, 1, 0, UX_MI_LONG),
			   .mr = {badge}};
	b->send_buf = (uint64_t)name;
	b->send_len = strlen(name);
	long e = ux_call(SRV_PS_EP, &m);
	b->send_len = 0;
	return e ? e : (long)m.mr[0];
}

long
srv_publish(const char *name, uint64_t badge)
{
	return port_request(UX_PS_PUBLISH, name, badge);
}

long
srv_unpublish(const char *name)
{
	return port_request(UX_PS_UNPUBLISH, name, 0);
}
