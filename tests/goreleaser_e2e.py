#!/usr/bin/env python3
"""goreleaser_e2e.py GORELINK SRCDIR WORKDIR

End-to-end tests of releasing a cgo program with goreleaser v2 through
gorelink (issue 17; docs/goreleaser.md, examples/goreleaser):

 1. goreleaser_snapshot: `goreleaser build --snapshot` with
    examples/goreleaser/.goreleaser.yaml as shipped (builds[].tool:
    gorelink-go, a link to gorelink; GORELINK_FLAGS=--static; CC per target
    through a template) builds linux/amd64 (zlib through pkg-config) and
    linux/arm64 (cross, aarch64-linux-gnu-gcc): both static, checked, carrying
    gorelink's manifest note (so gorelink linked them), the amd64 one runs in
    an empty root and the arm64 one under qemu-aarch64-static in an empty
    root.  The release gate `gorelink check -R dist/ --json` passes on that
    dist/ (exit 0, every binary static) and fails (exit 1) once a dynamic
    binary is planted in it.
 2. goreleaser_failed_static_link: the same project with a library that has
    only a shared object (no archive): goreleaser exits non-zero, its output
    names the library, and dist/ holds no amd64 binary.
 3. goreleaser_hook_gate: the yaml's post hook (`gorelink check`) is the gate
    even for a build without gorelink: with tool: go (plain go build, a
    dynamic binary) goreleaser fails on the hook.
 4. go_front_argv: `gorelink go` / `gorelink-go`: go build's flag forms
    (-flag VALUE, -flag=VALUE, booleans) reach the build (-tags, -ldflags -X),
    env/version pass through to go, and what it refuses is refused with exit
    64 (no package, two packages, a flag after the package, -C, `go test`,
    `go run`, a quoted GORELINK_FLAGS).
 5. dockerfile_scratch_recipe: examples/goreleaser/Dockerfile's builder stage
    runs build.sh and its final stage is FROM scratch with only the binary;
    the test runs build.sh (the very script) and stands in for the image with
    an empty root holding only the binary, where it runs.

goreleaser itself is built once from the module proxy into a throwaway tool
module (`go get -tool github.com/goreleaser/goreleaser/v2@v2.17.0`, then
`go build`), and its binary cached in WORKDIR/../goreleaser-bin/v2.17.0
(the build tree): later runs take seconds.  Needs go, git, gcc, pkg-config,
zlib1g-dev, gcc-aarch64-linux-gnu, qemu-user-static, binutils (readelf),
python3-jsonschema and network access to the Go module proxy (or a warm
GOMODCACHE).  GORELEASER_E2E_ONLY=NAME,... runs only those tests.
"""

import glob
import json
import os
import re
import shutil
import sys

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import relink_e2e as E  # noqa: E402  (its helpers: run, gorelink, scratch, readelf...)

SUITE = harness.Suite()
test = SUITE.test

GORELEASER_VERSION = "v2.17.0"
GORELEASER_MODULE = "github.com/goreleaser/goreleaser/v2"
GORELEASER_TIMEOUT = 1200
CACHE = None       # the directory that holds goreleaser binaries, per version
_goreleaser = {}
_bindir = {}


def tool(name, package):
    p = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin:/usr/bin:/bin")
    assert p, "%s is not installed (apt-get install %s; scripts/setup does)" % (name, package)
    return p


def goreleaser():
    """The goreleaser binary of GORELEASER_VERSION: cached, or built from the
    module proxy into a throwaway tool module (go get -tool)."""
    if "path" in _goreleaser:
        return _goreleaser["path"]
    tool("go", "golang-go")
    tool("git", "git")
    d = os.path.join(CACHE, GORELEASER_VERSION)
    exe = os.path.join(d, "goreleaser")
    if not os.access(exe, os.X_OK):
        os.makedirs(d, exist_ok=True)
        mod = E.scratch("goreleaser-tool")
        env = E.base_env(GOFLAGS="-buildvcs=false", GOWORK="off")
        r = E.run(["go", "mod", "init", "example.com/goreleaser-tool"], cwd=mod, env=env)
        assert r.rc == 0, "go mod init\n%r" % r
        r = E.run(["go", "get", "-tool", "%s@%s" % (GORELEASER_MODULE, GORELEASER_VERSION)],
                  cwd=mod, env=env, timeout=GORELEASER_TIMEOUT)
        assert r.rc == 0, "go get -tool %s@%s (needs the Go module proxy)\n%r" % (
            GORELEASER_MODULE, GORELEASER_VERSION, r)
        tmp = exe + ".tmp.%d" % os.getpid()
        r = E.run(["go", "build", "-ldflags=-s -w", "-o", tmp, GORELEASER_MODULE], cwd=mod, env=env,
                  timeout=GORELEASER_TIMEOUT)
        assert r.rc == 0, "go build goreleaser\n%r" % r
        os.rename(tmp, exe)
        print("note: built goreleaser %s in %.0f s (cached in %s)" % (GORELEASER_VERSION, r.secs, d))
    r = E.run(["go", "version", "-m", exe], cwd=CACHE, timeout=E.RUN_TIMEOUT)
    assert r.rc == 0 and re.search(r"(?m)^\s+(mod|dep)\s+%s\s+%s\s" % (re.escape(GORELEASER_MODULE), re.escape(
        GORELEASER_VERSION)), r.out), "go version -m %s: want %s %s\n%r" % (
        exe, GORELEASER_MODULE, GORELEASER_VERSION, r)
    r = E.run([exe, "--version"], cwd=CACHE, timeout=E.RUN_TIMEOUT)
    assert r.rc == 0 and GORELEASER_VERSION.lstrip("v") in r.out + r.err, (
        "goreleaser --version: want %s\n%r" % (GORELEASER_VERSION, r))
    _goreleaser["path"] = exe
    return exe


def bindir():
    """A directory with gorelink and gorelink-go (a link to it), as installed."""
    if "d" not in _bindir:
        d = E.scratch("bin")
        os.symlink(E.GORELINK, os.path.join(d, "gorelink"))
        os.symlink(E.GORELINK, os.path.join(d, "gorelink-go"))
        _bindir["d"] = d
    return _bindir["d"]


def env_with_gorelink(**changes):
    return E.base_env(PATH=bindir() + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin"), **changes)


def project(tag, extra=None, yaml_edit=None):
    """A copy of examples/goreleaser in its own git repository (goreleaser
    reads the commit), with EXTRA files added and the yaml edited."""
    d = os.path.join(E.scratch("proj-" + tag), "zdemo")
    shutil.copytree(os.path.join(E.EXAMPLES, "goreleaser"), d, symlinks=True)
    for name, text in (extra or {}).items():
        p = os.path.join(d, name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
    if yaml_edit:
        y = os.path.join(d, ".goreleaser.yaml")
        with open(y) as f:
            text = f.read()
        new = yaml_edit(text)
        assert new != text, "the yaml edit changed nothing"
        with open(y, "w") as f:
            f.write(new)
    env = E.base_env(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
                     GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    for argv in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "zdemo"]):
        r = E.run(argv, cwd=d, env=env, timeout=E.RUN_TIMEOUT)
        assert r.rc == 0, "%s\n%r" % (" ".join(argv), r)
    return d


def release(d, env=None):
    return E.run([goreleaser(), "build", "--snapshot", "--clean"], cwd=d,
                 env=env or env_with_gorelink(), timeout=GORELEASER_TIMEOUT)


def dist_binary(d, arch):
    found = glob.glob(os.path.join(d, "dist", "zdemo_linux_%s*" % arch, "zdemo"))
    assert len(found) <= 1, "more than one %s binary: %r" % (arch, found)
    return found[0] if found else None


def gate(d):
    """`gorelink check -R dist/ --json`: (rc, {path: verdict})."""
    r = E.gorelink(["check", "-R", "dist/", "--json"], cwd=d, timeout=E.RUN_TIMEOUT)
    verdicts = {}
    for line in r.out.splitlines():
        if line.strip():
            obj = E.schema_valid(json.loads(line), "check-v2.schema.json", "gorelink check -R --json", r)
            verdicts[obj["path"]] = obj["verdict"]
    return r, verdicts


@test
def goreleaser_snapshot():
    tool("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu")
    tool("qemu-aarch64-static", "qemu-user-static")
    tool("pkg-config", "pkgconf")
    assert os.path.exists("/usr/lib/x86_64-linux-gnu/libz.a") or E.run(
        ["pkg-config", "--exists", "zlib"], timeout=E.RUN_TIMEOUT).rc == 0, (
        "zlib is not installed (apt-get install zlib1g-dev)")
    d = project("snapshot")
    r = release(d)
    assert r.rc == 0, "goreleaser build --snapshot\n%r" % r
    amd64, arm64 = dist_binary(d, "amd64"), dist_binary(d, "arm64")
    assert amd64 and arm64, "dist/ lacks a binary: %r\n%r" % (sorted(os.listdir(os.path.join(d, "dist"))), r)
    for path, arch in ((amd64, "x86-64"), (arm64, "aarch64")):
        rc, obj = E.check_cli(path)
        assert rc == 0 and obj["verdict"] == "static" and obj["pass"] is True, (
            "gorelink check %s: rc %d %r" % (path, rc, obj))
        assert obj["architecture"] == arch, "%s: architecture %r, want %s" % (path, obj["architecture"], arch)
        elf = E.readelf(path)
        assert elf["interp"] is None and elf["needed"] == [], "readelf %s: %r" % (path, elf)
        desc, _ = E.manifest_note(path)
        assert desc, "%s carries no gorelink manifest note: gorelink did not link it" % path
    res, root = E.run_in_empty_root(amd64, name="zdemo")
    assert res.rc == 0 and re.match(r"zdemo \S+-next: zlib \d+\.\d+.*, abs\(-42\)=42$", res.out.strip()), (
        "amd64 in an empty root: %r" % res)
    assert root == ["zdemo"], "the empty root holds %r" % root
    res = E.run_arm64_in_empty_root(arm64)
    assert res.rc == 0 and re.match(r"zdemo \S+-next: libm sqrt\(2\)=1\.414, abs\(-42\)=42$", res.out.strip()), (
        "arm64 under qemu in an empty root: %r" % res)
    # The release gate over goreleaser's dist/.
    g, verdicts = gate(d)
    assert g.rc == 0, "gorelink check -R dist/ --json on a static dist/\n%r" % g
    assert sorted(os.path.basename(os.path.dirname(p)) for p in verdicts) == sorted(
        os.path.basename(os.path.dirname(p)) for p in (amd64, arm64)), "the gate saw %r" % verdicts
    assert set(verdicts.values()) == {"static"}, "verdicts %r" % verdicts
    planted = os.path.join(d, "dist", "planted", "dyn")
    os.makedirs(os.path.dirname(planted))
    shutil.copyfile(tool("true", "coreutils"), planted)
    os.chmod(planted, 0o755)
    g, verdicts = gate(d)
    assert g.rc == 1, "gorelink check -R dist/ with a dynamic binary planted: want exit 1\n%r" % g
    assert verdicts.get("dist/planted/dyn") == "dynamic", "verdicts %r" % verdicts


SHARED_ONLY = {
    "lib/grdemo.c": "int grdemo_answer(void) { return 42; }\n",
    "grdemo_amd64.go": """//go:build amd64

package main

// #cgo LDFLAGS: -L${SRCDIR}/lib -lgrdemo
// int grdemo_answer(void);
import "C"

var _ = C.grdemo_answer
""",
}


@test
def goreleaser_failed_static_link():
    d = project("failed", extra=SHARED_ONLY,
                yaml_edit=lambda y: y.replace("      - amd64\n      - arm64\n", "      - amd64\n"))
    lib = os.path.join(d, "lib")
    r = E.run(["gcc", "-shared", "-fPIC", "-o", os.path.join(lib, "libgrdemo.so"),
               os.path.join(lib, "grdemo.c")], cwd=lib, timeout=E.RUN_TIMEOUT)
    assert r.rc == 0, "gcc -shared\n%r" % r
    # go build alone links it (dynamically): only the static link can fail.
    plain = os.path.join(E.scratch("plain"), "zdemo")
    r = E.run(["go", "build", "-o", plain, "."], cwd=d, env=E.base_env(CGO_ENABLED="1"))
    assert r.rc == 0, "plain go build\n%r" % r
    r = release(d)
    assert r.rc != 0, "goreleaser succeeded although libgrdemo has no archive\n%r" % r
    assert "no static archive for -lgrdemo" in r.out + r.err, (
        "goreleaser's output does not relay gorelink's reason\n%r" % r)
    assert dist_binary(d, "amd64") is None, "dist/ holds an amd64 binary after the failed link"


@test
def goreleaser_hook_gate():
    d = project("hook", yaml_edit=lambda y: y.replace("tool: gorelink-go", "tool: go").replace(
        "      - amd64\n      - arm64\n", "      - amd64\n"))
    r = release(d)
    assert r.rc != 0, "goreleaser passed a dynamic binary through the post hook\n%r" % r
    assert "post hook failed" in r.out + r.err and ": dynamic (ELF" in r.out + r.err, (
        "goreleaser's output does not show the failing gate\n%r" % r)
    amd64 = dist_binary(d, "amd64")
    assert amd64, "plain go build made no binary\n%r" % r
    rc, obj = E.check_cli(amd64)
    assert rc == 1 and obj["verdict"] == "dynamic", "the plain go binary: rc %d %r" % (rc, obj)


@test
def go_front_argv():
    d = project("front")
    env = env_with_gorelink()
    front = os.path.join(bindir(), "gorelink-go")
    out = os.path.join(E.scratch("front-out"), "zdemo")
    # go build's flag forms, as goreleaser writes them and as people do.
    r = E.run([front, "build", "-trimpath", "-tags", "netgo", "-ldflags=-s -w -X main.version=v9.8.7",
               "-o", out, "."], cwd=d, env=env)
    assert r.rc == 0, "gorelink-go build\n%r" % r
    E.assert_static(out)
    res, _ = E.run_in_empty_root(out, name="zdemo")
    assert res.rc == 0 and res.out.startswith("zdemo v9.8.7: zlib "), "-ldflags -X did not arrive: %r" % res
    # gorelink go (the subcommand) is the same front; GORELINK_FLAGS reaches gorelink.
    out2 = os.path.join(E.scratch("front-out"), "zdemo")
    r = E.run([E.GORELINK, "go", "build", "-o=" + out2, "."], cwd=d,
              env=env_with_gorelink(GORELINK_FLAGS="--static-pie --no-manifest"))
    assert r.rc == 0, "gorelink go build\n%r" % r
    E.assert_static(out2, pie=True)
    assert E.manifest_note(out2)[0] is None, "--no-manifest from GORELINK_FLAGS was not applied"
    # Passed through to go.
    for args in (["version"], ["env", "GOARCH"]):
        want = E.run(["go"] + args, cwd=d, env=env)
        got = E.run([front] + args, cwd=d, env=env)
        assert got.rc == 0 and got.out == want.out, "gorelink-go %s: %r, go says %r" % (args, got, want)
    # Refused, with exit 64 and a reason.
    for args, word, extra in (
            (["build", "-o", out], "which package", {}),
            (["build", ".", "./other"], "one package only", {}),
            (["build", ".", "-v"], "after the package", {}),
            (["build", "-C", "/tmp", "."], "-C", {}),
            (["build", "-o"], "needs a value", {}),
            (["test", "-c", "."], "gorelink test", {}),
            (["run", "."], "not accepted", {}),
            (["build", "."], "no quotes", {"GORELINK_FLAGS": "--pkg 'zlib'"})):
        r = E.run([front] + args, cwd=d, env=env_with_gorelink(**extra))
        assert r.rc == 64 and word in r.err, "gorelink-go %s: want 64 and %r\n%r" % (args, word, r)
    r = E.run([front, "--help"], cwd=d, env=env)
    assert r.rc == 0 and "GORELINK_FLAGS" in r.out, "gorelink-go --help\n%r" % r


@test
def dockerfile_scratch_recipe():
    src = os.path.join(E.EXAMPLES, "goreleaser")
    with open(os.path.join(src, "Dockerfile")) as f:
        dockerfile = f.read()
    stages = re.split(r"(?m)^FROM ", dockerfile)[1:]
    assert len(stages) == 2, "want a builder stage and a final stage, got %d" % len(stages)
    builder, final = stages
    runs = re.findall(r"(?m)^RUN (.*)$", builder)
    assert runs and runs[-1] == "./build.sh /out/zdemo", "the builder's last RUN is %r" % runs[-1:]
    assert final.startswith("scratch\n"), "the final stage is FROM %r" % final.split("\n")[0]
    assert re.findall(r"(?m)^(COPY|RUN|ADD) .*$", final) == ["COPY"], "the final stage does more than one COPY"
    assert "COPY --from=builder /out/zdemo /zdemo\n" in final, "the final stage copies %r" % final
    assert 'ENTRYPOINT ["/zdemo"]' in final, "the final stage's entrypoint"
    # The builder's step, as the Dockerfile runs it (WORKDIR /src, COPY . .).
    d = project("docker")
    out = os.path.join(E.scratch("docker-out"), "out", "zdemo")
    r = E.run(["./build.sh", out], cwd=d, env=env_with_gorelink())
    assert r.rc == 0, "./build.sh\n%r" % r
    E.assert_static(out)
    # The image FROM scratch, stood in for by an empty root holding /zdemo.
    res, root = E.run_in_empty_root(out, name="zdemo")
    assert res.rc == 0 and re.match(r"zdemo dev: zlib \d", res.out), "in the empty root: %r" % res
    assert root == ["zdemo"], "the root holds %r" % root
    # A failing build fails the step (set -e): no archive for a library.
    d = project("docker-fail", extra=SHARED_ONLY)
    lib = os.path.join(d, "lib")
    r = E.run(["gcc", "-shared", "-fPIC", "-o", os.path.join(lib, "libgrdemo.so"),
               os.path.join(lib, "grdemo.c")], cwd=lib, timeout=E.RUN_TIMEOUT)
    assert r.rc == 0, "gcc -shared\n%r" % r
    out = os.path.join(E.scratch("docker-out"), "out", "zdemo")
    r = E.run(["./build.sh", out], cwd=d, env=env_with_gorelink())
    assert r.rc != 0 and not os.path.exists(out), "build.sh passed without libgrdemo.a\n%r" % r


def main():
    global CACHE
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
    CACHE = os.environ.get("GORELEASER_BIN_CACHE") or os.path.join(os.path.dirname(workdir), "goreleaser-bin")
    E.SCRATCH = harness.make_scratch("goreleaser-e2e.", dir=workdir, mode=0o755)
    return SUITE.run(only_env="GORELEASER_E2E_ONLY", timing=True,
                     cleanup=lambda: harness.rmtree_forced(E.SCRATCH))


if __name__ == "__main__":
    sys.exit(main())
