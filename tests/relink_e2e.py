#!/usr/bin/env python3
"""relink_e2e.py GORELINK SRCDIR WORKDIR

End-to-end tests of the main job, `gorelink [OPTIONS] PACKAGE [-- GO_BUILD_FLAGS...]`
(issue 4): real `go build`s of the programs in SRCDIR/examples, with the
results checked by `gorelink check`, by readelf, and by running them inside an
empty root (chroot into a directory that holds nothing but the binary: no
/tmp, no /etc, no loader).

 1. examples/sqlite3 with --sqlite3 (bundled amalgamation): the JSON report,
    `gorelink check`, readelf (no INTERP, no NEEDED), and a run in an empty
    root that creates a database, writes and reads rows; the SQLite version is
    the module's own.
 2. The same with --sqlite3=system: Debian's libsqlite3.a and its
    Libs.private; the version printed is the system library's.
 3. examples/nethttp --static serves one request on loopback from an empty
    root.
 4. examples/fortytwo prints 42 from an empty root (default mode, and the
    default -o name).
 5. --static-pie (verdict static-pie, runs in an empty root); --third-party
    with --sqlite3=system (DT_NEEDED only the libc family; runs normally).
 6. examples/pkgconfig (`#cgo pkg-config: libpng`, whose static link needs
    Libs.private): the hand-written static recipe fails, gorelink's link works.
 7. examples/flags: -ldflags '-X ... -s -w', -tags, -trimpath, the user's own
    -extldflags and GOFLAGS all reach the binary; --no-default-tags.
 8. (1) again with Debian's Go 1.19 (golang-1.19-go).
 9. Bad input: missing package, non-main package, no go, no C compiler,
    CGO_ENABLED=0, unknown preset, unknown pkg-config package, missing
    archive, read-only output directory, conflicting flags (go's and
    gorelink's own: two -o, a second preset, --allow-dynamic with --static),
    an unmet --pkg 'NAME >= V', a binary whose
    verdict is wrong (--keep-failed), --dry-run, --print-link.  Each failure
    exits with its documented code, says one `gorelink: ...` line, and leaves
    an existing OUT byte-identical and nothing else beside it.
10. Diagnosis (issue 5): examples/sqlite3 with -tags libsqlite3 but no
    preset fails on libm's symbols, named with --lib -lm (text and JSON
    `undefined`), and --fix builds a static binary that runs in an empty
    root; --sqlite3=system --no-default-tags reports glibc's warnings as
    findings (getaddrinfo from net, getpwuid_r/getgrouplist from os/user,
    dlopen from libsqlite3.a), and --strict refuses them (exit 1, OUT
    untouched); a cgo module using `#cgo pkg-config: libpcap` explains the
    missing libsystemd.a (exit 1) and builds with --allow-dynamic systemd
    (DT_NEEDED libsystemd.so.0 and the libc family only; it runs).
    Symlinked archives (issue 13): Debian's libpng.a -> libpng16.a is named
    for libpng/libpng16 (the .pc that lists it), not libwmf, in the
    diagnosis and in the inference of a bare -lpng; a bare archive name in
    a .pc is linked as -lNAME finds it (inference, or --lib -lNAME).
11. Hardening (issue 7): the linker killed or interrupted, SIGINT/SIGTERM
    and SIGKILL to gorelink (gorelink-guard cleans up), SIGKILL to the
    guard, a full file system, odd OUTs, concurrent runs, odd environments
    (relative TMPDIR, multi-word CC including ccache, no pkg-config),
    shell metacharacters passed literally.
12. Real-world libraries: C libraries written in C++ (a fixture archive,
    libxml2 with ICU: linked with g++; demangled names diagnosed),
    confluent-kafka-go's bundled librdkafka (findings from C callers), a
    musl toolchain (no glibc findings), a cross build for arm64 run under
    qemu-aarch64-static (with an aarch64 C++ archive: CXX named after CC;
    a CXX for the host, or none for the target, stops before go build), a
    missing archive's #cgo pkg-config chain named again when go build
    reuses its cache.
13. Go's build cache (issue 12): a `#cgo pkg-config: gpgme` package
    (libgpgme-dev) compiled by a plain go build is not reused by gorelink,
    gorelink's is not reused by the hand-written static go build, a changed
    .pc file is read by the next gorelink run, and the user's CGO_CPPFLAGS
    (go env -w or the environment) stay first; all in a GOCACHE of the
    suite's own.
14. --linker (issue 15): examples/sqlite3 and a `#cgo pkg-config: zlib`
    module with bfd, gold, lld and mold: the same archives in the report and
    in each linker's own --trace, static, run in an empty root; auto picks
    mold, in a static glibc link too; the findings, --strict and the
    dlopen policy with lld and mold equal GNU ld's (linkers_same_findings);
    gold --static-pie falls back to bfd; a failing linker fails over to bfd
    once; a linker not installed names its package (needs mold, lld,
    binutils). Every build case that succeeds through build() also links
    once more with each installed linker (GORELINK_LINKER_MATRIX): each
    links, opens GNU ld's archives (its own trace; mold's link map), and a
    static OUT's twin from each linker is static and exits and prints in an
    empty root as OUT does (mold's build ID style is md5, which every
    linker knows; with GORELINK_NO_ORDER_PLAN=1 a mold link of
    archives out of order is a known limit of bfd and gold; RELINK_E2E_MATRIX=0 turns it off; the closing
    line counts the links and their time). RELINK_E2E_LINKER=L runs every
    case that builds through build() with --linker=L. No --linker is auto
    (gorelink's default since issue 15: mold here); the cases about GNU ld's
    own behaviour (archive order, the .interp fixture) name --linker=bfd,
    the diagnoses run with bfd and with auto.
15. --relink-kit (issue 16): a module linking Debian's libz.a and a
    libgreet.a built by the test: the kit copied elsewhere relinks to the
    built binary byte for byte; with --linker-output, to the linker's
    output (link.json's SHA-256), which equals the built binary except for
    the Go build ID's content hash and the go:fipsinfo checksum (written
    after the link by go build and cmd/link: the kit's postlink);
    a rebuilt libgreet.a named on relink's command line changes what the
    binary prints in an empty root; libz.a is listed with its Debian package
    and version (dpkg-query agrees); the same build gives the same kit bytes
    and replaces a kit in place; a failed build (check fails after the link)
    a --dry-run and a DIR that is not a kit leave DIR untouched;
    --third-party relinks.
16. --sbom and --deny-licence (issue 16): a cgo module with libxml2,
    libcrypto and zlib, and examples/sqlite3 bundled and system (mold): the
    manifest's members and objects are exactly GNU ld's own trace of the
    final link, Debian packages and versions agree with dpkg-query, licences
    with the copyright files, the Go modules with go version -m; the SPDX
    output passes spdx-tools, the CycloneDX output cyclonedx-python-lib's
    validator (both from scripts/setup's venv); the same bytes twice;
    --deny-licence fails (exit 1, OUT untouched) and passes.

Builds share the caller's GOCACHE and GOMODCACHE (Go's build cache makes the
second build of a package cheap) and run with GOFLAGS=-buildvcs=false.  Needs
root for chroot (otherwise `unshare -r` is tried), network access to the Go
module proxy (or a warm GOMODCACHE) for github.com/mattn/go-sqlite3 and
github.com/confluentinc/confluent-kafka-go, and libsqlite3-dev, libpng-dev,
libfreetype-dev, libwmf-dev, libpcap-dev, libxml2-dev, golang-1.19-go, g++,
ccache, musl-tools, gcc-aarch64-linux-gnu, g++-aarch64-linux-gnu and
qemu-user-static (scripts/setup installs them).

Every `gorelink --json` build report (success or failure) is validated against
docs/schema/build-v1.schema.json, every `gorelink check --json` line against
check-v2 (python3-jsonschema; its absence fails the run).
RELINK_E2E_ONLY=NAME,... runs only those tests; a name that is no test's is
an error (exit 1) before anything runs.

Scratch files go to a mkdtemp() directory under WORKDIR, removed at the end.
Prints `ok NAME` or `FAIL NAME: reason` per test, then `N passed, M failed`
alone on the last line; exits 1 if any test failed.  Every build has a 600 s
timeout, every run of a built program 60 s.
"""

import contextlib
import filecmp
import hashlib
import json
import os
import re
import select
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402  (tests/harness.py)

BUILD_TIMEOUT = 600
RUN_TIMEOUT = 60
BUILD_SCHEMA = "gorelink-build/1"
CHECK_SCHEMA = "gorelink-check/2"
SCHEMA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "schema")
VALIDATED = {"build-v1.schema.json": 0, "check-v2.schema.json": 0}  # JSON objects checked
GO119 = "/usr/lib/go-1.19/bin/go"
SQLITE3_MODULE = "github.com/mattn/go-sqlite3"

# Exit codes of the main job, as gorelink(1) documents them: a missing package
# is 2 (go list fails); a package that is not main, an unknown preset or
# variant, an unknown --pkg package and conflicting flags are usage errors (64).
EXIT_OK = 0
EXIT_VERDICT = 1   # built, but the verdict is wrong for the mode; or no static archive
EXIT_BUILD = 2     # could not build
EXIT_USAGE = 64    # usage error, conflicting flags

# The C library's own shared objects: what --third-party may leave dynamic.
LIBC_FAMILY = re.compile(
    r"^(libc|libm|libpthread|libdl|librt|libresolv|libutil|libanl|libmvec|libnsl|libBrokenLocale|libgcc_s)"
    r"\.so\.[0-9]+$|^ld-linux[-a-z0-9_.]*\.so\.[0-9]+$")

GORELINK = None   # absolute path of gorelink
SRCDIR = None     # the source tree
EXAMPLES = None   # SRCDIR/examples
SCRATCH = None    # mkdtemp() under WORKDIR
_cache = {}

SUITE = harness.Suite()
test = SUITE.test


# ------------------------------------------------------------------ helpers

class Result(harness.Result):
    crash = None   # a signal is the program's answer here, not a crash of the test

    def __repr__(self):
        return "argv=%s rc=%r (%.1f s)\n--- stdout:\n%s\n--- stderr:\n%s" % (
            " ".join(shlex.quote(a) for a in self.argv), self.rc, self.secs,
            tail(self.out), tail(self.err))

    @classmethod
    def timeout_error(cls, argv, timeout, exc):
        return AssertionError("timed out after %d s: %s\n--- stderr:\n%s" % (
            timeout, " ".join(argv), tail((exc.stderr or b"").decode("utf-8", "replace"))))


def tail(s, lines=40):
    ls = s.rstrip("\n").split("\n")
    if len(ls) > lines:
        ls = ["[... %d lines]" % (len(ls) - lines)] + ls[-lines:]
    return "\n".join(ls)


def base_env(**changes):
    """The caller's environment, minus what would change a Go build behind
    the test's back, plus GOFLAGS=-buildvcs=false.  A value of None in
    changes removes the variable."""
    return harness.environ(
        ("CGO_ENABLED", "CGO_LDFLAGS", "CGO_CFLAGS", "CGO_CPPFLAGS", "GOOS", "GOARCH",
         "GO386", "GOAMD64", "PKG_CONFIG", "GOEXPERIMENT", "GORELINK_PRESET_PATH",
         "GORELINK_DEBUG_COMPRESSION"),
        {"GOFLAGS": "-buildvcs=false", "GOTOOLCHAIN": "local", "LC_ALL": "C",
         # no Debian Contents look-up (apt-file, slow) for each missing archive
         "GORELINK_APT_FILE": ""}, changes)


def run(argv, cwd=None, env=None, timeout=BUILD_TIMEOUT, stdin=b""):
    return harness.run(argv, timeout, cwd=cwd, env=env if env is not None else base_env(),
                       stdin=stdin, result=Result)


def schema_valid(obj, schema, what, r):
    """obj, after checking it against docs/schema/SCHEMA (python3-jsonschema)."""
    errs = sorted(harness.schema_validator(os.path.join(SCHEMA_DIR, schema)).iter_errors(obj),
                  key=lambda e: [str(x) for x in e.absolute_path])
    assert not errs, "%s does not match %s:\n%s\n%r" % (what, schema, "\n".join(
        "%s: %s" % ("/".join(str(x) for x in e.absolute_path) or "(top)", e.message)
        for e in errs), r)
    VALIDATED[schema] += 1
    return obj


def gorelink(args, cwd, env=None, timeout=BUILD_TIMEOUT):
    """Run gorelink ARGS; every --json build report it writes (success or
    failure) is validated against docs/schema/build-v1.schema.json."""
    args = list(args)
    r = run([GORELINK] + args, cwd=cwd, env=env, timeout=timeout)
    own = args[:args.index("--")] if "--" in args else args
    if "--json" in own and own[0] not in ("check", "index", "pkgconf-rewrite") and r.out.strip():
        schema_valid(parse_json(r), "build-v1.schema.json", "the --json report", r)
    return r


def scratch(name):
    """A fresh, empty directory under SCRATCH."""
    return harness.numbered_dir(SCRATCH, name, 0o755)


def example(name):
    d = os.path.join(EXAMPLES, name)
    assert os.path.isfile(os.path.join(d, "go.mod")), "%s: no go.mod" % d
    return d


def listing(d):
    return sorted(os.listdir(d))


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def snapshot(d):
    """name -> sha256 of every file in d (not recursive)."""
    snap = {}
    for n in os.listdir(d):
        p = os.path.join(d, n)
        snap[n] = sha256(p) if os.path.isfile(p) and not os.path.islink(p) else "<%s>" % (
            "link" if os.path.islink(p) else "dir")
    return snap


def parse_json(res):
    try:
        obj = json.loads(res.out)
    except ValueError as e:
        raise AssertionError("stdout is not one JSON object (%s)\n%r" % (e, res))
    assert isinstance(obj, dict), "JSON report is not an object\n%r" % res
    return obj


def readelf(path):
    """What readelf says about the things the verdict rests on."""
    r = run(["readelf", "-hlSdW", path], timeout=RUN_TIMEOUT)
    assert r.rc == 0, "readelf failed\n%r" % r
    info = {
        "type": None,
        "interp": None,
        "needed": re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", r.out),
        "symtab": bool(re.search(r"\]\s+\.symtab\s", r.out)),
        "gnu_stack_memsz": None,
    }
    m = re.search(r"^\s*Type:\s+(\S+)", r.out, re.M)
    info["type"] = m.group(1) if m else None
    m = re.search(r"Requesting program interpreter: ([^\]]+)\]", r.out)
    if m:
        info["interp"] = m.group(1)
    elif re.search(r"^\s+INTERP\s", r.out, re.M):
        info["interp"] = "?"
    m = re.search(r"^\s+GNU_STACK\s+\S+\s+\S+\s+\S+\s+\S+\s+(0x[0-9a-f]+)", r.out, re.M)
    if m:
        info["gnu_stack_memsz"] = int(m.group(1), 16)
    return info


def check_cli(out, allow=()):
    """`gorelink check --json OUT` (with --allow PATTERN...): (rc, object)."""
    argv = ["check", "--json"]
    for a in allow:
        argv += ["--allow", a]
    r = gorelink(argv + [out], cwd=SCRATCH, timeout=RUN_TIMEOUT)
    lines = [l for l in r.out.split("\n") if l.strip()]
    assert len(lines) == 1, "gorelink check --json: want one line\n%r" % r
    obj = schema_valid(json.loads(lines[0]), "check-v2.schema.json", "gorelink check --json", r)
    assert obj.get("schema") == CHECK_SCHEMA, "gorelink check: schema %r" % obj.get("schema")
    return r.rc, obj


def assert_static(out, pie=False):
    """OUT passes `gorelink check` as static (or static-pie) and readelf agrees."""
    want = "static-pie" if pie else "static"
    rc, obj = check_cli(out)
    assert rc == 0 and obj["verdict"] == want and obj["pass"] is True, (
        "gorelink check %s: rc %d, verdict %r, problems %r (want %s)" % (
            out, rc, obj["verdict"], obj.get("problems"), want))
    elf = readelf(out)
    assert elf["interp"] is None, "readelf: PT_INTERP %s" % elf["interp"]
    assert elf["needed"] == [], "readelf: DT_NEEDED %r" % elf["needed"]
    assert elf["type"] == ("DYN" if pie else "EXEC"), "readelf: ELF type %r, want %s" % (
        elf["type"], "DYN" if pie else "EXEC")
    return elf


def archive_paths(report):
    paths = []
    for a in report.get("archives", []):
        if isinstance(a, str):
            paths.append(a)
        elif isinstance(a, dict):
            for k in ("path", "archive", "file"):
                if isinstance(a.get(k), str):
                    paths.append(a[k])
                    break
    return paths


def assert_report(report, out, cwd, mode, verdict, tags=(), no_tags=(), archives=()):
    """The documented members of the --json report, and their agreement with
    the file on disk."""
    assert report.get("schema") == BUILD_SCHEMA, "report schema %r" % report.get("schema")
    missing = [k for k in ("mode", "out", "verdict", "check", "go_command", "link_argv",
                           "archives", "size", "tags") if k not in report]
    assert not missing, "report lacks %s: %s" % (missing, json.dumps(report)[:2000])
    assert report["mode"] == mode, "report mode %r, want %r" % (report["mode"], mode)
    assert os.path.realpath(os.path.join(cwd, report["out"])) == os.path.realpath(out), (
        "report out %r, want %r" % (report["out"], out))
    assert report["verdict"] == verdict, "report verdict %r, want %r" % (report["verdict"], verdict)
    chk = report["check"]
    assert isinstance(chk, dict) and chk.get("schema") == CHECK_SCHEMA, "report check: %r" % chk
    assert chk.get("verdict") == verdict and chk.get("pass") is True, (
        "report check: verdict %r pass %r problems %r" % (
            chk.get("verdict"), chk.get("pass"), chk.get("problems")))
    for k in ("go_command", "link_argv", "archives", "tags"):
        assert isinstance(report[k], list) and report[k] is not None, "report %s: %r" % (k, report[k])
    assert report["go_command"] and all(isinstance(a, str) for a in report["go_command"]), (
        "report go_command %r" % report["go_command"])
    assert report["link_argv"] and all(isinstance(a, str) for a in report["link_argv"]), (
        "report link_argv %r" % report["link_argv"])
    want_flag = {"static": "-static", "static-pie": "-static-pie"}.get(mode)
    if want_flag:
        assert want_flag in report["link_argv"], "link_argv lacks %s: %r" % (
            want_flag, report["link_argv"])
    assert report["size"] == os.path.getsize(out), "report size %r, file has %d bytes" % (
        report["size"], os.path.getsize(out))
    for t in tags:
        assert t in report["tags"], "report tags %r lack %r" % (report["tags"], t)
    for t in no_tags:
        assert t not in report["tags"], "report tags %r hold %r" % (report["tags"], t)
    got = [os.path.basename(p) for p in archive_paths(report)]
    for a in archives:
        assert a in got, "report archives %r lack %s" % (report["archives"], a)


def build(ex_dir, args, go_args=(), env=None, name=None, expect=EXIT_OK, json_report=True):
    """Run `gorelink [--json] -o OUTDIR/NAME ARGS... . [-- GO_ARGS...]` in the
    package directory; OUTDIR is new and must hold exactly NAME afterwards (no
    temporary file left beside it).  Returns (result, report or None, out)."""
    name = name or os.path.basename(ex_dir)
    outdir = scratch("out-" + name)
    out = os.path.join(outdir, name)
    args = list(args)
    # RELINK_E2E_LINKER=L: every build case with --linker=L (issue 15: the
    # evidence for another default linker), unless the case names one.
    if os.environ.get("RELINK_E2E_LINKER") and not any(a.startswith("--linker") for a in args):
        args.append("--linker=" + os.environ["RELINK_E2E_LINKER"])
    argv = (["--json"] if json_report else []) + ["-o", out] + args + ["."]
    if go_args:
        argv += ["--"] + list(go_args)
    # Every build case also links with each installed linker (issue 15):
    # gorelink-ld's GORELINK_LINKER_MATRIX, checked by linker_matrix_check.
    mdir = None
    if expect == EXIT_OK and linker_matrix_on() and not any(a.startswith("--linker") for a in args):
        mdir = os.path.join(SCRATCH, "linker-matrix")  # one path: the no-op key leaves it out anyway
        shutil.rmtree(mdir, ignore_errors=True)
        os.mkdir(mdir)
        env = dict(env if env is not None else base_env(), GORELINK_LINKER_MATRIX=mdir)
    r = gorelink(argv, cwd=ex_dir, env=env)
    assert r.rc == expect, "exit %d, want %d\n%r" % (r.rc, expect, r)
    report = None
    if expect == EXIT_OK:
        assert listing(outdir) == [name], "beside OUT: %r, want only %s" % (listing(outdir), name)
        assert os.access(out, os.X_OK), "%s is not executable" % out
        if json_report:
            report = parse_json(r)
        if mdir:
            linker_matrix_check(mdir, out, report,
                                order_plan_off=(env or {}).get("GORELINK_NO_ORDER_PLAN") == "1")
    return r, report, out


MATRIX_LINKERS = ("bfd", "gold", "lld", "mold")
MATRIX_STATS = {"cases": 0, "links": 0, "runs_compared": 0, "seconds": 0.0, "link_seconds": 0.0,
                "skipped": {}, "known": {}}
# Why gorelink passes a linker over (relink/gr_linker; the matrix writes "# L: skipped: WHY").
MATRIX_SKIPS = ("gold cannot link -static-pie", "keeps musl-gcc's -dynamic-linker",
                "the cross compiler driver does not find it")
# A linker's own limit on a command line (linker, a word of link_argv, its message): the
# final link fails over to GNU ld there (gorelink(1), THE LINKER).
MATRIX_KNOWN = {("mold", "--push-state", "library not found: gcc_s"):
                "mold 1.10 keeps -Bstatic after --pop-state (the driver's -lgcc_s)"}


def linker_matrix_on():
    """RELINK_E2E_MATRIX=0 turns the per-linker relinks off (on by default)."""
    return os.environ.get("RELINK_E2E_MATRIX", "1") != "0"


# With GORELINK_NO_ORDER_PLAN=1 (the archive-order cases) the default linker
# (mold, lld) links archives in any order, and gorelink repairs nothing: GNU
# ld and gold fail on that same command line where mold or lld linked.
MATRIX_ORDER = "bfd and gold need each archive after its users; mold and lld do not (no order plan, no repair)"


def linker_matrix_check(mdir, out, report, order_plan_off=False):
    """The final link of a build case, once more with each installed linker
    (DIR/LINKER and its own --trace in DIR/LINKER.trace): every linker
    links, each one's trace opened the same archives as GNU ld's, each
    binary is static like OUT (static-pie too), and in an empty root it
    exits and prints as OUT does. A case whose link is not static (third
    party, a plain go build) is compared for archives only."""
    t0 = time.monotonic()
    traces = sorted(f for f in os.listdir(mdir) if f.endswith(".trace"))
    if not traces:
        return  # no link ran (up to date, or gorelink-ld not in the link)
    got = {f[:-len(".trace")] for f in traces}
    for prog, linker in (("ld.bfd", "bfd"), ("ld.gold", "gold"), ("ld.lld", "lld"), ("ld.mold", "mold")):
        assert shutil.which(prog), "%s is not on PATH (apt-get install %s)" % (
            prog, LINKER_PACKAGES.get(linker, "binutils"))
    pie = bool(report) and report.get("mode") == "static-pie"
    assert got == set(MATRIX_LINKERS), "linker matrix: traces for %r, want %r" % (sorted(got), MATRIX_LINKERS)
    argv = " ".join((report or {}).get("link_argv") or [])
    archives = {}
    for linker in sorted(got):
        with open(os.path.join(mdir, linker + ".trace"), errors="replace") as f:
            text = f.read()
        skipped = re.match(r"# \S+: skipped: (.*)", text)
        if skipped:
            # What gorelink's auto passes over (gr_linker): said, and counted.
            why = skipped.group(1)
            assert any(w in why for w in MATRIX_SKIPS), "linker matrix: %s skipped: %s" % (linker, why)
            MATRIX_STATS["skipped"].setdefault("%s: %s" % (linker, why), 0)
            MATRIX_STATS["skipped"]["%s: %s" % (linker, why)] += 1
            continue
        known = [k for (l, flag, words), k in MATRIX_KNOWN.items()
                 if l == linker and flag in argv and words in text]
        if (order_plan_off and linker in ("bfd", "gold") and "undefined reference to" in text and
                ((report or {}).get("linker") or {}).get("used") in ("mold", "lld") and
                (report or {}).get("order") == []):
            known = [MATRIX_ORDER]
        if known and text.startswith("# %s: failed" % linker):
            # A limit of that linker on this command line (gorelink fails over to GNU ld).
            MATRIX_STATS["known"].setdefault(known[0], 0)
            MATRIX_STATS["known"][known[0]] += 1
            continue
        assert text.startswith("# %s: linked" % linker), "linker matrix: %s failed where the build linked:\n%s" % (
            linker, text[-4000:])
        archives[linker] = mold_map_archives(text) if linker == "mold" else traced_archives(text)
        m = re.match(r"# \S+: linked in ([0-9.]+) s", text)
        MATRIX_STATS["link_seconds"] += float(m.group(1)) if m else 0.0
    # The reference: GNU ld's archives, else (MATRIX_ORDER) the build's own linker's.
    ref = "bfd" if "bfd" in archives else ((report or {}).get("linker") or {}).get("used")
    assert ref in archives, "linker matrix: GNU ld did not link: %r" % sorted(got)
    for linker in sorted(archives):
        assert archives[linker] == archives[ref], (
            "linker matrix: %s opened other archives than %s: only %s %r, only %s %r" % (
                linker, ref, linker, sorted(archives[linker] - archives[ref]), ref,
                sorted(archives[ref] - archives[linker])))
    MATRIX_STATS["cases"] += 1
    MATRIX_STATS["links"] += len(archives)
    if report and report.get("mode") in ("static", "static-pie") and report.get("verdict") in ("static", "static-pie"):
        try:
            base, _ = run_in_empty_root(out, name="prog")
        except AssertionError:
            base = None  # OUT itself times out or crashes there: nothing to compare with
        if base is not None and base.rc is not None and base.rc >= 0:
            for linker in sorted(archives):
                binary = os.path.join(mdir, linker)
                assert_static(binary, pie=pie)
                res, _ = run_in_empty_root(binary, name="prog")
                assert (res.rc, res.out) == (base.rc, base.out), (
                    "linker matrix: %s's binary in an empty root: %r; OUT's: %r" % (linker, res, base))
                MATRIX_STATS["runs_compared"] += 1
    MATRIX_STATS["seconds"] += time.monotonic() - t0


@contextlib.contextmanager
def empty_root():
    """A directory that holds nothing (mode 0755), removed afterwards."""
    root = tempfile.mkdtemp(prefix="root.", dir=SCRATCH)
    os.chmod(root, 0o755)
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def chroot_argv(root, argv):
    chroot = shutil.which("chroot") or shutil.which("chroot", path="/usr/sbin:/sbin") or "chroot"
    if os.geteuid() == 0:
        return [chroot, root] + argv
    return [shutil.which("unshare") or "unshare", "--user", "--map-root-user", chroot, root] + argv


def install(binary, root, name):
    dst = os.path.join(root, name)
    shutil.copyfile(binary, dst)
    os.chmod(dst, 0o755)
    return "/" + name


def end_process(p):
    """Kill P if it still runs, reap it, close its pipes."""
    if p.poll() is None:
        p.kill()
        p.wait()
    for f in (p.stdout, p.stderr):
        if f:
            f.close()


def run_in_empty_root(binary, args=(), name="prog"):
    """Copy BINARY alone into an empty root and run it there.  Returns
    (result, listing of the root afterwards)."""
    with empty_root() as root:
        prog = install(binary, root, name)
        r = run(chroot_argv(root, [prog] + list(args)), cwd=root, timeout=RUN_TIMEOUT, env={})
        return r, listing(root)


# ------------------------------------------------------------- expectations

def go_env(key, go="go"):
    r = run([go, "env", key], cwd=EXAMPLES, timeout=RUN_TIMEOUT)
    assert r.rc == 0, "go env %s\n%r" % (key, r)
    return r.out.strip()


def bundled_sqlite_version():
    """SQLITE_VERSION of the amalgamation in the go-sqlite3 module that
    examples/sqlite3 requires (downloads it if need be)."""
    if "bundled" not in _cache:
        r = run(["go", "list", "-m", "-f", "{{.Dir}}", SQLITE3_MODULE], cwd=example("sqlite3"))
        assert r.rc == 0 and r.out.strip(), "go list -m %s\n%r" % (SQLITE3_MODULE, r)
        with open(os.path.join(r.out.strip(), "sqlite3-binding.h"), encoding="utf-8",
                  errors="replace") as f:
            m = re.search(r'^#define SQLITE_VERSION\s+"([^"]+)"', f.read(), re.M)
        assert m, "no SQLITE_VERSION in the module's sqlite3-binding.h"
        _cache["bundled"] = m.group(1)
    return _cache["bundled"]


def pkg_modversion(pkg, hint):
    r = run(["pkg-config", "--modversion", pkg], timeout=RUN_TIMEOUT)
    assert r.rc == 0, "pkg-config %s: not installed (install %s)\n%r" % (pkg, hint, r)
    return r.out.strip()


def assert_sqlite_output(r, version):
    want = ["row 1: apple 3", "row 2: banana 5", "row 3: cherry 7",
            "sqlite_version: %s" % version]
    assert r.rc == 0 and r.out.splitlines() == want, "sqlite3 example output, want %r\n%r" % (want, r)


def sqlite_in_empty_root(out, version):
    r, files = run_in_empty_root(out, ["-db", "/demo.db"], name="sq")
    assert_sqlite_output(r, version)
    assert "demo.db" in files, "no /demo.db in the empty root afterwards: %r" % files
    return r


def go_version_m(binary):
    """`go version -m BINARY`: (go version, {build setting: value})."""
    r = run(["go", "version", "-m", binary], timeout=RUN_TIMEOUT)
    assert r.rc == 0, "go version -m\n%r" % r
    first = r.out.split("\n", 1)[0]
    settings = {}
    for line in r.out.splitlines():
        f = line.strip().split("\t")
        if len(f) >= 2 and f[0] == "build" and "=" in f[1]:
            k, v = f[1].split("=", 1)
            settings[k] = v
    return first.split(": ", 1)[-1].strip(), settings


# --------------------------------------------------------------- 1, 2, 8

def sqlite3_bundled(go=None):
    ex = example("sqlite3")
    args = ["--sqlite3"] + (["--go", go] if go else [])
    r, rep, out = build(ex, args, name="sq")
    assert_report(rep, out, ex, "static", "static",
                  tags=("sqlite_omit_load_extension", "netgo", "osusergo"), no_tags=("libsqlite3",))
    if go:
        assert os.path.realpath(rep["go_command"][0]) == os.path.realpath(go), (
            "go_command %r does not run %s" % (rep["go_command"], go))
    assert_static(out)
    sqlite_in_empty_root(out, bundled_sqlite_version())
    return out


@test
def sqlite3_bundled_empty_root():
    sqlite3_bundled()


@test
def sqlite3_system_empty_root():
    version = pkg_modversion("sqlite3", "libsqlite3-dev")
    ex = example("sqlite3")
    r, rep, out = build(ex, ["--sqlite3=system"], name="sq")
    assert_report(rep, out, ex, "static", "static", tags=("libsqlite3", "netgo", "osusergo"),
                  no_tags=("sqlite_omit_load_extension",), archives=("libsqlite3.a", "libz.a"))
    assert_static(out)
    sqlite_in_empty_root(out, version)


@test
def sqlite3_bundled_go119():
    assert os.access(GO119, os.X_OK), "%s missing: apt-get install golang-1.19-go" % GO119
    out = sqlite3_bundled(go=GO119)
    ver, _ = go_version_m(out)
    assert ver.startswith("go1.19"), "built with %r, want go1.19" % ver


# ---------------------------------------------------------------------- 3

@test
def nethttp_serves_from_empty_root():
    ex = example("nethttp")
    r, rep, out = build(ex, ["--static"], name="nethttp")
    assert_report(rep, out, ex, "static", "static", tags=("netgo", "osusergo"))
    assert_static(out)
    with empty_root() as root:
        prog = install(out, root, "nethttp")
        p = subprocess.Popen(chroot_argv(root, [prog, "-addr", "127.0.0.1:0", "-once"]),
                             cwd=root, env={}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + RUN_TIMEOUT
            line = b""
            while not line.endswith(b"\n"):
                left = deadline - time.monotonic()
                ready, _, _ = select.select([p.stdout], [], [], max(left, 0))
                if not ready:
                    raise AssertionError("no 'listening on' line within %d s" % RUN_TIMEOUT)
                c = os.read(p.stdout.fileno(), 1)
                if not c:
                    raise AssertionError("server exited before listening: rc %r, stderr %r" % (
                        p.wait(), p.stderr.read()))
                line += c
            m = re.match(rb"listening on (127\.0\.0\.1:[0-9]+)\n", line)
            assert m, "unexpected first line %r" % line
            url = "http://%s/" % m.group(1).decode()
            # No proxy from the environment for a loopback request.
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            with opener.open(url, timeout=RUN_TIMEOUT) as resp:
                status, body = resp.status, resp.read().decode("utf-8", "replace")
            assert status == 200 and body.startswith("hello from gorelink's nethttp example"), (
                "GET %s: %r %r" % (url, status, body))
            rc = p.wait(timeout=RUN_TIMEOUT)
            assert rc == 0, "server (-once) exited %d: %r" % (rc, p.stderr.read())
        finally:
            end_process(p)


# ---------------------------------------------------------------------- 4

@test
def fortytwo_empty_root():
    ex = example("fortytwo")
    r, rep, out = build(ex, [], name="fortytwo")
    assert_report(rep, out, ex, "static", "static", tags=("netgo", "osusergo"))
    assert_static(out)
    r, _ = run_in_empty_root(out)
    assert r.rc == 0 and r.out == "42\n", "want 42\n%r" % r


@test
def long_link_line_uses_a_response_file():
    """Past ~30 KiB of arguments cmd/link hands gorelink-ld only @response;
    it must still see the final link (and make it static)."""
    ex = example("fortytwo")
    many = " ".join(["-Wl,-z,now"] * 4000)
    r, rep, out = build(ex, ["--print-link"], go_args=["-ldflags", "-extldflags '%s'" % many],
                        name="longlink", json_report=False)
    assert_static(out)
    assert "-static" in r.out.split() and "-Wl,-z,now" in r.out, "print-link: %s" % r.out[:300]
    r, _ = run_in_empty_root(out)
    assert r.rc == 0 and r.out == "42\n", "want 42\n%r" % r


@test
def fortytwo_default_output_name():
    # No -o: the name go build would give, in the current directory.  A copy of
    # the example, so nothing is written into the source tree.
    d = os.path.join(scratch("default-o"), "fortytwo")
    shutil.copytree(example("fortytwo"), d)
    before = set(listing(d))
    r = gorelink(["."], cwd=d)
    assert r.rc == 0, "exit %d\n%r" % (r.rc, r)
    assert set(listing(d)) == before | {"fortytwo"}, "module dir afterwards: %r" % listing(d)
    out = os.path.join(d, "fortytwo")
    assert_static(out)
    r, _ = run_in_empty_root(out)
    assert r.rc == 0 and r.out == "42\n", "want 42\n%r" % r


# ---------------------------------------------------------------------- 5

@test
def static_pie_empty_root():
    ex = example("fortytwo")
    r, rep, out = build(ex, ["--static-pie"], name="fortytwo-pie")
    assert_report(rep, out, ex, "static-pie", "static-pie")
    assert_static(out, pie=True)
    r, _ = run_in_empty_root(out)
    assert r.rc == 0 and r.out == "42\n", "want 42\n%r" % r


@test
def third_party_keeps_only_libc_dynamic():
    version = pkg_modversion("sqlite3", "libsqlite3-dev")
    ex = example("sqlite3")
    r, rep, out = build(ex, ["--third-party", "--sqlite3=system"], name="sq-3p")
    assert rep.get("schema") == BUILD_SCHEMA and rep.get("mode") == "third-party", (
        "report mode %r" % rep.get("mode"))
    chk = rep.get("check") or {}
    assert chk.get("pass") is True, "report check does not pass: %r" % chk
    assert "libsqlite3.a" in [os.path.basename(p) for p in archive_paths(rep)], (
        "report archives %r lack libsqlite3.a" % rep.get("archives"))
    elf = readelf(out)
    assert elf["needed"], "no DT_NEEDED at all: --third-party keeps the C library dynamic"
    bad = [n for n in elf["needed"] if not LIBC_FAMILY.match(n)]
    assert not bad, "DT_NEEDED outside the libc family: %r (all: %r)" % (bad, elf["needed"])
    rc, obj = check_cli(out, allow=["libc.so.*", "libm.so.*", "libpthread.so.*", "libdl.so.*",
                                    "librt.so.*", "libresolv.so.*", "libutil.so.*", "libanl.so.*",
                                    "libmvec.so.*"])
    assert rc == 0 and obj["pass"], "gorelink check --allow <libc family>: rc %d %r" % (
        rc, obj.get("problems"))
    d = scratch("run-3p")
    r = run([out, "-db", os.path.join(d, "demo.db")], cwd=d, timeout=RUN_TIMEOUT)
    assert_sqlite_output(r, version)



@test
def third_party_max_version_names_archives():
    """--third-party --glibc 2.28 on Debian 12: the binary needs GLIBC_2.34
    (__libc_start_main, pthread_create...), so the build fails (exit 1) before
    OUT is replaced, naming the symbols, the remedies and, per symbol, what
    refers to it: libsqlite3.a's members, runtime/cgo's C files, the C
    start-up object; --glibc 2.36 builds."""
    ex = example("sqlite3")
    r, _msg = expect_failure(["--third-party", "--sqlite3=system", "--glibc", "2.28", "."], ex, EXIT_VERDICT,
                             ["is referred to by: "], tag="maxver", go_output=True)
    for w in ("needs symbol versions newer than --max-version allows",
              "needs GLIBC_2.34 from libc.so.6, newer than --max-version GLIBC_2.28",
              'CC="zig cc -target x86_64-linux-gnu.2.28"', "gorelink --static",
              # each too-new symbol with every place that refers to it: an
              # archive's member, the C start-up file, runtime/cgo's C files
              "libsqlite3.a(",
              "gorelink: __libc_start_main (GLIBC_2.34) is referred to by: the C toolchain's ",
              "Go package runtime/cgo (standard library, C file"):
        assert w in r.err, "stderr lacks %r\n%r" % (w, r)
    r, rep, out = build(ex, ["--third-party", "--sqlite3=system", "--glibc", "2.36"], name="sq-maxver")
    chk = rep.get("check") or {}
    assert chk.get("pass") is True, "check does not pass at --glibc 2.36: %r" % chk.get("problems")
    floors = [fl["version"] for n in (chk.get("versions") or {}).get("needed", []) for fl in n["floors"]
              if fl["family"] == "GLIBC_"]
    assert "GLIBC_2.34" in floors, "the report's version floors %r lack GLIBC_2.34" % floors


def floor_lines(err):
    """The "SYM (VERSION) is referred to by: PLACE; PLACE" lines of stderr, by symbol."""
    out = {}
    for line in err.split("\n"):
        m = re.match(r"gorelink: (\S+) \((GLIBC_[0-9.]+)\) is referred to by: (.*)$", line)
        if m:
            out[m.group(1)] = (m.group(2), m.group(3).split("; "))
    return out


@test
def third_party_max_version_names_members_and_packages():
    """--third-party --glibc 2.28 on Debian 12 (glibc 2.36), issue 14: a cgo
    package links libfloor.a, whose member uses.o calls arc4random
    (GLIBC_2.36) and whose member plain.o calls nothing new; the package's own
    C preamble calls closefrom (GLIBC_2.34). The build fails (exit 1, OUT
    untouched) naming, for each too-new symbol, every place that refers to it:
    libfloor.a(uses.o) and not plain.o, the Go package for closefrom,
    runtime/cgo for pthread_*, crt1.o for __libc_start_main; --json carries
    the same as version_refs."""
    mod = make_module("floor", {
        "main.go": 'package main\n\nimport "example.com/floor/sub"\n\nfunc main() { println(sub.Do()) }\n'})
    os.mkdir(os.path.join(mod, "sub"))
    with open(os.path.join(mod, "sub", "sub.go"), "w") as f:
        f.write('package sub\n\n/*\n#cgo LDFLAGS: -L${SRCDIR}/../lib -lfloor\n#include <unistd.h>\n'
                'unsigned floor_random(void);\nint floor_plain(int);\n'
                'static int floor_cl(void) { closefrom(3); return floor_plain(1) + (int)(floor_random() & 1); }\n'
                '*/\nimport "C"\n\nfunc Do() int { return int(C.floor_cl()) }\n')
    lib = os.path.join(mod, "lib")
    os.mkdir(lib)
    for name, text in (("uses.c", "#include <stdlib.h>\nunsigned floor_random(void) { return arc4random(); }\n"),
                       ("plain.c", "#include <string.h>\nint floor_plain(int x) { return x + (int)strlen(\"ab\"); }\n")):
        with open(os.path.join(lib, name), "w") as f:
            f.write(text)
    for argv in (["gcc", "-c", "-O2", "-o", "uses.o", "uses.c"], ["gcc", "-c", "-O2", "-o", "plain.o", "plain.c"],
                 ["ar", "rcs", "libfloor.a", "uses.o", "plain.o"]):
        r = run(argv, cwd=lib)
        assert r.rc == 0, "%s (gcc, binutils)\n%r" % (argv, r)
    archive = os.path.join(lib, "libfloor.a")
    r, _msg = expect_failure(["--third-party", "--glibc", "2.28", "."], mod, EXIT_VERDICT,
                             ["is referred to by: "], tag="floor", go_output=True)
    assert "needs GLIBC_2.36 from libc.so.6, newer than --max-version GLIBC_2.28" in r.err, r
    lines = floor_lines(r.err)
    arc = lines.get("arc4random") or ("", [])
    places = [re.sub(r"^(.*)(\([^()]*\))$", lambda m: os.path.normpath(m.group(1)) + m.group(2), p)
              for p in arc[1]]
    assert arc[0] == "GLIBC_2.36" and places == [archive + "(uses.o)"], (
        "arc4random: want libfloor.a(uses.o) alone, got %r\n%s" % (arc, r.err))
    assert "plain.o" not in r.err, "the member that calls nothing new is named\n%s" % r.err
    assert lines.get("closefrom") == ("GLIBC_2.34", ["Go package example.com/floor/sub (module example.com/floor, "
                                                     "C file sub.cgo2.c)"]), (
        "closefrom: want the Go package, got %r\n%s" % (lines.get("closefrom"), r.err))
    pthread = [s for s in lines if s.startswith("pthread_")]
    assert pthread, "no pthread_* symbol named\n%s" % r.err
    for s in pthread:
        assert any(p.startswith("Go package runtime/cgo (standard library, C file") for p in lines[s][1]), (
            "%s: runtime/cgo not named: %r" % (s, lines[s]))
    start = lines.get("__libc_start_main")
    assert start and any(re.match(r"the C toolchain's /\S*crt1\.o( \(Debian package libc6-dev\))?$", p)
                         for p in start[1]), "__libc_start_main: want crt1.o, got %r" % (start,)
    assert "no input of the link was found to refer to" not in r.err, r.err
    # The same as data (the report is validated against the build schema).
    r, _msg = expect_failure(["--json", "--third-party", "--glibc", "2.28", "."], mod, EXIT_VERDICT,
                             tag="floor-json", go_output=True)
    refs = parse_json(r).get("version_refs") or []
    got = sorted((x["symbol"], x["kind"], x["member"], x["package"]) for x in refs
                 if x["symbol"] in ("arc4random", "closefrom"))
    assert got == [("arc4random", "archive", "uses.o", None), ("closefrom", "cgo", "sub.cgo2.c", "example.com/floor/sub")], (
        "version_refs: %s" % json.dumps(refs, indent=1))
    arc = [x for x in refs if x["symbol"] == "arc4random"][0]
    assert os.path.normpath(arc.get("file") or "") == archive and arc.get("version") == "GLIBC_2.36", arc
    assert any(x["kind"] == "cgo" and x["package"] == "runtime/cgo" and x["module"] is None for x in refs), refs
    assert any(x["kind"] == "toolchain" and x["symbol"] == "__libc_start_main" for x in refs), refs

# ---------------------------------------------------------------------- 6

@test
def pkgconfig_libs_private_only_via_gorelink():
    version = pkg_modversion("libpng", "libpng-dev")
    ex = example("pkgconfig")
    # The hand-written recipe: -static, but only `pkg-config --libs libpng`.
    d = scratch("plain-static")
    plain_out = os.path.join(d, "pkgconfig")
    r = run(["go", "build", "-tags", "netgo,osusergo", "-ldflags",
             "-linkmode=external -extldflags=-static", "-o", plain_out, "."], cwd=ex)
    assert r.rc != 0, "plain static go build of examples/pkgconfig succeeded; the test is moot"
    assert "undefined reference" in r.err, "plain static build failed for another reason\n%r" % r
    assert not os.path.exists(plain_out), "plain build left %s" % plain_out
    r, rep, out = build(ex, [], name="pkgconfig")
    assert_report(rep, out, ex, "static", "static", archives=("libpng16.a", "libz.a"))
    assert_static(out)
    r, _ = run_in_empty_root(out)
    want = ["libpng %s" % version, "png roundtrip ok: 64x48 RGBA"]
    lines = r.out.splitlines()
    assert r.rc == 0 and len(lines) == 2 and lines[0] == want[0] and lines[1].startswith(want[1]), (
        "want %r\n%r" % (want, r))


# ---------------------------------------------------------------------- 7

@test
def user_flags_survive():
    ex = example("flags")
    r, rep, out = build(ex, [], go_args=["-ldflags", "-X main.version=1.2.3 -s -w",
                                         "-tags", "mytag", "-trimpath"], name="flags")
    assert_report(rep, out, ex, "static", "static", tags=("mytag", "netgo", "osusergo"))
    elf = assert_static(out)
    assert not elf["symtab"], "-s: the binary still has .symtab"
    r, _ = run_in_empty_root(out)
    assert r.rc == 0 and r.out.splitlines() == [
        "version: 1.2.3", "tag: mytag is set", "cgo: 42"], "flags example output\n%r" % r
    _, settings = go_version_m(out)
    tags = settings.get("-tags", "").split(",")
    assert "mytag" in tags and "netgo" in tags, "go version -m: -tags=%r" % settings.get("-tags")
    assert settings.get("-trimpath") == "true", "go version -m: -trimpath=%r" % settings.get("-trimpath")


@test
def user_extldflags_and_goflags_survive():
    # The user's own -extldflags is merged with gorelink's (Go keeps only the
    # last one), -tags comes from GOFLAGS, -o from the go flags.
    ex = example("flags")
    d = scratch("out-flags2")
    out = os.path.join(d, "flags2")
    # No output cache: the link runs (its messages are asserted below).
    env = base_env(GOFLAGS="-buildvcs=false -tags=mytag", GORELINK_OUTPUT_CACHE_MAX="0")
    r = gorelink(["--json", ".", "--", "-o", out, "-ldflags",
                  "-X 'main.version=4.5 6' -extldflags=-Wl,-z,stack-size=1048576"], cwd=ex, env=env)
    assert r.rc == 0, "exit %d\n%r" % (r.rc, r)
    assert listing(d) == ["flags2"], "-o after --: %r" % listing(d)
    rep = parse_json(r)
    assert_report(rep, out, ex, "static", "static", tags=("mytag",))
    elf = assert_static(out)
    assert elf["gnu_stack_memsz"] == 1048576, (
        "the user's -extldflags -Wl,-z,stack-size=1048576 was lost: GNU_STACK size %r" % (
            elf["gnu_stack_memsz"],))
    # mold 1.10 ignores -z stack-size ("unknown command line option"): with
    # no --linker (auto: mold) the link runs once more with GNU ld, said (issue 15).
    lk = rep["linker"]
    if lk["chosen"] == "mold":
        assert lk["used"] == "bfd" and lk["failover"] and rep["links"] == 2, "mold and -z stack-size: %r, links %r" % (lk, rep["links"])
        assert "gorelink: mold ignored an option of the link (unknown command line option: -z stack-size=1048576); " \
            "linking once more with GNU ld" in r.err, "the relink with GNU ld is not said\n%r" % r
        assert_build_ids_after_bfd(out, rep, "mold ignored -z stack-size")
        # The link's own sha1 build ID (gorelink's md5 for mold: a style
        # GNU ld knows too, not sha256) and the same relink.
        out3 = os.path.join(d, "flags3")
        r3 = gorelink(["--json", ".", "--", "-o", out3, "-ldflags",
                       "-extldflags '-Wl,-z,stack-size=1048576 -Wl,--build-id=sha1'"], cwd=ex, env=env)
        assert r3.rc == 0, "exit %d\n%r" % (r3.rc, r3)
        rep3 = parse_json(r3)
        assert rep3["linker"]["used"] == "bfd" and rep3["links"] == 2, rep3["linker"]
        assert_build_ids_after_bfd(out3, rep3, "mold ignored -z stack-size, -Wl,--build-id=sha1")
        os.remove(out3)
    r = run([out], cwd=d, timeout=RUN_TIMEOUT)
    assert r.rc == 0 and r.out.splitlines() == [
        "version: 4.5 6", "tag: mytag is set", "cgo: 42"], "flags example output\n%r" % r


@test
def no_default_tags():
    ex = example("flags")
    r, rep, out = build(ex, ["--no-default-tags"], name="flags-nodef")
    assert_report(rep, out, ex, "static", "static", no_tags=("netgo", "osusergo"))
    _, settings = go_version_m(out)
    tags = [t for t in settings.get("-tags", "").split(",") if t]
    assert "netgo" not in tags and "osusergo" not in tags, "go version -m: -tags=%r" % tags
    r, _ = run_in_empty_root(out)
    assert r.rc == 0 and r.out.splitlines()[1] == "tag: mytag is not set", "%r" % r


# ------------------------------------------------- reporting and dry runs

@test
def print_link_is_the_final_link():
    ex = example("fortytwo")
    r, _, out = build(ex, ["--print-link"], name="fortytwo", json_report=False)
    lines = [l for l in r.out.split("\n") if re.search(r"go\.o\b", l)]
    assert len(lines) == 1, "--print-link: want one link line (naming go.o) on stdout\n%r" % r
    argv = shlex.split(lines[0])
    cc = shlex.split(go_env("CC"))[-1]
    assert os.path.basename(argv[0]) in (cc, os.path.basename(cc)) or "cc" in os.path.basename(argv[0]), (
        "link runs %r, want the C compiler (%s)" % (argv[0], cc))
    assert "-static" in argv, "-static not in %r" % argv
    assert any(a.endswith("go.o") for a in argv), "no go.o (Go's object) in %r" % argv
    assert "-o" in argv[:-1], "no -o in %r" % argv


@test
def same_inputs_same_binary():
    """Two builds of the same package give byte-identical binaries, and the
    build information Go embeds names no temporary path (-extld=gorelink-ld),
    so package main comes from the build cache the second time."""
    ex = example("fortytwo")
    _, _, first = build(ex, [], name="fortytwo")
    with open(first, "rb") as f:
        a = f.read()
    r, _, second = build(ex, [], go_args=["-x"], name="fortytwo")
    with open(second, "rb") as f:
        b = f.read()
    assert a == b, "two builds differ (%d and %d bytes)" % (len(a), len(b))
    m = subprocess.run(["go", "version", "-m", second], capture_output=True, text=True, env=base_env())
    assert m.returncode == 0, "go version -m: %s" % m.stderr
    ld = [l for l in m.stdout.split("\n") if "-ldflags=" in l]
    assert ld and "-extld=gorelink-ld" in ld[0] and "/tmp" not in ld[0], (
        "build information -ldflags: %r" % ld)
    assert "WORK=" in r.err, "go build -x printed no commands:\n%s" % tail(r.err)
    compiles = [l for l in r.err.split("\n") if re.search(r"/compile\s", l)]
    assert not compiles, "package main compiled again on a repeated build:\n%s" % "\n".join(compiles)


def logging_exec_wrapper(path, log, real):
    """An ELF program at PATH, compiled here with gcc, that appends its
    arguments (one line) to LOG and execs REAL with them (argv[0] REAL)."""
    src = path + ".c"
    with open(src, "w") as f:
        f.write('#include <stdio.h>\n#include <unistd.h>\n'
                'int main(int argc, char **argv) {\n'
                '  FILE *f = fopen(%s, "a");\n'
                '  if (f) { for (int i = 1; i < argc; i++) fprintf(f, "%%s%%s", i > 1 ? " " : "", argv[i]);\n'
                '           fputc(10, f); fclose(f); }\n'
                '  argv[0] = (char *)%s; execv(argv[0], argv); return 127;\n}\n'
                % (json.dumps(log), json.dumps(real)))
    cc = shutil.which("gcc")
    assert cc, "no gcc (Debian package gcc)"
    c = run([cc, "-o", path, src])
    assert c.rc == 0, "gcc -o %s: %r" % (path, c)
    os.unlink(src)


def probe_wrapper(d, real, extra="", elf=False):
    """D/gcc: logs each run's arguments (one line) to D/log, then runs REAL;
    a script, or with elf a program compiled here (gorelink keeps a driver's
    -print-search-dirs only for an ELF executable: a script may run another
    compiler than its identity names)."""
    w = os.path.join(d, "gcc")
    if elf:
        logging_exec_wrapper(w, os.path.join(d, "log"), real)
        return
    with open(w, "w") as f:
        f.write("#!/bin/sh\n%sprintf '%%s\\n' \"$*\" >> %s\nexec %s \"$@\"\n" % (
            extra, shlex.quote(os.path.join(d, "log")), shlex.quote(real)))
    os.chmod(w, 0o755)


def probe_counts(d):
    """(probe links, final links) the wrapper saw so far: cmd/link's
    linkerFlagSupported runs `CC ... -o DIR/a.out FLAG DIR/trivial.c`."""
    try:
        with open(os.path.join(d, "log")) as f:
            lines = f.read().split("\n")
    except FileNotFoundError:
        return 0, 0
    probes = [l for l in lines if l.endswith("/trivial.c")]
    finals = [l for l in lines if re.search(r"/go\.o( |$)", l)]
    return len(probes), len(finals)


@test
def probe_links_from_the_cache():
    """Issue 15: cmd/link's probe links (linkerFlagSupported) are answered from
    gorelink's cache (kind probe) when the same probe ran with the same
    toolchain before: a second build with a fresh OUT runs none of them
    through the compiler and gives the same static binary; a changed
    compiler runs them again."""
    real = shutil.which("gcc")
    assert real, "no gcc (Debian package gcc)"
    wrap = scratch("probe-wrap")
    probe_wrapper(wrap, real)
    cache = scratch("probe-cache")
    # No output cache (GORELINK_OUTPUT_CACHE_MAX=0): the second build's
    # fresh OUT would come from it without a link (with RELINK_E2E_MATRIX=0).
    env = base_env(PATH=wrap + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin"),
                   GORELINK_CACHE_DIR=cache, CC="gcc", GORELINK_OUTPUT_CACHE_MAX="0")
    ex = example("fortytwo")
    _, _, first = build(ex, [], env=env, name="fortytwo")
    p1, f1 = probe_counts(wrap)
    assert p1 >= 1 and f1 >= 1, "the first build: %d probe and %d final links through %s" % (p1, f1, wrap)
    _, _, second = build(ex, [], env=env, name="fortytwo")
    p2, f2 = probe_counts(wrap)
    assert f2 > f1, "the second build linked nothing through %s" % wrap
    assert p2 == p1, "the second build ran %d probe links again (want 0)" % (p2 - p1)
    assert filecmp.cmp(first, second, shallow=False), "%s and %s differ" % (first, second)
    assert_static(first)
    assert_static(second)
    # Another compiler (the wrapper's content and size change): probes run again.
    probe_wrapper(wrap, real, extra="# changed\n")
    _, _, third = build(ex, [], env=env, name="fortytwo")
    p3, f3 = probe_counts(wrap)
    assert f3 > f2 and p3 - p2 == p1, "after the compiler changed: %d probe links, want %d" % (p3 - p2, p1)
    assert filecmp.cmp(first, third, shallow=False), "%s and %s differ" % (first, third)
    # No cache (GORELINK_CACHE_DIR empty): every probe runs.
    _, _, fourth = build(ex, [], env=dict(env, GORELINK_CACHE_DIR=""), name="fortytwo")
    p4, _ = probe_counts(wrap)
    assert p4 - p3 == p1, "without a cache: %d probe links, want %d" % (p4 - p3, p1)
    assert_static(fourth)



def search_dirs_count(d):
    """How many `-print-search-dirs` runs the probe_wrapper in D saw so far."""
    try:
        with open(os.path.join(d, "log")) as f:
            return sum(1 for l in f.read().split("\n") if l.endswith("-print-search-dirs"))
    except FileNotFoundError:
        return 0


@test
def probe_hits_run_no_compiler():
    """Issue 15: a probe answered from the cache runs no compiler at all: the
    driver's -print-search-dirs the probe key names is kept too (kind
    searchdirs). A second build runs neither probes nor -print-search-dirs
    through the compiler; GCC_EXEC_PREFIX (what the driver reads to find its
    programs) changed: both run again; the binaries are the same."""
    real = shutil.which("gcc")
    assert real, "no gcc (Debian package gcc)"
    wrap = scratch("probe-sd-wrap")
    probe_wrapper(wrap, real, elf=True)
    cache = scratch("probe-sd-cache")
    env = base_env(PATH=wrap + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin"),
                   GORELINK_CACHE_DIR=cache, CC="gcc", GORELINK_OUTPUT_CACHE_MAX="0")
    ex = example("fortytwo")
    _, _, first = build(ex, [], env=env, name="fortytwo")
    p1, _ = probe_counts(wrap)
    s1 = search_dirs_count(wrap)
    assert p1 >= 1 and s1 >= 1, "the first build: %d probes, %d -print-search-dirs through %s" % (p1, s1, wrap)
    _, _, second = build(ex, [], env=env, name="fortytwo")
    p2, _ = probe_counts(wrap)
    s2 = search_dirs_count(wrap)
    assert p2 == p1 and s2 == s1, "the second build ran %d probes and %d -print-search-dirs (want 0, 0)" % (
        p2 - p1, s2 - s1)
    assert filecmp.cmp(first, second, shallow=False), "%s and %s differ" % (first, second)
    # gcc's own default, spelled out: the same programs, another environment.
    prefix = run([real, "-print-search-dirs"], timeout=RUN_TIMEOUT).out.split("\n")[0]
    assert prefix.startswith("install: "), "gcc -print-search-dirs: %r" % prefix
    gep = os.path.dirname(os.path.dirname(prefix[len("install: "):].rstrip("/"))) + "/"
    _, _, third = build(ex, [], env=dict(env, GCC_EXEC_PREFIX=gep), name="fortytwo")
    p3, _ = probe_counts(wrap)
    s3 = search_dirs_count(wrap)
    assert p3 - p2 == p1 and s3 > s2, "GCC_EXEC_PREFIX=%s: %d probes, %d -print-search-dirs (want %d, >0)" % (
        gep, p3 - p2, s3 - s2, p1)
    assert filecmp.cmp(first, third, shallow=False), "%s and %s differ" % (first, third)
    assert_static(third)

# ------------------------------------------------ 16: the embedded manifest

MANIFEST_SECTION = ".note.gorelink.manifest"


def sbom_cli(out, extra=()):
    """`gorelink check --sbom --json [EXTRA] OUT`: (rc, object), schema-checked."""
    r = gorelink(["check", "--sbom", "--json"] + list(extra) + [out], cwd=SCRATCH, timeout=RUN_TIMEOUT)
    lines = [l for l in r.out.split("\n") if l.strip()]
    assert len(lines) == 1, "gorelink check --sbom --json: want one line\n%r" % r
    obj = schema_valid(json.loads(lines[0]), "check-v2.schema.json", "gorelink check --sbom --json", r)
    return r.rc, obj, r


def readelf_out(flags, path):
    r = run(["readelf", flags, path], timeout=RUN_TIMEOUT)
    assert r.rc == 0, "readelf %s (apt-get install binutils)\n%r" % (flags, r)
    return r.out


def manifest_note(path):
    """The descriptor of the manifest note as `readelf -n` shows it (the
    oracle), or None; and the GNU build ID note's line."""
    out = readelf_out("-nW", path)
    desc = None
    m = re.search(r"Displaying notes found in: " + re.escape(MANIFEST_SECTION) +
                  r"\n.*?\n\s+gorelink\s+0x([0-9a-f]+)\s+Unknown note type: \(0x47520001\)\s+"
                  r"description data: ([0-9a-f ]+)", out, re.S)
    if m:
        desc = bytes(int(x, 16) for x in m.group(2).split())
        assert len(desc) == int(m.group(1), 16), "readelf -n: data size %s, %d bytes shown" % (
            m.group(1), len(desc))
    else:
        assert MANIFEST_SECTION not in out, "readelf -n shows %s, unparsed:\n%s" % (MANIFEST_SECTION, out)
    bid = re.findall(r"Build ID: ([0-9a-f]+)", out)
    return desc, bid


# Go's own reader of DWARF (debug/elf decompresses SHF_COMPRESSED sections):
# the compile units, and whether main.main is a subprogram.
DWARF_READER = r"""package main

import (
	"debug/dwarf"
	"debug/elf"
	"fmt"
	"os"
)

func main() {
	f, err := elf.Open(os.Args[1])
	if err != nil {
		panic(err)
	}
	d, err := f.DWARF()
	if err != nil {
		panic(err)
	}
	r := d.Reader()
	units, mainmain := 0, false
	for {
		e, err := r.Next()
		if err != nil {
			panic(err)
		}
		if e == nil {
			break
		}
		switch e.Tag {
		case dwarf.TagCompileUnit:
			units++
		case dwarf.TagSubprogram:
			if e.Val(dwarf.AttrName) == "main.main" {
				mainmain = true
			}
		}
	}
	fmt.Printf("units %d main.main %v\n", units, mainmain)
}
"""


def debug_sections(path):
    """{name: compression} of path's .debug_* sections from readelf -tW (the
    oracle): "ZLIB" (SHF_COMPRESSED, its Chdr's type), or "" when stored as is."""
    out = readelf_out("-tW", path)
    got, name = {}, None
    for line in out.splitlines():
        m = re.match(r"\s+\[\s*\d+\]\s+(\S+)", line)
        if m:
            name = m.group(1)
            if name.startswith(".debug_"):
                got[name] = ""
        elif name in got and re.match(r"\s+(ZLIB|ZSTD),", line):
            got[name] = line.split(",")[0].strip()
    return got


@test
def debug_sections_compressed():
    """Issue 15: cmd/link asks the external linker for zlib-compressed debug
    sections; gorelink-ld links with --compress-debug-sections=none and
    compresses them itself (check/gr_dcomp: libdeflate on every CPU). The
    report's link line says none; every .debug_* section that shrinks is
    SHF_COMPRESSED with a ZLIB Chdr (readelf -t); readelf decodes the same
    DWARF as from the linker's own compression (GORELINK_DEBUG_COMPRESSION=
    linker: the line keeps zlib); Go's debug/dwarf reads it; the same inputs
    give the same bytes; it runs in an empty root; GNU ld too; with
    -ldflags=-w (-Wl,-S) there is nothing to compress; --relink-kit leaves it to the
    linker (its relink runs the line as it ran)."""
    ex = example("fortytwo")
    # No output cache: the second build links (and compresses) again.
    nocache = base_env(GORELINK_OUTPUT_CACHE_MAX="0")
    _, rep, ours = build(ex, [], name="fortytwo", env=nocache)
    _, rep2, again = build(ex, [], name="fortytwo", env=nocache)
    assert "-Wl,--compress-debug-sections=none" in (rep2.get("link_argv") or []), (
        "the second build did not link: %r" % rep2.get("link_argv"))
    _, rep_l, theirs = build(ex, [], name="fortytwo", env=base_env(GORELINK_DEBUG_COMPRESSION="linker"))
    argv, argv_l = rep["link_argv"], rep_l["link_argv"]
    assert "-Wl,--compress-debug-sections=none" in argv and not any("=zlib" in a for a in argv), argv
    assert "-Wl,--compress-debug-sections=zlib" in argv_l and not any("=none" in a for a in argv_l), argv_l
    with open(ours, "rb") as f:
        a = f.read()
    with open(again, "rb") as f:
        assert f.read() == a, "two builds differ"
    ds, ds_l = debug_sections(ours), debug_sections(theirs)
    for want in (".debug_info", ".debug_line", ".debug_abbrev", ".debug_frame"):
        assert ds.get(want) == "ZLIB", "%s is not zlib-compressed: %r" % (want, ds)
        assert ds_l.get(want) == "ZLIB", "the linker's %s: %r" % (want, ds_l)
    assert set(ds) == set(ds_l), "other debug sections than the linker's: %r, %r" % (ds, ds_l)
    for what in ("info", "line", "abbrev", "frames", "aranges", "str", "loc", "Ranges"):
        x = readelf_out("--debug-dump=" + what, ours).replace(ours, "OUT")
        y = readelf_out("--debug-dump=" + what, theirs).replace(theirs, "OUT")
        assert x == y, "readelf --debug-dump=%s decodes differently from the linker's compression" % what
    assert "main.main" in readelf_out("--debug-dump=info", ours), "no main.main in the DWARF"
    d = scratch("dwarf-reader")
    src = os.path.join(d, "main.go")
    with open(src, "w") as f:
        f.write(DWARF_READER)
    outs = []
    for b in (ours, theirs):
        r = run(["go", "run", src, b], cwd=d, timeout=BUILD_TIMEOUT, env=base_env(GOFLAGS="-buildvcs=false",
                                                                                   GO111MODULE="off"))
        assert r.rc == 0 and r.out.startswith("units ") and r.out.strip().endswith("main.main true"), (
            "Go's debug/dwarf on %s\n%r" % (b, r))
        outs.append(r.out)
    assert outs[0] == outs[1], "debug/dwarf: %r, %r" % tuple(outs)
    r, _ = run_in_empty_root(ours)
    assert r.rc == 0 and r.out == "42\n", "want 42 in an empty root\n%r" % r
    # GNU ld: the same.
    _, rep_b, bfd = build(ex, ["--linker=bfd"], name="fortytwo")
    assert "-Wl,--compress-debug-sections=none" in rep_b["link_argv"], rep_b["link_argv"]
    assert debug_sections(bfd).get(".debug_info") == "ZLIB", debug_sections(bfd)
    # -w: cmd/link has the linker drop the DWARF (-Wl,-S): nothing to compress.
    _, rep_w, w = build(ex, [], go_args=["-ldflags=-w"], name="fortytwo")
    assert "-Wl,-S" in rep_w["link_argv"], rep_w["link_argv"]
    assert not debug_sections(w), "-w: debug sections %r" % debug_sections(w)
    # --relink-kit: the linker compresses (the kit's relink runs the line as it ran).
    kit = os.path.join(scratch("dcomp-kit"), "kit")
    _, rep_k, _ = build(ex, ["--relink-kit=" + kit], name="fortytwo")
    assert "-Wl,--compress-debug-sections=zlib" in rep_k["link_argv"], rep_k["link_argv"]


def go_buildid(path):
    r = run(["go", "tool", "buildid", path], timeout=RUN_TIMEOUT)
    assert r.rc == 0, "go tool buildid %s\n%r" % (path, r)
    return r.out.strip()


def assert_build_ids_after_bfd(out, rep, what):
    """A GNU ld relink after mold (failover, an ignored option): OUT has a
    GNU build ID note (NT_GNU_BUILD_ID; GNU ld 2.40 knows no sha256 and
    writes none for it), cmd/link's own --build-id=0xHEX as it is (the
    4 zero bytes are for mold only), and go tool buildid reads Go's."""
    out_n = readelf_out("-nW", out)
    assert "NT_GNU_BUILD_ID" in out_n, "%s: no GNU build ID note after the GNU ld relink:\n%s\n%r" % (
        what, out_n[-800:], [a for a in rep["link_argv"] if "build-id" in a])
    ids = [a for a in rep["link_argv"] if a.startswith("-Wl,--build-id")]
    for a in ids:
        if a.startswith("-Wl,--build-id=0x"):
            assert len(a) == len("-Wl,--build-id=0x") + 40, (
                "%s: cmd/link's 20-byte build ID not restored for GNU ld: %r" % (what, a))
    if ids and ids[-1].startswith("-Wl,--build-id=0x"):  # the last one wins
        hexid = ids[-1][len("-Wl,--build-id=0x"):]
        assert "Build ID: %s" % hexid in out_n, "%s: build ID %s not in\n%s" % (what, hexid, out_n[-800:])
    bid = go_buildid(out)
    assert re.fullmatch(r"[A-Za-z0-9_-]{20}(/[A-Za-z0-9_-]{20}){3}", bid), "%s: go tool buildid %r" % (what, bid)


def without(obj, *keys):
    return {k: v for k, v in obj.items() if k not in keys}


@test
def embedded_manifest():
    """Issue 16: a gorelink binary carries its manifest in a non-allocated
    ELF note that `readelf -n` shows and `gorelink check --sbom` reads back;
    --no-manifest leaves it out. Embedding changes neither the verdict of
    check (its JSON but path), nor readelf -lW, nor the GNU build ID, nor
    the action half of Go's build ID; the same inputs give the same bytes;
    the binary still runs in an empty root; strip keeps the note, objcopy
    --remove-section drops it (check --sbom: exit 3); a corrupt note is
    exit 2 under --sbom and changes nothing without it."""
    ex = example("fortytwo")
    _, rep_m, with_m = build(ex, [], name="fortytwo")
    _, _, again = build(ex, [], name="fortytwo")
    _, _, no_m = build(ex, ["--no-manifest"], name="fortytwo")
    with open(with_m, "rb") as f:
        a = f.read()
    with open(again, "rb") as f:
        assert f.read() == a, "two builds with the manifest differ"

    # The oracle: readelf -n shows our note; its descriptor is what check reads, and a NUL.
    desc, bid = manifest_note(with_m)
    assert desc is not None, "readelf -n shows no gorelink manifest note in %s:\n%s" % (
        with_m, readelf_out("-nW", with_m))
    rc, obj, r = sbom_cli(with_m)
    assert rc == 0, "check --sbom: exit %d\n%r" % (rc, r)
    man = obj["manifest"]
    assert isinstance(man, dict) and man["format"] == "gorelink-manifest/1", "manifest %r" % man
    assert desc == json.dumps(man, separators=(",", ":")).encode() + b"\0", (
        "the note's descriptor is not the manifest check --sbom reads:\n%r\n%r" % (desc, man))
    assert man.get("archives"), "the manifest lists no archive: %r" % man
    for ar in man["archives"]:
        assert os.path.isfile(ar["path"]) and sha256(ar["path"]) == ar["sha256"], "archive %r" % ar
    # The real manifest (not the archives of the command line): what the
    # linker's trace loaded, members included, the Go side, and its compact form.
    # The linker that linked (issue 15): no --linker is auto's (mold here); GNU ld by name.
    asked = os.environ.get("RELINK_E2E_LINKER")
    asked = asked if asked not in (None, "", "auto") else "mold"
    assert man.get("linker") == rep_m["linker"]["used"] == asked and man.get("go", "").startswith("go"), (
        "manifest %r, report linker %r" % (man, rep_m["linker"]))
    _, _, bfd_m = build(ex, ["--linker=bfd"], name="fortytwo")
    rc, obj_bfd, r = sbom_cli(bfd_m)
    man_bfd = obj_bfd["manifest"]
    assert rc == 0 and man_bfd.get("linker") == "bfd", "--linker=bfd: manifest %r\n%r" % (man_bfd, r)
    assert [(a["path"], a["members"]) for a in man_bfd["archives"]] == [
        (a["path"], a["members"]) for a in man["archives"]], (
        "GNU ld's manifest loaded other archives or members:\n%r\n%r" % (man_bfd["archives"], man["archives"]))
    assert all(ar["members"] for ar in man["archives"]), "an archive without members: %r" % man["archives"]
    assert man.get("objects") and "go.o" in [o["name"] for o in man["objects"]], "objects %r" % man.get("objects")
    assert man["compact"].startswith("gorelink-manifest/1\n") and man["compact"].endswith("end\n"), man["compact"]
    sec = readelf_out("-SW", with_m)
    m = re.search(r"\]\s+" + re.escape(MANIFEST_SECTION) + r"\s+NOTE\s+0+\s+\S+\s+\S+\s+\S+\s+(\S*)\s", sec)
    assert m and "A" not in m.group(1), "%s is not a non-allocated note:\n%s" % (MANIFEST_SECTION, sec)
    r = gorelink(["check", "--sbom", with_m], cwd=SCRATCH, timeout=RUN_TIMEOUT)
    assert r.rc == 0 and "manifest: gorelink-manifest/1" in r.out and "archives: " in r.out, (
        "check --sbom (plain)\n%r" % r)

    # --no-manifest: no section; check --sbom says so (exit 3); the rest is the same.
    assert MANIFEST_SECTION not in readelf_out("-SW", no_m), "--no-manifest left %s" % MANIFEST_SECTION
    rc3, obj3, r = sbom_cli(no_m)
    assert rc3 == 3 and obj3["manifest"] is None, "check --sbom without a manifest: exit %d\n%r" % (rc3, r)
    r = gorelink(["check", "--sbom", no_m], cwd=SCRATCH, timeout=RUN_TIMEOUT)
    assert r.rc == 3 and "manifest: none" in r.out, "check --sbom (plain, none)\n%r" % r
    rc1, c1 = check_cli(with_m)
    rc2, c2 = check_cli(no_m)
    assert rc1 == rc2 == 0 and without(c1, "path") == without(c2, "path"), (
        "check --json differs with the manifest:\n%r\n%r" % (c1, c2))
    assert "manifest" not in c1, "check --json without --sbom has a manifest member"
    assert without(obj, "manifest") == c1, "check --sbom --json is not check --json plus manifest"
    assert readelf_out("-lW", with_m) == readelf_out("-lW", no_m), "readelf -lW differs with the manifest"
    # static-pie has a dynamic section: the same with and without the manifest.
    _, _, pie_m = build(ex, ["--static-pie"], name="fortytwo")
    _, _, pie_no = build(ex, ["--static-pie", "--no-manifest"], name="fortytwo")
    # (its manifest is its own: static-pie links other crt objects)
    pie_desc = manifest_note(pie_m)[0]
    assert pie_desc is not None and manifest_note(pie_no)[0] is None, "static-pie notes"
    assert json.loads(pie_desc[:-1])["compact"] != man["compact"], "static-pie: the static link's manifest"
    for flags in ("-lW", "-dW"):
        assert readelf_out(flags, pie_m) == readelf_out(flags, pie_no), (
            "readelf %s differs with the manifest (static-pie)" % flags)
    assert "(RELA)" in readelf_out("-dW", pie_m), "static-pie without a dynamic section?"
    _, bid2 = manifest_note(no_m)
    assert bid == bid2, "GNU build ID %r, %r without the manifest" % (bid, bid2)
    g1, g2 = go_buildid(with_m), go_buildid(no_m)
    assert g1.split("/")[0] == g2.split("/")[0], "Go build ID action part: %s, %s" % (g1, g2)
    r, _ = run_in_empty_root(with_m)
    assert r.rc == 0 and r.out == "42\n", "want 42 in an empty root\n%r" % r

    d = scratch("manifest-strip")
    stripped = os.path.join(d, "stripped")
    r = run(["strip", "-o", stripped, with_m], timeout=RUN_TIMEOUT)
    assert r.rc == 0, "strip (apt-get install binutils)\n%r" % r
    rc, objs, r = sbom_cli(stripped)
    assert rc == 0 and objs["manifest"] == man, "after strip: exit %d, manifest %r\n%r" % (rc, objs["manifest"], r)
    removed = os.path.join(d, "removed")
    r = run(["objcopy", "--remove-section", MANIFEST_SECTION, with_m, removed], timeout=RUN_TIMEOUT)
    assert r.rc == 0, "objcopy (apt-get install binutils)\n%r" % r
    rc, objr, r = sbom_cli(removed)
    assert rc == 3 and objr["manifest"] is None, "after objcopy --remove-section: exit %d\n%r" % (rc, r)

    # A corrupt note: exit 2 and an error object under --sbom; the plain check does not read it.
    corrupt = os.path.join(d, "corrupt")
    at = a.rindex(b"gorelink\0\0\0\0{") + 12
    with open(corrupt, "wb") as f:
        f.write(a[:at] + b"x" + a[at + 1:])
    os.chmod(corrupt, 0o755)
    rc, objc, r = sbom_cli(corrupt)
    assert rc == 2 and objc["verdict"] == "error" and objc["error"]["code"] == "format", (
        "corrupt manifest: exit %d\n%r" % (rc, r))
    assert "not a JSON object" in r.err, "corrupt manifest: stderr\n%r" % r
    rc, objc = check_cli(corrupt)
    assert rc == 0 and without(objc, "path") == without(c1, "path"), "check of a corrupt manifest: %d" % rc


@test
def verbose_logs_steps():
    ex = example("fortytwo")
    # No output cache: an earlier fortytwo build would give this one its
    # binary (steps outcache, no link) with RELINK_E2E_MATRIX=0.
    r, _, out = build(ex, ["-v"], name="fortytwo", json_report=False, env=base_env(GORELINK_OUTPUT_CACHE_MAX="0"))
    # docs/gorelink.1 (-v): `gorelink: STEP  SECONDS  DETAIL`, the step
    # left-aligned in 9 columns, the seconds as %6.2f; stderr is nothing else.
    steps = [l for l in r.err.split("\n") if l]
    cc = subprocess.run(["go", "env", "CC"], cwd=ex, stdout=subprocess.PIPE, text=True).stdout.strip()
    # The linker (issue 15): no --linker is auto's choice (mold, installed
    # for the linker matrix), said with why; a --linker named is said as is.
    asked = os.environ.get("RELINK_E2E_LINKER") or "auto"
    linker = r"mold \(auto: the fastest installed that can link --static\)" if asked == "auto" else re.escape(asked)
    want = [("go env", re.escape(cc)),
            ("cache key", r"[0-9a-f]{32}: \d+ \.pc files, \d+ bytes, in \d+ director(y|ies)"),
            ("linker", linker),
            ("go build", "exited with status 0"), ("check", "static"), ("install", re.escape(out))]
    assert len(steps) == len(want), "-v: want the %d step lines %r on stderr\n%r" % (
        len(want), [w[0] for w in want], r)
    for line, (step, detail) in zip(steps, want):
        m = re.match(r"gorelink: (.{9}) ( *\d+\.\d\d)s  (.*)$", line)
        assert m and m.group(1) == "%-9s" % step and m.group(2) == "%6.2f" % float(m.group(2)) \
            and re.fullmatch(detail, m.group(3)), (
            "-v: step line %r, want `gorelink: %-9s %%6.2fs  %s`\n%r" % (line, step, detail, r))


@test
def dry_run_writes_nothing():
    ex = example("fortytwo")
    d = scratch("dry-run")
    out = os.path.join(d, "fortytwo")
    r = gorelink(["--dry-run", "-o", out, "."], cwd=ex)
    assert r.rc == 0, "exit %d\n%r" % (r.rc, r)
    assert listing(d) == [], "--dry-run wrote %r" % listing(d)
    assert re.search(r"\bgo\b.*\bbuild\b", r.out), "--dry-run: no go command on stdout\n%r" % r
    assert re.search(r"(^|\s)-static(\s|$)", r.out), "--dry-run: no link line with -static\n%r" % r
    # An existing OUT stays as it is.
    with open(out, "wb") as f:
        f.write(b"previous OUT\n")
    r = gorelink(["--dry-run", "-o", out, "."], cwd=ex)
    assert r.rc == 0, "exit %d\n%r" % (r.rc, r)
    assert listing(d) == ["fortytwo"] and open(out, "rb").read() == b"previous OUT\n", (
        "--dry-run touched OUT's directory: %r" % listing(d))


# -------------------------------------------------------------- 9: bad input

def make_module(name, files):
    d = os.path.join(scratch("mod-" + name), name)
    os.mkdir(d)
    files = dict(files)
    files.setdefault("go.mod", "module example.com/%s\n\ngo 1.19\n" % name)
    for fn, text in files.items():
        with open(os.path.join(d, fn), "w") as f:
            f.write(text)
    return d


def existing_out(tag):
    """An OUT that exists already (with recognisable content) in a new directory."""
    d = scratch("existing-" + tag)
    out = os.path.join(d, "prog")
    with open(out, "wb") as f:
        f.write(b"#!/bin/sh\necho previous build of %s\n" % tag.encode())
    os.chmod(out, 0o755)
    return out


def expect_failure(args, cwd, code, words=(), env=None, tag="fail", go_output=False, out=None):
    """Run gorelink -o OUT ARGS... with an existing OUT; assert the exit code,
    a `gorelink: ...` line on stderr naming the cause (WORDS, case-insensitive),
    and that OUT's directory is byte-for-byte as before.  Unless GO_OUTPUT
    (go build's own diagnostics may come first), stderr is exactly that line."""
    out = out or existing_out(tag)
    d = os.path.dirname(out)
    before = snapshot(d)
    r = gorelink(["-o", out] + list(args), cwd=cwd, env=env)
    assert r.rc == code, "exit %d, want %d\n%r" % (r.rc, code, r)
    lines = [l for l in r.err.split("\n") if l.strip()]
    assert lines, "nothing on stderr\n%r" % r
    if go_output:
        mine = [l for l in lines if l.startswith("gorelink: ")]
        assert mine, "no 'gorelink: ...' line on stderr\n%r" % r
        msg = mine[-1]
    else:
        assert len(lines) == 1 and lines[0].startswith("gorelink: "), (
            "want one 'gorelink: ...' line on stderr\n%r" % r)
        msg = lines[0]
    for w in words:
        assert w.lower() in msg.lower(), "error line does not mention %r: %s" % (w, msg)
    after = snapshot(d)
    assert after == before, "OUT's directory changed: before %r, after %r" % (before, after)
    return r, msg


@test
def bad_missing_package():
    expect_failure(["./nosuchdir"], example("fortytwo"), EXIT_BUILD, ["nosuchdir"], go_output=True)


@test
def bad_not_main_package():
    d = make_module("notmain", {"lib.go": (
        "// Package notmain is a cgo library, not a command.\npackage notmain\n\n"
        "// static int seven(void) { return 7; }\nimport \"C\"\n\n"
        "// Seven returns 7.\nfunc Seven() int { return int(C.seven()) }\n")})
    expect_failure(["."], d, EXIT_USAGE, ["not a main package"])


@test
def bad_go_missing():
    expect_failure(["--go", "/nonexistent/go", "."], example("fortytwo"), EXIT_BUILD,
                   ["/nonexistent/go"])


@test
def bad_no_go_on_path():
    # Only go goes: a directory holding go (Debian's golang-go puts it in
    # /usr/bin, beside gcc) is replaced by a shadow of symlinks to everything
    # else in it.
    dirs = []
    for p in os.environ.get("PATH", "").split(":"):
        if p and os.access(os.path.join(p, "go"), os.X_OK):
            shadow = scratch("path-without-go")
            for n in os.listdir(p):
                if n != "go":
                    os.symlink(os.path.join(p, n), os.path.join(shadow, n))
            p = shadow
        dirs.append(p)
    env = base_env(PATH=":".join(dirs), GOROOT=None)
    assert shutil.which("go", path=env["PATH"]) is None
    assert shutil.which("gcc", path=env["PATH"]) or shutil.which("cc", path=env["PATH"]), (
        "no C compiler left on %s" % env["PATH"])
    expect_failure(["."], example("fortytwo"), EXIT_BUILD, ["go"], env=env)


@test
def bad_no_c_compiler():
    expect_failure(["."], example("fortytwo"), EXIT_BUILD, ["/nonexistent/cc"],
                   env=base_env(CC="/nonexistent/cc"))


@test
def bad_cgo_disabled():
    expect_failure(["."], example("fortytwo"), EXIT_BUILD, ["CGO_ENABLED"],
                   env=base_env(CGO_ENABLED="0"))


@test
def bad_unknown_preset():
    expect_failure(["--sqlite3=bogus", "."], example("sqlite3"), EXIT_USAGE, ["bogus"])


@test
def bad_unknown_preset_name():
    expect_failure(["--preset", "nosuch", "."], example("fortytwo"), EXIT_USAGE, ["nosuch"])


@test
def bad_unknown_pkg():
    expect_failure(["--pkg", "nosuchpkg", "."], example("fortytwo"), EXIT_USAGE, ["nosuchpkg"])


@test
def bad_missing_archive():
    # A .pc naming -lnoarchive: the shared library exists, the archive does not.
    base = scratch("noarchive")
    pc, lib = os.path.join(base, "pc"), os.path.join(base, "lib")
    os.mkdir(pc)
    os.mkdir(lib)
    src = os.path.join(base, "noarchive.c")
    with open(src, "w") as f:
        f.write("int noarchive_answer(void) { return 42; }\n")
    r = run(["gcc", "-shared", "-fPIC", "-o", os.path.join(lib, "libnoarchive.so"), src],
            timeout=RUN_TIMEOUT)
    assert r.rc == 0, "gcc -shared\n%r" % r
    with open(os.path.join(pc, "noarchive.pc"), "w") as f:
        f.write("libdir=%s\n\nName: noarchive\nDescription: only a shared library\n"
                "Version: 1.0\nLibs: -L${libdir} -lnoarchive\nCflags:\n" % lib)
    env = base_env(PKG_CONFIG_PATH=pc)
    r, _ = expect_failure(["--pkg", "noarchive", "."], example("fortytwo"), EXIT_VERDICT,
                          ["noarchive"], env=env, go_output=True)
    assert "wanted by: --pkg noarchive" in r.err, "the explanation does not name --pkg noarchive\n%r" % r
    # The same library asked for with --lib is explained as --lib's.
    env = base_env(LIBRARY_PATH=lib)
    r, _ = expect_failure(["--lib", "-lnoarchive", "."], example("fortytwo"), EXIT_VERDICT,
                          ["noarchive"], env=env, go_output=True, tag="lib-noarchive")
    assert "wanted by: --lib" in r.err, "the explanation does not name --lib\n%r" % r


@contextlib.contextmanager
def read_only_dir(out_name, content):
    """A directory holding OUT_NAME (with CONTENT) in which nothing can be
    created, even by root: a tmpfs remounted read-only, else an immutable
    (chattr +i) directory, else (not root) mode 0555."""
    d = scratch("readonly")
    out = os.path.join(d, out_name)
    undo = None
    if os.geteuid() == 0:
        if run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0755", "gorelink-e2e", d],
               timeout=RUN_TIMEOUT).rc == 0:
            with open(out, "wb") as f:
                f.write(content)
            if run(["mount", "-o", "remount,ro", d], timeout=RUN_TIMEOUT).rc == 0:
                undo = ["umount", d]
            else:
                run(["umount", d], timeout=RUN_TIMEOUT)
        if undo is None:
            with open(out, "wb") as f:
                f.write(content)
            if run(["chattr", "+i", d], timeout=RUN_TIMEOUT).rc == 0:
                undo = ["chattr", "-i", d]
        assert undo is not None, "cannot make a read-only directory here (mount, chattr +i)"
    else:
        with open(out, "wb") as f:
            f.write(content)
        os.chmod(d, 0o555)
    try:
        try:
            with open(os.path.join(d, "probe"), "wb"):
                pass
        except OSError:
            pass
        else:
            raise AssertionError("the read-only directory %s is writable" % d)
        yield out
    finally:
        if undo:
            run(undo, timeout=RUN_TIMEOUT)
        else:
            os.chmod(d, 0o755)


@test
def bad_read_only_out_dir():
    with read_only_dir("fortytwo", b"previous OUT\n") as out:
        _, msg = expect_failure(["."], example("fortytwo"), EXIT_BUILD, [], out=out, go_output=True)
        d = os.path.dirname(out)
        assert d in msg or "read-only" in msg.lower() or "writ" in msg.lower(), (
            "error line does not say the directory is not writable: %s" % msg)


@test
def bad_empty_out():
    """-o '' is a usage error; nothing is written in the current directory."""
    mod = make_module("emptyout", {"main.go": 'package main\n\nimport "C"\n\nfunc main() {}\n'})
    before = snapshot(mod)
    r = gorelink(["-o", "", "."], cwd=mod)
    assert r.rc == EXIT_USAGE, "exit %d, want %d\n%r" % (r.rc, EXIT_USAGE, r)
    assert "-o is empty" in r.err, "stderr does not name the empty -o\n%r" % r
    assert snapshot(mod) == before, "the package directory changed: %r" % listing(mod)


@test
def bad_goos_darwin_on_linux():
    """GOOS=darwin needs a Mac (the SDK and ld64): exit 2 with a line that
    points at pkgconf-rewrite --target; another GOOS is named as unsupported."""
    ex = example("fortytwo")
    _, msg = expect_failure(["."], ex, EXIT_BUILD, words=("GOOS=darwin", "Mac", "--target"),
                            env=base_env(GOOS="darwin", GOARCH="arm64"), tag="goos-darwin")
    _, msg = expect_failure(["."], ex, EXIT_BUILD, words=("GOOS=windows", "linux and darwin"),
                            env=base_env(GOOS="windows"), tag="goos-windows")


@test
def bad_conflict_linkmode_internal():
    expect_failure([".", "--", "-ldflags=-linkmode=internal"], example("fortytwo"), EXIT_USAGE,
                   ["linkmode"])


@test
def bad_conflict_static_third_party():
    expect_failure(["--static", "--third-party", "."], example("fortytwo"), EXIT_USAGE,
                   ["--static", "--third-party"])


@test
def bad_conflict_third_party_bstatic():
    """--third-party with an -extldflags that leaves -Bstatic in force where the
    C library comes is a static link: a conflict; a closed -Bstatic span is not
    (gr_bstate follows -Wl, parts, push/pop and synonyms)."""
    ex = example("fortytwo")
    for i, flags in enumerate(("-Wl,-Bstatic", "-Wl,-Bdynamic,-dn", "-Wl,--push-state,-Bstatic",
                               "-static-pie")):
        expect_failure(["--third-party", ".", "--", "-ldflags=-extldflags '%s'" % flags], ex, EXIT_USAGE,
                       ["-extldflags", "contradicts --third-party"], tag="3p-bstatic-%d" % i)
    for i, flags in enumerate(("-Wl,-Bstatic -lz -Wl,-Bdynamic", "-Wl,--push-state,-Bstatic -lz -Wl,--pop-state")):
        r, rep, out = build(ex, ["--third-party"], go_args=["-ldflags=-extldflags '%s'" % flags],
                            name="3p-span-%d" % i)
        assert rep.get("verdict") == "dynamic" and (rep.get("check") or {}).get("pass") is True, (
            "verdict %r, check %r\n%r" % (rep.get("verdict"), rep.get("check"), r))
        assert "libz.a" in [os.path.basename(p) for p in archive_paths(rep)], (
            "the -lz inside the span is not libz.a: %r" % rep.get("archives"))


@test
def bad_conflict_two_outputs():
    """gorelink's own -o twice: the same OUT is fine, two different ones are a
    usage error found before the build (no JSON report, OUT untouched)."""
    ex = example("fortytwo")
    other = os.path.join(scratch("two-outputs"), "other")
    r, msg = expect_failure(["-o", other, "."], ex, EXIT_USAGE, ["two outputs", other])
    assert not os.path.exists(other), "the second -o was written"
    out = existing_out("two-outputs-json")
    r = gorelink(["--json", "-o", out, "-o", other, "."], cwd=ex)
    assert (r.rc, r.out) == (EXIT_USAGE, ""), "--json with two -o: want exit 64 and no JSON\n%r" % r
    d = scratch("same-output")
    out = os.path.join(d, "fortytwo")
    r = gorelink(["--dry-run", "-o", out, "-o", out, "."], cwd=ex)
    assert r.rc == EXIT_OK and "would build: " in r.out, "the same -o twice\n%r" % r
    assert listing(d) == [], "--dry-run wrote %r" % listing(d)


@test
def bad_conflict_second_preset():
    ex = example("fortytwo")
    for args in (["--preset", "sqlite3", "--sqlite3=system"], ["--sqlite3", "--sqlite3"],
                 ["--sqlite3", "--preset", "sqlite3"]):
        expect_failure(args + ["."], ex, EXIT_USAGE, ["one preset at a time"], tag="preset2")


@test
def bad_conflict_allow_dynamic_static():
    ex = example("fortytwo")
    for args, mode in ((["--allow-dynamic", "z", "--static"], "--static"),
                       (["--static", "--allow-dynamic", "-lz"], "--static"),
                       (["--static-pie", "--allow-dynamic", "z"], "--static-pie")):
        expect_failure(args + ["."], ex, EXIT_USAGE, ["--allow-dynamic", "-lz", mode + " binary"],
                       tag="allowdyn")


@test
def pkg_version_constraint():
    """--pkg 'NAME >= V': met, the package's archive is linked; unmet, a usage
    error naming the constraint and the version found (pkg-config's words)."""
    ex = example("fortytwo")
    r, rep, out = build(ex, ["--pkg", "zlib >= 1.0"], name="fortytwo")
    assert "libz.a" in [os.path.basename(p) for p in archive_paths(rep)], (
        "--pkg 'zlib >= 1.0': libz.a not linked: %r" % rep["archives"])
    expect_failure(["--pkg", "zlib >= 999", "."], ex, EXIT_USAGE,
                   ["zlib >= 999", "could not be satisfied", "required version is '>= 999'"],
                   tag="pkgver")


def badinterp_module():
    """A cgo program whose C object carries a .interp section: linked by GNU
    ld (--linker=bfd), the result asks for a loader, so its verdict is never
    static. (mold and lld make no PT_INTERP of an input's .interp in a static
    link: their binary is static; the cases using this fixture are about the
    verdict, so they name GNU ld.)"""
    return make_module("badinterp", {
        "main.go": ("// badinterp links an object with a .interp section.\npackage main\n\n"
                    "// int answer(void);\nimport \"C\"\n\nimport \"fmt\"\n\n"
                    "func main() { fmt.Println(int(C.answer())) }\n"),
        "interp.c": ('__attribute__((section(".interp"), used))\n'
                     'const char gorelink_test_interp[] = "/lib64/ld-linux-x86-64.so.2";\n'
                     "int answer(void) { return 42; }\n"),
    })


@test
def wrong_verdict_exit_1_out_untouched():
    expect_failure(["--linker=bfd", "."], badinterp_module(), EXIT_VERDICT, [], go_output=True)


@test
def keep_failed_keeps_rejected_binary():
    out = existing_out("keep-failed")
    d = os.path.dirname(out)
    before = snapshot(d)
    r = gorelink(["--keep-failed", "--linker=bfd", "-o", out, "."], cwd=badinterp_module())
    assert r.rc == EXIT_VERDICT, "exit %d, want %d\n%r" % (r.rc, EXIT_VERDICT, r)
    assert sha256(out) == before["prog"], "OUT changed"
    new = [n for n in listing(d) if n not in before]
    assert len(new) == 1, "want one kept file beside OUT, got %r" % new
    kept = os.path.join(d, new[0])
    assert new[0] != "prog" and not new[0].startswith("."), "kept as %r" % new[0]
    # docs/gorelink.1 (--keep-failed): OUT.rejected, next to OUT.
    assert new == ["prog.rejected"], "kept as %r, want OUT.rejected (prog.rejected)" % new
    assert new[0] in r.err, "stderr does not name the kept file %s\n%r" % (new[0], r)
    elf = readelf(kept)
    assert elf["interp"], "the kept file is not the rejected binary (no PT_INTERP)"


# ------------------------------------------- 10: diagnosing static links

def glibc_libm_archive():
    """The archive behind -lm: Debian's libm.a is a linker script naming
    libm-<glibc version>.a, which is what the diagnosis should name."""
    r = run(["gcc", "-print-file-name=libm.a"], timeout=RUN_TIMEOUT)
    assert r.rc == 0 and os.path.isabs(r.out.strip()), "gcc -print-file-name=libm.a\n%r" % r
    path = os.path.realpath(r.out.strip())
    with open(path, "rb") as f:
        head = f.read(4096)
    if head.startswith(b"!<arch>"):
        return os.path.basename(path)
    m = re.search(rb"(libm-[0-9.]+\.a)", head)
    assert m, "%s is neither an archive nor a script naming libm-VERSION.a" % path
    return m.group(1).decode()


def finding(rep, symbol):
    """The JSON finding for SYMBOL (the first one), or an AssertionError."""
    fs = rep.get("findings")
    assert isinstance(fs, list), "report has no findings list: %s" % json.dumps(rep)[:2000]
    for f in fs:
        if isinstance(f, dict) and f.get("symbol") == symbol:
            return f
    raise AssertionError("no finding for %s; findings: %s" % (symbol, json.dumps(fs)[:3000]))


def undefined_said(err, used, sym_re):
    """Whether the linker USED (report linker.used) said on stderr that a
    symbol matching SYM_RE is undefined: GNU ld's and gold's "undefined
    reference to `SYM'", mold's and lld's "undefined symbol: SYM"."""
    if used in ("mold", "lld"):
        return re.search(r"undefined symbol: " + sym_re, err) is not None
    return re.search(r"undefined reference to [`']" + sym_re, err) is not None


# The two linkers the diagnosis cases link with (issue 15): GNU ld by name,
# and no --linker (auto: mold here); the diagnosis is the same with each.
DIAG_LINKERS = (["--linker=bfd"], [])


@test
def diagnose_libsqlite3_without_libs_private():
    """-tags libsqlite3 without --sqlite3=system: cgo's bare -lsqlite3 becomes
    Debian's libsqlite3.a, whose func.o needs libm: the link fails, and the
    diagnosis names glibc's libm archive and --lib -lm. (--no-infer: by
    default sqlite3.pc's Libs.private is inferred and the link succeeds, see
    infer_libsqlite3_bare_l.)"""
    pkg_modversion("sqlite3", "libsqlite3-dev")
    for lk in DIAG_LINKERS:
        diagnose_libsqlite3_without_libs_private_with(lk)


def diagnose_libsqlite3_without_libs_private_with(lk):
    """diagnose_libsqlite3_without_libs_private with the options LK (a DIAG_LINKERS entry)."""
    libm = glibc_libm_archive()
    ex = example("sqlite3")
    r, _, out = build(ex, ["--no-infer"] + lk, go_args=["-tags", "libsqlite3"], name="sq-nolibm", expect=EXIT_BUILD)
    assert listing(os.path.dirname(out)) == [], "a failed build left %r" % listing(os.path.dirname(out))
    used = parse_json(r)["linker"]["used"]
    assert used == "bfd" or lk != ["--linker=bfd"], "--linker=bfd linked with %s" % used
    assert undefined_said(r.err, used, r"(pow|log)\b"), (
        "not the libm failure this test is about (%s)\n%r" % (used, r))
    assert libm in r.err, "stderr does not name %s\n%r" % (libm, r)
    assert "--lib -lm" in r.err, "stderr does not say --lib -lm\n%r" % r
    assert "--fix" in r.err, "stderr does not mention --fix\n%r" % r
    rep = parse_json(r)
    assert rep["exit"] == EXIT_BUILD and rep["ok"] is False and rep["out"] is None, (
        "report exit %r ok %r out %r" % (rep["exit"], rep["ok"], rep["out"]))
    und = rep.get("undefined")
    assert isinstance(und, list) and und, "report undefined: %r" % und
    m = [u for u in und if isinstance(u, dict) and u.get("lname") == "m"]
    assert m, "report undefined has no lname 'm': %s" % json.dumps(und)
    assert os.path.basename(m[0].get("archive") or "") == libm, "undefined m archive %r, want %s" % (
        m[0].get("archive"), libm)
    assert m[0].get("option") == "--lib -lm", "undefined m option %r" % m[0].get("option")
    assert rep.get("fixes") == [], "fixes without --fix: %r" % rep.get("fixes")


@test
def fix_libsqlite3_without_libs_private():
    """The same with --fix (and --no-infer): libm is added, the binary is
    static and runs from an empty root."""
    version = pkg_modversion("sqlite3", "libsqlite3-dev")
    libm = glibc_libm_archive()
    ex = example("sqlite3")
    r, rep, out = build(ex, ["--fix", "--no-infer"], go_args=["-tags", "libsqlite3"], name="sq-fix")
    assert_report(rep, out, ex, "static", "static", tags=("libsqlite3", "netgo", "osusergo"),
                  archives=("libsqlite3.a",))
    fixes = rep.get("fixes")
    assert isinstance(fixes, list) and fixes, "report fixes: %r" % fixes
    m = [f for f in fixes if isinstance(f, dict) and f.get("lname") == "m"]
    assert m, "report fixes has no lname 'm': %s" % json.dumps(fixes)
    assert os.path.basename(m[0].get("archive") or "") == libm, "fix archive %r, want %s" % (
        m[0].get("archive"), libm)
    assert "--fix" in r.err and libm in r.err, "stderr does not report the fix\n%r" % r
    assert_static(out)
    sqlite_in_empty_root(out, version)


@test
def missing_input_file_named_by_a_pc():
    """A .pc whose Libs.private name an archive by bare file name (Debian's
    norm.pc has "libprotokit.a"): ld would look for it in the link's
    directory and fail. With --no-infer gorelink says which file, which .pc
    asked, what -lNAME would find and that --lib -lNAME links it, with exit 1
    and OUT untouched; by default (inference) and with --no-infer --lib
    -lgrkit the archive -lgrkit finds is linked in its place, with a note."""
    pcdir = scratch("bare-pc")
    fixture_archives(pcdir, {"grkit.c": "int gr_kit_value(void) { return 1; }\n"})
    kit = os.path.join(pcdir, "libgrkit.a")
    with open(os.path.join(pcdir, "barekit.pc"), "w") as f:
        f.write("Name: barekit\nDescription: t\nVersion: 1\nLibs: -L%s -lz\nLibs.private: libgrkit.a\n" % pcdir)
    mod = make_module("barekit", {"main.go": '// nonce %s\npackage main\n\n// #cgo pkg-config: barekit\n'
                                  '// int gr_kit_value(void);\n'
                                  'import "C"\n\nfunc main() { println(int(C.gr_kit_value())) }\n' % os.urandom(8).hex()})
    env = base_env(PKG_CONFIG_PATH=pcdir)
    r, rep, out = build(mod, ["--no-infer"], name="barekit", env=env, expect=EXIT_VERDICT)
    assert "no file libgrkit.a (ld opens an input file by its path" in r.err, "stderr\n%r" % r
    assert "wanted by: #cgo pkg-config: barekit (Libs.private)" in r.err, "stderr\n%r" % r
    assert "note: -lgrkit would find %s" % kit in r.err, "stderr\n%r" % r
    assert "options: --lib -lgrkit links it as -lgrkit finds it" in r.err, "stderr\n%r" % r
    assert re.search(r"^gorelink: no file libgrkit\.a, which the link flags name by its path", r.err, re.M), r.err
    assert parse_json(r)["missing"] == ["libgrkit.a"], "report missing %r" % parse_json(r)["missing"]
    note = "note: libgrkit.a is a bare archive name (ld would open it in the current directory, where there is none): " \
        "linked as -lgrkit finds it (%s), %s"
    for args, why in (([], "inferred"), (["--no-infer", "--lib", "-lgrkit"], "since -l is given for it too")):
        r, rep, out = build(mod, args, name="barekit-ok-%d" % len(args), env=env)
        assert note % (kit, why) in r.err, "stderr lacks the note (%s)\n%r" % (why, r)
        assert kit in archive_paths(rep), "archives %r" % rep["archives"]
        assert_static(out)
        res, _ = run_in_empty_root(out)
        assert res.rc == 0 and res.err.strip() == "1", "in an empty root: %r" % res


@test
def missing_archive_chain_survives_go_cache():
    """#cgo pkg-config: chainpc, whose Libs.private name a library without an
    archive: the explanation names the chain; in a second, identical run go
    build takes the cgo step from its cache (the pkg-config shim does not
    run) and the chain is still named, from gorelink's cache."""
    pcdir = scratch("chain-pc")
    with open(os.path.join(pcdir, "chainpc.pc"), "w") as f:
        f.write("Name: chainpc\nDescription: t\nVersion: 1\nLibs: -lz\nLibs.private: -lgr_no_such_lib_%s\n"
                % os.urandom(4).hex())
    mod = make_module("chainpc", {"main.go": '// nonce %s\npackage main\n\n// #cgo pkg-config: chainpc\n'
                                  '// #include <zlib.h>\nimport "C"\n\nfunc main() { println(C.GoString(C.zlibVersion())) }\n'
                                  % os.urandom(8).hex()})
    env = base_env(PKG_CONFIG_PATH=pcdir)
    for round in ("first", "cached"):
        r, _, _ = build(mod, [], name="chainpc-" + round, env=env, expect=EXIT_VERDICT)
        assert "wanted by: #cgo pkg-config: chainpc (Libs.private)" in r.err, (
            "%s run: the chain is not named\n%r" % (round, r))
    # The control: with gorelink's cache off, the same rebuild cannot know the
    # chain, which proves that go did not run pkg-config (the shim) again.
    r, _, _ = build(mod, [], name="chainpc-nocache", env=dict(env, GORELINK_CACHE_DIR=""), expect=EXIT_VERDICT)
    assert "chainpc (Libs.private)" not in r.err and "took from its cache" in r.err, (
        "without gorelink's cache the chain should be unknown\n%r" % r)


@test
def musl_static_no_glibc_findings():
    """CC=musl-gcc: no netgo/osusergo tags are added, the C code's
    getaddrinfo and getpwuid are musl's own, so the report has no glibc
    findings (the check knows a musl binary), and the binary resolves a
    numeric address in an empty root."""
    assert shutil.which("musl-gcc"), "musl-gcc is needed (apt-get install musl-tools; scripts/setup does)"
    mod = make_module("muslres", {"main.go": 'package main\n\n// #include <netdb.h>\n// #include <pwd.h>\n'
                                  '// #include <stddef.h>\n'
                                  '// static int resolve(void) { struct addrinfo h = {0}, *r = NULL; h.ai_flags = AI_NUMERICHOST;\n'
                                  '//   int rc = getaddrinfo("127.0.0.1", NULL, &h, &r); if (r) freeaddrinfo(r);\n'
                                  '//   return rc + (getpwuid(0) != NULL); }\n'
                                  'import "C"\n\nfunc main() { println(int(C.resolve())) }\n'})
    r, rep, out = build(mod, [], name="muslres", env=base_env(CC="musl-gcc"))
    assert "netgo" not in rep["tags"] and "osusergo" not in rep["tags"], "tags %r with musl" % rep["tags"]
    glibc = rep["check"].get("glibc_runtime")
    assert glibc == [], "glibc findings for a musl binary: %r" % glibc
    assert not rep.get("findings"), "report findings: %r" % rep.get("findings")
    assert "glibc" not in r.err, "stderr speaks of glibc for a musl build\n%r" % r
    assert_static(out)
    res, _ = run_in_empty_root(out)
    assert res.rc == 0 and res.err.strip() == "0", "in an empty root: %r" % res


def run_arm64_in_empty_root(out):
    """Run the aarch64 binary OUT under qemu-aarch64-static (by path) in an
    empty root, with an empty environment: its result."""
    with empty_root() as root:
        qemu = install(shutil.which("qemu-aarch64-static"), root, "qemu")
        prog = install(out, root, "prog")
        return run(chroot_argv(root, [qemu, prog]), cwd=root, timeout=RUN_TIMEOUT, env={})


@test
def cross_arm64_static_under_qemu():
    """GOARCH=arm64 CC=aarch64-linux-gnu-gcc: cmd/go would turn cgo off for a
    cross build; gorelink turns it on, links with the cross toolchain's own
    search dirs, and the aarch64 binary is static (gorelink check, readelf)
    and prints 42 under qemu-aarch64-static in an otherwise empty root."""
    for tool, pkg in (("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu"), ("qemu-aarch64-static", "qemu-user-static")):
        assert shutil.which(tool), "%s is needed (apt-get install %s; scripts/setup does)" % (tool, pkg)
    env = base_env(GOARCH="arm64", CC="aarch64-linux-gnu-gcc")
    env.pop("CGO_ENABLED", None)
    r, rep, out = build(example("fortytwo"), ["-v"], env=env, name="fortytwo-arm64")
    assert rep["check"]["architecture"] == "aarch64" and rep["verdict"] == "static", (
        "report: %s" % json.dumps(rep["check"])[:1000])
    assert rep["link_argv"][0] == "aarch64-linux-gnu-gcc", "link driver %r" % rep["link_argv"][:2]
    assert "cgo" in r.err and "cross build" in r.err, "-v does not say cgo was turned on\n%r" % r
    elf = readelf(out)
    assert elf["interp"] is None and not elf["needed"], "not static: %r" % elf
    res = run_arm64_in_empty_root(out)
    assert res.rc == 0 and res.out.strip() == "42", "under qemu in an empty root: %r" % res


@test
def cross_arm64_sqlite3_bundled():
    """gorelink --sqlite3 for linux/arm64 (the go-sqlite3 amalgamation
    compiled by the cross compiler): static aarch64, and under
    qemu-aarch64-static in an empty root it creates a database and reads it
    back, with the module's SQLite version."""
    env = base_env(GOARCH="arm64", CC="aarch64-linux-gnu-gcc")
    env.pop("CGO_ENABLED", None)
    r, rep, out = build(example("sqlite3"), ["--sqlite3"], env=env, name="sqlite3-arm64")
    assert rep["check"]["architecture"] == "aarch64" and rep["verdict"] == "static", (
        "report: %s" % json.dumps(rep["check"])[:1000])
    with empty_root() as root:
        qemu = install(shutil.which("qemu-aarch64-static"), root, "qemu")
        prog = install(out, root, "sqlite3")
        res = run(chroot_argv(root, [qemu, prog, "-db", "/demo.db"]), cwd=root, timeout=RUN_TIMEOUT, env={})
    assert res.rc == 0 and "row 3: cherry 7" in res.out, "under qemu in an empty root: %r" % res
    assert "sqlite_version: %s" % bundled_sqlite_version() in res.out, "version: %r" % res.out


@test
def bad_cross_without_cc():
    """GOARCH=arm64 without CC: the host gcc cannot link for arm64; gorelink
    says so before go build runs (exit 2, OUT untouched)."""
    env = base_env(GOARCH="arm64")
    env.pop("CC", None)
    r, _, out = build(example("fortytwo"), [], env=env, name="fortytwo-arm64-nocc", expect=EXIT_BUILD)
    want = "cross-compiling for linux/arm64 on linux/%s: set CC" % go_env("GOHOSTARCH")
    assert want in r.err, "stderr lacks %r\n%r" % (want, r)
    assert listing(os.path.dirname(out)) == [], "OUT's directory: %r" % listing(os.path.dirname(out))


CROSSCXX_MAIN = """package main

// #cgo LDFLAGS: -L${SRCDIR}/lib -lcxxdep
// int wrapped_answer(void);
import "C"

func main() { println(int(C.wrapped_answer())) }
"""


def crosscxx_module():
    """A cgo package whose C wrapper (wrap.c) calls cxxdep_answer, a C
    function written in C++ (std::string, an exception) in libcxxdep.a,
    compiled for aarch64 by aarch64-linux-gnu-g++; its flags name no
    -lstdc++ (gorelink-ld sees the C++ in the archive)."""
    tool_needed("aarch64-linux-gnu-g++", "g++-aarch64-linux-gnu")
    mod = make_module("crosscxx", {"main.go": CROSSCXX_MAIN,
                                   "wrap.c": "int cxxdep_answer(void);\nint wrapped_answer(void) { return cxxdep_answer(); }\n"})
    lib = os.path.join(mod, "lib")
    os.mkdir(lib)
    fixture_archives(lib, {"cxxdep.cc": '#include <stdexcept>\n#include <string>\n'
                                        'extern "C" int cxxdep_answer(void) {\n'
                                        '  std::string s("forty-two");\n'
                                        '  try { if (s.size() == 9) throw std::runtime_error(s); } catch (const std::exception &e) { return 42; }\n'
                                        '  return 0;\n}\n'}, compiler="aarch64-linux-gnu-g++")
    return mod


def tool_needed(tool, pkg):
    assert shutil.which(tool), "%s is needed (apt-get install %s; scripts/setup does)" % (tool, pkg)


def cross_env(**changes):
    """GOARCH=arm64 CC=aarch64-linux-gnu-gcc, cgo left to gorelink, and CXX
    (or CC) as CHANGES say (None: unset)."""
    env = base_env(**dict({"GOARCH": "arm64", "CC": "aarch64-linux-gnu-gcc"}, **changes))
    env.pop("CGO_ENABLED", None)
    return env


@test
def cross_arm64_cxx_archive_derived_cxx():
    """GOARCH=arm64 CC=aarch64-linux-gnu-gcc and no CXX, with an aarch64 C++
    archive: go env CXX is the host's g++ (which said "file in wrong format"
    before); gorelink names the target's driver after CC
    (aarch64-linux-gnu-g++), says so under -v, links with it, and the static
    aarch64 binary prints 42 under qemu-aarch64-static in an empty root."""
    for tool, pkg in (("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu"), ("qemu-aarch64-static", "qemu-user-static")):
        tool_needed(tool, pkg)
    mod = crosscxx_module()
    r, rep, out = build(mod, ["-v"], env=cross_env(CXX=None), name="crosscxx-arm64")
    assert rep["link_argv"][0] == "aarch64-linux-gnu-g++", "link driver %r\n%r" % (rep["link_argv"][:2], r)
    assert "aarch64-linux-gnu-g++, named after CC" in r.err, "-v does not name the derived CXX\n%r" % r
    assert rep["check"]["architecture"] == "aarch64" and rep["verdict"] == "static", (
        "report: %s" % json.dumps(rep["check"])[:1000])
    elf = readelf(out)
    assert elf["interp"] is None and not elf["needed"], "not static: %r" % elf
    res = run_arm64_in_empty_root(out)
    assert res.rc == 0 and res.err.strip() == "42", "under qemu in an empty root: %r" % res


@test
def bad_cross_cxx_unusable():
    """The same cross build, its C++ visible to go list (-lstdc++ in its
    flags), with a CXX that cannot build for aarch64: the host's g++ (its
    -dumpmachine is not CC's), or a program that does not exist. gorelink
    stops before go build (exit 2, no go command, no link, OUT untouched)
    and names CXX, both targets and "set CXX for the target", with the
    derived aarch64-linux-gnu-g++ as the way out. Where go list shows no C++
    (the C++ only inside libcxxdep.a), CXX=g++ -- which many CI images
    export for everything -- is passed over, said with -v, and the build
    links with the driver named after CC and runs."""
    tool_needed("g++", "g++")
    mod = crosscxx_module()
    r, rep, out = build(mod, ["-v"], env=cross_env(CXX="g++"), name="crosscxx-passed-over")
    assert "passed over (go list shows no C++): CXX=g++ targets" in r.err, "-v does not say so\n%r" % r
    assert rep["link_argv"] and rep["link_argv"][0] == "aarch64-linux-gnu-g++", (
        "link driver %r" % rep["link_argv"][:1])
    res = run_arm64_in_empty_root(out)
    assert res.rc == 0 and res.err.strip() == "42", "under qemu in an empty root: %r" % res
    with open(os.path.join(mod, "main.go"), "w") as f:
        f.write(CROSSCXX_MAIN.replace("-lcxxdep", "-lcxxdep -lstdc++"))
    host = run(["g++", "-dumpmachine"]).out.strip()
    for cxx, want in (("g++", "CXX=g++ targets %s, but CC=aarch64-linux-gnu-gcc targets aarch64-linux-gnu: "
                              "set CXX for the target: CXX=aarch64-linux-gnu-g++" % host),
                      ("/nonexistent/g++", "CXX=/nonexistent/g++ cannot build for CC=aarch64-linux-gnu-gcc's target "
                                           "aarch64-linux-gnu: /nonexistent/g++ is not installed")):
        r, _, out = build(mod, [], env=cross_env(CXX=cxx), name="crosscxx-bad", expect=EXIT_BUILD)
        assert want in r.err, "CXX=%s: stderr lacks %r\n%r" % (cxx, want, r)
        assert "set CXX for the target" in r.err, "CXX=%s: no way out\n%r" % (cxx, r)
        rep = parse_json(r)
        assert rep.get("go_command") == [] and rep.get("links") == 0, (
            "CXX=%s: go build ran (go_command %r, links %r)" % (cxx, rep.get("go_command"), rep.get("links")))
        assert listing(os.path.dirname(out)) == [], "OUT's directory: %r" % listing(os.path.dirname(out))


@test
def cross_without_target_cxx():
    """CC by a path where no g++ lies beside it (a symlink to
    aarch64-linux-gnu-gcc in a scratch directory) and CXX unset: no C++
    driver for the target. A package with -lstdc++ in its #cgo LDFLAGS stops
    before go build (exit 2, no go command) with "set CXX for the target" and
    Debian's g++-aarch64-linux-gnu; a C-only program still builds (linked by
    CC, never the host's g++) and runs under qemu."""
    for tool, pkg in (("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu"), ("qemu-aarch64-static", "qemu-user-static")):
        tool_needed(tool, pkg)
    bindir = scratch("lone-cc")
    cc = os.path.join(bindir, "aarch64-linux-gnu-gcc")
    os.symlink(shutil.which("aarch64-linux-gnu-gcc"), cc)
    mod = make_module("crosscxx-lstdcxx", {"main.go": CROSSCXX_MAIN.replace("-lcxxdep", "-lcxxdep -lstdc++"),
                                           "wrap.c": "int cxxdep_answer(void);\nint wrapped_answer(void) { return cxxdep_answer(); }\n"})
    env = cross_env(CXX=None, CC=cc)
    r, _, out = build(mod, [], env=env, name="crosscxx-none", expect=EXIT_BUILD)
    for want in ("the build has C++ (go list: C++ files or -lstdc++)",
                 "%s-g++ is not installed" % cc[:-len("-gcc")],
                 "set CXX for the target: install a C++ compiler for aarch64-linux-gnu "
                 "(on Debian: apt-get install g++-aarch64-linux-gnu)"):
        assert want in r.err, "stderr lacks %r\n%r" % (want, r)
    rep = parse_json(r)
    assert rep.get("go_command") == [] and rep.get("links") == 0, (
        "go build ran (go_command %r, links %r)" % (rep.get("go_command"), rep.get("links")))
    r, rep, out = build(example("fortytwo"), ["-v"], env=env, name="fortytwo-arm64-lone")
    assert rep["link_argv"][0] == cc, "link driver %r" % rep["link_argv"][:2]
    assert "none for aarch64-linux-gnu; the link runs CC" in r.err, "-v does not say there is no C++ driver\n%r" % r
    res = run_arm64_in_empty_root(out)
    assert res.rc == 0 and res.out.strip() == "42", "under qemu in an empty root: %r" % res


def static_run_by(rep, out, driver, printed):
    """The final link ran DRIVER, OUT is static, and in an empty root it
    prints PRINTED (on stderr: Go's println)."""
    assert rep["link_argv"][0] == driver, "link driver %r, want %s" % (rep["link_argv"][:2], driver)
    assert_static(out)
    res, _ = run_in_empty_root(out)
    assert res.rc == 0 and res.err.strip() == printed, "in an empty root: %r" % res


@test
def missing_symbols_from_a_shared_only_library():
    """libneed.a calls gr_prov_fn, which only the shared libprov.so.1 defines
    (no libprov.a, no libprov.so development link: like libgit2.a needing
    libgssapi_krb5.so.2 on Debian). The diagnosis finds it through libneed.so,
    the shared build, whose DT_NEEDED names libprov.so.1, and gives the
    options; with them the build passes, needing libprov.so.1 and libc only."""
    mod = make_module("shneed", {"main.go": 'package main\n\n// #cgo LDFLAGS: -L${SRCDIR}/lib -lneed\n'
                                 '// int need(void);\nimport "C"\n\nfunc main() { println(int(C.need())) }\n'})
    lib = os.path.join(mod, "lib")
    os.mkdir(lib)
    for name, text in (("prov.c", "int gr_prov_fn(void) { return 41; }\n"),
                       ("need.c", "int gr_prov_fn(void);\nint need(void) { return gr_prov_fn() + 1; }\n")):
        with open(os.path.join(lib, name), "w") as f:
            f.write(text)
    steps = [["gcc", "-shared", "-fPIC", "-Wl,-soname,libprov.so.1", "-o", "libprov.so.1", "prov.c"],
             ["gcc", "-c", "-fPIC", "-o", "need.o", "need.c"],
             ["ar", "rcs", "libneed.a", "need.o"],
             ["gcc", "-shared", "-o", "libneed.so", "need.o", "libprov.so.1"]]
    for argv in steps:
        r = run(argv, cwd=lib)
        assert r.rc == 0, "%s\n%r" % (argv, r)
    r, _, _ = build(mod, [], name="shneed", expect=EXIT_BUILD)
    want = "--allow-dynamic prov --lib -l:libprov.so.1"
    assert "but libprov.so.1 does: %s (the shared build) loads it" % os.path.join(lib, "libneed.so") in r.err, (
        "the shared library is not named\n%r" % r)
    assert want in r.err, "stderr lacks %r\n%r" % (want, r)
    und = parse_json(r).get("undefined")
    assert [u.get("option") for u in und] == [want], "report undefined: %s" % json.dumps(und)
    r, rep, out = build(mod, ["--allow-dynamic", "prov", "--lib", "-l:libprov.so.1"], name="shneed-ok")
    assert readelf(out)["needed"] == ["libprov.so.1", "libc.so.6"], "DT_NEEDED %r" % readelf(out)["needed"]


@test
def diagnose_symlinked_archive_by_its_pc_name():
    """Debian's libpng.a is a symlink to libpng16.a; libpng.pc (and
    libpng16.pc) list -lpng16, and only libwmf.pc lists -lpng. A bare
    -lfreetype (--no-infer) leaves libfreetype.a's png_* calls undefined: the
    diagnosis names the package whose .pc lists the archive (libpng16 or
    libpng), not libwmf by the symlink's name; that option then links."""
    pkg_modversion("freetype2", "libfreetype-dev")
    pkg_modversion("libpng", "libpng-dev")
    pkg_modversion("libwmf", "libwmf-dev")  # the package the symlink's -lpng would name
    libdir = os.path.dirname(os.path.realpath(run(["gcc", "-print-file-name=libpng16.a"]).out.strip()))
    link = os.path.join(libdir, "libpng.a")
    assert os.path.islink(link) and os.readlink(link) == "libpng16.a", (
        "%s is not the symlink to libpng16.a this test is about" % link)
    mod = make_module("ftpng", {"main.go": 'package main\n\n'
                                '// #cgo CFLAGS: -I/usr/include/freetype2\n'
                                '// #cgo LDFLAGS: -lfreetype\n'
                                '// #include <ft2build.h>\n// #include FT_FREETYPE_H\n'
                                'import "C"\n\nfunc main() {\n\tvar lib C.FT_Library\n'
                                '\tprintln(int(C.FT_Init_FreeType(&lib)))\n}\n'})
    for lk in DIAG_LINKERS:
        diagnose_symlinked_archive_with(mod, libdir, lk)


def diagnose_symlinked_archive_with(mod, libdir, lk):
    """diagnose_symlinked_archive_by_its_pc_name with the options LK (a DIAG_LINKERS entry)."""
    r, _, _ = build(mod, ["--no-infer"] + lk, name="ftpng", expect=EXIT_BUILD)
    used = parse_json(r)["linker"]["used"]
    assert used == "bfd" or lk != ["--linker=bfd"], "--linker=bfd linked with %s" % used
    assert undefined_said(r.err, used, "png_"), "not the libpng failure this test is about (%s)\n%r" % (used, r)
    assert "libwmf" not in r.err, "the diagnosis names libwmf (the symlink's -lpng)\n%r" % r
    m = re.search(r"defined in (\S*/libpng[0-9]*\.a) \(-l(png[0-9]*), pkg-config (libpng[0-9]*)\): add --pkg (libpng[0-9]*)",
                  r.err)
    assert m and m.group(3) == m.group(4), "no --pkg libpng/libpng16 suggestion\n%r" % r
    assert os.path.realpath(m.group(1)) == os.path.join(libdir, "libpng16.a"), "archive %r" % m.group(1)
    und = parse_json(r).get("undefined")
    png = [u for u in und if (u.get("lname") or "").startswith("png")]
    assert [u.get("option") for u in png] == ["--pkg " + m.group(3)], "report undefined: %s" % json.dumps(und)
    opts = ["--no-infer"] + lk
    for u in und:
        opts += u.get("option").split()
    r, rep, out = build(mod, opts, name="ftpng-ok")
    assert_static(out)


@test
def infer_bare_lpng_is_libpng():
    """#cgo LDFLAGS: -lpng: Debian's libpng.a is a symlink to libpng16.a and
    only libwmf.pc lists -lpng; inference chooses libpng (whose .pc lists the
    archive as -lpng16), not libwmf with X11 and jpeg; the binary runs."""
    pkg_modversion("libpng", "libpng-dev")
    pkg_modversion("libwmf", "libwmf-dev")
    mod = make_module("lpng", {"main.go": 'package main\n\n// #cgo CFLAGS: -I/usr/include/libpng16\n'
                               '// #cgo LDFLAGS: -lpng\n// #include <png.h>\nimport "C"\n\n'
                               'func main() { println(C.GoString(C.png_get_libpng_ver(nil))) }\n'})
    r, rep, out = build(mod, [], name="lpng")
    inf = [(x.get("lname"), x.get("package")) for x in rep.get("inferred", [])]
    assert ("png", "libpng") in inf, "inferred %r, want png -> libpng" % inf
    names = [os.path.basename(a) for a in archive_paths(rep)]
    assert "libwmf.a" not in names and "libX11.a" not in names, "archives %r" % names
    res, _ = run_in_empty_root(out)
    assert res.rc == 0 and res.err.strip() == pkg_modversion("libpng", "libpng-dev"), "in an empty root: %r" % res


CXXDEP_MAIN = """package main

// #cgo LDFLAGS: -L${SRCDIR}/lib -lcxxdep
// int cxxdep_answer(void);
import "C"

func main() { println(int(C.cxxdep_answer())) }
"""


def cxxdep_module():
    """A cgo package linking -lcxxdep, a C function written in C++
    (std::string, an exception): libcxxdep.a needs libstdc++, which its
    flags do not name."""
    mod = make_module("cxxdep", {"main.go": CXXDEP_MAIN})
    lib = os.path.join(mod, "lib")
    os.mkdir(lib)
    fixture_archives(lib, {"cxxdep.cc": '#include <stdexcept>\n#include <string>\n'
                                        'extern "C" int cxxdep_answer(void) {\n'
                                        '  std::string s("forty-two");\n'
                                        '  try { if (s.size() == 9) throw std::runtime_error(s); } catch (const std::exception &e) { return 42; }\n'
                                        '  return 0;\n}\n'}, compiler="g++")
    return mod


@test
def cxx_archive_links_with_cxx():
    """A C library written in C++ whose flags leave out -lstdc++ (as ICU's,
    under libxml2's static libraries, do): gorelink-ld sees that libcxxdep.a
    refers to the C++ runtime and links with go env CXX (g++), as cmd/go
    does for a package with C++ files; the plain static go build fails."""
    mod = cxxdep_module()
    plain = run(["go", "build", "-ldflags", "-linkmode=external -extldflags=-static",
                 "-o", os.path.join(scratch("cxxdep-plain"), "prog"), "."], cwd=mod, env=base_env())
    assert plain.rc != 0 and "undefined reference" in plain.err, (
        "the hand-written static build should fail on the C++ runtime\n%r" % plain)
    r, rep, out = build(mod, [], name="cxxdep")
    static_run_by(rep, out, "g++", "42")


LIQMIX_MAIN = """package main

// #cgo LDFLAGS: -limagequant
// #include <libimagequant.h>
// static int made(void) { liq_attr *a = liq_attr_create(); int ok = a != 0; if (a) liq_attr_destroy(a); return ok; }
import "C"

func main() { println(int(C.made())) }
"""


@test
def glibc_archives_in_dynamic_link_fail_check():
    """Issue 13: gorelink --third-party --fix added glibc's libm-2.36.a and
    libc.a to a dynamic link of a libimagequant program, and the check passed
    it ("dynamic, allowed") although it crashes at start. The same link made
    by hand (the archives in CGO_LDFLAGS): readelf shows an interpreter, nm
    shows glibc's static start-up defined, the binary dies of a signal, and
    gorelink check fails it even with every library allowed -- also once
    stripped (-ldflags=-s -w: only libc.a's section names are left). The
    plain dynamic build runs and passes with the same --allow."""
    assert os.path.isfile("/usr/include/libimagequant.h"), (
        "libimagequant.h is needed (apt-get install libimagequant-dev; scripts/setup does)")
    libc_a = run(["gcc", "-print-file-name=libc.a"], timeout=RUN_TIMEOUT).out.strip()
    assert os.path.isfile(libc_a), "gcc finds no libc.a (apt-get install libc6-dev)"
    libm_a = sorted(f for f in os.listdir(os.path.dirname(libc_a)) if re.match(r"libm-[0-9.]+\.a$", f))
    assert libm_a, "no glibc libm-VERSION.a beside %s" % libc_a
    libm_a = os.path.join(os.path.dirname(libc_a), libm_a[0])
    mod = make_module("liqmix", {"main.go": LIQMIX_MAIN})
    d = scratch("liqmix")
    plain = os.path.join(d, "plain")
    r = run(["go", "build", "-o", plain, "."], cwd=mod, env=base_env())
    assert r.rc == 0, "plain dynamic build\n%r" % r
    res = run([plain], timeout=RUN_TIMEOUT)
    assert res.rc == 0 and res.err.strip() == "1", "the plain dynamic build runs: %r" % res
    rc, obj = check_cli(plain, allow=("*",))
    assert rc == 0 and obj["pass"] and obj.get("glibc_static", []) == [], "plain build: rc %d %r" % (rc, obj)
    for name, ldflags in (("mixed", []), ("mixed-stripped", ["-ldflags=-s -w"])):
        out = os.path.join(d, name)
        r = run(["go", "build"] + ldflags + ["-o", out, "."], cwd=mod,
                env=base_env(CGO_LDFLAGS="%s %s" % (libm_a, libc_a)))
        assert r.rc == 0, "%s: the link with glibc's archives\n%r" % (name, r)
        elf = readelf(out)
        assert elf["interp"] and "libimagequant.so.0" in elf["needed"], "oracle (readelf) %s: %r" % (name, elf)
        nm = run(["nm", "--defined-only", out], timeout=RUN_TIMEOUT)
        if ldflags:
            assert not elf["symtab"], "oracle (readelf) %s: .symtab kept" % name
        else:
            assert re.search(r" T __libc_start_main$", nm.out, re.M) and \
                re.search(r" [Tt] __libc_setup_tls$", nm.out, re.M), "oracle (nm) %s: no static start-up\n%r" % (name, nm)
        res = run([out], timeout=RUN_TIMEOUT)
        assert res.rc != 0 and res.err.strip() != "1", "%s should crash at start: %r" % (name, res)
        rc, obj = check_cli(out, allow=("*",))
        codes = [p["code"] for p in obj["problems"]]
        assert rc == 1 and obj["pass"] is False and codes == ["glibc-static-in-dynamic"], (
            "gorelink check --allow '*' %s: rc %d, problems %r" % (name, rc, codes))
        assert "__libc_IO_vtables" in obj["glibc_static"], "%s: glibc_static %r" % (name, obj["glibc_static"])
        assert ldflags or obj["glibc_static"][0] == "__libc_start_main", "%s: %r" % (name, obj["glibc_static"])
        t = gorelink(["check", "--explain", "--allow", "*", out], cwd=SCRATCH, timeout=RUN_TIMEOUT)
        assert t.rc == 1 and ", allowed" not in t.out.split("\n")[0] and \
            "why: glibc's static C library (libc.a) is linked into a dynamic executable" in t.out, (
                "gorelink check --explain %s\n%r" % (name, t))


@test
def cgo_package_with_cxx_files():
    """A cgo package with a .cc file (std::string, an exception): cmd/go
    compiles it with CXX; gorelink-ld finds the C++ runtime in the object
    cmd/link hands over and links with g++; static, prints 42 in an empty root."""
    mod = make_module("cxxpkg", {
        "main.go": 'package main\n\n// int answer(void);\nimport "C"\n\nfunc main() { println(int(C.answer())) }\n',
        "answer.cc": '#include <stdexcept>\n#include <string>\n'
                     'extern "C" int answer(void) {\n'
                     '  try { throw std::runtime_error(std::string("x")); } catch (const std::exception &) { return 42; }\n'
                     '}\n'})
    r, rep, out = build(mod, [], name="cxxpkg")
    static_run_by(rep, out, "g++", "42")


@test
def libxml2_pkg_config_with_icu():
    """#cgo pkg-config: libxml-2.0 on Debian: its static flags bring ICU
    (libicuuc.a, C++) but no -lstdc++; gorelink links with g++ and the
    binary parses XML in an empty root."""
    pkg_modversion("libxml-2.0", "libxml2-dev")
    mod = make_module("xmlicu", {"main.go": 'package main\n\n// #cgo pkg-config: libxml-2.0\n'
                                 '// #include <libxml/parser.h>\n// #include <string.h>\n'
                                 '// static int parse(const char *s) { xmlDocPtr d = xmlReadMemory(s, strlen(s), "x.xml", NULL, 0);'
                                 ' if (!d) return 0; xmlFreeDoc(d); return 1; }\n'
                                 'import "C"\n\nfunc main() { println(int(C.parse(C.CString("<a><b/></a>")))) }\n'})
    r, rep, out = build(mod, [], name="xmlicu")
    names = [os.path.basename(a) for a in archive_paths(rep)]
    assert "libxml2.a" in names and "libicuuc.a" in names, "archives %r" % names
    static_run_by(rep, out, "g++", "1")


@test
def diagnose_cxx_archive_without_cxx_driver():
    """The same with CXX naming no program (no g++ to link with): the link
    fails, the linker prints the C++ names demangled ("std::...", "vtable
    for ..."), and every one of them is traced to libstdc++.a with --lib
    -lstdc++ (none is "defined by no archive"); --fix adds it, and the
    binary runs, static."""
    mod = cxxdep_module()
    env = base_env(CXX="/nonexistent/g++")
    for lk in DIAG_LINKERS:
        r, _, out = build(mod, lk, name="cxxdep-nocxx", env=env, expect=EXIT_BUILD)
        used = parse_json(r)["linker"]["used"]
        assert used == "bfd" or lk != ["--linker=bfd"], "--linker=bfd linked with %s" % used
        assert undefined_said(r.err, used, r"(std::|vtable for|typeinfo for)"), (
            "the linker (%s) did not print demangled C++ names\n%r" % (used, r))
        assert "no archive in the linker's search path defines" not in r.err, (
            "demangled C++ names were not traced to an archive (%s)\n%r" % (used, r))
        assert re.search(r"defined in \S*/libstdc\+\+\.a \(-lstdc\+\+\): add --lib -lstdc\+\+", r.err), (
            "stderr does not name libstdc++.a and --lib -lstdc++ (%s)\n%r" % (used, r))
        und = parse_json(r).get("undefined")
        assert [u.get("option") for u in und] == ["--lib -lstdc++"], "report undefined (%s): %s" % (
            used, json.dumps(und))
    r, rep, out = build(mod, ["--fix"], name="cxxdep-fix", env=env)
    assert [f.get("lname") for f in rep.get("fixes")] == ["stdc++"], "report fixes: %r" % rep.get("fixes")
    static_run_by(rep, out, "gcc", "42")


def sqlite3_system_no_default_tags(extra=(), expect=EXIT_OK, out=None):
    """examples/sqlite3 (it imports net and os/user) with --sqlite3=system and
    no netgo/osusergo: glibc warns about getaddrinfo, the os/user lookups and
    libsqlite3.a's dlopen."""
    pkg_modversion("sqlite3", "libsqlite3-dev")
    ex = example("sqlite3")
    args = ["--json"] + list(extra) + ["--no-default-tags", "--sqlite3=system", "-o", out, "."]
    r = gorelink(args, cwd=ex)
    assert r.rc == expect, "exit %d, want %d\n%r" % (r.rc, expect, r)
    rep = parse_json(r)
    assert "netgo" not in rep["tags"] and "osusergo" not in rep["tags"], "tags %r" % rep["tags"]
    f = finding(rep, "getaddrinfo")
    assert (f.get("source") or "").startswith("Go package net"), "getaddrinfo source %r" % f.get("source")
    assert "netgo" in (f.get("remedy") or ""), "getaddrinfo remedy %r" % f.get("remedy")
    for sym in ("getpwuid_r", "getgrouplist"):
        f = finding(rep, sym)
        assert (f.get("source") or "").startswith("Go package os/user"), "%s source %r" % (sym, f.get("source"))
        assert "osusergo" in (f.get("remedy") or ""), "%s remedy %r" % (sym, f.get("remedy"))
    f = finding(rep, "dlopen")
    assert re.search(r"(^|/)libsqlite3\.a\([^()]+\.o\)$", f.get("source") or ""), (
        "dlopen source %r, want a libsqlite3.a member" % f.get("source"))
    assert f.get("remedy"), "dlopen: no remedy"
    for sym in ("getaddrinfo", "getpwuid_r", "getgrouplist", "dlopen"):
        assert re.search(r"^gorelink: %s in a static glibc binary" % sym, r.err, re.M), (
            "stderr does not report %s\n%r" % (sym, r))
    return r, rep


@test
def confluent_kafka_bundled_librdkafka():
    """confluent-kafka-go (fetched through the Go module proxy) links its
    bundled librdkafka_glibc_linux_amd64.a by path: the binary is static and
    runs in an empty root; librdkafka's own C calls to getaddrinfo and
    getpwuid_r are findings whose remedy is not a Go tag (netgo is on and
    changes only Go's resolver). Its musl variant (-tags musl, CC=musl-gcc)
    has no findings at all."""
    mod = make_module("kafkademo", {
        "go.mod": "module example.com/kafkademo\n\ngo 1.21\n",
        "main.go": 'package main\n\nimport (\n\t"fmt"\n\n\t"github.com/confluentinc/confluent-kafka-go/v2/kafka"\n)\n\n'
                   'func main() {\n\t_, s := kafka.LibraryVersion()\n\tfmt.Println("librdkafka", s)\n}\n'})
    g = run(["go", "get", "github.com/confluentinc/confluent-kafka-go/v2@v2.11.1"], cwd=mod, env=base_env(),
            timeout=BUILD_TIMEOUT)
    assert g.rc == 0, "go get confluent-kafka-go (the Go module proxy must be reachable)\n%r" % g
    r, rep, out = build(mod, [], name="kafkademo")
    assert "netgo" in rep["tags"], "tags %r" % rep["tags"]
    f = finding(rep, "getaddrinfo")
    assert "librdkafka_glibc_linux_amd64.a(" in (f.get("source") or ""), "getaddrinfo source %r" % f.get("source")
    assert "netgo" not in f["remedy"].split("(")[0] and "musl" in f["remedy"], "getaddrinfo remedy %r" % f["remedy"]
    assert_static(out)
    res, _ = run_in_empty_root(out)
    assert res.rc == 0 and res.out.strip() == "librdkafka 2.11.1", "in an empty root: %r" % res
    # Its musl build (-tags musl picks librdkafka_musl_linux_amd64.a) with musl-gcc: no findings at all.
    r, rep, out = build(mod, [], go_args=["-tags", "musl"], env=base_env(CC="musl-gcc"), name="kafkademo-musl")
    assert not rep.get("findings") and rep["check"].get("glibc_runtime") == [], (
        "findings in a musl build: %r %r" % (rep.get("findings"), rep["check"].get("glibc_runtime")))
    assert any("librdkafka_musl_linux_amd64.a" in w for w in rep["link_argv"]), "link_argv %r" % rep["link_argv"]
    assert_static(out)
    res, _ = run_in_empty_root(out)
    assert res.rc == 0 and res.out.strip() == "librdkafka 2.11.1", "musl build in an empty root: %r" % res


@test
def findings_net_user_dlopen():
    d = scratch("out-sq-findings")
    out = os.path.join(d, "sq")
    r, rep = sqlite3_system_no_default_tags(out=out)
    assert rep["ok"] is True and listing(d) == ["sq"], "built? %r, beside OUT %r" % (rep["ok"], listing(d))


@test
def strict_refuses_findings():
    out = existing_out("strict")
    d = os.path.dirname(out)
    before = snapshot(d)
    r, rep = sqlite3_system_no_default_tags(extra=["--strict"], expect=EXIT_VERDICT, out=out)
    assert snapshot(d) == before, "OUT's directory changed: %r" % listing(d)
    assert rep["out"] is None and "--strict" in (rep["error"] or ""), "report out %r error %r" % (
        rep["out"], rep["error"])
    assert re.search(r"^gorelink: --strict", r.err, re.M), "no 'gorelink: --strict' line\n%r" % r


PCAP_MAIN = """// pcapdemo prints libpcap's version: a cgo package whose only C dependency
// comes through #cgo pkg-config.
package main

// #cgo pkg-config: libpcap
// #include <pcap/pcap.h>
import "C"

import "fmt"

func main() { fmt.Println(C.GoString(C.pcap_lib_version())) }
"""


def pcap_module():
    pkg_modversion("libpcap", "libpcap-dev")
    return make_module("pcapdemo", {"main.go": PCAP_MAIN})


ORDER_MAIN = """package main

/*
#cgo LDFLAGS: -L${SRCDIR}/lib -la -lb
int b_value(void);
*/
import "C"

import "fmt"

func main() { fmt.Println(int(C.b_value())) }
"""


def fixture_archives(lib, sources, compiler="gcc"):
    """In directory LIB, for each NAME -> SOURCE of SOURCES (file names with
    their suffix: "a.c", "cxxdep.cc"), compile NAME's object with COMPILER and
    put it alone in lib<stem>.a."""
    for name, text in sources.items():
        stem = os.path.splitext(name)[0]
        with open(os.path.join(lib, name), "w") as f:
            f.write(text)
        r = run([compiler, "-c", "-O2", "-o", os.path.join(lib, stem + ".o"), os.path.join(lib, name)], cwd=lib)
        assert r.rc == 0, "%s -c %s (apt-get install %s)\n%r" % (compiler, name, compiler, r)
        r = run(["ar", "rcs", os.path.join(lib, "lib%s.a" % stem), os.path.join(lib, stem + ".o")], cwd=lib)
        assert r.rc == 0, "ar lib%s.a\n%r" % (stem, r)


def order_module():
    """A cgo package whose -la -lb name two fixture archives in the wrong
    order: libb.a's b_value calls a_value, defined in liba.a, which GNU ld
    has already scanned when it meets libb.a."""
    mod = make_module("orderdemo", {"main.go": ORDER_MAIN})
    lib = os.path.join(mod, "lib")
    os.mkdir(lib)
    fixture_archives(lib, {"a.c": "int a_value(void) { return 41; }\n",
                           "b.c": "int a_value(void);\nint b_value(void) { return a_value() + 1; }\n"})
    return mod


@test
def wrong_order_archives_grouped():
    """The plain static link fails on a_value (proving the fixture is in the
    wrong order); gorelink with GNU ld (--linker=bfd: archive order is GNU
    ld's matter) diagnoses libb.a needing the earlier liba.a, groups the
    span, reports strategy "group", and the binary prints 42 in an empty
    root. Without --linker (auto: mold, which is not sensitive to archive
    order) the one link needs no repair and the binary is the same: static,
    42 in an empty root."""
    mod = order_module()
    lib = os.path.join(mod, "lib")
    plain = run(["go", "build", "-ldflags", "-linkmode=external -extldflags=-static",
                 "-o", os.path.join(scratch("order-plain"), "prog"), "."], cwd=mod, env=base_env())
    assert plain.rc != 0 and "a_value" in plain.err, (
        "the hand-written static build should fail on a_value\n%r" % plain)
    r, rep, out = build(mod, [], name="orderdemo-auto", env=base_env(GORELINK_NO_ORDER_PLAN="1"))
    if rep["linker"]["used"] in ("mold", "lld"):
        assert rep["order"] == [] and rep["links"] == 1, "%s: order %r, links %r" % (
            rep["linker"]["used"], rep["order"], rep["links"])
    assert readelf(out)["interp"] is None and not readelf(out)["needed"], "not static: %r" % readelf(out)
    res, _ = run_in_empty_root(out)
    assert res.rc == 0 and res.out.strip() == "42", "in an empty root (%s): %r" % (rep["linker"]["used"], res)
    r, rep, out = build(mod, ["--linker=bfd"], name="orderdemo", env=base_env(GORELINK_NO_ORDER_PLAN="1"))
    assert rep["order"] == [{"strategy": "group", "needs": os.path.join(lib, "libb.a"),
                             "provider": os.path.join(lib, "liba.a")}], "report order %r" % rep.get("order")
    assert re.search(r"libb\.a needs .*liba\.a", r.err) and "--start-group" in r.err, (
        "stderr does not explain the regrouping\n%r" % r)
    link = rep["link_argv"]
    assert "-Wl,--start-group" in link and "-Wl,--end-group" in link, "link_argv %r" % link
    s, e = link.index("-Wl,--start-group"), link.index("-Wl,--end-group")
    inside = [os.path.basename(w) for w in link[s:e]]
    assert "liba.a" in inside and "libb.a" in inside, "group holds %r" % inside
    assert readelf(out)["interp"] is None and not readelf(out)["needed"], "not static: %r" % readelf(out)
    res, _ = run_in_empty_root(out)
    assert res.rc == 0 and res.out.strip() == "42", "in an empty root: %r" % res


@test
def wrong_order_two_spans_widened():
    """-lgra -lgrc -lgrb -lgre -lgrd where grb needs grc and grd needs gre: two rounds of
    diagnosis; the second widens the one group to cover both spans (GNU ld:
    --linker=bfd; mold and lld do not mind the order)."""
    mod = make_module("order2", {"main.go": ORDER_MAIN.replace("-la -lb", "-lgra -lgrc -lgrb -lgre -lgrd")
                                 .replace("b_value", "d_value")})
    lib = os.path.join(mod, "lib")
    os.mkdir(lib)
    fixture_archives(lib, {"gra.c": "int a_value(void) { return 1; }\n",
                           "grc.c": "int c_value(void) { return 10; }\n",
                           "grb.c": "int c_value(void);\nint b_value(void) { return c_value() + 1; }\n",
                           "gre.c": "int b_value(void);\nint e_value(void) { return b_value() + 20; }\n",
                           "grd.c": "int e_value(void);\nint d_value(void) { return e_value() + 11; }\n"})
    r, rep, out = build(mod, ["--linker=bfd"], name="order2", env=base_env(GORELINK_NO_ORDER_PLAN="1"))
    pairs = [(os.path.basename(o["needs"]), os.path.basename(o["provider"])) for o in rep["order"]]
    assert ("libgrb.a", "libgrc.a") in pairs and ("libgrd.a", "libgre.a") in pairs, "report order %r" % rep["order"]
    assert all(o["strategy"] == "group" for o in rep["order"]), "strategies %r" % rep["order"]
    link = rep["link_argv"]
    assert link.count("-Wl,--start-group") == 1 and link.count("-Wl,--end-group") == 1, "link_argv %r" % link
    s, e = link.index("-Wl,--start-group"), link.index("-Wl,--end-group")
    inside = [os.path.basename(w) for w in link[s:e]]
    assert inside[1:] == ["libgrc.a", "libgrb.a", "libgre.a", "libgrd.a"], "group holds %r" % inside
    res, _ = run_in_empty_root(out)
    assert res.rc == 0 and res.out.strip() == "42", "in an empty root: %r" % res


def missing_archive_run(mod, tag):
    """`gorelink --json -o OUT .` in mod, OUT existing: exit 1 (a library has
    no archive) and OUT's directory untouched. Returns (result, report)."""
    out = existing_out(tag)
    d = os.path.dirname(out)
    before = snapshot(d)
    r = gorelink(["--json", "-o", out, "."], cwd=mod)
    assert r.rc == EXIT_VERDICT, "exit %d, want %d\n%r" % (r.rc, EXIT_VERDICT, r)
    assert snapshot(d) == before, "OUT's directory changed: %r" % listing(d)
    return r, parse_json(r)


@test
def pcap_explains_missing_libsystemd():
    """libpcap's Requires.private dbus-1 has Libs.private -lsystemd, and
    Debian ships no libsystemd.a: exit 1, OUT untouched, the chain, the
    shared library that exists and --allow-dynamic."""
    r, rep = missing_archive_run(pcap_module(), "pcap")
    assert rep["missing"] == ["systemd"], "report missing %r" % rep["missing"]
    assert "-lsystemd" in r.err, "stderr does not name -lsystemd\n%r" % r
    assert re.search(r"libsystemd\.so", r.err), "stderr does not name the shared library\n%r" % r
    assert "--allow-dynamic" in r.err, "stderr does not offer --allow-dynamic\n%r" % r
    assert re.search(r"libpcap -> Requires\.private -> dbus-1", r.err), (
        "stderr does not show the chain libpcap -> Requires.private -> dbus-1 (Libs.private)\n%r" % r)
    chain = "#cgo pkg-config: libpcap.pc -> Requires.private: dbus-1.pc -> Libs.private: -lsystemd"
    assert "\n  chain: %s\n" % chain in r.err, "stderr lacks the chain line %r\n%s" % (chain, r.err)
    assert rep["missing_chains"] == [{"missing": "systemd", "chain": chain}], rep["missing_chains"]
    assert rep["links"] == 0, "links %r: the failure was not found before linking" % rep["links"]


VIPS_MAIN = """package main

/*
#cgo pkg-config: vips
#include <stdlib.h>
#include <vips/vips.h>
*/
import "C"

import (
	"fmt"
	"unsafe"
)

func main() {
	name := C.CString("vipsdemo")
	defer C.free(unsafe.Pointer(name))
	if C.vips_init(name) != 0 {
		panic("vips_init failed")
	}
	fmt.Printf("vips %d.%d\\n", int(C.vips_version(0)), int(C.vips_version(1)))
}
"""


@test
def vips_third_party_suggests_allow_list():
    """Issue 13: libvips (libvips-dev) with --third-party. Debian ships no
    libvips.a and misses archives of much of its closure: the first failure
    prints the complete --allow-dynamic list on one line; that list links and
    runs; the libraries only libvips needs privately are left out of the link
    (said on stderr and in --json "dropped"); the binary is within 2x of a
    plain dynamic go build."""
    version = pkg_modversion("vips", "libvips-dev")
    mod = make_module("vipsdemo", {"main.go": VIPS_MAIN})
    out = existing_out("vips")
    r = gorelink(["-o", out, "--third-party", "."], cwd=mod)
    assert r.rc == EXIT_VERDICT, "exit %d, want %d\n%r" % (r.rc, EXIT_VERDICT, r)
    lines = r.err.split("\n")
    at = [i for i, l in enumerate(lines) if "the smallest set of libraries to keep dynamic" in l]
    assert len(at) == 1, "no (or more than one) smallest --allow-dynamic set on stderr\n%r" % r
    paste = lines[at[0] + 1].split()
    assert paste and len(paste) % 2 == 0 and all(w == "--allow-dynamic" for w in paste[0::2]), (
        "the line after it is no --allow-dynamic list: %r" % lines[at[0] + 1])
    names = paste[1::2]
    assert "vips" in names, "the list %r lacks vips" % names
    assert "why: -lvips (no archive)" in lines[at[0] + 2], "no reason for vips: %r" % lines[at[0] + 2]
    assert re.search(r"libraries load at run time .* from these packages:\n .*libvips42 \(-lvips\)", r.err), (
        "the run-time consequences (libvips42 by dpkg -S) are not shown\n%r" % r)
    assert "install the package that ships" not in r.err, "a package that may not exist is named\n%r" % r
    r, rep, out = build(mod, paste, name="vipsdemo")
    assert rep["ok"] is True and rep["check"]["pass"] is True, "report: %s" % json.dumps(rep)[:2000]
    dropped = {d["lib"]: d["via"] for d in rep["dropped"]}
    assert dropped.get("exif") == "vips" and dropped.get("jpeg") == "vips", (
        "report dropped %r lacks -lexif, -ljpeg (libvips' private dependencies)" % rep["dropped"])
    assert not any(os.path.basename(a).startswith(("libexif", "libjpeg", "libglib")) for a in archive_paths(rep)), (
        "archives of libraries kept dynamic or dropped were linked: %r" % rep["archives"])
    assert re.search(r"gorelink: kept dynamic, so \d+ libraries are not linked.*\n.* -lexif", r.err), (
        "stderr does not say what was dropped\n%r" % r)
    # Again, with go build's cgo results cached (the pkg-config shim does not
    # run): the same libraries are reported dropped.
    r2, rep2, out2 = build(mod, paste, name="vipsdemo")
    assert rep2["dropped"] == rep["dropped"], "dropped %r, then %r from the cache" % (rep["dropped"], rep2["dropped"])
    d = scratch("run-vips")
    rr = run([out], cwd=d, timeout=RUN_TIMEOUT)
    want = "vips %s" % ".".join(version.split(".")[:2])
    assert rr.rc == 0 and rr.out.strip() == want, "vipsdemo output, want %r\n%r" % (want, rr)
    plain = os.path.join(scratch("plain-vips"), "plain")
    rp = run(["go", "build", "-o", plain, "."], cwd=mod, env=base_env(CGO_ENABLED="1"))
    assert rp.rc == 0, "plain go build failed\n%r" % rp
    size, psize = os.path.getsize(out), os.path.getsize(plain)
    assert size <= 2 * psize, "%s is %d bytes, more than twice the plain dynamic build's %d" % (out, size, psize)


@test
def pcap_allow_dynamic_systemd():
    """--allow-dynamic systemd: the binary needs libsystemd.so.0 and the libc
    family only, passes a check that allows exactly those, and runs."""
    version = pkg_modversion("libpcap", "libpcap-dev")
    mod = pcap_module()
    r, rep, out = build(mod, ["--allow-dynamic", "systemd"], name="pcapdemo")
    assert rep["ok"] is True and rep["check"]["pass"] is True, "report: %s" % json.dumps(rep)[:2000]
    assert "libpcap.a" in [os.path.basename(p) for p in archive_paths(rep)], (
        "report archives %r lack libpcap.a" % rep["archives"])
    elf = readelf(out)
    assert "libsystemd.so.0" in elf["needed"], "DT_NEEDED %r lacks libsystemd.so.0" % elf["needed"]
    bad = [n for n in elf["needed"] if n != "libsystemd.so.0" and not LIBC_FAMILY.match(n)]
    assert not bad, "DT_NEEDED beyond libsystemd and the libc family: %r (all: %r)" % (bad, elf["needed"])
    rc, obj = check_cli(out, allow=["libsystemd.so.*", "libc.so.*", "libm.so.*", "libpthread.so.*",
                                    "libdl.so.*", "librt.so.*", "libresolv.so.*", "libutil.so.*",
                                    "libanl.so.*", "libmvec.so.*"])
    assert rc == 0 and obj["pass"], "gorelink check --allow libsystemd + libc family: rc %d %r" % (
        rc, obj.get("problems"))
    d = scratch("run-pcap")
    r = run([out], cwd=d, timeout=RUN_TIMEOUT)
    assert r.rc == 0 and r.out.startswith("libpcap version %s" % version), (
        "pcapdemo output, want 'libpcap version %s ...'\n%r" % (version, r))


BARE_PCAP_MAIN = PCAP_MAIN.replace("#cgo pkg-config: libpcap", "#cgo LDFLAGS: -lpcap")


@test
def bare_pcap_chain_before_link_and_ways_out():
    """A bare `#cgo LDFLAGS: -lpcap` (as gopacket writes it): the inferred
    closure reaches -lsystemd, which has no archive. Exit 1 before any link
    ran (links 0, OUT untouched), the whole chain on one line, on stderr and
    in --json missing_chains, the search list normalized, each directory
    once, and the ways out; then each way out named there, as pasted: with
    --allow-dynamic systemd one link and the binary runs on the host; with
    --stub systemd one link, static, and it runs in an empty root."""
    version = pkg_modversion("libpcap", "libpcap-dev")
    mod = make_module("barepcap", {"main.go": BARE_PCAP_MAIN})
    r, rep = missing_archive_run(mod, "barepcap")
    chain = "-lpcap -> libpcap.pc (inferred) -> Requires.private: dbus-1.pc -> Libs.private: -lsystemd"
    assert rep["links"] == 0, "links %r: the failure was not found before linking" % rep["links"]
    assert rep["missing"] == ["systemd"], "missing %r" % rep["missing"]
    assert rep["missing_chains"] == [{"missing": "systemd", "chain": chain}], (
        "missing_chains %r" % rep["missing_chains"])
    lines = r.err.split("\n")
    assert "  chain: " + chain in lines, "stderr lacks the chain line %r\n%s" % (chain, r.err)
    searched = [l for l in lines if l.startswith("  searched: ")]
    assert len(searched) == 1, "searched lines %r" % searched
    dirs = searched[0][len("  searched: "):].split(", ")
    assert len(dirs) == len(set(dirs)) and not any("/../" in x or x.endswith("/..") for x in dirs), (
        "the search list is not normalized, each directory once: %r" % dirs)
    assert "/usr/lib/x86_64-linux-gnu" in dirs, "search list %r" % dirs
    opts = [l for l in lines if l.startswith("  options: ")]
    assert opts and "--allow-dynamic systemd" in opts[0] and "--stub systemd" in opts[0], (
        "the options do not name both ways out: %r" % opts)
    # Way out 1, as pasted: keep libsystemd dynamic; runs on the host.
    r, rep, bin_ad = build(mod, ["--allow-dynamic", "systemd"], name="barepcap-ad")
    assert rep["links"] == 1 and rep["check"]["pass"] is True, "report: %s" % json.dumps(rep)[:2000]
    elf = readelf(bin_ad)
    assert "libsystemd.so.0" in elf["needed"], "DT_NEEDED %r lacks libsystemd.so.0" % elf["needed"]
    res = run([bin_ad], cwd=scratch("run-barepcap"), timeout=RUN_TIMEOUT)
    assert res.rc == 0 and res.out.startswith("libpcap version %s" % version), "on the host: %r" % res
    # Way out 2, as pasted: stubs; static, runs in an empty root.
    r, rep, bin_st = build(mod, ["--stub", "systemd"], name="barepcap-stub")
    assert rep["links"] == 1 and rep["check"]["pass"] is True and rep["verdict"] == "static", (
        "report: %s" % json.dumps(rep)[:2000])
    assert_static(bin_st)
    res, _ = run_in_empty_root(bin_st, name="barepcap")
    assert res.rc == 0 and res.out.startswith("libpcap version %s" % version), "in an empty root: %r" % res


@test
def bare_pcap_allow_dynamic_dbus_reports_dropped():
    """A bare -lpcap (its package inferred) with --allow-dynamic dbus-1: the
    inferred closure leaves dbus-1's private -lsystemd out (libdbus-1.so loads
    it), and gorelink says so -- stderr and --json dropped name systemd, via
    dbus-1 -- as it does for #cgo pkg-config answers; the binary runs."""
    version = pkg_modversion("libpcap", "libpcap-dev")
    mod = make_module("barepcapdbus", {"main.go": BARE_PCAP_MAIN})
    r, rep, out = build(mod, ["--allow-dynamic", "dbus-1"], name="barepcap-dbus")
    assert {"lib": "systemd", "via": "dbus-1"} in rep["dropped"], "dropped %r" % rep["dropped"]
    pcap = [x for x in rep["inferred"] if x["lname"] == "pcap"]
    assert pcap and "-ldbus-1" in pcap[0]["added"] and "-lsystemd" not in pcap[0]["added"], (
        "the inference of -lpcap lists what it added: %r" % rep["inferred"])
    assert "-lsystemd" not in rep["link_argv"] and not any(a.endswith("/libsystemd.a") for a in rep["link_argv"]), (
        "link_argv still names libsystemd: %r" % rep["link_argv"])
    assert re.search(r"^gorelink: kept dynamic, so 1 library is not linked .*\n -lsystemd$", r.err, re.M), (
        "stderr does not say -lsystemd was left out\n%s" % r.err)
    res = run([out], cwd=scratch("run-barepcap-dbus"), timeout=RUN_TIMEOUT)
    assert res.rc == 0 and res.out.startswith("libpcap version %s" % version), "on the host: %r" % res


# ------------------------------------------------------------------- main

# ------------------------------------------------------------ fault injection

def fake_linker(tag, final_action):
    """A script to pass as -extld: probes run gcc; the final link (the one that
    names Go's go.o) runs FINAL_ACTION (sh) instead.  Returns its path."""
    d = scratch("fake-ld-" + tag)
    path = os.path.join(d, "ld.sh")
    with open(path, "w") as f:
        f.write("#!/bin/sh\nfor a in \"$@\"; do case \"$a\" in */go.o) %s;; esac; done\nexec gcc \"$@\"\n"
                % final_action)
    os.chmod(path, 0o755)
    return path


def private_tmpdir(tag):
    """An empty TMPDIR, so that anything gorelink leaves there can be seen."""
    return scratch("tmpdir-" + tag)


@test
def fault_linker_killed():
    """The linker dies of SIGKILL, or of SIGINT, mid-link: gorelink names the
    signal in its last line (exit 2), OUT and its directory stay as they were,
    and neither the helper directory nor the temporary directory is left."""
    ex = example("fortytwo")
    for sig in ("KILL", "INT"):
        ld = fake_linker("killed-" + sig, "kill -%s $$" % sig)
        tmp = private_tmpdir("killed-" + sig)
        out = existing_out("killed-" + sig)
        d = os.path.dirname(out)
        before = snapshot(d)
        r = gorelink(["-o", out, ".", "--", "-ldflags=-extld=" + ld], cwd=ex, env=base_env(TMPDIR=tmp))
        assert r.rc == EXIT_BUILD, "SIG%s: exit %d, want %d\n%r" % (sig, r.rc, EXIT_BUILD, r)
        last = [l for l in r.err.split("\n") if l.startswith("gorelink: ")][-1:]
        assert last and "SIG" + sig in last[0] and "final link" in last[0], (
            "SIG%s: the last line does not name the signal: %r\n%r" % (sig, last, r))
        assert snapshot(d) == before, "SIG%s: OUT's directory changed: %r" % (sig, listing(d))
        assert listing(tmp) == [], "SIG%s: left in TMPDIR: %r" % (sig, listing(tmp))


def pid_alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def start_slow_link(tag):
    """Start gorelink on examples/fortytwo with a final link that sleeps, in
    a private TMPDIR and with an existing OUT; return once the link runs:
    (process, linker pid, TMPDIR, OUT's directory, its snapshot)."""
    marker = os.path.join(scratch("marker-" + tag), "pid")
    ld = fake_linker("slow-" + tag, "echo $$ > %s; exec sleep 120" % shlex.quote(marker))
    tmp = private_tmpdir("slow-" + tag)
    out = existing_out("slow-" + tag)
    d = os.path.dirname(out)
    before = snapshot(d)
    p = subprocess.Popen([GORELINK, "-o", out, ".", "--", "-ldflags=-extld=" + ld], cwd=example("fortytwo"),
                         env=base_env(TMPDIR=tmp), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + BUILD_TIMEOUT
        while not (os.path.exists(marker) and open(marker).read().strip()):
            assert p.poll() is None, "%s: gorelink ended before the link started: %r" % (tag, p.communicate())
            assert time.monotonic() < deadline, "%s: the final link never started" % tag
            time.sleep(0.05)
        linker = int(open(marker).read())
        assert pid_alive(linker), "%s: the fake linker is not running" % tag
    except BaseException:
        p.kill()
        p.wait()
        raise
    return p, linker, tmp, d, before


@test
def fault_gorelink_interrupted():
    """SIGINT or SIGTERM to gorelink while the final link runs: the link (a
    process inside go build's process group) is stopped, gorelink dies of the
    same signal, OUT is untouched and nothing is left in TMPDIR or beside OUT."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        name = signal.Signals(sig).name
        p, linker, tmp, d, before = start_slow_link(name)
        try:
            # Mid-build: gorelink's temporary directories are private (mkdtemp, 0700).
            temps = [os.path.join(tmp, e) for e in os.listdir(tmp) if e.startswith("gorelink-")] + \
                    [os.path.join(d, e) for e in os.listdir(d) if e.startswith(".gorelink-")]
            assert len(temps) == 2, "%s: want the helper dir and the dir beside OUT, got %r" % (name, temps)
            for t in temps:
                mode = os.stat(t).st_mode & 0o777
                assert mode == 0o700, "%s: %s has mode %o, want 700" % (name, t, mode)
            p.send_signal(sig)
            _, err = p.communicate(timeout=RUN_TIMEOUT)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        assert p.returncode == -sig, "%s: gorelink's status %d, want death by %s\n%s" % (
            name, p.returncode, name, err.decode(errors="replace"))
        for _ in range(100):
            if not pid_alive(linker):
                break
            time.sleep(0.05)
        assert not pid_alive(linker), "%s: the linker (pid %d) still runs" % (name, linker)
        assert snapshot(d) == before, "%s: OUT's directory changed: %r" % (name, listing(d))
        assert listing(tmp) == [], "%s: left in TMPDIR: %r" % (name, listing(tmp))


def group_members(pgid):
    """Live (not zombie) processes whose process group is PGID."""
    found = []
    for e in os.listdir("/proc"):
        if not e.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % e) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            found.append(int(e))
    return found


@test
def fault_gorelink_killed():
    """SIGKILL to gorelink (which cannot catch it) while the final link runs:
    gorelink-guard, the process go build runs under, sees gorelink go away,
    kills go build's whole process group (go, the linker) and removes the
    helper directory and the temporary directory beside OUT; OUT is untouched."""
    p, linker, tmp, d, before = start_slow_link("KILL")
    try:
        with open("/proc/%d/stat" % linker) as f:
            pgid = int(f.read().rsplit(")", 1)[1].split()[2])
        members = group_members(pgid)
        assert pid_alive(pgid) and len(members) >= 3, (
            "want the guard (pid %d), go and the linker in one group, got %r" % (pgid, members))
        with open("/proc/%d/cmdline" % pgid, "rb") as f:
            leader = f.read().split(b"\0")[0].decode()
        assert leader.endswith("/gorelink-guard"), "the group's leader is %r, not gorelink-guard" % leader
        assert len([e for e in os.listdir(tmp) if e.startswith("gorelink-")]) == 1, listing(tmp)
        assert len([e for e in os.listdir(d) if e.startswith(".gorelink-")]) == 1, listing(d)
        p.kill()
        p.wait(timeout=RUN_TIMEOUT)  # not communicate(): survivors would hold its pipes open
    finally:
        end_process(p)
    assert p.returncode == -signal.SIGKILL, "gorelink's status %d, want death by SIGKILL" % p.returncode
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (group_members(pgid) or listing(tmp) or snapshot(d) != before):
        time.sleep(0.05)
    left = group_members(pgid)
    if left:
        names = []
        for q in left:
            try:
                with open("/proc/%d/cmdline" % q, "rb") as f:
                    names.append(f.read().replace(b"\0", b" ").decode(errors="replace")[:100])
            except OSError:
                pass
        os.killpg(pgid, signal.SIGKILL)  # not to leave them to the next tests
        raise AssertionError("processes of go build's group still run: %r" % names)
    assert not pid_alive(linker), "the linker (pid %d) still runs" % linker
    assert listing(tmp) == [], "left in TMPDIR: %r" % listing(tmp)
    assert snapshot(d) == before, "OUT's directory changed: %r" % listing(d)


@test
def fault_guard_killed():
    """SIGKILL to gorelink-guard (the OOM killer's choice, say) while the
    final link runs: gorelink sees go build's guard die, kills what is left
    of the process group (go, the linker), exits 2 naming the signal, and
    leaves nothing in TMPDIR or beside OUT."""
    p, linker, tmp, d, before = start_slow_link("guard-KILL")
    try:
        with open("/proc/%d/stat" % linker) as f:
            pgid = int(f.read().rsplit(")", 1)[1].split()[2])
        os.kill(pgid, signal.SIGKILL)  # the guard leads the group
        _, err = p.communicate(timeout=RUN_TIMEOUT)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert p.returncode == EXIT_BUILD, "gorelink's status %d, want %d\n%s" % (
        p.returncode, EXIT_BUILD, err.decode(errors="replace"))
    assert "SIGKILL" in err.decode(errors="replace"), "the signal is not named\n%s" % err.decode(errors="replace")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and group_members(pgid):
        time.sleep(0.05)
    left = group_members(pgid)
    if left:
        os.killpg(pgid, signal.SIGKILL)
        raise AssertionError("processes of go build's group survived its guard: %r" % left)
    assert listing(tmp) == [], "left in TMPDIR: %r" % listing(tmp)
    assert snapshot(d) == before, "OUT's directory changed: %r" % listing(d)


@test
def guard_helper():
    """gorelink-guard by itself: refused without gorelink's pipe (exit 2);
    with it, go build's exit status and death by a signal are relayed as they
    are; when the pipe's write end closes, the command's group is killed and
    every --rm directory removed."""
    d = scratch("guard")
    guard = os.path.join(d, "gorelink-guard")
    os.symlink(GORELINK, guard)
    r = run([guard, "--", "true"])
    assert r.rc == 2 and "internal helper" in r.err, "no descriptor 3: %r" % r
    r = run([guard, "--reap", "1"])
    assert r.rc == 2, "--reap 1: %r" % r
    py = sys.executable
    for code, want in (("raise SystemExit(7)", 7), ("import os, signal; os.kill(os.getpid(), signal.SIGTERM)",
                                                      -signal.SIGTERM)):
        rfd, wfd = os.pipe()
        try:
            p = subprocess.Popen([guard, "--", py, "-c", code], pass_fds=(3,), preexec_fn=lambda: os.dup2(rfd, 3),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            out, err = p.communicate(timeout=RUN_TIMEOUT)
        finally:
            os.close(rfd)
            os.close(wfd)
        assert p.returncode == want, "%r: status %d, want %d\n%r" % (code, p.returncode, want, err)
    victim = os.path.join(d, "victim")
    os.mkdir(victim)
    open(os.path.join(victim, "f"), "w").close()
    marker = os.path.join(d, "pid")
    rfd, wfd = os.pipe()
    p = subprocess.Popen([guard, "--rm", victim, "--", py, "-c",
                          "import os, time; open(%r, 'w').write(str(os.getpid())); time.sleep(120)" % marker],
                         pass_fds=(3,), preexec_fn=lambda: os.dup2(rfd, 3),
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(rfd)
    try:
        deadline = time.monotonic() + RUN_TIMEOUT
        while not (os.path.exists(marker) and open(marker).read()):
            assert time.monotonic() < deadline and p.poll() is None, "the command never started"
            time.sleep(0.02)
        child = int(open(marker).read())
        assert os.getpgid(child) == p.pid, "the command is not in the guard's own group"
        os.close(wfd)  # as if gorelink died
        p.wait(timeout=RUN_TIMEOUT)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert p.returncode == -signal.SIGKILL, "the guard's status %d, want death by SIGKILL" % p.returncode
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (pid_alive(child) or os.path.exists(victim)):
        time.sleep(0.05)
    assert not pid_alive(child), "the command (pid %d) survived its guard" % child
    assert not os.path.exists(victim), "--rm %s was not removed" % victim


@test
def fault_output_filesystem_full():
    """OUT on a 512 KiB tmpfs that cannot hold the binary: exit 2, the
    linker's "No space left on device" shown, the file system as before."""
    ex = example("fortytwo")
    d = scratch("full-fs")
    r = run(["mount", "-t", "tmpfs", "-o", "size=512k", "gorelink-test", d])
    assert r.rc == 0, "cannot mount a tmpfs (the test needs root): %r" % r
    try:
        out = os.path.join(d, "prog")
        with open(out, "wb") as f:
            f.write(b"previous OUT\n")
        before = snapshot(d)
        r = gorelink(["-o", out, "."], cwd=ex)
        assert r.rc == EXIT_BUILD, "exit %d, want %d\n%r" % (r.rc, EXIT_BUILD, r)
        assert "no space left on device" in r.err.lower(), "stderr does not say the disk is full\n%r" % r
        assert r.err.rstrip().split("\n")[-1].startswith("gorelink: "), "no gorelink line last\n%r" % r
        assert snapshot(d) == before, "the full file system changed: %r" % listing(d)
    finally:
        run(["umount", d])


@test
def fault_out_is_a_directory_or_symlink():
    """OUT an existing directory: the binary goes inside under go's name.
    OUT a symbolic link: the link is replaced by the binary, its target is
    left alone (rename(2) semantics, as documented in OUTPUT FILE)."""
    ex = example("fortytwo")
    d = scratch("out-dir")
    r = gorelink(["-o", d, "."], cwd=ex)
    assert r.rc == 0, "exit %d\n%r" % (r.rc, r)
    assert listing(d) == ["fortytwo"], "inside OUT: %r" % listing(d)
    assert_static(os.path.join(d, "fortytwo"))
    d2 = scratch("out-symlink")
    target = os.path.join(d2, "target")
    with open(target, "wb") as f:
        f.write(b"the link's target\n")
    link = os.path.join(d2, "link")
    os.symlink(target, link)
    r = gorelink(["-o", link, "."], cwd=ex)
    assert r.rc == 0, "exit %d\n%r" % (r.rc, r)
    assert not os.path.islink(link), "OUT is still a symbolic link"
    assert open(target, "rb").read() == b"the link's target\n", "the symlink's target changed"
    assert_static(link)


@test
def fault_two_runs_same_out():
    """Two gorelink runs writing the same OUT at once both succeed; OUT is
    one complete, static binary that runs, and nothing else is left."""
    ex = example("fortytwo")
    d = scratch("race")
    out = os.path.join(d, "prog")
    procs = [subprocess.Popen([GORELINK, "-o", out, "."], cwd=ex, env=base_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    results = [(p.wait(timeout=BUILD_TIMEOUT), p.communicate()) for p in procs]
    for rc, (o, e) in results:
        assert rc == 0, "a concurrent run failed: %d\n%s" % (rc, e.decode(errors="replace"))
    assert listing(d) == ["prog"], "left beside OUT: %r" % listing(d)
    assert_static(out)
    res, _ = run_in_empty_root(out)
    assert res.rc == 0 and res.out.strip() == "42", "OUT does not run: %r" % res


@test
def fault_go_syntax_error():
    """A syntax error: go's own message appears verbatim, then gorelink's
    line; exit 2; OUT untouched."""
    mod = make_module("syntaxerr", {"main.go": 'package main\n\nimport "C"\n\nfunc main() {\n\tx :=\n}\n'})
    plain = run(["go", "build", "-o", os.path.join(scratch("syntax-plain"), "p"), "."], cwd=mod)
    assert plain.rc != 0, "go build accepted the syntax error: %r" % plain
    go_lines = [l for l in plain.err.split("\n") if l.startswith("./main.go:")]
    assert go_lines, "go build printed no syntax error: %r" % plain
    r, msg = expect_failure(["."], mod, EXIT_BUILD, words=("go build",), tag="syntax", go_output=True)
    for l in go_lines:
        assert l in r.err.split("\n"), "go's line %r is not shown verbatim\n%r" % (l, r)


@test
def fault_odd_environments():
    """LIBRARY_PATH naming missing dirs, a PKG_CONFIG_PATH dir with spaces,
    multi-word CC values, and no pkg-config program (PKG_CONFIG names a
    missing one): the build works, with libpkgconf resolving --pkg."""
    ex = example("fortytwo")
    r, rep, out = build(ex, [], env=base_env(LIBRARY_PATH="/nonexistent/a:/nonexistent/b"), name="fortytwo")
    assert rep["check"]["pass"], "LIBRARY_PATH with missing dirs: %s" % json.dumps(rep)[:1000]
    # A relative TMPDIR (go refuses helpers found through a relative PATH entry).
    rel = scratch("tmpdir-relative")
    r, rep, out = build(ex, [], env=base_env(TMPDIR=os.path.relpath(rel, ex)), name="fortytwo")
    assert rep["check"]["pass"] and listing(rel) == [], "TMPDIR relative: %s; left %r" % (
        json.dumps(rep)[:500], listing(rel))
    for cc in ("gcc -m64", "env gcc"):
        r, rep, out = build(ex, [], env=base_env(CC=cc), name="fortytwo")
        assert rep["check"]["pass"], "CC=%r: %s" % (cc, json.dumps(rep)[:1000])
    # ccache in front of the compiler: a fresh package (a nonce) so that go
    # compiles its C through ccache, and ccache's own statistics prove it ran.
    assert shutil.which("ccache"), "ccache is needed (apt-get install ccache; scripts/setup does)"
    ccdir = scratch("ccache-dir")
    cenv = base_env(CC="ccache gcc", CCACHE_DIR=ccdir)
    cmod = make_module("ccachecc", {"main.go": '// nonce %s\npackage main\n\n// int answer(void) { return 42; }\n'
                                    'import "C"\n\nfunc main() { println(int(C.answer())) }\n' % os.urandom(8).hex()})
    r, rep, out = build(cmod, [], env=cenv, name="ccachecc")
    assert rep["check"]["pass"] and rep["link_argv"][:2] == ["ccache", "gcc"], (
        "CC='ccache gcc': %s" % json.dumps(rep)[:1000])
    st = run(["ccache", "--print-stats"], env=cenv)
    stats = dict(l.split("\t", 1) for l in st.out.splitlines() if "\t" in l)
    ran = int(stats.get("cache_miss", 0)) + int(stats.get("direct_cache_hit", 0)) + \
        int(stats.get("preprocessed_cache_hit", 0)) + int(stats.get("called_for_link", 0))
    assert st.rc == 0 and ran > 0, "ccache never ran for CC='ccache gcc': %r" % st.out[:2000]
    pcdir = os.path.join(scratch("pc-spaces"), "pc dir with spaces")
    os.mkdir(pcdir)
    zlib = run(["pkg-config", "--variable=pcfiledir", "zlib"])
    assert zlib.rc == 0, "zlib's .pc is needed (apt-get install zlib1g-dev): %r" % zlib
    shutil.copy(os.path.join(zlib.out.strip(), "zlib.pc"), os.path.join(pcdir, "zspaced.pc"))
    # #cgo pkg-config: with a multi-word PKG_CONFIG, and with one set by go env -w.
    pc_ex = example("pkgconfig")
    r, rep, out = build(pc_ex, [], env=base_env(PKG_CONFIG="pkg-config --define-prefix"), name="pkgconfig")
    assert rep["check"]["pass"], "PKG_CONFIG with two words: %s" % json.dumps(rep)[:1000]
    goenv = os.path.join(scratch("goenv"), "env")
    genv = base_env(GOENV=goenv)
    w = run(["go", "env", "-w", "PKG_CONFIG=/nonexistent/by-go-env-w"], env=genv)
    assert w.rc == 0, "go env -w: %r" % w
    # A package of its own (a nonce in it), so that go runs pkg-config instead of using its cache.
    fresh = make_module("goenvpc", {"main.go": '// nonce %s\npackage main\n\n// #cgo pkg-config: zlib\n'
                                    '// #include <zlib.h>\nimport "C"\n\nfunc main() { println(C.GoString(C.zlibVersion())) }\n'
                                    % os.urandom(8).hex()})
    r = gorelink(["-o", os.path.join(scratch("goenv-out"), "p"), "."], cwd=fresh, env=genv)
    assert r.rc != 0 and "by-go-env-w" in r.err, (
        "a PKG_CONFIG set with go env -w is not the one run\n%r" % r)
    # No pkg-config program on PATH at all: a PATH of links to everything in
    # /usr/bin but pkg-config, plus go's directory.
    bindir = scratch("path-without-pkg-config")
    for e in os.listdir("/usr/bin"):
        if "pkg-config" not in e and "pkgconf" not in e:
            os.symlink(os.path.join("/usr/bin", e), os.path.join(bindir, e))
    gobin = os.path.dirname(os.path.realpath(shutil.which("go")))
    env = base_env(PKG_CONFIG_PATH=pcdir, PATH=bindir + ":" + gobin)
    assert shutil.which("pkg-config", path=env["PATH"]) is None, "pkg-config is still on PATH"
    r, rep, out = build(ex, ["--pkg", "zspaced"], env=env, name="fortytwo")
    assert "libz.a" in [os.path.basename(a) for a in archive_paths(rep)], (
        "--pkg with no pkg-config on PATH: archives %r" % rep["archives"])
    env = base_env(PKG_CONFIG_PATH=pcdir, PKG_CONFIG="/nonexistent/pkg-config")
    r, rep, out = build(ex, ["--pkg", "zspaced"], env=env, name="fortytwo")
    assert "libz.a" in [os.path.basename(a) for a in archive_paths(rep)], (
        "--pkg zspaced from a dir with spaces, no pkg-config program: archives %r" % rep["archives"])


@test
def metacharacters_passed_literally():
    """Shell metacharacters in the package directory, -ldflags -X values and a
    .pc file's values are passed as they are: nothing extra runs (no witness
    file appears) and the binary prints the -X value verbatim."""
    witness = scratch("witness")
    w = os.path.join(witness, "ran")
    evil = "$(touch %s);`touch %s`;touch %s\nx" % (w, w, w)
    # No slash can be in a file name: these touch "pwned" in whatever directory a shell would run in.
    d = os.path.join(scratch("meta"), "pkg $(touch pwned);`touch pwned`;x")
    os.mkdir(d)
    with open(os.path.join(d, "go.mod"), "w") as f:
        f.write("module example.com/meta\n\ngo 1.19\n")
    with open(os.path.join(d, "main.go"), "w") as f:
        f.write('package main\n\n// int one(void) { return 1; }\nimport "C"\n\nimport "fmt"\n\n'
                'var v = "unset"\n\nfunc main() { fmt.Printf("%q %d\\n", v, int(C.one())) }\n')
    pcdir = scratch("meta-pc")
    with open(os.path.join(pcdir, "evil.pc"), "w") as f:
        f.write("Name: evil\nDescription: metacharacters\nVersion: 1\n"
                "Libs: -L/nonexistent/$(touch_%s)/`id` -lz\n" % os.path.basename(w))
    val = evil.replace("\n", " ")
    r, rep, out = build(d, ["--pkg", "evil"], go_args=["-ldflags=-X 'main.v=%s'" % val.replace("'", "")],
                        env=base_env(PKG_CONFIG_PATH=pcdir), name="meta")
    assert not os.path.exists(w), "a metacharacter ran a command (%s exists)" % w
    pwned = [os.path.join(dp, f) for dp, _, fs in os.walk(SCRATCH) for f in fs if f == "pwned"]
    assert not pwned, "a metacharacter in the package path ran a command: %r" % pwned
    res, _ = run_in_empty_root(out)
    assert res.rc == 0 and res.out.strip() == "%s 1" % json.dumps(val.replace("'", "")), (
        "the -X value did not arrive verbatim: %r" % res)
    assert not os.path.exists(w), "a metacharacter ran a command (%s exists)" % w


@test
def musl_cc_from_go_env():
    """CC=musl-gcc set with `go env -w` (a GOENV file of the test's own, and
    no CC in the environment): gorelink decides musl from go env CC, as its
    --help says, so netgo/osusergo are not added (--json "tags"), and the
    final link runs musl-gcc."""
    assert shutil.which("musl-gcc"), "musl-gcc is needed (apt-get install musl-tools; scripts/setup does)"
    goenv = os.path.join(scratch("goenv-musl"), "env")
    env = base_env(GOENV=goenv, CC=None)
    w = run(["go", "env", "-w", "CC=musl-gcc"], env=env)
    assert w.rc == 0, "go env -w: %r" % w
    got = run(["go", "env", "CC"], env=env)
    assert got.out.strip() == "musl-gcc", "go env CC after go env -w: %r" % got
    r, rep, out = build(example("fortytwo"), ["-v"], env=env, name="fortytwo")
    assert "netgo" not in rep["tags"] and "osusergo" not in rep["tags"], (
        "tags %r with go env CC=musl-gcc (--help: not added for a musl CC)" % rep["tags"])
    assert rep["link_argv"][:1] == ["musl-gcc"], "link_argv %r" % rep["link_argv"][:3]
    assert rep["check"]["pass"], json.dumps(rep)[:1000]
    # The same build with CC=gcc from go env -w: the tags are added.
    w = run(["go", "env", "-w", "CC=gcc"], env=env)
    assert w.rc == 0, "go env -w: %r" % w
    r, rep, out = build(example("fortytwo"), ["-v"], env=env, name="fortytwo")
    assert "netgo" in rep["tags"] and "osusergo" in rep["tags"], "tags %r with go env CC=gcc" % rep["tags"]


# --------------------------------------------------------- issue 12: --stub

PCAP_CAPTURE_MAIN = """// pcapcapture opens the loopback interface with libpcap, sends itself UDP
// packets to 127.0.0.1 and prints the size of the first packet captured.
package main

// #cgo pkg-config: libpcap
// #include <pcap/pcap.h>
// #include <stdlib.h>
import "C"

import (
	"fmt"
	"net"
	"os"
	"time"
	"unsafe"
)

func main() {
	errbuf := (*C.char)(C.malloc(C.PCAP_ERRBUF_SIZE))
	defer C.free(unsafe.Pointer(errbuf))
	dev := C.CString("lo")
	p := C.pcap_open_live(dev, 256, 0, 100, errbuf)
	if p == nil {
		fmt.Println("pcap_open_live failed:", C.GoString(errbuf))
		os.Exit(1)
	}
	defer C.pcap_close(p)
	go func() {
		for i := 0; i < 40; i++ {
			if c, err := net.Dial("udp", "127.0.0.1:9"); err == nil {
				c.Write([]byte("gorelink --stub"))
				c.Close()
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		var hdr *C.struct_pcap_pkthdr
		var data *C.u_char
		switch r := C.pcap_next_ex(p, &hdr, &data); {
		case r == 1:
			fmt.Printf("captured %d bytes\\n", hdr.caplen)
			return
		case r < 0:
			fmt.Println("pcap_next_ex failed:", C.GoString(C.pcap_geterr(p)))
			os.Exit(1)
		}
	}
	fmt.Println("no packet captured")
	os.Exit(1)
}
"""


def pcap_capture_module():
    pkg_modversion("libpcap", "libpcap-dev")
    pkg_modversion("libsystemd", "libsystemd-dev")
    libdir = run(["pkg-config", "--variable=libdir", "dbus-1"])
    assert libdir.rc == 0 and os.path.isfile(os.path.join(libdir.out.strip(), "libdbus-1.a")), (
        "libdbus-1.a is needed (apt-get install libdbus-1-dev): %r" % libdir)
    return make_module("pcapcapture", {"main.go": PCAP_CAPTURE_MAIN})


@test
def stub_systemd_pcap_captures_in_empty_root():
    """--stub systemd: libpcap -> libdbus-1 -> libsystemd (no libsystemd.a)
    links statically with a stub archive of what libdbus-1.a needs from
    libsystemd (sd_listen_fds, sd_is_socket: each returns -1), listed with
    their callers on stderr and in --json "stubs"; the binary passes gorelink
    check and captures a packet on loopback inside an empty root."""
    mod = pcap_capture_module()
    r, rep, out = build(mod, ["--stub", "systemd"], name="pcapcapture")
    assert rep["ok"] is True, "report: %s" % json.dumps(rep)[:2000]
    assert_report(rep, out, mod, "static", "static", archives=("libpcap.a", "libdbus-1.a"))
    assert_static(out)
    stubs = {s["function"]: s for s in rep["stubs"]}
    for fn in ("sd_listen_fds", "sd_is_socket"):
        s = stubs.get(fn)
        assert s, "--json stubs lack %s: %r" % (fn, rep["stubs"])
        assert s["library"] == "systemd" and s["returns"] == "int" and s["type"] == "int" and \
            s["refused"] is None, "stub %s: %r" % (fn, s)
        assert any(re.search(r"libdbus-1\.a\([^)]+\.o\)$", c) for c in s["callers"]), (
            "stub %s: callers %r name no libdbus-1.a(member)" % (fn, s["callers"]))
        assert re.search(r"^  int %s\(\.\.\.\) returns -1, errno ENOSYS; called by .*libdbus-1\.a\(" % fn,
                         r.err, re.M), "stderr does not list %s with its caller\n%r" % (fn, r)
    assert all(s["refused"] is None and s["library"] == "systemd" for s in rep["stubs"]), rep["stubs"]
    assert re.search(r"^gorelink: --stub systemd: %d functions? of \S*libsystemd\.so\S* replaced by stubs"
                     % len(rep["stubs"]), r.err, re.M), "no --stub summary line on stderr\n%r" % r
    stub_ar = [a for a in rep["link_argv"] if a.endswith("/libsystemd-stub.a")]
    assert len(stub_ar) == 1 and "-lsystemd" not in rep["link_argv"], (
        "link_argv: want the stub archive instead of -lsystemd: %r" % rep["link_argv"])
    # The stub archive stands after libdbus-1.a, which needs it.
    dbus = [i for i, a in enumerate(rep["link_argv"]) if a.endswith("/libdbus-1.a")]
    assert dbus and dbus[0] < rep["link_argv"].index(stub_ar[0]), "order: %r" % rep["link_argv"]
    res, after = run_in_empty_root(out, name="pcapcapture")
    assert res.rc == 0 and re.match(r"^captured [0-9]+ bytes$", res.out.strip()), (
        "capture in an empty root: %r" % res)
    assert after == ["pcapcapture"], "the empty root gained %r" % after
    # Without --stub: the link still fails naming libsystemd, OUT untouched.
    r, msg = expect_failure(["."], mod, EXIT_VERDICT, ["systemd"], go_output=True, tag="nostub")
    assert "libsystemd.so" in r.err, "the failure does not name libsystemd's shared library\n%r" % r


STUBFX_C = """int stubfx_ok(int a) { return a + 1; }
void *stubfx_handle(void) { static int x; return &x; }
unsigned stubfx_count(void) { return 7; }
int stubfx_level = 3;
"""

STUBFX_H = """#ifndef STUBFX_H
#define STUBFX_H
#define STUBFX_API __attribute__((visibility("default")))
/* unsigned stubfx_ok(void); is only a comment */
STUBFX_API int stubfx_ok(int a);
STUBFX_API void *stubfx_handle(void);
STUBFX_API unsigned stubfx_count(void);
extern int stubfx_level;
#endif
"""


def stubfx_env():
    """A library with only a shared object (libstubfx.so), its header and a
    .pc file, made here; the environment that finds it."""
    base = scratch("stubfx")
    lib, inc, pc = (os.path.join(base, d) for d in ("lib", "include", "pc"))
    for d in (lib, inc, pc):
        os.mkdir(d)
    src = os.path.join(base, "stubfx.c")
    with open(src, "w") as f:
        f.write(STUBFX_C)
    with open(os.path.join(inc, "stubfx.h"), "w") as f:
        f.write(STUBFX_H)
    r = run(["gcc", "-shared", "-fPIC", "-o", os.path.join(lib, "libstubfx.so"), src], timeout=RUN_TIMEOUT)
    assert r.rc == 0, "gcc -shared\n%r" % r
    with open(os.path.join(pc, "stubfx.pc"), "w") as f:
        f.write("libdir=%s\nincludedir=%s\n\nName: stubfx\nDescription: only a shared library\n"
                "Version: 1.0\nLibs: -L${libdir} -lstubfx\nCflags: -I${includedir}\n" % (lib, inc))
    return base_env(PKG_CONFIG_PATH=pc)


def stubfx_module(name, body):
    return make_module(name, {"main.go": (
        "package main\n\n// #cgo pkg-config: stubfx\n// #include <errno.h>\n// #include <stubfx.h>\n"
        "// static int err_is_enosys(void) { return errno == ENOSYS; }\nimport \"C\"\n\n"
        "import \"fmt\"\n\nfunc main() {\n%s\n}\n" % body)})


@test
def stub_refuses_data_and_unknown_returns():
    """--stub on a library made at test time: a function returning int or a
    pointer is stubbed (-1 with errno ENOSYS, NULL; it runs in an empty
    root); a data symbol or a function returning unsigned is refused with
    exit 1, naming it, and OUT untouched."""
    env = stubfx_env()
    ok = stubfx_module("stubfxok", '\tfmt.Println(int(C.stubfx_ok(41)), int(C.err_is_enosys()), '
                       'C.stubfx_handle() == nil)')
    r, rep, out = build(ok, ["--stub", "stubfx"], env=env, name="stubfxok")
    assert_static(out)
    got = sorted((s["function"], s["returns"]) for s in rep["stubs"])
    assert got == [("stubfx_handle", "pointer"), ("stubfx_ok", "int")], "stubs %r" % rep["stubs"]
    assert all(any(re.search(r"\.o$", c) for c in s["callers"]) for s in rep["stubs"]), (
        "callers name no cgo object: %r" % rep["stubs"])
    res, _ = run_in_empty_root(out)
    assert res.rc == 0 and res.out.strip() == "-1 1 true", "stubs do not fail as documented: %r" % res
    for name, body, sym, why in (
            ("stubfxdata", "\tfmt.Println(int(C.stubfx_ok(1)) + int(C.stubfx_level))", "stubfx_level",
             "a data symbol"),
            ("stubfxuns", "\tfmt.Println(uint(C.stubfx_count()))", "stubfx_count", "returns unsigned")):
        mod = stubfx_module(name, body)
        r, msg = expect_failure(["--stub", "stubfx", "."], mod, EXIT_VERDICT, ["--stub stubfx", sym],
                                env=env, go_output=True, tag=name)
        assert re.search(r"^  %s: %s" % (sym, why), r.err, re.M), (
            "stderr does not explain why %s is refused (%s)\n%r" % (sym, why, r))
        rj = gorelink(["--json", "-o", os.path.join(scratch("out-" + name), name), "--stub", "stubfx", "."],
                      cwd=mod, env=env)
        rep = parse_json(rj)
        refused = [s for s in rep["stubs"] if s["refused"]]
        assert rj.rc == EXIT_VERDICT and [s["function"] for s in refused] == [sym], (
            "--json stubs: want %s refused: %r" % (sym, rep["stubs"]))

# ------------------------------------------- Go's build cache (issue 12)
#
# cmd/go keys a cgo package on its files, CC and CGO_*FLAGS, not on
# PKG_CONFIG nor on what pkg-config answers; gorelink's go build carries
# CGO_CPPFLAGS=...-DGORELINK_PKGCONFIG=KEY (relink/gr_gocache) so that it
# does not share cgo packages with plain builds nor across .pc changes.  The
# package of github.com/proglottis/gpgme would be the real-world case, but the
# module proxy refuses it (403 Forbidden, "This module version is not
# available", 2026-12-06): a suite-local package with `#cgo pkg-config: gpgme`
# (libgpgme-dev, whose static link needs Libs.private: libgpg-error,
# libassuan) stands in.  The packages are new in every run (a nonce), in a Go
# build cache of the suite's own (empty when the suite starts), so that what go
# reuses is only what these tests put there.


def gocache_env(**changes):
    """base_env with GOCACHE a cache of this suite run's own."""
    if "gocache" not in _cache:
        _cache["gocache"] = scratch("gocache")
    return base_env(GOCACHE=_cache["gocache"], **changes)


def gpgme_module(name, pc="gpgme"):
    """A main package importing NAME/gpg, a cgo package with `#cgo pkg-config:
    PC` that calls gpgme_check_version; it prints "gpgme ok"."""
    r = run(["pkg-config", "--exists", "gpgme"], timeout=RUN_TIMEOUT)
    assert r.rc == 0, "pkg-config gpgme: not installed (apt-get install libgpgme-dev)\n%r" % r
    mod = make_module(name, {"main.go": 'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/%s/gpg"\n)\n\n'
                                        'func main() { fmt.Println("gpgme", gpg.OK()) }\n' % name})
    os.mkdir(os.path.join(mod, "gpg"))
    with open(os.path.join(mod, "gpg", "gpg.go"), "w") as f:
        f.write('// nonce %s\npackage gpg\n\n// #cgo pkg-config: %s\n// #include <gpgme.h>\nimport "C"\n\n'
                '// OK says "ok" when gpgme initialises.\nfunc OK() string {\n'
                '\tif C.gpgme_check_version(nil) == nil {\n\t\treturn "failed"\n\t}\n\treturn "ok"\n}\n'
                % (os.urandom(8).hex(), pc))
    return mod


def gpg_compiles(err, mod):
    """The lines of go build -x output that run cgo on example.com/MOD/gpg (go compiled it)."""
    return [l for l in err.split("\n") if "/cgo " in l and "example.com/%s/gpg" % os.path.basename(mod) in l]


def cgo_cppflags(out):
    """The words of CGO_CPPFLAGS in OUT's build information (go version -m
    quotes a value with spaces, as Go's strconv.Quote: JSON for ASCII)."""
    _, settings = go_version_m(out)
    v = settings.get("CGO_CPPFLAGS", "")
    return shlex.split(json.loads(v) if v.startswith('"') else v)


def assert_cache_key(rep, out):
    """The JSON cache_key is 32 hex digits, and the binary's build information
    names it in CGO_CPPFLAGS."""
    key = rep.get("cache_key")
    assert isinstance(key, str) and re.match(r"^[0-9a-f]{32}$", key), "cache_key %r" % key
    v = harness.schema_validator(os.path.join(SRCDIR, "docs", "schema", "build-v1.schema.json"))
    errors = ["%s: %s" % ("/".join(map(str, e.path)), e.message) for e in v.iter_errors(rep)]
    assert not errors, "the report does not match docs/schema/build-v1.schema.json: %r" % errors[:5]
    flags = cgo_cppflags(out)
    assert flags and flags[-1] == "-DGORELINK_PKGCONFIG=" + key, (
        "go version -m: CGO_CPPFLAGS %r, want it to end with -DGORELINK_PKGCONFIG=%s" % (flags, key))
    return key


@test
def go_cache_plain_build_then_gorelink():
    """A plain `go build` compiles the cgo package first (pkg-config's dynamic
    flags, a dynamic binary); gorelink must not reuse that package: it builds
    a static binary (libgpgme.a, libgpg-error.a, libassuan.a from
    Libs.private) that runs in an empty root.  A second gorelink build reuses
    gorelink's own package (no cgo step) and gives a byte-identical binary."""
    env = gocache_env()
    mod = gpgme_module("gpgplain")
    d = scratch("gpgplain-go")
    plain = os.path.join(d, "plain")
    r = run(["go", "build", "-o", plain, "."], cwd=mod, env=env)
    assert r.rc == 0, "plain go build of a #cgo pkg-config: gpgme package\n%r" % r
    assert "libgpgme.so.11" in readelf(plain)["needed"], "the plain build is not dynamic: %r" % readelf(plain)
    r, rep, out = build(mod, [], go_args=["-x"], env=env, name="gpgplain")
    assert gpg_compiles(r.err, mod), (
        "gorelink's go build reused the plain build's cgo package (no cgo step for gpg):\n%s" % tail(r.err))
    names = [os.path.basename(a) for a in archive_paths(rep)]
    for a in ("libgpgme.a", "libgpg-error.a", "libassuan.a"):
        assert a in names, "archives %r: no %s (pkg-config --static's Libs.private)" % (names, a)
    assert_static(out)
    key = assert_cache_key(rep, out)
    res, _ = run_in_empty_root(out)
    assert res.rc == 0 and res.out.strip() == "gpgme ok", "the static binary in an empty root: %r" % res
    # Same inputs: go reuses gorelink's own package, and the binary is the same.
    r2, rep2, out2 = build(mod, [], go_args=["-x"], env=env, name="gpgplain")
    assert rep2["cache_key"] == key, "cache_key changed between identical runs: %r, %r" % (key, rep2["cache_key"])
    assert not gpg_compiles(r2.err, mod), (
        "an identical second gorelink build compiled the cgo package again:\n%s" % "\n".join(gpg_compiles(r2.err, mod)))
    assert sha256(out) == sha256(out2), "two identical gorelink builds differ"


@test
def go_cache_gorelink_then_plain_static_build():
    """gorelink compiles the cgo package first; the hand-written static
    recipe (`go build -ldflags '-linkmode=external -extldflags=-static'`) must
    not link on gorelink's cached --static flags: go runs pkg-config itself
    (go build -x shows `pkg-config --libs -- gpgme`) and the link fails on
    undefined references as on an empty cache.  A plain dynamic go build
    after it works and is dynamic."""
    env = gocache_env()
    mod = gpgme_module("gpgfirst")
    r, rep, out = build(mod, [], env=env, name="gpgfirst")
    assert_static(out)
    d = scratch("gpgfirst-go")
    plain = os.path.join(d, "plain")
    r = run(["go", "build", "-x", "-ldflags", "-linkmode=external -extldflags=-static", "-o", plain, "."],
            cwd=mod, env=env)
    ran = [l for l in r.err.split("\n") if re.match(r"^pkg-config --libs -- gpgme\s*$", l)]
    assert ran, "the plain go build did not run pkg-config --libs: it reused gorelink's package\n%s" % tail(r.err)
    assert r.rc != 0 and "undefined reference" in r.err, (
        "the hand-written static build of gpgme linked (on gorelink's cached flags?)\n%r" % r)
    assert not os.path.exists(plain), "the failed plain build left %s" % plain
    r = run(["go", "build", "-o", plain, "."], cwd=mod, env=env)
    assert r.rc == 0, "plain dynamic go build after gorelink\n%r" % r
    assert "libgpgme.so.11" in readelf(plain)["needed"], "plain build: %r" % readelf(plain)
    assert_cache_key(rep, out)


@test
def go_cache_pc_change_between_gorelink_runs():
    """A .pc file of the suite's own (on PKG_CONFIG_PATH) whose Libs.private
    lacks -lassuan: gorelink's link fails on libassuan's symbols.  Patched,
    the next gorelink run must read it (a new cache_key; the cgo package is
    compiled again) and link a static binary that runs; go must not reuse the
    package compiled with the old answer.  Touching the .pc without changing
    it keeps the key."""
    env0 = gocache_env()
    pcdir = scratch("grgpg-pc")
    pc = os.path.join(pcdir, "grgpg.pc")
    text = "Name: grgpg\nDescription: gpgme, by the suite\nVersion: 1\nLibs: -lgpgme\nLibs.private: %s\n"
    with open(pc, "w") as f:
        f.write(text % "-lgpg-error")
    env = dict(env0, PKG_CONFIG_PATH=pcdir)
    mod = gpgme_module("gpgpc", pc="grgpg")
    r, _, _ = build(mod, [], env=env, name="gpgpc", expect=EXIT_BUILD)
    first = parse_json(r)
    assert "assuan" in r.err and "undefined" in r.err, (
        "without -lassuan the static link should fail on libassuan's symbols\n%r" % r)
    with open(pc, "w") as f:
        f.write(text % "-lassuan -lgpg-error")
    r, rep, out = build(mod, [], go_args=["-x"], env=env, name="gpgpc")
    assert gpg_compiles(r.err, mod), "the cgo package was not compiled again after the .pc changed"
    assert "libassuan.a" in [os.path.basename(a) for a in archive_paths(rep)], (
        "archives %r: the patched Libs.private was not read" % rep["archives"])
    assert rep["cache_key"] != first["cache_key"], "cache_key %r did not change with the .pc" % rep["cache_key"]
    assert_static(out)
    assert_cache_key(rep, out)
    res, _ = run_in_empty_root(out)
    assert res.rc == 0 and res.out.strip() == "gpgme ok", "%r" % res
    st = os.stat(pc)
    os.utime(pc, ns=(st.st_atime_ns + 10**9, st.st_mtime_ns + 10**9))
    r, rep2, _ = build(mod, [], go_args=["-x"], env=env, name="gpgpc")
    assert rep2["cache_key"] == rep["cache_key"], "a touched, unchanged .pc changed the key"
    assert not gpg_compiles(r.err, mod), "a touched, unchanged .pc made go compile the package again"


@test
def go_cache_user_cppflags_kept():
    """The user's CGO_CPPFLAGS, from `go env -w` (no CGO_CPPFLAGS in the
    environment) and then from the environment, come first in go build's
    CGO_CPPFLAGS, gorelink's mark last: the C code sees the user's macro."""
    goenv = os.path.join(scratch("goenv-cppflags"), "env")
    env = base_env(GOENV=goenv)
    w = run(["go", "env", "-w", "CGO_CPPFLAGS=-DGR_USER_FLAG=7"], env=env)
    assert w.rc == 0, "go env -w: %r" % w
    mod = make_module("cppflags", {"main.go": '// nonce %s\npackage main\n\n// int flag(void) { return GR_USER_FLAG; }\n'
                                   'import "C"\n\nimport "fmt"\n\nfunc main() { fmt.Println(int(C.flag())) }\n'
                                   % os.urandom(8).hex()})
    for how, e, want in (("go env -w", env, "7"), ("the environment", dict(env, CGO_CPPFLAGS="-DGR_USER_FLAG=8"), "8")):
        r, rep, out = build(mod, [], env=e, name="cppflags")
        key = assert_cache_key(rep, out)
        flags = cgo_cppflags(out)
        assert flags == ["-DGR_USER_FLAG=" + want, "-DGORELINK_PKGCONFIG=" + key], (
            "CGO_CPPFLAGS from %s: %r" % (how, flags))
        res, _ = run_in_empty_root(out)
        assert res.rc == 0 and res.out.strip() == want, "CGO_CPPFLAGS from %s: %r" % (how, res)


DL2_MAIN = """package main

/*
#cgo LDFLAGS: -L${SRCDIR}/lib -lplugone -lplugtwo
int one_load(void);
int two_load(void);
*/
import "C"

import "fmt"

func main() { fmt.Println(int(C.one_load()), int(C.two_load())) }
"""


@test
def findings_every_dlopen_caller():
    """Two archives made here, each calling dlopen: GNU ld warns once (for the
    first), but both callers are findings, in the text and in --json (with
    "callers" naming both); the --trace-symbol lines gorelink asked for are
    not shown; an optional dlopen stays a finding (the build succeeds)."""
    mod = make_module("dltwo", {"main.go": DL2_MAIN})
    lib = os.path.join(mod, "lib")
    os.mkdir(lib)
    fixture_archives(lib, {"plugone.c": "#include <dlfcn.h>\nint one_load(void) { return dlopen(\"libnothere1.so\", RTLD_NOW) != 0; }\n",
                           "plugtwo.c": "#include <dlfcn.h>\nint two_load(void) { return dlopen(\"libnothere2.so\", RTLD_NOW) != 0; }\n"})
    one, two = (os.path.join(lib, "lib%s.a(%s.o)" % (n, n)) for n in ("plugone", "plugtwo"))
    # GNU ld alone names only the first caller: the reason for the tracing.
    plain = run(["go", "build", "-ldflags", "-linkmode=external -extldflags=-static",
                 "-o", os.path.join(scratch("dltwo-plain"), "prog"), "."], cwd=mod, env=base_env())
    assert plain.rc == 0 and plain.err.count("Using 'dlopen'") == 1 and "plugtwo" not in plain.err, (
        "GNU ld was expected to warn once, for libplugone.a only\n%r" % plain)
    r, _, _ = build(mod, [], name="dltwo", json_report=False)
    for who in (one, two):
        assert re.search(r"^gorelink: dlopen in a static glibc binary, called by %s" % re.escape(who), r.err, re.M), (
            "no finding for %s\n%r" % (who, r))
    assert not re.search(r": (reference to|definition of) ", r.err + r.out), "trace lines shown\n%r" % r
    r, rep, _ = build(mod, [], name="dltwo")
    got = sorted(f["source"] for f in rep["findings"] if f["symbol"] == "dlopen")
    assert got == sorted([one, two]), "JSON dlopen findings %r" % rep["findings"]
    for f in rep["findings"]:
        assert sorted(f["callers"]) == sorted([one, two]) and f["fails"] is None and f["plugin_loader"] is None, (
            "finding %r" % f)
    assert {f["library"] for f in rep["findings"]} == {"libplugone.a", "libplugtwo.a"}, rep["findings"]


LTDL_MAIN = """package main

/*
#cgo LDFLAGS: -lltdl
#include <ltdl.h>
static int load(void) {
	if (lt_dlinit() != 0) return -1;
	lt_dlhandle h = lt_dlopenext("libnothere");
	int ok = h != 0;
	lt_dlexit();
	return ok;
}
*/
import "C"

import "fmt"

func main() { fmt.Println(int(C.load())) }
"""


@test
def ltdl_plugin_loader_fails_static_by_default():
    """A cgo package loading plugins through libltdl (libltdl-dev's
    libltdl.a): the plugin-loader finding, libltdl.a's dlopen marked as
    failing, and a --static build that fails by default (exit 1, OUT
    untouched, the ways out named); --accept-dlopen builds it, with the
    findings still reported."""
    r = run(["gcc", "-print-file-name=libltdl.a"], timeout=RUN_TIMEOUT)
    assert r.rc == 0 and os.path.isabs(r.out.strip()), (
        "libltdl.a is needed (apt-get install libltdl-dev; scripts/setup does)\n%r" % r)
    mod = make_module("ltdldemo", {"main.go": LTDL_MAIN})
    r, msg = expect_failure(["."], mod, EXIT_VERDICT, ["libltdl", "lt_dlopenext", "--accept-dlopen",
                                                       "--third-party", "OUT is untouched"],
                            go_output=True, tag="ltdl")
    assert re.search(r"^gorelink: plugin loader lt_dlopenext \(libltdl\) in a static binary", r.err, re.M), (
        "no plugin-loader finding\n%r" % r)
    rj = gorelink(["--json", "-o", os.path.join(scratch("out-ltdlj"), "ltdldemo"), "."], cwd=mod)
    rep = parse_json(rj)
    assert rj.rc == EXIT_VERDICT and rep["ok"] is False and "--accept-dlopen" in (rep["error"] or ""), (
        "--json: exit %d error %r" % (rj.rc, rep["error"]))
    loader = finding(rep, "lt_dlopenext")
    assert loader["plugin_loader"] == "libltdl" and loader["fails"], "loader finding %r" % loader
    dl = finding(rep, "dlopen")
    assert dl["library"] == "libltdl.a" and dl["fails"] and "libltdl.a" in dl["fails"], "dlopen finding %r" % dl
    r, rep, out = build(mod, ["--accept-dlopen"], name="ltdldemo")
    assert_static(out)
    assert finding(rep, "lt_dlopenext")["fails"], "the findings stay in the report: %r" % rep["findings"]


MUSLZ_MAIN = """package main

/*
#cgo LDFLAGS: -L${SRCDIR}/lib -lz
void *gzopen(const char *, const char *);
int gzclose(void *);
static int gz(void) { void *f = gzopen("/dev/null", "rb"); if (f) gzclose(f); return f != 0; }
*/
import "C"

import "fmt"

func main() { fmt.Println(int(C.gz())) }
"""


@test
def musl_with_glibc_built_archive_explained():
    """CC=musl-gcc with a copy of Debian's libz.a (built for glibc: its
    gzlib.o needs __snprintf_chk): the link fails, and the explanation names
    libz.a as built for glibc with the ways out, rather than an archive that
    happens to define __snprintf_chk (libasan.a)."""
    assert shutil.which("musl-gcc"), "musl-gcc is needed (apt-get install musl-tools; scripts/setup does)"
    z = "/usr/lib/x86_64-linux-gnu/libz.a"
    assert os.path.exists(z), "%s is needed (apt-get install zlib1g-dev)" % z
    mod = make_module("muslz", {"main.go": MUSLZ_MAIN})
    lib = os.path.join(mod, "lib")
    os.mkdir(lib)
    shutil.copyfile(z, os.path.join(lib, "libz.a"))
    libz = os.path.join(lib, "libz.a")
    r, _ = expect_failure(["."], mod, EXIT_BUILD, [], env=base_env(CC="musl-gcc"), go_output=True, tag="muslz")
    assert re.search(r"^gorelink: %s was built for glibc: .*__snprintf_chk" % re.escape(libz), r.err, re.M), (
        "no 'built for glibc' explanation naming %s\n%r" % (libz, r))
    assert "--third-party" in r.err and "glibc toolchain" in r.err, "the ways out are not named\n%r" % r
    assert "libasan" not in r.err, "libasan.a suggested for glibc's __snprintf_chk\n%r" % r
    assert re.search(r"^gorelink: the link failed: %s was built for glibc" % re.escape(libz), r.err, re.M), (
        "the error line does not name the glibc-built archive\n%r" % r)


# ------------------------------------------------ issue 12: a bare -l's package

# (name, Debian package, extra cgo directives, C prelude, Go body, wanted
# output, the -l name, the package gr_pcindex_choose picks).
INFER_CASES = [
    ("inferxml2", "libxml2-dev", "// #cgo CFLAGS: -I/usr/include/libxml2\n// #cgo LDFLAGS: -lxml2\n",
     "// #include <string.h>\n// #include <libxml/parser.h>\n// #include <libxml/tree.h>\n"
     "// static const char *root_name(const char *s) {\n"
     "//   xmlDocPtr d = xmlReadMemory(s, (int)strlen(s), \"in.xml\", \"ISO-8859-1\", 0);\n"
     "//   return d ? (const char *)xmlDocGetRootElement(d)->name : \"error\";\n// }\n",
     "\ts := C.CString(\"<?xml version=\\\"1.0\\\" encoding=\\\"ISO-8859-1\\\"?><gr\\xe9et/>\")\n"
     "\tfmt.Println(C.GoString(C.root_name(s)))\n",
     "gr\u00e9et", "xml2", "libxml-2.0"),
    ("inferssh2", "libssh2-1-dev", "// #cgo LDFLAGS: -lssh2\n",
     "// #include <libssh2.h>\n",
     "\tfmt.Println(C.libssh2_init(0), C.GoString(C.libssh2_version(0)) != \"\")\n",
     "0 true", "ssh2", "libssh2"),
    ("infergpgme", "libgpgme-dev", "// #cgo LDFLAGS: -lgpgme\n",
     "// #include <gpgme.h>\n",
     "\tfmt.Println(C.GoString(C.gpgme_check_version(nil)) != \"\")\n",
     "true", "gpgme", "gpgme"),
    # Deep: libarchive's Libs.private names -lxml2 without libxml-2.0, whose own
    # Libs.private names ICU (C++): each level is inferred in the same link.
    ("inferarchive", "libarchive-dev libacl1-dev liblz4-dev", "// #cgo LDFLAGS: -larchive\n",
     "// #include <archive.h>\n// static int open_all(void) {\n"
     "//   struct archive *a = archive_read_new();\n"
     "//   int rc = archive_read_support_format_all(a) | archive_read_support_filter_all(a);\n"
     "//   archive_read_free(a);\n//   return rc;\n// }\n",
     "\tfmt.Println(C.open_all(), C.GoString(C.archive_version_string()) != \"\")\n",
     "0 true", "archive", "libarchive"),
]


def infer_module(name, directives, prelude, body):
    return make_module(name, {"main.go": (
        "package main\n\n" + directives + prelude + "import \"C\"\n\nimport \"fmt\"\n\n"
        "func main() {\n" + body + "}\n")})


@test
def infer_package_of_a_bare_l():
    """Issue 12: a cgo package that writes a bare `#cgo LDFLAGS: -lNAME`
    links statically in one link: gorelink infers NAME's pkg-config package
    and links its --static closure after -lNAME (libxml2: ICU, lzma, zlib and
    the C++ runtime; libssh2: libcrypto; gpgme: gpg-error, assuan; libarchive:
    nettle, acl, lz4, zstd, bz2, then libxml2 and ICU). The binary
    passes gorelink check and runs in an empty root; --json's inferred entry
    names the package, the rule and the flags added; `links` is 1; with
    --no-infer the same link fails as before (exit 2, no inferred entry).
    -larchive is the deep case (libarchive -> -lxml2 -> ICU); -lcurl is not
    a case: its static closure names archives Debian does not ship (nghttp2,
    rtmp, ldap, gssapi)."""
    for (name, deb, directives, prelude, body, want, lname, pkg) in INFER_CASES:
        need = {"inferxml2": ["/usr/include/libxml2/libxml/parser.h"], "inferssh2": ["/usr/include/libssh2.h"],
                "infergpgme": ["/usr/include/gpgme.h"],
                "inferarchive": ["/usr/include/archive.h"] + [
                    os.path.join(d, a) for d in ("/usr/lib/x86_64-linux-gnu",) for a in ("libacl.a", "liblz4.a")
                    if go_env("GOARCH") == "amd64"]}[name]
        for f in need:
            assert os.path.exists(f), "%s is missing: apt-get install %s (scripts/setup)" % (f, deb)
        mod = infer_module(name, directives, prelude, body)
        r, rep, out = build(mod, ["-v"], name=name)
        assert_static(out)
        rc, chk = check_cli(out)
        assert rc == 0, "gorelink check on %s: exit %d %r" % (name, rc, chk)
        mine = [x for x in rep["inferred"] if x["lname"] == lname]
        assert len(mine) == 1 and mine[0]["package"] == pkg and mine[0]["via"] is None, (
            "%s: inferred %r, want -l%s -> %s" % (name, rep["inferred"], lname, pkg))
        assert mine[0]["added"] and "-l" + lname not in mine[0]["added"], "%s: added %r" % (name, mine[0])
        assert mine[0]["rule"] and mine[0]["why"], "%s: no rule %r" % (name, mine[0])
        assert "-l%s: inferred package %s" % (lname, pkg) in r.err, "%s: -v does not say it\n%s" % (name, r.err)
        assert rep["links"] == 1, "%s: %d link attempts, want 1 (%r)" % (name, rep["links"], rep["order"])
        res, _ = run_in_empty_root(out, name=name)
        assert res.rc == 0 and res.out.strip() == want, "%s in an empty root: %r, want %r" % (name, res, want)
        rn = gorelink(["--json", "--no-infer", "-o", os.path.join(scratch("out-noinfer-" + name), name), "."],
                      cwd=mod)
        repn = parse_json(rn)
        assert rn.rc == EXIT_BUILD and repn["inferred"] == [] and repn["links"] >= 1, (
            "%s --no-infer: exit %d (want %d), inferred %r\n%s" % (name, rn.rc, EXIT_BUILD, repn["inferred"],
                                                               tail(rn.err)))


@test
def infer_libsqlite3_bare_l():
    """go-sqlite3 with -tags libsqlite3 writes a bare -lsqlite3: the package
    sqlite3 is inferred, its Libs.private (-lm, -lz...) follow -lsqlite3, and
    the binary links in one go (links 1, no --fix) and runs in an empty root."""
    version = pkg_modversion("sqlite3", "libsqlite3-dev")
    ex = example("sqlite3")
    r, rep, out = build(ex, [], go_args=["-tags", "libsqlite3"], name="sq-infer")
    mine = [x for x in rep["inferred"] if x["lname"] == "sqlite3"]
    assert len(mine) == 1 and mine[0]["package"] == "sqlite3" and "-lm" in mine[0]["added"], (
        "inferred %r" % rep["inferred"])
    assert rep["links"] == 1 and rep["fixes"] == [] and rep["undefined"] == [], (
        "links %r fixes %r undefined %r" % (rep["links"], rep["fixes"], rep["undefined"]))
    assert_static(out)
    sqlite_in_empty_root(out, version)


@test
def infer_not_for_pkg_config_answers_even_from_go_cache():
    """A #cgo pkg-config: answer is never inferred again, also when go build
    takes it from its cache (the pkg-config helper does not run then: the
    names are remembered per link). Two builds of the same package: no
    inferred entry either time, the second one's cgo step cached."""
    assert os.path.exists("/usr/include/libxml2/libxml/parser.h"), (
        "libxml2 headers missing: apt-get install libxml2-dev (scripts/setup)")
    mod = infer_module("inferpcxml", "// #cgo pkg-config: libxml-2.0\n",
                       "// #include <libxml/parser.h>\n",
                       "\tC.xmlInitParser()\n\tfmt.Println(\"ok\")\n")
    for i in (1, 2):
        r, rep, out = build(mod, [], name="inferpcxml%d" % i)
        assert rep["inferred"] == [], "run %d: a pkg-config answer was inferred: %r" % (i, rep["inferred"])
        assert_static(out)



def messages_module(name, ldflags, calls, sources, members=None):
    """A cgo package whose #cgo LDFLAGS are -L${SRCDIR}/lib LDFLAGS and whose
    main prints the sum of CALLS (C functions returning int); lib/ holds
    fixture archives of SOURCES, and MEMBERS (archive stem -> {name: source})
    archives of several objects each."""
    decls = "".join("int %s(void);\n" % c for c in calls)
    main = ("package main\n\n/*\n#cgo LDFLAGS: -L${SRCDIR}/lib %s\n%s*/\nimport \"C\"\n\nimport \"fmt\"\n\n"
            "func main() { fmt.Println(%s) }\n" % (ldflags, decls, " + ".join("int(C.%s())" % c for c in calls)))
    mod = make_module(name, {"main.go": main})
    lib = os.path.join(mod, "lib")
    os.mkdir(lib)
    fixture_archives(lib, sources)
    for stem, objs in (members or {}).items():
        paths = []
        for fn, text in objs.items():
            with open(os.path.join(lib, fn), "w") as f:
                f.write(text)
            o = os.path.join(lib, os.path.splitext(fn)[0] + ".o")
            r = run(["gcc", "-c", "-O2", "-o", o, os.path.join(lib, fn)], cwd=lib)
            assert r.rc == 0, "gcc -c %s (apt-get install gcc)\n%r" % (fn, r)
            paths.append(o)
        r = run(["ar", "rcs", os.path.join(lib, "lib%s.a" % stem)] + paths, cwd=lib)
        assert r.rc == 0, "ar lib%s.a (apt-get install binutils)\n%r" % (stem, r)
    return mod


@test
def link_order_line_once_with_count():
    """Three members of libmb.a need liba.a's a_value, and -lma comes first:
    one link-order line with "(3 times)", one order record, and the binary
    runs (issue 12: the same line was printed once per member). GNU ld
    (--linker=bfd): mold and lld do not mind the order."""
    mod = messages_module("ordercount", "-lma -lmb", ["mb1", "mb2", "mb3"],
                          {"ma.c": "int a_value(void) { return 1; }\n"},
                          {"mb": {"mb%d.c" % k: "int a_value(void);\nint mb%d(void) { return a_value() + %d; }\n" % (k, k)
                                  for k in (1, 2, 3)}})
    lib = os.path.join(mod, "lib")
    r, rep, out = build(mod, ["--linker=bfd"], name="ordercount", env=base_env(GORELINK_NO_ORDER_PLAN="1"))
    lines = [l for l in r.err.split("\n") if l.startswith("gorelink: link order: ")]
    assert len(lines) == 1, "want one link-order line, got %d\n%s" % (len(lines), r.err)
    assert lines[0].endswith(" (3 times)") and "libmb.a needs" in lines[0], "link-order line %r" % lines[0]
    assert rep["order"] == [{"strategy": "group", "needs": os.path.join(lib, "libmb.a"),
                             "provider": os.path.join(lib, "libma.a")}], "report order %r" % rep["order"]
    res, _ = run_in_empty_root(out)
    assert res.rc == 0 and res.out.strip() == "9", "in an empty root: %r" % res


def is_link_dump(line):
    """cmd/link's dump of a failed external link: gorelink-ld's path, then its arguments."""
    first = line.split(" ", 1)[0]
    return " " in line and (first == "gorelink-ld" or first.endswith("/gorelink-ld"))


@test
def link_command_dump_only_with_v_or_json():
    """A link that fails even after --fix (libfa.a needs libfb.a, which --fix
    adds; nowhere_value is defined nowhere): cmd/link's one-line dump of the
    whole gorelink-ld command is not on the terminal (a short note instead)
    but in --json's link_failure_dump, and on the terminal with -v; the last
    line says what --fix added and what is left, not "or use --fix"."""
    mod = messages_module("dumpfix", "-lfa", ["fa_value", "nowhere_value"],
                          {"fa.c": "int fb_value(void);\nint fa_value(void) { return fb_value() + 1; }\n",
                           "fb.c": "int fb_value(void) { return 41; }\n"})
    out = os.path.join(scratch("out-dumpfix"), "prog")
    r = gorelink(["--json", "--fix", "-o", out, "."], cwd=mod)
    assert r.rc == EXIT_BUILD, "exit %d, want %d\n%r" % (r.rc, EXIT_BUILD, r)
    rep = parse_json(r)
    dumps = [l for l in r.err.split("\n") if is_link_dump(l)]
    assert not dumps, "the link command dump is on stderr without -v: %r" % [d[:200] for d in dumps]
    # Go 1.19's cmd/link prints no command line after "running gorelink-ld
    # failed" (Debian 12's golang-go, when it is the go on PATH): nothing to
    # set apart, so no note and no dump; newer ones print the whole command.
    goversion = subprocess.run(["go", "env", "GOVERSION"], cwd=mod, stdout=subprocess.PIPE,
                               text=True).stdout.strip()
    dumping = not goversion.startswith("go1.19")
    dump = rep.get("link_failure_dump")
    if dumping:
        assert "(the link command: see -v or --json)" in r.err, "no note in place of the dump\n%s" % r.err
        assert isinstance(dump, str) and is_link_dump(dump.split("\n")[0]) and " -lfa" in dump, (
            "--json link_failure_dump %r" % (dump if not isinstance(dump, str) else dump[:300]))
    else:
        assert "(the link command: see -v or --json)" not in r.err and dump is None, (
            "%s prints no link command, yet a note or a dump: %r\n%s" % (goversion, dump, r.err))
    assert [f["lname"] for f in rep["fixes"]] == ["fb"], "fixes %r" % rep["fixes"]
    last = [l for l in r.err.split("\n") if l.startswith("gorelink: ")][-1]
    assert "or use --fix" not in last and "after --fix added 1 archive (-lfb)" in last, "last line %r" % last
    assert "(--fix added 1 archive and linked again; these are still undefined" in r.err, (
        "the explanation does not say what --fix did\n%s" % r.err)
    assert "run gorelink again with --fix" not in r.err, "--fix offered after it ran\n%s" % r.err
    rv = gorelink(["-v", "--fix", "-o", out, "."], cwd=mod)
    assert rv.rc == EXIT_BUILD, "exit %d, want %d\n%r" % (rv.rc, EXIT_BUILD, rv)
    dumps = [l for l in rv.err.split("\n") if is_link_dump(l)]
    assert not dumping or (dumps and " -lfa" in dumps[0]), (
        "-v does not show the link command dump\n%s" % rv.err[:3000])
    assert "(the link command: see -v or --json)" not in rv.err, "-v shows the note\n%s" % rv.err[:3000]


@test
def fix_summary_lists_added_archives_once():
    """-lfa -lfa (libfa.a needs libfb.a, not on the line) with --fix: the
    build passes and the summary's archives list libfa.a once and libfb.a
    marked "(added by --fix)"."""
    mod = messages_module("fixsummary", "-lfa -lfa", ["fa_value"],
                          {"fa.c": "int fb_value(void);\nint fa_value(void) { return fb_value() + 1; }\n",
                           "fb.c": "int fb_value(void) { return 41; }\n"})
    r, _, out = build(mod, ["--fix"], name="fixsummary", json_report=False)
    line = [l for l in r.out.split("\n") if "; archives:" in l]
    assert len(line) == 1, "no summary line with archives\n%r" % r
    names = line[0].split("; archives:", 1)[1].split()
    assert names.count("libfa.a") == 1, "libfa.a not listed once: %r" % line[0]
    assert "libfb.a (added by --fix)" in line[0], "the summary leaves out what --fix added: %r" % line[0]
    res, _ = run_in_empty_root(out)
    assert res.rc == 0 and res.out.strip() == "42", "in an empty root: %r" % res



@test
def missing_shared_only_names_stub_and_allow_dynamic():
    """-lmsgsh has only libmsgsh.so (as Debian ships libsystemd): exit 1, one
    line for it, and a summary whose way out names --allow-dynamic msgsh and
    --stub msgsh (gorelink's), not --third-party (no system library)."""
    mod = make_module("msgsh", {"main.go": ORDER_MAIN.replace("-la -lb", "-lmsgsh")})
    lib = os.path.join(mod, "lib")
    os.mkdir(lib)
    with open(os.path.join(lib, "sh.c"), "w") as f:
        f.write("int b_value(void) { return 42; }\n")
    r = run(["gcc", "-shared", "-fPIC", "-o", os.path.join(lib, "libmsgsh.so"), os.path.join(lib, "sh.c")], cwd=lib)
    assert r.rc == 0, "gcc -shared (apt-get install gcc)\n%r" % r
    out = os.path.join(scratch("out-msgsh"), "prog")
    r = gorelink(["-o", out, "."], cwd=mod)
    assert r.rc == EXIT_VERDICT, "exit %d, want %d\n%r" % (r.rc, EXIT_VERDICT, r)
    assert r.err.count("gorelink-ld: no static archive for -lmsgsh ") == 1, "-lmsgsh not explained once\n%s" % r.err
    assert "a shared library exists instead: %s/libmsgsh.so" % lib in r.err, "stderr\n%s" % r.err
    summary = r.err[r.err.find("in short: "):]
    assert r.err.find("in short: ") >= 0 and "-lmsgsh has no static archive" in summary, "no summary\n%s" % r.err
    assert "--allow-dynamic msgsh" in summary and "--stub msgsh" in summary, (
        "the way out does not name --allow-dynamic msgsh and --stub msgsh\n%s" % r.err)
    assert "--third-party" not in r.err, "--third-party offered for a library it would not keep dynamic\n%s" % r.err

# ------------------------------------------------------- partly dynamic --fix, DSO missing (issue 13)

LIQ_MAIN = """package main

/*
#cgo LDFLAGS: -limagequant
#include <libimagequant.h>
*/
import "C"

import "fmt"

func main() {
	a := C.liq_attr_create()
	fmt.Println("liq attr", a != nil, int(C.liq_get_max_colors(a)))
	C.liq_attr_destroy(a)
}
"""


@test
def third_party_fix_keeps_libm_dynamic():
    """Issue 13: -limagequant (Debian's libimagequant.a needs pow, powf, sqrt
    and libgomp) with --third-party --fix: libm is a system library, kept
    dynamic in this mode, so --fix adds -lm, never glibc's libm-2.36.a (which
    then needs libc.a: a dynamic binary with glibc's static internals, which
    crashed at start, exit 139). The binary runs; the report's fixes say -lm."""
    hdr = "/usr/include/libimagequant.h"
    assert os.path.exists(hdr), "%s is missing: apt-get install libimagequant-dev (scripts/setup)" % hdr
    mod = make_module("liqfix", {"main.go": LIQ_MAIN})
    r, rep, out = build(mod, ["--third-party", "--fix"], name="liqfix")
    fixes = rep["fixes"]
    m = [f for f in fixes if f["lname"] == "m"]
    assert m == [{"lname": "m", "pkg": None, "archive": None, "flag": "-lm"}], "fixes %r" % fixes
    glibc = [f for f in fixes if f["archive"] and re.search(r"/lib(c|m|m-[0-9.]+|pthread|dl)\.a$", f["archive"])]
    assert not glibc, "--fix added glibc's archives to a dynamic link: %r" % glibc
    assert "gorelink: --fix: adding -lm (kept dynamic in --third-party mode)" in r.err, "stderr\n%s" % r.err
    assert not any(re.search(r"/libc\.a$|/libm[-0-9.]*\.a$", a) for a in rep["link_argv"]), (
        "glibc's archives in the final link: %r" % rep["link_argv"])
    assert "libm.so.6" in readelf(out)["needed"], "libm.so.6 not needed: %r" % readelf(out)["needed"]
    res = run([out], timeout=RUN_TIMEOUT)
    assert res.rc == 0 and res.out.startswith("liq attr true "), "the binary: %r" % res


def dso_module(name):
    """libgrB.so.1 (soname libgrB.so.1, symbol version GRB_1.0, libgrB.so beside
    it, a grB.pc naming -lgrB) and libgrA.so, which needs it (DT_NEEDED); a main
    package that links only -lgrA and calls both libraries' functions. Returns
    (module dir, lib dir, pkg-config dir)."""
    mod = make_module(name, {"main.go": """package main

/*
#cgo LDFLAGS: -L${SRCDIR}/lib -Wl,-rpath,${SRCDIR}/lib -lgrA
int gra_value(void);
int grb_value(void);
*/
import "C"

import "fmt"

func main() { fmt.Println("gra", int(C.gra_value()), "grb", int(C.grb_value())) }
"""})
    lib, pc = os.path.join(mod, "lib"), os.path.join(mod, "pc")
    os.mkdir(lib)
    os.mkdir(pc)
    for fn, text in (("b.c", "int grb_value(void) { return 42; }\n"),
                     ("b.map", "GRB_1.0 { global: grb_value; local: *; };\n"),
                     ("a.c", "int grb_value(void);\nint gra_value(void) { return grb_value() + 1; }\n")):
        with open(os.path.join(lib, fn), "w") as f:
            f.write(text)
    for argv in (["gcc", "-shared", "-fPIC", "-Wl,-soname,libgrB.so.1", "-Wl,--version-script=b.map",
                  "-o", "libgrB.so.1", "b.c"],
                 ["ln", "-s", "libgrB.so.1", "libgrB.so"],
                 ["gcc", "-shared", "-fPIC", "-Wl,-soname,libgrA.so", "-o", "libgrA.so", "a.c", "-L.", "-lgrB"]):
        r = run(argv, cwd=lib)
        assert r.rc == 0, "%s (apt-get install gcc)\n%r" % (argv[0], r)
    with open(os.path.join(pc, "grB.pc"), "w") as f:
        f.write("libdir=%s\nName: grB\nDescription: test\nVersion: 1.0\nLibs: -L${libdir} -lgrB\n" % lib)
    return mod, lib, pc


@test
def dso_missing_diagnosed_and_fixed():
    """Issue 13: a program calls grb_value, which only libgrB.so.1 defines,
    and links only -lgrA (whose libgrA.so loads libgrB.so.1), in
    --allow-dynamic mode. GNU ld says "undefined reference to symbol
    'grb_value@@GRB_1.0'" and "DSO missing from command line"; gold, mold and
    lld say only "undefined" (the library is found through libgrA.so's
    DT_NEEDED). Each time: exit 2 (the link failed, explained), the shared
    library, -lgrB, its package grB, the library that loads it and the
    paste-ready options named; --fix adds -lgrB, and the binary links and runs;
    the named options link too."""
    for tool, pkg in (("mold", "mold"), ("ld.gold", "binutils")):
        assert shutil.which(tool), "%s is needed (apt-get install %s; scripts/setup does)" % (tool, pkg)
    llvm = "/usr/lib/llvm-14/bin"
    assert os.access(os.path.join(llvm, "ld.lld"), os.X_OK), "%s/ld.lld is needed (apt-get install lld-14)" % llvm
    mod, lib, pc = dso_module("dsomiss")
    env = base_env(PKG_CONFIG_PATH=pc)
    option = "--allow-dynamic grB --lib -lgrB"
    for ld in ("bfd", "gold", "lld", "mold"):
        go_args = ["-ldflags=-extldflags=-fuse-ld=" + ld]
        out = os.path.join(scratch("out-dsomiss-" + ld), "prog")
        # gcc -fuse-ld=lld runs the ld.lld on PATH: Debian's lld-14 puts it in llvm's bin.
        ldenv = base_env(PKG_CONFIG_PATH=pc, PATH=llvm + ":" + os.environ.get("PATH", "")) if ld == "lld" else env
        r = gorelink(["--json", "--allow-dynamic", "grA", "-o", out, ".", "--"] + go_args, cwd=mod, env=ldenv)
        assert r.rc == EXIT_BUILD, "%s: exit %d, want %d\n%r" % (ld, r.rc, EXIT_BUILD, r)
        rep = parse_json(r)
        line = [l for l in r.err.split("\n") if l.startswith("gorelink: grb_value")]
        assert len(line) == 1, "%s: no diagnosis line for grb_value\n%s" % (ld, r.err)
        assert ("is defined only in the shared library %s/libgrB.so.1 (-lgrB, pkg-config grB), which %s/libgrA.so loads"
                % (lib, lib)) in line[0], "%s: %r" % (ld, line[0])
        assert ("add %s (or run gorelink again with --fix)" % option) in r.err, "%s: stderr\n%s" % (ld, r.err)
        assert {"lname": "grB", "pkg": "grB", "archive": None, "option": option} in rep["undefined"], (
            "%s: undefined %r" % (ld, rep["undefined"]))
        if ld == "bfd":
            assert "DSO missing from command line" in r.err, "GNU ld's own words are gone\n%s" % r.err
    # --fix names the library; the check allows it (libgrA.so loads it anyway).
    r, rep, out = build(mod, ["--allow-dynamic", "grA", "--fix"], name="dsofix", env=env)
    assert rep["fixes"] == [{"lname": "grB", "pkg": "grB", "archive": None, "flag": "-lgrB"}], "fixes %r" % rep["fixes"]
    assert "gorelink: --fix: adding -lgrB (libgrB.so.1, which %s/libgrA.so loads)" % lib in r.err, "stderr\n%s" % r.err
    assert readelf(out)["needed"][:2] == ["libgrA.so", "libgrB.so.1"], "needed %r" % readelf(out)["needed"]
    res = run([out], timeout=RUN_TIMEOUT)
    assert res.rc == 0 and res.out.strip() == "gra 43 grb 42", "the --fix binary: %r" % res
    # The options the diagnosis named, pasted.
    r, rep, out = build(mod, ["--allow-dynamic", "grA"] + option.split(), name="dsoopt", env=env)
    res = run([out], timeout=RUN_TIMEOUT)
    assert res.rc == 0 and res.out.strip() == "gra 43 grb 42", "the binary of the named options: %r" % res


# ------------------------------------------------------- presets that apply themselves (issue 12)

@test
def auto_preset_sqlite3_applies_itself():
    """examples/sqlite3 with no preset option: go-sqlite3 is in the build,
    so its preset applies itself (default variant bundled): said on stderr
    and in presets_applied, the tag is in the go command, the binary is
    static, passes the check and runs in an empty root."""
    ex = example("sqlite3")
    r, rep, out = build(ex, [], name="sq-auto")
    assert_report(rep, out, ex, "static", "static",
                  tags=("sqlite_omit_load_extension", "netgo", "osusergo"), no_tags=("libsqlite3",))
    want = {"name": "sqlite3", "module": SQLITE3_MODULE, "variant": "bundled",
            "why": "module %s is in the build" % SQLITE3_MODULE}
    assert rep["presets_applied"] == [want], "presets_applied %r, want [%r]" % (rep["presets_applied"], want)
    assert rep["preset"] and rep["preset"].endswith("/sqlite3.preset"), "preset %r" % rep["preset"]
    assert rep["warnings"] == [], "warnings %r" % rep["warnings"]
    assert rep["findings"] == [], "findings %r" % rep["findings"]
    assert re.search(r"^gorelink: applied the preset sqlite3 \(variant bundled\): module %s is in the build"
                     % re.escape(SQLITE3_MODULE), r.err, re.M), "stderr does not say so\n%r" % r
    assert_static(out)
    sqlite_in_empty_root(out, bundled_sqlite_version())


@test
def auto_preset_off_names_module_in_finding():
    """--no-auto-presets on examples/sqlite3: no preset, and glibc's dlopen
    warning from go-sqlite3's C code names the module, its file
    sqlite3-binding.c and the remedy --sqlite3 (text and JSON), not the
    deleted temporary object."""
    ex = example("sqlite3")
    r, rep, out = build(ex, ["--no-auto-presets"], name="sq-noauto")
    assert rep["presets_applied"] == [] and rep["preset"] is None, "preset applied: %r" % rep["presets_applied"]
    assert "sqlite_omit_load_extension" not in rep["tags"], "tags %r" % rep["tags"]
    f = finding(rep, "dlopen")
    assert f["source"] == "module %s, file sqlite3-binding.c" % SQLITE3_MODULE, "finding source %r" % f
    assert f["function"] == "unixDlOpen", "finding function %r" % f
    assert "--sqlite3" in f["remedy"] and "sqlite_omit_load_extension" in f["remedy"], "finding remedy %r" % f
    assert "go-link-" not in f["source"], "finding names the temporary object: %r" % f
    line = [l for l in r.err.splitlines() if l.startswith("gorelink: dlopen in a static glibc binary")]
    assert line and SQLITE3_MODULE in line[0] and "sqlite3-binding.c" in line[0] and "--sqlite3" in line[0], (
        "stderr finding does not name the module, file and remedy\n%r" % r)
    assert "applied the preset" not in r.err, "a preset applied itself\n%r" % r
    assert_static(out)


@test
def explicit_preset_without_its_module_warns():
    """--sqlite3 on examples/fortytwo (no go-sqlite3): the build succeeds
    (exit 0) with a warning on stderr and in the JSON warnings; the preset
    is reported as given, not as applied by itself."""
    ex = example("fortytwo")
    r, rep, out = build(ex, ["--sqlite3"], name="ft-sq")
    ws = rep["warnings"]
    assert len(ws) == 1 and SQLITE3_MODULE in ws[0] and "not in the build" in ws[0], "warnings %r" % ws
    assert re.search(r"^gorelink: warning: --sqlite3: module %s is not in the build" % re.escape(SQLITE3_MODULE),
                     r.err, re.M), "no warning on stderr\n%r" % r
    assert rep["presets_applied"] == [{"name": "sqlite3", "module": SQLITE3_MODULE, "variant": "bundled",
                                       "why": "--sqlite3 given"}], "presets_applied %r" % rep["presets_applied"]
    assert_static(out)
    r, rep, out = build(ex, [], name="ft-plain")
    assert rep["warnings"] == [] and rep["presets_applied"] == [], "fortytwo alone: %r %r" % (
        rep["warnings"], rep["presets_applied"])


@test
def explicit_preset_module_required_not_built_warns():
    """--sqlite3 on a module whose go.mod requires go-sqlite3 but whose
    program imports none of it: the build info of the binary (read in
    process, what go version -m prints) lists no package of the module, so
    the build warns (exit 0, stderr and the JSON warnings); the same module
    importing go-sqlite3 (examples/sqlite3) gets no warning."""
    sq = example("sqlite3")
    files = {"main.go": 'package main\n\n/*\nint answer(void) { return 42; }\n*/\nimport "C"\nimport "fmt"\n\n'
                        'func main() { fmt.Println(C.answer()) }\n'}
    for fn in ("go.mod", "go.sum"):
        with open(os.path.join(sq, fn)) as f:
            files[fn] = f.read().replace("module example.com/sqlite3", "module example.com/requnused")
    mod = make_module("requnused", files)
    r, rep, out = build(mod, ["--sqlite3"], name="requnused")
    ws = rep["warnings"]
    assert len(ws) == 1 and SQLITE3_MODULE in ws[0] and "not in the build" in ws[0], "warnings %r\n%s" % (ws, r.err)
    assert re.search(r"^gorelink: warning: --sqlite3: module %s is not in the build" % re.escape(SQLITE3_MODULE),
                     r.err, re.M), "no warning on stderr\n%r" % r
    assert_static(out)
    r, rep, out = build(sq, ["--sqlite3"], name="req-used")
    assert rep["warnings"] == [], "examples/sqlite3 with --sqlite3: %r" % rep["warnings"]


@test
def link_order_planned_before_the_first_link():
    """Issue 12, plan before linking: -lprovider -lneeder (libneeder.a calls
    provider_value, which libprovider.a defines, earlier on the line): the
    plan groups them before the first link, so the link runs once (links ==
    1; 2 with the repair after a failed link alone), the change is said once
    on stderr and recorded with the strategy "planned", and the static
    binary runs in an empty root."""
    mod = messages_module("orderplan", "-lprovider -lneeder", ["needer_value"],
                          {"provider.c": "int provider_value(void) { return 41; }\n",
                           "needer.c": "int provider_value(void);\nint needer_value(void) { return provider_value() + 1; }\n"})
    lib = os.path.join(mod, "lib")
    r, rep, out = build(mod, [], name="orderplan")
    assert rep["links"] == 1, "%d link attempts, want 1: %r\n%s" % (rep["links"], rep["order"], r.err)
    assert rep["order"] == [{"strategy": "planned", "needs": os.path.join(lib, "libneeder.a"),
                             "provider": os.path.join(lib, "libprovider.a")}], "report order %r" % rep["order"]
    lines = [l for l in r.err.split("\n") if l.startswith("gorelink: link order: ")]
    assert len(lines) == 1 and "libneeder.a needs" in lines[0] and "libprovider.a, which comes before it" in lines[0], (
        "want one link-order line\n%s" % r.err)
    grouped = [l for l in r.err.split("\n") if l.startswith("gorelink: grouped the archives")]
    assert len(grouped) == 1 and grouped[0].endswith(" before linking"), "want one grouping line\n%s" % r.err
    assert "undefined reference" not in r.err, "the link failed first\n%s" % r.err
    link = rep["link_argv"]
    s, e = link.index("-Wl,--start-group"), link.index("-Wl,--end-group")
    inside = [os.path.basename(w) for w in link[s:e]]
    assert inside[1:] == ["libprovider.a", "libneeder.a"], "group holds %r" % inside
    assert readelf(out)["interp"] is None and not readelf(out)["needed"], "not static: %r" % readelf(out)
    res, _ = run_in_empty_root(out)
    assert res.rc == 0 and res.out.strip() == "42", "in an empty root: %r" % res


# ------------------------------------------ the module-graph cache (issue 12)

MGDEP_GO = "package mgdep\n\nfunc Value() int { return 41 }\n"
MGAPP_MAIN_WITH = ('package main\n\n// int one(void) { return 1; }\nimport "C"\n\nimport (\n\t"fmt"\n\n'
                   '\t"example.com/mgdep"\n)\n\nfunc main() { fmt.Println(mgdep.Value() + int(C.one())) }\n')
MGAPP_MAIN_WITHOUT = ('package main\n\n// int one(void) { return 1; }\nimport "C"\n\nimport "fmt"\n\n'
                      'func main() { fmt.Println(41 + int(C.one())) }\n')


@test
def modgraph_cache_hit_miss_and_same_answer():
    """The module graph gorelink reads before go build (go list -m all, and
    go list -deps when a module with a preset is required) is cached in
    GORELINK_CACHE_DIR (kind modgraph): a second build runs no go list and
    applies the same preset with the same tags as the first and as a build
    without a cache; a .go file that drops the import (go.mod unchanged)
    is a miss and the preset no longer applies; a changed go.mod is a miss
    for go list -m. The module with a preset is a local one (replace =>
    ../mgdep) with a preset of its own from GORELINK_PRESET_PATH; go runs
    through a wrapper that logs each command."""
    top = scratch("modgraph")
    dep = os.path.join(top, "mgdep")
    os.mkdir(dep)
    with open(os.path.join(dep, "go.mod"), "w") as f:
        f.write("module example.com/mgdep\n\ngo 1.19\n")
    with open(os.path.join(dep, "mgdep.go"), "w") as f:
        f.write(MGDEP_GO)
    app = os.path.join(top, "mgapp")
    os.mkdir(app)
    gomod = ("module example.com/mgapp\n\ngo 1.19\n\nrequire example.com/mgdep v0.0.0\n\n"
             "replace example.com/mgdep => ../mgdep\n")
    with open(os.path.join(app, "go.mod"), "w") as f:
        f.write(gomod)
    with open(os.path.join(app, "main.go"), "w") as f:
        f.write(MGAPP_MAIN_WITH)
    presets = os.path.join(top, "presets")
    os.mkdir(presets)
    with open(os.path.join(presets, "mgdep.preset"), "w") as f:
        f.write("module example.com/mgdep\ndefault plain\n\nvariant plain\ntags mgdep_tag\n")
    log = os.path.join(top, "go.log")
    realgo = shutil.which("go")
    assert realgo, "go is not on PATH (install Go)"
    wrapper = os.path.join(top, "go")
    with open(wrapper, "w") as f:
        f.write('#!/bin/sh\necho "$*" >>%s\nexec %s "$@"\n' % (shlex.quote(log), shlex.quote(realgo)))
    os.chmod(wrapper, 0o755)
    cache = os.path.join(top, "cache")
    env = base_env(GORELINK_PRESET_PATH=presets, GORELINK_CACHE_DIR=cache)
    # The cache keeps no answer for files changed in the last 2 seconds (a
    # change within one clock tick would keep their stamps).
    time.sleep(3)

    def once(tag, env=env):
        open(log, "w").close()
        r, rep, out = build(app, ["--go", wrapper], env=env, name="mgapp-" + tag)
        with open(log) as f:
            lists = [l.split()[1] for l in f.read().splitlines() if l.startswith("list ")]
        res = run([out], cwd=top, timeout=RUN_TIMEOUT)
        assert res.rc == 0 and res.out.strip() == "42", "%s: the binary: %r" % (tag, res)
        return rep, lists

    def entries():
        d = os.path.join(cache, "modgraph")
        return sorted(os.listdir(d)) if os.path.isdir(d) else []

    rep1, lists1 = once("miss")
    assert lists1 == ["-m", "-deps"], "first build: go list runs %r, want -m and -deps" % lists1
    want = [{"name": "mgdep", "module": "example.com/mgdep", "variant": "plain",
             "why": "module example.com/mgdep is in the build"}]
    assert rep1["presets_applied"] == want, "presets_applied %r, want %r" % (rep1["presets_applied"], want)
    assert "mgdep_tag" in rep1["tags"], "tags %r lack the preset's" % rep1["tags"]
    assert len(entries()) == 2, "modgraph cache entries after the first build: %r, want 2" % entries()
    rep2, lists2 = once("hit")
    assert lists2 == [], "second build (cache hit): go list ran %r" % lists2
    rep3, lists3 = once("nocache", env=dict(env, GORELINK_CACHE_DIR=""))
    assert lists3 == ["-m", "-deps"], "no cache: go list runs %r" % lists3
    for k in ("presets_applied", "tags", "warnings", "verdict", "archives"):
        assert rep1[k] == rep2[k] == rep3[k], "%s differs: miss %r, hit %r, no cache %r" % (k, rep1[k], rep2[k], rep3[k])
    # The import dropped, go.mod the same: -deps is asked again, no preset.
    with open(os.path.join(app, "main.go"), "w") as f:
        f.write(MGAPP_MAIN_WITHOUT)
    rep4, lists4 = once("dropped")
    assert lists4 == ["-deps"], "after main.go changed: go list runs %r, want -deps only" % lists4
    assert rep4["presets_applied"] == [] and "mgdep_tag" not in rep4["tags"], (
        "the preset still applies without the import: %r %r" % (rep4["presets_applied"], rep4["tags"]))
    # go.mod changed: go list -m is asked again.
    with open(os.path.join(app, "go.mod"), "w") as f:
        f.write(gomod + "\n// changed\n")
    rep5, lists5 = once("gomod")
    assert "-m" in lists5, "after go.mod changed: go list runs %r, want -m" % lists5


# ------------------------------------------------- no-op rebuilds (issue 15)

NOOP_MAIN = """package main

/*
#cgo LDFLAGS: -L${SRCDIR}/lib -lnoopval
int noop_value(void);
*/
import "C"

import "fmt"

var msg = "hello"

func main() { fmt.Println(msg, int(C.noop_value())) }
"""


def noop_module(tag):
    """A cgo program printing `MSG N`: msg (a -X target) and N from libnoopval.a
    in its lib directory (by -L${SRCDIR}/lib -lnoopval)."""
    mod = make_module("noop" + tag, {"main.go": NOOP_MAIN})
    lib = os.path.join(mod, "lib")
    os.mkdir(lib)
    fixture_archives(lib, {"noopval.c": "int noop_value(void) { return 1; }\n"})
    return mod


def noop_build(mod, out, args=(), go_args=(), env=None):
    """gorelink --json -o OUT ARGS . [-- GO_ARGS]: (result, report); OUT is
    the only file in its directory afterwards."""
    argv = ["--json", "-o", out] + list(args) + ["."] + (["--"] + list(go_args) if go_args else [])
    # gorelink records no input changed within 50 ms of go build's start (a
    # later change could keep its time stamps): a test that has just made or
    # changed a file waits, as a person between an edit and a build would.
    time.sleep(0.25)
    r = gorelink(argv, cwd=mod, env=env)
    assert r.rc == 0, "exit %d\n%r" % (r.rc, r)
    assert listing(os.path.dirname(out)) == [os.path.basename(out)], (
        "beside OUT: %r" % listing(os.path.dirname(out)))
    return r, parse_json(r)


def out_state(out):
    st = os.stat(out)
    return sha256(out), st.st_ino, st.st_mtime_ns


def assert_up_to_date(mod, out, args=(), go_args=(), what="a second identical run", env=None):
    before = out_state(out)
    r, rep = noop_build(mod, out, args, go_args, env=env)
    assert rep["up_to_date"] is True and rep["links"] == 0, (
        "%s: want up_to_date true and links 0, got %r and %r\n%r" % (what, rep["up_to_date"], rep["links"], r))
    assert out_state(out) == before, "%s: OUT changed (sha256, inode, mtime %r -> %r)" % (
        what, before, out_state(out))
    assert rep["verdict"] == rep["check"]["verdict"] and rep["check"]["path"] == out and rep["archives"], (
        "%s: the report lacks the check or the archives: %r" % (what, rep))
    return rep


def assert_relinked(mod, out, args=(), go_args=(), want=None, what="", env=None):
    before = out_state(out)
    r, rep = noop_build(mod, out, args, go_args, env=env)
    assert rep["up_to_date"] is False and rep["links"] >= 1, (
        "%s: want a relink (up_to_date false, links >= 1), got %r and %r\n%r" % (
            what, rep["up_to_date"], rep["links"], r))
    assert out_state(out)[1] != before[1], "%s: OUT was not replaced (same inode)" % what
    if want is not None:
        res, _ = run_in_empty_root(out)
        assert res.rc == 0 and res.out.strip() == want, "%s: the binary prints %r, want %r" % (
            what, res.out, want)
    return rep


@test
def noop_second_run_up_to_date():
    """A second identical build does not link: --json says up_to_date true and
    links 0, OUT keeps its bytes, inode and mtime, stdout says "up to date";
    a third is up to date too (the record survives a no-op), and so is one
    without --json, whose stdout starts with "up to date: "."""
    mod = noop_module("same")
    out = os.path.join(scratch("noop-same"), "prog")
    _, rep = noop_build(mod, out)
    assert rep["up_to_date"] is False and rep["links"] >= 1, "a first build is no no-op: %r" % rep
    first = rep
    rep = assert_up_to_date(mod, out)
    assert rep["archives"] == first["archives"] and rep["link_argv"] == first["link_argv"], (
        "the no-op report is not the recorded link's: %r vs %r" % (rep["archives"], first["archives"]))
    assert_up_to_date(mod, out, what="a third identical run")
    before = out_state(out)
    r = gorelink(["-o", out, "."], cwd=mod)
    assert r.rc == 0 and r.out.startswith("up to date: %s: static" % out), (
        "without --json: stdout does not say up to date\n%r" % r)
    assert out_state(out) == before, "without --json: OUT changed"
    res, _ = run_in_empty_root(out)
    assert res.rc == 0 and res.out.strip() == "hello 1", "the binary prints %r" % res.out


@test
def noop_and_output_cache_with_mold():
    """With --linker=mold, go tool buildid reads the Go build ID of OUT
    (mold 1.10 puts every note in one PT_NOTE aligned to 8: gorelink pads
    cmd/link's 20-byte GNU build ID to 24 bytes, so Go's note reader is not
    lost after it), so a second identical build is up to date and a build
    to a new OUT comes from the output cache, byte-identical; the GNU build
    ID is cmd/link's with 4 zero bytes."""
    tool_needed("ld.mold", "mold")
    mod = noop_module("mold")
    out = os.path.join(scratch("noop-mold"), "prog")
    _, rep = noop_build(mod, out, ["--linker=mold"])
    assert rep["up_to_date"] is False and rep["links"] >= 1 and rep["linker"]["used"] == "mold", rep["linker"]
    bid = run(["go", "tool", "buildid", out], timeout=RUN_TIMEOUT)
    assert bid.rc == 0 and re.fullmatch(r"[A-Za-z0-9_-]{20}(/[A-Za-z0-9_-]{20}){3}", bid.out.strip()), (
        "go tool buildid does not read a Go build ID from the mold-linked OUT: %r" % bid)
    ids = [a for a in rep["link_argv"] if a.startswith("-Wl,--build-id=0x")]
    assert len(ids) == 1 and len(ids[0]) == len("-Wl,--build-id=0x") + 48 and ids[0].endswith("00000000"), ids
    notes = run(["readelf", "-nW", out], timeout=RUN_TIMEOUT)
    assert "Build ID: %s" % ids[0][len("-Wl,--build-id=0x"):] in notes.out, notes.out[-600:]
    assert_up_to_date(mod, out, ["--linker=mold"], what="a second identical run with mold")
    out2 = os.path.join(scratch("noop-mold-2"), "prog")
    _, rep = noop_build(mod, out2, ["--linker=mold"])
    assert rep["from_output_cache"] is True and rep["links"] == 0, (
        "a new OUT with mold: from_output_cache %r, links %r" % (rep["from_output_cache"], rep["links"]))
    assert filecmp.cmp(out, out2, shallow=False), "the output cache's binary differs"
    res, _ = run_in_empty_root(out2)
    assert res.rc == 0 and res.out.strip() == "hello 1", "the binary prints %r" % res.out


@test
def noop_changes_relink():
    """Each change relinks, and the binary shows it: a Go file's content,
    -ldflags -X, the mode (--static-pie, --third-party), an archive replaced by
    another at the same path, an added --lib; after each, the same build again
    is up to date."""
    mod = noop_module("changes")
    out = os.path.join(scratch("noop-changes"), "prog")
    noop_build(mod, out)
    assert_up_to_date(mod, out)
    # A Go file's content.
    main = os.path.join(mod, "main.go")
    with open(main, "w") as f:
        f.write(NOOP_MAIN.replace('"hello"', '"changed"'))
    assert_relinked(mod, out, want="changed 1", what="main.go changed")
    assert_up_to_date(mod, out, what="after main.go changed")
    # -ldflags -X.
    x = ["-ldflags", "-X main.msg=fromX"]
    assert_relinked(mod, out, go_args=x, want="fromX 1", what="-ldflags -X")
    assert_up_to_date(mod, out, go_args=x, what="after -ldflags -X")
    # An archive replaced by another one at the same path (same size: the
    # value differs only in one constant).
    lib = os.path.join(mod, "lib")
    fixture_archives(lib, {"noopval.c": "int noop_value(void) { return 2; }\n"})
    assert_relinked(mod, out, go_args=x, want="fromX 2", what="libnoopval.a replaced")
    assert_up_to_date(mod, out, go_args=x, what="after libnoopval.a was replaced")
    # An added --lib.
    rep = assert_relinked(mod, out, args=["--lib", "-lm"], go_args=x, want="fromX 2", what="--lib -lm added")
    assert any(re.match(r"libm[-.]", os.path.basename(a)) for a in rep["archives"]), (
        "--lib -lm: archives %r" % rep["archives"])
    assert_up_to_date(mod, out, args=["--lib", "-lm"], go_args=x, what="after --lib -lm")
    # The mode.
    rep = assert_relinked(mod, out, args=["--static-pie"], go_args=x, want="fromX 2", what="--static-pie")
    assert rep["verdict"] == "static-pie", "--static-pie: verdict %r" % rep["verdict"]
    assert_up_to_date(mod, out, args=["--static-pie"], go_args=x, what="after --static-pie")
    rep = assert_relinked(mod, out, args=["--third-party"], go_args=x, what="--third-party")
    assert readelf(out)["interp"], "--third-party: no interpreter in %r" % readelf(out)
    assert_up_to_date(mod, out, args=["--third-party"], go_args=x, what="after --third-party")


NOOP_PC_MAIN = """package main

/*
#cgo pkg-config: noopdemo
int noop_value(void);
*/
import "C"

import "fmt"

func main() { fmt.Println("pc", int(C.noop_value())) }
"""


def noop_pc_module(name):
    """A module of NOOP_PC_MAIN with two library directories, lib1 and lib3
    (libnoopval.a returning 1 and 3), and an empty pc directory for the
    test's noopdemo.pc: (module, {1: lib1, 3: lib3}, pc directory)."""
    mod = make_module(name, {"main.go": NOOP_PC_MAIN})
    libs = {}
    for v in (1, 3):
        libs[v] = os.path.join(mod, "lib%d" % v)
        os.mkdir(libs[v])
        fixture_archives(libs[v], {"noopval.c": "int noop_value(void) { return %d; }\n" % v})
    pcdir = os.path.join(mod, "pc")
    os.mkdir(pcdir)
    return mod, libs, pcdir


@test
def noop_pc_change_relinks():
    """A .pc file that now names another library directory (the archive at the
    new place returns 3, not 1) relinks, through the mark gorelink puts in
    go build's CGO_CPPFLAGS; then the same build is up to date again."""
    mod, libs, pcdir = noop_pc_module("nooppc")

    def pc(v):
        with open(os.path.join(pcdir, "noopdemo.pc"), "w") as f:
            f.write("libdir=%s\nName: noopdemo\nDescription: d\nVersion: 1\nLibs: -L${libdir} -lnoopval\n" % libs[v])
    pc(1)
    env = base_env(PKG_CONFIG_PATH=pcdir)
    out = os.path.join(scratch("noop-pc"), "prog")
    noop_build(mod, out, env=env)
    assert_up_to_date(mod, out, env=env)
    pc(3)
    assert_relinked(mod, out, want="pc 3", what="noopdemo.pc changed", env=env)
    assert_up_to_date(mod, out, what="after noopdemo.pc changed", env=env)


@test
def noop_pc_key_remembered_by_identity():
    """The .pc key is remembered in GORELINK_CACHE_DIR (kind pc-key) by the
    .pc files' identities once they are older than 2 s: a .pc file
    rewritten in place with the same size and its modification time put
    back (only its change time moves) still gives a new key and relinks to
    the new library; then the build is up to date again."""
    mod, libs, pcdir = noop_pc_module("nooppckey")
    pcfile = os.path.join(pcdir, "noopdemo.pc")

    def pc(v):
        with open(pcfile, "w") as f:
            f.write("libdir=%s\nName: noopdemo\nDescription: d\nVersion: 1\nLibs: -L${libdir} -lnoopval\n" % libs[v])
    pc(1)
    cache = os.path.join(scratch("noop-pckey"), "cache")
    env = base_env(PKG_CONFIG_PATH=pcdir, GORELINK_CACHE_DIR=cache)
    out = os.path.join(scratch("noop-pckey-out"), "prog")
    time.sleep(3)  # older than the 2 s within which nothing is remembered
    _, rep1 = noop_build(mod, out, env=env)
    d = os.path.join(cache, "pc-key")
    assert os.path.isdir(d) and len(listing(d)) == 1, "pc-key entries after the first build: %r" % (
        listing(d) if os.path.isdir(d) else None)
    rep = assert_up_to_date(mod, out, env=env)
    assert rep["cache_key"] == rep1["cache_key"], "the remembered key differs: %r %r" % (rep["cache_key"], rep1["cache_key"])
    st = os.stat(pcfile)
    pc(3)
    os.utime(pcfile, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert os.stat(pcfile).st_size == st.st_size and os.stat(pcfile).st_mtime_ns == st.st_mtime_ns
    rep = assert_relinked(mod, out, want="pc 3", what="noopdemo.pc rewritten, size and mtime kept", env=env)
    assert rep["cache_key"] != rep1["cache_key"], "noopdemo.pc rewritten: the same key %r" % rep["cache_key"]
    assert_up_to_date(mod, out, what="after noopdemo.pc changed", env=env)


@test
def noop_tampered_out_rebuilt():
    """An OUT modified after the build (one byte changed, its build ID intact,
    so go build alone would call it up to date) is rebuilt, to the bytes the
    build produces."""
    mod = noop_module("tamper")
    out = os.path.join(scratch("noop-tamper"), "prog")
    noop_build(mod, out)
    good = sha256(out)
    with open(out, "r+b") as f:
        f.seek(-1, os.SEEK_END)
        last = f.read(1)
        f.seek(-1, os.SEEK_END)
        f.write(bytes([last[0] ^ 0xff]))
    assert sha256(out) != good
    # The no-op record's half: a link (the output cache, which would serve
    # the good binary, is off here; outcache_* test it).
    assert_relinked(mod, out, want="hello 1", what="a tampered OUT", env=base_env(GORELINK_OUTPUT_CACHE_MAX="0"))
    assert sha256(out) == good, "the rebuilt OUT differs from the first build"
    assert_up_to_date(mod, out, what="after the rebuild")
    # With the output cache: the good binary, from it, replaces OUT.
    with open(out, "r+b") as f:
        f.seek(-1, os.SEEK_END)
        f.write(bytes([last[0] ^ 0xff]))
    before = out_state(out)
    _, rep = noop_build(mod, out)
    assert rep["from_output_cache"] is True and rep["up_to_date"] is False, (
        "a tampered OUT with the output cache: %r" % rep)
    assert sha256(out) == good and out_state(out)[1] != before[1], (
        "a tampered OUT was not replaced by the good binary from the output cache")


GOENV_MAIN = ('// nonce %s\npackage main\n\n// int flag(void) { return GR_GOENV_FLAG; }\nimport "C"\n\n'
              'import "fmt"\n\nfunc main() { fmt.Println(int(C.flag())) }\n')


@test
def noop_goenv_answer_cached_and_keyed():
    """go env's answer is kept in GORELINK_CACHE_DIR (kind goenv; go runs
    through a wrapper that logs each command): a no-op runs no go env; the
    go env file changed (go env -w CGO_CPPFLAGS, a GOENV of the test's own)
    is another key: go env runs again, its new CGO_CPPFLAGS reach the C code
    (relinked; the binary prints the new value), and the next run is a no-op
    again without go env; CC in the environment is another key too. Without
    the go env file in the key the old answer would call OUT up to date."""
    top = scratch("noop-goenv")
    goenv = os.path.join(top, "env")
    cache = os.path.join(top, "cache")
    log = os.path.join(top, "go.log")
    realgo = shutil.which("go")
    assert realgo, "go is not on PATH (install Go)"
    # The wrapper is an ELF program named go (go env's answer is kept for a
    # go command only, not for a script or a shim, which may run a go of
    # another GOROOT): it logs its words and execs the real go.
    wrapper = os.path.join(top, "go")
    logging_exec_wrapper(wrapper, log, realgo)
    env = base_env(GOENV=goenv, GORELINK_CACHE_DIR=cache)
    w = run(["go", "env", "-w", "CGO_CPPFLAGS=-DGR_GOENV_FLAG=7"], env=env)
    assert w.rc == 0, "go env -w: %r" % w
    mod = make_module("goenvcache", {"main.go": GOENV_MAIN % os.urandom(8).hex()})
    out = os.path.join(scratch("noop-goenv-out"), "prog")
    # No answer is kept for a go program changed in the last 2 seconds (a
    # change within one clock tick would keep its stamp): the wrapper is new.
    time.sleep(3)

    def once(what, env=env):
        open(log, "w").close()
        r, rep = noop_build(mod, out, ["--go", wrapper], env=env)
        with open(log) as f:
            envs = [l for l in f.read().splitlines() if l.startswith("env ")]
        return r, rep, len(envs)

    def entries():
        d = os.path.join(cache, "goenv")
        return sorted(os.listdir(d)) if os.path.isdir(d) else []

    r, rep, envs = once("first")
    assert envs == 1 and rep["links"] >= 1, "first build: go env ran %d times, links %r\n%r" % (envs, rep["links"], r)
    assert len(entries()) == 1, "goenv cache entries after the first build: %r, want 1" % entries()
    res, _ = run_in_empty_root(out)
    assert res.rc == 0 and res.out.strip() == "7", "first build: the binary: %r" % res
    before = out_state(out)
    r, rep, envs = once("no-op")
    assert envs == 0, "no-op: go env ran %d times, want none (cached)\n%r" % (envs, r)
    assert rep["up_to_date"] is True and rep["links"] == 0 and out_state(out) == before, (
        "no-op: up_to_date %r, links %r\n%r" % (rep["up_to_date"], rep["links"], r))
    # The go env file changed: another answer, asked again, relinked.
    w = run(["go", "env", "-w", "CGO_CPPFLAGS=-DGR_GOENV_FLAG=8"], env=env)
    assert w.rc == 0, "go env -w: %r" % w
    r, rep, envs = once("goenv changed")
    assert rep["up_to_date"] is False and rep["links"] >= 1, (
        "after go env -w: up_to_date %r, links %r (the old answer was used)\n%r" % (rep["up_to_date"], rep["links"], r))
    res, _ = run_in_empty_root(out)
    assert res.rc == 0 and res.out.strip() == "8", "after go env -w: the binary: %r" % res
    assert envs == 1, "after go env -w: go env ran %d times, want 1\n%r" % (envs, r)
    assert len(entries()) == 2, "goenv cache entries: %r, want 2" % entries()
    r, rep, envs = once("no-op again")
    assert envs == 0 and rep["up_to_date"] is True, "no-op after the change: go env ran %d times, up_to_date %r\n%r" % (
        envs, rep["up_to_date"], r)
    # CC in the environment (the same compiler by name): another key.
    r, rep, envs = once("CC", env=dict(env, CC="gcc"))
    assert envs == 1, "with CC=gcc: go env ran %d times, want 1\n%r" % (envs, r)
    assert len(entries()) == 3, "goenv cache entries: %r, want 3" % entries()


@test
def noop_standin_for_old_out():
    """An OUT older than 2 s is judged by go build on a stand-in (its
    headers and build ID note, the rest a hole: go runs through a wrapper
    that logs the -o file's size and allocated bytes as go starts), and
    gorelink checks OUT itself: up to date, OUT's bytes, inode and mtime
    kept, the check's verdict and Go build information read from OUT; a Go
    input changed (main.go) makes go build link over the stand-in, and the
    new OUT runs with the new value."""
    top = scratch("noop-standin")
    log = os.path.join(top, "go.log")
    realgo = shutil.which("go")
    assert realgo, "go is not on PATH (install Go)"
    wrapper = os.path.join(top, "go")
    with open(wrapper, "w") as f:
        f.write('#!/bin/sh\nif [ "$1" = build ]; then\n  o=\n  for a; do [ "$p" = -o ] && o=$a; p=$a; done\n'
                '  if [ -f "$o" ]; then stat -c "seed %%s %%b %%B" "$o" >>%s; else echo "seed none" >>%s; fi\n'
                'fi\nexec %s "$@"\n' % (shlex.quote(log), shlex.quote(log), shlex.quote(realgo)))
    os.chmod(wrapper, 0o755)
    mod = noop_module("standin")
    out = os.path.join(scratch("noop-standin-out"), "prog")

    def seeds():
        with open(log) as f:
            return [l.split()[1:] for l in f.read().splitlines() if l.startswith("seed ")]

    open(log, "w").close()
    noop_build(mod, out, ["--go", wrapper])
    assert seeds() == [["none"]], "first build: go build's -o file at its start: %r, want none" % seeds()
    time.sleep(2.5)
    open(log, "w").close()
    rep = assert_up_to_date(mod, out, ["--go", wrapper], what="an OUT older than 2 s")
    got = seeds()
    size = os.path.getsize(out)
    assert len(got) == 1 and got[0][0] != "none" and int(got[0][0]) == size, (
        "no-op: go build's -o file at its start: %r, want OUT's size %d" % (got, size))
    allocated = int(got[0][1]) * int(got[0][2])
    assert allocated <= 256 * 1024 < size, (
        "no-op: go build judged %d allocated bytes of %d: not a stand-in (a whole copy?)" % (allocated, size))
    assert rep["size"] == size and rep["check"]["verdict"] == "static" and rep["check"]["go"] and (
        rep["check"]["go"]["main_module"] == "example.com/noopstandin"), (
        "no-op: the check was not OUT's: size %r, check %r" % (rep["size"], rep["check"]))
    res, _ = run_in_empty_root(out)
    assert res.rc == 0 and res.out.strip() == "hello 1", "after the no-op: the binary prints %r" % res.out
    # A Go input changed (gorelink's own are not): go build links over the
    # stand-in; OUT is the new binary.
    with open(os.path.join(mod, "main.go"), "w") as f:
        f.write(NOOP_MAIN.replace('"hello"', '"standin"'))
    time.sleep(2.5)
    open(log, "w").close()
    assert_relinked(mod, out, ["--go", wrapper], want="standin 1", what="main.go changed after a stand-in")
    got = seeds()
    assert len(got) == 1 and got[0][0] != "none" and int(got[0][1]) * int(got[0][2]) <= 256 * 1024, (
        "main.go changed: go build did not start from a stand-in: %r" % got)
    assert_up_to_date(mod, out, ["--go", wrapper], what="after the relink")


@test
def noop_standin_out_touched_during_build():
    """OUT touched while go build runs (another tool, a concurrent run): when
    go build relinks over the stand-in, gorelink checked the new binary, not
    OUT, and the build succeeds with it; when go build called the stand-in
    up to date, what gorelink checked (OUT) is not what the record vouched
    for, and the build fails saying so, OUT left as it is."""
    top = scratch("noop-standin-touch")
    realgo = shutil.which("go")
    assert realgo, "go is not on PATH (install Go)"
    wrapper = os.path.join(top, "go")
    with open(wrapper, "w") as f:
        f.write('#!/bin/sh\nif [ "$1" = build ] && [ -n "$GR_TEST_TOUCH" ]; then touch "$GR_TEST_TOUCH"; fi\n'
                'exec %s "$@"\n' % shlex.quote(realgo))
    os.chmod(wrapper, 0o755)
    mod = noop_module("standintouch")
    out = os.path.join(scratch("noop-standin-touch-out"), "prog")
    touching = dict(base_env(), GR_TEST_TOUCH=out)
    noop_build(mod, out, ["--go", wrapper], env=touching)
    time.sleep(2.5)
    with open(os.path.join(mod, "main.go"), "w") as f:
        f.write(NOOP_MAIN.replace('"hello"', '"touched"'))
    assert_relinked(mod, out, ["--go", wrapper], want="touched 1", env=touching,
                    what="main.go changed, OUT touched during go build")
    time.sleep(2.5)
    before = sha256(out)
    time.sleep(0.25)
    r = gorelink(["--json", "-o", out, "--go", wrapper, "."], cwd=mod, env=touching)
    assert r.rc != 0 and "changed while gorelink checked it" in r.err, (
        "no-op with OUT touched during go build: want a failure naming the change, got exit %d\n%r" % (r.rc, r))
    assert sha256(out) == before, "the failed no-op changed OUT's bytes"
    assert listing(os.path.dirname(out)) == [os.path.basename(out)], (
        "beside OUT after the failure: %r" % listing(os.path.dirname(out)))


# --------------------------------------------- the output cache (issue 15)

def outcache_env(tag, **changes):
    """The environment with a cache directory of the test's own (its
    outcache-bin directory is the test's to look at): (env, cache dir)."""
    cache = scratch("outcache-" + tag)
    return base_env(GORELINK_CACHE_DIR=cache, **changes), cache


def outcache_bins(cache):
    """The output cache's binaries: name (their SHA-256) -> path."""
    d = os.path.join(cache, "outcache-bin")
    return {n: os.path.join(d, n) for n in (listing(d) if os.path.isdir(d) else []) if not n.startswith(".")}


def fresh_out(tag):
    return os.path.join(scratch("outcache-" + tag), "prog")


def assert_from_output_cache(mod, out, args=(), go_args=(), want=None, what="", env=None):
    """A build to a new OUT takes the cached binary: no link, from_output_cache
    true, up_to_date false, the recorded report, a static binary that runs."""
    r, rep = noop_build(mod, out, args, go_args, env=env)
    assert rep["from_output_cache"] is True and rep["up_to_date"] is False and rep["links"] == 0, (
        "%s: want from_output_cache true, up_to_date false, links 0; got %r, %r, %r\n%r" % (
            what, rep["from_output_cache"], rep["up_to_date"], rep["links"], r))
    assert rep["verdict"] == rep["check"]["verdict"] and rep["check"]["path"] == out and rep["archives"], (
        "%s: the report lacks the check or the archives: %r" % (what, rep))
    if want is not None:
        res, _ = run_in_empty_root(out)
        assert res.rc == 0 and res.out.strip() == want, "%s: the binary prints %r, want %r" % (
            what, res.out, want)
    return rep


def assert_fresh_relinked(mod, out, args=(), go_args=(), want=None, what="", env=None):
    """A build to a new OUT links (links >= 1, from_output_cache false), and the
    binary prints want."""
    r, rep = noop_build(mod, out, args, go_args, env=env)
    assert rep["from_output_cache"] is False and rep["up_to_date"] is False and rep["links"] >= 1, (
        "%s: want a link (links >= 1, from_output_cache false), got %r and %r\n%r" % (
            what, rep["links"], rep["from_output_cache"], r))
    if want is not None:
        res, _ = run_in_empty_root(out)
        assert res.rc == 0 and res.out.strip() == want, "%s: the binary prints %r, want %r" % (
            what, res.out, want)
    return rep


@test
def outcache_fresh_out_reused():
    """A build to a new OUT with the same inputs as an earlier one to another
    OUT does not link: it takes the binary from gorelink's output cache (JSON
    from_output_cache true, links 0; text "from the output cache: "), the
    same bytes, static, and it runs. Each change builds to a new OUT and
    links, and the binary shows it: a Go file's content, -ldflags -X, an
    archive replaced at the same path, an added --lib, the mode."""
    env, cache = outcache_env("fresh")
    mod = noop_module("ocfresh")
    out1 = fresh_out("fresh1")
    _, rep = noop_build(mod, out1, env=env)
    assert rep["from_output_cache"] is False and rep["links"] >= 1, "a first build links: %r" % rep
    assert list(outcache_bins(cache)) == [sha256(out1)], (
        "the output cache holds %r, want the first binary %s" % (list(outcache_bins(cache)), sha256(out1)))
    out2 = fresh_out("fresh2")
    rep = assert_from_output_cache(mod, out2, want="hello 1", what="the same build to a new OUT", env=env)
    assert rep["verdict"] == "static" and not readelf(out2)["interp"], "not static: %r" % rep["verdict"]
    assert sha256(out2) == sha256(out1), "OUT2 differs from OUT1"
    out = fresh_out("fresh-text")
    time.sleep(0.25)
    r = gorelink(["-o", out, "."], cwd=mod, env=env)
    assert r.rc == 0 and r.out.startswith("from the output cache: %s: static" % out), (
        "without --json: stdout does not say from the output cache\n%r" % r)
    # A Go file's content.
    main = os.path.join(mod, "main.go")
    with open(main, "w") as f:
        f.write(NOOP_MAIN.replace('"hello"', '"changed"'))
    assert_fresh_relinked(mod, fresh_out("fresh-go"), want="changed 1", what="main.go changed", env=env)
    assert_from_output_cache(mod, fresh_out("fresh-go2"), want="changed 1", what="after main.go changed", env=env)
    # -ldflags -X.
    x = ["-ldflags", "-X main.msg=fromX"]
    assert_fresh_relinked(mod, fresh_out("fresh-x"), go_args=x, want="fromX 1", what="-ldflags -X", env=env)
    assert_from_output_cache(mod, fresh_out("fresh-x2"), go_args=x, want="fromX 1", what="after -X", env=env)
    # An archive replaced at the same path.
    fixture_archives(os.path.join(mod, "lib"), {"noopval.c": "int noop_value(void) { return 2; }\n"})
    assert_fresh_relinked(mod, fresh_out("fresh-ar"), go_args=x, want="fromX 2", what="libnoopval.a replaced",
                          env=env)
    # An added --lib.
    rep = assert_fresh_relinked(mod, fresh_out("fresh-lib"), args=["--lib", "-lm"], go_args=x, want="fromX 2",
                                what="--lib -lm added", env=env)
    assert any(re.match(r"libm[-.]", os.path.basename(a)) for a in rep["archives"]), (
        "--lib -lm: archives %r" % rep["archives"])
    # The mode.
    rep = assert_fresh_relinked(mod, fresh_out("fresh-pie"), args=["--static-pie"], go_args=x, want="fromX 2",
                                what="--static-pie", env=env)
    assert rep["verdict"] == "static-pie", "--static-pie: verdict %r" % rep["verdict"]
    out = fresh_out("fresh-3p")
    assert_fresh_relinked(mod, out, args=["--third-party"], go_args=x, what="--third-party", env=env)
    assert readelf(out)["interp"], "--third-party: no interpreter in %r" % readelf(out)


@test
def outcache_off():
    """GORELINK_OUTPUT_CACHE_MAX=0 turns the output cache off: a build to a new
    OUT links although the cache holds the binary, and a build with it stores
    no binary."""
    env, cache = outcache_env("off")
    mod = noop_module("ocoff")
    noop_build(mod, fresh_out("off1"), env=env)
    assert len(outcache_bins(cache)) == 1, "the output cache holds %r" % outcache_bins(cache)
    off = dict(env, GORELINK_OUTPUT_CACHE_MAX="0")
    assert_fresh_relinked(mod, fresh_out("off2"), want="hello 1", what="GORELINK_OUTPUT_CACHE_MAX=0", env=off)
    env2, cache2 = outcache_env("off-empty", GORELINK_OUTPUT_CACHE_MAX="0")
    noop_build(mod, fresh_out("off3"), env=env2)
    assert not outcache_bins(cache2), "GORELINK_OUTPUT_CACHE_MAX=0 stored %r" % outcache_bins(cache2)


@test
def outcache_tampered_not_used():
    """A binary modified in the output cache (one byte, its build ID intact)
    is not used: the build links, to the good bytes, and puts the good
    binary back, which the next build takes."""
    env, cache = outcache_env("tamper")
    mod = noop_module("octamper")
    out1 = fresh_out("tamper1")
    noop_build(mod, out1, env=env)
    good = sha256(out1)
    bins = outcache_bins(cache)
    assert list(bins) == [good], "the output cache holds %r" % bins
    with open(bins[good], "r+b") as f:
        f.seek(-1, os.SEEK_END)
        last = f.read(1)
        f.seek(-1, os.SEEK_END)
        f.write(bytes([last[0] ^ 0xff]))
    out2 = fresh_out("tamper2")
    assert_fresh_relinked(mod, out2, want="hello 1", what="a tampered cached binary", env=env)
    assert sha256(out2) == good, "the build after a tampered cached binary differs from the first"
    assert sha256(outcache_bins(cache)[good]) == good, "the good binary is not back in the output cache"
    assert_from_output_cache(mod, fresh_out("tamper3"), want="hello 1", what="after the good binary is back",
                             env=env)


@test
def outcache_evicts():
    """GORELINK_OUTPUT_CACHE_MAX bounds the binaries (MiB): with room for one,
    a second program's binary evicts the first (the least recently used), and
    the first program then links again."""
    env, cache = outcache_env("evict")
    mod1, mod2 = noop_module("ocevict1"), noop_module("ocevict2")
    out1 = fresh_out("evict1")
    noop_build(mod1, out1, env=env)
    first = sha256(out1)
    size = os.path.getsize(out1)
    mib = (size + (1 << 20) - 1) >> 20
    assert size >= 1 << 20 and mib << 20 < 2 * size, "the binary's %d bytes leave no bound for one only" % size
    small = dict(env, GORELINK_OUTPUT_CACHE_MAX=str(mib))
    x = ["-ldflags", "-X main.msg=second"]
    out2 = fresh_out("evict2")
    noop_build(mod2, out2, go_args=x, env=small)
    assert sha256(out2) != first
    assert list(outcache_bins(cache)) == [sha256(out2)], (
        "GORELINK_OUTPUT_CACHE_MAX=%d: the output cache holds %r, want only the second binary %s" % (
            mib, list(outcache_bins(cache)), sha256(out2)))
    assert_fresh_relinked(mod1, fresh_out("evict3"), want="hello 1", what="the evicted first program", env=small)


# ------------------------------------------------------- --linker (issue 15)

LINKER_PACKAGES = {"gold": "binutils", "lld": "lld", "mold": "mold"}


def traced_archives(text):
    """The archives a linker's own --trace (-Wl,--trace: GNU ld, gold, lld,
    mold; given twice, GNU ld lists members too) says it loaded members of ("ARCHIVE(MEMBER)"), as real paths. GNU ld
    also names an archive it opened but took nothing from (glibc's empty
    libpthread.a); gold does not: those are left out."""
    found = set()
    for line in text.splitlines():
        # "/x/libc.a(member.o)" (gold, lld), "trace: /x/libc.a(member.o)" (mold), "(/x/libc.a)member.o" (GNU ld -t -t)
        m = re.match(r"(?:trace: )?\(?(/[^\s()]+\.a)(?:\(|\)\S)", line.strip())
        if m:
            found.add(os.path.realpath(m.group(1)))
    return found


def mold_map_archives(text):
    """The archives mold's link map (-M) names a member of, as real paths:
    "0x2002b4 32 4 /x/libc.a(member.o):(.text)". mold 1.10's --trace names
    every member of every archive on the line, loaded or not."""
    found = set()
    for m in re.finditer(r"\s(/[^\s()]+\.a)\([^()\s]+\):\(", text):
        found.add(os.path.realpath(m.group(1)))
    return found


def linker_build(ex, linker, args=(), name=None, go_args=()):
    """Build EX with --linker=LINKER and the linker's own --trace; the binary
    is static (or static-pie) and the report says the linker ran. Returns
    (report, out, the traced archives)."""
    for prog in ("ld.%s" % linker,):
        assert shutil.which(prog), "%s is not on PATH (apt-get install %s; scripts/setup does)" % (
            prog, LINKER_PACKAGES.get(linker, "binutils"))
    r, rep, out = build(ex, ["--linker=%s" % linker] + list(args), name=name or "lk-" + linker,
                        go_args=["-ldflags=-extldflags=-Wl,--trace,--trace"] + list(go_args))
    lk = rep["linker"]
    assert lk["requested"] == linker and lk["chosen"] == linker and lk["used"] == linker, (
        "--linker=%s: report says %r" % (linker, lk))
    assert not lk["failover"] and rep["links"] >= 1, "--linker=%s failed over: %r" % (linker, rep)
    assert "-fuse-ld=%s" % linker in rep["link_argv"], "no -fuse-ld=%s in %r" % (linker, rep["link_argv"])
    traced = traced_archives(r.err)
    assert traced, "--linker=%s: no archive in the linker's own trace\n%r" % (linker, r)
    return rep, out, traced


def path_without(name, progs):
    """A PATH like the caller's with /usr/bin (and /bin) replaced by a directory
    of links to everything in /usr/bin but PROGS."""
    bindir = scratch(name)
    for f in os.listdir("/usr/bin"):
        if f not in progs and not any(f.startswith(p + "-") for p in progs):
            os.symlink(os.path.join("/usr/bin", f), os.path.join(bindir, f))
    keep = [d for d in os.environ.get("PATH", "").split(":")
            if d and os.path.realpath(d) not in ("/usr/bin", "/bin")]
    return ":".join(keep + [bindir])


def linkers_same_archives(ex, args, run_check, name, want_archive=None):
    """EX with bfd, then with gold, lld and mold: each report names the same
    archives, each linker's own trace opened the same archives as GNU ld's,
    and each binary is static and runs (run_check(out))."""
    base_rep, base_out, base_traced = linker_build(ex, "bfd", args, name=name + "-bfd")
    if want_archive:
        assert any(os.path.basename(a) == want_archive for a in base_traced), (
            "%s not in GNU ld's trace: %r" % (want_archive, sorted(base_traced)))
    assert_static(base_out)
    run_check(base_out)
    for linker in ("gold", "lld", "mold"):
        rep, out, traced = linker_build(ex, linker, args, name="%s-%s" % (name, linker))
        assert rep["archives"] == base_rep["archives"], "--linker=%s archives %r, bfd's %r" % (
            linker, rep["archives"], base_rep["archives"])
        assert traced == base_traced, "--linker=%s traced other archives than GNU ld: only %s %r, only bfd %r" % (
            linker, linker, sorted(traced - base_traced), sorted(base_traced - traced))
        assert_static(out)
        run_check(out)


@test
def linkers_sqlite3_same_archives():
    """examples/sqlite3 (bundled) with --linker=bfd, gold, lld and mold: the
    same archives in the report and in each linker's own --trace, a static
    binary that runs in an empty root."""
    version = bundled_sqlite_version()
    linkers_same_archives(example("sqlite3"), ["--sqlite3"], lambda out: sqlite_in_empty_root(out, version), "lksq",
                          want_archive="libc.a")


@test
def linkers_zlib_same_archives():
    """A #cgo pkg-config: zlib module with each linker: the same archives
    (libz.a among them), static, runs in an empty root."""
    pkg_modversion("zlib", "zlib1g-dev")
    mod = make_module("lkzlib", {"main.go": 'package main\n\n// #cgo pkg-config: zlib\n'
                                 '// #include <zlib.h>\nimport "C"\n\n'
                                 'func main() { println(C.GoString(C.zlibVersion())) }\n'})

    def runs(out):
        r, _ = run_in_empty_root(out, name="lkzlib")
        assert r.rc == 0 and r.err.strip(), "zlib binary in an empty root: %r" % r

    linkers_same_archives(mod, [], runs, "lkz", want_archive="libz.a")


@test
def linker_auto_picks_mold():
    """--linker=auto with mold installed: in --third-party mode mold, said on
    stderr and in --json, and the binary runs; in a static glibc link mold
    too (it prints none of glibc's static-link warnings, but gorelink makes
    them from its trace: linkers_same_findings), static, runs in an empty root."""
    for prog, pkg in (("ld.mold", "mold"), ("ld.lld", "lld"), ("ld.gold", "binutils")):
        assert shutil.which(prog), "%s is not on PATH (apt-get install %s)" % (prog, pkg)
    ex = example("sqlite3")
    r, rep, out = build(ex, ["--sqlite3", "--third-party", "--linker=auto"], name="lkauto")
    lk = rep["linker"]
    assert lk["requested"] == "auto" and lk["chosen"] == "mold" and lk["used"] == "mold", lk
    assert lk["why"] and lk["why"].startswith("auto: "), lk
    assert "gorelink: linker: mold (auto: " in r.err, "auto does not say which linker: %r" % r
    assert_sqlite_output(run([out, "-db", os.path.join(scratch("lkauto-db"), "demo.db")]), bundled_sqlite_version())
    r, rep, out = build(ex, ["--sqlite3", "--linker=auto"], name="lkauto-static")
    lk = rep["linker"]
    assert lk["chosen"] == "mold" and lk["used"] == "mold", "auto in a static glibc link: %r" % lk
    assert "prints none" not in lk["why"] and lk["why"].startswith("auto: "), lk
    assert "gorelink: linker: mold (auto: " in r.err, r
    assert_static(out)
    sqlite_in_empty_root(out, bundled_sqlite_version())


@test
def mold_reads_objects_from_a_script():
    """Issue 15: mold reads the link's objects from a linker script (INPUT(),
    gr_linker_input_script: its start-up tries every command-line word against
    its whole option table, about 10 ms for cmd/link's objects). The ld.mold
    collect2 runs (a logging wrapper first on PATH) gets the script and no
    go.o; with GORELINK_NO_INPUT_SCRIPT=1 it gets the objects; the binaries are
    byte-identical (their embedded manifests too), static, and run in an empty
    root. A gcc that gives its linker a sysroot other than / keeps the objects
    on the line. (That the script is removed after the link: linkwrap-unit
    test_mold_input_script; go build removes its work directory anyway.)"""
    real = shutil.which("ld.mold")
    assert real, "ld.mold is not on PATH (apt-get install mold; scripts/setup does)"
    sysroot = run(["gcc", "-print-sysroot"], timeout=RUN_TIMEOUT)
    assert sysroot.rc == 0, "gcc -print-sysroot: %r" % sysroot
    scripted = sysroot.out.strip() in ("", "/")
    wrap = scratch("mold-script-wrap")
    log = os.path.join(wrap, "log")
    logging_exec_wrapper(os.path.join(wrap, "ld.mold"), log, real)
    env = base_env(PATH=wrap + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin"),
                   GORELINK_OUTPUT_CACHE_MAX="0")
    ex = example("sqlite3")

    def final_links():
        with open(log) as f:
            # the final link's: it writes mold's map for the manifest (gr_ldtrace); probes do not
            return [l.split(" ") for l in f.read().split("\n") if any(w.startswith("-Map=") for w in l.split(" "))]

    r, rep, first = build(ex, ["--sqlite3", "--linker=mold"], env=env, name="moldscript")
    links = final_links()
    assert len(links) == rep["links"] >= 1, "%d ld.mold runs logged, the report says %d links" % (
        len(links), rep["links"])
    words = links[-1]
    scripts = [w for w in words if ".gorelink-inputs-" in w]
    gos = [w for w in words if w.endswith("/go.o")]
    if scripted:
        assert len(scripts) == 1 and not gos, "ld.mold got %d input scripts and %d go.o: %s" % (
            len(scripts), len(gos), " ".join(words)[:3000])
    else:
        assert not scripts and len(gos) == 1, "gcc's sysroot %r: ld.mold got %d input scripts and %d go.o" % (
            sysroot.out.strip(), len(scripts), len(gos))
    assert any(w.endswith("/go.o") for w in rep["link_argv"]), "the report's link line names no go.o: %r" % (
        rep["link_argv"],)
    os.unlink(log)
    r, rep, second = build(ex, ["--sqlite3", "--linker=mold"], env=dict(env, GORELINK_NO_INPUT_SCRIPT="1"),
                           name="moldscript-off")
    words = final_links()[-1]
    assert not any(".gorelink-inputs-" in w for w in words), "GORELINK_NO_INPUT_SCRIPT=1: %s" % " ".join(words)[:3000]
    assert sum(1 for w in words if w.endswith("/go.o")) == 1, "no go.o on mold's command line: %s" % (
        " ".join(words)[:3000])
    assert filecmp.cmp(first, second, shallow=False), "%s (objects from a script) and %s differ" % (first, second)
    assert_static(first)
    sqlite_in_empty_root(first, bundled_sqlite_version())


@test
def linker_auto_musl_and_cross():
    """What each linker cannot do with this compiler (the linker matrix found
    it): with CC=musl-gcc, lld and mold keep the specs' -dynamic-linker in a
    static link (PT_INTERP: not static), so auto picks gold and says why, and
    --linker=mold falls back to bfd; a cross compiler (aarch64-linux-gnu-gcc)
    finds only aarch64-linux-gnu-ld.NAME (there is no aarch64 ld.mold or
    ld.lld), and gold's static arm64 links lose C++ exception unwinding (found
    by the whole suite with RELINK_E2E_LINKER=auto: a throw aborts), so auto
    picks bfd there and says why; --third-party for arm64 is gold's. Each
    binary is static (or, --third-party, needs only libc)."""
    assert shutil.which("musl-gcc"), "musl-gcc is needed (apt-get install musl-tools; scripts/setup does)"
    ex = example("fortytwo")
    env = base_env(CC="musl-gcc")
    r, rep, out = build(ex, ["--linker=auto"], name="lkmusl", env=env)
    lk = rep["linker"]
    assert lk["chosen"] == "gold" and lk["used"] == "gold", "auto with musl-gcc: %r" % lk
    assert "mold keeps musl-gcc's -dynamic-linker" in lk["why"], lk
    assert_static(out)
    rr, _ = run_in_empty_root(out, name="ft")
    assert rr.rc == 0, "musl build in an empty root: %r" % rr
    r, rep, out = build(ex, ["--linker=mold"], name="lkmusl-mold", env=env)
    lk = rep["linker"]
    assert lk["chosen"] == "bfd" and lk["used"] == "bfd", "--linker=mold with musl-gcc: %r" % lk
    assert "gorelink: linker: bfd (--linker=mold: mold keeps musl-gcc's" in r.err, r
    assert_static(out)
    assert shutil.which("aarch64-linux-gnu-gcc"), (
        "aarch64-linux-gnu-gcc is needed (apt-get install gcc-aarch64-linux-gnu; scripts/setup does)")
    env = base_env(GOARCH="arm64", CC="aarch64-linux-gnu-gcc")
    env.pop("CGO_ENABLED", None)
    r, rep, out = build(ex, ["--linker=auto"], env=env, name="lkarm64")
    lk = rep["linker"]
    assert lk["chosen"] == "bfd" and lk["used"] == "bfd" and not lk["failover"], "auto, cross: %r" % lk
    assert "mold not installed" in lk["why"] and "lld not installed" in lk["why"], lk
    assert "gold's static arm64 links lose C++ exception unwinding" in lk["why"], lk
    elf = readelf(out)
    assert elf["interp"] is None and not elf["needed"], "not static: %r" % elf
    r, rep, out = build(ex, ["--linker=auto", "--third-party"], env=env, name="lkarm64-tp")
    lk = rep["linker"]
    assert lk["chosen"] == "gold" and lk["used"] == "gold" and not lk["failover"], "auto, cross, --third-party: %r" % lk


@test
def linker_mode_fallback():
    """--linker=gold --static-pie: gold cannot (no --no-dynamic-linker), so the
    link falls back to bfd and says why; auto with only gold and bfd on PATH
    passes gold over for --static-pie. No --linker is auto's choice (issue
    15), said in --json only (and -v), unless the link's own -extldflags,
    CGO_LDFLAGS (environment or go env -w), go env CC's words or a #cgo
    LDFLAGS line name -fuse-ld=, which is kept (--linker=bfd replaces it)."""
    ex = example("fortytwo")
    r, rep, out = build(ex, ["--static-pie", "--linker=gold"], name="lkpie")
    lk = rep["linker"]
    assert lk["requested"] == "gold" and lk["chosen"] == "bfd" and lk["used"] == "bfd", lk
    assert "gold cannot link -static-pie" in (lk["why"] or ""), lk
    assert "gold cannot link -static-pie" in r.err, "the fallback is not said: %r" % r
    assert_static(out, pie=True)
    # A PATH whose linkers are gold and bfd only: /usr/bin without ld.mold and ld.lld.
    env = base_env(PATH=path_without("lk-path", ("ld.mold", "ld.lld")))
    r2, rep2, out2 = build(ex, ["--static-pie", "--linker=auto"], name="lkpie-auto", env=env)
    lk2 = rep2["linker"]
    assert lk2["chosen"] == "bfd", "auto chose %r, want bfd (gold cannot -static-pie)" % lk2
    assert "gold cannot link -static-pie" in lk2["why"], lk2
    # By name but not installed: an error naming its package, OUT untouched.
    outdir = scratch("lk-nolld")
    r3 = gorelink(["--json", "--linker=lld", "-o", os.path.join(outdir, "x"), "."], cwd=ex, env=env)
    assert r3.rc == EXIT_BUILD and "ld.lld is not on PATH (Debian package lld)" in r3.err, r3
    assert listing(outdir) == [], "OUT written: %r" % listing(outdir)
    # No --linker (not through build(): RELINK_E2E_LINKER would add one).
    # Auto's choice, said (issue 15: the default), and static.
    outdir6 = scratch("lk-default")
    r6 = gorelink(["--json", "-o", os.path.join(outdir6, "fortytwo"), "."], cwd=ex)
    assert r6.rc == EXIT_OK, r6
    lk6 = parse_json(r6)["linker"]
    assert lk6["requested"] == "default" and lk6["chosen"] == lk6["used"] == "mold" and not lk6["failover"], lk6
    assert (lk6["why"] or "").startswith("auto: the fastest installed that can link --static"), lk6
    assert "linker" not in r6.err, "no --linker: the choice is said with -v and --json only\n%r" % r6
    assert_static(os.path.join(outdir6, "fortytwo"))
    # No --linker, the link's own -extldflags -fuse-ld=gold (or CGO_LDFLAGS,
    # or go env CC's words): kept, and no failover; --linker=bfd replaces it.
    for go_args, env in ((["--", "-ldflags=-extldflags=-fuse-ld=gold"], None),
                         ([], base_env(CGO_LDFLAGS="-g -O2 -fuse-ld=gold")),
                         ([], base_env(CC="gcc -fuse-ld=gold"))):
        outdir5 = scratch("lk-own")
        r5 = gorelink(["--json", "-o", os.path.join(outdir5, "fortytwo"), "."] + go_args, cwd=ex, env=env)
        assert r5.rc == EXIT_OK, r5
        lk5 = parse_json(r5)["linker"]
        assert lk5 == {"requested": "default", "chosen": "default", "why": None, "used": "gold",
                       "failover": False}, lk5
    # The same with go env -w CGO_LDFLAGS (a GOENV file of the test's own).
    goenv_dir = scratch("lk-own-goenv")
    goenv = os.path.join(goenv_dir, "go.env")
    with open(goenv, "w") as f:
        f.write("CGO_LDFLAGS=-g -O2 -fuse-ld=gold\n")
    r8 = gorelink(["--json", "-o", os.path.join(goenv_dir, "fortytwo"), "."], cwd=ex, env=base_env(GOENV=goenv))
    assert r8.rc == EXIT_OK, r8
    lk8 = parse_json(r8)["linker"]
    assert lk8 == {"requested": "default", "chosen": "default", "why": None, "used": "gold",
                   "failover": False}, lk8
    # A #cgo LDFLAGS line's -fuse-ld= (CGO_LDFLAGS_ALLOW lets it through):
    # gorelink cannot see it when it chooses, and gorelink-ld keeps it.
    own = make_module("lkowncgo", {"main.go": (
        "package main\n\n// #cgo LDFLAGS: -fuse-ld=gold\n"
        "// static int answer(void) { return 6 * 7; }\nimport \"C\"\n\nimport \"fmt\"\n\n"
        "func main() { fmt.Println(int(C.answer())) }\n")})
    r9 = gorelink(["--json", "-o", os.path.join(own, "lkowncgo"), "."], cwd=own,
                  env=base_env(CGO_LDFLAGS_ALLOW="-fuse-ld=gold"))
    assert r9.rc == EXIT_OK, r9
    lk9 = parse_json(r9)["linker"]
    assert lk9["requested"] == "default" and lk9["used"] == "gold" and not lk9["failover"], lk9
    assert_static(os.path.join(own, "lkowncgo"))
    r7, rep7, _ = build(ex, ["--linker=bfd"], go_args=["-ldflags=-extldflags=-fuse-ld=gold"], name="lk-own-bfd")
    assert rep7["linker"] == {"requested": "bfd", "chosen": "bfd", "why": None, "used": "bfd",
                              "failover": False}, rep7["linker"]
    # Not a linker gorelink knows: a usage error.
    r4 = gorelink(["--linker=ld", "-o", os.path.join(outdir, "x"), "."], cwd=ex)
    assert r4.rc == EXIT_USAGE and "--linker=ld: give auto, bfd, gold, lld or mold" in r4.err, r4


@test
def linker_failover_to_bfd():
    """A linker that fails where GNU ld would not: a fake ld.mold first on
    PATH that exits 1. The link runs once more with -fuse-ld=bfd, says so,
    links counts both, the report says failover, and the binary runs."""
    ex = example("fortytwo")
    bindir = scratch("lk-fake")
    fake = os.path.join(bindir, "ld.mold")
    with open(fake, "w") as f:
        f.write("#!/bin/sh\necho 'mold: fatal: this fake linker always fails' >&2\nexit 1\n")
    os.chmod(fake, 0o755)
    env = base_env(PATH=bindir + ":" + os.environ.get("PATH", "/usr/bin:/bin"))
    r, rep, out = build(ex, ["--linker=mold"], name="lkfail", env=env)
    lk = rep["linker"]
    assert lk["chosen"] == "mold" and lk["used"] == "bfd" and lk["failover"], lk
    assert rep["links"] == 2, "links %r, want 2 (mold, then bfd)" % rep["links"]
    assert "the final link with mold failed; linking once more with GNU ld" in r.err, r
    assert "-fuse-ld=bfd" in rep["link_argv"] and "-fuse-ld=mold" not in rep["link_argv"], rep["link_argv"]
    assert_static(out)
    assert_build_ids_after_bfd(out, rep, "failover from mold")
    rr, _ = run_in_empty_root(out, name="ft")
    assert rr.rc == 0, "after the failover: %r" % rr


@test
def linkers_diagnose_and_fix():
    """Diagnosis with each linker's own messages: -tags libsqlite3
    --no-infer leaves libm out; with --linker=gold, lld and mold, --fix adds
    glibc's libm archive from that linker's undefined-symbol messages, with
    no failover to GNU ld, and the binary is static and runs."""
    version = pkg_modversion("sqlite3", "libsqlite3-dev")
    libm = glibc_libm_archive()
    ex = example("sqlite3")
    for linker in ("gold", "lld", "mold"):
        # No output cache: fix_libsqlite3_without_libs_private's build is
        # the same as mold's here now that auto (mold) is the default.
        r, rep, out = build(ex, ["--fix", "--no-infer", "--linker=" + linker], go_args=["-tags", "libsqlite3"],
                            name="lkfix-" + linker, env=base_env(GORELINK_OUTPUT_CACHE_MAX="0"))
        lk = rep["linker"]
        assert lk["used"] == linker and not lk["failover"], "--linker=%s: %r" % (linker, lk)
        m = [f for f in rep["fixes"] if f.get("lname") == "m"]
        assert m and os.path.basename(m[0].get("archive") or "") == libm, (
            "--linker=%s: fixes %r, want %s" % (linker, rep["fixes"], libm))
        assert rep["links"] >= 2, "--linker=%s: links %r" % (linker, rep["links"])
        assert "linking once more with GNU ld" not in r.err, r
        assert_static(out)
        sqlite_in_empty_root(out, version)


DL3_MAIN = """package main

/*
#cgo LDFLAGS: -L${SRCDIR}/lib -lplugone -lplugtwo -lplugs
#include <pwd.h>
int one_load(void);
int two_load(void);
int a_load(void);
int b_load(void);
static int user(void) { return getpwnam("root") != 0; }
*/
import "C"

import "fmt"

func main() {
	fmt.Println(int(C.one_load()), int(C.two_load()), int(C.a_load()), int(C.b_load()), int(C.user()))
}
"""


def findings_view(r, rep):
    """What the diagnosis says, linker aside: the exit status, ok and error,
    the findings (in order, every field) and gorelink's finding lines."""
    lines = [l for l in r.err.splitlines()
             if re.match(r"gorelink: (\S+ in a static glibc binary|plugin loader|--strict|--static)", l)]
    view = {"rc": r.rc, "ok": rep.get("ok"), "error": rep.get("error"), "findings": rep.get("findings"),
            "lines": lines}
    # Go's link directory is new for every link: "/tmp/gorelink-X/tmp/go-link-N/000001.o".
    return json.loads(re.sub(r"[^\s\"(]*/go-link-\d+/", "GO-LINK/", json.dumps(view)))


def same_findings_each_linker(tag, cwd, args, expect=EXIT_OK, go_args=()):
    """ARGS built with --linker=bfd, lld and mold (--json): the findings,
    --strict's exit and the dlopen policy are GNU ld's, though lld and mold
    print none of glibc's warnings (gorelink makes them from their trace).
    Returns GNU ld's view."""
    views = {}
    for linker in ("bfd", "lld", "mold"):
        assert shutil.which("ld." + linker), "ld.%s is not on PATH (apt-get install %s)" % (
            linker, LINKER_PACKAGES.get(linker, "binutils"))
        outdir = scratch("lkf-%s-%s" % (tag, linker))
        argv = ["--json", "--linker=" + linker, "-o", os.path.join(outdir, "prog")] + list(args) + ["."]
        if go_args:
            argv += ["--"] + list(go_args)
        r = gorelink(argv, cwd=cwd)
        assert r.rc == expect, "--linker=%s: exit %d, want %d\n%r" % (linker, r.rc, expect, r)
        rep = parse_json(r)
        lk = rep["linker"]
        assert lk["used"] == linker and not lk["failover"], "--linker=%s: %r" % (linker, lk)
        assert not re.search(r"(: (reference to|definition of|lazy definition of) | keeps \S+ for )", r.err + r.out), (
            "--linker=%s: trace lines shown\n%r" % (linker, r))
        views[linker] = findings_view(r, rep)
    base = views["bfd"]
    assert base["findings"], "%s: GNU ld's link has no findings: %r" % (tag, base)
    for linker in ("lld", "mold"):
        assert views[linker] == base, "%s: --linker=%s differs from GNU ld:\n%s\nGNU ld:\n%s" % (
            tag, linker, json.dumps(views[linker], indent=1), json.dumps(base, indent=1))
    return base


@test
def linkers_same_findings():
    """Every glibc-findings case with --linker=bfd, lld and mold: the same
    findings (symbol, caller, function, remedy, library, fails, callers, in
    GNU ld's order), the same --strict exit and dlopen-policy failure, the
    same finding lines, and no trace line shown. lld and mold print none of
    glibc's warnings: gorelink traces every symbol with a .gnu.warning
    section in libc.a and makes GNU ld's warnings from the trace. Cases:
    examples/sqlite3 with --sqlite3=system --no-default-tags (net, os/user,
    libsqlite3.a's dlopen; with --strict: exit 1); --no-auto-presets (the
    module and file named); three archives calling dlopen (two members of one,
    the first in member order) and C code calling getpwnam (a symbol gorelink
    does not trace for GNU ld: only its first caller); libltdl (the plugin-loader
    policy fails the build; --accept-dlopen builds)."""
    pkg_modversion("sqlite3", "libsqlite3-dev")
    ex = example("sqlite3")
    base = same_findings_each_linker("sqsys", ex, ["--no-default-tags", "--sqlite3=system"])
    assert {f["symbol"] for f in base["findings"]} >= {"getaddrinfo", "getpwuid_r", "getgrouplist", "dlopen"}, base
    assert all(f["function"] for f in base["findings"]), "GNU ld names each caller's function: %r" % base
    same_findings_each_linker("sqstrict", ex, ["--strict", "--no-default-tags", "--sqlite3=system"],
                              expect=EXIT_VERDICT)
    base = same_findings_each_linker("sqnoauto", ex, ["--no-auto-presets"])
    assert "sqlite3-binding.c" in finding({"findings": base["findings"]}, "dlopen")["source"], base
    mod = make_module("lkdl3", {"main.go": DL3_MAIN})
    lib = os.path.join(mod, "lib")
    os.mkdir(lib)
    fixture_archives(lib, {"plugone.c": "#include <dlfcn.h>\nint one_load(void) { return dlopen(\"libnothere1.so\", RTLD_NOW) != 0; }\n",
                           "plugtwo.c": "#include <dlfcn.h>\nint two_load(void) { return dlopen(\"libnothere2.so\", RTLD_NOW) != 0; }\n"})
    for stem in ("b", "a"):
        with open(os.path.join(lib, stem + ".c"), "w") as f:
            f.write("#include <dlfcn.h>\nint %s_load(void) { return dlopen(\"lib%s.so\", RTLD_NOW) != 0; }\n" % (stem, stem))
        r = run(["gcc", "-c", "-g", "-O2", "-o", os.path.join(lib, stem + ".o"), os.path.join(lib, stem + ".c")], cwd=lib)
        assert r.rc == 0, r
    r = run(["ar", "rcs", os.path.join(lib, "libplugs.a"), os.path.join(lib, "b.o"), os.path.join(lib, "a.o")], cwd=lib)
    assert r.rc == 0, r
    base = same_findings_each_linker("dl3", mod, [])
    dl = [f for f in base["findings"] if f["symbol"] == "dlopen"]
    assert len(dl) == 4, "four dlopen callers: %r" % dl
    assert [f["symbol"] for f in base["findings"]].count("getpwnam") == 1, base
    r = run(["gcc", "-print-file-name=libltdl.a"], timeout=RUN_TIMEOUT)
    assert r.rc == 0 and os.path.isabs(r.out.strip()), (
        "libltdl.a is needed (apt-get install libltdl-dev; scripts/setup does)\n%r" % r)
    mod = make_module("lkltdl", {"main.go": LTDL_MAIN})
    base = same_findings_each_linker("ltdl", mod, [], expect=EXIT_VERDICT)
    assert "--accept-dlopen" in (base["error"] or ""), base
    same_findings_each_linker("ltdl-accept", mod, ["--accept-dlopen"])


# --------------------------------------------------------------------- 15

GREET_C = 'const char *greet(void) { return "%s"; }\n'
GREET_GO = ('package main\n\n// #cgo LDFLAGS: -L${SRCDIR}/lib -lgreet\n// #cgo pkg-config: zlib\n'
            '// #include <zlib.h>\n// const char *greet(void);\nimport "C"\n\n'
            'func main() { println(C.GoString(C.greet()), C.GoString(C.zlibVersion())) }\n')


def make_libgreet(d, text):
    """d/libgreet.a: greet() returns TEXT (built with cc and ar)."""
    os.makedirs(d, exist_ok=True)
    src, obj = os.path.join(d, "greet.c"), os.path.join(d, "greet.o")
    with open(src, "w") as f:
        f.write(GREET_C % text)
    for argv in (["cc", "-O2", "-c", "-o", obj, src], ["ar", "rcD", os.path.join(d, "libgreet.a"), obj]):
        r = run(argv, timeout=RUN_TIMEOUT)
        assert r.rc == 0, "%s failed (apt-get install gcc binutils)\n%r" % (argv[0], r)
    return os.path.join(d, "libgreet.a")


def greet_module(tag):
    pkg_modversion("zlib", "zlib1g-dev")
    mod = make_module("kit" + tag, {"main.go": GREET_GO})
    make_libgreet(os.path.join(mod, "lib"), "hello v1")
    return mod


def tree(d):
    """relative path -> (mode, sha256 or '<dir>') of everything under d."""
    out = {}
    for root, dirs, files in os.walk(d):
        for n in dirs + files:
            p = os.path.join(root, n)
            st = os.lstat(p)
            out[os.path.relpath(p, d)] = (oct(st.st_mode), "<dir>" if os.path.isdir(p) else sha256(p))
    return out


def go_buildid_bytes(path):
    r = run(["go", "tool", "buildid", path], timeout=RUN_TIMEOUT)
    assert r.rc == 0 and r.out.strip(), "go tool buildid %s\n%r" % (path, r)
    return r.out.strip().encode()


def post_link_ranges(path):
    """The byte ranges of what Go writes after the link: the content hash
    (last part) of each copy of the Go build ID, and go:fipsinfo's sum."""
    with open(path, "rb") as f:
        data = f.read()
    bid = go_buildid_bytes(path)
    last = bid.rindex(b"/") + 1
    ranges, at = [], data.find(bid)
    while at >= 0:
        ranges.append((at + last, at + len(bid)))
        at = data.find(bid, at + 1)
    assert ranges, "%s: its Go build ID %r is not in it" % (path, bid)
    fips = data.find(b"\xff Go fipsinfo \xff\x00")
    if fips >= 0:
        ranges.append((fips + 16, fips + 48))
    return data, ranges


def assert_same_but_post_link(built, relinked):
    """RELINKED equals BUILT except in the ranges post_link_ranges names and,
    unless --no-manifest, the manifest note appended after the link (and
    they are the only differences): with those bytes taken from BUILT, the two
    are identical."""
    a, ranges = post_link_ranges(built)
    with open(relinked, "rb") as f:
        b = bytearray(f.read())
    if len(a) > len(b):
        # The manifest note (gr_embed) appended after the link: its data and a
        # new section header table at the end, e_shoff and e_shnum (ELF64) in
        # the header the only bytes it changes.
        a, extra = a[:len(b)], a[len(b):]
        assert b"gorelink-manifest/1" in extra and MANIFEST_SECTION.encode() in extra, (
            "built is %d bytes longer than the linker's output, and not by the manifest note" % len(extra))
        ranges = ranges + [(0x28, 0x30), (0x3c, 0x3e)]
    assert len(a) == len(b), "relinked %d bytes, built %d" % (len(b), len(a))
    for lo, hi in ranges:
        b[lo:hi] = a[lo:hi]
    if bytes(b) != a:
        first = next(i for i in range(len(a)) if a[i] != b[i])
        raise AssertionError("%s and %s differ at byte %d, outside the Go build ID and go:fipsinfo (%r)" % (
            built, relinked, first, ranges))
    with open(relinked, "rb") as f:
        assert f.read() != a, "the relinked binary is byte-identical: the Go build ID rewrite was expected"


def kit_json(kit):
    with open(os.path.join(kit, "link.json")) as f:
        return json.load(f)


@test
def relink_kit_relinks_and_replaces_an_archive():
    """--relink-kit=DIR: the kit names libz.a by its Debian package (the
    version dpkg-query gives) and holds libgreet.a (no package) and the
    link's objects; copied elsewhere (the original moved away), its relink
    gives the linker's output byte for byte, equal to the binary but for the
    Go build ID's hash and go:fipsinfo's sum; it runs in an empty root; with a
    rebuilt libgreet.a named, the binary prints the new text."""
    mod = greet_module("relink")
    kit = os.path.join(scratch("kitdir"), "kit")
    r, rep, out = build(mod, ["--relink-kit=" + kit], name="greet")
    assert rep.get("relink_kit") == kit, "relink_kit %r, want %s" % (rep.get("relink_kit"), kit)
    assert sorted(os.listdir(kit)) == [".gorelink-kit", "README", "archives.tsv", "lib", "link.json", "obj",
                                       "postlink", "relink"], sorted(os.listdir(kit))
    assert os.listdir(os.path.dirname(kit)) == ["kit"], "beside the kit: %r" % os.listdir(os.path.dirname(kit))
    j = kit_json(kit)
    assert j["schema"] == "gorelink-relink-kit/1" and j["binary"] == "greet" and j["mode"] == "static", j
    objs = sorted(os.path.basename(o["path"]) for o in j["objects"])
    assert "go.o" in objs and "000000.o" in objs and all(o["in_kit"] for o in j["objects"]), j["objects"]
    for o in j["objects"]:
        assert sha256(os.path.join(kit, o["path"])) == o["sha256"], o
    ars = {os.path.basename(a["path"]): a for a in j["archives"]}
    assert ars["libgreet.a"]["in_kit"] and ars["libgreet.a"]["path"] == "lib/libgreet.a", ars
    assert ars["libgreet.a"]["package"] is None, ars["libgreet.a"]
    z = ars["libz.a"]
    dq = run(["dpkg-query", "-W", "-f", "${Version}", "zlib1g-dev"], timeout=RUN_TIMEOUT)
    assert not z["in_kit"] and z["package"].split(":")[0] == "zlib1g-dev" and z["version"] == dq.out, (z, dq)
    assert z["sha256"] == sha256(z["path"]), z
    assert [w for w in j["argv"] if isinstance(w, str) and w.startswith("-Wl,--build-id=0x")], j["argv"]
    with open(os.path.join(kit, "archives.tsv")) as f:
        tsv = f.read()
    assert "lib/libgreet.a\tyes\t-\t" in tsv and "\tzlib1g-dev" in tsv, tsv
    with open(os.path.join(kit, "README")) as f:
        readme = f.read()
    assert "zlib1g-dev" in readme and "go:fipsinfo" in readme, readme
    r1, _ = run_in_empty_root(out)
    assert r1.rc == 0 and r1.err.startswith("hello v1 "), r1
    # (4) kit-relative: a copy elsewhere, the original moved away, run from a third directory.
    elsewhere = os.path.join(scratch("kit-copy"), "copied")
    shutil.copytree(kit, elsewhere, symlinks=True)
    os.rename(kit, kit + ".moved")
    cwd = scratch("kit-cwd")
    # (1) the same archives: byte-identical to the built binary (the link, then
    # postlink: what Go wrote after the link); --linker-output: the linker's
    # output exactly, the built binary but for Go's post-link values.
    r2 = run([os.path.join(elsewhere, "relink"), "-o", "identical"], cwd=cwd)
    assert r2.rc == 0 and not r2.err, r2
    assert sha256(os.path.join(cwd, "identical")) == sha256(out), "relink did not give the built binary"
    r2 = run([os.path.join(elsewhere, "relink"), "-o", "relinked", "--linker-output"], cwd=cwd)
    assert r2.rc == 0, r2
    relinked = os.path.join(cwd, "relinked")
    assert sha256(relinked) == j["linker_output"]["sha256"], "relinked is not the linker's output"
    assert_same_but_post_link(out, relinked)
    rb, ro = go_buildid_bytes(relinked), go_buildid_bytes(out)
    assert rb.rsplit(b"/", 1)[0] == ro.rsplit(b"/", 1)[0], (rb, ro)
    r3, _ = run_in_empty_root(relinked)
    assert r3.rc == 0 and r3.err.startswith("hello v1 "), r3
    # (2) a rebuilt archive, by file name and by the path archives.tsv lists.
    v2 = make_libgreet(scratch("greet-v2"), "hello v2, rebuilt")
    for spec in ("libgreet.a=" + v2, "lib/libgreet.a=" + v2):
        r4 = run([os.path.join(elsewhere, "relink"), "-o", "v2", spec], cwd=cwd)
        assert r4.rc == 0, r4
        r5, _ = run_in_empty_root(os.path.join(cwd, "v2"))
        assert r5.rc == 0 and r5.err.startswith("hello v2, rebuilt "), r5
        assert_static(os.path.join(cwd, "v2"))
    # A name that is no archive of the link is refused.
    r6 = run([os.path.join(elsewhere, "relink"), "-o", "v3", "libnone.a=" + v2], cwd=cwd)
    assert r6.rc == 64 and "names 0 archives" in r6.err, r6


@test
def relink_kit_deterministic_and_replaced():
    """The same build twice gives the same kit bytes (and modes); a build into
    a kit replaces it whole, with nothing left beside it."""
    mod = greet_module("det")
    d = scratch("kitdet")
    k1, k2 = os.path.join(d, "k1"), os.path.join(d, "k2")
    build(mod, ["--relink-kit=" + k1], name="greet")
    build(mod, ["--relink-kit=" + k2], name="greet")
    t1, t2 = tree(k1), tree(k2)
    assert t1 == t2, "two kits of the same build differ: %r" % sorted(
        set(t1.items()) ^ set(t2.items()))
    with open(os.path.join(k1, "obj", "stale.o"), "w") as f:
        f.write("from before")
    build(mod, ["--relink-kit=" + k1], name="greet")
    assert tree(k1) == t2, "the kit was not replaced whole: %r" % sorted(set(tree(k1).items()) ^ set(t2.items()))
    assert sorted(os.listdir(d)) == ["k1", "k2"], "beside the kits: %r" % sorted(os.listdir(d))


@test
def relink_kit_failed_build_leaves_dir():
    """A build that fails after the link (--third-party --glibc 2.28: the
    check fails, exit 1) leaves an existing kit untouched and nothing beside
    it; a DIR that is neither empty nor a kit is refused before building
    (exit 64), untouched."""
    mod = greet_module("fail")
    d = scratch("kitfail")
    kit = os.path.join(d, "kit")
    build(mod, ["--relink-kit=" + kit], name="greet")
    before = tree(kit)
    expect_failure(["--third-party", "--glibc", "2.28", "--relink-kit=" + kit, "."], mod, EXIT_VERDICT,
                   ["GLIBC_2."], tag="kitfail", go_output=True)
    assert tree(kit) == before, "the kit changed after a failed build"
    assert os.listdir(d) == ["kit"], "beside the kit: %r" % os.listdir(d)
    # --dry-run: the kit is written by the link, then dropped with the binary.
    r = gorelink(["--dry-run", "--relink-kit=" + kit, "-o", os.path.join(scratch("kitdry"), "greet"), "."], cwd=mod)
    assert r.rc == EXIT_OK, r
    assert tree(kit) == before, "the kit changed after a --dry-run"
    assert os.listdir(d) == ["kit"], "beside the kit after --dry-run: %r" % os.listdir(d)
    other = os.path.join(d, "notakit")
    os.mkdir(other)
    with open(os.path.join(other, "keep.txt"), "w") as f:
        f.write("mine")
    expect_failure(["--relink-kit=" + other, "."], mod, EXIT_USAGE, ["neither empty nor a relink kit"],
                   tag="kitnot")
    assert tree(other) == {"keep.txt": (oct(os.lstat(os.path.join(other, "keep.txt")).st_mode),
                                        sha256(os.path.join(other, "keep.txt")))}
    assert sorted(os.listdir(d)) == ["kit", "notakit"], sorted(os.listdir(d))


@test
def relink_kit_third_party():
    """--third-party --relink-kit: relink gives the linker's output byte for
    byte, and it runs (the C library dynamic)."""
    mod = greet_module("tp")
    kit = os.path.join(scratch("kittp"), "kit")
    r, rep, out = build(mod, ["--third-party", "--relink-kit=" + kit], name="greet")
    j = kit_json(kit)
    assert j["mode"] == "third-party", j["mode"]
    cwd = scratch("kittp-cwd")
    r2 = run([os.path.join(kit, "relink"), "--linker-output"], cwd=cwd)
    assert r2.rc == 0, r2
    assert sha256(os.path.join(cwd, "greet")) == j["linker_output"]["sha256"]
    assert_same_but_post_link(out, os.path.join(cwd, "greet"))
    r2 = run([os.path.join(kit, "relink"), "-o", "same"], cwd=cwd)
    assert r2.rc == 0 and sha256(os.path.join(cwd, "same")) == sha256(out), r2
    r3 = run([os.path.join(cwd, "greet")], timeout=RUN_TIMEOUT)
    assert r3.rc == 0 and r3.err.startswith("hello v1 "), r3


# ----------------------------------------------- 16: the link manifest, SBOMs

TOOLS_VENV = os.environ.get("GORELINK_TOOLS_VENV") or "/opt/gorelink-tools/venv"

# cyclonedx-python-lib's strict JSON validator for CycloneDX 1.5 (exit 1 with the errors).
CDX_VALIDATE = """import sys
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
with open(sys.argv[1], encoding="utf-8") as f:
    err = JsonStrictValidator(SchemaVersion.V1_5).validate_str(f.read())
if err is not None:
    print(err)
    sys.exit(1)
"""

# The DEP-5 short names of the copyright files these tests read, as SPDX says them.
DEP5_SPDX = {"Zlib": "Zlib", "MIT-1": "LicenseRef-MIT-1", "Apache-2.0": "Apache-2.0", "MIT": "MIT",
             "public-domain": "LicenseRef-public-domain"}


def tools_venv(prog):
    """PROG of the tools venv that scripts/setup makes (fails naming it when missing)."""
    p = os.path.join(TOOLS_VENV, "bin", prog)
    assert os.access(p, os.X_OK), ("%s is missing: scripts/setup installs spdx-tools and "
                                   "cyclonedx-python-lib into %s (python3-venv, PyPI)" % (p, TOOLS_VENV))
    return p


def validate_spdx(path):
    """pyspdxtools (spdx-tools) parses and validates the SPDX 2.3 JSON document."""
    r = run([tools_venv("pyspdxtools"), "-i", path], timeout=RUN_TIMEOUT)
    assert r.rc == 0 and "invalid" not in (r.out + r.err).lower(), "pyspdxtools -i %s\n%r" % (path, r)


def validate_cdx(path):
    r = run([tools_venv("python"), "-c", CDX_VALIDATE, path], timeout=RUN_TIMEOUT)
    assert r.rc == 0, "cyclonedx-python-lib's JsonStrictValidator (1.5) on %s\n%r" % (path, r)


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def cdx_props(c, name):
    return [p["value"] for p in c.get("properties", []) if p["name"] == name]


def cdx_archives(bom):
    """archive path -> CycloneDX component."""
    return {cdx_props(c, "gorelink:archive")[0]: c for c in bom["components"]
            if cdx_props(c, "gorelink:archive")}


def trace_oracle(link_argv, outdir):
    """Run the final link again with GNU ld's own trace (-fuse-ld=bfd -Wl,-t,-t):
    ({(archive, member)}, {object path})."""
    argv = list(link_argv)
    i = argv.index("-o")
    argv[i + 1] = os.path.join(outdir, "oracle.out")
    argv = [a for a in argv if not a.startswith("-fuse-ld=")] + ["-fuse-ld=bfd", "-Wl,-t,-t"]
    r = run(argv, timeout=BUILD_TIMEOUT)
    assert r.rc == 0, "the final link with -Wl,-t,-t\n%r" % r
    members, objects = set(), set()
    for line in r.out.splitlines():
        m = re.match(r"^\((.+)\)(.+)$", line)
        if m:
            members.add((os.path.normpath(m.group(1)), m.group(2)))
        elif os.path.isfile(line):
            with open(line, "rb") as f:
                h = f.read(18)
            if h[:4] == b"\x7fELF" and h[16] == 1:  # ET_REL
                objects.add(os.path.normpath(line))
    return members, objects


def dpkg_owner(path):
    """(binary:Package, Version) by dpkg-query -S and -W, or None."""
    for p in (path, os.path.realpath(path)):
        r = run(["dpkg-query", "-S", p], timeout=RUN_TIMEOUT)
        if r.rc == 0:
            pkg = r.out.splitlines()[0].split(": ")[0]
            v = run(["dpkg-query", "-W", "-f", "${Version}", pkg], timeout=RUN_TIMEOUT)
            assert v.rc == 0, "dpkg-query -W %s\n%r" % (pkg, v)
            return pkg, v.out.strip()
    return None


def copyright_licence(pkg):
    """The DEP-5 License: of the Files: * stanza of PKG's copyright file, as SPDX says it."""
    with open("/usr/share/doc/%s/copyright" % pkg.split(":")[0], encoding="utf-8", errors="replace") as f:
        text = f.read()
    m = re.search(r"^Files:\s*\*\s*\n(?:[^\n]+\n)*?License:\s*(\S+)", text, re.M)
    assert m, "no Files: * stanza in %s's copyright" % pkg
    assert m.group(1) in DEP5_SPDX, "DEP-5 licence %r of %s: not in the test's table" % (m.group(1), pkg)
    return DEP5_SPDX[m.group(1)]


def assert_debian_and_licences(bom, want_licences):
    """Every archive's Debian package and version agree with dpkg-query; the
    licences of the archives named in want_licences (base name -> Debian
    package) agree with their copyright files."""
    seen = set()
    for path, c in cdx_archives(bom).items():
        owner = dpkg_owner(path)
        got = cdx_props(c, "gorelink:deb-package")
        if owner is None:
            assert not got, "%s: no dpkg owner, manifest says %r" % (path, got)
            continue
        assert got == [owner[0]] and c.get("version") == owner[1], (
            "%s: manifest %r %r, dpkg-query %r" % (path, got, c.get("version"), owner))
        base = os.path.basename(path)
        if base in want_licences:
            seen.add(base)
            assert owner[0].split(":")[0] == want_licences[base], "%s: owner %r" % (path, owner)
            lic = [l["expression"] for l in c.get("licenses", [])]
            want = copyright_licence(owner[0])
            assert lic == [want], "%s: licence %r, copyright file says %r" % (path, lic, want)
            assert cdx_props(c, "gorelink:licence-from") == ["/usr/share/doc/%s/copyright" % want_licences[base]], c
    assert seen == set(want_licences), "archives %r not in the manifest" % sorted(set(want_licences) - seen)


def assert_members_match_trace(bom, rep, outdir):
    """The manifest's archive members and objects are exactly what GNU ld's trace lists."""
    members, objects = trace_oracle(rep["link_argv"], outdir)
    got = {(os.path.normpath(a), m) for a, c in cdx_archives(bom).items() for m in cdx_props(c, "gorelink:member")}
    assert got == members, "manifest members vs ld -t -t: only in the manifest %r; only in the trace %r" % (
        sorted(got - members)[:20], sorted(members - got)[:20])
    gobj = set(os.path.normpath(o) for o in cdx_props(bom["metadata"]["component"], "gorelink:object"))
    assert gobj == objects, "manifest objects vs ld -t -t: %r vs %r" % (sorted(gobj ^ objects)[:20], None)


def assert_go_modules(bom, out):
    """The Go modules of the SBOM are the dep lines of go version -m, with their sums."""
    r = run(["go", "version", "-m", out], timeout=RUN_TIMEOUT)
    assert r.rc == 0, "go version -m\n%r" % r
    deps = {}
    for line in r.out.splitlines():
        f = line.strip().split("\t")
        if f[0] == "dep":
            deps[f[1]] = (f[2], f[3] if len(f) > 3 else "")
    got = {c["name"]: (c.get("version"), (cdx_props(c, "gorelink:go-sum") or [""])[0])
           for c in bom["components"] if c["bom-ref"].startswith("gomod:")}
    assert got == deps, "SBOM Go modules %r, go version -m %r" % (got, deps)
    return got


XMLCRYPTO_MAIN = ('package main\n\n// #cgo pkg-config: libxml-2.0 libcrypto zlib\n'
                  '// #include <libxml/parser.h>\n// #include <openssl/sha.h>\n// #include <zlib.h>\n'
                  '// #include <string.h>\n'
                  '// static int parse(const char *s) { xmlDocPtr d = xmlReadMemory(s, strlen(s), "x.xml", NULL, 0);'
                  ' if (!d) return 0; xmlFreeDoc(d); unsigned char h[32]; SHA256((const unsigned char *)s, strlen(s), h);'
                  ' return 1 + (h[0] & 0) + (int)(crc32(0, (const unsigned char *)s, 1) & 0); }\n'
                  'import "C"\n\nfunc main() { println(int(C.parse(C.CString("<a><b/></a>")))) }\n')


@test
def sbom_libxml2_libcrypto():
    """Issue 16: a cgo build with libxml2, libcrypto and zlib, --sbom: the
    manifest's archives and members (and objects) are exactly what GNU ld's
    own trace of the final link lists; Debian packages and versions agree with
    dpkg-query; the licences of libz.a, libxml2.a and libcrypto.a agree with
    their copyright files; the SPDX output passes spdx-tools and the CycloneDX
    output cyclonedx-python-lib's validator; two builds give the same bytes;
    --deny-licence Apache-2.0 fails naming libcrypto.a and libssl-dev (exit 1,
    OUT untouched), --deny-licence GPL-3.0-only passes."""
    for pc, deb in (("libxml-2.0", "libxml2-dev"), ("libcrypto", "libssl-dev"), ("zlib", "zlib1g-dev")):
        pkg_modversion(pc, deb)
    mod = make_module("sbomxml", {"main.go": XMLCRYPTO_MAIN})
    side = scratch("sbomxml-side")
    # The CycloneDX form with cmd/link's objects kept (-tmpdir) for the oracle.
    tmpd = os.path.join(side, "linktmp")
    os.mkdir(tmpd)
    cdx = os.path.join(side, "a.cdx.json")
    r, rep, out = build(mod, ["--sbom=" + cdx, "--sbom-format=cyclonedx-json"],
                        go_args=["-ldflags=-tmpdir=" + tmpd], name="sbomxml")
    validate_cdx(cdx)
    bom = load(cdx)
    names = {os.path.basename(p) for p in cdx_archives(bom)}
    assert {"libxml2.a", "libcrypto.a", "libz.a", "libc.a"} <= names, "SBOM archives %r" % sorted(names)
    assert_members_match_trace(bom, rep, side)
    assert_debian_and_licences(bom, {"libz.a": "zlib1g-dev", "libxml2.a": "libxml2-dev",
                                     "libcrypto.a": "libssl-dev"})
    assert_go_modules(bom, out)
    # The binary alone says the same: the manifest it carries (built by
    # gorelink-ld from its own trace, read back for --sbom) lists exactly the
    # members and objects GNU ld's trace lists, with the SBOM's packages.
    rc, obj, r = sbom_cli(out)
    assert rc == 0, "check --sbom: exit %d\n%r" % (rc, r)
    man = obj["manifest"]
    members, objects = trace_oracle(rep["link_argv"], side)
    got = {(os.path.normpath(a["path"]), m) for a in man["archives"] for m in a["members"]}
    assert got == members, "embedded members vs ld -t -t: only embedded %r; only in the trace %r" % (
        sorted(got - members)[:20], sorted(members - got)[:20])
    assert {os.path.normpath(o["name"]) for o in man["objects"]} == objects, (
        "embedded objects %r vs ld -t -t %r" % (sorted(o["name"] for o in man["objects"]), sorted(objects)))
    assert {a["path"]: a.get("deb_package") for a in man["archives"]} == {
        p: (cdx_props(c, "gorelink:deb-package") or [None])[0] for p, c in cdx_archives(bom).items()}, man
    static_run_by(rep, out, "g++", "1")
    # SPDX, twice: valid, and the same bytes; a --deny-licence that matches nothing passes.
    s1, s2 = os.path.join(side, "1.spdx.json"), os.path.join(side, "2.spdx.json")
    build(mod, ["--sbom=" + s1, "--deny-licence", "GPL-3.0-only"], name="sbomxml1")
    build(mod, ["--sbom=" + s2, "--sbom-format=spdx-json"], name="sbomxml2")
    validate_spdx(s1)
    with open(s1, "rb") as f1, open(s2, "rb") as f2:
        assert f1.read() == f2.read(), "two --sbom runs differ: %s %s" % (s1, s2)
    # --no-manifest: the driver builds the manifest itself from the same
    # trace (one construction, gr_manifest_from_link): the same SBOM bytes.
    s3 = os.path.join(side, "3.spdx.json")
    build(mod, ["--sbom=" + s3, "--no-manifest"], name="sbomxml3")
    with open(s1, "rb") as f1, open(s3, "rb") as f3:
        assert f1.read() == f3.read(), "--sbom with and without --no-manifest differ: %s %s" % (s1, s3)
    doc = load(s1)
    pk = {p["SPDXID"]: p for p in doc["packages"]}
    rel = {(x["spdxElementId"], x["relationshipType"], x["relatedSpdxElement"]) for x in doc["relationships"]}
    crypto = [p for p in doc["packages"] if p["name"] == "libcrypto.a"]
    assert crypto and crypto[0]["licenseDeclared"] == "Apache-2.0", crypto
    assert ("SPDXRef-Binary", "STATIC_LINK", crypto[0]["SPDXID"]) in rel, rel
    assert ("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Binary") in rel and "SPDXRef-Binary" in pk, rel
    # --deny-licence Apache-2.0: exit 1, OUT untouched, the archive and its package named.
    denied = existing_out("sbomdeny")
    before = open(denied, "rb").read()
    sd = os.path.join(side, "denied.spdx.json")
    r = gorelink(["-o", denied, "--sbom=" + sd, "--deny-licence", "MIT", "--deny-licence", "Apache-2.0", "."],
                 cwd=mod)
    assert r.rc == EXIT_VERDICT, "--deny-licence Apache-2.0: exit %d, want 1\n%r" % (r.rc, r)
    assert re.search(r"--deny-licence Apache-2\.0: \S*/libcrypto\.a \(Debian package libssl-dev:\S+\) is licensed Apache-2\.0", r.err), r
    assert open(denied, "rb").read() == before, "--deny-licence changed OUT"
    assert not os.path.exists(sd), "--deny-licence wrote the SBOM"


@test
def sbom_sqlite3_bundled_and_system():
    """Issue 16: examples/sqlite3 with --sqlite3 (the amalgamation compiled
    from github.com/mattn/go-sqlite3) and --sqlite3=system (libsqlite3.a):
    the Go modules agree with go version -m, the module carrying the C code
    is named (sqlite3-binding.c); with mold (its map file) the members are
    still exactly GNU ld's trace; libsqlite3.a's licence is its copyright
    file's public-domain (a LicenseRef SPDX tools accept)."""
    ex = example("sqlite3")
    side = scratch("sbomsq-side")
    cdx = os.path.join(side, "b.cdx.json")
    r, rep, out = build(ex, ["--sqlite3", "--sbom=" + cdx, "--sbom-format=cyclonedx-json"], name="sbomsqb")
    validate_cdx(cdx)
    bom = load(cdx)
    mods = assert_go_modules(bom, out)
    assert SQLITE3_MODULE in mods, mods
    comp = [c for c in bom["components"] if c["name"] == SQLITE3_MODULE][0]
    assert "sqlite3-binding.c" in cdx_props(comp, "gorelink:c-source"), comp
    assert not [p for p in cdx_archives(bom) if "sqlite" in p], "bundled build lists a sqlite archive"
    # system, linked by mold: members from its -Map file against GNU ld's trace
    assert shutil.which("ld.mold"), "ld.mold is not on PATH (apt-get install mold)"
    tmpd = os.path.join(side, "linktmp")
    os.mkdir(tmpd)
    cdx = os.path.join(side, "s.cdx.json")
    r, rep, out = build(ex, ["--sqlite3=system", "--linker=mold", "--sbom=" + cdx, "--sbom-format=cyclonedx-json"],
                        go_args=["-ldflags=-tmpdir=" + tmpd], name="sbomsqs")
    validate_cdx(cdx)
    bom = load(cdx)
    assert cdx_props(bom["metadata"]["component"], "gorelink:linker") == ["mold"], bom["metadata"]
    assert_members_match_trace(bom, rep, side)
    assert_debian_and_licences(bom, {"libsqlite3.a": "libsqlite3-dev"})
    spdx = os.path.join(side, "s.spdx.json")
    build(ex, ["--sqlite3=system", "--sbom=" + spdx], name="sbomsqs2")
    validate_spdx(spdx)
    doc = load(spdx)
    sq = [p for p in doc["packages"] if p["name"] == "libsqlite3.a"]
    assert sq and sq[0]["licenseDeclared"] == "LicenseRef-public-domain", sq
    assert any(x["licenseId"] == "LicenseRef-public-domain" for x in doc.get("hasExtractedLicensingInfos", [])), doc
    gm = [p for p in doc["packages"] if p["name"] == SQLITE3_MODULE]
    assert gm and ("SPDXRef-Binary", "DEPENDS_ON", gm[0]["SPDXID"]) in {
        (x["spdxElementId"], x["relationshipType"], x["relatedSpdxElement"]) for x in doc["relationships"]}, gm


def main():
    global GORELINK, SRCDIR, EXAMPLES, SCRATCH
    args = harness.path_args("GORELINK SRCDIR WORKDIR")
    if args is None:
        return 2
    GORELINK, SRCDIR, workdir = args
    EXAMPLES = os.path.join(SRCDIR, "examples")
    os.makedirs(workdir, exist_ok=True)
    try:
        import jsonschema  # noqa: F401
    except ImportError:
        return harness.fail_early("python3-jsonschema is not installed for %s (apt-get install "
                                  "python3-jsonschema; scripts/setup does): every --json report "
                                  "is validated against docs/schema" % sys.executable)
    SCRATCH = harness.make_scratch("relink-e2e.", dir=workdir, mode=0o755)
    return SUITE.run(only_env="RELINK_E2E_ONLY", timing=True,
                     cleanup=lambda: harness.rmtree_forced(SCRATCH),
                     elapsed_note=lambda: "; JSON objects validated: %s; linker matrix: %s" % (", ".join(
                         "%d against %s" % (n, k) for k, n in sorted(VALIDATED.items())),
                         "%(cases)d cases, %(links)d links (%(link_seconds).1f s linking), %(runs_compared)d binaries run, "
                         "%(seconds).1f s checking, skipped %(skipped)r, known limits %(known)r" %
                         MATRIX_STATS))


if __name__ == "__main__":
    sys.exit(main())
