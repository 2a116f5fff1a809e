#!/usr/bin/env bash
# Source lint: library and CLI code never shell out, never use unbounded
# string functions, and never print from library modules.
set -euo pipefail
root=${1:?usage: lint.sh SOURCE-DIR}
cd "$root"
fail=0
srcs=$(git ls-files '*.c' '*.h' 2>/dev/null | grep -v '^tests/' || find common check cli relink pkgconf-rewrite -name '*.[ch]')
check() { # check PATTERN WHY
	local hits
	hits=$(grep -nE "$1" $srcs || true)
	if [ -n "$hits" ]; then
		printf 'FAIL %s:\n%s\n' "$2" "$hits"
		fail=1
	else
		printf 'ok   no %s\n' "$2"
	fi
}
check '\b(system|popen)\(' 'system()/popen(): spawn an argv vector with posix_spawnp'
check '"/bin/sh"|"sh", *"-c"|\bsh -c' 'shell invocation'
check '\b(sprintf|vsprintf|strcpy|strcat|gets)[[:space:]]*\(' 'unbounded string function'
check '\bPATH_MAX\b' 'PATH_MAX buffers'
lib=$(printf '%s\n' $srcs | grep -E '^(common|check|pkgconf-rewrite|relink)/' || true)
if [ -n "$lib" ]; then
	# Comments may speak of stdout; code may not use it.
	hits=$(grep -nE '\b(printf|puts|perror|exit|abort)[[:space:]]*\(|\b(stdout|stderr)\b' $lib |
		grep -v 'snprintf\|vsnprintf' |
		grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/\*|\*)|/\*.*\b(stdout|stderr)\b' || true)
	if [ -n "$hits" ]; then
		printf 'FAIL library code prints or exits:\n%s\n' "$hits"
		fail=1
	else
		echo "ok   library code neither prints nor exits"
	fi
fi
# Fixtures are generated at test time: no binary is ever committed.
bins=$(git ls-files -z 2>/dev/null | xargs -0 -r sh -c 'for f; do [ -f "$f" ] || continue; m=$(head -c 4 "$f" | od -An -tx1 | tr -d " \n"); case "$m" in 7f454c46|cafebabe|cffaedfe|cefaedfe|213c6172) echo "$f";; esac; done' sh)
if [ -n "$bins" ]; then
	printf 'FAIL committed binaries (generate them at test time):\n%s\n' "$bins"
	fail=1
else
	echo "ok   no committed binaries"
fi
exit "$fail"
