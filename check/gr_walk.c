#include "gr_walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct gr_walk_ent {
	char *name;
	unsigned char type;  /* DT_* */
};

/* Order entries as their full paths sort bytewise: a directory's name is
 * compared as if it ended in '/', so "sub-a" comes before "sub/inner". */
static int
gr_walk_cmp(const void *x, const void *y)
{
	const struct gr_walk_ent *a = x, *b = y;
	const unsigned char *p = (const unsigned char *)a->name, *q = (const unsigned char *)b->name;
	int ca, cb;

	while (*p && *p == *q) {
		p++;
		q++;
	}
	ca = *p ? *p : (a->type == DT_DIR ? '/' : 0);
	cb = *q ? *q : (b->type == DT_DIR ? '/' : 0);
	return ca - cb;
}

static void
gr_walk_free(struct gr_walk_ent *ents, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(ents[i].name);
	free(ents);
}

/* Read and sort the entries of the directory open at fd (which this closes). */
static int
gr_walk_read(int fd, const char *path, struct gr_walk_ent **out, size_t *nout,
             struct gr_error *err)
{
	DIR *d = fdopendir(fd);
	struct dirent *de;
	struct gr_walk_ent *ents = NULL, *grown;
	size_t n = 0, cap = 0;

	if (!d) {
		close(fd);
		return gr_error_set(err, GR_EIO, errno, "%s: %s", path, strerror(errno));
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de)
			break;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			grown = realloc(ents, cap * sizeof(*ents));
			if (!grown)
				goto nomem;
			ents = grown;
		}
		ents[n].name = strdup(de->d_name);
		if (!ents[n].name)
			goto nomem;
		ents[n].type = de->d_type;
		if (ents[n].type == DT_UNKNOWN) {
			struct stat st;
			if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
				free(ents[n].name);
				continue;  /* vanished meanwhile */
			}
			ents[n].type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_LNK;
		}
		n++;
	}
	if (errno) {
		int e = errno;
		closedir(d);
		gr_walk_free(ents, n);
		return gr_error_set(err, GR_EIO, e, "%s: %s", path, strerror(e));
	}
	closedir(d);
	if (n > 1)
		qsort(ents, n, sizeof(*ents), gr_walk_cmp);
	*out = ents;
	*nout = n;
	return GR_OK;
nomem:
	closedir(d);
	gr_walk_free(ents, n);
	return gr_error_set(err, GR_ENOMEM, 0, "%s: out of memory", path);
}

static int
gr_walk_dir(int fd, const char *path, const struct gr_walk_ops *ops, void *ctx,
            struct gr_error *err)
{
	struct gr_walk_ent *ents = NULL;
	size_t n = 0, i, plen = strlen(path);
	int dfd, rc;
	char *child = NULL;
	size_t childcap = 0;

	/* Keep a second descriptor for openat: gr_walk_read consumes fd. */
	dfd = dup(fd);
	if (dfd < 0) {
		close(fd);
		return gr_error_set(err, GR_EIO, errno, "%s: %s", path, strerror(errno));
	}
	if ((rc = gr_walk_read(fd, path, &ents, &n, err))) {
		close(dfd);
		return rc;
	}
	for (i = 0, rc = GR_OK; i < n && rc == GR_OK; i++) {
		size_t nlen = strlen(ents[i].name), sep = (plen && path[plen - 1] == '/') ? 0 : 1;
		size_t need = plen + sep + nlen + 1;
		unsigned char type = ents[i].type;

		if (need > childcap) {
			char *grown = realloc(child, need);
			if (!grown) {
				rc = gr_error_set(err, GR_ENOMEM, 0, "%s: out of memory", path);
				break;
			}
			child = grown;
			childcap = need;
		}
		memcpy(child, path, plen);
		if (sep)
			child[plen] = '/';
		memcpy(child + plen + sep, ents[i].name, nlen + 1);
		if (type == DT_REG) {
			rc = ops->file(ctx, dfd, ents[i].name, child);
		} else if (type == DT_DIR) {
			int sub = openat(dfd, ents[i].name,
			                 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			struct gr_error suberr;
			if (sub < 0) {
				gr_error_set(&suberr, GR_EIO, errno, "%s: %s", child, strerror(errno));
				ops->error(ctx, child, &suberr);
				continue;
			}
			gr_error_clear(&suberr);
			rc = gr_walk_dir(sub, child, ops, ctx, &suberr);
			if (rc == GR_EIO) {
				/* An unreadable directory is reported; its siblings are still walked. */
				ops->error(ctx, child, &suberr);
				rc = GR_OK;
			} else if (rc) {
				*err = suberr;
			}
		}
		/* Symlinks, FIFOs, sockets and devices are passed over. */
	}
	free(child);
	gr_walk_free(ents, n);
	close(dfd);
	return rc;
}

int
gr_walk(const char *root, const struct gr_walk_ops *ops, void *ctx, struct gr_error *err)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return gr_error_set(err, GR_EIO, errno, "%s: %s", root, strerror(errno));
	return gr_walk_dir(fd, root, ops, ctx, err);
}
