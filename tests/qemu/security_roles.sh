#!/bin/sh
# security_roles.sh - roles typed on the console as the image's user
# (/etc/session: user, uid 1000): chpriv asks for the password (echo
# off), refuses a wrong one and takes the role with the right one;
# clear refusals for a role that does not exist and for one the user may
# not take; a role without auth; a non-inheritable entry not passed to a
# child; the program rule of /etc/roles with matching and non-matching
# arguments; /proc/PID/roles of another process not writable; sudo and
# chpriv -s for the session; a program rule that needs the password
# (chpriv -a), only with its arguments; a wrong password answered after
# the delay, and no password of that user checked during it.
set -u
out=$( (sleep 5; printf 'id -u; cat /proc/self/roles\r'; sleep 2
	printf 'chpriv admin cat /proc/self/roles\r'; sleep 2
	printf 'wrong\r'; sleep 3
	printf 'chpriv admin cat /proc/self/roles\r'; sleep 2
	printf 'uxrt\r'; sleep 4
	printf 'chpriv nosuch true; echo nosuch $?\r'; sleep 2
	printf 'chpriv operator true; echo operator $?\r'; sleep 2
	printf 'chpriv demo cat /proc/self/roles\r'; sleep 2
	printf "chpriv demo sh -c 'cat /proc/self/roles; echo child'\r"; sleep 3
	printf '/bin/cat /proc/self/roles\r'; sleep 2
	printf '/bin/cat /proc/self/roles /dev/null; echo nomatch\r'; sleep 2
	printf 'echo admin > /proc/1/roles; echo other $?\r'; sleep 2
	printf 'sudo cat /proc/self/roles\r'; sleep 2
	printf 'uxrt\r'; sleep 4
	printf 'head -n1 /etc/shadow; echo plain $?\r'; sleep 2
	printf 'chpriv -a head -n1 /etc/shadow\r'; sleep 2
	printf 'uxrt\r'; sleep 4
	printf 'chpriv -a head -n2 /etc/shadow; echo twolines $?\r'; sleep 2
	printf 'uxrt\r'; sleep 4
	# the request in one write (a shell's printf to a terminal writes a
	# line at a time); short lines (a wrapped one is echoed in pieces)
	printf '%s\r' "R=/proc/self/roles"; sleep 1
	printf '%s\r' "a() { printf \":auth\\\\n\$1\\\\n\" | dd of=\$R bs=64 count=1 iflag=fullblock 2>&-; }"; sleep 1
	printf '%s\r' "printf ':auth\\nbadpw\\n' | time dd of=\$R bs=64 count=1 iflag=fullblock"; sleep 4
	printf '%s\r' "a badpw & sleep 1; a uxrt; echo throttled \$?"; sleep 6
	printf '%s\r' "a uxrt; echo later \$?"; sleep 3
	printf 'chpriv -s admin\r'; sleep 2
	printf 'uxrt\r'; sleep 4
	printf 'cat /proc/$$/roles\r'; sleep 2
	printf 'exit 0\r'; sleep 2) |
	QEMU_STDIN=1 tools/qemu.sh "$BUILD" "$BUILD/procserv.elf,$BUILD/initrd.cpio" 120 \
		-append "init=/bin/busybox -- sh" | tr -d '\r' | grep -av ENOSYS)
echo "$out" | grep -a "chpriv\|roles\|allow\|nosuch\|operator\|other\|^1000"
fail() { echo "FAIL: $1"; exit 1; }
has() { echo "$out" | grep -aq -- "$1"; }
has "^1000$" || fail "the session is not the user's (uid 1000)"
[ "$(echo "$out" | grep -ac 'password for user: ')" -ge 4 ] ||
	fail "chpriv did not ask for the password"
has "^chpriv: wrong password" || fail "a wrong password was not refused"
has "password for user: .\|^uxrt$\|^wrong$" && fail "the password was echoed"
has "^roles: admin" || fail "the right password did not give admin"
has "^allow all /\*\* inherit" || fail "admin's entries not shown"
has "^chpriv: no such role: nosuch" || fail "no message for a missing role"
has "^nosuch 1" || fail "a missing role did not fail"
has "^chpriv: user user may not take role operator" ||
	fail "no message for a role the user may not take"
has "^operator 1" || fail "a role the user may not take did not fail"
has "^allow r /etc/shadow$" || fail "demo (no auth) not taken"
# sh -c's cat is a child (the shell has a second command to run): only the inheritable entry reaches it
echo "$out" | grep -a -A3 "chpriv demo sh -c" | grep -aq "/etc/shadow" &&
	fail "a non-inheritable entry was passed to a child"
echo "$out" | grep -a -A3 "chpriv demo sh -c" | grep -aq "allow k /etc/motd inherit" ||
	fail "an inheritable entry was not passed to a child"
echo "$out" | grep -a -A1 "/bin/cat /proc/self/roles$" | grep -aq "^roles: probe" ||
	fail "the program rule did not apply"
echo "$out" | grep -a -A1 "/bin/cat /proc/self/roles /dev/null" | grep -aq "^roles:$" ||
	fail "the program rule applied with other arguments"
has "other 1" || fail "another process's roles file was writable"
has "^chpriv: role admin taken for the session" || fail "chpriv -s"
echo "$out" | grep -a -A2 'cat /proc/\$\$/roles' | grep -aq "^roles: admin" ||
	fail "the session's shell did not gain admin"
echo "$out" | grep -a "^root:\|plain\|twolines\|^real\|throttled\|later"
has "^plain 1" || fail "/etc/shadow was readable without the program rule"
has '^root:!:' || fail "chpriv -a did not apply the auth program rule"
[ "$(echo "$out" | grep -ac '^root:')" = 1 ] ||
	fail "the auth program rule applied with other arguments"
has "^twolines 1" || fail "head -n2 of /etc/shadow was not refused"
echo "$out" | grep -aEq "^real[[:space:]]+0m [2-9]\." ||
	fail "a wrong password was answered without the delay"
has "^throttled 1" || fail "a password was checked while its user was throttled"
has "^later 0" || fail "the right password after the delay was refused"
has "/etc/roles:" && fail "the image's /etc/roles has errors"
echo "security_roles: ok"
