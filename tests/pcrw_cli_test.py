#!/usr/bin/env python3
"""pcrw_cli_test.py PKGCONF_REWRITE GORELINK

Black-box tests of the `pkgconf-rewrite` command line: its error cases and
its interface.  (Whether the archives named are the ones GNU ld opens is the
business of tests/pcrw_oracle.py.)

 - a missing archive: exit 1, nothing on stdout, and the explanation (the -l,
   the pkg-config chain, every directory searched, the shared alternative or
   its absence, the three ways out);
 - --allow-dynamic, --mode=third-party, --system-libs;
 - unknown packages, failing version constraints, malformed .pc files: exit 2,
   one line, nothing on stdout;
 - raw flags after `--` and on stdin with `-` (pkg-config quoting; unbalanced
   quotes, blank and empty input, NUL bytes);
 - the three output forms agree (shell-quoted line, -0, --json), the JSON
   report has the documented members, usage errors exit 64, --help;
 - order, duplicates and non-library flags are kept in place;
 - a package's flags are those of `pkg-config --static --libs` (pkgconf's
   de-duplication of push-state pairs, -framework pairs, repeats), in order;
 - --cc and $CC;
 - `gorelink pkgconf-rewrite` is the same command;
 - shell metacharacters in .pc values, arguments and --cc are literal;
 - every JSON object any test reads matches docs/schema/pkgconf-rewrite-v1.schema.json
   (validated with python3-jsonschema, which scripts/setup installs; the run
   fails at once without it), and the schema rejects broken objects.

Fixtures (.pc files, archives made with gcc and ar, a shared library, linker
scripts) are generated into a tempfile.mkdtemp() directory that is removed at
the end.  Every run gets PKG_CONFIG_PATH and PKG_CONFIG_LIBDIR pointing at the
scratch .pc directory only, so nothing installed on the machine is seen by
libpkgconf, and a scratch GORELINK_CACHE_DIR.

Prints `ok NAME` or `FAIL NAME: reason` per test, then `N passed, M failed`
alone on the last line; exits 1 if any test failed.  Every subprocess has a
10-second timeout, so a hang is a failure.
"""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402  (tests/harness.py)
from harness import contains, eq, true  # noqa: E402

TIMEOUT = 10
SCHEMA_NAME = "gorelink-pkgconf-rewrite/1"
SCHEMA_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "schema",
                           "pkgconf-rewrite-v1.schema.json")
VALIDATED = [0]   # how many JSON objects were checked against the schema

PCRW = None       # absolute path of pkgconf-rewrite, set in main()
GORELINK = None   # absolute path of gorelink, set in main()
SCRATCH = None    # realpath of a mkdtemp() directory
PCDIR = None      # SCRATCH/pc: the only .pc directory libpkgconf sees
LIB = None        # SCRATCH/lib: libapp.a libmid.a liba.a libb.a libnostatic.so
LIB2 = None       # SCRATCH/lib2: libmid2.a (mid2 also wants -lnothere: no .a, no .so)
SPACE = None      # SCRATCH/dir with space: libq.a
SCRIPTS = None    # SCRATCH/sc: libgs.a (a GNU ld script), libshs.so (a script over libshs.so.1)
HAVE_M32 = False  # gcc -m32 -c works (for the incompatible-archive note)
M32_ERROR = ""  # why it does not

SUITE = harness.Suite()
test = SUITE.test


# ------------------------------------------------------------------ helpers

def base_env():
    return harness.environ(
        ("PKG_CONFIG_SYSROOT_DIR", "PKG_CONFIG_ALLOW_SYSTEM_LIBS", "LIBRARY_PATH",
         "PKG_CONFIG_SYSTEM_LIBRARY_PATH", "COMPILER_PATH", "GCC_EXEC_PREFIX", "CC"),
        {"PKG_CONFIG_PATH": PCDIR, "PKG_CONFIG_LIBDIR": PCDIR,
         "GORELINK_CACHE_DIR": os.path.join(SCRATCH, "cache"), "LC_ALL": "C",
         # Debian's Contents index (apt-file) is not consulted unless a test says so.
         "GORELINK_APT_FILE": ""})


def run_argv(argv, stdin=None, env=None, cwd=None):
    """Run argv (str or bytes items) with a 10 s timeout; stdin is bytes or None."""
    return harness.run(argv, TIMEOUT, stdin=stdin, env=env if env is not None else base_env(),
                       cwd=cwd if cwd is not None else SCRATCH)


def pcrw(*args, stdin=None, env=None, cwd=None):
    return run_argv([PCRW] + list(args), stdin=stdin, env=env, cwd=cwd)


def gr_pcrw(*args, stdin=None, env=None, cwd=None):
    return run_argv([GORELINK, "pkgconf-rewrite"] + list(args), stdin=stdin, env=env, cwd=cwd)


def must(argv, cwd=None):
    """Run a fixture-building command; it must succeed."""
    harness.must(argv, TIMEOUT, cwd=cwd)


def scratch_dir(name):
    return harness.numbered_dir(SCRATCH, name)


def write(path, text):
    with open(path, "wb") as f:
        f.write(text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text)
    return path


def pc(name, version="1.0", libs=None, libs_private=None, requires=None,
       requires_private=None, extra=""):
    """Write PCDIR/name.pc."""
    s = "Name: %s\nDescription: test package %s\n" % (name, name)
    if version is not None:
        s += "Version: %s\n" % version
    if requires is not None:
        s += "Requires: %s\n" % requires
    if requires_private is not None:
        s += "Requires.private: %s\n" % requires_private
    if libs is not None:
        s += "Libs: %s\n" % libs
    if libs_private is not None:
        s += "Libs.private: %s\n" % libs_private
    s += extra
    write(os.path.join(PCDIR, name + ".pc"), s)


_obj = {}


def obj(m32=False):
    """A small object file (cached), x86-64 or -m32."""
    key = "m32" if m32 else "native"
    if key not in _obj:
        d = os.path.join(SCRATCH, "obj")
        os.makedirs(d, exist_ok=True)
        src = write(os.path.join(d, "f.c"), "int gr_pcrw_fixture_fn(void) { return 42; }\n")
        o = os.path.join(d, "f-%s.o" % key)
        must(["gcc", "-c", "-o", o, src] + (["-m32"] if m32 else []))
        _obj[key] = o
    return _obj[key]


def archive(path, m32=False):
    """An archive with one member at path (bytes or str)."""
    if os.path.exists(path):
        os.unlink(path)
    must(["ar", "rcs", path, obj(m32)])
    return path


def shared(path):
    d = os.path.join(SCRATCH, "obj")
    os.makedirs(d, exist_ok=True)
    src = write(os.path.join(d, "s.c"), "int gr_pcrw_shared_fn(void) { return 7; }\n")
    must(["gcc", "-shared", "-fPIC", "-o", path, src])
    return path


def nul_split(b):
    """The arguments of -0 output (each NUL-terminated)."""
    true(b == b"" or b.endswith(b"\0"), "-0 output should end in NUL: %r" % (b,))
    return [x.decode("utf-8", "surrogateescape") for x in b.split(b"\0")[:-1]]


def argv_of_default(r):
    """The arguments of the default output: one line, split the shell's way."""
    true(r.out.endswith("\n"), "default output should end in a newline", r)
    return shlex.split(r.out)


def success(r):
    eq(r.rc, 0, "exit status", r)
    return r


def no_stdout(r):
    eq(r.outb, b"", "stdout (nothing may be printed when anything fails)", r)


def one_error_line(r, rc, *needles):
    """Exit rc, nothing on stdout, exactly one stderr line naming every needle."""
    eq(r.rc, rc, "exit status", r)
    no_stdout(r)
    ls = r.err.split("\n")
    true(r.err.endswith("\n") and len(ls) == 2,
         "stderr should be exactly one newline-terminated line", r)
    true(ls[0].startswith("pkgconf-rewrite: "), "stderr should start with 'pkgconf-rewrite: '", r)
    for n in needles:
        contains(ls[0], n, "the error line", r)
    return ls[0]


def usage_error(r, *needles):
    return one_error_line(r, 64, *needles)


def validator():
    """The Draft 2020-12 validator of docs/schema/pkgconf-rewrite-v1.schema.json."""
    return harness.schema_validator(SCHEMA_PATH)  # main() has checked jsonschema is installed


def schema_errors(o):
    """The schema's complaints about o, as strings (empty: o is valid)."""
    errs = sorted(validator().iter_errors(o), key=lambda e: [str(x) for x in e.absolute_path])
    return ["%s: %s" % ("/".join(str(x) for x in e.absolute_path) or "(top)", e.message)
            for e in errs]


def validated(o, what="--json report"):
    """o, after checking it against the schema (every object a test reads goes through here)."""
    errs = schema_errors(o)
    if errs:
        raise AssertionError("%s does not match %s:\n  %s\n%s" % (
            what, os.path.basename(SCHEMA_PATH), "\n  ".join(errs[:5]), json.dumps(o)))
    eq(o.get("schema"), SCHEMA_NAME, what + ": schema")
    VALIDATED[0] += 1
    return o


def parse_json_lines(r):
    """Every line of r's stdout, parsed and validated (--json: one line; --each --json: one per package)."""
    true(r.out.endswith("\n"), "JSON output should end with a newline", r)
    objs = []
    for i, line in enumerate(r.out[:-1].split("\n")):
        try:
            o = json.loads(line)
        except ValueError as e:
            raise AssertionError("--json line %d is not JSON: %s\n%r" % (i + 1, e, r))
        objs.append(validated(o, "--json line %d of %r" % (i + 1, r.argv)))
    return objs


def json_report(r):
    success(r)
    true(r.out.endswith("\n") and r.out.count("\n") == 1, "--json should be one line", r)
    return parse_json_lines(r)[0]


def json_each(r):
    """--each --json: one validated object per line."""
    success(r)
    return parse_json_lines(r)


def searched_dirs(err):
    """The directories of the '  searched: a, b, c' line of a missing-archive explanation."""
    for line in err.split("\n"):
        if line.startswith("  searched:"):
            return [d for d in line[len("  searched:"):].strip().split(", ")]
    raise AssertionError("no '  searched:' line in stderr:\n%s" % err)


def expected_app_argv():
    return ["-L" + LIB, LIB + "/libapp.a", LIB + "/libmid.a", "-lnostatic"]


# ------------------------------------------------------------------ fixtures

def make_fixtures():
    global PCDIR, LIB, LIB2, SPACE, SCRIPTS, HAVE_M32, M32_ERROR
    PCDIR = os.path.join(SCRATCH, "pc")
    LIB = os.path.join(SCRATCH, "lib")
    LIB2 = os.path.join(SCRATCH, "lib2")
    SPACE = os.path.join(SCRATCH, "dir with space")
    SCRIPTS = os.path.join(SCRATCH, "sc")
    for d in (PCDIR, LIB, LIB2, SPACE, SCRIPTS, os.path.join(SCRATCH, "cache")):
        os.mkdir(d)
    for n in ("app", "mid", "a", "b"):
        archive(os.path.join(LIB, "lib%s.a" % n))
    shared(os.path.join(LIB, "libnostatic.so"))   # a .so and no .a
    archive(os.path.join(LIB2, "libmid2.a"))
    archive(os.path.join(SPACE, "libq.a"))
    # A GNU ld script as libgs.a: INPUT, GROUP and AS_NEEDED.
    for n in ("gs1", "gs2", "gs3"):
        archive(os.path.join(SCRIPTS, "lib%s.a" % n))
    write(os.path.join(SCRIPTS, "libgs.a"),
          "/* GNU ld script */\nINPUT ( libgs1.a )\nGROUP ( libgs2.a AS_NEEDED ( libgs3.a ) )\n")
    # libshs.so is a script over the real shared library (like Debian's libgcc_s.so,
    # libc.so, libncurses.so); there is no libshs.a.
    shared(os.path.join(SCRIPTS, "libshs.so.1"))
    write(os.path.join(SCRIPTS, "libshs.so"), "/* GNU ld script */\nGROUP ( libshs.so.1 )\n")
    try:
        obj(m32=True)
        HAVE_M32 = True
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
        HAVE_M32, M32_ERROR = False, str(e)

    # app -> Requires.private -> mid, whose Libs.private wants -lnostatic (only a .so).
    pc("app", version="1.2.3", libs="-L%s -lapp" % LIB, requires_private="mid")
    pc("mid", version="0.1", libs="-lmid", libs_private="-lnostatic")
    # app2 -> Requires.private -> mid2, whose Libs.private wants -lnothere (nothing at all).
    pc("app2", version="2.0", libs="-L%s -lapp" % LIB, requires_private="mid2")
    pc("mid2", version="0.2", libs="-L%s -lmid2" % LIB2, libs_private="-lnothere")
    # A package that resolves completely.
    pc("ok", version="1.5", libs="-L%s -la" % LIB)
    # System libraries mixed with third-party ones.
    pc("tp", version="1.0", libs="-L%s -la -lm -lpthread -lc -ldl -lrt -lgcc_s -lb" % LIB)
    # Malformed packages.
    pc("badreq", libs="-L%s -la" % LIB, requires_private="missingdep")
    pc("noversion", version=None, libs="-L%s -la" % LIB)


# ------------------------------------------------------------------ missing archives

@test
def missing_archive_shared_exists():
    r = pcrw("app")
    eq(r.rc, 1, "exit status", r)
    no_stdout(r)
    e = r.err
    contains(e, "-lnostatic", "stderr", r)
    contains(e, "app -> Requires.private -> mid (Libs.private)", "stderr (the chain)", r)
    dirs = searched_dirs(e)
    eq(dirs[0], LIB, "the first directory searched (the -L dir)", r)
    # At least one system dir: one that holds the C library's archive or shared object.
    libc_dirs = set()
    for f in ("libc.a", "libc.so", "libc.so.6"):
        p = subprocess.run(["gcc", "-print-file-name=" + f], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, timeout=TIMEOUT).stdout.decode().strip()
        if os.path.isabs(p) and os.path.exists(p):
            libc_dirs.add(os.path.realpath(os.path.dirname(p)))
    true(libc_dirs, "gcc -print-file-name found no C library (test setup)")
    true(any(os.path.realpath(d) in libc_dirs for d in dirs[1:]),
         "the searched dirs should include a system dir (one of %r)" % sorted(libc_dirs), r)
    contains(e, "a shared library exists instead: %s/libnostatic.so" % LIB, "stderr", r)
    # Issue 13: never a package that may not exist (was "install the package that ships libnostatic.a").
    contains(e, "no installed package ships libnostatic.a", "stderr (option 1)", r)
    # Issue 12: --mode=third-party keeps only system libraries dynamic, and
    # -lnostatic is none: it would not help, so it is not offered (was asserted offered).
    true("--mode=third-party" not in e, "--mode=third-party offered where it would not help", r)
    contains(e, "--allow-dynamic=nostatic", "stderr (option 3)", r)
    true("no shared library exists either" not in e, "stderr contradicts itself", r)


@test
def dpkg_owner_cached_while_the_database_is_unchanged():
    """Issue 15: which package ships the run-time file is read from dpkg's
    database (no `dpkg -S`: it read every package's file list, most of a
    refused package's time); the answer is cached while the database is
    unchanged, and a change to it is seen. DPKG_ADMINDIR points at a scratch
    database that says libnostatic1 ships the fixture's libnostatic.so; a
    dpkg first in PATH that would fail the test proves none is run."""
    d = scratch_dir("dpkgcache")
    bindir, admin = os.path.join(d, "bin"), os.path.join(d, "admin")
    os.makedirs(bindir)
    os.makedirs(os.path.join(admin, "info"))
    log = os.path.join(d, "calls")
    for tool in ("dpkg", "dpkg-query"):
        fake = write(os.path.join(bindir, tool), "#!/bin/sh\necho \"$0 $*\" >>%s\nexit 1\n" % log)
        os.chmod(fake, 0o755)
    so = os.path.realpath(os.path.join(LIB, "libnostatic.so"))
    stanza = "Package: %s\nStatus: install ok installed\nArchitecture: amd64\nMulti-Arch: same\nVersion: 1\n\n"
    write(os.path.join(admin, "status"), stanza % "libnostatic1")
    write(os.path.join(admin, "diversions"), "")
    write(os.path.join(admin, "info", "libnostatic1:amd64.list"), "/.\n%s\n" % so)
    cache = os.path.join(d, "cache")
    env = dict(base_env(), PATH=bindir + ":" + os.environ.get("PATH", "/usr/bin:/bin"), DPKG_ADMINDIR=admin,
               GORELINK_CACHE_DIR=cache)

    def entries():
        """The cached answers: (name, inode, mtime) of each entry."""
        k = os.path.join(cache, "dpkg-owner")
        return sorted((n, os.stat(os.path.join(k, n)).st_ino, os.stat(os.path.join(k, n)).st_mtime_ns)
                      for n in (os.listdir(k) if os.path.isdir(k) else ()))

    r1 = pcrw("app", env=env)
    eq(r1.rc, 1, "exit status", r1)
    contains(r1.err, "from these packages:\n  libnostatic1 (-lnostatic)", "the package from the database", r1)
    eq(len(entries()), 1, "the answer is cached on a cold cache", r1)
    before = entries()
    r2 = pcrw("app", env=env)
    eq((r2.rc, r2.out, r2.err), (r1.rc, r1.out, r1.err), "a cached answer prints the same")
    eq(entries(), before, "the cached answer is used, not written again, while nothing changed", r2)
    # The cache is what answers: an entry whose answer is another package is printed.
    k = os.path.join(cache, "dpkg-owner", before[0][0])
    text = open(k).read()
    true("libnostatic1" in text, "the entry holds the package name: %r" % text)
    write(k, text.replace("libnostatic1", "libfromcache9"))
    r3 = pcrw("app", env=env)
    contains(r3.err, "from these packages:\n  libfromcache9 (-lnostatic)", "the package from the cache", r3)
    write(k, text)
    # Anything the database's answer depends on changing: read again, once.
    steps = [("a package installed (status)",
              lambda: write(os.path.join(admin, "status"), (stanza % "libnostatic1") + (stanza % "x"))),
             ("a file list added (info/)", lambda: write(os.path.join(admin, "info", "x.list"), "/x\n")),
             ("a diversion", lambda: write(os.path.join(admin, "diversions"), "/x\n/y\nz\n"))]
    for n, (what, change) in enumerate(steps):
        change()
        r = pcrw("app", env=env)
        eq((r.rc, r.err), (r1.rc, r1.err), "%s: the same explanation" % what, r)
        eq(len(entries()), 2 + n, "%s: the database is read again" % what, r)
        pcrw("app", env=env)
        eq(len(entries()), 2 + n, "%s: then cached again" % what)
    # A package upgrade that moves the file to another package: seen at once.
    os.rename(os.path.join(admin, "info", "libnostatic1:amd64.list"),
              os.path.join(admin, "info", "libnostatic2:amd64.list"))
    write(os.path.join(admin, "status"), stanza % "libnostatic2")
    r = pcrw("app", env=env)
    contains(r.err, "from these packages:\n  libnostatic2 (-lnostatic)", "the new owner after the change", r)
    # Another DPKG_ADMINDIR is another database.
    n = len(entries())
    other = os.path.join(d, "admin2")
    shutil.copytree(admin, other)
    pcrw("app", env=dict(env, DPKG_ADMINDIR=other))
    eq(len(entries()), n + 1, "another DPKG_ADMINDIR: its database is read")
    eq(open(log).read() if os.path.exists(log) else "", "", "dpkg or dpkg-query ran")


@test
def missing_archive_searched_is_every_search_dir():
    """The 'searched:' list is exactly the search_dirs of the same run made to succeed."""
    r = pcrw("app")
    eq(r.rc, 1, "exit status", r)
    j = json_report(pcrw("--json", "--allow-dynamic=nostatic", "app"))
    # Each directory once, lexically normalized: ld lists some under two spellings.
    eq(searched_dirs(r.err), list(dict.fromkeys(os.path.normpath(d["dir"]) for d in j["search_dirs"])),
       "directories searched", r)
    true({"compiler", "linker"} & {d["source"] for d in j["search_dirs"]},
         "the toolchain's own dirs should be searched too: %r" % j["search_dirs"])


@test
def missing_archive_chain_on_one_line():
    """Issue 12: the summary names the whole chain on one line, from the
    queried package to the missing flag."""
    r = pcrw("app")
    eq(r.rc, 1, "exit status", r)
    chains = [l for l in r.err.split("\n") if l.startswith("  chain: ")]
    eq(chains, ["  chain: app.pc -> Requires.private: mid.pc -> Libs.private: -lnostatic"], "chain lines", r)
    summary = r.err[r.err.index("in short: "):]
    true(summary.index("  chain: ") < summary.index("  options: "), "the chain comes before the options", r)


@test
def missing_archive_debian_contents():
    """Issue 13: which Debian package ships a missing archive comes from the
    Contents index (apt-file, GORELINK_APT_FILE): a package that ships it is
    named; 'no Debian package' only when the index answered; without one,
    'no installed package'. A stand-in apt-file, made here, answers."""
    fake = os.path.join(SCRATCH, "fake-apt-file")
    for out, code, want, unwanted in (
            ("fakelib-dev: %s/libnothere.a\n" % LIB, 0, "install fakelib-dev (it ships libnothere.a)",
             "no Debian package ships"),
            ("", 1, "no Debian package ships libnothere.a (Debian's Contents index, apt-file)", "install fakelib"),
            ("", 3, "no installed package ships libnothere.a (apt-file with its index", "no Debian package"),
            # A file of that name elsewhere (another architecture's dir) is not the archive ld wants.
            ("fakelib-dev: /usr/lib/other-arch/libnothere.a\n", 0, "no Debian package ships libnothere.a",
             "fakelib-dev")):
        with open(fake, "w") as f:
            f.write("#!/bin/sh\nprintf '%%s' '%s'\n%sexit %d\n"
                    % (out.replace("\n", ""), "echo E: The cache is empty >&2\n" if code == 3 else "", code))
        os.chmod(fake, 0o755)
        env = base_env()
        env["GORELINK_APT_FILE"] = fake
        r = pcrw("app2", env=env)
        eq(r.rc, 1, "exit status", r)
        contains(r.err, want, "stderr", r)
        true(unwanted not in r.err.split("options:")[-1], "options say %r" % unwanted, r)
        true("install the package that ships" not in r.err, "a package that may not exist is named", r)


@test
def missing_archive_no_shared_either():
    r = pcrw("app2")
    eq(r.rc, 1, "exit status", r)
    no_stdout(r)
    contains(r.err, "-lnothere", "stderr", r)
    contains(r.err, "app2 -> Requires.private -> mid2 (Libs.private)", "stderr (the chain)", r)
    dirs = searched_dirs(r.err)
    eq(dirs[:2], [LIB, LIB2], "the -L dirs searched first, in order", r)
    contains(r.err, "no shared library exists either", "stderr", r)
    true("a shared library exists instead" not in r.err, "stderr contradicts itself", r)
    # Issue 13: never a package that may not exist (was "install the package that ships libnothere.a").
    contains(r.err, "no installed package ships libnothere.a", "stderr", r)
    # Issue 12: not a system library, so --mode=third-party would not help (was asserted offered).
    true("--mode=third-party" not in r.err, "--mode=third-party offered where it would not help", r)
    contains(r.err, "--allow-dynamic=nothere", "stderr", r)


@test
def missing_archive_shared_is_linker_script():
    """libshs.so is a GNU ld script over libshs.so.1 (like libgcc_s.so or libc.so):
    a shared library does exist."""
    r = pcrw("--", "-L" + SCRIPTS, "-lshs")
    eq(r.rc, 1, "exit status", r)
    no_stdout(r)
    contains(r.err, "wanted by: the flags given", "stderr", r)
    contains(r.err, "a shared library exists instead: %s/libshs.so" % SCRIPTS, "stderr", r)


@test
def fifo_input_passes_without_being_read():
    """An input named by its path that is a FIFO (a .o name, as cmd/link's
    objects are): passed through as before, neither waited for nor read
    (review of gr_rewrite's ELF shortcut: it opened every input to read its
    header, and a FIFO with no writer blocked the run)."""
    d = scratch_dir("fifo")
    fifo = os.path.join(d, "fifo.o")
    os.mkfifo(fifo)
    r = success(pcrw("--mode=static", "--", fifo))
    eq(r.out.split(), [fifo], "stdout", r)


@test
def missing_archive_nothing_on_stdout_in_any_form():
    for form in ([], ["-0"], ["--json"]):
        r = pcrw(*(form + ["app"]))
        eq(r.rc, 1, "exit status with %r" % form, r)
        no_stdout(r)
        contains(r.err, "-lnostatic", "stderr", r)


@test
def missing_archive_every_one_explained():
    r = pcrw("--", "-L" + LIB, "-lnostatic", "-la", "-lnothere")
    eq(r.rc, 1, "exit status", r)
    no_stdout(r)
    contains(r.err, "-lnostatic", "stderr", r)
    contains(r.err, "-lnothere", "stderr", r)
    # Issue 12: one line per missing library and the search list once (was one
    # "  searched:" line per library).
    eq(r.err.count("no static archive for -lnostatic "), 1, "-lnostatic explained once", r)
    eq(r.err.count("no static archive for -lnothere "), 1, "-lnothere explained once", r)
    eq(r.err.count("  searched:"), 1, "the search list once", r)


@test
def missing_archive_runtime_only_and_repeats():
    """Only run-time libraries (librt1.so.1.2, librt1.so.1; liblberish-2.5.so.0,
    named with its version) and no lib<name>.so: the message names the run-time
    file (the smallest name, whatever readdir's order), says that
    --allow-dynamic would need lib<name>.so too, and a name the flags repeat
    is explained once; the second explanation points at the first list."""
    d = scratch_dir("runtime-only")
    for n in ("librt1.so.1.2", "librt1.so.1", "liblberish-2.5.so.0", "librt1x.so"):
        shared(os.path.join(d, n))
    r = pcrw("--", "-L" + d, "-lrt1", "-llberish", "-lrt1")
    eq(r.rc, 1, "exit status", r)
    no_stdout(r)
    eq(r.err.count("no static archive for -lrt1 "), 1, "-lrt1 explained once", r)
    eq(r.err.count("no static archive for -llberish "), 1, "-llberish explained once", r)
    contains(r.err, "only a run-time library is installed: %s/librt1.so.1 " % d, "stderr (-lrt1)", r)
    contains(r.err, "only a run-time library is installed: %s/liblberish-2.5.so.0 " % d, "stderr (-llberish)", r)
    # Issue 12: the way out is in the summary, both run-time-only libraries together.
    contains(r.err, "; or --allow-dynamic=rt1 --allow-dynamic=lberish to keep them dynamic (their run-time files are then linked by name)",
             "stderr", r)
    # And so it is: the run-time file by name, with a note.
    j = json_report(pcrw("--json", "--mode=third-party", "--allow-dynamic=rt1", "--", "-L" + d, "-lrt1"))
    t = j["tokens"][1]
    eq(t["output"], ["-l:librt1.so.1"], "-lrt1 kept dynamic through its run-time file", j)
    true(any("librt1.so is not installed" in n for n in t["notes"]), "a note says why: %r" % t["notes"])
    eq(searched_dirs(r.err)[0], d, "the first list names the -L dir first", r)
    n = len(searched_dirs(r.err))
    true(n > 1, "the search list holds the -L dir and the toolchain's", r)
    eq(r.err.count("  searched:"), 1, "the search list once (issue 12; was 'the same N directories' again)", r)
    true("no shared library exists either" not in r.err, "stderr contradicts itself", r)


@test
def allow_dynamic_covers_the_runtime_file():
    """--allow-dynamic=NAME keeps -l:libNAME.so.N too (the run-time file named
    when the development link libNAME.so is missing), but not libNAMEx."""
    d = scratch_dir("allow-runtime")
    shared(os.path.join(d, "libkx.so.2"))
    shared(os.path.join(d, "libkxy.so.1"))
    r = success(pcrw("--mode=third-party", "--allow-dynamic=kx", "--", "-L" + d, "-l:libkx.so.2"))
    contains(r.out, "-l:libkx.so.2", "kept", r)
    r = pcrw("--mode=third-party", "--allow-dynamic=kx", "--", "-L" + d, "-l:libkxy.so.1")
    true(r.rc != 0 and "libkxy.so.1" in r.err, "libkxy is not libkx: it must not be kept", r)


@test
def missing_input_files():
    """Input files named by path that ld would not find: an absolute one, and
    one written in a .pc file (bare "libprotokit.a", as Debian's norm.pc has
    it in Libs.private): exit 1, each named, with what -lNAME would find; a
    relative file in raw flags passes (the link may run elsewhere)."""
    d = scratch_dir("pc-bare-file")
    archive(os.path.join(d, "libprotokitx.a"))
    write(os.path.join(d, "bare.pc"), "Name: bare\nDescription: t\nVersion: 1\n"
          "Libs: -L%s -lz\nLibs.private: libprotokitx.a\n" % d)
    env = dict(base_env(), PKG_CONFIG_PATH=d)
    r = pcrw("--", "/nonexistent/libgr-x.a", "-lz")
    eq(r.rc, 1, "an absolute input file that does not exist", r)
    no_stdout(r)
    contains(r.err, "no file /nonexistent/libgr-x.a (ld opens an input file by its path, and none is there)", "stderr", r)
    r = pcrw("bare", env=env)
    eq(r.rc, 1, "a .pc naming a bare relative file", r)
    contains(r.err, "no file libprotokitx.a (ld opens an input file by its path, relative to the current directory", "stderr", r)
    contains(r.err, "wanted by: bare (Libs.private)", "stderr", r)
    contains(r.err, "note: -lprotokitx would find %s/libprotokitx.a" % d, "stderr", r)
    success(pcrw("--", "plain-relative.o", "-lz"))


@test
def infer_symlinked_archive_by_the_pc_that_lists_it():
    """libgrq.a is a symlink to libgrq7.a (as Debian's libpng.a -> libpng16.a):
    libgrq.pc lists -lgrq7, and only grqother.pc lists -lgrq (as libwmf.pc
    lists -lpng). --infer for a bare -lgrq chooses libgrq (named like it, and
    listing the archive under its other name), not grqother; -lgrq7 chooses
    libgrq too. Without the symlink, grqother is the only choice."""
    d = scratch_dir("pc-infer-symlink")
    pcd = os.path.join(d, "pc")
    os.mkdir(pcd)
    archive(os.path.join(d, "libgrq7.a"))
    archive(os.path.join(d, "libgrqother.a"))
    os.symlink("libgrq7.a", os.path.join(d, "libgrq.a"))
    write(os.path.join(pcd, "libgrq.pc"), "Name: libgrq\nDescription: t\nVersion: 1\nLibs: -L%s -lgrq7\n" % d)
    write(os.path.join(pcd, "grqother.pc"), "Name: grqother\nDescription: t\nVersion: 1\n"
          "Libs: -L%s -lgrqother -lgrq\n" % d)
    env = dict(base_env(), PKG_CONFIG_PATH=pcd, PKG_CONFIG_LIBDIR=pcd)
    r = success(pcrw("--infer", "--", "-L" + d, "-lgrq", env=env))
    contains(r.err, "-lgrq: inferred package libgrq (its name is the library's with or without \"lib\"); "
             "also provided by: grqother", "stderr", r)
    rep = json_report(pcrw("--json", "--infer", "--", "-L" + d, "-lgrq", env=env))
    eq([(x["lname"], x["package"], x["rule"]) for x in rep["inferred"]], [("grq", "libgrq", "lib-name")],
       "inferred", rep)
    r = success(pcrw("--infer", "--", "-L" + d, "-lgrq7", env=env))
    contains(r.err, "-lgrq7: inferred package libgrq (the only package whose Libs name it)", "stderr", r)
    os.unlink(os.path.join(d, "libgrq.a"))
    archive(os.path.join(d, "libgrq.a"))
    r = success(pcrw("--infer", "--", "-L" + d, "-lgrq", env=env))
    contains(r.err, "-lgrq: inferred package grqother (the only package whose Libs name it)", "stderr", r)


@test
def infer_debian_lpng_is_libpng_not_libwmf():
    """Debian: libpng.a -> libpng16.a, libpng.pc lists -lpng16, libwmf.pc
    (libwmf-dev) lists -lpng: a bare -lpng infers libpng."""
    env = base_env()
    env.pop("PKG_CONFIG_PATH", None)
    env.pop("PKG_CONFIG_LIBDIR", None)
    for pkg, deb in (("libwmf", "libwmf-dev"), ("libpng", "libpng-dev")):
        r = run_argv(["pkg-config", "--exists", pkg], env=env)
        eq(r.rc, 0, "pkg-config %s: install %s" % (pkg, deb), r)
    r = success(pcrw("--infer", "--", "-lpng", env=env))
    contains(r.err, "-lpng: inferred package libpng (its name is the library's", "stderr", r)


@test
def bare_archive_in_pc_linked_as_l_under_infer():
    """A bare archive name in a .pc (libprotokitx.a, as Debian's norm.pc has
    libprotokit.a): without --infer missing, and the options name --infer and
    the -l form; with --infer it is replaced in place by the archive
    -lprotokitx finds, with a note on stderr and in the JSON token. One that
    -lNAME does not find stays missing under --infer."""
    d = scratch_dir("pc-bare-infer")
    archive(os.path.join(d, "libgrbarea.a"))
    archive(os.path.join(d, "libprotokitx.a"))
    write(os.path.join(d, "bare.pc"), "Name: bare\nDescription: t\nVersion: 1\n"
          "Libs: -L%s -lgrbarea\nLibs.private: libprotokitx.a\n" % d)
    write(os.path.join(d, "nope.pc"), "Name: nope\nDescription: t\nVersion: 1\n"
          "Libs: -L%s -lgrbarea\nLibs.private: libgrnothere.a\n" % d)
    env = dict(base_env(), PKG_CONFIG_PATH=d)
    r = pcrw("bare", env=env)
    eq(r.rc, 1, "without --infer", r)
    no_stdout(r)
    contains(r.err, "no file libprotokitx.a", "stderr", r)
    contains(r.err, "options: --infer links it as -lprotokitx finds it; or name it -lprotokitx where it comes from "
             "(a packaging bug of that .pc file)", "stderr", r)
    for prog in (pcrw, gr_pcrw):
        r = success(prog("--infer", "bare", env=env))
        eq(argv_of_default(r), ["-L" + d, "%s/libgrbarea.a" % d, "%s/libprotokitx.a" % d], "argv", r)
        contains(r.err, "note: libprotokitx.a is a bare archive name (ld would open it in the current directory, "
                 "where there is none): linked as -lprotokitx finds it (%s/libprotokitx.a), inferred" % d, "stderr", r)
    rep = json_report(pcrw("--json", "--infer", "bare", env=env))
    tok = [t for t in rep["tokens"] if t["input"] == "libprotokitx.a"]
    eq(len(tok), 1, "one token for libprotokitx.a", rep)
    eq((tok[0]["kind"], tok[0]["library"], tok[0]["missing"], tok[0]["output"]),
       ("library", "protokitx", False, ["%s/libprotokitx.a" % d]), "the token", rep)
    true(any("bare archive name" in n and "inferred" in n for n in tok[0]["notes"]), "the token's note", rep)
    r = pcrw("--infer", "nope", env=env)
    eq(r.rc, 1, "a bare archive name -l finds nothing for, under --infer", r)
    contains(r.err, "no file libgrnothere.a", "stderr", r)
    contains(r.err, "options: name it by -l (or by its full path) where it comes from", "stderr", r)


@test
def bare_archive_in_debian_norm_pc():
    """Debian's norm.pc (libnorm-dev) names libprotokit.a bare in Libs.private:
    missing without --infer (the option names --infer and -lprotokit); with
    --infer the archive -lprotokit finds is linked in its place."""
    env = base_env()
    env.pop("PKG_CONFIG_PATH", None)
    env.pop("PKG_CONFIG_LIBDIR", None)
    r = run_argv(["pkg-config", "--print-variables", "norm"], env=env)
    eq(r.rc, 0, "pkg-config norm: install libnorm-dev", r)
    r = pcrw("norm", env=env)
    eq(r.rc, 1, "norm without --infer", r)
    contains(r.err, "options: --infer links it as -lprotokit finds it", "stderr", r)
    r = success(pcrw("--infer", "norm", env=env))
    argv = argv_of_default(r)
    true(any(os.path.basename(a) == "libprotokit.a" and os.path.isabs(a) for a in argv), "libprotokit.a in %r" % argv, r)
    contains(r.err, "note: libprotokit.a is a bare archive name", "stderr", r)


@test
def allow_dynamic_keeps_l_in_place():
    r = success(pcrw("--allow-dynamic=nostatic", "app"))
    eq(argv_of_default(r), expected_app_argv(), "output", r)
    eq(r.err, "", "stderr", r)
    # "-lNAME" is accepted as the NAME too.
    r2 = success(pcrw("--allow-dynamic=-lnostatic", "app"))
    eq(r2.out, r.out, "output with --allow-dynamic=-lnostatic", r2)
    j = json_report(pcrw("--json", "--allow-dynamic=nostatic", "app"))
    t = [t for t in j["tokens"] if t.get("library") == "nostatic"]
    eq(len(t), 1, "tokens for -lnostatic")
    eq(t[0]["kept"], "--allow-dynamic", "kept")
    eq(t[0]["output"], ["-lnostatic"], "output")
    eq(t[0]["resolved"], None, "resolved of a kept library")


@test
def allow_dynamic_repeatable():
    r = success(pcrw("--allow-dynamic=nostatic", "--allow-dynamic=nothere",
                     "--", "-L" + LIB, "-lnothere", "-la", "-lnostatic"))
    eq(argv_of_default(r), ["-L" + LIB, "-lnothere", LIB + "/liba.a", "-lnostatic"], "output", r)


@test
def third_party_keeps_system_libs():
    r = success(pcrw("--mode=third-party", "tp"))
    eq(argv_of_default(r), ["-L" + LIB, LIB + "/liba.a", "-lm", "-lpthread", "-lc", "-ldl",
                            "-lrt", "-lgcc_s", LIB + "/libb.a"], "output", r)
    j = json_report(pcrw("--json", "--mode=third-party", "tp"))
    eq(j["mode"], "third-party", "mode")
    kept = {t["library"]: t["kept"] for t in j["tokens"] if t["kind"] == "library"}
    eq(kept, {"a": None, "m": "system library", "pthread": "system library",
              "c": "system library", "dl": "system library", "rt": "system library",
              "gcc_s": "system library", "b": None}, "kept")


@test
def third_party_still_needs_archives_for_the_rest():
    r = pcrw("--mode=third-party", "app")
    eq(r.rc, 1, "exit status", r)
    no_stdout(r)
    contains(r.err, "-lnostatic", "stderr", r)
    contains(r.err, "--allow-dynamic=nostatic", "stderr", r)


@test
def system_libs_replaces_the_list():
    r = success(pcrw("--mode=third-party", "--system-libs=a,gcc_s", "tp"))
    out = argv_of_default(r)
    eq([x for x in out if x.startswith("-l")], ["-la", "-lgcc_s"], "the -l kept", r)
    true(LIB + "/liba.a" not in out, "liba.a should stay -la", r)
    eq(out[-1], LIB + "/libb.a", "-lb", r)
    true(out.index("-la") == 1, "-la stays in place", r)
    # -lm, -lpthread, -lc, -ldl, -lrt are no longer system libraries: archives now.
    true(len(out) >= 8, "every other -l became at least one archive path", r)
    j = json_report(pcrw("--json", "--mode=third-party", "--system-libs=a,gcc_s", "tp"))
    for t in j["tokens"]:
        if t["kind"] == "library":
            eq(t["kept"], "system library" if t["library"] in ("a", "gcc_s") else None,
               "kept of -l%s" % t["library"])


@test
def system_libs_in_static_mode_message():
    """A system library without an archive in static mode: --mode=third-party would help."""
    r = pcrw("--system-libs=nostatic", "--", "-L" + LIB, "-lnostatic")
    eq(r.rc, 1, "exit status", r)
    no_stdout(r)
    contains(r.err, "--mode=third-party, which keeps system libraries such as -lnostatic dynamic",
             "stderr", r)
    success(pcrw("--mode=third-party", "--system-libs=nostatic", "--", "-L" + LIB, "-lnostatic"))


# ------------------------------------------------------------------ packages

@test
def unknown_package():
    one_error_line(pcrw("nosuchpkg"), 2, "nosuchpkg")


@test
def unknown_package_among_known():
    one_error_line(pcrw("ok", "nosuchpkg"), 2, "nosuchpkg")
    one_error_line(pcrw("--json", "ok", "nosuchpkg"), 2, "nosuchpkg")


@test
def version_constraint_passes():
    r = success(pcrw("ok >= 1.0"))
    eq(argv_of_default(r), ["-L" + LIB, LIB + "/liba.a"], "output", r)
    success(pcrw("ok = 1.5", "ok < 2"))


@test
def version_constraint_fails():
    """The message names the requirement and the version found."""
    one_error_line(pcrw("app >= 99"), 2, "app", "99", "1.2.3")


@test
def malformed_pc_requires_missing_package():
    """badreq.pc: Requires.private: missingdep. libpkgconf says
    "Package 'missingdep', required by 'badreq', not found"."""
    one_error_line(pcrw("badreq"), 2, "missingdep", "badreq")


@test
def malformed_pc_no_version_field():
    """noversion.pc exists but declares no Version:; libpkgconf skips it as invalid
    ("file does not declare a `Version' field").  Saying it was not found is wrong."""
    line = one_error_line(pcrw("noversion"), 2, "noversion")
    contains(line, "Version", "the error line (the field that is missing)", None)


@test
def package_looking_like_a_flag():
    usage_error(pcrw("ok", "-lfoo"), "-lfoo", "--")
    usage_error(pcrw("ok", "-"), "'-'")
    # As the first operand getopt sees it as an option: still 64, naming it, not argv[0].
    r = pcrw("-lfoo")
    usage_error(r, "-l")
    true(PCRW not in r.err, "the message should name the option, not the program", r)


# ------------------------------------------------------------------ raw flags

@test
def raw_flags_after_double_dash():
    r = success(pcrw("--", "-L" + SPACE, "-lq"))
    eq(argv_of_default(r), ["-L" + SPACE, SPACE + "/libq.a"], "output", r)
    contains(r.out, "'", "default output (a path with a space is quoted)", r)
    # -L DIR as two words.
    r = success(pcrw("--", "-L", SPACE, "-lq"))
    eq(argv_of_default(r), ["-L", SPACE, SPACE + "/libq.a"], "output", r)


@test
def stdin_quoted_and_escaped_paths():
    esc = SPACE.replace(" ", "\\ ")
    for text in ('-L"%s" -lq\n' % SPACE,
                 "'-L%s' -lq\n" % SPACE,
                 "-L%s -lq\n" % esc,
                 "-L'%s' -l'q'" % SPACE):
        r = success(pcrw("-", stdin=text.encode()))
        want = ["-L" + SPACE, SPACE + "/libq.a"]
        eq(argv_of_default(r), want, "default output for stdin %r" % text, r)
        true(r.out.count("\n") == 1, "one line", r)
        eq(nul_split(success(pcrw("-0", "-", stdin=text.encode())).outb), want,
           "-0 output for stdin %r" % text)
        eq(json_report(pcrw("--json", "-", stdin=text.encode()))["argv"], want,
           "--json argv for stdin %r" % text)


@test
def stdin_pkg_config_output_trailing_space():
    """pkg-config --libs prints "-L/x -lfoo \\n": the trailing blank is no argument."""
    text = "-L%s -la -lb \n" % LIB
    r = success(pcrw("-0", "-", stdin=text.encode()))
    eq(nul_split(r.outb), ["-L" + LIB, LIB + "/liba.a", LIB + "/libb.a"], "-0 output", r)
    r = success(pcrw("-", stdin=text.encode()))
    eq(argv_of_default(r), ["-L" + LIB, LIB + "/liba.a", LIB + "/libb.a"], "default output", r)
    true("''" not in r.out, "no empty argument in the default output", r)


@test
def stdin_runs_of_blanks_are_one_separator():
    text = "  \t-L%s  \t -la\n\n  -lb\t\n" % LIB
    r = success(pcrw("-0", "-", stdin=text.encode()))
    eq(nul_split(r.outb), ["-L" + LIB, LIB + "/liba.a", LIB + "/libb.a"], "-0 output", r)


@test
def stdin_real_pkg_config_pipe():
    """The documented use: pkg-config --static --libs ok | pkgconf-rewrite -."""
    pk = shutil.which("pkg-config") or shutil.which("pkgconf")
    true(pk, "pkg-config is not installed (apt-get install pkgconf; scripts/setup does)")
    p = subprocess.run([pk, "--static", "--libs", "ok"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=base_env(), timeout=TIMEOUT)
    eq(p.returncode, 0, "pkg-config exit status: %r" % p.stderr)
    r = success(pcrw("-", stdin=p.stdout))
    eq(argv_of_default(r), ["-L" + LIB, LIB + "/liba.a"],
       "output for pkg-config's %r" % p.stdout, r)
    eq(r.out, success(pcrw("ok")).out, "the same as the package query", r)


@test
def stdin_unbalanced_quote():
    for text in (b'-L"/x -la\n', b"-L'/x -la\n", b"-la \\"):
        one_error_line(pcrw("-", stdin=text), 2, "standard input")


@test
def stdin_empty():
    """No flags in, no flags out: exit 0 and an empty line (gr_pc_split: an empty or
    blank string has no arguments)."""
    r = success(pcrw("-", stdin=b""))
    eq(r.out, "\n", "default output", r)
    eq(r.err, "", "stderr", r)
    eq(success(pcrw("-0", "-", stdin=b"")).outb, b"", "-0 output")
    j = json_report(pcrw("--json", "-", stdin=b""))
    eq(j["argv"], [], "--json argv")
    eq(j["tokens"], [], "--json tokens")


@test
def stdin_blank():
    for text in (b"\n", b"   \n", b" \t \n\n"):
        r = success(pcrw("-", stdin=text))
        eq(r.out, "\n", "default output for stdin %r" % text, r)
        eq(success(pcrw("-0", "-", stdin=text)).outb, b"", "-0 output for stdin %r" % text)


@test
def stdin_nul_byte():
    one_error_line(pcrw("-", stdin=b"-L/x\0 -la\n"), 2, "NUL")
    one_error_line(pcrw("-0", "-", stdin=b"\0"), 2, "NUL")


@test
def double_dash_dash_is_a_flag():
    """After --, a lone '-' is a flag like any other (passed through), not stdin."""
    r = success(pcrw("--", "-", stdin=b"-la\n"))
    eq(argv_of_default(r), ["-"], "output", r)


# ------------------------------------------------------------------ output forms

WEIRD = "we'ird \"dir\" $HOME `x` \\ ;|&<>*?[a] {b} ~ #% é\t"


@test
def output_forms_agree():
    d = os.path.join(SCRATCH, WEIRD)
    os.makedirs(d, exist_ok=True)
    archive(os.path.join(d, "libw.a"))
    args = ["--", "-pthread", "-L" + d, "-lw", "-Wl,--as-needed", "-la", "-L" + LIB,
            "plain.o", "=eq", "-Wl,-rpath,/x y", ""]
    want = ["-pthread", "-L" + d, d + "/libw.a", "-Wl,--as-needed", LIB + "/liba.a",
            "-L" + LIB, "plain.o", "=eq", "-Wl,-rpath,/x y", ""]
    r = success(pcrw(*args))
    true(r.out.count("\n") == 1, "the default output is one line", r)
    eq(argv_of_default(r), want, "default output through shlex.split", r)
    eq(nul_split(success(pcrw("-0", *args)).outb), want, "-0 output")
    eq(json_report(pcrw("--json", *args))["argv"], want, "--json argv")
    # And through a real shell.
    p = subprocess.run(["bash", "-c", 'printf "%s\\0" ' + r.out], stdout=subprocess.PIPE,
                       timeout=TIMEOUT)
    eq(nul_split(p.stdout), want, "bash's reading of the default output")


@test
def output_forms_agree_non_utf8():
    d = os.path.join(os.fsencode(SCRATCH), b"bin\xff\xfe ary")
    os.makedirs(d, exist_ok=True)
    archive(os.path.join(d, b"libw.a"))
    args = [b"--", b"-L" + d, b"-lw"]
    ds = os.fsdecode(d)
    want = ["-L" + ds, ds + "/libw.a"]
    r = run_argv([PCRW] + args)
    success(r)
    eq(shlex.split(r.out), want, "default output")
    eq(nul_split(success(run_argv([PCRW, b"-0"] + args)).outb), want, "-0 output")
    eq(json_report(run_argv([PCRW, b"--json"] + args))["argv"], want,
       "--json argv (\\udcXX for bytes that are not UTF-8)")


@test
def json_documented_members():
    j = json_report(pcrw("--json", "--allow-dynamic=nostatic", "app"))
    eq(sorted(j), sorted(["schema", "mode", "target", "sysroot", "search_dirs", "tokens", "inferred", "argv",
                          "linker"]), "top-level members")
    eq(j["inferred"], [], "inferred without --infer")
    eq(j["schema"], SCHEMA_NAME, "schema")
    eq(j["mode"], "static", "mode")
    true(j["target"] is None or isinstance(j["target"], str), "target: string or null")
    true(j["sysroot"] is None or isinstance(j["sysroot"], str), "sysroot: string or null")
    true(j["search_dirs"], "search_dirs should not be empty")
    for sd in j["search_dirs"]:
        eq(sorted(sd), ["dir", "source"], "search_dirs[] members")
        true(sd["source"] in ("command-line", "compiler", "linker"), "source %r" % sd["source"])
    eq(j["search_dirs"][0], {"dir": LIB, "source": "command-line"}, "the -L dir first")
    true(any(sd["source"] != "command-line" for sd in j["search_dirs"]),
         "the toolchain's dirs are listed")
    lib_keys = ["input", "kind", "from", "output", "library", "bdynamic_in_force", "kept",
                "missing", "resolved", "resolved_kind", "dir", "dir_index", "members",
                "shared_alternative", "notes"]
    flat = []
    for t in j["tokens"]:
        true(t["kind"] in ("library", "search-dir", "linker-state", "other"), "kind %r" % t["kind"])
        if t["kind"] == "library":
            eq(sorted(t), sorted(lib_keys), "library token members")
            eq(t["missing"], False, "missing")
            true(isinstance(t["bdynamic_in_force"], bool), "bdynamic_in_force is a boolean")
            true(isinstance(t["notes"], list) and isinstance(t["members"], list), "notes, members")
            if t["kept"] is None:
                eq(t["resolved"], t["dir"] + "/lib" + t["library"] + ".a", "resolved (as ld names it)")
                eq(t["resolved_kind"], "archive", "resolved_kind")
                eq(j["search_dirs"][t["dir_index"]]["dir"], t["dir"], "dir_index points at dir")
                eq(t["output"], [t["resolved"]], "output")
            else:
                eq((t["resolved"], t["dir"], t["dir_index"]), (None, None, None), "a kept library")
        else:
            eq(sorted(t), ["from", "input", "kind", "output"], "token members")
        flat += t["output"]
    eq(flat, j["argv"], "the tokens' outputs, in order, are argv")
    eq(j["argv"], expected_app_argv(), "argv")
    frm = {t["input"]: (t["kind"], t["from"]) for t in j["tokens"]}
    eq(frm, {"-L" + LIB: ("search-dir", "app (Libs)"),
             "-lapp": ("library", "app (Libs)"),
             "-lmid": ("library", "app -> Requires.private -> mid (Libs)"),
             "-lnostatic": ("library", "app -> Requires.private -> mid (Libs.private)")},
       "input, kind and from of each token")


@test
def json_raw_flags_script_and_kinds():
    j = json_report(pcrw("--json", "--", "-L" + SCRIPTS, "-Wl,-Bstatic", "-lgs", "-pthread"))
    eq([(t["input"], t["kind"], t["from"]) for t in j["tokens"]],
       [("-L" + SCRIPTS, "search-dir", None), ("-Wl,-Bstatic", "linker-state", None),
        ("-lgs", "library", None), ("-pthread", "other", None)], "tokens")
    t = j["tokens"][2]
    eq(t["resolved"], SCRIPTS + "/libgs.a", "resolved")
    eq(t["resolved_kind"], "linker-script", "resolved_kind")
    eq((t["dir"], t["dir_index"]), (SCRIPTS, 0), "dir, dir_index")
    eq(t["members"], [
        {"path": SCRIPTS + "/libgs1.a", "kind": "archive", "group": 0, "as_needed": False},
        {"path": SCRIPTS + "/libgs2.a", "kind": "archive", "group": 1, "as_needed": False},
        {"path": SCRIPTS + "/libgs3.a", "kind": "archive", "group": 1, "as_needed": True}],
       "members")
    eq(t["output"], [SCRIPTS + "/libgs1.a", "-Wl,--start-group", SCRIPTS + "/libgs2.a",
                     SCRIPTS + "/libgs3.a", "-Wl,--end-group"], "output")
    true(any("script" in n for n in t["notes"]), "a note says a script was expanded: %r" % t["notes"])


LD64 = "--target=arm64-apple-macos11"


@test
def json_schema_is_a_valid_2020_12_schema():
    import jsonschema
    with open(SCHEMA_PATH) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    eq(schema.get("$schema"), "https://json-schema.org/draft/2020-12/schema", "$schema")
    eq(schema.get("$id"), "urn:gorelink:schema:pkgconf-rewrite:1", "$id (absolute)")
    eq(schema["properties"]["schema"], {"const": SCHEMA_NAME}, "the schema name it pins")
    validator()


@test
def json_ld64_report_matches_schema():
    # System libraries only: no Mach-O fixtures needed (tests/darwin_test.py has the rest).
    j = json_report(pcrw(LD64, "--json", "--", "-lSystem", "-weak-lm", "-framework", "Foundation"))
    eq((j["linker"], j["mode"], j["search_order"]), ("ld64", "third-party", "paths-first"),
       "linker, mode, search_order")
    eq([(t["kind"], t.get("variant", "-"), t.get("kept", "-")) for t in j["tokens"]],
       [("library", None, "system library"), ("library", "weak", "system library"),
        ("other", "-", "-")], "tokens: kind, variant, kept")
    j = json_report(pcrw(LD64, "--json", "--", "-Wl,-search_dylibs_first", "-lSystem"))
    eq(j["search_order"], "dylibs-first", "search_order")


@test
def json_bdynamic_in_force_only_for_an_explicit_bdynamic():
    def flags(*args):
        j = json_report(pcrw("--json", "--", "-L" + LIB, *args))
        return [t["bdynamic_in_force"] for t in j["tokens"] if t["kind"] == "library"]
    eq(flags("-la"), [False], "no -static, no -Bdynamic: ld's default is not counted")
    eq(flags("-Wl,-Bdynamic", "-la"), [True], "after -Wl,-Bdynamic")
    eq(flags("-Xlinker", "-Bdynamic", "-la"), [True], "after -Xlinker -Bdynamic")
    eq(flags("-static", "-Wl,-Bdynamic", "-la"), [True], "-static, then -Wl,-Bdynamic")
    eq(flags("-Wl,-Bdynamic", "-Wl,-Bstatic", "-la"), [False], "-Bstatic after it")
    eq(flags("-Wl,-Bdynamic", "-Wl,--push-state,-Bstatic", "-la", "-Wl,--pop-state", "-la"),
       [False, True], "inside and after a --push-state/--pop-state pair")
    eq(flags("-Wl,-Bdynamic", "-Wl,-static", "-la"), [False], "-Wl,-static after it")
    eq(flags("-Wl,-Bdynamic", "-static", "-la"), [True], "a driver -static does not clear it")
    eq(flags("-Wl,-dy", "-la"), [True], "after the synonym -Wl,-dy")
    j = json_report(pcrw("--json", "--allow-dynamic=a", "--", "-L" + LIB, "-Wl,-Bdynamic", "-la"))
    t = [t for t in j["tokens"] if t["kind"] == "library"][0]
    eq((t["bdynamic_in_force"], t["kept"], t["output"]), (True, "--allow-dynamic", ["-la"]),
       "a kept library: flag set, -l kept")
    true(not any("-Bdynamic" in n for n in t["notes"]), "no note for a kept library: %r" % t["notes"])
    j = json_report(pcrw("--json", "--", "-L" + LIB, "-Wl,-Bdynamic", "-la"))
    t = [t for t in j["tokens"] if t["kind"] == "library"][0]
    true(any("-Bdynamic" in n for n in t["notes"]), "a note for a replaced library: %r" % t["notes"])


def _broken(report, how):
    """A deep copy of report, broken by how(copy)."""
    o = json.loads(json.dumps(report))
    how(o)
    return o


def _lib(o, kind=None):
    return [t for t in o["tokens"] if t["kind"] == "library" and
            (kind is None or t["resolved_kind"] == kind)][0]


@test
def json_schema_rejects_broken_reports():
    gnu = json_report(pcrw("--json", "--", "-L" + SCRIPTS, "-L" + LIB, "-Wl,-Bstatic", "-lgs",
                           "-la", "-pthread"))
    ld64 = json_report(pcrw(LD64, "--json", "--", "-lSystem", "-weak-lm"))
    other = [t for t in gnu["tokens"] if t["kind"] == "other"][0]
    true(other, "a non-library token to break")
    cases = [
        ("a token of an unknown kind", gnu,
         lambda o: o["tokens"][0].update(kind="archive")),
        ("no argv", gnu, lambda o: o.pop("argv")),
        ("argv holding a number", gnu, lambda o: o["argv"].append(1)),
        ("an undocumented top-level member", gnu, lambda o: o.update(extra=True)),
        ("another schema name", gnu, lambda o: o.update(schema="gorelink-pkgconf-rewrite/2")),
        ("an unknown mode", gnu, lambda o: o.update(mode="dynamic")),
        ("search_order with gnu-ld", gnu, lambda o: o.update(search_order="paths-first")),
        ("an unknown search dir source", gnu,
         lambda o: o["search_dirs"][0].update(source="environment")),
        ("a search dir without dir", gnu, lambda o: o["search_dirs"][0].pop("dir")),
        ("a library token without bdynamic_in_force", gnu,
         lambda o: _lib(o).pop("bdynamic_in_force")),
        ("a library token with an undocumented member", gnu, lambda o: _lib(o).update(size=1)),
        ("missing: true in a printed report", gnu, lambda o: _lib(o).update(missing=True)),
        ("an unknown kept reason", gnu, lambda o: _lib(o).update(kept="because")),
        ("an unknown resolved_kind", gnu, lambda o: _lib(o).update(resolved_kind="dylib")),
        ("dir_index as a string", gnu, lambda o: _lib(o).update(dir_index="0")),
        ("a variant with gnu-ld", gnu, lambda o: _lib(o).update(variant=None)),
        ("library members on a non-library token", gnu,
         lambda o: [t for t in o["tokens"] if t["kind"] == "other"][0].update(library="x")),
        ("a script member without group", gnu,
         lambda o: _lib(o, "linker-script")["members"][0].pop("group")),
        ("a script member of an unknown kind", gnu,
         lambda o: _lib(o, "linker-script")["members"][0].update(kind="thin")),
        ("members on an archive", gnu,
         lambda o: _lib(o, "archive")["members"].append(_lib(o, "linker-script")["members"][0])),
        ("a replaced library without resolved", gnu,
         lambda o: _lib(o, "archive").update(resolved=None, resolved_kind=None, dir=None,
                                             dir_index=None)),
        ("ld64 without search_order", ld64, lambda o: o.pop("search_order")),
        ("ld64 in static mode", ld64, lambda o: o.update(mode="static")),
        ("an ld64 library token without variant", ld64, lambda o: _lib(o).pop("variant")),
        ("an unknown ld64 variant", ld64, lambda o: _lib(o).update(variant="strong")),
        ("bdynamic_in_force with ld64", ld64, lambda o: _lib(o).update(bdynamic_in_force=True)),
    ]
    for what, report, how in cases:  # both reports passed the schema in json_report()
        true(schema_errors(_broken(report, how)),
             "the schema should reject a report with %s" % what)


@test
def json_incompatible_note():
    true(HAVE_M32, "gcc -m32 -c cannot compile here (apt-get install gcc; scripts/setup does): "
         "%s" % M32_ERROR)
    d = scratch_dir("incompatible")
    archive(os.path.join(d, "libq.a"), m32=True)
    j = json_report(pcrw("--json", "--", "-L" + d, "-L" + SPACE, "-lq"))
    t = j["tokens"][-1]
    eq(t["resolved"], SPACE + "/libq.a", "resolved (past the incompatible one)")
    eq(t["dir_index"], 1, "dir_index")
    true(any("incompatible" in n and d + "/libq.a" in n for n in t["notes"]),
         "a note names the skipped archive: %r" % t["notes"])


@test
def usage_nul_and_json_together():
    usage_error(pcrw("-0", "--json", "ok"), "-0", "--json")


@test
def usage_no_operands():
    usage_error(pcrw())
    usage_error(pcrw("--json"))
    usage_error(pcrw("--"))


@test
def usage_unknown_option():
    usage_error(pcrw("--bogus", "ok"), "--bogus")
    usage_error(pcrw("-x", "ok"), "-x")


@test
def usage_bad_mode():
    usage_error(pcrw("--mode=bogus", "ok"), "bogus")
    usage_error(pcrw("--mode=", "ok"))


@test
def usage_option_without_argument():
    usage_error(pcrw("--cc"), "--cc")
    usage_error(pcrw("--mode"), "--mode")


@test
def help_documents_exit_codes():
    for opt in ("--help", "-h"):
        r = success(pcrw(opt))
        eq(r.err, "", "stderr", r)
        contains(r.out, "Usage: pkgconf-rewrite", "--help", r)
        for code in ("0", "1", "2", "64"):
            true(re.search(r"^\s+%s\s+\S" % code, r.out, re.M),
                 "--help should document exit status %s" % code, r)
        for opt2 in ("--mode=", "--system-libs=", "--allow-dynamic=", "--cc=", "-0", "--json"):
            contains(r.out, opt2, "--help", r)


# ------------------------------------------------------------------ order and pass-through

@test
def order_and_duplicates_preserved():
    r = success(pcrw("--", "-L" + LIB, "-la", "-lb", "-la"))
    eq(argv_of_default(r), ["-L" + LIB, LIB + "/liba.a", LIB + "/libb.a", LIB + "/liba.a"],
       "output", r)


@test
def non_library_flags_pass_through_in_place():
    xo = os.path.join(scratch_dir("abs-obj"), "x.o")
    with open(xo, "w") as f:
        f.write("not read: only its existence counts\n")
    args = ["-pthread", "-L" + LIB, "-la", "-Wl,--as-needed", "-framework", "Foo", xo,
            "-lb", "-Wl,-Bstatic", "-Wl,--no-as-needed", "-la"]
    want = ["-pthread", "-L" + LIB, LIB + "/liba.a", "-Wl,--as-needed", "-framework", "Foo",
            xo, LIB + "/libb.a", "-Wl,-Bstatic", "-Wl,--no-as-needed", LIB + "/liba.a"]
    eq(nul_split(success(pcrw("-0", "--", *args)).outb), want, "-0 output")
    text = " ".join(args) + "\n"
    eq(nul_split(success(pcrw("-0", "-", stdin=text.encode())).outb), want, "-0 output (stdin)")


def _pkg_config_words(r_out):
    return shlex.split(r_out)


def _lib_placeholders(words):
    """Every -lNAME and every .../libNAME.a becomes ("lib", NAME); the rest is kept."""
    out = []
    for w in words:
        base = os.path.basename(w)
        if w.startswith("-l") and len(w) > 2:
            out.append(("lib", w[2:]))
        elif w.startswith("/") and base.startswith("lib") and base.endswith(".a"):
            out.append(("lib", base[3:-2]))
        else:
            out.append(w)
    return out


@test
def flags_match_pkg_config_static_libs():
    """The non-library flags, in order and with pkgconf's own de-duplication
    (push-state pairs, -framework pairs, repeated -Wl/-pthread/-Xlinker), are
    exactly those of `pkg-config --static --libs` (the pkgconf program), with
    each -l at the place of its archive."""
    pkgconfig = shutil.which("pkg-config")
    true(pkgconfig, "pkg-config is not installed (apt-get install pkgconf; scripts/setup does)")
    L = "-L" + LIB
    pc("flps", libs=L + " -Wl,--push-state,--as-needed -la -Wl,--pop-state",
       requires="flpsdep")
    pc("flpsdep", libs=L + " -Wl,--push-state,--as-needed -lb -Wl,--pop-state")
    pc("flps2", libs=L + " -Wl,--push-state,--as-needed -la -Wl,--pop-state "
       "-Wl,--push-state,--as-needed -lb -Wl,--pop-state")
    pc("flfw", libs=L + " -framework A -framework B -Wl,-z,now -Wl,-z,now -pthread -la -pthread",
       libs_private="-lb -la")
    pc("flxl", libs=L + " -Xlinker -zfoo -Xlinker -zbar -la")
    pc("flreq", libs=L + " -lb", requires_private="flxl flfw")
    pc("flasn", libs=L + " -Wl,--as-needed -la -Wl,--no-as-needed -lb -Wl,--as-needed")
    pc("flbst", libs=L + " -Wl,-Bstatic -la -Wl,-Bdynamic -lb -Wl,-Bstatic -lapp")
    pc("flpriv", libs=L + " -Wl,-Bstatic -la -Wl,-Bdynamic",
       libs_private="-Wl,-Bstatic -lb -Wl,-Bdynamic")
    pc("fldup", libs=L + " -pthread -la -pthread -lb -la -Wl,--start-group -lmid "
       "-Wl,--end-group -Wl,--start-group -lapp -Wl,--end-group")
    for q in (["flps"], ["flps2"], ["flfw"], ["flxl"], ["flreq"], ["flasn"], ["flbst"],
              ["flpriv"], ["fldup"], ["flps", "flfw", "fldup"]):
        p = run_argv([pkgconfig, "--static", "--libs"] + q)
        eq(p.rc, 0, "pkg-config exit status", p)
        want = _lib_placeholders(_pkg_config_words(p.out))
        r = success(pcrw("-0", *q))
        eq(_lib_placeholders(nul_split(r.outb)), want, "pkgconf-rewrite %s vs pkg-config" % q, r)
        r = success(pcrw(*q))
        eq(_lib_placeholders(argv_of_default(r)), want, "default output %s" % q, r)


@test
def allow_system_libs_keeps_system_dirs():
    """A .pc naming a system directory (-L/usr/lib/x86_64-linux-gnu, one of
    pkgconf's system library dirs) before its own: pkg-config drops the
    system -L unless PKG_CONFIG_ALLOW_SYSTEM_LIBS is set, and so does
    pkgconf-rewrite (the same flags, in order, as real pkg-config's).  What
    it changes is the search: -lz is the package's own libz.a without it,
    the system's libz.a with it (the system dir comes first)."""
    pkgconfig = shutil.which("pkg-config")
    true(pkgconfig, "pkg-config is not installed (apt-get install pkgconf; scripts/setup does)")
    sysdir = "/usr/lib/x86_64-linux-gnu"
    true(os.path.isfile(sysdir + "/libz.a"), "%s/libz.a is not installed (apt-get install "
         "zlib1g-dev; scripts/setup does)" % sysdir)
    own = scratch_dir("allow-system-libs")
    archive(os.path.join(own, "libz.a"))
    pc("sysdirs", libs="-L%s -L%s -lz" % (sysdir, own))
    allow = dict(base_env(), PKG_CONFIG_ALLOW_SYSTEM_LIBS="1")
    for env, dirs, libz in ((base_env(), [own], own + "/libz.a"),
                            (allow, [sysdir, own], sysdir + "/libz.a")):
        what = "with" if env is allow else "without"
        p = run_argv([pkgconfig, "--static", "--libs", "sysdirs"], env=env)
        eq(p.rc, 0, "pkg-config exit status", p)
        want = ["-L" + d for d in dirs] + ["-lz"]
        eq(_pkg_config_words(p.out), want, "pkg-config %s PKG_CONFIG_ALLOW_SYSTEM_LIBS" % what, p)
        r = success(pcrw("-0", "sysdirs", env=env))
        got = nul_split(r.outb)
        eq(_lib_placeholders(got), _lib_placeholders(want),
           "pkgconf-rewrite vs pkg-config %s PKG_CONFIG_ALLOW_SYSTEM_LIBS" % what, r)
        eq(got, want[:-1] + [libz], "pkgconf-rewrite %s PKG_CONFIG_ALLOW_SYSTEM_LIBS" % what, r)


# ------------------------------------------------------------------ --cc and $CC

@test
def cc_multi_word():
    base = success(pcrw("-0", "--", "-L" + LIB, "-la", "-lm"))
    for cc in ("env gcc", "env 'gcc'", "env LC_ALL=C gcc", "'env' \"gcc\""):
        r = success(pcrw("-0", "--cc=" + cc, "--", "-L" + LIB, "-la", "-lm"))
        eq(r.outb, base.outb, "output with --cc=%r" % cc, r)


@test
def cc_runs_of_blanks():
    """--cc words are split with pkg-config's rules: a run of blanks is one separator."""
    base = success(pcrw("-0", "--", "-L" + LIB, "-la"))
    for cc in ("env  gcc", " env gcc ", "env\tgcc"):
        r = success(pcrw("-0", "--cc=" + cc, "--", "-L" + LIB, "-la"))
        eq(r.outb, base.outb, "output with --cc=%r" % cc, r)


@test
def driver_flags_change_the_search():
    """-m32 and -B DIR in the flags change where gcc and ld search, as they do
    for `gcc -static -Wl,--trace`: -m32 searches the 32-bit dirs (the 64-bit
    libz.a is skipped as incompatible), -B DIR adds DIR to the driver's dirs."""
    r = pcrw("--", "-m32", "-lz")
    trace = subprocess.run(["gcc", "-m32", "-static", "-Wl,--trace", "-o", "/dev/null", "-x", "c", "-", "-lz"],
                           input="int main(void){return 0;}", capture_output=True, text=True)
    if trace.returncode == 0:
        z = [l for l in trace.stdout.split("\n") if "libz.a" in l]
        r = success(r)
        eq(r.out.split(), [z[0].strip()] if z else [], "-m32 -lz against gcc --trace", r)
    else:
        assert r.rc == 1, "-m32 -lz: ld finds no 32-bit libz.a, but pkgconf-rewrite exited %d\n%r" % (r.rc, r)
        assert "skipping incompatible" in r.err and "lib32" in r.err, (
            "-m32 -lz: the 32-bit search is not explained\n%r" % r)
    d = tempfile.mkdtemp(prefix="bdir.", dir=SCRATCH)
    try:
        shutil.copy(os.path.join(LIB, "liba.a"), os.path.join(d, "libbdirprobe.a"))
        r = success(pcrw("--", "-B" + d + "/", "-lbdirprobe"))
        assert os.path.join(d, "libbdirprobe.a") in r.out, "-B DIR/ is not searched\n%r" % r
    finally:
        shutil.rmtree(d, ignore_errors=True)


@test
def shell_only_quoting_warns():
    """An argument holding ' and $ cannot be written so that Go splits it:
    the shell-quoted line comes with a warning naming it (exit 0)."""
    d = os.path.join(SCRATCH, "q'$x")
    os.makedirs(d, exist_ok=True)
    r = success(pcrw("--", "-L" + d, "-L" + LIB, "-la"))
    assert "warning" in r.err and d in r.err and "-0" in r.err, "no warning for %r\n%r" % (d, r)
    r = success(pcrw("--", "-L" + LIB, "-la"))
    assert r.err == "", "a warning without a reason\n%r" % r


@test
def cc_nonexistent():
    r = pcrw("--cc=/nonexistent/cc", "ok")
    one_error_line(r, 2, "/nonexistent/cc")
    r = pcrw("--cc=/nonexistent/cc --some-flag", "--", "-la")
    one_error_line(r, 2, "/nonexistent/cc")


@test
def cc_environment_honoured():
    env = base_env()
    env["CC"] = "/nonexistent/cc-from-env"
    one_error_line(pcrw("ok", env=env), 2, "/nonexistent/cc-from-env")
    # --cc wins over $CC.
    success(pcrw("--cc=gcc", "ok", env=env))
    env["CC"] = "gcc"
    r = success(pcrw("ok", env=env))
    eq(argv_of_default(r), ["-L" + LIB, LIB + "/liba.a"], "output with CC=gcc", r)
    env["CC"] = "env gcc"
    success(pcrw("ok", env=env))


# ------------------------------------------------------------------ --each

@test
def each_one_line_per_package():
    tp = "--mode=third-party"
    r = success(pcrw(tp, "--each", "ok", "tp >= 1"))
    eq(r.out.split("\n")[-1], "", "output ends in a newline", r)
    ls = r.out.split("\n")[:-1]
    eq([l.split("\t", 1)[0] for l in ls], ["ok", "tp >= 1"], "the query before the tab", r)
    eq(ls[0].split("\t", 1)[1], success(pcrw(tp, "ok")).out.rstrip("\n"), "the flags of ok", r)
    eq(ls[1].split("\t", 1)[1], success(pcrw(tp, "tp")).out.rstrip("\n"), "the flags of tp", r)
    js = json_each(pcrw(tp, "--each", "--json", "ok", "tp"))
    eq([j["package"] for j in js], ["ok", "tp"], "--each --json: one object per package")
    eq([j["schema"] for j in js], [SCHEMA_NAME] * 2, "schema")


@test
def each_failures_reported_others_printed():
    r = pcrw("--mode=third-party", "--each", "ok", "app2", "tp")
    eq(r.rc, 1, "exit status (a missing archive)", r)
    eq([l.split("\t", 1)[0] for l in r.out.splitlines()], ["ok", "tp"], "packages printed", r)
    contains(r.err, "-lnothere", "stderr", r)
    r = pcrw("--each", "app2", "nosuchpkg", "ok")
    eq(r.rc, 2, "exit status (the worst: an unknown package)", r)
    eq([l.split("\t", 1)[0] for l in r.out.splitlines()], ["ok"], "packages printed", r)
    contains(r.err, "nosuchpkg", "stderr", r)
    contains(r.err, "-lnothere", "stderr", r)


@test
def each_usage_errors():
    usage_error(pcrw("--each", "-0", "ok"), "--each")
    usage_error(pcrw("--each", "--", "-la"), "--each")
    usage_error(pcrw("--each", "-", stdin=b"-la\n"), "--each")


# ------------------------------------------------------------------ the toolchain cache

@test
def cache_does_not_change_output():
    d = scratch_dir("cache")
    args = ["--json", "--allow-dynamic=nostatic", "app"]
    env = base_env()
    env["GORELINK_CACHE_DIR"] = ""
    off = json_report(pcrw(*args, env=env))
    env["GORELINK_CACHE_DIR"] = d
    cold = json_report(pcrw(*args, env=env))
    true(os.listdir(d), "the cache directory should have been filled")
    warm = json_report(pcrw(*args, env=env))
    eq(cold, off, "report with a cold cache")
    eq(warm, off, "report with a warm cache")


def counting_cc(d, dumpmachine=None, extra=""):
    """A CC in d that logs each of its calls to d/calls, one line each, then
    runs gcc (or, for -dumpmachine, prints dumpmachine when given). Rewriting
    it with another extra changes its size, so its identity."""
    path = os.path.join(d, "counting-cc")
    log = os.path.join(d, "calls")
    answer = ('for a; do [ "$a" = -dumpmachine ] && { echo %s; exit 0; }; done\n' % dumpmachine
              if dumpmachine else "")
    tmp = path + ".tmp"
    write(tmp, '#!/bin/sh\n# %s\necho "$*" >> %s\n%sexec gcc "$@"\n'
          % (extra, shlex.quote(log), answer))
    os.chmod(tmp, 0o755)
    os.rename(tmp, path)   # a new inode, as a reinstalled compiler has
    return path, log


def calls(log):
    """The calls a counting_cc logged so far."""
    if not os.path.exists(log):
        return []
    with open(log) as f:
        return f.read().splitlines()


@test
def warm_cache_spawns_no_compiler():
    # issue 15: the target triple (-dumpmachine) is cached with the compiler's
    # identity like its search dirs, so a warm run spawns nothing.
    d = scratch_dir("counting-cc")
    cc, log = counting_cc(d)
    env = base_env()
    env["GORELINK_CACHE_DIR"] = os.path.join(d, "cache")
    env["CC"] = cc
    args = ["--json", "--allow-dynamic=nostatic", "app"]
    cold = json_report(pcrw(*args, env=env))
    n = calls(log)
    true(any("-dumpmachine" in c.split() for c in n), "a cold cache asks the compiler -dumpmachine: %r" % n)
    warm = json_report(pcrw(*args, env=env))
    eq(calls(log), n, "the compiler's calls after a warm run (none more)")
    eq(warm, cold, "report with a warm cache")
    eq(success(pcrw("--allow-dynamic=nostatic", "app", env=env)).outb,
       success(pcrw("--allow-dynamic=nostatic", "app", env=dict(env, GORELINK_CACHE_DIR=""))).outb,
       "default output, warm cache against no cache")
    # Another compiler at the same path (size, inode, mtime differ): asked again.
    cc, log = counting_cc(d, extra="reinstalled")
    before = len(calls(log))
    again = json_report(pcrw(*args, env=env))
    new = calls(log)[before:]
    true(any("-dumpmachine" in c.split() for c in new),
         "a changed compiler is asked -dumpmachine again: %r" % new)
    eq(again, cold, "report after the compiler changed")


@test
def cached_target_triple_is_used_and_invalidated():
    # A compiler that says it targets Darwin makes pkgconf-rewrite search as
    # ld64 does; the cached answer must do the same, until the compiler changes.
    d = scratch_dir("darwin-cc")
    cc, log = counting_cc(d, dumpmachine="arm64-apple-darwin23.1.0")
    env = base_env()
    env["GORELINK_CACHE_DIR"] = os.path.join(d, "cache")
    env["CC"] = cc
    cold = pcrw("app", env=env)
    contains(cold.err, "ld64", "stderr with a compiler for arm64-apple-darwin", cold)
    eq(calls(log), ["-dumpmachine"], "the compiler's calls, cold cache", cold)
    warm = pcrw("app", env=env)
    eq((warm.rc, warm.outb, warm.errb), (cold.rc, cold.outb, cold.errb), "a warm run's result", warm)
    eq(calls(log), ["-dumpmachine"], "the compiler's calls after a warm run (none more)", warm)
    # The same path now a compiler for the host: the cached triple is not used.
    cc, log = counting_cc(d, dumpmachine="x86_64-linux-gnu")
    host = pcrw("--allow-dynamic=nostatic", "app", env=env)
    success(host)
    true("ld64" not in host.err, "GNU ld rules once the compiler targets Linux: %r" % host.err)
    eq(calls(log)[1], "-dumpmachine", "the changed compiler is asked again", host)


def classify_entries(cache):
    """The cached verdicts (issue 15): {candidate path: entry file}."""
    d = os.path.join(cache, "classify")
    out = {}
    for n in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        with open(os.path.join(d, n), encoding="utf-8", errors="surrogateescape") as f:
            m = re.search(r"^p\t(.*)$", f.read(), re.M)
        if m:
            out[m.group(1)] = os.path.join(d, n)
    return out


@test
def cached_verdicts_are_used():
    # issue 15: each candidate's verdict is kept in the cache directory, so a
    # warm run opens no archive. An entry edited to say "another target" must
    # then change the answer: that proves it is read and used.
    d = scratch_dir("verdicts")
    lib = os.path.join(d, "lib")
    os.mkdir(lib)
    arch = archive(os.path.join(lib, "libv.a"))
    pc("verdict", libs="-L%s -lv" % lib)
    env = base_env()
    env["GORELINK_CACHE_DIR"] = os.path.join(d, "cache")
    cold = success(pcrw("verdict", env=env))
    eq(argv_of_default(cold), ["-L" + lib, arch], "output, cold cache", cold)
    entries = classify_entries(env["GORELINK_CACHE_DIR"])
    true(arch in entries, "a verdict for %s is cached: %r" % (arch, sorted(entries)))
    warm = success(pcrw("verdict", env=env))
    eq(warm.outb, cold.outb, "output, warm cache", warm)
    with open(entries[arch]) as f:
        text = f.read()
    true("\nk\t1\n" in text, "the verdict says archive (kind 1): %r" % text)
    write(entries[arch], text.replace("\nk\t1\n", "\nk\t5\n"))   # 5: incompatible
    r = pcrw("verdict", env=env)
    eq(r.rc, 1, "exit status with a cached 'incompatible' verdict", r)
    contains(r.err, "-lv", "stderr", r)
    # A malformed entry is no answer: libbfd judges the file again.
    write(entries[arch], text.replace("\nk\t1\n", "\nk\t9\n"))
    eq(success(pcrw("verdict", env=env)).outb, cold.outb, "output with a malformed entry")


@test
def cached_verdict_follows_the_file():
    # An archive replaced by a linker script at the same path, with the same
    # modification time: judged again, and the script is expanded.
    d = scratch_dir("verdict-change")
    lib = os.path.join(d, "lib")
    os.mkdir(lib)
    arch = archive(os.path.join(lib, "libw.a"))
    inner = archive(os.path.join(lib, "libw-inner.a"))
    pc("verdictw", libs="-L%s -lw" % lib)
    env = base_env()
    env["GORELINK_CACHE_DIR"] = os.path.join(d, "cache")
    eq(argv_of_default(success(pcrw("verdictw", env=env))), ["-L" + lib, arch], "output, archive")
    eq(argv_of_default(success(pcrw("verdictw", env=env))), ["-L" + lib, arch], "output, archive, warm")
    st = os.stat(arch)
    write(arch, "/* GNU ld script */\nINPUT ( %s )\n" % inner)
    os.utime(arch, ns=(st.st_atime_ns, st.st_mtime_ns))
    r = success(pcrw("verdictw", env=env))
    true(inner in argv_of_default(r), "the script at %s is expanded to %s: %r" % (arch, inner, r.out))
    eq(r.outb, success(pcrw("verdictw", env=dict(env, GORELINK_CACHE_DIR=""))).outb,
       "output with a warm cache against no cache", r)


# ------------------------------------------------------------------ gorelink pkgconf-rewrite

@test
def gorelink_subcommand_is_the_same():
    cases = [
        (["app"], None),
        (["--allow-dynamic=nostatic", "app"], None),
        (["--json", "--allow-dynamic=nostatic", "app"], None),
        (["-0", "--mode=third-party", "tp"], None),
        (["-", ], ('-L"%s" -lq\n' % SPACE).encode()),
        (["-", ], b'-L"unbalanced\n'),
        (["--", "-L" + LIB, "-la", "-lb", "-la"], None),
        (["nosuchpkg"], None),
        (["app >= 99"], None),
        (["--bogus"], None),
        (["-0", "--json", "ok"], None),
        ([], None),
        (["--help"], None),
        (["--cc=/nonexistent/cc", "ok"], None),
    ]
    for args, stdin in cases:
        a = pcrw(*args, stdin=stdin)
        b = gr_pcrw(*args, stdin=stdin)
        eq(b.rc, a.rc, "gorelink pkgconf-rewrite %r: exit status" % args, b)
        eq(b.outb, a.outb, "gorelink pkgconf-rewrite %r: stdout" % args, b)
        eq(b.errb == b"", a.errb == b"", "gorelink pkgconf-rewrite %r: stderr empty" % args, b)
        if "--json" in args and a.rc == 0:
            parse_json_lines(a)


# ------------------------------------------------------------------ shell metacharacters

def no_pwned(where):
    hits = []
    for root, dirs, files in os.walk(SCRATCH):
        for n in dirs + files:
            if n.startswith("PWNED"):
                hits.append(os.path.join(root, n))
    true(not hits, "%s: a shell ran something: %r" % (where, hits))


@test
def shell_metacharacters_in_pc_values():
    # No blanks: .pc values are split on them (pkg-config's rules).
    d = os.path.join(SCRATCH, "m$(id>PWNED1);id>PWNED2;`id>PWNED3`|id>PWNED4&&id>PWNED5")
    os.mkdir(d)
    archive(os.path.join(d, "libz9.a"))
    # In a .pc a double-quoted value may hold blanks.
    d2 = os.path.join(SCRATCH, "x$(touch PWNED6)")
    os.mkdir(d2)
    archive(os.path.join(d2, "libz8.a"))
    pc("meta", libs='-L%s -lz9 "-L%s" -lz8' % (d, d2))
    cwd = scratch_dir("cwd-meta")
    want = ["-L" + d, d + "/libz9.a", "-L" + d2, d2 + "/libz8.a"]
    r = success(pcrw("meta", cwd=cwd))
    eq(argv_of_default(r), want, "default output", r)
    eq(nul_split(success(pcrw("-0", "meta", cwd=cwd)).outb), want, "-0 output")
    eq(json_report(pcrw("--json", "meta", cwd=cwd))["argv"], want, "--json argv")
    no_pwned("a .pc value")


@test
def shell_metacharacters_in_arguments():
    d = os.path.join(SCRATCH, "x$(touch PWNED7)")
    os.makedirs(d, exist_ok=True)
    archive(os.path.join(d, "libz7.a"))
    cwd = scratch_dir("cwd-args")
    want = ["-L" + d, d + "/libz7.a", "$(touch PWNED8)", "`touch PWNED9`"]
    r = success(pcrw("--", "-L" + d, "-lz7", "$(touch PWNED8)", "`touch PWNED9`", cwd=cwd))
    eq(argv_of_default(r), want, "default output", r)
    r = success(pcrw("-0", "-", stdin=("'-L%s' -lz7 '$(touch PWNED8)' '`touch PWNED9`'"
                                        % d).encode(), cwd=cwd))
    eq(nul_split(r.outb), want, "-0 output from stdin", r)
    # The missing-archive explanation names the dir without running it either.
    r = pcrw("--", "-L" + d, "-lnothere", cwd=cwd)
    eq(r.rc, 1, "exit status", r)
    contains(r.err, d, "stderr", r)
    # --cc words are not shell words.
    r = success(pcrw("--cc=env 'GR_X=$(touch PWNEDa)' 'GR_Y=`touch PWNEDb`' gcc", "ok", cwd=cwd))
    eq(argv_of_default(r), ["-L" + LIB, LIB + "/liba.a"], "output with a --cc holding $( )", r)
    no_pwned("an argument")


# ------------------------------------------------------------------ issue 11: input words as ld opens them

def _gcc_static_link(flags, cwd):
    """gcc -static main.o FLAGS: (exit status, stderr), GNU ld's verdict on the flags."""
    d = os.path.join(SCRATCH, "obj")
    os.makedirs(d, exist_ok=True)
    m = os.path.join(d, "main-i11.o")
    if not os.path.exists(m):
        must(["gcc", "-c", "-o", m, write(os.path.join(d, "main-i11.c"), "int main(void){return 0;}\n")])
    p = subprocess.run(["gcc", "-static", m] + list(flags) + ["-o", os.devnull,
                        "-Wl,--unresolved-symbols=ignore-all"], cwd=cwd, env=base_env(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=TIMEOUT)
    return p.returncode, p.stderr


def _pkg_config_libs(*q, env):
    p = subprocess.run(["pkg-config", "--static", "--libs"] + list(q), env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=TIMEOUT)
    true(p.returncode == 0 and shutil.which("pkg-config") is not None,
         "pkg-config (Debian package pkgconf) --static --libs %s: %s" % (q, p.stderr))
    return shlex.split(p.stdout)


@test
def bare_word_is_an_input_file_in_every_mode():
    """superlu.pc's Libs.private "blas" (no .a/.so name): ld opens it by that
    path and fails ("cannot find blas"); so must the rewrite, in every mode and
    with --allow-dynamic, naming it. A missing .o the same."""
    d = scratch_dir("bare-blas")
    write(os.path.join(d, "i11blas.pc"), "Name: i11blas\nDescription: t\nVersion: 1\n"
          "Libs: -lz\nLibs.private: blas -lm\n")
    write(os.path.join(d, "i11obj.pc"), "Name: i11obj\nDescription: t\nVersion: 1\n"
          "Libs: -lz\nLibs.private: gone-i11.o -lm\n")
    env = dict(base_env(), PKG_CONFIG_PATH=d, PKG_CONFIG_LIBDIR=d)
    cwd = scratch_dir("bare-blas-cwd")
    for pkg, word in (("i11blas", "blas"), ("i11obj", "gone-i11.o")):
        rc, err = _gcc_static_link(_pkg_config_libs(pkg, env=env), cwd)
        true(rc != 0 and "cannot find %s" % word in err, "GNU ld must fail on %s: %s" % (word, err))
        for opts in ([], ["--allow-dynamic=z"], ["--allow-dynamic=z", "--allow-dynamic=m"],
                     ["--mode=third-party"], ["--mode=third-party", "--allow-dynamic=z"],
                     ["--json"], ["-0"]):
            r = pcrw(*(opts + [pkg]), env=env, cwd=cwd)
            eq(r.rc, 1, "%s %s: exit status (ld: cannot find %s)" % (pkg, opts, word), r)
            no_stdout(r)
            contains(r.err, "no file %s (ld opens an input file by its path, relative to the current directory" % word,
                     "stderr", r)
            contains(r.err, "wanted by: %s (Libs.private)" % pkg, "stderr", r)
    # Once the file is there, in the link's directory, ld opens it and so does the rewrite.
    shutil.copy(obj(), os.path.join(cwd, "gone-i11.o"))
    rc, err = _gcc_static_link(_pkg_config_libs("i11obj", env=env), cwd)
    eq(rc, 0, "GNU ld with gone-i11.o present: " + err)
    r = success(pcrw("-0", "i11obj", env=env, cwd=cwd))
    true("gone-i11.o" in nul_split(r.outb), "the object passes through", r)
    # An absolute word that does not exist, in raw flags: missing with --allow-dynamic too.
    r = pcrw("--allow-dynamic=z", "--", "-lz", "/nonexistent/i11/blas")
    eq(r.rc, 1, "an absolute bare word that does not exist", r)
    contains(r.err, "no file /nonexistent/i11/blas", "stderr", r)


def _multiarch_lib(pattern):
    """The one real file /lib/<multiarch>/pattern (glob), else a loud failure."""
    import glob
    ma = subprocess.run(["gcc", "-print-multiarch"], stdout=subprocess.PIPE, text=True,
                        timeout=TIMEOUT).stdout.strip()
    hits = sorted(h for h in glob.glob("/lib/%s/%s" % (ma, pattern)) if not os.path.islink(h))
    true(len(hits) >= 1, "no /lib/%s/%s: install the Debian package libexpat1-dev (scripts/setup)" % (ma, pattern))
    return hits[0] if hits else "/nonexistent/" + pattern


@test
def shared_library_by_path_becomes_its_archive():
    """gdal.pc's /lib/x86_64-linux-gnu/libexpat.so.1.8.10: gcc -static refuses
    it ("attempted static link of dynamic object"); the rewrite names the
    archive -lexpat finds, says so (stderr note, JSON note), and the output links."""
    expat = _multiarch_lib("libexpat.so.1.*")
    d = scratch_dir("so-path")
    write(os.path.join(d, "i11gdal.pc"), "Name: i11gdal\nDescription: t\nVersion: 1\n"
          "Libs: -lz %s\n" % expat)
    env = dict(base_env(), PKG_CONFIG_PATH=d, PKG_CONFIG_LIBDIR=d)
    rc, err = _gcc_static_link(_pkg_config_libs("i11gdal", env=env), d)
    true(rc != 0 and "attempted static link of dynamic object" in err, "gcc -static must refuse %s: %s" % (expat, err))
    for opts in ([], ["--mode=third-party"]):
        r = success(pcrw(*(opts + ["-0", "i11gdal"]), env=env, cwd=d))
        out = nul_split(r.outb)
        true(expat not in out and any(a.endswith("/libexpat.a") for a in out),
             "%s: %s must become libexpat.a: %r" % (opts, expat, out), r)
        contains(r.err, "note: %s is a shared library named by its path" % expat, "stderr", r)
        rc, err = _gcc_static_link(out, d)
        eq(rc, 0, "gcc -static with the rewritten flags %r: %s" % (out, err))
        j = json_report(pcrw(*(opts + ["--json", "i11gdal"]), env=env, cwd=d))
        t = [t for t in j["tokens"] if t["input"] == expat]
        eq(len(t), 1, "one token for the path")
        eq((t[0]["kind"], t[0]["library"], t[0]["kept"], t[0]["resolved_kind"]),
           ("library", "expat", None, "archive"), "the path's token")
        true(any("is a shared library named by its path" in n for n in t[0]["notes"]),
             "a JSON note says so: %r" % t[0]["notes"])
    # Kept as it is: a system library in third-party mode, or --allow-dynamic.
    libm = _multiarch_lib("libm.so.6")
    r = success(pcrw("--mode=third-party", "-0", "--", "-lz", libm))
    true(libm in nul_split(r.outb), "third-party: the system library %s stays: %r" % (libm, r.outb), r)
    r = success(pcrw("-0", "--", "-lz", libm))
    true(libm not in nul_split(r.outb), "static: %s becomes libm's archive" % libm, r)
    r = success(pcrw("--allow-dynamic=expat", "-0", "i11gdal", env=env, cwd=d))
    true(expat in nul_split(r.outb), "--allow-dynamic=expat keeps the path", r)


@test
def shared_library_by_path_without_archive_is_missing():
    """A shared library named by path whose -lNAME has no archive: refused
    like a missing archive (exit 1, its own explanation), in both modes; one
    whose name says no lib<NAME> too."""
    d = scratch_dir("so-path-noarch")
    so = shared(os.path.join(d, "libi11none.so.3"))
    plug = shared(os.path.join(d, "i11plugin.so"))
    rc, err = _gcc_static_link([so], d)
    true(rc != 0 and "attempted static link of dynamic object" in err, "gcc -static must refuse %s: %s" % (so, err))
    for opts in ([], ["--mode=third-party"]):
        r = pcrw(*(opts + ["--", "-L" + d, so]))
        eq(r.rc, 1, "%s: exit status" % opts, r)
        no_stdout(r)
        contains(r.err, "no static archive for -li11none (%s is a shared library named by its path" % so, "stderr", r)
        contains(r.err, "a shared library exists instead: " + so, "stderr", r)
        # Issue 13: never a package that may not exist (was "install the package that ships libi11none.a").
        contains(r.err, "options: no installed package ships libi11none.a (build it, or a package not installed "
                 "may ship it); or --allow-dynamic=i11none to keep the path as it is", "stderr", r)
        r = success(pcrw(*(opts + ["--allow-dynamic=i11none", "-0", "--", "-L" + d, so])))
        eq(nul_split(r.outb), ["-L" + d, so], "%s --allow-dynamic=i11none keeps the path" % opts, r)
        r = pcrw(*(opts + ["--", plug]))
        eq(r.rc, 1, "%s: exit status for %s" % (opts, plug), r)
        contains(r.err, "no static archive for %s (a shared library named by its path" % plug, "stderr", r)


# ------------------------------------------------------------------ issue 12: compact missing-archive explanations

def _summary(err):
    """The lines of the summary block: from 'in short:' to the end."""
    lines = err.split("\n")
    at = [k for k, l in enumerate(lines) if ": in short: " in l]
    true(at, "no 'in short:' summary in stderr:\n%s" % err)
    return "\n".join(lines[at[-1]:])


@test
def missing_deep_chain_compact_with_summary():
    """top -> Requires.private -> i12m1 -> Requires.private -> i12m2, whose
    Libs.private name three libraries without an archive where ld looks: one
    with a run-time .so only, one whose archive lies three levels below the
    -L dir (as Debian's libpgcommon.a in /usr/lib/postgresql/15/lib), one with
    nothing at all. One line each, the search list once, paths tidied
    (the -L dir is spelled with 'x/..'), and a summary naming the libraries,
    the package the chain starts from, -L DIR, --allow-dynamic, and not
    --mode=third-party (none is a system library)."""
    d = scratch_dir("i12-deep")
    lib = os.path.join(d, "lib")
    os.makedirs(os.path.join(d, "x"))
    far = os.path.join(lib, "pg", "15", "lib")
    os.makedirs(far)
    archive(os.path.join(far, "libi12far.a"))
    shared(os.path.join(lib, "libi12rt.so.1"))
    dotted = os.path.join(d, "x", "..", "lib")
    write(os.path.join(d, "i12top.pc"), "Name: i12top\nDescription: t\nVersion: 1\nRequires.private: i12m1\nLibs: -L%s -lz\n" % dotted)
    write(os.path.join(d, "i12m1.pc"), "Name: i12m1\nDescription: t\nVersion: 1\nRequires.private: i12m2\nLibs: -lz\n")
    write(os.path.join(d, "i12m2.pc"), "Name: i12m2\nDescription: t\nVersion: 1\nLibs: -lz\n"
          "Libs.private: -li12rt -li12far -li12none -li12rt\n")
    env = dict(base_env(), PKG_CONFIG_PATH=d, PKG_CONFIG_LIBDIR=d)
    for run_it in (pcrw, gr_pcrw):
        r = run_it("i12top", env=env, cwd=d)
        eq(r.rc, 1, "exit status", r)
        no_stdout(r)
        for name in ("i12rt", "i12far", "i12none"):
            eq(r.err.count("no static archive for -l%s " % name), 1, "-l%s: one line" % name, r)
        contains(r.err, "wanted by: i12top -> Requires.private -> i12m1 -> Requires.private -> i12m2 (Libs.private)",
                 "stderr (the chain)", r)
        eq(r.err.count("  searched:"), 1, "the search list once", r)
        contains(r.err, "only a run-time library is installed: %s/libi12rt.so.1 " % lib, "stderr (tidied path)", r)
        contains(r.err, "out of ld's reach: %s/libi12far.a" % far, "stderr (the archive below the -L dir)", r)
        for line in r.err.split("\n"):
            if not line.startswith("  searched:"):
                true("/x/../" not in line, "an untidy path outside the search list: %r" % line, r)
        summ = _summary(r.err)
        contains(summ, "in short: 3 libraries have no static archive", "summary", r)
        contains(summ, "-li12rt -li12far -li12none", "summary (the libraries, in order)", r)
        contains(summ, "wanted through: i12top\n", "summary (the package the chain starts from)", r)
        contains(summ, "add -L%s (it holds libi12far.a" % far, "summary (-L DIR)", r)
        contains(summ, "--allow-dynamic=i12rt to keep it dynamic", "summary (--allow-dynamic)", r)
        contains(summ, "--allow-dynamic=i12none would need libi12none.so", "summary", r)
        true("third-party" not in r.err, "--mode=third-party offered where it would not help", r)
        true("--stub" not in r.err, "--stub is gorelink's, not pkgconf-rewrite's", r)
        true(len(r.err.rstrip("\n").split("\n")) <= 12, "more lines than needed:\n%s" % r.err, r)


@test
def missing_third_party_offered_only_for_system_libraries():
    """--mode=third-party keeps only system libraries dynamic: offered when
    every missing library is one (--system-libs names it), not when one is not."""
    d = scratch_dir("i12-sys")
    r = pcrw("--system-libs=i12sys", "--", "-L" + d, "-li12sys")
    eq(r.rc, 1, "exit status", r)
    contains(_summary(r.err), "--mode=third-party, which keeps system libraries such as -li12sys dynamic", "summary", r)
    r = pcrw("--system-libs=i12sys", "--", "-L" + d, "-li12sys", "-li12other")
    eq(r.rc, 1, "exit status", r)
    true("third-party" not in r.err, "offered though -li12other is no system library", r)


@test
def missing_gtk3_fits_a_screen():
    """gtk+-3.0 (Debian's libgtk-3-dev ships no archive for about 20 of its
    libraries): 105 lines before issue 12; now one line each, the search list
    once and a summary, within 30 lines; no --mode=third-party (none is a
    system library); paths tidied ("/../" only in the search list)."""
    pk = shutil.which("pkg-config")
    true(pk, "pkg-config is not installed (apt-get install pkgconf; scripts/setup does)")
    env = base_env()
    env.pop("PKG_CONFIG_PATH", None)
    env.pop("PKG_CONFIG_LIBDIR", None)  # the system's .pc files
    true(subprocess.run([pk, "--exists", "gtk+-3.0"], env=env).returncode == 0,
         "gtk+-3.0 is not installed (apt-get install libgtk-3-dev; scripts/setup does)")
    for run_it in (pcrw, gr_pcrw):
        r = run_it("gtk+-3.0", env=env)
        eq(r.rc, 1, "exit status", r)
        no_stdout(r)
        lines = r.err.rstrip("\n").split("\n")
        true(len(lines) <= 30, "%d lines, want at most 30:\n%s" % (len(lines), r.err), r)
        n = r.err.count(": no static archive for -l")
        true(n >= 10, "only %d libraries explained" % n, r)
        contains(_summary(r.err), "in short: %d libraries have no static archive" % n, "summary", r)
        contains(r.err, "wanted through: gtk+-3.0\n", "summary", r)
        contains(r.err, "--allow-dynamic=gtk-3", "summary", r)
        true("third-party" not in r.err, "--mode=third-party offered where it would not help", r)
        for line in lines:
            if not line.startswith("  searched:"):
                true("/../" not in line, "an untidy path: %r" % line, r)


# ------------------------------------------------------------------ main

def main():
    global PCRW, GORELINK, SCRATCH
    args = harness.path_args("PKGCONF_REWRITE GORELINK", executables=2)
    if args is None:
        return 2
    PCRW, GORELINK = args
    try:
        import jsonschema  # noqa: F401
    except ImportError:
        return harness.fail_early("python3-jsonschema is not installed (run scripts/setup): every "
                                  "--json report is validated against %s"
                                  % os.path.normpath(SCHEMA_PATH))
    SCRATCH = harness.make_scratch("gorelink-pcrw-cli-test.")
    return SUITE.run(setup=make_fixtures, cleanup=lambda: shutil.rmtree(SCRATCH, ignore_errors=True),
                     elapsed_note=lambda: "; %d JSON objects validated against %s" % (
                         VALIDATED[0], os.path.basename(SCHEMA_PATH)))


if __name__ == "__main__":
    sys.exit(main())
