#define _GNU_SOURCE  /* memmem */
#include "gr_tccache.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_cache.h"
#include "gr_file.h"
#include "gr_kv.h"
#include "gr_path.h"
#include "gr_spawn.h"

/* The identity of an executable: where it is, and its inode, size and mtime. */
static void
gr_tcbuf_file(struct gr_kvbuf *b, char tag, const char *path)
{
	struct stat st;
	char line[128], id[GR_FILE_IDENTITY_MAX];

	gr_kv_put(b, tag, path);
	if (stat(path, &st) != 0)
		snprintf(line, sizeof(line), "missing\n");
	else
		snprintf(line, sizeof(line), "%s\n", gr_file_identity(id, sizeof(id), &st, false));
	gr_kv_raw(b, line, strlen(line));
}

/* gr_tccache_keep_compiler's memory: the compiler part of the last key
 * (gr_tc_compiler) and what it was computed from (gr_tc_compiler_from). */
static struct {
	bool on;
	struct gr_kvbuf from, part;
} gr_tc_kept;

void
gr_tccache_keep_compiler(bool on)
{
	gr_tc_kept.on = on;
	free(gr_tc_kept.from.p);
	free(gr_tc_kept.part.p);
	memset(&gr_tc_kept.from, 0, sizeof(gr_tc_kept.from));
	memset(&gr_tc_kept.part, 0, sizeof(gr_tc_kept.part));
}

/* What gr_tc_compiler's answer depends on besides the files: the words and
 * the environment gr_path_which and gr_toolchain_config_state read. */
static void
gr_tc_compiler_from(struct gr_kvbuf *b, const struct gr_env *env, char *const cc[])
{
	const char *vars[] = { env->path, env->xdg_config_home, env->home, env->clang_no_default_config };
	size_t i;

	/* Each field escaped (no TAB, no newline inside) and ended by a TAB. */
	for (i = 0; cc[i]; i++) {
		gr_kv_field(b, cc[i]);
		gr_kv_raw(b, "\t", 1);
	}
	gr_kv_raw(b, "\n", 1);
	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		gr_kv_field(b, vars[i]);
		gr_kv_raw(b, "\t", 1);
	}
}

/* The compiler's part of a key: each word, where PATH finds it, that file's
 * identity and clang's configuration state. */
static void
gr_tc_compiler(struct gr_kvbuf *b, const struct gr_env *env, char *const cc[])
{
	size_t i;

	for (i = 0; cc[i]; i++) {
		char *where;
		errno = 0;
		where = gr_path_which(cc[i], env->path);
		/* Out of memory is no answer: a key without the compiler's identity
		 * would outlive a change of compiler. */
		if (!where && errno == ENOMEM)
			b->nomem = true;
		gr_kv_put(b, 'w', cc[i]);
		if (where) {
			/* clang's configuration files, read from its own directory. */
			char *cfg = gr_toolchain_config_state(env, where, cc, SIZE_MAX, NULL, 0);
			gr_tcbuf_file(b, 'f', where);
			if (!cfg)
				b->nomem = true;
			else if (*cfg)
				gr_kv_put(b, 'C', cfg);
			free(cfg);
		}
		free(where);
	}
}

/* Everything discovery depends on, besides the linker (checked on load). */
static void
gr_tc_key(struct gr_kvbuf *b, const struct gr_env *env, char *const cc[], const char *version)
{
	static const char *const vars[] = { "PATH", "LIBRARY_PATH", "COMPILER_PATH", "GCC_EXEC_PREFIX",
	                                    "LD_RUN_PATH", "SYSROOT" };
	size_t i;

	gr_kv_raw(b, version, strlen(version));
	if (!gr_tc_kept.on) {
		gr_tc_compiler(b, env, cc);
	} else {
		/* The same compiler asked again: the part kept (issue 15). */
		struct gr_kvbuf from = { NULL, 0, 0, false };
		gr_tc_compiler_from(&from, env, cc);
		if (from.nomem) {
			b->nomem = true;
		} else if (gr_tc_kept.part.p && gr_tc_kept.from.n == from.n &&
		           !memcmp(gr_tc_kept.from.p, from.p, from.n)) {
			gr_kv_raw(b, gr_tc_kept.part.p, gr_tc_kept.part.n);
		} else {
			struct gr_kvbuf part = { NULL, 0, 0, false };
			gr_tc_compiler(&part, env, cc);
			if (part.nomem) {
				b->nomem = true;
				free(part.p);
			} else {
				if (part.p)
					gr_kv_raw(b, part.p, part.n);
				free(gr_tc_kept.from.p);
				free(gr_tc_kept.part.p);
				gr_tc_kept.from = from;
				gr_tc_kept.part = part;
				from.p = NULL;
			}
		}
		free(from.p);
	}
	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = gr_env_get(env, vars[i]);
		gr_kv_put(b, 'e', vars[i]);
		gr_kv_put(b, v ? 'v' : 'u', v ? v : "");
	}
}

static void
gr_tc_serialize(struct gr_kvbuf *b, const struct gr_toolchain *tc)
{
	size_t i;

	for (i = 0; i < tc->cc.n; i++)
		gr_kv_put(b, 'c', tc->cc.v[i]);
	for (i = 0; i < tc->driver_dirs.n; i++)
		gr_kv_put(b, 'D', tc->driver_dirs.v[i]);
	for (i = 0; i < tc->ld_dirs.n; i++)
		gr_kv_put(b, 'S', tc->ld_dirs.v[i]);
	gr_kv_put(b, 'm', tc->emulation);
	gr_kv_put(b, 'r', tc->sysroot);
	gr_kv_put(b, 'F', tc->output_format);
	gr_kv_put(b, 'B', tc->output_format_big);
	gr_kv_put(b, 'L', tc->output_format_little);
	gr_kv_put(b, 'A', tc->output_arch);
	if (tc->ld)
		gr_tcbuf_file(b, 'l', tc->ld);  /* the value line, then its identity line */
	gr_kv_put(b, 'E', "end");           /* a complete entry ends so */
}

static bool
gr_tc_setstr(char **dst, const char *v)
{
	free(*dst);
	*dst = strdup(v);
	return *dst != NULL;
}

/* Parse a cached entry; false when it is malformed (a field missing or empty,
 * an unknown tag, no end line, anything after it) or the linker changed. */
static bool
gr_tc_deserialize(char *data, struct gr_toolchain *tc)
{
	char *cur = data, *v, tag;
	bool ok = true, bad, done = false;

	while (ok && !done && gr_kv_next(&cur, &tag, &v, &bad)) {
		switch (tag) {
		case 'c': ok = *v && gr_strvec_push(&tc->cc, v) == GR_OK; break;
		case 'D': ok = *v && gr_strvec_push(&tc->driver_dirs, v) == GR_OK; break;
		case 'S': ok = *v && gr_strvec_push(&tc->ld_dirs, v) == GR_OK; break;
		case 'E': ok = strcmp(v, "end") == 0; done = true; break;
		case 'm': ok = gr_tc_setstr(&tc->emulation, v); break;
		case 'r': ok = gr_tc_setstr(&tc->sysroot, v); break;
		case 'F': ok = gr_tc_setstr(&tc->output_format, v); break;
		case 'B': ok = gr_tc_setstr(&tc->output_format_big, v); break;
		case 'L': ok = gr_tc_setstr(&tc->output_format_little, v); break;
		case 'A': ok = gr_tc_setstr(&tc->output_arch, v); break;
		case 'l': {
			/* The linker's identity follows on its own line and must still hold. */
			struct gr_kvbuf now = { NULL, 0, 0, false };
			char *idline = cur, *end = cur ? strchr(cur, '\n') : NULL, *mine;
			if (!end || !gr_tc_setstr(&tc->ld, v))
				return false;
			gr_tcbuf_file(&now, 'l', tc->ld);
			mine = now.p ? strchr(now.p, '\n') : NULL;
			ok = !now.nomem && mine && strlen(mine + 1) == (size_t)(end - idline) + 1 &&
			     strncmp(mine + 1, idline, (size_t)(end - idline)) == 0;
			free(now.p);
			cur = end + 1;
			break;
		}
		default:
			return false;
		}
	}
	/* The compiler, somewhere to search, and nothing cut off or appended. */
	return ok && !bad && done && (!cur || !*cur) && tc->cc.n > 0 &&
	       tc->driver_dirs.n + tc->ld_dirs.n > 0;
}

int
gr_tccache_discover(const struct gr_env *env, char *const cc[], struct gr_toolchain *tc, bool *hit,
                    struct gr_error *err)
{
	struct gr_kvbuf key = { NULL, 0, 0, false }, val = { NULL, 0, 0, false };
	struct gr_error ignore;
	char *data = NULL;
	size_t len;
	int rc;

	*hit = false;
	memset(tc, 0, sizeof(*tc));
	gr_tc_key(&key, env, cc, "toolchain 2\n");
	if (!key.nomem && key.p && gr_cache_get(env, "toolchain", key.p, &data, &len) == GR_OK) {
		if (gr_tc_deserialize(data, tc)) {
			*hit = true;
			free(data);
			free(key.p);
			return GR_OK;
		}
		gr_toolchain_deinit(tc);
	}
	free(data);
	rc = gr_toolchain_discover(env, cc, tc, err);
	if (rc == GR_OK && !key.nomem && key.p) {
		gr_tc_serialize(&val, tc);
		/* The cache only saves time: a failure to write it changes nothing. */
		if (!val.nomem && val.p)
			gr_cache_put(env, "toolchain", key.p, val.p, val.n, &ignore);
	}
	free(key.p);
	free(val.p);
	return rc;
}

int
gr_tccache_dumpmachine(const struct gr_env *env, char *const cc[], char **triplet, bool *hit,
                       struct gr_error *err)
{
	struct gr_kvbuf key = { NULL, 0, 0, false }, val = { NULL, 0, 0, false };
	struct gr_error ignore;
	char *data = NULL, *cur, *v, tag;
	size_t len;
	bool bad = false;
	int rc;

	*hit = false;
	*triplet = NULL;
	if (!cc || !cc[0])
		return gr_toolchain_dumpmachine(env, cc, triplet, err);
	gr_tc_key(&key, env, cc, "dumpmachine 1\n");
	/* The entry: "T<TAB>triplet" and "E<TAB>end", nothing else. */
	if (!key.nomem && key.p && gr_cache_get(env, "dumpmachine", key.p, &data, &len) == GR_OK) {
		cur = data;
		if (gr_kv_next(&cur, &tag, &v, &bad) && tag == 'T' && *v && !(*triplet = strdup(v)))
			bad = true;
		if (*triplet && gr_kv_next(&cur, &tag, &v, &bad) && tag == 'E' && !strcmp(v, "end") &&
		    !bad && (!cur || !*cur)) {
			*hit = true;
			free(data);
			free(key.p);
			return GR_OK;
		}
		free(*triplet);
		*triplet = NULL;
	}
	free(data);
	rc = gr_toolchain_dumpmachine(env, cc, triplet, err);
	if (rc == GR_OK && !key.nomem && key.p) {
		gr_kv_put(&val, 'T', *triplet);
		gr_kv_put(&val, 'E', "end");
		if (!val.nomem && val.p)
			gr_cache_put(env, "dumpmachine", key.p, val.p, val.n, &ignore);
	}
	free(key.p);
	free(val.p);
	return rc;
}

/* Copy v into a gr_cand_info field of size n; false when it does not fit. */
static bool
gr_cl_str(char *dst, size_t n, const char *v)
{
	size_t l = strlen(v);

	if (l >= n)
		return false;
	memcpy(dst, v, l + 1);
	return true;
}

/* Parse a cached verdict: every field once, in order, then the end line. */
static bool
gr_cl_parse(char *data, struct gr_cand_info *info)
{
	static const char order[] = "ktefaE";
	char *cur = data, *v, tag;
	bool bad = false;
	size_t i;

	memset(info, 0, sizeof(*info));
	for (i = 0; order[i]; i++) {
		if (!gr_kv_next(&cur, &tag, &v, &bad) || tag != order[i])
			return false;
		switch (tag) {
		case 'k':
			if (strlen(v) != 1 || v[0] < '0' + GR_CAND_ARCHIVE || v[0] > '0' + GR_CAND_INCOMPATIBLE)
				return false;
			info->kind = (enum gr_cand)(v[0] - '0');
			break;
		case 't':
		case 'e':
			if (strcmp(v, "0") && strcmp(v, "1"))
				return false;
			*(tag == 't' ? &info->thin : &info->empty) = v[0] == '1';
			break;
		case 'f':
			if (!gr_cl_str(info->format, sizeof(info->format), v))
				return false;
			break;
		case 'a':
			if (!gr_cl_str(info->arch, sizeof(info->arch), v))
				return false;
			break;
		case 'E':
			if (strcmp(v, "end"))
				return false;
			break;
		}
	}
	return !bad && (!cur || !*cur);
}

/* ---- Candidates' verdicts (issue 15) ----
 *
 * One cache entry per directory of candidates and target ("classify" kind,
 * key "classify-dir 1", the directory as the candidate's path names it and
 * the target), holding a record per candidate file:
 *   p  the candidate's path      i  its identity (device, inode, size, mtime, ctime)
 *   k t e f a  the verdict       E  end
 * A record answers only while the file's identity is the one recorded. The
 * verdicts found in a run are written when it ends (gr_tccache_verdicts_close),
 * one file per directory, merged with what the entry holds then: creating a
 * file per candidate cost more than judging it (issue 15). */

struct gr_tcv_pack {
	char *dir;       /* the directory, as the candidates' paths name it (through the last '/') */
	char *fmt, *arch;  /* the target asked for (NULL: none given) */
	char *key;       /* the entry's key */
	char *data;      /* the entry as read at first use (NULL: none) */
	size_t len;      /* its length */
	char **recs;     /* the records judged in this run, each whole */
	size_t nrecs, cap;
};

struct gr_tccache_verdicts {
	const struct gr_env *env;
	struct gr_tcv_pack *packs;
	size_t npacks, cap;
};

struct gr_tccache_verdicts *
gr_tccache_verdicts_new(const struct gr_env *env)
{
	struct gr_tccache_verdicts *v = calloc(1, sizeof(*v));

	if (v)
		v->env = env;
	return v;
}

/* The identity line of a regular file ("i\t... \n"), or false (not regular, missing). */
static bool
gr_cl_ident(const char *path, char *line, size_t n, struct stat *st)
{
	char id[GR_FILE_IDENTITY_MAX];

	if (stat(path, st) != 0 || !S_ISREG(st->st_mode))
		return false;
	snprintf(line, n, "i\t%s\n", gr_file_identity(id, sizeof(id), st, true));
	return true;
}

static bool
gr_tcv_same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* The pack of path's directory for target t, read at first use; NULL when out of memory. */
static struct gr_tcv_pack *
gr_tcv_pack(struct gr_tccache_verdicts *v, const char *path, const struct gr_bfd_target *t)
{
	struct gr_kvbuf key = { NULL, 0, 0, false };
	const char *slash = strrchr(path, '/');
	size_t dlen = slash ? (size_t)(slash - path + 1) : 0, i;
	struct gr_tcv_pack *pk;
	char *dir, *fmt, *arch;
	bool ok;

	for (i = 0; i < v->npacks; i++) {
		pk = &v->packs[i];
		if (strlen(pk->dir) == dlen && !strncmp(pk->dir, path, dlen) &&
		    gr_tcv_same(pk->fmt, t->output_format) && gr_tcv_same(pk->arch, t->output_arch))
			return pk;
	}
	if (!(dir = strndup(path, dlen)))
		return NULL;
	gr_kv_raw(&key, "classify-dir 1\n", strlen("classify-dir 1\n"));
	gr_kv_put(&key, 'd', dir);
	gr_kv_put(&key, t->output_format ? 'F' : 'f', t->output_format ? t->output_format : "");
	gr_kv_put(&key, t->output_arch ? 'A' : 'a', t->output_arch ? t->output_arch : "");
	fmt = t->output_format ? strdup(t->output_format) : NULL;
	arch = t->output_arch ? strdup(t->output_arch) : NULL;
	ok = !key.nomem && key.p && (!t->output_format || fmt) && (!t->output_arch || arch);
	if (ok && v->npacks == v->cap) {
		size_t nc = v->cap ? v->cap * 2 : 8;
		struct gr_tcv_pack *g = realloc(v->packs, nc * sizeof(*g));
		if (g) {
			v->packs = g;
			v->cap = nc;
		} else
			ok = false;
	}
	if (!ok) {
		free(key.p);
		free(dir);
		free(fmt);
		free(arch);
		return NULL;
	}
	pk = &v->packs[v->npacks++];
	memset(pk, 0, sizeof(*pk));
	pk->dir = dir;
	pk->fmt = fmt;
	pk->arch = arch;
	pk->key = key.p;
	if (gr_cache_get(v->env, "classify", key.p, &pk->data, &pk->len) != GR_OK)
		pk->data = NULL;
	return pk;
}

/* The record of path (the "p" line and identity line given) in the pack's entry, parsed; false when none or malformed. */
static bool
gr_tcv_find(const struct gr_tcv_pack *pk, const char *pline, size_t plen, const char *iline,
            struct gr_cand_info *info)
{
	const char *q, *end;
	size_t ilen = strlen(iline);
	char *rec;
	bool ok;

	if (!pk->data)
		return false;
	/* memmem, not strstr: it skips ahead by the needle's length (a warm
	 * run's directory entry is tens of kilobytes) */
	for (q = pk->data; (q = memmem(q, pk->len - (size_t)(q - pk->data), pline, plen)) != NULL; q += plen) {
		/* the "p" line at the start of a line, followed by the same identity */
		if (q == pk->data || q[-1] != '\n' || strncmp(q + plen, iline, ilen))
			continue;
		q += plen + ilen;
		if (!(end = strstr(q, "\nE\tend\n")) && strncmp(q, "E\tend\n", 6))
			return false;
		end = !strncmp(q, "E\tend\n", 6) ? q + 6 : end + 7;
		if (!(rec = strndup(q, (size_t)(end - q))))
			return false;
		ok = gr_cl_parse(rec, info);
		free(rec);
		return ok;
	}
	return false;
}

static size_t gr_tcv_plen(const char *rec);

int
gr_tccache_classify(void *ctx, const char *path, const struct gr_bfd_target *t,
                    struct gr_cand_info *info, struct gr_error *err)
{
	struct gr_tccache_verdicts *v = ctx;
	struct gr_kvbuf pl = { NULL, 0, 0, false }, val = { NULL, 0, 0, false };
	struct gr_tcv_pack *pk;
	char before[200], after[200], k[2] = { 0, 0 };
	struct stat st, st2;
	int rc;

	if (v && !gr_cl_ident(path, before, sizeof(before), &st)) {
		/* No regular file: gr_bfd_classify's own first test, without a second stat. */
		memset(info, 0, sizeof(*info));
		info->kind = GR_CAND_UNOPENABLE;
		return GR_OK;
	}
	if (!v || !(pk = gr_tcv_pack(v, path, t)))
		return gr_bfd_classify(path, t, info, err);
	gr_kv_put(&pl, 'p', path);
	if (!pl.nomem && pl.p && gr_tcv_find(pk, pl.p, pl.n, before, info)) {
		free(pl.p);
		return GR_OK;
	}
	rc = gr_bfd_classify_stat(path, &st, t, info);
	/* Kept only for a file that did not change while it was read, and not
	 * for an unopenable one (that may be passing). */
	if (rc == GR_OK && info->kind != GR_CAND_UNOPENABLE && !pl.nomem && pl.p &&
	    gr_cl_ident(path, after, sizeof(after), &st2) && !strcmp(before, after)) {
		k[0] = (char)('0' + info->kind);
		gr_kv_raw(&val, pl.p, pl.n);
		gr_kv_raw(&val, after, strlen(after));
		gr_kv_put(&val, 'k', k);
		gr_kv_put(&val, 't', info->thin ? "1" : "0");
		gr_kv_put(&val, 'e', info->empty ? "1" : "0");
		gr_kv_put(&val, 'f', info->format);
		gr_kv_put(&val, 'a', info->arch);
		gr_kv_put(&val, 'E', "end");
		if (!val.nomem && val.p) {
			size_t i;
			/* a path judged again in this run (it changed): the newer record only */
			for (i = 0; i < pk->nrecs; i++)
				if (gr_tcv_plen(pk->recs[i]) == pl.n && !strncmp(pk->recs[i], pl.p, pl.n)) {
					free(pk->recs[i]);
					pk->recs[i] = val.p;
					val.p = NULL;
					break;
				}
			if (val.p && pk->nrecs == pk->cap) {
				size_t nc = pk->cap ? pk->cap * 2 : 16;
				char **g = realloc(pk->recs, nc * sizeof(*g));
				if (g) {
					pk->recs = g;
					pk->cap = nc;
				}
			}
			if (val.p && pk->nrecs < pk->cap) {
				pk->recs[pk->nrecs++] = val.p;
				val.p = NULL;
			}
		}
	}
	free(pl.p);
	free(val.p);
	return rc;
}

/* The length of the "p" line at rec (through its newline). */
static size_t
gr_tcv_plen(const char *rec)
{
	const char *nl = strchr(rec, '\n');

	return nl ? (size_t)(nl - rec + 1) : strlen(rec);
}

/* Whether the file a record (its "p" line of plen bytes at rec) names no
 * longer exists: its record is dropped when the entry is written. */
static bool
gr_tcv_gone(const char *rec, size_t plen)
{
	char *line = strndup(rec, plen), *cur = line, *v, tag;
	struct stat st;
	bool bad = false, gone = false;

	if (line && gr_kv_next(&cur, &tag, &v, &bad) && tag == 'p' && v[0] == '/')
		gone = stat(v, &st) != 0 && (errno == ENOENT || errno == ENOTDIR);
	free(line);
	return gone;
}

/* Write pk's entry: this run's records, then those of the entry as it is now
 * for the other paths whose files still exist. */
static void
gr_tcv_write(const struct gr_env *env, struct gr_tcv_pack *pk)
{
	struct gr_kvbuf out = { NULL, 0, 0, false };
	struct gr_error ignore;
	char *now = NULL;
	const char *q;
	size_t i, len;

	gr_kv_put(&out, 'P', "classify-dir 1");
	for (i = 0; i < pk->nrecs; i++)
		gr_kv_raw(&out, pk->recs[i], strlen(pk->recs[i]));
	if (gr_cache_get(env, "classify", pk->key, &now, &len) != GR_OK)
		now = NULL;
	for (q = now; q && (q = strstr(q, "\np\t")) != NULL; ) {
		const char *rec = q + 1, *end = strstr(rec, "\nE\tend\n");
		size_t plen = gr_tcv_plen(rec);
		bool ours = false;
		if (!end)
			break;
		end += 7;
		for (i = 0; i < pk->nrecs && !ours; i++)
			ours = gr_tcv_plen(pk->recs[i]) == plen && !strncmp(pk->recs[i], rec, plen);
		if (!ours && !gr_tcv_gone(rec, plen))
			gr_kv_raw(&out, rec, (size_t)(end - rec));
		q = end - 1;
	}
	free(now);
	if (!out.nomem && out.p)
		gr_cache_put(env, "classify", pk->key, out.p, out.n, &ignore);  /* a cache: a failed write is a miss later */
	free(out.p);
}

void
gr_tccache_verdicts_close(struct gr_tccache_verdicts *v)
{
	size_t i, j;

	if (!v)
		return;
	for (i = 0; i < v->npacks; i++) {
		struct gr_tcv_pack *pk = &v->packs[i];
		if (pk->nrecs)
			gr_tcv_write(v->env, pk);
		for (j = 0; j < pk->nrecs; j++)
			free(pk->recs[j]);
		free(pk->recs);
		free(pk->data);
		free(pk->key);
		free(pk->dir);
		free(pk->fmt);
		free(pk->arch);
	}
	free(v->packs);
	free(v);
}
