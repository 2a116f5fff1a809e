#!/usr/bin/env bash
# Benchmark: start-up of the static release build (scripts/release) against
# the dynamic default build, on commands that do little besides starting:
#   gorelink --version           (gorelink's own start + library versions)
#   pkgconf-rewrite --help       (pkgconf-rewrite has no --version)
#   gorelink check SMALL         (SMALL: a static `int main(void){return 0;}`
#                                 built here with cc -static -Os -s)
#   pkgconf-rewrite zlib         (one real resolution, warm toolchain cache)
#
# Usage: bench/static-vs-dynamic-startup.sh [DYNAMIC-DIR [STATIC-DIR]]
#   DYNAMIC-DIR  holds the dynamic gorelink and pkgconf-rewrite (default: build)
#   STATIC-DIR   holds the static ones (default: build-release; make it with
#                scripts/release)
#
# Environment:
#   RUNS=N   timed rounds (default 200), after 10 untimed warm-up rounds
#
# Each round runs every command once with each build, in an order that
# alternates with the round; wall time is time.perf_counter_ns() around
# posix_spawn + wait4 in python3, stdout and stderr to /dev/null.  Printed:
# the median wall and user+sys of each, and the median of the per-round
# static/dynamic ratios.  This is a benchmark, not a test; it exits 1 when a
# binary is missing or a command fails.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
handle_help "${1-}"
dyn=${1:-$root/build}
sta=${2:-$root/build-release}
runs=${RUNS:-200}
need_positive RUNS "$runs"
need_python3
for d in "$dyn" "$sta"; do
	need_binary gorelink "$d/gorelink"
	need_binary pkgconf-rewrite "$d/pkgconf-rewrite"
done
"$dyn/gorelink" check "$sta/gorelink" >/dev/null || die "$sta/gorelink is not static: run scripts/release"
"$dyn/gorelink" check "$dyn/gorelink" >/dev/null && die "$dyn/gorelink is static: not the dynamic build"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'int main(void) { return 0; }\n' >"$work/small.c"
cc -static -Os -s -o "$work/small" "$work/small.c" || die "cc -static failed (apt-get install gcc libc6-dev)"
export GORELINK_CACHE_DIR=$work/cache
"$dyn/pkgconf-rewrite" zlib >/dev/null || die "pkgconf-rewrite zlib failed (apt-get install zlib1g-dev)"

print_machine_start
print_load
print_machine_basics
print_python3
echo "commit:    $(checkout_rev '+changes')"
echo "dynamic:   $dyn ($(stat -c %s "$dyn/gorelink") + $(stat -c %s "$dyn/pkgconf-rewrite") bytes)"
echo "static:    $sta ($(stat -c %s "$sta/gorelink") + $(stat -c %s "$sta/pkgconf-rewrite") bytes)"
echo "small:     $(stat -c %s "$work/small") bytes (a static 'return 0' in C, stripped)"
echo "rounds:    $runs"
echo

run_py '
dyn, sta, small, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
env = dict(os.environ)
cmds = [("gorelink --version", ["gorelink", "--version"]),
        ("pkgconf-rewrite --help", ["pkgconf-rewrite", "--help"]),
        ("gorelink check SMALL", ["gorelink", "check", small]),
        ("pkgconf-rewrite zlib", ["pkgconf-rewrite", "zlib"])]
res = {(n, b): [] for n, _ in cmds for b in ("dynamic", "static")}
for i in range(10 + runs):
    for name, argv in alternate(i, cmds):
        for build, d in alternate(i, [("dynamic", dyn), ("static", sta)]):
            r = timed_spawn([os.path.join(d, argv[0])] + argv[1:], env)
            if r["code"] != 0:
                die("%s (%s) exited %d" % (name, build, r["code"]))
            if i >= 10:
                res[(name, build)].append(r)
print("== results (median over %d rounds)" % runs)
for name, _ in cmds:
    d, s = res[(name, "dynamic")], res[(name, "static")]
    print("%-24s dynamic %7.2f ms (user+sys %6.2f)   static %7.2f ms (user+sys %6.2f)   ratio %.3f"
          % (name, 1e3 * median_of(d), 1e3 * median_of(d, "cpu"), 1e3 * median_of(s),
             1e3 * median_of(s, "cpu"), median_ratio(s, d)))
' "$dyn" "$sta" "$work/small" "$runs"
