# The cgo packages of issue 12's benchmarks (bench/links-before-after.sh,
# bench/plan-cost.sh); imported by their Python harnesses, not run.
#
# They are the packages tests/relink_e2e.py builds for issue 12, with the
# same sources: INFER_CASES (a bare -lxml2, -lssh2, -lgpgme, -larchive),
# examples/sqlite3 (go-sqlite3 imported with no flags),
# link_order_planned_before_the_first_link (-lprovider -lneeder, the wrong
# order) and PCAP_MAIN with a bare -lpcap instead of `#cgo pkg-config:
# libpcap` (libpcap -> dbus-1 -> libsystemd, which has no archive on Debian).
#
# Each case has the flags a user who knows the answer writes by hand
# (HAND_EXTLDFLAGS, for `go build -ldflags '-linkmode=external -extldflags
# "-static ..."'`, and HAND_TAGS), and the gorelink flags that do the same
# job without inference, presets applying themselves or the order plan
# (MANUAL_FLAGS: what gorelink's diagnosis leads a user to, see
# links-before-after.sh).
import os
import subprocess

DEBIAN = {"xml2": "libxml2-dev", "ssh2": "libssh2-1-dev", "gpgme": "libgpgme-dev",
          "archive": "libarchive-dev libacl1-dev liblz4-dev", "pcap": "libpcap-dev"}

# name -> (cgo directives, C prelude, Go body, the output wanted)
_INFER = {
    "xml2": ("// #cgo CFLAGS: -I/usr/include/libxml2\n// #cgo LDFLAGS: -lxml2\n",
             "// #include <string.h>\n// #include <libxml/parser.h>\n// #include <libxml/tree.h>\n"
             "// static const char *root_name(const char *s) {\n"
             "//   xmlDocPtr d = xmlReadMemory(s, (int)strlen(s), \"in.xml\", \"ISO-8859-1\", 0);\n"
             "//   return d ? (const char *)xmlDocGetRootElement(d)->name : \"error\";\n// }\n",
             "\ts := C.CString(\"<?xml version=\\\"1.0\\\" encoding=\\\"ISO-8859-1\\\"?><gr\\xe9et/>\")\n"
             "\tfmt.Println(C.GoString(C.root_name(s)))\n"),
    "ssh2": ("// #cgo LDFLAGS: -lssh2\n", "// #include <libssh2.h>\n",
             "\tfmt.Println(C.libssh2_init(0), C.GoString(C.libssh2_version(0)) != \"\")\n"),
    "gpgme": ("// #cgo LDFLAGS: -lgpgme\n", "// #include <gpgme.h>\n",
              "\tfmt.Println(C.GoString(C.gpgme_check_version(nil)) != \"\")\n"),
    "archive": ("// #cgo LDFLAGS: -larchive\n",
                "// #include <archive.h>\n// static int open_all(void) {\n"
                "//   struct archive *a = archive_read_new();\n"
                "//   int rc = archive_read_support_format_all(a) | archive_read_support_filter_all(a);\n"
                "//   archive_read_free(a);\n//   return rc;\n// }\n",
                "\tfmt.Println(C.open_all(), C.GoString(C.archive_version_string()) != \"\")\n"),
}

PCAP_MAIN = """// pcapdemo prints libpcap's version; a bare -lpcap, as gopacket writes it.
package main

// #cgo LDFLAGS: -lpcap
// #include <pcap/pcap.h>
import "C"

import "fmt"

func main() { fmt.Println(C.GoString(C.pcap_lib_version())) }
"""

ORDER_MAIN = """package main

/*
#cgo LDFLAGS: -L${SRCDIR}/lib -lprovider -lneeder
int needer_value(void);
*/
import "C"

import "fmt"

func main() { fmt.Println(int(C.needer_value())) }
"""

ORDER_SOURCES = {"provider.c": "int provider_value(void) { return 41; }\n",
                 "needer.c": "int provider_value(void);\nint needer_value(void) { return provider_value() + 1; }\n"}

# Every case, in the order printed.
NAMES = ["xml2", "archive", "ssh2", "gpgme", "sqlite3", "order", "pcap"]

# What each case is, in one line.
WHAT = {
    "xml2": "bare -lxml2 (closure: ICU, lzma, zlib, C++ runtime)",
    "archive": "bare -larchive (deep: -lxml2 -> ICU ...)",
    "ssh2": "bare -lssh2 (needs libcrypto)",
    "gpgme": "bare -lgpgme (gpg-error, assuan)",
    "sqlite3": "examples/sqlite3, go-sqlite3 with no flags",
    "order": "-lprovider -lneeder (wrong order)",
    "pcap": "bare -lpcap -> dbus-1 -> libsystemd (no archive)",
}


def _pkg_static_libs(pkgs, pkg_config="pkg-config"):
    """pkg-config --static --libs PKGS... as words (the hand-written build's flags)."""
    out = subprocess.run([pkg_config, "--static", "--libs"] + list(pkgs), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, check=True).stdout
    return out.split()


# name -> the pkg-config packages a hand-written build asks for the static flags.
HAND_PKGS = {"xml2": ["libxml-2.0"], "archive": ["libarchive", "libxml-2.0"], "ssh2": ["libssh2"],
             "gpgme": ["gpgme"]}


def hand_flags(name, mod):
    """(tags, extldflags words after -static) of the hand-written go build that
    links case NAME statically with everything already right; None when no
    static link exists (pcap: libsystemd has no archive)."""
    if name == "sqlite3":
        return "sqlite_omit_load_extension,netgo,osusergo", []
    if name == "order":
        return "netgo,osusergo", ["-Wl,--start-group", "-L" + os.path.join(mod, "lib"), "-lprovider",
                                  "-lneeder", "-Wl,--end-group"]
    if name == "pcap":
        return None
    words = _pkg_static_libs(HAND_PKGS[name])
    # ICU is C++: the C driver needs the C++ runtime spelled out.
    if any(w.startswith("-licu") for w in words):
        words += ["-lstdc++", "-lm"]
    return "netgo,osusergo", words


def _write(d, files):
    for fn, text in files.items():
        with open(os.path.join(d, fn), "w") as f:
            f.write(text)


def make(name, parent, examples):
    """Make case NAME's module under PARENT (examples/sqlite3 is used where it
    is, from EXAMPLES); its directory."""
    if name == "sqlite3":
        return os.path.join(examples, "sqlite3")
    d = os.path.join(parent, name)
    os.makedirs(d, exist_ok=True)
    gomod = {"go.mod": "module example.com/bench%s\n\ngo 1.19\n" % name}
    if name in _INFER:
        directives, prelude, body = _INFER[name]
        _write(d, dict(gomod, **{"main.go": "package main\n\n" + directives + prelude +
                                 "import \"C\"\n\nimport \"fmt\"\n\nfunc main() {\n" + body + "}\n"}))
    elif name == "pcap":
        _write(d, dict(gomod, **{"main.go": PCAP_MAIN}))
    elif name == "order":
        _write(d, dict(gomod, **{"main.go": ORDER_MAIN}))
        lib = os.path.join(d, "lib")
        os.makedirs(lib, exist_ok=True)
        for fn, text in ORDER_SOURCES.items():
            stem = os.path.splitext(fn)[0]
            _write(lib, {fn: text})
            subprocess.run(["gcc", "-c", "-O2", "-o", os.path.join(lib, stem + ".o"), os.path.join(lib, fn)],
                           check=True)
            subprocess.run(["ar", "rcs", os.path.join(lib, "lib%s.a" % stem), os.path.join(lib, stem + ".o")],
                           check=True)
    else:
        raise KeyError(name)
    return d
