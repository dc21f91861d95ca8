/*
 * rolesdb.c - the role database's text form (rolesdb.h): parsing
 * /etc/roles line by line, and the lookups roles.c makes in it. A bad
 * line is reported with its number and left out; a role with a bad
 * entry is left out whole (a missing deny must not widen it), and so is
 * a rule naming a role that is not defined. Tested on the host.
 */
#include "rolesdb.h"

#include <string.h>

struct parser {
	struct rolesdb *db;
	rolesdb_err_fn err;
	void *ctx;
	unsigned line;
	struct role *cur;   /* the role whose entries follow */
	bool cur_bad;       /* ... which has a bad entry: dropped at its end */
	bool in_role;       /* indented lines belong to a role (even a bad one) */
};

/* Report a message made of up to three parts. */
static void
report(struct parser *ps, const char *a, const char *b, const char *c)
{
	char m[160];
	size_t n = 0;
	const char *parts[3] = {a, b ? b : "", c ? c : ""};
	for (unsigned i = 0; i < 3; i++)
		for (const char *s = parts[i]; *s && n + 1 < sizeof m; s++)
			m[n++] = *s;
	m[n] = '\0';
	if (ps->err)
		ps->err(ps->ctx, ps->line, m);
}

static bool
blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The next word of *s into w (size bytes): a run of non-blanks, or a
 * string in double quotes (\" and \\ inside). Its length; 0 at the
 * end; -1 when it does not fit or a quote is not closed. */
static long
word(const char **s, char *w, size_t size)
{
	const char *p = *s;
	size_t n = 0;
	while (blank(*p))
		p++;
	if (*p == '"') {
		for (p++; *p != '"'; p++) {
			if (!*p)
				return -1;
			if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
				p++;
			if (n + 1 >= size)
				return -1;
			w[n++] = *p;
		}
		p++;
		if (!n && size) { /* "" is an empty word, told from the end */
			w[0] = '\0';
			*s = p;
			return 0x7fffffff;
		}
	} else {
		for (; *p && !blank(*p); p++) {
			if (n + 1 >= size)
				return -1;
			w[n++] = *p;
		}
	}
	w[n] = '\0';
	*s = p;
	return (long)n;
}

/* A role's name: letters, digits, "_" and "-". */
static bool
good_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return false;
	return true;
}

const struct role *
rolesdb_role(const struct rolesdb *db, const char *name)
{
	for (unsigned i = 0; i < db->nroles; i++)
		if (!strcmp(db->roles[i].name, name))
			return &db->roles[i];
	return NULL;
}

/* The role being defined is complete: keep it unless it had an error. */
static void
end_role(struct parser *ps)
{
	if (ps->cur && ps->cur_bad) {
		report(ps, "role ", ps->cur->name,
		       " left out: it has a bad entry");
		ps->db->nroles--;
	}
	ps->cur = NULL;
	ps->cur_bad = false;
	ps->in_role = false;
}

static void
role_line(struct parser *ps, const char *s)
{
	char name[ROLE_NAME_MAX + 1], extra[8];
	long n = word(&s, name, sizeof name);
	ps->in_role = true; /* its entries are skipped if it is refused */
	if (n <= 0 || n == 0x7fffffff || !good_name(name))
		return report(ps, "role: a name (letters, digits, _ and -, "
				  "at most 31) is expected", NULL, NULL);
	if (word(&s, extra, sizeof extra))
		return report(ps, "role ", name, ": only the name may follow");
	if (rolesdb_role(ps->db, name))
		return report(ps, "role ", name, " is defined twice");
	if (ps->db->nroles == ROLES_MAX)
		return report(ps, "too many roles: ", name, " left out");
	ps->cur = &ps->db->roles[ps->db->nroles++];
	*ps->cur = (struct role){0};
	memcpy(ps->cur->name, name, (size_t)n + 1);
}

static void
entry_line(struct parser *ps, const char *s)
{
	struct perm e;
	const char *why = NULL;
	if (!ps->in_role)
		return report(ps, "an indented entry outside a role", NULL,
			      NULL);
	if (!ps->cur)
		return; /* the role itself was refused (reported) */
	if (perm_parse(s, &e, &why)) {
		ps->cur_bad = true;
		return report(ps, "bad entry: ", why, NULL);
	}
	if (ps->cur->n == ROLE_ENTRIES) {
		ps->cur_bad = true;
		return report(ps, "too many entries in role ", ps->cur->name,
			      NULL);
	}
	ps->cur->e[ps->cur->n++] = e;
}

/* The words of a user or program rule after its keyword. */
static int
rule_words(struct parser *ps, const char *s, struct role_rule *r)
{
	char w[RULE_TEXT_MAX + 1];
	long n;
	if (r->kind == RULE_PROGRAM) {
		n = word(&s, r->path, sizeof r->path);
		if (n <= 0 || r->path[0] != '/')
			return report(ps, "program: an absolute path is "
					  "expected", NULL, NULL), -1;
		memcpy(r->login, "*", 2);
	} else {
		n = word(&s, r->login, sizeof r->login);
		if (n <= 0 || n == 0x7fffffff)
			return report(ps, "user: a login name is expected",
				      NULL, NULL), -1;
	}
	n = word(&s, r->role, sizeof r->role);
	if (n <= 0 || !good_name(r->role))
		return report(ps, "a role name is expected", NULL, NULL), -1;
	while ((n = word(&s, w, sizeof w))) {
		bool prog = r->kind == RULE_PROGRAM;
		if (n < 0)
			return report(ps, "a word is too long or a quote is "
					  "not closed", NULL, NULL), -1;
		if (!strcmp(w, "auth")) {
			r->auth = true;
		} else if (prog && !strcmp(w, "user")) {
			n = word(&s, r->login, sizeof r->login);
			if (n <= 0 || n == 0x7fffffff)
				return report(ps, "user: a login name or * is "
						  "expected", NULL, NULL), -1;
		} else if (prog && !strcmp(w, "args")) {
			if (word(&s, r->args, sizeof r->args) < 0)
				return report(ps, "args: a quoted pattern is "
						  "expected", NULL, NULL), -1;
			r->has_args = true;
		} else if (prog && !strcmp(w, "parent")) {
			word(&s, w, sizeof w);
			if (strcmp(w, "login") && strcmp(w, "any"))
				return report(ps, "parent: login or any is "
						  "expected", NULL, NULL), -1;
			r->parent = strcmp(w, "login") ? PARENT_ANY : PARENT_LOGIN;
		} else {
			return report(ps, "unknown word \"", w, "\""), -1;
		}
	}
	return 0;
}

static void
rule_line(struct parser *ps, const char *s, enum rule_kind kind)
{
	struct role_rule r = {.kind = (uint8_t)kind, .line = ps->line};
	if (rule_words(ps, s, &r))
		return;
	if (ps->db->nrules == RULES_MAX)
		return report(ps, "too many rules: this one is left out", NULL,
			      NULL);
	ps->db->rules[ps->db->nrules++] = r;
}

static void
line(struct parser *ps, const char *s)
{
	char kw[16];
	const char *rest = s;
	if (blank(*s)) {
		while (blank(*s))
			s++;
		if (*s && *s != '#')
			entry_line(ps, s);
		return;
	}
	if (!*s || *s == '#')
		return; /* a blank line or a comment does not end a role */
	end_role(ps);
	if (word(&rest, kw, sizeof kw) < 0)
		kw[0] = '\0';
	if (!strcmp(kw, "role"))
		role_line(ps, rest);
	else if (!strcmp(kw, "user"))
		rule_line(ps, rest, RULE_USER);
	else if (!strcmp(kw, "program"))
		rule_line(ps, rest, RULE_PROGRAM);
	else
		report(ps, "a line starts with role, user or program, or is "
			   "indented (an entry of a role)", NULL, NULL);
}

/* Rules naming a role that is not defined are left out. */
static void
check_rules(struct parser *ps)
{
	struct rolesdb *db = ps->db;
	unsigned k = 0;
	for (unsigned i = 0; i < db->nrules; i++) {
		if (rolesdb_role(db, db->rules[i].role)) {
			db->rules[k++] = db->rules[i];
			continue;
		}
		ps->line = db->rules[i].line;
		report(ps, "no role ", db->rules[i].role,
		       " is defined: the rule is left out");
	}
	db->nrules = k;
}

void
rolesdb_parse(struct rolesdb *db, const char *text, size_t len,
	      rolesdb_err_fn err, void *ctx)
{
	struct parser ps = {.db = db, .err = err, .ctx = ctx};
	char buf[ROLES_LINE_MAX + 1];
	db->nroles = db->nrules = 0;
	for (size_t i = 0; i < len;) {
		size_t n = 0;
		bool long_line = false;
		ps.line++;
		for (; i < len && text[i] != '\n'; i++) {
			if (n < ROLES_LINE_MAX)
				buf[n++] = text[i] == '\r' ? ' ' : text[i];
			else
				long_line = true;
		}
		i++; /* the newline */
		buf[n] = '\0';
		if (long_line || strlen(buf) != n) {
			report(&ps, "the line is too long or holds a NUL",
			       NULL, NULL);
			if (blank(buf[0]) && ps.cur)
				ps.cur_bad = true;
			continue;
		}
		line(&ps, buf);
	}
	end_role(&ps);
	check_rules(&ps);
}

int
rolesdb_user(const struct rolesdb *db, const char *login, const char *role)
{
	int v = -1;
	for (unsigned i = 0; i < db->nrules; i++) {
		const struct role_rule *r = &db->rules[i];
		if (r->kind != RULE_USER || strcmp(r->role, role) ||
		    (strcmp(r->login, login) && strcmp(r->login, "*")))
			continue;
		if (!r->auth)
			return 0;
		v = 1;
	}
	return v;
}

bool
rolesdb_glob(const char *pat, const char *s)
{
	for (; *pat; pat++, s++) {
		if (*pat == '*') {
			for (const char *t = s;; t++) {
				if (rolesdb_glob(pat + 1, t))
					return true;
				if (!*t)
					return false;
			}
		}
		if (*pat == '\\' && pat[1])
			pat++;
		else if (*pat == '?' && *s)
			continue;
		if (*pat != *s)
			return false;
	}
	return !*s;
}

const struct role_rule *
rolesdb_program(const struct rolesdb *db, const struct role_rule *after,
		const char *path, const char *login, const char *args,
		bool login_parent)
{
	unsigned i = after ? (unsigned)(after - db->rules) + 1 : 0;
	for (; i < db->nrules; i++) {
		const struct role_rule *r = &db->rules[i];
		if (r->kind != RULE_PROGRAM || strcmp(r->path, path))
			continue;
		if (strcmp(r->login, "*") && strcmp(r->login, login))
			continue;
		if (r->has_args && !rolesdb_glob(r->args, args))
			continue;
		if (r->parent == PARENT_LOGIN && !login_parent)
			continue;
		return r;
	}
	return NULL;
}
