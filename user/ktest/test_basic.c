/*
 * test_basic.c - boot info and the simplest invocations.
 */
#include "ktest.h"

KTEST(bootinfo_sane)
{
	CHECK_EQ(bi->magic, UX_BI_MAGIC);
	CHECK(bi->untyped.last > bi->untyped.first);
	CHECK(bi->empty.last > bi->empty.first);
	CHECK_EQ(bi->cnode_radix, 14);
	CHECK(bi->tsc_khz > 0);
	return 0;
}

static volatile uint64_t shared;

static void
bump(uint64_t v)
{
	shared = v;
}

KTEST(thread_runs)
{
	struct kthread t;
	shared = 0;
	thread_start(&t, bump, 42, 255, VSPACE, 0);
	for (int i = 0; i < 100 && shared != 42; i++)
		ux_yield();
	CHECK_EQ(shared, 42);
	thread_kill(&t);
	return 0;
}
