#!/usr/bin/python3
"""cli_test.py GORELINK FIXDIR

Black-box tests of the `gorelink` command line, mostly `gorelink check`:
exit statuses, usage errors, malformed and unreadable input, the -R walk,
--quiet, --explain, --allow, --json (validated against
docs/schema/check-v2.schema.json with python3-jsonschema), the text line
format, literal handling of shell metacharacters in paths and determinism.

FIXDIR holds the fixtures written by tests/fixtures/make-fixtures.sh
(FIXDIR/manifest.tsv: path, format, verdict).  Scratch files go into a
tempfile.mkdtemp() directory that is removed at the end.

Prints `ok NAME` or `FAIL NAME: reason` per test, then `N passed, M failed`
alone on the last line; exits 1 if any test failed.  Every subprocess has a
10-second timeout, so a hang is a failure.  Run as root, the unreadable-file
tests drop to uid/gid 65534 with setpriv(1).
"""

import json
import os
import re
import shutil
import stat
import struct
import subprocess
import sys

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402  (tests/harness.py)
from harness import contains, eq, true  # noqa: E402

TIMEOUT = 10
SCHEMA_NAME = "gorelink-check/2"
HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA_PATH = os.path.join(HERE, "..", "docs", "schema", "check-v2.schema.json")
NOBODY = 65534

GORELINK = None   # absolute path, set in main()
FIXDIR = None     # absolute path, set in main()
SCRATCH = None    # mkdtemp() directory, mode 0755
MANIFEST = []     # [(relpath, format, verdict)]

SUITE = harness.Suite()
test = SUITE.test


# ------------------------------------------------------------------ helpers

# An LD_PRELOAD shim (compiled at test time) that makes a file shrink under its
# mapping, deterministically: after the real mmap of a descriptor whose path
# (readlink /proc/self/fd/N) equals $GR_SHRINK_PATH succeeds, it truncates that
# file to 0 bytes, once, so the first read of the mapping raises SIGBUS. Other
# mmap calls (the loader's, stdio's, ASan's) pass through untouched.
# tests/darwin_test.py uses it too.
SHRINK_SHIM_C = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

static int done;

void *
mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	static void *(*real)(void *, size_t, int, int, int, off_t);
	const char *want;
	char link[64], target[4096];
	ssize_t n;
	void *p;

	if (!real)
		real = (void *(*)(void *, size_t, int, int, int, off_t))dlsym(RTLD_NEXT, "mmap");
	p = real(addr, len, prot, flags, fd, off);
	want = getenv("GR_SHRINK_PATH");
	if (p == MAP_FAILED || fd < 0 || done || !want)
		return p;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return p;
	target[n] = '\0';
	if (strcmp(target, want) == 0) {
		done = 1;
		if (truncate(want, 0) != 0)
			_exit(97);  /* the test would prove nothing: fail loudly */
	}
	return p;
}
"""


def build_shrink_shim(outdir):
    """Compile SHRINK_SHIM_C into outdir/shrink.so; return its path."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        raise AssertionError("no C compiler (cc) to build the LD_PRELOAD shim "
                             "(apt-get install gcc; scripts/setup does)")
    src = os.path.join(outdir, "shrink.c")
    so = os.path.join(outdir, "shrink.so")
    with open(src, "w") as f:
        f.write(SHRINK_SHIM_C)
    p = subprocess.run([cc, "-shared", "-fPIC", "-O1", "-o", so, src, "-ldl"],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60)
    if p.returncode != 0:
        raise AssertionError("cannot build the shim: %s" % p.stderr.decode("utf-8", "replace"))
    os.chmod(so, 0o755)
    return so


def shrink_env(shim, path, base=None, leaks_ok=False):
    """An environment where `path` shrinks to 0 bytes right after it is mapped.

    Under ASan the shim cannot come first in the library list, which ASan
    accepts with verify_asan_link_order=0. leaks_ok: the run abandons what the
    faulting code had allocated (a documented leak), so LeakSanitizer is off.
    """
    env = dict(os.environ if base is None else base)
    env["LD_PRELOAD"] = shim
    env["GR_SHRINK_PATH"] = os.path.realpath(path)
    asan = [o for o in env.get("ASAN_OPTIONS", "").split(":") if o]
    asan.append("verify_asan_link_order=0")
    if leaks_ok:
        asan.append("detect_leaks=0")
    env["ASAN_OPTIONS"] = ":".join(asan)
    return env


class Result(harness.Result):
    def __repr__(self):
        return "argv=%r rc=%r\n--- stdout:\n%s--- stderr:\n%s" % (
            self.argv, self.rc, self.out, self.err)


def run_argv(argv, cwd=None, env=None):
    """Run argv with a 10 s timeout; stdout/stderr are decoded (surrogateescape)."""
    return harness.run(argv, TIMEOUT, cwd=cwd, env=env, result=Result)


def gr(*args, cwd=None):
    return run_argv([GORELINK] + list(args), cwd=cwd)


def check(*args, cwd=None):
    return gr("check", *args, cwd=cwd)


_unpriv_binary = [None]


def unprivileged_gorelink():
    """As root: a gorelink path that uid 65534 can execute (copied to SCRATCH if needed)."""
    if _unpriv_binary[0]:
        return _unpriv_binary[0]
    if shutil.which("setpriv") is None:
        raise AssertionError("setpriv(1) not found; cannot drop root privileges "
                             "(apt-get install util-linux; scripts/setup does)")
    cand = GORELINK
    r = run_argv(drop_privs([cand, "--version"]))
    if r.rc != 0:
        cand = os.path.join(SCRATCH, "gorelink-copy")
        shutil.copy2(GORELINK, cand)
        os.chmod(cand, 0o755)
        r = run_argv(drop_privs([cand, "--version"]))
        if r.rc != 0:
            raise AssertionError("uid %d cannot run gorelink even from %s: %r" % (NOBODY, cand, r))
    _unpriv_binary[0] = cand
    return cand


def drop_privs(argv):
    return ["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--clear-groups"] + argv


def check_unprivileged(*args, cwd=None):
    """`gorelink check ARGS` without the power to read a mode-000 file."""
    if os.geteuid() != 0:
        return check(*args, cwd=cwd)
    return run_argv(drop_privs([unprivileged_gorelink(), "check"] + list(args)), cwd=cwd)


def fx(rel):
    return os.path.join(FIXDIR, rel)


def scratch_dir(name):
    """A fresh directory under SCRATCH, mode 0755."""
    return harness.numbered_dir(SCRATCH, name, 0o755)


def write_bytes(path, data):
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, 0o644)   # readable by uid 65534 whatever the umask
    return path


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def copy(src, dst):
    shutil.copyfile(src, dst)
    os.chmod(dst, 0o644)
    return dst


def lines(s):
    return s.splitlines()


def one_stderr_line(r, path, reason):
    """stderr is exactly one line `gorelink: PATH: ...REASON...`."""
    ls = r.err.split("\n")
    true(r.err.endswith("\n") and len(ls) == 2,
         "stderr should be exactly one newline-terminated line", r)
    line = ls[0]
    prefix = "gorelink: %s: " % path
    true(line.startswith(prefix), "stderr line should start with %r" % prefix, r)
    true(reason in line, "stderr line should contain %r" % reason, r)


def usage_error(r, needle):
    eq(r.rc, 64, "exit status", r)
    eq(r.out, "", "stdout", r)
    ls = r.err.split("\n")
    true(r.err.endswith("\n") and len(ls) == 2, "stderr should be one line", r)
    true(ls[0].startswith("gorelink: check: "), "stderr should start with 'gorelink: check: '", r)
    true(needle in ls[0], "stderr should mention %r" % needle, r)


def validator():
    """The Draft 2020-12 validator of docs/schema/check-v2.schema.json."""
    return harness.schema_validator(SCHEMA_PATH)


def json_lines(r):
    """Parse stdout as JSON Lines, validating each object against the schema."""
    true(r.out == "" or r.out.endswith("\n"), "JSON output should end with a newline", r)
    objs = []
    v = validator()
    for i, line in enumerate(lines(r.out)):
        try:
            o = json.loads(line)
        except ValueError as e:
            raise AssertionError("line %d is not JSON (%s): %r" % (i + 1, e, line))
        errs = sorted(v.iter_errors(o), key=lambda e: list(e.path))
        if errs:
            raise AssertionError("line %d does not match the schema: %s\n%s" % (
                i + 1, "; ".join(e.message for e in errs[:3]), line))
        eq(o.get("schema"), SCHEMA_NAME, "line %d schema" % (i + 1))
        objs.append(o)
    return objs


# Bad inputs: name -> (builder(dir) -> path, reason substring, JSON error code)
def _bad_empty(d):
    return write_bytes(os.path.join(d, "empty"), b"")


def _bad_trunc_elf(d):
    return write_bytes(os.path.join(d, "trunc-elf"), read_bytes(fx("elf/dynamic"))[:40])


def _bad_trunc_macho(d):
    return write_bytes(os.path.join(d, "trunc-macho"), read_bytes(fx("macho/main-dylib"))[:20])


def _bad_phoff(d):
    data = bytearray(read_bytes(fx("elf/dynamic")))
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, "elf/dynamic is not ELF64 LSB"
    struct.pack_into("<Q", data, 32, 0x7fffffffffff0000)   # e_phoff
    return write_bytes(os.path.join(d, "bad-phoff"), bytes(data))


def _bad_dir(d):
    p = os.path.join(d, "a-directory")
    os.mkdir(p)
    return p


def _bad_fifo(d):
    p = os.path.join(d, "fifo")
    os.mkfifo(p)
    return p


def _bad_dangling(d):
    p = os.path.join(d, "dangling")
    os.symlink("does-not-exist", p)
    return p


def _bad_text(d):
    return write_bytes(os.path.join(d, "notes.txt"), b"just some text\nnothing binary\n")


def _bad_fat(d):
    return write_bytes(os.path.join(d, "fat-2g"),
                       bytes.fromhex("cafebabe80000000") + b"\0" * 56)


def _bad_cmdsize0(d):
    data = bytearray(read_bytes(fx("macho/main-dylib")))
    magic = struct.unpack_from("<I", data, 0)[0]
    assert magic == 0xfeedfacf, "macho/main-dylib is not a little-endian 64-bit Mach-O"
    struct.pack_into("<I", data, 32 + 4, 0)   # first load command's cmdsize
    return write_bytes(os.path.join(d, "cmdsize0"), bytes(data))


BAD_INPUTS = [
    ("empty", _bad_empty, "empty file", "not-binary"),
    ("truncated_elf_header", _bad_trunc_elf, "truncated ELF header", "format"),
    ("truncated_macho_header", _bad_trunc_macho, "truncated Mach-O header", "format"),
    ("phdrs_outside_file", _bad_phoff, "program headers", "format"),
    ("directory_without_R", _bad_dir, "is a directory", "io"),
    ("fifo", _bad_fifo, "FIFO", "io"),
    ("dangling_symlink", _bad_dangling, "dangling symbolic link", "io"),
    ("text_file", _bad_text, "not an ELF, Mach-O or archive file", "not-binary"),
    ("universal_2g_slices", _bad_fat, "claims 2147483648 slices", "format"),
    ("macho_cmdsize_0", _bad_cmdsize0, "cmdsize 0", "format"),
]


def static_line(path):
    return "%s: static (ELF 64-bit LSB x86-64)" % path


# ------------------------------------------------------------------ 1. exit codes

@test
def exit_0_when_every_file_passes():
    ps = [fx("elf/static"), fx("elf/static-pie"), fx("go/darwin-universal")]
    r = check(*ps)
    eq(r.rc, 0, "exit status", r)
    eq(r.err, "", "stderr", r)
    eq([l.split(": ")[0] for l in lines(r.out)], ps, "reported paths", r)


@test
def exit_1_for_dynamic_elf():
    r = check(fx("elf/static"), fx("elf/dynamic"))
    eq(r.rc, 1, "exit status", r)
    eq(r.err, "", "stderr", r)
    eq(len(lines(r.out)), 2, "number of lines", r)


@test
def exit_1_for_explicit_shared_library():
    r = check(fx("elf/libshared.so.1"))
    eq(r.rc, 1, "exit status", r)
    eq(r.err, "", "stderr", r)
    eq(r.out, "%s: not an executable: shared library (ELF 64-bit LSB x86-64)\n"
       % fx("elf/libshared.so.1"), "stdout", r)


@test
def exit_1_for_explicit_object():
    r = check(fx("elf/hello.o"))
    eq(r.rc, 1, "exit status", r)
    eq(r.err, "", "stderr", r)
    eq(r.out, "%s: not an executable: object (ELF 64-bit LSB x86-64)\n" % fx("elf/hello.o"),
       "stdout", r)


@test
def exit_2_on_unparsable_file_others_still_reported():
    d = scratch_dir("exit2")
    bad = _bad_empty(d)
    r = check(fx("elf/static"), bad, fx("elf/static-pie"))
    eq(r.rc, 2, "exit status", r)
    eq(lines(r.out), [static_line(fx("elf/static")),
                      "%s: static-pie (ELF 64-bit LSB x86-64)" % fx("elf/static-pie")],
       "stdout", r)
    one_stderr_line(r, bad, "empty file")


@test
def fault_file_shrinks_while_read():
    """A file that shrinks under its mapping (SIGBUS) is an error; the run goes on."""
    d = scratch_dir("shrink")
    shim = build_shrink_shim(d)
    victim = copy(fx("elf/static"), os.path.join(d, "shrinks"))
    after = copy(fx("elf/static"), os.path.join(d, "whole"))
    true(os.path.getsize(victim) > 3 * 4096, "the victim spans several pages")
    # What the abandoned check held (report, libelf handle, mapping, descriptor)
    # is leaked by design (cli/gr_cmd_check.c, gr_check_guarded): leaks_ok.
    r = run_argv([GORELINK, "check", victim, after], env=shrink_env(shim, victim, leaks_ok=True))
    eq(r.rc, 2, "exit status (some file could not be read)", r)
    eq(os.path.getsize(victim), 0, "the shim truncated the file after mapping it")
    eq(lines(r.out), [static_line(after)], "the next operand is still checked", r)
    one_stderr_line(r, victim, "the file shrank while it was being read")

    # The same in a -R walk (gr_check_fd on the walk's descriptor), siblings reported.
    w = os.path.join(d, "tree")
    os.mkdir(w)
    copy(fx("elf/static"), os.path.join(w, "a"))
    victim = copy(fx("elf/static"), os.path.join(w, "b"))
    copy(fx("elf/static"), os.path.join(w, "c"))
    r = run_argv([GORELINK, "check", "-R", "--json", w], env=shrink_env(shim, victim, leaks_ok=True))
    eq(r.rc, 2, "exit status of the walk", r)
    docs = json_lines(r)
    eq([(x["path"], x["verdict"]) for x in docs],
       [(os.path.join(w, "a"), "static"), (victim, "error"), (os.path.join(w, "c"), "static")],
       "every file in order, the shrunk one an error", r)
    eq(docs[1]["error"]["code"], "io", "error code", r)
    true("shrank" in docs[1]["error"]["message"], "error message", r)
    one_stderr_line(r, victim, "the file shrank while it was being read")

    # Without the shim's target the same files pass: the shim alone made the fault.
    copy(fx("elf/static"), victim)
    r = run_argv([GORELINK, "check", victim], env=shrink_env(shim, os.path.join(d, "nothing")))
    eq(r.rc, 0, "exit status with nothing shrinking", r)


@test
def exit_2_outranks_exit_1():
    d = scratch_dir("exit2over1")
    bad = _bad_text(d)
    r = check(fx("elf/dynamic"), bad)
    eq(r.rc, 2, "exit status", r)
    eq(len(lines(r.out)), 1, "the dynamic file is still reported", r)
    one_stderr_line(r, bad, "not an ELF")


@test
def usage_no_path():
    usage_error(check(), "PATH")


@test
def usage_unknown_long_option():
    usage_error(check("--bogus", fx("elf/static")), "--bogus")


@test
def usage_unknown_short_option():
    usage_error(check("-x", fx("elf/static")), "-x")


@test
def usage_allow_without_argument():
    usage_error(check("--allow"), "--allow")
    usage_error(check(fx("elf/static"), "--allow"), "--allow")


@test
def check_help():
    for opt in ("--help", "-h"):
        r = check(opt)
        eq(r.rc, 0, "exit status of check " + opt, r)
        eq(r.err, "", "stderr", r)
        true(r.out.startswith("Usage: gorelink check "), "usage on stdout", r)
        true("Exit status:" in r.out, "documents the exit status", r)
        for code in ("0", "1", "2", "64"):
            true(re.search(r"^\s+%s\s+\S" % code, r.out, re.M),
                 "documents exit code %s" % code, r)


@test
def no_arguments_is_usage_error():
    r = gr()
    eq(r.rc, 64, "exit status", r)
    eq(r.out, "", "stdout", r)
    true("Usage: gorelink" in r.err, "usage on stderr", r)


@test
def unknown_command_is_usage_error():
    r = gr("frobnicate", fx("elf/static"))
    eq(r.rc, 64, "exit status", r)
    eq(r.out, "", "stdout", r)
    ls = r.err.split("\n")
    true(len(ls) == 2 and ls[0].startswith("gorelink: ") and "frobnicate" in ls[0],
         "one stderr line naming the command", r)


@test
def version():
    r = gr("--version")
    eq(r.rc, 0, "exit status", r)
    eq(r.err, "", "stderr", r)
    true(re.match(r"gorelink \d+\.\d+", r.out), "first line names gorelink and a version", r)
    for lib in ("libelf", "libpkgconf", "libdeflate", "libbfd"):
        true(re.search(r"^%s\b.*\d" % lib, r.out, re.M), "names %s with a version" % lib, r)


# ------------------------------------------------------------------ 2. bad input

def _make_bad_test(name, builder, reason, _code):
    def fn():
        d = scratch_dir(name)
        p = builder(d)
        witness = None
        if name == "fifo":
            # A FIFO is refused before it is read: the test holds it open
            # (so an open by gorelink would not block) with bytes in it,
            # and they are all still there afterwards.
            witness = os.open(p, os.O_RDWR | os.O_NONBLOCK)
            os.write(witness, b"witness")
        try:
            if witness is not None:
                r = check(p)  # and without a writer: an open that blocked would time out
                eq(r.rc, 2, "exit status without a writer", r)
            r = check(p)
            if witness is not None:
                left = b""
                try:
                    left = os.read(witness, 64)
                except BlockingIOError:
                    pass
                eq(left, b"witness", "what gorelink left unread in the FIFO", r)
        finally:
            if witness is not None:
                os.close(witness)
        eq(r.rc, 2, "exit status", r)
        eq(r.out, "", "stdout", r)
        one_stderr_line(r, p, reason)
    fn.__name__ = "bad_input_" + name
    return fn


for _b in BAD_INPUTS:
    test(_make_bad_test(*_b))


@test
def bad_input_unreadable_file():
    d = scratch_dir("unreadable")
    p = copy(fx("elf/static"), os.path.join(d, "secret"))
    os.chmod(p, 0)
    try:
        r = check_unprivileged(p)
    finally:
        os.chmod(p, 0o644)
    eq(r.rc, 2, "exit status", r)
    eq(r.out, "", "stdout", r)
    one_stderr_line(r, p, "Permission denied")


# ------------------------------------------------------------------ 3. -R walk

def _walk_tree(name):
    d = scratch_dir(name)
    write_bytes(os.path.join(d, "README.txt"), b"hello\n")
    sh = write_bytes(os.path.join(d, "script.sh"), b"#!/bin/sh\necho hi\n")
    os.chmod(sh, 0o755)
    write_bytes(os.path.join(d, "empty"), b"")
    copy(fx("elf/static"), os.path.join(d, "static"))
    copy(fx("elf/dynamic"), os.path.join(d, "dynamic"))
    os.mkdir(os.path.join(d, "sub"))
    copy(fx("elf/static-pie"), os.path.join(d, "sub", "inner"))
    write_bytes(os.path.join(d, "sub", "notes"), b"text\n")
    os.symlink("static", os.path.join(d, "link-to-bin"))
    os.symlink("sub", os.path.join(d, "link-to-dir"))
    return d


@test
def walk_lists_only_binaries_sorted():
    d = _walk_tree("walk")
    r = check("-R", d)
    eq(r.rc, 1, "exit status (the dynamic copy fails)", r)
    eq(r.err, "", "stderr", r)
    paths = [l.split(": ")[0] for l in lines(r.out)]
    expect = [os.path.join(d, n) for n in ("dynamic", "static", "sub/inner")]
    eq(paths, sorted(expect, key=os.fsencode), "reported paths", r)
    eq(lines(r.out)[1], static_line(os.path.join(d, "static")), "static line", r)


@test
def walk_order_is_bytewise_across_directories():
    # '-' (0x2d) and '.' (0x2e) sort before '/' (0x2f): bytewise, "sub-a" and
    # "sub.b" come before "sub/inner".
    d = scratch_dir("walkorder")
    os.mkdir(os.path.join(d, "sub"))
    for n in ("sub/inner", "sub-a", "sub.b", "sub0"):
        copy(fx("elf/static"), os.path.join(d, n))
    r = check("-R", d)
    eq(r.rc, 0, "exit status", r)
    eq(r.err, "", "stderr", r)
    paths = [l.split(": ")[0] for l in lines(r.out)]
    expect = sorted((os.path.join(d, n) for n in ("sub/inner", "sub-a", "sub.b", "sub0")),
                    key=os.fsencode)
    eq(paths, expect, "paths sorted bytewise", r)


@test
def walk_trailing_slash_gives_clean_paths():
    d = _walk_tree("walkslash")
    r1 = check("-R", d)
    r2 = check("-R", d + "/")
    eq(r2.rc, r1.rc, "exit status", r2)
    eq(r2.out, r1.out, "stdout with and without trailing slash", r2)


@test
def walk_non_executables_do_not_fail():
    d = scratch_dir("walklib")
    copy(fx("elf/static"), os.path.join(d, "app"))
    lib = copy(fx("elf/libshared.so.1"), os.path.join(d, "libshared.so.1"))
    r = check("-R", d)
    eq(r.rc, 0, "exit status", r)
    eq(r.err, "", "stderr", r)
    eq(lines(r.out), [static_line(os.path.join(d, "app")),
                      "%s: not an executable: shared library (ELF 64-bit LSB x86-64)" % lib],
       "stdout", r)
    r = check(lib)
    eq(r.rc, 1, "exit status for the library given explicitly", r)
    r = check("-R", d, lib)
    eq(r.rc, 1, "exit status for the walk plus the library given explicitly", r)


@test
def walk_explain_skips_uncounted():
    d = scratch_dir("walkexplain")
    copy(fx("elf/static"), os.path.join(d, "app"))
    copy(fx("elf/libshared.so.1"), os.path.join(d, "libshared.so.1"))
    r = check("-R", "--explain", d)
    eq(r.rc, 0, "exit status", r)
    eq(len(lines(r.out)), 2, "no why/fix lines for a non-executable met in a walk", r)


@test
def walk_unreadable_entries_reported():
    d = scratch_dir("walkperm")
    copy(fx("elf/static"), os.path.join(d, "a-static"))
    locked = os.path.join(d, "locked")
    os.mkdir(locked)
    copy(fx("elf/static"), os.path.join(locked, "hidden"))
    secret = copy(fx("elf/static"), os.path.join(d, "secret"))
    copy(fx("elf/static"), os.path.join(d, "z-static"))
    os.chmod(locked, 0)
    os.chmod(secret, 0)
    try:
        r = check_unprivileged("-R", d)
    finally:
        os.chmod(locked, 0o755)
        os.chmod(secret, 0o644)
    eq(r.rc, 2, "exit status", r)
    eq(lines(r.out), [static_line(os.path.join(d, "a-static")),
                      static_line(os.path.join(d, "z-static"))], "siblings still reported", r)
    errs = lines(r.err)
    eq(len(errs), 2, "stderr lines", r)
    true(any(l == "gorelink: %s: Permission denied" % locked for l in errs),
         "unreadable directory reported", r)
    true(any(l == "gorelink: %s: Permission denied" % secret for l in errs),
         "unreadable file reported", r)


@test
def walk_unreadable_directory_json_names_it():
    d = scratch_dir("walkpermjson")
    copy(fx("elf/static"), os.path.join(d, "a-static"))
    locked = os.path.join(d, "locked")
    os.mkdir(locked)
    os.chmod(locked, 0)
    try:
        r = check_unprivileged("--json", "-R", d)
    finally:
        os.chmod(locked, 0o755)
    eq(r.rc, 2, "exit status", r)
    objs = json_lines(r)
    errs = [o for o in objs if o["verdict"] == "error"]
    eq(len(errs), 1, "error objects", r)
    eq(errs[0]["error"]["code"], "io", "error code", r)
    eq(errs[0]["path"], locked, "error object path names the unreadable directory", r)


# ------------------------------------------------------------------ 4. --quiet, --explain

@test
def quiet_prints_only_failures():
    r = check("--quiet", fx("elf/static"), fx("elf/dynamic"), fx("go/static"), fx("go/pie"))
    eq(r.rc, 1, "exit status", r)
    eq(r.err, "", "stderr", r)
    eq([l.split(": ")[0] for l in lines(r.out)], [fx("elf/dynamic"), fx("go/pie")],
       "reported paths", r)
    r = check("-q", fx("elf/static"), fx("go/darwin-universal"))
    eq((r.rc, r.out, r.err), (0, "", ""), "all passing under -q: silent", r)


@test
def explain_under_failing_files_only():
    ps = [fx("elf/static"), fx("elf/dynamic"), fx("go/static"), fx("macho/main-dylib"),
          fx("macho/universal-mixed")]
    plain = check(*ps)
    r = check("--explain", *ps)
    eq(r.rc, 1, "exit status", r)
    eq(r.err, "", "stderr", r)
    # Removing the indented lines gives back the plain output.
    unindented = [l for l in lines(r.out) if not l.startswith(" ")]
    eq(unindented, lines(plain.out), "file lines unchanged", r)
    # Group the indented lines under their file line.
    groups, cur = {}, None
    for l in lines(r.out):
        if l.startswith(" "):
            true(cur is not None, "indented line before any file line", r)
            groups[cur].append(l)
        else:
            cur = l.split(": ")[0]
            groups[cur] = []
    for p in (fx("elf/static"), fx("go/static")):
        eq(groups[p], [], "no explanation under passing " + p, r)
    for p in (fx("elf/dynamic"), fx("macho/main-dylib"), fx("macho/universal-mixed")):
        g = groups[p]
        true(any(re.match(r"^\s+(\[\S+\] )?why: \S", l) for l in g), "why: under " + p, r)
        true(any(re.match(r"^\s+fix: \S", l) for l in g), "fix: under " + p, r)
        true(all(re.match(r"^\s+(\[\S+\] )?(why|fix): ", l) for l in g),
             "only why:/fix: lines under " + p, r)
    eq(groups[fx("elf/dynamic")][0][:7], "  why: ", "two-space indent", r)
    r2 = check("--explain", fx("elf/static"), fx("go/darwin-universal"))
    eq(r2.out, check(fx("elf/static"), fx("go/darwin-universal")).out,
       "--explain adds nothing when everything passes", r2)


# ------------------------------------------------------------------ 5. --allow

@test
def allow_libc_makes_dynamic_pass():
    p = fx("elf/dynamic")
    r = check("--allow", "libc.so.6", p)
    eq(r.rc, 0, "exit status", r)
    eq(r.err, "", "stderr", r)
    l = lines(r.out)
    eq(len(l), 1, "lines", r)
    true(l[0].startswith("%s: dynamic, allowed (ELF 64-bit LSB x86-64): interpreter " % p),
         "says 'dynamic, allowed'", r)
    true(re.search(r"interpreter \S+ \(accepted\)", l[0]), "interpreter (accepted)", r)
    true(l[0].endswith("needs libc.so.6 (allowed)"), "libc.so.6 (allowed)", r)
    o = json_lines(check("--json", "--allow", "libc.so.6", p))[0]
    eq((o["pass"], o["interpreter_accepted"], o["problems"]), (True, True, []), "JSON")
    eq([dep["allowed"] for dep in o["dependencies"]], [True], "JSON dependencies allowed")


@test
def allow_glob():
    r = check("--allow", "libc.so.*", fx("elf/dynamic"))
    eq(r.rc, 0, "exit status", r)
    true("dynamic, allowed" in r.out, "says allowed", r)
    r = check("--allow", "libfoo.so.*", fx("elf/dynamic"))
    eq(r.rc, 1, "a non-matching pattern allows nothing", r)


@test
def allow_is_repeatable_and_needs_all():
    p = fx("elf/useshared")
    r = check("--allow", "libc.so.6", p)
    eq(r.rc, 1, "libshared.so.1 still not allowed", r)
    true("libshared.so.1," in r.out and "libc.so.6 (allowed)" in r.out, "per-library marks", r)
    r = check("--allow", "libc.so.6", "--allow", "libshared.so.1", p)
    eq(r.rc, 0, "both allowed", r)


# ------------------------------------------------------------------ broken mixes (issue 13)

def oracle(argv):
    """Run a binutils tool (the oracle for what a fixture holds); it must exist."""
    if shutil.which(argv[0]) is None:
        raise AssertionError("%s not found (apt-get install binutils; scripts/setup does)" % argv[0])
    r = run_argv(argv)
    eq(r.rc, 0, " ".join(argv[:2]) + " exit status", r)
    return r.out


def oracle_interp_needed(path):
    """(PT_INTERP or None, [DT_NEEDED]) as readelf prints them."""
    out = oracle(["readelf", "-W", "-l", "-d", path])
    m = re.search(r"\[Requesting program interpreter: (.*)\]", out)
    return (m.group(1) if m else None,
            re.findall(r"\(NEEDED\)\s+Shared library: \[(.*)\]", out))


@test
def glibc_libc_a_in_dynamic_binary_fails():
    """glibc's libm-2.36.a and libc.a in a dynamic link (what gorelink
    --third-party --fix did for libimagequant): readelf and nm show a dynamic
    binary that defines __libc_start_main and __libc_setup_tls; check fails it
    even with everything allowed, and says why. The stripped copy has only the
    section names left, and fails the same way."""
    for rel, stripped in (("elf/mix-libc-a", False), ("elf/mix-libc-a.stripped", True)):
        p = fx(rel)
        interp, needed = oracle_interp_needed(p)
        true(interp is not None and "libc.so.6" in needed, "oracle: %s is dynamic with libc.so.6" % rel)
        syms = oracle(["nm", "--defined-only", p]) if not stripped else ""
        if stripped:
            true(" __libc_IO_vtables " in oracle(["readelf", "-W", "-S", p]), "oracle: section __libc_IO_vtables")
        else:
            true(re.search(r" T __libc_start_main$", syms, re.M) and re.search(r" t __libc_setup_tls$", syms, re.M),
                 "oracle: nm shows glibc's static start-up defined")
        r = check("--allow", "*", "--explain", p)
        eq(r.rc, 1, "exit status of %s with --allow '*'" % rel, r)
        l = lines(r.out)
        true(l[0].startswith("%s: dynamic (ELF 64-bit LSB x86-64): " % p), "not 'dynamic, allowed'", r)
        true("; but carries glibc's static libc.a (" in l[0], "the line names libc.a", r)
        true("__libc_IO_vtables" in l[0] and (stripped or "__libc_start_main" in l[0]), "the marks", r)
        true(any(x.startswith("  why: glibc's static C library (libc.a) is linked into a dynamic executable")
                 for x in l), "why:", r)
        true(any(x.startswith("  fix: ") and "libm-2.36.a" in x and "-lm" in x for x in l), "fix:", r)
        o = json_lines(check("--json", "--allow", "*", p))[0]
        eq(o["pass"], False, "JSON pass")
        eq([pr["code"] for pr in o["problems"]], ["glibc-static-in-dynamic"], "JSON problems")
        true("__libc_IO_vtables" in o["glibc_static"], "JSON glibc_static")


@test
def needed_without_interp_fails():
    """A static link (no PT_INTERP, per readelf) naming libgcc_s.so.1 or
    libstdc++.so.6: nothing loads them, so check fails it even when they are
    allowed, and the fix names -static-libgcc / -static-libstdc++."""
    for rel, lib, fix in (("elf/static-needed-gcc_s", "libgcc_s.so.1", "-static-libgcc"),
                          ("elf/static-needed-stdc++", "libstdc++.so.6", "-static-libstdc++")):
        p = fx(rel)
        interp, needed = oracle_interp_needed(p)
        eq(interp, None, "oracle: %s has no PT_INTERP" % rel)
        true(lib in needed, "oracle: %s needs %s" % (rel, lib))
        r = check("--allow", "*", "--explain", p)
        eq(r.rc, 1, "exit status of %s with --allow '*'" % rel, r)
        l = lines(r.out)
        true(l[0].startswith("%s: dynamic (ELF 64-bit LSB x86-64): needs " % p), "not 'dynamic, allowed'", r)
        true(l[0].endswith("; but no interpreter loads them"), "the line says nothing loads them", r)
        true(any(x.startswith("  why: DT_NEEDED %s in an executable without PT_INTERP" % lib) for x in l), "why:", r)
        true(any(x.startswith("  fix: ") and fix in x for x in l), "fix: names " + fix, r)
        o = json_lines(check("--json", p))[0]
        eq(sorted(set(pr["code"] for pr in o["problems"])), ["needed-without-interp"], "JSON problem codes")


@test
def iconv_open_of_libstdcxx_is_no_finding():
    """A static C++ binary: objdump shows that only libstdc++'s
    std::__narrow_multibyte_chars calls iconv_open; check reports no glibc
    finding (netgo,osusergo would change nothing) and names that caller in
    JSON. A program that calls iconv_open itself keeps the finding, and
    --explain names its callers and a remedy that is not a Go build tag."""
    narrow = "_ZSt24__narrow_multibyte_charsPKcP15__locale_struct"
    p = fx("elf/static-cxx")
    dis = oracle(["objdump", "-d", "--no-show-raw-insn", p])
    callers, fn = set(), None
    for line in dis.splitlines():
        m = re.match(r"^[0-9a-f]+ <(.*)>:$", line)
        if m:
            fn = m.group(1)
        elif re.search(r"\s(call|jmp)\s+[0-9a-f]+ <iconv_open>$", line):
            callers.add(fn)
    eq(callers, {narrow}, "oracle: objdump's callers of iconv_open")
    r = check("--explain", p)
    eq((r.rc, r.out), (0, static_line(p) + "\n"), "static, no finding, nothing to explain", r)
    o = json_lines(check("--json", p))[0]
    eq((o["glibc_runtime"], o["iconv_callers"]), ([], [narrow]), "JSON")
    p = fx("elf/static-cxx-iconv")
    r = check("--explain", p)
    eq(r.rc, 0, "exit status", r)
    true("but carries glibc's iconv_open" in r.out, "the finding stays", r)
    note = [x for x in lines(r.out) if x.startswith("  note: iconv_open, called from ")]
    eq(len(note), 1, "one iconv note", r)
    true("main" in note[0] and narrow in note[0], "the note names both callers", r)
    true("netgo" not in r.out and "osusergo" not in r.out, "no Go build tag is offered for iconv", r)


@test
def allow_does_not_pass_go_pie():
    p = fx("go/pie")
    r = check("--allow", "libc.so.6", p)
    eq(r.rc, 1, "exit status", r)
    true("(accepted)" not in r.out and "allowed" not in r.out, "interpreter not accepted", r)
    r = check("--json", "--allow", "libc.so.6", p)
    eq(r.rc, 1, "exit status (JSON)", r)
    o = json_lines(r)[0]
    eq(o["pass"], False, "pass")
    eq(o["interpreter_accepted"], False, "interpreter_accepted")
    eq(o["needed"], [], "needed")
    eq([pr["code"] for pr in o["problems"]], ["interp-without-needed"], "problem codes")


@test
def allow_macho_install_name_basename():
    p = fx("macho/main-dylib")
    r = check("--allow", "libfoo.1.dylib", p)
    eq(r.rc, 0, "exit status with the basename", r)
    eq(r.err, "", "stderr", r)
    true(r.out.startswith("%s: dynamic, allowed (Mach-O 64-bit arm64)" % p), "says allowed", r)
    r = check("--allow", "/opt/homebrew/lib/libfoo.1.dylib", p)
    eq(r.rc, 1, "exit status with the full install name", r)
    true("third-party /opt/homebrew/lib/libfoo.1.dylib" in r.out, "still third-party", r)


# ------------------------------------------------------------------ 6. --json

@test
def json_every_fixture_validates():
    true(len(MANIFEST) >= 25, "manifest has %d entries" % len(MANIFEST))
    ps = [fx(m[0]) for m in MANIFEST]
    r = check("--json", *ps)
    eq(r.rc, 1, "exit status", r)
    eq(r.err, "", "stderr", r)
    objs = json_lines(r)
    eq([o["path"] for o in objs], ps, "one object per operand, in order", r)
    for (rel, fmt, verdict), o in zip(MANIFEST, objs):
        eq((o["format"], o["verdict"]), (fmt, verdict), rel + " format/verdict")
        eq(o["counted"], True, rel + " counted")
        eq(o["pass"], verdict in ("static", "static-pie", "system-only"), rel + " pass")
    # and one at a time, with --allow, so per-file output validates too
    for rel, _fmt, _v in MANIFEST:
        json_lines(check("--json", "--allow", "lib*", fx(rel)))


@test
def json_error_objects_validate():
    d = scratch_dir("jsonerr")
    bads = [(b[1](d), b[3], b[2]) for b in BAD_INPUTS]
    r = check("--json", fx("elf/static"), *[b[0] for b in bads])
    eq(r.rc, 2, "exit status", r)
    objs = json_lines(r)
    eq(len(objs), 1 + len(bads), "one object per operand", r)
    eq(objs[0]["verdict"], "static", "good file first", r)
    for (p, code, reason), o in zip(bads, objs[1:]):
        eq(o["path"], p, "path")
        eq(o["verdict"], "error", p + " verdict")
        eq(o["format"], None, p + " format")
        eq((o["pass"], o["executable"], o["counted"]), (False, False, True), p + " flags")
        eq(o["error"]["code"], code, p + " error code")
        true(reason in o["error"]["message"], "%s message should contain %r" % (p, reason))
    eq(len(lines(r.err)), len(bads), "one stderr line per bad file", r)


@test
def json_walk_validates_and_counted():
    d = _walk_tree("jsonwalk")
    copy(fx("elf/libshared.so.1"), os.path.join(d, "libshared.so.1"))
    copy(fx("elf/libfixture.a"), os.path.join(d, "libfixture.a"))
    copy(fx("go/darwin-universal"), os.path.join(d, "sub", "universal"))
    r = check("--json", "-R", d)
    eq(r.rc, 1, "exit status", r)
    eq(r.err, "", "stderr", r)
    objs = json_lines(r)
    got = {os.path.relpath(o["path"], d): o for o in objs}
    eq(sorted(got), sorted(["dynamic", "libfixture.a", "libshared.so.1", "static",
                            "sub/inner", "sub/universal"]), "paths")
    for n in ("libshared.so.1", "libfixture.a"):
        eq(got[n]["counted"], False, n + " counted")
    for n in ("dynamic", "static", "sub/inner", "sub/universal"):
        eq(got[n]["counted"], True, n + " counted")
    # an operand that is a non-executable is counted
    o = json_lines(check("--json", os.path.join(d, "libshared.so.1")))[0]
    eq(o["counted"], True, "explicit library counted")


@test
def json_walk_of_fixdir_validates():
    r = check("--json", "-R", FIXDIR)
    eq(r.err, "", "stderr", r)
    eq(r.rc, 1, "exit status", r)
    objs = json_lines(r)
    paths = {os.path.relpath(o["path"], FIXDIR) for o in objs}
    missing = [m[0] for m in MANIFEST if m[0] not in paths]
    eq(missing, [], "manifest entries missing from the walk")
    for o in objs:
        eq(o["counted"], o["executable"], o["path"] + " counted == executable")


@test
def json_quiet():
    r = check("--json", "--quiet", fx("elf/static"), fx("elf/dynamic"))
    eq(r.rc, 1, "exit status", r)
    objs = json_lines(r)
    eq([o["path"] for o in objs], [fx("elf/dynamic")], "only the failing file")


@test
def json_schema_rejects_malformed_objects():
    # A control: the validator must not accept everything.
    good = json_lines(check("--json", fx("elf/dynamic"), fx("go/darwin-universal")))
    d = scratch_dir("schemactl")
    err = json_lines(check("--json", _bad_empty(d)))[0]
    bad = []
    for o in good + [err]:
        bad.append(dict(o, verdict="bogus"))
        bad.append({k: v for k, v in o.items() if k != "counted"})
        bad.append(dict(o, schema="gorelink-check/1"))  # version 2's schema rejects version 1's name
        bad.append(dict(o, schema="gorelink-check/3"))
    bad.append(dict(good[1], extra=1))          # universal objects are closed
    bad.append(dict(err, pass_=True, **{"pass": True}))
    for i, o in enumerate(bad):
        true(not validator().is_valid(o), "malformed object %d accepted: %r" % (i, o))


@test
def json_schema_version_2():
    # Issue 14: the members added during version 1 made the name move to 2.
    eq(SCHEMA_NAME, "gorelink-check/2", "the schema name the tests expect")
    r = check("--help")
    contains(r.out, "(schema gorelink-check/2)", "--help names the schema", r)
    objs = json_lines(check("--json", fx("elf/dynamic"), fx("go/darwin-arm64"), fx("go/darwin-universal")))
    eq([o["schema"] for o in objs], ["gorelink-check/2"] * 3, "schema of every object")
    with open(SCHEMA_PATH) as f:
        eq(json.load(f)["$id"], "urn:gorelink:schema:check:2", "the v2 schema's $id")
    # What version 2 requires that version 1 left optional: without it an object is rejected.
    elf, thin, fat = objs
    for key in ("versions", "go", "runtime_files", "glibc_runtime", "iconv_callers", "glibc_static"):
        true(key in elf, "ELF object has %s" % key)
        true(not validator().is_valid({k: v for k, v in elf.items() if k != key}), "v2 accepts an object without %s" % key)
        s = dict(fat, slices=[{k: v for k, v in fat["slices"][0].items() if k != key}] + fat["slices"][1:])
        true(not validator().is_valid(s), "v2 accepts a slice without %s" % key)
    true(not validator().is_valid({k: v for k, v in thin.items() if k != "macho"}), "v2 accepts Mach-O without macho")
    # Version 2 reads Go build info from Mach-O too: the thin file and every slice.
    for o in [thin] + fat["slices"]:
        true(o["go"] is not None and o["go"]["symbols_from"] == "__gopclntab", "Mach-O go member: %r" % o["go"])
        contains(o["go"]["settings"], "GOOS=darwin", "Mach-O go.settings")
    # Version 1's schema, kept for reference, still describes version 1 objects only.
    v1 = harness.schema_validator(os.path.join(HERE, "..", "docs", "schema", "check-v1.schema.json"))
    true(v1.is_valid(dict(elf, schema="gorelink-check/1")), "v1 schema accepts the object named version 1")
    true(not v1.is_valid(elf), "v1 schema accepts a version 2 object")


# ------------------------------------------------------------------ 7. text line format

@test
def text_line_elf_static():
    p = fx("elf/static")
    eq(check(p).out, "%s: static (ELF 64-bit LSB x86-64)\n" % p, "stdout")


@test
def text_line_mips_dynamic():
    p = fx("elf/mips-dynamic")
    r = check(p)
    eq(r.rc, 1, "exit status", r)
    l = lines(r.out)
    eq(len(l), 1, "lines", r)
    true(l[0].startswith("%s: dynamic (ELF 32-bit MSB mips)" % p), "ELF 32-bit MSB mips", r)


@test
def text_line_darwin_universal():
    p = fx("go/darwin-universal")
    r = check(p)
    eq(r.rc, 0, "exit status", r)
    true(r.out.startswith("%s: system-only (Mach-O universal: " % p), "Mach-O universal:", r)
    eq(len(lines(r.out)), 1, "lines", r)


@test
def text_line_archive():
    p = fx("elf/libfixture.a")
    r = check(p)
    eq(r.rc, 1, "exit status", r)
    eq(r.out, "%s: not an executable: archive (ar archive)\n" % p, "stdout", r)


# ------------------------------------------------------------------ 8. metacharacters

@test
def shell_metacharacters_taken_literally():
    d = scratch_dir("meta")
    name = "a;$(touch PWNED) b"
    p = copy(fx("elf/static"), os.path.join(d, name))
    r = check(name, cwd=d)
    eq(r.rc, 0, "exit status", r)
    eq(r.err, "", "stderr", r)
    eq(r.out, static_line(name) + "\n", "stdout", r)
    r = check("--json", "-R", d, cwd=d)
    eq(r.rc, 0, "exit status (walk)", r)
    eq([o["path"] for o in json_lines(r)], [p], "walk path")
    eq(sorted(os.listdir(d)), [name], "no PWNED file in the directory")
    for where in (SCRATCH, os.getcwd(), FIXDIR):
        true(not os.path.exists(os.path.join(where, "PWNED")), "PWNED appeared in " + where)


@test
def dash_dash_ends_options():
    d = scratch_dir("dashdash")
    copy(fx("elf/static"), os.path.join(d, "-R"))
    r = check("--", "-R", cwd=d)
    eq((r.rc, r.out, r.err), (0, static_line("-R") + "\n", ""), "file named -R after --", r)


# ------------------------------------------------------------------ gorelink index

@test
def index_names_archive_and_missing_symbol():
    """`gorelink index -L DIR SYMBOL...`: a symbol of a fixture archive is
    answered with its path and the -l that reaches it; a symbol no archive
    defines says so (exit 1)."""
    d = os.path.realpath(scratch_dir("index"))
    src = os.path.join(d, "ix.c")
    with open(src, "w") as f:
        f.write("int gr_ix_defined_fn(void) { return 7; }\n")
    obj = os.path.join(d, "ix.o")
    harness.must(["gcc", "-c", "-o", obj, src], TIMEOUT)
    harness.must(["ar", "rcs", os.path.join(d, "libgrix.a"), obj], TIMEOUT)
    env = harness.environ((), {"GORELINK_CACHE_DIR": os.path.join(d, "cache")})
    missing = "gr_ix_nowhere_fn"
    found = "gr_ix_defined_fn: %s/libgrix.a (-lgrix)\n" % d
    r = run_argv([GORELINK, "index", "-L", d, "gr_ix_defined_fn"], env=env)
    eq((r.rc, r.out, r.err), (0, found, ""), "a defined symbol", r)
    r = run_argv([GORELINK, "index", "-L", d, "gr_ix_defined_fn", missing], env=env)
    eq((r.rc, r.out, r.err),
       (1, found + missing + ": not defined in any archive on the search path\n", ""),
       "a defined and a missing symbol", r)
    # Answered from the cache the second time, the same way.
    r = run_argv([GORELINK, "index", "-L", d, "--stats", "gr_ix_defined_fn"], env=env)
    eq(r.rc, 0, "exit status with --stats", r)
    lines = r.out.split("\n")
    true(re.match(r"\d+ archives, \d+ symbols, \d+ archives from the cache$", lines[0]),
         "the --stats line", r)
    eq(lines[1:], [found.rstrip("\n"), ""], "the lookup after --stats", r)


@test
def index_names_shared_library_when_no_archive():
    """A symbol only a shared library defines (built here with gcc -shared:
    libgrsho.so.1.0.0 with soname libgrsho.so.1, the development link
    libgrsho.so; and libgrrt.so.2, a run-time file no lib<name>.so links to):
    still exit 1 (no archive), and the library is named with its soname, the
    file -l finds and the -l; a linker script named lib*.so is no answer; a
    symbol nothing defines keeps the plain line."""
    d = os.path.realpath(scratch_dir("index-shared"))
    for name, soname, text in (("libgrsho.so.1.0.0", "libgrsho.so.1", "int gr_sho_fn(void) { return 3; }\n"),
                               ("libgrrt.so.2", "libgrrt.so.2", "int gr_rt_only_fn(void) { return 4; }\n")):
        src = os.path.join(d, name + ".c")
        with open(src, "w") as f:
            f.write(text)
        harness.must(["gcc", "-shared", "-fPIC", "-Wl,-soname," + soname, "-o", os.path.join(d, name), src], TIMEOUT)
    os.symlink("libgrsho.so.1.0.0", os.path.join(d, "libgrsho.so.1"))
    os.symlink("libgrsho.so.1", os.path.join(d, "libgrsho.so"))
    with open(os.path.join(d, "libgrscript.so"), "w") as f:
        f.write("INPUT(libgrsho.so.1)\n")
    env = harness.environ((), {"GORELINK_CACHE_DIR": os.path.join(d, "cache")})
    none = "gr_sho_nowhere_fn: not defined in any archive on the search path\n"
    r = run_argv([GORELINK, "index", "-L", d, "gr_sho_fn", "gr_rt_only_fn", "gr_sho_nowhere_fn"], env=env)
    eq((r.rc, r.err), (1, ""), "exit status and stderr", r)
    eq(r.out.split("\n"), [
        "gr_sho_fn: not defined in any archive on the search path; defined in the shared library "
        "libgrsho.so.1 (%s/libgrsho.so, -lgrsho)" % d,
        "gr_rt_only_fn: not defined in any archive on the search path; defined in the shared library "
        "libgrrt.so.2 (%s/libgrrt.so.2, no lib<name>.so links to it)" % d,
        none.rstrip("\n"), ""], "the lines", r)


@test
def index_names_debian_libsystemd():
    """Debian's libsystemd ships no archive: `gorelink index sd_listen_fds`
    names libsystemd.so.0, the -lsystemd development link and the packages
    (libsystemd-dev, libsystemd0), exit 1."""
    r = run_argv(["gcc", "-print-file-name=libsystemd.so"])
    found = r.out.strip()
    true(r.rc == 0 and os.path.isabs(found), "gcc does not find libsystemd.so: install libsystemd-dev", r)
    dev = os.path.join(os.path.realpath(os.path.dirname(found)), "libsystemd.so")
    env = harness.environ((), {"GORELINK_CACHE_DIR": os.path.join(SCRATCH, "index-systemd-cache")})
    r = run_argv([GORELINK, "index", "sd_listen_fds"], env=env)
    eq((r.rc, r.err), (1, ""), "exit status and stderr", r)
    eq(r.out, "sd_listen_fds: not defined in any archive on the search path; defined in the shared library "
       "libsystemd.so.0 (%s, -lsystemd; package libsystemd-dev/libsystemd0)\n" % dev, "the line", r)


@test
def help_lists_every_command():
    """gorelink --help names the other commands (index too), and so does the short usage."""
    r = run_argv([GORELINK, "--help"])
    eq(r.rc, 0, "exit status", r)
    for cmd in ("gorelink check [OPTIONS] PATH...", "gorelink pkgconf-rewrite [OPTIONS] PACKAGE...",
                "gorelink index [OPTIONS] SYMBOL...", "gorelink test [OPTIONS] PACKAGE [-- GO_TEST_FLAGS...]"):
        contains(r.out, cmd, "--help", r)
    r = run_argv([GORELINK])
    eq(r.rc, 64, "exit status without arguments", r)
    contains(r.err, "gorelink index [OPTIONS] SYMBOL...", "the short usage", r)
    contains(r.err, "gorelink test [OPTIONS] PACKAGE [-- GO_TEST_FLAGS...]", "the short usage", r)


# ------------------------------------------------------------------ 9. determinism

@test
def json_walk_is_deterministic():
    a = check("--json", "-R", FIXDIR)
    b = check("--json", "-R", FIXDIR)
    true(a.out != "", "output not empty", a)
    eq((b.rc, b.err), (a.rc, a.err), "exit status and stderr")
    true(a.out == b.out, "two runs give byte-identical output")


# ------------------------------------------------------------------ main

def load_manifest():
    path = os.path.join(FIXDIR, "manifest.tsv")
    out = []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) != 3:
                raise SystemExit("%s: bad line %r" % (path, line))
            out.append(tuple(cols))
    return out


def main():
    global GORELINK, FIXDIR, SCRATCH, MANIFEST
    args = harness.path_args("GORELINK FIXDIR")
    if args is None:
        return 2
    GORELINK, FIXDIR = args
    MANIFEST = load_manifest()
    SCRATCH = harness.make_scratch("gorelink-cli-test.", mode=0o755, realpath=False)
    return SUITE.run(cleanup=lambda: harness.rmtree_forced(SCRATCH))


if __name__ == "__main__":
    sys.exit(main())
