#!/usr/bin/env bash
# Benchmark (issue 12): how many gorelink runs and link attempts it takes to
# reach a working static binary of each of issue 12's small cgo packages,
# with gorelink's planning (after) and without it (before), in one run.
#
# Usage: bench/links-before-after.sh [GORELINK [OLD_GORELINK]]
#   GORELINK      the gorelink binary (default: build/gorelink of this
#                 checkout; an empty string also means the default)
#   OLD_GORELINK  optional: a gorelink built before issue 12 (e.g. commit
#                 f6b4c88, see below), run as a second "before" column
#
# Environment:
#   GO        the go command (default: go on PATH)
#   CASES     the cases to run, space-separated (default: all, see below)
#   GOCACHE and the rest of the environment apply to every run alike;
#   GOFLAGS is set to -buildvcs=false, GOTOOLCHAIN to local. Each column has
#   its own new GORELINK_CACHE_DIR, so no column starts warmer than another.
#
# This is a benchmark, not a test: it prints its results, and exits 1 only
# when a requirement is missing or a case's module cannot be made.
#
# The cases (bench/issue12_cases.py: the sources of tests/relink_e2e.py's
# issue-12 cases): a bare -lxml2, -larchive, -lssh2 and -lgpgme;
# examples/sqlite3 (go-sqlite3 imported, no flags); -lprovider -lneeder (two
# fixture archives in the wrong order); a bare -lpcap, whose closure reaches
# libsystemd, of which Debian ships no archive.
#
# The columns, each a user who starts with `gorelink --json -o OUT .` and
# follows what gorelink says until the binary is built (at most 6 runs):
#   after        GORELINK as it is (inference, presets that apply
#                themselves, the link-order plan)
#   before       GORELINK --no-infer --no-auto-presets with
#                GORELINK_NO_ORDER_PLAN=1: the same binary with the planning
#                of issue 12 turned off (the link-order repair after a failed
#                link, the diagnosis, --fix and --stub stay)
#   before+fix   the same, with --fix from the first run
#   old, old+fix OLD_GORELINK (no switches: it has no planning), the same two ways
# "Follows what gorelink says" is, after each run, from its --json report:
#   - undefined symbols (undefined[].option, e.g. "--pkg zlib"): add every
#     option named, run again;
#   - a library without an archive (missing[]): add --stub NAME (where the
#     binary has --stub; else --allow-dynamic NAME), run again;
#   - built, with a finding whose remedy is a gorelink option ("build with
#     --sqlite3 ..."): add it, run again;
#   - built, no such finding: done; the binary is run once on the host
#     (untimed) and must exit 0.
# Links are counted twice: the report's `links` (where the binary has it),
# and independently by wrappers put in as CC and CXX that log each compiler
# run with a `.../go.o` argument (cmd/link's host link; its probes link no
# go.o) and exec gcc / g++. The two must agree; a mismatch is printed.
# (The wrappers change Go's cache key of the cgo packages, so the first
# build of each package compiles its C code once more.)
#
# OLD_GORELINK: to build the commit before issue 12's work,
#   git worktree add --detach /tmp/gorelink-old f6b4c88
#   cd /tmp/gorelink-old && cmake --preset default -G Ninja && cmake --build --preset default --target gorelink
#
# Needs go, gcc, g++, ar, pkg-config, python3 and the -dev packages of the
# cases (libxml2-dev libarchive-dev libacl1-dev liblz4-dev libssh2-1-dev
# libgpgme-dev libpcap-dev), and github.com/mattn/go-sqlite3 in the module
# cache or from the proxy.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

handle_help "$@"

gorelink=${1:-$root/build/gorelink}
old=${2-}
if [[ $# -gt 2 ]]; then
	die "two arguments at most (the gorelink binary, the old one); see --help"
fi
go=${GO:-go}
need_binary gorelink "$gorelink"
gorelink=$(realpath "$gorelink")
if [[ -n $old ]]; then
	need_binary "old gorelink" "$old"
	old=$(realpath "$old")
fi
gopath=$(command -v "$go") || die "go command '$go' not found: install Go or set GO"
need_python3
for t in gcc g++ ar pkg-config; do
	command -v "$t" >/dev/null || die "$t not found: install it (scripts/setup)"
done
export GOFLAGS=-buildvcs=false GOTOOLCHAIN=local

tmp=$(mktemp -d "${TMPDIR:-/tmp}/links-before-after.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin"
for pair in cc:gcc c++:g++; do
	w=${pair%%:*}
	real=$(command -v "${pair#*:}")
	# Log each run that links a go.o (cmd/link's host link), then run the real compiler.
	cat >"$tmp/bin/$w" <<SH
#!/bin/sh
for a in "\$@"; do
	case \$a in
	*/go.o) echo link >>"\$GRB_LINKLOG"; break ;;
	esac
done
exec $real "\$@"
SH
	chmod +x "$tmp/bin/$w"
done

print_machine_start
print_load
print_machine_basics
echo "gorelink:  $("$gorelink" --version 2>&1 | head -n 1) ($gorelink, commit $(checkout_rev " (checkout has uncommitted changes)"))"
if [[ -n $old ]]; then
	echo "old:       $("$old" --version 2>&1 | head -n 1) ($old, commit $(git -C "$(dirname "$old")" rev-parse --short HEAD 2>/dev/null || echo unknown))"
fi
echo "go:        $("$gopath" version) ($gopath)"
echo "CC, CXX:   $tmp/bin/cc, $tmp/bin/c++ (log the host links, exec $(command -v gcc), $(command -v g++))"
echo "gcc:       $(gcc --version | head -n 1)"
print_python3

read -r -d '' py <<'PY' || true
import json, os, re, subprocess, sys

sys.stdout.reconfigure(line_buffering=True)
gorelink, old, go, tmp, root = sys.argv[1:6]
sys.path.insert(0, os.path.join(root, "bench"))
import issue12_cases as cases

names = os.environ.get("CASES", "").split() or cases.NAMES
for n in names:
    if n not in cases.NAMES:
        die("unknown case %r (cases: %s)" % (n, " ".join(cases.NAMES)))
mods = os.path.join(tmp, "mods")
os.mkdir(mods)
env0 = dict(os.environ, CC=os.path.join(tmp, "bin", "cc"), CXX=os.path.join(tmp, "bin", "c++"))
if go != "go":
    env0["PATH"] = os.path.dirname(go) + os.pathsep + env0.get("PATH", "")

def has_option(binary, opt):
    h = subprocess.run([binary, "--help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    return opt in h

COLUMNS = [("after", gorelink, [], {}), ("before", gorelink, ["--no-infer", "--no-auto-presets"],
           {"GORELINK_NO_ORDER_PLAN": "1"}), ("before+fix", gorelink, ["--no-infer", "--no-auto-presets", "--fix"],
           {"GORELINK_NO_ORDER_PLAN": "1"})]
if old:
    COLUMNS += [("old", old, [], {}), ("old+fix", old, ["--fix"], {})]
stub_ok = {b: has_option(b, "--stub") for b in {c[1] for c in COLUMNS}}
for col, binary, _, _ in COLUMNS:
    os.mkdir(os.path.join(tmp, "cache-" + col))

REMEDY = re.compile(r"^build with (--\S+)")

def user(case, mod, col, binary, base, extra_env):
    """Runs until a working binary, following the reports: [(flags added, exit, links, counted, what next)]."""
    added, runs, seq = [], [], 0
    env = dict(env0, GORELINK_CACHE_DIR=os.path.join(tmp, "cache-" + col), **extra_env)
    while len(runs) < 6:
        seq += 1
        out = os.path.join(tmp, "out", "%s-%s-%d" % (case, col, seq), case)
        os.makedirs(os.path.dirname(out))
        log = os.path.join(tmp, "linklog")
        open(log, "w").close()
        env["GRB_LINKLOG"] = log
        p = subprocess.run([binary, "--json"] + base + added + ["-o", out, "."], cwd=mod, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        with open(log) as f:
            counted = sum(1 for _ in f)
        try:
            rep = json.loads(p.stdout)
        except ValueError:
            rep = {}
        links = rep.get("links")
        nxt = []
        if p.returncode == 0:
            for f in rep.get("findings") or []:
                m = REMEDY.match(f.get("remedy") or "")
                if m and m.group(1) not in added + nxt:
                    nxt.append(m.group(1))
        else:
            for u in rep.get("undefined") or []:
                for w in (u.get("option") or "").split(" --"):
                    w = w if w.startswith("--") else "--" + w
                    if w != "--" and w not in " ".join(added + nxt):
                        nxt += w.split(None, 1)
            for lib in rep.get("missing") or []:
                way = "--stub" if stub_ok[binary] else "--allow-dynamic"
                if way + " " + lib not in " ".join(added + nxt):
                    nxt += [way, lib]
        state = "exit %d" % p.returncode
        if p.returncode == 0 and not nxt:
            r = subprocess.run([out], cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
            state += ", runs: exit %d (%s)" % (r.returncode, (r.stdout.strip().splitlines() or [""])[0][:40])
            runs.append((list(added), p.returncode, links, counted, state, r.returncode == 0))
            return runs
        runs.append((list(added), p.returncode, links, counted, state, False))
        if not nxt:
            break
        added += nxt
    return runs

print()
print("== runs (flags added by following gorelink's report; links: the report's / counted by the CC wrapper)")
results = {}
mismatch = 0
for case in names:
    mod = cases.make(case, mods, os.path.join(root, "examples"))
    print("%s: %s (%s)" % (case, cases.WHAT[case], mod))
    for col, binary, base, extra in COLUMNS:
        runs = user(case, mod, col, binary, base, extra)
        results[(case, col)] = runs
        for i, (added, code, links, counted, state, ok) in enumerate(runs):
            if links is not None and links != counted:
                mismatch += 1
            print("  %-10s run %d %-40s links %s/%d  %s" % (
                col, i + 1, " ".join(added) or "(no flags)", "-" if links is None else links, counted, state))

print()
print("== link attempts to a working binary (runs / links; links summed over the runs)")
cols = [c[0] for c in COLUMNS]
print("  %-9s" % "case" + "".join("%-14s" % c for c in cols) + "flags the 'before' user ended with")
total = {c: [0, 0, 0] for c in cols}
for case in names:
    cells = []
    for c in cols:
        runs = results[(case, c)]
        ok = runs[-1][5]
        nl = sum(r[3] for r in runs)
        cells.append("%d / %d%s" % (len(runs), nl, "" if ok else " (no)"))
        if ok:
            total[c][0] += len(runs)
            total[c][1] += nl
            total[c][2] += 1
    print("  %-9s" % case + "".join("%-14s" % x for x in cells) + " ".join(results[(case, "before")][-1][0]))
print("  %-9s" % "total" + "".join("%-14s" % ("%d / %d" % (total[c][0], total[c][1])) for c in cols)
      + "(over the cases that reached a working binary: %s)" % ", ".join("%s %d" % (c, total[c][2]) for c in cols))
print("  first run alone (exit / links):")
for case in names:
    print("  %-9s" % case + "".join("%-14s" % ("%d / %d" % (results[(case, c)][0][1], results[(case, c)][0][3]))
                                    for c in cols))
print()
if mismatch:
    print("MISMATCH: in %d runs the report's links and the wrapper's count differ" % mismatch)
else:
    print("the report's links and the wrapper's count agree in every run that has a report with links")
print("load:      %s (1, 5, 15 min, at the end)" % " ".join(open("/proc/loadavg").read().split()[:3]))
PY
run_py "$py" "$gorelink" "$old" "$gopath" "$tmp" "$root"
