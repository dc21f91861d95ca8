/*
 * invoke.h - decoding invocations on kernel objects.
 *
 * Each object's invoke function first decodes and checks every argument
 * (and may fail), then changes state (and cannot fail), as in seL4. On
 * success it writes the results into the caller's frame itself
 * (invoke_done); on failure the caller gets the error in rax.
 */
#ifndef INVOKE_H
#define INVOKE_H

#include <cspace.h>
#include <thread.h>

struct inv {
	struct tcb *t;              /* the caller */
	struct ux_ipc_buffer *buf;  /* its IPC buffer, or NULL */
	struct cte *slot;           /* the invoked capability's slot */
	uint64_t label;
	unsigned len, ncaps;
};

static inline uint64_t inv_mr(const struct inv *v, unsigned i)
{
	return mr_get(v->t, v->buf, i);
}
err_t inv_cap(const struct inv *v, unsigned i, struct cte **out);
void invoke_done(const struct inv *v, unsigned nresults);

err_t untyped_invoke(struct inv *v);
err_t cnode_invoke(struct inv *v);
err_t tcb_invoke(struct inv *v);
err_t frame_invoke(struct inv *v);
err_t table_invoke(struct inv *v);
err_t irq_control_invoke(struct inv *v);
err_t irq_handler_invoke(struct inv *v);
err_t ioport_control_invoke(struct inv *v);
err_t ioport_invoke(struct inv *v);

/* Arch hooks for object creation. */
err_t pml4_asids_available(unsigned count);
void pml4_init(struct cap *c);
err_t guard_decode(uint64_t data, unsigned radix, uint16_t *bits,
		   uint64_t *guard);

#endif
