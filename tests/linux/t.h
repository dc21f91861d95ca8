/*
 * t.h - the checks of the t_* test programs (each defines T_NAME, its
 * name, before including this): CHECK(c) counts a pass or prints the
 * failure, ERR(call, e) checks a call failed with errno e. The program
 * ends by printing "T_NAME: N passed, M failed" (tools/check.sh counts
 * it).
 */
#include <errno.h>
#include <stdio.h>

static int pass, fail;

#define CHECK(c)                                                              \
	do {                                                                  \
		if (c)                                                        \
			pass++;                                               \
		else {                                                        \
			fail++;                                               \
			printf(T_NAME ": FAIL %s:%d: %s (errno %d)\n",        \
			       __FILE__, __LINE__, #c, errno);                \
		}                                                             \
	} while (0)
#define ERR(call, e) CHECK((long)(call) == -1 && errno == (e))
