/*
 * init.c - /init of the Linux benchmark initramfs (bench/linux.sh).
 *
 * Mounts what the benchmarks need (proc, devtmpfs for the console, tmpfs on
 * /tmp), runs /bin/bench, which prints one BENCH line per operation on the
 * serial console, marks the start and end of the run with BENCH-BEGIN and
 * BENCH-END, and powers the machine off.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

/* Mounts fstype on dir, creating dir; reports but tolerates failure. */
static void mount_fs(const char *fstype, const char *dir)
{
	mkdir(dir, 0755);
	if (mount(fstype, dir, fstype, 0, NULL) < 0)
		perror(dir);
}

/* Makes fds 0, 1 and 2 the console (they may be closed at boot). */
static void open_console(void)
{
	int fd = open("/dev/console", O_RDWR);

	if (fd < 0)
		return;
	for (int i = 0; i < 3; i++)
		if (fd != i)
			dup2(fd, i);
	if (fd > 2)
		close(fd);
}

static void print_system(void)
{
	struct utsname u;

	if (uname(&u) == 0)
		printf("\nBENCH-BEGIN %s %s %s\n", u.sysname, u.release,
		       u.machine);
	else
		printf("\nBENCH-BEGIN unknown\n");
	fflush(stdout);
}

/*
 * Runs path with no arguments and init's environment (which holds any
 * NAME=value words of the kernel command line, e.g. BENCH_RAW=1) and waits
 * for it; returns its status.
 */
static int run(const char *path)
{
	char *argv[] = { (char *)path, NULL };
	int status = -1;
	pid_t pid = fork();

	if (pid < 0) {
		perror("fork");
		return -1;
	}
	if (pid == 0) {
		execve(path, argv, environ);
		perror(path);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		;
	return status;
}

/* Guest instructions since reset (rdtsc under -icount shift=0). */
static uint64_t now(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

int main(void)
{
	uint64_t boot = now(); /* first instructions of the first program */
	int status;

	mount_fs("devtmpfs", "/dev");
	open_console();
	mount_fs("proc", "/proc");
	mount_fs("tmpfs", "/tmp");
	setenv("PATH", "/bin", 0);
	setenv("BENCH_TINY", "/bin/tiny", 0);
	setenv("BENCH_TMP", "/tmp", 0);
	print_system();
	printf("BENCH boot_to_user %llu %llu %llu 1\n",
	       (unsigned long long)boot, (unsigned long long)boot,
	       (unsigned long long)boot);
	status = run("/bin/bench");
	printf("BENCH-END status %d\n", status);
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
