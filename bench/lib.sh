# Helpers shared by the benchmark scripts in bench/; sourced, not run.
#
# Each script sources it just after its `set -euo pipefail` line (which ends
# the header comment that --help prints):
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# Sourcing sets bench_script (the script's path), bench_name (its file name
# without .sh, the prefix of every error message) and root (the checkout),
# and defines the functions below. run_py runs a script's Python harness
# after the Python prelude bench_py (timing and median helpers).

bench_script=${BASH_SOURCE[1]:-$0}
bench_name=$(basename "$bench_script" .sh)
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Print the script's header comment (line 2 up to `set -euo`) as its usage.
usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$bench_script"
}

# Print the usage and exit 0 when the first argument is -h or --help.
handle_help() {
	case "${1-}" in
	-h|--help) usage; exit 0 ;;
	esac
}

# Print "NAME: MESSAGE" on stderr and exit 1.
die() { echo "$bench_name: $*" >&2; exit 1; }

# Die unless $2, the value of the setting named $1, is a positive integer.
need_positive() {
	[[ $2 =~ ^[1-9][0-9]*$ ]] || die "$1 must be a positive integer, not '$2'"
}

# Die unless $2, the value of the setting named $1, is a non-negative integer.
need_nonnegative() {
	[[ $2 =~ ^[0-9]+$ ]] || die "$1 must be a non-negative integer, not '$2'"
}

# Die unless $2, the first argument, is an executable file (the $1 binary).
need_binary() {
	if [[ -d $2 ]]; then
		die "the first argument is the $1 binary, but '$2' is a directory (pass \"\" for the default)"
	fi
	[[ -x $2 && -f $2 ]] || die "$1 binary '$2' not found or not executable (build it: cmake --build build)"
}

# Die unless python3, which runs every timing harness, is on PATH.
need_python3() {
	command -v python3 >/dev/null || die "python3 not found: install the python3 package"
}

# Print the checkout's short commit ("unknown" outside git), then $1 if tracked files differ from HEAD.
checkout_rev() {
	local rev
	rev=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
	if [[ $rev != unknown ]] && ! git -C "$root" diff --quiet HEAD -- 2>/dev/null; then
		rev="$rev$1"
	fi
	echo "$rev"
}

# Print the "== machine" heading and the date (UTC).
print_machine_start() {
	echo "== machine"
	echo "date:      $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
}

# Print the load averages now, labelled as those at the start.
print_load() {
	echo "load:      $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min, at the start)"
}

# Print nproc, the CPU model, the RAM, the kernel and the OS.
print_machine_basics() {
	local cpu mem
	cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
	mem=$(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
	echo "nproc:     $(nproc)"
	echo "cpu:       ${cpu:-unknown}"
	echo "ram:       $mem"
	echo "kernel:    $(uname -srm)"
	echo "os:        $( (. /etc/os-release && echo "$PRETTY_NAME") 2>/dev/null || echo unknown)"
}

# Print python3's version.
print_python3() {
	echo "python3:   $(python3 -c 'import platform; print(platform.python_version())')"
}

# Print the type and device of the file system that holds directory $1.
print_fs() {
	echo "fs of $1: $(df -PT "$1" | awk 'NR == 2 {print $2 " on " $1}')"
}

# The Python prelude run_py puts before every harness (BENCH_NAME is set first).
read -r -d '' bench_py <<'PY' || true
import ctypes, os, statistics, sys, time

# The harness is a child subreaper (Linux prctl PR_SET_CHILD_SUBREAPER): a
# process a timed command leaves behind (mold forks, and its parent exits
# once the output is written while the child that did the link cleans up)
# comes back to the harness instead of init, so timed_spawn reaps it and
# counts its CPU time (a plain wait4 misses it: gorelink --linker=auto's
# user+sys looked 0.25 s smaller than it is).
try:
    SUBREAPER = ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0
except (OSError, AttributeError):
    SUBREAPER = False

# posix_spawn file actions: stdout and stderr to /dev/null.
DEVNULL_ACTIONS = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                   (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)]

def die(msg):
    """Exit with status 1 and "BENCH_NAME: msg" on stderr."""
    sys.exit(BENCH_NAME + ": " + msg)

def timed_spawn(cmd, env, file_actions=DEVNULL_ACTIONS):
    """Run cmd once: wall s (perf_counter_ns around posix_spawn + wait4), the child's rusage plus that of
    the processes it left behind (reaped after the wall time ends: "orphan_cpu"), exit status."""
    while SUBREAPER:  # what an untimed command left behind is not this one's
        try:
            if os.wait4(-1, os.WNOHANG)[0] == 0:
                break
        except ChildProcessError:
            break
    t0 = time.perf_counter_ns()
    pid = os.posix_spawn(cmd[0], cmd, env, file_actions=file_actions)
    _, status, ru = os.wait4(pid, 0)
    wall = (time.perf_counter_ns() - t0) / 1e9
    user, syst, ocpu = ru.ru_utime, ru.ru_stime, 0.0
    while SUBREAPER:
        try:
            _, _, oru = os.wait4(-1, 0)
        except ChildProcessError:
            break
        user += oru.ru_utime
        syst += oru.ru_stime
        ocpu += oru.ru_utime + oru.ru_stime
    return {"wall": wall, "cpu": user + syst, "user": user, "sys": syst, "orphan_cpu": ocpu,
            "maxrss": ru.ru_maxrss, "code": os.waitstatus_to_exitcode(status)}

def median_of(rs, key="wall"):
    """The median of r[key] over the runs rs."""
    return statistics.median(r[key] for r in rs)

def median_ratio(rs_a, rs_b, key="wall"):
    """The median of the per-round ratios a[key] / b[key]."""
    return statistics.median(a[key] / b[key] for a, b in zip(rs_a, rs_b))

def alternate(i, items):
    """items in round i (from 0): as given in even i, reversed in odd i."""
    return list(items) if i % 2 == 0 else list(reversed(items))

def print_summary(name, rs, width, wall_width, digits, tail=""):
    """One line: median wall, user, sys, user+sys, then min and max wall and tail."""
    print("  {:<{w}} median wall {:{ww}.{d}f} s   user {:7.{d}f} s   sys {:7.{d}f} s   user+sys {:7.{d}f} s"
          "   (min {:.{d}f}, max {:.{d}f}{})".format(
              name, median_of(rs), median_of(rs, "user"), median_of(rs, "sys"), median_of(rs, "cpu"),
              min(r["wall"] for r in rs), max(r["wall"] for r in rs), tail, w=width, ww=wall_width, d=digits))
PY

# Run the Python harness $1, after bench_py, with the arguments that follow.
run_py() {
	local prog=$1
	shift
	python3 -c "BENCH_NAME = '$bench_name'
$bench_py
$prog" "$@"
}
