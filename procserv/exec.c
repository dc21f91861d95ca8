/*
 * exec.c - what execve runs: an ELF program (proc_exec loads it), or a
 * script whose first line is "#!interpreter [argument]".
 *
 * A script is run by its interpreter with argv rebuilt as Linux does:
 * the interpreter, the optional argument (the rest of the line, as one
 * word), the script's path, then the original argv[1..]. An interpreter
 * may itself be a script, MAX_NEST deep as on Linux; one more is ELOOP.
 * A file that is neither ELF nor a script is ENOEXEC. Paths are the
 * caller's namespace's (ns.c), through /proc's symbolic links too
 * (execve("/proc/self/exe", ...)); a file on a noexec mount, or not on
 * a tmpfs, is EACCES.
 *
 * It also records what /proc shows of the new program: its command line,
 * its name (the last part of the path given to execve) and its
 * executable's full path with symbolic links resolved.
 */
#include "procserv.h"
#include "lx_errno.h"

#define MAX_NEST 5   /* scripts before the program (Linux: then ELOOP) */
#define HEAD 256     /* the part of a file a #! line must fit in */
#define MAX_ARGV 64  /* as many arguments as a new stack takes */

void
exec_cmdline(struct proc *p, char *const argv[])
{
	size_t n = 0;
	for (unsigned i = 0; argv[i]; i++) {
		size_t l = strlen(argv[i]) + 1;
		if (n + l > sizeof p->cmdline)
			break;
		memcpy(p->cmdline + n, argv[i], l);
		n += l;
	}
	p->cmdline_len = (uint16_t)n;
}

static bool
spacetab(char c)
{
	return c == ' ' || c == '\t';
}

/* The interpreter and optional argument of a "#!" line in b (n bytes
 * read, b[n] free), NUL-ended in place; -ENOEXEC if b is no script or
 * names no interpreter, or the name does not fit in HEAD bytes. */
static long
shebang(char *b, size_t n, char **interp, char **arg)
{
	size_t end = 2, i = 2;
	if (n < 2 || b[0] != '#' || b[1] != '!')
		return -LX_ENOEXEC;
	while (end < n && b[end] != '\n')
		end++;
	b[end] = '\0';
	while (end > 2 && spacetab(b[end - 1]))
		b[--end] = '\0';
	while (spacetab(b[i]))
		i++;
	*interp = b + i;
	while (b[i] && !spacetab(b[i]))
		i++;
	if (*interp == b + i || (i == n && n == HEAD))
		return -LX_ENOEXEC; /* no name, or perhaps a truncated one */
	*arg = NULL;
	if (b[i]) {
		b[i++] = '\0';
		while (spacetab(b[i]))
			i++;
		*arg = b + i;
	}
	return 0;
}

/* argv for the interpreter of script file: interp, arg, file, av[1..]. */
static long
script_argv(char **out, char *interp, char *arg, const char *file,
	    char *const av[])
{
	unsigned n = 0;
	out[n++] = interp;
	if (arg)
		out[n++] = arg;
	out[n++] = (char *)file;
	for (unsigned i = 1; av[0] && av[i]; i++) {
		if (n == MAX_ARGV)
			return -LX_E2BIG;
		out[n++] = av[i];
	}
	out[n] = NULL;
	return 0;
}

/* Run the ELF program at full (its path, links resolved); name: the
 * path execve was given; direct: not a script's interpreter (program
 * rules apply only to programs: roles.c). */
static long
run_program(struct proc *p, const char *name, const char *full,
	    char *const argv[], char *const envp[], bool direct)
{
	struct proc *l = proc_tg(p); /* the caller goes on as the leader */
	int pid = l->pid;
	int tid = p->pid;
	long e = proc_exec(p, full, argv, envp);
	if (e != LX_GONE || proc_get((uint64_t)pid) != l)
		return e;
	p = l;
	ptrace_exec(p, tid); /* ptrace.c: a tracer's stop after execve */
	const char *b = strrchr(name, '/');
	snprintf(p->name, sizeof p->name, "%s", b ? b + 1 : name);
	snprintf(p->exe, sizeof p->exe, "%s", full);
	exec_cmdline(p, argv);
	if (direct && !ptrace_traced(p)) /* a tracer would act through it */
		roles_exec(p, name, argv); /* the database's program rules */
	return LX_GONE;
}

long
exec_file(struct proc *p, const char *path, char *const argv[],
	  char *const envp[])
{
	static char heads[MAX_NEST + 1][HEAD + 1];
	static char *vecs[2][MAX_ARGV + 1];
	char full[256], *interp, *arg;
	const char *file = path;
	char *const *av = argv;

	for (unsigned depth = 0;; depth++) {
		size_t size;
		long e;
		const char *img = ns_program(p, file, &size, &e, full);
		if (!img)
			return e;
		size_t n = size < HEAD ? size : HEAD;
		memcpy(heads[depth], img, n);
		if (shebang(heads[depth], n, &interp, &arg))
			return run_program(p, path, full, av, envp,
					   depth == 0);
		if (depth == MAX_NEST)
			return -LX_ELOOP;
		if ((e = script_argv(vecs[depth % 2], interp, arg, file, av)))
			return e;
		av = vecs[depth % 2];
		file = interp;
	}
}
