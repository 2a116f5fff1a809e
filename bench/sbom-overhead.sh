#!/usr/bin/env bash
# Benchmark (issue 16): the overhead of recording the link manifest. The same
# gorelink build with and without --sbom (the linker's trace, dpkg's
# database, the licences, go version -m, the SPDX file), for
# examples/sqlite3 with --sqlite3=system (libsqlite3.a, libz.a, libc.a...)
# and a warm Go build cache, in alternating rounds.
#
# Usage: bench/sbom-overhead.sh [GORELINK]
#   GORELINK  the gorelink binary (default: build/gorelink of this checkout)
#
# Environment:
#   RUNS=N    timed rounds (default 7, at least 5), after one untimed build of each
#   GO        the go command (default: go on PATH); gorelink gets it as --go
#   LINKER    --linker=LINKER for both (default: none, the compiler's GNU ld)
#   GOCACHE, CC and the rest of the environment apply to both commands
#             alike. GOFLAGS is set to -buildvcs=false for both.
#             GORELINK_CACHE_DIR is a fresh directory of the run's own.
#
# What is timed, in examples/sqlite3 (TMP a fresh directory):
#   without: GORELINK --sqlite3=system --json -o TMP/a .
#   with:    GORELINK --sqlite3=system --json --sbom=TMP/a.spdx.json -o TMP/b .
# OUT is removed before each run, so that each links (no UP TO DATE
# shortcut: gorelink(1)); every run must report links 1 and verdict static,
# and every --sbom run must write the SBOM. Wall time is
# time.perf_counter_ns() around posix_spawn + wait4; CPU time is the child's
# rusage (its tree).
#
# Goal (issue 16): median wall ratio with/without <= 1.05.
#
# This is a benchmark, not a test: it prints its results. It exits 1 when a
# requirement is missing or a build fails.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

handle_help "$@"

gorelink=${1:-$root/build/gorelink}
if [[ $# -gt 1 ]]; then
	die "one argument at most (the gorelink binary); see --help"
fi
runs=${RUNS:-7}
go=${GO:-go}
example=$root/examples/sqlite3

need_positive RUNS "$runs"
[[ $runs -ge 5 ]] || die "RUNS=$runs: at least 5 rounds make a median"
need_binary gorelink "$gorelink"
gorelink=$(realpath "$gorelink")
gopath=$(command -v "$go") || die "go command '$go' not found: install Go or set GO"
need_python3
[[ -f $example/go.mod ]] || die "$example is missing (this script belongs to a gorelink checkout)"
pkg-config --exists sqlite3 || die "sqlite3.pc not found: apt-get install libsqlite3-dev"
export GOFLAGS=-buildvcs=false

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gorelink-sbom.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp "$gorelink" "$tmp/gorelink"
mkdir -p "$tmp/share/gorelink"
cp -r "$root/presets" "$tmp/share/gorelink/presets"
export GORELINK_CACHE_DIR=$tmp/cache

commit=$(checkout_rev " (checkout has uncommitted changes)")
print_machine_start
print_load
print_machine_basics
echo "gorelink:  $("$gorelink" --version 2>&1 | head -n 1) ($gorelink, commit $commit; timed as a copy in $tmp)"
echo "go:        $("$gopath" version) ($gopath)"
echo "linker:    ${LINKER:-default, the compiler driver ld}"
print_python3
print_fs "$tmp"

cd "$example"
read -r -d '' py <<'PY' || true
import json, os, shlex

gorelink, go, tmp, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
extra = (["--go", go] if os.environ.get("GO") else []) + (
    ["--linker=" + os.environ["LINKER"]] if os.environ.get("LINKER") else [])
out_a, out_b, sbom = os.path.join(tmp, "a"), os.path.join(tmp, "b"), os.path.join(tmp, "a.spdx.json")
without = [gorelink, "--sqlite3=system"] + extra + ["--json", "-o", out_a, "."]
with_ = [gorelink, "--sqlite3=system"] + extra + ["--json", "--sbom=" + sbom, "-o", out_b, "."]

def show(cmd):
    return " ".join(shlex.quote(w) for w in cmd)

def spawn(name, cmd, out):
    for p in (out, sbom if name == "with" else None):
        if p and os.path.exists(p):
            os.unlink(p)
    acts = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, out + ".stdout", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
            (os.POSIX_SPAWN_OPEN, 2, out + ".stderr", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
    r = timed_spawn(cmd, os.environ, acts)
    if r["code"] != 0:
        with open(out + ".stderr", errors="replace") as f:
            die("%s exited with status %d: %s\n%s" % (name, r["code"], show(cmd), f.read()[-3000:]))
    with open(out + ".stdout") as f:
        rep = json.load(f)
    if rep.get("verdict") != "static" or rep.get("links") != 1:
        die("%s: verdict %r, links %r (want static, 1)" % (name, rep.get("verdict"), rep.get("links")))
    if name == "with" and not os.path.getsize(sbom):
        die("--sbom wrote no SBOM")
    return r

print()
print("== --sbom overhead timing")
print("without: (cd examples/sqlite3 && %s)" % show(without))
print("with:    (cd examples/sqlite3 && %s)" % show(with_))
print("first builds (untimed):")
for name, cmd, out in (("without", without, out_a), ("with", with_, out_b)):
    r = spawn(name, cmd, out)
    print("  %-8s wall %7.3f s  user+sys %7.3f s" % (name, r["wall"], r["cpu"]))
print()
print("%d timed round(s), alternating; OUT removed before each run, each links once:" % runs)
W, N = [], []
for i in range(runs):
    for name, cmd, out, acc in alternate(i, [("without", without, out_a, N), ("with", with_, out_b, W)]):
        acc.append(spawn(name, cmd, out))
    print("  round %2d  without %7.3f s   with --sbom %7.3f s   ratio %.3f"
          % (i + 1, N[-1]["wall"], W[-1]["wall"], W[-1]["wall"] / N[-1]["wall"]))
print()
print("== results")
print_summary("without --sbom", N, 14, 7, 3)
print_summary("with --sbom", W, 14, 7, 3)
ratio = median_of(W) / median_of(N)
print("  median wall ratio with/without --sbom: %.3f  (median of the per-round ratios: %.3f;"
      % (ratio, median_ratio(W, N)))
print("  goal <= 1.05: %s)" % ("met" if ratio <= 1.05 else "NOT met"))
print("  median user+sys ratio: %.3f" % (median_of(W, "cpu") / median_of(N, "cpu")))
with open("/proc/loadavg") as f:
    print("  load average at the end: %s" % " ".join(f.read().split()[:3]))
PY
run_py "$py" "$tmp/gorelink" "$go" "$tmp" "$runs"
