#!/usr/bin/env python3
"""gorelink-ld on Go's recorded darwin host-link argv shapes.

usage: darwin_relink_test.py GORELINK FIXTURE_DIR WORKDIR

For every recorded shape in tests/fixtures/darwin-argv (NAME and
NAME.expected: one argv word per line, '#' lines are provenance), this runs
gorelink-ld exactly as cmd/link would on a Mac -- with a link state for an
Apple target -- against a fake Homebrew prefix and SDK made here:

  ROOT/opt/homebrew/opt/sqlite/lib/libsqlite3.a      (for the shape's -arch,
  ROOT/opt/homebrew/opt/sqlite/lib/libsqlite3.dylib   built with clang-14;
                                                       /usr/local/opt/... for Intel)
  ROOT/sdk/usr/lib/libSystem.tbd, libresolv.tbd       (the syslibroot)

The "compiler" in the link state is a recorder script, so the final link
command gorelink-ld runs is captured; with /opt/homebrew re-rooted under ROOT
(and /usr/local/opt) it must equal NAME.expected word for word: third-party -l become archives,
frameworks and system libraries stay, and no -static is added.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402  (tests/harness.py)

TOOLS = ("clang-14", "llvm-ar-14")


def words(path):
    with open(path) as f:
        return [l.rstrip("\n") for l in f if l.strip() and not l.startswith("#")]


def arch_of(argv):
    for i, w in enumerate(argv[:-1]):
        if w == "-arch":
            return argv[i + 1]
    raise AssertionError("no -arch in the recorded argv")


PREFIXES = ("/opt/homebrew", "/usr/local/opt")  # Homebrew on Apple silicon, on Intel


def make_prefix(root, arch, libdir):
    lib = root + libdir
    os.makedirs(lib)
    src = os.path.join(root, "sqlite3.c")
    with open(src, "w") as f:
        f.write("int sqlite3_libversion_number(void) { return 3045000; }\n")
    obj = os.path.join(root, "sqlite3.o")
    subprocess.run(["clang-14", "-target", "%s-apple-macos11" % arch, "-c", "-o", obj, src], check=True)
    subprocess.run(["llvm-ar-14", "rcs", os.path.join(lib, "libsqlite3.a"), obj], check=True)
    # ld64 takes the dylib over the archive in the same directory: its being
    # there is the trap; its content does not matter to the search.
    with open(os.path.join(lib, "libsqlite3.dylib"), "wb") as f:
        f.write(b"placeholder dylib\n")
    sdk = os.path.join(root, "sdk/usr/lib")
    os.makedirs(sdk)
    for name, install in (("libSystem", "/usr/lib/libSystem.B.dylib"), ("libresolv", "/usr/lib/libresolv.9.dylib")):
        with open(os.path.join(sdk, name + ".tbd"), "w") as f:
            f.write("--- !tapi-tbd\ntbd-version: 4\ntargets: [ arm64-macos, x86_64-macos ]\n"
                    "install-name: '%s'\n...\n" % install)
    return os.path.join(root, "sdk")


def run_case(gorelink, fixtures, name, work, manifest=True):
    recorded = words(os.path.join(fixtures, name))
    expected = words(os.path.join(fixtures, name + ".expected"))
    arch = arch_of(recorded)
    root = os.path.join(work, name + ("" if manifest else "-no-manifest"))
    os.makedirs(root)
    libdir = next((w[2:] for w in recorded if w.startswith("-L") and w.endswith("/opt/sqlite/lib")),
                  "/opt/homebrew/opt/sqlite/lib")
    sdk = make_prefix(root, arch, libdir)

    def reroot(ws):
        out = []
        for w in ws:
            for pfx in PREFIXES:
                w = w.replace(pfx, root + pfx)
            out.append(w)
        return out
    argv, want = reroot(recorded), reroot(expected)
    record = os.path.join(root, "cc-argv")
    cc = os.path.join(root, "cc")
    with open(cc, "w") as f:
        f.write("#!/bin/sh\nfor a in \"$@\"; do printf '%%s\\n' \"$a\"; done > %s\n" % record)
    os.chmod(cc, 0o755)
    state = os.path.join(root, "state")
    report = os.path.join(root, "report")
    with open(state, "w") as f:
        f.write("gorelink-link-state 1\nmode\tthird-party\ncc\t%s\ndarwin\t\\N\nsyslibroot\t%s\nreport\t%s\n%s"
                % (cc, sdk, report, "" if manifest else "no-manifest\n"))
    ld = os.path.join(root, "gorelink-ld")
    os.symlink(gorelink, ld)
    env = dict(os.environ, GORELINK_LINK_STATE=state)
    p = subprocess.run([ld] + argv, env=env, capture_output=True, text=True)
    assert p.returncode == 0, "%s: gorelink-ld exited %d\n%s" % (name, p.returncode, p.stderr)
    got = words(record)
    if manifest:
        # Issue 16: an Apple link carries the manifest by -sectcreate (no
        # post-link edit: that would break the code signature), written
        # beside the link report; the archives are those of the command line.
        mfile = os.path.join(os.path.dirname(report), "gorelink-manifest.sect")
        want = want + ["-Xlinker", "-sectcreate", "-Xlinker", "__GORELINK", "-Xlinker", "__manifest",
                       "-Xlinker", mfile]
        with open(mfile, "rb") as f:
            blob = f.read()
        assert blob.endswith(b"\0") and b"\0" not in blob[:-1], "%s: the manifest file is not text and a NUL" % name
        doc = json.loads(blob[:-1])
        assert doc["format"] == "gorelink-manifest/1", "%s: manifest %r" % (name, doc)
        # A gr_manifest with archives only (sorted, each once, tidied), in
        # the compact form too, with their checksums.
        archives = sorted(set(os.path.normpath(w) for w in want if w.endswith(".a") and not w.startswith("-")))
        assert [a["path"] for a in doc["archives"]] == archives, "%s: manifest archives %r, link %r" % (
            name, doc["archives"], archives)
        assert all(a["members"] == [] and len(a["sha256"]) == 64 for a in doc["archives"]), doc["archives"]
        assert doc["compact"].startswith("gorelink-manifest/1\n") and "objects" in doc, doc
    else:
        assert not any(w == "-sectcreate" for w in got), "%s: -sectcreate with no-manifest" % name
    assert got == want, "%s: the final link differs\n  got:  %s\n  want: %s" % (
        name, " ".join(got), " ".join(want))
    assert "-static" not in got, "%s: -static added" % name
    return len(argv)


def main():
    if len(sys.argv) != 4:
        sys.stderr.write("usage: %s GORELINK FIXTURE_DIR WORKDIR\n" % sys.argv[0])
        return 2
    gorelink, fixtures, workdir = (os.path.abspath(a) for a in sys.argv[1:])
    missing = [t for t in TOOLS if not shutil.which(t)]
    if missing:
        sys.stderr.write("missing tools (run scripts/setup): %s\n" % " ".join(missing))
        return 1
    os.makedirs(workdir, exist_ok=True)
    work = tempfile.mkdtemp(prefix="darwin-relink.", dir=workdir)
    names = sorted(n for n in os.listdir(fixtures)
                   if os.path.exists(os.path.join(fixtures, n + ".expected")))
    if not names:
        sys.stderr.write("no recorded shapes in %s\n" % fixtures)
        return 1
    cases = [(n, lambda n=n: "(%d words)" % run_case(gorelink, fixtures, n, work)) for n in names]
    cases += [(n + "-no-manifest", lambda n=n: "(%d words)" % run_case(gorelink, fixtures, n, work, manifest=False))
              for n in names]
    try:
        passed, failed = harness.run_tests(
            cases, notes=True, expected=(AssertionError, subprocess.CalledProcessError), unexpected=())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return harness.summary(passed, failed)


if __name__ == "__main__":
    sys.exit(main())
