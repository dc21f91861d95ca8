/*
 * test_cdt.c - host unit test of the capability derivation tree and of
 * capability addressing: kernel/src/cspace.c compiled unchanged on the host
 * (cte_insert_root, cte_insert_child, cte_move, cte_copy_in, cte_delete,
 * cte_revoke, cte_has_children, cap_same_object, cap_derive,
 * cspace_resolve, cspace_lookup, cspace_lookup_in).
 *
 * CNodes and TCBs are real host memory laid out as the kernel lays them
 * out; other objects are just distinct addresses. The object hooks that
 * cspace.c calls (ep_destroy, tcb_destroy, ...) are defined here and count
 * how often each object was finalised. The groups:
 *  - cap_same_object and cap_derive, type by type;
 *  - list order and depths after insert, copy and move;
 *  - deleting the last capability finalises once, a non-last one never;
 *  - revoke removes exactly the descendants: the capabilities derived
 *    from the revoked one, and only those, also after deletions in the
 *    middle of the tree (whose descendants go to the deleted one's parent);
 *  - CNode cycles (self, pair, through a TCB) and a 100000-long ring torn
 *    down by revoking their untyped parent: no recursion, every slot empty;
 *  - revoking a 40000-long chain of copies costs linear time (the kernel
 *    is not preemptible);
 *  - cspace_resolve with guards, depths 1..64, guard and depth mismatch,
 *    two levels, the root server's one-level CSpace; cspace_lookup(_in);
 *  - misuse caught by the kernel's assertions (panic is caught here);
 *  - random sequences of retype/copy/mint/move/delete/revoke checked
 *    after every step against a model of the derivation tree: the list
 *    holds exactly the model's capabilities, every entry's list
 *    descendants are exactly its tree descendants, all capabilities to an
 *    object stand together, empty slots are unlinked, and every object was
 *    finalised exactly when its last capability went.
 * The kernel's list head is static in cspace.c; the test finds it once
 * through the prev pointer of the first root it inserts.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "htest.h"

#include <cspace.h>
#include <arch/cpu.h>

/* --- objects and the hooks cspace.c calls ------------------------------ */

#define MAXOBJ	  4096
#define FAKE_BASE 0x0000100000000000ull /* endpoint/ntfn/reply "addresses" */

struct obj {
	unsigned type;	   /* enum ux_cap_type; UX_CAP_NULL: a container of
			      standalone slots */
	struct cap cap;	   /* its original capability (w2 = the id) */
	void *mem;	   /* host allocation, or NULL */
	struct cte *slots; /* CNode or TCB: its slots */
	unsigned nslots;
	unsigned fin;	     /* finaliser hook calls */
	unsigned frame_dels; /* frame_cap_deleted calls (frames) */
	/* model bookkeeping (random test) */
	int *node_of;	  /* per slot: model node, or -1 */
	unsigned ncaps;	  /* model: capabilities to it in the list */
	unsigned nmarked; /* model: of those, being deleted */
	bool dying, dead;
	unsigned exp_fin, exp_frame_dels;
};

static struct obj objs[MAXOBJ];
static unsigned nobjs = 1; /* id 0 is "none" */
static unsigned bad_hooks; /* hook calls naming no known object */
static struct cpu host_cpu;

struct cpu *
host_this_cpu(void)
{
	return &host_cpu;
}

static struct obj *
obj_by_id(uint64_t id, unsigned type)
{
	if (id == 0 || id >= nobjs || objs[id].type != type) {
		bad_hooks++;
		return NULL;
	}
	return &objs[id];
}

static uint64_t
fake_id(const void *p)
{
	return ((uint64_t)p - FAKE_BASE) / 64;
}

static void
fin_by_id(uint64_t id, unsigned type)
{
	struct obj *o = obj_by_id(id, type);
	if (o)
		o->fin++;
}

void
frame_cap_deleted(struct cap *c)
{
	struct obj *o = obj_by_id(c->w2, c->type);
	if (o)
		o->frame_dels++;
}

void
table_destroy(struct cap *c)
{
	fin_by_id(c->w2, c->type);
}
void
pml4_destroy(struct cap *c)
{
	fin_by_id(c->w2, UX_CAP_PML4);
}
void
irq_handler_destroy(struct cap *c)
{
	fin_by_id(c->w2, UX_CAP_IRQ_HANDLER);
}
void
ep_destroy(struct endpoint *ep)
{
	fin_by_id(fake_id(ep), UX_CAP_ENDPOINT);
}
void
ntfn_destroy(struct notification *n)
{
	fin_by_id(fake_id(n), UX_CAP_NOTIFICATION);
}
void
reply_destroy(struct reply *r)
{
	fin_by_id(fake_id(r), UX_CAP_REPLY);
}
void
tcb_destroy(struct tcb *t)
{
	fin_by_id(t->id, UX_CAP_TCB);
}
void
irq_forget_ntfn(struct notification *n)
{
	(void)n;
}

void
printk(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

static jmp_buf panic_jmp;
static bool panic_armed;
static char panic_msg[256];

noreturn void
panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(panic_msg, sizeof panic_msg, fmt, ap);
	va_end(ap);
	if (panic_armed) {
		panic_armed = false;
		longjmp(panic_jmp, 1);
	}
	printf("test_cdt: kernel panic: %s\n", panic_msg);
	fflush(stdout);
	abort();
}

/* Does finalising this type call a hook we can count? */
static bool
has_hook(unsigned type)
{
	switch (type) {
	case UX_CAP_TCB:
	case UX_CAP_ENDPOINT:
	case UX_CAP_NOTIFICATION:
	case UX_CAP_REPLY:
	case UX_CAP_PAGE_TABLE:
	case UX_CAP_PAGE_DIR:
	case UX_CAP_PDPT:
	case UX_CAP_PML4:
	case UX_CAP_IRQ_HANDLER:
		return true;
	default:
		return false;
	}
}

/* May a capability of this type be copied (cap_derive)? */
static bool
derivable(unsigned type)
{
	switch (type) {
	case UX_CAP_NULL:
	case UX_CAP_UNTYPED:
	case UX_CAP_PAGE_TABLE:
	case UX_CAP_PAGE_DIR:
	case UX_CAP_PDPT:
	case UX_CAP_IRQ_CONTROL:
	case UX_CAP_IOPORT_CONTROL:
		return false;
	default:
		return true;
	}
}

static bool
is_container(unsigned type)
{
	return type == UX_CAP_CNODE || type == UX_CAP_TCB;
}

/* Make an object and its original capability (not yet in any slot). */
static unsigned
new_obj(unsigned type, unsigned radix)
{
	if (nobjs == MAXOBJ) {
		printf("test_cdt: too many objects\n");
		abort();
	}
	unsigned id = nobjs++;
	struct obj *o = &objs[id];
	memset(o, 0, sizeof *o);
	o->type = type;
	struct cap *c = &o->cap;
	*c = (struct cap){.type = (uint8_t)type, .rights = UX_R_ALL, .w2 = id};
	switch (type) {
	case UX_CAP_CNODE:
		o->nslots = 1u << radix;
		o->mem = aligned_alloc(64, sizeof(struct cte) << radix);
		memset(o->mem, 0, sizeof(struct cte) << radix);
		o->slots = o->mem;
		c->obj = (uint64_t)o->mem;
		c->size_bits = (uint8_t)radix;
		break;
	case UX_CAP_TCB: {
		o->mem = aligned_alloc(1u << UX_TCB_BITS, 1u << UX_TCB_BITS);
		memset(o->mem, 0, 1u << UX_TCB_BITS);
		struct tcb *t = o->mem;
		t->id = id;
		o->slots = t->slot;
		o->nslots = TCB_SLOT_COUNT;
		c->obj = (uint64_t)t;
		break;
	}
	case UX_CAP_FRAME:
		c->obj = (uint64_t)id << 12;
		c->size_bits = 12;
		c->flags = CAPF_MAPPED;
		c->asid = 1;
		c->w1 = 0x400000 + ((uint64_t)id << 12);
		break;
	case UX_CAP_PAGE_TABLE:
	case UX_CAP_PAGE_DIR:
	case UX_CAP_PDPT:
		c->obj = (uint64_t)id << 12;
		c->flags = CAPF_MAPPED;
		c->asid = 1;
		c->w1 = (uint64_t)id << 30;
		break;
	case UX_CAP_PML4:
		c->obj = (uint64_t)id << 12;
		c->asid = (uint16_t)id;
		break;
	case UX_CAP_UNTYPED:
		c->obj = (uint64_t)id << 24;
		c->size_bits = 20;
		break;
	case UX_CAP_IRQ_HANDLER:
		c->w1 = id;
		break;
	case UX_CAP_IOPORT:
		c->aux = (uint16_t)id;
		c->w1 = id + 0x10000;
		break;
	default:
		c->obj = FAKE_BASE + (uint64_t)id * 64;
	}
	return id;
}

/* A container of standalone slots (not a kernel object). */
static unsigned
new_standalone(unsigned n)
{
	unsigned id = new_obj(UX_CAP_NULL, 0);
	struct obj *o = &objs[id];
	o->mem = calloc(n, sizeof(struct cte));
	o->slots = o->mem;
	o->nslots = n;
	return id;
}

static struct cte *head; /* cspace.c's mdb_head */

static unsigned
list_len(void)
{
	unsigned n = 0;
	for (struct cte *p = head->next; p && n < 10000000; p = p->next)
		n++;
	return n;
}

/* Is d among the entries revoke(a) would delete? */
static bool
list_descends(const struct cte *a, const struct cte *d)
{
	for (const struct cte *p = a->next; p && p->depth > a->depth;
	     p = p->next)
		if (p == d)
			return true;
	return false;
}

static bool
linked(const struct cte *s)
{
	for (struct cte *p = head->next; p; p = p->next)
		if (p == s)
			return true;
	return false;
}

/* Empty every slot of every object (cascades included), check that the
 * kernel's list is then empty, and free all memory. */
static void
reset_objects(void)
{
	for (unsigned id = 1; id < nobjs; id++)
		for (unsigned i = 0; i < objs[id].nslots; i++)
			cte_delete(&objs[id].slots[i]);
	CHECKF(head->next == NULL,
	       "list not empty after deleting every "
	       "slot (%u entries left)",
	       list_len());
	head->next = NULL; /* do not let a failure poison later groups */
	for (unsigned id = 1; id < nobjs; id++) {
		free(objs[id].mem);
		free(objs[id].node_of);
	}
	memset(objs, 0, sizeof objs);
	nobjs = 1;
}

static void
find_head(void)
{
	struct cte tmp;
	memset(&tmp, 0, sizeof tmp);
	struct cap c = {.type = UX_CAP_IRQ_CONTROL, .rights = UX_R_ALL};
	cte_insert_root(&tmp, &c);
	head = tmp.prev;
	cte_delete(&tmp);
}

/* A fresh world for a group: root CNode R (radix 6) whose capability sits
 * in a standalone root slot, and a root untyped in R[0]. */
static struct cte *R;
static unsigned R_id;

static void
world(void)
{
	unsigned sa = new_standalone(2);
	R_id = new_obj(UX_CAP_CNODE, 6);
	R = objs[R_id].slots;
	cte_insert_root(&objs[sa].slots[0], &objs[R_id].cap);
	unsigned u = new_obj(UX_CAP_UNTYPED, 0);
	cte_insert_root(&R[0], &objs[u].cap);
}

/* Retype: a new object's capability as a child of parent, into dest. */
static unsigned
retype(struct cte *parent, struct cte *dest, unsigned type, unsigned radix)
{
	unsigned id = new_obj(type, radix);
	cte_insert_child(parent, dest, &objs[id].cap);
	return id;
}

static err_t
copy(struct cte *src, struct cte *dest)
{
	struct cap c;
	err_t e = cap_derive(&src->cap, &c);
	if (!e)
		cte_insert_child(src, dest, &c);
	return e;
}

static unsigned
id_of(const struct cte *s)
{
	return (unsigned)s->cap.w2;
}

/* --- cap_same_object, cap_derive --------------------------------------- */

static void
test_same_object(void)
{
	htest_group("cap_same_object");
	struct cap a = {.type = UX_CAP_ENDPOINT, .obj = 0x1000, .w1 = 5};
	struct cap b = a;
	b.w1 = 9; /* badge differs: still the same endpoint */
	b.rights = UX_R_READ;
	CHECK(cap_same_object(&a, &b));
	b.obj = 0x1040;
	CHECK(!cap_same_object(&a, &b));
	b = a;
	b.type = UX_CAP_NOTIFICATION;
	CHECK(!cap_same_object(&a, &b));
	struct cap n0 = {0}, n1 = {0};
	CHECK(!cap_same_object(&n0, &n1)); /* empty slots name nothing */
	struct cap u1 = {
	    .type = UX_CAP_UNTYPED, .obj = 0x100000, .size_bits = 20};
	struct cap u2 = u1;
	u2.size_bits = 19; /* same base, different size: different */
	CHECK(!cap_same_object(&u1, &u2));
	struct cap f1 = {.type = UX_CAP_FRAME,
			 .obj = 0x5000,
			 .size_bits = 12,
			 .flags = CAPF_MAPPED,
			 .w1 = 0x400000};
	struct cap f2 = f1;
	f2.flags = 0;
	f2.w1 = 0; /* mapped elsewhere or not at all: same frame */
	CHECK(cap_same_object(&f1, &f2));
	struct cap i1 = {.type = UX_CAP_IRQ_HANDLER, .w1 = 4};
	struct cap i2 = i1;
	CHECK(cap_same_object(&i1, &i2));
	i2.w1 = 5;
	CHECK(!cap_same_object(&i1, &i2));
	struct cap p1 = {.type = UX_CAP_IOPORT, .aux = 0x60, .w1 = 0x64};
	struct cap p2 = p1;
	CHECK(cap_same_object(&p1, &p2));
	p2.w1 = 0x65;
	CHECK(!cap_same_object(&p1, &p2));
	p2 = p1;
	p2.aux = 0x61;
	CHECK(!cap_same_object(&p1, &p2));
	struct cap ic1 = {.type = UX_CAP_IRQ_CONTROL};
	struct cap ic2 = ic1;
	CHECK(cap_same_object(&ic1, &ic2));
	htest_group_end();
}

static void
test_derive(void)
{
	htest_group("cap_derive: what may be copied, and the copy");
	struct cap out;
	struct cap c = {0};
	CHECK_EQ(cap_derive(&c, &out), UX_E_INVALID_CAPABILITY);
	c = (struct cap){
	    .type = UX_CAP_UNTYPED, .obj = 0x100000, .size_bits = 20};
	CHECK_EQ(cap_derive(&c, &out), UX_E_ILLEGAL_OPERATION);
	c = (struct cap){.type = UX_CAP_IRQ_CONTROL};
	CHECK_EQ(cap_derive(&c, &out), UX_E_ILLEGAL_OPERATION);
	c = (struct cap){.type = UX_CAP_IOPORT_CONTROL};
	CHECK_EQ(cap_derive(&c, &out), UX_E_ILLEGAL_OPERATION);
	for (unsigned t = UX_CAP_FRAME; t <= UX_CAP_FRAME_2M; t++) {
		c = (struct cap){.type = (uint8_t)t,
				 .rights = UX_R_READ,
				 .size_bits = 12,
				 .flags = CAPF_MAPPED,
				 .asid = 3,
				 .obj = 0x7000,
				 .w1 = 0x400000};
		CHECK_EQ(cap_derive(&c, &out), UX_OK);
		CHECK(!(out.flags & CAPF_MAPPED) && out.asid == 0 &&
		      out.w1 == 0);
		CHECK(out.obj == c.obj && out.rights == c.rights &&
		      out.size_bits == c.size_bits);
	}
	/* One capability per page table, directory or PDPT: the mapping it
	 * records is the table's only one. */
	for (unsigned t = UX_CAP_PAGE_TABLE; t <= UX_CAP_PDPT; t++) {
		c = (struct cap){.type = (uint8_t)t, .obj = 0x9000};
		CHECKF(cap_derive(&c, &out) == UX_E_ILLEGAL_OPERATION,
		       "unmapped table type %u", t);
		c.flags = CAPF_MAPPED;
		c.asid = 2;
		c.w1 = 0x40000000;
		CHECKF(cap_derive(&c, &out) == UX_E_ILLEGAL_OPERATION,
		       "mapped table type %u", t);
	}
	static const uint8_t same[] = {
	    UX_CAP_CNODE, UX_CAP_TCB,  UX_CAP_ENDPOINT,	   UX_CAP_NOTIFICATION,
	    UX_CAP_REPLY, UX_CAP_PML4, UX_CAP_IRQ_HANDLER, UX_CAP_IOPORT};
	for (unsigned i = 0; i < sizeof same; i++) {
		c = (struct cap){.type = same[i],
				 .rights = UX_R_WRITE,
				 .size_bits = 3,
				 .aux = 7,
				 .obj = 0xabc0,
				 .w1 = 0x77,
				 .w2 = 0x88};
		CHECKF(cap_derive(&c, &out) == UX_OK &&
			   !memcmp(&out, &c, sizeof c),
		       "type %u: copied unchanged (badge, guard kept)",
		       same[i]);
	}
	htest_group_end();
}

/* --- list structure ----------------------------------------------------- */

/* Is the kernel's list exactly these slots with these depths? */
static bool
list_is(struct cte *const *s, const unsigned *d, unsigned n)
{
	struct cte *p = head->next, *prev = head;
	for (unsigned i = 0; i < n; i++, prev = p, p = p->next) {
		if (p != s[i] || p->depth != d[i] || p->prev != prev) {
			printf("    list entry %u: got %p depth %u, want %p "
			       "depth %u\n",
			       i, (void *)p, p ? p->depth : 0, (void *)s[i],
			       d[i]);
			return false;
		}
	}
	return p == NULL;
}

#define LIST_IS(...)                                                           \
	({                                                                     \
		struct {                                                       \
			struct cte *s;                                         \
			unsigned d;                                            \
		} e_[] = {__VA_ARGS__};                                        \
		struct cte *s_[sizeof e_ / sizeof e_[0]];                      \
		unsigned d_[sizeof e_ / sizeof e_[0]];                         \
		for (unsigned i_ = 0; i_ < sizeof e_ / sizeof e_[0]; i_++) {   \
			s_[i_] = e_[i_].s;                                     \
			d_[i_] = e_[i_].d;                                     \
		}                                                              \
		CHECKF(list_is(s_, d_, sizeof e_ / sizeof e_[0]),              \
		       "derivation list differs (see above)");                 \
	})

static void
test_structure(void)
{
	htest_group("insert, copy, move: list order, depth, has_children");
	world();
	struct cte *rs = &objs[1].slots[0]; /* R's capability */
	struct cte *U = &R[0];
	LIST_IS({U, 0}, {rs, 0}); /* roots go first */
	retype(U, &R[1], UX_CAP_ENDPOINT, 0);
	retype(U, &R[2], UX_CAP_NOTIFICATION, 0);
	/* children go right after their parent: newest first */
	LIST_IS({U, 0}, {&R[2], 1}, {&R[1], 1}, {rs, 0});
	CHECK(cte_has_children(U));
	CHECK(!cte_has_children(&R[1]));
	CHECK_EQ(copy(&R[1], &R[3]), UX_OK);
	CHECK_EQ(copy(&R[3], &R[4]), UX_OK);
	CHECK_EQ(copy(&R[1], &R[5]), UX_OK);
	LIST_IS({U, 0}, {&R[2], 1}, {&R[1], 1}, {&R[5], 2}, {&R[3], 2},
		{&R[4], 3}, {rs, 0});
	CHECK(cte_has_children(&R[1]) && cte_has_children(&R[3]));
	CHECK(!cte_has_children(&R[4]) && !cte_has_children(&R[5]));
	/* move keeps the place and the depth, empties the source */
	struct cap c = R[3].cap;
	c.w1 = 42; /* as Mutate would */
	cte_move(&R[3], &R[9], &c);
	LIST_IS({U, 0}, {&R[2], 1}, {&R[1], 1}, {&R[5], 2}, {&R[9], 2},
		{&R[4], 3}, {rs, 0});
	CHECK(cap_is_null(&R[3].cap) && !R[3].prev && !R[3].next &&
	      R[3].depth == 0);
	CHECK_EQ(R[9].cap.w1, 42);
	CHECK(cte_has_children(&R[9]));
	/* cte_copy_in masks rights and links a child */
	unsigned t = retype(U, &R[10], UX_CAP_TCB, 0);
	struct tcb *tcb = (struct tcb *)objs[t].cap.obj;
	CHECK_EQ(cte_copy_in(&R[1], &tcb->slot[TCB_SLOT_FAULT], UX_R_WRITE),
		 UX_OK);
	CHECK_EQ(tcb->slot[TCB_SLOT_FAULT].cap.rights, UX_R_WRITE);
	CHECK(tcb->slot[TCB_SLOT_FAULT].prev == &R[1]);
	CHECK_EQ(cte_copy_in(U, &tcb->slot[TCB_SLOT_CSPACE], UX_R_ALL),
		 UX_E_ILLEGAL_OPERATION);
	CHECK(cap_is_null(&tcb->slot[TCB_SLOT_CSPACE].cap) &&
	      !linked(&tcb->slot[TCB_SLOT_CSPACE]));
	/* deleting an entry leaves its descendants to its parent */
	cte_delete(&R[9]);
	CHECK(linked(&R[4]) && list_descends(&R[1], &R[4]));
	CHECK(cte_has_children(&R[1]));
	/* revoke removes the descendants, keeps the entry */
	cte_revoke(&R[1]);
	CHECK(!cte_has_children(&R[1]) && linked(&R[1]));
	CHECK(cap_is_null(&R[4].cap) && cap_is_null(&R[5].cap));
	CHECK(cap_is_null(&tcb->slot[TCB_SLOT_FAULT].cap));
	/* deleting or revoking an empty slot does nothing */
	unsigned n = list_len();
	CHECK_EQ(cte_delete(&R[30]), UX_OK);
	CHECK_EQ(cte_revoke(&R[30]), UX_OK);
	CHECK_EQ(list_len(), n);
	reset_objects();
	htest_group_end();
}

/* --- finalisation ------------------------------------------------------- */

static void
test_finalise(void)
{
	static const unsigned types[] = {
	    UX_CAP_ENDPOINT,	UX_CAP_NOTIFICATION, UX_CAP_REPLY,
	    UX_CAP_TCB,		UX_CAP_CNODE,	     UX_CAP_PAGE_TABLE,
	    UX_CAP_PAGE_DIR,	UX_CAP_PDPT,	     UX_CAP_PML4,
	    UX_CAP_IRQ_HANDLER, UX_CAP_FRAME,	     UX_CAP_IOPORT};

	htest_group("delete: the last capability finalises once, others never");
	for (unsigned i = 0; i < sizeof types / sizeof types[0]; i++) {
		unsigned ty = types[i];
		world();
		unsigned inner = retype(&R[0], &R[20], UX_CAP_ENDPOINT, 0);
		unsigned id = retype(&R[0], &R[1], ty, 2);
		struct obj *o = &objs[id];
		if (is_container(ty)) {
			/* a capability stored inside: the only one to an
			 * endpoint, moved there from R[20] */
			struct cap c = R[20].cap;
			cte_move(&R[20], &o->slots[1], &c);
		}
		struct cap c = R[1].cap;
		if (derivable(ty)) {
			CHECK_EQ(copy(&R[1], &R[2]), UX_OK);
			CHECK_EQ(copy(&R[2], &R[3]), UX_OK);
			cte_move(&R[1], &R[4], &c);
			cte_delete(&R[4]); /* the original */
			cte_delete(&R[3]);
			CHECKF(o->fin == 0,
			       "type %u: finalised with a copy "
			       "left",
			       ty);
			if (is_container(ty))
				CHECKF(objs[inner].fin == 0 &&
					   !cap_is_null(&o->slots[1].cap),
				       "type %u: slots emptied with a copy "
				       "left",
				       ty);
		} else {
			CHECK_EQ(copy(&R[1], &R[3]), UX_E_ILLEGAL_OPERATION);
			cte_move(&R[1], &R[2], &c);
			CHECK(o->fin == 0 && cap_is_null(&R[3].cap));
		}
		cte_delete(&R[2]); /* the last */
		CHECKF(o->fin == (has_hook(ty) ? 1u : 0u),
		       "type %u: finalised %u times", ty, o->fin);
		if (ty == UX_CAP_FRAME || ty == UX_CAP_FRAME_2M)
			CHECKF(o->frame_dels == 3,
			       "frame_cap_deleted %u "
			       "times for 3 deletions",
			       o->frame_dels);
		if (is_container(ty)) {
			bool empty = true;
			for (unsigned k = 0; k < o->nslots; k++)
				empty &= cap_is_null(&o->slots[k].cap) &&
					 !o->slots[k].prev && !o->slots[k].next;
			CHECKF(empty && objs[inner].fin == 1,
			       "type %u: its slots were not emptied, or the "
			       "endpoint inside not finalised once",
			       ty);
		}
		if (is_container(ty))
			CHECK(!cte_has_children(&R[0]));
		else
			CHECK(linked(&R[20]) &&
			      R[20].next == &objs[1].slots[0]);
		CHECK_EQ(bad_hooks, 0);
		reset_objects();
	}
	htest_group_end();
}

/* --- revoke --------------------------------------------------------------- */

static void
test_revoke(void)
{
	htest_group("revoke removes exactly the descendants");
	world();
	struct cte *U = &R[0];
	unsigned e = retype(U, &R[1], UX_CAP_ENDPOINT, 0);
	copy(&R[1], &R[2]); /* A */
	copy(&R[2], &R[3]); /* B, from A */
	copy(&R[1], &R[4]); /* C */
	copy(&R[3], &R[5]); /* D, from B */
	cte_revoke(&R[2]);
	CHECK(linked(&R[2]) && linked(&R[1]) && linked(&R[4]));
	CHECK(cap_is_null(&R[3].cap) && cap_is_null(&R[5].cap));
	CHECK_EQ(objs[e].fin, 0);
	cte_revoke(&R[1]);
	CHECK(linked(&R[1]) && !linked(&R[2]) && !linked(&R[4]));
	CHECK_EQ(objs[e].fin, 0);
	cte_revoke(U);
	CHECK_EQ(objs[e].fin, 1);
	CHECK(!cte_has_children(U) && cap_is_null(&R[1].cap));
	reset_objects();

	/* A copy made after an intermediate capability was deleted must not
	 * adopt that capability's descendants: P -> A -> B, delete A, then
	 * C = copy of P. B derives from P (through A), not from C. */
	world();
	U = &R[0];
	e = retype(U, &R[1], UX_CAP_ENDPOINT, 0); /* P */
	copy(&R[1], &R[2]);			  /* A */
	copy(&R[2], &R[3]);			  /* B */
	cte_delete(&R[2]);
	CHECK(cte_has_children(&R[1])); /* B is still P's descendant */
	copy(&R[1], &R[4]);		/* C */
	CHECKF(!cte_has_children(&R[4]),
	       "a fresh copy C of P has children (B at depth %u under C at "
	       "depth %u)",
	       R[3].depth, R[4].depth);
	cte_revoke(&R[4]);
	CHECKF(!cap_is_null(&R[3].cap),
	       "revoking C deleted B, which was not derived from C");
	CHECK(linked(&R[1]) && linked(&R[4]));
	/* Without any later insertion: P -> X -> Y and P -> S, where S was
	 * copied after X (so the list reads P S X Y). Deleting X must leave Y
	 * to P, not to S. */
	reset_objects();
	world();
	U = &R[0];
	retype(U, &R[1], UX_CAP_ENDPOINT, 0); /* P */
	copy(&R[1], &R[2]);		      /* X */
	copy(&R[2], &R[3]);		      /* Y */
	copy(&R[1], &R[4]);		      /* S */
	cte_delete(&R[2]);
	CHECKF(!cte_has_children(&R[4]),
	       "sibling S has children after X was deleted (Y at depth %u, "
	       "S at depth %u)",
	       R[3].depth, R[4].depth);
	cte_revoke(&R[4]);
	CHECKF(!cap_is_null(&R[3].cap),
	       "revoking S deleted Y, which derives from P through X");
	CHECK(list_descends(&R[1], &R[3]));
	/* Roots: a root untyped U2 inserted after U precedes it in the
	 * list; deleting U must not hand U's children to U2. */
	reset_objects();
	world();
	U = &R[0];
	retype(U, &R[1], UX_CAP_ENDPOINT, 0);
	unsigned u2 = new_obj(UX_CAP_UNTYPED, 0);
	cte_insert_root(&R[2], &objs[u2].cap);
	cte_delete(U);
	CHECKF(!cte_has_children(&R[2]),
	       "root U2 owns the children of the deleted root U");
	/* The same with retype: an object made after an older object's
	 * original was deleted must not own that object's copies. */
	reset_objects();
	world();
	U = &R[0];
	retype(U, &R[1], UX_CAP_ENDPOINT, 0); /* X */
	copy(&R[1], &R[2]);		      /* X' */
	cte_delete(&R[1]);
	unsigned y = retype(U, &R[3], UX_CAP_UNTYPED, 0); /* Y */
	(void)y;
	CHECKF(!cte_has_children(&R[3]),
	       "a new untyped Y owns the copy X' of an older object");
	reset_objects();
	htest_group_end();
}

/* --- CNode cycles and chains ------------------------------------------- */

static bool
all_empty(unsigned id)
{
	struct obj *o = &objs[id];
	for (unsigned i = 0; i < o->nslots; i++)
		if (!cap_is_null(&o->slots[i].cap) || o->slots[i].prev ||
		    o->slots[i].next)
			return false;
	return true;
}

static void
test_cycles(void)
{
	htest_group("CNode cycles torn down by revoking their untyped parent");

	/* X holds the last capability to itself. An endpoint E inside is
	 * the last to E; a copy of F (made from another untyped) is not. */
	world();
	struct cte *U = &R[0];
	unsigned u2 = new_obj(UX_CAP_UNTYPED, 0);
	cte_insert_root(&R[40], &objs[u2].cap);
	unsigned f = retype(&R[40], &R[41], UX_CAP_ENDPOINT, 0);
	unsigned x = retype(U, &R[1], UX_CAP_CNODE, 2);
	struct cte *X = objs[x].slots;
	unsigned e = retype(U, &X[1], UX_CAP_ENDPOINT, 0);
	copy(&R[41], &X[2]);
	struct cap c = R[1].cap;
	cte_move(&R[1], &X[0], &c);
	cte_revoke(U);
	CHECK(all_empty(x));
	CHECK_EQ(objs[e].fin, 1);
	CHECK_EQ(objs[f].fin, 0);
	CHECK(linked(&R[41]) && !cte_has_children(&R[41]));
	CHECK(!cte_has_children(U));
	reset_objects();

	/* X and Y hold the last capabilities to each other. */
	world();
	U = &R[0];
	x = retype(U, &R[1], UX_CAP_CNODE, 1);
	unsigned y = retype(U, &R[2], UX_CAP_CNODE, 1);
	X = objs[x].slots;
	struct cte *Y = objs[y].slots;
	unsigned ex = retype(U, &X[1], UX_CAP_NOTIFICATION, 0);
	unsigned ey = retype(U, &Y[1], UX_CAP_REPLY, 0);
	c = R[2].cap;
	cte_move(&R[2], &X[0], &c);
	c = R[1].cap;
	cte_move(&R[1], &Y[0], &c);
	cte_revoke(U);
	CHECK(all_empty(x) && all_empty(y));
	CHECK(objs[ex].fin == 1 && objs[ey].fin == 1);
	CHECK(!cte_has_children(U));
	reset_objects();

	/* Through a TCB: T's CSpace slot holds the last capability to X,
	 * X holds the last capability to T. */
	world();
	U = &R[0];
	x = retype(U, &R[1], UX_CAP_CNODE, 1);
	unsigned t = retype(U, &R[2], UX_CAP_TCB, 0);
	struct tcb *tcb = (struct tcb *)objs[t].cap.obj;
	CHECK_EQ(cte_copy_in(&R[1], &tcb->slot[TCB_SLOT_CSPACE], UX_R_ALL),
		 UX_OK);
	cte_delete(&R[1]);
	c = R[2].cap;
	cte_move(&R[2], &objs[x].slots[0], &c);
	cte_revoke(U);
	CHECK(all_empty(x) && all_empty(t));
	CHECK_EQ(objs[t].fin, 1);
	CHECK(!cte_has_children(U));
	CHECK_EQ(bad_hooks, 0);
	reset_objects();
	htest_group_end();
}

/* A ring of N CNodes, each holding the only capability to the next,
 * reachable only through the untyped: revoke must not recurse. Built in
 * one block, as the kernel would (objects side by side). */
#define RING 100000

static void
test_ring(void)
{
	htest_group("a ring of 100000 CNodes: no recursion, every slot empty");
	world();
	struct cte *U = &R[0];
	struct cte *mem = aligned_alloc(64, RING * 2 * sizeof(struct cte));
	memset(mem, 0, RING * 2 * sizeof(struct cte));
	unsigned last_ep = retype(U, &R[2], UX_CAP_ENDPOINT, 0);
	for (unsigned i = 0; i < RING; i++) {
		struct cap c = {.type = UX_CAP_CNODE,
				.rights = UX_R_ALL,
				.size_bits = 1,
				.obj = (uint64_t)&mem[2 * ((i + 1) % RING)]};
		cte_insert_child(U, &mem[2 * i], &c);
	}
	struct cap c = R[2].cap;
	cte_move(&R[2], &mem[1], &c); /* an endpoint inside CNode 0 */
	CHECK_EQ(list_len(), RING + 3);
	cte_revoke(U);
	bool empty = true;
	for (unsigned i = 0; i < 2 * RING; i++)
		empty &=
		    cap_is_null(&mem[i].cap) && !mem[i].prev && !mem[i].next;
	CHECK(empty);
	CHECK_EQ(objs[last_ep].fin, 1);
	CHECK(!cte_has_children(U));
	CHECK_EQ(list_len(), 2);
	reset_objects();
	free(mem);
	htest_group_end();
}

/* The kernel is not preemptible, so delete and revoke must cost time in
 * proportion to what they delete (cspace.c's header says so). A chain of
 * copies, each derived from the previous one, is the worst case for any
 * per-deletion walk over the descendants: revoking its head must stay
 * linear. The bound is generous: linear takes a few milliseconds here. */
#define CHAIN 40000

static void
test_chain_cost(void)
{
	htest_group("revoking a chain of 40000 copies takes linear time");
	struct cte *s = aligned_alloc(64, (CHAIN + 1) * sizeof(struct cte));
	memset(s, 0, (CHAIN + 1) * sizeof(struct cte));
	struct cap c = {.type = UX_CAP_IOPORT,
			.rights = UX_R_ALL,
			.aux = 0x60,
			.w1 = 0x64}; /* no finaliser hook */
	cte_insert_root(&s[0], &c);
	for (unsigned i = 1; i <= CHAIN; i++)
		cte_insert_child(&s[i - 1], &s[i], &c);
	clock_t t0 = clock();
	cte_revoke(&s[0]);
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	CHECK(!cte_has_children(&s[0]) && cap_is_null(&s[CHAIN].cap));
	CHECKF(secs < 0.25,
	       "revoke took %.2f s of CPU for %u deletions "
	       "(quadratic: each deletion walks the rest of the chain)",
	       secs, CHAIN);
	cte_delete(&s[0]);
	CHECK(head->next == NULL);
	free(s);
	htest_group_end();
}

/* --- addressing --------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t
rnd(void)
{
	uint64_t x = rng_state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545F4914F6CDD1Dull;
}

static struct cap
cnode_cap(struct cte *slots, unsigned radix, unsigned gbits, uint64_t guard)
{
	return (struct cap){.type = UX_CAP_CNODE,
			    .rights = UX_R_ALL,
			    .size_bits = (uint8_t)radix,
			    .aux = (uint16_t)gbits,
			    .obj = (uint64_t)slots,
			    .w1 = guard};
}

static void
test_resolve_one_level(void)
{
	htest_group("cspace_resolve: one level, depths 1..64, mismatches");
	rng_state = 0x1234567;
	struct cte *slots = aligned_alloc(64, sizeof(struct cte) << 8);
	memset(slots, 0, sizeof(struct cte) << 8);
	struct cte *out;
	unsigned bad = 0, tried = 0;

	for (unsigned d = 1; d <= 64; d++) {
		unsigned radii[3] = {1, d < 8 ? d : 8, 1 + d % 8};
		for (unsigned k = 0; k < 3; k++) {
			unsigned r = radii[k];
			if (r > d)
				continue;
			unsigned g = d - r;
			uint64_t guard = g ? rnd() & MASK(g) : 0;
			uint64_t index = rnd() & MASK(r);
			struct cap root = cnode_cap(slots, r, g, guard);
			uint64_t addr = guard << r | index;
			uint64_t junk = d < 64 ? rnd() << d : 0;
			tried++;
			/* exact depth; bits above the depth are ignored */
			if (cspace_resolve(&root, addr | junk, d, &out) ||
			    out != &slots[index]) {
				if (bad++ < 5)
					printf("    depth %u radix %u: no "
					       "slot\n",
					       d, r);
				continue;
			}
			/* a guard bit wrong */
			if (g) {
				uint64_t flip = BIT(r + rnd() % g);
				if (cspace_resolve(&root, addr ^ flip, d,
						   &out) != UX_E_FAILED_LOOKUP)
					bad++;
			}
			/* too few bits for the level */
			if (d > 1 && cspace_resolve(&root, addr >> 1, d - 1,
						    &out) != UX_E_FAILED_LOOKUP)
				bad++;
			/* more bits than the level, and the slot is not a
			 * CNode: a depth mismatch, except for a full-width
			 * (64-bit) lookup, which stops at the leaf */
			if (d < 63 &&
			    cspace_resolve(&root, addr << 1, d + 1, &out) !=
				UX_E_FAILED_LOOKUP)
				bad++;
			if (d == 63 &&
			    (cspace_resolve(&root, addr << 1, 64, &out) ||
			     out != &slots[index]))
				bad++;
		}
	}
	CHECKF(bad == 0, "%u of %u (depth, radix, guard) cases wrong", bad,
	       tried);
	struct cap root = cnode_cap(slots, 4, 4, 9);
	CHECK_EQ(cspace_resolve(&root, 0x93, 0, &out), UX_E_RANGE);
	CHECK_EQ(cspace_resolve(&root, 0x93, 65, &out), UX_E_RANGE);
	CHECK_EQ(cspace_resolve(&root, 0x93, 8, &out), UX_OK);
	CHECK(out == &slots[3]);
	CHECK_EQ(cspace_resolve(&root, 0x83, 8, &out), UX_E_FAILED_LOOKUP);
	struct cap ep = {.type = UX_CAP_ENDPOINT, .obj = 0x1000};
	CHECK_EQ(cspace_resolve(&ep, 0, 64, &out), UX_E_FAILED_LOOKUP);
	struct cap zero = cnode_cap(slots, 0, 0, 0); /* resolves no bits */
	CHECK_EQ(cspace_resolve(&zero, 0, 64, &out), UX_E_FAILED_LOOKUP);
	/* a guard of 63 bits and one index bit */
	root = cnode_cap(slots, 1, 63, 0x5555555555555555ull >> 1);
	CHECK_EQ(cspace_resolve(&root, 0x5555555555555555ull, 64, &out), UX_OK);
	CHECK(out == &slots[1]);
	/* the root server's CSpace: radix 14 with a 50-bit zero guard, so a
	 * capability address is the slot index */
	struct cte *big = aligned_alloc(64, sizeof(struct cte) << 14);
	memset(big, 0, sizeof(struct cte) << 14);
	root = cnode_cap(big, 14, 64 - 14, 0);
	bool idx_ok = true;
	for (uint64_t i = 0; i < BIT(14); i += 97)
		idx_ok &= !cspace_resolve(&root, i, 64, &out) && out == &big[i];
	CHECK(idx_ok);
	CHECK_EQ(cspace_resolve(&root, BIT(14), 64, &out), UX_E_FAILED_LOOKUP);
	CHECK_EQ(cspace_resolve(&root, BIT(63) | 5, 64, &out),
		 UX_E_FAILED_LOOKUP);
	free(big);
	free(slots);
	htest_group_end();
}

static void
test_resolve_two_levels(void)
{
	htest_group("cspace_resolve: a chain of two CNodes");
	struct cte *a = aligned_alloc(64, sizeof(struct cte) << 4);
	struct cte *b = aligned_alloc(64, sizeof(struct cte) << 3);
	memset(a, 0, sizeof(struct cte) << 4);
	memset(b, 0, sizeof(struct cte) << 3);
	struct cte *out;

	/* A: radix 4, guard 0b101 (3 bits); A[9] -> B: radix 3, guard 0b10 */
	struct cap root = cnode_cap(a, 4, 3, 5);
	a[9].cap = cnode_cap(b, 3, 2, 2);
	b[1].cap = a[9].cap; /* B also holds a capability to itself */
	b[6].cap = (struct cap){.type = UX_CAP_ENDPOINT, .obj = 0x40};
	uint64_t a_part = 5u << 4 | 9, b_part = 2u << 3 | 6;
	CHECK_EQ(cspace_resolve(&root, a_part << 5 | b_part, 12, &out), UX_OK);
	CHECK(out == &b[6]);
	CHECK_EQ(cspace_resolve(&root, a_part, 7, &out), UX_OK);
	CHECK(out == &a[9]); /* stop at the CNode capability itself */
	CHECK_EQ(cspace_resolve(&root, a_part << 5 | (b_part ^ 8), 12, &out),
		 UX_E_FAILED_LOOKUP); /* B's guard wrong */
	CHECK_EQ(cspace_resolve(&root, a_part << 3 | 5, 10, &out),
		 UX_E_FAILED_LOOKUP); /* 3 bits left for B's 5 */
	CHECK_EQ(cspace_resolve(&root, (a_part << 5 | b_part) << 1, 13, &out),
		 UX_E_FAILED_LOOKUP); /* one bit left after B, leaf */
	/* full width: A's guard grows to 64 - 4 - 5 = 55 bits of zero */
	root = cnode_cap(a, 4, 55, 0);
	CHECK_EQ(cspace_resolve(&root, 9u << 5 | b_part, 64, &out), UX_OK);
	CHECK(out == &b[6]);
	a[3].cap = (struct cap){.type = UX_CAP_ENDPOINT, .obj = 0x80};
	CHECK_EQ(cspace_resolve(&root, 3u << 5 | 31, 64, &out), UX_OK);
	CHECK(out == &a[3]); /* lookupSlot: a leaf ends a 64-bit walk */
	CHECK_EQ(cspace_resolve(&root, 3u << 5 | 31, 63, &out),
		 UX_E_FAILED_LOOKUP); /* not a 64-bit walk: bits unused */

	/* the same through a TCB: cspace_lookup and cspace_lookup_in */
	struct tcb *t = aligned_alloc(1u << UX_TCB_BITS, 1u << UX_TCB_BITS);
	memset(t, 0, 1u << UX_TCB_BITS);
	t->slot[TCB_SLOT_CSPACE].cap = root;
	CHECK_EQ(cspace_lookup(t, 9u << 5 | b_part, &out), UX_OK);
	CHECK(out == &b[6]);
	/* lookup_in: a 64-bit walk to the root (B[1], a capability to B),
	 * then exactly 5 bits in B */
	uint64_t b1 = 9u << 5 | 2u << 3 | 1;
	CHECK_EQ(cspace_lookup_in(t, b1, b_part, 5, &out), UX_OK);
	CHECK(out == &b[6]);
	CHECK_EQ(cspace_lookup_in(t, 3u << 5, 0, 5, &out),
		 UX_E_INVALID_CAPABILITY); /* A[3] is an endpoint */
	CHECK_EQ(cspace_lookup_in(t, b1, b_part, 0, &out), UX_E_RANGE);
	CHECK_EQ(cspace_lookup_in(t, b1, b_part, 4, &out), UX_E_FAILED_LOOKUP);
	t->slot[TCB_SLOT_CSPACE].cap = (struct cap){0};
	CHECK_EQ(cspace_lookup(t, 0, &out), UX_E_FAILED_LOOKUP);
	free(t);
	free(a);
	free(b);
	htest_group_end();
}

/* The fastpath's lookup: a shortcut for one-level full-width CSpaces that
 * must agree with cspace_resolve(..., 64) on every shape and address. */
static void
test_lookup_fast(void)
{
	htest_group("cspace_lookup_fast agrees with cspace_resolve");
	rng_state = 0xfa57;
	struct cte *a = aligned_alloc(64, sizeof(struct cte) << 6);
	struct cte *b = aligned_alloc(64, sizeof(struct cte) << 3);
	memset(a, 0, sizeof(struct cte) << 6);
	memset(b, 0, sizeof(struct cte) << 3);
	a[5].cap = cnode_cap(b, 3, 1, 1); /* a second level behind A[5] */
	a[6].cap = (struct cap){.type = UX_CAP_ENDPOINT, .obj = 0x40};
	unsigned bad = 0, tried = 0;
	for (unsigned k = 0; k < 20000; k++) {
		unsigned r = 1 + rnd() % 6;
		unsigned g = rnd() % 3 ? 64 - r : rnd() % (64 - r);
		uint64_t guard = g ? rnd() & MASK(g) : 0;
		if (rnd() % 2)
			guard &= 0xff; /* small guards: more hits */
		struct cap root = cnode_cap(a, r, g, guard);
		if (rnd() % 16 == 0)
			root.type = UX_CAP_ENDPOINT; /* not a CNode */
		uint64_t cptr = rnd();
		switch (rnd() % 3) {
		case 0: /* a matching guard */
			cptr = g ? (guard << (64 - g)) >> (64 - g - r) |
				       (cptr & MASK(r))
				 : cptr;
			break;
		case 1: /* a matching guard and a small index */
			cptr = (g ? guard << r : 0) | (rnd() % 8);
			break;
		default:
			break;
		}
		struct cte *o1 = NULL, *o2 = NULL;
		err_t e1 = cspace_lookup_fast(&root, cptr, &o1);
		err_t e2 = cspace_resolve(&root, cptr, 64, &o2);
		tried++;
		if (e1 != e2 || (!e1 && o1 != o2)) {
			if (bad++ < 3)
				printf("    radix %u guard %u bits %#llx, cptr "
				       "%#llx: fast %d %p, resolve %d %p\n",
				       r, g, (unsigned long long)guard,
				       (unsigned long long)cptr, e1, (void *)o1,
				       e2, (void *)o2);
		}
	}
	CHECKF(bad == 0, "%u of %u lookups differ", bad, tried);
	free(a);
	free(b);
	htest_group_end();
}

/* --- assertions ----------------------------------------------------------- */

#define EXPECT_PANIC(stmt)                                                     \
	({                                                                     \
		volatile bool p_ = false;                                      \
		panic_armed = true;                                            \
		if (setjmp(panic_jmp) == 0) {                                  \
			stmt;                                                  \
		} else {                                                       \
			p_ = true;                                             \
		}                                                              \
		panic_armed = false;                                           \
		CHECKF(p_, "no panic from %s", #stmt);                         \
	})

static void
test_asserts(void)
{
	htest_group("misuse is caught by the kernel's assertions");
	world();
	retype(&R[0], &R[1], UX_CAP_ENDPOINT, 0);
	retype(&R[0], &R[2], UX_CAP_ENDPOINT, 0);
	unsigned n = list_len();
	struct cap c = R[1].cap;
	EXPECT_PANIC(cte_insert_child(&R[1], &R[2], &c)); /* occupied */
	EXPECT_PANIC(cte_insert_root(&R[2], &c));
	EXPECT_PANIC(cte_move(&R[1], &R[2], &c));
	EXPECT_PANIC(cte_insert_child(&R[5], &R[6], &c)); /* empty parent */
	CHECK_EQ(list_len(), n);
	CHECK(cap_is_null(&R[6].cap) && !linked(&R[6]));
	reset_objects();
	htest_group_end();
}

static void
test_layout(void)
{
	htest_group("layout the dying stack relies on");
	/* cte_delete tags the address of a dying object's first slot with
	 * 6 bits (a CNode's radix, or 63 for a TCB). */
	CHECK_EQ(sizeof(struct cte), 64);
	CHECKF(offsetof(struct tcb, slot) % 64 == 0,
	       "TCB slots at offset %zu: not 64-byte aligned",
	       offsetof(struct tcb, slot));
	CHECK(sizeof(struct tcb) <= (1u << UX_TCB_BITS));
	CHECK(UX_CNODE_MAX_RADIX < 63);
	htest_group_end();
}

/* --- random sequences against a model ------------------------------------ */

#define MAXNODE 65536

/*
 * The model is the derivation tree itself: one node per capability, with
 * the node it was copied or retyped from as parent (a deleted node's
 * children go to its parent; a move keeps the node). It does not model the
 * list's order or depths, which are the kernel's business; it checks what
 * they must mean: the kernel's list holds exactly the model's capabilities,
 * and for every entry the following entries of greater depth (what revoke
 * deletes) are exactly its descendants in the tree.
 */
struct node {
	bool live, marked;
	struct cte *slot;
	unsigned obj;
	int parent;	/* -1: none */
	unsigned seen;	/* verify: stamp of the last walk that met it */
	unsigned ndesc; /* verify: descendants in the tree */
};

static struct node nodes[MAXNODE];
static unsigned nnodes, nlive;
static unsigned stamp;

static int *
slot_ref(const struct cte *s)
{
	for (unsigned o = 1; o < nobjs; o++) {
		struct obj *ob = &objs[o];
		if (ob->node_of && s >= ob->slots && s < ob->slots + ob->nslots)
			return &ob->node_of[s - ob->slots];
	}
	return NULL;
}

static int
node_at(const struct cte *s)
{
	int *r = slot_ref(s);
	return r ? *r : -1;
}

static void
track(unsigned id)
{
	struct obj *o = &objs[id];
	if (!o->slots)
		return;
	o->node_of = malloc(o->nslots * sizeof(int));
	for (unsigned i = 0; i < o->nslots; i++)
		o->node_of[i] = -1;
}

static void
m_insert(struct cte *slot, unsigned obj, int parent)
{
	int n = (int)nnodes++;
	nodes[n] = (struct node){
	    .live = true, .slot = slot, .obj = obj, .parent = parent};
	*slot_ref(slot) = n;
	objs[obj].ncaps++;
	nlive++;
}

static void
m_move(struct cte *src, struct cte *dst)
{
	int n = node_at(src);
	*slot_ref(src) = -1;
	nodes[n].slot = dst;
	*slot_ref(dst) = n;
}

static void
mark(int n, int *work, unsigned *nw)
{
	if (n < 0 || nodes[n].marked)
		return;
	nodes[n].marked = true;
	objs[nodes[n].obj].nmarked++;
	work[(*nw)++] = n;
}

/* Delete the capability in slot and everything its deletion destroys:
 * objects whose capabilities are all gone are finalised, and the slots of
 * a finalised CNode or TCB are emptied in turn. */
static void
m_delete(struct cte *slot)
{
	static int work[MAXNODE], gone[MAXNODE];
	static unsigned dying_objs[MAXOBJ];
	unsigned nw = 0, ngone = 0, ndying = 0;

	mark(node_at(slot), work, &nw);
	while (nw) {
		int n = work[--nw];
		gone[ngone++] = n;
		struct obj *o = &objs[nodes[n].obj];
		if (o->dying || o->nmarked != o->ncaps)
			continue;
		o->dying = true;
		dying_objs[ndying++] = nodes[n].obj;
		if (is_container(o->type))
			for (unsigned i = 0; i < o->nslots; i++)
				mark(o->node_of[i], work, &nw);
	}
	for (unsigned i = 0; i < ngone; i++) {
		struct node *nd = &nodes[gone[i]];
		struct obj *o = &objs[nd->obj];
		if (o->type == UX_CAP_FRAME || o->type == UX_CAP_FRAME_2M)
			o->exp_frame_dels++;
		*slot_ref(nd->slot) = -1;
		nd->live = false;
		nd->marked = false;
		o->ncaps--;
		o->nmarked--;
		nlive--;
	}
	for (unsigned i = 0; i < ndying; i++) {
		struct obj *o = &objs[dying_objs[i]];
		o->dying = false;
		if (has_hook(o->type))
			o->exp_fin++;
		if (is_container(o->type))
			o->dead = true;
	}
	for (unsigned n = 0; n < nnodes; n++) {
		struct node *nd = &nodes[n];
		while (nd->live && nd->parent >= 0 && !nodes[nd->parent].live)
			nd->parent = nodes[nd->parent].parent;
	}
}

static bool
tree_descends(int n, int anc)
{
	for (int p = nodes[n].parent; p >= 0; p = nodes[p].parent)
		if (p == anc)
			return true;
	return false;
}

/* Revoke deletes every descendant of the revoked capability, unless a
 * deletion destroys the revoked capability itself (its slot was in a CNode
 * or TCB that died): then the revoke ends there and which descendants are
 * left over depends on the kernel's order. So the model reads the
 * descendants from the kernel's list before the revoke and, afterwards,
 * deletes all of them if the revoked capability survived, or else exactly
 * those the kernel deleted (cascades included either way). */
static unsigned
revoke_victims(struct cte *slot, int *victims)
{
	unsigned nv = 0;
	for (struct cte *p = slot->next; p && p->depth > slot->depth;
	     p = p->next)
		victims[nv++] = node_at(p);
	return nv;
}

static void
m_revoke(struct cte *slot, const int *victims, unsigned nv)
{
	bool survived = !cap_is_null(&slot->cap);
	for (unsigned i = 0; i < nv; i++) {
		int v = victims[i];
		if (v < 0 || !nodes[v].live)
			continue;
		if (survived || cap_is_null(&nodes[v].slot->cap))
			m_delete(nodes[v].slot);
	}
}

/* Compare the kernel's list, slots and hook counts with the model. */
static bool
verify(char *why, size_t len)
{
	struct cte *prev = head;
	unsigned count = 0;

	stamp++;
	for (unsigned n = 0; n < nnodes; n++)
		nodes[n].ndesc = 0;
	for (unsigned n = 0; n < nnodes; n++)
		if (nodes[n].live)
			for (int p = nodes[n].parent; p >= 0;
			     p = nodes[p].parent)
				nodes[p].ndesc++;
	for (struct cte *p = head->next; p; prev = p, p = p->next, count++) {
		int n = node_at(p);
		if (count > nlive || n < 0 || !nodes[n].live ||
		    nodes[n].seen == stamp) {
			snprintf(why, len,
				 "list entry %u (%p) is not a "
				 "capability of the model, or repeats",
				 count, (void *)p);
			return false;
		}
		nodes[n].seen = stamp;
		struct obj *o = &objs[nodes[n].obj];
		if (p->prev != prev) {
			snprintf(why, len, "list entry %u: prev link broken",
				 count);
			return false;
		}
		if (p->cap.type != o->type || p->cap.w2 != nodes[n].obj ||
		    p->cap.obj != o->cap.obj) {
			snprintf(why, len,
				 "list entry %u holds the wrong "
				 "object",
				 count);
			return false;
		}
		/* What revoke would delete: exactly the tree's descendants. */
		unsigned k = 0;
		for (struct cte *q = p->next; q && q->depth > p->depth;
		     q = q->next, k++) {
			int m = node_at(q);
			if (m < 0 || !tree_descends(m, n)) {
				snprintf(why, len,
					 "DERIVATION: list entry %u "
					 "(depth %u) counts a capability it "
					 "was not derived from (depth %u) as "
					 "its descendant",
					 count, p->depth, q->depth);
				return false;
			}
		}
		if (k != nodes[n].ndesc) {
			snprintf(why, len,
				 "DERIVATION: list entry %u has %u "
				 "descendants in the list, %u in the tree",
				 count, k, nodes[n].ndesc);
			return false;
		}
	}
	if (count != nlive) {
		snprintf(why, len, "list has %u entries, the model %u", count,
			 nlive);
		return false;
	}
	/* All capabilities to one object stand together (is_final looks
	 * only at the two neighbours). */
	static unsigned run[MAXOBJ];
	memset(run, 0, sizeof run);
	unsigned last = 0;
	for (struct cte *p = head->next; p; p = p->next) {
		unsigned o = nodes[node_at(p)].obj;
		if (o != last && run[o]) {
			snprintf(why, len,
				 "capabilities to object %u are not "
				 "together in the list",
				 o);
			return false;
		}
		run[o]++;
		last = o;
	}
	for (unsigned id = 1; id < nobjs; id++) {
		struct obj *o = &objs[id];
		for (unsigned i = 0; o->node_of && i < o->nslots; i++) {
			struct cte *s = &o->slots[i];
			if (o->node_of[i] < 0 &&
			    (!cap_is_null(&s->cap) || s->prev || s->next)) {
				snprintf(why, len,
					 "object %u slot %u should "
					 "be empty",
					 id, i);
				return false;
			}
		}
		if (o->fin != o->exp_fin ||
		    o->frame_dels != o->exp_frame_dels) {
			snprintf(why, len,
				 "object %u (type %u): finalised %u "
				 "times, expected %u; frame deletions %u, "
				 "expected %u",
				 id, o->type, o->fin, o->exp_fin, o->frame_dels,
				 o->exp_frame_dels);
			return false;
		}
	}
	if (bad_hooks) {
		snprintf(why, len, "%u hook calls for unknown objects",
			 bad_hooks);
		return false;
	}
	return true;
}

static struct cte *
pick_slot(int want_full)
{
	static unsigned live[MAXOBJ];
	unsigned n = 0;
	for (unsigned id = 1; id < nobjs; id++)
		if (is_container(objs[id].type) && !objs[id].dead)
			live[n++] = id;
	if (!n)
		return NULL;
	for (unsigned tries = 0; tries < 100; tries++) {
		struct obj *o = &objs[live[rnd() % n]];
		unsigned i = rnd() % o->nslots;
		if (want_full < 0 || (o->node_of[i] >= 0) == want_full)
			return &o->slots[i];
	}
	return NULL;
}

static const unsigned random_types[] = {
    UX_CAP_CNODE,      UX_CAP_CNODE,	    UX_CAP_TCB,	  UX_CAP_ENDPOINT,
    UX_CAP_ENDPOINT,   UX_CAP_NOTIFICATION, UX_CAP_REPLY, UX_CAP_FRAME,
    UX_CAP_PAGE_TABLE, UX_CAP_PDPT,	    UX_CAP_PML4,  UX_CAP_IRQ_HANDLER,
    UX_CAP_IOPORT,     UX_CAP_UNTYPED};

static unsigned
live_objects(void)
{
	unsigned n = 0;
	for (unsigned id = 1; id < nobjs; id++)
		n += objs[id].ncaps > 0;
	return n;
}

/* One random operation on kernel and model alike; returns its name. */
static const char *
random_op(void)
{
	struct cte *s, *d;
	unsigned r = rnd() % 100;
	bool crowded = nlive > 220;

	if (r < 22 && !crowded) { /* retype from a random untyped */
		static int us[MAXNODE];
		unsigned nu = 0;
		for (unsigned n = 0; n < nnodes; n++)
			if (nodes[n].live &&
			    objs[nodes[n].obj].type == UX_CAP_UNTYPED)
				us[nu++] = (int)n;
		if (!nu || live_objects() > 180 || nobjs + 2 >= MAXOBJ ||
		    !(d = pick_slot(0)))
			return "retype (skipped)";
		int un = us[rnd() % nu];
		unsigned ty = random_types[rnd() % (sizeof random_types /
						    sizeof random_types[0])];
		unsigned id = new_obj(ty, 1 + rnd() % 3);
		track(id);
		cte_insert_child(nodes[un].slot, d, &objs[id].cap);
		m_insert(d, id, un);
		return "retype";
	}
	if (r < 50 && !crowded) { /* copy or mint */
		if (!(s = pick_slot(1)) || !(d = pick_slot(0)))
			return "copy (skipped)";
		struct cap c;
		err_t e = cap_derive(&s->cap, &c);
		err_t want =
		    derivable(s->cap.type) ? UX_OK : UX_E_ILLEGAL_OPERATION;
		if (e != want)
			return "copy: cap_derive answered wrongly";
		if (e)
			return "copy (not derivable)";
		c.rights &= (uint8_t)rnd();
		if ((c.type == UX_CAP_ENDPOINT ||
		     c.type == UX_CAP_NOTIFICATION) &&
		    !c.w1 && rnd() % 2)
			c.w1 = 1 + rnd() % 1000; /* mint a badge */
		if (rnd() % 4 == 0) {
			if (cte_copy_in(s, d, c.rights))
				return "copy: cte_copy_in failed";
		} else {
			cte_insert_child(s, d, &c);
		}
		int n = node_at(s);
		m_insert(d, nodes[n].obj, n);
		return "copy";
	}
	if (r < 65) { /* move */
		if (!(s = pick_slot(1)) || !(d = pick_slot(0)))
			return "move (skipped)";
		struct cap c = s->cap;
		cte_move(s, d, &c);
		m_move(s, d);
		return "move";
	}
	if (r < 88) { /* delete */
		if (!(s = pick_slot(rnd() % 10 ? 1 : -1)))
			return "delete (skipped)";
		m_delete(s);
		cte_delete(s);
		return "delete";
	}
	if (!(s = pick_slot(1)))
		return "revoke (skipped)";
	static int victims[MAXNODE];
	unsigned nv = revoke_victims(s, victims);
	cte_revoke(s);
	m_revoke(s, victims, nv);
	return "revoke";
}

struct random_result {
	unsigned steps;
	bool ok;
};

/* What the random runs did, for the summary line. */
static unsigned n_ops[6], n_fin, n_dead;
static const char *const op_names[6] = {"retype", "copy",   "move",
					"delete", "revoke", "skipped"};

static void
count_op(const char *op)
{
	unsigned k = 5;
	for (unsigned i = 0; i < 5; i++)
		if (strcmp(op, op_names[i]) == 0)
			k = i;
	n_ops[k]++;
}

static struct random_result
random_run(uint64_t seed, unsigned steps)
{
	struct random_result res = {0};
	char why[240];

	rng_state = seed;
	nnodes = nlive = 0;
	world();
	for (unsigned id = 1; id < nobjs; id++)
		track(id);
	m_insert(&objs[1].slots[0], R_id, -1);
	m_insert(&R[0], id_of(&R[0]), -1);
	res.ok = verify(why, sizeof why);
	if (!res.ok)
		printf("    seed %#llx: before the first step: %s\n",
		       (unsigned long long)seed, why);
	for (res.steps = 0; res.ok && res.steps < steps; res.steps++) {
		bool any_untyped = false;
		for (unsigned n = 0; n < nnodes; n++)
			any_untyped |=
			    nodes[n].live &&
			    objs[nodes[n].obj].type == UX_CAP_UNTYPED;
		struct cte *free_r = NULL;
		for (unsigned i = 1; i < objs[R_id].nslots && !free_r; i++)
			if (objs[R_id].node_of[i] < 0)
				free_r = &R[i];
		if (!any_untyped && free_r && nobjs + 2 < MAXOBJ) {
			unsigned nu = new_obj(UX_CAP_UNTYPED, 0);
			cte_insert_root(free_r, &objs[nu].cap);
			m_insert(free_r, nu, -1);
		}
		const char *op = random_op();
		count_op(op);
		if (strstr(op, "wrongly") || strstr(op, "failed")) {
			snprintf(why, sizeof why, "%s", op);
			res.ok = false;
		} else if (!verify(why, sizeof why)) {
			res.ok = false;
		}
		if (!res.ok)
			printf("    seed %#llx step %u (%s): %s\n",
			       (unsigned long long)seed, res.steps, op, why);
	}
	for (unsigned id = 1; id < nobjs; id++) {
		n_fin += objs[id].fin;
		n_dead += objs[id].dead;
	}
	reset_objects();
	return res;
}

static void
test_random(void)
{
	htest_group("random retype/copy/mint/move/delete/revoke vs the model");
	unsigned total = 0;
	for (unsigned i = 0; i < 8; i++) {
		uint64_t seed = 0x9e3779b97f4a7c15ull * (i + 1);
		struct random_result r = random_run(seed, 4000);
		total += r.steps;
		CHECKF(r.ok,
		       "seed %#llx: kernel and model differ after %u "
		       "steps (see above)",
		       (unsigned long long)seed, r.steps);
	}
	printf("    (%u steps: %u retype, %u copy, %u move, %u delete, %u "
	       "revoke, %u skipped; %u objects finalised, %u CNodes/TCBs "
	       "destroyed)\n",
	       total, n_ops[0], n_ops[1], n_ops[2], n_ops[3], n_ops[4],
	       n_ops[5], n_fin, n_dead);
	htest_group_end();
}

int
main(void)
{
	find_head();
	test_layout();
	test_same_object();
	test_derive();
	test_structure();
	test_finalise();
	test_revoke();
	test_cycles();
	test_ring();
	test_chain_cost();
	test_resolve_one_level();
	test_resolve_two_levels();
	test_lookup_fast();
	test_asserts();
	test_random();
	return htest_finish("test_cdt");
}
