/*
 * chpriv - take a role from the role database (/etc/roles) for one
 * command or for the session (docs/security.md):
 *
 *     chpriv ROLE COMMAND [ARG...]   run COMMAND with ROLE's entries
 *     chpriv -s ROLE                 add ROLE to this session's shell
 *     chpriv -a COMMAND [ARG...]     give the password, then run COMMAND:
 *                                    the program rules marked auth apply
 *
 * A native UX/RT command (a static musl program). The process server
 * decides: chpriv writes "ROLE[ session]\n" to /proc/self/roles and, if
 * the answer is ENOKEY (the database wants the user's password), asks for
 * it on the terminal with echo off and writes "ROLE[ session]\nPASSWORD\n".
 * The entries stay with this process across execve, so COMMAND has them;
 * its children get only those marked inherit. With -a the request is
 * ":auth\nPASSWORD\n", which proves the password for the next execve
 * only. A wrong password is answered after a delay (the process
 * server's, not ours).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static const char *role, *login = "?";

static int
usage(void)
{
	fprintf(stderr, "usage: chpriv ROLE COMMAND [ARG...]\n"
			"       chpriv -s ROLE\n"
			"       chpriv -a COMMAND [ARG...]\n");
	return 2;
}

/* Ask for the password on the terminal, echo off: 0, or -1. */
static int
ask(char *pw, size_t size)
{
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		fd = 0;
	struct termios old, t;
	int tty = tcgetattr(fd, &old) == 0;
	if (tty) {
		t = old;
		t.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fd, TCSAFLUSH, &t);
	}
	dprintf(fd ? fd : 2, "[chpriv] password for %s: ", login);
	size_t n = 0;
	char c;
	while (n + 1 < size && read(fd, &c, 1) == 1 && c != '\n' && c != '\r')
		pw[n++] = c;
	pw[n] = '\0';
	if (tty)
		tcsetattr(fd, TCSAFLUSH, &old);
	dprintf(fd ? fd : 2, "\n");
	if (fd)
		close(fd);
	return 0;
}

/* Write the request; the errno of a refusal, or 0. */
static int
request(int fd, const char *line, const char *pw)
{
	char buf[320];
	int n = snprintf(buf, sizeof buf, "%s\n%s%s", line, pw ? pw : "",
			 pw ? "\n" : "");
	if (n < 0 || (size_t)n >= sizeof buf)
		return ENAMETOOLONG;
	ssize_t w = write(fd, buf, (size_t)n);
	memset(buf, 0, sizeof buf);
	return w == n ? 0 : w < 0 ? errno : EIO;
}

static int
refused(int e)
{
	if (e == ENOENT)
		fprintf(stderr, "chpriv: no such role: %s\n", role);
	else if (e == EACCES)
		fprintf(stderr, "chpriv: user %s may not take role %s\n",
			login, role);
	else if (e == ENOSPC)
		fprintf(stderr, "chpriv: role %s: the permission list is full\n",
			role);
	else
		fprintf(stderr, "chpriv: role %s: %s\n", role, strerror(e));
	return 1;
}

int
main(int argc, char **argv)
{
	int session = argc > 1 && !strcmp(argv[1], "-s");
	int auth = argc > 1 && !strcmp(argv[1], "-a");
	if (session ? argc != 3
	    : auth  ? argc < 3
		    : argc < 3 || argv[1][0] == '-')
		return usage();
	role = auth ? ":auth" : argv[1 + session];
	struct passwd *pw = getpwuid(getuid());
	if (pw)
		login = pw->pw_name;
	char line[128], pass[256];
	snprintf(line, sizeof line, "%s%s", role, session ? " session" : "");
	int fd = open("/proc/self/roles", O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "chpriv: /proc/self/roles: %s\n", strerror(errno));
		return 1;
	}
	int e = request(fd, line, NULL);
	if (e == ENOKEY) {
		ask(pass, sizeof pass);
		e = request(fd, line, pass);
		memset(pass, 0, sizeof pass);
		if (e == EACCES) {
			fprintf(stderr, "chpriv: wrong password\n");
			return 1;
		}
	}
	if (e)
		return refused(e);
	close(fd);
	if (session) {
		printf("chpriv: role %s taken for the session\n", role);
		return 0;
	}
	execvp(argv[2], argv + 2);
	fprintf(stderr, "chpriv: %s: %s\n", argv[2], strerror(errno));
	return 127;
}
