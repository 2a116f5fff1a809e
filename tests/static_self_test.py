#!/usr/bin/env python3
"""static_self_test.py SRCDIR PKGCONF_REWRITE GORELINK OUTDIR
static_self_test.py --cli GORELINK FIXDIR

gorelink built static by itself (issue 15).  Runs scripts/release with the
dynamic PKGCONF_REWRITE of the build under test resolving the archives, into
OUTDIR (an existing OUTDIR is reused: ninja rebuilds only what changed), then:

 - the archives linked (OUTDIR/static-libs.txt) are what PKGCONF_REWRITE
   resolves for libbfd's raw flags and the libelf, libpkgconf packages, and
   include libbfd.a, libelf.a, libpkgconf.a, libsframe.a, libiberty.a, libz.a,
   libzstd.a;
 - both release binaries pass `gorelink check` (static, no PT_INTERP, no
   DT_NEEDED, also per readelf), and the static gorelink check fails the
   dynamic gorelink;
 - in an empty root (a temporary directory holding only the static binary and
   the data the command reads; chroot, or unshare --user --map-root-user
   chroot without root), with an empty environment:
     * `gorelink --version` works and names libbfd, libelf and libpkgconf;
     * `gorelink check` gives the right verdicts on copied binaries (JSON);
     * `pkgconf-rewrite` resolves a copied .pc tree (Requires.private, the
       `--` raw flags mode, `gorelink pkgconf-rewrite`) into a copied archive
       dir with Apple ld64's rules (--target=...-apple-macos11), which need no
       compiler;
     * GNU ld's rules and `gorelink index` need the C compiler (its search
       dirs come from `cc -###` and `ld --verbose`): without one they fail with
       exit 2, nothing on stdout, and a message naming cc;
   and nothing is written into the root;
 - on the host, the static pkgconf-rewrite gives byte-identical output to the
   dynamic one (GNU rules, --json), also (with `gorelink index`) on an archive
   of GCC LTO IR objects, which libbfd gives to its plugins (a static dlopen).

The full check and pkgconf-rewrite suites run against the static binaries as
the ctests static-self-cli (`--cli`: tests/cli_test.py less the tests that
need an LD_PRELOAD shim, see CLI_PRELOAD_TESTS) and static-self-pcrw-cli
(tests/pcrw_cli_test.py as it is), registered in tests/CMakeLists.txt.

Prints `ok NAME` or `FAIL NAME: reason` per test, then `N passed, M failed`.
"""

import json
import os
import shutil
import sys

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402  (tests/harness.py)
from harness import contains, eq, true  # noqa: E402

TIMEOUT = 30
RELEASE_TIMEOUT = 1500

SRC = PCRW = GORELINK = OUT = None   # absolute paths, set in main()
SGORELINK = SPCRW = None             # OUT/gorelink, OUT/pkgconf-rewrite
SCRATCH = None

SUITE = harness.Suite()
test = SUITE.test

ARCHIVES = {"libbfd.a", "libelf.a", "libpkgconf.a", "libdeflate.a", "libsframe.a", "libiberty.a",
            "libz.a", "libzstd.a"}
BFD_FLAGS = ["--", "-lbfd", "-lsframe", "-liberty", "-lzstd", "-lz"]   # as scripts/release
PC_QUERY = ["libelf", "libpkgconf", "libdeflate"]


def run(argv, env=None, cwd=None, timeout=TIMEOUT):
    return harness.run(argv, timeout, cwd=cwd, env=env)


def tool(name, package):
    path = shutil.which(name)
    if path is None:
        raise AssertionError("%s not found: apt-get install %s" % (name, package))
    return path


# ------------------------------------------------------------------ empty root

def chroot_argv(root, argv):
    """As tests/relink_e2e.py's: chroot, or without root a user namespace."""
    chroot = shutil.which("chroot") or shutil.which("chroot", path="/usr/sbin:/sbin")
    if chroot is None:
        raise AssertionError("chroot not found: apt-get install coreutils")
    if os.geteuid() == 0:
        return [chroot, root] + argv
    return [tool("unshare", "util-linux"), "--user", "--map-root-user", chroot, root] + argv


def empty_root(name):
    root = harness.numbered_dir(SCRATCH, name, mode=0o755)
    return root


def put(src, root, rel, mode=0o644):
    dst = os.path.join(root, rel.lstrip("/"))
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.copyfile(src, dst)
    os.chmod(dst, mode)
    return "/" + rel.lstrip("/")


def write(root, rel, text):
    dst = os.path.join(root, rel.lstrip("/"))
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    with open(dst, "w") as f:
        f.write(text)


def tree(root):
    """Every path below root (relative), with its size and mtime: what a
    command must not change."""
    out = {}
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            p = os.path.join(d, n)
            st = os.lstat(p)
            out[os.path.relpath(p, root)] = (st.st_size, st.st_mtime_ns)
    return out


def in_root(root, argv, env=None):
    """Run argv inside root with an empty environment (plus env); the root's
    contents must be unchanged afterwards."""
    before = tree(root)
    r = run(chroot_argv(root, argv), env=dict(env or {}), cwd=root)
    eq(tree(root), before, "the root's contents after %r (nothing written)" % argv, r)
    return r


# ------------------------------------------------------------------ tests

@test
def release_archives_resolved_by_pkgconf_rewrite():
    with open(os.path.join(OUT, "static-libs.txt")) as f:
        listed = f.read().split("\n")[:-1]
    want = []
    for q in (BFD_FLAGS, PC_QUERY):
        r = run([PCRW, "--mode=static", "-0"] + q)
        eq(r.rc, 0, "pkgconf-rewrite %s" % " ".join(q), r)
        want += r.out.split("\0")[:-1]
    eq(listed, want, "OUT/static-libs.txt against the dynamic pkgconf-rewrite's answer")
    eq({os.path.basename(p) for p in listed}, ARCHIVES, "the archives linked")
    for p in listed:
        true(os.path.isfile(p), "%s is listed but is no file" % p)


@test
def release_binaries_pass_check():
    readelf = tool("readelf", "binutils")
    for b in (SGORELINK, SPCRW):
        r = run([GORELINK, "check", "--json", b])
        eq(r.rc, 0, "gorelink check %s" % b, r)
        rep = json.loads(r.out)
        eq((rep["verdict"], rep["pass"], rep["interpreter"], rep["needed"]),
           ("static", True, None, []), "the check report of %s" % b, r)
        r = run([readelf, "-lW", b])
        true(r.rc == 0 and "INTERP" not in r.out and "LOAD" in r.out,
             "readelf -l %s: a PT_INTERP" % b, r)
        r = run([readelf, "-dW", b])
        true(r.rc == 0 and "NEEDED" not in r.out, "readelf -d %s: a DT_NEEDED" % b, r)
    # The verification can fail: the static gorelink fails the dynamic one.
    r = run([SGORELINK, "check", GORELINK])
    eq(r.rc, 1, "the static gorelink check on the dynamic gorelink", r)
    contains(r.out, "dynamic", "its verdict", r)


@test
def version_in_empty_root():
    root = empty_root("version")
    prog = put(SGORELINK, root, "gorelink", 0o755)
    r = in_root(root, [prog, "--version"])
    eq(r.rc, 0, "gorelink --version in an empty root", r)
    for lib in ("gorelink ", "libelf", "libpkgconf", "libdeflate", "libbfd"):
        contains(r.out, lib, "gorelink --version", r)
    eq(sorted(os.listdir(root)), ["gorelink"], "the empty root after the run")


@test
def check_in_empty_root():
    root = empty_root("check")
    prog = put(SGORELINK, root, "bin/gorelink", 0o755)
    static = put(SPCRW, root, "data/static-pcrw")
    dynamic = put(GORELINK, root, "data/dynamic-gorelink")
    r = in_root(root, [prog, "check", "--json", static, dynamic])
    eq(r.rc, 1, "check of a static and a dynamic binary in an empty root", r)
    reps = [json.loads(line) for line in r.out.splitlines()]
    eq([(x["path"], x["verdict"], x["pass"]) for x in reps],
       [(static, "static", True), (dynamic, "dynamic", False)], "the verdicts", r)
    eq(reps[1]["interpreter"], "/lib64/ld-linux-x86-64.so.2", "the dynamic one's interpreter", r)
    r = in_root(root, [prog, "check", static])
    eq(r.rc, 0, "check of the static binary alone", r)
    eq(r.out, "%s: static (ELF 64-bit LSB x86-64)\n" % static, "the one-line verdict", r)
    r = in_root(root, [prog, "check", "/data/nothere"])
    eq(r.rc, 2, "check of a missing file", r)
    contains(r.err, "/data/nothere", "the message", r)


def apple_fixture(root):
    """A .pc tree in root/pc (app: Requires.private: mid; mid: -lmid -lz) and
    Mach-O archives libapp.a, libmid.a in root/fx/lib, made with clang-14 and
    llvm-ar-14; zlib stays unresolved on purpose elsewhere."""
    clang = tool("clang-14", "clang-14")
    ar = tool("llvm-ar-14", "llvm-14")
    work = harness.numbered_dir(SCRATCH, "apple-objs")
    for name in ("app", "mid"):
        c = os.path.join(work, name + ".c")
        with open(c, "w") as f:
            f.write("int %s_fn(void) { return 42; }\n" % name)
        o = os.path.join(work, name + ".o")
        harness.must([clang, "-target", "arm64-apple-macos11", "-c", c, "-o", o], TIMEOUT)
        a = os.path.join(work, "lib%s.a" % name)
        harness.must([ar, "rcs", a, o], TIMEOUT)
        put(a, root, "fx/lib/lib%s.a" % name)
    write(root, "pc/app.pc", "prefix=/fx\nlibdir=${prefix}/lib\nName: app\nDescription: d\n"
          "Version: 1.0\nRequires.private: mid >= 2\nLibs: -L${libdir} -lapp\n")
    write(root, "pc/mid.pc", "prefix=/fx\nlibdir=${prefix}/lib\nName: mid\nDescription: d\n"
          "Version: 2.1\nLibs: -L${libdir} -lmid\nLibs.private: -lSystem\n")


@test
def pkgconf_rewrite_in_empty_root_apple_rules():
    root = empty_root("pcrw")
    prog = put(SPCRW, root, "bin/pkgconf-rewrite", 0o755)
    gprog = put(SGORELINK, root, "bin/gorelink", 0o755)
    apple_fixture(root)
    env = {"PKG_CONFIG_LIBDIR": "/pc"}
    target = "--target=arm64-apple-macos11"
    want = "-L/fx/lib /fx/lib/libapp.a -L/fx/lib /fx/lib/libmid.a -lSystem\n"
    r = in_root(root, [prog, target, "app"], env)
    eq((r.rc, r.out), (0, want), "pkgconf-rewrite app in an empty root", r)
    r = in_root(root, [gprog, "pkgconf-rewrite", target, "app"], env)
    eq((r.rc, r.out), (0, want), "gorelink pkgconf-rewrite app in an empty root", r)
    r = in_root(root, [prog, target, "--json", "--", "-L/fx/lib", "-lmid", "-lapp"], env)
    eq(r.rc, 0, "pkgconf-rewrite -- raw flags in an empty root", r)
    rep = json.loads(r.out)
    eq((rep["linker"], rep["argv"]), ("ld64", ["-L/fx/lib", "/fx/lib/libmid.a", "/fx/lib/libapp.a"]),
       "the JSON report", r)
    # A missing archive is explained, and the failure is exit 1.
    r = in_root(root, [prog, target, "--", "-L/fx/lib", "-lnothere"], env)
    eq((r.rc, r.out), (1, ""), "a missing archive in an empty root", r)
    contains(r.err, "no static archive for -lnothere", "the explanation", r)
    r = in_root(root, [prog, target, "nopkg"], env)
    eq((r.rc, r.out), (2, ""), "an unknown package in an empty root", r)


@test
def gnu_rules_and_index_need_cc_in_empty_root():
    root = empty_root("nocc")
    prog = put(SPCRW, root, "bin/pkgconf-rewrite", 0o755)
    gprog = put(SGORELINK, root, "bin/gorelink", 0o755)
    apple_fixture(root)
    env = {"PKG_CONFIG_LIBDIR": "/pc"}
    for argv in ([prog, "app"], [prog, "--", "-L/fx/lib", "-lapp"],
                 [gprog, "index", "-L", "/fx/lib", "app_fn"]):
        r = in_root(root, argv, env)
        eq((r.rc, r.out), (2, ""), "%r without a C compiler" % argv, r)
        contains(r.err, "cannot run cc", "the message", r)


@test
def static_pkgconf_rewrite_same_output_as_dynamic():
    for q in (PC_QUERY + ["zlib"], BFD_FLAGS, ["--json"] + PC_QUERY,
              ["--mode=third-party", "--json", "--", "-lelf", "-lc", "-lm"]):
        a = run([PCRW] + q)
        b = run([SPCRW] + q)
        eq(a.rc, 0, "the dynamic pkgconf-rewrite %r" % q, a)
        eq((b.rc, b.out, b.err), (a.rc, a.out, a.err), "the static pkgconf-rewrite %r" % q, b)


@test
def lto_archive_same_as_dynamic():
    """An archive of GCC LTO IR only (no fat objects), the kind libbfd hands
    to its plugins, which the static binary can load only through glibc's
    static dlopen: resolved and indexed as the dynamic build does."""
    d = harness.numbered_dir(SCRATCH, "lto")
    c = os.path.join(d, "lto.c")
    with open(c, "w") as f:
        f.write("int lto_fn(void) { return 1; }\n")
    o = os.path.join(d, "lto.o")
    harness.must([tool("gcc", "gcc"), "-flto", "-fno-fat-lto-objects", "-c", c, "-o", o], TIMEOUT)
    harness.must([tool("gcc-ar", "gcc"), "rcs", os.path.join(d, "liblto.a"), o], TIMEOUT)
    for argv in (["--json", "--", "-L" + d, "-llto"], ["index", "-L", d, "lto_fn"]):
        a = run([PCRW if argv[0] != "index" else GORELINK] + argv)
        b = run([SPCRW if argv[0] != "index" else SGORELINK] + argv)
        eq(a.rc, 0, "the dynamic build, %r" % argv, a)
        contains(a.out, os.path.join(d, "liblto.a"), "the dynamic build's answer", a)
        eq((b.rc, b.out, b.err), (a.rc, a.out, a.err), "the static build, %r" % argv, b)


# ------------------------------------------------------------------ cli_test.py

# cli_test.py's tests that cannot apply to a static binary: they make a fault
# with an LD_PRELOAD shim, and no dynamic loader runs in a static binary to
# load it.  Named here, so that a renamed test fails the run instead of
# silently running or vanishing.
CLI_PRELOAD_TESTS = ["fault_file_shrinks_while_read"]


def cli_main(gorelink, fixdir):
    """static_self_test.py --cli GORELINK FIXDIR: cli_test.py's suite against
    GORELINK, less CLI_PRELOAD_TESTS (listed on stderr)."""
    import cli_test
    names = [fn.__name__ for fn in cli_test.SUITE.tests]
    stale = [n for n in CLI_PRELOAD_TESTS if n not in names]
    if stale:
        return harness.fail_early("cli_test.py has no test %s: update CLI_PRELOAD_TESTS in %s"
                                  % (", ".join(stale), os.path.basename(__file__)))
    cli_test.SUITE.tests[:] = [fn for fn in cli_test.SUITE.tests
                               if fn.__name__ not in CLI_PRELOAD_TESTS]
    sys.stderr.write("not run against the static gorelink (an LD_PRELOAD shim cannot enter a "
                     "static binary): %s\n" % ", ".join(CLI_PRELOAD_TESTS))
    sys.argv = [cli_test.__file__, gorelink, fixdir]
    return cli_test.main()


# ------------------------------------------------------------------ main

def main():
    global SRC, PCRW, GORELINK, OUT, SGORELINK, SPCRW, SCRATCH
    if sys.argv[1:2] == ["--cli"]:
        if len(sys.argv) != 4:
            sys.stderr.write("usage: %s --cli GORELINK FIXDIR\n" % sys.argv[0])
            return 2
        return cli_main(sys.argv[2], sys.argv[3])
    args = harness.path_args("SRCDIR PKGCONF_REWRITE GORELINK OUTDIR", executables=0)
    if args is None:
        return 2
    SRC, PCRW, GORELINK, OUT = args
    for p in (PCRW, GORELINK):
        if not os.access(p, os.X_OK):
            sys.stderr.write("%s: not executable\n" % p)
            return 2
    # The release build: scripts/release, reusing OUT when present.
    r = run(["nice", os.path.join(SRC, "scripts", "release"), "--pcrw=" + PCRW, OUT],
            timeout=RELEASE_TIMEOUT)
    if r.rc != 0:
        return harness.fail_early("scripts/release failed\n%r" % (r,), failed=len(SUITE.tests))
    SGORELINK = os.path.join(OUT, "gorelink")
    SPCRW = os.path.join(OUT, "pkgconf-rewrite")
    SCRATCH = harness.make_scratch("gorelink-static-self.")
    return SUITE.run(cleanup=lambda: shutil.rmtree(SCRATCH, ignore_errors=True))


if __name__ == "__main__":
    sys.exit(main())
