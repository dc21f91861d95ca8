/*
 * bench_ipc.c - native IPC benchmarks, run instead of the tests when the
 * kernel command line says "bench" (make bench boots it with
 * -icount shift=0,sleep=off, so rdtsc counts guest instructions).
 *
 * A client (the root thread) Calls a server thread in another address
 * space that answers with ReplyRecv: a register message of 0 and 4 words
 * (the fastpath), 5 words (IPC buffer: slow path), and a 4 KiB long
 * message each way. Prints "BENCH name median min max ops" per operation,
 * and "BENCH-OPS name region R ops N": the timed batches are marked
 * (bench/progs/mark.h) as region R for tools/insncount, which counts the
 * expensive instructions (CR3 writes, wrmsr, sysret, ...) of N round
 * trips.
 */
#include "ktest.h"
#include "../../bench/progs/mark.h"

#define BATCHES 31
#define OPS 200

static uint64_t ep, reply;
static uint8_t sbuf[4096], cbuf_out[4096], cbuf_in[4096];

static void
server(uint64_t mode)
{
	struct ux_ipc_buffer *b = ux_ipcbuf();
	struct ux_msg m = {0};
	b->recv_buf = (uint64_t)sbuf;
	b->recv_len = mode == 2 ? sizeof sbuf : 0;
	b->send_buf = (uint64_t)sbuf;
	b->send_len = sizeof sbuf;
	ux_recv(ep, reply, &m);
	for (;;) {
		unsigned len = ux_mi_len(m.info);
		m.info = ux_msginfo(0, len, 0, mode == 2 ? UX_MI_LONG : 0);
		ux_reply_recv(ep, reply, &m);
	}
}

static int
cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void
sort(uint64_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j && cmp(&v[j - 1], &v[j]) > 0; j--) {
			uint64_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

static void
run(const char *name, unsigned region, unsigned words, int mode)
{
	struct ux_ipc_buffer *b = ux_ipcbuf();
	uint64_t v[BATCHES];
	struct kthread srv;
	struct ux_msg m;

	ep = obj_new(UX_CAP_ENDPOINT, 0);
	reply = obj_new(UX_CAP_REPLY, 0);
	thread_start(&srv, server, (uint64_t)mode, 254, vspace_new(), 0);
	b->send_buf = (uint64_t)cbuf_out;
	b->send_len = sizeof cbuf_out;
	b->recv_buf = (uint64_t)cbuf_in;
	b->recv_len = mode == 2 ? sizeof cbuf_in : 0;
	uint64_t info = ux_msginfo(1, words, 0, mode == 2 ? UX_MI_LONG : 0);
	for (int i = 0; i < 50; i++) { /* warm-up, and the server starts */
		m = (struct ux_msg){.info = info};
		ux_call(ep, &m);
	}
	mark_region(region);
	for (unsigned k = 0; k < BATCHES; k++) {
		mark_start();
		uint64_t t0 = ux_rdtsc();
		for (unsigned i = 0; i < OPS; i++) {
			m = (struct ux_msg){.info = info};
			ux_call(ep, &m);
		}
		v[k] = (ux_rdtsc() - t0) / OPS;
		mark_stop();
	}
	sort(v, BATCHES);
	printf("BENCH %s %lu %lu %lu %u\n", name, (unsigned long)v[BATCHES / 2],
	       (unsigned long)v[0], (unsigned long)v[BATCHES - 1], OPS);
	printf("BENCH-OPS %s region %u ops %u\n", name, region, BATCHES * OPS);
	b->recv_len = 0;
	thread_kill(&srv);
}

int bench_main(void);

int
bench_main(void)
{
	printf("BENCH-BEGIN UX/RT\n");
	run("uxrt_ipc_rt_0w", 32, 0, 0);
	run("uxrt_ipc_rt_4w", 33, 4, 0);
	run("uxrt_ipc_rt_5w_slowpath", 34, 5, 0);
	run("uxrt_ipc_rt_4k_long", 35, 0, 2);
	printf("BENCH-END status 0\n");
	return 0;
}
