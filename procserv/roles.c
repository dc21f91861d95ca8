/*
 * roles.c - roles in the running system (docs/security.md "Roles and
 * the role database"): the role database /etc/roles (parsed by
 * rolesdb.c, read again whenever its text changes, errors reported on
 * the console with file:line), taking a role by writing to
 * /proc/self/roles (the user's password checked against /etc/shadow's
 * SHA-512 crypt hash, crypt.c), what /proc/PID/roles shows, the program
 * rules applied at execve, and the login session.
 *
 * A wrong password is answered after FAIL_DELAY_NS, and until then no
 * password of that user is even checked (a refusal, delayed too): one
 * guess per delay per user, however many processes guess. Writing
 * ":auth\nPASSWORD\n" proves the password for the next execve only:
 * the program rules marked auth then apply to the program it runs
 * (chpriv -a).
 *
 * The database, /etc/passwd and /etc/shadow are read from the initial
 * archive's file system (tmpfs), never through the caller's namespace:
 * a process cannot mount its own /etc over the central store.
 */
#include "procserv.h"
#include "lx_errno.h"
#include "rolesdb.h"
#include "crypt.h"

#define LX_ENOKEY 126 /* Linux's "required key not available" */
#define LX_EFBIG 27
#define DB_MAX 8192
#define AUTH_LINE ":auth" /* not a role's name: the proof for an exec */
#define BAD_PASSWORD (-2000) /* may_take: refuse after the delay */
#define FAIL_DELAY_NS 2000000000ull

static struct rolesdb db;
static char db_text[DB_MAX], file_buf[DB_MAX];
static size_t db_len = (size_t)-1;

/* What a process took (shown by /proc/PID/roles), by pid; start tells a
 * process from an earlier one with its pid. */
static struct taken {
	uint64_t start;
	char names[64];
	bool authed; /* the password was given for the next execve */
} taken[MAX_PROCS];

/* Users whose last password was wrong: none of theirs is checked until
 * `until` (monotonic ns). */
static struct {
	uint32_t uid;
	uint64_t until;
} fails[8];

/* The login session: its leader's pid and start (0: none yet). */
static int login_pid;
static uint64_t login_start;

/* The archive's file path ("etc/roles") into buf, NUL-ended: its length
 * or -errno. */
static long
read_file(const char *path, char *buf, size_t size)
{
	int n = tmpfs_lookup(path, true);
	if (n < 0)
		return n;
	struct tnode *t = tmpfs_node(n);
	if ((t->mode & 0170000) != 0100000)
		return -LX_EINVAL;
	if (t->size >= size)
		return -LX_EFBIG;
	long r = tmpfs_read(t, 0, (uint8_t *)buf, t->size);
	if (r >= 0)
		buf[r] = '\0';
	return r;
}

static void
report(void *ctx, unsigned line, const char *msg)
{
	(void)ctx;
	printf("/etc/roles:%u: %s\n", line, msg);
}

/* The database, parsed again if the file's text changed (an error is
 * reported once per change). A missing file is an empty database. */
static const struct rolesdb *
roles_db(void)
{
	long n = read_file("etc/roles", file_buf, sizeof file_buf);
	if (n < 0) {
		if (n != -LX_ENOENT && db_len != 0)
			printf("/etc/roles: cannot be read (error %ld): no "
			       "roles\n", -n);
		n = 0;
	}
	if ((size_t)n == db_len && !memcmp(file_buf, db_text, (size_t)n))
		return &db;
	memcpy(db_text, file_buf, (size_t)n);
	db_len = (size_t)n;
	rolesdb_parse(&db, db_text, db_len, report, NULL);
	return &db;
}

/* Field k (from 0) of the line of colon-separated file text whose field
 * `key_field` is key, into out; false if there is none. */
static bool
colon_field(const char *text, unsigned key_field, const char *key,
	    unsigned k, char *out, size_t size)
{
	for (const char *l = text; *l;) {
		const char *e = strchr(l, '\n');
		size_t len = e ? (size_t)(e - l) : strlen(l);
		const char *f[8];
		size_t fl[8];
		unsigned nf = 0;
		for (const char *s = l; nf < 8;) {
			const char *c = s;
			while (c < l + len && *c != ':')
				c++;
			if (c == l + len)
				c = NULL;
			f[nf] = s;
			fl[nf++] = c ? (size_t)(c - s) : len - (size_t)(s - l);
			if (!c)
				break;
			s = c + 1;
		}
		if (key_field < nf && k < nf && fl[key_field] == strlen(key) &&
		    !strncmp(f[key_field], key, fl[key_field]) &&
		    fl[k] < size) {
			memcpy(out, f[k], fl[k]);
			out[fl[k]] = '\0';
			return true;
		}
		l = e ? e + 1 : l + len;
	}
	return false;
}

/* The length of s's first line. */
static size_t
strcspn_nl(const char *s)
{
	size_t n = 0;
	while (s[n] && s[n] != '\n')
		n++;
	return n;
}

/* A decimal number (0 if none). */
static unsigned long
number(const char *s)
{
	unsigned long v = 0;
	for (; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (unsigned long)(*s - '0');
	return v;
}

/* The login name of uid (from /etc/passwd); false if it has none. */
static bool
login_of(uint32_t uid, char *out, size_t size)
{
	char num[16];
	snprintf(num, sizeof num, "%u", uid);
	return read_file("etc/passwd", file_buf, sizeof file_buf) >= 0 &&
	       colon_field(file_buf, 2, num, 0, out, size);
}

/* Whether uid's passwords are not checked now (one was wrong lately). */
static bool
throttled(uint32_t uid)
{
	uint64_t now = time_mono_ns();
	for (unsigned i = 0; i < sizeof fails / sizeof fails[0]; i++)
		if (fails[i].uid == uid && fails[i].until > now)
			return true;
	return false;
}

/* Record a wrong password of uid: its slot, a free one or the one
 * that ends first. */
static void
failed(uint32_t uid)
{
	unsigned k = 0;
	for (unsigned i = 0; i < sizeof fails / sizeof fails[0]; i++) {
		if (fails[i].uid == uid) {
			k = i;
			break;
		}
		if (fails[i].until < fails[k].until)
			k = i;
	}
	fails[k].uid = uid;
	fails[k].until = time_mono_ns() + FAIL_DELAY_NS;
}

/* Whether password is login's (its /etc/shadow hash); uid is login's.
 * Not checked at all while uid is throttled; a wrong one throttles. */
static bool
password_ok(uint32_t uid, const char *login, const char *password)
{
	char hash[CRYPT_MAX];
	if (throttled(uid))
		return false;
	bool ok = read_file("etc/shadow", file_buf, sizeof file_buf) >= 0 &&
		  colon_field(file_buf, 0, login, 1, hash, sizeof hash) &&
		  crypt_check(password, hash);
	memset(file_buf, 0, sizeof file_buf);
	if (!ok)
		failed(uid);
	return ok;
}

/* The delayed answer to a wrong password. */
static long
refuse(struct proc *p, const uint64_t *arg)
{
	(void)p;
	(void)arg;
	return -LX_EACCES;
}

/* What q took, reset for a new process with an old pid. */
static struct taken *
taken_of(const struct proc *q)
{
	struct taken *t = &taken[q->pid];
	if (t->start != q->start_ns)
		*t = (struct taken){.start = q->start_ns};
	return t;
}

/* Add e to pl without losing what pl had: an entry with the same
 * pattern, kind and inheritance gains e's operations; otherwise e is
 * added beside (perm_add would replace one that differs in its
 * inheritance or operations). 0, or -1 when pl is full. */
static int
merge(struct permlist *pl, const struct perm *e)
{
	for (unsigned i = 0; i < pl->n; i++) {
		struct perm *o = &pl->e[i];
		if (!strcmp(o->pat, e->pat) && o->flags == e->flags) {
			o->ops |= e->ops;
			return 0;
		}
	}
	if (pl->n == PERM_MAX)
		return -1;
	pl->e[pl->n++] = *e;
	return 0;
}

/* Add role r's entries to q's list, all or none: 0 or -ENOSPC. */
static long
add_role(struct proc *q, const struct role *r)
{
	static struct permlist pl;
	pl = q->perms;
	for (unsigned i = 0; i < r->n; i++)
		if (merge(&pl, &r->e[i]))
			return -LX_ENOSPC;
	q->perms = pl;
	struct taken *t = taken_of(q);
	size_t n = strlen(t->names), l = strlen(r->name);
	const char *f = t->names;
	while ((f = strstr(f, r->name)) && !((f == t->names || f[-1] == ' ') &&
					     (!f[l] || f[l] == ' ')))
		f++;
	if (!f && n + l + 2 < sizeof t->names)
		snprintf(t->names + n, sizeof t->names - n, "%s%s",
			 n ? " " : "", r->name);
	return 0;
}

/* May uid (login) take role, with password (NULL: none given)? 0,
 * -ENOENT (no such role), -EACCES (not allowed), BAD_PASSWORD, -ENOKEY
 * (a password is needed). */
static long
may_take(const struct rolesdb *d, uint32_t uid, const char *login,
	 const char *role, const char *password)
{
	if (!rolesdb_role(d, role))
		return -LX_ENOENT;
	int need = rolesdb_user(d, login, role);
	if (need < 0)
		return -LX_EACCES;
	if (need && !password)
		return -LX_ENOKEY;
	if (need && !password_ok(uid, login, password))
		return BAD_PASSWORD;
	return 0;
}

/* The proof for the next execve (":auth"): 0, -ENOKEY, BAD_PASSWORD. */
static long
auth_exec(struct proc *q, const char *login, const char *password)
{
	if (!password)
		return -LX_ENOKEY;
	if (!password_ok(q->uid, login, password))
		return BAD_PASSWORD;
	taken_of(q)->authed = true;
	return 0;
}

/* Split the request's first line "ROLE [session]": false if malformed. */
static bool
parse_request(char *line, char **role, bool *session)
{
	char *sp = strchr(line, ' ');
	*role = line;
	*session = false;
	if (sp) {
		*sp = '\0';
		if (strcmp(sp + 1, "session"))
			return false;
		*session = true;
	}
	return **role && strlen(*role) < ROLE_NAME_MAX;
}

long
roles_take(struct proc *q, const uint8_t *req, size_t len)
{
	static char buf[320];
	char login[ROLE_NAME_MAX], *role;
	bool session;
	q = proc_tg(q);
	if (len >= sizeof buf)
		return -LX_EINVAL;
	memcpy(buf, req, len);
	buf[len] = '\0';
	char *nl = strchr(buf, '\n'), *password = NULL;
	if (nl) {
		*nl = '\0';
		password = nl + 1;
		char *end = strchr(password, '\n');
		if (end)
			*end = '\0';
		if (!*password && !end)
			password = NULL; /* "ROLE\n": none given */
	}
	long r = -LX_EINVAL;
	struct proc *leader = NULL;
	if (memchr(req, 0, len))
		goto out;
	if (!parse_request(buf, &role, &session))
		goto out;
	if (session) {
		leader = proc_get((uint64_t)q->sid);
		leader = leader ? proc_tg(leader) : NULL;
		r = !leader ? -LX_ESRCH : leader->uid != q->uid ? -LX_EPERM : 0;
		if (r)
			goto out;
	}
	const struct rolesdb *d = roles_db();
	bool proof = !strcmp(role, AUTH_LINE);
	r = !login_of(q->uid, login, sizeof login) ? -LX_EACCES
	    : proof				     ? session ? -LX_EINVAL
						 : auth_exec(q, login, password)
	    : may_take(d, q->uid, login, role, password);
	const struct role *ro = rolesdb_role(d, role);
	if (r || proof) {
		/* answered below */
	} else if (leader && leader != q) {
		static struct permlist before;
		before = leader->perms;
		if (!(r = add_role(leader, ro)) && (r = add_role(q, ro)))
			leader->perms = before; /* all or nothing */
	} else {
		r = add_role(q, ro);
	}
out:
	memset(buf, 0, sizeof buf);
	if (r == BAD_PASSWORD) {
		r = time_sleep(q, time_mono_ns() + FAIL_DELAY_NS, refuse, NULL);
		return r == LX_LATER ? r : -LX_EACCES;
	}
	return r < 0 ? r : (long)len;
}

size_t
roles_text(struct proc *q, char *out, size_t size)
{
	q = proc_tg(q);
	const struct taken *t = &taken[q->pid];
	size_t n = (size_t)snprintf(out, size, "roles:%s%s\n",
				    t->start == q->start_ns && t->names[0]
					    ? " " : "",
				    t->start == q->start_ns ? t->names : "");
	for (unsigned i = 0; i < q->perms.n && n < size; i++) {
		n += perm_format(&q->perms.e[i], out + n, size - n);
		if (n + 1 < size)
			out[n++] = '\n';
	}
	return n < size ? n : size - 1;
}

/* Whether q's parent is the login session's shell. */
static bool
parent_is_login(const struct proc *q)
{
	struct proc *pp = proc_get((uint64_t)q->ppid);
	return login_pid && pp && proc_tg(pp) == pp && pp->pid == login_pid &&
	       pp->start_ns == login_start && pp->sid == pp->pid;
}

/* The archive's path of what p ran as name (links not followed), if it
 * is a file of the archive's file system: false otherwise (a file of
 * another mount, even at the same path, is not the database's). A link
 * (a multi-call program) counts only when argv[0] names it too. */
static bool
program_path(struct proc *p, const char *name, const char *argv0,
	     char *out, size_t size)
{
	static struct nspath r;
	if (ns_lookup(p, name, 0, &r) || !r.found || ns_fs(r.mnt) != FS_TMPFS)
		return false;
	snprintf(out, size, "/%s", r.path);
	if (tmpfs_lookup(r.path, false) != (int)r.id)
		return false;
	if ((tmpfs_node((int)r.id)->mode & 0170000) != 0120000)
		return true;
	const char *a = strrchr(argv0, '/'), *b = strrchr(out, '/');
	return !strcmp(a ? a + 1 : argv0, b + 1);
}

void
roles_exec(struct proc *p, const char *name, char *const argv[])
{
	static char args[512], path[256];
	char login[ROLE_NAME_MAX];
	p = proc_tg(p);
	struct taken *t = taken_of(p);
	bool authed = t->authed;
	t->authed = false; /* the proof serves one execve */
	size_t n = 0;
	args[0] = '\0';
	for (unsigned i = 1; argv[0] && argv[i] && n < sizeof args; i++)
		n += (size_t)snprintf(args + n, sizeof args - n, "%s%s",
				      i > 1 ? " " : "", argv[i]);
	if (n >= sizeof args)
		return; /* too long to match any pattern faithfully */
	const struct rolesdb *d = roles_db();
	if (!d->nrules || !argv[0] || !login_of(p->uid, login, sizeof login) ||
	    !program_path(p, name, argv[0], path, sizeof path))
		return;
	bool lp = parent_is_login(p);
	for (const struct role_rule *r = NULL;
	     (r = rolesdb_program(d, r, path, login, args, lp));) {
		if (r->auth && !authed)
			continue; /* needs the password: chpriv -a */
		if (add_role(p, rolesdb_role(d, r->role)))
			printf("procserv: pid %d: no room for role %s\n",
			       p->pid, r->role);
	}
}

void
roles_login(struct proc *p)
{
	char line[64], login[ROLE_NAME_MAX], id[16];
	p = proc_tg(p);
	login_pid = p->pid;
	login_start = p->start_ns;
	if (read_file("etc/session", file_buf, sizeof file_buf) < 0)
		return; /* the default identity (proc.c) */
	size_t n = strcspn_nl(file_buf);
	if (n >= sizeof line || strncmp(file_buf, "user ", 5)) {
		printf("/etc/session:1: \"user LOGIN\" is expected\n");
		return;
	}
	memcpy(line, file_buf + 5, n - 5);
	line[n - 5] = '\0';
	snprintf(login, sizeof login, "%s", line);
	if (read_file("etc/passwd", file_buf, sizeof file_buf) < 0 ||
	    !colon_field(file_buf, 0, login, 2, id, sizeof id)) {
		printf("/etc/session: no user %s in /etc/passwd\n", login);
		return;
	}
	p->uid = (uint32_t)number(id);
	colon_field(file_buf, 0, login, 3, id, sizeof id);
	p->gid = (uint32_t)number(id);
	/* the session starts at home, as a login does */
	char home[sizeof p->cwd];
	struct sdesc d;
	if (colon_field(file_buf, 0, login, 5, home, sizeof home) &&
	    home[0] == '/' && !ns_stat(p, home, true, &d, NULL) &&
	    (d.mode & 0170000) == 0040000)
		snprintf(p->cwd, sizeof p->cwd, "%s", home);
}
