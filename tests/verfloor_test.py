#!/usr/bin/env python3
"""verfloor_test.py GORELINK fixtures|oracle

The symbol-version floor of `gorelink check` (check/gr_elfver.c).

fixtures: programs built here (cc, c++) and byte-patched copies of them:
  * a C program needing GLIBC_2.34 (__libc_start_main, pthread_create) and a
    weak reference (pidfd_open, GLIBC_2.36); a C++ program needing GLIBCXX_
    and CXXABI_ from libstdc++.so.6; floors and symbols agree with readelf;
  * the policy: --glibc 2.36 passes, --glibc 2.28 fails (exit 1) naming the
    symbols, remedies printed; a VER_FLG_WEAK version does not fail;
    --max-version usage errors exit 64;
  * corrupt version sections (patched copies): exit 2, an error naming the
    file, no crash;
  * every JSON line validates against docs/schema/check-v2.schema.json.
oracle: `gorelink check -R --json /usr/bin /usr/lib` against
  `readelf -V --dyn-syms --wide` on every ELF file there: per needed library
  the version list, the floor of every family and the symbols that set it,
  and the defined versions.  Prints the counts; any disagreement fails.

Needs binutils (readelf), gcc and g++ (Debian packages binutils, gcc, g++),
python3-jsonschema.  Prints `ok NAME` / `FAIL NAME: why`, then
`N passed, M failed`.
"""

import json
import os
import re
import shutil
import struct
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import eq, true, contains  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA_PATH = os.path.join(HERE, "..", "docs", "schema", "check-v2.schema.json")
SUITE = harness.Suite()
test = SUITE.test
GORELINK = None
SCRATCH = None
_validator = None


def run(*args, timeout=120):
    return harness.run([GORELINK, "check"] + list(args), timeout)


def validator():
    global _validator
    if _validator is None:
        _validator = harness.schema_validator(SCHEMA_PATH)
    return _validator


def json_lines(r):
    objs = []
    for i, line in enumerate(r.out.splitlines()):
        o = json.loads(line)
        errs = list(validator().iter_errors(o))
        true(not errs, "line %d matches the schema: %s" % (i + 1, errs[:1]), r)
        objs.append(o)
    return objs


# ------------------------------------------------------------ the floor, in Python

def family(name):
    """(family, numbered) as gr_elfver_family: the shortest prefix ending in
    '_' that a digit follows; else the whole name, unnumbered."""
    for i in range(1, len(name)):
        if name[i - 1] == "_" and name[i].isdigit():
            return name[:i], True
    return name, False


def vkey(v):
    """Sort key of a version number: digit runs as numbers, the rest as text."""
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.findall(r"\d+|\D+", v) if p]


def cmp_versions(a, b):
    # byte-wise, like gr_elfver_cmp: walk the runs in step
    ka, kb = re.findall(r"\d+|\D", a), re.findall(r"\d+|\D", b)
    for x, y in zip(ka, kb):
        if x.isdigit() and y.isdigit():
            if int(x) != int(y):
                return -1 if int(x) < int(y) else 1
        elif x != y:
            return -1 if x < y else 1
    return (len(ka) > len(kb)) - (len(ka) < len(kb))


def floors(names):
    """{family: highest name} for a list of needed version names (the first of
    equal ones wins); unnumbered names are families of their own."""
    out = {}
    for n in names:
        fam, numbered = family(n)
        if fam not in out:
            out[fam] = n
        elif numbered and cmp_versions(n[len(fam):], out[fam][len(fam):]) > 0:
            out[fam] = n
    return out


# ------------------------------------------------------------ readelf

def readelf_many(paths):
    """{path: {"needed": [(file, [names], {name: weak_flag})], "defined": [names],
    "syms": {version_name: [symbol names]}}} from readelf -V --dyn-syms -W."""
    res = {}
    cur = None
    mode = None
    r = subprocess.run(["readelf", "-V", "--dyn-syms", "--wide"] + paths,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    text = r.stdout.decode("utf-8", "surrogateescape")
    single = len(paths) == 1
    if single:
        cur = res.setdefault(paths[0], {"needed": [], "defined": [], "syms": {}, "idx": {}})
    for line in text.splitlines():
        m = re.match(r"^File: (.*)$", line)
        if m and not single:
            cur = res.setdefault(m.group(1), {"needed": [], "defined": [], "syms": {}, "idx": {}})
            mode = None
            continue
        if cur is None:
            continue
        if line.startswith("Version needs section"):
            mode = "need"
            continue
        if line.startswith("Version definition section"):
            mode = "def"
            continue
        if line.startswith("Version symbols section"):
            mode = "versym"
            continue
        if line.startswith("Symbol table"):
            mode = "sym"
            continue
        if mode == "need":
            m = re.match(r"^\s*[0-9a-fx]+:\s+Version: \d+\s+File: (\S+)\s+Cnt: \d+", line)
            if m:
                cur["needed"].append((m.group(1), [], {}))
                continue
            m = re.match(r"^\s*0x[0-9a-f]+:\s+Name: (\S+)\s+Flags: (.*?)\s+Version: (\d+)", line)
            if m and cur["needed"]:
                cur["needed"][-1][1].append(m.group(1))
                cur["needed"][-1][2][m.group(1)] = "WEAK" in m.group(2)
                cur["idx"][int(m.group(3))] = (cur["needed"][-1][0], m.group(1))
        elif mode == "def":
            m = re.match(r"^\s*0x[0-9a-f]+:\s+Rev: \d+\s+Flags: (.*?)\s+Index: \d+\s+Cnt: \d+\s+Name: (\S+)", line)
            if m and "BASE" not in m.group(1):
                cur["defined"].append(m.group(2))
        elif mode == "sym":
            m = re.match(r"^\s*\d+:\s+\S+\s+\S+\s+\S+\s+(\S+)\s+\S+\s+\S+\s+(\S+?)@(\S+) \((\d+)\)\s*$", line)
            if m and "@" not in m.group(3):
                cur["syms"].setdefault(int(m.group(4)), []).append((m.group(2), m.group(1) == "WEAK"))
    return res


def compare(path, o, ro):
    """Disagreements (strings) between gorelink's versions member o and readelf's ro."""
    bad = []
    v = o.get("versions")
    if not ro["needed"] and not ro["defined"]:
        if v is not None:
            bad.append("%s: readelf lists no version sections, gorelink %r" % (path, v))
        return bad
    if v is None:
        return ["%s: readelf lists versions, gorelink none" % path]
    got_files = [(n.get("file"), n["versions"]) for n in v["needed"]]
    want_files = [(f, names) for f, names, _w in ro["needed"]]
    if got_files != want_files:
        bad.append("%s: needed versions %r, readelf %r" % (path, got_files, want_files))
        return bad
    for n, (f, names, weak) in zip(v["needed"], ro["needed"]):
        want = floors(names)
        got = {fl["family"]: fl for fl in n["floors"]}
        if {k: g["version"] for k, g in got.items()} != want:
            bad.append("%s: %s floors %r, readelf %r" % (
                path, f, {k: g["version"] for k, g in got.items()}, want))
            continue
        for fam, fl in got.items():
            if fl["weak"] != weak[fl["version"]]:
                bad.append("%s: %s weak flag of %s" % (path, f, fl["version"]))
            idx = [i for i, fv in ro["idx"].items() if fv == (f, fl["version"])]
            want_syms = sorted(s for i in idx for s in ro["syms"].get(i, []))
            got_syms = sorted((s["name"], s["weak"]) for s in fl["symbols"])
            if got_syms != want_syms:
                bad.append("%s: %s symbols of %s: %r, readelf %r" % (
                    path, f, fl["version"], got_syms[:5], want_syms[:5]))
    if v["defined"] != ro["defined"]:
        bad.append("%s: defined %r, readelf %r" % (path, v["defined"], ro["defined"]))
    return bad


# ------------------------------------------------------------ fixtures

C_SRC = r"""
#include <pthread.h>
#include <stdio.h>
extern int pidfd_open(int, unsigned) __attribute__((weak));
static void *f(void *a) { return a; }
int main(void) {
	pthread_t t;
	pthread_create(&t, 0, f, 0);
	pthread_join(t, 0);
	printf("%d\n", pidfd_open != 0);
	return 0;
}
"""

CXX_SRC = r"""
#include <iostream>
#include <string>
#include <stdexcept>
int main(int argc, char **argv) {
	std::string s(argv[0]);
	try { if (argc > 5) throw std::runtime_error(s); } catch (const std::exception &e) { std::cout << e.what(); }
	std::cout << s.size() << std::endl;
	return 0;
}
"""


def fixture(name):
    return os.path.join(SCRATCH, name)


def setup_fixtures():
    for tool, pkg in (("cc", "gcc"), ("c++", "g++"), ("readelf", "binutils")):
        if not shutil.which(tool):
            raise RuntimeError("%s is missing: install the Debian package %s" % (tool, pkg))
    with open(fixture("c.c"), "w") as f:
        f.write(C_SRC)
    with open(fixture("cxx.cc"), "w") as f:
        f.write(CXX_SRC)
    harness.must(["cc", "-O1", "-o", fixture("cprog"), fixture("c.c")], 120)
    harness.must(["c++", "-O1", "-o", fixture("cxxprog"), fixture("cxx.cc")], 240)


def sections(path):
    """{name: (offset, size, link, info)} of an ELF64 little-endian file."""
    data = open(path, "rb").read()
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3a)
    hdrs = []
    for i in range(shnum):
        name, typ, _fl, _addr, off, size, link, info = struct.unpack_from(
            "<IIQQQQII", data, shoff + i * shentsize)
        hdrs.append((name, typ, off, size, link, info, shoff + i * shentsize))
    stroff = hdrs[shstrndx][2]
    out = {}
    for name, typ, off, size, link, info, hoff in hdrs:
        nm = data[stroff + name:data.index(b"\0", stroff + name)].decode()
        out[nm] = (off, size, link, info, hoff)
    return out


def patched(name, patches):
    """A copy of cprog with (offset, bytes) patches applied."""
    dst = fixture(name)
    shutil.copyfile(fixture("cprog"), dst)
    with open(dst, "r+b") as f:
        for off, b in patches:
            f.seek(off)
            f.write(b)
    return dst


def vernaux_offsets(path):
    """[(file offset of the Vernaux, name)] of the first Verneed of path."""
    s = sections(path)
    off = s[".gnu.version_r"][0]
    dynstr = s[".dynstr"][0]
    data = open(path, "rb").read()
    _ver, cnt, _file, aux, _nxt = struct.unpack_from("<HHIII", data, off)
    out = []
    a = off + aux
    for _ in range(cnt):
        _h, _fl, _other, nm, nxt = struct.unpack_from("<IHHII", data, a)
        out.append((a, data[dynstr + nm:data.index(b"\0", dynstr + nm)].decode()))
        a += nxt
    return out


@test
def c_floor_agrees_with_readelf():
    r = run("--json", fixture("cprog"))
    eq(r.rc, 1, "exit status (dynamic, no --allow)", r)
    o = json_lines(r)[0]
    ro = readelf_many([fixture("cprog")])[fixture("cprog")]
    eq(compare(fixture("cprog"), o, ro), [], "disagreements with readelf")
    libc = [n for n in o["versions"]["needed"] if n.get("file") == "libc.so.6"][0]
    true("GLIBC_2.34" in libc["versions"], "GLIBC_2.34 is needed", r)
    fl = libc["floors"][0]
    eq(fl["version"], "GLIBC_2.36", "the floor (the weak pidfd_open sets it)", r)
    eq(fl["symbols"], [{"name": "pidfd_open", "weak": True}], "symbols of the floor", r)


@test
def cxx_floor_has_glibcxx_and_cxxabi():
    r = run("--json", fixture("cxxprog"))
    o = json_lines(r)[0]
    ro = readelf_many([fixture("cxxprog")])[fixture("cxxprog")]
    eq(compare(fixture("cxxprog"), o, ro), [], "disagreements with readelf")
    lib = [n for n in o["versions"]["needed"] if n.get("file").startswith("libstdc++")]
    true(lib, "libstdc++ is a needed library", r)
    fams = {fl["family"] for fl in lib[0]["floors"]}
    true({"GLIBCXX_", "CXXABI_"} <= fams, "GLIBCXX_ and CXXABI_ floors: %r" % fams, r)
    for fl in lib[0]["floors"]:
        true(fl["symbols"], "symbols named for %s" % fl["version"], r)


@test
def versions_lines_in_plain_output():
    r = run("--versions", fixture("cprog"))
    eq(r.rc, 1, "exit status", r)
    contains(r.out, "  versions: libc.so.6 GLIBC_2.36 (pidfd_open weak)", "versions line", r)
    r = run(fixture("cprog"))
    true("versions:" not in r.out, "no versions line without --versions", r)


@test
def policy_passes_at_236():
    r = run("--allow", "libc.so.6", "--glibc", "2.36", fixture("cprog"))
    eq(r.rc, 0, "exit status", r)
    r = run("--allow", "libc.so.6", "--max-version", "GLIBC_2.36", "--json", fixture("cprog"))
    eq(r.rc, 0, "exit status (--max-version)", r)
    eq(json_lines(r)[0]["pass"], True, "pass", r)


@test
def policy_fails_at_228_naming_symbols():
    r = run("--allow", "libc.so.6", "--glibc", "2.28", "--explain", fixture("cprog"))
    eq(r.rc, 1, "exit status", r)
    contains(r.out, "needs GLIBC_2.34 from libc.so.6, newer than --max-version GLIBC_2.28; "
             "symbols that need it: __libc_start_main, pthread_create, pthread_join", "2.34 symbols", r)
    contains(r.out, "needs GLIBC_2.36 from libc.so.6, newer than --max-version GLIBC_2.28; "
             "symbols that need it: pidfd_open (weak)", "the weak one", r)
    contains(r.out, 'CC="zig cc -target x86_64-linux-gnu.2.28"', "zig remedy", r)
    contains(r.out, "gorelink --static", "static remedy", r)
    contains(r.out, "sysroot with glibc 2.28 or older", "older-system remedy", r)
    r = run("--allow", "libc.so.6", "--glibc", "2.28", "--json", fixture("cprog"))
    o = json_lines(r)[0]
    eq(sorted(p["code"] for p in o["problems"]), ["symbol-version", "symbol-version"], "problems", r)


@test
def policy_weak_reference_alone_fails_at_235():
    """Two weak pidfd_* forced GLIBC_2.39 in ckb#243: a weak symbol does not
    lower the floor, ld.so still wants the version."""
    r = run("--allow", "libc.so.6", "--glibc", "2.35", "--explain", fixture("cprog"))
    eq(r.rc, 1, "exit status", r)
    contains(r.out, "needs GLIBC_2.36", "2.36 named", r)
    true("needs GLIBC_2.34" not in r.out, "2.34 is within the limit", r)


@test
def policy_unnumbered_glibc_versions():
    """glibc's unnumbered versions against a GLIBC_ limit: GLIBC_ABI_DT_RELR
    (-z pack-relative-relocs) came with glibc 2.36, whose ld.so is the first
    to load such a file ('version GLIBC_ABI_DT_RELR not found' before)."""
    relr = fixture("relr")
    with open(fixture("relr.c"), "w") as f:
        f.write("int main(void) { return 0; }\n")  # GLIBC_2.34 (__libc_start_main) only
    harness.must(["cc", "-O1", "-Wl,-z,pack-relative-relocs", "-o", relr, fixture("relr.c")], 120)
    rv = subprocess.run(["readelf", "-V", "--wide", relr], stdout=subprocess.PIPE, text=True)
    true("GLIBC_ABI_DT_RELR" in rv.stdout, "readelf shows no GLIBC_ABI_DT_RELR: the fixture is wrong", rv)
    r = run("--allow", "libc.so.6", "--glibc", "2.35", "--explain", relr)
    eq(r.rc, 1, "exit status at --glibc 2.35", r)
    contains(r.out, "needs GLIBC_ABI_DT_RELR from libc.so.6", "the unnumbered version named", r)
    r = run("--allow", "libc.so.6", "--glibc", "2.36", relr)
    eq(r.rc, 0, "exit status at --glibc 2.36", r)


@test
def policy_other_family_does_not_limit_glibc():
    r = run("--allow", "libc.so.6", "--max-version", "GLIBCXX_3.4.20", fixture("cprog"))
    eq(r.rc, 0, "exit status (no libstdc++ needed)", r)
    r = run("--allow", "lib*", "--max-version", "GLIBCXX_3.4.9", "--explain", fixture("cxxprog"))
    eq(r.rc, 1, "exit status (C++ program, GLIBCXX_3.4.9)", r)
    contains(r.out, "-static-libstdc++", "libstdc++ remedy", r)


@test
def vna_weak_version_does_not_fail():
    offs = dict((n, o) for o, n in vernaux_offsets(fixture("cprog")))
    # vna_flags (2 bytes at +4): VER_FLG_WEAK on GLIBC_2.36 and GLIBC_2.34
    p = patched("weakver", [(offs["GLIBC_2.36"] + 4, b"\x02\x00"), (offs["GLIBC_2.34"] + 4, b"\x02\x00")])
    out = subprocess.run(["readelf", "-V", "-W", p], stdout=subprocess.PIPE).stdout.decode()
    contains(out, "Name: GLIBC_2.36  Flags: WEAK", "readelf sees the weak flag")
    r = run("--allow", "libc.so.6", "--glibc", "2.28", "--json", p)
    eq(r.rc, 0, "exit status (weak versions only warn in ld.so)", r)
    fl = json_lines(r)[0]["versions"]["needed"][0]["floors"][0]
    eq(fl["weak"], True, "weak flag in JSON", r)


@test
def usage_errors():
    for args, needle in ((["--glibc", "abc"], "expected a glibc version"),
                         (["--max-version", "GLIBC_PRIVATE"], "expected a version name with a number"),
                         (["--max-version", "2.28"], "expected a version name with a number"),
                         (["--glibc", "2.28", "--max-version", "GLIBC_2.30"], "given already"),
                         (["--max-version"], "needs an argument")):
        r = run(*(args + [fixture("cprog")])) if args != ["--max-version"] else run("--max-version")
        eq(r.rc, 64, "exit status of %r" % args, r)
        contains(r.err, needle, "diagnostic of %r" % args, r)


def corrupt_cases():
    path = fixture("cprog")
    s = sections(path)
    vr_off, vr_size, _l, _i, vr_hdr = s[".gnu.version_r"]
    auxes = vernaux_offsets(path)
    dynstr_size = s[".dynstr"][1]
    vn_file = struct.unpack_from("<I", open(path, "rb").read(), vr_off + 4)[0]
    size = os.path.getsize(path)
    return [
        ("vn_aux past the section", [(vr_off + 8, struct.pack("<I", 0x7ffffff0))]),
        ("vn_file beyond .dynstr", [(vr_off + 4, struct.pack("<I", dynstr_size + 5))]),
        ("vn_version 2", [(vr_off, struct.pack("<H", 2))]),
        ("vn_cnt larger than the chain", [(vr_off + 2, struct.pack("<H", 0xffff)),
                                          (auxes[-1][0] + 12, struct.pack("<I", 16))]),
        ("vna_name beyond .dynstr", [(auxes[0][0] + 8, struct.pack("<I", 0xfffffff0))]),
        ("vna_next past the section", [(auxes[0][0] + 12, struct.pack("<I", 0x1000000))]),
        ("vn_next past the section", [(vr_off + 12, struct.pack("<I", vr_size))]),
        ("sh_size past the file", [(vr_hdr + 0x20, struct.pack("<Q", size))]),
        ("sh_offset past the file", [(vr_hdr + 0x18, struct.pack("<Q", size + 1))]),
        ("sh_link to no section", [(vr_hdr + 0x28, struct.pack("<I", 0xffff))]),
        ("versym shorter than dynsym", [(s[".gnu.version"][4] + 0x20, struct.pack("<Q", 2))]),
        (".dynstr ends inside vn_file's name (no NUL)",
         [(s[".dynstr"][4] + 0x20, struct.pack("<Q", vn_file + 3))]),
    ]


@test
def corrupt_version_sections_exit_2():
    for i, (what, patches) in enumerate(corrupt_cases()):
        p = patched("corrupt%d" % i, patches)
        r = run(p)
        eq(r.rc, 2, "exit status for %s" % what, r)
        contains(r.err, p, "the error names the file (%s)" % what, r)
        if "no NUL" in what:
            contains(r.err, "is not NUL-terminated", "the reason (%s)" % what, r)
        r = run("--json", p)
        eq(r.rc, 2, "exit status for %s (--json)" % what, r)
        o = json_lines(r)[0]
        eq(o["verdict"], "error", "verdict for %s" % what, r)


@test
def corrupt_file_does_not_stop_the_others():
    p = patched("corrupt-many", corrupt_cases()[0][1])
    r = run(p, fixture("cprog"))
    eq(r.rc, 2, "exit status", r)
    contains(r.out, fixture("cprog") + ": dynamic", "the good file is still reported", r)


# ------------------------------------------------------------ oracle

ORACLE = harness.Suite()


@ORACLE.test
def oracle_usr_bin_usr_lib():
    if not shutil.which("readelf"):
        raise AssertionError("readelf is missing: install the Debian package binutils")
    r = run("-R", "--json", "/usr/bin", "/usr/lib", timeout=1800)
    true(r.rc in (0, 1), "exit status 0 or 1 (nothing unreadable)", r if r.rc not in (0, 1) else None)
    objs = [json.loads(line) for line in r.out.splitlines()]
    for o in objs[:50]:
        errs = list(validator().iter_errors(o))
        true(not errs, "%s matches the schema: %s" % (o["path"], errs[:1]))
    elf = {o["path"]: o for o in objs if o.get("format") == "elf" and o["verdict"] != "debug-info"}
    paths = sorted(elf)
    bad = []
    nver = nfloor = nsym = 0
    for i in range(0, len(paths), 200):
        chunk = paths[i:i + 200]
        ro = readelf_many(chunk)
        for p in chunk:
            if p not in ro:
                ro[p] = {"needed": [], "defined": [], "syms": {}, "idx": {}}
            bad += compare(p, elf[p], ro[p])
            v = elf[p].get("versions")
            if v:
                nver += 1
                for n in v["needed"]:
                    nfloor += len(n["floors"])
                    nsym += sum(len(fl["symbols"]) for fl in n["floors"])
    print("oracle: %d ELF files, %d with version sections, %d floors, %d floor symbols, %d disagreements"
          % (len(paths), nver, nfloor, nsym, len(bad)))
    true(len(paths) > 100, "more than 100 ELF files under /usr/bin and /usr/lib")
    true(nver > 100, "more than 100 files with versions")
    eq(bad[:10], [], "disagreements (%d in all)" % len(bad))


def main():
    global GORELINK, SCRATCH
    if len(sys.argv) != 3 or sys.argv[2] not in ("fixtures", "oracle"):
        sys.stderr.write("usage: %s GORELINK fixtures|oracle\n" % sys.argv[0])
        return 2
    GORELINK = os.path.abspath(sys.argv[1])
    if sys.argv[2] == "oracle":
        return ORACLE.run(only_env="VERFLOOR_ONLY")
    SCRATCH = harness.make_scratch("verfloor-")
    try:
        try:
            setup_fixtures()
        except (RuntimeError, OSError) as e:
            return harness.fail_early(str(e))
        return SUITE.run(only_env="VERFLOOR_ONLY")
    finally:
        harness.rmtree_forced(SCRATCH)


if __name__ == "__main__":
    sys.exit(main())
