#!/usr/bin/env python3
"""zig-e2e: gorelink with zig as the C compiler (issues 14, 15, 17).

Usage: zig_e2e.py GORELINK SRCDIR WORKDIR

First zig_cache_warm: one small compile per target (the C library of each,
the musl C++ library) with 1500 s each, printing how long each took. Then
CC="zig cc -target T" in each mode, with the archives gorelink resolves:
  - --static for x86_64-linux-musl (zig's own musl): static, no netgo or
    osusergo tags and no glibc findings, the libc family left to zig (never
    the system's glibc archives), runs in an empty root;
  - a system archive built for glibc (a copy of Debian's libz.a) in that
    musl link: gorelink says it was built for glibc and names the ways out;
  - a cross build, GOARCH=arm64 CC="zig cc -target aarch64-linux-musl": an
    aarch64 static binary that prints 42 under qemu-aarch64-static in an
    empty root;
  - --third-party --glibc 2.28 with -target x86_64-linux-gnu.2.28: the
    symbol-version floor passes (GLIBC_2.28 at most), where the host's gcc
    fails it (GLIBC_2.34);
  - zig c++ as the C++ driver named after CC="zig cc ...".

zig comes from PyPI's ziglang package, which scripts/setup installs in its
virtual environment (/opt/gorelink-tools/venv) with /usr/local/bin/zig;
without zig on PATH every case FAILS naming scripts/setup.  zig builds a
target's C library the first time it links for it (minutes): the cases use
zig's global cache (ZIG_GLOBAL_CACHE_DIR when set, else zig's default
~/.cache/zig), shared within a run and across runs, like Go's build cache.

The helpers (build, make_module, run_in_empty_root...) are relink_e2e.py's.
Prints `ok NAME` or `FAIL NAME: reason` per test, then `N passed, M failed`;
ZIG_E2E_ONLY=NAME,... runs only those tests.
"""

import json
import os
import re
import shutil
import sys
import time

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402  (tests/harness.py)
import relink_e2e as R  # noqa: E402  (its helpers; importing it adds no tests here)

SUITE = harness.Suite()
test = SUITE.test

MUSL = "zig cc -target x86_64-linux-musl"
ARM64_MUSL = "zig cc -target aarch64-linux-musl"
GNU228 = "zig cc -target x86_64-linux-gnu.2.28"


def need_zig():
    assert shutil.which("zig"), ("zig is not on PATH: scripts/setup installs it (pip install ziglang "
                                 "in /opt/gorelink-tools/venv, linked as /usr/local/bin/zig)")


def glibc_paths(rep):
    """The link's inputs that are the system's glibc archives or objects."""
    return [a for a in rep["link_argv"] if re.match(r"^/(usr/)?lib/x86_64-linux-gnu/lib(c|m|pthread|dl|rt|resolv)\.a$", a)]


WARM_TIMEOUT = 1500   # zig's first build of a target's C (or C++) library, on a busy machine


@test
def zig_cache_warm():
    """zig's global cache holds each target's C library (and the musl C++
    library): one small compile per target with cgo's flags (-O2 -g), each
    allowed WARM_TIMEOUT s, so that the builds below (600 s each) find them
    built. Prints how long each took: minutes the first time on a machine
    (a cold cache), a fraction of a second after."""
    need_zig()
    d = R.scratch("zig-warm")
    c, cc = os.path.join(d, "hello.c"), os.path.join(d, "hello.cc")
    with open(c, "w") as f:
        f.write('#include <stdio.h>\n#include <pthread.h>\nint main(void) { printf("%d\\n", (int)sizeof(pthread_t)); return 0; }\n')
    with open(cc, "w") as f:
        f.write('#include <stdexcept>\n#include <cstdio>\nint main() { try { throw std::runtime_error("x"); }'
                ' catch (const std::exception &e) { std::puts(e.what()); } return 0; }\n')
    for target, drv, src, static in (("x86_64-linux-musl", "cc", c, True), ("aarch64-linux-musl", "cc", c, True),
                                     ("x86_64-linux-gnu.2.28", "cc", c, False),
                                     ("x86_64-linux-musl", "c++", cc, True)):
        argv = ["zig", drv, "-target", target, "-O2", "-g"] + (["-static"] if static else []) + [
            src, "-o", os.path.join(d, "a-%s-%s" % (target, drv.replace("+", "x")))]
        t0 = time.monotonic()
        r = R.run(argv, cwd=d, timeout=WARM_TIMEOUT)
        assert r.rc == 0, "%s failed\n%r" % (" ".join(argv), r)
        sys.stderr.write("  zig %s -target %s: %.1f s\n" % (drv, target, time.monotonic() - t0))


@test
def zig_musl_static():
    """CC="zig cc -target x86_64-linux-musl" --static: C code that calls
    getaddrinfo and getpwuid links zig's own musl: no netgo/osusergo tags, no
    glibc findings, -lpthread left to zig (no glibc archive in the link), the
    binary is static and resolves a numeric address in an empty root."""
    need_zig()
    mod = R.make_module("zigmuslres", {"main.go": 'package main\n\n// #include <netdb.h>\n// #include <pwd.h>\n'
                                       '// #include <stddef.h>\n'
                                       '// static int resolve(void) { struct addrinfo h = {0}, *r = NULL; h.ai_flags = AI_NUMERICHOST;\n'
                                       '//   int rc = getaddrinfo("127.0.0.1", NULL, &h, &r); if (r) freeaddrinfo(r);\n'
                                       '//   return rc + (getpwuid(0) != NULL); }\n'
                                       'import "C"\n\nfunc main() { println(int(C.resolve())) }\n'})
    r, rep, out = R.build(mod, ["--static"], name="zigmuslres", env=R.base_env(CC=MUSL))
    assert rep["link_argv"][:4] == MUSL.split(), "link driver %r" % rep["link_argv"][:4]
    assert "netgo" not in rep["tags"] and "osusergo" not in rep["tags"], "tags %r with zig's musl" % rep["tags"]
    assert rep["check"].get("glibc_runtime") == [], "glibc findings: %r" % rep["check"].get("glibc_runtime")
    assert not rep.get("findings"), "report findings: %r" % rep.get("findings")
    assert not glibc_paths(rep), "glibc archives in a zig musl link: %r" % glibc_paths(rep)
    assert "-lpthread" in rep["link_argv"], "-lpthread is not left to zig: %r" % rep["link_argv"]
    # zig cc links with its own lld and ignores -fuse-ld: no --linker chooses none (issue 15).
    if not os.environ.get("RELINK_E2E_LINKER"):
        assert rep["linker"] == {"requested": "default", "chosen": "default", "why": None, "used": "default",
                                 "failover": False}, "zig's linker: %r" % rep["linker"]
    R.assert_static(out)
    res, _ = R.run_in_empty_root(out)
    assert res.rc == 0 and res.err.strip() == "0", "in an empty root: %r" % res


@test
def zig_musl_glibc_built_archive_explained():
    """The musl link with a copy of Debian's libz.a (built for glibc: gzlib.o
    needs __snprintf_chk): the link fails, gorelink says libz.a was built for
    glibc, names CC as the link's C library and the ways out."""
    need_zig()
    z = "/usr/lib/x86_64-linux-gnu/libz.a"
    assert os.path.exists(z), "%s is needed (apt-get install zlib1g-dev)" % z
    mod = R.make_module("zigmuslz", {"main.go": R.MUSLZ_MAIN})
    lib = os.path.join(mod, "lib")
    os.mkdir(lib)
    libz = os.path.join(lib, "libz.a")
    shutil.copyfile(z, libz)
    r, _ = R.expect_failure(["--static", "."], mod, R.EXIT_BUILD, [], env=R.base_env(CC=MUSL),
                            go_output=True, tag="zigmuslz")
    assert re.search(r"^gorelink: %s was built for glibc: .*__snprintf_chk" % re.escape(libz), r.err, re.M), (
        "no 'built for glibc' explanation naming %s\n%r" % (libz, r))
    assert "this link's C library (%s)" % MUSL in r.err, "CC is not named whole\n%r" % r
    assert "--third-party" in r.err and "glibc toolchain" in r.err, "the ways out are not named\n%r" % r
    assert re.search(r"^gorelink: the link failed: %s was built for glibc" % re.escape(libz), r.err, re.M), (
        "the error line does not name the glibc-built archive\n%r" % r)


@test
def zig_cross_arm64_musl_under_qemu():
    """GOARCH=arm64 CC="zig cc -target aarch64-linux-musl": gorelink turns
    cgo on for the cross build; the aarch64 binary is static and prints 42
    under qemu-aarch64-static in an otherwise empty root."""
    need_zig()
    assert shutil.which("qemu-aarch64-static"), "qemu-aarch64-static is needed (apt-get install qemu-user-static)"
    env = R.base_env(GOARCH="arm64", CC=ARM64_MUSL)
    env.pop("CGO_ENABLED", None)
    r, rep, out = R.build(R.example("fortytwo"), ["-v"], env=env, name="zig-fortytwo-arm64")
    assert rep["check"]["architecture"] == "aarch64" and rep["verdict"] == "static", (
        "report: %s" % json.dumps(rep["check"])[:1000])
    assert rep["link_argv"][:4] == ARM64_MUSL.split(), "link driver %r" % rep["link_argv"][:4]
    elf = R.readelf(out)
    assert elf["interp"] is None and not elf["needed"], "not static: %r" % elf
    res = R.run_arm64_in_empty_root(out)
    assert res.rc == 0 and res.out.strip() == "42", "under qemu in an empty root: %r" % res


@test
def zig_third_party_glibc_228_floor():
    """--third-party --glibc 2.28: with the host's gcc (Debian 12, glibc 2.36)
    the binary needs GLIBC_2.34 and the build fails the floor (exit 1); with
    CC="zig cc -target x86_64-linux-gnu.2.28" it passes, libc.so.6 its only
    C library, no version above GLIBC_2.28, and it runs here."""
    need_zig()
    ex = R.example("fortytwo")
    r, _ = R.expect_failure(["--third-party", "--glibc", "2.28", "."], ex, R.EXIT_VERDICT, [],
                            tag="zig228-host", go_output=True)
    assert "needs GLIBC_2.34 from libc.so.6, newer than --max-version GLIBC_2.28" in r.err, (
        "the host cc passes the 2.28 floor?\n%r" % r)
    assert GNU228 in r.err, "the floor's remedy does not name zig\n%r" % r
    r, rep, out = R.build(ex, ["--third-party", "--glibc", "2.28"], name="zig228", env=R.base_env(CC=GNU228))
    assert rep["link_argv"][:4] == GNU228.split(), "link driver %r" % rep["link_argv"][:4]
    chk = rep.get("check") or {}
    assert chk.get("pass") is True, "check does not pass at --glibc 2.28: %r" % chk.get("problems")
    floors = [fl["version"] for n in (chk.get("versions") or {}).get("needed", []) for fl in n["floors"]
              if fl["family"] == "GLIBC_"]
    assert floors, "no GLIBC_ floor in the report: %r" % chk.get("versions")
    top = max(tuple(int(x) for x in v[len("GLIBC_"):].split(".")) for v in floors)
    assert top <= (2, 28), "floors %r above GLIBC_2.28" % floors
    libc = [x for p in ("libc.so.*", "libm.so.*", "libpthread.so.*", "libdl.so.*", "librt.so.*",
                                     "libresolv.so.*", "libutil.so.*") for x in ("--allow", p)]
    r = R.gorelink(["check", "--max-version", "GLIBC_2.28"] + libc + [out], cwd=R.SCRATCH)
    assert r.rc == 0, "gorelink check --max-version GLIBC_2.28 fails\n%r" % r
    res = R.run([out], timeout=R.RUN_TIMEOUT)
    assert res.rc == 0 and res.out.strip() == "42", "the 2.28 binary here: %r" % res


@test
def zig_cxx_named_after_cc():
    """A cgo package with C++ (a .cc file that throws) and
    CC="zig cc -target x86_64-linux-musl" without CXX: go env CXX (g++)
    builds for glibc, so gorelink compiles and links with "zig c++" and the
    same -target (named after CC, as in a cross build), static, runs."""
    need_zig()
    mod = R.make_module("zigcxx", {
        "main.go": 'package main\n\n// int answer(void);\nimport "C"\n\nfunc main() { println(int(C.answer())) }\n',
        # A throw: the C++ runtime (__cxa_throw, typeinfo) is in the link.
        "answer.cc": '#include <stdexcept>\n#include <string>\nextern "C" int answer(void) {\n'
                     '  try { throw std::runtime_error("forty-two"); }\n'
                     '  catch (const std::exception &e) { return (int)std::string(e.what()).size() + 33; }\n'
                     '  return 0;\n}\n'})
    env = R.base_env(CC=MUSL, CXX=None)
    r, rep, out = R.build(mod, ["--static"], name="zigcxx", env=env)
    assert rep["link_argv"][:4] == ["zig", "c++", "-target", "x86_64-linux-musl"], (
        "link driver %r" % rep["link_argv"][:4])
    assert not glibc_paths(rep), "glibc archives in a zig musl link: %r" % glibc_paths(rep)
    R.assert_static(out)
    res, _ = R.run_in_empty_root(out)
    assert res.rc == 0 and res.err.strip() == "42", "in an empty root: %r" % res


def main():
    args = harness.path_args("GORELINK SRCDIR WORKDIR")
    if args is None:
        return 2
    R.GORELINK, R.SRCDIR, workdir = args
    R.EXAMPLES = os.path.join(R.SRCDIR, "examples")
    os.makedirs(workdir, exist_ok=True)
    try:
        import jsonschema  # noqa: F401
    except ImportError:
        return harness.fail_early("python3-jsonschema is not installed for %s (apt-get install "
                                  "python3-jsonschema; scripts/setup does)" % sys.executable)
    R.SCRATCH = harness.make_scratch("zig-e2e.", dir=workdir, mode=0o755)
    return SUITE.run(only_env="ZIG_E2E_ONLY", timing=True, cleanup=lambda: harness.rmtree_forced(R.SCRATCH))


if __name__ == "__main__":
    sys.exit(main())
