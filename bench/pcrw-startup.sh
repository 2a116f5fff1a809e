#!/usr/bin/env bash
# Benchmark: one `pkgconf-rewrite P` against one `pkg-config --static --libs P`,
# per invocation (the way build scripts call pkg-config), and the start-up of
# each (`--version`, `--help`), in one run; optionally against a second pkgconf-rewrite
# binary (an older build), so that a change is measured before/after in the
# same run.
#
# Usage: bench/pcrw-startup.sh [PKGCONF-REWRITE [BASELINE]]
#   PKGCONF-REWRITE  the pkgconf-rewrite binary (default: build/pkgconf-rewrite
#                    of this checkout; an empty string also means the default)
#   BASELINE         another pkgconf-rewrite binary timed the same way
#                    (optional; e.g. one built from main)
#
# Environment:
#   PKGS="P..."  the packages (default: sqlite3); one process per package
#                and item, every round
#   N=K          processes per package and item in a round (default 100)
#   RUNS=R       timed rounds (default 7), after one untimed warm-up round
#
# What is timed (stdout and stderr to /dev/null; wall is
# time.perf_counter_ns() around posix_spawn + wait4 in python3, CPU the
# children's rusage, and their minor page faults), for each package P, N
# times per round:
#   pkg-config --static --libs P      the baseline of every ratio
#   pkgconf-rewrite P                 warm cache (GORELINK_CACHE_DIR a fresh
#                                     directory warmed by one untimed run)
#   pkg-config --version, pkgconf-rewrite --help: start-up alone (the
#                                     floor; pkgconf-rewrite has no --version)
#   and the same two pkgconf-rewrite items for BASELINE when given
# The items are interleaved: one process of each in turn, in an order that
# rotates with every process, so that load from elsewhere on the machine
# falls on all of them alike. A round's figure for an item is the sum over
# its processes; the medians are over the rounds, and a ratio is the median
# of the per-round ratios (the ratio of the medians beside it).
# The goal (issue 15): pkgconf-rewrite P at most 1.5 times pkg-config P
# (moonshot 1.0).
#
# The binaries are timed as private copies made at the start. CC is unset,
# so pkgconf-rewrite asks cc. The script also counts, with strace when it is
# installed, the processes a warm `pkgconf-rewrite P` spawns (goal: none).
#
# Needs pkg-config, cc and python3 (strace optional).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

handle_help "$@"

pcrw=${1:-$root/build/pkgconf-rewrite}
base=${2:-}
runs=${RUNS:-7}
n=${N:-100}
pkgs=${PKGS:-sqlite3}

need_positive RUNS "$runs"
need_positive N "$n"
need_binary pkgconf-rewrite "$pcrw"
pcrw=$(realpath "$pcrw")
if [[ -n $base ]]; then
	need_binary baseline "$base"
	base=$(realpath "$base")
fi
pkgconfig=$(command -v pkg-config) || die "pkg-config not found: install the pkgconf package"
command -v cc >/dev/null || die "cc not found: pkgconf-rewrite asks it for its search dirs"
need_python3
unset CC
read -r -a pkgv <<<"$pkgs"
((${#pkgv[@]} > 0)) || die "PKGS names no package"
for p in "${pkgv[@]}"; do
	"$pkgconfig" --exists "$p" || die "pkg-config does not know '$p'"
done

rev=$(checkout_rev ", with uncommitted changes")
print_machine_start
print_machine_basics
print_load
echo "pkgconf-rewrite: $pcrw (built $(date -u -r "$pcrw" '+%Y-%m-%d %H:%M:%S UTC'); checkout $rev)"
[[ -z $base ]] || echo "baseline:  $base (built $(date -u -r "$base" '+%Y-%m-%d %H:%M:%S UTC'))"
echo "pkg-config: $("$pkgconfig" --version) ($pkgconfig -> $(realpath "$pkgconfig"))"
echo "cc:        $(realpath "$(command -v cc)") ($(cc -dumpfullversion 2>/dev/null || echo '?'))"
print_python3
echo "packages:  ${pkgv[*]}; $n processes per package and item per round; $runs rounds"

if command -v strace >/dev/null; then
	for b in "$pcrw" ${base:+"$base"}; do
		c=$(mktemp -d)
		GORELINK_CACHE_DIR=$c "$b" "${pkgv[0]}" >/dev/null 2>&1 || :
		GORELINK_CACHE_DIR=$c strace -f -qq -e trace=execve -o "$c/trace" "$b" "${pkgv[0]}" >/dev/null 2>&1 || :
		# the first execve is the binary itself; a failed one is a PATH lookup
		echo "processes spawned by a warm '$(basename "$b") ${pkgv[0]}' ($b): $(grep -c '^[0-9]* *execve(.*= 0$' "$c/trace" | awk '{print $1 - 1}')"
		rm -rf "$c"
	done
else
	echo "(strace not installed: the count of spawned processes is skipped)"
fi

read -r -d '' py <<'PY' || true
import atexit, hashlib, os, shutil, statistics, sys, tempfile

sys.stdout.reconfigure(line_buffering=True)
pcrw, base, pkgconfig, runs, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
pkgs = sys.argv[6:]
tmp = tempfile.mkdtemp(prefix="pcrw-startup-")
atexit.register(shutil.rmtree, tmp, True)

def private(path, name):
    dst = os.path.join(tmp, name)
    shutil.copy2(path, dst)
    return dst

pcrw = private(pcrw, "pkgconf-rewrite")
base = private(base, "baseline") if base else ""
env = dict(os.environ)
env.pop("CC", None)
env["GORELINK_CACHE_DIR"] = tempfile.mkdtemp(dir=tmp, prefix="cache-")

ITEMS = [("pkgc", lambda p: [pkgconfig, "--static", "--libs", p], (0, 1), "pkg-config --static --libs P"),
         ("pcrw", lambda p: [pcrw, p], (0, 1), "pkgconf-rewrite P (warm cache)"),
         ("pkgc_v", lambda p: [pkgconfig, "--version"], (0,), "pkg-config --version"),
         ("pcrw_v", lambda p: [pcrw, "--help"], (0,), "pkgconf-rewrite --help")]
if base:
    ITEMS += [("base", lambda p: [base, p], (0, 1), "baseline P (warm cache)"),
              ("base_v", lambda p: [base, "--help"], (0,), "baseline --help")]

# Warm the cache and check the outputs agree between the two binaries.
import subprocess
for p in pkgs:
    outs = []
    for b in [pcrw] + ([base] if base else []):
        r = subprocess.run([b, p], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        outs.append((r.returncode, r.stdout))
    if base and outs[0] != outs[1]:
        print("note: %s: the two binaries print different results" % p)

import resource
def faults():
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt

def one_round(rnd):
    res = {k: {"wall": 0.0, "cpu": 0.0, "flt": 0} for k, *_ in ITEMS}
    turn = rnd
    for p in pkgs:
        for _ in range(n):
            s = turn % len(ITEMS)
            turn += 1
            for k, argv_of, ok, name in ITEMS[s:] + ITEMS[:s]:
                f0 = faults()
                r = timed_spawn(argv_of(p), env)
                res[k]["flt"] += faults() - f0
                if r["code"] not in ok:
                    die("%s (%s) exited with status %d" % (name, p, r["code"]))
                res[k]["wall"] += r["wall"]
                res[k]["cpu"] += r["cpu"]
    return res

one_round(0)  # warm-up
R = {k: [] for k, *_ in ITEMS}
print()
print("%d timed rounds (wall s per round, %d processes per item):" % (runs, n * len(pkgs)))
print("  round " + "".join("%10s" % k for k, *_ in ITEMS))
for i in range(runs):
    got = one_round(i + 1)
    for k in R:
        R[k].append(got[k])
    print("  %5d " % (i + 1) + "".join("%10.4f" % got[k]["wall"] for k, *_ in ITEMS))

cnt = n * len(pkgs)
print()
print("medians over %d rounds:" % runs)
print("  %-34s %12s %14s %14s" % ("", "wall ms/proc", "user+sys ms/proc", "minor faults/proc"))
for k, _, _, name in ITEMS:
    print("  %-34s %12.3f %14.3f %14.1f" % (name, median_of(R[k]) / cnt * 1e3, median_of(R[k], "cpu") / cnt * 1e3,
                                           median_of(R[k], "flt") / cnt))
print()
print("ratios (median of the per-round ratios; ratio of the medians in brackets):")
def line(label, a, b, goal=""):
    print("  %-58s wall %6.3f [%6.3f]   user+sys %6.3f%s" % (
        label, median_ratio(R[a], R[b]), median_of(R[a]) / median_of(R[b]),
        median_ratio(R[a], R[b], "cpu"), goal))
w = median_ratio(R["pcrw"], R["pkgc"])
line("PER INVOCATION: pkgconf-rewrite P / pkg-config P", "pcrw", "pkgc",
     "   goal <= 1.5: %s; moonshot <= 1.0: %s" % ("met" if w <= 1.5 else "NOT met",
                                                 "met" if w <= 1.0 else "not met"))
line("start-up: pkgconf-rewrite --help / pkg-config --version", "pcrw_v", "pkgc_v")
if base:
    line("baseline P / pkg-config P", "base", "pkgc")
    line("pkgconf-rewrite P / baseline P", "pcrw", "base")
    line("pkgconf-rewrite --help / baseline --help", "pcrw_v", "base_v")
with open("/proc/loadavg") as f:
    print("load at the end: %s (1, 5, 15 min)" % " ".join(f.read().split()[:3]))
PY

run_py "$py" "$pcrw" "$base" "$pkgconfig" "$runs" "$n" "${pkgv[@]}"
