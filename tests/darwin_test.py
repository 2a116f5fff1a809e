#!/usr/bin/env python3
"""darwin_test.py PKGCONF_REWRITE GORELINK

Tests of pkgconf-rewrite's darwin (Apple ld64) personality, on a fake SDK and
Homebrew prefix built at test time in a tempfile.mkdtemp() directory:

 - SDK/usr/lib: hand-written .tbd v4 stubs (libSystem, libresolv, libc++, libz);
 - Homebrew (PKG_CONFIG_SYSROOT_DIR=BREW): opt/homebrew/opt/foo/lib holds
   libfoo.a beside libfoo.dylib (objects from clang-14 -target
   arm64-apple-macos11, llvm-ar-14, ld64.lld-14) and foo.pc, whose Libs.private
   names -L/opt/homebrew/opt/bar/lib -lbar (libbar.a only);
 - universal archives made with llvm-lipo-14, thin x86_64-only archives.

Every ld64 search rule has a case (search_paths_first order,
-search_dylibs_first, syslibroot re-rooting, .tbd preferred, -l: rejected,
frameworks pass through, system libraries kept, a dylib-only library explained,
a universal archive with the slice, the arm64/x86_64 choice, a wrong-arch
thin archive skipped with ld64's note); then each search choice confirmed
with the real ld64.lld-14 -t on the same flags, with the cases where lld 14
and Apple ld64 differ (.so, several roots) or where pkgconf-rewrite goes
further than both (a wrong-arch archive skipped) asserted apart; then end
to end: a C program linked
with the rewritten flags by ld64.lld-14 loads only /usr/lib/libSystem.B.dylib
and passes `gorelink check`, while the original flags pick libfoo.dylib and
fail the check.  Missing tools fail loudly (scripts/setup installs them).

Mach-O load rules (`gorelink check`, issue 14): programs linked here by
ld64.lld-14 (no SG_READ_ONLY on __DATA_CONST: fails), ld64.lld-16 (sets it:
passes) and Go's internal linker (GOOS=darwin CGO_ENABLED=0: sets it), plus
copies of the ld64.lld-16 program whose load commands are patched in Python to
each state (flag cleared, LC_BUILD_VERSION removed or turned into
LC_VERSION_MIN_MACOSX, minos raised, LC_CODE_SIGNATURE removed) and broken ones
(inconsistent or truncated commands: unreadable, exit 2).  The oracle for
flags, minos/sdk and the signature is llvm-objdump-14 --macho --private-headers.

Prints `ok NAME` or `FAIL NAME: reason` per test, then `N passed, M failed`.
"""

import json
import os
import shutil
import struct
import sys

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402  (tests/harness.py)

TIMEOUT = 30
TOOLS = ["clang-14", "llvm-ar-14", "llvm-lipo-14", "ld64.lld-14", "ld64.lld-16", "llvm-objdump-14", "llvm-objcopy-14", "go"]
ARM = "arm64-apple-macos11"
X86 = "x86_64-apple-macos11"

PCRW = GORELINK = T = SDK = BREW = None
SUITE = harness.Suite()
test = SUITE.test


class Result(harness.Result):
    errors = "replace"
    crash = "killed by signal %d: %r"

    @classmethod
    def timeout_error(cls, argv, timeout, exc):
        return None   # subprocess.TimeoutExpired itself


def env_base(**extra):
    pc = os.path.join(BREW, "opt/homebrew/opt/foo/lib/pkgconfig")
    return harness.environ(
        ("PKG_CONFIG_SYSROOT_DIR", "PKG_CONFIG_ALLOW_SYSTEM_LIBS", "LIBRARY_PATH", "CC"),
        {"PKG_CONFIG_PATH": pc, "PKG_CONFIG_LIBDIR": pc, "PKG_CONFIG_SYSROOT_DIR": BREW,
         "GORELINK_CACHE_DIR": os.path.join(T, "cache"), "LC_ALL": "C"}, extra)


def run(argv, env=None):
    return harness.run(argv, TIMEOUT, env=env if env is not None else env_base(), cwd=T, result=Result)


def must(argv, cwd=None):
    return harness.must(argv, TIMEOUT, cwd=cwd or T).decode()


def pcrw(*args, target=ARM, env=None):
    pre = ["--target=" + target] if target else []
    return run([PCRW] + pre + list(args), env=env)


def pcrw_json(*args, target=ARM, env=None):
    r = pcrw("--json", *args, target=target, env=env)
    if r.rc != 0:
        raise AssertionError("expected exit 0: %r" % r)
    from pcrw_cli_test import validated  # docs/schema/pkgconf-rewrite-v1.schema.json
    return validated(json.loads(r.out), "--json report of %r" % (r.argv,))


def lib_token(doc, lib):
    for t in doc["tokens"]:
        if t["kind"] == "library" and t["library"] == lib:
            return t
    raise AssertionError("no token for -l%s in %s" % (lib, json.dumps(doc, indent=1)))


def check(cond, what, obj=None):
    if not cond:
        raise AssertionError(what + ("" if obj is None else "\n" + (obj if isinstance(obj, str) else repr(obj))))


# ------------------------------------------------------------------ fixtures

TBD = """--- !tapi-tbd
tbd-version:     4
targets:         [ x86_64-macos, arm64-macos ]
install-name:    '%s'
current-version: 1.0
exports:
  - targets:         [ x86_64-macos, arm64-macos ]
    symbols:         [ %s ]
...
"""


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def cobj(name, src, triple, sym=None):
    c = os.path.join(T, "src", name + ".c")
    write(c, src)
    o = os.path.join(T, "obj", "%s-%s.o" % (name, triple.split("-")[0]))
    os.makedirs(os.path.dirname(o), exist_ok=True)
    must(["clang-14", "-target", triple, "-c", c, "-o", o])
    return o


def archive(path, objs):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.exists(path):
        os.unlink(path)
    must(["llvm-ar-14", "rcs", path] + objs)
    return path


def touch_tbd(path, install_name, syms="_q_fn"):
    write(path, TBD % (install_name, syms))


def build_fixtures():
    global SDK, BREW
    SDK = os.path.join(T, "MacOSX.sdk")
    BREW = os.path.join(T, "brew")
    ul = os.path.join(SDK, "usr/lib")
    touch_tbd(os.path.join(ul, "libSystem.tbd"), "/usr/lib/libSystem.B.dylib",
              "_printf, _puts, _malloc, _free, _exit, dyld_stub_binder")
    touch_tbd(os.path.join(ul, "libresolv.tbd"), "/usr/lib/libresolv.9.dylib", "_res_init")
    touch_tbd(os.path.join(ul, "libc++.tbd"), "/usr/lib/libc++.1.dylib", "__ZdlPv")
    touch_tbd(os.path.join(ul, "libz.tbd"), "/usr/lib/libz.1.dylib", "_zlibVersion")

    foo_lib = os.path.join(BREW, "opt/homebrew/opt/foo/lib")
    bar_lib = os.path.join(BREW, "opt/homebrew/opt/bar/lib")
    fo = cobj("foo", "int bar_fn(void);\nint foo_fn(void) { return bar_fn() + 1; }\n", ARM)
    bo = cobj("bar", "int bar_fn(void) { return 41; }\n", ARM)
    archive(os.path.join(foo_lib, "libfoo.a"), [fo])
    archive(os.path.join(bar_lib, "libbar.a"), [bo])
    must(["ld64.lld-14", "-dylib", "-arch", "arm64", "-platform_version", "macos", "11.0", "11.0",
          "-syslibroot", SDK, "-install_name", "/opt/homebrew/opt/foo/lib/libfoo.dylib",
          "-o", os.path.join(foo_lib, "libfoo.dylib"), fo, bo, "-lSystem"])
    write(os.path.join(foo_lib, "pkgconfig/foo.pc"),
          "prefix=/opt/homebrew/opt/foo\nlibdir=${prefix}/lib\n\nName: foo\nDescription: foo\nVersion: 1.0\n"
          "Libs: -L${libdir} -lfoo\nLibs.private: -L/opt/homebrew/opt/bar/lib -lbar\n")
    # /usr/local/opt/baz under BREW, reached by syslibroot re-rooting.
    archive(os.path.join(BREW, "usr/local/opt/baz/lib/libbaz.a"), [cobj("baz", "int baz_fn(void){return 3;}\n", ARM)])

    # Search-order dirs: d1 {libq.a}, d2 {libq.a libq.tbd}, d3 {libq.tbd},
    # d4 {libq.tbd libq.dylib libq.a}, d5 {libq.so libq.a}.
    qa = cobj("q", "int q_fn(void) { return 7; }\n", ARM)
    for d in ("d1", "d2", "d4", "d5"):
        archive(os.path.join(T, d, "libq.a"), [qa])
    for d in ("d2", "d3", "d4"):
        touch_tbd(os.path.join(T, d, "libq.tbd"), "/usr/local/lib/libq.1.dylib")
    write(os.path.join(T, "d4", "libq.dylib"), "not really a dylib\n")
    write(os.path.join(T, "d5", "libq.so"), "not really a shared object\n")

    # Arch: dX {libv.a x86_64 only}, dA {libv.a arm64}, dU {libu.a universal},
    # dF {libw.a universal with only x86_64}.
    va = cobj("v", "int v_fn(void) { return 1; }\n", ARM)
    vx = cobj("v", "int v_fn(void) { return 2; }\n", X86)
    archive(os.path.join(T, "dX", "libv.a"), [vx])
    archive(os.path.join(T, "dA", "libv.a"), [va])
    ua = archive(os.path.join(T, "tmp", "arm", "libu.a"), [va])
    ux = archive(os.path.join(T, "tmp", "x86", "libu.a"), [vx])
    os.makedirs(os.path.join(T, "dU"), exist_ok=True)
    os.makedirs(os.path.join(T, "dF"), exist_ok=True)
    must(["llvm-lipo-14", "-create", ua, ux, "-output", os.path.join(T, "dU", "libu.a")])
    must(["llvm-lipo-14", "-create", ux, "-output", os.path.join(T, "dF", "libw.a")])
    archive(os.path.join(T, "dA", "libw.a"), [va])

    write(os.path.join(T, "main.c"),
          "int printf(const char *, ...);\nint foo_fn(void);\nint main(void) { printf(\"%d\\n\", foo_fn()); return 0; }\n")
    must(["clang-14", "-target", ARM, "-c", os.path.join(T, "main.c"), "-o", os.path.join(T, "main.o")])


# ------------------------------------------------------------------ search rules

def d(name):
    return os.path.join(T, name)


@test
def search_paths_first_order():
    doc = pcrw_json("--", "-L" + d("d1"), "-L" + d("d2"), "-lq")
    t = lib_token(doc, "q")
    check(t["output"] == [d("d1") + "/libq.a"], "d1's archive first", t)
    check(t["shared_alternative"] is None, "no dylib ahead of d1/libq.a", t)
    check(doc["linker"] == "ld64" and doc["search_order"] == "paths-first", "ld64, paths-first", doc)
    doc = pcrw_json("--", "-L" + d("d3"), "-L" + d("d1"), "-lq")
    t = lib_token(doc, "q")
    check(t["output"] == [d("d1") + "/libq.a"], "the archive along the path", t)
    check(t["shared_alternative"] == d("d3") + "/libq.tbd", "ld64 would take d3's stub", t)
    check(any("ld64 would take" in n for n in t["notes"]), "the note says so", t)


@test
def search_dylibs_first():
    doc = pcrw_json("--", "-L" + d("d1"), "-L" + d("d3"), "-lq")
    check(lib_token(doc, "q")["shared_alternative"] is None, "paths-first: d1/libq.a wins", doc)
    doc = pcrw_json("--", "-Wl,-search_dylibs_first", "-L" + d("d1"), "-L" + d("d3"), "-lq")
    t = lib_token(doc, "q")
    check(doc["search_order"] == "dylibs-first", "mode seen", doc)
    check(t["shared_alternative"] == d("d3") + "/libq.tbd", "dylibs first across dirs", t)
    check(t["output"] == [d("d1") + "/libq.a"], "still the archive", t)
    check("-Wl,-search_dylibs_first" in doc["argv"], "the flag passes through", doc)


@test
def tbd_preferred_then_so():
    t = lib_token(pcrw_json("--", "-L" + d("d4"), "-lq"), "q")
    check(t["shared_alternative"] == d("d4") + "/libq.tbd", ".tbd over .dylib", t)
    check(t["output"] == [d("d4") + "/libq.a"], "archive", t)
    t = lib_token(pcrw_json("--", "-L" + d("d5"), "-lq"), "q")
    check(t["shared_alternative"] == d("d5") + "/libq.so", ".so before .a", t)


@test
def syslibroot_rerooting():
    doc = pcrw_json("--syslibroot=" + SDK, "--", "-lz", "-lSystem")
    check(doc["sysroot"] == SDK, "syslibroot reported", doc)
    dirs = [x["dir"] for x in doc["search_dirs"]]
    check(dirs == [SDK + "/usr/lib"], "defaults re-rooted, /usr/local/lib dropped (not in SDK)", dirs)
    t = lib_token(doc, "z")
    check(t["kept"] == "system library (SDK stub)" and t["output"] == ["-lz"], "SDK stub kept", t)
    check(t["resolved"] == SDK + "/usr/lib/libz.tbd", "resolved to the stub", t)
    # -L /usr/local/opt/baz/lib is re-rooted under a -Wl,-syslibroot given in the flags (which wins).
    doc = pcrw_json("--syslibroot=" + SDK, "--", "-Wl,-syslibroot," + BREW, "-L/usr/local/opt/baz/lib", "-lbaz")
    t = lib_token(doc, "baz")
    check(t["output"] == [BREW + "/usr/local/opt/baz/lib/libbaz.a"], "re-rooted -L", t)
    # "/" as the last syslibroot disables re-rooting.
    r = pcrw("--syslibroot=" + BREW, "--", "-syslibroot", "/", "-L/usr/local/opt/baz/lib", "-lbaz")
    check(r.rc == 1 and "directory not found for option '-L/usr/local/opt/baz/lib'" in r.err, "'/' disables", r)
    # -isysroot counts too.
    doc = pcrw_json("--", "-isysroot", SDK, "-lz")
    check(lib_token(doc, "z")["kept"] == "system library (SDK stub)", "-isysroot", doc)
    # -Z: no defaults.
    r = pcrw("--syslibroot=" + SDK, "--", "-Z", "-lz")
    check(r.rc == 1 and "only a dynamic library" not in r.err, "-Z drops SDK/usr/lib", r)


@test
def colon_rejected():
    r = pcrw("--", "-L" + d("d1"), "-l:libq.a")
    check(r.rc == 2 and r.out == "", "exit 2, nothing on stdout", r)
    check("no -l:FILE syntax" in r.err and "GNU ld" in r.err, "explained", r)


@test
def frameworks_pass_through():
    args = ["-F" + d("fw"), "-framework", "CoreFoundation", "-Wl,-framework,Security",
            "-weak_framework", "Metal", "-L" + d("d1"), "-lq"]
    doc = pcrw_json("--", *args)
    check(doc["argv"] == args[:-2] + ["-L" + d("d1"), d("d1") + "/libq.a"], "frameworks unchanged", doc["argv"])


@test
def system_libs_kept():
    libs = ["-lSystem", "-lc", "-lm", "-lpthread", "-ldl", "-lresolv", "-lc++", "-lobjc"]
    doc = pcrw_json("--syslibroot=" + SDK, "--", *libs)
    check(doc["argv"] == libs, "kept", doc["argv"])
    for t in doc["tokens"]:
        check(t["kept"] == "system library", "kept as system", t)


@test
def dylib_only_explained():
    r = pcrw("--", "-L" + d("d3"), "-lq")
    check(r.rc == 1 and r.out == "", "exit 1, nothing on stdout", r)
    check("no static archive for -lq" in r.err, "names the library", r)
    check("only a dynamic library exists: %s/libq.tbd" % d("d3") in r.err, "names the stub", r)
    check("--allow-dynamic=q to keep -lq dynamic" in r.err, "the way out", r)
    check(pcrw("--allow-dynamic=q", "--", "-L" + d("d3"), "-lq").out.split() == ["-L" + d("d3"), "-lq"],
          "--allow-dynamic keeps it")
    r = pcrw("--", "-L" + d("d1"), "-lnothere")
    check(r.rc == 1 and "no dylib or .tbd exists either" in r.err, "nothing at all", r)


@test
def universal_with_slice():
    for target in (ARM, "x86_64-apple-darwin"):
        t = lib_token(pcrw_json("--", "-L" + d("dU"), "-lu", target=target), "u")
        check(t["output"] == [d("dU") + "/libu.a"] and t["notes"] == [], "fat accepted for " + target, t)
    doc = pcrw_json("--", "-L" + d("dF"), "-L" + d("dA"), "-lw")
    t = lib_token(doc, "w")
    check(t["output"] == [d("dA") + "/libw.a"], "fat without arm64 skipped", t)
    check(any("ignoring file %s/libw.a, missing required architecture arm64 in file %s/libw.a (1 slice)"
              % (d("dF"), d("dF")) in n for n in t["notes"]), "noted", t)


@test
def arch_slice_choice():
    t = lib_token(pcrw_json("--", "-L" + d("dX"), "-L" + d("dA"), "-lv"), "v")
    check(t["output"] == [d("dA") + "/libv.a"], "arm64 skips the x86_64 archive", t)
    want = ("ignoring file %s/libv.a, building for macOS-arm64 but attempting to link with file built for macOS-x86_64"
            % d("dX"))
    check(want in t["notes"], "ld64's wording", t)
    t = lib_token(pcrw_json("--", "-L" + d("dX"), "-L" + d("dA"), "-lv", target="x86_64-apple-darwin"), "v")
    check(t["output"] == [d("dX") + "/libv.a"] and t["notes"] == [], "x86_64 takes dX", t)
    t = lib_token(pcrw_json("--", "-L" + d("dA"), "-L" + d("dX"), "-lv", target="x86_64-apple-darwin"), "v")
    check(t["output"] == [d("dX") + "/libv.a"], "x86_64 skips the arm64 archive", t)
    check(any("building for macOS-x86_64 but attempting to link with file built for macOS-arm64" in n
              for n in t["notes"]), "noted", t)
    r = pcrw("--", "-L" + d("dX"), "-lv")
    check(r.rc == 1 and "note: ignoring file" in r.err, "wrong-arch only: missing, with the note", r)


@test
def variants():
    doc = pcrw_json("--", "-L" + d("d3"), "-L" + d("d1"), "-weak-lq", "-Wl,-needed-lq", "-hidden-lq",
                    "-Wl,-reexport-lq", "-weak-lSystem")
    out = [t["output"] for t in doc["tokens"] if t["kind"] == "library"]
    a = d("d1") + "/libq.a"
    check(out == [[a], [a], ["-Wl,-load_hidden," + a], [a], ["-weak-lSystem"]], "variants", out)
    check(lib_token(doc, "q")["variant"] == "weak", "variant reported", doc)


@test
def homebrew_pc():
    doc = pcrw_json("--syslibroot=" + SDK, "foo")
    fl = BREW + "/opt/homebrew/opt/foo/lib"
    bl = BREW + "/opt/homebrew/opt/bar/lib"
    check(doc["argv"] == ["-L" + fl, fl + "/libfoo.a", "-L" + bl, bl + "/libbar.a"], "flags", doc["argv"])
    check(lib_token(doc, "foo")["shared_alternative"] == fl + "/libfoo.dylib", "dylib would win", doc)


@test
def selection():
    doc = pcrw_json("--", "-L" + d("d1"), "-lq", target=None,
                    env=env_base(CC="clang-14 -target arm64-apple-macos11"))
    check(doc["linker"] == "ld64" and doc["target"] == "arm64", "$CC -dumpmachine selects darwin", doc)
    r = pcrw("--json", "--", "-L" + d("d1"), "-lq", target="x86_64-linux-gnu")
    check(r.rc == 0 and json.loads(r.out)["linker"] == "gnu-ld", "a linux triple keeps GNU ld", r)
    r = pcrw("--syslibroot=/x", "--", "-lq", target="x86_64-linux-gnu")
    check(r.rc == 64, "--syslibroot without an Apple target is a usage error", r)
    r = pcrw("--", "-lq", target="mips-apple-darwin")
    check(r.rc == 64 and "unknown CPU" in r.err, "unknown CPU", r)


# ------------------------------------------------------------------ what ld64.lld-14 loads
#
# The cases above are derived by hand from ld64's rules. Here each search
# choice is confirmed with a real linker: ld64.lld-14, with the same -L/-l/
# -syslibroot flags on the same fake SDK and prefix, links a tiny object that
# calls the library's function and prints every file it loads (-t) and its
# library search paths (-v). The file it opened for -lNAME must be the one
# pkgconf-rewrite says ld64 takes: the shared alternative it reports, or else
# the archive it names.
#
# Where lld's port and Apple's ld64 differ, the case says so and asserts what
# lld 14 actually does as a separate expectation. Sources: lld/MachO/Driver.cpp
# findLibrary (lld 14: {".tbd", ".dylib", ".a"} per dir, or with
# -search_dylibs_first {".tbd", ".dylib"} over all dirs then ".a"; newer lld
# adds ".so" through DriverUtils.cpp findPathCombination), and ld64's
# Options::findLibrary / FileInfo::checkFileExists (ld64-956.6): a stat(2) for
# existence only, no architecture check, in both linkers.

USER_OBJS = {}


def user_obj(sym, triple=ARM):
    """An object whose main calls sym (a C function), made once per triple."""
    key = (sym, triple)
    if key not in USER_OBJS:
        USER_OBJS[key] = cobj("use_" + sym, "int %s(void);\nint main(void) { return %s(); }\n" % (sym, sym),
                              triple)
    return USER_OBJS[key]


class Lld:
    """One ld64.lld-14 -t -v run: the result, the files it loaded (archive
    members and .tbd install names stripped), its library search paths."""

    def __init__(self, flags, sym, arch="arm64"):
        triple = ARM if arch == "arm64" else X86
        # The object first, as a compiler driver orders them (lld 14 crashes
        # in writeResult when a wrong-arch archive member comes before the
        # object that needs it); libSystem by its full path, so that no
        # -lSystem search mixes in; the fake SDK as the root unless the case
        # gives its own, so that the host's /usr/lib and /usr/local/lib stay
        # out of the search.
        root = [] if "-syslibroot" in flags else ["-syslibroot", SDK]
        argv = (["ld64.lld-14", "-arch", arch, "-platform_version", "macos", "11.0", "11.0",
                 "-o", d("lld-out"), "-t", "-v", user_obj(sym, triple)] + root + flags +
                [SDK + "/usr/lib/libSystem.tbd"])
        self.r = run(argv)
        # -t prints to stdout: "path", "archive(member.o)", "stub.tbd(install name)".
        self.loaded = [line.split("(")[0] for line in self.r.out.splitlines() if line]
        # -v prints to stderr: "Library search paths:" then one tab-indented dir a line.
        self.dirs, where = [], None
        for line in self.r.err.splitlines():
            if line == "Library search paths:":
                where = self.dirs
            elif not line.startswith("\t"):
                where = None
            elif where is not None:
                where.append(line.strip())

    def pick(self, lib):
        """The one file lld loaded for -l<lib>, or None."""
        got = sorted({p for p in self.loaded if os.path.basename(p).startswith("lib%s." % lib)})
        check(len(got) <= 1, "lld loaded one file for -l%s" % lib, self.r)
        return got[0] if got else None


def pcrw_choice(doc, lib):
    """The file pkgconf-rewrite says ld64 takes for -l<lib>."""
    t = lib_token(doc, lib)
    if t.get("shared_alternative"):
        return t["shared_alternative"]
    if t.get("resolved"):
        return t["resolved"]
    check(len(t["output"]) == 1 and t["output"][0].startswith("/"), "one archive by path", t)
    return t["output"][0]


def lld_agrees(flags, lib, sym, pcrw_flags=None, pcrw_args=(), arch="arm64"):
    """lld links, and it loaded what pkgconf-rewrite names; returns that path."""
    target = ARM if arch == "arm64" else "x86_64-apple-darwin"
    doc = pcrw_json(*pcrw_args, "--", *(flags if pcrw_flags is None else pcrw_flags), target=target)
    want = pcrw_choice(doc, lib)
    l = Lld(flags, sym, arch)
    check(l.r.rc == 0, "ld64.lld-14 links", l.r)
    check(l.pick(lib) == want, "ld64.lld-14 loaded %s, pkgconf-rewrite says %s" % (l.pick(lib), want), l.r)
    return want


@test
def lld_search_paths_first():
    # Per dir .tbd, .dylib, then .a: an archive in an earlier dir wins.
    check(lld_agrees(["-L" + d("d1"), "-L" + d("d2"), "-lq"], "q", "q_fn") == d("d1") + "/libq.a", "d1")
    check(lld_agrees(["-L" + d("d1"), "-L" + d("d3"), "-lq"], "q", "q_fn") == d("d1") + "/libq.a", "d1")
    check(lld_agrees(["-L" + d("d3"), "-L" + d("d1"), "-lq"], "q", "q_fn") == d("d3") + "/libq.tbd", "d3")


@test
def lld_search_dylibs_first():
    # Every dir for a .tbd/.dylib before any dir for a .a (given to the
    # compiler driver as -Wl,-search_dylibs_first).
    got = lld_agrees(["-search_dylibs_first", "-L" + d("d1"), "-L" + d("d3"), "-lq"], "q", "q_fn",
                     pcrw_flags=["-Wl,-search_dylibs_first", "-L" + d("d1"), "-L" + d("d3"), "-lq"])
    check(got == d("d3") + "/libq.tbd", "d3's stub", got)


@test
def lld_tbd_over_dylib():
    # d4 {libq.tbd libq.dylib libq.a}: the stub. (ld64 takes the binary dylib
    # instead when the pair lies inside a *.sdk/ dir; lld does not: no case here.)
    check(lld_agrees(["-L" + d("d4"), "-lq"], "q", "q_fn") == d("d4") + "/libq.tbd", "d4's stub")


@test
def lld_so_not_searched():
    # DIFFERENCE: Apple ld64 tries lib<x>.so after the .dylib in each dir,
    # and so does pkgconf-rewrite (d5/libq.so is what ld64 would load); lld
    # 14's findLibrary has no ".so" (newer lld added it), so it takes the
    # archive beside it.
    t = lib_token(pcrw_json("--", "-L" + d("d5"), "-lq"), "q")
    check(t["shared_alternative"] == d("d5") + "/libq.so", "ld64: the .so", t)
    l = Lld(["-L" + d("d5"), "-lq"], "q_fn")
    check(l.r.rc == 0 and l.pick("q") == d("d5") + "/libq.a", "lld 14: the archive, .so unsearched", l.r)


@test
def lld_syslibroot():
    # The SDK's stub for -lz, and the search list: SDK/usr/lib only, the
    # default /usr/local/lib dropped for not existing under the SDK (lld does
    # not fall back to the host's /usr/local/lib either).
    doc = pcrw_json("--syslibroot=" + SDK, "--", "-lz")
    l = Lld(["-syslibroot", SDK, "-lz"], "zlibVersion")
    check(l.r.rc == 0 and l.pick("z") == SDK + "/usr/lib/libz.tbd", "lld: the SDK stub", l.r)
    check(l.pick("z") == lib_token(doc, "z")["resolved"], "as pkgconf-rewrite resolves it", doc)
    check(l.dirs == [x["dir"] for x in doc["search_dirs"]], "the same search list %r" % l.dirs, doc)
    # -isysroot, through the compiler driver, is the linker's -syslibroot.
    r = run(["clang-14", "-target", ARM, "-mlinker-version=705", "-fuse-ld=" + shutil.which("ld64.lld-14"),
             "-isysroot", SDK, "-nostdlib", "-Wl,-t", user_obj("zlibVersion"), "-lz",
             SDK + "/usr/lib/libSystem.tbd", "-o", d("lld-isysroot")])
    check(r.rc == 0 and SDK + "/usr/lib/libz.tbd(" in r.out, "clang -isysroot: the SDK stub", r)
    check(lib_token(pcrw_json("--", "-isysroot", SDK, "-lz"), "z")["resolved"] == SDK + "/usr/lib/libz.tbd",
          "pkgconf-rewrite -isysroot: the same stub")
    # An absolute -L re-rooted under the (only) root.
    got = lld_agrees(["-syslibroot", BREW, "-L/usr/local/opt/baz/lib", "-lbaz"], "baz", "baz_fn",
                     pcrw_flags=["-Wl,-syslibroot," + BREW, "-L/usr/local/opt/baz/lib", "-lbaz"])
    check(got == BREW + "/usr/local/opt/baz/lib/libbaz.a", "re-rooted", got)
    # "/" as the last root disables re-rooting: the -L dir is missing, -lbaz
    # is not found (pkgconf-rewrite: exit 1, the same message).
    l = Lld(["-syslibroot", BREW, "-syslibroot", "/", "-L/usr/local/opt/baz/lib", "-lbaz"], "baz_fn")
    check(l.r.rc != 0 and "directory not found for option -L/usr/local/opt/baz/lib" in l.r.err
          and "library not found for -lbaz" in l.r.err, "lld: '/' disables", l.r)
    # -Z: no default dirs at all.
    l = Lld(["-syslibroot", SDK, "-Z", "-lz"], "zlibVersion")
    check(l.r.rc != 0 and l.dirs == [] and "library not found for -lz" in l.r.err, "lld: -Z", l.r)


@test
def lld_syslibroot_several():
    # DIFFERENCE: several roots. pkgconf-rewrite re-roots under the last one
    # only (its --syslibroot, then a -Wl,-syslibroot in the flags that wins);
    # lld uses every root, as Apple ld64 does (-syslibroot is repeatable and
    # Options::buildSearchPaths tries each SDK path): the SDK's /usr/lib stays
    # on the list. The file taken for -lbaz is the same.
    doc = pcrw_json("--syslibroot=" + SDK, "--", "-Wl,-syslibroot," + BREW, "-L/usr/local/opt/baz/lib", "-lbaz")
    check([x["dir"] for x in doc["search_dirs"]] == [BREW + "/usr/local/opt/baz/lib"], "pkgconf-rewrite: one root", doc)
    l = Lld(["-syslibroot", SDK, "-syslibroot", BREW, "-L/usr/local/opt/baz/lib", "-lbaz"], "baz_fn")
    check(l.r.rc == 0 and l.dirs == [BREW + "/usr/local/opt/baz/lib", SDK + "/usr/lib"], "lld: both roots", l.r)
    check(l.pick("baz") == pcrw_choice(doc, "baz"), "the same archive", l.r)


@test
def lld_dylib_only_and_missing():
    # d3 holds only a stub: lld links against it, pkgconf-rewrite names it.
    l = Lld(["-L" + d("d3"), "-lq"], "q_fn")
    check(l.r.rc == 0 and l.pick("q") == d("d3") + "/libq.tbd", "lld: the stub", l.r)
    r = pcrw("--", "-L" + d("d3"), "-lq")
    check("only a dynamic library exists: %s/libq.tbd" % d("d3") in r.err, "pkgconf-rewrite names it", r)
    l = Lld(["-L" + d("d1"), "-lnothere"], "q_fn")
    check(l.r.rc != 0 and "library not found for -lnothere" in l.r.err, "lld: not found", l.r)


@test
def lld_universal_archive():
    # A universal archive: the slice for the target, either arch.
    for arch in ("arm64", "x86_64"):
        got = lld_agrees(["-L" + d("dU"), "-lu"], "u", "v_fn", arch=arch)
        check(got == d("dU") + "/libu.a", "dU for " + arch, got)
    check(lld_agrees(["-L" + d("dX"), "-L" + d("dA"), "-lv"], "v", "v_fn", arch="x86_64") == d("dX") + "/libv.a",
          "x86_64: dX's thin archive")


@test
def lld_wrong_arch_not_skipped():
    # DIFFERENCE: pkgconf-rewrite passes over an archive with no code for the
    # target and takes one further along (and quotes ld64's "ignoring file"
    # warning). Neither linker searches on: lld 14's findLibrary and ld64's
    # Options::findLibrary only check that the file exists, so both stop at
    # the first lib<x>.a; ld64 then ignores it with that warning and lld
    # rejects it, and the symbol stays undefined. The rewritten flags (the
    # archive that fits, by path) link where the original -L/-l do not.
    cases = [("arm64", ["-L" + d("dX"), "-L" + d("dA"), "-lv"], "v", d("dA") + "/libv.a",
              "has architecture x86_64 which is incompatible with target architecture arm64"),
             ("x86_64", ["-L" + d("dA"), "-L" + d("dX"), "-lv"], "v", d("dX") + "/libv.a",
              "has architecture arm64 which is incompatible with target architecture x86_64"),
             ("arm64", ["-L" + d("dF"), "-L" + d("dA"), "-lw"], "w", d("dA") + "/libw.a",
              "unable to find matching architecture in " + d("dF") + "/libw.a")]
    for arch, flags, lib, pcrw_pick, lld_says in cases:
        target = ARM if arch == "arm64" else "x86_64-apple-darwin"
        check(pcrw_choice(pcrw_json("--", *flags, target=target), lib) == pcrw_pick,
              "pkgconf-rewrite skips to %s" % pcrw_pick)
        l = Lld(flags, "v_fn", arch)
        check(l.r.rc != 0 and lld_says in l.r.err and "undefined symbol: _v_fn" in l.r.err,
              "lld stops at the first archive (%s)" % " ".join(flags), l.r)
        check(l.pick(lib) != pcrw_pick, "lld did not go on to %s" % pcrw_pick, l.r)
        # The rewritten flags link.
        out = pcrw("-0", "--", *flags, target=target)
        check(out.rc == 0, "rewrite", out)
        l = Lld([x for x in out.out.split("\0") if x], "v_fn", arch)
        check(l.r.rc == 0 and l.pick(lib) == pcrw_pick, "lld links the rewritten flags", l.r)


@test
def lld_homebrew_pc():
    # foo.pc's own flags: lld takes libfoo.dylib, the dylib pkgconf-rewrite
    # reports as what ld64 would take over the archive it names.
    doc = pcrw_json("--syslibroot=" + SDK, "foo")
    fl = BREW + "/opt/homebrew/opt/foo/lib"
    l = Lld(["-syslibroot", SDK, "-L" + fl, "-lfoo"], "foo_fn")
    check(l.r.rc == 0 and l.pick("foo") == fl + "/libfoo.dylib" == pcrw_choice(doc, "foo"), "libfoo.dylib", l.r)


# ------------------------------------------------------------------ end to end

@test
def archive_shrinks_while_read():
    """An archive that shrinks under its mapping (SIGBUS) stops the search with an error."""
    from cli_test import build_shrink_shim, shrink_env  # the LD_PRELOAD shim, shared
    sd = d("dS")
    os.makedirs(sd, exist_ok=True)
    shim = build_shrink_shim(sd)
    victim = os.path.join(sd, "libv.a")
    shutil.copyfile(d("dA") + "/libv.a", victim)
    # dA/libv.a further along would do for arm64, but passing over an archive
    # ld64 cannot read would not be ld64's answer: exit 2, nothing on stdout.
    r = run([PCRW, "--target=" + ARM, "--", "-L" + sd, "-L" + d("dA"), "-lv"],
            env=shrink_env(shim, victim, base=env_base()))
    check(os.path.getsize(victim) == 0, "the shim truncated the archive after mapping it", r)
    check(r.rc == 2 and r.out == "", "exit 2, nothing on stdout", r)
    check("%s: the file shrank while it was being read" % victim in r.err, "names the archive", r)
    # Whole again, the same search takes it.
    shutil.copyfile(d("dA") + "/libv.a", victim)
    t = lib_token(pcrw_json("--", "-L" + sd, "-L" + d("dA"), "-lv",
                            env=shrink_env(shim, d("nothing"), base=env_base())), "v")
    check(t["output"] == [victim], "the whole archive is taken", t)


def ld64(out, flags, lld="ld64.lld-16"):
    # ld64.lld-16: ld64.lld-14 leaves SG_READ_ONLY off __DATA_CONST, which
    # gorelink check fails (dyld on macOS 15+ aborts); see load_rules_lld14_vs_lld16.
    return run([lld, "-arch", "arm64", "-platform_version", "macos", "11.0", "11.0",
                "-syslibroot", SDK, "-o", out, d("main.o")] + flags + ["-lSystem"])


@test
def end_to_end():
    r = pcrw("-0", "--syslibroot=" + SDK, "foo")
    check(r.rc == 0, "rewrite", r)
    flags = [x for x in r.out.split("\0") if x]
    app = d("app-static")
    l = ld64(app, flags)
    check(l.rc == 0, "links", l)
    used = must(["llvm-objdump-14", "--macho", "--dylibs-used", app])
    libs = [x.split(" (")[0].strip() for x in used.splitlines()[1:] if x.strip()]
    check(libs == ["/usr/lib/libSystem.B.dylib"], "only libSystem", used)
    c = run([GORELINK, "check", app])
    check(c.rc == 0, "gorelink check passes", c)

    fl = BREW + "/opt/homebrew/opt/foo/lib"
    bl = BREW + "/opt/homebrew/opt/bar/lib"
    app2 = d("app-dyn")
    l = ld64(app2, ["-L" + fl, "-lfoo", "-L" + bl, "-lbar"])
    check(l.rc == 0, "links with the original flags", l)
    used = must(["llvm-objdump-14", "--macho", "--dylibs-used", app2])
    check("/opt/homebrew/opt/foo/lib/libfoo.dylib" in used, "picks up libfoo.dylib", used)
    c = run([GORELINK, "check", app2])
    check(c.rc != 0 and "/opt/homebrew/opt/foo/lib/libfoo.dylib" in (c.out + c.err), "check fails naming it", c)



# ------------------------------------------------------------------ Mach-O load rules

CHECK_SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "schema",
                            "check-v2.schema.json")
LC_CODE_SIGNATURE, LC_SEGMENT_64 = 0x1d, 0x19
LC_VERSION_MIN_MACOSX, LC_BUILD_VERSION = 0x24, 0x32


def check_json(*args):
    """gorelink check --json ARGS: (exit status, objects validated against the schema)."""
    r = run([GORELINK, "check", "--json"] + list(args))
    check(r.rc in (0, 1, 2, 3), "exit 0, 1, 2 or 3 (--sbom: no manifest; no crash)", r)
    v = harness.schema_validator(CHECK_SCHEMA)
    objs = []
    for line in r.out.splitlines():
        o = json.loads(line)
        errs = list(v.iter_errors(o))
        check(not errs, "matches docs/schema/check-v2.schema.json: %s" % "; ".join(e.message for e in errs[:3]), line)
        objs.append(o)
    return r, objs


def codes(o, severity=None):
    return [p["code"] for p in o["problems"] if severity is None or p.get("severity") == severity]


def objdump_rules(path):
    """What llvm-objdump-14 --macho --private-headers says of the load rules:
    {"data_const_flags": int|None, "version_command", "minos", "sdk", "code_signature"}."""
    out = must(["llvm-objdump-14", "--macho", "--private-headers", path])
    got = {"data_const_flags": None, "version_command": None, "minos": None, "sdk": None,
           "code_signature": False}
    for block in out.split("Load command ")[1:]:
        kv = {}
        for ln in block.splitlines()[1:]:
            parts = ln.split(None, 1)
            if len(parts) == 2 and parts[0] not in kv:
                kv[parts[0]] = parts[1].strip()
            if ln.startswith("Section"):
                break   # the segment's own fields come before its sections
        cmd = kv.get("cmd")
        if cmd == "LC_SEGMENT_64" and kv.get("segname") == "__DATA_CONST":
            f = kv["flags"].split()[0]
            got["data_const_flags"] = 0 if f == "(none)" else int(f, 16)
        elif cmd in ("LC_BUILD_VERSION", "LC_VERSION_MIN_MACOSX") and got["version_command"] is None:
            got["version_command"] = cmd
            got["minos"] = kv["minos"] if cmd == "LC_BUILD_VERSION" else kv["version"]
            got["sdk"] = None if kv["sdk"] == "n/a" else kv["sdk"]
        elif cmd == "LC_CODE_SIGNATURE":
            got["code_signature"] = True
    return got


def agrees_with_objdump(o, path):
    """The check's "macho" member says what llvm-objdump-14 says."""
    m, ref = o["macho"], objdump_rules(path)
    dc = m["data_const"]
    check((dc["flags"] if dc else None) == ref["data_const_flags"], "__DATA_CONST flags as objdump", (m, ref))
    if dc:
        check(dc["read_only"] == bool(ref["data_const_flags"] & 0x10), "read_only is bit 0x10", (m, ref))
    for k in ("version_command", "minos", "sdk", "code_signature"):
        check(m[k] == ref[k], "%s as objdump" % k, (m, ref))


class Macho:
    """A little-endian 64-bit thin Mach-O file, to patch its load commands."""

    def __init__(self, path):
        with open(path, "rb") as f:
            self.b = bytearray(f.read())
        check(struct.unpack_from("<I", self.b, 0)[0] == 0xfeedfacf, "MH_MAGIC_64 little-endian", path)

    def cmds(self):
        ncmds, sizeofcmds = struct.unpack_from("<II", self.b, 16)
        off, out = 32, []
        for _ in range(ncmds):
            cmd, size = struct.unpack_from("<II", self.b, off)
            out.append((off, cmd, size))
            off += size
        return out

    def find(self, cmd, segname=None):
        for off, c, size in self.cmds():
            if c == cmd and (segname is None or self.b[off + 8:off + 24].rstrip(b"\0") == segname):
                return off, size
        raise AssertionError("no load command 0x%x %r" % (cmd, segname))

    def replace(self, cmd, new=b""):
        """Replace the first load command cmd by new (b"": remove it), moving the
        ones after it and zero-filling the header padding that frees; ncmds and
        sizeofcmds follow.  Offsets into the file (sections, signature) stay valid."""
        off, size = self.find(cmd)
        ncmds, sizeofcmds = struct.unpack_from("<II", self.b, 16)
        end = 32 + sizeofcmds
        check(len(new) <= size, "the new command is not larger", (len(new), size))
        rest = bytes(self.b[off + size:end])
        self.b[off:end] = new + rest + b"\0" * (size - len(new))
        struct.pack_into("<II", self.b, 16, ncmds - (0 if new else 1), sizeofcmds - size + len(new))
        return self

    def set32(self, cmd, field_off, value, segname=None):
        off, _ = self.find(cmd, segname)
        struct.pack_into("<I", self.b, off + field_off, value)
        return self

    def write(self, path):
        with open(path, "wb") as f:
            f.write(self.b)
        return path


def rules_prog(name, lld, arch="arm64", dylib=False):
    """A program (or dylib) with a __DATA_CONST segment (its GOT), linked by lld."""
    src = ("int printf(const char *, ...);\nconst char *const tab[] = {\"a\", \"b\"};\n"
           + ("int lib_fn(int c) { return printf(\"%s\\n\", tab[c & 1]); }\n" if dylib else
              "int main(int c, char **v) { (void)v; printf(\"%s\\n\", tab[c & 1]); return 0; }\n"))
    o = cobj("rules-" + name, src, arch + "-apple-macos11")
    out = d("rules/" + name)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    extra = ["-dylib", "-install_name", "/usr/local/lib/" + name + ".dylib"] if dylib else []
    l = run([lld, "-arch", arch, "-platform_version", "macos", "11.0", "11.0", "-syslibroot", SDK,
             "-o", out, o, "-lSystem"] + extra)
    check(l.rc == 0, "%s links" % lld, l)
    return out


@test
def load_rules_lld14_vs_lld16():
    p14, p16 = rules_prog("lld14", "ld64.lld-14"), rules_prog("lld16", "ld64.lld-16")
    # ld64.lld-14 writes __DATA_CONST without SG_READ_ONLY: a failure, and the only one.
    r, (o,) = check_json(p14)
    check(r.rc == 1, "ld64.lld-14's program fails", r)
    check(codes(o) == ["data-const-writable"] and codes(o, "failure") == ["data-const-writable"],
          "one failure: data-const-writable", o)
    check(o["macho"]["data_const"] == {"flags": 0, "read_only": False} and not o["pass"], "flag clear", o)
    check(o["verdict"] == "system-only", "the verdict itself is unchanged", o)
    agrees_with_objdump(o, p14)
    t = run([GORELINK, "check", "--explain", p14])
    check(t.rc == 1 and "fails data-const-writable" in t.out and "macOS 15" in t.out
          and "ld64.lld 16" in t.out, "plain output names the rule, macOS 15 and the fix", t)
    # ld64.lld-16 sets it (LLVM commit f7b752d27766): passes, signed, minos 11.0.
    r, (o,) = check_json(p16)
    check(r.rc == 0 and o["pass"] and o["problems"] == [], "ld64.lld-16's program passes", r)
    check(o["macho"] == {"filetype": "execute", "data_const": {"flags": 16, "read_only": True},
                         "version_command": "LC_BUILD_VERSION", "platform": "macos",
                         "minos": "11.0", "sdk": "11.0", "code_signature": True}, "macho member", o)
    agrees_with_objdump(o, p16)
    t = run([GORELINK, "check", p16])
    check(t.rc == 0 and t.out.rstrip().endswith("1 system dylib; macos 11.0 (sdk 11.0)"), "minos in the line", t)


@test
def load_rules_go_internal_linker():
    # Go's internal linker sets SG_READ_ONLY (cmd/link/internal/ld/macho.go:
    # ms.flag = 0x10 on __DATA_CONST), signs arm64 and writes LC_BUILD_VERSION.
    mod = d("gohello")
    write(os.path.join(mod, "go.mod"), "module hello\n\ngo 1.19\n")
    write(os.path.join(mod, "main.go"), 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n')
    out = os.path.join(mod, "hello-arm64")
    env = harness.environ((), {"GOOS": "darwin", "GOARCH": "arm64", "CGO_ENABLED": "0",
                               "GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local", "GOPROXY": "off",
                               "HOME": os.environ.get("HOME", T)}, {})
    b = harness.run(["go", "build", "-o", out, "."], 300, env=env, cwd=mod, result=Result)
    check(b.rc == 0, "go build", b)
    r, (o,) = check_json(out)
    check(r.rc == 0 and o["pass"] and o["problems"] == [], "passes", r)
    check(o["macho"]["data_const"]["read_only"] and o["macho"]["code_signature"], "flag and signature", o)
    check(o["macho"]["platform"] == "macos" and o["macho"]["minos"], "minos", o)
    agrees_with_objdump(o, out)


@test
def load_rules_patched_states():
    base = rules_prog("base", "ld64.lld-16")
    m = Macho(base)
    states = {}
    states["flag-cleared"] = Macho(base).set32(LC_SEGMENT_64, 68, 0, b"__DATA_CONST").write(d("rules/flag-cleared"))
    states["no-build-version"] = Macho(base).replace(LC_BUILD_VERSION).write(d("rules/no-build-version"))
    off, _ = m.find(LC_BUILD_VERSION)
    minos, sdk = struct.unpack_from("<II", m.b, off + 12)
    states["version-min"] = Macho(base).replace(
        LC_BUILD_VERSION, struct.pack("<IIII", LC_VERSION_MIN_MACOSX, 16, minos, sdk)).write(d("rules/version-min"))
    states["minos-13"] = Macho(base).set32(LC_BUILD_VERSION, 12, 13 << 16).write(d("rules/minos-13"))
    states["unsigned"] = Macho(base).replace(LC_CODE_SIGNATURE).write(d("rules/unsigned"))
    want = {
        "flag-cleared": ["data-const-writable"],
        "no-build-version": ["no-build-version"],
        "version-min": [],
        "minos-13": [],
        "unsigned": ["no-code-signature"],
    }
    for name, path in sorted(states.items()):
        r, (o,) = check_json(path)
        check(codes(o, "failure") == want[name] and codes(o) == want[name], "%s: problems %r" % (name, want[name]), o)
        check(r.rc == (1 if want[name] else 0) and o["pass"] == (not want[name]), "%s: exit status" % name, r)
        agrees_with_objdump(o, path)
    _, (o,) = check_json(states["version-min"])
    check(o["macho"]["version_command"] == "LC_VERSION_MIN_MACOSX" and o["macho"]["minos"] == "11.0",
          "LC_VERSION_MIN_MACOSX gives minos", o)
    # --macos-min: minos 13.0 fails a policy of 11.0, passes 13.0 and 14; 11.0 passes 11.0.
    r, (o,) = check_json("--macos-min", "11.0", states["minos-13"])
    check(r.rc == 1 and codes(o, "failure") == ["macos-min"] and "13.0" in o["problems"][0]["message"]
          and "-mmacosx-version-min=11.0" in o["problems"][0]["remedy"], "minos 13.0 > 11.0 fails", o)
    for pol in ("13.0", "14"):
        r, _ = check_json("--macos-min", pol, states["minos-13"])
        check(r.rc == 0, "minos 13.0 <= %s passes" % pol, r)
    r, _ = check_json("--macos-min", "11", base, states["version-min"])
    check(r.rc == 0, "minos 11.0 meets --macos-min 11", r)
    r, (o,) = check_json("--macos-min", "11.0", states["no-build-version"])
    check(r.rc == 1 and codes(o) == ["no-build-version"], "no version: fails once", o)
    for bad in ("eleven", "11.", "11.0.0.1", "70000", "0", ""):
        u = run([GORELINK, "check", "--macos-min", bad, base])
        check(u.rc == 64 and "--macos-min" in u.err, "--macos-min %r is a usage error" % bad, u)
    # A universal file: each slice is checked; the x86_64 slice from ld64.lld-14 fails alone.
    x14 = rules_prog("x86-lld14", "ld64.lld-14", arch="x86_64")
    fat = d("rules/universal")
    must(["llvm-lipo-14", "-create", base, x14, "-output", fat])
    r, (o,) = check_json(fat)
    check(r.rc == 1 and [(p["code"], p["architecture"]) for p in o["problems"]] == [("data-const-writable", "x86_64")],
          "the x86_64 slice fails", o)
    sl = {s["architecture"]: s for s in o["slices"]}
    check(sl["arm64"]["pass"] and sl["arm64"]["macho"]["code_signature"], "arm64 slice passes, signed", o)
    check(not sl["x86_64"]["macho"]["code_signature"] and codes(sl["x86_64"]) == ["data-const-writable"],
          "x86_64 needs no signature", o)
    t = run([GORELINK, "check", "--explain", fat])
    check("[x86_64] why: __DATA_CONST" in t.out, "explain names the slice", t)


@test
def load_rules_dylibs_are_findings():
    lib = rules_prog("libr14", "ld64.lld-14", dylib=True)
    r, (o,) = check_json(lib)
    check([(p["code"], p.get("severity")) for p in o["problems"]] == [("data-const-writable", "finding"), ("not-executable", None)],
          "a dylib without the flag: a finding", o)
    agrees_with_objdump(o, lib)
    # In a walk, a dylib is not counted: the finding is reported, the exit status stays 0.
    wd = d("rules-walk")
    os.makedirs(wd, exist_ok=True)
    shutil.copyfile(lib, os.path.join(wd, "libr14.dylib"))
    r, (o,) = check_json("-R", wd)
    check(r.rc == 0 and not o["counted"] and codes(o, "finding") == ["data-const-writable"], "walk: exit 0, finding", r)
    t = run([GORELINK, "check", "--explain", lib])
    check("finding: __DATA_CONST" in t.out, "explain says finding", t)
    # The object file is not loaded by dyld: no rule applies.
    obj = d("obj/rules-libr14-arm64.o")
    _, (o,) = check_json(obj)
    check(codes(o) == ["not-executable"] and o["macho"]["filetype"] == "object", "objects: no load rule", o)


@test
def load_rules_bad_input_unreadable():
    base = rules_prog("bad-base", "ld64.lld-16")
    bad = {}
    m = Macho(base)
    off, size = m.find(LC_SEGMENT_64, b"__DATA_CONST")
    bad["nsects"] = Macho(base).set32(LC_SEGMENT_64, 64, 1000, b"__DATA_CONST")
    bad["build-version-small"] = Macho(base).set32(LC_BUILD_VERSION, 4, 16)
    bad["ntools"] = Macho(base).set32(LC_BUILD_VERSION, 20, 0x10000000)
    bad["codesig-past-end"] = Macho(base).set32(LC_CODE_SIGNATURE, 8, len(m.b))
    bad["codesig-small"] = Macho(base).set32(LC_CODE_SIGNATURE, 4, 8)
    want = {"nsects": "lists 1000 sections", "build-version-small": "LC_BUILD_VERSION) has cmdsize 16",
            "ntools": "LC_BUILD_VERSION) lists", "codesig-past-end": "past the end of the file",
            "codesig-small": "LC_CODE_SIGNATURE) has cmdsize 8"}
    paths = {k: v.write(d("rules/bad-" + k)) for k, v in bad.items()}
    # Truncated in the middle of the load commands.
    sizeofcmds = struct.unpack_from("<I", m.b, 20)[0]
    paths["truncated"] = d("rules/bad-truncated")
    with open(paths["truncated"], "wb") as f:
        f.write(m.b[:32 + sizeofcmds // 2])
    want["truncated"] = "extend past the end of the file"
    for k, p in sorted(paths.items()):
        r, (o,) = check_json(p)
        check(r.rc == 2 and o["verdict"] == "error" and o["error"]["code"] == "format", "%s: unreadable, exit 2" % k, r)
        check(want[k] in o["error"]["message"], "%s: says %r" % (k, want[k]), o)
        t = run([GORELINK, "check", p])
        check(t.rc == 2 and want[k] in t.err, "%s: plain exit 2" % k, t)


# ------------------------------------------------------------------ the embedded manifest (issue 16)

@test
def embedded_manifest_macho():
    """A Mach-O binary carries the manifest in __GORELINK,__manifest, made at
    link time by -sectcreate (ld64.lld-16 and -14, arm64 and x86_64, and the
    universal file of both): check --sbom reads it back (llvm-objcopy-14
    --dump-section as the oracle), the verdict is the same as without the
    section, a binary without one is exit 3, a corrupt one exit 2."""
    doc = {"format": "gorelink-manifest/1", "archives": [{"path": "/opt/homebrew/lib/libz.a", "sha256": "0" * 64}]}
    text = json.dumps(doc, separators=(",", ":"))
    mfile = os.path.join(T, "manifest.sect")
    with open(mfile, "wb") as f:
        f.write(text.encode() + b"\0")
    progs = {}
    for arch, lld in (("arm64", "ld64.lld-16"), ("x86_64", "ld64.lld-14")):
        o = cobj("manifest-main", "int main(void) { return 0; }\n", arch + "-apple-macos11")
        for with_m in (True, False):
            out = d("manifest/%s-%s" % (arch, "m" if with_m else "none"))
            os.makedirs(os.path.dirname(out), exist_ok=True)
            extra = ["-sectcreate", "__GORELINK", "__manifest", mfile] if with_m else []
            l = run([lld, "-arch", arch, "-platform_version", "macos", "11.0", "11.0", "-syslibroot", SDK,
                     "-o", out, o, "-lSystem"] + extra)
            check(l.rc == 0, "%s -sectcreate links (%s)" % (lld, arch), l)
            progs[(arch, with_m)] = out
        dump = d("manifest/%s-dump" % arch)
        must(["llvm-objcopy-14", "--dump-section", "__GORELINK,__manifest=" + dump, progs[(arch, True)]])
        with open(dump, "rb") as f:
            check(f.read() == text.encode() + b"\0", "llvm-objcopy-14 dumps the section as written", dump)
    fat = d("manifest/fat")
    must(["llvm-lipo-14", "-create", progs[("arm64", True)], progs[("x86_64", True)], "-output", fat])
    for arch in ("arm64", "x86_64"):
        r, (o,) = check_json("--sbom", progs[(arch, True)])
        check(o.get("manifest") == doc, "check --sbom reads the manifest back (%s)" % arch, o)
        r2, (o2,) = check_json("--sbom", progs[(arch, False)])
        check(r2.rc == (3 if r.rc == 0 else r.rc) and o2["manifest"] is None, "no section: manifest null, exit 3", r2)
        o.pop("manifest"), o2.pop("manifest"), o.pop("path"), o2.pop("path")
        check(o == o2, "the same verdict with and without the manifest (%s)" % arch, (o, o2))
    r, (o,) = check_json("--sbom", fat)
    check(o["format"] == "macho-fat" and o["manifest"] == doc, "universal: the manifest", o)
    t = run([GORELINK, "check", "--sbom", fat])
    check("manifest: gorelink-manifest/1" in t.out and "2 slices carry one" in t.out, "plain --sbom on a universal file", t)
    # Corrupt: the section's JSON broken in place; exit 2, no crash, and the plain check is unchanged.
    with open(progs[("arm64", True)], "rb") as f:
        b = bytearray(f.read())
    at = b.index(text.encode())
    b[at] = ord("x")
    bad = d("manifest/corrupt")
    with open(bad, "wb") as f:
        f.write(bytes(b))
    r, (o,) = check_json("--sbom", bad)
    check(r.rc == 2 and o["verdict"] == "error" and o["error"]["code"] == "format", "corrupt: exit 2", r)
    r3, (o3,) = check_json(bad)
    r4, (o4,) = check_json(progs[("arm64", True)])
    check(r3.rc == r4.rc and o3["verdict"] == o4["verdict"], "corrupt: the plain check as before", (r3, r4))


def main():
    global PCRW, GORELINK, T
    if len(sys.argv) != 3:
        print(__doc__)
        return 64
    PCRW, GORELINK = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    missing = [t for t in TOOLS if not shutil.which(t)]
    if missing:
        return harness.fail_early("tools missing (run scripts/setup): %s" % ", ".join(missing))
    T = harness.make_scratch("gr-darwin-")
    return SUITE.run(setup=build_fixtures, cleanup=lambda: shutil.rmtree(T, ignore_errors=True),
                     elapsed=False, plain=True)


if __name__ == "__main__":
    sys.exit(main())
