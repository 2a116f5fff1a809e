#!/usr/bin/env bash
# Benchmark: `gorelink check -R` against scanelf (pax-utils) on the same trees,
# followed by a per-file report of where the two disagree on whether a file
# loads anything at run time (PT_INTERP / DT_NEEDED).
#
# Usage: bench/check-vs-scanelf.sh [GORELINK] [DIR...]
#   GORELINK  the gorelink binary (default: build/gorelink of this checkout;
#             an empty string also means the default)
#   DIR...    trees to walk (default: /usr/bin /usr/lib)
#
# Environment:
#   RUNS=N    timed runs of each tool after one warm-up run each (default 7)
#   COLD=N    also time N cold-cache runs of each tool first, dropping the
#             page, dentry and inode caches (sync; echo 3 >
#             /proc/sys/vm/drop_caches) before every one; needs root and
#             slows the whole machine for a moment (default 0: skipped)
#
# This is a benchmark, not a test: it prints its results. It exits 1 when a
# requirement is missing or when some file's disagreement is UNEXPLAINED.
#
# What is timed, exactly (stdout and stderr both to /dev/null):
#   gorelink check -R DIR...
#   scanelf -R -n -i DIR...
# scanelf's -B (no banner) only drops its one header line and measured the
# same, so the flags are kept exactly as -R -n -i.  -q is not used: it would
# make scanelf print only files with something found, which is a different job.
#
# How the disagreement report reads scanelf: `scanelf -R -B -C -F FORMAT`
# with a FORMAT that starts every record with a marker and separates the
# fields with \x1f, because scanelf prints empty fields as nothing (so
# whitespace-separated output is ambiguous) and can print raw bytes, even
# newlines, as an interpreter (see the debug-info category).
#
# Differences it knows how to explain (each one checked on the file itself,
# from its ELF program and section headers, not assumed from its path):
#   only gorelink  ar archives (scanelf reads them only with -A); Mach-O;
#                  ELF whose EI_CLASS/EI_DATA/EI_VERSION scanelf refuses
#   disagree       separate debug-info files whose PT_INTERP has p_filesz 0
#                  (scanelf prints the bytes at p_offset as the interpreter);
#                  no .dynstr section header (scanelf then misses DT_NEEDED);
#                  an empty PT_INTERP string
#   either         gorelink rejected the file as malformed (verdict error);
#                  the file was created, changed or removed during the run
# Anything else is printed as UNEXPLAINED.
#
# Needs scanelf (package pax-utils) and python3.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

handle_help "$@"

gorelink=${1:-$root/build/gorelink}
if [[ $# -gt 0 ]]; then shift; fi
if [[ $# -gt 0 ]]; then dirs=("$@"); else dirs=(/usr/bin /usr/lib); fi
runs=${RUNS:-7}
cold=${COLD:-0}

need_positive RUNS "$runs"
need_nonnegative COLD "$cold"
need_binary gorelink "$gorelink"
gorelink=$(realpath "$gorelink")
scanelf=$(command -v scanelf) || die "scanelf not found: install the pax-utils package (apt-get install pax-utils)"
need_python3
for d in "${dirs[@]}"; do
	[[ -d $d ]] || die "'$d' is not a directory"
done
if (( cold > 0 )); then
	[[ -w /proc/sys/vm/drop_caches ]] || die "COLD=$cold needs a writable /proc/sys/vm/drop_caches (run as root)"
fi

print_machine_start
print_machine_basics
echo "gorelink:  $("$gorelink" --version 2>&1 | head -n 1) ($gorelink)"
echo "scanelf:   $("$scanelf" -V 2>&1 | head -n 1) ($scanelf)"
print_python3
for d in "${dirs[@]}"; do
	print_fs "$d"
done

read -r -d '' py <<'PY' || true
import collections, json, mmap, os, statistics, struct, subprocess, sys, time
from shutil import which as shutil_which

sys.stdout.reconfigure(errors="backslashreplace", line_buffering=True)
gorelink, scanelf, runs, cold = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
dirs = sys.argv[5:]

def fsdec(b):
    return b.decode("utf-8", "surrogateescape")

def show(b, n=48):
    """A byte string as printable text, cut at n bytes."""
    s = repr(b[:n])[2:-1]
    return s + ("..." if len(b) > n else "")

# ---------------------------------------------------------------- the trees
def magic_kind(head):
    if head[:4] == b"\x7fELF":
        return "elf"
    if head[:8] in (b"!<arch>\n", b"!<thin>\n"):
        return "archive"
    if head[:4] in (b"\xfe\xed\xfa\xce", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"\xcf\xfa\xed\xfe"):
        return "macho"
    if head[:4] == b"\xca\xfe\xba\xbf":
        return "macho-fat"
    if head[:4] == b"\xca\xfe\xba\xbe":
        # Java class files share the magic; gorelink tells them apart the same way.
        if len(head) >= 8 and 45 <= struct.unpack(">I", head[4:8])[0] & 0xFFFF <= 255:
            return "java-class"
        return "macho-fat"
    return "other"

files = {}                      # path -> (kind, size, ctime) for every regular file
counts = collections.Counter()
symlinks = set()
symlink_operands = []

def walk(path):
    try:
        it = os.scandir(path)
    except OSError as e:
        counts["unreadable dirs"] += 1
        return
    with it:
        for ent in it:
            p = ent.path
            try:
                if ent.is_symlink():
                    symlinks.add(p)
                    counts["symlinks"] += 1
                elif ent.is_dir(follow_symlinks=False):
                    counts["directories"] += 1
                    walk(p)
                elif ent.is_file(follow_symlinks=False):
                    st = ent.stat(follow_symlinks=False)
                    try:
                        with open(p, "rb") as f:
                            head = f.read(8)
                    except OSError:
                        head = b""
                        counts["unreadable files"] += 1
                    k = magic_kind(head)
                    files[p] = (k, st.st_size, st.st_ctime)
                    counts["regular files"] += 1
                    counts["  " + k] += 1
                else:
                    counts["other (fifo, socket, device)"] += 1
            except OSError:
                counts["vanished"] += 1

for d in dirs:
    if os.path.islink(d):
        symlink_operands.append(d)
    walk(d)

print("files:     under %s (symlinks not followed; kind by magic bytes):" % " ".join(dirs))
for k in ("directories", "regular files", "  elf", "  archive", "  macho", "  macho-fat",
          "  java-class", "  other", "symlinks", "other (fifo, socket, device)",
          "unreadable files", "unreadable dirs", "vanished"):
    if counts[k] or k in ("directories", "regular files", "  elf", "  archive", "symlinks"):
        print("           %-30s %8d" % (k.replace("  ", "  by magic: ", 1) if k.startswith("  ") else k, counts[k]))
if symlink_operands:
    print("note:      %s is a symlink: gorelink follows an operand symlink, scanelf does not descend"
          " into one (it fstatat()s operands with AT_SYMLINK_NOFOLLOW)" % ", ".join(symlink_operands))

# ---------------------------------------------------------------- timing
g_cmd = [gorelink, "check", "-R"] + dirs
v_cmd = [gorelink, "check", "-R", "--versions"] + dirs
s_cmd = [scanelf, "-R", "-n", "-i"] + dirs
ok_status = {"gorelink": (0, 1, 2), "versions": (0, 1, 2), "scanelf": (0,), "objdump": (0, 1)}

def run(name, cmd):
    r = timed_spawn(cmd, os.environ)
    if r["code"] not in ok_status[name]:
        die("%s exited with status %d: %s" % (name, r["code"], " ".join(cmd)))
    return r

def drop_caches():
    os.sync()
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("3\n")

def summary(name, rs):
    print_summary(name, rs, 9, 8, 4, ", exit " + "/".join(str(c) for c in sorted({r["code"] for r in rs})))

print()
print("== timing")
print("gorelink: " + " ".join(g_cmd) + " >/dev/null 2>/dev/null")
print("versions: " + " ".join(v_cmd) + " >/dev/null 2>/dev/null  (also prints the version floors)")
print("scanelf:  " + " ".join(s_cmd) + " >/dev/null 2>/dev/null")
print("(check always reads the symbol versions, .gnu.version_r/_d and .gnu.version;"
      " --versions prints them too)")
print("(wall: time.perf_counter_ns around posix_spawn+wait4; CPU: the child's rusage)")

if cold:
    print()
    print("cold cache: %d run(s) of each, caches dropped before every run" % cold)
    cg, cs = [], []
    for i in range(cold):
        for name, cmd, acc in alternate(i, [("gorelink", g_cmd, cg), ("scanelf", s_cmd, cs)]):
            drop_caches()
            r = run(name, cmd)
            acc.append(r)
            print("  cold %d %-9s wall %8.4f s  user+sys %7.4f s" % (i + 1, name, r["wall"], r["cpu"]))
    summary("gorelink", cg)
    summary("scanelf", cs)
    print("  cold median ratio gorelink/scanelf: %.3f" % (median_of(cg) / median_of(cs)))

print()
print("warm-up (first run of each in this timing pass; after the file walk above,"
      " so not cold unless COLD was set):")
for name, cmd in (("gorelink", g_cmd), ("versions", v_cmd), ("scanelf", s_cmd)):
    r = run(name, cmd)
    print("  warm-up  %-9s wall %8.4f s  user+sys %7.4f s" % (name, r["wall"], r["cpu"]))

print()
print("%d timed run(s) of each, alternating (odd rounds gorelink first, even rounds scanelf first):" % runs)
G, S, V = [], [], []
for i in range(runs):
    for name, cmd, acc in alternate(i, [("gorelink", g_cmd, G), ("versions", v_cmd, V), ("scanelf", s_cmd, S)]):
        acc.append(run(name, cmd))
    print("  round %2d  gorelink %8.4f s   --versions %8.4f s   scanelf %8.4f s   ratio %.3f / %.3f"
          % (i + 1, G[-1]["wall"], V[-1]["wall"], S[-1]["wall"], G[-1]["wall"] / S[-1]["wall"],
             V[-1]["wall"] / S[-1]["wall"]))
print()
summary("gorelink", G)
summary("versions", V)
summary("scanelf", S)
vratio = median_of(V) / median_of(S)
print("  median wall ratio gorelink --versions/scanelf: %.3f  (goal <= 1.0: %s)"
      % (vratio, "met" if vratio <= 1.0 else "NOT met"))
ratio = median_of(G) / median_of(S)
pair = median_ratio(G, S)
print("  median wall ratio gorelink/scanelf: %.3f  (median of the per-round ratios: %.3f; goal <= 1.0: %s)"
      % (ratio, pair, "met" if ratio <= 1.0 else "NOT met"))
print("  median user+sys ratio gorelink/scanelf: %.3f" % (median_of(G, "cpu") / median_of(S, "cpu")))

# The way scripts check a version floor today: objdump -T on every ELF file,
# one process each (once, after the rounds; OBJDUMP_LOOP=0 skips it).
elf_paths = sorted(p for p, (k, _s, _c) in files.items() if k == "elf")
if os.environ.get("OBJDUMP_LOOP", "1") != "0":
    objdump = shutil_which("objdump")
    if objdump:
        t0 = time.perf_counter_ns()
        cpu = 0.0
        for p in elf_paths:
            r = timed_spawn([objdump, "-T", p], os.environ)
            cpu += r["cpu"]
        wall = (time.perf_counter_ns() - t0) / 1e9
        print()
        print("objdump -T loop: %d ELF files, one objdump process each: wall %.4f s, user+sys %.4f s;"
              " ratio to gorelink check -R --versions (median): %.1fx"
              % (len(elf_paths), wall, cpu, wall / median_of(V)))
    else:
        print("objdump -T loop: skipped, objdump not found (package binutils)")

# ---------------------------------------------------------------- listings
print()
print("== disagreement report")
t_start = time.time()
gp = subprocess.run([gorelink, "check", "-R", "--json"] + dirs, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
if gp.returncode not in (0, 1, 2):
    die("gorelink --json exited with status %d" % gp.returncode)
MARK = b"\x1eGRSE\x1f"
fmt = MARK + b"%F\x1f%i\x1f%n\x1f%o"
sp = subprocess.run([scanelf.encode(), b"-R", b"-B", b"-C", b"-F", fmt] + [os.fsencode(d) for d in dirs],
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
if sp.returncode != 0:
    die("scanelf -F exited with status %d" % sp.returncode)
t_end = time.time()
print("gorelink: " + " ".join(g_cmd[:3] + ["--json"] + dirs) + "  (exit %d)" % gp.returncode)
print("scanelf:  %s -R -B -C -F '\\x1eGRSE\\x1f%%F\\x1f%%i\\x1f%%n\\x1f%%o' %s" % (scanelf, " ".join(dirs)))

unexplained = []
G = {}            # path -> gorelink JSON object
walk_errors = []
for n, line in enumerate(gp.stdout.split(b"\n")):
    if not line:
        continue
    try:
        o = json.loads(fsdec(line))   # gorelink writes path bytes as they are, even non-UTF-8
    except ValueError as e:
        unexplained.append(("gorelink-json", "line %d" % (n + 1), "unparsable JSON: %s: %s" % (e, show(line, 120))))
        continue
    if not o.get("path"):
        walk_errors.append(o)
        continue
    G[o["path"]] = o

S = {}            # path -> dict(interp=bytes, needed=bytes, etype=str)
out = sp.stdout
if out and not out.startswith(MARK):
    unexplained.append(("scanelf-output", "-", "output does not start with the record marker: " + show(out)))
for rec in out[len(MARK):].split(b"\n" + MARK) if out else []:
    if rec.endswith(b"\n"):
        rec = rec[:-1]
    try:
        path, rest = rec.split(b"\x1f", 1)
        rest, etype = rest.rsplit(b"\x1f", 1)
        interp, needed = rest.rsplit(b"\x1f", 1)
    except ValueError:
        unexplained.append(("scanelf-output", "-", "record not understood: " + show(rec, 120)))
        continue
    S[fsdec(path)] = {"interp": interp, "needed": needed, "etype": fsdec(etype)}

def g_loads(o):
    return o.get("interpreter") is not None or bool(o.get("needed"))

def s_loads(r):
    return bool(r["interp"]) or bool(r["needed"])

gfmt = collections.Counter(o.get("format") or "error" for o in G.values())
gverd = collections.Counter(o["verdict"] for o in G.values())
print()
print("files reported: gorelink %d (%s; verdicts: %s), scanelf %d (ELF only; %s), both %d"
      % (len(G), ", ".join("%s %d" % kv for kv in sorted(gfmt.items())),
         ", ".join("%s %d" % kv for kv in sorted(gverd.items())),
         len(S), ", ".join("%s %d" % kv for kv in sorted(collections.Counter(r["etype"] for r in S.values()).items())),
         len(set(G) & set(S))))
print("symlinks under the trees: %d; reported by gorelink: %d, by scanelf: %d (neither follows symlinks inside a walk)"
      % (len(symlinks), len(symlinks & set(G)), len(symlinks & set(S))))
if walk_errors:
    print("gorelink walk errors (no file path):")
    for o in walk_errors:
        print("  " + (o.get("error") or {}).get("message", json.dumps(o)))
gerr_lines = [l for l in gp.stderr.decode("utf-8", "replace").splitlines() if l]
serr_lines = [l for l in sp.stderr.decode("utf-8", "replace").splitlines() if l]
print("stderr lines: gorelink %d, scanelf %d" % (len(gerr_lines), len(serr_lines)))
for l in serr_lines[:20]:
    print("  scanelf: " + l)
if len(serr_lines) > 20:
    print("  scanelf: ... %d more" % (len(serr_lines) - 20))

# ------------------------------------------------------------ ELF reading
class Elf:
    """Just enough ELF to check an explanation: header, program and section headers."""
    def __init__(self, path):
        self.ok = False
        self.why = ""
        self.phdrs = []      # (type, offset, filesz, memsz)
        self.sections = None # list of (name, type, offset, size) or None when unusable
        try:
            with open(path, "rb") as f:
                size = os.fstat(f.fileno()).st_size
                self.data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        except (OSError, ValueError) as e:
            self.why = str(e)
            return
        d = self.data
        if len(d) < 16 or d[:4] != b"\x7fELF":
            self.why = "not ELF or shorter than e_ident"
            return
        self.cls, self.dat, self.ver = d[4], d[5], d[6]
        if self.cls not in (1, 2) or self.dat not in (1, 2) or self.ver != 1:
            self.why = "EI_CLASS %d, EI_DATA %d, EI_VERSION %d" % (self.cls, self.dat, self.ver)
            return
        e = "<" if self.dat == 1 else ">"
        try:
            if self.cls == 2:
                (self.e_type, _, _, _, phoff, shoff, _, _, phentsize, phnum, shentsize, shnum,
                 shstrndx) = struct.unpack_from(e + "HHIQQQIHHHHHH", d, 16)
                pfmt, sfmt = e + "IIQQQQQQ", e + "IIQQQQIIQQ"
            else:
                (self.e_type, _, _, _, phoff, shoff, _, _, phentsize, phnum, shentsize, shnum,
                 shstrndx) = struct.unpack_from(e + "HHIIIIIHHHHHH", d, 16)
                pfmt, sfmt = e + "IIIIIIII", e + "IIIIIIIIII"
        except struct.error:
            self.why = "ELF header truncated"
            return
        self.e_shnum, self.e_phnum = shnum, phnum
        for i in range(phnum):
            try:
                v = struct.unpack_from(pfmt, d, phoff + i * phentsize)
            except struct.error:
                break
            if self.cls == 2:
                self.phdrs.append((v[0], v[2], v[5], v[6]))
            else:
                self.phdrs.append((v[0], v[1], v[4], v[5]))
        if shnum and shentsize == struct.calcsize(sfmt) and shoff + shnum * shentsize <= len(d):
            raw = [struct.unpack_from(sfmt, d, shoff + i * shentsize) for i in range(shnum)]
            names = raw[shstrndx] if shstrndx < shnum else None
            self.sections = []
            for v in raw:
                name = b"?"
                if names is not None and names[1] != 8:           # SHT_NOBITS
                    start = names[4] + v[0]
                    end = d.find(b"\0", start) if start < len(d) else -1
                    name = bytes(d[start:end]) if end >= 0 else b"?"
                self.sections.append((name, v[1], v[4], v[5]))
        self.ok = True

    def phdr(self, ptype):
        return next((p for p in self.phdrs if p[0] == ptype), None)

    def cstring_at(self, off):
        if off >= len(self.data):
            return None
        end = self.data.find(b"\0", off)
        return bytes(self.data[off:end]) if end >= 0 else None

    def section(self, name):
        if self.sections is None:
            return None
        return next((s for s in self.sections if s[0] == name), None)

PT_INTERP, PT_DYNAMIC, SHT_NOBITS = 3, 2, 8

def changed(path):
    """Explanation when the file appeared, changed or vanished while the listings ran."""
    try:
        st = os.lstat(path)
    except OSError:
        return "no longer exists: removed while the listings ran"
    if st.st_ctime >= t_start - 0.05:   # file timestamps come from a coarse clock
        return "inode changed at %s, while the listings ran (%s..%s): a package was installed or upgraded meanwhile" % (
            time.strftime("%H:%M:%S", time.localtime(st.st_ctime)),
            time.strftime("%H:%M:%S", time.localtime(t_start)), time.strftime("%H:%M:%S", time.localtime(t_end)))
    return None

# ---------------------------------------------------------------- explain
cats = collections.OrderedDict()
def note(cat, path, detail):
    cats.setdefault(cat, []).append((path, detail))

def scanelf_refuses(path):
    e = Elf(path)
    if e.ok:
        return None
    return e.why

only_g = sorted(set(G) - set(S))
only_s = sorted(set(S) - set(G))
for p in only_g:
    o = G[p]
    fmt_ = o.get("format")
    kind = files.get(p, ("?",))[0]
    if fmt_ == "archive" and kind == "archive":
        note("only gorelink: ar archive", p, "")
    elif fmt_ in ("macho", "macho-fat") and kind in ("macho", "macho-fat"):
        note("only gorelink: Mach-O", p, "%s %s, needs %s" % (fmt_, o.get("architecture"), ", ".join(o.get("needed") or []) or "nothing"))
    elif o["verdict"] == "error" and kind in ("archive", "macho", "macho-fat"):
        note("only gorelink: malformed %s (gorelink error; scanelf never reads this format)" % kind, p,
             (o.get("error") or {}).get("message", ""))
    elif kind == "elf" and scanelf_refuses(p):
        note("only gorelink: ELF that scanelf refuses", p, "%s; gorelink: %s" % (
            scanelf_refuses(p),
            (o.get("error") or {}).get("message", "") if o["verdict"] == "error" else o["verdict"]))
    else:
        why = changed(p)
        if why:
            note("only gorelink: changed during the run", p, why)
        else:
            unexplained.append(("only gorelink", p, "%s %s, magic %s" % (fmt_, o["verdict"], kind)))
for p in only_s:
    why = changed(p)
    if why:
        note("only scanelf: changed during the run", p, why)
    else:
        unexplained.append(("only scanelf", p, "scanelf: %s interp %s needed %s; magic %s" % (
            S[p]["etype"], show(S[p]["interp"]), show(S[p]["needed"]), files.get(p, ("?",))[0])))

agree = collections.Counter()
debug_nul = 0
for p in sorted(set(G) & set(S)):
    o, r = G[p], S[p]
    if o["verdict"] == "error":
        note("gorelink rejected as malformed (scanelf printed what it found)", p, "%s | scanelf: interp %s, needed %s" % (
            (o.get("error") or {}).get("message", ""), show(r["interp"]) or "-", show(r["needed"]) or "-"))
        continue
    gl, sl = g_loads(o), s_loads(r)
    if gl == sl:
        agree["loads" if gl else "loads nothing"] += 1
        if gl:
            gi = os.fsencode(o.get("interpreter") or "")
            gn = b",".join(os.fsencode(n) for n in o.get("needed") or [])
            if gi != r["interp"] or gn != r["needed"]:
                why = changed(p)
                if why:
                    note("both load, content differs: changed during the run", p, why)
                else:
                    unexplained.append(("both load, content differs", p, "gorelink interp %s needed %s | scanelf interp %s needed %s"
                                        % (show(gi), show(gn, 120), show(r["interp"]), show(r["needed"], 120))))
        elif o["verdict"] == "debug-info":
            e = Elf(p)
            pi = e.phdr(PT_INTERP) if e.ok else None
            if pi and pi[2] == 0:
                debug_nul += 1
        continue
    # they disagree on "loads something"
    e = Elf(p)
    explained = None
    if e.ok and o["verdict"] == "debug-info" and sl and not gl and not r["needed"]:
        pi = e.phdr(PT_INTERP)
        if pi and pi[2] == 0 and e.cstring_at(pi[1]) == r["interp"]:
            sec = next((s for s in e.sections or [] if s[2] <= pi[1] < s[2] + s[3] and s[1] != SHT_NOBITS), None)
            explained = ("separate debug-info file: PT_INTERP p_offset 0x%x p_filesz 0 p_memsz 0x%x; gorelink: debug-info,"
                         " loads nothing; scanelf read the C string at p_offset anyway: %d bytes of %s: %s" % (
                             pi[1], pi[3], len(r["interp"]),
                             ("section " + fsdec(sec[0])) if sec else "other data", show(r["interp"], 24)))
            note("disagree: debug-info file, scanelf prints garbage as interpreter", p, explained)
    elif e.ok and gl and not sl and o.get("interpreter") is None and o.get("needed") and not r["needed"]:
        if e.section(b".dynstr") is None or e.section(b".dynstr")[1] == SHT_NOBITS:
            explained = ("gorelink: needs %s (from PT_DYNAMIC and DT_STRTAB); the file has %s, and scanelf looks"
                         " DT_NEEDED strings up only through the .dynstr section" % (
                             ", ".join(o["needed"]),
                             "no section headers (e_shnum %d)" % e.e_shnum if e.sections is None
                             else "no .dynstr section" if e.section(b".dynstr") is None else "a NOBITS .dynstr"))
            note("disagree: no .dynstr section header, scanelf misses DT_NEEDED", p, explained)
    elif e.ok and gl and not sl and o.get("interpreter") == "" and not o.get("needed"):
        explained = "PT_INTERP holds an empty string: gorelink reports an (empty) interpreter, scanelf prints nothing"
        note("disagree: empty PT_INTERP string", p, explained)
    if not explained:
        why = changed(p)
        if why:
            note("disagree: changed during the run", p, why)
        else:
            unexplained.append(("disagree on loads", p, "gorelink %s interp %s needed %s | scanelf %s interp %s needed %s" % (
                o["verdict"], o.get("interpreter"), o.get("needed"), r["etype"], show(r["interp"]), show(r["needed"]))))

debug = [p for p, o in G.items() if o["verdict"] == "debug-info"]
debug_interp = 0
for p in debug:
    e = Elf(p)
    pi = e.phdr(PT_INTERP) if e.ok else None
    if pi and pi[2] == 0:
        debug_interp += 1
print()
print("seen by both: %d; agree: %d load something, %d load nothing" % (
    len(set(G) & set(S)), agree["loads"], agree["loads nothing"]))
print("debug-info files (gorelink's verdict): %d; %d of them have a PT_INTERP with p_filesz 0 (scanelf prints"
      " the bytes at its p_offset: garbage, or nothing when a NUL is there: %d agree by that luck); the others"
      " have only a PT_DYNAMIC with p_filesz 0, which scanelf skips too, so both say they load nothing"
      % (len(debug), debug_interp, debug_nul))

explain = {
    "only gorelink: ar archive":
        "ar archives: gorelink reports them as 'archive' (not executables; no member is read); scanelf"
        " reads archives only with -A, which the compared command does not give",
    "only gorelink: Mach-O":
        "Mach-O files: scanelf reads only ELF",
    "only gorelink: ELF that scanelf refuses":
        "ELF magic but an EI_CLASS/EI_DATA/EI_VERSION scanelf does not accept, or shorter than e_ident:"
        " scanelf skips it ('we no likey' on stderr), gorelink reports it",
    "gorelink rejected as malformed (scanelf printed what it found)":
        "gorelink reports verdict 'error' (code format): the file is inconsistent (e.g. truncated); scanelf"
        " does not validate and prints whatever it reads",
    "disagree: debug-info file, scanelf prints garbage as interpreter":
        "separate debug-info files (objcopy --only-keep-debug, e.g. /usr/lib/debug/.build-id/*.debug) keep"
        " the program headers of the binary but not the bytes: PT_INTERP and PT_DYNAMIC have p_filesz 0"
        " (.interp and .dynamic are NOBITS). gorelink calls them debug-info and reports nothing loaded;"
        " scanelf honours p_filesz 0 for PT_DYNAMIC but not for PT_INTERP, so it prints the C string that"
        " happens to start at PT_INTERP's p_offset (part of another section) as the interpreter",
    "disagree: no .dynstr section header, scanelf misses DT_NEEDED":
        "scanelf finds DT_NEEDED names through the .dynstr section header; without section headers it prints"
        " no NEEDED, gorelink reads them through DT_STRTAB as the dynamic loader does",
    "disagree: empty PT_INTERP string":
        "an empty interpreter string",
}
for cat, items in cats.items():
    print()
    print("%s: %d" % (cat, len(items)))
    if cat in explain:
        print("  why: " + explain[cat])
    # Every file is listed, except the (many, uneventful) archives.
    listing = items[:5] if cat == "only gorelink: ar archive" and len(items) > 10 else items
    for p, detail in listing:
        print("  %s%s" % (p, ("  -- " + detail) if detail else ""))
    if len(listing) < len(items):
        print("  ... and %d more of this kind" % (len(items) - len(listing)))

print()
if unexplained:
    print("UNEXPLAINED: %d" % len(unexplained))
    for cat, p, detail in unexplained:
        print("  UNEXPLAINED [%s] %s  -- %s" % (cat, p, detail))
    sys.exit(1)
print("UNEXPLAINED: 0 (every difference above has an explanation)")
PY

echo
run_py "$py" "$gorelink" "$scanelf" "$runs" "$cold" "${dirs[@]}"
