/*
 * test_rolesdb.c - the role database's text form (procserv/rolesdb.c):
 * roles and their entries, user and program rules with every option,
 * each error reported with its line and the bad part left out (a role
 * with a bad entry whole), rules naming no role, the lookups, and the
 * arguments' glob.
 */
#include "htest.h"
#include "../../procserv/rolesdb.h"

static char errs[2048];

static void
err(void *ctx, unsigned line, const char *msg)
{
	(void)ctx;
	size_t n = strlen(errs);
	snprintf(errs + n, sizeof errs - n, "%u: %s\n", line, msg);
}

static struct rolesdb db;

static void
parse(const char *text)
{
	errs[0] = '\0';
	rolesdb_parse(&db, text, strlen(text), err, NULL);
}

static const char good[] =
	"# the image's roles\n"
	"role admin\n"
	"\tallow all /** inherit\n"
	"\n"
	"  # a comment inside\n"
	"    allow w /priv/** inherit\n"
	"role clock\n"
	"\tallow w /priv/clock\n"
	"user user admin auth\n"
	"user root admin\n"
	"user * clock auth\n"
	"program /bin/date clock args \"-s *\"\n"
	"program /bin/x admin user user parent login auth\r\n"
	"program /bin/y clock args \"\" user *\n";

static void
test_good(void)
{
	htest_group("good");
	parse(good);
	CHECKF(!errs[0], "errors: %s", errs);
	CHECK_EQ(db.nroles, 2);
	CHECK_EQ(db.nrules, 6);
	const struct role *a = rolesdb_role(&db, "admin");
	CHECK(a && a->n == 2);
	CHECK(a && !strcmp(a->e[1].pat, "/priv/**") &&
	      a->e[1].ops == PERM_WRITE && (a->e[1].flags & PERM_INHERIT));
	const struct role *c = rolesdb_role(&db, "clock");
	CHECK(c && c->n == 1 && !(c->e[0].flags & PERM_INHERIT));
	CHECK(!rolesdb_role(&db, "nosuch"));
	const struct role_rule *x = &db.rules[4];
	CHECK_STR(x->path, "/bin/x");
	CHECK_STR(x->login, "user");
	CHECK(x->auth && x->parent == PARENT_LOGIN && !x->has_args);
	CHECK_EQ(x->line, 13);
	CHECK(db.rules[3].has_args && !strcmp(db.rules[3].args, "-s *"));
	CHECK(db.rules[5].has_args && !db.rules[5].args[0]);
}

static void
test_lookup(void)
{
	htest_group("lookup");
	parse(good);
	CHECK_EQ(rolesdb_user(&db, "user", "admin"), 1);
	CHECK_EQ(rolesdb_user(&db, "root", "admin"), 0);
	CHECK_EQ(rolesdb_user(&db, "guest", "admin"), -1);
	CHECK_EQ(rolesdb_user(&db, "guest", "clock"), 1);
	CHECK_EQ(rolesdb_user(&db, "user", "nosuch"), -1);
	const struct role_rule *r;
	r = rolesdb_program(&db, NULL, "/bin/date", "user", "-s 12:00", false);
	CHECK(r && !strcmp(r->role, "clock"));
	CHECK(r && !rolesdb_program(&db, r, "/bin/date", "user", "-s 12:00",
				   false));
	CHECK(!rolesdb_program(&db, NULL, "/bin/date", "user", "", false));
	CHECK(!rolesdb_program(&db, NULL, "/bin/date", "user", "-u", false));
	CHECK(!rolesdb_program(&db, NULL, "/bin/dat", "user", "-s 1", false));
	CHECK(rolesdb_program(&db, NULL, "/bin/x", "user", "a b", true));
	CHECK(!rolesdb_program(&db, NULL, "/bin/x", "user", "", false));
	CHECK(!rolesdb_program(&db, NULL, "/bin/x", "root", "", true));
	CHECK(rolesdb_program(&db, NULL, "/bin/y", "anyone", "", false));
	CHECK(!rolesdb_program(&db, NULL, "/bin/y", "anyone", "a", false));
}

static void
test_glob(void)
{
	static const struct {
		const char *pat, *s;
		bool ok;
	} cases[] = {
		{"-s *", "-s 12:00", true}, {"-s *", "-s ", true},
		{"-s *", "-s", false},      {"*", "", true},
		{"a?c", "abc", true},       {"a?c", "ac", false},
		{"*/etc/*", "x /etc/passwd", true},
		{"\\*", "*", true},         {"\\*", "a", false},
		{"", "", true},             {"", "a", false},
		{"a*b*c", "aXbYbZc", true}, {"a*b*c", "aXbYbZ", false},
	};
	htest_group("glob");
	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CHECKF(rolesdb_glob(cases[i].pat, cases[i].s) == cases[i].ok,
		       "%s ~ %s", cases[i].pat, cases[i].s);
}

static void
test_errors(void)
{
	htest_group("errors");
	parse("role ok\n"
	      "\tallow r /a\n"
	      "role bad\n"
	      "\tallow r /a\n"
	      "\tallow q /b\n"        /* 5: bad ops: the role goes */
	      "\tallow r relative\n"  /* 6 */
	      "role ok\n"             /* 7: twice */
	      "\tallow w /z\n"
	      "role bad name\n"       /* 9 */
	      "role b@d\n"            /* 10 */
	      "\tallow r /c\n"
	      "  allow r /d\n"        /* (belongs to the refused role) */
	      "frob x\n"              /* 13 */
	      "user\n"                /* 14 */
	      "user u\n"              /* 15 */
	      "user u ok sometimes\n" /* 16 */
	      "user u nosuch\n"       /* 17: no role */
	      "program bin/x ok\n"    /* 18 */
	      "program /bin/x ok args \"open\n" /* 19 */
	      "program /bin/x ok parent sometimes\n" /* 20 */
	      "program /bin/x ok frob\n" /* 21 */
	      "user u ok\n"
	      "\tallow r /e\n"        /* 23: outside a role */
	      "user u bad\n");        /* 24: bad was left out */
	CHECK_EQ(db.nroles, 1);
	CHECK_EQ(db.nrules, 1);
	CHECK(rolesdb_role(&db, "ok") && rolesdb_role(&db, "ok")->n == 1);
	CHECK_EQ(rolesdb_user(&db, "u", "ok"), 0);
	static const char *want[] = {
		"5: bad entry: operations are letters of rwxcdk, or all",
		"6: bad entry: a pattern is an absolute path or an @label",
		"7: role bad left out: it has a bad entry",
		"7: role ok is defined twice",
		"9: role bad: only the name may follow",
		"10: role: a name",
		"13: a line starts with role, user or program",
		"14: user: a login name is expected",
		"15: a role name is expected",
		"16: unknown word \"sometimes\"",
		"18: program: an absolute path is expected",
		"19: args: a quoted pattern is expected",
		"20: parent: login or any is expected",
		"21: unknown word \"frob\"",
		"23: an indented entry outside a role",
		"17: no role nosuch is defined: the rule is left out",
		"24: no role bad is defined",
	};
	const char *at = errs;
	for (unsigned i = 0; i < sizeof want / sizeof want[0]; i++) {
		const char *f = strstr(at, want[i]);
		CHECKF(f, "missing (in order) \"%s\" in:\n%s", want[i], errs);
		if (f)
			at = f;
	}
}

static void
test_limits(void)
{
	static char big[20000];
	htest_group("limits");
	size_t n = 0;
	n += (size_t)snprintf(big + n, sizeof big - n, "role r\n");
	for (unsigned i = 0; i < ROLE_ENTRIES + 1; i++)
		n += (size_t)snprintf(big + n, sizeof big - n,
				      "\tallow r /f%u\n", i);
	for (unsigned i = 0; i < ROLES_MAX + 1; i++)
		n += (size_t)snprintf(big + n, sizeof big - n, "role r%u\n", i);
	for (unsigned i = 0; i < RULES_MAX + 1; i++)
		n += (size_t)snprintf(big + n, sizeof big - n, "user u r0\n");
	memset(big + n, 'x', 300);
	n += 300;
	big[n++] = '\n';
	n += (size_t)snprintf(big + n, sizeof big - n, "role nul\n\tallow r /a");
	big[n - 5] = '\0'; /* a NUL inside the entry */
	errs[0] = '\0';
	rolesdb_parse(&db, big, n, err, NULL);
	CHECK(!rolesdb_role(&db, "r")); /* too many entries: left out */
	CHECK_EQ(db.nroles, ROLES_MAX);
	CHECK_EQ(db.nrules, RULES_MAX);
	CHECK(strstr(errs, "too many entries in role r"));
	CHECK(strstr(errs, "too many roles: r16 left out"));
	CHECK(strstr(errs, "too many rules"));
	CHECK(strstr(errs, "the line is too long or holds a NUL"));
	CHECK(!rolesdb_role(&db, "nul"));
	/* no newline at the end, an empty file */
	parse("role z\n\tallow r /z");
	CHECK(rolesdb_role(&db, "z") && rolesdb_role(&db, "z")->n == 1);
	parse("");
	CHECK_EQ(db.nroles, 0);
}

int
main(void)
{
	test_good();
	test_lookup();
	test_glob();
	test_errors();
	test_limits();
	return htest_finish("test_rolesdb");
}
