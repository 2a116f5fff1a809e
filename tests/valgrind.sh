#!/bin/bash
# The command-line programs under valgrind's memcheck: no invalid read or
# write, no use of uninitialised memory, no definite leak, on real inputs.
# usage: tests/valgrind.sh GORELINK PKGCONF_REWRITE WORKDIR
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 GORELINK PKGCONF_REWRITE WORKDIR" >&2; exit 2; }
gorelink=$1 pcrw=$2 work=$3
command -v valgrind >/dev/null || { echo "valgrind.sh: FAIL: valgrind not found (scripts/setup installs it)" >&2; exit 1; }
mkdir -p "$work"
export GORELINK_CACHE_DIR="$work/cache"
fails=0 runs=0
# Each run: the command's own exit status must be the expected one, and
# valgrind must report no error (it then exits 99 instead).
vg() {
	local want=$1; shift
	local log="$work/vg.$runs.log" rc=0
	runs=$((runs + 1))
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		--show-leak-kinds=definite --log-file="$log" "$@" >/dev/null 2>&1 || rc=$?
	if [ "$rc" -eq 99 ] || [ -s "$log" ] || [ "$rc" -ne "$want" ]; then
		echo "FAIL (exit $rc, want $want): $*"
		sed 's/^/    /' "$log" | head -40
		fails=$((fails + 1))
	else
		echo "ok   (exit $rc): $*"
	fi
}
elf=/usr/bin/true
vg 0 "$gorelink" check --allow 'libc.so.*' --allow 'ld-linux*' "$elf"
vg 1 "$gorelink" check "$elf" /usr/lib/x86_64-linux-gnu/libc.so.6
vg 1 "$gorelink" check --json --allow "*" /usr/lib/x86_64-linux-gnu/libz.so.1 /usr/lib/x86_64-linux-gnu/libz.a
vg 2 "$gorelink" check /nonexistent/file
vg 0 "$pcrw" zlib
vg 0 "$pcrw" zlib                       # the second run reads the toolchain cache
vg 0 "$pcrw" --json --mode=third-party libpng libxml-2.0
vg 0 "$pcrw" -- -lm -lpthread -l:libz.a
vg 1 "$pcrw" -- -lnosuchlibrary
vg 0 "$pcrw" --target=arm64-apple-macos11 -- -lSystem -framework CoreFoundation
vg 0 "$gorelink" index pow deflate
vg 64 "$gorelink" --no-such-option .
echo "valgrind.sh: $runs runs, $fails failed"
[ "$fails" -eq 0 ]
