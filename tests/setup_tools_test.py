#!/usr/bin/env python3
"""setup-tools: every tool and file the tests use comes from scripts/setup.

Usage: setup_tools_test.py SOURCE_DIR

A fresh Debian 12 machine has only what scripts/setup installs.  A test that
passes here because something was installed by hand fails there (issue 11:
the fuzz test and libclang_rt.asan-x86_64.a from libclang-rt-14-dev).  So:

1. The package list is the `packages=( ... )` array of scripts/setup (one
   package a line, `#` comments; `packages+=(...)` lines count too).
2. The tools: every word of the test sources that names a program on PATH
   (or in /usr/sbin, /sbin): in tests/*.py the first string of a list or
   tuple (an argv) and what shutil.which()/run()/must() get; in tests/*.sh
   and tests/fixtures/*.sh every word of the code (not comments, not quoted
   messages, not here-documents); the programs that
   tests/CMakeLists.txt finds (find_program NAMES) and the fuzz preset's
   compiler (CMakePresets.json); plus TOOLS below, which scanning cannot see
   (the build's own tools, what gorelink runs: cc, ld, ar).  A name in TOOLS
   that is missing fails; a scanned word that is not a program is no tool.
3. The files: FILES below (the sanitizer and libFuzzer runtime archives,
   the .pc files, archives and headers the build and the tests need, the
   jsonschema module of Debian's python3).
4. Each one's owner: `dpkg -S` on the file the name resolves to (realpath:
   /usr/bin/cc -> /etc/alternatives/cc -> /usr/bin/gcc ... gcc-12's file),
   also under its other usrmerge name (/usr/bin/x <-> /bin/x).
5. The owner must be allowed: listed in scripts/setup, or installed because
   a listed package depends on it (Depends/Pre-Depends, transitively, through
   virtual packages too; Recommends do not count: setup installs with
   --no-install-recommends), or part of the base image (BASE below).
   A file no Debian package owns may be a PyPI tool's in a virtual
   environment (a parent directory with pyvenv.cfg: scripts/setup's
   /opt/gorelink-tools/venv): then the distribution whose RECORD holds it
   must be in scripts/setup's pip_packages array, pinned at the installed
   version (zig: ziglang==VERSION).

Prints `ok NAME -> FILE (PACKAGE: why)` or `FAIL NAME: reason` per tool or
file, then `N passed, M failed`; exit status 1 if anything failed.
"""

import glob
import json
import os
import re
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402  (tests/harness.py)

# What scanning cannot see: the build's tools, what gorelink itself runs, and
# tools the tests reach through variables or helpers.  Each must exist.
TOOLS = [
    "cmake", "ninja", "make", "cc", "gcc", "g++", "ld", "ld.bfd", "ar", "ranlib",
    "pkg-config", "pkgconf", "readelf", "objdump", "nm",
    "clang-14", "ld64.lld-14", "ld64.lld-16", "llvm-objdump-14", "llvm-lipo-14", "llvm-ar-14",
    "valgrind", "ccache", "musl-gcc", "aarch64-linux-gnu-gcc", "qemu-aarch64-static",
    "qemu-x86_64-static",  # dcomp-cpus: test_dcomp under older CPU models (test_any_cpu)
    "go", "/usr/lib/go-1.19/bin/go",
    "python3", "/usr/bin/python3", "flock", "setpriv", "unshare", "chroot", "mount", "umount",
    "chattr",
    "zig",   # zig_e2e.py, bench/gorelink-vs-zig.sh: PyPI's ziglang in scripts/setup's venv
]

# Files the build and the tests need (a leading "clang-rt:" is relative to
# `clang-14 -print-resource-dir`/lib/linux; "pc:" a pkg-config module; "gcc:"
# what `gcc -print-file-name` finds; "py:" a module of /usr/bin/python3).
FILES = [
    "clang-rt:libclang_rt.asan-x86_64.a",          # the fuzz preset (-fsanitize=address)
    "clang-rt:libclang_rt.fuzzer-x86_64.a",        # the fuzz targets (-fsanitize=fuzzer)
    "clang-rt:libclang_rt.ubsan_standalone-x86_64.a",
    "pc:check", "pc:libelf", "pc:libpkgconf", "pc:libdeflate",  # the build (gr_require_pc)
    "/usr/include/bfd.h",                          # the build (libbfd)
    "pc:zlib", "pc:sqlite3", "pc:libpcap", "pc:libsystemd", "pc:libxml-2.0", "pc:libpng",
    "pc:libcurl", "pc:libseccomp", "pc:openssl", "pc:libzstd", "pc:liblzma", "pc:expat",
    "pc:libffi",
    "gcc:libc.a", "gcc:libsqlite3.a", "gcc:libz.a", "gcc:libpng16.a", "gcc:libpcap.a",
    "gcc:libstdc++.a", "gcc:libbz2.a",
    # issue 12's cases: --stub systemd (libdbus-1), the plugin loader (libltdl),
    # the Go build cache (gpgme), inference of a bare -l: every archive of the
    # static closures of -larchive, -lssh2, -lgpgme, -lxml2 (pkg-config --static)
    "pc:gtk+-3.0", "pc:gpgme", "pc:libarchive", "pc:libssh2",
    "gcc:libdbus-1.a", "gcc:libltdl.a", "gcc:libgpgme.a", "gcc:libassuan.a", "gcc:libgpg-error.a",
    "gcc:libarchive.a", "gcc:libnettle.a", "gcc:libacl.a", "gcc:liblz4.a", "gcc:libzstd.a",
    "gcc:liblzma.a", "gcc:libxml2.a", "gcc:libicui18n.a", "gcc:libicuuc.a", "gcc:libicudata.a", "gcc:libssh2.a",
    "gcc:libcrypto.a", "gcc:libssl.a",
    "pc:rdkafka", "gcc:librdkafka.a",              # presets-e2e: the confluent-kafka preset's system variant
    "/usr/aarch64-linux-gnu/lib/libc.a",           # the arm64 cross build
    "/usr/lib/x86_64-linux-musl/libc.a",           # musl-gcc
    "py:jsonschema",                               # cli, pcrw-cli (--json against docs/schema)
]

# The base image: what every Debian root has before scripts/setup runs
# (`mmdebstrap --variant=minbase`: the Essential packages, Priority: required,
# and apt, which is Priority important in the bookworm snapshot the fresh root
# gets and that scripts/setup itself runs),
# plus git (the README starts from a clone) and the recent Go that the
# machines of this project come with in /usr/local/go (not a package; without
# it scripts/setup installs golang-go).  Nothing else.
# The machine image also puts a pyenv python3 first on PATH: the scripts run
# with it (ctest's find_program python3), and those that need Debian's
# python3 (jsonschema) use /usr/bin/python3, which is checked like any tool.
BASE_PACKAGES = {"apt": "apt (what scripts/setup installs with)", "git": "the clone's git"}
BASE_PATHS = {
    "/usr/local/go/": "a preinstalled Go in /usr/local/go",
    os.path.join(os.path.expanduser("~"), ".pyenv", ""): "the image's pyenv python3",
}

# Words the scan takes for programs but the tests never run (data that
# happens to name an installed program).  Keep it short: an entry here hides
# that program from this test.
NOT_TOOLS = {
    "sqlite3": "a pkg-config module and preset name (the sqlite3 shell is never run)",
    "systemd": "a library name in relink-e2e's report (libsystemd), never run",
}

# Shell words that are keywords or builtins, never looked up on PATH (time:
# bash's keyword, as tests/fuzz.sh uses it; the scripts checked here are bash).
SH_BUILTINS = set("""if then else elif fi for in do done while until case esac function
return local export set shift exit break continue read echo printf test true false cd
pwd exec eval trap wait command type declare readonly unset source alias let time""".split())

# Python: a program is the first string of a list or tuple (an argv, or a
# (tool, package) pair) or what shutil.which() / run() / must() is asked for.
PY_ARGV0 = re.compile(r"""(?:\[|\(\s*\(|\b(?:which|run|must|Popen|check_output|check_call|call)\()"""
                      r"""\s*\[?\s*(["'])([A-Za-z0-9][A-Za-z0-9_.+-]*)\1""")
WORD = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")
SEARCH = os.environ.get("PATH", os.defpath) + ":/usr/sbin:/sbin"


def setup_packages(src):
    """The package names of scripts/setup's packages=(...) array (and of any
    packages+=(...) line), in order."""
    text = open(os.path.join(src, "scripts", "setup"), encoding="utf-8").read()
    m = re.search(r"^packages=\((.*?)^\)", text, re.S | re.M)
    if not m:
        raise SystemExit("FAIL scripts/setup has no packages=( ... ) array\n0 passed, 1 failed")
    names = []
    for line in m.group(1).splitlines():
        names += line.split("#", 1)[0].split()
    for extra in re.findall(r"packages\+=\(([^)]*)\)", text):
        names += extra.split()
    return names


def setup_pins(src):
    """{distribution name: pinned version} of scripts/setup's
    pip_packages=( ... ) array (NAME==VERSION a line)."""
    text = open(os.path.join(src, "scripts", "setup"), encoding="utf-8").read()
    m = re.search(r"^pip_packages=\((.*?)^\)", text, re.S | re.M)
    pins = {}
    for line in (m.group(1).splitlines() if m else []):
        for w in line.split("#", 1)[0].split():
            name, _, ver = w.partition("==")
            pins[name.lower()] = ver
    return pins


def venv_of(path):
    """The virtual environment (the directory with pyvenv.cfg) that holds path, or None."""
    d = os.path.dirname(path)
    while d and d != "/":
        if os.path.isfile(os.path.join(d, "pyvenv.cfg")):
            return d
        d = os.path.dirname(d)
    return None


def pip_owner(path):
    """(venv, distribution, version): the venv's installed distribution that
    holds path (its RECORD), or None."""
    venv = venv_of(path)
    py = os.path.join(venv or "", "bin", "python")
    if not venv or not os.access(py, os.X_OK):
        return None
    code = ("import sys, importlib.metadata as m, os\n"
            "p = os.path.realpath(sys.argv[1])\n"
            "for d in m.distributions():\n"
            "    for f in d.files or ():\n"
            "        if os.path.realpath(d.locate_file(f)) == p:\n"
            "            print(d.metadata['Name'], d.version); sys.exit(0)\n")
    r = subprocess.run([py, "-c", code, path], capture_output=True, text=True)
    w = r.stdout.split()
    return (venv, w[0], w[1]) if r.returncode == 0 and len(w) == 2 else None


def scanned_tools(src):
    """{program name: where it was seen} from the test sources."""
    found = {}

    def note(word, where):
        if WORD.match(word) and word not in SH_BUILTINS and word not in NOT_TOOLS and \
                shutil.which(word, path=SEARCH):
            found.setdefault(word, where)

    for py in sorted(glob.glob(os.path.join(src, "tests", "*.py"))):
        base = os.path.basename(py)
        if base == os.path.basename(__file__):
            continue
        for m in PY_ARGV0.finditer(open(py, encoding="utf-8").read()):
            note(m.group(2), "tests/" + base)
    for sh in sorted(glob.glob(os.path.join(src, "tests", "*.sh")) +
                     glob.glob(os.path.join(src, "tests", "fixtures", "*.sh"))):
        rel = os.path.relpath(sh, src)
        heredoc = None
        for line in open(sh, encoding="utf-8"):
            if heredoc:                      # here-documents are data (or python, scanned as text)
                if line.strip() == heredoc:
                    heredoc = None
                continue
            m = re.search(r"<<-?\s*['\"]?([A-Za-z_]+)['\"]?", line)
            code = re.sub(r"(^|\s)#.*", "", line)
            # Quoted strings with a blank are messages, not commands (paired
            # left to right, so "a" "b" is two strings, not the " " between).
            code = re.sub(r'"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'',
                          lambda q: " " if re.search(r"\s", q.group(0)) else q.group(0), code)
            code = re.sub(r"\b[A-Za-z_][A-Za-z0-9_]*\+?=", " ", code)  # NAME=value: not a command
            code = re.sub(r"\$\{?[A-Za-z_][A-Za-z0-9_]*", " ", code)  # $NAME, ${NAME}: variables
            for w in re.split(r"[\s|;&()<>`\"'{}=!$]+", code):
                note(w, rel)
            if m:
                heredoc = m.group(1)
    cml = open(os.path.join(src, "tests", "CMakeLists.txt"), encoding="utf-8").read()
    for m in re.finditer(r"find_program\(\s*\w+\s+NAMES\s+([^)]*?)(?:\s+(?:PATHS|REQUIRED|NO_)|\))", cml):
        for w in m.group(1).split():
            note(w, "tests/CMakeLists.txt")
    presets = json.load(open(os.path.join(src, "CMakePresets.json"), encoding="utf-8"))
    for p in presets.get("configurePresets", []):
        cc = p.get("cacheVariables", {}).get("CMAKE_C_COMPILER")
        if cc:
            note(cc, "CMakePresets.json (%s)" % p["name"])
    return found


def resolve_file(spec):
    """The absolute path a FILES entry names, or None."""
    kind, _, rest = spec.partition(":")
    if spec.startswith("/"):
        return spec if os.path.exists(spec) else None
    if kind == "clang-rt":
        clang = shutil.which("clang-14")
        if not clang:
            return None
        rd = subprocess.run([clang, "-print-resource-dir"], capture_output=True, text=True).stdout.strip()
        p = os.path.join(rd, "lib", "linux", rest)
        return p if os.path.exists(p) else None
    if kind == "pc":
        pk = shutil.which("pkg-config")
        if not pk:
            return None
        r = subprocess.run([pk, "--variable=pcfiledir", rest], capture_output=True, text=True)
        p = os.path.join(r.stdout.strip(), rest + ".pc")
        return p if r.returncode == 0 and os.path.exists(p) else None
    if kind == "gcc":
        gcc = shutil.which("gcc")
        if not gcc:
            return None
        p = subprocess.run([gcc, "-print-file-name=" + rest], capture_output=True, text=True).stdout.strip()
        return p if os.path.isabs(p) and os.path.exists(p) else None
    if kind == "py":
        r = subprocess.run(["/usr/bin/python3", "-c", "import %s; print(%s.__file__)" % (rest, rest)],
                           capture_output=True, text=True)
        return r.stdout.strip() if r.returncode == 0 else None
    raise ValueError(spec)


def usrmerge_names(path):
    """path and its other name on a merged-/usr system."""
    names = [path]
    for a, b in (("/usr/bin/", "/bin/"), ("/usr/sbin/", "/sbin/"), ("/usr/lib/", "/lib/"),
                 ("/usr/lib64/", "/lib64/")):
        if path.startswith(a):
            names.append(b + path[len(a):])
        elif path.startswith(b):
            names.append(a + path[len(b):])
    return names


def owners(paths):
    """{path: [package, ...]} from one `dpkg -S` over every name of paths."""
    queries = sorted({n for p in paths for n in usrmerge_names(p)})
    r = subprocess.run(["dpkg-query", "-S"] + queries, capture_output=True, text=True)
    by_name = {}
    for line in r.stdout.splitlines():
        if line.startswith(("diversion by", "local diversion")) or ": " not in line:
            continue
        pkgs, _, path = line.partition(": ")
        by_name.setdefault(path, set()).update(p.strip().split(":")[0] for p in pkgs.split(","))
    return {p: sorted(set().union(*(by_name.get(n, set()) for n in usrmerge_names(p))))
            for p in paths}


def installed_packages():
    """{package: {"deps": [[alternative, ...], ...], "provides": [...],
    "essential": bool, "priority": str}} of the installed packages."""
    fmt = "${db:Status-Abbrev}\\t${Package}\\t${Essential}\\t${Priority}\\t${Pre-Depends}\\t${Depends}\\t${Provides}\\n"
    out = subprocess.run(["dpkg-query", "-W", "-f=" + fmt], capture_output=True, text=True,
                         check=True).stdout
    pkgs = {}
    for line in out.splitlines():
        f = line.split("\t")
        if len(f) != 7 or not f[0].startswith("ii"):
            continue
        deps = []
        for clause in (f[4] + "," + f[5]).split(","):
            alts = [re.split(r"[\s(:]", a.strip(), 1)[0] for a in clause.split("|") if a.strip()]
            if alts:
                deps.append(alts)
        provides = [re.split(r"[\s(]", p.strip(), 1)[0] for p in f[6].split(",") if p.strip()]
        pkgs[f[1]] = {"deps": deps, "provides": provides, "essential": f[2] == "yes",
                      "priority": f[3]}
    return pkgs


def allowed_packages(listed, pkgs):
    """{package: why} for every installed package the setup list accounts for."""
    providers = {}
    for name, info in pkgs.items():
        for v in info["provides"]:
            providers.setdefault(v, []).append(name)
    why = {}
    todo = []
    for p in listed:
        if p in pkgs and p not in why:
            why[p] = "listed in scripts/setup"
            todo.append((p, p))
    while todo:
        p, root = todo.pop()
        for alts in pkgs[p]["deps"]:
            for a in alts:
                for q in ([a] if a in pkgs else []) + providers.get(a, []):
                    if q not in why:
                        why[q] = "a dependency of %s (listed)" % root
                        todo.append((q, root))
    for name, info in pkgs.items():
        if name not in why:
            if info["essential"]:
                why[name] = "base image: Essential"
            elif info["priority"] == "required":
                why[name] = "base image: Priority required"
            elif name in BASE_PACKAGES:
                why[name] = "base image: " + BASE_PACKAGES[name]
    return why


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: %s SOURCE_DIR\n" % sys.argv[0])
        return 2
    src = os.path.abspath(sys.argv[1])
    listed = setup_packages(src)
    pins = setup_pins(src)
    pkgs = installed_packages()
    why = allowed_packages(listed, pkgs)

    passed = failed = 0

    def fail(msg):
        nonlocal failed
        failed += 1
        print("FAIL %s" % msg)

    not_installed = [p for p in listed if p not in pkgs and p != "golang-go"]
    if not_installed:
        fail("listed in scripts/setup but not installed (run scripts/setup): %s" % " ".join(not_installed))

    items = {}   # name -> (where, path or None)
    for tool, where in sorted(scanned_tools(src).items()):
        items[tool] = (where, shutil.which(tool, path=SEARCH))
    for tool in TOOLS:
        if tool not in items:
            items[tool] = ("the explicit list (TOOLS)",
                           tool if tool.startswith("/") and os.access(tool, os.X_OK)
                           else shutil.which(tool, path=SEARCH))
    for spec in FILES:
        items[spec] = ("the explicit list (FILES)", resolve_file(spec))

    real = {name: os.path.realpath(p) for name, (_, p) in items.items() if p}
    own = owners(sorted(set(real.values())))
    for name in items:
        where, path = items[name]
        if not path:
            fail("%s (from %s): not found; scripts/setup must install the package that provides it"
                 % (name, where))
            continue
        rp = real[name]
        base = [why_base for prefix, why_base in BASE_PATHS.items() if rp.startswith(prefix)]
        if base:
            passed += 1
            print("ok %s -> %s (base image: %s, not a package)" % (name, rp, base[0]))
            continue
        pk = own.get(rp) or []
        dist = None if pk else pip_owner(rp)
        if dist:
            venv, dname, dver = dist
            want = pins.get(dname.lower())
            if want == dver:
                passed += 1
                print("ok %s -> %s (PyPI %s==%s: pinned in scripts/setup's pip_packages, venv %s)"
                      % (name, rp, dname, dver, venv))
            else:
                fail("%s -> %s (from %s): PyPI %s %s is %s in scripts/setup's pip_packages; run scripts/setup"
                     % (name, rp, where, dname, dver, "pinned at " + want if want else "not listed"))
            continue
        if not pk:
            fail("%s -> %s (from %s): no Debian package owns it (installed by hand?)" % (name, rp, where))
            continue
        good = [p for p in pk if p in why]
        if good:
            passed += 1
            print("ok %s -> %s (%s: %s)" % (name, rp, good[0], why[good[0]]))
        else:
            fail("%s -> %s (from %s): package %s is not in scripts/setup's list nor a dependency "
                 "of a listed package; add it to scripts/setup" % (name, rp, where, ", ".join(pk)))
    return harness.summary(passed, failed)


if __name__ == "__main__":
    sys.exit(main())
