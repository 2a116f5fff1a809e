#!/usr/bin/python3
"""rebuild_e2e.py GORELINK WORKDIR

`gorelink rebuild BINARY` (gorelink(1), REBUILD): dynamic Go binaries built
here with `go install MOD@VERSION`, rebuilt static, their build info compared:

  - local_proxy: a cgo module example.com/hello@v1.0.0 (with a dependency
    example.com/greet@v1.0.0) that the test writes as a file-system GOPROXY
    (MOD/@v/list, .info, .mod, .zip); installed with -tags, -ldflags and
    -trimpath; rebuilt: static (gorelink check), runs in an empty root
    (chroot) with the same output, the flags and the dependency carried over,
    rebuilt with go install MOD@VERSION: the main module line (path, version,
    sum) is the original's and the differences listed are exactly the
    linkage settings, the --json report valid against
    docs/schema/rebuild-v1.schema.json, the input untouched, no temporary
    directory left behind (local_proxy_trimpath: the same with -trimpath);
  - pinned_dependency: a binary built from a tagged git checkout whose
    dependency was upgraded past the module's go.mod: the rebuild pins it,
    is a go build of the copy ((devel)), and says why it is no go install;
  - other_go_toolchain: built with Debian's Go 1.19: kind toolchain, a warning,
    the main module line the original's; --go go1.19 itself (no go -C) is
    said clearly (exit 2);
  - tampered_source: the same version served with different content: the
    fetched sum is not the binary's: exit 1, OUT not created;
  - real_proxy_sqlite3: github.com/mattn/go-sqlite3's _example/simple, a
    real cgo program from the Go module proxy, installed with -tags
    libsqlite3 (dynamic: libsqlite3.so.0), rebuilt static with Debian's
    libsqlite3.a, runs in an empty root, its main module line the original's;
  - refusals (exit 3): a C binary (no build info), a build from a git tree
    with an uncommitted change (vcs.modified=true), a build from a local
    directory ((devel)); and exit 64 for a default output that is the input.

Needs go (golang), golang-1.19-go, gcc, git, chroot (coreutils), libsqlite3-dev and
python3-jsonschema; network access to the Go module proxy for
real_proxy_sqlite3.  Prints `ok NAME` / `FAIL NAME: reason`, then
`N passed, M failed`; exits 1 if any test failed.
REBUILD_E2E_ONLY=name,name runs only those tests.
"""

import json
import os
import shutil
import sys
import zipfile

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402  (tests/harness.py)
from harness import eq, true, contains  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA_PATH = os.path.join(HERE, "..", "docs", "schema", "rebuild-v1.schema.json")
TIMEOUT = 600
SQLITE3 = "github.com/mattn/go-sqlite3"
SQLITE3_VERSION = "v1.14.39"

GORELINK = None
WORK = None
SUITE = harness.Suite()
test = SUITE.test

HELLO_MAIN = r'''package main

/*
static int twice(int x) { return 2 * x; }
*/
import "C"

import (
	"fmt"

	"example.com/greet"
)

var who = "nobody"

func main() { fmt.Println(greet.Hello(who), int(C.twice(21)), tagged) }
'''
HELLO_TAG_ON = 'package main\n\nconst tagged = "tag on"\n'
HELLO_TAG_OFF = 'package main\n\nconst tagged = "tag off"\n'
GREET = 'package greet\n\nfunc Hello(who string) string { return "hello, " + who }\n'


def tool(name, package):
    p = shutil.which(name) or shutil.which(name, path="/usr/bin:/bin:/usr/sbin:/sbin:/usr/local/go/bin")
    true(p is not None, "%s not found: install the Debian package %s" % (name, package))
    return p


def write_module(proxy, mod, ver, files):
    """Serve mod@ver from the file-system proxy directory proxy."""
    d = os.path.join(proxy, mod, "@v")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "list"), "a") as f:
        f.write(ver + "\n")
    with open(os.path.join(d, ver + ".info"), "w") as f:
        json.dump({"Version": ver, "Time": "2024-01-01T00:00:00Z"}, f)
    with open(os.path.join(d, ver + ".mod"), "w") as f:
        f.write(files["go.mod"])
    with zipfile.ZipFile(os.path.join(d, ver + ".zip"), "w") as z:
        for name in sorted(files):
            z.writestr(zipfile.ZipInfo("%s@%s/%s" % (mod, ver, name), (2024, 1, 1, 0, 0, 0)), files[name])


def hello_files(tampered=False):
    return {"go.mod": "module example.com/hello\n\ngo 1.21\n\nrequire example.com/greet v1.0.0\n",
            "main.go": HELLO_MAIN,
            "tag_on.go": "//go:build mytag\n\n" + HELLO_TAG_ON,
            "tag_off.go": "//go:build !mytag\n\n" + HELLO_TAG_OFF,
            "extra.txt": "tampered\n" if tampered else "original\n"}


def proxy_env(name, proxy):
    """Go's environment for a local file-system proxy: its own module cache
    (under WORK/name), no checksum database, the installed toolchain."""
    d = os.path.join(WORK, name)
    env = harness.environ(("GOFLAGS", "CGO_CFLAGS", "CGO_CPPFLAGS", "CGO_LDFLAGS"), {
        "GOPROXY": "file://" + proxy, "GOSUMDB": "off", "GONOSUMDB": "example.com",
        "GOMODCACHE": os.path.join(d, "modcache"), "GOFLAGS": "-modcacherw",
        "GOTOOLCHAIN": "local", "CGO_ENABLED": "1", "LC_ALL": "C", "GOBIN": os.path.join(d, "bin"),
        "TMPDIR": os.path.join(d, "tmp")})
    os.makedirs(env["TMPDIR"], exist_ok=True)
    return env


def new_dir(*parts):
    d = os.path.join(WORK, *parts)
    harness.rmtree_forced(d) if os.path.exists(d) else None
    os.makedirs(d)
    return d


def proxy_with_hello(name, tampered=False):
    proxy = new_dir(name, "proxy")
    write_module(proxy, "example.com/greet", "v1.0.0",
                 {"go.mod": "module example.com/greet\n\ngo 1.21\n", "greet.go": GREET})
    write_module(proxy, "example.com/hello", "v1.0.0", hello_files(tampered))
    return proxy


def go_install(env, spec, *flags):
    r = harness.run([tool("go", "golang"), "install"] + list(flags) + [spec], TIMEOUT, cwd=WORK, env=env)
    eq(r.rc, 0, "go install %s" % spec, r)
    return os.path.join(env["GOBIN"], spec.split("@")[0].rsplit("/", 1)[-1])


def rebuild(env, *args, cwd=None):
    return harness.run([GORELINK, "rebuild"] + list(args), TIMEOUT, cwd=cwd or WORK, env=env)


def rebuild_json(env, *args, cwd=None):
    r = rebuild(env, "--json", *args, cwd=cwd)
    try:
        obj = json.loads(r.out)
    except ValueError as e:
        raise AssertionError("rebuild --json is no JSON (%s)\n%r" % (e, r))
    errs = list(harness.schema_validator(SCHEMA_PATH).iter_errors(obj))
    true(not errs, "rebuild --json against the schema: %s" % "; ".join(e.message for e in errs[:3]), r)
    return obj, r


def verdict(path):
    r = harness.run([GORELINK, "check", "--json", path], 120)
    return json.loads(r.out)["verdict"], r


def run_in_empty_root(name, binary):
    root = new_dir(name, "root")
    shutil.copyfile(binary, os.path.join(root, "prog"))
    os.chmod(os.path.join(root, "prog"), 0o755)
    argv = [tool("chroot", "coreutils"), root, "/prog"]
    if os.geteuid() != 0:
        argv = [tool("unshare", "util-linux"), "--user", "--map-root-user"] + argv
    return harness.run(argv, 60, cwd=root, env={})


def diffs(obj):
    return {d["what"]: d for d in obj["differences"]}


def listed(obj):
    """The differences as (what, kind) pairs, in the report's order."""
    return [(d["what"], d["kind"]) for d in obj["differences"]]


def mod_line(path, go=None):
    """The main module line of path's build info (go version -m): mod PATH VERSION SUM."""
    r = harness.run([go or tool("go", "golang"), "version", "-m", path], 60)
    eq(r.rc, 0, "go version -m %s" % path, r)
    lines = [ln.split("\t")[2:] for ln in r.out.splitlines() if ln.startswith("\tmod\t")]
    eq(len(lines), 1, "one mod line in %s's build info" % path, r)
    return lines[0]


def installed(obj, r):
    """The rebuild was a go install MOD@VERSION: no reason for a copy."""
    eq((obj["method"], obj["method_why"]), ("install", None), "rebuilt with go install MOD@VERSION", r)


# ------------------------------------------------------------------ tests

@test
def local_proxy():
    env = proxy_env("local_proxy", proxy_with_hello("local_proxy"))
    old = go_install(env, "example.com/hello@v1.0.0", "-tags=mytag", "-ldflags=-X main.who=proxy")
    want = harness.run([old], 30).out
    eq(want, "hello, proxy 42 tag on\n", "the installed binary's output")
    v, r = verdict(old)
    eq(v, "dynamic", "the installed binary's verdict", r)
    before = open(old, "rb").read()
    out = new_dir("local_proxy", "out")
    obj, r = rebuild_json(env, old, cwd=out)
    eq((r.rc, obj["exit"], obj["ok"], obj["refused"]), (0, 0, True, False), "rebuild status", r)
    new = os.path.join(out, "hello")
    eq(obj["out"], new, "out: BINARY's name in the current directory", r)
    eq(open(old, "rb").read(), before, "the input binary is untouched")
    v, r2 = verdict(new)
    eq(v, "static", "the rebuilt binary's verdict", r2)
    eq(run_in_empty_root("local_proxy", new).out, want, "the rebuilt binary's output in an empty root")
    eq((obj["module"], obj["version"], obj["package"]), ("example.com/hello", "v1.0.0", "example.com/hello"),
       "module, version, package", r)
    eq(obj["pinned"], ["example.com/greet@v1.0.0"], "dependencies pinned", r)
    eq(obj["go_flags"], ["-tags=mytag", "-ldflags=-X main.who=proxy"], "go flags carried over", r)
    eq(obj["warnings"], [], "warnings", r)
    d = diffs(obj)
    eq(obj["unexpected"], 0, "unexpected differences", r)
    installed(obj, r)
    # The main module line is the original's (go install MOD@VERSION stamps
    # path, version and sum); only the link's settings differ, each listed.
    eq(mod_line(new), ["example.com/hello", "v1.0.0", obj["fetched_sum"]], "the rebuilt binary's mod line")
    eq(mod_line(new), mod_line(old), "the main module line is identical")
    eq(listed(obj), [("build -ldflags", "linkage"), ("build -tags", "linkage"), ("build CGO_CPPFLAGS", "linkage")],
       "the differences listed: the linkage settings only", r)
    eq((d["build -ldflags"]["old"], d["build -ldflags"]["kind"]), ("-X main.who=proxy", "linkage"),
       "-ldflags difference", r)
    eq((d["build -tags"]["old"], d["build -tags"]["new"]), ("mytag", "mytag,netgo,osusergo"), "-tags", r)
    eq(os.listdir(env["TMPDIR"]), [], "temporary directories removed")
    # The human report lists the same differences.
    r = rebuild(env, "-o", os.path.join(out, "hello2"), old)
    eq(r.rc, 0, "rebuild without --json", r)
    contains(r.out, "3 differences, all expected", "summary line", r)
    contains(r.out, 'build -ldflags: "-X main.who=proxy" -> ', "-ldflags line", r)
    contains(r.err, "building with go install example.com/hello@v1.0.0", "the method is said", r)
    eq(mod_line(os.path.join(out, "hello2")), mod_line(old), "the main module line is identical (text mode)")


@test
def local_proxy_trimpath():
    """Go leaves -ldflags and CGO_*FLAGS out of a -trimpath build: said, not guessed."""
    env = proxy_env("local_proxy_trimpath", proxy_with_hello("local_proxy_trimpath"))
    old = go_install(env, "example.com/hello@v1.0.0", "-trimpath", "-ldflags=-X main.who=proxy")
    out = new_dir("local_proxy_trimpath", "out")
    obj, r = rebuild_json(env, old, cwd=out)
    eq((r.rc, obj["unexpected"]), (0, 0), "rebuild status", r)
    eq(obj["go_flags"], ["-trimpath"], "go flags: -trimpath, no -ldflags to carry", r)
    installed(obj, r)
    eq(mod_line(obj["out"]), mod_line(old), "the main module line is identical")
    eq(listed(obj), [("build -tags", "linkage")], "the differences listed: the linkage settings only", r)
    eq(len(obj["warnings"]), 1, "one warning", r)
    contains(obj["warnings"][0], "-trimpath", "the warning", r)
    eq(run_in_empty_root("local_proxy_trimpath", obj["out"]).out, "hello, nobody 42 tag off\n",
       "the rebuilt binary lost the -X value, as warned")
    r = rebuild(env, "--dry-run", old, cwd=out)
    contains(r.err, "warning: built with -trimpath", "the warning without --json", r)


@test
def pinned_dependency():
    """A binary whose dependency version is not its module's go.mod's (built from
    a tagged git checkout with greet upgraded): the rebuild pins greet v1.1.0."""
    name = "pinned_dependency"
    proxy = proxy_with_hello(name)
    write_module(proxy, "example.com/greet", "v1.1.0",
                 {"go.mod": "module example.com/greet\n\ngo 1.21\n",
                  "greet.go": GREET.replace('"hello, "', '"hi, "')})
    env = proxy_env(name, proxy)
    src = new_dir(name, "src")
    for n, text in hello_files().items():
        with open(os.path.join(src, n), "w") as f:
            f.write(text.replace("greet v1.0.0", "greet v1.1.0"))
    git = tool("git", "git")
    go = tool("go", "golang")
    harness.must([git, "init", "-q"], 60, cwd=src)
    r = harness.run([go, "mod", "tidy"], TIMEOUT, cwd=src, env=env)
    eq(r.rc, 0, "go mod tidy", r)
    for argv in (["add", "."], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"],
                 ["tag", "v1.0.0"]):
        harness.must([git] + argv, 60, cwd=src)
    r = harness.run([go, "build", "-buildvcs=true", "-o", "hello", "."], TIMEOUT, cwd=src, env=env)
    eq(r.rc, 0, "go build in the tagged checkout", r)
    old = os.path.join(src, "hello")
    eq(harness.run([old], 30).out, "hi, nobody 42 tag off\n", "the original's output")
    out = new_dir(name, "out")
    obj, r = rebuild_json(env, old, cwd=out)
    eq((r.rc, obj["unexpected"], obj["version"]), (0, 0, "v1.0.0"), "rebuild status", r)
    eq(obj["pinned"], ["example.com/greet@v1.1.0"], "pinned to the binary's version", r)
    true("dep example.com/greet" not in diffs(obj), "the dependency is the same", r)
    eq(diffs(obj)["mod"]["kind"], "source", "no sum to compare: source", r)
    contains(diffs(obj)["mod"]["why"], "records no sum", "why", r)
    # go install example.com/hello@v1.0.0 would select greet v1.0.0: a go build
    # of the pinned copy, (devel), and the reason is in the report and the difference.
    why = "dependency example.com/greet is v1.1.0 in the binary, but go install example.com/hello@v1.0.0 selects v1.0.0"
    eq(obj["method"], "build", "rebuilt with go build in the pinned copy", r)
    contains(obj["method_why"], why, "why not go install", r)
    eq(diffs(obj)["mod"]["new"], "(devel)", "the copy's main module reads (devel)", r)
    contains(diffs(obj)["mod"]["why"], why, "the main module's difference names the reason", r)
    eq(run_in_empty_root(name, obj["out"]).out, "hi, nobody 42 tag off\n", "the rebuilt binary's output")


@test
def other_go_toolchain():
    """Built with Debian's Go 1.19, rebuilt with the go on PATH: listed as toolchain, not refused."""
    go119 = "/usr/lib/go-1.19/bin/go"
    true(os.path.exists(go119), "%s missing: install the Debian package golang-1.19-go" % go119)
    env = proxy_env("other_go_toolchain", proxy_with_hello("other_go_toolchain"))
    r = harness.run([go119, "install", "example.com/hello@v1.0.0"], TIMEOUT, cwd=WORK, env=env)
    eq(r.rc, 0, "go1.19 install", r)
    old = os.path.join(env["GOBIN"], "hello")
    obj, r = rebuild_json(env, "--dry-run", old, cwd=new_dir("other_go_toolchain", "out"))
    eq((r.rc, obj["unexpected"], obj["out"]), (0, 0, None), "rebuild status (dry run)", r)
    d = diffs(obj)
    eq(d["go"]["kind"], "toolchain", "the go difference", r)
    true(d["go"]["old"].startswith("go1.19"), "the original Go", r)
    eq(d["build DefaultGODEBUG"]["kind"], "toolchain", "DefaultGODEBUG follows the release", r)
    true(any("go1.19" in w for w in obj["warnings"]), "a warning names the original Go", r)
    installed(obj, r)
    true("mod" not in d, "the main module line is the same", r)
    eq(listed(obj), [("go", "toolchain"), ("build CGO_CPPFLAGS", "linkage"), ("build -buildmode", "toolchain"),
                     ("build -ldflags", "linkage"), ("build -tags", "linkage"), ("build DefaultGODEBUG", "toolchain")],
       "the differences listed: the toolchain's and the link's", r)
    # Not a dry run: the binary's mod line is the Go 1.19 original's.
    new = os.path.join(WORK, "other_go_toolchain", "out", "hello")
    obj, r = rebuild_json(env, "-o", new, old)
    eq((r.rc, obj["unexpected"]), (0, 0), "rebuild status", r)
    eq(mod_line(new), mod_line(old, go119), "the main module line is identical")
    # Go 1.19 itself cannot drive a rebuild (no go -C): said clearly, exit 2, nothing left behind.
    obj, r = rebuild_json(env, "--go", go119, "-o", new + ".119", old)
    eq((r.rc, obj["refused"], obj["compared"]), (2, False, False), "rebuild with --go go1.19", r)
    contains(obj["error"], "older than Go 1.20", "the reason", r)
    contains(obj["error"], "needs Go 1.20 or later", "the remedy", r)
    true(not os.path.exists(new + ".119"), "no OUT")
    eq(os.listdir(env["TMPDIR"]), [], "temporary directories removed")


@test
def tampered_source():
    env = proxy_env("tampered_source", proxy_with_hello("tampered_source"))
    old = go_install(env, "example.com/hello@v1.0.0")
    # The same version, different content, from a fresh module cache.
    env2 = proxy_env("tampered_source2", proxy_with_hello("tampered_source2", tampered=True))
    out = new_dir("tampered_source", "out")
    obj, r = rebuild_json(env2, old, cwd=out)
    eq((r.rc, obj["ok"]), (1, False), "rebuild of a different source fails", r)
    eq(obj["out"], None, "no out", r)
    eq(os.listdir(out), [], "OUT not created (nor its temporary)")
    d = diffs(obj)
    eq(d["mod"]["kind"], "unexpected", "the main module's sum differs", r)
    true(obj["fetched_sum"] not in d["mod"]["old"], "the fetched sum is not the binary's", r)
    installed(obj, r)
    eq(d["mod"]["new"], "v1.0.0 " + obj["fetched_sum"], "the rebuild is stamped with the fetched version and sum", r)


@test
def real_proxy_sqlite3():
    tool("gcc", "gcc")
    true(os.path.exists("/usr/lib/x86_64-linux-gnu/libsqlite3.a") or
         os.path.exists("/usr/lib/libsqlite3.a"), "libsqlite3.a missing: install libsqlite3-dev")
    d = new_dir("real_proxy_sqlite3")
    env = harness.environ(("GOFLAGS",), {"GOTOOLCHAIN": "local", "CGO_ENABLED": "1", "LC_ALL": "C",
                                         "GOBIN": os.path.join(d, "bin"), "TMPDIR": os.path.join(d, "tmp")})
    os.makedirs(env["TMPDIR"])
    old = go_install(env, "%s/_example/simple@%s" % (SQLITE3, SQLITE3_VERSION), "-tags=libsqlite3")
    v, r = verdict(old)
    eq(v, "dynamic", "the installed binary's verdict", r)
    out = os.path.join(d, "simple.static")
    obj, r = rebuild_json(env, "-o", out, old)
    eq((r.rc, obj["unexpected"]), (0, 0), "rebuild status", r)
    v, r2 = verdict(out)
    eq(v, "static", "the rebuilt binary's verdict", r2)
    run = run_in_empty_root("real_proxy_sqlite3", out)
    eq(run.rc, 0, "the rebuilt binary runs in an empty root", run)
    contains(run.out, "99 こんにちは世界099", "its output", run)
    eq(diffs(obj)["build -tags"]["new"], "libsqlite3,netgo,osusergo", "tags carried over", r)
    installed(obj, r)
    eq(mod_line(out), mod_line(old), "the main module line is identical")
    eq(mod_line(out)[:2], [SQLITE3, SQLITE3_VERSION], "the main module is go-sqlite3 at its version")
    eq(listed(obj), [("build -tags", "linkage"), ("build CGO_CPPFLAGS", "linkage"), ("build -ldflags", "linkage")],
       "the differences listed: the linkage settings only", r)
    eq(os.listdir(env["TMPDIR"]), [], "temporary directories removed")


@test
def fetch_fails():
    """The module proxy cannot serve the version: exit 2, go's reason, nothing left behind."""
    env = proxy_env("fetch_fails", proxy_with_hello("fetch_fails"))
    old = go_install(env, "example.com/hello@v1.0.0")
    env2 = proxy_env("fetch_fails2", new_dir("fetch_fails2", "proxy"))  # an empty proxy, a fresh cache
    out = new_dir("fetch_fails", "out")
    obj, r = rebuild_json(env2, old, cwd=out)
    eq((r.rc, obj["refused"], obj["compared"]), (2, False, False), "rebuild status", r)
    contains(obj["error"], "mod download", "the failing step", r)
    contains(obj["error"], "example.com/hello@v1.0.0", "what it fetched", r)
    eq(os.listdir(out), [], "nothing written")
    eq(os.listdir(env2["TMPDIR"]), [], "temporary directories removed")


@test
def refuse_no_buildinfo():
    d = new_dir("refuse_no_buildinfo")
    with open(os.path.join(d, "c.c"), "w") as f:
        f.write("int main(void) { return 0; }\n")
    harness.must([tool("gcc", "gcc"), "-o", "cbin", "c.c"], 120, cwd=d)
    obj, r = rebuild_json(None, os.path.join(d, "cbin"), cwd=d)
    eq((r.rc, obj["refused"]), (3, True), "a C binary is refused", r)
    contains(obj["error"], "no Go build info", "the reason", r)
    r = rebuild(None, os.path.join(d, "cbin"), cwd=d)
    eq(r.rc, 3, "exit status without --json", r)
    contains(r.err, "refused: ", "the message", r)


def local_module(d, name):
    with open(os.path.join(d, "go.mod"), "w") as f:
        f.write("module example.com/%s\n\ngo 1.21\n" % name)
    with open(os.path.join(d, "main.go"), "w") as f:
        f.write('package main\n\nimport "C"\n\nfunc main() {}\n')


def go_build_here(d, *flags):
    env = harness.environ(("GOFLAGS",), {"GOTOOLCHAIN": "local", "CGO_ENABLED": "1"})
    r = harness.run([tool("go", "golang"), "build"] + list(flags) + ["-o", "prog", "."], TIMEOUT, cwd=d, env=env)
    eq(r.rc, 0, "go build", r)
    return os.path.join(d, "prog")


@test
def refuse_dirty():
    d = new_dir("refuse_dirty")
    local_module(d, "dirty")
    git = tool("git", "git")
    for argv in (["init", "-q"], ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"]):
        harness.must([git] + argv, 60, cwd=d)
    with open(os.path.join(d, "main.go"), "a") as f:
        f.write("\n// an uncommitted change\n")
    prog = go_build_here(d, "-buildvcs=true")
    obj, r = rebuild_json(None, prog, cwd=d)
    eq((r.rc, obj["refused"]), (3, True), "a dirty-tree build is refused", r)
    contains(obj["error"], "vcs.modified=true", "the reason", r)


@test
def refuse_devel():
    d = new_dir("refuse_devel")
    local_module(d, "devel")
    prog = go_build_here(d, "-buildvcs=false")
    obj, r = rebuild_json(None, prog, cwd=d)
    eq((r.rc, obj["refused"]), (3, True), "a (devel) build is refused", r)
    contains(obj["error"], "(devel)", "the reason", r)


@test
def refuse_overwrite_input():
    env = proxy_env("refuse_overwrite_input", proxy_with_hello("refuse_overwrite_input"))
    old = go_install(env, "example.com/hello@v1.0.0")
    before = open(old, "rb").read()
    obj, r = rebuild_json(env, "hello", cwd=os.path.dirname(old))
    eq(r.rc, 64, "the default output would be the input", r)
    contains(obj["error"], "-o", "the remedy", r)
    eq(open(old, "rb").read(), before, "the input binary is untouched")


def main():
    global GORELINK, WORK
    if len(sys.argv) != 3:
        sys.stderr.write("usage: rebuild_e2e.py GORELINK WORKDIR\n")
        return 64
    GORELINK = os.path.abspath(sys.argv[1])
    WORK = os.path.abspath(sys.argv[2])
    os.makedirs(WORK, exist_ok=True)
    return SUITE.run(only_env="REBUILD_E2E_ONLY")


if __name__ == "__main__":
    sys.exit(main())
