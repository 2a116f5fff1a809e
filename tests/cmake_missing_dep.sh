#!/usr/bin/env bash
# Configuring without one dependency stops with the Debian package to install.
set -euo pipefail
src=${1:?usage: cmake_missing_dep.sh SOURCE-DIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

expect() { # expect NAME WANT [env...] -- [cmake args...]
	local name=$1 want=$2; shift 2
	local envs=()
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	rm -rf "$tmp/b"
	if env "${envs[@]}" cmake -S "$src" -B "$tmp/b" "$@" >"$tmp/log" 2>&1; then
		echo "FAIL $name: configure succeeded"; fail=$((fail + 1)); return
	fi
	if tr -s " \n" "  " <"$tmp/log" | grep -qF -- "$want"; then
		echo "ok   $name: says '$want'"; pass=$((pass + 1))
	else
		echo "FAIL $name: no '$want' in:"; cat "$tmp/log"; fail=$((fail + 1))
	fi
}

# A pkg-config directory with every installed .pc file except the named ones.
pc_without() { # pc_without DIR NAME...
	local dir=$1 d f; shift
	mkdir -p "$dir"
	for d in $(pkg-config --variable pc_path pkg-config | tr : ' '); do
		for f in "$d"/*.pc; do
			[ -e "$f" ] || continue
			case " $* " in *" $(basename "$f" .pc) "*) continue ;; esac
			[ -e "$dir/$(basename "$f")" ] || ln -s "$f" "$dir/"
		done
	done
}
pc_without "$tmp/pc-no-check" check
pc_without "$tmp/pc-no-pkgconf" libpkgconf

expect libelf "apt-get install libelf-dev" PKG_CONFIG_LIBDIR=/nonexistent PKG_CONFIG_PATH= --
expect libpkgconf "apt-get install libpkgconf-dev" PKG_CONFIG_LIBDIR="$tmp/pc-no-pkgconf" PKG_CONFIG_PATH= --
expect check "apt-get install check" PKG_CONFIG_LIBDIR="$tmp/pc-no-check" PKG_CONFIG_PATH= --
expect libbfd "apt-get install binutils-dev" PATH="$PATH" -- \
	-DCMAKE_FIND_ROOT_PATH=/nonexistent -DCMAKE_FIND_ROOT_PATH_MODE_INCLUDE=ONLY \
	-DCMAKE_FIND_ROOT_PATH_MODE_LIBRARY=ONLY
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
