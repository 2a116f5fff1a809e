#!/usr/bin/env bash
# Benchmark: pkgconf-rewrite against `pkg-config --static --libs` over every
# .pc file installed on the machine (`pkg-config --list-all`), in one run,
# with a naive shell resolver as a second peer; then a check that the work
# was real: how many packages pkgconf-rewrite resolved and refused, and where
# the naive resolver's answer differs from pkgconf-rewrite's.
#
# Usage: bench/pcrw-vs-pkgconfig.sh [PKGCONF-REWRITE]
#   PKGCONF-REWRITE  the pkgconf-rewrite binary (default: build/pkgconf-rewrite
#                    of this checkout; an empty string also means the default)
#
# Environment:
#   RUNS=N   timed rounds (default 5), after one untimed warm-up of each item
#   NAIVE=0  leave the naive resolver out: (c) is not timed and its answers
#            are not compared (it takes minutes a round on a loaded machine;
#            the ratios of (a) and (d) to (b) do not depend on it)
#   PKG_CONFIG_PATH, PKG_CONFIG_LIBDIR, PKG_CONFIG_SYSROOT_DIR apply to
#            pkg-config and pkgconf-rewrite alike, as usual
#
# This is a benchmark, not a test: it prints its results. It exits 1 when a
# requirement is missing or when a timed command fails in a way that means
# the benchmark itself is broken (a crash, a usage error).
#
# What is timed, with P running over all the packages (stdout and stderr of
# every command to /dev/null; wall time is time.perf_counter_ns() around
# posix_spawn + wait4 in python3, CPU time the children's rusage):
#   (a) pkgconf-rewrite --each P...       one process resolving every package,
#       cold: GORELINK_CACHE_DIR a fresh empty directory, so the toolchain is
#             discovered (cc -###, ld --verbose) and cached during the run
#       warm: GORELINK_CACHE_DIR a fresh directory warmed by one untimed run
#   (b) pkg-config --static --libs P      one process per package, spawned
#       directly (the cheapest way to call it: the baseline of every ratio)
#   (b') the same from a bash loop, flags=$(pkg-config --static --libs "$P"),
#       the way build scripts call it (shows what the shell itself costs)
#   (c) the naive shell resolver below, run by one bash over all packages
#   (d) pkgconf-rewrite P                 one process per package, warm
#       toolchain cache: the per-invocation cost, like for like with (b)
#   (e) the floor of (d) and (b): pkgconf-rewrite --help and
#       pkg-config --version, as many times as there are packages, the same
#       way: what starting the process alone costs
# A round times all of them. (b), (d) and (e) run interleaved: for each
# package one process of each, in an order that rotates with the package and
# the round, so that load from elsewhere on the machine falls on all of them
# alike; an item's wall time is then the sum over its processes. The blocks
# a-cold, a-warm, (b d e), b', c run in that order in odd rounds and in the
# reverse order in even rounds. Medians over the rounds, and two ratios
# against (b): the ratio of the medians and the median of the per-round
# ratios, for wall time and for CPU time.
# The goal (issue 3): (a) at most 1.5 times (b).
#
# pkgconf-rewrite is timed as a private copy made at the start, so that a
# rebuild of the checkout during the run cannot change what is timed.
#
# CC is unset, so pkgconf-rewrite asks cc for its search dirs; the naive
# resolver calls gcc. The script prints where both lead.
#
# Needs pkg-config, gcc, cc and python3.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

handle_help "$@"

# ------------------------------------------------------------------------
# The naive shell resolver, timed as (c). It is NOT faithful to GNU ld:
# gcc -print-file-name searches only the compiler driver's own library path
# (and LIBRARY_PATH). It ignores the -L dirs pkg-config printed and ld's
# SEARCH_DIRs (/usr/local/lib/x86_64-linux-gnu, /usr/local/lib, ...), does not
# check the architecture of what it finds, prints the bare name (status 0)
# when it finds nothing, and leaves linker scripts such as Debian's libm.a
# unexpanded; the flags are split on blanks, so quoted paths break. See
# ../shared/reference/linker-search-rules.md, section 1.4.
#
# stdout: PKG<TAB>link line, for each package whose every -l gave a file.
# stderr: one line per -l: naive<TAB>PKG<TAB>-lX<TAB>PATH (empty: not found).
naive_resolve() {
	local pkg=$1 flags tok name file path rc=0
	local -a out=()
	local -
	set -f  # split the flags on blanks, but do not glob them
	if ! flags=$(pkg-config --static --libs "$pkg"); then
		printf 'naive\t%s\tpkg-config failed\n' "$pkg" >&2
		return 2
	fi
	for tok in $flags; do
		case $tok in
		-l?*)
			name=${tok#-l}
			if [[ $name == :* ]]; then file=${name#:}; else file=lib$name.a; fi
			path=$(gcc -print-file-name="$file")
			if [[ $path == */* ]] && test -f "$path"; then
				out+=("$path")
			else
				path=
				rc=1
			fi
			printf 'naive\t%s\t%s\t%s\n' "$pkg" "$tok" "$path" >&2
			;;
		*)
			out+=("$tok")
			;;
		esac
	done
	if ((rc == 0)); then
		printf '%s\t%s\n' "$pkg" "${out[*]}"
	fi
	return "$rc"
}

naive_all() {
	local p st=0
	for p; do
		naive_resolve "$p" || st=1
	done
	return "$st"
}
# ------------------------------------------------------------------------

pcrw=${1:-$root/build/pkgconf-rewrite}
runs=${RUNS:-5}

need_positive RUNS "$runs"
need_binary pkgconf-rewrite "$pcrw"
pcrw=$(realpath "$pcrw")
pkgconfig=$(command -v pkg-config) || die "pkg-config not found: install the pkgconf package"
command -v gcc >/dev/null || die "gcc not found: the naive resolver needs it"
command -v cc >/dev/null || die "cc not found: pkgconf-rewrite asks it for its search dirs"
need_python3
unset CC

mapfile -t pkgs < <("$pkgconfig" --list-all | awk '{print $1}' | LC_ALL=C sort -u)
((${#pkgs[@]} > 0)) || die "pkg-config --list-all lists no package"

rev=$(checkout_rev ", with uncommitted changes")
print_machine_start
print_machine_basics
print_load
echo "pkgconf-rewrite: $pcrw (built $(date -u -r "$pcrw" '+%Y-%m-%d %H:%M:%S UTC'); checkout $rev; $("$root/build/gorelink" --version 2>/dev/null | head -n 1 || echo 'version unknown'))"
echo "pkg-config: $("$pkgconfig" --version) ($pkgconfig -> $(realpath "$pkgconfig"))"
echo "cc:        $(realpath "$(command -v cc)") ($(cc -dumpfullversion 2>/dev/null || echo '?'))  (pkgconf-rewrite's compiler: CC is unset)"
echo "gcc:       $(realpath "$(command -v gcc)") ($(gcc -dumpfullversion 2>/dev/null || echo '?'))  (the naive resolver's)"
if [[ $(realpath "$(command -v cc)") != "$(realpath "$(command -v gcc)")" ]]; then
	echo "note:      cc and gcc are different compilers: their search dirs may differ"
fi
echo "ld:        $(ld --version 2>/dev/null | head -n 1)"
echo "bash:      $BASH_VERSION"
print_python3
echo "pc_path:   $("$pkgconfig" --variable pc_path pkg-config)${PKG_CONFIG_PATH:+ (PKG_CONFIG_PATH=$PKG_CONFIG_PATH)}${PKG_CONFIG_LIBDIR:+ (PKG_CONFIG_LIBDIR=$PKG_CONFIG_LIBDIR)}"
echo "packages:  ${#pkgs[@]} (pkg-config --list-all)"

naive_src="$(declare -f naive_resolve naive_all)"

read -r -d '' py <<'PY' || true
import atexit, collections, hashlib, json, os, re, shutil, statistics, subprocess, sys, tempfile, time

sys.stdout.reconfigure(line_buffering=True)
pcrw, pkgconfig, runs, naive_src = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
pkgs = sys.argv[5:]
bash = shutil.which("bash")

tmp = tempfile.mkdtemp(prefix="pcrw-bench-")
atexit.register(shutil.rmtree, tmp, True)
# Time a private copy, so that a rebuild of the checkout during the run cannot
# change the binary under the benchmark (it links no library by a relative path).
pcrw_orig = pcrw
pcrw = os.path.join(tmp, "pkgconf-rewrite")
shutil.copy2(pcrw_orig, pcrw)
def fresh_dir():
    return tempfile.mkdtemp(dir=tmp, prefix="cache-")
def env_with(cache):
    e = dict(os.environ)
    e.pop("CC", None)
    e["GORELINK_CACHE_DIR"] = cache
    return e

def spawn(cmd, env):
    """One process, output discarded: (wall s, user+sys s, exit status)."""
    r = timed_spawn(cmd, env)
    return r["wall"], r["cpu"], r["code"]

def check(name, code, ok):
    if code not in ok:
        die("%s exited with status %d" % (name, code))

# Each item returns {"wall", "cpu", "codes"}; a loop item times the whole loop.
def item_each(cache):
    w, c, code = spawn([pcrw, "--each"] + pkgs, env_with(cache))
    check("pkgconf-rewrite --each", code, (0, 1, 2))
    return {"wall": w, "cpu": c, "codes": [code]}

# The one-process-per-package items (b), (d), (e) run as one interleaved pass:
# for each package, one process of each, in an order that rotates with the
# package and the round, so that a burst of load from elsewhere on the machine
# falls on all of them alike. An item's wall time is the sum of its spawns.
LOOPS = {
    "B":      (lambda p: [pkgconfig, "--static", "--libs", p], (0, 1), "pkg-config"),
    "D":      (lambda p: [pcrw, p], (0, 1, 2), "pkgconf-rewrite"),
    "E_pcrw": (lambda p: [pcrw, "--help"], (0,), "pkgconf-rewrite --help"),
    "E_pkgc": (lambda p: [pkgconfig, "--version"], (0,), "pkg-config --version"),
}
def item_loops(cache, rnd):
    env = env_with(cache)
    keys = list(LOOPS)
    res = {k: {"wall": 0.0, "cpu": 0.0, "codes": []} for k in keys}
    for n, p in enumerate(pkgs):
        s = (n + rnd) % len(keys)
        for k in keys[s:] + keys[:s]:
            argv_of, ok, name = LOOPS[k]
            w, c, code = spawn(argv_of(p), env)
            check(name + " " + p, code, ok)
            res[k]["wall"] += w
            res[k]["cpu"] += c
            res[k]["codes"].append(code)
    return res

SH_LOOP = 'for p; do flags=$(pkg-config --static --libs "$p") || :; done'
def item_bash(script, name, cache):
    w, c, code = spawn([bash, "-c", script, name] + pkgs, env_with(cache))
    check(name, code, (0, 1))
    return {"wall": w, "cpu": c, "codes": [code]}

NAMES = {
    "A_cold": "(a) pkgconf-rewrite --each, cold toolchain cache",
    "A_warm": "(a) pkgconf-rewrite --each, warm toolchain cache",
    "B":      "(b) pkg-config --static --libs, one process per package",
    "B_sh":   "(b') the same, from a bash loop with $(...)",
    "C":      "(c) naive shell resolver (pkg-config + gcc -print-file-name + test -f)",
    "D":      "(d) pkgconf-rewrite P, one process per package, warm cache",
    "E_pcrw": "(e) pkgconf-rewrite --help, as many processes (start-up floor)",
    "E_pkgc": "(e) pkg-config --version, as many processes (start-up floor)",
}
SHORT = {"A_cold": "a-cold", "A_warm": "a-warm", "B": "b", "B_sh": "b'", "C": "c", "D": "d",
         "E_pcrw": "e-pcrw", "E_pkgc": "e-pkgc"}
ORDER = ["A_cold", "A_warm", "B", "B_sh", "C", "D", "E_pcrw", "E_pkgc"]
BLOCKS = ["A_cold", "A_warm", "LOOPS", "B_sh", "C"]   # LOOPS: B, D, E_pcrw, E_pkgc interleaved
NAIVE = os.environ.get("NAIVE", "1") != "0"
if not NAIVE:
    ORDER.remove("C")
    BLOCKS.remove("C")

def run_item(key, warm_dir, rnd=0):
    if key == "LOOPS":
        return item_loops(warm_dir, rnd)
    if key == "A_cold":
        return item_each(fresh_dir())
    if key == "A_warm":
        return item_each(warm_dir)
    if key == "B_sh":
        return item_bash(SH_LOOP, "pkg-config-loop", warm_dir)
    if key == "C":
        return item_bash(naive_src + '\nnaive_all "$@"', "naive", warm_dir)

def warmed_dir():
    d = fresh_dir()
    spawn([pcrw, "--each"] + pkgs[:1], env_with(d))
    return d

print()
print("== timing")
print("pkgconf-rewrite is timed as a copy of %s (sha256 %s), made at the start: %s"
      % (pcrw_orig, hashlib.sha256(open(pcrw, "rb").read()).hexdigest()[:16], pcrw))
print("(a) GORELINK_CACHE_DIR=<fresh dir> %s --each P1 ... P%d" % (pcrw, len(pkgs)))
print("(b) for P: %s --static --libs P" % pkgconfig)
print("(b') bash -c '%s' _ P1 ... P%d" % (SH_LOOP, len(pkgs)))
print("(c) bash -c 'naive_all \"$@\"' _ P1 ... P%d   (the function naive_resolve in this script)" % len(pkgs))
print("(d) for P: GORELINK_CACHE_DIR=<warm dir> %s P" % pcrw)
print("(e) for P: %s --help;  for P: %s --version" % (pcrw, pkgconfig))
print("(every command's stdout and stderr to /dev/null; wall: time.perf_counter_ns around"
      " posix_spawn+wait4, summed over the processes of an item; CPU: the children's rusage, user+sys)")
print("(b), (d) and (e) run interleaved: for each package one process of each, in an order that rotates"
      " with the package and the round")
print("cold means the toolchain cache is empty (pkgconf-rewrite runs cc -### and ld --verbose);"
      " the page cache is warm for every item")

print()
print("warm-up (one run of each, not in the medians):")
wd = warmed_dir()
got = {}
for blk in BLOCKS:
    r = run_item(blk, wd)
    got.update(r if blk == "LOOPS" else {blk: r})
for key in ORDER:
    print("  %-7s wall %8.4f s   user+sys %8.4f s" % (SHORT[key], got[key]["wall"], got[key]["cpu"]))

R = {k: [] for k in ORDER}
print()
print("%d timed round(s), alternating: odd rounds in the order a-cold, a-warm, (b d e interleaved), b', c;"
      " even rounds reversed; a fresh GORELINK_CACHE_DIR for a-cold, and a fresh one warmed by one untimed"
      " run for a-warm and d, in every round:" % runs)
print("  round  " + " ".join("%10s" % SHORT[k] for k in ORDER) + "   (wall s)")
for i in range(runs):
    wd = warmed_dir()
    got = {}
    for blk in alternate(i, BLOCKS):
        r = run_item(blk, wd, i)
        got.update(r if blk == "LOOPS" else {blk: r})
    for key in ORDER:
        R[key].append(got[key])
    print("  %5d  %s" % (i + 1, " ".join("%10.4f" % got[k]["wall"] for k in ORDER)))

def med(key, f="wall"):
    return median_of(R[key], f)

print()
print("medians over %d rounds (%d packages):" % (runs, len(pkgs)))
print("  %-70s %10s %10s %10s %12s" % ("", "wall s", "user+sys s", "per pkg ms", "min...max wall"))
for key in ORDER:
    print("  %-70s %10.4f %10.4f %10.3f %6.4f...%.4f" % (
        NAMES[key], med(key), med(key, "cpu"), med(key) / len(pkgs) * 1e3,
        min(r["wall"] for r in R[key]), max(r["wall"] for r in R[key])))

def ratio(key, base="B", f="wall"):
    of_medians = med(key, f) / med(base, f)
    per_round = median_ratio(R[key], R[base], f)
    return of_medians, per_round

print()
print("ratios against (b) pkg-config --static --libs, one process per package"
      " (ratio of the medians; median of the per-round ratios in brackets):")
for key, label in [r for r in (("A_warm", "pkgconf-rewrite --each (warm) / pkg-config"),
                                 ("A_cold", "pkgconf-rewrite --each (cold) / pkg-config"),
                                 ("C", "naive resolver / pkg-config"),
                                 ("B_sh", "pkg-config from bash $(...) / pkg-config"),
                                 ("D", "PER-INVOCATION: pkgconf-rewrite P / pkg-config P")) if r[0] in ORDER]:
    w, wr = ratio(key)
    c, _ = ratio(key, f="cpu")
    goal = ""
    if key == "A_warm":
        goal = "   goal <= 1.5: %s" % ("met" if w <= 1.5 else "NOT met")
    elif key == "A_cold":
        goal = "   goal <= 1.5: %s" % ("met" if w <= 1.5 else "NOT met")
    elif key == "D":
        goal = "   (like for like; the same 1.5 would be: %s)" % ("met" if w <= 1.5 else "NOT met")
    print("  %-52s wall %7.3f  [%7.3f]   user+sys %7.3f%s" % (label, w, wr, c, goal))
print("  start-up floor, pkgconf-rewrite --help / pkg-config --version: wall %.3f, user+sys %.3f"
      % (med("E_pcrw") / med("E_pkgc"), med("E_pcrw", "cpu") / med("E_pkgc", "cpu")))
print("  per process above the floor: pkgconf-rewrite P %.3f ms, pkg-config P %.3f ms (user+sys;"
      " wall %.3f and %.3f ms)" % (
          (med("D", "cpu") - med("E_pcrw", "cpu")) / len(pkgs) * 1e3,
          (med("B", "cpu") - med("E_pkgc", "cpu")) / len(pkgs) * 1e3,
          (med("D") - med("E_pcrw")) / len(pkgs) * 1e3, (med("B") - med("E_pkgc")) / len(pkgs) * 1e3))
print("  note: (a) is one process against %d; (d) against (b) is the like-for-like, one process each." % len(pkgs))
with open("/proc/loadavg") as f:
    print("  load at the end: %s (1, 5, 15 min)" % " ".join(f.read().split()[:3]))

# ---------------------------------------------------------------- the work
print()
print("== what was resolved")
cache = warmed_dir()
env = env_with(cache)
def capture(cmd):
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout.decode("utf-8", "surrogateescape"), p.stderr.decode("utf-8", "surrogateescape")

MISSING = re.compile(r"no static archive for -l(\S+) \(")

each_rc, each_out, each_err = capture([pcrw, "--each"] + pkgs)
each_lines = {}
for line in each_out.splitlines():
    q, _, flags = line.partition("\t")
    each_lines[q] = flags

status = {}       # pkg -> exit status of pkgconf-rewrite P
one_lines = {}    # pkg -> its default output line
tokens = {}       # pkg -> list of JSON library tokens (missing ones kept by --allow-dynamic)
sources = {}      # pkg -> the "source" of each search dir, by index
missing = {}      # pkg -> set of -l names without archive
errors = {}
for p in pkgs:
    rc, out, err = capture([pcrw, p])
    status[p] = rc
    if rc == 0:
        one_lines[p] = out.rstrip("\n")
    rc2, jout, jerr = capture([pcrw, "--json", p])
    if rc == 1:
        names = sorted(set(MISSING.findall(err)))
        missing[p] = set(names)
        rc2, jout, jerr = capture([pcrw, "--json"] + ["--allow-dynamic=" + n for n in names] + [p])
    if rc2 == 0:
        j = json.loads(jout)
        tokens[p] = [t for t in j["tokens"] if t["kind"] == "library"]
        sources[p] = [d["source"] for d in j["search_dirs"]]
    elif rc != 0:
        errors[p] = (err or jerr).strip().splitlines()[:1]

ok = [p for p in pkgs if status[p] == 0]
refused = [p for p in pkgs if status[p] == 1]
broken = [p for p in pkgs if status[p] not in (0, 1)]
with_libs = [p for p in ok if tokens.get(p)]
n_archives = sum(1 for p in ok for t in tokens[p] if t["resolved"])
n_scripts = sum(1 for p in ok for t in tokens[p] if t["resolved_kind"] == "linker-script")
distinct = {os.path.realpath(t["resolved"]) for p in ok for t in tokens[p] if t["resolved"]}
miss_names = collections.Counter(n for p in refused for n in missing[p])
print("pkgconf-rewrite P, one process per package (exit status; the -l counts are those of the resolved packages):")
print("  resolved fully (0):        %4d  (%d with at least one -l: %d -l tokens, each named as the file ld opens,"
      " %d distinct files; %d of the tokens named a linker script, expanded; %d with no -l at all)"
      % (len(ok), len(with_libs), n_archives, len(distinct), n_scripts, len(ok) - len(with_libs)))
print("  refused, no archive (1):   %4d  (%d distinct libraries have no .a: %s)"
      % (len(refused), len(miss_names), ", ".join("-l%s (%d)" % kv for kv in sorted(miss_names.items()))))
print("  other errors (2):          %4d%s" % (len(broken), "".join("\n    %s: %s" % (p, " ".join(errors.get(p, []))) for p in broken)))
same = all(each_lines.get(p) == one_lines.get(p) for p in ok) and set(each_lines) == set(ok)
print("pkgconf-rewrite --each: exit %d, %d lines on stdout; identical to the %d single-package outputs: %s"
      % (each_rc, len(each_lines), len(ok), "yes" if same else "NO"))
if not same:
    for p in sorted(set(each_lines) ^ set(ok)):
        print("  only in %s: %s" % ("--each" if p in each_lines else "single runs", p))
    for p in ok:
        if p in each_lines and each_lines[p] != one_lines[p]:
            print("  differs: %s" % p)

# ---------------------------------------------------------------- naive
if not NAIVE:
    print()
    print("== the naive resolver: left out (NAIVE=0)")
    sys.exit(0)
print()
print("== the naive resolver against pkgconf-rewrite")
print("The naive resolver is NOT faithful to GNU ld: gcc -print-file-name ignores the -L dirs that"
      " pkg-config printed and ld's SEARCH_DIRs, checks no architecture and expands no linker script"
      " (../shared/reference/linker-search-rules.md section 1.4). pkgconf-rewrite's answer is the reference here.")
p_ = subprocess.run([bash, "-c", naive_src + '\nnaive_all "$@"', "naive"] + pkgs, env=env,
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
naive_ok = set(l.split("\t", 1)[0] for l in p_.stdout.decode("utf-8", "surrogateescape").splitlines())
naive_tok = collections.defaultdict(list)   # pkg -> [(token, path or "")]
naive_failed = set()
for l in p_.stderr.decode("utf-8", "surrogateescape").splitlines():
    f = l.split("\t")
    if len(f) == 4 and f[0] == "naive":
        naive_tok[f[1]].append((f[2], f[3]))
    elif len(f) == 3 and f[0] == "naive":
        naive_failed.add(f[1])

def rp(path):
    return os.path.realpath(path) if path else ""

cat = collections.Counter()
cat_ex = collections.defaultdict(list)
pkg_diff = {}
spelled = 0
for p in pkgs:
    if p in naive_failed or p in broken or p not in tokens:
        pkg_diff[p] = "not compared (pkg-config or pkgconf-rewrite failed)"
        continue
    nt, pt = naive_tok.get(p, []), tokens[p]
    if [t for t, _ in nt] != [t["input"] for t in pt]:
        pkg_diff[p] = "the -l lists differ: pkg-config %s, libpkgconf %s" % (
            " ".join(t for t, _ in nt), " ".join(t["input"] for t in pt))
        cat["(package) -l lists differ"] += 1
        continue
    why = []
    for (tok, npath), t in zip(nt, pt):
        ppath = t["resolved"] or ""
        if npath and ppath and rp(npath) == rp(ppath):
            k = "same file" + (" (a linker script: the naive resolver passes it on, pkgconf-rewrite expands it)"
                               if t["resolved_kind"] == "linker-script" else "")
            if npath != ppath:
                spelled += 1
        elif npath and ppath:
            k = "DIFFERENT file"
            why.append("%s: naive %s, ld %s" % (tok, npath, ppath))
        elif npath:
            k = "naive found a file, pkgconf-rewrite none (no archive ld would take)"
            why.append("%s: naive %s, ld none" % (tok, npath))
        elif ppath:
            k = "naive found NOTHING, ld has an archive"
            why.append("%s: naive none, ld %s (search dir from the %s)" % (
                tok, ppath, sources[p][t["dir_index"]] if t["dir_index"] is not None else "?"))
        else:
            k = "neither found an archive"
        cat[k] += 1
        if k not in cat_ex or len(cat_ex[k]) < 3:
            cat_ex[k].append("%s %s" % (p, tok))
    n_ok, p_ok = p in naive_ok, status[p] == 0
    if n_ok != p_ok:
        why.insert(0, "naive %s, pkgconf-rewrite %s" % ("resolved" if n_ok else "refused", "resolved" if p_ok else "refused"))
    if why:
        pkg_diff[p] = "; ".join(why)

print("-l tokens compared (same position in pkg-config's and libpkgconf's list; a file is the same"
      " when realpath agrees; %d of the same files were spelled differently):" % spelled)
for k, n in sorted(cat.items(), key=lambda kv: -kv[1]):
    print("  %-100s %5d   e.g. %s" % (k, n, ", ".join(cat_ex.get(k, []))))
n_naive_ok = sum(1 for p in pkgs if p in naive_ok)
print("packages: naive resolved %d, refused %d (pkgconf-rewrite: %d, %d)" % (
    n_naive_ok, len(pkgs) - n_naive_ok, len(ok), len(refused)))
differ = {p: w for p, w in pkg_diff.items() if not w.startswith("not compared")}
print("packages where the naive answer differs from pkgconf-rewrite's: %d of %d" % (len(differ), len(pkgs)))
for p, w in sorted(differ.items()):
    print("  %s: %s" % (p, w))
notc = [p for p, w in pkg_diff.items() if w.startswith("not compared")]
if notc:
    print("not compared: %d (%s)" % (len(notc), ", ".join(sorted(notc))))
n_script_tok = sum(n for k, n in cat.items() if "linker script" in k)
if n_script_tok:
    print("linker scripts: %d of the -l tokens compared named one (Debian's libm.a is"
          " GROUP ( libm-2.36.a libmvec.a )); the naive resolver hands the script itself on, which ld"
          " accepts, but whoever wants the archives (the relinker) gets none of them" % n_script_tok)
PY

echo
run_py "$py" "$pcrw" "$pkgconfig" "$runs" "$naive_src" "${pkgs[@]}"
