#!/bin/sh
# report.sh - side-by-side table of UX/RT and Linux benchmark logs.
#
# Usage: bench/report.sh UXRT_LOG LINUX_LOG [OUTDIR]
#
# Reads the "BENCH <name> <median> <min> <max> <ops_per_batch>" and
# "BENCH <name> unsupported <reason>" lines of two serial logs (the UX/RT log
# may be missing or lack rows), prints one Markdown table of guest
# instructions per operation and the UX/RT/Linux ratio of the medians, and
# writes OUTDIR/bench.csv and, when gnuplot is installed and at least one
# ratio exists, OUTDIR/bench-ratio.png. Where a log also has tools/insncount's
# counts (INSNCOUNT and BENCH-OPS lines), two more columns give the CR3
# writes, wrmsr, iret, sysret and swapgs per operation.  OUTDIR defaults to the directory of
# LINUX_LOG.  POSIX sh and awk only.
set -eu

die() {
	echo "report.sh: $*" >&2
	exit 1
}

# Prints the BENCH rows of a log as "name<TAB>rest", CRs and any serial
# noise before "BENCH " removed; a later row for a name replaces earlier ones.
bench_rows() {
	[ -r "$1" ] || return 0
	tr -d '\r' <"$1" | awk '
		{ i = index($0, "BENCH "); if (i == 0) next
		  $0 = substr($0, i + 6); name = $1; $1 = ""
		  sub(/^ +/, ""); if (!(name in row)) order[n++] = name
		  row[name] = $0 }
		END { for (i = 0; i < n; i++) print order[i] "\t" row[order[i]] }'
}

# Prints, per operation of a log that tools/insncount counted (its
# "INSNCOUNT R ..." lines appended to the log), "name<TAB>cr3 wrmsr iret
# sysret swapgs" per operation: the counts of region R (the batches,
# warm-up included) divided by the operations of those batches (the
# "BENCH-OPS name region R ops N" line).
count_rows() {
	[ -r "$1" ] || return 0
	tr -d '\r' <"$1" | awk '
		{ i = index($0, "BENCH-OPS "); if (i) $0 = substr($0, i) }
		$1 == "BENCH-OPS" && $3 == "region" && $5 == "ops" {
			name[$4] = $2; ops[$4] = $6 }
		$1 == "INSNCOUNT" {
			for (k = 3; k <= NF; k++) {
				split($k, kv, "="); c[$2, kv[1]] = kv[2] }
			seen[$2] = 1 }
		END {
			for (r in seen) {
				if (!(r in name) || ops[r] <= 0) continue
				printf "%s\t", name[r]
				n = split("cr3 wrmsr iret sysret swapgs", f, " ")
				for (k = 1; k <= n; k++) {
					v = c[r, f[k]] / ops[r]
					d = v - int(v + 0.5)
					printf "%s" (v >= 10 || (d < 0.05 && \
						d > -0.05) ? "%.0f" : "%.1f"),
						(k > 1 ? " " : ""), v
				}
				printf "\n"
			}
		}'
}

# Joins the two row lists (prefixed U and L) into table, CSV and plot data;
# rows prefixed UC and LC carry the expensive-instruction counts.
render() {
	awk -F '\t' -v csv="$CSV" -v dat="$DAT" '
	function cell(r, side,   f) {
		if (r == "")
			return side == "U" ? "not yet runnable on UX/RT" : "missing"
		split(r, f, " ")
		if (f[1] == "unsupported") {
			if (side == "U") return "not yet runnable on UX/RT"
			sub(/^unsupported */, "", r); return "unsupported: " r
		}
		if (num(r, 1) == "")
			return side == "U" ? "not yet runnable on UX/RT" \
				: "invalid row: " r
		return f[1] " [" f[2] ".." f[3] "]"
	}
	function num(r, k,   f) {
		split(r, f, " ")
		return (f[1] ~ /^[0-9]+$/ && f[1] + 0 > 0) ? f[k] : ""
	}
	function q(s) { gsub(/"/, "\"\"", s); return "\"" s "\"" }
	function xc(v) { return v == "" ? "-" : v }
	$1 == "UC" { uc[$2] = $3; next }
	$1 == "LC" { lc[$2] = $3; next }
	$1 == "U" { u[$2] = $3; if (!($2 in seen)) { seen[$2]; names[n++] = $2 } }
	$1 == "L" { l[$2] = $3; if (!($2 in seen)) { seen[$2]; names[n++] = $2 } }
	END {
		print "| operation | UX/RT instr/op (median [min..max]) |" \
		      " Linux instr/op (median [min..max]) | ratio UX/RT/Linux |" \
		      " UX/RT CR3 wrmsr iret sysret swapgs /op |" \
		      " Linux CR3 wrmsr iret sysret swapgs /op |"
		print "| --- | --- | --- | --- | --- | --- |"
		print "operation,uxrt_median,uxrt_min,uxrt_max," \
		      "linux_median,linux_min,linux_max,linux_ops_per_batch," \
		      "ratio,note,uxrt_cr3_wrmsr_iret_sysret_swapgs," \
		      "linux_cr3_wrmsr_iret_sysret_swapgs" > csv
		for (i = 0; i < n; i++) {
			k = names[i]; um = num(u[k], 1); lm = num(l[k], 1)
			ratio = (um != "" && lm != "") ? sprintf("%.3g", um / lm) : ""
			note = (um == "") ? "not yet runnable on UX/RT" : ""
			if (lm == "") note = note (note ? "; " : "") \
				(l[k] == "" ? "not in Linux log" : "Linux: " l[k])
			printf "| %s | %s | %s | %s | %s | %s |\n", k,
				cell(u[k], "U"), cell(l[k], "L"),
				ratio == "" ? "-" : ratio, xc(uc[k]), xc(lc[k])
			printf "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", k, um,
				num(u[k], 2), num(u[k], 3), lm, num(l[k], 2),
				num(l[k], 3), num(l[k], 4), ratio, q(note),
				q(uc[k]), q(lc[k]) > csv
			if (ratio != "") print k "\t" ratio > dat
		}
	}'
}

plot() {
	rm -f "$PNG"
	if ! command -v gnuplot >/dev/null 2>&1; then
		echo "report.sh: gnuplot not installed (package gnuplot-nox): no chart" >&2
		return 0
	fi
	if [ ! -s "$DAT" ]; then
		echo "report.sh: no operation ran on both systems: no chart" >&2
		return 0
	fi
	gnuplot <<EOF
set terminal png size 1000,560 noenhanced
set output '$PNG'
set title 'UX/RT / Linux, guest instructions per operation (QEMU -icount)'
set ylabel 'ratio of medians (1 = as many instructions as Linux)'
set style fill solid 0.6 border -1
set boxwidth 0.7
set xtics rotate by -35 nomirror
set yrange [0:*]
set offsets 0, 0, graph 0.15, 0
set grid ytics
unset key
set datafile separator '\t'
plot '$DAT' using 0:2:xtic(1) with boxes, 1 with lines lt 0 lw 2
EOF
}

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
	die "usage: $0 UXRT_LOG LINUX_LOG [OUTDIR]"
fi
[ -r "$2" ] || die "cannot read Linux log $2"
[ -r "$1" ] || echo "report.sh: no UX/RT log $1: UX/RT column left empty" >&2
OUT=${3:-$(dirname "$2")}
mkdir -p "$OUT"
CSV=$OUT/bench.csv
DAT=$OUT/bench-ratio.dat
PNG=$OUT/bench-ratio.png
rm -f "$DAT"
: >"$DAT"
TAB=$(printf '\t')
{
	bench_rows "$2" | sed "s/^/L$TAB/"
	bench_rows "$1" | sed "s/^/U$TAB/"
	count_rows "$2" | sed "s/^/LC$TAB/"
	count_rows "$1" | sed "s/^/UC$TAB/"
} | render
plot
