/*
 * irq.c - device interrupts as notifications, and I/O port capabilities.
 *
 * IRQ control issues one handler capability per interrupt line (GSI). A
 * handler is bound to a notification; when the line fires the kernel masks
 * it, signals the notification with the badge of the capability it was
 * given, and leaves it masked until the handler acknowledges (Ack). I/O
 * port control issues capabilities for port ranges; In/Out invocations
 * check the port (and width) against the range. Ports the kernel itself
 * drives (PIC, PIT) are never issued.
 */
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/machine.h>
#include <invoke.h>
#include <uxrt/invocation.h>


static err_t
dest_slot(struct inv *v, unsigned mr, struct cte **out)
{
	struct cte *root;
	uint64_t depth = inv_mr(v, mr + 1);
	err_t e = inv_cap(v, 0, &root);
	if (e)
		return e;
	if (root->cap.type != UX_CAP_CNODE)
		return UX_E_INVALID_CAPABILITY;
	if (depth < 1 || depth > 64)
		return UX_E_RANGE;
	if ((e = cspace_resolve(&root->cap, inv_mr(v, mr), (unsigned)depth,
				out)))
		return e;
	return cap_is_null(&(*out)->cap) ? UX_OK : UX_E_DELETE_FIRST;
}

void
irq_fire(unsigned irq)
{
	struct irq_state *s = &this_cpu()->irq[irq];
	ioapic_route(irq, true, s->level, s->active_low);
	lapic_eoi();
	s->pending = true;
	if (s->ntfn)
		ntfn_signal(s->ntfn, s->badge);
}

err_t
irq_control_invoke(struct inv *v)
{
	struct cte *dest;
	uint64_t irq = inv_mr(v, 0), flags = inv_mr(v, 1);
	err_t e;

	if (v->label != UX_IRQ_CONTROL_GET)
		return UX_E_ILLEGAL_OPERATION;
	if (v->len < 4 || v->ncaps < 1)
		return UX_E_TRUNCATED_MESSAGE;
	if (irq >= IRQ_COUNT)
		return UX_E_RANGE;
	if (flags > 3)
		return UX_E_INVALID_ARGUMENT;
	if ((e = dest_slot(v, 2, &dest)))
		return e;
	struct irq_state *s = &this_cpu()->irq[irq];
	if (s->issued)
		return UX_E_REVOKE_FIRST;
	*s = (struct irq_state){.issued = true, .level = flags & 1,
				.active_low = flags & 2};
	struct cap c = {.type = UX_CAP_IRQ_HANDLER, .rights = UX_R_ALL,
			.w1 = irq};
	cte_insert_child(v->slot, dest, &c);
	invoke_done(v, 0);
	return UX_OK;
}

err_t
irq_handler_invoke(struct inv *v)
{
	unsigned irq = (unsigned)v->slot->cap.w1;
	struct irq_state *s = &this_cpu()->irq[irq];
	struct cte *n;
	err_t e;

	switch (v->label) {
	case UX_IRQ_SET_NOTIFICATION:
		if ((e = inv_cap(v, 0, &n)))
			return e;
		if (n->cap.type != UX_CAP_NOTIFICATION)
			return UX_E_INVALID_CAPABILITY;
		if (!(n->cap.rights & UX_R_WRITE))
			return UX_E_NO_RIGHTS;
		s->ntfn = (void *)n->cap.obj;
		s->badge = n->cap.w1;
		s->pending = false;
		ioapic_route(irq, false, s->level, s->active_low);
		break;
	case UX_IRQ_ACK:
		s->pending = false;
		ioapic_route(irq, !s->ntfn, s->level, s->active_low);
		break;
	case UX_IRQ_CLEAR:
		s->ntfn = NULL;
		ioapic_route(irq, true, s->level, s->active_low);
		break;
	default:
		return UX_E_ILLEGAL_OPERATION;
	}
	invoke_done(v, 0);
	return UX_OK;
}

void
irq_handler_destroy(struct cap *c)
{
	unsigned irq = (unsigned)c->w1;
	ioapic_route(irq, true, false, false);
	this_cpu()->irq[irq] = (struct irq_state){0};
}

void
irq_forget_ntfn(struct notification *n)
{
	struct cpu *c = this_cpu();
	for (unsigned i = 0; i < IRQ_COUNT; i++) {
		if (c->irq[i].ntfn == n) {
			c->irq[i].ntfn = NULL;
			ioapic_route(i, true, c->irq[i].level,
				     c->irq[i].active_low);
		}
	}
}

static bool
kernel_port(uint64_t first, uint64_t last)
{
	static const uint16_t own[][2] = {
		{0x20, 0x21}, {0xA0, 0xA1}, {0x40, 0x43}, {0x61, 0x61}};
	for (unsigned i = 0; i < ARRAY_SIZE(own); i++)
		if (first <= own[i][1] && last >= own[i][0])
			return true;
	return false;
}

err_t
ioport_control_invoke(struct inv *v)
{
	struct cte *dest;
	uint64_t first = inv_mr(v, 0), last = inv_mr(v, 1);
	err_t e;

	if (v->label != UX_IOPORT_ISSUE)
		return UX_E_ILLEGAL_OPERATION;
	if (v->len < 4 || v->ncaps < 1)
		return UX_E_TRUNCATED_MESSAGE;
	if (first > last || last > 0xFFFF)
		return UX_E_RANGE;
	if (kernel_port(first, last))
		return UX_E_INVALID_ARGUMENT;
	if ((e = dest_slot(v, 2, &dest)))
		return e;
	struct cap c = {.type = UX_CAP_IOPORT, .rights = UX_R_ALL,
			.aux = (uint16_t)first, .w1 = last};
	cte_insert_child(v->slot, dest, &c);
	invoke_done(v, 0);
	return UX_OK;
}

err_t
ioport_invoke(struct inv *v)
{
	uint64_t port = inv_mr(v, 0), val = inv_mr(v, 1);
	unsigned width;

	switch (v->label) {
	case UX_IOPORT_IN8: case UX_IOPORT_OUT8: width = 1; break;
	case UX_IOPORT_IN16: case UX_IOPORT_OUT16: width = 2; break;
	case UX_IOPORT_IN32: case UX_IOPORT_OUT32: width = 4; break;
	default: return UX_E_ILLEGAL_OPERATION;
	}
	bool out = v->label >= UX_IOPORT_OUT8;
	if (v->len < (out ? 2u : 1u))
		return UX_E_TRUNCATED_MESSAGE;
	uint64_t first = v->slot->cap.aux, last = v->slot->cap.w1;
	if (port < first || port > last || last - port < width - 1)
		return UX_E_RANGE;
	uint16_t p = (uint16_t)port;
	if (out) {
		if (width == 1) outb(p, (uint8_t)val);
		else if (width == 2) outw(p, (uint16_t)val);
		else outl(p, (uint32_t)val);
		invoke_done(v, 0);
		return UX_OK;
	}
	uint64_t r = width == 1 ? inb(p) : width == 2 ? inw(p) : inl(p);
	mr_set(v->t, v->buf, 0, r);
	invoke_done(v, 1);
	return UX_OK;
}
