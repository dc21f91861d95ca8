/*
 * rolesdb.h - the role database's text form (/etc/roles, documented in
 * docs/security.md "Roles and the role database"): roles (named bundles
 * of permission entries), which users may take them, and which programs
 * gain them when run. Pure parsing and lookup, no process-server state,
 * so that it is tested on the host (tests/host/test_rolesdb.c); roles.c
 * reads the file and applies it.
 */
#ifndef ROLESDB_H
#define ROLESDB_H

#include "perm.h"

#define ROLE_NAME_MAX 32
#define ROLE_ENTRIES 16
#define ROLES_MAX 16
#define RULES_MAX 32
#define RULE_TEXT_MAX 128
#define ROLES_LINE_MAX 256

struct role {
	char name[ROLE_NAME_MAX];
	uint8_t n;
	struct perm e[ROLE_ENTRIES];
};

enum rule_kind { RULE_USER, RULE_PROGRAM };
enum rule_parent { PARENT_ANY, PARENT_LOGIN };

struct role_rule {
	uint8_t kind;       /* enum rule_kind */
	uint8_t parent;     /* enum rule_parent (program rules) */
	bool auth;          /* only after the user's password */
	bool has_args;      /* program rules: args "GLOB" given */
	char role[ROLE_NAME_MAX];
	char login[ROLE_NAME_MAX];  /* a login name, or "*": anyone */
	char path[RULE_TEXT_MAX];   /* program rules: the program */
	char args[RULE_TEXT_MAX];   /* program rules: the arguments' glob */
	unsigned line;
};

struct rolesdb {
	unsigned nroles, nrules;
	struct role roles[ROLES_MAX];
	struct role_rule rules[RULES_MAX];
};

/* Called for each error, with the line (from 1) and a message for a
 * person; the bad entry is left out and parsing goes on. */
typedef void (*rolesdb_err_fn)(void *ctx, unsigned line, const char *msg);

/* Parse text (len bytes, not NUL-ended) into db. */
void rolesdb_parse(struct rolesdb *db, const char *text, size_t len,
		   rolesdb_err_fn err, void *ctx);

const struct role *rolesdb_role(const struct rolesdb *db, const char *name);

/* Whether login may take role: -1 no, 0 yes, 1 yes after its password
 * (a rule without auth wins over one with it). */
int rolesdb_user(const struct rolesdb *db, const char *login,
		 const char *role);

/* The program rules after rule `after` (NULL: from the first) that
 * apply to running path with arguments args (argv[1..] joined by single
 * spaces) by login, whose parent is the login shell or not. */
const struct role_rule *rolesdb_program(const struct rolesdb *db,
					const struct role_rule *after,
					const char *path, const char *login,
					const char *args, bool login_parent);

/* Shell-style glob: "*" any run of characters (spaces and "/" too), "?"
 * any one, "\" quotes the next. */
bool rolesdb_glob(const char *pat, const char *s);

#endif
