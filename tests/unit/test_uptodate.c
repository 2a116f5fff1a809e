/* Unit tests for gr_uptodate: a record is found only while OUT and every
 * path in it keep their identities (a recent OUT by its content hash), for
 * its own key; paths changed after go build started make no record; the
 * copy of OUT; the stand-in of OUT (its headers and notes, the rest a hole);
 * the output cache (its bound, its record, its binaries
 * verified by content, the least recently used evicted). */
#define _XOPEN_SOURCE 700
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gr_gocache.h"
#include "gr_test.h"
#include "gr_uptodate.h"

static char base[64];
static char out[128], lib[128], arch[128], fresh[128];

/* A directory with OUT, lib/libx.a, and the cache; a pause, so that what was
 * made is older than what follows by more than the window. */
static void
setup(void)
{
	char cache[128];
	struct timespec pause = { 0, 120000000 };

	gr_test_tmpdir(base, sizeof(base), "gr-uptodate");
	snprintf(cache, sizeof(cache), "%s/cache", base);
	ck_assert_int_eq(setenv("GORELINK_CACHE_DIR", cache, 1), 0);
	snprintf(out, sizeof(out), "%s/prog", base);
	snprintf(lib, sizeof(lib), "%s/lib", base);
	snprintf(arch, sizeof(arch), "%s/lib/libx.a", base);
	snprintf(fresh, sizeof(fresh), "%s/lib/libnew.a", base);
	ck_assert_int_eq(mkdir(lib, 0755), 0);
	gr_test_write(out, "the binary\n");
	gr_test_write(arch, "!<arch>\none\n");
	nanosleep(&pause, NULL);
}

/* Record key for OUT with the paths (libx.a, lib, the absent libnew.a). */
static void
record(const char *key, const char *hash, int64_t started)
{
	struct gr_strvec paths;
	struct gr_error err;

	gr_strvec_init(&paths);
	ck_assert_int_eq(gr_strvec_push(&paths, arch), GR_OK);
	ck_assert_int_eq(gr_strvec_push(&paths, lib), GR_OK);
	ck_assert_int_eq(gr_strvec_push(&paths, fresh), GR_OK);
	ck_assert_int_eq(gr_uptodate_record(gr_test_env(), key, out, hash, &paths, started, "REPORT\n", 7, &err),
	                 GR_OK);
	gr_strvec_deinit(&paths);
}

/* Look key up: GR_OK (the report checked) or GR_ENOTFOUND with why. */
static int
lookup(const char *key, char **why)
{
	char *report = NULL;
	size_t len = 0;
	int rc = gr_uptodate_lookup(gr_test_env(), key, out, &report, &len, why);

	if (rc == GR_OK) {
		ck_assert_uint_eq(len, 7);
		ck_assert_str_eq(report, "REPORT\n");
	} else {
		ck_assert_ptr_null(report);
	}
	free(report);
	return rc;
}

static void
out_hash(char h[65])
{
	ck_assert_int_eq(gr_gocache_sha256_file(out, h), 0);
}

START_TEST(test_found_until_changed)
{
	char key[65], other[65], h[65], *why = NULL;

	setup();
	ck_assert_int_eq(gr_uptodate_key("opts", 4, key), GR_OK);
	ck_assert_int_eq(gr_uptodate_key("opts2", 5, other), GR_OK);
	ck_assert_str_ne(key, other);
	out_hash(h);
	record(key, h, gr_uptodate_now());
	ck_assert_int_eq(lookup(key, &why), GR_OK);   /* OUT is recent: by its content */
	ck_assert_int_eq(lookup(key, &why), GR_OK);   /* then by its identity (recorded again) */
	ck_assert_int_eq(lookup(other, &why), GR_ENOTFOUND);  /* other options: no record */
	ck_assert_ptr_null(why);
	/* The archive replaced by another at the same path. */
	gr_test_write(arch, "!<arch>\ntwo\n");
	ck_assert_int_eq(lookup(key, &why), GR_ENOTFOUND);
	ck_assert_str_eq(why, arch);
	free(why);
	why = NULL;
	record(key, h, 0);
	ck_assert_int_eq(lookup(key, &why), GR_OK);
	/* An archive that appears where the link searched: the directory changed. */
	gr_test_write(fresh, "!<arch>\n");
	ck_assert_int_eq(lookup(key, &why), GR_ENOTFOUND);
	ck_assert_str_eq(why, lib);
	free(why);
	why = NULL;
	ck_assert_int_eq(gr_test_rmtree(base), 0);
}
END_TEST

START_TEST(test_out_tampered)
{
	char key[65], h[65], *why = NULL;
	struct stat sb;
	struct timespec t[2];

	setup();
	gr_uptodate_key("opts", 4, key);
	out_hash(h);
	record(key, h, 0);
	/* The same size, the times put back: the change time still tells. */
	ck_assert_int_eq(stat(out, &sb), 0);
	gr_test_write(out, "the bin4ry\n");
	t[0] = sb.st_atim;
	t[1] = sb.st_mtim;
	ck_assert_int_eq(utimensat(AT_FDCWD, out, t, 0), 0);
	ck_assert_int_eq(lookup(key, &why), GR_ENOTFOUND);
	ck_assert_str_eq(why, out);
	free(why);
	why = NULL;
	/* A recent OUT whose content is not the recorded hash. */
	record(key, "0000000000000000000000000000000000000000000000000000000000000000", 0);
	ck_assert_int_eq(lookup(key, &why), GR_ENOTFOUND);
	ck_assert_str_eq(why, out);
	free(why);
	why = NULL;
	/* Its own hash: found. */
	out_hash(h);
	record(key, h, 0);
	ck_assert_int_eq(lookup(key, NULL), GR_OK);
	/* OUT gone. */
	ck_assert_int_eq(unlink(out), 0);
	ck_assert_int_eq(lookup(key, NULL), GR_ENOTFOUND);
	ck_assert_int_eq(gr_test_rmtree(base), 0);
}
END_TEST

START_TEST(test_changed_since_started)
{
	char key[65], h[65];
	int64_t started;

	setup();
	gr_uptodate_key("opts", 4, key);
	out_hash(h);
	started = gr_uptodate_now();
	/* The archive changed while the link might have been reading it. */
	gr_test_write(arch, "!<arch>\nduring\n");
	record(key, h, started);
	ck_assert_int_eq(lookup(key, NULL), GR_ENOTFOUND);
	ck_assert_int_eq(gr_test_rmtree(base), 0);
}
END_TEST

START_TEST(test_copy)
{
	char to[160];
	struct stat sb;
	char *text;

	setup();
	snprintf(to, sizeof(to), "%s/copy", base);
	ck_assert_int_eq(gr_uptodate_copy(out, to, 0751), 0);
	text = gr_test_slurp(to);
	ck_assert_str_eq(text, "the binary\n");
	free(text);
	ck_assert_int_eq(stat(to, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 07777, 0751);
	/* Never over an existing file. */
	ck_assert_int_eq(gr_uptodate_copy(out, to, 0755), -1);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_int_eq(gr_test_rmtree(base), 0);
}
END_TEST

/* A little-endian ELF64 file of size bytes (pseudo-random content) whose
 * program headers are a PT_LOAD and a PT_NOTE of 32 bytes at note_off. */
static void
write_elf(const char *path, size_t size, uint64_t note_off, uint16_t phnum)
{
	unsigned char *b = malloc(size);
	unsigned x = 7;
	FILE *f;

	ck_assert_ptr_nonnull(b);
	for (size_t i = 0; i < size; i++) {
		x = x * 1103515245u + 12345u;
		b[i] = (unsigned char)((x >> 16) | 1);  /* never 0: a hole reads as zeros */
	}
	memset(b, 0, 64 + 2 * 56);
	memcpy(b, "\177ELF\2\1\1", 7);
	b[32] = 64;                                  /* e_phoff */
	b[54] = 56;                                  /* e_phentsize */
	b[56] = (unsigned char)phnum;                /* e_phnum */
	b[57] = (unsigned char)(phnum >> 8);
	b[64] = 1;                                   /* PT_LOAD */
	b[64 + 56] = 4;                              /* PT_NOTE */
	for (int i = 0; i < 8; i++)
		b[64 + 56 + 8 + i] = (unsigned char)(note_off >> (8 * i));  /* p_offset */
	b[64 + 56 + 32] = 32;                        /* p_filesz */
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(b, 1, size, f), size);
	ck_assert_int_eq(fclose(f), 0);
	free(b);
}

/* The stand-in: OUT's size, its bytes up to the end of the notes (here past
 * the first 64 KiB), a hole after them; refused (nothing written) for what
 * is not such an ELF file, and never over an existing file. */
START_TEST(test_standin)
{
	char elf[160], to[160], other[160];
	unsigned char *a, *c;
	size_t size = 3 << 20, n, k;
	struct stat sb;
	FILE *f;

	gr_test_tmpdir(base, sizeof(base), "gr-standin");
	snprintf(elf, sizeof(elf), "%s/prog", base);
	snprintf(to, sizeof(to), "%s/standin", base);
	write_elf(elf, size, 200000, 2);
	ck_assert_int_eq(gr_uptodate_standin(elf, to, 0751), 0);
	ck_assert_int_eq(stat(to, &sb), 0);
	ck_assert_int_eq(sb.st_size, (off_t)size);
	ck_assert_int_eq(sb.st_mode & 07777, 0751);
	ck_assert_int_lt((long long)sb.st_blocks * 512, 1 << 20);  /* a hole, not a copy */
	a = malloc(size);
	c = malloc(size);
	ck_assert(a && c);
	f = fopen(elf, "rb");
	ck_assert_uint_eq(fread(a, 1, size, f), size);
	fclose(f);
	f = fopen(to, "rb");
	ck_assert_uint_eq(fread(c, 1, size, f), size);
	fclose(f);
	ck_assert_int_eq(memcmp(a, c, 200000 + 32), 0);             /* headers, notes */
	for (n = 0, k = 200000 + 32; k < size; k++)
		n += c[k] != 0;
	ck_assert_uint_eq(n, 0);                                     /* the rest a hole */
	free(a);
	free(c);
	/* Never over an existing file. */
	ck_assert_int_eq(gr_uptodate_standin(elf, to, 0755), -1);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_int_eq(stat(to, &sb), 0);
	ck_assert_int_eq(unlink(to), 0);
	/* A note past the first MiB, program headers past the end, not ELF: refused. */
	snprintf(other, sizeof(other), "%s/far", base);
	write_elf(other, size, 2 << 20, 2);
	ck_assert_int_eq(gr_uptodate_standin(other, to, 0755), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_ne(stat(to, &sb), 0);
	write_elf(other, 4096, 200, 200);
	ck_assert_int_eq(gr_uptodate_standin(other, to, 0755), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_ne(stat(to, &sb), 0);
	gr_test_put(base, "text", "#!/bin/sh\necho not ELF\n");
	snprintf(other, sizeof(other), "%s/text", base);
	ck_assert_int_eq(gr_uptodate_standin(other, to, 0755), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_ne(stat(to, &sb), 0);
	ck_assert_int_eq(gr_test_rmtree(base), 0);
}
END_TEST

START_TEST(test_bin_max)
{
	ck_assert_uint_eq(gr_uptodate_bin_max(NULL), (uint64_t)GR_UPTODATE_BIN_MAX_DEFAULT << 20);
	ck_assert_uint_eq(gr_uptodate_bin_max(""), (uint64_t)GR_UPTODATE_BIN_MAX_DEFAULT << 20);
	ck_assert_uint_eq(gr_uptodate_bin_max("0"), 0);
	ck_assert_uint_eq(gr_uptodate_bin_max("3"), (uint64_t)3 << 20);
	ck_assert_uint_eq(gr_uptodate_bin_max("3M"), (uint64_t)GR_UPTODATE_BIN_MAX_DEFAULT << 20);
	ck_assert_uint_eq(gr_uptodate_bin_max("-1"), (uint64_t)GR_UPTODATE_BIN_MAX_DEFAULT << 20);
	ck_assert_uint_eq(gr_uptodate_bin_max("99999999999999999999"), (uint64_t)GR_UPTODATE_BIN_MAX_DEFAULT << 20);
}
END_TEST

START_TEST(test_bin_record)
{
	char key[65], h[65], got[65], *report = NULL, *why = NULL;
	size_t len = 0;
	struct gr_strvec paths;
	struct gr_error err;

	setup();
	gr_uptodate_key("opts", 4, key);
	out_hash(h);
	gr_strvec_init(&paths);
	ck_assert_int_eq(gr_strvec_push(&paths, arch), GR_OK);
	ck_assert_int_eq(gr_strvec_push(&paths, lib), GR_OK);
	ck_assert_int_eq(gr_uptodate_bin_record(gr_test_env(), key, h, &paths, 0, "REPORT\n", 7, &err), GR_OK);
	gr_strvec_deinit(&paths);
	ck_assert_int_eq(gr_uptodate_bin_lookup(gr_test_env(), key, got, &report, &len, &why), GR_OK);
	ck_assert_str_eq(got, h);
	ck_assert_uint_eq(len, 7);
	ck_assert_str_eq(report, "REPORT\n");
	free(report);
	report = NULL;
	/* Not a no-op record (another kind), and no OUT in it. */
	ck_assert_int_eq(lookup(key, NULL), GR_ENOTFOUND);
	/* The archive replaced at the same path. */
	gr_test_write(arch, "!<arch>\ntwo\n");
	ck_assert_int_eq(gr_uptodate_bin_lookup(gr_test_env(), key, got, &report, &len, &why), GR_ENOTFOUND);
	ck_assert_ptr_null(report);
	ck_assert_str_eq(why, arch);
	free(why);
	ck_assert_int_eq(gr_test_rmtree(base), 0);
}
END_TEST

START_TEST(test_bin_put_get)
{
	char h[65], h2[65], to[160], cached[200], other[160];
	struct gr_error err;
	struct timespec pause = { 0, 20000000 };
	struct stat sb;
	char *text;

	setup();
	out_hash(h);
	snprintf(to, sizeof(to), "%s/to", base);
	snprintf(cached, sizeof(cached), "%s/cache/%s/%s", base, GR_UPTODATE_BIN_DIR, h);
	/* Off: nothing stored. */
	ck_assert_int_eq(gr_uptodate_bin_put(gr_test_env(), out, h, 0, &err), GR_OK);
	ck_assert_int_ne(stat(cached, &sb), 0);
	ck_assert_int_eq(gr_uptodate_bin_get(gr_test_env(), h, to, 0755), -1);
	ck_assert_int_eq(gr_uptodate_bin_put(gr_test_env(), out, h, 1 << 20, &err), GR_OK);
	ck_assert_int_eq(stat(cached, &sb), 0);
	ck_assert_int_eq(gr_uptodate_bin_get(gr_test_env(), h, to, 0751), 0);
	text = gr_test_slurp(to);
	ck_assert_str_eq(text, "the binary\n");
	free(text);
	ck_assert_int_eq(stat(to, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 07777, 0751);
	ck_assert_int_eq(unlink(to), 0);
	/* Changed in the cache: not used, and removed. */
	gr_test_write(cached, "the bin4ry\n");
	ck_assert_int_eq(gr_uptodate_bin_get(gr_test_env(), h, to, 0755), -1);
	ck_assert_int_ne(stat(to, &sb), 0);
	ck_assert_int_ne(stat(cached, &sb), 0);
	/* Larger than the whole cache: not kept (no record may name it). */
	ck_assert_int_eq(gr_uptodate_bin_put(gr_test_env(), out, h, 5, &err), GR_ENOTFOUND);
	ck_assert_int_ne(stat(cached, &sb), 0);
	/* Room for one: the second evicts the least recently used, the first. */
	ck_assert_int_eq(gr_uptodate_bin_put(gr_test_env(), out, h, 11, &err), GR_OK);
	nanosleep(&pause, NULL);
	snprintf(other, sizeof(other), "%s/other", base);
	gr_test_write(other, "the other\n");
	ck_assert_int_eq(gr_gocache_sha256_file(other, h2), 0);
	ck_assert_int_eq(gr_uptodate_bin_put(gr_test_env(), other, h2, 11, &err), GR_OK);
	ck_assert_int_ne(stat(cached, &sb), 0);
	ck_assert_int_eq(gr_uptodate_bin_get(gr_test_env(), h2, to, 0755), 0);
	ck_assert_int_eq(unlink(to), 0);
	/* Not a hash: refused. */
	ck_assert_int_eq(gr_uptodate_bin_get(gr_test_env(), "../prog", to, 0755), -1);
	ck_assert_int_eq(gr_test_rmtree(base), 0);
}
END_TEST

int
main(void)
{
	const TTest *const tests[] = {
		test_found_until_changed,
		test_out_tampered,
		test_changed_since_started,
		test_copy,
		test_standin,
		test_bin_max,
		test_bin_record,
		test_bin_put_get,
	};

	return gr_test_run(gr_test_suite("uptodate", "uptodate", tests, sizeof(tests) / sizeof(tests[0]), 0), false);
}
