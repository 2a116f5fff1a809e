#!/usr/bin/env bash
# Benchmark: `gorelink --sqlite3` against the hand-written `go build` that
# does the same job for examples/sqlite3 (github.com/mattn/go-sqlite3, the
# bundled amalgamation), with a warm Go build cache and the same linker,
# in alternating runs; and gorelink's own peak RSS.
#
# Usage: bench/gorelink-vs-gobuild.sh [GORELINK]
#   GORELINK  the gorelink binary (default: build/gorelink of this checkout;
#             an empty string also means the default)
#
# Environment:
#   RUNS=N    timed rounds (default 7), after one untimed warm-up of each
#   GO        the go command (default: go on PATH); gorelink gets it as --go
#   GORELINK_CACHE_DIR, GOCACHE, CC and the rest of the environment apply to
#             both commands alike. GOFLAGS is set to -buildvcs=false for both.
#
# This is a benchmark, not a test: it prints its results. It exits 1 when a
# requirement is missing, when a build fails, when an output is not static,
# or when gorelink's go command is not the hand-written one plus the
# differences listed below (then the comparison would not be fair).
#
# What is timed, in examples/sqlite3, with TMP a fresh directory (stdout and
# stderr of both to files in TMP; the outputs are removed before every run):
#   gorelink:     GORELINK --sqlite3 --linker=bfd --json -o TMP/a .
#   hand-written: GO build -tags sqlite_omit_load_extension,netgo,osusergo \
#                   -ldflags '-linkmode=external -extldflags "-static"' -o TMP/b .
# Each runs as sh -c '"$@"; exit $?' sh CMD... (sh forks CMD; see below).
# Wall time is time.perf_counter_ns() around posix_spawn + wait4 in python3;
# CPU time (user + sys) is the child's rusage, which includes every process
# it waited for (go, compile, link, gcc, ld, gorelink-ld). go build does not
# cache linked executables, so every run of either command links again; but
# it does skip the link when the -o file is already there with the build ID
# it would write (a rebuild of an up-to-date TMP/b takes about 0.08 s), which
# gorelink, linking to a new temporary file, never does: hence the removal
# of both outputs before every run.
#
# Before the warm-ups the script shows that the two commands do the same
# build: it runs `gorelink --dry-run --json` and the hand-written command
# once more with -v added to its -ldflags (cmd/link then prints its host
# link command), and compares the go commands and the host link commands.
# The go commands must have the same words apart from:
#   -ldflags  gorelink passes -linkmode=external -extld=HELPDIR/gorelink-ld
#             (its link wrapper, which adds -static to the link itself) where
#             the hand-written command passes -extldflags "-static";
#   -o        gorelink builds into a temporary directory beside OUT, then
#             checks the binary and renames it into place.
# The host link commands must be the same after the per-run temporary paths
# and the build ID are blanked, and gorelink's archive paths (libdl.a ...)
# are read back as the -l they came from (-ldl ...).
# What gorelink does besides: it runs `go env` and `go list` before
# go build, cmd/link runs gorelink-ld (which runs the C compiler) instead of
# the C compiler, also for its probe links, and gorelink checks the result.
# That overhead is what the ratio measures.
#
# After every run both outputs are checked with `gorelink check --json`
# (untimed): both must be static. gorelink's peak RSS is self_max_rss_kib
# from its --json report: getrusage(RUSAGE_SELF), children excluded. Linux
# carries the peak RSS of the program a process ran before execve into
# RUSAGE_SELF, so that figure is at least the RSS of whatever spawned
# gorelink: spawned straight from python3 (whose posix_spawn execs in a child
# sharing python3's memory) it would be python3's RSS, about 14 MiB. The
# small sh in between (dash on Debian, under 1 MiB) keeps it gorelink's own.
#
# Other work on the machine makes wall times grow and moves the ratio. The
# script prints the load average before and after, and the CPU time other
# processes used during the timed rounds (busy time from /proc/stat minus
# its own and its children's rusage), and prints a WARNING when the 1-minute
# load average was above 1 at the start or others used more than 0.1 CPUs
# on average (or the hypervisor stole that much): the CPU-time ratio is the
# one to trust then. (The load average during the run includes the benchmark
# itself, about one CPU.)
#
# gorelink is timed as a private copy made at the start, so that a rebuild
# of the checkout during the run cannot change what is timed.
#
# Goals (issue 4): median wall ratio gorelink/hand-written <= 1.05;
# gorelink's peak RSS <= 16 MiB.
#
# Needs go, the C compiler go uses (go env CC), python3, and the Go module
# github.com/mattn/go-sqlite3 in the module cache or from the proxy.
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
need_binary gorelink "$gorelink"
gorelink=$(realpath "$gorelink")
gopath=$(command -v "$go") || die "go command '$go' not found: install Go or set GO"
need_python3
[[ -f $example/go.mod && -f $example/main.go ]] || die "$example is missing (this script belongs to a gorelink checkout)"
if [[ -n ${CGO_ENABLED-} && $CGO_ENABLED != 1 ]]; then
	die "CGO_ENABLED=$CGO_ENABLED: the hand-written build needs cgo; unset CGO_ENABLED"
fi
export GOFLAGS=-buildvcs=false

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gorelink-vs-gobuild.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp "$gorelink" "$tmp/gorelink"
# Presets are found beside the program (share/gorelink/presets), as installed.
mkdir -p "$tmp/share/gorelink"
cp -r "$root/presets" "$tmp/share/gorelink/presets"

cc=$(cd "$example" && "$gopath" env CC)
cc1=${cc%% *}
ld=$($cc1 -print-prog-name=ld 2>/dev/null || echo ld)
commit=$(checkout_rev " (checkout has uncommitted changes)")
print_machine_start
print_load
print_machine_basics
echo "gorelink:  $("$gorelink" --version 2>&1 | head -n 1) ($gorelink, commit $commit; timed as a copy in $tmp)"
echo "go:        $("$gopath" version) ($gopath)"
echo "CC:        $cc: $($cc1 --version 2>&1 | head -n 1)"
echo "linker:    $ld: $($ld --version 2>&1 | head -n 1)"
print_python3
echo "sh:        /bin/sh -> $(readlink -f /bin/sh) (runs each timed command)"
echo "GOCACHE:   $(cd "$example" && "$gopath" env GOCACHE)"
echo "GOFLAGS:   $GOFLAGS"
echo "gorelink cache: ${GORELINK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/gorelink}"
print_fs "$tmp"

cd "$example"
read -r -d '' py <<'PY' || true
import difflib, json, os, re, resource, shlex, statistics, subprocess, sys, time

sys.stdout.reconfigure(line_buffering=True)
gorelink, go, tmp, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

TAGS = "sqlite_omit_load_extension,netgo,osusergo"
LDFLAGS = '-linkmode=external -extldflags "-static"'
out_a, out_b = os.path.join(tmp, "a"), os.path.join(tmp, "b")
# --go only when GO is set, so that by default the command is exactly the documented one.
# --linker=bfd: the hand-written build's linker (GNU ld); gorelink's default,
# auto (mold when installed), is measured by bench/linkers.sh.
g_cmd = [gorelink, "--sqlite3", "--linker=bfd"] + (["--go", go] if os.environ.get("GO") else []) + ["--json", "-o", out_a, "."]
h_cmd = [go, "build", "-tags", TAGS, "-ldflags", LDFLAGS, "-o", out_b, "."]

# Both commands run under `sh -c '"$@"; exit $?' sh CMD...`, which forks CMD.
# Linux keeps a process's peak RSS across execve (signal->maxrss takes the
# old image's high-water mark), and posix_spawn from python3 execs in a child
# that shares python3's memory: gorelink spawned directly would report
# python3's RSS (about 14 MiB) as its own self_max_rss_kib. Forked from dash
# it starts from dash's (well under 1 MiB). The extra sh costs both
# commands the same, about a millisecond.
SH = "/bin/sh"

def load():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]

def show(cmd):
    return " ".join(shlex.quote(w) for w in cmd)

# ---------------------------------------------------------------- the same build?
print()
print("== equivalence (untimed, before the warm-ups)")
p = subprocess.run(g_cmd[:-3] + ["--dry-run", "-o", out_a, "."], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
try:
    dry = json.loads(p.stdout)
except ValueError:
    dry = None
if p.returncode != 0 or not dry or not dry.get("ok"):
    die("gorelink --dry-run failed (exit %d): %s" % (p.returncode, p.stderr.strip() or p.stdout.strip()))
gcmd, glink = dry["go_command"], dry["link_argv"]
print("gorelink --dry-run go command: " + show(gcmd))
print("hand-written go command:       " + show(h_cmd))

def words(cmd):
    """The go command's words, with -tags, -ldflags and -o taken out."""
    rest, flags, i = [], {}, 0
    while i < len(cmd):
        w = cmd[i]
        m = re.match(r"^--?(tags|ldflags|o)(=(.*))?$", w)
        if m:
            if m.group(2) is not None:
                flags[m.group(1)] = m.group(3)
            else:
                flags[m.group(1)] = cmd[i + 1]
                i += 1
        else:
            rest.append(w)
        i += 1
    return rest, flags

grest, gflags = words(gcmd)
hrest, hflags = words(h_cmd)
grest[0] = hrest[0] = "go"                    # the same go, named differently
bad = []
if grest != hrest:
    bad.append("other words differ: gorelink %s, hand-written %s" % (grest, hrest))
gtags = gflags.get("tags", "").split(",")
if gtags != TAGS.split(","):
    bad.append("tags differ: gorelink %s, hand-written %s" % (",".join(gtags), TAGS))
gld = shlex.split(gflags.get("ldflags", ""))
extra = [w for w in gld if w not in ("-linkmode=external",) and not re.match(r"^-extld=(.*/)?gorelink-ld$", w)]
if "-linkmode=external" not in gld or len(extra):
    bad.append("gorelink's -ldflags are not -linkmode=external -extld=.../gorelink-ld: " + gflags.get("ldflags", ""))
if not glink or glink[-1] != "-static":
    bad.append("gorelink's link command does not end in -static: " + show(glink))
print("  tags:     the same, in the same order (%s)" % ",".join(gtags) if gtags == TAGS.split(",") else "  tags:     DIFFER")
print("  -ldflags: gorelink %s" % shlex.quote(gflags.get("ldflags", "")))
print("            hand-written %s" % shlex.quote(LDFLAGS))
print("            (gorelink-ld, found on PATH by that fixed name, adds -static to the link)")
print("  -o:       gorelink %s (a temporary directory beside OUT; checked, then renamed to OUT)" % gflags.get("o"))
print("  the rest: %s" % ("the same: " + show(grest) if grest == hrest else "DIFFERS"))

# cmd/link -v prints the host link command ("host link: "gcc" "-m64" ...).
hv = h_cmd[:5] + [LDFLAGS + " -v"] + h_cmd[6:]
p = subprocess.run(hv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
if p.returncode != 0:
    die("%s failed (exit %d): %s" % (show(hv), p.returncode, p.stderr.strip()[-2000:]))
hlink = None
for line in p.stderr.splitlines():
    if line.startswith("host link: "):
        hlink = shlex.split(line[len("host link: "):])
if not hlink:
    die("no 'host link:' line in the output of " + show(hv))

archives = set(dry.get("archives") or [])

def norm(argv, is_gorelink):
    out = []
    for w in argv:
        # gorelink gives go build a TMPDIR inside its helper directory.
        w = re.sub(r"^.*/gorelink-[A-Za-z0-9]{6}/tmp/", "/tmp/", w)
        w = re.sub(r"/go-link-\d+/", "/go-link-N/", w)
        w = re.sub(r"/go-build\d+/", "/go-buildN/", w)
        w = re.sub(r"^(-Wl,--build-id=0x)[0-9a-f]+$", r"\1...", w)
        if is_gorelink and w == "-fuse-ld=bfd":
            continue  # --linker=bfd: GNU ld, the compiler's own ld, which the hand-written link runs
        if is_gorelink and w in archives:
            m = re.match(r"^lib(.+)\.a$", os.path.basename(w))
            if m:
                w = "-l" + m.group(1)
        out.append(w)
    return out

ng, nh = norm(glink, True), norm(hlink, False)
print("host link (cmd/link's, from -ldflags ... -v): %d words; gorelink's final link: %d words" % (len(hlink), len(glink)))
print("  linker:   %s for both (gorelink: %s)" % (hlink[0], glink[0]) if hlink[0] == glink[0] else
      "  linker:   DIFFERS: hand-written %s, gorelink %s" % (hlink[0], glink[0]))
if hlink[0] != glink[0]:
    bad.append("not the same linker")
if ng == nh:
    print("  the same after blanking temporary paths and the build ID, and reading gorelink's archives")
    print("  (%s) as the -l they came from" % " ".join(sorted(archives)))
else:
    bad.append("the host link commands differ")
    for d in difflib.unified_diff(nh, ng, "hand-written", "gorelink", n=2, lineterm=""):
        print("  " + d)
if bad:
    for b in bad:
        print("NOT EQUIVALENT: " + b)
    die("the two commands do not do the same build; the comparison would not be fair")

# ---------------------------------------------------------------- timing
def spawn(name, cmd, out):
    for f in (out, out + ".stdout", out + ".stderr"):
        try:
            os.unlink(f)
        except FileNotFoundError:
            pass
    acts = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, out + ".stdout", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
            (os.POSIX_SPAWN_OPEN, 2, out + ".stderr", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
    la = load()[0]
    r = timed_spawn([SH, "-c", '"$@"; exit $?', "sh"] + cmd, os.environ, acts)
    if r["code"] != 0:
        with open(out + ".stderr", errors="replace") as f:
            die("%s exited with status %d: %s\n%s" % (name, r["code"], show(cmd), f.read()[-3000:]))
    r["load"] = la
    if name == "gorelink":
        with open(out + ".stdout") as f:
            rep = json.load(f)
        if not rep.get("ok") or rep.get("verdict") != "static":
            die("gorelink's report says ok=%s verdict=%s" % (rep.get("ok"), rep.get("verdict")))
        r["rss"] = rep["self_max_rss_kib"]
    # Untimed: the output must be static, or the comparison is not fair.
    p = subprocess.run([gorelink, "check", "--json", out], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        v = json.loads(p.stdout)["verdict"]
    except (ValueError, KeyError):
        v = "unreadable (exit %d: %s)" % (p.returncode, p.stderr.strip())
    if v != "static":
        die("%s's output %s is %s, not static" % (name, out, v))
    r["size"] = os.stat(out).st_size
    return r

def cpustat():
    """The machine's busy and steal CPU seconds (all CPUs) from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    hz = os.sysconf("SC_CLK_TCK")
    # user nice system idle iowait irq softirq steal ...
    return (v[0] + v[1] + v[2] + v[5] + v[6]) / hz, (v[7] if len(v) > 7 else 0) / hz

def ours():
    """CPU seconds used by this script and everything it waited for."""
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime

print()
print("== timing")
print("gorelink:     (cd examples/sqlite3 && %s)" % show(g_cmd))
print("hand-written: (cd examples/sqlite3 && %s)" % show(h_cmd))
print("(each as /bin/sh -c '\"$@\"; exit $?' sh CMD...; wall: time.perf_counter_ns around posix_spawn+wait4;")
print(" CPU: the child's rusage, its whole process tree)")
print()
print("warm-up (one of each, untimed: fills the build cache and gorelink's toolchain cache,")
print("and compiles the main package for the hand-written -ldflags, which the -v build above changed):")
for name, cmd, out in (("gorelink", g_cmd, out_a), ("hand-written", h_cmd, out_b)):
    r = spawn(name, cmd, out)
    print("  warm-up  %-12s wall %7.3f s  user+sys %7.3f s  output static, %d bytes%s"
          % (name, r["wall"], r["cpu"], r["size"], ", self_max_rss_kib %d" % r["rss"] if "rss" in r else ""))

print()
print("%d timed round(s), alternating (odd rounds gorelink first, even rounds hand-written first);" % runs)
print("every output checked static (gorelink check, untimed):")
G, H = [], []
busy0, steal0 = cpustat()
ours0, wall0 = ours(), time.monotonic()
for i in range(runs):
    for name, cmd, out, acc in alternate(i, [("gorelink", g_cmd, out_a, G), ("hand-written", h_cmd, out_b, H)]):
        acc.append(spawn(name, cmd, out))
    print("  round %2d  gorelink %7.3f s   hand-written %7.3f s   ratio %.3f   gorelink RSS %5d KiB   load %.2f"
          % (i + 1, G[-1]["wall"], H[-1]["wall"], G[-1]["wall"] / H[-1]["wall"], G[-1]["rss"],
             max(G[-1]["load"], H[-1]["load"])))

busy1, steal1 = cpustat()
ours1, wall1 = ours(), time.monotonic()
others = max(0.0, (busy1 - busy0) - (ours1 - ours0)) / (wall1 - wall0)
steal = (steal1 - steal0) / (wall1 - wall0)

print()
print("== results")
print_summary("gorelink", G, 12, 7, 3)
print_summary("hand-written", H, 12, 7, 3)
ratio = median_of(G) / median_of(H)
pair = median_ratio(G, H)
print("  median wall ratio gorelink/hand-written: %.3f  (median of the per-round ratios: %.3f; goal <= 1.05: %s)"
      % (ratio, pair, "met" if ratio <= 1.05 else "NOT met"))
print("  median user+sys ratio gorelink/hand-written: %.3f  (median of the per-round ratios: %.3f)"
      % (median_of(G, "cpu") / median_of(H, "cpu"), median_ratio(G, H, "cpu")))
print("  median wall difference: %+.3f s, user+sys difference: %+.3f s"
      % (median_of(G) - median_of(H), median_of(G, "cpu") - median_of(H, "cpu")))
rss = median_of(G, "rss")
print("  gorelink peak RSS (self_max_rss_kib, children excluded): median %d KiB = %.2f MiB (min %d, max %d; goal <= 16 MiB: %s)"
      % (rss, rss / 1024, min(r["rss"] for r in G), max(r["rss"] for r in G), "met" if rss <= 16 * 1024 else "NOT met"))
print("  largest process in each tree (wait4 ru_maxrss, median): gorelink's %d KiB, hand-written's %d KiB"
      % (median_of(G, "maxrss"), median_of(H, "maxrss")))
print("  outputs: all static; sizes gorelink %s, hand-written %s bytes"
      % ("/".join(str(s) for s in sorted({r["size"] for r in G})), "/".join(str(s) for s in sorted({r["size"] for r in H}))))
end = load()
start = float(os.environ["GRB_LOAD0"])
ncpu = os.cpu_count() or 1
print("  load average: %.2f at the start, %.2f %.2f %.2f (1, 5, 15 min) at the end (the benchmark itself keeps"
      % (start, end[0], end[1], end[2]))
print("  about one CPU busy, so the load average during the run says little about other work)")
print("  CPU used by other processes during the timed rounds: %.2f of %d CPUs on average (/proc/stat busy time"
      % (others, ncpu))
print("  minus this script's and its children's rusage); steal time %.2f CPUs" % steal)
warn = []
if start > 1.0:
    warn.append("the 1-minute load average was %.2f before the run started" % start)
if others > 0.1:
    warn.append("other processes used %.2f CPUs on average during the timed rounds" % others)
if steal > 0.1:
    warn.append("the hypervisor stole %.2f CPUs on average during the timed rounds" % steal)
for w in warn:
    print("  WARNING: %s." % w)
if warn:
    print("  Other work shared the CPUs, so wall times (and the wall-time ratio) are not clean:")
    print("  trust the user+sys ratio more, or run again when the machine is idle.")
if not warn:
    print("  the machine was otherwise idle (load <= 1 at the start, other processes <= 0.1 CPUs during the rounds)")
PY
GRB_LOAD0=$(cut -d' ' -f1 /proc/loadavg) run_py "$py" "$tmp/gorelink" "$go" "$tmp" "$runs"
