/*
 * file.h - the file protocol: what a file server receives when a Linux
 * thread reads or writes a file descriptor whose slot holds a capability
 * to the server (docs/design-transport.md).
 *
 * Request: label = enum ux_file_op, MR0 and MR1 as below, the badge of the
 * capability (the open file's per-open badge, uxrt/ps.h); FILE_WRITE carries the
 * data as its long message. Reply: MR0 = the Linux result (a count, an
 * offset, or -errno); a FILE_READ reply carries the data as its long
 * message (its length must equal MR0).
 */
#ifndef UXRT_FILE_H
#define UXRT_FILE_H

enum ux_file_op {
	UX_FILE_READ = 1,  /* MR0 offset (-1: the file's own), MR1 count */
	UX_FILE_WRITE = 2, /* MR0 offset (-1: the file's own), MR1 count */
	UX_FILE_SEEK = 3,  /* MR0 offset, MR1 whence (SEEK_SET/CUR/END) */
	UX_FILE_IOCTL = 4, /* MR0 Linux request, MR1 integer argument; the
			      long message carries the argument's structure
			      in, and the reply's carries it out */
	UX_FILE_CLOSE = 5, /* no MRs: the last descriptor of this open file
			      is gone, the server may forget it (a native
			      client's; reply MR0 0 or -errno). A Linux
			      process's open files of a port are closed
			      through the server's open table instead
			      (uxrt/ps.h): the process server never sends
			      this, and a per-open badge sending it is
			      answered EINVAL by the server library */
	UX_FILE_POLL = 6,  /* from the process server (poll, select): MR0 1
			      to be told once when the file becomes
			      readable, 0 to ask only. Reply: MR0 the Linux
			      poll mask now (POLLIN, POLLOUT, ...). The
			      telling is a signal on the notification the
			      server was given for it (SRV_PS_READY). */
};

/* A terminal server's signals (^C, ^Z, ^\ typed at it): it signals the
 * process server's notification, which then asks with this label. Reply:
 * MR0 the process group, MR1 the signals (bit sig-1), now cleared. */
#define UX_TTY_TAKE_SIGNALS 16

#define UX_FILE_OFFSET_NONE (~0ull)

#endif
