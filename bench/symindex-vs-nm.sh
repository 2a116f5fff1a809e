#!/usr/bin/env bash
# Benchmark: the symbol index behind gorelink's diagnosis (`gorelink index`,
# issue 5) against `nm -A --defined-only` over the same archives, in one run;
# then a check that the two agree on which archives define a symbol.
#
# Usage: bench/symindex-vs-nm.sh [GORELINK]
#   GORELINK  the gorelink binary (default: build/gorelink of this checkout;
#             an empty string also means the default)
#
# Environment:
#   RUNS=N     timed rounds (default 5)
#   SAMPLE=N   symbols in the agreement sample (default 200)
#   SEED=N     seed of the sample (default 1)
#   FULL=0     skip the agreement check over every symbol nm lists (default 1)
#
# This is a benchmark, not a test: it prints its results. It exits 1 when a
# requirement is missing, when a timed command fails, or when a difference
# between the index and nm is UNEXPLAINED.
#
# The archives: every lib*.a that `gorelink index` reads, i.e. those in the
# linker's default search dirs as gorelink finds them (the C compiler's dirs,
# then ld's SEARCH_DIRs; listed with `gorelink pkgconf-rewrite --json -- -lc`,
# whose search_dirs are the same list), each directory once after realpath(),
# in that order, as the index walks them. nm gets the files among them that
# are ar archives (a linker script such as Debian's libm.a, or an object file
# named lib*.a, is not an archive: the index skips it too).
#
# What is timed (stdout and stderr to /dev/null; wall time is
# time.perf_counter_ns() around posix_spawn + wait4 in python3, CPU time the
# child's rusage), in every round, in an order that rotates with the round:
#   cold         gorelink index --stats, GORELINK_CACHE_DIR a new empty
#                directory: the toolchain is discovered (cc, ld --verbose)
#                and every archive's armap is read with libbfd and cached
#   cold-index   the same with the toolchain already cached (the cache dir
#                holds a copy of a warm cache's toolchain/ entries only): the
#                archives' share of a cold run
#   warm         gorelink index --stats with a cache filled by an untimed run
#   nm           nm -A --defined-only ARCHIVE... (one process, all archives)
# The goals (issue 5): cold at least 5 times faster than nm, warm at least 50.
# The page cache is warm for all of them (the archives are read by every
# round); "cold" is about gorelink's own cache only.
#
# gorelink is timed as a private copy made at the start, so that a rebuild of
# the checkout during the run cannot change what is timed.
#
# Agreement: from nm's output, the symbols defined with an external type
# (T D B R W V C A G S u i: what an archive's symbol table lists) give, for
# each symbol, the set of archives that define it. SAMPLE symbols (chosen
# with SEED; every type nm printed is represented) are looked up with
# `gorelink index SYMBOL...` and the archives it names must be the same set.
# With FULL=1 every such symbol is looked up (in batches). Differences it can
# explain (each checked on the archive, not assumed): nm prints 'i' for an
# IFUNC whatever its binding, so a local IFUNC (which no armap lists) shows as
# 'i' too; an archive without an armap (made with ar S, never ranlib'd) is
# skipped by the index (GNU ld refuses such an archive as well: "archive has
# no index; run ranlib to add one"). Anything else is UNEXPLAINED. Also
# compared: the number of (archive, symbol) pairs nm lists with an external
# type against the number of symbols `gorelink index --stats` read.
#
# Needs nm (binutils), cc and python3.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

handle_help "$@"

gorelink=${1:-$root/build/gorelink}
runs=${RUNS:-5}
sample=${SAMPLE:-200}
seed=${SEED:-1}
full=${FULL:-1}

need_positive RUNS "$runs"
need_positive SAMPLE "$sample"
need_nonnegative SEED "$seed"
[[ $full =~ ^[01]$ ]] || die "FULL must be 0 or 1, not '$full'"
need_binary gorelink "$gorelink"
nm=$(command -v nm) || die "nm not found: install the binutils package"
command -v cc >/dev/null || die "cc not found: gorelink index asks it for its search dirs"
need_python3
unset CC

work=$(mktemp -d "${TMPDIR:-/tmp}/symindex-vs-nm.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp "$(realpath "$gorelink")" "$work/gorelink"
chmod 0755 "$work/gorelink"

print_machine_start
print_machine_basics
echo "gorelink:  $("$work/gorelink" --version 2>&1 | head -n 1) (copy of $(realpath "$gorelink"))"
echo "nm:        $("$nm" --version | head -n 1) ($nm)"
echo "cc:        $(cc --version | head -n 1)"
print_python3

read -r -d '' py <<'PY' || true
import collections, json, os, random, re, shutil, statistics, subprocess, sys, tempfile, time

sys.stdout.reconfigure(line_buffering=True)
gorelink, nm, work = sys.argv[1], sys.argv[2], sys.argv[3]
runs, sample_n, seed, full = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), sys.argv[7] == "1"

env0 = dict(os.environ)
env0.pop("CC", None)
env0["LC_ALL"] = "C"

# ------------------------------------------------------------ the archives
scratch_cache = os.path.join(work, "cache-dirs")
os.mkdir(scratch_cache)
warm_cache = os.path.join(work, "warm")
os.mkdir(warm_cache)

p = subprocess.run([gorelink, "pkgconf-rewrite", "--json", "--", "-lc"], env=dict(env0, GORELINK_CACHE_DIR=warm_cache),
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
if p.returncode != 0:
    die("gorelink pkgconf-rewrite --json -- -lc failed (%d): %s" % (p.returncode, p.stderr.decode(errors="replace")))
rw = json.loads(p.stdout)
given = [d["dir"] for d in rw["search_dirs"]]
dirs, seen = [], set()
for d in given:
    r = os.path.realpath(d)
    if os.path.isdir(r) and r not in seen:
        seen.add(r)
        dirs.append(r)

def head(path, n=64):
    try:
        with open(path, "rb") as f:
            return f.read(n)
    except OSError:
        return b""

def has_armap(path):
    """GNU/SysV armap ('/' or '/SYM64/' first member) or BSD (__.SYMDEF)."""
    h = head(path, 24)
    name = h[8:24].rstrip(b" ")
    return name in (b"/", b"/SYM64/") or name.startswith(b"__.SYMDEF")

libfiles, archives, scripts, others, noarmap = [], [], [], [], []
for d in dirs:
    for n in sorted(os.listdir(d)):
        if not (len(n) > 5 and n.startswith("lib") and n.endswith(".a")):
            continue
        path = os.path.join(d, n)
        if not os.path.isfile(path):
            continue
        libfiles.append(path)
        h = head(path, 8)
        if h in (b"!<arch>\n", b"!<thin>\n"):
            archives.append(path)
            if not has_armap(path):
                noarmap.append(path)
        elif h[:4] == b"\x7fELF":
            others.append(path)
        else:
            scripts.append(path)
size = sum(os.path.getsize(a) for a in archives)

print()
print("== archives")
print("search dirs (gorelink pkgconf-rewrite --json -- -lc: %d, %d after realpath and removing repeats):" % (len(given), len(dirs)))
for d in dirs:
    print("  " + d)
print("lib*.a files: %d; ar archives: %d (%.1f MiB), of which %d without an armap; linker scripts: %d; other files: %d"
      % (len(libfiles), len(archives), size / 1048576, len(noarmap), len(scripts), len(others)))
for a in noarmap:
    members = subprocess.run(["ar", "t", a], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.split()
    print("  no armap: %s (%d members)" % (a, len(members)))
for a in scripts:
    print("  script:   %s" % a)
for a in others:
    print("  not ar:   %s (%s)" % (a, "ELF" if head(a, 4) == b"\x7fELF" else "?"))

def stats(cache):
    r = subprocess.run([gorelink, "index", "--stats"], env=dict(env0, GORELINK_CACHE_DIR=cache),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        die("gorelink index --stats failed (%d): %s" % (r.returncode, r.stderr.decode(errors="replace")))
    m = re.match(r"(\d+) archives, (\d+) symbols, (\d+) archives from the cache", r.stdout.decode())
    if not m:
        die("gorelink index --stats printed %r" % r.stdout)
    return tuple(int(x) for x in m.groups())

st = stats(warm_cache)      # fills the warm cache (and its toolchain entry)
st2 = stats(warm_cache)
print("gorelink index --stats: %d archives, %d symbols (first run: %d from the cache; second: %d)" % (st[0], st[1], st[2], st2[2]))
if st[0] != len(archives) - len(noarmap):
    print("MISMATCH: the index read %d archives; the ar archives with an armap here are %d" % (st[0], len(archives) - len(noarmap)))
if st2[2] != st2[0]:
    print("MISMATCH: the warm cache answered %d of %d archives" % (st2[2], st2[0]))
tc_dir = os.path.join(warm_cache, "toolchain")
if not os.path.isdir(tc_dir):
    die("the warm cache has no toolchain/ directory: %r" % os.listdir(warm_cache))

# ------------------------------------------------------------------ timing
def spawn(cmd, env):
    r = timed_spawn(cmd, env)
    if r["code"] != 0:
        die("exit status %d: %s" % (r["code"], " ".join(cmd)))
    return r

g_cmd = [gorelink, "index", "--stats"]
nm_cmd = [nm, "-A", "--defined-only"] + archives

def run_cold():
    d = tempfile.mkdtemp(dir=scratch_cache)
    try:
        return spawn(g_cmd, dict(env0, GORELINK_CACHE_DIR=d))
    finally:
        shutil.rmtree(d)

def run_cold_index():
    d = tempfile.mkdtemp(dir=scratch_cache)
    try:
        shutil.copytree(tc_dir, os.path.join(d, "toolchain"))
        return spawn(g_cmd, dict(env0, GORELINK_CACHE_DIR=d))
    finally:
        shutil.rmtree(d)

def run_warm():
    return spawn(g_cmd, dict(env0, GORELINK_CACHE_DIR=warm_cache))

def run_nm():
    return spawn(nm_cmd, env0)

items = [("cold", run_cold), ("cold-index", run_cold_index), ("warm", run_warm), ("nm", run_nm)]
print()
print("== timing")
print("gorelink: %s index --stats   (GORELINK_CACHE_DIR: see the header)" % gorelink)
print("nm:       %s -A --defined-only <the %d ar archives above>" % (nm, len(archives)))
print("(wall: time.perf_counter_ns around posix_spawn+wait4; CPU: the child's rusage; stdout and stderr to /dev/null)")
print("warm-up: one untimed run of each")
for _, fn in items:
    fn()
res = {name: [] for name, _ in items}
print()
print("%d rounds; the order rotates with the round:" % runs)
for i in range(runs):
    order = items[i % len(items):] + items[:i % len(items)]
    for name, fn in order:
        res[name].append(fn())
    print("  round %2d  %s   (%s first)" % (i + 1, "   ".join("%s %.4f s" % (n, res[n][-1]["wall"]) for n, _ in items), order[0][0]))

def med(name, key="wall"):
    return median_of(res[name], key)

print()
for name, _ in items:
    print_summary(name, res[name], 10, 8, 4)
print()
for name, goal in (("cold", 5), ("cold-index", None), ("warm", 50)):
    ratio = med("nm") / med(name)
    per_round = median_ratio(res["nm"], res[name])
    cpu_ratio = med("nm", "cpu") / med(name, "cpu") if med(name, "cpu") > 0 else float("inf")
    print("  nm / %-10s  wall %7.1fx  (median of per-round ratios %.1fx)   user+sys %7.1fx%s"
          % (name, ratio, per_round, cpu_ratio,
             "   goal >= %dx: %s" % (goal, "met" if ratio >= goal else "NOT met") if goal else ""))

# --------------------------------------------------------------- agreement
print()
print("== agreement with nm")
GLOBAL = set("TDBRWVCAGSui")
p = subprocess.run(nm_cmd, env=env0, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
if p.returncode != 0:
    die("nm failed: %s" % p.stderr.decode(errors="replace")[:500])
defs = collections.defaultdict(set)        # symbol -> archives (external types)
types = collections.defaultdict(set)       # symbol -> nm types seen
per_archive_type = collections.defaultdict(set)   # (symbol, archive) -> types
typecount = collections.Counter()
lines = 0
for raw in p.stdout.split(b"\n"):
    parts = raw.split(b" ")
    if len(parts) < 3:
        continue
    prefix, t, name = parts[0], parts[-2].decode(), b" ".join(parts[len(parts) - 1:]).decode("utf-8", "surrogateescape")
    lines += 1
    typecount[t] += 1
    if t not in GLOBAL:
        continue
    arch = prefix.split(b":", 1)[0].decode("utf-8", "surrogateescape")
    defs[name].add(arch)
    types[name].add(t)
    per_archive_type[(name, arch)].add(t)
print("nm: %d defined-symbol lines; by type: %s" % (lines, ", ".join("%s %d" % kv for kv in sorted(typecount.items(), key=lambda kv: -kv[1]))))
pairs = sum(len(a) for a in defs.values())
print("symbols with an external type (%s): %d distinct names, %d (archive, symbol) pairs; the index read %d: %s"
      % (" ".join(sorted(GLOBAL)), len(defs), pairs, st[1], "the same" if pairs == st[1] else "DIFFERENT"))

def lookup(names):
    """gorelink index NAME... -> {name: set(archives)}, from the warm cache."""
    out = {}
    for i in range(0, len(names), 4000):
        batch = names[i:i + 4000]
        r = subprocess.run([gorelink, "index", "--"] + batch, env=dict(env0, GORELINK_CACHE_DIR=warm_cache),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if r.returncode not in (0, 1):
            die("gorelink index failed (%d): %s" % (r.returncode, r.stderr.decode(errors="replace")[:500]))
        got = r.stdout.decode("utf-8", "surrogateescape").split("\n")
        if len(got) < len(batch):
            die("gorelink index printed %d lines for %d symbols" % (len(got), len(batch)))
        for name, line in zip(batch, got):
            if not line.startswith(name + ":"):
                die("gorelink index: line %r does not answer %r" % (line[:200], name))
            rest = line[len(name) + 1:]
            out[name] = set() if rest.strip().startswith("not defined") else set(re.findall(r" (\S+) \(-l[^)]*\)", rest))
    return out

def local_ifunc(name, arch):
    """nm prints 'i' for an IFUNC whatever its binding: is this one local in
    every member that has it? (readelf -s on the archive.)"""
    r = subprocess.run(["readelf", "-sW", arch], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    binds = set()
    for l in r.stdout.decode("utf-8", "surrogateescape").splitlines():
        f = l.split()
        if len(f) >= 8 and f[3] == "IFUNC" and f[7] == name and f[6] != "UND":
            binds.add(f[4])
    return binds == {"LOCAL"}

def compare(names, label):
    got = lookup(names)
    agree, explained, unexplained = 0, collections.Counter(), []
    for n in names:
        want, have = defs[n], got[n]
        if want == have:
            agree += 1
            continue
        why = []
        for a in sorted(want - have):
            if a in noarmap:
                why.append(("archive without an armap (the index skips it)", a))
            elif per_archive_type[(n, a)] == {"i"} and local_ifunc(n, a):
                why.append(("local IFUNC: nm's 'i' does not say the binding; no armap lists a local", a))
            else:
                why.append((None, a))
        for a in sorted(have - want):
            why.append((None, a))
        if all(w for w, _ in why):
            for w, _ in why:
                explained[w] += 1
            continue
        unexplained.append((n, sorted(types[n]), sorted(want), sorted(have)))
    print("%s: %d symbols; the same archives: %d; explained differences: %d; UNEXPLAINED: %d"
          % (label, len(names), agree, sum(explained.values()), len(unexplained)))
    for w, c in explained.items():
        print("  explained (%d): %s" % (c, w))
    for n, t, want, have in unexplained[:40]:
        print("  UNEXPLAINED %s (nm types %s): nm %s, index %s" % (n, "".join(t), want, have))
    if len(unexplained) > 40:
        print("  ... %d more" % (len(unexplained) - 40))
    return len(unexplained)

rng = random.Random(seed)
names_by_type = collections.defaultdict(list)
for n in sorted(defs):
    for t in types[n]:
        names_by_type[t].append(n)
chosen = []
per_type = max(1, min(10, sample_n // (2 * max(1, len(names_by_type)))))
for t in sorted(names_by_type):
    pool = [n for n in names_by_type[t] if n not in chosen]
    chosen += rng.sample(pool, min(per_type, len(pool)))
rest = [n for n in sorted(defs) if n not in set(chosen)]
chosen += rng.sample(rest, max(0, min(len(rest), sample_n - len(chosen))))
tc = collections.Counter(t for n in chosen for t in types[n])
print()
print("sample (SEED=%d): %d symbols, up to %d of each nm type, the rest at random; types in the sample: %s"
      % (seed, len(chosen), per_type, ", ".join("%s %d" % kv for kv in sorted(tc.items()))))
bad = compare(chosen, "sample")
if full:
    print()
    t0 = time.monotonic()
    bad += compare(sorted(defs), "every symbol")
    print("  (looked up in %.1f s)" % (time.monotonic() - t0))
print()
if bad:
    print("UNEXPLAINED differences: %d" % bad)
    sys.exit(1)
print("UNEXPLAINED: 0")
PY

run_py "$py" "$work/gorelink" "$nm" "$work" "$runs" "$sample" "$seed" "$full"
