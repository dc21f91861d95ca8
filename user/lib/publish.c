/*
 * publish.c - what a native server the process server started does with
 * its environment (srvenv.h): its requests to the process server
 * (uxrt/ps.h: putting its endpoint under /ports, and taking it away),
 * and serving its endpoint with its open table.
 */
#include "uxrt.h"
#include "srvenv.h"
#include "srvloop.h"
#include <uxrt/ps.h>

/* One request naming a port: the name goes as the long message. */
static long
port_request(unsigned op, const char *name, uint64_t tag)
{
	struct ux_ipc_buffer *b = ux_ipcbuf();
	struct ux_msg m = {.info = ux_msginfo(op, 1, 0, UX_MI_LONG),
			   .mr = {tag}};
	b->send_buf = (uint64_t)name;
	b->send_len = strlen(name);
	long e = ux_call(SRV_PS_EP, &m);
	b->send_len = 0;
	return e ? e : (long)m.mr[0];
}

long
srv_publish(const char *name, uint64_t tag)
{
	return port_request(UX_PS_PUBLISH, name, tag);
}

long
srv_unpublish(const char *name)
{
	return port_request(UX_PS_UNPUBLISH, name, 0);
}

void
srv_idle(void)
{
	for (;;)
		ux_wait(SRV_NTFN, NULL);
}

void
srv_main(struct srv *s, const struct srv_ops *ops, const char *name)
{
	srv_init(s, ops, SRV_ENDPOINT, SRV_REPLY, SRV_NREPLY);
	srv_opens(s, (const void *)SRV_OPENS_VA, SRV_NTFN_CLOSED);
	long e = srv_run(s);
	printf("%s: %s\n", name, ux_strerror(e));
	srv_idle();
}
