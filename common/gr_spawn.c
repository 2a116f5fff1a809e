#include "gr_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int gr_spawn_pidfd(pid_t pid);

/* Append what is readable on fd to *buf; sets *open to false at EOF. */
static int
gr_spawn_drain(int fd, char **buf, size_t *len, size_t *cap, bool *open)
{
	char chunk[65536];
	ssize_t n = read(fd, chunk, sizeof(chunk));

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? GR_OK : GR_EIO;
	if (n == 0) {
		*open = false;
		return GR_OK;
	}
	if (*len + (size_t)n + 1 > *cap) {
		size_t ncap = *cap ? *cap : 4096;
		char *grown;
		while (ncap < *len + (size_t)n + 1)
			ncap *= 2;
		grown = realloc(*buf, ncap);
		if (!grown)
			return GR_ENOMEM;
		*buf = grown;
		*cap = ncap;
	}
	memcpy(*buf + *len, chunk, (size_t)n);
	*len += (size_t)n;
	(*buf)[*len] = '\0';
	return GR_OK;
}

/* A pipe whose ends the child does not inherit (it gets dup2'd copies). */
static int
gr_spawn_pipe(int p[2])
{
	if (pipe(p) != 0)
		return -1;
	if (fcntl(p[0], F_SETFD, FD_CLOEXEC) != 0 || fcntl(p[1], F_SETFD, FD_CLOEXEC) != 0) {
		close(p[0]);
		close(p[1]);
		p[0] = p[1] = -1;
		return -1;
	}
	return 0;
}

static const char *
gr_signame(int sig)
{
	switch (sig) {
	case SIGHUP: return "SIGHUP";
	case SIGINT: return "SIGINT";
	case SIGQUIT: return "SIGQUIT";
	case SIGILL: return "SIGILL";
	case SIGTRAP: return "SIGTRAP";
	case SIGABRT: return "SIGABRT";
	case SIGBUS: return "SIGBUS";
	case SIGFPE: return "SIGFPE";
	case SIGKILL: return "SIGKILL";
	case SIGSEGV: return "SIGSEGV";
	case SIGPIPE: return "SIGPIPE";
	case SIGALRM: return "SIGALRM";
	case SIGTERM: return "SIGTERM";
	case SIGXCPU: return "SIGXCPU";
	case SIGXFSZ: return "SIGXFSZ";
	}
	return NULL;
}

const char *
gr_spawn_describe(const struct gr_spawn_result *res, char *buf, size_t bufsz)
{
	const char *name;

	if (res->exited) {
		snprintf(buf, bufsz, "exited with status %d", res->code);
	} else if ((name = gr_signame(res->code)) != NULL) {
		snprintf(buf, bufsz, "killed by signal %s (%s)", name, strsignal(res->code));
	} else {
		snprintf(buf, bufsz, "killed by signal %d (%s)", res->code, strsignal(res->code));
	}
	return buf;
}

bool
gr_spawn_ok(const struct gr_spawn_result *res)
{
	return res->exited && res->code == 0;
}

void
gr_spawn_result_free(struct gr_spawn_result *res)
{
	free(res->out);
	free(res->err);
	res->out = res->err = NULL;
	res->outlen = res->errlen = 0;
}

/* Decode a wait status into res. */
static int
gr_spawn_status(const char *name, int status, struct gr_spawn_result *res, struct gr_error *err)
{
	if (WIFEXITED(status)) {
		res->exited = true;
		res->code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		res->exited = false;
		res->code = WTERMSIG(status);
	} else {
		return gr_error_set(err, GR_EIO, 0, "%s: stopped in an unexpected state 0x%x", name, status);
	}
	return GR_OK;
}

int
gr_spawn_capture(char *const argv[], char *const envp[], struct gr_spawn_result *res,
                 struct gr_error *err)
{
	return gr_spawn_capture_while(argv, envp, NULL, NULL, false, res, err);
}

int
gr_spawn_capture_while(char *const argv[], char *const envp[], bool (*step)(void *ctx), void *ctx,
                       bool until_exit, struct gr_spawn_result *res, struct gr_error *err)
{
	posix_spawn_file_actions_t fa;
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, rc = GR_OK, status, e, pidfd = -1;
	pid_t pid;
	size_t ocap = 0, ecap = 0;
	bool oopen = true, eopen = true;

	memset(res, 0, sizeof(*res));
	if (gr_spawn_pipe(po) != 0 || gr_spawn_pipe(pe) != 0) {
		e = errno;
		rc = gr_error_set(err, GR_EIO, e, "%s: cannot create a pipe: %s", argv[0], strerror(e));
		goto close_pipes;
	}
	if ((e = posix_spawn_file_actions_init(&fa)) != 0) {
		rc = gr_error_set(err, GR_ENOMEM, e, "%s: cannot prepare to run it: %s", argv[0], strerror(e));
		goto close_pipes;
	}
	if ((e = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0)) ||
	    (e = posix_spawn_file_actions_adddup2(&fa, po[1], 1)) ||
	    (e = posix_spawn_file_actions_adddup2(&fa, pe[1], 2))) {
		posix_spawn_file_actions_destroy(&fa);
		rc = gr_error_set(err, GR_ENOMEM, e, "%s: cannot prepare to run it: %s", argv[0], strerror(e));
		goto close_pipes;
	}
	e = posix_spawnp(&pid, argv[0], &fa, NULL, argv, envp ? envp : environ);
	posix_spawn_file_actions_destroy(&fa);
	if (e != 0) {
		rc = gr_error_set(err, GR_EIO, e, "cannot run %s: %s", argv[0], strerror(e));
		goto close_pipes;
	}
	close(po[1]);
	close(pe[1]);
	po[1] = pe[1] = -1;
	if (until_exit)
		pidfd = gr_spawn_pidfd(pid);

	while ((oopen || eopen) && rc == GR_OK) {
		struct pollfd fds[3] = { { oopen ? po[0] : -1, POLLIN, 0 }, { eopen ? pe[0] : -1, POLLIN, 0 },
			                 { pidfd, POLLIN, 0 } };
		/* The caller's work between reads: the pipes are drained before
		 * each step, so a child that prints a lot never waits long. */
		int ready = poll(fds, 3, step ? 0 : -1);
		if (ready == 0 && step) {
			if (!step(ctx))
				step = NULL;
			continue;
		}
		if (ready < 0) {
			if (errno == EINTR)
				continue;
			rc = GR_EIO;
			break;
		}
		if (oopen && fds[0].revents)
			rc = gr_spawn_drain(po[0], &res->out, &res->outlen, &ocap, &oopen);
		if (rc == GR_OK && eopen && fds[1].revents)
			rc = gr_spawn_drain(pe[0], &res->err, &res->errlen, &ecap, &eopen);
		if (rc == GR_OK && pidfd >= 0 && fds[2].revents) {
			/* The child has exited: what the pipes hold now, then done. */
			int k;
			for (k = 0; k < 2 && rc == GR_OK; k++) {
				int fd = k ? pe[0] : po[0];
				bool *open = k ? &eopen : &oopen;
				char **buf = k ? &res->err : &res->out;
				size_t *len = k ? &res->errlen : &res->outlen, *cap = k ? &ecap : &ocap, was;
				if (!*open || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0)
					continue;
				do {
					was = *len;
					rc = gr_spawn_drain(fd, buf, len, cap, open);
				} while (rc == GR_OK && *open && *len != was);
			}
			break;
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	if (rc != GR_OK) {
		kill(pid, SIGKILL);
		gr_error_set(err, rc, errno, "%s: cannot read its output", argv[0]);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			e = errno;
			rc = gr_error_set(err, GR_EIO, e, "%s: cannot wait for it: %s", argv[0], strerror(e));
			goto close_pipes;
		}
	}
	if (rc == GR_OK)
		rc = gr_spawn_status(argv[0], status, res, err);
close_pipes:
	if (po[0] >= 0) close(po[0]);
	if (po[1] >= 0) close(po[1]);
	if (pe[0] >= 0) close(pe[0]);
	if (pe[1] >= 0) close(pe[1]);
	if (rc != GR_OK)
		gr_spawn_result_free(res);
	/* Callers may read out/err as strings even when nothing was printed. */
	if (rc == GR_OK && (!res->out || !res->err)) {
		if (!res->out) res->out = calloc(1, 1);
		if (!res->err) res->err = calloc(1, 1);
		if (!res->out || !res->err) {
			gr_spawn_result_free(res);
			rc = gr_error_set(err, GR_ENOMEM, 0, "%s: out of memory", argv[0]);
		}
	}
	return rc;
}

/* A descriptor that becomes readable when the child exits (Linux 5.3+), or -1. */
static int
gr_spawn_pidfd(pid_t pid)
{
#if defined(__linux__) && defined(SYS_pidfd_open)
	long fd = syscall(SYS_pidfd_open, pid, 0);
	return fd < 0 ? -1 : (int)fd;
#else
	(void)pid;
	return -1;
#endif
}

/* Wait up to 50 ms, or until the child exits when there is a pidfd to watch. */
static void
gr_spawn_nap(int pidfd)
{
	if (pidfd >= 0) {
		struct pollfd p = { pidfd, POLLIN, 0 };
		poll(&p, 1, 50);
	} else {
		struct timespec ts = { 0, 50 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

int
gr_spawn_run(char *const argv[], char *const envp[], struct gr_spawn_result *res,
             struct gr_error *err)
{
	pid_t pid;
	int e, status;

	memset(res, 0, sizeof(*res));
	e = posix_spawnp(&pid, argv[0], NULL, NULL, argv, envp ? envp : environ);
	if (e != 0)
		return gr_error_set(err, GR_EIO, e, "cannot run %s: %s", argv[0], strerror(e));
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			e = errno;
			return gr_error_set(err, GR_EIO, e, "%s: cannot wait for it: %s", argv[0], strerror(e));
		}
	return gr_spawn_status(argv[0], status, res, err);
}

int
gr_spawn_run_ticking(char *const argv[], char *const envp[], const struct gr_spawn_watch *w,
                     struct gr_spawn_result *res, struct gr_error *err)
{
	static const struct gr_spawn_watch none = { NULL, NULL, NULL, -1, NULL, -1 };
	posix_spawnattr_t attr;
	posix_spawn_file_actions_t fa;
	const char *name;
	pid_t pid, got;
	int e, status, waited_ms = 0, stopped_ms = -1, pidfd, fd3 = -1;

	if (!w)
		w = &none;
	name = w->name ? w->name : argv[0];
	memset(res, 0, sizeof(*res));
	if ((e = posix_spawnattr_init(&attr)) != 0)
		return gr_error_set(err, GR_ENOMEM, e, "%s: cannot prepare to run it: %s", name, strerror(e));
	if ((e = posix_spawn_file_actions_init(&fa)) != 0) {
		posix_spawnattr_destroy(&attr);
		return gr_error_set(err, GR_ENOMEM, e, "%s: cannot prepare to run it: %s", name, strerror(e));
	}
	/* A group of its own, so that stopping it reaches every process it started. */
	if ((e = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP)) == 0)
		e = posix_spawnattr_setpgroup(&attr, 0);
	if (e == 0 && w->fd3 >= 0) {
		/* dup2 onto itself would keep close-on-exec: go through a spare number. */
		fd3 = w->fd3 == 3 ? fcntl(w->fd3, F_DUPFD_CLOEXEC, 4) : w->fd3;
		if (fd3 < 0)
			e = errno;
		else
			e = posix_spawn_file_actions_adddup2(&fa, fd3, 3);
	}
	if (e == 0 && w->fd2 > 3)
		e = posix_spawn_file_actions_adddup2(&fa, w->fd2, 2);
	if (e == 0)
		e = posix_spawnp(&pid, argv[0], &fa, &attr, argv, envp ? envp : environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	if (fd3 >= 0 && fd3 != w->fd3)
		close(fd3);
	if (e != 0)
		return gr_error_set(err, GR_EIO, e, "cannot run %s: %s", name, strerror(e));
	pidfd = gr_spawn_pidfd(pid);
	for (;;) {
		siginfo_t si;
		/* Seen, not reaped: the leader's zombie keeps the group's id from
		 * being reused until what is left of the group is killed below. */
		memset(&si, 0, sizeof(si));
		got = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 ? si.si_pid : -1;
		if (got == pid)
			break;
		if (got < 0 && errno != EINTR) {
			e = errno;
			if (pidfd >= 0)
				close(pidfd);
			return gr_error_set(err, GR_EIO, e, "%s: cannot wait for it: %s", name, strerror(e));
		}
		if (w->stop && *w->stop && stopped_ms < 0) {
			kill(-pid, SIGTERM);
			stopped_ms = waited_ms;
		}
		if (stopped_ms >= 0 && waited_ms - stopped_ms >= 5000)
			kill(-pid, SIGKILL);
		gr_spawn_nap(pidfd);
		waited_ms += 50;
		if (w->tick && waited_ms % 1000 == 0)
			w->tick(w->ctx, waited_ms / 1000.0);
	}
	if (pidfd >= 0)
		close(pidfd);
	/* Whatever the leader left running in its group (after a stop, or when
	 * the leader itself was killed) must not outlive it. */
	kill(-pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			e = errno;
			return gr_error_set(err, GR_EIO, e, "%s: cannot wait for it: %s", name, strerror(e));
		}
	if (stopped_ms >= 0)
		return gr_error_set(err, GR_EIO, EINTR, "%s: stopped (gorelink was interrupted)", name);
	return gr_spawn_status(name, status, res, err);
}
