#!/usr/bin/env python3
# symbolize.py RAW OPS [N] - the insncount plugin's "PROF vaddr count
# bytes" lines grouped by function: instructions per operation (count /
# OPS), the N largest. Kernel addresses are the kernel's; a user address
# is the process server's, the console's or the benchmark's, whichever
# ELF holds those instruction bytes there (they are linked at
# overlapping addresses). Reads the ELFs of build/ and build/bench/progs.
import bisect, collections, struct, subprocess, sys

ELFS = [('K', 'build/kernel.elf'), ('P', 'build/procserv.elf'),
        ('C', 'build/initrd/sbin/console'), ('B', 'build/bench/progs/bench')]

def segments(path):
    d = open(path, 'rb').read()
    phoff, = struct.unpack_from('<Q', d, 32)
    size, num = struct.unpack_from('<HH', d, 54)
    out = []
    for i in range(num):
        t, _, off, va, _, fsz, _, _ = struct.unpack_from('<IIQQQQQQ', d, phoff + i * size)
        if t == 1:
            out.append((va, d[off:off + fsz]))
    return out

def symbols(path):
    out = []
    nm = subprocess.run(['nm', '-n', path], capture_output=True, text=True).stdout
    for line in nm.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in 'tTwW':
            out.append((int(f[0], 16), f[2]))
    return out

def main():
    raw, ops = sys.argv[1], float(sys.argv[2])
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 40
    elfs = {k: (segments(p), symbols(p)) for k, p in ELFS}
    def holds(k, va, code):
        for base, data in elfs[k][0]:
            if base <= va < base + len(data):
                return data[va - base:va - base + len(code)] == code
        return False
    def name(k, va):
        syms = elfs[k][1]
        i = bisect.bisect_right([a for a, _ in syms], va) - 1
        return syms[i][1] if i >= 0 else '?'
    per = collections.Counter()
    total = 0
    for line in open(raw):
        if not line.startswith('PROF'):
            continue
        _, a, c, b = line.split()
        va, c, code = int(a, 16), int(c), bytes.fromhex(b)
        total += c
        k = 'K' if va >= 0xffffffff80000000 else next(
            (x for x in 'PCB' if holds(x, va, code)), '?')
        per[(k, name(k, va) if k != '?' else hex(va))] += c
    print(f'{total / ops:9.1f} in all, per operation')
    for (k, f), c in per.most_common(n):
        print(f'{c / ops:9.1f} {k} {f}')

main()
