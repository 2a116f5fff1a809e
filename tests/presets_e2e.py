#!/usr/bin/env python3
"""presets_e2e.py GORELINK SRCDIR WORKDIR

End-to-end tests of the shipped presets (issue 17, docs/presets.md): each
one on the real Go module, fetched from the Go module proxy (or a warm
GOMODCACHE), through a tiny main package that imports it and calls it.
Each build is made without naming the preset, so the preset must apply
itself through its `module` line (stderr and --json presets_applied say so).

 1. presets_listing: `gorelink presets` lists every shipped preset with its
    module, option and variants (default marked, tags/pkg/allow-dynamic,
    the `needs` line); `gorelink presets NAME`; an unknown NAME is 64; a
    malformed file is named on stderr (exit 2) and the others still listed.
 2. preset_libseccomp: github.com/seccomp/libseccomp-golang: static
    (libseccomp.a), and in an empty root the program loads a seccomp filter
    that makes getppid fail with EPERM.
 3. preset_libpcap: github.com/google/gopacket/pcap: not fully static on
    Debian 12 (libdbus-1.a calls libsystemd, which has no archive): the
    static build fails (exit 1) naming -lsystemd and `--allow-dynamic
    systemd`; with --third-party --preset libpcap=third-party libpcap.a and libdbus-1.a are linked, only
    libsystemd.so.0 and libc.so.6 are needed, and the program reads a pcap
    file the test writes (pcap_lib_version, link type, packet count); with
    --stub systemd (the way out the static build names) it is static and
    reads the file from standard input in an empty root; --preset
    libpcap=static (the variant's `stub systemd`) is the same without the
    option: static, stubs sd_listen_fds and sd_is_socket, reads the file
    in an empty root; --preset libpcap=third-party alone (its `mode
    third-party`) is --third-party; --static-pie with it is refused (exit
    2) naming both, OUT's directory untouched.
 4. preset_zstd: github.com/DataDog/zstd: --dry-run without options applies
    the default variant bundled (the module's own C zstd: compiling it costs
    minutes on a cold cache, so it is not built here); --preset zstd=system
    (tag external_libzstd) links libzstd.a, static, and round-trips data in
    an empty root.
 5. preset_gpgme: github.com/proglottis/gpgme is not served by the module
    proxy: a stand-in module of that path (replace) with its #cgo LDFLAGS
    and gpgme_check_version; static (libgpgme.a, libassuan.a,
    libgpg-error.a), runs in an empty root.
 6. preset_libgit2: github.com/libgit2/git2go/v34 v34.0.0 with Debian 12's
    libgit2 1.5: not fully static (GSSAPI has no archive): the static build
    fails (exit 2) naming only the GSSAPI symbols and the options
    `--allow-dynamic gssapi_krb5 --lib -l:libgssapi_krb5.so.2` (libssh2.a's
    libcrypto is the preset's); with --third-party --lib
    -l:libgssapi_krb5.so.2 it links libgit2.a, libssh2.a and libcrypto.a,
    needs only libgssapi_krb5.so.2 and libc.so.6, and makes a bare repository;
    --preset libgit2=third-party alone (its `mode` and `lib` lines) does the
    same.
 7. preset_sqlite3_variants: the sqlite3 preset's variants for go-sqlite3's
    optional features: icu (tag sqlite_icu, pkg icu-i18n) built static with
    libicuuc.a, libicui18n.a and libicudata.a, and ICU's upper() in an
    empty root; fts5 and math with --dry-run (their tags). Both are also
    built for real, at the end of this file: preset_sqlite3_fts5_built (an
    FTS5 MATCH query) and preset_sqlite3_math_built (sqrt, pi ...), static
    by gorelink check and run in an empty root; each recompiles the SQLite
    amalgamation (about a minute of CPU on a cold cache).
 8. preset_directives_applied_by_itself: a preset of the test's own
    (GORELINK_PRESET_PATH) for a local module calling libsystemd: its
    default variant's `stub systemd` and `lib -lm` apply when it applies
    itself (static, sd_listen_fds stubbed, runs in an empty root); a
    variant's `mode third-party` when named; a default variant whose mode
    is not the build's is refused (exit 2), named as applied by itself.
 9. preset_confluent_kafka: github.com/confluentinc/confluent-kafka-go/v2
    v2.11.1: bundled (the default, applied by itself) links the module's
    librdkafka_glibc_linux_amd64.a: static, with librdkafka's glibc findings
    (getaddrinfo, gethostbyname, getpwuid_r, dlopen: printed), and in an
    empty root it prints librdkafka's version, has an unknown property
    refused and opens and closes a producer (no broker); musl (tag musl,
    the preset's CC=musl-gcc and mode static, with no CC in the
    environment) links librdkafka_musl_linux_amd64.a with musl-gcc: static,
    no findings, the same output in an empty root; CC=gcc with it is
    refused (exit 2) naming both; system (tag dynamic, pkg rdkafka) fails
    on Debian 12 (librdkafka 2.0.2) with the module's #error.

Builds share the caller's GOCACHE and GOMODCACHE.  Needs go, gcc, network
access to the Go module proxy or a warm GOMODCACHE, libseccomp-dev,
libpcap-dev, libzstd-dev, libgpgme-dev, libgit2-dev, libssl-dev, libicu-dev,
musl-tools, librdkafka-dev (scripts/setup installs them) and python3-jsonschema.
PRESETS_E2E_ONLY=NAME,... runs only those tests.
"""

import os
import re
import shutil
import struct
import sys

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import relink_e2e as E  # noqa: E402  (its helpers: run, gorelink, build, scratch, make_module...)

SUITE = harness.Suite()
test = SUITE.test

SHIPPED = ("confluent-kafka", "gpgme", "libgit2", "libpcap", "libseccomp", "sqlite3", "zstd")


def module(name, req, main):
    """A module example.com/NAME requiring REQ ("path version") with main.go."""
    return E.make_module(name, {"go.mod": "module example.com/%s\n\ngo 1.19\n\nrequire %s\n" % (name, req),
                                "main.go": main})


def tidy(d):
    r = E.run(["go", "mod", "tidy"], cwd=d, env=E.base_env(GOFLAGS="-mod=mod -buildvcs=false"))
    assert r.rc == 0, "go mod tidy (the Go module proxy or a warm GOMODCACHE is needed)\n%r" % r


def archive(path, pkg):
    assert os.path.exists(path), "%s is missing (apt-get install %s; scripts/setup does)" % (path, pkg)


def applied(r, rep, name, mod, variant):
    want = {"name": name, "module": mod, "variant": variant, "why": "module %s is in the build" % mod}
    assert rep["presets_applied"] == [want], "presets_applied %r, want [%r]" % (rep["presets_applied"], want)
    assert rep["preset"] and rep["preset"].endswith("/%s.preset" % name), "preset %r" % rep["preset"]
    assert re.search(r"^gorelink: applied the preset %s \(variant %s\): module %s is in the build"
                     % (name, variant, re.escape(mod)), r.err, re.M), "stderr does not say so\n%r" % r


def archives(rep):
    return [os.path.basename(a) for a in E.archive_paths(rep)]


LIB = "/usr/lib/x86_64-linux-gnu"


@test
def presets_listing():
    r = E.gorelink(["presets"], cwd=E.SRCDIR)
    assert r.rc == 0, "gorelink presets\n%r" % r
    names = re.findall(r"^(\S+)  (\S+)$", r.out, re.M)
    assert [n for n, _ in names] == list(SHIPPED), "presets listed %r, want %r" % (names, SHIPPED)
    for n, path in names:
        assert path.endswith("/%s.preset" % n) and os.path.isfile(path), "path %r" % path
    for want in ("  module  github.com/mattn/go-sqlite3\n  option  --sqlite3[=VARIANT]\n"
                 "  variant bundled (default): tags sqlite_omit_load_extension\n    needs: ",
                 "  variant system: tags libsqlite3; pkg sqlite3\n",
                 "  variant fts5: tags sqlite_omit_load_extension sqlite_fts5\n",
                 "  variant math: tags sqlite_omit_load_extension sqlite_math_functions\n",
                 "  variant icu: tags sqlite_omit_load_extension sqlite_icu; pkg icu-i18n\n",
                 "  module  github.com/seccomp/libseccomp-golang\n  option  --preset libseccomp[=VARIANT]\n"
                 "  variant system (default): pkg libseccomp\n    needs: libseccomp-dev (libseccomp.a); fully static on Debian 12\n",
                 "  variant system (default): pkg libpcap\n    needs: ",
                 "  variant static: pkg libpcap; stub systemd\n    needs: ",
                 "  variant third-party: pkg libpcap; allow-dynamic systemd; mode third-party\n    needs: ",
                 "  variant third-party: pkg libgit2 libcrypto; allow-dynamic gssapi_krb5; "
                 "lib -l:libgssapi_krb5.so.2; mode third-party\n    needs: ",
                 "  module  github.com/confluentinc/confluent-kafka-go/v2\n"
                 "  option  --preset confluent-kafka[=VARIANT]\n  variant bundled (default): nothing added\n",
                 "  variant musl: tags musl; mode static; cc musl-gcc\n    needs: ",
                 "  variant system: tags dynamic; pkg rdkafka\n    needs: ",
                 "  module  github.com/libgit2/git2go/v34\n  option  --preset libgit2[=VARIANT]\n"
                 "  variant system (default): pkg libgit2 libcrypto; allow-dynamic gssapi_krb5\n    needs: ",
                 "  variant bundled (default): nothing added\n",
                 "  variant system: tags external_libzstd; pkg libzstd\n"):
        assert want in r.out, "gorelink presets lacks %r\n%s" % (want, r.out)
    assert "not fully static on Debian 12" in r.out, r.out
    # One by name; an unknown name; a malformed file beside good ones.
    r = E.gorelink(["presets", "zstd"], cwd=E.SRCDIR)
    assert r.rc == 0 and r.out.startswith("zstd  ") and "sqlite3" not in r.out, "presets zstd\n%r" % r
    r = E.gorelink(["presets", "nope"], cwd=E.SRCDIR)
    assert r.rc == 64 and "unknown preset 'nope'" in r.err, "presets nope\n%r" % r
    d = E.scratch("bad-presets")
    with open(os.path.join(d, "broken.preset"), "w") as f:
        f.write("default x\nvariant x\ntag oops\n")
    r = E.run([E.GORELINK, "presets"], cwd=E.SRCDIR, env=E.base_env(GORELINK_PRESET_PATH=d))
    assert r.rc == 2 and "broken.preset:3: unknown key 'tag'" in r.err, "a malformed preset\n%r" % r
    assert re.findall(r"^(\S+)  ", r.out, re.M) == list(SHIPPED), "the good ones are not listed\n%r" % r
    r = E.gorelink(["presets", "--bogus"], cwd=E.SRCDIR)
    assert r.rc == 64, "presets --bogus\n%r" % r


SECCOMP = "github.com/seccomp/libseccomp-golang"
SECCOMP_MAIN = r'''package main

import (
	"fmt"
	"os"
	"syscall"

	seccomp "github.com/seccomp/libseccomp-golang"
)

func main() {
	maj, min, mic := seccomp.GetLibraryVersion()
	fmt.Printf("libseccomp %d.%d.%d\n", maj, min, mic)
	f, err := seccomp.NewFilter(seccomp.ActAllow)
	if err != nil {
		fmt.Println("NewFilter:", err)
		os.Exit(1)
	}
	sc, err := seccomp.GetSyscallFromName("getppid")
	if err == nil {
		err = f.AddRule(sc, seccomp.ActErrno.SetReturnCode(int16(syscall.EPERM)))
	}
	if err == nil {
		err = f.Load()
	}
	if err != nil {
		fmt.Println("filter:", err)
		os.Exit(1)
	}
	_, _, e := syscall.RawSyscall(syscall.SYS_GETPPID, 0, 0, 0)
	fmt.Println("getppid after the filter:", e)
}
'''


@test
def preset_libseccomp():
    archive(LIB + "/libseccomp.a", "libseccomp-dev")
    d = module("sc", SECCOMP + " v0.11.1", SECCOMP_MAIN)
    tidy(d)
    r, rep, out = E.build(d, [], name="sc")
    applied(r, rep, "libseccomp", SECCOMP, "system")
    assert "libseccomp.a" in archives(rep), "archives %r" % archives(rep)
    E.assert_static(out)
    res, _ = E.run_in_empty_root(out)
    ver = E.pkg_modversion("libseccomp", "libseccomp-dev")
    assert res.rc == 0 and res.out == "libseccomp %s\ngetppid after the filter: operation not permitted\n" % ver, (
        "in the empty root: %r" % res)


PCAP = "github.com/google/gopacket"
PCAP_MAIN = r'''package main

import (
	"fmt"
	"os"

	"github.com/google/gopacket/pcap"
)

func main() {
	fmt.Println(pcap.Version())
	h, err := pcap.OpenOffline(os.Args[1])
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	n := 0
	for {
		_, _, err := h.ReadPacketData()
		if err != nil {
			break
		}
		n++
	}
	fmt.Println("link type", int(h.LinkType()), "packets", n)
}
'''


def pcap_bytes():
    """A classic pcap file: Ethernet link type, two 60-byte packets."""
    b = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
    for i in range(2):
        b += struct.pack("<IIII", 1700000000 + i, 0, 60, 60) + bytes(60)
    return b


@test
def preset_libpcap():
    for a in ("libpcap.a", "libdbus-1.a"):
        archive(LIB + "/" + a, "libpcap-dev")
    d = module("pc", PCAP + " v1.1.19", PCAP_MAIN)
    tidy(d)
    # Static: libsystemd has no archive in Debian 12; said, with the way out.
    r, _, out = E.build(d, [], name="pc-static", expect=1)
    rep = E.parse_json(r)
    applied(r, rep, "libpcap", PCAP, "system")
    assert "no static archive for -lsystemd" in r.err and "--allow-dynamic systemd" in r.err, (
        "the static build does not name libsystemd\n%r" % r)
    r, rep, out = E.build(d, ["--third-party", "--preset", "libpcap=third-party"], name="pc")
    assert {"libpcap.a", "libdbus-1.a"} <= set(archives(rep)), "archives %r" % archives(rep)
    assert E.readelf(out)["needed"] == ["libsystemd.so.0", "libc.so.6"], "needed %r" % E.readelf(out)["needed"]
    f = os.path.join(E.scratch("pcapfile"), "two.pcap")
    with open(f, "wb") as fh:
        fh.write(pcap_bytes())
    ver = E.pkg_modversion("libpcap", "libpcap-dev")
    want = "libpcap version %s" % ver

    def ok(res):
        return res.rc == 0 and res.out.startswith(want) and res.out.endswith("link type 1 packets 2\n")
    res = E.run([out, f], timeout=E.RUN_TIMEOUT)
    assert ok(res), "the --third-party program: %r" % res
    # The way out the static build names: --stub systemd; static, and it
    # reads a pcap file (standard input, "-") in an empty root.
    r, rep, out = E.build(d, ["--stub", "systemd"], name="pc-stub")
    applied(r, rep, "libpcap", PCAP, "system")
    assert sorted(x["function"] for x in rep["stubs"]) == ["sd_is_socket", "sd_listen_fds"], "stubs %r" % rep["stubs"]
    E.assert_static(out)
    with E.empty_root() as root:
        prog = E.install(out, root, "pc")
        res = E.run(E.chroot_argv(root, [prog, "-"]), cwd=root, timeout=E.RUN_TIMEOUT, env={}, stdin=pcap_bytes())
    assert ok(res), "the --stub systemd program in an empty root: %r" % res
    # The variant static carries the stub: no option but the preset, and the
    # same binary's behaviour (static, reads the file in an empty root).
    r, rep, out = E.build(d, ["--preset", "libpcap=static"], name="pc-static-variant")
    assert rep["mode"] == "static" and rep["presets_applied"][0]["variant"] == "static", (
        "mode %r presets_applied %r" % (rep["mode"], rep["presets_applied"]))
    assert sorted(x["function"] for x in rep["stubs"]) == ["sd_is_socket", "sd_listen_fds"], "stubs %r" % rep["stubs"]
    assert {"libpcap.a", "libdbus-1.a"} <= set(archives(rep)), "archives %r" % archives(rep)
    E.assert_static(out)
    with E.empty_root() as root:
        prog = E.install(out, root, "pc")
        res = E.run(E.chroot_argv(root, [prog, "-"]), cwd=root, timeout=E.RUN_TIMEOUT, env={}, stdin=pcap_bytes())
    assert ok(res), "the libpcap=static program in an empty root: %r" % res
    # The variant third-party carries its mode: no --third-party needed.
    r, rep, out = E.build(d, ["--preset", "libpcap=third-party"], name="pc-3p-mode")
    assert rep["mode"] == "third-party", "mode %r" % rep["mode"]
    assert E.readelf(out)["needed"] == ["libsystemd.so.0", "libc.so.6"], "needed %r" % E.readelf(out)["needed"]
    # A mode on the command line that disagrees with the variant's: refused
    # (exit 2) before go build, naming both; OUT's directory stays empty.
    r, _, out = E.build(d, ["--static-pie", "--preset", "libpcap=third-party"], name="pc-conflict", expect=2)
    rep = E.parse_json(r)
    want = "--preset libpcap=third-party builds --third-party, but this build is --static-pie"
    assert want in r.err and want in (rep["error"] or ""), "the conflict is not named\n%r" % r
    assert E.listing(os.path.dirname(out)) == [], "a refused build left %r" % E.listing(os.path.dirname(out))


ZSTD = "github.com/DataDog/zstd"
ZSTD_MAIN = r'''package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/DataDog/zstd"
)

func main() {
	in := bytes.Repeat([]byte("gorelink "), 1000)
	c, err := zstd.Compress(nil, in)
	if err == nil {
		var d []byte
		d, err = zstd.Decompress(nil, c)
		if err == nil && !bytes.Equal(d, in) {
			err = fmt.Errorf("round trip differs")
		}
	}
	if err != nil {
		fmt.Println("zstd:", err)
		os.Exit(1)
	}
	fmt.Printf("zstd: %d -> %d bytes\n", len(in), len(c))
}
'''


@test
def preset_zstd():
    archive(LIB + "/libzstd.a", "libzstd-dev")
    d = module("zs", ZSTD + " v1.5.7", ZSTD_MAIN)
    tidy(d)
    out = os.path.join(E.scratch("out-zs-dry"), "zs")
    r = E.gorelink(["--json", "--dry-run", "-o", out, "."], cwd=d)
    assert r.rc == 0 and not os.path.exists(out), "--dry-run\n%r" % r
    rep = E.parse_json(r)
    applied(r, rep, "zstd", ZSTD, "bundled")
    assert "external_libzstd" not in rep["tags"], "tags %r" % rep["tags"]
    r, rep, out = E.build(d, ["--preset", "zstd=system"], name="zs")
    assert "external_libzstd" in rep["tags"] and "libzstd.a" in archives(rep), (
        "tags %r archives %r" % (rep["tags"], archives(rep)))
    E.assert_static(out)
    res, _ = E.run_in_empty_root(out)
    assert res.rc == 0 and res.out == "zstd: 9000 -> 27 bytes\n", "in the empty root: %r" % res


GPGME = "github.com/proglottis/gpgme"
GPGME_STANDIN = r'''// Package gpgme stands in for github.com/proglottis/gpgme, which the Go
// module proxy does not serve: the same #cgo LDFLAGS, the same first call.
package gpgme

// #cgo LDFLAGS: -lgpgme -lassuan -lgpg-error
// #include <stdlib.h>
// #include <gpgme.h>
import "C"

// Version is gpgme_check_version(NULL), as proglottis/gpgme's init sets it.
var Version = C.GoString(C.gpgme_check_version(nil))

// Strerror is gpgme_strerror: libgpg-error's message for a code.
func Strerror(code int) string {
	return C.GoString(C.gpgme_strerror(C.gpgme_error_t(code)))
}
'''
GPGME_MAIN = r'''package main

import (
	"fmt"

	"github.com/proglottis/gpgme"
)

func main() {
	fmt.Println("gpgme", gpgme.Version)
	fmt.Println(gpgme.Strerror(58))
}
'''


@test
def preset_gpgme():
    """The Go module proxy does not serve github.com/proglottis/gpgme (403):
    a stand-in module of that path (replace => ./gpgme) with the module's own
    #cgo LDFLAGS line and its first call, gpgme_check_version."""
    for a, pkg in (("libgpgme.a", "libgpgme-dev"), ("libassuan.a", "libassuan-dev"),
                   ("libgpg-error.a", "libgpg-error-dev")):
        archive(LIB + "/" + a, pkg)
    d = module("gp", GPGME + " v1.0.0\n\nreplace %s => ./gpgme" % GPGME, GPGME_MAIN)
    os.mkdir(os.path.join(d, "gpgme"))
    for fn, text in (("go.mod", "module %s\n\ngo 1.19\n" % GPGME), ("gpgme.go", GPGME_STANDIN)):
        with open(os.path.join(d, "gpgme", fn), "w") as f:
            f.write(text)
    r, rep, out = E.build(d, [], name="gp")
    applied(r, rep, "gpgme", GPGME, "system")
    assert {"libgpgme.a", "libassuan.a", "libgpg-error.a"} <= set(archives(rep)), "archives %r" % archives(rep)
    E.assert_static(out)
    res, _ = E.run_in_empty_root(out)
    ver = E.pkg_modversion("gpgme", "libgpgme-dev")
    assert res.rc == 0 and res.out == "gpgme %s\nNo data\n" % ver, "in the empty root: %r" % res


GIT2GO = "github.com/libgit2/git2go/v34"
GIT2GO_MAIN = r'''package main

import (
	"fmt"
	"os"

	git "github.com/libgit2/git2go/v34"
)

func main() {
	fmt.Println("https", git.Features()&git.FeatureHTTPS != 0, "ssh", git.Features()&git.FeatureSSH != 0)
	repo, err := git.InitRepository(os.Args[1], true)
	if err != nil {
		fmt.Println("init:", err)
		os.Exit(1)
	}
	fmt.Println("bare", repo.IsBare())
}
'''


@test
def preset_libgit2():
    for a, pkg in (("libgit2.a", "libgit2-dev"), ("libssh2.a", "libssh2-1-dev"), ("libcrypto.a", "libssl-dev")):
        archive(LIB + "/" + a, pkg)
    ver = E.pkg_modversion("libgit2", "libgit2-dev")
    assert ver.startswith("1.5."), "git2go v34 wants libgit2 1.5, libgit2.pc says %s" % ver
    d = module("g2", GIT2GO + " v34.0.0", GIT2GO_MAIN)
    tidy(d)
    opts = "--allow-dynamic gssapi_krb5 --lib -l:libgssapi_krb5.so.2"
    r, _, out = E.build(d, [], name="g2-static", expect=2)
    rep = E.parse_json(r)
    applied(r, rep, "libgit2", GIT2GO, "system")
    assert opts in r.err and "gss_init_sec_context" in r.err, "the static build does not name GSSAPI\n%r" % r
    assert "--pkg libcrypto" not in r.err, "libcrypto is missing despite the preset\n%r" % r
    r, rep, out = E.build(d, ["--third-party", "--lib", "-l:libgssapi_krb5.so.2"], name="g2")
    applied(r, rep, "libgit2", GIT2GO, "system")
    assert {"libgit2.a", "libssh2.a", "libcrypto.a"} <= set(archives(rep)), "archives %r" % archives(rep)
    assert E.readelf(out)["needed"] == ["libgssapi_krb5.so.2", "libc.so.6"], "needed %r" % E.readelf(out)["needed"]
    repo = os.path.join(E.scratch("g2-repo"), "r.git")
    res = E.run([out, repo], timeout=E.RUN_TIMEOUT)
    assert res.rc == 0 and res.out == "https true ssh true\nbare true\n", "the program: %r" % res
    assert os.path.isfile(os.path.join(repo, "HEAD")), "no bare repository at %s" % repo
    # The variant third-party carries the mode and the --lib: the preset alone.
    r, rep, out = E.build(d, ["--preset", "libgit2=third-party"], name="g2-variant")
    assert rep["mode"] == "third-party", "mode %r" % rep["mode"]
    assert {"libgit2.a", "libssh2.a", "libcrypto.a"} <= set(archives(rep)), "archives %r" % archives(rep)
    assert E.readelf(out)["needed"] == ["libgssapi_krb5.so.2", "libc.so.6"], "needed %r" % E.readelf(out)["needed"]
    repo = os.path.join(E.scratch("g2-repo-variant"), "r.git")
    res = E.run([out, repo], timeout=E.RUN_TIMEOUT)
    assert res.rc == 0 and res.out == "https true ssh true\nbare true\n", "the program: %r" % res


SDDEMO = "example.com/sddemo"
SDDEMO_PKG = r"""// Package sddemo calls libsystemd, which has no archive in Debian 12.
package sddemo

// #cgo LDFLAGS: -lsystemd
// #include <systemd/sd-daemon.h>
import "C"

// Listen is sd_listen_fds(0): the sockets systemd passed, or a failure.
func Listen() int { return int(C.sd_listen_fds(0)) }
"""
SDDEMO_MAIN = r"""package main

import (
	"fmt"

	"example.com/sddemo"
)

func main() { fmt.Println("listen", sddemo.Listen() < 0) }
"""


@test
def preset_directives_applied_by_itself():
    """A preset of the test's own (GORELINK_PRESET_PATH) for a local module
    that calls libsystemd: its default variant's `stub systemd` and `lib -lm`
    apply when the preset applies itself (static, sd_listen_fds stubbed, runs
    in an empty root); a variant's `mode third-party` applies when named;
    a default variant whose mode is not the build's is refused (exit 2),
    naming the preset as applied by itself."""
    pdir = E.scratch("own-presets")
    preset = os.path.join(pdir, "sddemo.preset")

    def write(default):
        with open(preset, "w") as f:
            f.write("module %s\ndefault %s\n\nvariant stubbed\nstub systemd\nlib -lm\n"
                    "\nvariant dyn\nallow-dynamic systemd\nmode third-party\n" % (SDDEMO, default))
    write("stubbed")
    d = module("sdapp", SDDEMO + " v0.0.0\n\nreplace %s => ./sddemo" % SDDEMO, SDDEMO_MAIN)
    os.mkdir(os.path.join(d, "sddemo"))
    for fn, text in (("go.mod", "module %s\n\ngo 1.19\n" % SDDEMO), ("sddemo.go", SDDEMO_PKG)):
        with open(os.path.join(d, "sddemo", fn), "w") as f:
            f.write(text)
    env = E.base_env(GORELINK_PRESET_PATH=pdir)
    r, rep, out = E.build(d, [], env=env, name="sd")
    applied(r, rep, "sddemo", SDDEMO, "stubbed")
    assert [x["function"] for x in rep["stubs"]] == ["sd_listen_fds"], "stubs %r" % rep["stubs"]
    # lib -lm: resolved to glibc's libm archive (Debian's libm.a is a linker script).
    assert any(re.search(r"/libm(-[0-9.]+)?\.a$", a) for a in rep["link_argv"]), (
        "the preset's lib -lm is not in link_argv %r" % rep["link_argv"])
    E.assert_static(out)
    res, _ = E.run_in_empty_root(out)
    assert res.rc == 0 and res.out == "listen true\n", "in an empty root: %r" % res
    r, rep, out = E.build(d, ["--preset", "sddemo=dyn"], env=env, name="sd-dyn")
    assert rep["mode"] == "third-party", "mode %r" % rep["mode"]
    assert E.readelf(out)["needed"] == ["libsystemd.so.0", "libc.so.6"], "needed %r" % E.readelf(out)["needed"]
    write("dyn")
    r, _, out = E.build(d, [], env=env, name="sd-auto-mode", expect=2)
    want = "the preset sddemo (variant dyn, applied by itself) builds --third-party, but this build is --static"
    assert want in r.err, "the applied preset's mode is not refused\n%r" % r
    assert E.listing(os.path.dirname(out)) == [], "a refused build left %r" % E.listing(os.path.dirname(out))
    # A variant's cc where go env -w set another CC (and the environment none):
    # refused, naming go env -u CC; with GOENV=off the preset's CC builds.
    with open(preset, "a") as f:
        f.write("\nvariant musl\nstub systemd\ncc musl-gcc\nmode static\n")
    goenv = os.path.join(pdir, "goenv")
    with open(goenv, "w") as f:
        f.write("CC=gcc\n")
    r, _, out = E.build(d, ["--preset", "sddemo=musl"], env=E.base_env(GORELINK_PRESET_PATH=pdir, GOENV=goenv, CC=None), name="sd-goenv-cc",
                        expect=2)
    assert "builds with CC=musl-gcc, but this build's C compiler is gcc" in r.err and "go env -u CC" in r.err, (
        "go env -w CC is not a disagreement\n%r" % r)
    assert "the preset sddemo (variant musl) builds with CC=musl-gcc" not in r.err, r


KAFKA = "github.com/confluentinc/confluent-kafka-go/v2"
KAFKA_VERSION = "v2.11.1"
KAFKA_MAIN = r"""package main

import (
	"fmt"
	"os"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

func main() {
	_, v := kafka.LibraryVersion()
	fmt.Println("librdkafka", v)
	// librdkafka's configuration parser: an unknown property is refused.
	if _, err := kafka.NewProducer(&kafka.ConfigMap{"no.such.property": 1}); err != nil {
		fmt.Println("refused:", err)
	}
	// A producer for a broker that is not there (an address: no resolver
	// needed): librdkafka starts its threads and stops them again.
	p, err := kafka.NewProducer(&kafka.ConfigMap{"bootstrap.servers": "127.0.0.1:1", "client.id": "gorelink",
		"compression.codec": "zstd", "socket.timeout.ms": 1000})
	if err != nil {
		fmt.Println("producer:", err)
		os.Exit(1)
	}
	fmt.Println("producer", p.String())
	p.Close()
	fmt.Println("closed")
}
"""
KAFKA_OUT = ("librdkafka 2.11.1\nrefused: No such configuration property: \"no.such.property\"\n"
             "producer gorelink#producer-1\nclosed\n")


@test
def preset_confluent_kafka():
    """github.com/confluentinc/confluent-kafka-go/v2 v2.11.1: bundled (the
    default, applied by itself: the module's glibc librdkafka archive) is
    static and runs in an empty root, with librdkafka's own glibc findings;
    musl (tag musl, the preset's CC=musl-gcc and mode static) is static with
    no findings and runs in an empty root; a CC that disagrees is refused;
    system (tag dynamic, pkg rdkafka) does not build against Debian 12's
    librdkafka 2.0.2 (the module's #error)."""
    assert shutil.which("musl-gcc"), "musl-gcc is not installed (apt-get install musl-tools; scripts/setup does)"
    d = module("kf", KAFKA + " " + KAFKA_VERSION, KAFKA_MAIN)
    tidy(d)
    glibc_ar = "librdkafka_glibc_linux_amd64.a"
    musl_ar = "librdkafka_musl_linux_amd64.a"
    r, rep, out = E.build(d, [], name="kf")
    applied(r, rep, "confluent-kafka", KAFKA, "bundled")
    assert any(glibc_ar in a for a in rep["link_argv"]), "link_argv %r" % rep["link_argv"]
    assert "musl" not in rep["tags"], "tags %r" % rep["tags"]
    # librdkafka's (and its OpenSSL's and libcurl's) own C calls to glibc.
    got = sorted({f["symbol"] for f in rep["findings"] if glibc_ar + "(" in (f.get("source") or "")})
    assert {"getaddrinfo", "getpwuid_r", "gethostbyname", "dlopen"} <= set(got), "findings %r" % got
    assert "getaddrinfo" in rep["check"]["glibc_runtime"], "glibc_runtime %r" % rep["check"]["glibc_runtime"]
    print("  bundled: findings %s; glibc_runtime %s" % (" ".join(got), " ".join(rep["check"]["glibc_runtime"])))
    E.assert_static(out)
    res, _ = E.run_in_empty_root(out)
    assert res.rc == 0 and res.out == KAFKA_OUT, "bundled in an empty root: %r" % res
    # musl: the preset sets CC (the environment has none) and the mode.
    env = E.base_env(CC=None)
    r, rep, out = E.build(d, ["--preset", "confluent-kafka=musl"], env=env, name="kf-musl")
    assert "the preset confluent-kafka (variant musl) builds with CC=musl-gcc" in r.err, "no CC note\n%r" % r
    assert rep["mode"] == "static" and "musl" in rep["tags"], "mode %r tags %r" % (rep["mode"], rep["tags"])
    assert any(musl_ar in a for a in rep["link_argv"]) and not any(glibc_ar in a for a in rep["link_argv"]), (
        "link_argv %r" % rep["link_argv"])
    assert rep["link_argv"][0].endswith("musl-gcc"), "linked by %r" % rep["link_argv"][0]
    assert not rep.get("findings") and rep["check"].get("glibc_runtime") == [], (
        "findings in the musl build: %r %r" % (rep.get("findings"), rep["check"].get("glibc_runtime")))
    E.assert_static(out)
    res, _ = E.run_in_empty_root(out)
    assert res.rc == 0 and res.out == KAFKA_OUT, "musl in an empty root: %r" % res
    # A CC of the user's that is not the variant's: refused, naming both.
    r, _, out = E.build(d, ["--preset", "confluent-kafka=musl"], env=E.base_env(CC="gcc"), name="kf-cc", expect=2)
    want = "--preset confluent-kafka=musl builds with CC=musl-gcc, but this build's C compiler is gcc"
    assert want in r.err and want in (E.parse_json(r)["error"] or ""), "the CC conflict is not named\n%r" % r
    assert E.listing(os.path.dirname(out)) == [], "a refused build left %r" % E.listing(os.path.dirname(out))
    # system: Debian 12's librdkafka is older than the module accepts.
    archive(LIB + "/librdkafka.a", "librdkafka-dev")
    ver = E.pkg_modversion("rdkafka", "librdkafka-dev")
    r, _, out = E.build(d, ["--preset", "confluent-kafka=system"], name="kf-system", expect=2)
    assert ver.startswith("2.0."), "Debian 12 ships librdkafka 2.0.2, the preset says so; rdkafka.pc says %s" % ver
    assert "confluent-kafka-go requires librdkafka v2.11.1 or later" in r.err, "not the module's #error\n%r" % r
    assert "dynamic" in E.parse_json(r)["tags"], "tags %r" % E.parse_json(r)["tags"]


SQLITE3 = "github.com/mattn/go-sqlite3"
SQLITE3_MAIN = r'''package main

import (
	"database/sql"
	"fmt"
	"os"

	_ "github.com/mattn/go-sqlite3"
)

func main() {
	db, err := sql.Open("sqlite3", ":memory:")
	if err == nil {
		var s string
		err = db.QueryRow(os.Args[1]).Scan(&s)
		fmt.Println(s)
	}
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
}
'''


def sqlite3_module():
    """A query program on the go-sqlite3 version examples/sqlite3 requires."""
    ex = os.path.join(E.SRCDIR, "examples", "sqlite3")
    with open(os.path.join(ex, "go.mod")) as f:
        m = re.search(r"github.com/mattn/go-sqlite3 (v\S+)", f.read())
    assert m, "examples/sqlite3/go.mod does not require go-sqlite3"
    d = module("sq", SQLITE3 + " " + m.group(1), SQLITE3_MAIN)
    tidy(d)
    return d


@test
def preset_sqlite3_variants():
    for a in ("libicuuc.a", "libicui18n.a", "libicudata.a"):
        archive(LIB + "/" + a, "libicu-dev")
    d = sqlite3_module()
    r, rep, out = E.build(d, ["--sqlite3=icu"], name="sq-icu")
    assert [(p["name"], p["variant"]) for p in rep["presets_applied"]] == [("sqlite3", "icu")], (
        "presets_applied %r" % rep["presets_applied"])
    assert {"sqlite_icu", "sqlite_omit_load_extension"} <= set(rep["tags"]), "tags %r" % rep["tags"]
    assert {"libicuuc.a", "libicui18n.a", "libicudata.a"} <= set(archives(rep)), "archives %r" % archives(rep)
    E.assert_static(out)
    res, _ = E.run_in_empty_root(out, ["select upper('stra\u00dfe')"])
    assert res.rc == 0 and res.out == "STRASSE\n", "ICU's upper() in the empty root: %r" % res
    for variant, tag in (("fts5", "sqlite_fts5"), ("math", "sqlite_math_functions")):
        out = os.path.join(E.scratch("out-sq-" + variant), "sq")
        r = E.gorelink(["--json", "--dry-run", "--sqlite3=" + variant, "-o", out, "."], cwd=d)
        assert r.rc == 0, "--sqlite3=%s --dry-run\n%r" % (variant, r)
        rep = E.parse_json(r)
        assert {tag, "sqlite_omit_load_extension"} <= set(rep["tags"]), "%s: tags %r" % (variant, rep["tags"])
        assert [(p["name"], p["variant"]) for p in rep["presets_applied"]] == [("sqlite3", variant)], (
            "%s: presets_applied %r" % (variant, rep["presets_applied"]))


# ---- the sqlite3 preset's fts5 and math variants, built for real (issue 17) ----

SQLITE3_SCRIPT_MAIN = r"""package main

import (
	"database/sql"
	"fmt"
	"os"

	_ "github.com/mattn/go-sqlite3"
)

// Every argument but the last is executed, the last is a query whose rows
// are printed, one line each, columns joined by '|'.
func main() {
	db, err := sql.Open("sqlite3", ":memory:")
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	args := os.Args[1:]
	for _, stmt := range args[:len(args)-1] {
		if _, err := db.Exec(stmt); err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
	}
	rows, err := db.Query(args[len(args)-1])
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	cols, _ := rows.Columns()
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]interface{}, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		for i, v := range vals {
			if i > 0 {
				fmt.Print("|")
			}
			fmt.Print(v.String)
		}
		fmt.Println()
	}
	if err := rows.Err(); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
}
"""


def sqlite3_script_module():
    """A program that runs SQL statements on go-sqlite3 (the version examples/sqlite3 requires)."""
    ex = os.path.join(E.SRCDIR, "examples", "sqlite3")
    with open(os.path.join(ex, "go.mod")) as f:
        m = re.search(r"github.com/mattn/go-sqlite3 (v\S+)", f.read())
    assert m, "examples/sqlite3/go.mod does not require go-sqlite3"
    d = module("sqscript", SQLITE3 + " " + m.group(1), SQLITE3_SCRIPT_MAIN)
    tidy(d)
    return d


def sqlite3_variant_built(variant, tag, sql, want):
    """Build the script program with --sqlite3=VARIANT (the amalgamation
    compiled again with TAG), check it static with gorelink check, run SQL
    in an empty root: its output must be WANT.  Returns the build's seconds."""
    d = sqlite3_script_module()
    r, rep, out = E.build(d, ["--sqlite3=" + variant], name="sq-" + variant)
    assert [(p["name"], p["variant"]) for p in rep["presets_applied"]] == [("sqlite3", variant)], (
        "%s: presets_applied %r" % (variant, rep["presets_applied"]))
    assert {tag, "sqlite_omit_load_extension"} <= set(rep["tags"]), "%s: tags %r" % (variant, rep["tags"])
    assert rep["verdict"] == "static" and rep["check"]["needed"] == [], "%s: verdict %r" % (variant, rep["verdict"])
    E.assert_static(out)  # gorelink check (and readelf)
    res, _ = E.run_in_empty_root(out, sql)
    assert res.rc == 0 and res.out == want, "%s in the empty root: want %r\n%r" % (variant, want, res)
    return r.secs


@test
def preset_sqlite3_fts5_built():
    """--sqlite3=fts5 built for real: an FTS5 virtual table's MATCH query
    (with bm25 ranking and highlight()) in an empty root."""
    secs = sqlite3_variant_built(
        "fts5", "sqlite_fts5",
        ["CREATE VIRTUAL TABLE docs USING fts5(title, body)",
         "INSERT INTO docs VALUES ('static', 'a static binary needs no loader'), "
         "('dynamic', 'a dynamic binary needs the loader and its libraries'), "
         "('fts', 'full text search in sqlite')",
         "SELECT title, highlight(docs, 1, '[', ']') FROM docs WHERE docs MATCH 'binary AND loader' "
         "ORDER BY rank"],
        "static|a static [binary] needs no [loader]\n"
        "dynamic|a dynamic [binary] needs the [loader] and its libraries\n")
    return "built in %.1f s" % secs


@test
def preset_sqlite3_math_built():
    """--sqlite3=math built for real: SQLite's math functions (sqrt, pi,
    pow, ln, floor) in an empty root."""
    secs = sqlite3_variant_built(
        "math", "sqlite_math_functions",
        ["SELECT sqrt(16.0), printf('%.6f', pi()), pow(2, 10), printf('%.4f', ln(exp(1.5))), floor(-2.5)"],
        "4|3.141593|1024|1.5000|-3\n")
    return "built in %.1f s" % secs


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
    E.SCRATCH = harness.make_scratch("presets-e2e.", dir=workdir, mode=0o755)
    return SUITE.run(only_env="PRESETS_E2E_ONLY", timing=True,
                     cleanup=lambda: harness.rmtree_forced(E.SCRATCH))


if __name__ == "__main__":
    sys.exit(main())
