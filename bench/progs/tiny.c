/*
 * tiny.c - the smallest static program: exits 0 at once.
 *
 * Exec'd by bench's fork_exec_wait operation, so that the measurement is
 * the cost of fork+execve+exit+wait, not of the program's own work.
 */
int main(void)
{
	return 0;
}
