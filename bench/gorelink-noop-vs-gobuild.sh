#!/usr/bin/env bash
# Benchmark: a no-op rebuild. `gorelink --sqlite3 -o OUT` run again with
# nothing changed (OUT up to date: gorelink(1), UP TO DATE) against the
# hand-written static `go build -o OUT` run again with nothing changed (go's
# own no-op: it finds the build ID it would write in OUT and links nothing),
# for examples/sqlite3 with a warm Go build cache, in alternating rounds.
#
# Usage: bench/gorelink-noop-vs-gobuild.sh [GORELINK]
#   GORELINK  the gorelink binary (default: build/gorelink of this checkout)
#
# Environment:
#   RUNS=N    timed rounds (default 7, at least 5), after the first builds
#   GO        the go command (default: go on PATH); gorelink gets it as --go
#   BASELINE=GORELINK2  also time GORELINK2 (another gorelink binary, e.g. a
#             build of main) in the same rounds, as "base" with an output of
#             its own (TMP/c), the three commands in rotating order; its
#             ratio to go build and GORELINK's to it are printed
#   GOCACHE, CC and the rest of the environment apply to both commands
#             alike. GOFLAGS is set to -buildvcs=false for both.
#             GORELINK_CACHE_DIR is a fresh directory of the run's own (the
#             no-op records live there): the first build makes the record.
#
# What is timed, in examples/sqlite3 (TMP a fresh directory):
#   gorelink:     GORELINK --sqlite3 --json -o TMP/a .
#   hand-written: GO build -tags sqlite_omit_load_extension,netgo,osusergo \
#                   -ldflags '-linkmode=external -extldflags "-static"' -o TMP/b .
# Each is built once first (untimed, the outputs then stay), then, 2.5 s
# later (an OUT younger than 2 s is judged by go build on a whole copy of it,
# an older one on a stand-in: gorelink(1), UP TO DATE), timed RUNS times,
# each round both commands, the order alternating. Every gorelink run
# must report up_to_date true and links 0, and neither output may change
# (content, inode; gorelink's mtime too): otherwise the script fails, since
# it would not be measuring a no-op. Wall time is time.perf_counter_ns()
# around posix_spawn + wait4; CPU time is the child's rusage (its tree).
#
# Goal (issue 15): median wall ratio gorelink/go build <= 1.5 (moonshot 1.1).
#
# This is a benchmark, not a test: it prints its results. It exits 1 when a
# requirement is missing, a build fails, or a run is not a no-op.
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
baseline=${BASELINE:-}
if [[ -n $baseline ]]; then
	need_binary "baseline gorelink (BASELINE)" "$baseline"
	baseline=$(realpath "$baseline")
fi
gopath=$(command -v "$go") || die "go command '$go' not found: install Go or set GO"
need_python3
[[ -f $example/go.mod ]] || die "$example is missing (this script belongs to a gorelink checkout)"
export GOFLAGS=-buildvcs=false

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gorelink-noop.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# A private copy (a rebuild of the checkout cannot change what is timed),
# with the presets beside it as installed.
cp "$gorelink" "$tmp/gorelink"
mkdir -p "$tmp/share/gorelink"
cp -r "$root/presets" "$tmp/share/gorelink/presets"
if [[ -n $baseline ]]; then
	mkdir -p "$tmp/base/bin" "$tmp/base/share/gorelink"
	cp "$baseline" "$tmp/base/bin/gorelink"
	cp -r "$root/presets" "$tmp/base/share/gorelink/presets"
fi
export GORELINK_CACHE_DIR=$tmp/cache

commit=$(checkout_rev " (checkout has uncommitted changes)")
print_machine_start
print_load
print_machine_basics
echo "gorelink:  $("$gorelink" --version 2>&1 | head -n 1) ($gorelink, commit $commit; timed as a copy in $tmp)"
if [[ -n $baseline ]]; then
	echo "baseline:  $("$baseline" --version 2>&1 | head -n 1) ($baseline; timed as a copy in $tmp/base/bin)"
fi
echo "go:        $("$gopath" version) ($gopath)"
print_python3
print_fs "$tmp"

cd "$example"
read -r -d '' py <<'PY' || true
import json, os, shlex, subprocess, time

gorelink, go, tmp, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
base = sys.argv[5] if len(sys.argv) > 5 else ""
out_a, out_b, out_c = os.path.join(tmp, "a"), os.path.join(tmp, "b"), os.path.join(tmp, "c")
g_cmd = [gorelink, "--sqlite3"] + (["--go", go] if os.environ.get("GO") else []) + ["--json", "-o", out_a, "."]
b_cmd = [base] + g_cmd[1:-4] + ["--json", "-o", out_c, "."]
h_cmd = [go, "build", "-tags", "sqlite_omit_load_extension,netgo,osusergo",
         "-ldflags", '-linkmode=external -extldflags "-static"', "-o", out_b, "."]
SH = "/bin/sh"

def show(cmd):
    return " ".join(shlex.quote(w) for w in cmd)

def state(p):
    st = os.stat(p)
    with open(p, "rb") as f:
        return f.read(), st.st_ino, st.st_mtime_ns

def spawn(name, cmd, out, first=False):
    acts = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, out + ".stdout", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
            (os.POSIX_SPAWN_OPEN, 2, out + ".stderr", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
    before = None if first else state(out)
    r = timed_spawn([SH, "-c", '"$@"; exit $?', "sh"] + cmd, os.environ, acts)
    if r["code"] != 0:
        with open(out + ".stderr", errors="replace") as f:
            die("%s exited with status %d: %s\n%s" % (name, r["code"], show(cmd), f.read()[-3000:]))
    if name in ("gorelink", "base"):
        with open(out + ".stdout") as f:
            rep = json.load(f)
        if not rep.get("ok") or rep.get("verdict") != "static":
            die("gorelink's report says ok=%s verdict=%s" % (rep.get("ok"), rep.get("verdict")))
        if not first and (rep.get("up_to_date") is not True or rep.get("links") != 0):
            die("gorelink did not find OUT up to date (up_to_date %r, links %r): not a no-op"
                % (rep.get("up_to_date"), rep.get("links")))
    if before is not None:
        after = state(out)
        same = after == before if name in ("gorelink", "base") else after[:2] == before[:2]
        if not same:
            die("%s changed its output in a no-op rebuild" % name)
    return r

print()
print("== no-op rebuild timing")
print("gorelink:     (cd examples/sqlite3 && %s)" % show(g_cmd))
print("hand-written: (cd examples/sqlite3 && %s)" % show(h_cmd))
if base:
    print("base:         (cd examples/sqlite3 && %s)" % show(b_cmd))
print("first builds (untimed; the outputs stay, gorelink records its no-op):")
for name, cmd, out in (("gorelink", g_cmd, out_a), ("hand-written", h_cmd, out_b)) + ((("base", b_cmd, out_c),) if base else ()):
    r = spawn(name, cmd, out, first=True)
    print("  %-12s wall %7.3f s  user+sys %7.3f s" % (name, r["wall"], r["cpu"]))
# An OUT younger than 2 s is judged on a whole copy, an older one on a
# stand-in (gorelink(1), UP TO DATE): the rounds time the second, as a
# rebuild some time after the build is.
time.sleep(2.5)
print()
print("%d timed round(s) of no-op rebuilds, alternating; every gorelink run reports up_to_date" % runs)
print("true and links 0, and neither output changed:")
G, H, B = [], [], []
for i in range(runs):
    if base:
        three = [("gorelink", g_cmd, out_a, G), ("hand-written", h_cmd, out_b, H), ("base", b_cmd, out_c, B)]
        order = three[i % 3:] + three[:i % 3]
    else:
        order = alternate(i, [("gorelink", g_cmd, out_a, G), ("hand-written", h_cmd, out_b, H)])
    for name, cmd, out, acc in order:
        acc.append(spawn(name, cmd, out))
    print("  round %2d  gorelink %7.3f s   go build %7.3f s   ratio %.3f%s"
          % (i + 1, G[-1]["wall"], H[-1]["wall"], G[-1]["wall"] / H[-1]["wall"],
             "   base %7.3f s   ratio %.3f" % (B[-1]["wall"], B[-1]["wall"] / H[-1]["wall"]) if base else ""))
print()
print("== results")
print_summary("gorelink no-op", G, 15, 7, 3)
print_summary("go build no-op", H, 15, 7, 3)
if base:
    print_summary("base no-op", B, 15, 7, 3)
ratio = median_of(G) / median_of(H)
print("  median wall ratio gorelink/go build (no-op): %.3f  (median of the per-round ratios: %.3f;"
      % (ratio, median_ratio(G, H)))
print("  goal <= 1.5: %s; moonshot <= 1.1: %s)" % ("met" if ratio <= 1.5 else "NOT met",
                                                 "met" if ratio <= 1.1 else "not met"))
print("  median user+sys ratio: %.3f" % (median_of(G, "cpu") / median_of(H, "cpu")))
if base:
    print("  base/go build (before): wall %.3f (per round %.3f), user+sys %.3f"
          % (median_of(B) / median_of(H), median_ratio(B, H), median_of(B, "cpu") / median_of(H, "cpu")))
    print("  gorelink/base (after / before): wall %.3f (per round %.3f), user+sys %.3f"
          % (median_of(G) / median_of(B), median_ratio(G, B), median_of(G, "cpu") / median_of(B, "cpu")))
with open("/proc/loadavg") as f:
    print("  load average at the end: %s" % " ".join(f.read().split()[:3]))
PY
run_py "$py" "$tmp/gorelink" "$go" "$tmp" "$runs" ${baseline:+"$tmp/base/bin/gorelink"}
