#!/usr/bin/python3
"""gofiles_test.py GORELINK WORKDIR

`gorelink check` on the files a Go binary reads at run time (docs/gorelink-check.1,
RUN-TIME FILES): real programs built here with `go build` (CGO_ENABLED=0),
checked with --json (validated against docs/schema/check-v2.schema.json),
--explain and --scratch --root, then run in a root that holds nothing but
the binary (chroot(8); unshare(1) when not root) to show that what check
said beforehand is what happens:

  - time.LoadLocation without time/tzdata: zoneinfo needed, the program
    fails in an empty root; with `import _ "time/tzdata"`: embedded, it runs;
  - an HTTPS client against a TLS server on 127.0.0.1 (python3's ssl, a
    certificate made with openssl(1)): no roots in an empty root, so it
    fails; with the server's certificate as /etc/ssl/certs/ca-certificates.crt
    in the root, or SSL_CERT_FILE, it connects; with
    golang.org/x/crypto/x509roots/fallback (fetched through the Go module
    proxy) check says the roots are embedded and the client finds roots
    (Mozilla's: the test certificate is not among them, so the system pool,
    which the program prints, shows them: empty without the pool);
  - a stripped binary (-ldflags=-s -w): the names come from .gopclntab.

Needs go (golang), openssl, chroot (coreutils), tzdata (/usr/share/zoneinfo)
and python3-jsonschema; a missing one fails the test that needs it by name.
Builds use the caller's GOCACHE and GOMODCACHE, GOFLAGS=-buildvcs=false,
GOTOOLCHAIN=local.  Prints `ok NAME` / `FAIL NAME: reason`, then
`N passed, M failed`; exits 1 if any test failed.
GOFILES_ONLY=name,name runs only those tests.
"""

import json
import os
import shutil
import ssl
import subprocess
import sys
import threading
import http.server

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402  (tests/harness.py)
from harness import eq, true, contains  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA_PATH = os.path.join(HERE, "..", "docs", "schema", "check-v2.schema.json")
BUILD_TIMEOUT = 600
RUN_TIMEOUT = 30
# A fixed version of the fallback root pool (its own module), so the test is repeatable.
FALLBACK = "golang.org/x/crypto/x509roots/fallback"
FALLBACK_VERSION = "v0.0.0-20261030153154-30a33513ff6d"

GORELINK = None
WORK = None
_built = {}

SUITE = harness.Suite()
test = SUITE.test


# ------------------------------------------------------------------ helpers

def tool(name, package, path="/usr/bin:/bin:/usr/sbin:/sbin:/usr/local/go/bin"):
    p = shutil.which(name) or shutil.which(name, path=path)
    true(p is not None, "%s not found: install the Debian package %s" % (name, package))
    return p


def go_env(**changes):
    env = harness.environ((), {"GOFLAGS": "-buildvcs=false", "GOTOOLCHAIN": "local",
                               "CGO_ENABLED": "0", "LC_ALL": "C"})
    env.update(changes)
    return env


TZ_MAIN = r'''package main

import (
	"fmt"
	"os"
	"time"
	%s
)

func main() {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).In(loc).Format(time.RFC3339))
}
'''

TLS_MAIN = r'''package main

import (
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	%s
)

func main() {
	if os.Args[1] == "pool" { // how many roots the system pool holds
		p, err := x509.SystemCertPool()
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Printf("roots %%d\n", len(p.Subjects()))
		return
	}
	r, err := http.Get(os.Args[1])
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	b, _ := io.ReadAll(r.Body)
	fmt.Printf("status %%d: %%s\n", r.StatusCode, b)
}
'''


def build(name, source, ldflags=None, require=None, cgo=False, goos=None, goarch=None, tags=None):
    """Build a one-file module NAME from SOURCE (CGO_ENABLED=0, or 1 with cgo;
    for GOOS/GOARCH when given, with -tags TAGS) once; its path."""
    if name in _built:
        return _built[name]
    go = tool("go", "golang-go (or Go from go.dev)")
    d = os.path.join(WORK, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "main.go"), "w") as f:
        f.write(source)
    with open(os.path.join(d, "go.mod"), "w") as f:
        f.write("module example.com/%s\n\ngo 1.22\n" % name)
    if require:
        r = harness.run([go, "get", require], BUILD_TIMEOUT, cwd=d, env=go_env())
        true(r.rc == 0, "go get %s (the Go module proxy refused or is unreachable?)" % require, r)
    out = os.path.join(d, name)
    argv = ([go, "build", "-o", out] + (["-ldflags=" + ldflags] if ldflags else []) +
            (["-tags", tags] if tags else []) + ["."])
    if cgo:
        tool("gcc", "gcc")
    cross = {k: v for k, v in (("GOOS", goos), ("GOARCH", goarch)) if v}
    r = harness.run(argv, BUILD_TIMEOUT, cwd=d, env=go_env(CGO_ENABLED="1" if cgo else "0", **cross))
    true(r.rc == 0, "go build %s" % name, r)
    _built[name] = out
    return out


def check(*args):
    return harness.run([GORELINK, "check"] + list(args), RUN_TIMEOUT)


def check_json(binary, *args):
    """check --json: the object (validated against the schema) and the run."""
    r = check("--json", *args, binary)
    obj = json.loads(r.out)
    errs = list(harness.schema_validator(SCHEMA_PATH).iter_errors(obj))
    true(not errs, "check --json output against the schema: %s" % "; ".join(e.message for e in errs[:3]), r)
    return obj, r


def runtime_file(obj, rid):
    got = [f for f in obj["runtime_files"] if f["id"] == rid]
    eq(len(got), 1, "runtime_files entries %r in %r" % (rid, [f["id"] for f in obj["runtime_files"]]))
    return got[0]


def chroot_argv(root, argv):
    chroot = tool("chroot", "coreutils")
    if os.geteuid() == 0:
        return [chroot, root] + argv
    return [tool("unshare", "util-linux"), "--user", "--map-root-user", chroot, root] + argv


# What the pure Go resolver reads; --scratch wants them (Go has defaults for
# each, but a name lookup then goes by them, e.g. DNS before /etc/hosts).
RESOLVER = {"/etc/hosts": "127.0.0.1 localhost\n", "/etc/resolv.conf": "nameserver 127.0.0.1\n",
            "/etc/nsswitch.conf": "hosts: files dns\n"}


def new_root(name, files=(), texts=None):
    """WORK/name: an empty root, plus FILES (src, path inside the root) and
    TEXTS (path inside the root -> content)."""
    root = os.path.join(WORK, "roots", name)
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root, mode=0o755)
    for src, dst in files:
        p = os.path.join(root, dst.lstrip("/"))
        os.makedirs(os.path.dirname(p), exist_ok=True)
        shutil.copyfile(src, p)
    for dst, text in (texts or {}).items():
        p = os.path.join(root, dst.lstrip("/"))
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
    return root


def run_in(root, binary, args=(), env=None):
    shutil.copyfile(binary, os.path.join(root, "prog"))
    os.chmod(os.path.join(root, "prog"), 0o755)
    return harness.run(chroot_argv(root, ["/prog"] + list(args)), RUN_TIMEOUT, cwd=root, env=env or {})


# ------------------------------------------------------------------ time zones

@test
def zoneinfo_needed_without_tzdata():
    b = build("tz", TZ_MAIN % "")
    obj, r = check_json(b)
    eq(r.rc, 0, "check --json of a static Go binary (run-time files are findings)", r)
    true(obj["go"] is not None and obj["go"]["version"].startswith("go1."), "go.version", r)
    eq(obj["go"]["path"], "example.com/tz", "go.path", r)
    true("CGO_ENABLED=0" in obj["go"]["settings"], "CGO_ENABLED=0 among go.settings", r)
    f = runtime_file(obj, "zoneinfo")
    eq(f["embedded"], False, "zoneinfo embedded", r)
    eq(f["because"], "time.LoadLocation", "zoneinfo because", r)
    contains(f["paths"], "/usr/share/zoneinfo/", "zoneinfo paths", r)
    eq(f["present"], None, "present without --scratch", r)
    # --explain names it and its remedy; the file still passes.
    r = check("--explain", b)
    eq(r.rc, 0, "check --explain exit status", r)
    contains(r.out, "run-time files zoneinfo", "--explain", r)
    contains(r.out, 'import _ "time/tzdata"', "--explain remedy", r)
    # --scratch in an empty root: fails beforehand ...
    empty = new_root("tz-empty")
    r = check("--scratch", "--root", empty, b)
    eq(r.rc, 1, "check --scratch --root EMPTY exit status", r)
    contains(r.out, "reads zoneinfo at run time, missing under the root", "check line", r)
    obj, r = check_json(b, "--scratch", "--root", empty)
    f = runtime_file(obj, "zoneinfo")
    eq((f["present"], obj["pass"]), (False, False), "present, pass under --scratch", r)
    eq([p["code"] for p in obj["problems"]], ["runtime-file"], "problems", r)
    # ... and running it there fails the same way.
    r = run_in(empty, b)
    true(r.rc != 0 and "unknown time zone Europe/Paris" in r.out, "tz in an empty root fails", r)
    # With the zone file in the root, check passes and the program runs.
    tool("ls", "coreutils")
    true(os.path.isfile("/usr/share/zoneinfo/Europe/Paris"),
         "/usr/share/zoneinfo/Europe/Paris missing: install the Debian package tzdata")
    full = new_root("tz-zoneinfo", [("/usr/share/zoneinfo/Europe/Paris", "/usr/share/zoneinfo/Europe/Paris")])
    r = check("--scratch", "--root", full, b)
    eq(r.rc, 0, "check --scratch --root with zoneinfo", r)
    r = run_in(full, b)
    eq((r.rc, r.out.strip()), (0, "2020-01-01T01:00:00+01:00"), "tz with zoneinfo in the root", r)


@test
def zoneinfo_embedded_with_tzdata():
    b = build("tzdata", TZ_MAIN % '_ "time/tzdata"')
    obj, r = check_json(b)
    f = runtime_file(obj, "zoneinfo")
    eq((f["embedded"], f["embedded_by"]), (True, "time/tzdata"), "zoneinfo embedded", r)
    empty = new_root("tzdata-empty")
    r = check("--scratch", "--root", empty, b)
    eq(r.rc, 0, "check --scratch --root EMPTY of a tzdata binary", r)
    r = check("--explain", b)
    contains(r.out, "not needed: embedded by time/tzdata", "--explain", r)
    r = run_in(empty, b)
    eq((r.rc, r.out.strip()), (0, "2020-01-01T01:00:00+01:00"), "tzdata binary in an empty root", r)


@test
def stripped_binary_uses_pclntab():
    b = build("tzstrip", TZ_MAIN % "", ldflags="-s -w")
    r = harness.run([tool("readelf", "binutils"), "-S", "-W", b], RUN_TIMEOUT)
    true(".symtab" not in r.out and ".gopclntab" in r.out, "stripped: no .symtab, a .gopclntab", r)
    obj, r = check_json(b)
    eq(obj["go"]["symbols_from"], ".gopclntab", "symbols_from", r)
    eq(runtime_file(obj, "zoneinfo")["embedded"], False, "zoneinfo found in a stripped binary", r)


@test
def plain_go_binary_reads_nothing():
    b = build("hello", 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hi") }\n')
    obj, r = check_json(b, "--scratch", "--root", new_root("hello-empty"))
    eq((obj["runtime_files"], r.rc), ([], 0), "runtime_files of hello world, exit status", r)
    true(obj["go"] is not None, "go build info of hello world", r)
    # Not Go: "go" is null.
    obj, r = check_json(GORELINK)
    eq((obj["go"], obj["runtime_files"]), (None, []), "go, runtime_files of gorelink itself", r)


# ------------------------------------------------------------------ TLS roots

class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"hello over tls"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


def tls_server():
    """A TLS server on 127.0.0.1 with a fresh self-signed certificate: (server, url, cert)."""
    d = os.path.join(WORK, "tls")
    os.makedirs(d, exist_ok=True)
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    r = harness.run([tool("openssl", "openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                     "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                     "-addext", "subjectAltName=IP:127.0.0.1"], RUN_TIMEOUT)
    true(r.rc == 0, "openssl req", r)
    srv = http.server.HTTPServer(("127.0.0.1", 0), _Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, "https://127.0.0.1:%d/" % srv.server_address[1], cert


@test
def tls_roots_from_the_root():
    b = build("tls", TLS_MAIN % "")
    obj, r = check_json(b)
    f = runtime_file(obj, "x509-roots")
    eq((f["embedded"], f["need"]), (False, "any"), "x509-roots embedded, need", r)
    contains(f["paths"], "/etc/ssl/certs/ca-certificates.crt", "x509-roots paths", r)
    contains(f["env"], "SSL_CERT_FILE", "x509-roots env", r)
    srv, url, cert = tls_server()
    try:
        empty = new_root("tls-empty")
        r = check("--scratch", "--root", empty, b)
        eq(r.rc, 1, "check --scratch --root EMPTY of an HTTPS client", r)
        contains(r.out, "reads x509-roots at run time, missing under the root", "check line", r)
        contains(r.out, "reads net-resolver at run time, missing under the root", "check line", r)
        resolver = new_root("tls-resolver", texts=RESOLVER)
        r = check("--scratch", "--root", resolver, b)
        eq(r.rc, 1, "check --scratch --root with the resolver files only", r)
        true("x509-roots" in r.out and "net-resolver" not in r.out, "only x509-roots missing", r)
        r = run_in(empty, b, [url])
        true(r.rc == 1 and "x509:" in r.out, "HTTPS client in an empty root fails for lack of roots", r)
        nocert = r.out
        # The server's certificate as the system bundle: check passes, so does the client.
        withca = new_root("tls-ca", [(cert, "/etc/ssl/certs/ca-certificates.crt")], RESOLVER)
        r = check("--scratch", "--root", withca, b)
        eq(r.rc, 0, "check --scratch --root with ca-certificates.crt", r)
        r = run_in(withca, b, [url])
        eq((r.rc, r.out.strip()), (0, "status 200: hello over tls"), "HTTPS client with roots", r)
        # Alpine's bundle, the last file Go tries, is enough.
        alpine = new_root("tls-alpine", [(cert, "/etc/ssl/cert.pem")], RESOLVER)
        obj, r = check_json(b, "--scratch", "--root", alpine)
        f = runtime_file(obj, "x509-roots")
        eq((r.rc, f["present"], f["missing"]), (0, True, None), "exit status, present, missing", r)
        r = run_in(alpine, b, [url])
        eq((r.rc, r.out.strip()), (0, "status 200: hello over tls"), "HTTPS client with /etc/ssl/cert.pem", r)
        # SSL_CERT_FILE: the run-time override, elsewhere in the root.
        other = new_root("tls-env", [(cert, "/certs/test-ca.pem")])
        r = run_in(other, b, [url], env={"SSL_CERT_FILE": "/certs/test-ca.pem"})
        eq((r.rc, r.out.strip()), (0, "status 200: hello over tls"), "HTTPS client with SSL_CERT_FILE", r)
    finally:
        srv.shutdown()
        srv.server_close()
    true("failed to load system roots" in nocert or "unknown authority" in nocert, "x509 error", nocert)


@test
def tls_roots_embedded_fallback():
    b = build("tlsfb", TLS_MAIN % ('_ "%s"' % FALLBACK), require="%s@%s" % (FALLBACK, FALLBACK_VERSION))
    obj, r = check_json(b)
    f = runtime_file(obj, "x509-roots")
    eq((f["embedded"], f["embedded_by"]), (True, FALLBACK), "x509-roots embedded by the fallback pool", r)
    contains(obj["go"]["deps"], FALLBACK, "go.deps", r)
    srv, url, _ = tls_server()
    try:
        empty = new_root("tlsfb-resolver", texts=RESOLVER)
        r = check("--scratch", "--root", empty, b)
        eq(r.rc, 0, "check --scratch --root (no CA files) of a client with the fallback pool", r)
        r = run_in(empty, b, [url])
        # The test CA is not among the embedded (Mozilla's) roots: the handshake
        # fails either way; the system pool shows that roots are found.
        true(r.rc == 1 and "certificate signed by unknown authority" in r.out,
             "fallback client against the test server", r)
        r = run_in(empty, b, ["pool"])
        true(r.rc == 0 and r.out.startswith("roots ") and int(r.out.split()[1]) > 50,
             "fallback client in an empty root: the embedded roots are the system pool", r)
        r = run_in(empty, build("tls", TLS_MAIN % ""), ["pool"])
        eq((r.rc, r.out.strip()), (0, "roots 0"), "client without the fallback pool: no roots", r)
    finally:
        srv.shutdown()
        srv.server_close()


# ------------------------------------------------------------------ os/user, net

@test
def os_user_and_resolver_files():
    src = r'''package main

import (
	"fmt"
	"net"
	"os/user"
)

func main() {
	u, err := user.Lookup("root")
	fmt.Println(u, err)
	fmt.Println(net.LookupHost("localhost"))
}
'''
    # With cgo, os/user goes through getpwnam_r (glibc NSS: the glibc findings),
    # and the resolver may too: no os-user entry, a note on net-resolver.
    c = build("usernet-cgo", src, cgo=True)
    obj, r = check_json(c)
    eq(sorted(f["id"] for f in obj["runtime_files"]), ["net-resolver"], "runtime_files with cgo", r)
    contains(runtime_file(obj, "net-resolver")["note"] or "", "glibc NSS", "net-resolver note with cgo", r)
    b = build("usernet", src)
    obj, r = check_json(b)
    eq(runtime_file(obj, "net-resolver")["note"], None, "net-resolver note without cgo", r)
    u = runtime_file(obj, "os-user")
    eq((u["paths"], u["need"]), (["/etc/passwd", "/etc/group"], "all"), "os-user paths, need", r)
    n = runtime_file(obj, "net-resolver")
    eq(n["paths"], ["/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf"], "net-resolver paths", r)
    root = new_root("usernet", [("/etc/passwd", "/etc/passwd")])
    obj, r = check_json(b, "--scratch", "--root", root)
    eq(r.rc, 1, "check --scratch exit status", r)
    eq((runtime_file(obj, "os-user")["missing"], runtime_file(obj, "net-resolver")["missing"]),
       ("/etc/group", "/etc/resolv.conf"), "first missing files", r)


# ------------------------------------------------------------------ Mach-O (darwin)
#
# Go binaries for GOOS=darwin, built here (CGO_ENABLED=0, which Go supports
# for darwin), thin for arm64 and amd64, stripped, and universal (llvm-lipo-14).
# `go version -m` is the oracle for the build info; the run-time file rules
# are darwin's (gorelink-check(1), RUN-TIME FILES (GO)).

def go_version_m(binary):
    """`go version -m BINARY` as {version, path, main_module, deps, settings}."""
    r = harness.run([tool("go", "golang-go (or Go from go.dev)"), "version", "-m", binary], RUN_TIMEOUT,
                    env=go_env())
    true(r.rc == 0, "go version -m %s" % binary, r)
    lines = r.out.splitlines()
    got = {"version": lines[0].split(": ", 1)[1].strip(), "path": None, "main_module": None,
           "deps": [], "settings": []}
    for line in lines[1:]:
        f = line.strip("\t").split("\t")
        if f[0] == "path":
            got["path"] = f[1]
        elif f[0] == "mod":
            got["main_module"] = f[1]
        elif f[0] == "dep":
            got["deps"].append(f[1])
        elif f[0] == "build":
            got["settings"].append(line.split("\tbuild\t", 1)[1])
    return got


def agrees_with_go(go, binary, what, r):
    want = go_version_m(binary)
    eq({k: go[k] for k in want}, want, "%s: go build info against go version -m" % what, r)


def darwin(name, source, arch="arm64", **kw):
    return build("%s-darwin-%s" % (name, arch), source, goos="darwin", goarch=arch, **kw)


def lipo(out, *thin):
    r = harness.run([tool("llvm-lipo-14", "llvm-14"), "-create"] + list(thin) + ["-output", out], RUN_TIMEOUT)
    true(r.rc == 0, "llvm-lipo-14 -create", r)
    return out


def macho_sections(data):
    """{(segname, sectname): offset of the section_64 entry} of a thin 64-bit
    little-endian Mach-O file, and the offset of its LC_SYMTAB command."""
    import struct
    magic, _, _, _, ncmds, _, _, _ = struct.unpack_from("<8I", data, 0)
    eq(magic, 0xfeedfacf, "64-bit little-endian Mach-O magic")
    at, sects, symtab = 32, {}, None
    for _ in range(ncmds):
        cmd, size = struct.unpack_from("<II", data, at)
        if cmd == 0x19:
            nsects = struct.unpack_from("<I", data, at + 64)[0]
            for k in range(nsects):
                s = at + 72 + 80 * k
                sects[(data[s + 16:s + 32].rstrip(b"\0").decode(), data[s:s + 16].rstrip(b"\0").decode())] = s
        elif cmd == 0x2:
            symtab = at
        at += size
    return sects, symtab


def patched(name, src, edits):
    """A copy of SRC with EDITS [(offset, bytes)] applied, as WORK/corrupt/NAME."""
    d = os.path.join(WORK, "corrupt")
    os.makedirs(d, exist_ok=True)
    with open(src, "rb") as f:
        data = bytearray(f.read())
    for off, b in edits:
        data[off:off + len(b)] = b
    p = os.path.join(d, name)
    with open(p, "wb") as f:
        f.write(data)
    return p


USERNET_MAIN = r'''package main

import (
	"fmt"
	"net"
	"os/user"
)

func main() {
	u, err := user.Lookup("root")
	fmt.Println(u, err)
	fmt.Println(net.LookupHost("localhost"))
}
'''


@test
def darwin_build_info_agrees_with_go_version_m():
    src = TZ_MAIN % ""
    arm = darwin("tz", src, tags="gofilestag")
    amd = darwin("tz", src, arch="amd64", tags="gofilestag")
    stripped = darwin("tzstrip", src, ldflags="-s -w", tags="gofilestag")
    for b, arch in ((arm, "arm64"), (amd, "x86_64"), (stripped, "arm64")):
        obj, r = check_json(b)
        eq((obj["format"], obj["architecture"], r.rc), ("macho", arch, 0), "format, architecture, exit status", r)
        true(obj["go"] is not None, "go build info of a darwin Go binary", r)
        agrees_with_go(obj["go"], b, os.path.basename(b), r)
        for s in ("-tags=gofilestag", "CGO_ENABLED=0", "GOOS=darwin"):
            contains(obj["go"]["settings"], s, "go.settings", r)
        eq(obj["go"]["path"], "example.com/" + os.path.basename(b), "go.path", r)
        eq(obj["go"]["symbols_from"], "__gopclntab", "symbols_from (the pclntab outlives -s -w)", r)
        eq([f["id"] for f in obj["runtime_files"]], ["zoneinfo"], "runtime_files", r)
    # Stripped: no function names in LC_SYMTAB, the pclntab still has them.
    with open(stripped, "rb") as f:
        data = f.read()
    true(b"_time.LoadLocation\0" not in data and ("__TEXT", "__gopclntab") in macho_sections(data)[0],
         "stripped: no time.LoadLocation in LC_SYMTAB's strings, a __TEXT,__gopclntab")
    with open(arm, "rb") as f:
        true(b"_time.LoadLocation\0" in f.read(), "unstripped: time.LoadLocation in LC_SYMTAB's strings")
    # Universal: every slice read from its own bytes, each as its thin file says.
    fat = lipo(os.path.join(WORK, "tz-universal"), arm, amd)
    obj, r = check_json(fat)
    eq((obj["format"], r.rc), ("macho-fat", 0), "universal format, exit status", r)
    eq([s["architecture"] for s in obj["slices"]], ["x86_64", "arm64"], "slices (llvm-lipo orders them)", r)
    for s in obj["slices"]:
        agrees_with_go(s["go"], amd if s["architecture"] == "x86_64" else arm, "slice " + s["architecture"], r)
        eq([f["id"] for f in s["runtime_files"]], ["zoneinfo"], "slice runtime_files", r)
    r = check("--explain", fat)
    contains(r.out, "  [arm64] note: run-time files zoneinfo", "--explain names the slice", r)
    contains(r.out, "  [x86_64] note: run-time files zoneinfo", "--explain names the slice", r)


@test
def darwin_zoneinfo_with_and_without_tzdata():
    b = darwin("tz", TZ_MAIN % "", tags="gofilestag")
    obj, r = check_json(b)
    f = runtime_file(obj, "zoneinfo")
    eq((f["embedded"], f["because"], f["env"]), (False, "time.LoadLocation", "ZONEINFO"), "zoneinfo", r)
    # src/time/zoneinfo_unix.go (unix && !ios) is darwin's too: the same list.
    eq(f["paths"], ["/usr/share/zoneinfo/", "/usr/share/lib/zoneinfo/", "/usr/lib/locale/TZ/", "/etc/zoneinfo"],
       "zoneinfo paths on darwin", r)
    contains(f["note"] or "", "macOS ships /usr/share/zoneinfo", "zoneinfo note on darwin", r)
    r = check("--explain", b)
    eq(r.rc, 0, "check --explain exit status", r)
    contains(r.out, "note: run-time files zoneinfo: time (time.LoadLocation) reads one of /usr/share/zoneinfo/",
             "--explain", r)
    empty = new_root("darwin-tz-empty")
    r = check("--scratch", "--root", empty, b)
    eq(r.rc, 1, "check --scratch --root EMPTY of a darwin binary", r)
    contains(r.out, "reads zoneinfo at run time, missing under the root", "check line", r)
    t = darwin("tzdata", TZ_MAIN % '_ "time/tzdata"')
    obj, r = check_json(t)
    f = runtime_file(obj, "zoneinfo")
    eq((f["embedded"], f["embedded_by"], f["note"]), (True, "time/tzdata", None), "zoneinfo with time/tzdata", r)
    r = check("--scratch", "--root", empty, t)
    eq(r.rc, 0, "check --scratch --root EMPTY of a darwin tzdata binary", r)


@test
def darwin_roots_user_and_resolver():
    # crypto/x509 on darwin asks the Security framework (root_darwin.go): no
    # file, while the same program for Linux reads the CA bundle.
    tls = darwin("tls", TLS_MAIN % "")
    obj, r = check_json(tls)
    eq([f["id"] for f in obj["runtime_files"]], [], "runtime_files of a darwin HTTPS client", r)
    true(any(f["id"] == "x509-roots" for f in check_json(build("tls", TLS_MAIN % ""))[0]["runtime_files"]),
         "the Linux build of the same client reads x509-roots")
    # os/user and net ask libSystem on darwin even with CGO_ENABLED=0 ...
    b = darwin("usernet", USERNET_MAIN)
    obj, r = check_json(b)
    eq([f["id"] for f in obj["runtime_files"]], [], "runtime_files of os/user + net on darwin", r)
    empty = new_root("darwin-usernet-empty")
    r = check("--scratch", "--root", empty, b)
    eq(r.rc, 0, "check --scratch --root EMPTY: nothing to read", r)
    # ... unless osusergo and netgo make them pure Go.
    g = darwin("usernetgo", USERNET_MAIN, tags="netgo,osusergo")
    obj, r = check_json(g)
    eq([f["id"] for f in obj["runtime_files"]], ["os-user", "net-resolver"], "runtime_files with netgo,osusergo", r)
    u, n = runtime_file(obj, "os-user"), runtime_file(obj, "net-resolver")
    eq(u["paths"], ["/etc/passwd", "/etc/group"], "os-user paths", r)
    contains(u["note"], "Directory Services", "os-user note on darwin", r)
    contains(u["remedy"], "without -tags osusergo", "os-user remedy on darwin", r)
    eq((n["paths"], n["need"]), (["/etc/resolv.conf", "/etc/hosts"], "all"), "net-resolver paths on darwin", r)
    contains(n["because"], "(-tags netgo)", "net-resolver because", r)
    contains(n["remedy"], "without -tags netgo", "net-resolver remedy", r)
    true("glibc" not in (n["note"] or "") + (u["note"] or ""), "no glibc note for darwin", r)
    r = check("--scratch", "--root", empty, g)
    eq(r.rc, 1, "check --scratch --root EMPTY with netgo,osusergo", r)


@test
def darwin_corrupt_go_sections():
    b = darwin("tz", TZ_MAIN % "", tags="gofilestag")
    s = darwin("tzstrip", TZ_MAIN % "", ldflags="-s -w", tags="gofilestag")
    import struct
    with open(b, "rb") as f:
        data = f.read()
    sects, symtab = macho_sections(data)
    bi, pc = sects[("__DATA", "__go_buildinfo")], sects[("__TEXT", "__gopclntab")]
    pc_off = struct.unpack_from("<I", data, pc + 48)[0]
    far = struct.pack("<I", len(data) + 4096)
    # A Go section past the end of the file: unreadable, exit 2, named.
    for name, edits, sect in (("buildinfo-past-eof", [(bi + 48, far)], "__DATA,__go_buildinfo"),
                              ("pclntab-past-eof", [(pc + 48, far)], "__TEXT,__gopclntab"),
                              ("pclntab-too-big", [(pc + 40, struct.pack("<Q", len(data)))], "__TEXT,__gopclntab")):
        p = patched(name, b, edits)
        r = check(p)
        eq(r.rc, 2, "%s: exit status" % name, r)
        contains(r.err, "section %s" % sect, "%s: stderr" % name, r)
        contains(r.err, "past the end of the file", "%s: stderr" % name, r)
        obj, r = check_json(p)
        eq((obj["verdict"], obj["error"]["code"]), ("error", "format"), "%s: JSON error object" % name, r)
    # An unknown pclntab: the names come from LC_SYMTAB instead ...
    p = patched("pclntab-magic", b, [(pc_off, b"\0\0\0\0")])
    obj, r = check_json(p)
    eq((r.rc, obj["go"]["symbols_from"]), (0, "LC_SYMTAB"), "names from LC_SYMTAB", r)
    eq([f["id"] for f in obj["runtime_files"]], ["zoneinfo"], "zoneinfo found through LC_SYMTAB", r)
    # ... and a symbol table past the end of the file then is unreadable.
    p = patched("symtab-past-eof", b, [(pc_off, b"\0\0\0\0"), (symtab + 16, far)])
    r = check(p)
    eq(r.rc, 2, "LC_SYMTAB strings past the end: exit status", r)
    contains(r.err, "LC_SYMTAB", "stderr", r)
    # Stripped, with an unknown pclntab: no names at all, no findings, the build info still read.
    with open(s, "rb") as f:
        sdata = f.read()
    spc = struct.unpack_from("<I", sdata, macho_sections(sdata)[0][("__TEXT", "__gopclntab")] + 48)[0]
    p = patched("stripped-pclntab-magic", s, [(spc, b"\0\0\0\0")])
    obj, r = check_json(p)
    eq((r.rc, obj["go"]["symbols_from"], obj["runtime_files"]), (0, None, []), "stripped, no pclntab", r)
    agrees_with_go(obj["go"], s, "stripped, no pclntab", r)
    # A damaged build info blob: no build info, the names still read.
    boff = struct.unpack_from("<I", data, bi + 48)[0]
    p = patched("buildinfo-magic", b, [(boff, b"\0")])
    obj, r = check_json(p)
    eq((r.rc, obj["go"]["version"], obj["go"]["settings"]), (0, None, []), "damaged build info", r)
    eq([f["id"] for f in obj["runtime_files"]], ["zoneinfo"], "findings without build info (darwin by container)", r)
    # Cut anywhere: an error or a verdict, never a crash (harness.run fails on a signal).
    for cut in (pc_off + 100, boff + 20, len(data) // 2, len(data) - 1):
        p = os.path.join(WORK, "corrupt", "cut-%d" % cut)
        with open(p, "wb") as f:
            f.write(data[:cut])
        r = check(p)
        true(r.rc in (0, 1, 2), "cut at %d: exit status %d" % (cut, r.rc), r)


def main():
    global GORELINK, WORK
    if len(sys.argv) != 3:
        sys.stderr.write("usage: gofiles_test.py GORELINK WORKDIR\n")
        return 64
    GORELINK = os.path.abspath(sys.argv[1])
    WORK = os.path.abspath(sys.argv[2])
    os.makedirs(WORK, exist_ok=True)
    return SUITE.run(only_env="GOFILES_ONLY")


if __name__ == "__main__":
    sys.exit(main())
