#!/usr/bin/env python3
"""crosscheck.py GORELINK FIXDIR

Cross-checks `gorelink check` against the fixtures built by
tests/fixtures/make-fixtures.sh (FIXDIR/manifest.tsv) and against independent
tools:

  * ELF:    readelf -W -l -d   (interpreter, DT_NEEDED, DT_RPATH, DT_RUNPATH)
            readelf -W -h -S   (e_type, and whether every executable section
                                is SHT_NOBITS: a separate debug file)
  * Mach-O: llvm-objdump-14 --macho --private-headers [--arch=all]
            (LC_LOAD_DYLIB, LC_LOAD_WEAK_DYLIB, LC_REEXPORT_DYLIB,
             LC_LAZY_LOAD_DYLIB, LC_LOAD_UPWARD_DYLIB install names, in
             load-command order; LC_ID_DYLIB is not a dependency)

and the manifest (format, verdict).  Also checks exit codes: `gorelink check
PATH` exits 0 iff the verdict is static, static-pie or system-only, else 1.

Prints `ok PATH` or `FAIL PATH: reasons` per fixture, then `N passed, M failed`.
Exits 1 if anything failed or the manifest has fewer than 25 entries.
Standard library only.  READELF / LLVM_OBJDUMP may override the tool names.
"""

import json
import os
import re
import subprocess
import sys

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402  (tests/harness.py)

MIN_FIXTURES = 25
PASSING_VERDICTS = {"static", "static-pie", "system-only"}
FORMATS = {"elf", "macho", "macho-fat", "archive"}
VERDICTS = {"static", "static-pie", "dynamic", "system-only", "object",
            "shared-library", "archive", "core", "debug-info", "other"}
# ELF verdicts that readelf's e_type alone decides.
ELF_TYPE_VERDICT = {"REL": "object", "CORE": "core"}
REQUIRED_KEYS = ("path", "format", "verdict", "interpreter", "needed",
                 "runpath", "rpath", "pass", "problems")
SLICE_KEYS = ("architecture", "format", "verdict", "interpreter", "needed",
              "runpath", "rpath", "pass", "problems")
DEP_CMDS = {"LC_LOAD_DYLIB", "LC_LOAD_WEAK_DYLIB", "LC_REEXPORT_DYLIB",
            "LC_LAZY_LOAD_DYLIB", "LC_LOAD_UPWARD_DYLIB"}
TIMEOUT = 60

READELF = os.environ.get("READELF", "readelf")
OBJDUMP = os.environ.get("LLVM_OBJDUMP", "llvm-objdump-14")


class ToolError(Exception):
    pass


def run(argv):
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=TIMEOUT)
    except FileNotFoundError:
        raise ToolError("cannot run %s: not found" % argv[0])
    except subprocess.TimeoutExpired:
        raise ToolError("%s timed out after %ds" % (" ".join(argv), TIMEOUT))
    return p.returncode, p.stdout.decode("utf-8", "replace"), \
        p.stderr.decode("utf-8", "replace")


# ----------------------------------------------------------------- reference tools

def readelf_facts(path):
    rc, out, err = run([READELF, "-W", "-l", "-d", path])
    if rc != 0:
        raise ToolError("readelf failed (rc=%d): %s" % (rc, err.strip()))
    interp = None
    needed, rpath, runpath = [], [], []
    for line in out.splitlines():
        m = re.search(r"\[Requesting program interpreter: (.*)\]\s*$", line)
        if m:
            interp = m.group(1)
            continue
        m = re.search(r"\(NEEDED\)\s+Shared library: \[(.*)\]\s*$", line)
        if m:
            needed.append(m.group(1))
            continue
        m = re.search(r"\(RPATH\)\s+Library rpath: \[(.*)\]\s*$", line)
        if m:
            rpath.extend(m.group(1).split(":"))
            continue
        m = re.search(r"\(RUNPATH\)\s+Library runpath: \[(.*)\]\s*$", line)
        if m:
            runpath.extend(m.group(1).split(":"))
    return {"interpreter": interp, "needed": needed, "rpath": rpath,
            "runpath": runpath}


def readelf_kind(path):
    """(e_type word as readelf prints it, whether it is a separate debug file):
    a debug file made by objcopy --only-keep-debug keeps the section headers
    but turns every section with code (flag X) into SHT_NOBITS."""
    rc, out, err = run([READELF, "-W", "-h", "-S", path])
    if rc != 0:
        raise ToolError("readelf -h -S failed (rc=%d): %s" % (rc, err.strip()))
    m = re.search(r"^\s*Type:\s+(\S+)", out, re.M)
    if not m:
        raise ToolError("readelf -h printed no Type")
    exec_types = []
    for line in out.splitlines():
        # [Nr] Name Type Address Off Size ES Flg Lk Inf Al
        m2 = re.match(r"^\s*\[\s*\d+\]\s+(\S+)\s+(\S+)\s+[0-9a-f]+\s+[0-9a-f]+\s+[0-9a-f]+"
                      r"\s+[0-9a-f]+\s+(\S*?)\s*\d+\s+\d+\s+\d+\s*$", line)
        if m2 and "X" in m2.group(3):
            exec_types.append(m2.group(2))
    return m.group(1), bool(exec_types) and all(t == "NOBITS" for t in exec_types)


def elf_kind_verdict(path, verdict):
    """What readelf says about the file's kind, or None when it agrees with verdict."""
    etype, debug = readelf_kind(path)
    if etype in ELF_TYPE_VERDICT:
        want = ELF_TYPE_VERDICT[etype]
    elif etype in ("EXEC", "DYN"):
        if debug:
            want = "debug-info"
        elif verdict in ("object", "core", "debug-info", "other"):
            want = "an executable or shared-library verdict"
        else:
            return None
    else:
        want = "other"   # NONE, OS- or processor-specific types
    if verdict == want:
        return None
    return "verdict %r, but readelf says e_type %s%s: expected %s" % (
        verdict, etype, " with only NOBITS code sections" if debug else "", want)


def objdump_dylibs(path, fat):
    """{arch or None: [install names in load-command order]}"""
    argv = [OBJDUMP, "--macho", "--private-headers"]
    if fat:
        argv.append("--arch=all")
    rc, out, err = run(argv + [path])
    if rc != 0:
        raise ToolError("llvm-objdump failed (rc=%d): %s" % (rc, err.strip()))
    result = {}
    arch = None
    if not fat:
        result[None] = []
    cmd = None
    for line in out.splitlines():
        m = re.match(r"^.* \(architecture (\S+)\):$", line)
        if fat and m:
            arch = m.group(1)
            result[arch] = []
            cmd = None
            continue
        m = re.match(r"^\s*cmd (\S+)\s*$", line)
        if m:
            cmd = m.group(1)
            continue
        m = re.match(r"^\s*name (.*) \(offset \d+\)\s*$", line)
        if m and cmd in DEP_CMDS:
            if fat and arch is None:
                raise ToolError("llvm-objdump: load command before any architecture header")
            result[arch].append(m.group(1))
            cmd = None
    if fat and not result:
        raise ToolError("llvm-objdump found no architectures")
    return result


def objdump_filetype(path):
    """The Mach-O header's filetype as llvm-objdump names it (EXECUTE, DSYM, ...)."""
    rc, out, err = run([OBJDUMP, "--macho", "--private-header", path])
    if rc != 0:
        raise ToolError("llvm-objdump --private-header failed (rc=%d): %s" % (rc, err.strip()))
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 5 and f[0].startswith("MH_MAGIC"):
            return f[4]
    raise ToolError("llvm-objdump printed no Mach-O header")


# Mach-O verdicts that the filetype alone decides.
MACHO_TYPE_VERDICT = {"OBJECT": "object", "DYLIB": "shared-library", "BUNDLE": "shared-library",
                      "CORE": "core", "DSYM": "debug-info"}


def is_system_dylib(name):
    return name.startswith("/usr/lib/") or name.startswith("/System/Library/")


# ----------------------------------------------------------------- checks

def check_keys(obj, keys, where, errs):
    missing = [k for k in keys if k not in obj]
    if missing:
        errs.append("%s: missing key(s) %s" % (where, ", ".join(missing)))
        return False
    for k in ("needed", "runpath", "rpath", "problems"):
        if not isinstance(obj.get(k), list):
            errs.append("%s: %s is %r, expected an array" % (where, k, obj.get(k)))
    if not (obj.get("interpreter") is None or isinstance(obj.get("interpreter"), str)):
        errs.append("%s: interpreter is %r, expected string or null" % (where, obj.get("interpreter")))
    if not isinstance(obj.get("pass"), bool):
        errs.append("%s: pass is %r, expected a bool" % (where, obj.get("pass")))
    for pr in obj.get("problems") or []:
        if not (isinstance(pr, dict) and isinstance(pr.get("code"), str)
                and isinstance(pr.get("message"), str)):
            errs.append("%s: malformed problem %r" % (where, pr))
    return True


def oneline(text, limit=200):
    """Last non-empty line of a tool's stderr, for a one-line report."""
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    return lines[-1][:limit] if lines else ""


def cmp(field, got, want, where, errs):
    if got != want:
        errs.append("%s: %s is %s, reference tool says %s"
                    % (where, field, json.dumps(got), json.dumps(want)))


def check_fixture(gorelink, fixdir, rel, fmt, verdict):
    errs = []
    path = os.path.join(fixdir, rel)
    if not os.path.isfile(path):
        return ["fixture file missing"]
    want_rc = 0 if verdict in PASSING_VERDICTS else 1

    # Plain run: exit code only.
    rc, _, err = run([gorelink, "check", path])
    if rc != want_rc:
        errs.append("`gorelink check` exit code %d, expected %d for verdict %s%s"
                    % (rc, want_rc, verdict, (" (stderr: %s)" % oneline(err)) if oneline(err) else ""))

    # JSON run.
    rc, out, err = run([gorelink, "check", "--json", path])
    if rc != want_rc:
        errs.append("`gorelink check --json` exit code %d, expected %d" % (rc, want_rc))
    objs = []
    for i, line in enumerate(out.splitlines(), 1):
        if not line.strip():
            continue
        try:
            objs.append(json.loads(line))
        except ValueError as e:
            errs.append("--json output line %d is not JSON (%s): %.120s" % (i, e, line))
            return errs
    if not objs:
        errs.append("--json printed no object (stderr: %s)" % oneline(err))
        return errs
    mine = [o for o in objs if isinstance(o, dict) and o.get("path") == path]
    if len(mine) != 1:
        if len(objs) == 1 and isinstance(objs[0], dict):
            errs.append("--json path is %r, expected %r" % (objs[0].get("path"), path))
            mine = objs
        else:
            errs.append("--json printed %d objects, %d with path %r"
                        % (len(objs), len(mine), path))
            return errs
    o = mine[0]
    if not check_keys(o, REQUIRED_KEYS, "json", errs):
        return errs

    if o["format"] != fmt:
        errs.append("format %r, manifest says %r" % (o["format"], fmt))
    if o["verdict"] != verdict:
        errs.append("verdict %r, manifest says %r" % (o["verdict"], verdict))
    if o["pass"] != (verdict in PASSING_VERDICTS):
        errs.append("pass is %s for verdict %s" % (json.dumps(o["pass"]), verdict))

    if fmt == "elf":
        kind = elf_kind_verdict(path, o["verdict"])
        if kind:
            errs.append(kind)
        ref = readelf_facts(path)
        for k in ("interpreter", "needed", "rpath", "runpath"):
            cmp(k, o[k], ref[k], "elf", errs)
    elif fmt == "macho":
        ft = objdump_filetype(path)
        want = MACHO_TYPE_VERDICT.get(ft)
        if want and o["verdict"] != want:
            errs.append("verdict %r, but llvm-objdump says filetype %s: expected %s" % (o["verdict"], ft, want))
        ref = objdump_dylibs(path, fat=False)[None]
        cmp("needed", o["needed"], ref, "macho", errs)
    elif fmt == "macho-fat":
        ref = objdump_dylibs(path, fat=True)
        slices = o.get("slices")
        if not isinstance(slices, list):
            errs.append("macho-fat: slices is %r, expected an array" % (slices,))
            return errs
        seen = []
        for i, s in enumerate(slices):
            where = "slice[%d]" % i
            if not isinstance(s, dict) or not check_keys(s, SLICE_KEYS, where, errs):
                continue
            arch = s["architecture"]
            where = "slice %s" % arch
            seen.append(arch)
            if arch not in ref:
                errs.append("%s: llvm-objdump knows no such architecture (has %s)"
                            % (where, ", ".join(sorted(ref))))
                continue
            cmp("needed", s["needed"], ref[arch], where, errs)
            if s["format"] != "macho":
                errs.append("%s: format %r, expected 'macho'" % (where, s["format"]))
            # Per-slice verdict is not in the manifest; derive it for executables.
            if verdict in ("dynamic", "system-only"):
                sv = "system-only" if all(is_system_dylib(d) for d in ref[arch]) else "dynamic"
                if s["verdict"] != sv:
                    errs.append("%s: verdict %r, expected %r from its dylibs"
                                % (where, s["verdict"], sv))
        if sorted(seen) != sorted(ref):
            errs.append("slices %s, llvm-objdump has %s" % (sorted(seen), sorted(ref)))
    return errs


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: crosscheck.py GORELINK FIXDIR\n")
        return 2
    gorelink, fixdir = argv[1], argv[2]
    manifest = os.path.join(fixdir, "manifest.tsv")
    entries = []
    try:
        with open(manifest, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                line = line.rstrip("\n")
                if not line.strip():
                    continue
                cols = line.split("\t")
                if len(cols) != 3 or cols[1] not in FORMATS or cols[2] not in VERDICTS:
                    return harness.fail_early("%s:%d: malformed manifest line %r" % (manifest, n, line))
                entries.append(cols)
    except OSError as e:
        return harness.fail_early("%s: cannot read manifest: %s" % (manifest, e))
    if not (os.path.isfile(gorelink) and os.access(gorelink, os.X_OK)):
        return harness.fail_early("%s: gorelink binary not found or not executable" % gorelink,
                                  max(len(entries), 1))

    passed = failed = 0
    for rel, fmt, verdict in entries:
        try:
            errs = check_fixture(gorelink, fixdir, rel, fmt, verdict)
        except ToolError as e:
            errs = [str(e)]
        if errs:
            failed += 1
            print("FAIL %s: %s" % (rel, "; ".join(errs)))
        else:
            passed += 1
            print("ok %s" % rel)
        sys.stdout.flush()

    if len(entries) < MIN_FIXTURES:
        print("FAIL %s: only %d fixtures, expected at least %d"
              % (manifest, len(entries), MIN_FIXTURES))
        failed += 1
    return harness.summary(passed, failed)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
