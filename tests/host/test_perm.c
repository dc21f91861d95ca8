/*
 * test_perm.c - permission lists (procserv/perm.c): pattern matching,
 * the most specific entry deciding (deny over allow at a tie), the text
 * form both ways with its error messages, adding and inheriting.
 */
#include "htest.h"
#include "../../procserv/perm.h"

static struct perm
entry(const char *text)
{
	struct perm e;
	const char *why = NULL;
	CHECKF(perm_parse(text, &e, &why) == 0, "parse %s: %s", text,
	       why ? why : "");
	return e;
}

static void
test_match(void)
{
	static const struct {
		const char *pat, *path;
		bool ok;
	} cases[] = {
		{"/", "/", true},         {"/**", "/", true},
		{"/**", "/a/b", true},    {"/a", "/a", true},
		{"/a", "/a/b", false},    {"/a", "/ab", false},
		{"/a/*", "/a/b", true},   {"/a/*", "/a/b/c", false},
		{"/a/*", "/a", false},    {"/a/**", "/a", true},
		{"/a/**", "/a/b/c", true}, {"/a/**", "/ab", false},
		{"/dev/tty*", "/dev/ttyS0", true},
		{"/dev/tty*", "/dev/tty", true},
		{"/dev/tty*", "/dev/null", false},
		{"/dev/tty?", "/dev/ttyS", true},
		{"/dev/tty?", "/dev/ttyS0", false},
		{"/a/**/z", "/a/z", true}, {"/a/**/z", "/a/b/c/z", true},
		{"/a/**/z", "/a/b/c/y", false},
		{"/proc/*/mem", "/proc/12/mem", true},
		{"/proc/*/mem", "/proc/12/fd/mem", false},
		{"@clock", "@clock", true}, {"@clock", "/clock", false},
		{"/clock", "@clock", false}, {"a", "a", false},
		{"/a", "a", false},       {"/*", "/", false},
	};
	htest_group("match");
	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CHECKF(perm_match(cases[i].pat, cases[i].path) == cases[i].ok,
		       "%s ~ %s", cases[i].pat, cases[i].path);
}

static void
test_decide(void)
{
	struct permlist pl = {0};
	htest_group("decide");
	CHECK_EQ(perm_decide(&pl, "/etc/passwd", PERM_READ), 0);
	struct perm a = entry("allow rw /home/**"),
		    d = entry("deny w /home/user/secret"),
		    x = entry("allow rwxcdk /home/user/**"),
		    t = entry("deny r /home/**");
	CHECK_EQ(perm_add(&pl, &a), 0);
	CHECK_EQ(perm_decide(&pl, "/home/user/f", PERM_READ), 1);
	CHECK_EQ(perm_decide(&pl, "/home/user/f", PERM_EXEC), 0);
	CHECK_EQ(perm_decide(&pl, "/etc/passwd", PERM_READ), 0);
	CHECK_EQ(perm_add(&pl, &d), 0);
	CHECK_EQ(perm_decide(&pl, "/home/user/secret", PERM_WRITE), -1);
	CHECK_EQ(perm_decide(&pl, "/home/user/secret", PERM_READ), 1);
	CHECK_EQ(perm_add(&pl, &x), 0);
	/* the literal path is more specific than the pattern */
	CHECK_EQ(perm_decide(&pl, "/home/user/secret", PERM_WRITE), -1);
	CHECK_EQ(perm_decide(&pl, "/home/user/other", PERM_WRITE), 1);
	CHECK_EQ(perm_decide(&pl, "/home/user/other", PERM_CONTROL), 1);
	/* a tie: deny wins */
	CHECK_EQ(perm_add(&pl, &t), 0);
	CHECK_EQ(perm_decide(&pl, "/home/x", PERM_READ), -1);
	CHECK_EQ(perm_decide(&pl, "/home/user/x", PERM_READ), 1);
	/* adding the same pattern and kind replaces */
	struct perm a2 = entry("allow r /home/**");
	unsigned n = pl.n;
	CHECK_EQ(perm_add(&pl, &a2), 0);
	CHECK_EQ(pl.n, n);
	CHECK_EQ(perm_decide(&pl, "/home/x", PERM_WRITE), 0);
	struct perm l = entry("allow w @clock");
	CHECK_EQ(perm_add(&pl, &l), 0);
	CHECK_EQ(perm_decide(&pl, "@clock", PERM_WRITE), 1);
	CHECK_EQ(perm_decide(&pl, "@power", PERM_WRITE), 0);
	struct permlist full = {0};
	for (unsigned i = 0; i < PERM_MAX; i++) {
		struct perm e = entry("allow r /x");
		e.pat[2] = (char)('A' + i % 26);
		e.pat[3] = (char)('a' + i / 26);
		CHECK_EQ(perm_add(&full, &e), 0);
	}
	struct perm e = entry("allow r /y");
	CHECK_EQ(perm_add(&full, &e), -1);
}

static void
test_text(void)
{
	static const char *bad[][2] = {
		{"", "an entry starts with allow or deny"},
		{"permit r /a", "an entry starts with allow or deny"},
		{"allow q /a", "operations are letters of rwxcdk, or all"},
		{"allow  /a", "operations are letters of rwxcdk, or all"},
		{"allow r", "a path pattern or @label is missing"},
		{"allow r a/b", "a pattern is an absolute path or an @label"},
		{"allow r /a forever", "only \"inherit\" may follow the pattern"},
		{"allow r /a inherit x", "too many words"},
	};
	struct perm e;
	char out[160];
	htest_group("text");
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *why = NULL;
		CHECKF(perm_parse(bad[i][0], &e, &why) == -1 && why &&
			       !strcmp(why, bad[i][1]),
		       "%s: %s", bad[i][0], why ? why : "(accepted)");
	}
	char longpat[200] = "allow r /";
	memset(longpat + 9, 'a', 150);
	longpat[159] = '\0';
	const char *why = NULL;
	CHECK(perm_parse(longpat, &e, &why) == -1 && why &&
	      !strcmp(why, "the pattern is too long"));
	static const char *good[] = {"allow r /a", "deny wc /dev/** inherit",
				     "allow all /home/user/** inherit",
				     "allow w @clock"};
	for (unsigned i = 0; i < sizeof good / sizeof good[0]; i++) {
		e = entry(good[i]);
		perm_format(&e, out, sizeof out);
		CHECK_STR(out, good[i]);
	}
	e = entry("  allow\tkdcxwr   /p   inherit  ");
	CHECK_EQ(e.ops, PERM_ALL);
	CHECK_EQ(e.flags, PERM_INHERIT);
	CHECK_STR(e.pat, "/p");
	CHECK_EQ(perm_format(&e, out, 4), strlen("allow all /p inherit"));
	CHECK_STR(out, "all");
}

static void
test_inherit(void)
{
	struct permlist pl = {0}, child;
	htest_group("inherit");
	struct perm a = entry("allow r /a inherit"), b = entry("allow r /b");
	perm_add(&pl, &a);
	perm_add(&pl, &b);
	perm_inherit(&pl, &child);
	CHECK_EQ(child.n, 1);
	CHECK_EQ(perm_decide(&child, "/a", PERM_READ), 1);
	CHECK_EQ(perm_decide(&child, "/b", PERM_READ), 0);
}

/* perm_covers: a tracer's list must cover its tracee's. */
static bool
covers(const char *const a[], const char *const b[])
{
	struct permlist la = {0}, lb = {0};
	for (unsigned i = 0; a[i]; i++) {
		struct perm e = entry(a[i]);
		perm_add(&la, &e);
	}
	for (unsigned i = 0; b[i]; i++) {
		struct perm e = entry(b[i]);
		perm_add(&lb, &e);
	}
	return perm_covers(&la, &lb);
}

static void
test_covers(void)
{
	static const char *const none[] = {NULL};
	static const char *const admin[] = {"allow all /** inherit",
					    "allow w /priv/** inherit", NULL};
	static const char *const clock[] = {"allow w /priv/clock", NULL};
	static const char *const privs[] = {"allow w /priv/**", NULL};
	static const char *const one_star[] = {"allow w /priv/*", NULL};
	static const char *const jail[] = {"deny w /home/**", NULL};
	static const char *const jail_wider[] = {"deny rw /home/**", NULL};
	static const char *const hole[] = {"allow w /priv/**",
					   "deny w /priv/power", NULL};
	static const char *const tty[] = {"allow rw /dev/tty*", NULL};
	static const char *const tty1[] = {"allow rw /dev/tty?", NULL};
	htest_group("covers");
	CHECK(covers(none, none));
	CHECK(covers(admin, clock));     /* wider covers narrower */
	CHECK(covers(admin, privs));
	CHECK(!covers(none, clock));     /* a gained role is not ours */
	CHECK(!covers(clock, privs));
	CHECK(covers(privs, one_star));
	CHECK(!covers(one_star, privs)); /* one star: not /priv/a/b */
	CHECK(!covers(tty1, tty));       /* one character is not any run */
	CHECK(covers(tty, tty1));
	CHECK(!covers(jail, none));      /* a jailed tracer: not over a free one */
	CHECK(covers(none, jail));
	CHECK(covers(jail, jail_wider));
	CHECK(!covers(jail_wider, jail));
	CHECK(!covers(hole, privs));     /* its deny is not the tracee's */
	CHECK(covers(privs, hole));
}

int
main(void)
{
	test_match();
	test_decide();
	test_text();
	test_inherit();
	test_covers();
	return htest_finish("test_perm");
}
