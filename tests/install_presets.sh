#!/bin/bash
# install_presets.sh BUILDDIR SRCDIR
#
# An installed gorelink finds its presets relative to itself, with no path of
# the source or build tree compiled in: `cmake --install --prefix` into a
# temporary directory, the prefix moved elsewhere: --preset sqlite3 is found
# (gorelink gets as far as running go); an unknown preset names the moved
# prefix's directory; GORELINK_PRESET_PATH still comes first. And a copy of
# the program alone, with no share/ beside it, finds no preset at all: no
# fallback to the source or build tree, whose presets/ still exists. (No
# mount namespace is needed for that, so the test also runs in a chroot,
# where `unshare -m` cannot make / private: scripts/fresh-check.)
set -u
build=$1 src=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v cmake >/dev/null || fail "cmake is needed (apt-get install cmake)"
work=$(mktemp -d /tmp/gr-install.XXXXXX) || fail "mktemp"
trap 'rm -rf "$work"' EXIT
case "$work/" in "$src"/*) fail "the work directory $work is inside the source tree";; esac

cmake --install "$build" --prefix "$work/prefix" >"$work/install.log" 2>&1 ||
	fail "cmake --install: $(cat "$work/install.log")"
[ -f "$work/prefix/share/gorelink/presets/sqlite3.preset" ] ||
	fail "cmake --install --prefix put no share/gorelink/presets/sqlite3.preset under the prefix: $(cat "$work/install.log")"
mv "$work/prefix" "$work/moved"
g=$work/moved/bin/gorelink
mkdir "$work/pkg" "$work/mine"
if grep -q -a -F "$src/presets" "$g"; then fail "$g holds the source tree's path $src/presets"; fi

# Run ARGS in $work/pkg; stdout+stderr to $work/out, the exit status to $work/rc.
hidden() {
	(cd "$work/pkg" && "$@") >"$work/out" 2>&1
	echo $? >"$work/rc"
}

# A copy of the program with nothing beside it: the source tree's presets/
# is still there, and must not be found.
[ -f "$src/presets/sqlite3.preset" ] || fail "$src/presets/sqlite3.preset is missing"
mkdir "$work/alone"
cp "$g" "$work/alone/gorelink"
hidden env -u GORELINK_PRESET_PATH "$work/alone/gorelink" --preset sqlite3 --go /nonexistent/go .
rc=$(cat "$work/rc")
[ "$rc" = 64 ] && grep -q "unknown preset 'sqlite3'" "$work/out" && ! grep -q -F "$src" "$work/out" ||
	fail "a lone copy of gorelink (exit $rc, want 64: no preset found, no source path named): $(cat "$work/out")"

hidden env -u GORELINK_PRESET_PATH "$g" --preset sqlite3 --go /nonexistent/go .
rc=$(cat "$work/rc")
[ "$rc" = 2 ] && grep -q "cannot run /nonexistent/go" "$work/out" ||
	fail "--preset sqlite3 from the moved install (exit $rc, want 2: the preset loads, go is missing): $(cat "$work/out")"

hidden env -u GORELINK_PRESET_PATH "$g" --preset nosuch --go /nonexistent/go .
rc=$(cat "$work/rc")
[ "$rc" = 64 ] && grep -q -F "no nosuch.preset in $work/moved/bin/../share/gorelink/presets" "$work/out" ||
	fail "--preset nosuch (exit $rc, want 64 naming the moved prefix's presets): $(cat "$work/out")"

# GORELINK_PRESET_PATH first: its sqlite3.preset (malformed on purpose) is the one read.
printf 'bogus x\n' >"$work/mine/sqlite3.preset"
hidden env GORELINK_PRESET_PATH="$work/mine" "$g" --preset sqlite3 --go /nonexistent/go .
rc=$(cat "$work/rc")
[ "$rc" = 64 ] && grep -q -F "$work/mine/sqlite3.preset:1: unknown key 'bogus'" "$work/out" ||
	fail "GORELINK_PRESET_PATH does not come first (exit $rc): $(cat "$work/out")"
echo "ok: the installed gorelink finds its presets from $work/moved, a lone copy finds none"
