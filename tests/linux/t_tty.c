/*
 * t_tty.c - a terminal's answers to what a tty does not serve: lseek,
 * pread64 and pwrite64 are ESPIPE (a bad whence or a negative offset is
 * EINVAL first), a read or write of 0 bytes returns 0 at once, and the
 * termios and window-size ioctls work. On UX/RT these answers come from
 * the console server through the server library's defaults (it has no
 * seek operation). Each open of the terminal is an open file of its own:
 * its access mode is checked (EBADF) and its O_NONBLOCK, set at open or
 * by F_SETFL, makes a read with nothing typed EAGAIN, for that open file
 * only (on UX/RT through its per-open badge: uxrt/ps.h). Descriptors 0-2 must be the terminal: on UX/RT the
 * console (init=/bin/t_tty), on Linux a pty (`script -qc /tmp/t_tty`).
 */
#define T_NAME "t_tty"
#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#include "t.h"

int
main(void)
{
	char b[4];
	struct termios t;
	struct winsize w;

	CHECK(isatty(0) && isatty(1));
	ERR(lseek(0, 0, SEEK_SET), ESPIPE);
	ERR(lseek(1, 5, SEEK_CUR), ESPIPE);
	ERR(lseek(0, 0, 7), EINVAL);
	ERR(pread(0, b, 1, 0), ESPIPE);
	ERR(pwrite(1, "x", 1, 3), ESPIPE);
	ERR(pread(0, b, 1, -5), EINVAL);
	ERR(pwrite(1, "x", 1, -5), EINVAL);
	CHECK(read(0, b, 0) == 0); /* nothing asked: no wait for input */
	CHECK(write(1, b, 0) == 0);
	CHECK(tcgetattr(0, &t) == 0 && (t.c_lflag & ICANON));
	CHECK(ioctl(1, TIOCGWINSZ, &w) == 0);
	/* open files of their own (nothing is typed meanwhile) */
	int r = open("/dev/tty", O_RDONLY | O_NONBLOCK);
	int wr = open("/dev/tty", O_WRONLY);
	CHECK(r >= 0 && wr >= 0);
	ERR(read(r, b, 1), EAGAIN);
	ERR(write(r, "x", 1), EBADF); /* opened for reading only */
	ERR(read(wr, b, 1), EBADF);   /* ... for writing only */
	CHECK(write(wr, "", 0) == 0);
	CHECK(!(fcntl(0, F_GETFL) & O_NONBLOCK)); /* not the same open file */
	CHECK(fcntl(0, F_SETFL, O_NONBLOCK) == 0 &&
	      (fcntl(0, F_GETFL) & O_NONBLOCK));
	ERR(read(0, b, 1), EAGAIN);
	CHECK(fcntl(0, F_SETFL, 0) == 0 && !(fcntl(0, F_GETFL) & O_NONBLOCK));
	CHECK(fcntl(r, F_SETFL, 0) == 0 && !(fcntl(r, F_GETFL) & O_NONBLOCK));
	close(r);
	close(wr);
	printf(T_NAME ": %d passed, %d failed\n", pass, fail);
	return fail != 0;
}
