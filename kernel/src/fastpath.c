/*
 * fastpath.c - Call and ReplyRecv without the general machinery (to come).
 */
#include <thread.h>

void fastpath_call(struct tcb *t, uint64_t cptr, uint64_t info)
{
	(void)t, (void)cptr, (void)info;
}

void fastpath_reply_recv(struct tcb *t, uint64_t cptr, uint64_t info)
{
	(void)t, (void)cptr, (void)info;
}
