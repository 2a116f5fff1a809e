/* gr_sigbus: run code that reads a mapped file, turning SIGBUS (the file shrank) into an error. */
#ifndef GR_SIGBUS_H
#define GR_SIGBUS_H

#include "gr_error.h"

/* Run fn(ctx) with a temporary SIGBUS handler and return fn's own result; if fn
 * touches a page of a mapping past the end of its file (the file shrank after it
 * was mapped), fn is abandoned at that instruction and GR_EIO is returned with
 * "PATH: the file shrank while it was being read" in err.
 *
 * The previous SIGBUS disposition is saved and restored before returning, either
 * way. Guards nest: an inner guard catches the faults of its own fn, and an outer
 * one is in force again once it returns. A SIGBUS with no guard running (another
 * thread's, or one sent with kill) gets the disposition from before the outermost
 * guard. The state is per process, not per thread: single-threaded callers only.
 *
 * What fn did before the fault is not undone: its allocations, descriptors and
 * mappings are abandoned, not freed. Callers either let fn allocate only from an
 * arena (or list) they own and free afterwards, and keep descriptors and mappings
 * outside fn (map before the call, munmap after it), or accept the leak and say so.
 * Only an instruction that reads the mapping can fault, so malloc is never
 * interrupted (do not hand the mapping itself to stdio or other code that
 * locks); but an object that fn was updating when it faulted (a libelf
 * handle, a half-filled result) is left as it was and must not be used again. */
int gr_sigbus_guard(int (*fn)(void *ctx), void *ctx, const char *path, struct gr_error *err);

#endif
