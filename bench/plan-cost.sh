#!/usr/bin/env bash
# Benchmark (issue 12): what gorelink's planning costs. For each case,
# `gorelink -o OUT .` with no flags (it infers the packages of bare -l
# names, applies presets itself, plans the link order) against the
# hand-written `go build` that already has the right flags, with a warm Go
# build cache, in alternating rounds of one run; and, as a third item,
# gorelink given those flags itself with the planning turned off.
#
# Usage: bench/plan-cost.sh [GORELINK [OTHER]]
#   GORELINK  the gorelink binary (default: build/gorelink of this checkout;
#             an empty string also means the default)
#   OTHER     optional: another gorelink binary (e.g. one built without a
#             change), timed the same way as "auto" in the same rounds as
#             the item "other"
#
# Environment:
#   RUNS=N    timed rounds (default 7), after one untimed warm-up of each
#   CASES     the cases, space-separated (default: sqlite3 xml2 gpgme order;
#             any of bench/issue12_cases.py's but pcap, which has no static link)
#   GO        the go command (default: go on PATH); gorelink gets it as --go
#   GORELINK_CACHE_DIR, GOCACHE, CC and the rest of the environment apply to
#             every command alike. GOFLAGS is set to -buildvcs=false,
#             GOTOOLCHAIN to local.
#
# This is a benchmark, not a test: it prints its results. It exits 1 when a
# requirement is missing, when a timed build fails or when an output of the
# warm-up is not static (gorelink check).
#
# What is timed, in each case's module (bench/issue12_cases.py; sqlite3 is
# examples/sqlite3), TMP a fresh directory, the outputs removed before
# every run (go build skips a link whose -o file is up to date):
#   auto     GORELINK --json -o TMP/a .
#   hand     GO build -tags TAGS -ldflags '-linkmode=external -extldflags
#              "-static FLAGS"' -o TMP/b .
#            TAGS: netgo,osusergo (sqlite3: sqlite_omit_load_extension
#            first); FLAGS: `pkg-config --static --libs` of the package(s)
#            the -l name belongs to (+ -lstdc++ -lm where ICU is in them),
#            for the order case -Wl,--start-group ... -Wl,--end-group
#   manual   GORELINK --no-infer --no-auto-presets --json [--sqlite3 |
#              --pkg P...] -o TMP/c . with GORELINK_NO_ORDER_PLAN=1
#            (the order case gets no flag: without the plan it links twice)
# and, in examples/sqlite3 only, the module-graph steps gorelink runs before
# go build (relink/gr_build.c, gr_b_modgraph), as go runs them:
#   list-m     GO list -m -f '{{.Path}}\t{{.Version}}\t{{.Dir}}' all
#   list-deps  GO list -deps -tags TAGS -f '{{with .Module}}{{.Path}}{{end}}' .
# Wall time is time.perf_counter_ns() around posix_spawn + wait4; CPU time
# (user + sys) the child's rusage. Each round runs the items of a case in an
# order reversed every other round. Ratios: the ratio of the medians and
# the median of the per-round ratios, wall and user+sys; auto/hand is the
# figure of issue 12's goal (<= 1.05), auto/manual what the planning adds
# to gorelink itself.
#
# gorelink puts a key of the .pc files into go build's CGO_CPPFLAGS
# (cache_key in --json): when a .pc file changes during the run (a package
# installed), gorelink's cgo packages are compiled again; the script prints
# every cache_key change (that run's time is then not a warm one).
#
# Load: the load average at the start and end, per round, and the CPU time
# other processes used during the timed rounds (/proc/stat busy time minus
# this script's and its children's rusage). gorelink is timed as a private
# copy made at the start (with the presets beside it).
#
# Needs what bench/links-before-after.sh needs.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

handle_help "$@"

gorelink=${1:-$root/build/gorelink}
other=${2-}
if [[ $# -gt 2 ]]; then
	die "two arguments at most (the gorelink binary, another one); see --help"
fi
runs=${RUNS:-7}
go=${GO:-go}
need_positive RUNS "$runs"
need_binary gorelink "$gorelink"
gorelink=$(realpath "$gorelink")
if [[ -n $other ]]; then
	need_binary "other gorelink" "$other"
	other=$(realpath "$other")
fi
gopath=$(command -v "$go") || die "go command '$go' not found: install Go or set GO"
need_python3
for t in gcc g++ ar pkg-config; do
	command -v "$t" >/dev/null || die "$t not found: install it (scripts/setup)"
done
export GOFLAGS=-buildvcs=false GOTOOLCHAIN=local

tmp=$(mktemp -d "${TMPDIR:-/tmp}/plan-cost.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/other/bin" "$tmp/share/gorelink"
cp "$gorelink" "$tmp/bin/gorelink"
cp -r "$root/presets" "$tmp/share/gorelink/presets"
if [[ -n $other ]]; then
	cp "$other" "$tmp/other/bin/gorelink"
	mkdir -p "$tmp/other/share/gorelink"
	cp -r "$root/presets" "$tmp/other/share/gorelink/presets"
fi

print_machine_start
print_load
print_machine_basics
echo "gorelink:  $("$gorelink" --version 2>&1 | head -n 1) ($gorelink, commit $(checkout_rev " (checkout has uncommitted changes)"); timed as a copy in $tmp)"
if [[ -n $other ]]; then
	echo "other:     $("$other" --version 2>&1 | head -n 1) ($other; timed as a copy in $tmp/other)"
fi
echo "go:        $("$gopath" version) ($gopath)"
echo "CC:        $("$gopath" env CC): $(gcc --version | head -n 1)"
echo "GOCACHE:   $("$gopath" env GOCACHE)"
echo "gorelink cache: ${GORELINK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/gorelink}"
print_python3
print_fs "$tmp"

read -r -d '' py <<'PY' || true
import json, os, resource, shlex, statistics, subprocess, sys, time

sys.stdout.reconfigure(line_buffering=True)
gorelink, go, tmp, root, runs, other = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6]
sys.path.insert(0, os.path.join(root, "bench"))
import issue12_cases as cases

names = os.environ.get("CASES", "").split() or ["sqlite3", "xml2", "gpgme", "order"]
for n in names:
    if n not in cases.NAMES or n == "pcap":
        die("unknown case %r (cases: %s)" % (n, " ".join(x for x in cases.NAMES if x != "pcap")))
env0 = dict(os.environ)
goflag = ["--go", go] if os.environ.get("GO") else []
MANUAL = {"sqlite3": ["--sqlite3"], "order": []}

def show(cmd):
    return " ".join(shlex.quote(w) for w in cmd)

def load1():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])

def cpustat():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    hz = os.sysconf("SC_CLK_TCK")
    return (v[0] + v[1] + v[2] + v[5] + v[6]) / hz, (v[7] if len(v) > 7 else 0) / hz

def ours():
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime

mods = os.path.join(tmp, "mods")
os.mkdir(mods)
plan = []   # (case, dir, {item: (cmd, env, out)})
for case in names:
    mod = cases.make(case, mods, os.path.join(root, "examples"))
    tags, flags = cases.hand_flags(case, mod)
    outs = {k: os.path.join(tmp, "%s-%s" % (case, k)) for k in ("auto", "other", "hand", "manual")}
    manual = MANUAL.get(case)
    if manual is None:
        manual = [w for p in cases.HAND_PKGS[case] for w in ("--pkg", p)]
    items = {
        "auto": ([gorelink] + goflag + ["--json", "-o", outs["auto"], "."], env0, outs["auto"]),
        "hand": ([go, "build", "-tags", tags, "-ldflags",
                  "-linkmode=external -extldflags \"%s\"" % " ".join(["-static"] + flags), "-o", outs["hand"], "."],
                 env0, outs["hand"]),
        "manual": ([gorelink] + goflag + ["--no-infer", "--no-auto-presets", "--json"] + manual +
                   ["-o", outs["manual"], "."], dict(env0, GORELINK_NO_ORDER_PLAN="1"), outs["manual"]),
    }
    if other:
        items["other"] = ([other] + goflag + ["--json", "-o", outs["other"], "."], env0, outs["other"])
    if case == "sqlite3":
        items["list-m"] = ([go, "list", "-m", "-f", "{{.Path}}\t{{.Version}}\t{{.Dir}}", "all"], env0, None)
        items["list-deps"] = ([go, "list", "-deps", "-tags", tags, "-f", "{{with .Module}}{{.Path}}{{end}}", "."],
                              env0, None)
    plan.append((case, mod, items))

keys = {}
def spawn(case, mod, name, item):
    cmd, env, out = item
    if out and os.path.exists(out):
        os.unlink(out)
    cwd = os.getcwd()
    os.chdir(mod)
    try:
        sout = os.path.join(tmp, "stdout")
        acts = [(os.POSIX_SPAWN_OPEN, 1, sout, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
                (os.POSIX_SPAWN_OPEN, 2, os.path.join(tmp, "stderr"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
        r = timed_spawn(cmd, env, acts)
    finally:
        os.chdir(cwd)
    if r["code"] != 0:
        with open(os.path.join(tmp, "stderr")) as f:
            die("%s %s: exit %d: %s\n%s" % (case, name, r["code"], show(cmd), f.read()[-3000:]))
    r["load"] = load1()
    if name in ("auto", "other", "manual"):
        with open(sout) as f:
            rep = json.load(f)
        r["links"] = rep.get("links")
        k = rep.get("cache_key")
        if (case, name) in keys and keys[(case, name)] != k:
            print("  NOTE: %s %s: cache_key changed %s -> %s (the .pc set changed: this run compiled again)"
                  % (case, name, keys[(case, name)], k))
            r["rekeyed"] = True
        keys[(case, name)] = k
    return r

print()
print("== commands")
for case, mod, items in plan:
    print("%s (in %s):" % (case, mod))
    for name, (cmd, env, out) in items.items():
        print("  %-9s %s%s" % (name, "GORELINK_NO_ORDER_PLAN=1 " if name == "manual" else "", show(cmd)))

print()
print("warm-up (one of each, untimed; the outputs checked with gorelink check):")
for case, mod, items in plan:
    for name, item in items.items():
        r = spawn(case, mod, name, item)
        line = "  %-8s %-9s wall %7.3f s  user+sys %7.3f s" % (case, name, r["wall"], r["cpu"])
        if item[2]:
            p = subprocess.run([gorelink, "check", "--json", item[2]], stdout=subprocess.PIPE, text=True)
            try:
                v = json.loads(p.stdout)
            except ValueError:
                v = {}
            if p.returncode != 0 or not v.get("pass"):
                die("%s %s: the output is not static: %s" % (case, name, p.stdout[-2000:]))
            line += "  static" + ("  links %s" % r["links"] if "links" in r else "")
        print(line)

R = {(c, n): [] for c, _, items in plan for n in items}
print()
print("%d timed rounds (each case's items in an order reversed every other round):" % runs)
busy0, steal0 = cpustat()
ours0, wall0 = ours(), time.monotonic()
for i in range(runs):
    for case, mod, items in plan:
        for name in alternate(i, list(items)):
            R[(case, name)].append(spawn(case, mod, name, items[name]))
        a, h, m = R[(case, "auto")][-1], R[(case, "hand")][-1], R[(case, "manual")][-1]
        o = R[(case, "other")][-1] if (case, "other") in R else None
        print("  round %2d %-8s auto %6.3f s  hand %6.3f s  manual %6.3f s%s  auto/hand %.3f (cpu %.3f)  load %.2f%s"
              % (i + 1, case, a["wall"], h["wall"], m["wall"], "  other %6.3f s" % o["wall"] if o else "",
                 a["wall"] / h["wall"], a["cpu"] / h["cpu"], max(a["load"], h["load"], m["load"]),
                 "  REKEYED" if any(r.get("rekeyed") for r in (a, m, o) if r) else ""))
busy1, steal1 = cpustat()
ours1, wall1 = ours(), time.monotonic()
others = max(0.0, (busy1 - busy0) - (ours1 - ours0)) / (wall1 - wall0)
steal = (steal1 - steal0) / (wall1 - wall0)

print()
print("== results (median wall and user+sys over %d rounds; spread: min ... max wall)" % runs)
for case, mod, items in plan:
    print("%s:" % case)
    for name in items:
        rs = R[(case, name)]
        print("  %-9s wall %7.3f s (%.3f ... %.3f)  user+sys %7.3f s" % (
            name, median_of(rs), min(r["wall"] for r in rs), max(r["wall"] for r in rs), median_of(rs, "cpu")))
    A, H, M = R[(case, "auto")], R[(case, "hand")], R[(case, "manual")]
    pr = sorted(a["wall"] / h["wall"] for a, h in zip(A, H))
    print("  auto/hand    wall %.3f (per-round median %.3f, min %.3f, max %.3f)  user+sys %.3f (%.3f)  goal <= 1.05: %s"
          % (median_of(A) / median_of(H), median_ratio(A, H), pr[0], pr[-1], median_of(A, "cpu") / median_of(H, "cpu"),
             median_ratio(A, H, "cpu"), "met" if median_of(A) / median_of(H) <= 1.05 else "NOT met"))
    print("  auto/manual  wall %.3f (per-round median %.3f)  user+sys %.3f (%.3f)"
          % (median_of(A) / median_of(M), median_ratio(A, M), median_of(A, "cpu") / median_of(M, "cpu"),
             median_ratio(A, M, "cpu")))
    if (case, "other") in R:
        O = R[(case, "other")]
        print("  auto/other   wall %.3f (per-round median %.3f)  user+sys %.3f (%.3f);  other/hand wall %.3f  user+sys %.3f"
              % (median_of(A) / median_of(O), median_ratio(A, O), median_of(A, "cpu") / median_of(O, "cpu"),
                 median_ratio(A, O, "cpu"), median_of(O) / median_of(H), median_of(O, "cpu") / median_of(H, "cpu")))
    if (case, "list-deps") in R:
        for part in ("list-m", "list-deps"):
            print("  %-9s = %.1f %% of hand's wall, %.1f %% of its user+sys" % (
                part, 100 * median_of(R[(case, part)]) / median_of(H),
                100 * median_of(R[(case, part)], "cpu") / median_of(H, "cpu")))
    print("  links per run: auto %s, manual %s" % (sorted({r["links"] for r in A}), sorted({r["links"] for r in M})))
end = open("/proc/loadavg").read().split()[:3]
print()
print("load average: %s at the start, %s (1, 5, 15 min) at the end; the benchmark itself keeps about one CPU busy"
      % (os.environ["GRB_LOAD0"], " ".join(end)))
print("CPU used by other processes during the timed rounds: %.2f of %d CPUs on average; steal %.2f CPUs"
      % (others, os.cpu_count() or 1, steal))
if float(os.environ["GRB_LOAD0"]) > 1.0 or others > 0.1 or steal > 0.1:
    print("WARNING: other work shared the CPUs: wall times are not clean; trust the user+sys ratios more.")
PY
GRB_LOAD0=$(cut -d' ' -f1 /proc/loadavg) run_py "$py" "$tmp/bin/gorelink" "$gopath" "$tmp" "$root" "$runs" \
	"${other:+$tmp/other/bin/gorelink}"
