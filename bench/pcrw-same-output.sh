#!/usr/bin/env bash
# Record what pkgconf-rewrite prints for every installed .pc package, so that
# two builds can be compared with diff -r (issue 15: a faster --each must
# print the same bytes).
#
# Usage: bench/pcrw-same-output.sh PKGCONF-REWRITE OUTDIR
#
# OUTDIR gets NAME.out, NAME.err and NAME.rc (stdout, stderr, exit status) for:
#   each-cold, each-warm            --each P1 ... Pn, a fresh GORELINK_CACHE_DIR, then again in it
#   each-json-cold, each-json-warm  the same with --json
#   each-warm1                      --each in a cache warmed by --each P1 only (the bench's "warm")
#   one-cold/P, one-json-cold/P     one process per package, each with a fresh cache
#   one-warm/P                      one process per package, the cache filled by --each
#   one-warm1/P                     one process per package in turn, in a cache warmed by P1 only
# The binary is run as a copy named pkgconf-rewrite and the cache directories
# have fixed names (under /tmp/pcrw-same-output.cache, removed first), so that
# two runs differ only where the binaries do. Then:
#   diff -r OUTDIR-OF-A OUTDIR-OF-B
set -euo pipefail
(($# == 2)) || { echo "usage: $0 PKGCONF-REWRITE OUTDIR" >&2; exit 2; }
src=$(realpath "$1")
out=$2
base=/tmp/pcrw-same-output.cache
rm -rf "$base" "$out"
mkdir -p "$base/bin" "$out/one-cold" "$out/one-json-cold" "$out/one-warm" "$out/one-warm1"
cp "$src" "$base/bin/pkgconf-rewrite"
b=$base/bin/pkgconf-rewrite
mapfile -t pkgs < <(pkg-config --list-all | awk '{print $1}' | LC_ALL=C sort -u)
((${#pkgs[@]} > 0)) || { echo "pkg-config --list-all lists no package" >&2; exit 1; }
unset CC

rec() {  # NAME CACHE ARGS...
	local name=$1 cache=$2 rc=0
	shift 2
	GORELINK_CACHE_DIR=$cache "$b" "$@" >"$out/$name.out" 2>"$out/$name.err" || rc=$?
	echo "$rc" >"$out/$name.rc"
}
fresh() {  # NAME: an empty cache directory
	rm -rf "${base:?}/$1"
	mkdir "$base/$1"
	echo "$base/$1"
}

c=$(fresh each)
rec each-cold "$c" --each "${pkgs[@]}"
rec each-warm "$c" --each "${pkgs[@]}"
c=$(fresh each-json)
rec each-json-cold "$c" --each --json "${pkgs[@]}"
rec each-json-warm "$c" --each --json "${pkgs[@]}"
c=$(fresh each-warm1)
GORELINK_CACHE_DIR=$c "$b" --each "${pkgs[0]}" >/dev/null 2>&1 || true
rec each-warm1 "$c" --each "${pkgs[@]}"
w=$(fresh warm)
GORELINK_CACHE_DIR=$w "$b" --each "${pkgs[@]}" >/dev/null 2>&1 || true
w1=$(fresh warm1)
GORELINK_CACHE_DIR=$w1 "$b" --each "${pkgs[0]}" >/dev/null 2>&1 || true
for p in "${pkgs[@]}"; do
	rec "one-cold/$p" "$(fresh one)" "$p"
	rec "one-json-cold/$p" "$(fresh one)" --json "$p"
	rec "one-warm/$p" "$w" "$p"
	rec "one-warm1/$p" "$w1" "$p"
done
rm -rf "$base"
echo "$out: ${#pkgs[@]} packages"
