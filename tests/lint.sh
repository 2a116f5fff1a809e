#!/usr/bin/env bash
# Source lint: no C source (cli/ included) shells out or uses unbounded string
# functions or PATH_MAX buffers, and library code (every C source outside cli/,
# tests/ and the fuzz harnesses) never prints or exits. Comments are taken out
# before the rules look, and string literals too (except for the shell rule,
# which looks for "/bin/sh" and "sh", "-c"), so a comment can neither excuse a
# violation (`fprintf(stderr, ...); /* to stderr */`) nor fake one.
#
# Usage: lint.sh SOURCE-DIR              the self-test, then the lint of the tree
#        lint.sh --self-test SOURCE-DIR  only the self-test: every rule must
#            catch a violation planted in a copy of the tree (in cli/ and in a
#            library module), and the copy with harmless look-alikes passes
set -euo pipefail
self_test_only=false
if [ "${1:-}" = --self-test ]; then
	self_test_only=true
	shift
fi
root=${1:?usage: lint.sh [--self-test] SOURCE-DIR}
root=$(cd "$root" && pwd)
command -v perl >/dev/null || { echo "FAIL lint.sh needs perl (apt-get install perl-base)"; exit 1; }

# The C sources under dir (git's list when dir is a checkout), tests/ excluded.
sources() { # sources DIR
	(cd "$1" && { git ls-files '*.c' '*.h' 2>/dev/null | grep -v '^tests/' ||
		find . \( -path ./tests -o -path './build*' -o -path ./.git \) -prune -o \
			-type f -name '*.[ch]' -print | sed 's|^\./||' | sort; })
}

# Copy each source of dir into out with its comments (and, unless
# LINT_KEEP_STRINGS=1, its string and character literals) blanked; newlines
# stay, so line numbers do.
strip_sources() { # strip_sources DIR OUT FILE...
	local dir=$1 out=$2
	shift 2
	perl -MFile::Path=make_path -e '
		my ($dir, $out) = (shift, shift);
		my $keep = ($ENV{LINT_KEEP_STRINGS} // "") eq "1";
		for my $f (@ARGV) {
			open(my $in, "<", "$dir/$f") or die "$dir/$f: $!";
			local $/;
			my $t = <$in>;
			close $in;
			$t =~ s{(/\*.*?\*/)|(//[^\n]*)|("(?:\\.|[^"\\\n])*")|(\x27(?:\\.|[^\x27\\\n])*\x27)}{
				defined $1 ? " " . ($1 =~ tr/\n//cdr) :
				defined $2 ? " " :
				$keep ? $& : defined $3 ? "\"\"" : "0"
			}gse;
			(my $d = "$out/$f") =~ s{/[^/]*$}{};
			make_path($d);
			open(my $o, ">", "$out/$f") or die "$out/$f: $!";
			print $o $t;
			close $o;
		}' "$dir" "$out" "$@"
}

# Both views (tmp/code, tmp/strings) of the sources of dir.
strip_views() { # strip_views DIR TMP FILE...
	local dir=$1 tmp=$2
	shift 2
	strip_sources "$dir" "$tmp/code" "$@"
	LINT_KEEP_STRINGS=1 strip_sources "$dir" "$tmp/strings" "$@"
}

# Lint the tree at dir; prints a line per rule, returns 1 if any rule failed.
lint() { # lint DIR
	local tmp rc=0
	local -a srcs
	mapfile -t srcs < <(sources "$1")
	tmp=$(mktemp -d)
	strip_views "$1" "$tmp" "${srcs[@]}"
	lint_views "$tmp" "${srcs[@]}" || rc=1
	rm -rf "$tmp"
	return "$rc"
}

# The rules, on the views in tmp of the files named.
lint_views() { # lint_views TMP FILE...
	local tmp=$1 fail=0 hits
	local -a srcs lib
	shift
	srcs=("$@")
	mapfile -t lib < <(printf '%s\n' "${srcs[@]}" | grep -vE '^(cli|fuzz)/' || true)
	check() { # check VIEW PATTERN WHY FILE...
		local view=$1 pat=$2 why=$3
		shift 3
		hits=$( (cd "$tmp/$view" && grep -nE "$pat" "$@") || true)
		if [ -n "$hits" ]; then
			printf 'FAIL %s:\n%s\n' "$why" "$hits"
			fail=1
		else
			printf 'ok   no %s\n' "$why"
		fi
	}
	check code '\b(system|popen)[[:space:]]*\(' 'system()/popen(): spawn an argv vector with posix_spawnp' "${srcs[@]}"
	check strings '"/bin/sh"|"sh",[[:space:]]*"-c"|\bsh -c' 'shell invocation' "${srcs[@]}"
	check code '\b(sprintf|vsprintf|strcpy|strcat|gets)[[:space:]]*\(' 'unbounded string function' "${srcs[@]}"
	check code '\bPATH_MAX\b' 'PATH_MAX buffers' "${srcs[@]}"
	if ((${#lib[@]})); then
		check code '\b(printf|puts|perror|exit|abort)[[:space:]]*\(|\b(stdout|stderr)\b' \
			'library code prints or exits (only cli/ talks to people)' "${lib[@]}"
	fi
	return "$fail"
}

# Each planted line must make lint fail with its rule's line; the look-alikes
# must not make it fail.
self_test() {
	local copy views bad=0 f
	local -a srcs
	copy=$(mktemp -d)
	views=$(mktemp -d)
	mapfile -t srcs < <(sources "$root")
	for f in "${srcs[@]}"; do
		mkdir -p "$copy/$(dirname "$f")"
		cp "$root/$f" "$copy/$f"
	done
	# The copy is not a checkout: sources() takes the find branch there.
	if ! out=$(lint "$copy"); then
		printf 'FAIL lint self-test: the unchanged copy fails\n%s\n' "$out"
		bad=1
	fi
	plant() { # plant FILE EXPECT LINE: EXPECT "" means lint must still pass
		local file=$1 expect=$2 line=$3 out rc=0 new=true
		local -a files=("${srcs[@]}")
		mkdir -p "$copy/$(dirname "$file")"
		[ -f "$copy/$file" ] && { cp "$copy/$file" "$copy/$file.orig"; new=false; }
		$new && files+=("$file")
		printf '%s\n' "$line" >>"$copy/$file"
		# Only the planted file's views change.
		strip_views "$copy" "$views" "$file"
		out=$(lint_views "$views" "${files[@]}") || rc=$?
		if $new; then
			rm -f "$copy/$file" "$views/code/$file" "$views/strings/$file"
		else
			mv "$copy/$file.orig" "$copy/$file"
			strip_views "$copy" "$views" "$file"
		fi
		if [ -z "$expect" ]; then
			if [ "$rc" -ne 0 ]; then
				printf 'FAIL lint self-test: %s: a harmless %s fails the lint\n%s\n' "$file" "$line" "$out"
				bad=1
			fi
		elif [ "$rc" -eq 0 ] || ! grep -q "^FAIL $expect" <<<"$out" ||
			! grep -qF "$file:" <<<"$out"; then
			printf 'FAIL lint self-test: %s planted in %s is not caught as %s\n%s\n' "$line" "$file" "$expect" "$out"
			bad=1
		fi
	}
	strip_views "$copy" "$views" "${srcs[@]}"
	local cli=cli/main.c libf=common/gr_spawn.c
	local sys='system()/popen()' sh='shell invocation' str='unbounded string function'
	local pm='PATH_MAX buffers' pr='library code prints or exits'
	for f in "$cli" "$libf"; do
		plant "$f" "$sys" 'static int lint_plant(void) { return system("true"); }'
		plant "$f" "$sys" 'static void *lint_plant(void) { return popen ("true", "r"); }'
		plant "$f" "$sh" 'static const char *lint_plant[] = { "sh", "-c", "true", 0 };'
		plant "$f" "$sh" 'static const char *lint_plant = "/bin/sh";'
		plant "$f" "$str" 'static void lint_plant(char *b) { sprintf(b, "%d", 1); }'
		plant "$f" "$str" 'static void lint_plant(char *b) { strcpy(b, "x"); } /* bounded by the caller */'
		plant "$f" "$str" 'static void lint_plant(char *b) { strcat(b, "x"); }'
		plant "$f" "$str" 'static void lint_plant(char *b, va_list ap) { vsprintf(b, "%d", ap); }'
		plant "$f" "$pm" 'static char lint_plant[PATH_MAX];'
		# Look-alikes in comments and strings are not violations.
		plant "$f" "" '/* never system() or popen(), never sprintf(), sh -c or PATH_MAX */'
		plant "$f" "" '// strcpy(b, s) would not be bounded'
		plant "$f" "" 'static const char *lint_plant = "system(x): strcpy; PATH_MAX";'
		plant "$f" "" 'static int lint_plant(char *b, size_t n) { return snprintf(b, n, "%d", 1); }'
	done
	# Library code: the comment hole, every way of printing or exiting, and a
	# module outside the known directories.
	plant "$libf" "$pr" 'static void lint_plant(void) { fprintf(stderr, "x\n"); /* to stderr */ }'
	plant "$libf" "$pr" 'static void lint_plant(void) { printf("x\n"); }'
	plant "$libf" "$pr" 'static void lint_plant(void) { puts("x"); }'
	plant "$libf" "$pr" 'static void lint_plant(void) { fputs("x", stdout); }'
	plant "$libf" "$pr" 'static void lint_plant(void) { perror("x"); }'
	plant "$libf" "$pr" 'static void lint_plant(void) { exit(1); }'
	plant "$libf" "$pr" 'static void lint_plant(void) { abort(); }'
	plant "$libf" "$pr" 'static FILE *lint_plant(void) { return stderr; }'
	plant "$libf" "$pr" '/* a comment */ static void lint_plant(void) { fprintf(stderr, "x"); }'
	plant "$libf" "$pr" '/* multi-line
	comment */ static void lint_plant(void) { fprintf(stderr, "x"); }'
	plant newmod/gr_new.c "$pr" 'static void lint_plant(void) { fprintf(stderr, "x"); }'
	plant "$libf" "" '/* writes nothing to stdout or stderr; never exit() */'
	plant "$libf" "" 'static const char *lint_plant = "cannot write to stdout: exit(1)";'
	# cli/ talks to people.
	plant "$cli" "" 'static void lint_plant(void) { fprintf(stderr, "x\n"); exit(1); }'
	rm -rf "$copy" "$views"
	if [ "$bad" -eq 0 ]; then
		echo "ok   lint self-test: every rule catches its planted violations (cli/ and library), look-alikes pass"
	fi
	return "$bad"
}

fail=0
self_test || fail=1
if ! $self_test_only; then
	lint "$root" || fail=1
	# Fixtures are generated at test time: no binary is ever committed.
	bins=$(cd "$root" && git ls-files -z 2>/dev/null | xargs -0 -r sh -c 'for f; do [ -f "$f" ] || continue; m=$(head -c 4 "$f" | od -An -tx1 | tr -d " \n"); case "$m" in 7f454c46|cafebabe|cffaedfe|cefaedfe|213c6172) echo "$f";; esac; done' sh)
	# A test module defines each top-level name once: two merges once gave
	# relink_e2e.py two LIQ_MAIN sources and the first test ran the second's.
	dups=$(cd "$root" && /usr/bin/python3 - tests/*.py bench/*.py <<'PY'
import ast, sys
for path in (p for p in sys.argv[1:] if "*" not in p):
    try:
        tree = ast.parse(open(path, encoding="utf-8").read(), path)
    except (OSError, SyntaxError) as e:
        print("%s: %s" % (path, e))
        continue
    seen = {}
    for node in tree.body:
        names = []
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names = [node.name]
        elif isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        for n in names:
            if n in seen and n.isupper() or (n in seen and isinstance(node, (ast.FunctionDef, ast.ClassDef))):
                print("%s:%d: %s defined again (first at line %d)" % (path, node.lineno, n, seen[n]))
            seen.setdefault(n, node.lineno)
PY
)
	if [ -n "$dups" ]; then
		printf 'FAIL top-level names defined twice in a test module:\n%s\n' "$dups"
		fail=1
	else
		echo "ok   every test module defines each top-level name once"
	fi
	if [ -n "$bins" ]; then
		printf 'FAIL committed binaries (generate them at test time):\n%s\n' "$bins"
		fail=1
	else
		echo "ok   no committed binaries"
	fi
fi
exit "$fail"
