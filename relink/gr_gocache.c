#include "gr_gocache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gr_cache.h"
#include "gr_elf.h"
#include "gr_file.h"
#include "gr_modgraph.h"
#include "gr_path.h"
#include "gr_spawn.h"

/* ---- SHA-256 (FIPS 180-4), enough for a cache key ------------------------- */

struct gr_sha {
	uint32_t h[8];
	uint64_t len;
	unsigned char buf[64];
	size_t n;
};

static const uint32_t gr_sha_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define GR_ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void
gr_sha_init(struct gr_sha *s)
{
	static const uint32_t h0[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	                                0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	memcpy(s->h, h0, sizeof(h0));
	s->len = 0;
	s->n = 0;
}

static void
gr_sha_block(struct gr_sha *s, const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, h, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 |
		       (uint32_t)p[4 * i + 3];
	for (i = 16; i < 64; i++) {
		uint32_t s0 = GR_ROR(w[i - 15], 7) ^ GR_ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = GR_ROR(w[i - 2], 17) ^ GR_ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3];
	e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
	for (i = 0; i < 64; i++) {
		t1 = h + (GR_ROR(e, 6) ^ GR_ROR(e, 11) ^ GR_ROR(e, 25)) + ((e & f) ^ (~e & g)) + gr_sha_k[i] + w[i];
		t2 = (GR_ROR(a, 2) ^ GR_ROR(a, 13) ^ GR_ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		h = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
	}
	s->h[0] += a, s->h[1] += b, s->h[2] += c, s->h[3] += d;
	s->h[4] += e, s->h[5] += f, s->h[6] += g, s->h[7] += h;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>

/* gr_sha_block over n consecutive blocks with the x86 SHA extensions (SHA-NI:
 * AMD since Zen, Intel since Ice Lake / Goldmont): the same digest, several
 * times faster than the portable rounds. */
__attribute__((target("sha,sse4.1,ssse3"))) static void
gr_sha_blocks_ni(uint32_t h[8], const unsigned char *p, size_t n)
{
	const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i st0, st1, tmp, w[4], kw, abef, cdgh;
	int g;

	tmp = _mm_loadu_si128((const __m128i *)(const void *)&h[0]);
	st1 = _mm_loadu_si128((const __m128i *)(const void *)&h[4]);
	tmp = _mm_shuffle_epi32(tmp, 0xB1);     /* CDAB */
	st1 = _mm_shuffle_epi32(st1, 0x1B);     /* EFGH */
	st0 = _mm_alignr_epi8(tmp, st1, 8);     /* ABEF */
	st1 = _mm_blend_epi16(st1, tmp, 0xF0);  /* CDGH */
	for (; n; n--, p += 64) {
		abef = st0;
		cdgh = st1;
		/* Unrolled, w stays in registers: rolled, w[g % 4] went through
		 * memory and its store-to-load latency bound the schedule (0.8
		 * against 1.4 GB/s). */
#pragma GCC unroll 16
		for (g = 0; g < 16; g++) {
			/* w[g % 4]: the message words 4g .. 4g+3 */
			if (g < 4)
				w[g] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 16 * g)), mask);
			else
				w[g % 4] = _mm_sha256msg2_epu32(
				    _mm_add_epi32(_mm_sha256msg1_epu32(w[g % 4], w[(g + 1) % 4]),
				                  _mm_alignr_epi8(w[(g + 3) % 4], w[(g + 2) % 4], 4)),
				    w[(g + 3) % 4]);
			kw = _mm_add_epi32(w[g % 4], _mm_loadu_si128((const __m128i *)(const void *)&gr_sha_k[4 * g]));
			st1 = _mm_sha256rnds2_epu32(st1, st0, kw);
			st0 = _mm_sha256rnds2_epu32(st0, st1, _mm_shuffle_epi32(kw, 0x0E));
		}
		st0 = _mm_add_epi32(st0, abef);
		st1 = _mm_add_epi32(st1, cdgh);
	}
	tmp = _mm_shuffle_epi32(st0, 0x1B);     /* FEBA */
	st1 = _mm_shuffle_epi32(st1, 0xB1);     /* DCHG */
	st0 = _mm_blend_epi16(tmp, st1, 0xF0);  /* DCBA */
	st1 = _mm_alignr_epi8(st1, tmp, 8);     /* HGFE */
	_mm_storeu_si128((__m128i *)(void *)&h[0], st0);
	_mm_storeu_si128((__m128i *)(void *)&h[4], st1);
}

static bool gr_sha_portable;  /* gr_gocache_sha256_portable */

/* Whether this CPU has the SHA extensions (and gr_sha_blocks_ni's others). */
static bool
gr_sha_have_ni(void)
{
	static int have = -1;

	if (have < 0) {
		/* CPUID itself (clang 14 has no __builtin_cpu_supports("sha")):
		 * leaf 1 ECX bit 19 SSE4.1 and bit 9 SSSE3, leaf 7 EBX bit 29 SHA. */
		unsigned a, b, c, d;
		have = __get_cpuid(1, &a, &b, &c, &d) && (c >> 19 & 1) && (c >> 9 & 1) &&
		       __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b >> 29 & 1);
	}
	return have && !gr_sha_portable;
}

void
gr_gocache_sha256_portable(bool on)
{
	gr_sha_portable = on;
}
#else
void
gr_gocache_sha256_portable(bool on)
{
	(void)on;
}
#endif

/* n consecutive 64-byte blocks at p. */
static void
gr_sha_blocks(struct gr_sha *s, const unsigned char *p, size_t n)
{
#if defined(__x86_64__) && defined(__GNUC__)
	if (gr_sha_have_ni()) {
		gr_sha_blocks_ni(s->h, p, n);
		return;
	}
#endif
	for (; n; n--, p += 64)
		gr_sha_block(s, p);
}

static void
gr_sha_add(struct gr_sha *s, const void *data, size_t n)
{
	const unsigned char *p = data;

	s->len += n;
	/* Fill the partial block, then whole blocks straight from data. */
	if (s->n) {
		size_t k = 64 - s->n < n ? 64 - s->n : n;
		memcpy(s->buf + s->n, p, k);
		s->n += k, p += k, n -= k;
		if (s->n < 64)
			return;
		gr_sha_blocks(s, s->buf, 1);
		s->n = 0;
	}
	if (n >= 64) {
		gr_sha_blocks(s, p, n / 64);
		p += n - n % 64;
		n %= 64;
	}
	memcpy(s->buf, p, n);
	s->n = n;
}

static void
gr_sha_end(struct gr_sha *s, unsigned char out[32])
{
	uint64_t bits = s->len * 8;
	unsigned char pad = 0x80, zero = 0, len[8];
	int i;

	gr_sha_add(s, &pad, 1);
	while (s->n != 56)
		gr_sha_add(s, &zero, 1);
	for (i = 0; i < 8; i++)
		len[i] = (unsigned char)(bits >> (56 - 8 * i));
	gr_sha_add(s, len, 8);
	for (i = 0; i < 32; i++)
		out[i] = (unsigned char)(s->h[i / 4] >> (24 - 8 * (i % 4)));
}

/* A string and its terminating NUL: fields cannot run into each other. */
static void
gr_sha_str(struct gr_sha *s, const char *str)
{
	gr_sha_add(s, str, strlen(str) + 1);
}

/* ---- the search path --------------------------------------------------------- */

/* The value of name in envp ("NAME=value"), or NULL. */
static const char *
gr_gc_envp_value(char *const *envp, const char *name)
{
	size_t l = strlen(name);

	for (; envp && *envp; envp++)
		if (!strncmp(*envp, name, l) && (*envp)[l] == '=')
			return *envp + l + 1;
	return NULL;
}

/* The gorelink cache's key for pc_path: the program (its path as found, which
 * pkgconf's personality follows, and its file's identity), the words, and the
 * PKG_CONFIG_* variables a wrapper script could read; NULL when the program
 * is not found (then nothing is cached) or out of memory. */
static char *
gr_gc_pc_path_key(const struct gr_env *env, char *const *pkgconfig, char *const *envp)
{
	struct gr_strvec parts;
	struct stat sb;
	char *prog = gr_path_which(pkgconfig[0], env->path), id[160], fid[GR_FILE_IDENTITY_MAX], *key = NULL;
	size_t i, n = 0;

	if (!prog || stat(prog, &sb) != 0) {
		free(prog);
		return NULL;
	}
	snprintf(id, sizeof(id), "pc_path 1 %s", gr_file_identity(fid, sizeof(fid), &sb, false));
	gr_strvec_init(&parts);
	if (gr_strvec_push(&parts, id) || gr_strvec_push(&parts, prog))
		goto out;
	for (i = 0; pkgconfig[i]; i++)
		if (gr_strvec_push(&parts, pkgconfig[i]))
			goto out;
	for (i = 0; envp && envp[i]; i++)
		if (!strncmp(envp[i], "PKG_CONFIG_", 11) && gr_strvec_push(&parts, envp[i]))
			goto out;
	for (i = 0; i < parts.n; i++)
		n += strlen(parts.v[i]) + 1;
	if ((key = malloc(n + 1))) {
		size_t at = 0;
		for (i = 0; i < parts.n; i++) {
			size_t l = strlen(parts.v[i]);
			memcpy(key + at, parts.v[i], l);
			key[at + l] = '\n';
			at += l + 1;
		}
		key[at] = '\0';
	}
out:
	gr_strvec_deinit(&parts);
	free(prog);
	return key;
}

int
gr_gocache_pc_path(const struct gr_env *env, char *const *pkgconfig, char *const *envp, char **out,
                   struct gr_error *err)
{
	struct gr_strvec av;
	struct gr_spawn_result r;
	char *ckey = gr_gc_pc_path_key(env, pkgconfig, envp);
	size_t i, len;
	int rc;

	*out = NULL;
	if (ckey && gr_cache_get(env, "pc-path", ckey, out, &len) == GR_OK) {
		free(ckey);
		return GR_OK;
	}
	gr_strvec_init(&av);
	for (i = 0; pkgconfig[i]; i++)
		if (gr_strvec_push(&av, pkgconfig[i]))
			goto nomem;
	if (gr_strvec_push(&av, "--variable") || gr_strvec_push(&av, "pc_path") ||
	    gr_strvec_push(&av, "pkg-config"))
		goto nomem;
	memset(&r, 0, sizeof(r));
	rc = gr_spawn_capture(gr_strvec_argv(&av), envp, &r, err);
	gr_strvec_deinit(&av);
	if (rc == GR_ENOMEM) {
		free(ckey);
		return rc;
	}
	/* No program, or one without pc_path: the key still holds PKG_CONFIG_PATH's. */
	if (rc != GR_OK || !gr_spawn_ok(&r)) {
		free(ckey);
		gr_spawn_result_free(&r);
		gr_error_clear(err);  /* not an error here: go build's pkg-config run will say it */
		*out = strdup("");
		return *out ? GR_OK : gr_error_set(err, GR_ENOMEM, 0, "out of memory");
	}
	r.out[strcspn(r.out, "\n")] = '\0';
	*out = r.out;
	r.out = NULL;
	gr_spawn_result_free(&r);
	if (ckey) {
		struct gr_error ignore;  /* a cache that cannot be written only costs the next run a spawn */
		(void)gr_cache_put(env, "pc-path", ckey, *out, strlen(*out), &ignore);
		free(ckey);
	}
	return GR_OK;
nomem:
	free(ckey);
	gr_strvec_deinit(&av);
	return gr_error_set(err, GR_ENOMEM, 0, "out of memory");
}

static int
gr_gc_split(const char *list, struct gr_strvec *dirs)
{
	const char *p = list, *c;

	while (p && *p) {
		c = strchr(p, ':');
		if (c != p && gr_strvec_pushn(dirs, p, c ? (size_t)(c - p) : strlen(p)))
			return GR_ENOMEM;
		p = c ? c + 1 : NULL;
	}
	return GR_OK;
}

int
gr_gocache_search_dirs(char *const *envp, const char *pc_path, struct gr_strvec *dirs,
                       struct gr_error *err)
{
	const char *libdir = gr_gc_envp_value(envp, "PKG_CONFIG_LIBDIR");

	if (gr_gc_split(gr_gc_envp_value(envp, "PKG_CONFIG_PATH"), dirs) ||
	    gr_gc_split(libdir ? libdir : pc_path, dirs))
		return gr_error_set(err, GR_ENOMEM, 0, "out of memory");
	return GR_OK;
}

/* ---- the key ------------------------------------------------------------------ */

static int
gr_gc_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether a failure to open or list e names is an answer that stays while the
 * files do, for everyone (else one that may pass: EMFILE, ENOMEM, EINTR, ...;
 * or EACCES, this user's answer only: the cache directory is shared between
 * users, and another one reads the file). */
static bool
gr_gc_stable(int e)
{
	return e == ENOENT || e == ENOTDIR;
}

/* One .pc file: its name, then its size and content, or why it is unreadable;
 * unsure set when that was a failure that may pass. */
static void
gr_gc_file(struct gr_sha *s, int dfd, const char *name, struct gr_gocache_stats *st, bool *unsure)
{
	char buf[16384], word[64];
	struct stat sb;
	long long total = 0;
	ssize_t n;
	int fd, e;

	gr_sha_str(s, name);
	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	e = fd < 0 ? errno : fstat(fd, &sb) != 0 ? -1 : 0;  /* -1: fstat failed */
	if (e || !S_ISREG(sb.st_mode)) {
		if (e && !gr_gc_stable(e))
			*unsure = true;
		snprintf(word, sizeof(word), "unreadable %d", fd < 0 ? e : 0);
		gr_sha_str(s, word);
		if (fd >= 0)
			close(fd);
		return;
	}
	snprintf(word, sizeof(word), "size %lld", (long long)sb.st_size);
	gr_sha_str(s, word);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		gr_sha_add(s, buf, (size_t)n);
		total += n;
	}
	if (n < 0)
		*unsure = true;
	snprintf(word, sizeof(word), "read %lld %d", total, n < 0 ? errno : 0);
	gr_sha_str(s, word);
	close(fd);
	st->files++;
	st->bytes += total;
}

/* The names of d's entries that end in .pc (and are more than that), sorted,
 * appended to names: GR_OK or GR_ENOMEM; unsure set when readdir failed
 * (the list may be short). */
static int
gr_gc_pc_names(DIR *d, struct gr_strvec *names, bool *unsure)
{
	struct dirent *de;
	size_t l;

	for (errno = 0; (de = readdir(d)); errno = 0) {
		l = strlen(de->d_name);
		if (l > 3 && !strcmp(de->d_name + l - 3, ".pc") && gr_strvec_push(names, de->d_name))
			return GR_ENOMEM;
	}
	if (errno)
		*unsure = true;
	if (names->n)
		qsort(names->v, names->n, sizeof(*names->v), gr_gc_cmp);
	return GR_OK;
}

/* One search directory: its path, then its .pc files in name order; unsure
 * set when a failure that may pass left something out. */
static int
gr_gc_dir(struct gr_sha *s, const char *dir, struct gr_gocache_stats *st, bool *unsure)
{
	struct gr_strvec names;
	DIR *d;
	size_t i;
	int rc = GR_OK;

	gr_sha_str(s, "dir");
	gr_sha_str(s, dir);
	st->dirs++;
	if (!(d = opendir(dir))) {
		if (!gr_gc_stable(errno))
			*unsure = true;
		gr_sha_str(s, errno == ENOENT ? "absent" : "unreadable");
		return GR_OK;
	}
	gr_strvec_init(&names);
	rc = gr_gc_pc_names(d, &names, unsure);
	if (rc == GR_OK) {
		for (i = 0; i < names.n; i++)
			gr_gc_file(s, dirfd(d), names.v[i], st, unsure);
	}
	closedir(d);
	gr_strvec_deinit(&names);
	return rc;
}

/* What gr_gocache_key and gr_gocache_key_cached hash before the
 * directories: the program (its words, and which file the first one names),
 * everything pkg-config and pkgconf read from the environment (PKG_CONFIG_*,
 * sorted, kept in vars) and pc_path. 0, or -1 out of memory. */
static int
gr_gc_key_head(struct gr_sha *s, char *const *pkgconfig, const char *path, char *const *envp, const char *pc_path,
               struct gr_strvec *vars)
{
	char *prog;
	size_t i;

	for (i = 0; pkgconfig[i]; i++)
		gr_sha_str(s, pkgconfig[i]);
	gr_sha_str(s, "program");
	prog = pkgconfig[0] ? gr_path_which(pkgconfig[0], path) : NULL;
	gr_sha_str(s, prog ? prog : "");
	free(prog);
	for (i = 0; envp && envp[i]; i++)
		if (!strncmp(envp[i], "PKG_CONFIG_", 11) && gr_strvec_push(vars, envp[i]))
			return -1;
	if (vars->n)
		qsort(vars->v, vars->n, sizeof(*vars->v), gr_gc_cmp);
	gr_sha_str(s, "env");
	for (i = 0; i < vars->n; i++)
		gr_sha_str(s, vars->v[i]);
	gr_sha_str(s, "pc_path");
	gr_sha_str(s, pc_path ? pc_path : "");
	return 0;
}

/* gr_gocache_key; unsure set when a failure that may pass (gr_gc_stable) left
 * something out of it: then it is not remembered. */
static int
gr_gc_key(char *const *pkgconfig, const char *path, char *const *envp, const char *pc_path,
          char key[GR_GOCACHE_KEYLEN + 1], struct gr_gocache_stats *st, bool *unsure, struct gr_error *err)
{
	struct gr_gocache_stats mine;
	struct gr_strvec vars, dirs;
	struct gr_sha s;
	unsigned char md[32];
	char word[64];
	size_t i;
	int rc = GR_OK;

	if (!st)
		st = &mine;
	memset(st, 0, sizeof(*st));
	key[0] = '\0';
	gr_sha_init(&s);
	snprintf(word, sizeof(word), "gorelink pkg-config rewrite %d", GR_GOCACHE_REWRITE);
	gr_sha_str(&s, word);
	gr_strvec_init(&vars);
	gr_strvec_init(&dirs);
	if (gr_gc_key_head(&s, pkgconfig, path, envp, pc_path, &vars))
		goto nomem;
	if ((rc = gr_gocache_search_dirs(envp, pc_path ? pc_path : "", &dirs, err)))
		goto out;
	for (i = 0; i < dirs.n; i++)
		if (gr_gc_dir(&s, dirs.v[i], st, unsure))
			goto nomem;
	gr_sha_end(&s, md);
	for (i = 0; i < GR_GOCACHE_KEYLEN / 2; i++)
		snprintf(key + 2 * i, 3, "%02x", md[i]);
	goto out;
nomem:
	rc = gr_error_set(err, GR_ENOMEM, 0, "out of memory");
out:
	gr_strvec_deinit(&vars);
	gr_strvec_deinit(&dirs);
	return rc;
}

int
gr_gocache_key(char *const *pkgconfig, const char *path, char *const *envp, const char *pc_path,
               char key[GR_GOCACHE_KEYLEN + 1], struct gr_gocache_stats *st, struct gr_error *err)
{
	bool unsure = false;

	return gr_gc_key(pkgconfig, path, envp, pc_path, key, st, &unsure, err);
}

/* ---- the key, remembered by the files' identities ----------------------------- */

static void gr_gc_hex(const unsigned char md[32], char hex[65]);

/* The identity of what st describes into s; racy set when it changed within
 * the last 2 seconds of now. */
static void
gr_gc_ident(struct gr_sha *s, const struct stat *sb, time_t now, bool *racy)
{
	char word[GR_FILE_IDENTITY_MAX];

	if (sb->st_ctim.tv_sec >= now - 2 || sb->st_mtim.tv_sec >= now - 2)
		*racy = true;
	gr_sha_str(s, gr_file_identity(word, sizeof(word), sb, true));
}

/* The memo's key of one search directory: its path and identity, then each
 * .pc file's name and identity, in name order. */
static int
gr_gc_memo_dir(struct gr_sha *s, const char *dir, time_t now, bool *racy)
{
	struct gr_strvec names;
	struct stat sb;
	DIR *d;
	size_t i;
	int rc = GR_OK;

	gr_sha_str(s, "dir");
	gr_sha_str(s, dir);
	if (!(d = opendir(dir))) {
		if (!gr_gc_stable(errno))
			*racy = true;  /* a failure that may pass: nothing to remember */
		gr_sha_str(s, errno == ENOENT ? "absent" : "unreadable");
		return GR_OK;
	}
	if (fstat(dirfd(d), &sb) == 0)
		gr_gc_ident(s, &sb, now, racy);
	else
		*racy = true;
	gr_strvec_init(&names);
	rc = gr_gc_pc_names(d, &names, racy);
	if (rc == GR_OK) {
		for (i = 0; i < names.n; i++) {
			gr_sha_str(s, names.v[i]);
			if (fstatat(dirfd(d), names.v[i], &sb, 0) == 0 && S_ISREG(sb.st_mode)) {
				gr_gc_ident(s, &sb, now, racy);
			} else {
				gr_sha_str(s, "unreadable");
				*racy = true;  /* not a file now: nothing stable to remember */
			}
		}
	}
	closedir(d);
	gr_strvec_deinit(&names);
	return rc;
}

int
gr_gocache_key_cached(const struct gr_env *env, char *const *pkgconfig, const char *path, char *const *envp,
                      const char *pc_path, char key[GR_GOCACHE_KEYLEN + 1], struct gr_gocache_stats *st,
                      struct gr_error *err)
{
	struct gr_gocache_stats mine;
	struct gr_strvec vars, dirs;
	struct gr_sha s;
	unsigned char md[32];
	char word[64], hex[65], memo[80], *data = NULL, value[160];
	bool racy = false, unsure = false;
	struct timespec ts;
	/* The precise clock, as the files' times are taken (time() reads a
	 * coarse one that lags them by up to a clock tick). */
	time_t now = clock_gettime(CLOCK_REALTIME, &ts) == 0 ? ts.tv_sec : time(NULL);
	size_t i, len;
	int rc = GR_OK;

	if (!st)
		st = &mine;
	gr_strvec_init(&vars);
	gr_strvec_init(&dirs);
	gr_sha_init(&s);
	/* What gr_gocache_key hashes before the directories, the same way. */
	snprintf(word, sizeof(word), "gorelink pkg-config key memo 1 rewrite %d", GR_GOCACHE_REWRITE);
	gr_sha_str(&s, word);
	if (gr_gc_key_head(&s, pkgconfig, path, envp, pc_path, &vars))
		goto nomem;
	if ((rc = gr_gocache_search_dirs(envp, pc_path ? pc_path : "", &dirs, err)))
		goto out;
	for (i = 0; i < dirs.n; i++)
		if (gr_gc_memo_dir(&s, dirs.v[i], now, &racy))
			goto nomem;
	gr_sha_end(&s, md);
	gr_gc_hex(md, hex);
	snprintf(memo, sizeof(memo), "pc-key 1 %s", hex);
	/* The remembered key: "KEY FILES BYTES DIRS". */
	if (gr_cache_get(env, "pc-key", memo, &data, &len) == GR_OK) {
		unsigned long long f, d;
		long long by;
		char k[GR_GOCACHE_KEYLEN + 2];
		if (sscanf(data, "%33s %llu %lld %llu", k, &f, &by, &d) == 4 && strlen(k) == GR_GOCACHE_KEYLEN &&
		    strspn(k, "0123456789abcdef") == GR_GOCACHE_KEYLEN) {
			memcpy(key, k, GR_GOCACHE_KEYLEN + 1);
			st->files = (size_t)f;
			st->bytes = by;
			st->dirs = (size_t)d;
			free(data);
			goto out;
		}
		free(data);
	}
	if ((rc = gr_gc_key(pkgconfig, path, envp, pc_path, key, st, &unsure, err)))
		goto out;
	if (!racy && !unsure) {
		struct gr_error ignore;  /* not stored: the next build reads the files again */
		snprintf(value, sizeof(value), "%s %zu %lld %zu\n", key, st->files, st->bytes, st->dirs);
		(void)gr_cache_put(env, "pc-key", memo, value, strlen(value), &ignore);
	}
	goto out;
nomem:
	rc = gr_error_set(err, GR_ENOMEM, 0, "out of memory");
out:
	gr_strvec_deinit(&vars);
	gr_strvec_deinit(&dirs);
	return rc;
}

char *
gr_gocache_cppflags(const char *user, const char *key)
{
	size_t n = (user ? strlen(user) : 0) + strlen(GR_GOCACHE_MACRO) + strlen(key) + 8;
	char *v = malloc(n);

	if (v)
		snprintf(v, n, "%s%s-D%s=%s", user && *user ? user : "", user && *user ? " " : "",
		         GR_GOCACHE_MACRO, key);
	return v;
}

/* ---- go env's answers ---------------------------------------------------------- */


/* Whether an environment entry is left out of go env's key: gorelink's own
 * variables (go reads none) and what a shell or make changes between runs. */
static bool
gr_gc_goenv_volatile(const char *e)
{
	static const char *const skip[] = { "GORELINK_", "OLDPWD=", "SHLVL=", "_=", "SSH_", "TERM", "COLUMNS=",
	                                    "LINES=", "MAKEFLAGS=", "MFLAGS=", "MAKELEVEL=", "MAKE_TERM", "DISPLAY=",
	                                    "WINDOWID=", "HISTFILE=", "PS1=" };
	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (!strncmp(e, skip[i], strlen(skip[i])))
			return true;
	return false;
}

/* label, then path's content (up to 1 MiB) or why there is none: false when
 * it is larger or unreadable but there (not cached then). */
static bool
gr_gc_goenv_file(struct gr_sha *s, const char *label, const char *path)
{
	char buf[16384], word[64];
	long long total = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	gr_sha_str(s, label);
	gr_sha_str(s, path);
	if (fd < 0) {
		gr_sha_str(s, "absent");
		return errno == ENOENT || errno == ENOTDIR;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0 && total <= (1 << 20)) {
		gr_sha_add(s, buf, (size_t)n);
		total += n;
	}
	close(fd);
	snprintf(word, sizeof(word), "read %lld", total);
	gr_sha_str(s, word);
	return n == 0 && total <= (1 << 20);
}

/* Whether real (the go program's real path) is a go command itself: an ELF
 * executable named go. A script or a shim (asdf, goenv, mise's symlinks to
 * itself) may run a go of another GOROOT, whose go.env and identity the key
 * would not name: go env's answer is not kept for it. */
static bool
gr_gc_real_go(const char *real)
{
	const char *base = strrchr(real, '/');

	return !strcmp(base ? base + 1 : real, "go") && gr_elf_file_is(real);
}

char *
gr_gocache_goenv_key(const struct gr_env *env, const char *const *argv, char *const *envp)
{
	struct gr_strvec vars;
	struct gr_sha s;
	unsigned char md[32];
	char *mk, *go = NULL, *real = NULL, *key = NULL, *p = NULL, hex[65], word[64];
	const char *root;
	bool ok = false;
	size_t i;

	if (!argv || !argv[0] || !(mk = gr_modgraph_cache_key(env, argv, envp)))
		return NULL;
	/* A go program changed a moment ago (its stamp might not tell the next
	 * change: gr_modgraph's "racy" line ends the key): not cached. */
	if (strlen(mk) >= 5 && !strcmp(mk + strlen(mk) - 5, "racy\n")) {
		free(mk);
		return NULL;
	}
	gr_strvec_init(&vars);
	gr_sha_init(&s);
	snprintf(word, sizeof(word), "gorelink-goenv %d", GR_GOCACHE_GOENV_VERSION);
	gr_sha_str(&s, word);
	gr_sha_str(&s, mk);
	/* The rest of the environment, sorted: PATH, CC, CXX, CGO_*, PKG_CONFIG... */
	for (i = 0; envp && envp[i]; i++)
		if (!gr_gc_goenv_volatile(envp[i]) && gr_strvec_push(&vars, envp[i]))
			goto out;
	if (vars.n > 1)
		qsort(vars.v, vars.n, sizeof(*vars.v), gr_gc_cmp);
	gr_sha_str(&s, "env");
	for (i = 0; i < vars.n; i++)
		gr_sha_str(&s, vars.v[i]);
	/* GOROOT's go.env (GOTOOLCHAIN, GOPROXY... defaults): GOROOT is the real
	 * go program's bin/.. unless $GOROOT says otherwise; both are stamped. */
	if (!(go = gr_path_which(argv[0], env->path)) || !(real = realpath(go, NULL)) || !gr_gc_real_go(real))
		goto out;
	{
		char *slash = strrchr(real, '/');
		if (slash)
			*slash = '\0';
		slash = strrchr(real, '/');
		if (slash && !strcmp(slash, "/bin"))
			*slash = '\0';
		if (!(p = gr_path_join(real, "go.env")) || !gr_gc_goenv_file(&s, "goroot", p))
			goto out;
		free(p);
		p = NULL;
	}
	if ((root = gr_gc_envp_value(envp, "GOROOT")) && *root &&
	    (!(p = gr_path_join(root, "go.env")) || !gr_gc_goenv_file(&s, "$GOROOT", p)))
		goto out;
	ok = true;
out:
	if (ok) {
		gr_sha_end(&s, md);
		gr_gc_hex(md, hex);
		if ((key = malloc(sizeof("goenv 4294967295 ") + 64)))
			snprintf(key, sizeof("goenv 4294967295 ") + 64, "goenv %d %s", GR_GOCACHE_GOENV_VERSION, hex);
	}
	gr_strvec_deinit(&vars);
	free(mk);
	free(go);
	free(real);
	free(p);
	return key;
}

bool
gr_gocache_goenv_get(const struct gr_env *env, const char *key, char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	return key && gr_cache_get(env, GR_GOCACHE_GOENV_KIND, key, out, len) == GR_OK;
}

void
gr_gocache_goenv_put(const struct gr_env *env, const char *key, const char *out, size_t len)
{
	struct gr_error ignore;

	if (key && out)
		(void)gr_cache_put(env, GR_GOCACHE_GOENV_KIND, key, out, len, &ignore);
}

/* ---- SHA-256 for others (relink/gr_uptodate) ------------------------------ */

static void
gr_gc_hex(const unsigned char md[32], char hex[65])
{
	static const char x[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		hex[2 * i] = x[md[i] >> 4];
		hex[2 * i + 1] = x[md[i] & 15];
	}
	hex[64] = '\0';
}

void
gr_gocache_sha256(const void *data, size_t n, char hex[65])
{
	struct gr_sha s;
	unsigned char md[32];

	gr_sha_init(&s);
	gr_sha_add(&s, data, n);
	gr_sha_end(&s, md);
	gr_gc_hex(md, hex);
}

int
gr_gocache_sha256_file(const char *path, char hex[65])
{
	struct gr_sha s;
	unsigned char md[32], buf[65536];
	ssize_t k;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	gr_sha_init(&s);
	while ((k = read(fd, buf, sizeof(buf))) != 0) {
		if (k < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		gr_sha_add(&s, buf, (size_t)k);
	}
	close(fd);
	gr_sha_end(&s, md);
	gr_gc_hex(md, hex);
	return 0;
}
