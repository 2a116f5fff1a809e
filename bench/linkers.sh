#!/usr/bin/env bash
# Benchmark (issue 15): a fresh `gorelink --sqlite3 --linker=auto` build of
# examples/sqlite3 against the hand-written static `go build` that links with
# GNU ld (the compiler's own ld), with a warm Go build cache, alternating, and
# the same with each installed linker by name for reference.
#
# Usage: bench/linkers.sh [GORELINK]
#   GORELINK  the gorelink binary (default: build/gorelink of this checkout)
#
# Environment:
#   RUNS=N    timed rounds (default 5), after one untimed warm-up of each
#   GO        the go command (default: go on PATH)
#   GORELINK_CACHE_DIR, GOCACHE, CC apply to every command alike.
#
# What is timed, in examples/sqlite3, every output removed before its run:
#   auto:         GORELINK --sqlite3 --linker=auto --json -o TMP/auto .
#   hand-written: GO build -tags sqlite_omit_load_extension,netgo,osusergo \
#                   -ldflags '-linkmode=external -extldflags "-static"' -o TMP/hand .
#   and, for reference, GORELINK --sqlite3 [--linker=L] for L in bfd, gold,
#   lld, mold (installed ones), and no --linker (the default: auto's choice).
# The figure is the median wall ratio auto / hand-written (goal <= 0.8,
# moonshot <= 0.6). It exits 1 when a build fails, or when a report says a
# linker other than the one asked for linked (a fallback or a failover).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

handle_help "$@"

gorelink=${1:-$root/build/gorelink}
[[ $# -le 1 ]] || die "one argument at most (the gorelink binary); see --help"
runs=${RUNS:-5}
go=${GO:-go}
example=$root/examples/sqlite3
need_positive RUNS "$runs"
need_binary gorelink "$gorelink"
gorelink=$(realpath "$gorelink")
gopath=$(command -v "$go") || die "go command '$go' not found: install Go or set GO"
need_python3
export GOFLAGS=-buildvcs=false

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gorelink-linkers.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# Timed as a copy (a rebuild of the checkout during the run changes nothing), with its presets.
cp "$gorelink" "$tmp/gorelink"
mkdir -p "$tmp/share/gorelink" "$tmp/out"
cp -r "$root/presets" "$tmp/share/gorelink/presets"

cc=$(cd "$example" && "$gopath" env CC)
cc1=${cc%% *}
commit=$(checkout_rev " (checkout has uncommitted changes)")
print_machine_start
print_load
print_machine_basics
echo "gorelink:  $("$gorelink" --version 2>&1 | head -n 1) ($gorelink, commit $commit; timed as a copy in $tmp)"
echo "go:        $("$gopath" version) ($gopath)"
echo "CC:        $cc: $($cc1 --version 2>&1 | head -n 1)"
for l in bfd gold lld mold; do
	if p=$(command -v "ld.$l"); then
		echo "ld.$l:    $p: $("$p" --version 2>&1 | head -n 1)"
	else
		echo "ld.$l:    not installed"
	fi
done

cd "$example"
read -r -d '' py <<'PY' || true
import json, os, shutil, subprocess

gorelink, go, tmp, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
TAGS = "sqlite_omit_load_extension,netgo,osusergo"
env = dict(os.environ)

def g(name, linker):
    return [gorelink, "--sqlite3"] + (["--linker=" + linker] if linker else []) + ["--json", "-o", os.path.join(tmp, name), "."]

cmds = [("auto", g("auto", "auto"), "auto"),
        ("hand-written", [shutil.which(go), "build", "-tags", TAGS, "-ldflags",
                          '-linkmode=external -extldflags "-static"', "-o", os.path.join(tmp, "hand"), "."], None),
        ("default", g("default", None), "default")]
for l in ("bfd", "gold", "lld", "mold"):
    if shutil.which("ld." + l):
        cmds.append((l, g(l, l), l))

def out_of(cmd):
    return cmd[cmd.index("-o") + 1]

# Untimed: each once, its report checked (the linker that ran is the one asked for).
print()
print("== warm-up (untimed) and the linker each report names")
for name, cmd, want in cmds:
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    if p.returncode != 0:
        die("%s failed (exit %d): %s" % (name, p.returncode, p.stderr.strip()[-2000:]))
    if want:
        lk = json.loads(p.stdout)["linker"]
        # No --linker is auto's choice (issue 15): either may name any installed linker.
        if lk["failover"] or (want not in ("auto", "default") and lk["used"] != want):
            die("%s: the report says %r" % (name, lk))
        print("  %-12s linker used: %s%s" % (name, lk["used"], " (%s)" % lk["why"] if lk["why"] else ""))
    else:
        print("  %-12s GNU ld (the compiler's own ld)" % name)

res = {name: [] for name, _, _ in cmds}
print()
print("== %d timed round(s), fresh outputs, alternating order" % runs)
for i in range(runs):
    line = []
    for name, cmd, _ in alternate(i, cmds):
        try:
            os.unlink(out_of(cmd))
        except FileNotFoundError:
            pass
        r = timed_spawn(cmd, env)
        if r["code"] != 0:
            die("%s failed in round %d (exit %d)" % (name, i + 1, r["code"]))
        res[name].append(r)
        line.append("%s %.3f" % (name, r["wall"]))
    print("  round %2d  %s" % (i + 1, "   ".join(line)))
print()
print("== results (median of %d rounds)" % runs)
for name, _, _ in cmds:
    print_summary(name, res[name], 12, 7, 3, "; ratio to hand-written %.3f" % (median_of(res[name]) / median_of(res["hand-written"])))
ratio = median_of(res["auto"]) / median_of(res["hand-written"])
print("  median wall ratio auto/hand-written (GNU ld): %.3f  (median of per-round ratios %.3f; goal <= 0.8: %s; moonshot <= 0.6: %s)"
      % (ratio, median_ratio(res["auto"], res["hand-written"]), "met" if ratio <= 0.8 else "NOT met",
         "met" if ratio <= 0.6 else "not met"))
PY
run_py "$py" "$tmp/gorelink" "$go" "$tmp/out" "$runs"
