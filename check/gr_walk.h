/* gr_walk: visit the regular files below a directory in a stable order. */
#ifndef GR_WALK_H
#define GR_WALK_H

#include "gr_error.h"

struct gr_walk_ops {
	/* Called for each regular file: dirfd and name open it, path names it. */
	int (*file)(void *ctx, int dirfd, const char *name, const char *path);
	/* Called when the directory path below the root cannot be read; the walk goes on. */
	void (*error)(void *ctx, const char *path, const struct gr_error *err);
};

/* Walk root depth-first in bytewise order of the full paths; symlinks are not followed.
 * Stops early when ops->file returns non-zero and returns that value. */
int gr_walk(const char *root, const struct gr_walk_ops *ops, void *ctx, struct gr_error *err);

#endif
