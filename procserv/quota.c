/*
 * quota.c - per-user and per-process-tree limits on tasks, memory and
 * open descriptors (docs/security.md, "Quotas"), and the Linux resource
 * limits RLIMIT_NPROC, RLIMIT_NOFILE and RLIMIT_AS.
 *
 * The limits come from /etc/quotas (read at boot, and again when it has
 * changed, at the next fork or exec):
 *
 *     user *    tasks 32 memory 192M files 192   # everyone's defaults
 *     user 1001 tasks 8                          # one user's overrides
 *     program /bin/t_quota tasks 8 memory 24M    # a tree per run of it
 *
 * What is counted:
 * - tasks (processes, their threads and their unreaped zombies: each
 *   holds a slot of the process table): counted when a fork or clone
 *   asks for one, by a scan of the table.
 * - memory: resident pages (mem.c's page records, p->npages), charged
 *   as they are made to the user's account and to every tree the process
 *   is in; counters, as this is the page-fault path. The data pages of
 *   tmpfs files (named ones: tmpfs.c) count too, in their owner's
 *   account (as disk quotas do) and in no tree, as files outlive trees;
 *   pipe buffers are the process server's own, capped in number
 *   (pipe.c).
 * - files: descriptors, counted when one is to be made (open, dup,
 *   pipe, ...). A fork's copies are not refused.
 * Native servers (the console) are the system's: not counted.
 *
 * Whatever the file says, one user never gets more than the process
 * server can spare (QUOTA_RESERVE_*): the rest is kept for other users
 * and the console.
 */
#include "procserv.h"
#include "lx_errno.h"

#define MAX_RULES 32
#define MAX_ACCTS MAX_PROCS
#define MAX_TREES 16
#define NOLIM (~0ull)
#define RLIMIT_AS 9
#define RLIMIT_NPROC 6
#define RLIMIT_NOFILE 7
/* kept from any one user: tasks, and descriptors (of file.c's 256 open
 * files); memory: a user gets at most half of RAM */
#define QUOTA_RESERVE_TASKS 8
#define QUOTA_MAX_FILES 224

struct lim {
	uint64_t tasks, pages, files; /* NOLIM: none */
};

static struct rule {
	uint8_t kind; /* R_USER_ALL, R_USER, R_PROGRAM */
	uint32_t uid;
	char path[96];
	struct lim lim;
} rules[MAX_RULES];
static unsigned nrules;
enum { R_USER_ALL = 1, R_USER, R_PROGRAM };

/* A user's memory account. Free: no pages and no process names it. */
static struct acct {
	bool used;
	uint32_t uid;
	uint64_t pages;
} accts[MAX_ACCTS + 1]; /* [0]: none */

/* A process tree made by a program rule: its root, limits, the tree it
 * is inside (0: none) and its pages. Free when nothing is in it. */
static struct tree {
	bool used;
	int root;
	uint16_t parent;
	struct lim lim;
	uint64_t pages;
} trees[MAX_TREES + 1];

static uint64_t cfg_mtime, cfg_size;
static int cfg_node = -2;

/* ---- the configuration file ------------------------------------ */

/* A decimal number at s (at most 2^40): its value, *end after it
 * (s itself if no digit). */
static uint64_t
decimal(const char *s, const char **end)
{
	uint64_t n = 0;
	*end = s;
	while (**end >= '0' && **end <= '9' && n <= (1ull << 40))
		n = n * 10 + (uint64_t)(*(*end)++ - '0');
	return n;
}

static void
cfg_error(unsigned line, const char *what)
{
	printf("procserv: /etc/quotas:%u: %s (line ignored)\n", line, what);
}

/* A user name of /etc/passwd, or a number: its uid; false if neither. */
static bool
user_id(const char *name, uint32_t *uid)
{
	const char *end;
	uint64_t n = decimal(name, &end);
	if (end != name && !*end && n <= 0xFFFFFFFFul) {
		*uid = (uint32_t)n;
		return true;
	}
	int node = tmpfs_lookup("etc/passwd", true);
	static char buf[4096];
	struct tnode *t = node >= 0 ? tmpfs_node(node) : NULL;
	long len = t ? tmpfs_read(t, 0, (uint8_t *)buf, sizeof buf - 1) : -1;
	if (len < 0)
		return false;
	buf[len] = '\0';
	size_t nl = strlen(name);
	for (char *s = buf; s && *s; s = strchr(s, '\n'), s = s ? s + 1 : s) {
		char *f = strchr(s, ':');
		if (!f || (size_t)(f - s) != nl || strncmp(s, name, nl))
			continue;
		f = strchr(f + 1, ':'); /* the password field */
		if (!f)
			return false;
		n = decimal(f + 1, &end);
		*uid = (uint32_t)n;
		return end != f + 1 && *end == ':' && n <= 0xFFFFFFFFul;
	}
	return false;
}

/* A limit's value: a count, or (memory) a size in bytes with an
 * optional K, M or G, as pages; "none": no limit. */
static bool
parse_value(const char *w, bool memory, uint64_t *v)
{
	const char *end;
	if (!strcmp(w, "none")) {
		*v = NOLIM;
		return true;
	}
	uint64_t n = decimal(w, &end);
	unsigned shift = !memory ? 0 : *end == 'K' ? 10 : *end == 'M' ? 20
				     : *end == 'G' ? 30 : 0;
	if (end == w || (shift && *++end) || *end || n > (1ull << 40) >> shift)
		return false;
	*v = memory ? ((n << shift) + 4095) / 4096 : n;
	return true;
}

/* The limits after a rule's subject: "NAME VALUE" pairs. */
static const char *
parse_limits(char **w, unsigned n, struct lim *l)
{
	*l = (struct lim){NOLIM, NOLIM, NOLIM};
	bool any = false;
	if (n % 2)
		return "a limit without a value";
	for (unsigned i = 0; i < n; i += 2) {
		uint64_t *v = !strcmp(w[i], "tasks")    ? &l->tasks
			      : !strcmp(w[i], "files")  ? &l->files
			      : !strcmp(w[i], "memory") ? &l->pages
							: NULL;
		if (!v)
			return "unknown limit (tasks, memory, files)";
		if (!parse_value(w[i + 1], v == &l->pages, v))
			return "bad value";
		any = true;
	}
	return any ? NULL : "no limits";
}

static void
parse_line(char *s, unsigned line)
{
	char *w[16];
	unsigned n = 0;
	char *hash = strchr(s, '#');
	if (hash)
		*hash = '\0';
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\r')
			*s++ = '\0';
		if (!*s)
			break;
		if (n == 16)
			return cfg_error(line, "too many words");
		w[n++] = s;
		while (*s && *s != ' ' && *s != '\t' && *s != '\r')
			s++;
	}
	if (!n)
		return;
	struct rule r = {0};
	const char *err = NULL;
	if (n < 2 || (strcmp(w[0], "user") && strcmp(w[0], "program")))
		err = "expected: user NAME|UID|* LIMITS, or program PATH LIMITS";
	else if (!strcmp(w[0], "program")) {
		r.kind = R_PROGRAM;
		if (w[1][0] != '/' || strlen(w[1]) >= sizeof r.path)
			err = "program: an absolute path (under 96 bytes)";
		else
			snprintf(r.path, sizeof r.path, "%s", w[1]);
	} else if (!strcmp(w[1], "*")) {
		r.kind = R_USER_ALL;
	} else {
		r.kind = R_USER;
		if (!user_id(w[1], &r.uid))
			err = "no such user";
	}
	if (!err)
		err = parse_limits(w + 2, n - 2, &r.lim);
	if (!err && nrules == MAX_RULES)
		err = "too many rules (32)";
	if (err)
		return cfg_error(line, err);
	rules[nrules++] = r;
}

/* Read /etc/quotas again if it has changed (or appeared, or gone). */
static void
cfg_reload(void)
{
	int node = tmpfs_lookup("etc/quotas", true);
	struct tnode *t = node >= 0 ? tmpfs_node(node) : NULL;
	if (t && (t->mode & 0170000) != 0100000)
		t = NULL, node = -1;
	if (node == cfg_node && (!t || (t->mtime == cfg_mtime &&
					t->size == cfg_size)))
		return;
	cfg_node = node;
	nrules = 0;
	if (!t)
		return;
	cfg_mtime = t->mtime, cfg_size = t->size;
	static char buf[8192];
	long len = tmpfs_read(t, 0, (uint8_t *)buf, sizeof buf - 1);
	if (len < 0)
		len = 0;
	if ((uint64_t)len < t->size)
		printf("procserv: /etc/quotas: only the first %ld bytes read\n",
		       len);
	buf[len] = '\0';
	unsigned line = 1;
	for (char *s = buf, *e; s; s = e ? e + 1 : NULL, line++) {
		e = strchr(s, '\n');
		if (e)
			*e = '\0';
		parse_line(s, line);
	}
}

void
quota_init(void)
{
	cfg_reload();
}

/* ---- limits ----------------------------------------------------- */

static uint64_t
min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* A user's limits: the "user *" rule's, then the user's own (the last
 * of each kind wins, field by field), within what one user may have. */
static struct lim
user_lim(uint32_t uid)
{
	struct lim l = {NOLIM, NOLIM, NOLIM};
	for (int pass = R_USER_ALL; pass <= R_USER; pass++)
		for (unsigned i = 0; i < nrules; i++) {
			const struct rule *r = &rules[i];
			if (r->kind != pass || (pass == R_USER && r->uid != uid))
				continue;
			if (r->lim.tasks != NOLIM)
				l.tasks = r->lim.tasks;
			if (r->lim.pages != NOLIM)
				l.pages = r->lim.pages;
			if (r->lim.files != NOLIM)
				l.files = r->lim.files;
		}
	l.tasks = min64(l.tasks, MAX_PROCS - QUOTA_RESERVE_TASKS);
	l.pages = min64(l.pages, mem_total_pages() / 2);
	l.files = min64(l.files, QUOTA_MAX_FILES);
	return l;
}

/* Whether task t (a thread or a leader) is in tree k. */
static bool
in_tree(struct proc *t, unsigned k)
{
	for (unsigned i = proc_tg(t)->q_tree; i; i = trees[i].parent)
		if (i == k)
			return true;
	return false;
}

/* Tasks of uid (k == 0), or in tree k. */
static uint64_t
count_tasks(uint32_t uid, unsigned k)
{
	uint64_t n = 0;
	for (int pid = 1; pid < MAX_PROCS; pid++) {
		struct proc *t = proc_slot(pid);
		if (!t || proc_tg(t)->native)
			continue;
		if (k ? in_tree(t, k) : proc_tg(t)->uid == uid)
			n++;
	}
	return n;
}

/* Descriptors of uid's processes (k == 0), or tree k's. */
static uint64_t
count_files(uint32_t uid, unsigned k)
{
	uint64_t n = 0;
	for (struct proc *l = proc_next(NULL); l; l = proc_next(l))
		if (!l->native && (k ? in_tree(l, k) : l->uid == uid))
			n += l->nfds;
	return n;
}

/* Whether l's user, or a tree l is in, has reached its limit of what
 * (LIM_*), as count counts it. */
enum { LIM_TASKS, LIM_FILES };
typedef uint64_t (*count_fn)(uint32_t uid, unsigned k);
static bool
at_limit(struct proc *l, count_fn count, unsigned what)
{
	struct lim u = user_lim(l->uid);
	if (count(l->uid, 0) >= (what == LIM_TASKS ? u.tasks : u.files))
		return true;
	for (unsigned k = l->q_tree; k; k = trees[k].parent) {
		const struct lim *t = &trees[k].lim;
		if (count(0, k) >= (what == LIM_TASKS ? t->tasks : t->files))
			return true;
	}
	return false;
}

/* ---- tasks ------------------------------------------------------ */

long
quota_task(struct proc *p)
{
	struct proc *l = proc_tg(p);
	if (l->native)
		return 0;
	cfg_reload();
	return count_tasks(l->uid, 0) >= l->rlim[RLIMIT_NPROC][0] ||
			       at_limit(l, count_tasks, LIM_TASKS)
		       ? -LX_EAGAIN
		       : 0;
}

/* A tree for l under its present one, with a program rule's limits. */
static void
tree_new(struct proc *l, const struct lim *lim)
{
	static bool live[MAX_TREES + 1];
	memset(live, 0, sizeof live);
	for (int pid = 1; pid < MAX_PROCS; pid++) {
		struct proc *t = proc_slot(pid);
		for (unsigned k = t ? t->q_tree : 0; k; k = trees[k].parent)
			live[k] = true;
	}
	for (unsigned k = 1; k <= MAX_TREES; k++) {
		if (live[k])
			continue;
		trees[k] = (struct tree){.used = true, .root = l->pid,
					 .parent = l->q_tree, .lim = *lim};
		l->q_tree = (uint16_t)k;
		return;
	}
	printf("procserv: pid %d: no room for another quota tree\n", l->pid);
}

void
quota_exec(struct proc *p, const char *path)
{
	struct proc *l = proc_tg(p);
	cfg_reload();
	for (unsigned i = 0; i < nrules; i++)
		if (rules[i].kind == R_PROGRAM && !strcmp(rules[i].path, path)) {
			tree_new(l, &rules[i].lim);
			return;
		}
}

/* ---- memory ----------------------------------------------------- */

/* uid's account (made if it has none); 0 if there is no room. */
static unsigned
acct_find(uint32_t uid)
{
	unsigned k = 0;
	for (unsigned i = 1; i <= MAX_ACCTS && !k; i++)
		if (accts[i].used && accts[i].uid == uid)
			k = i;
	for (unsigned i = 1; i <= MAX_ACCTS && !k; i++)
		if (!accts[i].used || !accts[i].pages)
			k = i; /* one is free: an account with pages has a
				* process or a file with pages, and there are
				* fewer owners of those than accounts */
	if (k && !(accts[k].used && accts[k].uid == uid))
		accts[k] = (struct acct){.used = true, .uid = uid};
	return k;
}

/* l's account, for its uid now: a process whose uid changed takes its
 * pages from the old account to the new. */
static struct acct *
acct_of(struct proc *l)
{
	struct acct *a = &accts[l->q_acct];
	if (l->q_acct && a->used && a->uid == l->uid)
		return a;
	unsigned k = acct_find(l->uid);
	accts[l->q_acct].pages -= l->npages;
	accts[k].pages += l->npages;
	l->q_acct = (uint16_t)k;
	return &accts[k];
}

bool
quota_page(struct proc *l, int delta)
{
	if (l->native)
		return true;
	struct acct *a = acct_of(l);
	if (delta > 0) {
		if (a->pages >= user_lim(l->uid).pages)
			return false;
		for (unsigned k = l->q_tree; k; k = trees[k].parent)
			if (trees[k].pages >= trees[k].lim.pages)
				return false;
	}
	a->pages += (uint64_t)(int64_t)delta;
	for (unsigned k = l->q_tree; k; k = trees[k].parent)
		trees[k].pages += (uint64_t)(int64_t)delta;
	return true;
}

bool
quota_file_pages(uint32_t uid, int64_t delta, bool force)
{
	unsigned k = acct_find(uid);
	if (!k)
		return force; /* the table is full: only a give-back passes */
	if (delta > 0 && !force &&
	    accts[k].pages + (uint64_t)delta > user_lim(uid).pages)
		return false;
	accts[k].pages += (uint64_t)delta;
	return true;
}

long
quota_as(struct proc *p, uint64_t grow)
{
	struct proc *l = proc_tg(p);
	uint64_t lim = l->rlim[RLIMIT_AS][0];
	if (lim == NOLIM)
		return 0;
	uint64_t size = 0;
	for (unsigned i = 0; i < l->nvma; i++)
		size += l->vmas[i].end - l->vmas[i].start;
	return size + grow > lim || size + grow < size ? -LX_ENOMEM : 0;
}

/* ---- descriptors ------------------------------------------------- */

long
quota_fd(struct proc *p, unsigned fd)
{
	struct proc *l = proc_tg(p);
	if (fd >= l->rlim[RLIMIT_NOFILE][0])
		return -LX_EMFILE;
	if (l->native || l->fds[fd].kind)
		return 0; /* replacing one */
	return at_limit(l, count_files, LIM_FILES) ? -LX_EMFILE : 0;
}

/* ---- /proc/PID/quota --------------------------------------------- */

static int
put_lim(char *out, size_t size, const char *what, uint64_t used,
	uint64_t lim, unsigned shift)
{
	if (lim == NOLIM)
		return snprintf(out, size, "%-8s %10lu %10s\n", what,
				(unsigned long)(used << shift), "none");
	return snprintf(out, size, "%-8s %10lu %10lu\n", what,
			(unsigned long)(used << shift),
			(unsigned long)(lim << shift));
}

size_t
quota_text(struct proc *p, char *out, size_t size)
{
	struct proc *l = proc_tg(p);
	struct lim u = user_lim(l->uid);
	size_t n = 0;
#define PUT(...) n += (size_t)snprintf(out + n, n < size ? size - n : 0, \
				       __VA_ARGS__)
	PUT("user %u\n", (unsigned)l->uid);
	PUT("%-8s %10s %10s\n", "", "used", "limit");
	n += (size_t)put_lim(out + n, n < size ? size - n : 0, "tasks",
			     count_tasks(l->uid, 0), u.tasks, 0);
	n += (size_t)put_lim(out + n, n < size ? size - n : 0, "memory",
			     l->q_acct ? accts[l->q_acct].pages : 0, u.pages,
			     12);
	n += (size_t)put_lim(out + n, n < size ? size - n : 0, "files",
			     count_files(l->uid, 0), u.files, 0);
	for (unsigned k = l->q_tree; k; k = trees[k].parent) {
		PUT("tree %d\n", trees[k].root);
		n += (size_t)put_lim(out + n, n < size ? size - n : 0, "tasks",
				     count_tasks(0, k), trees[k].lim.tasks, 0);
		n += (size_t)put_lim(out + n, n < size ? size - n : 0,
				     "memory", trees[k].pages,
				     trees[k].lim.pages, 12);
		n += (size_t)put_lim(out + n, n < size ? size - n : 0, "files",
				     count_files(0, k), trees[k].lim.files, 0);
	}
#undef PUT
	return n < size ? n : size;
}
