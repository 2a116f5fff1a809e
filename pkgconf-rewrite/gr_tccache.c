#include "gr_tccache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_cache.h"

/* A growable text buffer. */
struct gr_tcbuf {
	char *p;
	size_t n, cap;
	bool nomem;
};

static void
gr_tcbuf_add(struct gr_tcbuf *b, const char *s, size_t n)
{
	if (b->nomem)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap : 1024;
		char *g;
		while (ncap < b->n + n + 1)
			ncap *= 2;
		if (!(g = realloc(b->p, ncap))) {
			b->nomem = true;
			return;
		}
		b->p = g;
		b->cap = ncap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

/* "TAG\tvalue\n" with \\, \n and \t escaped in the value. */
static void
gr_tcbuf_field(struct gr_tcbuf *b, char tag, const char *v)
{
	char head[2] = { tag, '\t' };
	const char *p;

	if (!v)
		return;
	gr_tcbuf_add(b, head, 2);
	for (p = v; *p; p++) {
		if (*p == '\\')
			gr_tcbuf_add(b, "\\\\", 2);
		else if (*p == '\n')
			gr_tcbuf_add(b, "\\n", 2);
		else if (*p == '\t')
			gr_tcbuf_add(b, "\\t", 2);
		else
			gr_tcbuf_add(b, p, 1);
	}
	gr_tcbuf_add(b, "\n", 1);
}

/* The identity of an executable: where it is, and its inode, size and mtime. */
static void
gr_tcbuf_file(struct gr_tcbuf *b, char tag, const char *path)
{
	struct stat st;
	char line[128];

	gr_tcbuf_field(b, tag, path);
	if (stat(path, &st) != 0)
		snprintf(line, sizeof(line), "missing\n");
	else
		snprintf(line, sizeof(line), "%llu %llu %lld %lld.%09ld\n",
		         (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
		         (long long)st.st_size, (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
	gr_tcbuf_add(b, line, strlen(line));
}

/* Where a command word lives: itself if it has a slash, else the first PATH hit. */
static char *
gr_tc_which(const char *word)
{
	const char *path = getenv("PATH"), *p, *colon;
	char *cand;
	size_t n;

	if (strchr(word, '/'))
		return strdup(word);
	for (p = path ? path : ""; *p; p = *colon ? colon + 1 : colon) {
		colon = strchr(p, ':');
		if (!colon)
			colon = p + strlen(p);
		n = (size_t)(colon - p) + strlen(word) + 2;
		if (!(cand = malloc(n)))
			return NULL;
		snprintf(cand, n, "%.*s/%s", (int)(colon - p), colon == p ? "." : p, word);
		if (access(cand, X_OK) == 0)
			return cand;
		free(cand);
	}
	return NULL;
}

/* Everything discovery depends on, besides the linker (checked on load). */
static void
gr_tc_key(struct gr_tcbuf *b, char *const cc[])
{
	static const char *const env[] = { "PATH", "LIBRARY_PATH", "COMPILER_PATH", "GCC_EXEC_PREFIX",
	                                   "LD_RUN_PATH", "SYSROOT" };
	size_t i;

	gr_tcbuf_add(b, "toolchain 1\n", 12);
	for (i = 0; cc[i]; i++) {
		char *where = gr_tc_which(cc[i]);
		gr_tcbuf_field(b, 'w', cc[i]);
		if (where)
			gr_tcbuf_file(b, 'f', where);
		free(where);
	}
	for (i = 0; i < sizeof(env) / sizeof(env[0]); i++) {
		const char *v = getenv(env[i]);
		gr_tcbuf_field(b, 'e', env[i]);
		gr_tcbuf_field(b, v ? 'v' : 'u', v ? v : "");
	}
}

static void
gr_tc_serialize(struct gr_tcbuf *b, const struct gr_toolchain *tc)
{
	size_t i;

	for (i = 0; i < tc->cc.n; i++)
		gr_tcbuf_field(b, 'c', tc->cc.v[i]);
	for (i = 0; i < tc->driver_dirs.n; i++)
		gr_tcbuf_field(b, 'D', tc->driver_dirs.v[i]);
	for (i = 0; i < tc->ld_dirs.n; i++)
		gr_tcbuf_field(b, 'S', tc->ld_dirs.v[i]);
	gr_tcbuf_field(b, 'm', tc->emulation);
	gr_tcbuf_field(b, 'r', tc->sysroot);
	gr_tcbuf_field(b, 'F', tc->output_format);
	gr_tcbuf_field(b, 'B', tc->output_format_big);
	gr_tcbuf_field(b, 'L', tc->output_format_little);
	gr_tcbuf_field(b, 'A', tc->output_arch);
	if (tc->ld)
		gr_tcbuf_file(b, 'l', tc->ld);  /* the value line, then its identity line */
}

/* Undo gr_tcbuf_field's escapes in place. */
static void
gr_tc_unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			*w++ = *s == 'n' ? '\n' : *s == 't' ? '\t' : *s;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

static bool
gr_tc_setstr(char **dst, const char *v)
{
	free(*dst);
	*dst = strdup(v);
	return *dst != NULL;
}

/* Parse a cached entry; false when it is malformed or the linker changed. */
static bool
gr_tc_deserialize(char *data, struct gr_toolchain *tc)
{
	char *line, *next;
	bool ok = true;

	for (line = data; ok && *line; line = next) {
		char tag;
		next = strchr(line, '\n');
		if (!next)
			return false;
		*next++ = '\0';
		if (line[0] == '\0' || line[1] != '\t')
			return false;
		tag = line[0];
		line += 2;
		gr_tc_unescape(line);
		switch (tag) {
		case 'c': ok = gr_strvec_push(&tc->cc, line) == GR_OK; break;
		case 'D': ok = gr_strvec_push(&tc->driver_dirs, line) == GR_OK; break;
		case 'S': ok = gr_strvec_push(&tc->ld_dirs, line) == GR_OK; break;
		case 'm': ok = gr_tc_setstr(&tc->emulation, line); break;
		case 'r': ok = gr_tc_setstr(&tc->sysroot, line); break;
		case 'F': ok = gr_tc_setstr(&tc->output_format, line); break;
		case 'B': ok = gr_tc_setstr(&tc->output_format_big, line); break;
		case 'L': ok = gr_tc_setstr(&tc->output_format_little, line); break;
		case 'A': ok = gr_tc_setstr(&tc->output_arch, line); break;
		case 'l': {
			/* The linker's identity follows on its own line and must still hold. */
			struct gr_tcbuf now = { NULL, 0, 0, false };
			char *idline = next, *end = strchr(idline, '\n');
			bool same;
			if (!end)
				return false;
			ok = gr_tc_setstr(&tc->ld, line);
			gr_tcbuf_file(&now, 'l', tc->ld);
			/* now = "l\t<escaped path>\n<identity>\n": compare the identity part. */
			same = !now.nomem && now.p && strchr(now.p, '\n') &&
			       strncmp(strchr(now.p, '\n') + 1, idline, (size_t)(end - idline)) == 0 &&
			       strchr(now.p, '\n')[1 + (end - idline)] == '\n';
			free(now.p);
			if (!same)
				return false;
			next = end + 1;
			break;
		}
		default:
			return false;
		}
	}
	return ok && tc->cc.n > 0;
}

int
gr_tccache_discover(char *const cc[], struct gr_toolchain *tc, bool *hit, struct gr_error *err)
{
	struct gr_tcbuf key = { NULL, 0, 0, false }, val = { NULL, 0, 0, false };
	struct gr_error ignore;
	char *data = NULL;
	size_t len;
	int rc;

	*hit = false;
	memset(tc, 0, sizeof(*tc));
	gr_tc_key(&key, cc);
	if (!key.nomem && key.p && gr_cache_get("toolchain", key.p, &data, &len) == GR_OK) {
		if (gr_tc_deserialize(data, tc)) {
			*hit = true;
			free(data);
			free(key.p);
			return GR_OK;
		}
		gr_toolchain_deinit(tc);
	}
	free(data);
	rc = gr_toolchain_discover(cc, tc, err);
	if (rc == GR_OK && !key.nomem && key.p) {
		gr_tc_serialize(&val, tc);
		/* The cache only saves time: a failure to write it changes nothing. */
		if (!val.nomem && val.p)
			gr_cache_put("toolchain", key.p, val.p, val.n, &ignore);
	}
	free(key.p);
	free(val.p);
	return rc;
}
