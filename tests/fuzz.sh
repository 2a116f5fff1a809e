#!/bin/bash
# Build the libFuzzer targets (preset "fuzz", clang-14) and run each for a
# while on seed corpora made here from the system and the unit tests.
# usage: tests/fuzz.sh SOURCE_DIR WORK_DIR [SECONDS]   (or SECONDS=600 in the environment)
# FUZZ_JOBS=N: how many targets fuzz at once (default: the number of CPUs).
# Fails on any crash, leak, timeout or sanitizer report; artifacts stay in WORK_DIR/artifacts.
env_seconds=$SECONDS  # bash imports SECONDS from the environment: SECONDS=600 tests/fuzz.sh ...
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: $0 SOURCE_DIR WORK_DIR [SECONDS]" >&2; exit 2; }
src=$(cd "$1" && pwd)
work=$2
# The third argument, else $SECONDS from the caller (bash's clock: read on the
# first line above, so 0 unless given), else 20.
secs=${3:-}
if [ -z "$secs" ]; then
	if [ "$env_seconds" -gt 0 ]; then secs=$env_seconds; else secs=20; fi
fi
case $secs in ''|*[!0-9]*) echo "fuzz.sh: SECONDS must be a number, not '$secs'" >&2; exit 2;; esac
die() { echo "fuzz.sh: FAIL: $*" >&2; exit 1; }
for tool in clang-14 llvm-lipo-14 ld64.lld-14 ld.lld-14 cmake; do
	command -v "$tool" >/dev/null ||
		die "$tool not found: apt-get install clang-14 llvm-14 lld-14 cmake (scripts/setup lists them)"
done
mkdir -p "$work"
work=$(cd "$work" && pwd)

# ------------------------------------------------------------------ build
bdir=$src/build-fuzz
mkdir -p "$bdir"
# One run at a time per tree (ctest in build/ and build-asan/ may both start this).
if command -v flock >/dev/null; then
	exec 9>"$bdir/.fuzz.lock"
	flock 9
fi
if [ ! -f "$bdir/CMakeCache.txt" ]; then
	(cd "$src" && cmake --preset fuzz >"$work/configure.log" 2>&1) ||
		{ cat "$work/configure.log" >&2; die "cmake --preset fuzz failed"; }
fi
cmake --build "$bdir" --target fuzzers -j"$(nproc)" >"$work/build.log" 2>&1 ||
	{ tail -50 "$work/build.log" >&2; die "building the fuzz targets failed"; }

# ------------------------------------------------------------------ seeds
corp=$work/corpus
rm -rf "$corp" "$work/tmp" "$work/run-corpus" "$work/artifacts"
mkdir -p "$corp"/{pc_split,ldscript,elf,macho,extld,ldmsg,records,goinfo,dcomp,embed} "$work/tmp" "$work/artifacts"
tmp=$work/tmp
seed() { # seed TARGET NAME < text
	cat >"$corp/$1/$2"
}

# pkg-config flag strings: what pkg-config prints, Libs lines of installed .pc files, quoting.
i=0
for q in zlib libpng "zlib libpng" libelf libpkgconf sqlite3 libseccomp libcurl; do
	if out=$(pkg-config --static --libs --cflags $q 2>/dev/null); then
		i=$((i + 1)); printf '%s' "$out" | seed pc_split "pkgconfig-$i"
	fi
done
for pc in $(ls /usr/lib/x86_64-linux-gnu/pkgconfig/*.pc /usr/share/pkgconfig/*.pc 2>/dev/null | head -40); do
	i=$((i + 1))
	grep -h '^\(Libs\|Libs.private\|Cflags\):' "$pc" | head -2 | sed 's/^[A-Za-z.]*: *//' |
		seed pc_split "pcline-$i" || true
done
printf '%s' '-L"/opt/x y/lib" -lfoo -Wl,-rpath,\$ORIGIN/../lib '"'"'-Wl,--as-needed'"'"' -pthread' | seed pc_split quote-1
printf '%s' '-I/usr/include/a\ b -DX=\"1\" -l:libz.a -Wl,--start-group -la -lb -Wl,--end-group' | seed pc_split quote-2

# GNU ld implicit linker scripts: Debian's libc.so, libm.a, and hand-written ones.
for f in /usr/lib/x86_64-linux-gnu/libc.so /usr/lib/x86_64-linux-gnu/libm.a \
         /usr/lib/x86_64-linux-gnu/libpthread.so /usr/lib/x86_64-linux-gnu/libncurses.so \
         /usr/lib/x86_64-linux-gnu/libncursesw.so; do
	[ -f "$f" ] && [ "$(head -c 200 "$f" | tr -d '\0' | grep -c 'GROUP\|INPUT\|OUTPUT_FORMAT')" -gt 0 ] &&
		cp "$f" "$corp/ldscript/sys-$(basename "$f")"
done
cat <<'LD' | seed ldscript hand-1
/* GNU ld script */
OUTPUT_FORMAT(elf64-x86-64)
GROUP ( /lib/x86_64-linux-gnu/libc.so.6 /usr/lib/x86_64-linux-gnu/libc_nonshared.a  AS_NEEDED ( /lib64/ld-linux-x86-64.so.2 ) )
LD
cat <<'LD' | seed ldscript hand-2
OUTPUT_FORMAT("elf64-x86-64", "elf64-x86-64", "elf64-x86-64")
SEARCH_DIR("=/usr/local/lib"); SEARCH_DIR(/opt/lib)
INPUT(-lfoo "-l:libbar.a" libbaz.so.1, /abs/path/libq.a)
GROUP(-lc AS_NEEDED(-lm))
LD

# ELF: small system binaries and libraries, an object, an archive, a static executable.
n=0
for f in /usr/bin/* /usr/lib/x86_64-linux-gnu/*.so* /usr/lib/x86_64-linux-gnu/*.o; do
	[ -f "$f" ] && [ ! -L "$f" ] || continue
	s=$(stat -c %s "$f")
	[ "$s" -le 65536 ] || continue
	head -c 4 "$f" | grep -q 'ELF' || continue
	cp "$f" "$corp/elf/$(basename "$f")"
	n=$((n + 1)); [ $n -lt 24 ] || break
done
printf 'int f(int x) { return x + 1; }\nint main(void) { return f(0); }\n' >"$tmp/t.c"
clang-14 -O1 -c "$tmp/t.c" -o "$corp/elf/t.o"
clang-14 -m32 -O1 -c "$tmp/t.c" -o "$corp/elf/t32.o" 2>/dev/null || true
(cd "$tmp" && ar rc "$corp/elf/libt.a" "$corp/elf/t.o")
# Symbol versions: GLIBC_2.34 (pthread_create) and a weak GLIBC_2.36 reference (pidfd_open).
printf '#include <pthread.h>\nextern int pidfd_open(int, unsigned) __attribute__((weak));\nstatic void *g(void *a) { return a; }\nint main(void) { pthread_t t; pthread_create(&t, 0, g, 0); return pidfd_open != 0; }\n' >"$tmp/v.c"
clang-14 -O1 "$tmp/v.c" -o "$corp/elf/verneed" -lpthread

# Mach-O: objects and dylibs/executables for arm64 and x86_64 (ld64.lld), a universal file.
for a in arm64 x86_64; do
	clang-14 -target "$a-apple-macos11" -O1 -ffreestanding -c "$tmp/t.c" -o "$corp/macho/$a.o"
done
{
	sdk=$tmp/sdk; mkdir -p "$sdk/usr/lib"
	# A minimal libSystem stub so ld64.lld can link.
	cat >"$sdk/usr/lib/libSystem.tbd" <<'TBD'
--- !tapi-tbd
tbd-version: 4
targets: [ arm64-macos, x86_64-macos ]
install-name: '/usr/lib/libSystem.B.dylib'
current-version: 1311
exports:
  - targets: [ arm64-macos, x86_64-macos ]
    symbols: [ dyld_stub_binder ]
...
TBD
	for a in arm64 x86_64; do
		ld64.lld-14 -arch $a -platform_version macos 11.0 11.0 -syslibroot "$sdk" -dylib \
			-install_name /opt/homebrew/lib/libt.dylib "$corp/macho/$a.o" -lSystem \
			-o "$corp/macho/$a-libt.dylib" 2>>"$tmp/ld64.log" || die "ld64.lld-14 -dylib ($a): $(cat "$tmp/ld64.log")"
		ld64.lld-14 -arch $a -platform_version macos 11.0 11.0 -syslibroot "$sdk" \
			-rpath @executable_path/../lib "$corp/macho/$a.o" -lSystem \
			-o "$corp/macho/$a-exe" 2>>"$tmp/ld64.log" || die "ld64.lld-14 ($a): $(cat "$tmp/ld64.log")"
	done
}
# The embedded manifest (issue 16, check/gr_embed): its ELF note added with
# objcopy (a .note* section is SHT_NOTE), its Mach-O section with -sectcreate.
printf '{"format":"gorelink-manifest/1","archives":[{"path":"/usr/lib/x86_64-linux-gnu/libz.a","sha256":"00"}]}\0' >"$tmp/manifest"
{ printf '\x09\x00\x00\x00'; printf "$(printf '\\x%02x' $(( $(stat -c %s "$tmp/manifest") )))"'\x00\x00\x00'
  printf '\x01\x00\x52\x47gorelink\x00\x00\x00\x00'; cat "$tmp/manifest"
  head -c $(( (4 - $(stat -c %s "$tmp/manifest") % 4) % 4 )) /dev/zero; } >"$tmp/note"
objcopy --add-section .note.gorelink.manifest="$tmp/note" "$corp/elf/verneed" "$corp/elf/manifest" ||
	die "objcopy --add-section: apt-get install binutils"
for a in arm64 x86_64; do
	ld64.lld-14 -arch $a -platform_version macos 11.0 11.0 -syslibroot "$tmp/sdk" \
		-sectcreate __GORELINK __manifest "$tmp/manifest" "$corp/macho/$a.o" -lSystem \
		-o "$corp/macho/$a-manifest" 2>>"$tmp/ld64.log" || die "ld64.lld-14 -sectcreate ($a): $(cat "$tmp/ld64.log")"
done
llvm-lipo-14 -create "$corp/macho/arm64-manifest" "$corp/macho/x86_64-manifest" -output "$corp/macho/fat-manifest"
llvm-lipo-14 -create "$corp/macho/arm64.o" "$corp/macho/x86_64.o" -output "$corp/macho/fat-o"
llvm-lipo-14 -create "$corp/macho/arm64-exe" "$corp/macho/x86_64-exe" -output "$corp/macho/fat-exe"
# The reader dispatch is shared: a few Mach-O seeds help the ELF target's gr_check_buffer too.
cp "$corp/macho/fat-o" "$corp/elf/fat-o"

# Linker messages: the string literals of tests/unit/test_ldmsg.c (adjacent ones joined).
python3 - "$src/tests/unit/test_ldmsg.c" "$corp/ldmsg" <<'PY'
import re, sys, codecs
text = open(sys.argv[1], encoding="utf-8").read()
text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
lit = r'"(?:[^"\\\n]|\\.)*"'
n = 0
for m in re.finditer(r"(?:%s\s*)+" % lit, text):
    parts = re.findall(lit, m.group(0))
    s = "".join(codecs.decode(p[1:-1].encode("latin-1", "backslashreplace"), "unicode_escape") for p in parts)
    if len(s) < 24:
        continue
    n += 1
    open("%s/t%03d" % (sys.argv[2], n), "w", encoding="utf-8", errors="replace").write(s)
PY
cat <<'MSG' | seed ldmsg hand-1
/usr/bin/ld: /tmp/go-link-1/000001.o: in function `_cgo_1':
/tmp/x/a.c:3: undefined reference to `deflate'
/usr/bin/ld: cannot find -lsqlite3: No such file or directory
/usr/bin/ld: a.o: in function `use_dlopen': a.c:(.text+0x9): warning: Using 'dlopen' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking
collect2: error: ld returned 1 exit status
MSG
cat <<'MSG' | seed ldmsg hand-2
Undefined symbols for architecture arm64:
  "_deflate", referenced from:
      _main in macz.o
ld: symbol(s) not found for architecture arm64
ld.lld: error: undefined symbol: log
>>> referenced by m.c:3
>>>               m.o:(lib_hypot) in archive ./libmini.a
MSG

# Go host-link argv (one word per line; the target also splits on NUL).
words() { printf '%s\n' "$@"; }
words -m64 -Wl,--build-id=0x3f2a9c -o '$WORK/b001/exe/a.out' -rdynamic /tmp/go-link-1/go.o \
	/tmp/go-link-1/000000.o /tmp/go-link-1/000001.o -O2 -g -lpthread -lsqlite3 -lz -no-pie | seed extld final-1
words -m64 -Wl,-z,relro -Wl,--dynamic-linker,/lib64/ld-linux-x86-64.so.2 -o /tmp/a.out \
	/tmp/go-link-2/go.o -L/usr/lib/x86_64-linux-gnu -Wl,-Bdynamic -l:libfoo.a -lm -Wl,-Bstatic -lc | seed extld final-2
words -m64 -o /tmp/a.out /tmp/go-link-3/go.o -static -pie -Wl,--start-group -la -lb -Wl,--end-group | seed extld final-3
words -x c - -o /dev/null | seed extld probe-1
words -m64 /tmp/trivial.c -o /tmp/x | seed extld probe-2
words '"-Wl,--build-id=0x\u00e9\x41\101"' '"\"quoted\" \\ \t\n"' '"-lfoo"' | seed extld quoted-1
printf '%s' "-ldflags '-linkmode=external -extldflags \"-static -lz\"' -tags 'a b' -o out" | seed extld goflags-1
printf '%s\0%s\0%s\0%s' -o /tmp/a.out /tmp/go-link-4/go.o -lz | seed extld nul-1

# Go build info and pclntab: the sections of a small Go program built here
# (pclntab cut to 60 KiB, under -max_len), alone and in a small ELF object.
command -v go >/dev/null || die "go not found: install Go (scripts/setup)"
command -v objcopy >/dev/null || die "objcopy not found: apt-get install binutils"
mkdir -p "$tmp/gomod"
printf 'module example.com/seed\n\ngo 1.22\n' >"$tmp/gomod/go.mod"
printf 'package main\n\nimport (\n\t"fmt"\n\t"time"\n)\n\nfunc main() { fmt.Println(time.LoadLocation("UTC")) }\n' >"$tmp/gomod/main.go"
(cd "$tmp/gomod" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false GOTOOLCHAIN=local go build -o "$tmp/goseed" .) ||
	die "go build of the goinfo seed failed"
objcopy -O binary --only-section=.go.buildinfo "$tmp/goseed" "$corp/goinfo/buildinfo"
objcopy -O binary --only-section=.gopclntab "$tmp/goseed" "$tmp/pclntab"
head -c 61440 "$tmp/pclntab" >"$corp/goinfo/pclntab"
# A whole small pclntab (Go 1.20 layout, 64-bit little-endian): three functions.
python3 - "$corp/goinfo/pclntab-small" <<'PY'
import struct, sys
names = [b"main.main", b"time.LoadLocation", b"crypto/x509.loadSystemRoots"]
nametab = b"".join(n + b"\0" for n in names)
hdr = 8 + 8 * 8
nameoff = hdr
pcloff = nameoff + len(nametab)
functab = b""
funcs = b""
fbase = (len(names) + 1) * 8
off = 0
for i, n in enumerate(names):
    functab += struct.pack("<II", i * 16, fbase + len(funcs))
    funcs += struct.pack("<Ii", i * 16, off) + b"\0" * 8
    off += len(n) + 1
functab += struct.pack("<I", len(names) * 16) + b"\0" * 4
head = struct.pack("<IBBBB", 0xfffffff1, 0, 0, 1, 8) + struct.pack("<8Q", len(names), 0, 0x401000,
                                                                   nameoff, 0, 0, 0, pcloff)
open(sys.argv[1], "wb").write(head + nametab + functab + funcs)
PY
objcopy --add-section .go.buildinfo="$corp/goinfo/buildinfo" --add-section .gopclntab="$corp/goinfo/pclntab" \
	"$corp/elf/t.o" "$corp/goinfo/goelf.o"
# The same build info and the small pclntab in a minimal thin Mach-O executable
# (__DATA,__go_buildinfo, __TEXT,__gopclntab, an LC_SYMTAB of two names), and
# in a universal file of two such slices: gr_goinfo_macho's input.
python3 - "$corp/goinfo/buildinfo" "$corp/goinfo/pclntab-small" "$corp/goinfo/gomacho" "$corp/goinfo/gomacho-fat" <<'PY'
import struct, sys
info, pcln = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
def thin(cpu):
    strtab = b"\0_time.LoadLocation\0_main.main\0"
    ncmds, cmdsize = 3, (72 + 80) * 2 + 24
    data = 32 + cmdsize
    off_info, off_pcln = data, data + len(info)
    off_sym = off_pcln + len(pcln)
    off_str = off_sym + 2 * 16
    def sect(name, seg, off, size):
        return struct.pack("<16s16sQQIIIIIIII", name, seg, 0x100000000 + off, size, off, 0, 0, 0, 0, 0, 0, 0)
    def seg(name, s):
        return struct.pack("<II16sQQQQiiII", 0x19, 72 + 80, name, 0, 0, 0, 0, 7, 7, 1, 0) + s
    cmds = (seg(b"__TEXT", sect(b"__gopclntab", b"__TEXT", off_pcln, len(pcln))) +
            seg(b"__DATA", sect(b"__go_buildinfo", b"__DATA", off_info, len(info))) +
            struct.pack("<IIIIII", 2, 24, off_sym, 2, off_str, len(strtab)))
    syms = struct.pack("<IBBHQ", 1, 0x0e, 1, 0, 0) + struct.pack("<IBBHQ", 20, 0x0f, 1, 0, 0)
    return struct.pack("<IIIIIIII", 0xfeedfacf, cpu, 0, 2, ncmds, len(cmds), 0x200000, 0) + cmds + info + pcln + syms + strtab
a, b = thin(0x0100000c), thin(0x01000007)
open(sys.argv[3], "wb").write(a)
hdr = struct.pack(">II", 0xcafebabe, 2)
oa = 4096
ob = oa + ((len(a) + 4095) // 4096) * 4096
hdr += struct.pack(">IIIII", 0x0100000c, 0, oa, len(a), 12) + struct.pack(">IIIII", 0x01000007, 3, ob, len(b), 12)
open(sys.argv[4], "wb").write(hdr.ljust(oa, b"\0") + a.ljust(ob - oa, b"\0") + b)
PY

# Linked ELF files with uncompressed debug sections (check/gr_dcomp rewrites
# them in place): x86-64 by gcc, and by ld.lld-14 an i386 (ELF32) and a
# ppc64 (big-endian) one, each small enough for -max_len.
printf 'struct p { int x, y; };\nstatic int d(struct p *a) { return a->x - a->y; }\nint f(int x) { struct p q = { x, 2 }; return d(&q); }\nint main(void) { return f(0); }\n' >"$tmp/d.c"
gcc -g -O1 -Wl,--compress-debug-sections=none -o "$corp/dcomp/x86_64" "$tmp/d.c" ||
	die "gcc -g: the dcomp seed (scripts/setup installs gcc)"
for t in i386-linux-gnu powerpc64-linux-gnu; do
	clang-14 -target "$t" -g -O1 -ffreestanding -c "$tmp/d.c" -o "$tmp/d-$t.o" || die "clang-14 -target $t"
	ld.lld-14 -e f --compress-debug-sections=none -o "$corp/dcomp/$t" "$tmp/d-$t.o" || die "ld.lld-14 ($t)"
done
for f in "$corp"/dcomp/*; do
	[ "$(stat -c %s "$f")" -le 65536 ] || die "dcomp seed $f is over 64 KiB (-max_len)"
	# (grep without -q: it would stop reading, and readelf's SIGPIPE fail the pipeline)
	readelf -S "$f" | grep '\.debug_info' >/dev/null || die "dcomp seed $f has no .debug_info"
done
# The manifest note appended in place (check/gr_embed): the same linked files,
# both classes and byte orders, and the small ELF files above.
cp "$corp"/dcomp/* "$corp/embed/"
cp "$corp/elf/t.o" "$corp/elf/verneed" "$corp/embed/"

# Records gorelink and its link wrapper exchange (tab-separated, \N for none,
# backslash escapes), and pkg-config chains (gr_chain_text reads the same input).
printf 'gorelink-link-state 1\nmode\tstatic\ncc\tgcc\ncxx\tg++\nextra\t-lz\t--pkg zlib\nallow\tsystemd\nstub\tsystemd\nmodule\tgithub.com/mattn/go-sqlite3\t/m\t--sqlite3\nreport\t/tmp/r\nfix\nno-infer\npkglog\t/tmp/p\n' | seed records state-1
printf 'gorelink-link-report 1\nargv\tgcc\nargv\ta\\tb\\\\c\narchive\t/usr/lib/libz.a\nkept\tpthread\nmissing-lib\tsystemd\t-lpcap -> libpcap.pc (inferred) -> Libs.private: -lsystemd\nmissing-file\t/x.o\t\\N\nundefined\t\\N\t\\N\t\\N\tgss_x\nfix\tm\tlibm\t/l/libm.a\t/l/libm.a\nfix\tgomp\t\\N\t\\N\t-lgomp\norder\tgroup\t/a.a\t/b.a\nstatus\t1\nlinks\t2\n' | seed records report-1
printf 'gorelink-pkg-log 1\nzlib\nlibpcap\n' | seed records pkglog-1
printf '%s' 'inferred for -lpcap: libpcap -> Requires.private -> dbus-1 (Libs.private)' | seed records chain-1
printf '%s' '#cgo pkg-config: gtk+-3.0 -> Requires -> gdk-3.0 -> Requires.private -> x11 (Libs)' | seed records chain-2

# ------------------------------------------------------------------ run
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Each libFuzzer process is single-threaded: FUZZ_JOBS targets (default: the
# number of CPUs) fuzz at once, each still for $secs seconds of its own, so
# the fuzzing per target is the same and the wall time is about
# ceil(targets / FUZZ_JOBS) * $secs (10 targets, 2 CPUs: 100 s, not 200 s).
targets=(pc_split ldscript elf macho extld ldmsg records goinfo dcomp embed)
jobs=${FUZZ_JOBS:-$(nproc)}
case $jobs in ''|*[!0-9]*|0) die "FUZZ_JOBS must be a positive number, not '$jobs'";; esac
fuzz_one() { # fuzz_one TARGET: runs it, its exit status into WORK/TARGET.rc, its CPU seconds into WORK/TARGET.cpu
	local t=$1 rc=0 TIMEFORMAT='%U %S'
	# Newly found inputs go to run-corpus/T; the seeds stay as generated.
	# (bash's time keyword: the braces keep the log's redirection off its report.)
	{ time { (cd "$work" && ASAN_OPTIONS=$ASAN_OPTIONS "$bdir/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
		-artifact_prefix="$work/artifacts/$t/" \
		"$work/run-corpus/$t" "$corp/$t") >"$work/$t.log" 2>&1 || rc=$?; }; } 2>"$work/$t.cpu"
	echo "$rc" >"$work/$t.rc"
}
running=0
for t in "${targets[@]}"; do
	mkdir -p "$work/artifacts/$t" "$work/run-corpus/$t"
	rm -f "$work/$t.rc" "$work/$t.cpu"
	if [ "$running" -ge "$jobs" ]; then
		wait -n || true   # fuzz_one's status is in its .rc file; a missing file fails below
		running=$((running - 1))
	fi
	fuzz_one "$t" &
	running=$((running + 1))
done
wait || true
# The table in the targets' order, whatever order they finished in; cpu_s is
# the CPU time (user+sys) the target had: about $secs when it had a core of
# its own, less on a machine busy with other work.
fail=0
printf '%-10s %6s %12s %8s %8s %6s %s\n' target seeds execs cov ft cpu_s findings
for t in "${targets[@]}"; do
	nseeds=$(ls "$corp/$t" | wc -l)
	log=$work/$t.log
	rc=$(cat "$work/$t.rc" 2>/dev/null || echo "none (fuzz_one did not finish)")
	done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" 2>/dev/null | tail -1 || true)
	execs=$(sed -nE 's/^#([0-9]+)[[:space:]]+DONE.*/\1/p' <<<"$done_line")
	cov=$(sed -nE 's/.*cov: ([0-9]+).*/\1/p' <<<"$done_line")
	ft=$(sed -nE 's/.*ft: ([0-9]+).*/\1/p' <<<"$done_line")
	arts=$(ls "$work/artifacts/$t" 2>/dev/null | wc -l)
	findings=none
	if [ "$rc" != 0 ] || [ "$arts" -ne 0 ] || [ -z "$done_line" ]; then
		fail=1
		findings="FAILED(rc=$rc, $arts artifacts; log $log)"
		[ -n "$execs" ] || execs=$(grep -oE '^#[0-9]+' "$log" 2>/dev/null | tail -1 | tr -d '#' || true)
	fi
	cpu=$(awk 'NF == 2 { printf "%.1f", $1 + $2 }' "$work/$t.cpu" 2>/dev/null || true)
	printf '%-10s %6s %12s %8s %8s %6s %s\n' "$t" "$nseeds" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${cpu:-?}" "$findings"
	if [ "$arts" -ne 0 ]; then
		for a in "$work/artifacts/$t"/*; do echo "    artifact: $a"; done
	fi
	if [ "$rc" != 0 ]; then
		grep -E 'ERROR: |SUMMARY: |runtime error|Test unit written' "$log" 2>/dev/null | head -8 | sed 's/^/    /' || true
	fi
done
[ "$fail" -eq 0 ] || die "a fuzz target found a crash, leak, timeout or sanitizer error (see above, logs and artifacts in $work)"
echo "fuzz.sh: OK: every target ran ${secs}s without a finding (${jobs} at a time)"
