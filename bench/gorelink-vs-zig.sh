#!/usr/bin/env bash
# Benchmark (issue 15): examples/sqlite3 (the bundled go-sqlite3
# amalgamation) built static by gorelink against the hand-written build with
# zig cc (CC="zig cc -target x86_64-linux-musl": zig's clang compiles, its lld
# links zig's own musl), in rotating rounds. Two measures:
#
# warm (the issue's own measure, MODE=warm, the default): "warm caches and
#   fresh outputs". One GOCACHE shared by every command and one gorelink cache,
#   both warmed by an untimed build of each command first, so each timed build
#   compiles nothing and links (go build's cache checks, cmd/link, the external
#   link, and gorelink's own work); every round writes a new output path (no
#   up-to-date shortcut: neither go's nor gorelink's; gorelink's output cache,
#   gorelink(1) UP TO DATE, serves a new path from the binary an earlier
#   build with the same inputs produced). Commands:
#     gorelink:       GORELINK --sqlite3 -o TMP/out/gorelink-N .            (the default:
#                     auto's choice since issue 15, mold when installed)
#     gorelink bfd:   GORELINK --sqlite3 --linker=bfd -o TMP/out/bfd-N .    (GNU ld)
#     gorelink no-oc, gorelink bfd no-oc: the same with
#                     GORELINK_OUTPUT_CACHE_MAX=0 (no output cache: each links)
#     go build zig:   CC="zig cc -target T" go build -tags sqlite_omit_load_extension \
#                       -ldflags '-linkmode=external -extldflags -static' -o TMP/out/zig-N .
#                     (the issue's literal command)
#     go build zig1:  the same with CC=DIR/zigcc-T, a one-word wrapper script
#                     (#!/bin/sh, exec zig cc -target T "$@") generated here
#                     (DIR: ZIGCC1_DIR, default TMP)
#   Why two zig commands: cmd/link probes the external linker for the flags
#   it would like (linkerFlagSupported in $GOROOT/src/cmd/link/internal/ld/
#   lib.go: --compress-debug-sections=zlib, -no-pie, --build-id, ...) by
#   running only the first word of the linker command, argv[0] of
#   ctxt.extld(). With CC="zig cc -target T" that word is "zig" alone: every
#   probe fails ("zig -m64 -o a.out FLAG trivial.c" is no zig command), so
#   that build asks for none of those flags (each failed probe still costs
#   a start of zig): its debug sections are not compressed (a bigger binary,
#   a cheaper link). With a one-word CC the probes run and pass, and zig's
#   build writes zlib-compressed DWARF as gorelink's does (cmd/link asks
#   every linker for it when the probe says the linker takes it; since
#   2026-12-07 evening gorelink-ld links with none and compresses them
#   itself, libdeflate on every CPU, gorelink(1) "Debug sections"): the
#   like-for-like measure.
#   Ratios against both: the median wall and user+sys of each command over
#   the rounds (and the median of the per-round ratios); each output's size
#   and its debug sections (compressed: SHF_COMPRESSED and the ELF
#   compression type from the section's Chdr; read untimed) are printed with
#   the warm-up.
#
# fresh (MODE=fresh): every timed build gets a new, empty GOCACHE, so go
#   compiles the standard library's cgo packages, go-sqlite3's C amalgamation
#   and every Go package again, and links (gcc against zig's clang, mostly);
#   the Go module cache is shared, gorelink's cache is a fresh directory per
#   build too. Commands (TMP a fresh directory):
#     gorelink gcc:  GORELINK --sqlite3 --json -o TMP/a .
#     gorelink zig:  CC="zig cc -target T" GORELINK --sqlite3 --json -o TMP/b .
#     go build zig:  CC="zig cc -target T" go build -tags sqlite_omit_load_extension \
#                      -ldflags '-linkmode=external -extldflags -static' -o TMP/c .
#
# MODE=both runs warm, then fresh.
#
# Usage: bench/gorelink-vs-zig.sh [GORELINK]
#   GORELINK  the gorelink binary (default: build/gorelink of this checkout;
#             an empty string also means the default)
#
# Environment:
#   MODE=warm|fresh|both  the measure (default warm)
#   RUNS=N     timed rounds (default 5 for warm, at least 5 for a figure the
#              issue counts; 3 for fresh, whose builds take minutes), after
#              one untimed warm-up of each command
#   ZIG_TARGET the zig target (default x86_64-linux-musl)
#   OUTPUT_CACHE=both|on|off  (warm) time gorelink's commands with its output
#              cache (on: gorelink, gorelink bfd), without it (off: the no-oc
#              ones), or both (the default)
#   ZIG_GLOBAL_CACHE_DIR  zig's cache (zig's default when unset): the warm-up
#              fills it (zig builds musl once per target), so zig is timed warm
#   GO         the go command (default: go on PATH)
#   BASELINE=GORELINK2  (warm) also time GORELINK2 (another gorelink binary,
#              e.g. a build of main) in the same rounds, its commands named
#              "base ..." (the same options and environment): before and
#              after interleaved, the ratios of each to go build zig and of
#              GORELINK to GORELINK2 printed
#   ZIGCC1_DIR=DIR  where go build zig1's wrapper script is written (default:
#              the run's temporary directory). Go's cache keys cgo's compiles
#              by CC's path: with WARM_GOCACHE, a kept DIR keeps zig1 warm
#              from one run to the next (a new path compiles everything again
#              in the warm-up: a minute or more)
#   WARM_GOCACHE=DIR  (warm) use and keep this GOCACHE instead of a new one
#              (a cache already warm for both compilers saves the warm-up's
#              compiles: minutes on a loaded machine); gorelink's cache is
#              always a new one, warmed by the warm-up
#
# Wall time is time.perf_counter_ns() around posix_spawn + wait4; CPU time
# (user + sys) the child's rusage, its whole process tree, and (the harness
# is a child subreaper, bench/lib.sh) that of the processes it leaves
# behind: mold forks, its parent exits when the output is written and the
# child that linked is reaped by the harness, not by collect2 (before
# 2026-12-07 evening its CPU, 0.25 s per sqlite3 link, was not counted, and
# --linker=auto looked at CPU parity with zig). Every output is
# checked static with `gorelink check` (untimed); the load average is printed
# per round and at the end (other users of the machine inflate wall times:
# user+sys is the steadier figure).
#
# Goal (issue 15): gorelink's build within 1.0x of the zig cc musl build's
# time (moonshot 0.8x). The script prints the ratios; it exits 1 when a
# requirement is missing or a build fails.
#
# Needs go, gcc, zig (scripts/setup installs it from PyPI's ziglang), mold for
# the default (auto) to mean mold (auto takes the fastest installed), python3, and
# github.com/mattn/go-sqlite3 in the module cache or from the proxy.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

handle_help "$@"

gorelink=${1:-$root/build/gorelink}
if [[ $# -gt 1 ]]; then
	die "one argument at most (the gorelink binary); see --help"
fi
mode=${MODE:-warm}
case $mode in
warm|both) runs=${RUNS:-5} ;;
fresh) runs=${RUNS:-3} ;;
*) die "MODE must be warm, fresh or both, not '$mode'" ;;
esac
go=${GO:-go}
oc=${OUTPUT_CACHE:-both}
case $oc in
both|on|off) ;;
*) die "OUTPUT_CACHE must be both, on or off, not '$oc'" ;;
esac
target=${ZIG_TARGET:-x86_64-linux-musl}
example=$root/examples/sqlite3

need_positive RUNS "$runs"
need_binary gorelink "$gorelink"
gorelink=$(realpath "$gorelink")
baseline=${BASELINE:-}
if [[ -n $baseline ]]; then
	need_binary "baseline gorelink (BASELINE)" "$baseline"
	baseline=$(realpath "$baseline")
fi
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
if [[ -n $baseline ]]; then
	mkdir -p "$tmp/base/bin" "$tmp/base/share/gorelink"
	cp "$baseline" "$tmp/base/bin/gorelink"
	cp -r "$root/presets" "$tmp/base/share/gorelink/presets"
fi

# The one-word CC for "go build zig1" (see the header).
zigcc1_dir=${ZIGCC1_DIR:-$tmp}
[[ -d $zigcc1_dir ]] || die "ZIGCC1_DIR=$zigcc1_dir is not a directory"
zigcc1=$(realpath "$zigcc1_dir")/zigcc-$target
printf '#!/bin/sh\nexec zig cc -target %s "$@"\n' "$target" >"$zigcc1.tmp"
chmod +x "$zigcc1.tmp"
mv -f "$zigcc1.tmp" "$zigcc1"

cc=$(cd "$example" && "$gopath" env CC)
cc1=${cc%% *}
commit=$(checkout_rev " (checkout has uncommitted changes)")
print_machine_start
print_load
print_machine_basics
echo "gorelink:  $("$gorelink" --version 2>&1 | head -n 1) ($gorelink, commit $commit; timed as a copy in $tmp)"
if [[ -n $baseline ]]; then
	echo "baseline:  $("$baseline" --version 2>&1 | head -n 1) ($baseline; timed as a copy in $tmp/base/bin)"
fi
echo "go:        $("$gopath" version) ($gopath)"
echo "CC:        $cc: $($cc1 --version 2>&1 | head -n 1); linker $($cc1 -print-prog-name=ld): $($($cc1 -print-prog-name=ld) --version 2>&1 | head -n 1)"
echo "zig:       $(zig version) ($(readlink -f "$(command -v zig)")), -target $target"
echo "zig1 CC:   $zigcc1 (the one-word wrapper of go build zig1)"
echo "zig cache: ${ZIG_GLOBAL_CACHE_DIR:-the default, ~/.cache/zig}"
print_python3
print_fs "$tmp"

cd "$example"
read -r -d '' py <<'PY' || true
import json, os, shutil, subprocess, sys

sys.stdout.reconfigure(line_buffering=True)
gorelink, go, tmp, runs, target, mode, oc = (sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5],
                                             sys.argv[6], sys.argv[7])
base = sys.argv[8]
zigcc = "zig cc -target " + target
zigcc1 = sys.argv[9]  # the one-word wrapper (the script's header says why)
ZIGBUILD = [go, "build", "-tags", "sqlite_omit_load_extension", "-ldflags",
            "-linkmode=external -extldflags -static"]

def loadavg():
    return " ".join(open("/proc/loadavg").read().split()[:3])

def run(name, cmd, env, o):
    """One timed build of cmd (output o) in env, its output checked static (untimed)."""
    acts = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, o + ".stdout", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
            (os.POSIX_SPAWN_OPEN, 2, o + ".stderr", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
    r = timed_spawn([shutil.which(cmd[0]) or cmd[0]] + cmd[1:], env, acts)
    with open(o + ".stderr", errors="replace") as f:
        r["stderr"] = f.read()
    if r["code"] != 0:
        die("%s exited with status %d\n%s" % (name, r["code"], r["stderr"][-3000:]))
    p = subprocess.run([gorelink, "check", "--json", o], stdout=subprocess.PIPE, text=True)
    v = json.loads(p.stdout or "{}").get("verdict")
    if v != "static":
        die("%s's output is %s, not static" % (name, v))
    r["size"] = os.stat(o).st_size
    r["debug"] = debug_sections(o)
    return r

def debug_sections(path):
    """How an ELF file's .debug_* sections are stored: "none", "uncompressed", "zlib", "zstd" or a mix
    ("zlib+uncompressed"): SHF_COMPRESSED and the Chdr's ch_type (ELF64 little-endian only; else "?")."""
    import struct
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 64 or data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return "?"
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3a)
    if shentsize != 64 or shoff + shnum * 64 > len(data) or shstrndx >= shnum:
        return "?"
    def sh(i):
        return struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * 64)
    stro, strs = sh(shstrndx)[4], sh(shstrndx)[5]
    kinds = set()
    for i in range(shnum):
        name, _, flags, _, off, size = sh(i)[:6]
        if stro + name >= len(data):
            return "?"
        end = data.find(b"\0", stro + name, stro + strs)
        if end < 0 or not data[stro + name:end].startswith(b".debug_"):
            continue
        if flags & 0x800:  # SHF_COMPRESSED
            t = struct.unpack_from("<I", data, off)[0] if off + 4 <= len(data) else 0
            kinds.add({1: "zlib", 2: "zstd"}.get(t, "type %d" % t))
        else:
            kinds.add("uncompressed")
    return "+".join(sorted(kinds)) if kinds else "none"

def rm_tree(d):
    subprocess.run(["chmod", "-R", "u+w", d], stderr=subprocess.DEVNULL)   # Go's cache is read-only files
    shutil.rmtree(d, ignore_errors=True)

def ratios(label, a, b, note=""):
    print("  %s: wall %.3f (per round %.3f), user+sys %.3f (per round %.3f)%s"
          % (label, median_of(a) / median_of(b), median_ratio(a, b), median_of(a, "cpu") / median_of(b, "cpu"),
             median_ratio(a, b, "cpu"), note))

def warm():
    """The issue's measure: warm GOCACHE and gorelink cache, a fresh output path per build."""
    env = dict(os.environ)
    keep = os.environ.get("WARM_GOCACHE", "")
    env["GOCACHE"] = os.path.abspath(keep) if keep else os.path.join(tmp, "warm-gocache")
    env["GORELINK_CACHE_DIR"] = os.path.join(tmp, "warm-grcache")
    zenv = dict(env, CC=zigcc)
    zenv1 = dict(env, CC=zigcc1)
    noenv = dict(env, GORELINK_OUTPUT_CACHE_MAX="0")
    outdir = os.path.join(tmp, "out")
    os.makedirs(outdir, exist_ok=True)
    cmds = []
    if oc in ("both", "on"):
        cmds += [("gorelink", lambda o: [gorelink, "--sqlite3", "-o", o, "."], env),
                 ("gorelink bfd", lambda o: [gorelink, "--sqlite3", "--linker=bfd", "-o", o, "."], env)]
    if oc in ("both", "off"):
        cmds += [("gorelink no-oc", lambda o: [gorelink, "--sqlite3", "-o", o, "."], noenv),
                 ("gorelink bfd no-oc", lambda o: [gorelink, "--sqlite3", "--linker=bfd", "-o", o, "."], noenv)]
    if base:
        bcmds = [("base" + name[len("gorelink"):], (lambda mk: lambda o: [base] + mk(o)[1:])(mk), e)
                 for name, mk, e in cmds]
        cmds += bcmds
    cmds.append(("go build zig", lambda o: ZIGBUILD + ["-o", o, "."], zenv))
    cmds.append(("go build zig1", lambda o: ZIGBUILD + ["-o", o, "."], zenv1))
    nc = len(cmds)
    def one(name, mk, e, tag):
        o = os.path.join(outdir, "%s-%s" % (name.replace(" ", "-"), tag))
        if os.path.exists(o):
            die("%s exists: the output path must be new" % o)
        r = run(name, mk(o), e, o)
        for f in (o, o + ".stdout", o + ".stderr"):
            os.unlink(f)
        return r
    print()
    print("== warm: one shared GOCACHE (%s) and gorelink cache; warm-up (untimed, fills both and zig's cache)"
          % (env["GOCACHE"] if keep else "new"))
    for name, mk, e in cmds:
        r = one(name, mk, e, "warmup")
        print("  %-19s wall %7.2f s  user+sys %7.2f s  static, %d bytes, debug sections: %s"
              % (name, r["wall"], r["cpu"], r["size"], r["debug"]))
    # The warm-up ran each once: a second untimed build of each, so that none is timed on its first warm build.
    for name, mk, e in cmds:
        one(name, mk, e, "warmup2")
    print()
    print("== warm: %d timed round(s), a new output path per build, order rotated per round" % runs)
    R = {name: [] for name, _, _ in cmds}
    for i in range(runs):
        order = cmds[i % nc:] + cmds[:i % nc]
        line = []
        for name, mk, e in order:
            r = one(name, mk, e, str(i + 1))
            R[name].append(r)
            line.append("%s %.2f s (cpu %.2f)" % (name, r["wall"], r["cpu"]))
        print("  round %d: %s   load %s" % (i + 1, "; ".join(line), open("/proc/loadavg").read().split()[0]))
    print()
    print("== warm: results (median of %d rounds)" % runs)
    for name, _, _ in cmds:
        print_summary(name, R[name], 19, 7, 3)
    z, z1 = R["go build zig"], R["go build zig1"]
    print("  outputs (last round): " + "; ".join("%s %d bytes, debug %s" % (n, R[n][-1]["size"], R[n][-1]["debug"])
                                                 for n, _, _ in cmds))
    for sfx, what in (("", " (output cache)"), (" no-oc", " (no output cache)")):
        if "gorelink" + sfx not in R:
            continue
        g, b = R["gorelink" + sfx], R["gorelink bfd" + sfx]
        ratios("gorelink (default, auto)%s / go build zig" % what, g, z, "  (goal <= 1.0, moonshot <= 0.8)")
        ratios("gorelink --linker=bfd%s / go build zig" % what, b, z, "  (goal <= 1.0, moonshot <= 0.8)")
        ratios("gorelink (default, auto)%s / go build zig1 (one-word CC)" % what, g, z1)
        ratios("gorelink --linker=bfd%s / go build zig1 (one-word CC)" % what, b, z1)
        ratios("gorelink (default, auto)%s / gorelink --linker=bfd%s" % (what, what), g, b)
    ratios("go build zig1 (one-word CC) / go build zig", z1, z)
    if oc == "both":
        ratios("gorelink (default, auto): output cache / none", R["gorelink"], R["gorelink no-oc"])
    if base:
        for name in [n for n, _, _ in cmds if n.startswith("gorelink")]:
            b = "base" + name[len("gorelink"):]
            ratios("%s / go build zig" % b, R[b], z, "  (before)")
            ratios("%s / go build zig1 (one-word CC)" % b, R[b], z1, "  (before)")
            ratios("%s / %s (after / before)" % (name, b), R[name], R[b])
    print("  load average at the end of warm: %s" % loadavg())
    if not keep:
        rm_tree(env["GOCACHE"])
    rm_tree(env["GORELINK_CACHE_DIR"])

def fresh():
    """Every build with an empty GOCACHE and gorelink cache: the compilers' time, mostly."""
    out = {k: os.path.join(tmp, k) for k in "abc"}
    cmds = [
        ("gorelink gcc", [gorelink, "--sqlite3", "--json", "-o", out["a"], "."], {}),
        ("gorelink zig", [gorelink, "--sqlite3", "--json", "-o", out["b"], "."], {"CC": zigcc}),
        ("go build zig", ZIGBUILD + ["-o", out["c"], "."], {"CC": zigcc}),
    ]
    n = [0]
    def spawn(name, cmd, extra):
        o = cmd[cmd.index("-o") + 1]
        if os.path.exists(o):
            os.unlink(o)
        n[0] += 1
        env = dict(os.environ, **extra)
        env["GOCACHE"] = os.path.join(tmp, "gocache-%d" % n[0])
        env["GORELINK_CACHE_DIR"] = os.path.join(tmp, "grcache-%d" % n[0])
        r = run(name, cmd, env, o)
        rm_tree(env["GOCACHE"])
        rm_tree(env["GORELINK_CACHE_DIR"])
        return r
    print()
    print("== fresh: warm-up (untimed; fills zig's cache for %s and the module cache)" % target)
    for name, cmd, extra in cmds:
        r = spawn(name, cmd, extra)
        print("  %-13s wall %7.2f s  user+sys %7.2f s  static, %d bytes" % (name, r["wall"], r["cpu"], r["size"]))
    print()
    print("== fresh: %d timed round(s), each build with an empty GOCACHE, order rotated per round" % runs)
    R = {name: [] for name, _, _ in cmds}
    for i in range(runs):
        order = cmds[i % 3:] + cmds[:i % 3]
        line = []
        for name, cmd, extra in order:
            r = spawn(name, cmd, extra)
            R[name].append(r)
            line.append("%s %.2f s (cpu %.2f)" % (name, r["wall"], r["cpu"]))
        print("  round %d: %s   load %s" % (i + 1, "; ".join(line), open("/proc/loadavg").read().split()[0]))
    print()
    print("== fresh: results")
    for name, _, _ in cmds:
        print_summary(name, R[name], 13, 7, 2)
    g, z, zb = R["gorelink gcc"], R["gorelink zig"], R["go build zig"]
    print("  gorelink (gcc, GNU ld) / zig cc %s (gorelink): wall %.3f, user+sys %.3f"
          % (target, median_of(g) / median_of(z), median_of(g, "cpu") / median_of(z, "cpu")))
    print("  gorelink (gcc, GNU ld) / zig cc %s (plain go build): wall %.3f, user+sys %.3f  (goal <= 1.0, moonshot <= 0.8)"
          % (target, median_of(g) / median_of(zb), median_of(g, "cpu") / median_of(zb, "cpu")))
    print("  gorelink with zig / plain go build with zig (gorelink's overhead): wall %.3f, user+sys %.3f"
          % (median_of(z) / median_of(zb), median_of(z, "cpu") / median_of(zb, "cpu")))
    print("  load average at the end of fresh: %s" % loadavg())

if mode in ("warm", "both"):
    if runs < 5:
        print("note: RUNS=%d: the issue's figures are medians of at least 5 rounds" % runs)
    warm()
if mode in ("fresh", "both"):
    fresh()
print()
print("load average at the end: %s" % loadavg())
PY
run_py "$py" "$tmp/gorelink" "$gopath" "$tmp" "$runs" "$target" "$mode" "$oc" "${baseline:+$tmp/base/bin/gorelink}" "$zigcc1"
