/* gr_spawn: run an argv with posix_spawnp and capture what it prints. */
#ifndef GR_SPAWN_H
#define GR_SPAWN_H

#include <stdbool.h>
#include <stddef.h>

#include "gr_error.h"

struct gr_spawn_result {
	bool exited;     /* true: exit status in code; false: killed by signal code */
	int code;
	char *out;       /* everything written to stdout, NUL-terminated */
	size_t outlen;
	char *err;       /* everything written to stderr, NUL-terminated */
	size_t errlen;
};

/* Run argv (searched in PATH) with stdin from /dev/null and both outputs
 * captured; envp NULL keeps the environment. GR_EIO when it cannot start. */
int gr_spawn_capture(char *const argv[], char *const envp[], struct gr_spawn_result *res,
                     struct gr_error *err);

/* gr_spawn_capture, calling step(ctx) while the child runs and nothing is
 * waiting to be read, until step returns false (then it waits as usual);
 * step NULL: gr_spawn_capture. step must not print nor wait for the child.
 * until_exit: done when the child has exited and what the pipes hold is
 * read, not when every process holding them has closed them (mold's forked
 * child tears down for milliseconds after its parent, and so the compiler
 * driver, has exited: what such a process writes later is not captured);
 * without pidfds (Linux before 5.3), at the pipes' end as usual. */
int gr_spawn_capture_while(char *const argv[], char *const envp[], bool (*step)(void *ctx), void *ctx,
                           bool until_exit, struct gr_spawn_result *res, struct gr_error *err);

/* Run argv (searched in PATH) with this process's stdin, stdout and stderr,
 * and wait; envp NULL keeps the environment. res->out and res->err stay NULL. */
int gr_spawn_run(char *const argv[], char *const envp[], struct gr_spawn_result *res,
                 struct gr_error *err);

/* How gr_spawn_run_ticking watches its child. */
struct gr_spawn_watch {
	void (*tick)(void *ctx, double seconds);  /* about once a second, if not NULL */
	void *ctx;
	volatile const int *stop;  /* looked at every 50 ms; non-zero: stop the group */
	int fd3;                   /* >= 0: given to the child as its descriptor 3 */
	const char *name;          /* the child in messages; NULL: argv[0] */
	int fd2;                   /* > 3: given to the child as its stderr; else it keeps ours */
};

/* Like gr_spawn_run, but the child leads a process group of its own: once
 * *w->stop is non-zero the whole group gets SIGTERM (then SIGKILL after 5 s)
 * and GR_EIO is returned. w may be NULL. */
int gr_spawn_run_ticking(char *const argv[], char *const envp[], const struct gr_spawn_watch *w,
                         struct gr_spawn_result *res, struct gr_error *err);

/* Whether the child exited with status 0. */
bool gr_spawn_ok(const struct gr_spawn_result *res);

/* "exited with status 1" or "killed by signal SIGKILL (Killed)", into buf. */
const char *gr_spawn_describe(const struct gr_spawn_result *res, char *buf, size_t bufsz);

/* Free the captured output. */
void gr_spawn_result_free(struct gr_spawn_result *res);

#endif
