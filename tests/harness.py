"""harness.py: what the python test scripts in tests/ share.

Not a test itself.  The scripts (cli_test.py, pcrw_cli_test.py, relink_e2e.py,
darwin_test.py, darwin_relink_test.py, crosscheck.py, pcrw_oracle.py) run as
`python3 tests/X.py ARGS` from any directory and import this module from their
own directory (and write no __pycache__ into the source tree):

    sys.dont_write_bytecode = True
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import harness

It holds the test registry and the loop that runs it (`ok NAME` or
`FAIL NAME: reason` per test, then `N passed, M failed` alone on the last line,
exit status 1 if anything failed), running a command with a timeout into a
Result, the environment a script's commands run in, scratch directories and
the assertion helpers.  Where the scripts differ (timeouts, decoding, what a
crash or a timeout says, the failure-line layout) a parameter or a Result
subclass says so; the defaults are those of cli_test.py and pcrw_cli_test.py.
"""

import functools
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback


# ------------------------------------------------------------------ running tests

class Suite:
    """The test functions of one script, in the order they were defined.

    `test = SUITE.test` gives the script its `@test` decorator; each script
    has its own Suite, so importing one test script from another (darwin_test.py
    borrows helpers from cli_test.py and pcrw_cli_test.py) adds no tests."""

    def __init__(self):
        self.tests = []

    def test(self, fn):
        """Decorator: register fn as a test named fn.__name__; returns fn."""
        self.tests.append(fn)
        return fn

    def run(self, **kw):
        """Run every registered test: run_suite(self.tests, **kw)."""
        return run_suite(self.tests, **kw)


def only_from_env(var):
    """The test names listed, comma-separated, in environment variable var
    (e.g. RELINK_E2E_ONLY=a,b): the only tests to run.  Empty set: all of them."""
    if not var:
        return set()
    return set(os.environ.get(var, "").split(",")) - {""}


def _indent(text):
    return text.replace("\n", "\n    ")


# (name, seconds) of every case run_tests() timed in this process, in order:
# run_suite() names the slowest ones on its closing line.
TIMES = []
SLOWEST = 5   # how many of them the closing line names


def slowest(times, n=SLOWEST):
    """`NAME S.s s, ...`: the n slowest of (name, seconds) pairs, slowest
    first (ties in the order they ran)."""
    top = sorted(enumerate(times), key=lambda it: (-it[1][1], it[0]))[:n]
    return ", ".join("%s %.1f s" % (name, secs) for _i, (name, secs) in top)


def run_tests(cases, only=(), timing=False, plain=False, expected=(AssertionError,),
              unexpected=(Exception,), notes=False):
    """Run (name, fn) cases in order and print a line for each; returns
    (passed, failed).

    only: if not empty, the names to run (the rest are skipped); a name that
      is no case's is an error (ValueError), never a silent `0 passed`.
    timing: after each test write `  (NAME: S.s s)` to stderr (and add it
      to TIMES).
    expected: exceptions that are a test's failure: `FAIL NAME: message`.
    unexpected: exceptions reported with their traceback (`FAIL NAME: unexpected
      exception` and the traceback, indented); any other exception propagates.
    plain: the layout of darwin_test.py instead: the message is not indented,
      and an unexpected exception prints `FAIL NAME: message` and its
      traceback goes to stderr.
    notes: a test's return value (a string) follows its name on the ok line."""
    passed = failed = 0
    cases = list(cases)
    unknown = sorted(set(only) - {name for name, _fn in cases})
    if unknown:
        raise ValueError("no test named %s" % ", ".join(unknown))
    for name, fn in cases:
        if only and name not in only:
            continue
        t1 = time.monotonic()
        try:
            note = fn()
        except expected as e:
            failed += 1
            print("FAIL %s: %s" % (name, e if plain else _indent(str(e))))
        except unexpected as e:
            failed += 1
            if plain:
                print("FAIL %s: %s" % (name, e))
                sys.stdout.flush()
                traceback.print_exc()
            else:
                print("FAIL %s: unexpected exception\n    %s" % (name, _indent(traceback.format_exc())))
        else:
            passed += 1
            print("ok %s%s" % (name, " " + note if notes else ""))
        if timing:
            secs = time.monotonic() - t1
            TIMES.append((name, secs))
            sys.stderr.write("  (%s: %.1f s)\n" % (name, secs))
        sys.stdout.flush()
        sys.stderr.flush()
    return passed, failed


def run_suite(tests, setup=None, cleanup=None, only_env=None, elapsed=True, elapsed_note=None,
              **kw):
    """A script's main loop: setup(), then the test functions (filtered by the
    names in environment variable only_env, if given), then cleanup() however
    that went; then `(S.s s<elapsed_note()>)` on stderr (unless elapsed is
    false; with timing=True it also names the slowest cases: `; slowest:
    NAME S.s s, ...`) and the summary line.  Returns the exit status.  Other keywords
    go to run_tests().  A name in only_env that is no test's fails the run
    before anything is set up: `FAIL VAR names no test: NAME...`, exit 1."""
    only = only_from_env(only_env)
    unknown = sorted(only - {fn.__name__ for fn in tests})
    if unknown:
        return fail_early("%s names no test: %s" % (only_env, ", ".join(unknown)))
    t0 = time.monotonic()
    try:
        if setup is not None:
            setup()
        passed, failed = run_tests([(fn.__name__, fn) for fn in tests], only=only, **kw)
    finally:
        if cleanup is not None:
            cleanup()
    if elapsed:
        sys.stderr.write("(%.1f s%s%s)\n" % (
            time.monotonic() - t0, elapsed_note() if elapsed_note else "",
            "; slowest: " + slowest(TIMES) if kw.get("timing") and TIMES else ""))
    return summary(passed, failed)


def summary(passed, failed):
    """Print `N passed, M failed` (the last line) and return the exit status."""
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def fail_early(reason, failed=1):
    """Before any test ran (a tool or input missing): `FAIL reason`, the
    summary `0 passed, FAILED failed`, and exit status 1."""
    print("FAIL %s" % reason)
    return summary(0, failed)


def path_args(usage, executables=1):
    """The command-line arguments as absolute paths, if there are as many as
    the words of usage (e.g. "GORELINK FIXDIR") and the first `executables` of
    them can be executed.  Otherwise writes `usage: SCRIPT USAGE` or
    `PATH: not executable` to stderr and returns None (the script exits 2)."""
    if len(sys.argv) != len(usage.split()) + 1:
        sys.stderr.write("usage: %s %s\n" % (sys.argv[0], usage))
        return None
    paths = [os.path.abspath(a) for a in sys.argv[1:]]
    for p in paths[:executables]:
        if not os.access(p, os.X_OK):
            sys.stderr.write("%s: not executable\n" % p)
            return None
    return paths


# ------------------------------------------------------------------ running commands

class Result:
    """A command that ran: argv, rc (negative: killed by that signal), the
    raw outb and errb, out and err decoded with `errors`, and secs taken.

    A script may subclass it to change how it shows itself (__repr__, which
    is what a failure message quotes), how stdout/stderr are decoded
    (errors), what a crash says (crash: a %-format of the signal number and
    the Result, or None for a signal to be only a return code) and what a
    timeout says (timeout_error)."""

    errors = "surrogateescape"
    crash = "killed by signal %d (crash): %r"

    def __init__(self, argv, rc, outb, errb, secs):
        self.argv, self.rc, self.outb, self.errb, self.secs = argv, rc, outb, errb, secs
        self.out = outb.decode("utf-8", self.errors)
        self.err = errb.decode("utf-8", self.errors)

    def __repr__(self):
        return "argv=%r rc=%r\n--- stdout:\n%s\n--- stderr:\n%s" % (
            self.argv, self.rc, self.out, self.err)

    @classmethod
    def timeout_error(cls, argv, timeout, exc):
        """The exception to raise for argv not finishing in timeout seconds
        (exc: the subprocess.TimeoutExpired); None re-raises exc itself."""
        return AssertionError("timed out after %d s: %r" % (timeout, argv))


def run(argv, timeout, cwd=None, env=None, stdin=None, result=Result):
    """Run argv (str or bytes items) with stdout and stderr captured and a
    timeout in seconds; returns a `result` (a Result class).  stdin: bytes
    to feed it, or None for /dev/null.  env None: this process's environment.
    A timeout raises result.timeout_error(); death by a signal raises an
    AssertionError unless result.crash is None."""
    t0 = time.monotonic()
    try:
        p = subprocess.run(argv, input=stdin, stdin=subprocess.DEVNULL if stdin is None else None,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           cwd=cwd, env=env, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        err = result.timeout_error(argv, timeout, e)
        if err is None:
            raise
        raise err
    r = result(argv, p.returncode, p.stdout, p.stderr, time.monotonic() - t0)
    if r.rc < 0 and r.crash is not None:
        raise AssertionError(r.crash % (-r.rc, r))
    return r


def must(argv, timeout, cwd=None):
    """Run a fixture-building command (stdin /dev/null); it must succeed, or
    RuntimeError with its stderr.  Returns its stdout (bytes)."""
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, cwd=cwd, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError("fixture command failed: %r\n%s" % (
            argv, p.stderr.decode("utf-8", "replace")))
    return p.stdout


def environ(drop=(), *updates):
    """A copy of os.environ without the variables in drop, then each dict
    in updates applied in turn (a value of None removes the variable)."""
    env = dict(os.environ)
    for k in drop:
        env.pop(k, None)
    for u in updates:
        for k, v in u.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
    return env


# ------------------------------------------------------------------ scratch files

def make_scratch(prefix, dir=None, mode=None, realpath=True):
    """A new tempfile.mkdtemp() directory (under dir, if given), its realpath
    unless realpath is false, chmod'ed to mode if given."""
    d = tempfile.mkdtemp(prefix=prefix, dir=dir)
    if realpath:
        d = os.path.realpath(d)
    if mode is not None:
        os.chmod(d, mode)
    return d


_numbered = itertools.count(1)


def numbered_dir(root, name, mode=None):
    """A fresh directory root/NN-name (NN counts up through the process),
    chmod'ed to mode if given."""
    d = os.path.join(root, "%02d-%s" % (next(_numbered), name))
    os.mkdir(d)
    if mode is not None:
        os.chmod(d, mode)
    return d


def rmtree_forced(path):
    """Remove the tree at path, first making its directories searchable and
    writable again (tests leave mode-000 ones behind); errors are ignored."""
    for root, dirs, _files in os.walk(path):
        for dn in dirs:
            try:
                os.chmod(os.path.join(root, dn), 0o755)
            except OSError:
                pass
    shutil.rmtree(path, ignore_errors=True)


# ------------------------------------------------------------------ assertions

def eq(actual, expected, what, r=None):
    """Fail (AssertionError) unless actual == expected; r, if given, is
    quoted in the message (a Result shows argv, status and output)."""
    if actual != expected:
        msg = "%s: expected %r, got %r" % (what, expected, actual)
        if r is not None:
            msg += "\n%r" % (r,)
        raise AssertionError(msg)


def true(cond, what, r=None):
    """Fail with message what (and r quoted, if given) unless cond."""
    if not cond:
        raise AssertionError(what + ("" if r is None else "\n%r" % (r,)))


def contains(haystack, needle, what, r=None):
    """Fail unless needle is in haystack (what names the haystack)."""
    true(needle in haystack, "%s should contain %r" % (what, needle), r)


@functools.lru_cache(maxsize=None)
def schema_validator(path):
    """The jsonschema Draft 2020-12 validator of the JSON schema at path
    (loaded once).  The schema must itself be valid and its "$id" an
    absolute URI: Debian 12's jsonschema 4.10 resolves the local
    "#/$defs/..." references against it."""
    import jsonschema
    with open(path) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    if ":" not in schema.get("$id", ""):
        raise AssertionError("the schema's $id is not an absolute URI: %r" % schema.get("$id"))
    return jsonschema.Draft202012Validator(schema)
