/*
 * perm.h - permission lists: the one kind of access rule of UX/RT's
 * security model (docs/security.md). Pure logic, no process-server state,
 * so that it is tested on the host (tests/host/test_perm.c).
 *
 * An entry names a path pattern (or a label, "@name"), the operations it
 * allows or (deny) takes away, and whether children inherit it. For a
 * path and an operation, the most specific entry that names the
 * operation decides (a deny beats an allow of the same specificity);
 * where none does, the caller falls back to the Unix mode bits.
 */
#ifndef PERM_H
#define PERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum perm_op {
	PERM_READ = 1,     /* r: read a file, list a directory's names */
	PERM_WRITE = 2,    /* w: write a file; a /priv action */
	PERM_EXEC = 4,     /* x: run a file, search a directory */
	PERM_CREATE = 8,   /* c: make a name in a directory (files, dirs,
			      links, a server's port, a mount on it) */
	PERM_DELETE = 16,  /* d: remove or rename a name in a directory */
	PERM_CONTROL = 32, /* k: change a file's owner, mode or times;
			      signal or inspect a process (/proc/PID) */
	PERM_ALL = 63,
};

#define PERM_INHERIT 1 /* passed on to children at fork */
#define PERM_DENY 2    /* takes the operations away */

#define PERM_PAT_MAX 96
#define PERM_MAX 32

struct perm {
	char pat[PERM_PAT_MAX]; /* a path pattern, or "@label" */
	uint8_t ops;            /* enum perm_op bits */
	uint8_t flags;          /* PERM_INHERIT, PERM_DENY */
};

struct permlist {
	uint8_t n;
	struct perm e[PERM_MAX];
};

/* Whether pattern pat matches path (absolute, normalised: no ".", "..",
 * or doubled or trailing "/"; "/" is the root). "*" matches within one
 * component, "**" any run of components (none too: "/a/" then "**"
 * matches "/a"), "?" one character other than "/". A label matches only
 * itself. */
bool perm_match(const char *pat, const char *path);

/* For path (or label) and one operation: 1 an entry allows it, -1 an
 * entry denies it, 0 no entry names it. */
int perm_decide(const struct permlist *pl, const char *path, unsigned op);

/* One entry from text: "allow|deny OPS PATTERN [inherit]", OPS letters
 * of rwxcdk or "all". 0, or -1 with *why a message for a person. */
int perm_parse(const char *line, struct perm *e, const char **why);

/* The entry as text (perm_parse reads it back); its length. */
size_t perm_format(const struct perm *e, char *out, size_t size);

/* Add e (replacing an entry with the same pattern and kind): 0, or -1
 * when the list is full. */
int perm_add(struct permlist *pl, const struct perm *e);

/* What a child is given at fork: the inheritable entries. */
void perm_inherit(const struct permlist *from, struct permlist *to);

/* Whether a process with list a can do at least what one with list b
 * can (ptrace: a tracer must, or it could act through its tracee): each
 * of b's allows is allowed by a, each of a's denies is denied by b, over
 * all the paths the entry's pattern matches (compared through a path
 * that only as wide a pattern matches). The same user is assumed. */
bool perm_covers(const struct permlist *a, const struct permlist *b);

#endif
