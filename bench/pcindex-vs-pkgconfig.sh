#!/usr/bin/env bash
# Benchmark: building the index of installed .pc files by -l name
# (pkgconf-rewrite/gr_pcindex, the ground of issue 12) against
# `pkg-config --list-all` over the machine's real .pc set, in one run; then a
# check that both saw the same packages.
#
# Usage: bench/pcindex-vs-pkgconfig.sh [BUILD-DIR]
#   BUILD-DIR  the CMake build directory holding libgorelink_core.a
#              (default: build of this checkout; an empty string also means
#              the default)
#
# Environment:
#   RUNS=N   timed rounds (default 20), after one untimed warm-up of each item
#   PKG_CONFIG_PATH, PKG_CONFIG_LIBDIR, PKG_CONFIG_SYSROOT_DIR apply to
#            pkg-config and the index alike, as usual
#
# This is a benchmark, not a test: it prints its results. It exits 1 when a
# requirement is missing, when a timed command fails, or when the warm item
# did not read the cache.
#
# gorelink builds the index inside a build (the inference of a bare -l's
# package, pkgconf-rewrite/gr_infer), where it cannot be timed alone, so
# the script compiles a small driver, pcindex-drv, against
# BUILD-DIR/libgorelink_core.a and libpkgconf: it calls gr_pcindex_open once
# with the environment, prints a summary line (or, with --names, the package
# names) and exits. The driver is compiled into a private directory at the
# start, so a rebuild of the checkout during the run cannot change what is
# timed.
#
# What is timed (stdout and stderr to /dev/null; wall time is
# time.perf_counter_ns() around posix_spawn + wait4 in python3, CPU time the
# child's rusage), in every round, in an order that is reversed every other
# round:
#   cold      pcindex-drv, GORELINK_CACHE_DIR a new empty directory (one per
#             round, made before the round): every dir listed, every .pc
#             stat()ed and parsed with libpkgconf, the entry written
#   nocache   pcindex-drv, GORELINK_CACHE_DIR set but empty (no cache): the
#             same without the write, what gr_pc_packages_with_lib does
#   warm      pcindex-drv with a cache filled by an untimed run: every dir
#             listed and every .pc stat()ed, the entry read and checked
#   list-all  pkg-config --list-all: every .pc parsed by libpkgconf and one
#             line printed per package (the baseline of every ratio)
#   floor     pkg-config --version: what starting such a process costs
# Medians over the rounds; ratios against list-all: the ratio of the medians
# and the median of the per-round ratios, for wall and CPU time. Then, when
# valgrind is installed, the instructions each item executes in one run
# under callgrind: a count the machine's load does not change.
#
# Agreement: the names the index holds against the first column of
# pkg-config --list-all (each name once). A name only pkg-config lists must
# be a .pc the index skipped because libpkgconf warned that it lost
# information on it (the index lists those); anything else is UNEXPLAINED.
#
# Needs cc, pkg-config, libpkgconf-dev and python3; valgrind for the counts.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

handle_help "$@"

build=${1:-$root/build}
runs=${RUNS:-20}

need_positive RUNS "$runs"
[[ -f $build/libgorelink_core.a ]] || die "$build/libgorelink_core.a not found (build it: cmake --build --preset default)"
cc=$(command -v cc) || die "cc not found: install the gcc package"
pkgconfig=$(command -v pkg-config) || die "pkg-config not found: install the pkgconf package"
pkgconf_flags=$("$pkgconfig" --cflags --libs libpkgconf) || die "libpkgconf not found by pkg-config: install the libpkgconf-dev package"
need_python3

work=$(mktemp -d "${TMPDIR:-/tmp}/pcindex-vs-pkgconfig.XXXXXX")
trap 'rm -rf "$work"' EXIT

cat >"$work/drv.c" <<'C'
/* pcindex-drv: gr_pcindex_open once; a summary line, or the names (--names). */
#include <stdio.h>
#include <string.h>

#include "gr_pcindex.h"

extern char **environ;

int
main(int argc, char **argv)
{
	struct gr_env env;
	struct gr_pcindex *ix;
	struct gr_error e;
	size_t i;

	gr_env_from_environ(&env, environ);
	if (gr_pcindex_open(&env, &ix, &e) != GR_OK) {
		fprintf(stderr, "pcindex-drv: %s\n", e.msg);
		return 1;
	}
	if (argc > 1 && !strcmp(argv[1], "--names")) {
		for (i = 0; i < ix->npkgs; i++)
			printf("%s\n", ix->pkgs[i].name);
		for (i = 0; i < ix->nskipped; i++)
			printf("skipped\t%s\t%s\n", ix->skipped[i].path, ix->skipped[i].why);
	} else {
		printf("dirs %zu packages %zu skipped %zu refs %zu from_cache %d stored %d\n", ix->ndirs,
		       ix->npkgs, ix->nskipped, ix->nrefs, ix->from_cache, ix->stored);
		for (i = 0; i < ix->ndirs; i++)
			printf("dir\t%s\n", ix->dirs[i]);
	}
	gr_pcindex_free(ix);
	return 0;
}
C
# shellcheck disable=SC2086 # the flags are words
"$cc" -O2 -I"$root/common" -I"$root/pkgconf-rewrite" "$work/drv.c" "$build/libgorelink_core.a" \
	$pkgconf_flags -o "$work/pcindex-drv" || die "the driver did not compile against $build/libgorelink_core.a"

print_machine_start
print_load
print_machine_basics
echo "checkout:  $(checkout_rev "+uncommitted") ($build/libgorelink_core.a, $(date -u -r "$build/libgorelink_core.a" '+%Y-%m-%d %H:%M UTC'))"
echo "pkg-config: $("$pkgconfig" --version) ($pkgconfig); libpkgconf $("$pkgconfig" --modversion libpkgconf)"
echo "cc:        $("$cc" --version | head -n 1)"
print_python3
print_fs "$work"

read -r -d '' py <<'PY' || true
import os, re, shutil, statistics, subprocess, sys, tempfile

sys.stdout.reconfigure(line_buffering=True)
drv, pkgconfig, work, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
env0 = dict(os.environ)
env0["LC_ALL"] = "C"

def run(cmd, env):
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        die("exit status %d: %s: %s" % (p.returncode, " ".join(cmd), p.stderr.decode(errors="replace")))
    return p.stdout.decode(errors="replace")

# ------------------------------------------------------------ the .pc set
nocache = dict(env0, GORELINK_CACHE_DIR="")
summary = run([drv], nocache).splitlines()
names_out = run([drv, "--names"], nocache).splitlines()
ix_names = [l for l in names_out if not l.startswith("skipped\t")]
skipped = [l.split("\t")[1:] for l in names_out if l.startswith("skipped\t")]
listall = run([pkgconfig, "--list-all"], env0).splitlines()
la_names = [l.split()[0] for l in listall if l.strip()]
print()
print("== the .pc set")
print("index: " + summary[0])
print("search path (as libpkgconf built it):")
for l in summary[1:]:
    print("  " + l.split("\t", 1)[1])
nfiles = 0
for l in summary[1:]:
    d = l.split("\t", 1)[1]
    try:
        nfiles += sum(1 for n in os.listdir(d) if n.endswith(".pc") and len(n) > 3)
    except OSError:
        pass
print(".pc files in those dirs: %d; packages in the index: %d; skipped: %d" % (nfiles, len(ix_names), len(skipped)))
for path, why in skipped:
    print("  skipped %s: %s" % (path, why))
print("pkg-config --list-all: %d lines, %d distinct names" % (len(la_names), len(set(la_names))))
only_ix = sorted(set(ix_names) - set(la_names))
only_la = sorted(set(la_names) - set(ix_names))
skipped_names = {os.path.basename(p)[:-3] for p, _ in skipped}
unexplained = only_ix + [n for n in only_la if n not in skipped_names]
for n in only_la:
    if n in skipped_names:
        print("  only in --list-all: %s (skipped by the index: libpkgconf warned it lost information)" % n)
for n in unexplained:
    print("  UNEXPLAINED: %s is only in %s" % (n, "the index" if n in only_ix else "pkg-config --list-all"))
print("agreement: %s" % ("same packages" if not only_ix and not only_la else
                         "%d differences, %d unexplained" % (len(only_ix) + len(only_la), len(unexplained))))

# ------------------------------------------------------------------ timing
warm_dir = os.path.join(work, "warm")
os.mkdir(warm_dir)
warm_env = dict(env0, GORELINK_CACHE_DIR=warm_dir)
first = run([drv], warm_env).splitlines()[0]
if " stored 1" not in first:
    die("the untimed run did not store the index (%s): a .pc dir changed in the last seconds? run again" % first)
if " from_cache 1" not in run([drv], warm_env).splitlines()[0]:
    die("the warm run did not read the cache")

ITEMS = ["cold", "nocache", "warm", "list-all", "floor"]
R = {k: [] for k in ITEMS}

def spawn(cmd, env):
    r = timed_spawn(cmd, env)
    if r["code"] != 0:
        die("exit status %d: %s" % (r["code"], " ".join(cmd)))
    return r

def item(name, rnd):
    if name == "cold":
        d = tempfile.mkdtemp(dir=work, prefix="cold-%d-" % rnd)
        return [drv], dict(env0, GORELINK_CACHE_DIR=d)
    if name == "nocache":
        return [drv], nocache
    if name == "warm":
        return [drv], warm_env
    if name == "list-all":
        return [pkgconfig, "--list-all"], env0
    return [pkgconfig, "--version"], env0

for name in ITEMS:   # the untimed warm-up: the page cache, the dynamic loader
    cmd, env = item(name, -1)
    spawn(cmd, env)
for i in range(runs):
    prepared = {name: item(name, i) for name in ITEMS}
    for name in alternate(i, ITEMS):
        cmd, env = prepared[name]
        R[name].append(spawn(cmd, env))

print()
print("== timing (%d rounds; medians)" % runs)
for name in ITEMS:
    print_summary(name, R[name], 9, 8, 5)
print()
print("ratios against pkg-config --list-all (ratio of the medians; median of the per-round ratios):")
for name in ["cold", "nocache", "warm", "floor"]:
    print("  {:<8} wall {:6.3f} ({:6.3f})   user+sys {:6.3f} ({:6.3f})".format(
        name, median_of(R[name]) / median_of(R["list-all"]), median_ratio(R[name], R["list-all"]),
        median_of(R[name], "cpu") / max(median_of(R["list-all"], "cpu"), 1e-9),
        median_ratio(R[name], R["list-all"], "cpu") if all(r["cpu"] > 0 for r in R["list-all"]) else float("nan")))
print("  warm/cold wall {:6.3f}".format(median_of(R["warm"]) / median_of(R["cold"])))
print("above the floor (median wall minus floor's):")
fl = median_of(R["floor"])
for name in ["cold", "nocache", "warm", "list-all"]:
    print("  {:<8} {:8.5f} s".format(name, median_of(R[name]) - fl))

# Instructions executed (callgrind, one run each): the same work counted
# without the machine's load and the clock's resolution in it.
vg = shutil.which("valgrind")
if vg:
    print()
    print("instructions executed (valgrind --tool=callgrind, one run each; ratio against list-all):")
    counts = {}
    for name in ITEMS:
        cmd, env = item(name, 1000)
        if name == "warm" and " from_cache 1" not in run([drv], env).splitlines()[0]:
            die("the warm cache went stale")
        p = subprocess.run([vg, "--tool=callgrind", "--callgrind-out-file=" + os.path.join(work, "callgrind.out")] + cmd,
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        m = re.search(r"Collected : (\d+)", p.stderr.decode(errors="replace"))
        if p.returncode != 0 or not m:
            die("callgrind failed on %s (%d)" % (" ".join(cmd), p.returncode))
        counts[name] = int(m.group(1))
    for name in ITEMS:
        print("  {:<8} {:12,d}   {:6.3f}".format(name, counts[name], counts[name] / counts["list-all"]))
else:
    print()
    print("instructions executed: valgrind not found (install the valgrind package to count them)")
if unexplained:
    sys.exit(1)
PY

run_py "$py" "$work/pcindex-drv" "$pkgconfig" "$work" "$runs"
