/*
 * perm.c - permission lists (perm.h): matching patterns, deciding, and the
 * entries' text form. Used by the process server for every access check
 * and by the role database; tested on the host.
 */
#include "perm.h"

#include <string.h>

/* Match pat against s, both from their starts, to their ends. */
static bool
match(const char *pat, const char *s)
{
	for (; *pat; pat++, s++) {
		/* "/" then "**" where the path ends matches nothing */
		if (!*s && !strncmp(pat, "/**", 3) && (!pat[3] || pat[3] == '/'))
			return match(pat + 3, s);
		if (pat[0] == '*' && pat[1] == '*') {
			if (pat[2] == '/' && match(pat + 3, s))
				return true; /* "**" then "/" may be nothing */
			for (const char *t = s;; t++) {
				if (match(pat + 2, t))
					return true;
				if (!*t)
					return false;
			}
		}
		if (*pat == '*') {
			for (const char *t = s;; t++) {
				if (match(pat + 1, t))
					return true;
				if (!*t || *t == '/')
					return false;
			}
		}
		if (!*s || (*pat == '?' ? *s == '/' : *pat != *s))
			return false;
	}
	return !*s;
}

bool
perm_match(const char *pat, const char *path)
{
	if (pat[0] == '@' || path[0] == '@')
		return strcmp(pat, path) == 0;
	if (pat[0] != '/' || path[0] != '/')
		return false;
	/* the root is "/": "/" and "/" then "**" match it */
	if (!path[1])
		return !pat[1] || !strcmp(pat, "/**");
	return match(pat, path);
}

/* How specific a pattern is: its characters before the first wildcard,
 * then the rest (a literal path beats any pattern of its length). */
static unsigned
specificity(const char *pat)
{
	size_t lit = 0;
	while (pat[lit] && pat[lit] != '*' && pat[lit] != '?')
		lit++;
	return (unsigned)(lit * 2 + (pat[lit] ? 0 : 1));
}

int
perm_decide(const struct permlist *pl, const char *path, unsigned op)
{
	int best = 0;
	unsigned best_spec = 0;
	for (unsigned i = 0; i < pl->n; i++) {
		const struct perm *e = &pl->e[i];
		if (!(e->ops & op) || !perm_match(e->pat, path))
			continue;
		unsigned sp = specificity(e->pat);
		int v = e->flags & PERM_DENY ? -1 : 1;
		if (!best || sp > best_spec || (sp == best_spec && v < 0)) {
			best = v;
			best_spec = sp;
		}
	}
	return best;
}

static const char letters[] = "rwxcdk";

/* The next word of *s (spaces skipped) into w; its length. */
static size_t
word(const char **s, char *w, size_t size)
{
	size_t n = 0;
	while (**s == ' ' || **s == '\t')
		(*s)++;
	while (**s && **s != ' ' && **s != '\t' && **s != '\n') {
		if (n + 1 < size)
			w[n] = **s;
		n++;
		(*s)++;
	}
	w[n < size ? n : size - 1] = '\0';
	return n;
}

static int
parse_ops(const char *w, uint8_t *ops)
{
	*ops = 0;
	if (!strcmp(w, "all")) {
		*ops = PERM_ALL;
		return 0;
	}
	for (; *w; w++) {
		const char *c = strchr(letters, *w);
		if (!c)
			return -1;
		*ops |= (uint8_t)(1u << (c - letters));
	}
	return *ops ? 0 : -1;
}

int
perm_parse(const char *line, struct perm *e, const char **why)
{
	char w[PERM_PAT_MAX + 1];
	const char *s = line;
	*e = (struct perm){0};
	word(&s, w, sizeof w);
	if (!strcmp(w, "deny"))
		e->flags |= PERM_DENY;
	else if (strcmp(w, "allow"))
		return *why = "an entry starts with allow or deny", -1;
	word(&s, w, sizeof w);
	if (parse_ops(w, &e->ops))
		return *why = "operations are letters of rwxcdk, or all", -1;
	size_t n = word(&s, w, sizeof w);
	if (!n)
		return *why = "a path pattern or @label is missing", -1;
	if (n >= PERM_PAT_MAX)
		return *why = "the pattern is too long", -1;
	if (w[0] != '/' && w[0] != '@')
		return *why = "a pattern is an absolute path or an @label", -1;
	memcpy(e->pat, w, n + 1);
	if (word(&s, w, sizeof w)) {
		if (strcmp(w, "inherit"))
			return *why = "only \"inherit\" may follow the pattern",
			       -1;
		e->flags |= PERM_INHERIT;
	}
	if (word(&s, w, sizeof w))
		return *why = "too many words", -1;
	return 0;
}

size_t
perm_format(const struct perm *e, char *out, size_t size)
{
	char ops[8];
	size_t k = 0;
	for (unsigned i = 0; i < 6; i++)
		if (e->ops & (1u << i))
			ops[k++] = letters[i];
	ops[k] = '\0';
	size_t n = 0;
	const char *parts[] = {e->flags & PERM_DENY ? "deny " : "allow ",
			       e->ops == PERM_ALL ? "all" : ops, " ", e->pat,
			       e->flags & PERM_INHERIT ? " inherit" : ""};
	for (unsigned i = 0; i < 5; i++)
		for (const char *c = parts[i]; *c; c++, n++)
			if (n + 1 < size)
				out[n] = *c;
	if (size)
		out[n < size ? n : size - 1] = '\0';
	return n;
}

int
perm_add(struct permlist *pl, const struct perm *e)
{
	for (unsigned i = 0; i < pl->n; i++) {
		struct perm *o = &pl->e[i];
		if (!strcmp(o->pat, e->pat) &&
		    (o->flags & PERM_DENY) == (e->flags & PERM_DENY)) {
			*o = *e;
			return 0;
		}
	}
	if (pl->n == PERM_MAX)
		return -1;
	pl->e[pl->n++] = *e;
	return 0;
}

void
perm_inherit(const struct permlist *from, struct permlist *to)
{
	to->n = 0;
	for (unsigned i = 0; i < from->n; i++)
		if (from->e[i].flags & PERM_INHERIT)
			to->e[to->n++] = from->e[i];
}

/* A path that stands for every path pattern pat matches: each wildcard
 * replaced by characters no pattern names literally ("**" by two
 * components, "*" by two characters, "?" by one), so that only an
 * entry at least as wide matches it. */
static void
generic_path(const char *pat, char *out, size_t size)
{
	size_t n = 0;
	for (const char *s = pat; *s && n + 4 < size; s++) {
		if (s[0] == '*' && s[1] == '*') {
			memcpy(out + n, "\1/\1", 3);
			n += 3;
			s++;
		} else if (*s == '*' || *s == '?') {
			out[n++] = '\1';
			if (*s == '*')
				out[n++] = '\1';
		} else {
			out[n++] = *s;
		}
	}
	out[n] = '\0';
}

/* Whether pl decides every operation of ops on e's paths as want (1:
 * allows, -1: denies). */
static bool
decides(const struct permlist *pl, const struct perm *e, int want)
{
	char path[2 * PERM_PAT_MAX];
	generic_path(e->pat, path, sizeof path);
	for (unsigned op = 1; op <= PERM_CONTROL; op <<= 1)
		if ((e->ops & op) && perm_decide(pl, path, op) != want)
			return false;
	return true;
}

bool
perm_covers(const struct permlist *a, const struct permlist *b)
{
	for (unsigned i = 0; i < b->n; i++)
		if (!(b->e[i].flags & PERM_DENY) && !decides(a, &b->e[i], 1))
			return false;
	for (unsigned i = 0; i < a->n; i++)
		if ((a->e[i].flags & PERM_DENY) && !decides(b, &a->e[i], -1))
			return false;
	return true;
}
