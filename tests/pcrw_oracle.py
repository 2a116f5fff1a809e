#!/usr/bin/env python3
"""GNU ld as the oracle for pkgconf-rewrite (issue 3).

Usage: pcrw_oracle.py PKGCONF_REWRITE WORKDIR

WORKDIR is wiped and filled with fixture trees generated now (gcc, ar, and
gcc -m32 or clang-14 for a foreign-architecture archive); nothing binary is
committed.  For every case the link flags are given to the real linker,

    gcc -static -Wl,--trace -Wl,--verbose BEGIN.o FLAGS END.o -o /dev/null
        -Wl,--unresolved-symbols=ignore-all

in the case's working directory, and the files ld opens because of FLAGS are
compared, as strings and, if those differ, by realpath, with the files
pkgconf-rewrite --json names (tokens[].resolved, or tokens[].members for a
linker script).  Same files, same order.

Reducing ld's trace to "the files opened because of FLAGS"
-----------------------------------------------------------
* --trace prints one path per line each time ld loads an input; --verbose adds
  "attempt to open P succeeded|failed" for every candidate it probes and
  "opened script file P" for linker scripts (all on stdout, in order).
* A *first load* of P is the trace line P that follows ld's last
  "attempt to open P succeeded" (an "opened script file P" may come between).
  ld re-prints archives (and as-needed shared libraries) on every further
  pass over a group (--start-group/GROUP) and after an LTO rescan, without
  probing again, so those lines have no "attempt" line: they are dropped.
  This tells a group re-scan from a real duplicate (-lfoo -lfoo), which the
  trace alone cannot.  A candidate that is probed and then rejected
  ("skipping incompatible") has an "attempt ... succeeded" line but no trace
  line, so it is not a load.
* BEGIN.o (an empty object) stands right before FLAGS and END.o right after
  them; only the first loads strictly between the two count.  That drops
  gcc's crt files before and the trailing --start-group -lgcc -lgcc_eh -lc
  --end-group and crtend/crtn after, whatever they are.
* Paths that ld opened as linker scripts ("opened script file") are dropped:
  their members, which ld loads right after them, are what the rewrite names.

Modes
-----
static       the flags as given (the oracle command above).  Where the flags
             switch ld to -Bdynamic, ld itself would take a .so; the rewrite
             names the archive by path instead and reports
             bdynamic_in_force (docs/pkgconf-rewrite-json.md): a documented
             difference.  For those cases the archives are compared with the
             trace of the same flags with every -Bdynamic/-dy/-call_shared
             turned into -Bstatic, and bdynamic_in_force is checked against
             the original trace (ld opened a .so there <=> true).
third-party  the kept (system) libraries are taken out of the flags, and the
             archives the rewrite names are compared with the trace of
                 gcc -Wl,--trace BEGIN.o -Wl,-Bstatic FLAGS-without-kept
                     -Wl,-Bdynamic END.o
             Then the rewritten argv is linked dynamically and its trace must
             equal the trace of the original flags with every non-system -l
             wrapped in -Wl,--push-state,-Bstatic ... -Wl,--pop-state: the
             system libraries open exactly what ld opens for them in a
             dynamic link, the others the archive of a static search.
Round trip   in every mode the rewritten argv (-0 output for fixture cases,
             json argv for .pc packages) is linked too and must open exactly
             the files the rewrite named, in order.
Search order where the files agree as strings, the candidates ld probed for
             each -l ("attempt to open", in order) must be
             search_dirs[0..dir_index] + "/lib<name>.a" (or "/<name>" for
             -l:), the last one being "resolved".
Failures     where ld fails with "cannot find", pkgconf-rewrite must exit 1
             with nothing on stdout and name every library ld could not
             find, and its "searched:" list must be the dirs ld probed.
             ld 2.40 stops at the first linker script (or nested input list)
             after a missing file (ldlang.c open_input_bfds, "Exit if any of
             the files were missing"), so it may name fewer: ld's names must
             be a subsequence of the rewrite's, and each further name must be
             missing for ld when asked alone.  ld probes a -l:NAME list twice
             (its "use -l:X" hint retry).  A name ld cannot find inside a
             linker script must appear in the message.  Where ld fails
             otherwise (a file it cannot parse as a script, a static link of
             a .so), pkgconf-rewrite must exit 2 with stdout empty.  Errors
             that ld reports only after END.o (gcc's own -lc found as a .so
             because FLAGS end in -Bdynamic) are not about FLAGS.

Shared libraries named by path: ld -static refuses one ("attempted static
             link of dynamic object"), and pkgconf-rewrite names the archive of
             its -lNAME instead (docs/pkgconf-rewrite.1), or refuses it like a
             missing -lNAME.  Such a path (a bare word naming an ELF shared
             object lib<NAME>.so[.N]) is given to the oracle as -lNAME, unless
             NAME is kept (third-party mode, --system-libs), where ld opens the
             path as given, in a dynamic link.  For fixture cases (so_as_l),
             ld must refuse the flags as given in a static link.
Bare words   a word that is no option is an input file ld opens by that path,
             relative to the directory of the link: one it cannot find is a
             missing input ("cannot find blas"), in every mode, --allow-dynamic
             included, and pkgconf-rewrite must name it.

Every installed .pc (pkg-config --list-all on the default path) is run
through the same oracle with FLAGS = pkg-config --static --libs P (split with
shlex, which follows pkgconf's quoting for what pkgconf prints) and the
rewrite given the package name, in both modes.  Its flag sequence is also
compared with pkg-config's: the --json argv (every -l allowed to stay dynamic,
so packages without archives count too) with every -l and archive replaced by
a placeholder must equal pkg-config --static --libs P the same way (same
non-library flags, order and de-duplication).

The binary under test is copied into WORKDIR first, so that a build running
meanwhile cannot swap it in the middle of a run.  The rewrite gets --cc=gcc,
the compiler of the oracle.

Ends with "N passed, M failed"; exit 1 on any failure.
"""

import collections
import concurrent.futures
import difflib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402  (tests/harness.py)

if len(sys.argv) != 3:
    sys.exit("usage: pcrw_oracle.py PKGCONF_REWRITE WORKDIR")

PCRW = os.path.abspath(sys.argv[1])
W = os.path.abspath(sys.argv[2])
CC = "gcc"
TIMEOUT = 60
START = time.monotonic()

# docs/pkgconf-rewrite.1, --mode=third-party
SYSTEM_LIBS = ["c", "m", "pthread", "dl", "rt", "resolv", "util", "anl", "crypt", "nsl",
               "mvec", "BrokenLocale", "thread_db", "nss_files", "nss_dns",
               "gcc", "gcc_s", "gcc_eh", "atomic"]

BASE_ENV = harness.environ(("PKG_CONFIG_PATH", "PKG_CONFIG_LIBDIR", "PKG_CONFIG_SYSROOT_DIR",
                            "PKG_CONFIG_ALLOW_SYSTEM_LIBS", "CC"), {"LC_ALL": "C", "LANG": "C",
                            # no Debian Contents look-up (apt-file) for each missing archive
                            "GORELINK_APT_FILE": ""})

Proc = collections.namedtuple("Proc", "rc out err")


def run(argv, cwd=None, env=None, stdin=None, text=True):
    p = subprocess.run(argv, cwd=cwd, env=env or BASE_ENV, input=stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=TIMEOUT, text=text, errors="surrogateescape" if text else None)
    return Proc(p.returncode, p.stdout, p.stderr)


def must(argv, cwd=None):
    p = run(argv, cwd=cwd)
    if p.rc != 0:
        sys.exit("fixture command failed: %s\n%s%s" % (shlex.join(argv), p.out, p.err))
    return p


# --------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------

def P(*parts):
    return os.path.join(W, *parts)


def write(path, data, mode="w"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        f.write(data)


OBJ = {}


def archive(path, obj="foo64", thin=False):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if thin:
        member = os.path.join(os.path.dirname(path), "members", "t.o")
        os.makedirs(os.path.dirname(member), exist_ok=True)
        shutil.copy(OBJ[obj], member)
        ar(path, member, thin=True)
    else:
        ar(path, OBJ[obj])


def ar(path, *members, thin=False):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    must(["ar", "rcT" if thin else "rc", path] + list(members))


def shared(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    shutil.copy(OBJ["so"], path)


def copyobj(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    shutil.copy(OBJ[obj], path)


SP = P("sp ace", "it's \"q\"")       # a directory with a space and both quotes
SR = P("sysroot")


def build_fixtures():
    # Wipe WORKDIR, but only if it is ours (or empty): a wrong argument must not cost a tree.
    if os.path.lexists(W):
        if os.listdir(W) and not os.path.exists(P(".pcrw-oracle")):
            sys.exit("%s is not empty and was not made by pcrw_oracle.py; not wiping it" % W)
        shutil.rmtree(W)
    os.makedirs(P("obj"))
    write(P(".pcrw-oracle"), "fixtures of tests/pcrw_oracle.py; wiped on every run\n")
    # One run tests one binary, even if the build tree is relinked meanwhile.
    global PCRW
    os.makedirs(P("bin"))
    shutil.copy2(PCRW, P("bin", "pkgconf-rewrite"))
    PCRW = P("bin", "pkgconf-rewrite")
    write(P("src", "m.c"), "int main(void){return 0;}\n")
    write(P("src", "empty.c"), "/* an object that defines nothing: the end marker */\n")
    write(P("src", "foo.c"), "int pcrw_fixture_fn(void){return 42;}\n")
    must([CC, "-c", P("src", "m.c"), "-o", P("obj", "m.o")])
    must([CC, "-c", P("src", "empty.c"), "-o", P("obj", "zz_end.o")])
    must([CC, "-c", P("src", "foo.c"), "-o", P("obj", "foo64.o")])
    must([CC, "-shared", "-fPIC", P("src", "foo.c"), "-o", P("obj", "shared.so")])
    # A foreign-architecture object: gcc -m32 (multilib) or clang-14 for i386.
    o32 = P("obj", "foo32.o")
    if run([CC, "-m32", "-c", P("src", "foo.c"), "-o", o32]).rc != 0:
        must(["clang-14", "-target", "i386-linux-gnu", "-c", P("src", "foo.c"), "-o", o32])
    OBJ.update(m=P("obj", "m.o"), end=P("obj", "zz_end.o"), foo64=P("obj", "foo64.o"),
               foo32=o32, so=P("obj", "shared.so"))
    # Objects whose symbols chain, so that a group is really scanned twice.
    for n, src in (("needs", "extern int pcrw_a(void); int pcrw_needs(void){return pcrw_a();}"),
                   ("ga1", "extern int pcrw_b(void); int pcrw_a(void){return pcrw_b();}"),
                   ("ga2", "int pcrw_c(void){return 3;}"),
                   ("gb", "extern int pcrw_c(void); int pcrw_b(void){return pcrw_c();}")):
        write(P("src", n + ".c"), src + "\n")
        must([CC, "-c", P("src", n + ".c"), "-o", P("obj", n + ".o")])

    L = lambda *a: P("L", *a)
    # Several -L dirs holding the same library; a .so beside a .a; .so only.
    for n in ("foo", "bar", "baz", "r2", "r3", "r3b", "s8", "garb", "fromscript"):
        archive(L("d1", "lib%s.a" % n))
    archive(L("d1", "sub", "libx.a"))
    copyobj(L("d1", "compat.o"), "foo64")
    archive(L("d2", "libfoo.a"))
    shared(L("d2", "libfoo.so"))
    archive(L("d3", "libfoo3.a"))
    archive(L("dz", "libz.a"))
    shared(L("dso", "libfoo.so"))
    shared(L("dso", "libonlyso.so"))
    for n in ("foo", "bar", "baz"):
        archive(L("both", "lib%s.a" % n))
        shared(L("both", "lib%s.so" % n))
    shared(L("dyn-early", "libqux.so"))
    archive(L("dyn-late", "libqux.a"))
    # Incompatible (i386) candidates earlier in the path than good ones.
    archive(L("d32", "libfoo.a"), "foo32")
    archive(L("d32", "libonly32.a"), "foo32")
    copyobj(L("d32", "compat.o"), "foo32")
    # An archive judged by its first member: a text file (accepted unchecked) before an
    # i386 object; a thin archive whose member is i386 (skipped).
    write(L("dtxt", "README"), "not an object\n")
    ar(L("dtxt", "libfoo.a"), L("dtxt", "README"), OBJ["foo32"])
    copyobj(L("d32thin", "m32", "foo32.o"), "foo32")
    ar(L("d32thin", "libfoo.a"), L("d32thin", "m32", "foo32.o"), thin=True)
    # Group re-scans.
    ar(L("grp", "libga.a"), P("obj", "ga1.o"), P("obj", "ga2.o"))
    ar(L("grp", "libgb.a"), P("obj", "gb.o"))
    write(L("grp", "libgs.a"), "GROUP(libga.a libgb.a)\n")
    # Empty and thin archives.
    ar(L("e", "libempty.a"))
    assert os.path.getsize(L("e", "libempty.a")) == 8
    archive(L("thin", "libthin.a"), thin=True)
    # Empty scripts: ld links with a 0-byte, blank or comment-only library file
    # (a script with no commands) and opens nothing from it.
    write(L("escr", "libz0.a"), "")
    write(L("escr", "libzb.a"), "\n  \n\t\n")
    write(L("escr", "libzc.a"), "/* GNU ld script: nothing to add */\n")
    # A directory named libfoo.a and a dangling symlink libbar.a: skipped.
    os.makedirs(L("early", "libfoo.a"))
    os.symlink(L("early", "nowhere.a"), L("early", "libbar.a"))
    # Not an archive, not an object, not a script: ld stops there.
    write(L("garb", "libgarb.a"), "this is { not a linker script\n")
    # Linker scripts.
    archive(P("abs", "libabs.a"))
    cwd = P("cwd")
    archive(os.path.join(cwd, "libr1.a"))          # decoy: the script's dir wins
    archive(os.path.join(cwd, "libr2.a"))          # found in CWD
    archive(os.path.join(cwd, "rel", "a", "libr1.a"))
    write(os.path.join(cwd, "rel", "a", "libs1.a"),
          "/* Debian style */\nOUTPUT_FORMAT(elf64-x86-64)\nGROUP ( libr1.a )\n")
    write(os.path.join(cwd, "rel", "b", "libs2.a"), "INPUT(libr2.a)\n")
    write(os.path.join(cwd, "rel", "c", "libs3.a"), "GROUP(libr3.a AS_NEEDED(libr3b.a))\n")
    write(L("scr", "libs4.a"), "GROUP(%s)\n" % P("abs", "libabs.a"))
    write(L("scr", "libs5.a"), "INPUT(-lfoo -l:libbar.a)\n")
    write(L("scr", "libs6.a"), "INPUT(libs7.a)\n")
    write(L("scr", "libs7.a"), "GROUP(libr1b.a libr1c.a)\n")
    archive(L("scr", "libr1b.a"))
    archive(L("scr", "libr1c.a"))
    write(L("scr", "libmix.a"),
          "INPUT(libr1b.a)\nGROUP(libr1c.a , libr1b.a)\nGROUP(libr1c.a)\nINPUT(-lbaz libr1b.a)\n")
    write(L("scr", "libms.a"), "GROUP(libmissing.a)\n")
    write(L("scr", "libsd.a"), "SEARCH_DIR(%s)\nINPUT(libr1b.a)\n" % L("hidden"))
    archive(L("hidden", "libhid.a"))
    write(L("scr32", "libs8.a"), "OUTPUT_FORMAT(elf32-i386)\nGROUP(libr1b.a)\n")
    write(L("scr", "libs9.a"), 'OUTPUT_FORMAT("elf64-x86-64", "elf64-x86-64",\n'
          '              "elf64-x86-64")\nGROUP(libr1b.a)\n')
    write(L("scr32", "libs10.a"), 'OUTPUT_FORMAT("elf32-i386", "elf64-x86-64", "elf64-x86-64")\n'
          'GROUP(libr1b.a)\n')
    archive(L("d1", "libs10.a"))
    write(L("d32", "libsx.a"), "INPUT(libfoo.a)\n")
    write(L("scr", "libsrc.a"), "GROUP($SYSROOT/usr/lib/libsr1.a)\n")
    write(L("scr", "libsra.a"), "GROUP(=/usr/lib/libsr1.a)\n")
    write(L("scr", "libsrb.a"), "GROUP(%s)\n" % P("abs", "libabs.a"))
    archive(L("lp", "libonlylp.a"))
    # Spaces and quotes.
    archive(os.path.join(SP, "libsq.a"))
    archive(os.path.join(SP, "lib q.a"))
    write(os.path.join(SP, "libsqs.a"), "GROUP(\"lib q.a\" libsq.a)\n")
    archive(P("sp ace", "plain", "libsq3.a"))
    # A sysroot.
    archive(os.path.join(SR, "usr", "lib", "libsr1.a"))
    write(os.path.join(SR, "usr", "lib", "libsrs.a"), "GROUP(/usr/lib/libsr1.a)\n")
    archive(os.path.join(SR, "opt", "lib", "libsr2.a"))
    archive(os.path.join(SR, "usr", "lib", "libdv.a"))
    archive(os.path.join(SR, "usr", "local", "lib", "x86_64-linux-gnu", "libdv.a"))
    os.symlink(os.path.join(SR, "usr", "lib"), L("srlink"))
    # Shared libraries named by path: a run-time file whose archive is elsewhere
    # (d1/libfoo.a), and one whose name has no archive anywhere.
    shared(L("rtso", "libfoo.so.1.2.3"))
    shared(L("rtso", "libnoa.so.2"))
    copyobj(os.path.join(cwd, "cwdobj.o"), "foo64")
    # .pc files (only these are seen: PKG_CONFIG_PATH = PKG_CONFIG_LIBDIR = WORKDIR/pc).
    for n in ("pa", "foo", "bar"):
        archive(P("pcroot", "lib", "lib%s.a" % n))
    archive(P("pcroot", "lib2", "libpb.a"))
    archive(P("pc sp ace", "lib", "libpsp.a"))
    archive(P("pcroot", "lib", "libpd.a"))

    def pc(name, body, prefix=P("pcroot")):
        write(P("pc", name + ".pc"),
              "prefix=%s\nlibdir=${prefix}/lib\n\nName: %s\nDescription: oracle fixture\n"
              "Version: 1.0\n%s" % (prefix, name, body))
    pc("pa", "Libs: -L${libdir} -lpa\nLibs.private: -lfoo -lbar -lfoo\nRequires.private: pb\n")
    pc("pb", "Libs: -L${prefix}/lib2 -lpb\nLibs.private: -lm -lz -lfoo\nRequires.private: psp\n")
    pc("psp", "Libs: \"-L${libdir}\" -lpsp\nLibs.private: -lbar\n", prefix=P("pc sp ace"))
    pc("pd", "Requires: pa\nLibs: -L${libdir} -lpd -lfoo -lpd\n")
    pc("pe", "Libs: -L${libdir} -lnothere\n")
    pc("pf", "Requires.private: pe\nLibs: -L${libdir} -lpa\n")
    pc("pg", "Libs: -L${libdir} -Wl,-Bstatic -lpa -Wl,-Bdynamic -pthread -lm\n")
    pc("ph", "Libs: -L/usr/lib/x86_64-linux-gnu -lz -L${libdir} -lpa\n")
    pc("pi", "Libs: -L${libdir} -l:libpa.a -Wl,--start-group -lfoo -lbar -Wl,--end-group\n")
    pc("pj", "Libs: -L/usr/lib -lsr1\n", prefix="/usr")
    pc("pk", "Libs: -L%s -ls6 -L%s -lr2\n" % (L("scr"), L("d1")))
    # Bare words (superlu.pc's "blas"), an object, a shared library by path (gdal.pc's libexpat).
    pc("pbare", "Libs: -L${libdir} -lpa\nLibs.private: blas -lm\n")
    pc("pobj", "Libs: -L${libdir} -lpa\nLibs.private: nothere.o\n")
    pc("pcwdobj", "Libs: -L${libdir} -lpa cwdobj.o\n")
    pc("pso", "Libs: -L%s -lbar %s\n" % (L("d1"), L("rtso", "libfoo.so.1.2.3")))


# --------------------------------------------------------------------------
# ld
# --------------------------------------------------------------------------

Trace = collections.namedtuple(
    "Trace", "rc loads block events scripts probes reprinted missing errors stderr cmd")


def ld_trace(flags, cwd, static=True, pre=(), post=(), env=None):
    """Link FLAGS between the markers; return the reduced trace (see the docstring)."""
    cmd = ([CC] + (["-static"] if static else []) +
           ["-Wl,--trace", "-Wl,--verbose", OBJ["m"]] + list(pre) + list(flags) + list(post) +
           [OBJ["end"], "-o", "/dev/null", "-Wl,--unresolved-symbols=ignore-all"])
    p = run(cmd, cwd=cwd, env=env)
    lines = p.out.split("\n")
    # Skip the built-in linker script that --verbose prints between two ===== lines.
    bars = [i for i, ln in enumerate(lines[:2000]) if ln.startswith("=" * 20)]
    start = bars[1] + 1 if len(bars) >= 2 else 0
    loads, events, attempts, probes, scripts, pending = [], [], [], [], set(), None
    reprinted = set()
    for ln in lines[start:]:
        if ln.startswith("attempt to open ") and ln.endswith((" succeeded", " failed")):
            ok = ln.endswith(" succeeded")
            path = ln[16:-10] if ok else ln[16:-7]
            pending = path if ok else pending
            attempts.append(path)
            probes.append(path)
            continue
        if ln.startswith("opened script file "):
            scripts.add(ln[19:])
            continue
        if pending is not None and ln == pending:
            loads.append(ln)
            events.append((ln, attempts))    # the candidates ld probed for this load
            attempts, pending = [], None
        elif ln in loads:
            reprinted.add(ln)                # a group pass: printed again, not probed
    block = evblock = None
    if OBJ["m"] in loads and OBJ["end"] in loads:
        i, j = loads.index(OBJ["m"]), loads.index(OBJ["end"])
        evblock = events[i + 1:j]
        block = [x for x, _ in evblock if x not in scripts]
    missing, errors = [], []
    for ln in p.err.split("\n"):
        m = re.search(r"\bld: cannot find (.+?)(: No such file or directory)?$", ln)
        if m:
            missing.append(m.group(1))
        elif re.search(r"\bld: ", ln) and "skipping incompatible" not in ln and \
                "warning:" not in ln:
            errors.append(ln)
    return Trace(p.rc, loads, block, evblock, scripts, probes, reprinted, missing, errors,
                 p.err, cmd)


def ld_verdict(tr):
    """ok: ld opened everything FLAGS name.  Errors after END.o (gcc's own -lc found as a
    .so because FLAGS end in -Bdynamic, __ehdr_start under -N...) are not about FLAGS."""
    if tr.missing and not tr.errors:
        return "missing"
    if tr.block is not None and not tr.missing:
        mine = set(p for _, att in tr.events for p in att) | set(tr.block)
        mine.discard(OBJ["end"])
        if not any(p in e for e in tr.errors for p in mine):
            return "ok"
    return "error"


# --------------------------------------------------------------------------
# Flags as ld sees them (for the forced-static and third-party oracles)
# --------------------------------------------------------------------------

class Ld(str):
    """One argument that reaches ld through -Wl, or -Xlinker."""


LD_TAKES_ARG = {"-rpath", "-rpath-link", "-L", "-o", "-soname", "-h", "-dynamic-linker",
                "-e", "-u", "-T", "-z", "-m", "-y", "-Map", "--library-path"}


def units(flags):
    out, i = [], 0
    while i < len(flags):
        t = flags[i]
        if t.startswith("-Wl,"):
            out += [Ld(x) for x in t[4:].split(",")]
        elif t == "-Xlinker" and i + 1 < len(flags):
            out.append(Ld(flags[i + 1]))
            i += 1
        else:
            out.append(t)
        i += 1
    return out


def emit(us):
    out = []
    for u in us:
        out += ["-Xlinker", str(u)] if isinstance(u, Ld) else [u]
    return out


def lib_refs(us):
    """[(start, end, name)] of every library reference in the unit list."""
    refs, i = [], 0
    while i < len(us):
        u = us[i]
        ld = isinstance(u, Ld)
        nxt = us[i + 1] if i + 1 < len(us) else None
        if ld and u in LD_TAKES_ARG:
            i += 2
            continue
        if u.startswith("-l") and len(u) > 2:
            refs.append((i, i + 1, u[2:]))
        elif ld and u.startswith("--library=") and len(u) > 10:
            refs.append((i, i + 1, u[10:]))
        elif u in ("-l", "--library") and nxt is not None and isinstance(nxt, Ld) == ld:
            refs.append((i, i + 2, str(nxt)))
            i += 1
        i += 1
    return refs


def force_static(us):
    out = []
    for u in us:
        if isinstance(u, Ld) and u in ("-Bdynamic", "-dy", "-call_shared"):
            u = Ld("-Bstatic")
        elif isinstance(u, Ld) and u in ("shared", "default") and out and \
                isinstance(out[-1], Ld) and out[-1] == "-a":
            u = Ld("archive")                       # -a shared|default: -Bdynamic
        out.append(u)
    return out


def drop_kept(us, kept):
    out, last = [], 0
    for s, e, name in lib_refs(us):
        out += us[last:s]
        if name not in kept:
            out += us[s:e]
        last = e
    return [u for u in out + us[last:] if not isinstance(u, KeptPath)]


def wrap_static(us, kept):
    out, last = [], 0
    for s, e, name in lib_refs(us):
        out += us[last:s]
        if name in kept:
            out += us[s:e]
        else:
            out += [Ld("--push-state"), Ld("-Bstatic")] + us[s:e] + [Ld("--pop-state")]
        last = e
    return out + us[last:]


# --------------------------------------------------------------------------
# pkgconf-rewrite
# --------------------------------------------------------------------------

def rewrite(opts, inputs, cwd, env, stdin=None):
    return run([PCRW, "--cc=" + CC] + opts + inputs, cwd=cwd, env=env, stdin=stdin)


def named_files(js):
    """The files the rewrite names, in order: what ld must open."""
    out = []
    for t in js["tokens"]:
        if t["kind"] == "library":
            if t["kept"]:
                continue
            if t["resolved_kind"] == "linker-script":
                out += [m["path"] for m in t["members"]]
            else:
                out.append(t["resolved"])
        elif t["kind"] == "other" and not t["input"].startswith("-"):
            out.append(t["input"])     # a bare file: ld opens it as given
    return out


def compare(exp, got, cwd):
    """('exact'|'realpath'|'differ', diff text)."""
    if exp == got:
        return "exact", ""
    diff = "\n".join(difflib.unified_diff(exp, got, "ld", "pkgconf-rewrite", lineterm="", n=2))
    rp = lambda p: os.path.realpath(os.path.join(cwd, p))
    if len(exp) == len(got) and all(rp(a) == rp(b) for a, b in zip(exp, got)):
        return "realpath", diff
    return "differ", diff


def missing_named(stderr):
    return re.findall(r"no static archive for -l(\S+)", stderr)


def shared_lib_name(path, cwd):
    """NAME when path (a bare word) names an ELF shared object lib<NAME>.so[.N...]
    (or lib<NAME>-<version>.so.<N>), else None."""
    m = re.fullmatch(r"lib(.+?)(\.so|\.so\.\d.*|-\d[\d.]*\.so\.\d.*)", os.path.basename(path))
    if path.startswith("-") or not m:
        return None
    try:
        with open(os.path.join(cwd, path), "rb") as f:
            head = f.read(18)
    except OSError:
        return None
    if head[:4] != b"\x7fELF" or int.from_bytes(head[16:18], "little") != 3:   # ET_DYN
        return None
    return m.group(1)


class KeptPath(str):
    """A shared library named by path whose -lNAME is kept: it stays as given, and
    the oracles that leave kept libraries out leave it out too (ld refuses a .so
    under -Bstatic even when named by path)."""


def so_as_l(flags, cwd, kept):
    """The flags as ld must see them for pkgconf-rewrite's documented handling of a
    shared library named by path: -lNAME, unless NAME is kept (then the path)."""
    out = []
    for i, w in enumerate(flags):
        n = shared_lib_name(w, cwd) if i == 0 or flags[i - 1] not in ("-o", "-Xlinker") else None
        out.append(w if n is None else KeptPath(w) if n in kept else "-l" + n)
    return out


def kept_names(mode, opts):
    kept = set(SYSTEM_LIBS) if mode == "third-party" else set()
    for o in opts:
        if o.startswith("--system-libs=") and mode == "third-party":
            kept = set(x for x in o[14:].split(",") if x)
    for o in opts:
        if o.startswith("--allow-dynamic="):
            kept.add(o[16:])
    return kept


# --------------------------------------------------------------------------
# One check: flags (or packages) through ld and through the rewrite
# --------------------------------------------------------------------------

class Result:
    def __init__(self, name):
        self.name, self.problems, self.notes, self.how = name, [], [], ""
        self.category = None
        self.why = ""

    def bad(self, msg):
        self.problems.append(msg)

    @property
    def ok(self):
        return not self.problems


def check(name, flags, inputs, cwd, env, mode="static", opts=(), stdin=None, expect=None,
          ld_err_has=(), notes_has=(), err_has=(), state=False, rescan=False,
          zero=True, result=None, differs=None):
    """flags: what ld gets; inputs: what pkgconf-rewrite gets (after its options)."""
    r = result or Result(name)
    opts = list(opts)
    kept = set()
    if mode == "third-party":
        opts = ["--mode=third-party"] + opts
        kept = set(SYSTEM_LIBS)
        for o in opts:
            if o.startswith("--system-libs="):
                kept = set(x for x in o[14:].split(",") if x)
    for o in opts:
        if o.startswith("--allow-dynamic="):
            kept.add(o[16:])
    us = units(flags)
    if mode == "third-party":
        oracle = ld_trace(emit(force_static(drop_kept(us, kept))), cwd, static=False,
                          pre=["-Wl,-Bstatic"], post=["-Wl,-Bdynamic"], env=env)
        original = oracle
    else:
        forced = force_static(us)
        changed = forced != us
        original = ld_trace(flags, cwd, env=env)
        full = ld_trace(emit(forced), cwd, env=env) if changed else original
        oracle = ld_trace(emit(drop_kept(forced, kept)), cwd, env=env) if kept else full
    verdict = ld_verdict(oracle)
    r.category = verdict
    r.why = " ".join((oracle.missing or oracle.errors or [""])[:1])[:80]
    if expect and verdict != expect:
        r.bad("fixture: ld %s, the case expects %s\n  %s\n%s" % (
            verdict, expect, shlex.join(oracle.cmd), oracle.stderr.rstrip()))
    for s in ld_err_has:
        if s not in oracle.stderr and s not in original.stderr:
            r.bad("fixture: ld did not say %r:\n%s" % (s, oracle.stderr.rstrip()))
    if rescan and not (oracle.reprinted & set(oracle.block or ())):
        r.bad("fixture: ld re-scanned no group (nothing printed twice)")

    pj = rewrite(["--json"] + opts, inputs, cwd, env, stdin)
    if differs:
        # A documented difference (docs/pkgconf-rewrite.1, DIFFERENCES FROM LD):
        # pkgconf-rewrite refuses with this exit status and message.
        rc, msg = differs
        if pj.rc != rc or pj.out or msg not in pj.err:
            r.bad("documented difference: pkgconf-rewrite must exit %d with %r and empty stdout; "
                  "got exit %d, stdout %r, stderr %s" % (rc, msg, pj.rc, pj.out[:200], pj.err.strip()[:400]))
        return r
    if verdict != "ok":
        want_rc = 1 if verdict == "missing" else 2
        if pj.rc != want_rc or pj.out:
            r.bad("ld: %s (%s); pkgconf-rewrite must exit %d with empty stdout, "
                  "got exit %d, stdout %r\n  stderr: %s" % (
                      verdict, "; ".join(oracle.missing + oracle.errors)[:400], want_rc,
                      pj.rc, pj.out[:300], pj.err.strip()[:600]))
        elif verdict == "missing":
            # ld 2.40 gives up at the next linker script (or group) after a missing file
            # (open_input_bfds: "Exit if any of the files were missing"), so it may name
            # fewer than the rewrite: ld's list must be a subsequence of the rewrite's,
            # and every further name must be missing for ld too, asked one at a time.
            ldl = [m[2:] for m in oracle.missing if m.startswith("-l")]
            other = [m for m in oracle.missing if not m.startswith("-l")]
            rwl = missing_named(pj.err)
            it = iter(rwl)
            # A name ld cannot find twice is explained once.
            if len(set(rwl)) != len(rwl) or not all(x in it for x in dict.fromkeys(ldl)):
                r.bad("ld cannot find %s; pkgconf-rewrite reports %s" % (
                    oracle.missing, ["-l" + x for x in rwl]))
            rest = collections.Counter(rwl) - collections.Counter(ldl)
            base = emit(force_static(drop_kept(us, set(n for _, _, n in lib_refs(us)))))
            for x in sorted(rest):
                one = ld_trace(base + ["-l" + x], cwd, static=mode != "third-party", env=env,
                               pre=["-Wl,-Bstatic"] if mode == "third-party" else [],
                               post=["-Wl,-Bdynamic"] if mode == "third-party" else [])
                if ld_verdict(one) == "ok":
                    r.bad("pkgconf-rewrite reports -l%s missing, but ld finds it: %s" % (
                        x, one.block))
            # The dirs ld probed for a missing -l are the dirs the message lists.
            # After the first, a message says "searched: the same N directories".
            searched, full = {}, None
            for x, text in re.findall(r"no static archive for -l(\S+) .*\n(?:  .*\n)*?"
                                      r"  searched: (.*)\n", pj.err):
                same = re.fullmatch(r"the same (\d+) directories", text)
                if same and full is not None and int(same.group(1)) == len(full.split(", ")):
                    text = full
                elif full is None:
                    full = text
                searched.setdefault(x, text)
            for x in dict.fromkeys(ldl):
                name = x[1:] if x.startswith(":") else "lib%s.a" % x
                tried = [a[:-len(name) - 1] for a in oracle.probes if a.endswith("/" + name)]
                # ld probes a -l:NAME list twice (its "use -l:X" hint retry probes
                # dir/NAME again; for -lX that retry probes dir/X.a, not counted here).
                tried = tried[:len(tried) // (ldl.count(x) * (2 if x.startswith(":") else 1))]
                # The message names each directory once, lexically normalized
                # (ld probes /usr/lib/gcc/T/12/../../../T and /usr/lib/T both).
                tried = list(dict.fromkeys(os.path.normpath(t) for t in tried))
                if x in searched and searched[x].split(", ") != tried:
                    r.bad("-l%s: ld searched\n  %s\nthe message says\n  %s" % (
                        x, ", ".join(tried), searched[x]))
            for m in other:
                if m not in pj.err:
                    r.bad("ld cannot find %r (named in a linker script); pkgconf-rewrite's "
                          "message does not name it:\n%s" % (m, pj.err.rstrip()))
        for s in err_has:
            if s not in pj.err:
                r.bad("pkgconf-rewrite's message lacks %r:\n%s" % (s, pj.err.rstrip()))
        r.how = "refused (exit %d)" % pj.rc
        return r

    # ld resolved everything.
    if pj.rc != 0:
        r.bad("ld resolves %s; pkgconf-rewrite exit %d:\n%s" % (
            oracle.block, pj.rc, pj.err.rstrip()[:1500]))
        return r
    js = json.loads(pj.out)
    got = named_files(js)
    how, diff = compare(oracle.block, got, cwd)
    if how == "differ":
        r.bad("files differ (ld: %s)\n%s" % (shlex.join(oracle.cmd), diff))
    elif how == "realpath":
        r.notes.append("same files by realpath only; ld names them differently:\n" + diff)
    r.how = how
    notes = [n for t in js["tokens"] for n in t.get("notes", [])]
    for s in notes_has:
        if not any(s in n for n in notes):
            r.bad("no json note containing %r (notes: %s)" % (s, notes))
    for s in err_has:
        if s not in pj.err:
            r.bad("stderr lacks %r: %s" % (s, pj.err))
    libs = [t for t in js["tokens"] if t["kind"] == "library"]
    if how == "exact":
        # Search order: the candidates ld probed for each -l (ld --verbose "attempt to
        # open") are search_dirs[0..dir_index], decorated, and the last is "resolved".
        ev, pos = oracle.events, 0
        dirs = [d["dir"] for d in js["search_dirs"]]
        for t in (t for t in libs if not t["kept"]):
            while pos < len(ev) and ev[pos][0] != t["resolved"]:
                pos += 1
            if pos == len(ev):
                r.bad("%s: no load of %s in ld's trace" % (t["input"], t["resolved"]))
                break
            lib = t["library"]
            name = lib[1:] if lib.startswith(":") else "lib%s.a" % lib
            k = t["dir_index"]
            exp = [d + "/" + name for d in dirs[:k + 1]] if isinstance(k, int) else None
            if exp is None or ev[pos][1] != exp or t["dir"] != dirs[k] or exp[-1] != t["resolved"]:
                r.bad("%s: ld probed %s; search_dirs[0..dir_index=%s] give %s" % (
                    t["input"], ev[pos][1], k, exp))
            pos += 1
            if t["resolved_kind"] == "linker-script":
                n = len(t["members"])
                while n and pos < len(ev):
                    n -= ev[pos][0] not in oracle.scripts
                    pos += 1
    for t in libs:
        if t["kept"] and t["output"] != shlex.split(t["input"]):
            r.bad("kept token %r became %r" % (t["input"], t["output"]))
    if state:
        # Which -l ld searched with -Bdynamic in force: there it opened the .so.
        live = [t for t in libs if not t["kept"]]
        if original.block is None or len(original.block) != len(live):
            r.bad("state case needs one load per -l: ld %s, tokens %s" % (
                original.block, [t["input"] for t in live]))
        else:
            for t, f in zip(live, original.block):
                if t["bdynamic_in_force"] != f.endswith(".so"):
                    r.bad("%s: ld opened %s, bdynamic_in_force is %s" % (
                        t["input"], f, t["bdynamic_in_force"]))

    # Round trip: link the rewritten argv.
    argv = js["argv"]
    if zero:
        pz = rewrite(["-0"] + opts, inputs, cwd, env, stdin)
        zargv = pz.out.split("\0")[:-1] if pz.out.endswith("\0") else None
        if pz.rc != 0 or zargv != argv:
            r.bad("-0 output %r (exit %d) differs from json argv %r" % (pz.out, pz.rc, argv))
        argv = zargv if zargv is not None else argv
    if mode == "third-party":
        rt = ld_trace(argv, cwd, static=False, env=env)
        want = ld_trace(emit(wrap_static(us, kept)), cwd, static=False, env=env)
        if ld_verdict(want) == "ok" or ld_verdict(rt) == "ok":
            if rt.block != want.block or ld_verdict(rt) != ld_verdict(want):
                r.bad("round trip (dynamic link): the rewritten argv opens\n  %s\nld with "
                      "non-system -l made static opens\n  %s\n%s%s" % (
                          rt.block, want.block, rt.stderr, want.stderr))
    else:
        # Kept libraries (--allow-dynamic) stay -l, and gcc -static resolves them to
        # archives; the other files must be exactly those the rewrite named.  A link that
        # fails after FLAGS (flags that end in -Bdynamic make gcc's own -lc a .so) must
        # fail the same way with the original flags.
        rt = ld_trace(argv, cwd, env=env)
        want = got if not kept else full.block
        if rt.block is None:
            same = False
        elif not kept:
            same = rt.block == got
        else:
            same = compare(full.block, rt.block, cwd)[0] != "differ"
        new_errors = set(rt.errors + rt.missing) - set(original.errors + original.missing)
        if not same or (ld_verdict(rt) != "ok" and new_errors):
            r.bad("round trip: gcc -static with the rewritten argv opens %s, not %s\n%s" % (
                rt.block, want, rt.stderr.rstrip()))
    return r


# --------------------------------------------------------------------------
# The cases
# --------------------------------------------------------------------------

def cases():
    L = lambda *a: P("L", *a)
    cwd = P("cwd")
    pcenv = dict(BASE_ENV, PKG_CONFIG_PATH=P("pc"), PKG_CONFIG_LIBDIR=P("pc"))
    c = []

    def flags(name, fl, **kw):
        c.append(dict(name=name, flags=fl, inputs=["--"] + fl, cwd=kw.pop("cwd", cwd),
                      env=kw.pop("env", BASE_ENV), **kw))

    def stdin(name, text, **kw):
        c.append(dict(name=name, flags=shlex.split(text), inputs=["-"], stdin=text,
                      cwd=kw.pop("cwd", cwd), env=kw.pop("env", BASE_ENV), **kw))

    def pkgs(name, names, mode="static", **kw):
        p = run(["pkg-config", "--static", "--libs"] + names, env=pcenv)
        c.append(dict(name=name, flags=shlex.split(p.out) if p.rc == 0 else None,
                      pkgconfig=p, inputs=names, cwd=cwd, env=pcenv, mode=mode, **kw))

    # Order of -L dirs; .so beside .a.
    flags("order: -Ld1 -Ld2", ["-L" + L("d1"), "-L" + L("d2"), "-lfoo"], expect="ok")
    flags("order: -Ld2 -Ld1 (.so beside .a earlier)", ["-L" + L("d2"), "-L" + L("d1"), "-lfoo"],
          expect="ok")
    flags("order: .so alone earlier, .a later", ["-L" + L("dso"), "-L" + L("d1"), "-lfoo"],
          expect="ok")
    flags("order: -L after -l", ["-lfoo", "-L" + L("d2"), "-L" + L("d1")], expect="ok")
    flags("duplicates kept", ["-L" + L("d1"), "-lfoo", "-lbar", "-lfoo", "-lfoo"], expect="ok")
    flags("relative -L", ["-L../L/d1", "-lfoo", "-lbar"], expect="ok")
    # -l: names.
    flags("-l:libfoo.a", ["-L" + L("d2"), "-L" + L("d1"), "-l:libbar.a", "-l:libfoo.a"],
          expect="ok")
    flags("-l:sub/libx.a", ["-L" + L("d1"), "-l:sub/libx.a"], expect="ok")
    flags("-l:compat.o after an i386 compat.o", ["-L" + L("d32"), "-L" + L("d1"), "-l:compat.o"],
          expect="ok", ld_err_has=["skipping incompatible " + L("d32", "compat.o")],
          notes_has=["skipping incompatible " + L("d32", "compat.o")])
    # -L and -l forms.
    flags("-l NAME and -L DIR (two words)", ["-L", L("d3"), "-l", "foo3"], expect="ok")
    flags("-Wl,-L,dir", ["-Wl,-L," + L("d3"), "-lfoo3"], expect="ok")
    flags("-Xlinker -L -Xlinker dir", ["-Xlinker", "-L", "-Xlinker", L("d3"), "-lfoo3"],
          expect="ok")
    flags("-Xlinker -Ldir -Xlinker -lname", ["-Xlinker", "-L" + L("d3"), "-Xlinker", "-lfoo3"],
          expect="ok")
    flags("-Wl,-lname,-l,name", ["-L" + L("d1"), "-Wl,-lfoo,-l,bar"], expect="ok")
    flags("-Wl,--library=name", ["-L" + L("d1"), "-Wl,--library=foo"], expect="ok")
    flags("-Wl,--library,name", ["-L" + L("d1"), "-Wl,--library,foo"], expect="ok")
    flags("-Wl,--library-path=dir", ["-Wl,--library-path=" + L("d3"), "-lfoo3"], expect="ok")
    # gcc hoists its own -L before its built-in dirs; -Wl,-L/-Xlinker -L stay in place,
    # after them, so a system libz.a wins over one in such a dir.
    flags("-L dir shadows the system libz.a", ["-L" + L("dz"), "-lz"], expect="ok")
    flags("-Wl,-L,dir does not shadow the system libz.a", ["-Wl,-L," + L("dz"), "-lz"],
          expect="ok")
    flags("-Xlinker -Ldir does not shadow the system libz.a", ["-Xlinker", "-L" + L("dz"),
                                                               "-lz"], expect="ok")
    flags("-Wl,--library-path,dir", ["-Wl,--library-path," + L("d3"), "-lfoo3"], expect="ok")
    flags("-Xlinker -l -Xlinker name", ["-L" + L("d1"), "-Xlinker", "-l", "-Xlinker", "foo"],
          expect="ok")
    flags("-Wl,-l -Wl,name", ["-L" + L("d1"), "-Wl,-l", "-Wl,foo"], expect="ok",
          differs=(2, "whose library name is in the next argument"))
    # Candidates.
    flags("incompatible i386 archive earlier", ["-L" + L("d32"), "-L" + L("d1"), "-lfoo"],
          expect="ok", ld_err_has=["skipping incompatible " + L("d32", "libfoo.a")],
          notes_has=["skipping incompatible " + L("d32", "libfoo.a")])
    flags("empty archive", ["-L" + L("e"), "-lempty"], expect="ok")
    flags("0-byte, blank and comment-only files: scripts with no members",
          ["-L" + L("escr"), "-L" + L("d1"), "-lz0", "-lfoo", "-lzb", "-lzc"], expect="ok")
    flags("first member not an object: accepted unchecked",
          ["-L" + L("dtxt"), "-L" + L("d1"), "-lfoo"], expect="ok")
    flags("thin archive with an i386 member skipped", ["-L" + L("d32thin"), "-L" + L("d1"),
                                                       "-lfoo"], expect="ok",
          ld_err_has=["skipping incompatible " + L("d32thin", "libfoo.a")],
          notes_has=["skipping incompatible " + L("d32thin", "libfoo.a")])
    flags("-L dir with a trailing slash", ["-L" + L("d1") + "/", "-lfoo"], expect="ok")
    flags("-L=dir without a sysroot", ["-L=" + L("d1"), "-lfoo"], expect="ok")
    flags("toolchain libraries", ["-lstdc++", "-lgcc", "-lgcc_eh", "-lm", "-lpthread", "-ldl",
                                  "-lrt", "-lc"], expect="ok")
    flags("thin archive", ["-L" + L("thin"), "-lthin"], expect="ok")
    flags("directory libfoo.a, dangling libbar.a skipped",
          ["-L" + L("early"), "-L" + L("d1"), "-lfoo", "-lbar"], expect="ok")
    flags("LIBRARY_PATH", ["-lonlylp"], expect="ok",
          env=dict(BASE_ENV, LIBRARY_PATH=L("lp")))
    # Linker scripts.
    flags("script: relative member next to the script (decoy in CWD)", ["-Lrel/a", "-ls1"],
          expect="ok")
    flags("script: relative member from CWD", ["-Lrel/b", "-L" + L("d1"), "-ls2"], expect="ok")
    flags("script: relative member from search dirs, GROUP+AS_NEEDED",
          ["-Lrel/c", "-L" + L("d1"), "-ls3"], expect="ok")
    flags("script: absolute member", ["-L" + L("scr"), "-ls4"], expect="ok")
    flags("script: INPUT(-lfoo -l:libbar.a)", ["-L" + L("scr"), "-L" + L("d1"), "-ls5"],
          expect="ok")
    flags("script: nested scripts", ["-L" + L("scr"), "-ls6"], expect="ok")
    flags("script: INPUT, GROUP, duplicates, -l", ["-L" + L("scr"), "-L" + L("d1"), "-lmix"],
          expect="ok")
    flags("script: OUTPUT_FORMAT(elf32-i386) skipped", ["-L" + L("scr32"), "-L" + L("d1"),
                                                        "-ls8"], expect="ok")
    flags("script: GROUP inside --start-group", ["-L" + L("scr"), "-L" + L("d1"),
          "-Wl,--start-group", "-ls6", "-lfoo", "-Wl,--end-group"], expect="ok")
    flags("script: SEARCH_DIR applies to later -l", ["-L" + L("scr"), "-lsd", "-lhid"],
          expect="ok")
    flags("script: quoted member with a space, in a dir with quotes",
          ["-L" + SP, "-lsqs"], expect="ok")
    flags("script: 3-argument OUTPUT_FORMAT for this target", ["-L" + L("scr"), "-ls9"],
          expect="ok")
    flags("script: 3-argument OUTPUT_FORMAT(elf32-i386, ...) skipped",
          ["-L" + L("scr32"), "-L" + L("d1"), "-ls10"], expect="ok")
    flags("script: relative member passes over an incompatible one",
          ["-L" + L("d32"), "-L" + L("d1"), "-lsx"], expect="ok",
          ld_err_has=["skipping incompatible " + L("d32", "libfoo.a")])
    flags("trace: group re-scans dropped, real duplicates kept",
          [P("obj", "needs.o"), "-L" + L("grp"), "-Wl,--start-group", "-lga", "-lgb",
           "-Wl,--end-group", "-lga", "-lgb"], expect="ok", rescan=True)
    flags("trace: a script GROUP re-scanned", [P("obj", "needs.o"), "-L" + L("grp"), "-lgs",
                                               "-lga"], expect="ok", rescan=True)
    flags("bare archive path passes through", ["-L" + L("d1"), P("abs", "libabs.a"), "-lfoo"],
          expect="ok")
    # Sysroot.
    S = SR
    flags("sysroot: -L=/usr/lib", ["--sysroot=" + S, "-L=/usr/lib", "-lsr1"], expect="ok")
    flags("sysroot: -L$SYSROOT/opt/lib", ["--sysroot=" + S, "-L$SYSROOT/opt/lib", "-lsr2"],
          expect="ok")
    flags("sysroot: script inside names /usr/lib/...", ["--sysroot=" + S, "-L=/usr/lib",
                                                        "-lsrs"], expect="ok")
    flags("sysroot: script outside with =/usr/lib/...", ["--sysroot=" + S, "-L" + L("scr"),
                                                         "-lsra"], expect="ok")
    flags("sysroot: script outside with an absolute name", ["--sysroot=" + S, "-L" + L("scr"),
                                                            "-lsrb"], expect="ok")
    flags("sysroot: -Wl,--sysroot= (ld only), default dirs", ["-Wl,--sysroot=" + S, "-lsr1"],
          expect="ok")
    flags("sysroot: gcc --sysroot, default dirs", ["--sysroot=" + S, "-lsr1"], expect="ok")
    flags("sysroot: gcc --sysroot DIR (two words)", ["--sysroot", S, "-lsr1"], expect="ok")
    flags("sysroot: gcc --sysroot re-roots the driver's dirs", ["--sysroot=" + S, "-ldv"],
          expect="ok")
    flags("sysroot: --sysroot=/ is no sysroot", ["--sysroot=/", "-L=" + L("d1"), "-lfoo"],
          expect="ok")
    flags("sysroot: the last --sysroot= wins", ["--sysroot=" + P("nowhere"), "--sysroot=" + S,
                                                "-L=/usr/lib", "-lsr1"], expect="ok")
    flags("sysroot: script naming $SYSROOT/...", ["--sysroot=" + S, "-L" + L("scr"), "-lsrc"],
          expect="ok")
    flags("sysroot: script reached through a symlink into the sysroot",
          ["--sysroot=" + S, "-L" + L("srlink"), "-lsrs"], expect="ok")
    flags("sysroot: gcc -nostdlib keeps ld's SEARCH_DIRs", ["-nostdlib", "-Wl,--sysroot=" + S,
                                                           "-lsr1"], expect="ok")
    flags("sysroot: ld ignores -Wl,--sysroot,DIR (two words)",
          ["-Wl,--sysroot," + S, "-L=/usr/lib", "-lsr1"], expect="missing")
    flags("sysroot: ld -nostdlib drops the SEARCH_DIRs", ["-Wl,--sysroot=" + S,
                                                          "-Wl,-nostdlib", "-lsr1"],
          expect="missing")
    # Spaces and quotes.
    flags("spaces/quotes through -- args", ["-L" + SP, "-lsq", "-L" + P("sp ace", "plain"),
                                            "-lsq3"], expect="ok")
    stdin("spaces/quotes through stdin (single quotes)",
          "-L'%s' -lsq\n" % SP.replace("'", "'\\''"), expect="ok")
    stdin("spaces/quotes through stdin (double quotes, backslashes)",
          '"-L%s" -lsq -L%s -lsq3\n' % (SP.replace('"', '\\"'),
                                         P("sp ace", "plain").replace(" ", "\\ ")), expect="ok")
    # -Bstatic/-Bdynamic state (documented difference: archives named anyway).
    B = "-L" + L("both")
    flags("state: -Bdynamic ... -Bstatic", [B, "-Wl,-Bdynamic", "-lfoo", "-Wl,-Bstatic", "-lbar"],
          expect="ok", state=True)
    flags("state: push-state,-Bdynamic / pop-state",
          [B, "-Wl,--push-state,-Bdynamic", "-lfoo", "-Wl,--pop-state", "-lbar"],
          expect="ok", state=True)
    flags("state: nested push/pop", [B, "-Wl,--push-state,-Bdynamic", "-Wl,--push-state",
          "-Wl,-Bstatic", "-lfoo", "-Wl,--pop-state", "-lbar", "-Wl,--pop-state", "-lbaz"],
          expect="ok", state=True)
    flags("state: -Xlinker -Bdynamic", [B, "-Xlinker", "-Bdynamic", "-lfoo", "-Xlinker",
                                        "-Bstatic", "-lbar"], expect="ok", state=True)
    flags("state: -Wl,-Bdynamic,-lfoo,-Bstatic", [B, "-Wl,-Bdynamic,-lfoo,-Bstatic", "-lbar"],
          expect="ok", state=True)
    flags("state: -dy / -dn / -call_shared / -non_shared",
          [B, "-Wl,-dy", "-lfoo", "-Wl,-dn", "-lbar", "-Wl,-call_shared", "-lbaz",
           "-Wl,-non_shared", "-lfoo"], expect="ok", state=True)
    flags("state: -Bdynamic picks an earlier .so, static a later .a",
          ["-L" + L("dyn-early"), "-L" + L("dyn-late"), "-Wl,-Bdynamic", "-lqux"],
          expect="ok", state=True)
    flags("state: -static in the flags", ["-static", B, "-lfoo"], expect="ok", state=True)
    flags("state: -a archive / -a shared", [B, "-Wl,-Bdynamic", "-Wl,-a,archive", "-lfoo",
                                            "-Wl,-a,shared", "-lbar"], expect="ok", state=True)
    flags("state: -N (omagic) makes the search static", [B, "-Wl,-Bdynamic", "-Wl,-N", "-lfoo"],
          expect="ok", state=True)
    # Third-party and --allow-dynamic.
    flags("third-party: system libs stay -l",
          ["-L" + L("d1"), "-lfoo", "-lm", "-lpthread", "-lbar", "-lc", "-ldl", "-lz"],
          mode="third-party", expect="ok")
    flags("third-party: --system-libs", ["-L" + L("d1"), "-lfoo", "-lm", "-lbar"],
          mode="third-party", opts=["--system-libs=foo,m"], expect="ok")
    flags("third-party: script naming -lm", ["-L" + L("scr"), "-L" + L("d1"), "-ls5", "-lm"],
          mode="third-party", expect="ok")
    flags("static: --allow-dynamic", ["-L" + L("d1"), "-lfoo", "-lbar"],
          opts=["--allow-dynamic=bar"], expect="ok")
    # .pc files.
    pkgs("pc: Requires.private chain, private duplicates, spaces", ["pa"], expect="ok")
    pkgs("pc: Requires + own duplicates", ["pd"], expect="ok")
    pkgs("pc: two packages", ["pa", "pd"], expect="ok")
    pkgs("pc: -Wl,-Bstatic ... -Wl,-Bdynamic -pthread", ["pg"], expect="ok")
    pkgs("pc: system -L dropped", ["ph"], expect="ok")
    pkgs("pc: -l: and a group", ["pi"], expect="ok")
    pkgs("pc: linker scripts", ["pk"], expect="ok")
    pkgs("pc: third-party", ["pa"], mode="third-party", expect="ok")
    pkgs("pc: PKG_CONFIG_SYSROOT_DIR", ["pj"], expect="ok",
         env_extra=dict(PKG_CONFIG_SYSROOT_DIR=SR))
    # Failures.
    flags("fail: -l not found", ["-L" + L("d1"), "-lfoo", "-lnothere"], expect="missing",
          err_has=["no static archive for -lnothere", L("d1")])
    flags("fail: only an incompatible archive", ["-L" + L("d32"), "-lonly32"],
          expect="missing", ld_err_has=["skipping incompatible"],
          err_has=["no static archive for -lonly32", "skipping incompatible"])
    # Issue 12: --mode=third-party is offered only when every missing library
    # is a system one (it keeps no other dynamic); -lonlyso is not (pcrw_cli_test
    # asserts that it is not offered). Was err_has "--mode=third-party".
    flags("fail: only a .so", ["-L" + L("dso"), "-lonlyso"], expect="missing",
          err_has=["a shared library exists instead: " + L("dso", "libonlyso.so"),
                   "--allow-dynamic=onlyso"])
    flags("fail: only a directory and a dangling link", ["-L" + L("early"), "-lfoo", "-lbar"],
          expect="missing")
    flags("fail: -l:/absolute/path", ["-l:" + L("d1", "libfoo.a")], expect="missing")
    flags("fail: script member missing", ["-L" + L("scr"), "-lms"], expect="missing",
          differs=(2, "cannot find libmissing.a, named in the linker script"))
    flags("fail: third-party, non-system missing", ["-lm", "-lnothere"], mode="third-party",
          expect="missing")
    flags("fail: -static and -l:libonlyso.so (static link of a .so)",
          ["-L" + L("dso"), "-l:libonlyso.so"], expect="error")
    flags("fail: garbage libgarb.a stops the search", ["-L" + L("garb"), "-L" + L("d1"),
                                                       "-lgarb"], expect="error")
    pkgs("fail: pc Libs.private chain", ["pf"], expect="missing",
         err_has=["no static archive for -lnothere", "pf -> Requires.private -> pe"])
    # Bare words: ld opens them by path, relative to the link's directory (issue 11).
    pkgs("bare word: a .pc's 'blas' ld cannot find", ["pbare"], expect="missing",
         err_has=["no file blas (ld opens an input file by its path", "pbare (Libs.private)"])
    pkgs("bare word: missing with --allow-dynamic too", ["pbare"], opts=["--allow-dynamic=pa"],
         expect="missing", err_has=["no file blas"])
    pkgs("bare word: missing in third-party mode", ["pbare"], mode="third-party",
         expect="missing", err_has=["no file blas"])
    pkgs("bare word: a .pc's missing object", ["pobj"], expect="missing",
         err_has=["no file nothere.o"])
    pkgs("bare word: a .pc's object in the link's directory", ["pcwdobj"], expect="ok")
    flags("bare word: an absolute path ld cannot find",
          ["-L" + L("d1"), "-lfoo", P("nowhere", "blas")], expect="missing",
          err_has=["no file " + P("nowhere", "blas")])
    # A shared library named by path: its -lNAME's archive, or missing (issue 11).
    flags("so path: static, the archive -lfoo finds", ["-L" + L("d1"),
          L("rtso", "libfoo.so.1.2.3"), "-lbar"], so_as_l=True, expect="ok",
          notes_has=["is a shared library named by its path"])
    flags("so path: third-party, a third-party library's archive",
          ["-L" + L("d1"), L("rtso", "libfoo.so.1.2.3"), "-lbar", "-lm"], mode="third-party",
          so_as_l=True, expect="ok")
    flags("so path: third-party, a system library stays as given",
          ["-L" + L("d1"), L("both", "libfoo.so"), "-lbar"], mode="third-party",
          opts=["--system-libs=foo,c"], so_as_l=True, expect="ok")
    flags("so path: no archive for it", ["-L" + L("d1"), L("rtso", "libnoa.so.2"), "-lbar"],
          so_as_l=True, expect="missing",
          err_has=["no static archive for -lnoa (%s is a shared library named by its path"
                   % L("rtso", "libnoa.so.2")])
    flags("so path: third-party, no archive for it", ["-L" + L("d1"), L("rtso", "libnoa.so.2")],
          mode="third-party", so_as_l=True, expect="missing")
    pkgs("so path: in a .pc (gdal's libexpat)", ["pso"], so_as_l=True, expect="ok")
    return c


def run_case(c):
    r = Result(c["name"])
    env = c["env"]
    if c.get("env_extra"):
        env = dict(env, **c["env_extra"])
    if "pkgconfig" in c:
        pk = c["pkgconfig"]
        if c.get("env_extra"):
            pk = run(["pkg-config", "--static", "--libs"] + c["inputs"], env=env)
            c["flags"] = shlex.split(pk.out) if pk.rc == 0 else None
        if pk.rc != 0:
            r.bad("pkg-config failed: %s" % pk.err.strip())
            return r
    if c.get("so_as_l") and c["flags"] is not None:
        given = c["flags"]
        c["flags"] = so_as_l(given, c["cwd"], kept_names(c.get("mode", "static"), c.get("opts", ())))
        if [str(f) for f in c["flags"]] == given and not any(isinstance(f, KeptPath) for f in c["flags"]):
            r.bad("fixture: no shared library named by path in %s" % given)
        if c.get("mode", "static") == "static":
            tr = ld_trace(given, c["cwd"], env=env)
            if "attempted static link of dynamic object" not in tr.stderr:
                r.bad("fixture: ld -static did not refuse the shared library as given:\n%s" %
                      tr.stderr.rstrip())
    try:
        return check(c["name"], c["flags"], c["inputs"], c["cwd"], env,
                     mode=c.get("mode", "static"), opts=c.get("opts", ()), stdin=c.get("stdin"), expect=c.get("expect"),
                     ld_err_has=c.get("ld_err_has", ()), notes_has=c.get("notes_has", ()),
                     err_has=c.get("err_has", ()), state=c.get("state", False),
                     rescan=c.get("rescan", False), result=r, differs=c.get("differs"))
    except Exception as e:   # a crash of the harness is a failure of the case, not of the run
        r.bad("harness error: %r" % (e,))
        return r


# --------------------------------------------------------------------------
# Every installed .pc
# --------------------------------------------------------------------------

def lib_placeholders(words):
    """Every -lNAME / -l NAME and every archive path (.../libNAME.a) becomes "<lib>"."""
    out, i = [], 0
    while i < len(words):
        w = words[i]
        if w == "-l" and i + 1 < len(words):
            out.append("<lib>")
            i += 2
            continue
        if (w.startswith("-l") and len(w) > 2) or (w.startswith("/") and w.endswith(".a")) or \
                re.search(r"(^|/)lib[^/]+\.so(\.\d[^/]*)?$", w):   # a shared library by path
            out.append("<lib>")
        else:
            out.append(w)
        i += 1
    return out


def flag_sequence(name, pkwords, r):
    """pkgconf-rewrite's argv for package name, with every library (-l or the archive it
    became) a placeholder, must be pkg-config --static --libs name the same way: the
    same non-library flags, same order, same de-duplication.  Every -l is allowed to
    stay dynamic, so a package without archives is compared too."""
    allow = []
    for i, w in enumerate(pkwords):
        if w.startswith("-l") and len(w) > 2:
            allow.append("--allow-dynamic=" + w[2:])
        elif w == "-l" and i + 1 < len(pkwords):
            allow.append("--allow-dynamic=" + pkwords[i + 1])
        elif shared_lib_name(w, P("cwd")):
            allow.append("--allow-dynamic=" + shared_lib_name(w, P("cwd")))   # the path stays
    pj = rewrite(["--json"] + allow, [name], P("cwd"), BASE_ENV)
    if pj.rc == 1 and all(w.startswith("-") or os.path.isabs(w) or os.path.exists(os.path.join(P("cwd"), w))
                          or w in re.findall(r"no file (\S+) \(ld opens an input file", pj.err) for w in pkwords) \
            and re.search(r"no file \S+ \(ld opens an input file", pj.err):
        return  # a .pc naming an input file ld cannot open (norm's bare libprotokit.a): refused, as ld fails
    if pj.rc != 0:
        r.bad("flag sequence: pkgconf-rewrite exit %d: %s" % (pj.rc, pj.err.strip()[:400]))
        return
    got = lib_placeholders(json.loads(pj.out)["argv"])
    want = lib_placeholders(pkwords)
    if got != want:
        r.bad("flag sequence differs from pkg-config --static --libs:\n" + "\n".join(
            difflib.unified_diff(want, got, "pkg-config", "pkgconf-rewrite", lineterm="", n=2)))


def run_package(name, mode):
    r = Result("%s [%s]" % (name, mode))
    try:
        pk = run(["pkg-config", "--static", "--libs", name])
        if pk.rc == 0 and mode == "static":
            flag_sequence(name, shlex.split(pk.out), r)
        if pk.rc != 0:
            r.category = "pkg-config"
            pj = rewrite(["--json"] + (["--mode=third-party"] if mode != "static" else []),
                         [name], P("cwd"), BASE_ENV)
            if pj.rc != 2 or pj.out:
                r.bad("pkg-config fails (%s); pkgconf-rewrite exit %d, stdout %r" % (
                    pk.err.strip(), pj.rc, pj.out[:200]))
            return r
        return check(r.name, so_as_l(shlex.split(pk.out), P("cwd"), kept_names(mode, ())),
                     [name], P("cwd"), BASE_ENV, mode=mode, zero=False, result=r)
    except Exception as e:
        r.bad("harness error: %r" % (e,))
        return r



# --infer (issue 12): a bare -lNAME gains its package's --static closure. For
# each: the rewritten line links a program calling the library with gcc
# -static (g++ where the closure is C++: ICU under libxml2) and the program
# runs; the files ld opens for the inferred flags are the archives
# pkgconf-rewrite names; without --infer the same link fails.
INFER_CASES = [
    ("xml2", "libxml-2.0", "libxml2-dev", ["-I/usr/include/libxml2"], "g++",
     "#include <libxml/parser.h>\nint main(void) { xmlInitParser(); "
     "return xmlReadMemory(\"<a/>\", 4, \"a.xml\", \"ISO-8859-1\", 0) ? 0 : 1; }\n"),
    ("ssh2", "libssh2", "libssh2-1-dev", [], "gcc",
     "#include <libssh2.h>\nint main(void) { return libssh2_init(0); }\n"),
    ("gpgme", "gpgme", "libgpgme-dev", [], "gcc",
     "#include <gpgme.h>\nint main(void) { return gpgme_check_version(0) ? 0 : 1; }\n"),
    ("archive", "libarchive", "libarchive-dev libacl1-dev liblz4-dev", [], "g++",
     "#include <archive.h>\nint main(void) { struct archive *a = archive_read_new(); "
     "int rc = archive_read_support_format_all(a) | archive_read_support_filter_all(a); "
     "archive_read_free(a); return rc; }\n"),
]


def infer_case(lname, pkg, deb, cflags, driver, src):
    problems = []
    d = P("infer-" + lname)
    os.makedirs(d, exist_ok=True)
    write(os.path.join(d, "t.c"), src)
    c = run([CC, "-c"] + cflags + ["t.c", "-o", "t.o"], cwd=d)
    if c.rc != 0:
        return ["cannot compile against -l%s (apt-get install %s): %s" % (lname, deb, c.err[-400:])]
    r = rewrite(["--infer", "--json", "--"], ["-l" + lname], d, None)
    if r.rc != 0:
        return ["pkgconf-rewrite --infer -- -l%s: exit %d\n%s" % (lname, r.rc, r.err[-800:])]
    js = json.loads(r.out)
    mine = [x for x in js["inferred"] if x["lname"] == lname]
    if len(mine) != 1 or mine[0]["package"] != pkg or not mine[0]["added"]:
        problems.append("inferred %r, want -l%s -> %s" % (js["inferred"], lname, pkg))
    if "-l%s: inferred package %s" % (lname, pkg) not in r.err:
        problems.append("stderr does not note the inference: %r" % r.err[-400:])
    inputs = [t["input"] for t in js["tokens"]]
    tr = ld_trace(inputs, d)
    how, diff = compare(tr.block or [], named_files(js), d)
    if how == "differ":
        problems.append("ld opens other files than pkgconf-rewrite names:\n" + diff)
    ln = run([driver, "-static", "t.o"] + js["argv"] + ["-o", "t"], cwd=d)
    if ln.rc != 0:
        problems.append("the inferred line does not link with %s -static:\n%s" % (driver, ln.err[-1200:]))
    else:
        ex = run([os.path.join(d, "t")], cwd=d)
        if ex.rc != 0:
            problems.append("the program exits %d" % ex.rc)
    plain = rewrite(["--json", "--"], ["-l" + lname], d, None)
    if plain.rc == 0:
        if json.loads(plain.out)["inferred"] != []:
            problems.append("without --infer: inferred %r" % json.loads(plain.out)["inferred"])
        bare = run([driver, "-static", "t.o"] + json.loads(plain.out)["argv"] + ["-o", "t0"], cwd=d)
        if bare.rc == 0:
            problems.append("without --infer the link succeeds too: the case proves nothing")
    return problems


def main():
    build_fixtures()
    t_fix = time.monotonic() - START
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(4, 2 * (os.cpu_count() or 2)))
    cs = cases()
    fut_cases = [pool.submit(run_case, c) for c in cs]
    pkgnames = sorted(ln.split()[0] for ln in run(["pkg-config", "--list-all"]).out.splitlines()
                      if ln.strip())
    fut_pkgs = [(m, pool.submit(run_package, n, m)) for n in pkgnames
                for m in ("static", "third-party")]

    passed = failed = 0
    realpath_only = []
    print("== fixture cases (WORKDIR %s, built in %.1fs)" % (W, t_fix))
    for f in fut_cases:
        r = f.result()
        if r.ok:
            passed += 1
            print("ok    %s [%s]" % (r.name, r.how))
        else:
            failed += 1
            print("FAIL  %s" % r.name)
            for p in r.problems:
                print("      " + p.replace("\n", "\n      "))
        for n in r.notes:
            realpath_only.append(r.name)
            print("      note: " + n.replace("\n", "\n      "))

    print("\n== --infer: a bare -l's package, linked and traced")
    for case in INFER_CASES:
        probs = infer_case(*case)
        if probs:
            failed += 1
            print("FAIL  infer -l%s" % case[0])
            for p in probs:
                print("      " + p.replace("\n", "\n      "))
        else:
            passed += 1
            print("ok    infer -l%s -> %s" % (case[0], case[1]))

    print("\n== installed .pc files (pkg-config --list-all: %d packages)" % len(pkgnames))
    for mode in ("static", "third-party"):
        res = [f.result() for m, f in fut_pkgs if m == mode]
        agree = [r for r in res if r.category == "ok" and r.ok]
        disagree = [r for r in res if r.category == "ok" and not r.ok]
        unres = [r for r in res if r.category in ("missing", "error")]
        unres_ok = [r for r in unres if r.ok]
        pcfail = [r for r in res if r.category in ("pkg-config", None)]
        for r in res:
            if not r.ok:
                failed += 1
                print("FAIL  %s" % r.name)
                for p in r.problems:
                    print("      " + p.replace("\n", "\n      "))
            else:
                passed += 1
            for n in r.notes:
                realpath_only.append(r.name)
                print("      note (%s): %s" % (r.name, n.replace("\n", "\n      ")))
        print("%s, not resolvable by ld: %s" % (mode, ", ".join(
            "%s (%s)" % (r.name.split(" ")[0], r.why) for r in unres)))
        print("%s: %d packages: %d agree, %d disagree, %d not resolvable by ld "
              "(pkgconf-rewrite also refuses: %d)%s" % (
                  mode, len(res), len(agree), len(disagree), len(unres), len(unres_ok),
                  ", %d unreadable by pkg-config (pkgconf-rewrite also refuses: %d)" % (
                      len(pcfail), len([r for r in pcfail if r.ok])) if pcfail else ""))
    if realpath_only:
        print("agreeing by realpath only (names differ): %s" % ", ".join(realpath_only))
    print("time: %.1fs" % (time.monotonic() - START))
    return harness.summary(passed, failed)


if __name__ == "__main__":
    sys.exit(main())
