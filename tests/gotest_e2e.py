#!/usr/bin/env python3
"""gotest_e2e.py GORELINK SRCDIR WORKDIR

End-to-end tests of `gorelink test [OPTIONS] PACKAGE [-- GO_TEST_FLAGS...]`
(issue 17): a package's test binary built by `go test -c` through gorelink's
static link, check and atomic output, and with --run, run inside an empty
root made for the run (relink/gr_sandbox, gorelink(1) TESTS).

 1. gotest_sqlite3_suite: github.com/mattn/go-sqlite3's own test suite (the
    module from the module proxy, through examples/sqlite3's go.mod), built
    static (-tags timetzdata, the preset applies itself), run in the empty
    root with -test.v; the same test binary linked dynamically (plain
    `go test -c` with the same tags, and with gorelink's CGO_CPPFLAGS mark so
    that Go's build cache gives it the very objects gorelink linked: only
    the link differs) runs on the host.  Every test that passes dynamically
    passes static, and there are at least 60 of them.
 2. gotest_testdata: a cgo package whose tests read testdata/ relative to
    their directory and look at the root they run in (only the binary, an
    empty writable /tmp, the package directory with its testdata; TMPDIR;
    no /etc, /dev or /proc); --json says ran_in empty-root and testdata;
    --run=host runs the same binary in the package directory on the host.
    The default name (PKG.test) and a second build being up to date.
 3. gotest_names: a module path ending in /v2 gives NAME.test after the
    element before it (go test -c's own rule), package_dir is the module.
 4. gotest_failing: a failing test relays exit status 1 (text and --json);
    a test that kills itself with SIGKILL is named (exit 137, "signal":
    "SIGKILL"); -test.timeout is passed through (exit 2, go's panic).
 5. gotest_bad_flags: a -test. flag the binary does not know (its exit 2
    and message relayed), gorelink's own bad options (64: unknown option,
    --run=WHERE, a -test. flag without --run, --run with --dry-run), a
    package without test files (64), a package that does not exist (2).
 6. gotest_no_root: without CAP_SYS_ADMIN (setpriv drops it, as in a container)
    the empty root is made in a user namespace; with user namespaces also
    limited to 0 (in a user namespace of the test's own, so nothing outside
    changes) --run falls back to the host and says so (stderr, --json
    fallback), and --run=root fails (exit 2).
 7. gotest_cross_arm64_qemu: a cgo package cross-built for linux/arm64
    (GOARCH=arm64 CC=aarch64-linux-gnu-gcc) runs under qemu-aarch64-static,
    found in PATH and bind-mounted into the empty root beside the binary (no
    binfmt_misc entry is used); its tests see arm64, the root and their
    testdata; --json names the interpreter; a failing test's exit status 1
    is relayed; --run=host runs it under qemu too; and with no
    qemu-aarch64-static in PATH the run fails (exit 2) naming
    qemu-user-static, and nothing runs on the host; a dynamically linked
    program of that name is refused (it could not start in the root).
 8. gotest_sqlite3_suite_arm64: go-sqlite3's own suite cross-built for
    linux/arm64 (the amalgamation compiled by aarch64-linux-gnu-gcc), static,
    run under qemu-aarch64-static in the empty root: every test run passes,
    at least 60 of them.  Its three timing-heavy tests are skipped
    (-test.skip): emulated they take 100 of the suite's 110 s
    (TestQueryRowContextCancelParallel 73 s, TestStress 23 s,
    TestQueryRowContextCancel 7 s); the amd64 case runs them.

Builds share the caller's GOCACHE and GOMODCACHE (the go-sqlite3 amalgamation
compiles once per cache; later runs take seconds).  Needs root (or user
namespaces), go, gcc, network access to the Go module proxy or a warm
GOMODCACHE, util-linux (unshare, setpriv), python3-jsonschema, and for the
cross case gcc-aarch64-linux-gnu and qemu-user-static.
GOTEST_E2E_ONLY=NAME,... runs only those tests.  Prints `ok NAME` or
`FAIL NAME: reason` per test, then `N passed, M failed`.
"""

import json
import os
import re
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import relink_e2e as E  # noqa: E402  (its helpers: run, gorelink, scratch, make_module...)

SUITE = harness.Suite()
test = SUITE.test

SQLITE3 = "github.com/mattn/go-sqlite3"
RUN_RE = re.compile(r"^\s*--- (PASS|FAIL|SKIP): (\S+)", re.M)


def tool(name, package):
    p = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin:/usr/bin:/bin")
    assert p, "%s is not installed (apt-get install %s; scripts/setup does)" % (name, package)
    return p


# go-sqlite3 tests that skip themselves by the clock, not by anything the
# link decides: a SKIP in one run and a PASS in the other is no finding.
TIMING_SKIPS = {
    # sqlite3_go18_test.go: t.Skipf when its setup took under 100 ms ("too
    # racy"); the dynamic and static runs do not take the same time.
    "TestExecContextCancel",
}


def results(text):
    """{test name: PASS|FAIL|SKIP} from -test.v output."""
    return {name: verdict for verdict, name in RUN_RE.findall(text)}


def report(r):
    return E.schema_valid(E.parse_json(r), "build-v1.schema.json", "the --json report", r)


CGO_TESTDATA = {
    "p.go": """package p

// #include <stdlib.h>
import "C"

// Abs is C's abs: the package uses cgo, so its test binary links through gorelink-ld.
func Abs(n int) int { return int(C.abs(C.int(n))) }
""",
    "p_test.go": """package p

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestAbs(t *testing.T) {
	if Abs(-7) != 7 {
		t.Fatal("abs")
	}
}

func TestTestdata(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "greeting.txt"))
	if err != nil || string(b) != "hello from testdata\\n" {
		t.Fatalf("testdata/greeting.txt: %q %v", b, err)
	}
}

// The root it runs in (GOTEST_EXPECT=root) or the host (GOTEST_EXPECT=host).
func TestWhere(t *testing.T) {
	wd, _ := os.Getwd()
	if want := os.Getenv("GOTEST_PKGDIR"); wd != want {
		t.Fatalf("working directory %q, want %q", wd, want)
	}
	switch os.Getenv("GOTEST_EXPECT") {
	case "root":
		top, err := os.ReadDir("/")
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range top {
			names = append(names, e.Name())
		}
		sort.Strings(names)
		first := strings.SplitN(strings.TrimPrefix(wd, "/"), "/", 2)[0]
		// The binary is /NAME, NAME being OUT's file name.
		if strings.Count(os.Args[0], "/") != 1 || !strings.HasPrefix(os.Args[0], "/p") || !strings.HasSuffix(os.Args[0], ".test") {
			t.Fatalf("argv[0] %q", os.Args[0])
		}
		want := []string{os.Args[0][1:], "tmp"}
		if first != "tmp" {
			want = append(want, first)
		}
		sort.Strings(want)
		if strings.Join(names, " ") != strings.Join(want, " ") {
			t.Fatalf("the root holds %v, want %v", names, want)
		}
		if tmp, _ := os.ReadDir("/tmp"); len(tmp) != 0 && !strings.HasPrefix(wd, "/tmp/") {
			t.Fatalf("/tmp is not empty: %v", tmp)
		}
		if os.Getenv("TMPDIR") != "/tmp" {
			t.Fatalf("TMPDIR=%q", os.Getenv("TMPDIR"))
		}
		f, err := os.CreateTemp("", "w")
		if err != nil {
			t.Fatal("/tmp is not writable: ", err)
		}
		f.Close()
		if st, err := os.Stat("/tmp"); err != nil || st.Mode()&os.ModeSticky == 0 || st.Mode().Perm() != 0o777 {
			t.Fatalf("/tmp: %v %v", st, err)
		}
		for _, p := range []string{"/etc", "/dev", "/proc", "/usr"} {
			if _, err := os.Stat(p); err == nil {
				t.Fatalf("%s exists in the root", p)
			}
		}
		// The package directory holds only its testdata.
		if es, _ := os.ReadDir("."); len(es) != 1 || es[0].Name() != "testdata" {
			t.Fatalf("the package directory holds %v", es)
		}
	case "host":
		if _, err := os.Stat("/etc/passwd"); err != nil {
			t.Fatal("not on the host: ", err)
		}
		if _, err := os.Stat("p_test.go"); err != nil {
			t.Fatal("not in the package directory: ", err)
		}
	}
}

func TestFails(t *testing.T) {
	if os.Getenv("GOTEST_FAIL") == "1" {
		t.Fatal("failing as asked")
	}
}

func TestKillsItself(t *testing.T) {
	if os.Getenv("GOTEST_KILL") == "1" {
		syscall.Kill(syscall.Getpid(), syscall.SIGKILL)
		time.Sleep(time.Minute)
	}
}

func TestSleeps(t *testing.T) {
	if os.Getenv("GOTEST_SLEEP") == "1" {
		time.Sleep(time.Minute)
	}
}
""",
}

_module = {}


def cgo_module():
    """The module above, built once: (module dir, package dir)."""
    if not _module:
        d = E.make_module("gotestdata", {})
        pkg = os.path.join(d, "p")
        os.makedirs(os.path.join(pkg, "testdata"))
        for fn, text in CGO_TESTDATA.items():
            with open(os.path.join(pkg, fn), "w") as f:
                f.write(text)
        with open(os.path.join(pkg, "testdata", "greeting.txt"), "w") as f:
            f.write("hello from testdata\n")
        os.makedirs(os.path.join(d, "notests"))
        with open(os.path.join(d, "notests", "n.go"), "w") as f:
            f.write("package notests\n\n// #include <stdlib.h>\nimport \"C\"\n\nvar _ = C.abs\n")
        _module.update(dir=d, pkg=pkg)
    return _module["dir"], _module["pkg"]


def env_for(pkg, **extra):
    return E.base_env(GOTEST_PKGDIR=pkg, **extra)


@test
def gotest_sqlite3_suite():
    mod = E.scratch("sqlite3-suite")
    for fn in ("go.mod", "go.sum", "main.go"):
        shutil.copy(os.path.join(E.example("sqlite3"), fn), mod)
    st = os.path.join(mod, "static.test")
    # Built (and checked) first, without running: its report names the tags,
    # the package directory and gorelink's mark in go build's CGO_CPPFLAGS.
    r = E.gorelink(["test", "--json", "-o", st, SQLITE3, "--", "-tags", "timetzdata"], cwd=mod)
    harness.eq(r.rc, 0, "gorelink test (build only) exit status", r)
    j = report(r)
    harness.eq(j["verdict"], "static", "verdict", r)
    harness.eq(j["go_command"][1:3], ["test", "-c"], "the go command", r)
    harness.eq(j["test"]["run"], False, "test.run", r)
    harness.eq(j["test"]["ran_in"], None, "test.ran_in without --run", r)
    harness.true("sqlite_omit_load_extension" in j["tags"] and "timetzdata" in j["tags"],
                 "the preset's tag and ours", r)
    pkgdir = j["test"]["package_dir"]
    harness.true(os.path.isfile(os.path.join(pkgdir, "sqlite3_test.go")), "package_dir is go-sqlite3's", r)
    # The dynamic twin: go's own link of the objects gorelink linked.
    dyn = os.path.join(mod, "dynamic.test")
    r = E.run(["go", "test", "-c", "-tags", ",".join(j["tags"]), "-o", dyn, SQLITE3], cwd=mod,
              env=E.base_env(CGO_CPPFLAGS="-DGORELINK_PKGCONFIG=" + j["cache_key"]))
    harness.eq(r.rc, 0, "go test -c (dynamic)", r)
    r = E.gorelink(["check", dyn], cwd=mod)
    harness.eq(r.rc, 1, "the dynamic twin is dynamic (gorelink check)", r)
    r = E.run([dyn, "-test.v"], cwd=pkgdir, env=E.base_env())
    dyn_secs = r.secs
    dynamic = results(r.out + r.err)
    harness.eq(r.rc, 0, "the dynamic suite", r)
    passed_dyn = {n for n, v in dynamic.items() if v == "PASS"}
    harness.true(len(passed_dyn) >= 60, "at least 60 tests pass dynamically (%d)" % len(passed_dyn), r)
    # The static one, run in the empty root (up to date: no link).
    r = E.gorelink(["test", "--json", "--run=root", "-o", st, SQLITE3, "--", "-tags", "timetzdata",
                    "-test.v"], cwd=mod)
    j = report(r)
    static = results(r.err)
    harness.eq(j["up_to_date"], True, "the second gorelink test is up to date", r)
    harness.eq(j["test"]["ran_in"], "empty-root", "ran_in", r)
    harness.eq(j["test"]["args"], ["-test.v"], "the test binary's arguments", r)
    missing = sorted(n for n in passed_dyn if static.get(n) != "PASS" and
                     not (static.get(n) == "SKIP" and n in TIMING_SKIPS))
    harness.eq(missing, [], "tests that pass dynamically but not static", r)
    harness.eq((r.rc, j["exit"], j["test"]["exit"]), (0, 0, 0), "exit statuses", r)
    return "%d/%d pass static in an empty root (dynamic on the host: %d pass); %.1f s static run, %.1f s dynamic" % (
        sum(1 for v in static.values() if v == "PASS"), len(static), len(passed_dyn),
        j["test"]["milliseconds"] / 1000.0, dyn_secs)


@test
def gotest_testdata():
    mod, pkg = cgo_module()
    # The default OUT: p.test in the current directory, as go test -c names it.
    r = E.gorelink(["test", "--run", "./p", "--", "-test.v"], cwd=mod, env=env_for(pkg, GOTEST_EXPECT="root"))
    harness.eq(r.rc, 0, "gorelink test --run ./p", r)
    harness.true(os.path.isfile(os.path.join(mod, "p.test")), "p.test in the current directory", r)
    harness.eq(results(r.out), {"TestAbs": "PASS", "TestTestdata": "PASS", "TestWhere": "PASS",
                                "TestFails": "PASS", "TestKillsItself": "PASS", "TestSleeps": "PASS"},
               "the tests in the root", r)
    harness.true(re.search(r"^p\.test: static \(ELF", r.out, re.M), "the verdict line", r)
    harness.true(re.search(r"^ok   p\.test in an empty root \(", r.out, re.M), "the result line", r)
    harness.true(r.out.index("p.test: static") < r.out.index("=== RUN"), "the verdict before the run", r)
    # --json: the test's own output goes to stderr, the report alone to stdout.
    out = os.path.join(mod, "p-json.test")
    r = E.gorelink(["test", "--json", "--run", "-o", out, "./p", "--", "-test.run", "Testdata|Where", "-test.v"],
                   cwd=mod, env=env_for(pkg, GOTEST_EXPECT="root"))
    j = report(r)
    harness.eq((r.rc, j["exit"], j["ok"]), (0, 0, True), "exit", r)
    t = j["test"]
    harness.eq((t["ran_in"], t["testdata"], t["exit"], t["signal"], t["fallback"], t["package_dir"]),
               ("empty-root", True, 0, None, None, pkg), "the test member", r)
    harness.eq(t["args"], ["-test.run", "Testdata|Where", "-test.v"], "the binary's arguments", r)
    harness.eq(results(r.err), {"TestTestdata": "PASS", "TestWhere": "PASS"}, "-test.run selected", r)
    # Up to date: the same -o again links nothing.
    r = E.gorelink(["test", "-o", out, "./p"], cwd=mod, env=env_for(pkg, GOTEST_EXPECT="root"))
    harness.true(r.rc == 0 and r.out.startswith("up to date: "), "a second build is up to date", r)
    # The same binary on the host, in the package directory.
    r = E.gorelink(["test", "--json", "--run=host", "-o", out, "./p", "--", "-test.v"], cwd=mod,
                   env=env_for(pkg, GOTEST_EXPECT="host"))
    j = report(r)
    harness.eq((r.rc, j["test"]["ran_in"], j["test"]["testdata"]), (0, "host", False), "--run=host", r)
    harness.eq(results(r.err).get("TestWhere"), "PASS", "TestWhere on the host", r)
    # Without the testdata directory, its test fails in the root: the bind mount is what it reads.
    os.rename(os.path.join(pkg, "testdata"), os.path.join(pkg, "testdata.away"))
    try:
        r = E.gorelink(["test", "--run", "-o", out, "./p", "--", "-test.run", "Testdata"], cwd=mod,
                       env=env_for(pkg))
    finally:
        os.rename(os.path.join(pkg, "testdata.away"), os.path.join(pkg, "testdata"))
    harness.eq(r.rc, 1, "TestTestdata without testdata", r)
    return ""


@test
def gotest_names():
    """go test's default name for a module's major-version path: the element before /v2."""
    d = E.make_module("gotestv", {"go.mod": "module example.com/gotestv/v2\n\ngo 1.19\n",
                                  "v.go": CGO_TESTDATA["p.go"].replace("package p", "package gotestv"),
                                  "v_test.go": "package gotestv\n\nimport \"testing\"\n\n"
                                               "func TestAbs(t *testing.T) { if Abs(-1) != 1 { t.Fatal() } }\n"})
    r = E.gorelink(["test", "--json", "."], cwd=d)
    j = report(r)
    harness.eq((r.rc, j["out"], j["test"]["package_dir"]), (0, "gotestv.test", d), "a /v2 module's test binary", r)
    harness.true(os.path.isfile(os.path.join(d, "gotestv.test")), "gotestv.test written", r)
    return ""


@test
def gotest_failing():
    mod, pkg = cgo_module()
    out = os.path.join(mod, "p-fail.test")
    r = E.gorelink(["test", "--run", "-o", out, "./p"], cwd=mod, env=env_for(pkg, GOTEST_FAIL="1"))
    harness.eq(r.rc, 1, "a failing test's exit status", r)
    harness.contains(r.out, "failing as asked", "the test's output", r)
    harness.true(re.search(r"^FAIL .*p-fail\.test in an empty root: exit status 1", r.out, re.M), "the result line", r)
    harness.true(os.path.isfile(out), "the binary stays in place (it was built and checked)", r)
    r = E.gorelink(["test", "--json", "--run", "-o", out, "./p"], cwd=mod, env=env_for(pkg, GOTEST_FAIL="1"))
    j = report(r)
    harness.eq((r.rc, j["exit"], j["ok"], j["verdict"], j["test"]["exit"], j["test"]["signal"]),
               (1, 1, False, "static", 1, None), "--json for a failing test", r)
    r = E.gorelink(["test", "--json", "--run", "-o", out, "./p", "--", "-test.run", "KillsItself"], cwd=mod,
                   env=env_for(pkg, GOTEST_KILL="1"))
    j = report(r)
    harness.eq((r.rc, j["exit"], j["test"]["exit"], j["test"]["signal"]), (137, 137, None, "SIGKILL"),
               "a test killed by a signal", r)
    harness.contains(r.err, "killed by SIGKILL", "the result line", r)
    r = E.gorelink(["test", "--run", "-o", out, "./p", "--", "-test.run", "Sleeps", "-test.timeout", "2s"],
                   cwd=mod, env=env_for(pkg, GOTEST_SLEEP="1"))
    harness.eq(r.rc, 2, "-test.timeout: go's panic, exit 2", r)
    harness.contains(r.out + r.err, "test timed out after 2s", "the test binary's message", r)
    return ""


@test
def gotest_bad_flags():
    mod, pkg = cgo_module()
    out = os.path.join(mod, "p-flags.test")
    r = E.gorelink(["test", "--json", "--run", "-o", out, "./p", "--", "-test.nosuch"], cwd=mod, env=env_for(pkg))
    j = report(r)
    harness.eq((r.rc, j["test"]["exit"]), (2, 2, ), "a -test. flag the binary does not know", r)
    harness.contains(r.err, "flag provided but not defined: -test.nosuch", "the binary's message", r)
    for args, words in ((["--nosuch", "./p"], "unknown option '--nosuch'"),
                        (["--run=elsewhere", "./p"], "--run=elsewhere"),
                        (["./p", "--", "-test.v"], "add --run"),
                        (["--run", "--dry-run", "./p"], "exclude each other"),
                        (["--run", "./notests"], "has no test files")):
        before = sorted(os.listdir(mod))
        r = E.gorelink(["test", "-o", os.path.join(mod, "bad.test")] + args, cwd=mod, env=env_for(pkg))
        harness.eq(r.rc, 64, "exit status of gorelink test %s" % " ".join(args), r)
        harness.contains(r.err, words, "stderr", r)
        harness.eq(sorted(os.listdir(mod)), before, "nothing written for %s" % " ".join(args), r)
    r = E.gorelink(["test", "--run", "./nosuchpkg"], cwd=mod, env=env_for(pkg))
    harness.eq(r.rc, 2, "a package that does not exist", r)
    r = E.gorelink(["test", "--help"], cwd=mod)
    harness.eq(r.rc, 0, "gorelink test --help", r)
    harness.true(r.out.startswith("Usage: gorelink test [OPTIONS] PACKAGE [-- GO_TEST_FLAGS...]")
                 and "--run[=WHERE]" in r.out, "the usage of gorelink test", r)
    return ""


@test
def gotest_no_root():
    mod, pkg = cgo_module()
    out = os.path.join(mod, "p-noroot.test")
    unshare, setpriv = tool("unshare", "util-linux"), tool("setpriv", "util-linux")
    E.gorelink(["test", "-o", out, "./p"], cwd=mod)  # built while gorelink has every capability
    # Root without CAP_SYS_ADMIN (a container's root): a user namespace makes the root.
    nocaps = [setpriv, "--bounding-set=-sys_admin", "--inh-caps=-sys_admin", E.GORELINK, "test", "--json",
              "-o", out, "./p"]
    r = E.run(nocaps[:-1] + ["--run=root", "./p", "--", "-test.v"], cwd=mod, env=env_for(pkg, GOTEST_EXPECT="root"))
    j = report(r)
    harness.eq((r.rc, j["test"]["ran_in"]), (0, "empty-root"), "without capabilities, in a user namespace", r)
    # And no user namespaces either: the host, said so.
    limit = "echo 0 > /proc/sys/user/max_user_namespaces && exec \"$@\""
    wrap = [unshare, "--user", "--map-root-user", "sh", "-c", limit, "sh"]
    r = E.run(wrap + nocaps[:-1] + ["--run", "./p", "--", "-test.v"], cwd=mod, env=env_for(pkg, GOTEST_EXPECT="host"))
    j = report(r)
    harness.eq((r.rc, j["test"]["ran_in"]), (0, "host"), "the fallback to the host", r)
    harness.contains(j["test"]["fallback"] or "", "max_user_namespaces", "test.fallback", r)
    harness.contains(r.err, "warning: the empty root is unavailable", "the warning", r)
    harness.eq(results(r.err).get("TestWhere"), "PASS", "TestWhere on the host", r)
    r = E.run(wrap + nocaps[:-1] + ["--run=root", "./p"], cwd=mod, env=env_for(pkg))
    j = report(r)
    harness.eq((r.rc, j["test"]["ran_in"]), (2, None), "--run=root without a root", r)
    harness.contains(j["test"]["error"] or "", "cannot make the empty root", "test.error", r)
    return ""


CROSS_TEST = """package p

import (
	"os"
	"runtime"
	"sort"
	"strings"
	"testing"
)

func TestArm64(t *testing.T) {
	if runtime.GOARCH != "arm64" || Abs(-7) != 7 {
		t.Fatalf("GOARCH %s, abs %d", runtime.GOARCH, Abs(-7))
	}
	b, err := os.ReadFile("testdata/word.txt")
	if err != nil || string(b) != "arm64 testdata\\n" {
		t.Fatalf("testdata/word.txt: %q %v", b, err)
	}
	if os.Getenv("GOTEST_EXPECT") != "root" {
		return
	}
	// The root: the binary, its interpreter, /tmp and the package directory's first element.
	top, err := os.ReadDir("/")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range top {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	wd, _ := os.Getwd()
	want := []string{os.Args[0][1:], "qemu-aarch64-static", "tmp"}
	if first := strings.SplitN(strings.TrimPrefix(wd, "/"), "/", 2)[0]; first != "tmp" {
		want = append(want, first)
	}
	sort.Strings(want)
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("the root holds %v, want %v (argv[0] %q)", names, want, os.Args[0])
	}
	if _, err := os.Stat("/etc"); err == nil {
		t.Fatal("/etc exists in the root")
	}
}

func TestFails(t *testing.T) {
	if os.Getenv("GOTEST_FAIL") == "1" {
		t.Fatal("failing as asked on arm64")
	}
}
"""


def path_without_qemu():
    """A PATH like the caller's, but with no qemu-*: /usr/bin's entries (but
    qemu's) as symbolic links in a scratch directory, then go's directory."""
    farm = E.scratch("noqemu-bin")
    for name in os.listdir("/usr/bin"):
        if not name.startswith("qemu-"):
            os.symlink(os.path.join("/usr/bin", name), os.path.join(farm, name))
    go = os.path.dirname(os.path.realpath(tool("go", "golang")))
    path = [go, farm]
    for d in path:
        harness.true(not any(n.startswith("qemu-") for n in os.listdir(d)), "no qemu in %s" % d, None)
    return ":".join(path)


@test
def gotest_cross_arm64_qemu():
    tool("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu")
    qemu = tool("qemu-aarch64-static", "qemu-user-static")
    d = E.make_module("gotestcross", {})
    pkg = os.path.join(d, "p")
    os.makedirs(os.path.join(pkg, "testdata"))
    with open(os.path.join(pkg, "p.go"), "w") as f:
        f.write(CGO_TESTDATA["p.go"])
    with open(os.path.join(pkg, "p_test.go"), "w") as f:
        f.write(CROSS_TEST)
    with open(os.path.join(pkg, "testdata", "word.txt"), "w") as f:
        f.write("arm64 testdata\n")
    out = os.path.join(d, "p-arm64.test")

    def cross_env(**extra):
        env = env_for(pkg, GOARCH="arm64", CC="aarch64-linux-gnu-gcc", **extra)
        env.pop("CGO_ENABLED", None)
        return env
    r = E.gorelink(["test", "--json", "--run=root", "-o", out, "./p", "--", "-test.v"], cwd=d,
                   env=cross_env(GOTEST_EXPECT="root"))
    j = report(r)
    harness.eq((r.rc, j["exit"], j["verdict"], j["check"]["architecture"]), (0, 0, "static", "aarch64"),
               "the arm64 test binary, static, passing", r)
    t = j["test"]
    harness.eq((t["ran_in"], t["testdata"], t["exit"], t["interpreter"]), ("empty-root", True, 0, qemu),
               "the test member: run under qemu in the empty root", r)
    harness.eq(results(r.err), {"TestArm64": "PASS", "TestFails": "PASS"}, "the tests under qemu", r)
    run_secs = t["milliseconds"] / 1000.0
    # Text: the result line names the interpreter.
    r = E.gorelink(["test", "--run", "-o", out, "./p"], cwd=d, env=cross_env())
    harness.eq(r.rc, 0, "gorelink test --run (text)", r)
    harness.true(re.search(r"^ok   .*p-arm64\.test in an empty root under qemu-aarch64-static \(", r.out, re.M),
                 "the result line", r)
    # A failing test: its exit status 1, relayed.
    r = E.gorelink(["test", "--json", "--run", "-o", out, "./p"], cwd=d, env=cross_env(GOTEST_FAIL="1"))
    j = report(r)
    harness.eq((r.rc, j["exit"], j["ok"], j["test"]["exit"], j["test"]["interpreter"]), (1, 1, False, 1, qemu),
               "a failing test under qemu", r)
    harness.contains(r.err, "failing as asked on arm64", "the test's output", r)
    # On the host (in the package directory): under qemu too.
    r = E.gorelink(["test", "--json", "--run=host", "-o", out, "./p", "--", "-test.v"], cwd=d, env=cross_env())
    j = report(r)
    harness.eq((r.rc, j["test"]["ran_in"], j["test"]["interpreter"]), (0, "host", qemu), "--run=host under qemu", r)
    harness.eq(results(r.err).get("TestArm64"), "PASS", "TestArm64 on the host", r)
    # No qemu-aarch64-static in PATH: a clear failure, never a run on the host.
    for where in ("--run", "--run=host"):
        r = E.gorelink(["test", "--json", where, "-o", out, "./p", "--", "-test.v"], cwd=d,
                       env=cross_env(PATH=path_without_qemu()))
        j = report(r)
        harness.eq((r.rc, j["exit"], j["test"]["ran_in"], j["test"]["exit"], j["test"]["interpreter"]),
                   (2, 2, None, None, None), "%s without qemu-aarch64-static" % where, r)
        harness.contains(j["test"]["error"] or "", "qemu-user-static", "test.error names the package", r)
        harness.contains(r.err, "needs qemu-aarch64-static", "stderr", r)
        harness.true("=== RUN" not in r.out + r.err, "nothing ran", r)
    # A dynamically linked program of that name could not start in the empty root: refused.
    fake = E.scratch("dynamic-qemu")
    os.symlink(tool("true", "coreutils"), os.path.join(fake, "qemu-aarch64-static"))
    r = E.gorelink(["test", "--json", "--run", "-o", out, "./p"], cwd=d,
                   env=cross_env(PATH=fake + ":" + path_without_qemu()))
    j = report(r)
    harness.eq((r.rc, j["test"]["ran_in"], j["test"]["interpreter"]), (2, None, None),
               "a dynamically linked qemu-aarch64-static", r)
    harness.contains(j["test"]["error"] or "", "is dynamically linked", "test.error", r)
    return "%.2f s under qemu in the empty root" % run_secs


SLOW_UNDER_QEMU = ("TestQueryRowContextCancelParallel", "TestStress", "TestQueryRowContextCancel")


@test
def gotest_sqlite3_suite_arm64():
    tool("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu")
    qemu = tool("qemu-aarch64-static", "qemu-user-static")
    mod = E.scratch("sqlite3-suite-arm64")
    for fn in ("go.mod", "go.sum", "main.go"):
        shutil.copy(os.path.join(E.example("sqlite3"), fn), mod)
    st = os.path.join(mod, "arm64.test")
    env = E.base_env(GOARCH="arm64", CC="aarch64-linux-gnu-gcc")
    env.pop("CGO_ENABLED", None)
    skip = "^(%s)$" % "|".join(SLOW_UNDER_QEMU)
    r = E.gorelink(["test", "--json", "--run=root", "-o", st, SQLITE3, "--", "-tags", "timetzdata",
                    "-test.v", "-test.skip", skip], cwd=mod, env=env)
    j = report(r)
    harness.eq((j["verdict"], j["check"]["architecture"]), ("static", "aarch64"), "the arm64 test binary", r)
    t = j["test"]
    harness.eq((t["ran_in"], t["interpreter"]), ("empty-root", qemu), "run under qemu in the empty root", r)
    static = results(r.err)
    failed = sorted(n for n, v in static.items() if v == "FAIL")
    harness.eq(failed, [], "tests that fail static on arm64", r)
    passed = sum(1 for v in static.values() if v == "PASS")
    harness.true(passed >= 60, "at least 60 tests pass static on arm64 (%d)" % passed, r)
    harness.true(not any(n in static for n in SLOW_UNDER_QEMU), "the slow tests were skipped", r)
    harness.eq((r.rc, j["exit"], t["exit"]), (0, 0, 0), "exit statuses", r)
    return "%d/%d pass static on arm64 under qemu in an empty root; %.1f s run, %.1f s in all" % (
        passed, len(static), t["milliseconds"] / 1000.0, r.secs)


def main():
    args = harness.path_args("GORELINK SRCDIR WORKDIR")
    if args is None:
        return 2
    E.GORELINK, E.SRCDIR, workdir = args
    E.EXAMPLES = os.path.join(E.SRCDIR, "examples")
    os.makedirs(workdir, exist_ok=True)
    try:
        import jsonschema  # noqa: F401
    except ImportError:
        return harness.fail_early("python3-jsonschema is not installed (apt-get install python3-jsonschema)")
    E.SCRATCH = harness.make_scratch("gotest-e2e.", dir=workdir, mode=0o755)
    return SUITE.run(only_env="GOTEST_E2E_ONLY", timing=True, notes=True,
                     cleanup=lambda: harness.rmtree_forced(E.SCRATCH))


if __name__ == "__main__":
    sys.exit(main())
