#include "gr_sigbus.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>

/* The innermost running guard's jump buffer, or NULL when none runs. */
static sigjmp_buf *volatile gr_sigbus_jmp;
/* The SIGBUS disposition from before the outermost running guard. */
static struct sigaction gr_sigbus_outer;

static void
gr_sigbus_handler(int sig)
{
	sigjmp_buf *jb = gr_sigbus_jmp;

	if (jb) {
		gr_sigbus_jmp = NULL;  /* a fault on the way out is not caught twice */
		siglongjmp(*jb, 1);
	}
	/* No guard runs: behave as before the guard was installed. A fault that
	 * re-executes meets that disposition; a sent signal is raised again. */
	sigaction(sig, &gr_sigbus_outer, NULL);
	raise(sig);
}

int
gr_sigbus_guard(int (*fn)(void *ctx), void *ctx, const char *path, struct gr_error *err)
{
	struct sigaction sa, old;
	sigjmp_buf jb;
	sigjmp_buf *prev = gr_sigbus_jmp;
	int rc;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = gr_sigbus_handler;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, &old) != 0)
		return gr_error_set(err, GR_EIO, errno, "%s: cannot install a SIGBUS handler: %s", path,
		                    strerror(errno));
	if (!prev)
		gr_sigbus_outer = old;
	if (sigsetjmp(jb, 1) != 0) {
		/* fn touched a page past the end of its file; sigsetjmp restored the mask. */
		gr_sigbus_jmp = prev;
		sigaction(SIGBUS, &old, NULL);
		return gr_error_set(err, GR_EIO, 0, "%s: the file shrank while it was being read", path);
	}
	gr_sigbus_jmp = &jb;
	rc = fn(ctx);
	gr_sigbus_jmp = prev;
	sigaction(SIGBUS, &old, NULL);
	return rc;
}
