#!/usr/bin/env bash
# Benchmark (issue 15): a fresh static build of examples/sqlite3 (the bundled
# go-sqlite3 amalgamation) by gorelink with the default toolchain (go env CC,
# gcc, and GNU ld) against the same gorelink build with zig as the C compiler
# (CC="zig cc -target x86_64-linux-musl": zig's clang compiles, its lld
# links zig's own musl), and against plain go build with that zig cc (no
# gorelink), in alternating rounds.
#
# Usage: bench/gorelink-vs-zig.sh [GORELINK]
#   GORELINK  the gorelink binary (default: build/gorelink of this checkout;
#             an empty string also means the default)
#
# Environment:
#   RUNS=N     timed rounds (default 3), after one untimed warm-up of each
#   ZIG_TARGET the zig target (default x86_64-linux-musl)
#   ZIG_GLOBAL_CACHE_DIR  zig's cache (zig's default when unset): the warm-up
#              fills it (zig builds musl once per target), so zig is timed warm
#   GO         the go command (default: go on PATH)
#
# "Fresh": every timed build gets a new, empty GOCACHE, so go compiles the
# standard library's cgo packages, go-sqlite3's C amalgamation and every Go
# package again, and links; the Go module cache is shared (the module is not
# downloaded again). gorelink's own cache is a fresh directory per run too.
# Commands, in examples/sqlite3 (TMP a fresh directory):
#   gorelink (gcc):  GORELINK --sqlite3 --json -o TMP/a .
#   gorelink (zig):  CC="zig cc -target T" GORELINK --sqlite3 --json -o TMP/b .
#   go build (zig):  CC="zig cc -target T" go build -tags sqlite_omit_load_extension \
#                      -ldflags '-linkmode=external -extldflags -static' -o TMP/c .
# Wall time is time.perf_counter_ns() around posix_spawn + wait4; CPU time
# (user + sys) the child's rusage, its whole process tree. Every output is
# checked static with `gorelink check` (untimed).
#
# Goal (issue 15): gorelink's fresh build with the default toolchain within
# 1.0x of the zig cc musl build's time (moonshot 0.8x). The script prints the
# ratios; it exits 1 when a requirement is missing or a build fails.
#
# Needs go, gcc, zig (scripts/setup installs it from PyPI's ziglang), python3,
# and github.com/mattn/go-sqlite3 in the module cache or from the proxy.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

handle_help "$@"

gorelink=${1:-$root/build/gorelink}
if [[ $# -gt 1 ]]; then
	die "one argument at most (the gorelink binary); see --help"
fi
runs=${RUNS:-3}
go=${GO:-go}
target=${ZIG_TARGET:-x86_64-linux-musl}
example=$root/examples/sqlite3

need_positive RUNS "$runs"
need_binary gorelink "$gorelink"
gorelink=$(realpath "$gorelink")
gopath=$(command -v "$go") || die "go command '$go' not found: install Go or set GO"
command -v zig >/dev/null || die "zig not found: scripts/setup installs it (pip install ziglang in /opt/gorelink-tools/venv)"
need_python3
[[ -f $example/go.mod && -f $example/main.go ]] || die "$example is missing (this script belongs to a gorelink checkout)"
export GOFLAGS=-buildvcs=false

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gorelink-vs-zig.XXXXXX")
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
cp "$gorelink" "$tmp/gorelink"
mkdir -p "$tmp/share/gorelink"
cp -r "$root/presets" "$tmp/share/gorelink/presets"

cc=$(cd "$example" && "$gopath" env CC)
cc1=${cc%% *}
commit=$(checkout_rev " (checkout has uncommitted changes)")
print_machine_start
print_load
print_machine_basics
echo "gorelink:  $("$gorelink" --version 2>&1 | head -n 1) ($gorelink, commit $commit; timed as a copy in $tmp)"
echo "go:        $("$gopath" version) ($gopath)"
echo "CC:        $cc: $($cc1 --version 2>&1 | head -n 1); linker $($cc1 -print-prog-name=ld): $($($cc1 -print-prog-name=ld) --version 2>&1 | head -n 1)"
echo "zig:       $(zig version) ($(readlink -f "$(command -v zig)")), -target $target"
echo "zig cache: ${ZIG_GLOBAL_CACHE_DIR:-the default, ~/.cache/zig}"
print_python3
print_fs "$tmp"

cd "$example"
read -r -d '' py <<'PY' || true
import json, os, shutil, subprocess, sys

sys.stdout.reconfigure(line_buffering=True)
gorelink, go, tmp, runs, target = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
zigcc = "zig cc -target " + target
out = {k: os.path.join(tmp, k) for k in "abc"}
CMDS = [
    ("gorelink gcc", [gorelink, "--sqlite3", "--json", "-o", out["a"], "."], {}),
    ("gorelink zig", [gorelink, "--sqlite3", "--json", "-o", out["b"], "."], {"CC": zigcc}),
    ("go build zig", [go, "build", "-tags", "sqlite_omit_load_extension", "-ldflags",
                      "-linkmode=external -extldflags -static", "-o", out["c"], "."], {"CC": zigcc}),
]
n = [0]

def fresh_env(extra):
    n[0] += 1
    env = dict(os.environ, **extra)
    env["GOCACHE"] = os.path.join(tmp, "gocache-%d" % n[0])
    env["GORELINK_CACHE_DIR"] = os.path.join(tmp, "grcache-%d" % n[0])
    return env

def spawn(name, cmd, extra):
    o = cmd[cmd.index("-o") + 1]
    if os.path.exists(o):
        os.unlink(o)
    env = fresh_env(extra)
    acts = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, o + ".stdout", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
            (os.POSIX_SPAWN_OPEN, 2, o + ".stderr", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
    r = timed_spawn([shutil.which(cmd[0]) or cmd[0]] + cmd[1:], env, acts)
    if r["code"] != 0:
        with open(o + ".stderr", errors="replace") as f:
            die("%s exited with status %d\n%s" % (name, r["code"], f.read()[-3000:]))
    p = subprocess.run([gorelink, "check", "--json", o], stdout=subprocess.PIPE, text=True)
    v = json.loads(p.stdout or "{}").get("verdict")
    if v != "static":
        die("%s's output is %s, not static" % (name, v))
    r["size"] = os.stat(o).st_size
    for d in (env["GOCACHE"], env["GORELINK_CACHE_DIR"]):   # Go's cache is read-only files
        subprocess.run(["chmod", "-R", "u+w", d], stderr=subprocess.DEVNULL)
        shutil.rmtree(d, ignore_errors=True)
    return r

print()
print("== warm-up (untimed; fills zig's cache for %s and the module cache)" % target)
for name, cmd, extra in CMDS:
    r = spawn(name, cmd, extra)
    print("  %-13s wall %7.2f s  user+sys %7.2f s  static, %d bytes" % (name, r["wall"], r["cpu"], r["size"]))
print()
print("== %d timed round(s), each build with an empty GOCACHE, order rotated per round" % runs)
R = {name: [] for name, _, _ in CMDS}
for i in range(runs):
    order = CMDS[i % 3:] + CMDS[:i % 3]
    line = []
    for name, cmd, extra in order:
        r = spawn(name, cmd, extra)
        R[name].append(r)
        line.append("%s %.2f s (cpu %.2f)" % (name, r["wall"], r["cpu"]))
    print("  round %d: %s   load %s" % (i + 1, "; ".join(line), open("/proc/loadavg").read().split()[0]))
print()
print("== results")
for name, _, _ in CMDS:
    print_summary(name, R[name], 13, 7, 2)
g, z, zb = R["gorelink gcc"], R["gorelink zig"], R["go build zig"]
print("  gorelink (gcc, GNU ld) / zig cc %s (gorelink): wall %.3f, user+sys %.3f  (goal <= 1.0, moonshot <= 0.8)"
      % (target, median_of(g) / median_of(z), median_of(g, "cpu") / median_of(z, "cpu")))
print("  gorelink (gcc, GNU ld) / zig cc %s (plain go build): wall %.3f, user+sys %.3f"
      % (target, median_of(g) / median_of(zb), median_of(g, "cpu") / median_of(zb, "cpu")))
print("  gorelink with zig / plain go build with zig (gorelink's overhead): wall %.3f, user+sys %.3f"
      % (median_of(z) / median_of(zb), median_of(z, "cpu") / median_of(zb, "cpu")))
print("  load average at the end: %s" % " ".join(open("/proc/loadavg").read().split()[:3]))
PY
run_py "$py" "$tmp/gorelink" "$gopath" "$tmp" "$runs" "$target"
