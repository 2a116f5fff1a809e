/* gorelink-guard: run go build on gorelink's behalf and clean up after a
 * gorelink that was killed outright.
 *
 * gorelink build cannot catch SIGKILL. So it does not start go build itself:
 * it starts this helper (a link to the gorelink program, in its private
 * directory) as the leader of a new process group, with the read end of a
 * pipe as descriptor 3. The write end stays in gorelink, close-on-exec, so
 * nothing else holds it. The guard starts go build in its own group and
 * waits: go build's exit status becomes the guard's (a death by a signal is
 * repeated with the same signal), so for gorelink nothing changes. If the
 * pipe reports end of file first, gorelink is gone: the guard starts
 * "gorelink-guard --reap PGID --rm DIR..." in a group of its own, and that
 * reaper kills the whole group (the guard, go build and everything it
 * started) with SIGKILL and removes gorelink's temporary directories.
 *
 * The group cannot be reused by an unrelated process while the reaper works:
 * it is named after the guard's pid, and the guard keeps running until the
 * reaper's SIGKILL reaches it. */
#define _XOPEN_SOURCE 700  /* nftw */
#include "gr_cmd_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define GR_GUARD_FD 3      /* the pipe from gorelink */
#define GR_GUARD_MAXRM 8   /* --rm operands */

/* The signals a terminal or gorelink's stop sends to the whole group: go
 * build acts on them, the guard outlasts them (it catches them, and exec
 * gives go build their defaults) to report how go build ended. */
static const int gr_guard_stops[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

static int gr_guard_chld[2] = { -1, -1 };  /* SIGCHLD wakes the poll through this */
static volatile sig_atomic_t gr_guard_stop;  /* a stop signal that came before go build existed */

static void
gr_guard_on_stop(int sig)
{
	gr_guard_stop = sig;
}

static void
gr_guard_on_chld(int sig)
{
	int e = errno;

	(void)sig;
	if (write(gr_guard_chld[1], "c", 1) < 0) {
		/* full: a wake-up is pending anyway */
	}
	errno = e;
}

static void
gr_guard_nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int
gr_guard_rm1(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;  /* go on with the rest */
}

/* Kill the group with SIGKILL, give it (at most 0.2 s) to be gone, then
 * remove the directories (again if a dying process still wrote there). */
static int
gr_guard_reap(pid_t pgid, char **rm, int nrm)
{
	struct stat st;
	int i, tries;
	bool left;

	for (i = 0; i < (int)(sizeof(gr_guard_stops) / sizeof(gr_guard_stops[0])); i++)
		signal(gr_guard_stops[i], SIG_IGN);  /* the clean-up finishes */
	kill(-pgid, SIGKILL);
	/* Gone, or zombies that nobody has reaped yet (they write nothing). */
	for (tries = 0; tries < 10; tries++) {
		if (kill(-pgid, 0) != 0 && errno == ESRCH)
			break;
		gr_guard_nap(20);
	}
	for (tries = 0; tries < 5; tries++) {
		left = false;
		for (i = 0; i < nrm; i++) {
			nftw(rm[i], gr_guard_rm1, 16, FTW_DEPTH | FTW_PHYS);
			if (lstat(rm[i], &st) == 0)
				left = true;
		}
		if (!left)
			return 0;
		gr_guard_nap(100);
	}
	return 1;
}

/* gorelink is gone: hand the group to a reaper outside it, then wait for its SIGKILL. */
static void
gr_guard_gone(char *self, char **rm, int nrm)
{
	char pgid[32], reap[] = "--reap", rmopt[] = "--rm", *av[4 + 2 * GR_GUARD_MAXRM + 1];
	posix_spawnattr_t attr;
	pid_t pid;
	int n = 0, i, e;

	snprintf(pgid, sizeof(pgid), "%ld", (long)getpgrp());
	av[n++] = self;
	av[n++] = reap;
	av[n++] = pgid;
	for (i = 0; i < nrm; i++) {
		av[n++] = rmopt;
		av[n++] = rm[i];
	}
	av[n] = NULL;
	e = posix_spawnattr_init(&attr);
	if (e == 0) {
		if ((e = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP)) == 0 &&
		    (e = posix_spawnattr_setpgroup(&attr, 0)) == 0)
			e = posix_spawnp(&pid, self, NULL, &attr, av, environ);
		posix_spawnattr_destroy(&attr);
	}
	if (e != 0) {
		/* No reaper: stop the group at least (this guard with it). */
		kill(0, SIGKILL);
	}
	/* The reaper's SIGKILL ends this process; if it never comes, do it here. */
	gr_guard_nap(10000);
	kill(0, SIGKILL);
	_exit(125);
}

/* Leave as the child left: the same exit status, or death by the same signal. */
static int
gr_guard_relay(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		struct rlimit none = { 0, 0 };
		struct sigaction dfl;
		sigset_t one;

		setrlimit(RLIMIT_CORE, &none);  /* the child's core, if any, is the one to keep */
		memset(&dfl, 0, sizeof(dfl));
		dfl.sa_handler = SIG_DFL;
		sigemptyset(&dfl.sa_mask);
		sigaction(sig, &dfl, NULL);
		sigemptyset(&one);
		sigaddset(&one, sig);
		sigprocmask(SIG_UNBLOCK, &one, NULL);
		raise(sig);
		return 128 + sig;
	}
	return 125;
}

static int
gr_guard_usage(void)
{
	fputs("gorelink-guard: an internal helper of 'gorelink build' (see gorelink(1), EXIT STATUS); not for direct use\n",
	      stderr);
	return 2;
}

static int
gr_guard_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0 ||
	       fcntl(fd, F_SETFD, FD_CLOEXEC) != 0 ? -1 : 0;
}

/* Run argv[0] in this group, with the stop signals at their defaults; wait
 * for it, or for gorelink's end of the pipe to close. */
static int
gr_guard_run(char *self, char **argv, char **rm, int nrm)
{
	posix_spawnattr_t attr;
	struct sigaction sa;
	sigset_t dfl;
	pid_t pid, got;
	size_t i;
	int e, status;

	/* The reaper kills this process's group: it must be a group of its own
	 * (gorelink starts the guard that way; make sure of it anyway). */
	if (getpgrp() != getpid() && setpgid(0, 0) != 0) {
		fprintf(stderr, "gorelink: cannot make a process group for %s: %s\n", argv[0], strerror(errno));
		return 125;
	}
	if (pipe(gr_guard_chld) != 0 || gr_guard_nonblock(gr_guard_chld[0]) != 0 ||
	    gr_guard_nonblock(gr_guard_chld[1]) != 0 || fcntl(GR_GUARD_FD, F_SETFD, FD_CLOEXEC) != 0) {
		fprintf(stderr, "gorelink: cannot set up to run %s: %s\n", argv[0], strerror(errno));
		return 125;
	}
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = gr_guard_on_chld;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	/* Caught, not ignored: one that arrives before go build runs is passed on
	 * to it below; after that the group's signal reaches go build itself. */
	sa.sa_handler = gr_guard_on_stop;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&dfl);
	for (i = 0; i < sizeof(gr_guard_stops) / sizeof(gr_guard_stops[0]); i++) {
		sigaction(gr_guard_stops[i], &sa, NULL);
		sigaddset(&dfl, gr_guard_stops[i]);
	}

	if ((e = posix_spawnattr_init(&attr)) == 0) {
		if ((e = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF)) == 0 &&
		    (e = posix_spawnattr_setsigdefault(&attr, &dfl)) == 0)
			e = posix_spawnp(&pid, argv[0], NULL, &attr, argv, environ);
		posix_spawnattr_destroy(&attr);
	}
	if (e != 0) {
		fprintf(stderr, "gorelink: cannot run %s: %s\n", argv[0], strerror(e));
		return 127;
	}
	if (gr_guard_stop)
		kill(pid, gr_guard_stop);
	for (;;) {
		struct pollfd p[2] = { { GR_GUARD_FD, POLLIN, 0 }, { gr_guard_chld[0], POLLIN, 0 } };
		char buf[64];

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			gr_guard_gone(self, rm, nrm);  /* cannot watch gorelink: act as if it were gone */
		}
		if (p[0].revents) {
			ssize_t n = read(GR_GUARD_FD, buf, sizeof(buf));
			if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
				gr_guard_gone(self, rm, nrm);
		}
		if (p[1].revents)
			while (read(gr_guard_chld[0], buf, sizeof(buf)) > 0)
				;
		got = waitpid(pid, &status, WNOHANG);
		if (got == pid)
			return gr_guard_relay(status);
		if (got < 0 && errno != EINTR) {
			fprintf(stderr, "gorelink: cannot wait for %s: %s\n", argv[0], strerror(errno));
			return 125;
		}
	}
}

int
gr_cmd_guard(int argc, char **argv)
{
	char *rm[GR_GUARD_MAXRM];
	int nrm = 0, i = 1;
	long reap = 0;
	struct stat st;

	while (i < argc) {
		if (strcmp(argv[i], "--rm") == 0 && i + 1 < argc && nrm < GR_GUARD_MAXRM && argv[i + 1][0] == '/') {
			rm[nrm++] = argv[i + 1];
			i += 2;
		} else if (strcmp(argv[i], "--reap") == 0 && i + 1 < argc && reap == 0) {
			char *end;
			reap = strtol(argv[i + 1], &end, 10);
			if (*end || reap <= 1)
				return gr_guard_usage();
			i += 2;
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else {
			return gr_guard_usage();
		}
	}
	if (reap)
		return i < argc ? gr_guard_usage() : gr_guard_reap((pid_t)reap, rm, nrm);
	/* Only gorelink build starts it, with the pipe as descriptor 3. */
	if (i >= argc || fstat(GR_GUARD_FD, &st) != 0 || !S_ISFIFO(st.st_mode))
		return gr_guard_usage();
	return gr_guard_run(argv[0], argv + i, rm, nrm);
}
