/*
 * hello.c - the first unmodified Linux program on UX/RT: a static musl
 * binary that prints, uses the heap, and exits with a status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

int
main(void)
{
	struct utsname u;
	char *p = malloc(100000);

	if (!p || uname(&u))
		return 1;
	memset(p, 'x', 100000);
	printf("hello from a static musl binary on %s, pid %d, uid %d\n",
	       u.sysname, (int)getpid(), (int)getuid());
	free(p);
	return 7;
}
