/* Unit tests for gr_pcindex: the index of installed .pc files by -l name, its choice rule and its cache. */
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gr_pc.h"
#include "gr_pcindex.h"
#include "gr_test.h"

static char base[64], d1[96], d2[96], cache[96];
static time_t t0;  /* the test's start: the times age() sets are relative to it, so repeatable */

/* A fresh tree for each test, removed when the next test starts (CK_FORK=no)
 * or when the process exits, passed or failed: base/d1 (PKG_CONFIG_PATH),
 * base/d2 (PKG_CONFIG_LIBDIR: no default dirs), base/cache. */
static void
fresh(void)
{
	t0 = time(NULL);
	gr_test_fresh_tmpdir(base, sizeof(base), "gr-pcindex");
	snprintf(d1, sizeof(d1), "%s/d1", base);
	snprintf(d2, sizeof(d2), "%s/d2", base);
	snprintf(cache, sizeof(cache), "%s/cache", base);
	ck_assert_int_eq(mkdir(d1, 0755), 0);
	ck_assert_int_eq(mkdir(d2, 0755), 0);
	setenv("PKG_CONFIG_PATH", d1, 1);
	setenv("PKG_CONFIG_LIBDIR", d2, 1);
	setenv("GORELINK_CACHE_DIR", cache, 1);
	unsetenv("PKG_CONFIG_SYSROOT_DIR");
}

#define FRESH() fresh()

/* Write dir/name.pc: a valid package with the given Libs and Libs.private. */
static void
write_pc(const char *dir, const char *name, const char *libs, const char *priv)
{
	char l[1024];

	if (libs)
		ck_assert_int_lt(snprintf(l, sizeof(l), "-L${libdir} %s", libs), (int)sizeof(l));
	gr_test_write_pc(dir, name, libs ? l : NULL, priv, NULL);
}

/* Set the mtime of path to secs seconds before the test's start (0: now). */
static void
age(const char *path, int secs)
{
	struct timespec t[2];

	clock_gettime(CLOCK_REALTIME, &t[0]);
	if (secs) {
		t[0].tv_sec = t0 - secs;
		t[0].tv_nsec = 0;
	}
	t[1] = t[0];
	ck_assert_int_eq(utimensat(AT_FDCWD, path, t, AT_SYMLINK_NOFOLLOW), 0);
}

/* Make dir and everything in it secs seconds old: older than the index's
 * "changed just now" window, so that the index is stored. */
static void
age_dir(const char *dir, int secs)
{
	char path[512];
	struct dirent *de;
	DIR *d = opendir(dir);

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		age(path, secs);
	}
	closedir(d);
	age(dir, secs);
}

static void
age_all(int secs)
{
	age_dir(d1, secs);
	age_dir(d2, secs);
}

/* Everything an index holds, as text, to compare two of them. */
static char *
render(const struct gr_pcindex *ix)
{
	char *buf = NULL;
	size_t len = 0, i, k;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	for (i = 0; i < ix->ndirs; i++)
		fprintf(f, "dir %s\n", ix->dirs[i]);
	for (i = 0; i < ix->npkgs; i++) {
		fprintf(f, "pkg %s %s libs", ix->pkgs[i].name, ix->pkgs[i].path);
		for (k = 0; k < ix->pkgs[i].nlibs; k++)
			fprintf(f, " %s", ix->pkgs[i].libs[k]);
		fprintf(f, " private");
		for (k = 0; k < ix->pkgs[i].nlibs_private; k++)
			fprintf(f, " %s", ix->pkgs[i].libs_private[k]);
		fprintf(f, "\n");
	}
	for (i = 0; i < ix->nskipped; i++)
		fprintf(f, "skip %s: %s\n", ix->skipped[i].path, ix->skipped[i].why);
	for (i = 0; i < ix->nrefs; i++)
		fprintf(f, "ref %s %s%s\n", ix->refs[i].lname, ix->refs[i].pkg->name, ix->refs[i].private_only ? " private" : "");
	fclose(f);
	return buf;
}

static struct gr_pcindex *
open_ix(bool cached)
{
	struct gr_pcindex *ix = NULL;
	struct gr_error e;

	memset(&e, 0, sizeof(e));
	ck_assert_msg(gr_pcindex_open(cached ? gr_test_env() : NULL, &ix, &e) == GR_OK, "%s", e.msg);
	ck_assert_ptr_nonnull(ix);
	return ix;
}

/* The package names providing lname, "a b | c" (Libs | Libs.private only). */
static void
providers(const struct gr_pcindex *ix, const char *lname, char *out, size_t cap)
{
	const struct gr_pcindex_ref *r;
	size_t n, np, i, o = 0;

	r = gr_pcindex_lookup(ix, lname, &n, &np);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		ck_assert(r[i].private_only == (i >= np));
		ck_assert_str_eq(r[i].lname, lname);
		o += (size_t)snprintf(out + o, cap - o, "%s%s%s", i ? " " : "", i == np && i ? "| " : "", r[i].pkg->name);
	}
	if (n && np == n)
		snprintf(out + o, cap - o, " |");
	else if (n && !np)
		memmove(out + 2, out, strlen(out) + 1), memcpy(out, "| ", 2);
}

/* providers() of lname must read want. */
static void
expect_providers(const struct gr_pcindex *ix, const char *lname, const char *want)
{
	char got[512];

	providers(ix, lname, got, sizeof(got));
	ck_assert_str_eq(got, want);
}

/* The one entry under cache/pcindex. */
static void
entry_path(char *out, size_t cap)
{
	char d[160];

	snprintf(d, sizeof(d), "%s/pcindex", cache);
	gr_test_one_entry(d, out, cap);
}

static int
count_entries(void)
{
	char d[160];

	snprintf(d, sizeof(d), "%s/pcindex", cache);
	return gr_test_count_entries(d, true);
}

START_TEST(test_index_and_lookup)
{
	struct gr_pcindex *ix;
	char path[256];
	FRESH();

	write_pc(d1, "zeta", "-lzeta -lcommon -lzeta", "-lhidden -lcommon -pthread");
	write_pc(d1, "alpha", "-lalpha -lcommon", "-lm");
	write_pc(d2, "beta", "-lbeta -Wl,--as-needed -l:libexact.a", "-lcommon -lhidden");
	write_pc(d2, "nolibs", NULL, NULL);
	gr_test_put(d2, "README", "not a package\n");
	ix = open_ix(false);
	ck_assert(!ix->from_cache && !ix->stored);
	/* The search path as libpkgconf built it: PKG_CONFIG_PATH, then PKG_CONFIG_LIBDIR. */
	ck_assert_uint_eq(ix->ndirs, 2);
	ck_assert_str_eq(ix->dirs[0], d1);
	ck_assert_str_eq(ix->dirs[1], d2);
	/* Search order: d1's names sorted, then d2's. */
	ck_assert_uint_eq(ix->npkgs, 4);
	ck_assert_str_eq(ix->pkgs[0].name, "alpha");
	ck_assert_str_eq(ix->pkgs[1].name, "zeta");
	ck_assert_str_eq(ix->pkgs[2].name, "beta");
	ck_assert_str_eq(ix->pkgs[3].name, "nolibs");
	snprintf(path, sizeof(path), "%s/zeta.pc", d1);
	ck_assert_str_eq(ix->pkgs[1].path, path);
	/* Its own -l names, in order, each once; nothing else. */
	ck_assert_uint_eq(ix->pkgs[1].nlibs, 2);
	ck_assert_str_eq(ix->pkgs[1].libs[0], "zeta");
	ck_assert_str_eq(ix->pkgs[1].libs[1], "common");
	ck_assert_uint_eq(ix->pkgs[1].nlibs_private, 2);
	ck_assert_str_eq(ix->pkgs[1].libs_private[0], "hidden");
	ck_assert_str_eq(ix->pkgs[1].libs_private[1], "common");
	ck_assert_uint_eq(ix->pkgs[2].nlibs, 2);
	ck_assert_str_eq(ix->pkgs[2].libs[1], ":libexact.a");
	ck_assert_uint_eq(ix->pkgs[3].nlibs + ix->pkgs[3].nlibs_private, 0);
	ck_assert_uint_eq(ix->nskipped, 0);
	/* Lookups: through Libs in search order, then Libs.private only. */
	expect_providers(ix, "common", "alpha zeta | beta");
	expect_providers(ix, "hidden", "| zeta beta");
	expect_providers(ix, "zeta", "zeta |");
	expect_providers(ix, ":libexact.a", "beta |");
	expect_providers(ix, "m", "| alpha");
	expect_providers(ix, "nothing", "");
	expect_providers(ix, "comm", "");
	gr_pcindex_free(ix);
}
END_TEST

/* A name in an earlier dir hides the same name later, as pkg-config opens the first. */
START_TEST(test_first_dir_wins)
{
	struct gr_pcindex *ix;
	char path[256];
	FRESH();

	write_pc(d1, "dup", "-lfirst", NULL);
	write_pc(d2, "dup", "-lsecond", NULL);
	write_pc(d2, "other", "-lsecond", NULL);
	ix = open_ix(false);
	ck_assert_uint_eq(ix->npkgs, 2);
	snprintf(path, sizeof(path), "%s/dup.pc", d1);
	ck_assert_str_eq(ix->pkgs[0].path, path);
	expect_providers(ix, "first", "dup |");
	expect_providers(ix, "second", "other |");
	gr_pcindex_free(ix);
	/* gr_pc_packages_with_lib answers from the index the same way. */
	{
		struct gr_strvec out;
		struct gr_error e;
		size_t np = 9;
		gr_strvec_init(&out);
		ck_assert_int_eq(gr_pc_packages_with_lib("second", &out, &np, &e), GR_OK);
		ck_assert_uint_eq(out.n, 1);
		ck_assert_uint_eq(np, 1);
		ck_assert_str_eq(out.v[0], "other");
		gr_strvec_deinit(&out);
	}
}
END_TEST

static void
choose(const struct gr_pcindex *ix, const char *lname, const char *want, enum gr_pcindex_rule rule,
       const char *alts)
{
	struct gr_pcindex_choice c;
	struct gr_error e;
	char got[256];
	size_t i, o = 0;

	ck_assert_int_eq(gr_pcindex_choose(ix, lname, &c, &e), GR_OK);
	if (!want)
		ck_assert_ptr_null(c.pkg);
	else {
		ck_assert_ptr_nonnull(c.pkg);
		ck_assert_str_eq(c.pkg->name, want);
	}
	ck_assert_msg(c.rule == rule, "-l%s: rule %s, not %s", lname, gr_pcindex_rule_text(c.rule),
	              gr_pcindex_rule_text(rule));
	got[0] = '\0';
	for (i = 0; i < c.nalts; i++)
		o += (size_t)snprintf(got + o, sizeof(got) - o, "%s%s", i ? " " : "", c.alts[i]->name);
	ck_assert_str_eq(got, alts);
	gr_pcindex_choice_deinit(&c);
}

/* The rule among several packages whose Libs name the library, on the shapes
 * found on a Debian 12 system (libssl/openssl-ish, tcl/tcl8.6, libpng/libpng16,
 * ncurses/tinfo, xmlsec1 bundling -lcrypto, python-3.11-embed/python3-embed). */
START_TEST(test_choice_rule)
{
	struct gr_pcindex *ix;
	FRESH();

	write_pc(d1, "xmlsec1-openssl", "-lxmlsec1-openssl -lxmlsec1 -lssl -lcrypto", NULL);
	write_pc(d1, "libcrypto", "-lcrypto", "-ldl -pthread");
	write_pc(d1, "libssl", "-lssl", NULL);
	write_pc(d1, "crypto", "-lcrypto -lextra", NULL);   /* same name beats lib+name, whatever else it brings */
	write_pc(d1, "tcl", "-ltcl8.6 -ltclstub8.6", NULL);
	write_pc(d1, "tcl8.6", "-ltcl8.6 -ltclstub8.6", NULL);
	write_pc(d1, "libpng", "-lpng16", "-lz");
	write_pc(d1, "libpng16", "-lpng16", "-lz");
	write_pc(d1, "ncurses", "-lncurses -ltinfo", NULL);
	write_pc(d1, "tinfo", "-ltinfo", NULL);
	write_pc(d2, "libxml-2.0", "-lxml2", NULL);
	write_pc(d2, "bundle", "-lxml2", NULL);
	write_pc(d2, "python3-embed", "-lpython3.11", NULL);
	write_pc(d2, "python-3.11-embed", "-lpython3.11", NULL);
	write_pc(d2, "big", "-lshared -la -lb", NULL);
	write_pc(d2, "small", "-lshared -la", NULL);
	write_pc(d2, "zlib", "-lz", NULL);
	write_pc(d2, "onlypriv", "-lonlypriv", "-lprivlib");
	ix = open_ix(false);
	choose(ix, "crypto", "crypto", GR_PCINDEX_SAME_NAME, "libcrypto xmlsec1-openssl");
	choose(ix, "ssl", "libssl", GR_PCINDEX_LIB_NAME, "xmlsec1-openssl");
	choose(ix, "tcl8.6", "tcl8.6", GR_PCINDEX_SAME_NAME, "tcl");
	choose(ix, "tclstub8.6", "tcl", GR_PCINDEX_NAME_ORDER, "tcl8.6");
	choose(ix, "png16", "libpng16", GR_PCINDEX_LIB_NAME, "libpng");
	choose(ix, "tinfo", "tinfo", GR_PCINDEX_SAME_NAME, "ncurses");
	choose(ix, "xml2", "libxml-2.0", GR_PCINDEX_LOOSE_NAME, "bundle");
	choose(ix, "python3.11", "python-3.11-embed", GR_PCINDEX_NAME_ORDER, "python3-embed");
	choose(ix, "shared", "small", GR_PCINDEX_FEWEST_LIBS, "big");
	choose(ix, "a", "small", GR_PCINDEX_FEWEST_LIBS, "big");
	/* One provider through Libs, whatever names it in Libs.private. */
	choose(ix, "z", "zlib", GR_PCINDEX_ONLY, "");
	/* Named only in Libs.private, or nowhere: no choice. */
	choose(ix, "privlib", NULL, GR_PCINDEX_NONE, "");
	choose(ix, "nowhere", NULL, GR_PCINDEX_NONE, "");
	gr_pcindex_free(ix);
}
END_TEST

/* Stored when nothing changed just now; then answered from the cache, the same. */
START_TEST(test_cache_hit)
{
	struct gr_pcindex *ix;
	char *cold, *warm;
	FRESH();

	write_pc(d1, "alpha", "-lalpha", "-lz");
	write_pc(d2, "beta", "-lbeta -lalpha", NULL);
	gr_test_put(d2, "broken.pc", "Name: broken\nLibs: -lbroken\n");  /* no Version */
	age_all(100);
	ix = open_ix(true);
	ck_assert(!ix->from_cache);
	ck_assert(ix->stored);
	cold = render(ix);
	gr_pcindex_free(ix);
	ck_assert_int_eq(count_entries(), 1);
	ix = open_ix(true);
	ck_assert(ix->from_cache);
	ck_assert(!ix->stored);
	warm = render(ix);
	ck_assert_str_eq(warm, cold);
	ck_assert_uint_eq(ix->npkgs, 2);
	ck_assert_uint_eq(ix->nskipped, 1);   /* the skipped file is reported from the cache too */
	gr_pcindex_free(ix);
	free(warm);
	free(cold);
	/* No cache directory: never stored. */
	setenv("GORELINK_CACHE_DIR", "", 1);
	ix = open_ix(true);
	ck_assert(!ix->from_cache && !ix->stored);
	gr_pcindex_free(ix);
}
END_TEST

/* A dir or .pc that changed within the last seconds may change again within
 * the same timestamp: such an index is not stored. */
START_TEST(test_recent_change_not_stored)
{
	struct gr_pcindex *ix;
	FRESH();

	write_pc(d1, "alpha", "-lalpha", NULL);
	ix = open_ix(true);
	ck_assert(!ix->from_cache && !ix->stored);
	gr_pcindex_free(ix);
	ix = open_ix(true);
	ck_assert(!ix->from_cache && !ix->stored);
	gr_pcindex_free(ix);
	ck_assert_int_eq(count_entries(), 0);
	/* Only the dir is recent. */
	age_all(100);
	age(d2, 0);
	ix = open_ix(true);
	ck_assert(!ix->stored);
	gr_pcindex_free(ix);
	/* Only the file is recent. */
	age_all(100);
	{
		char path[256];
		snprintf(path, sizeof(path), "%s/alpha.pc", d1);
		age(path, 0);
	}
	ix = open_ix(true);
	ck_assert(!ix->stored);
	gr_pcindex_free(ix);
	age_all(100);
	ix = open_ix(true);
	ck_assert(ix->stored);
	gr_pcindex_free(ix);
}
END_TEST

static void
two_pcs(void)
{
	write_pc(d1, "alpha", "-lalpha", NULL);
	write_pc(d2, "beta", "-lbeta", NULL);
}

/* On a fresh tree with two_pcs(): store, check the hit, apply change, and
 * check the next open is a miss that sees the change (then a hit again: one
 * entry, overwritten). */
static struct gr_pcindex *
after_change(void (*change)(void))
{
	struct gr_pcindex *ix;

	FRESH();
	two_pcs();
	age_all(100);
	ix = open_ix(true);
	ck_assert(ix->stored);
	gr_pcindex_free(ix);
	ix = open_ix(true);
	ck_assert(ix->from_cache);
	gr_pcindex_free(ix);
	change();
	ix = open_ix(true);
	ck_assert_msg(!ix->from_cache, "the change was not seen");
	ck_assert(ix->stored);
	{
		struct gr_pcindex *again = open_ix(true);
		char *a = render(ix), *b = render(again);
		ck_assert(again->from_cache);
		ck_assert_str_eq(a, b);
		free(a);
		free(b);
		gr_pcindex_free(again);
	}
	ck_assert_int_eq(count_entries(), 1);
	return ix;
}

static void
add_pc(void)
{
	write_pc(d2, "gamma", "-lgamma", NULL);
	age_all(50);
}

static void
remove_pc(void)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/beta.pc", d2);
	ck_assert_int_eq(unlink(path), 0);
	age_all(50);
}

/* An edit in place, the same size: only the file's mtime tells. */
static void
edit_pc(void)
{
	write_pc(d1, "alpha", "-lALPHA", NULL);
	age(d1, 100);     /* the dir's own identity unchanged */
	{
		char path[256];
		snprintf(path, sizeof(path), "%s/alpha.pc", d1);
		age(path, 50);
	}
}

/* Replaced by rename (a package manager's way): a new inode. */
static void
replace_pc(void)
{
	char tmp[256], path[256];

	write_pc(d2, "beta.tmp", "-lbeta2", NULL);
	snprintf(tmp, sizeof(tmp), "%s/beta.tmp.pc", d2);
	snprintf(path, sizeof(path), "%s/beta.pc", d2);
	ck_assert_int_eq(rename(tmp, path), 0);
	age_all(100);    /* even with every mtime as before */
}

START_TEST(test_invalidate_add)
{
	struct gr_pcindex *ix;

	ix = after_change(add_pc);
	ck_assert_uint_eq(ix->npkgs, 3);
	expect_providers(ix, "gamma", "gamma |");
	gr_pcindex_free(ix);
}
END_TEST

START_TEST(test_invalidate_remove)
{
	struct gr_pcindex *ix;

	ix = after_change(remove_pc);
	ck_assert_uint_eq(ix->npkgs, 1);
	expect_providers(ix, "beta", "");
	gr_pcindex_free(ix);
}
END_TEST

START_TEST(test_invalidate_edit)
{
	struct gr_pcindex *ix;

	ix = after_change(edit_pc);
	expect_providers(ix, "alpha", "");
	expect_providers(ix, "ALPHA", "alpha |");
	gr_pcindex_free(ix);
}
END_TEST

START_TEST(test_invalidate_replace)
{
	struct gr_pcindex *ix;

	ix = after_change(replace_pc);
	expect_providers(ix, "beta2", "beta |");
	gr_pcindex_free(ix);
}
END_TEST

/* The documented limit: an edit in place that keeps the size and puts the
 * old mtime back (touch -r) is not seen, as make would not see it. */
START_TEST(test_edit_restoring_mtime_unseen)
{
	struct gr_pcindex *ix;
	char path[256];
	FRESH();

	two_pcs();
	age_all(100);
	ix = open_ix(true);
	ck_assert(ix->stored);
	gr_pcindex_free(ix);
	write_pc(d1, "alpha", "-lALPHA", NULL);
	snprintf(path, sizeof(path), "%s/alpha.pc", d1);
	age(path, 100);
	age(d1, 100);
	ix = open_ix(true);
	ck_assert(ix->from_cache);
	expect_providers(ix, "alpha", "alpha |");
	gr_pcindex_free(ix);
}
END_TEST

/* Rewrite the stored entry with f applied to its text. */
static void
damage(void (*f)(char *text, size_t *len))
{
	char path[512], *text;
	size_t len;
	FILE *fp;
	struct stat st;

	entry_path(path, sizeof(path));
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_ptr_nonnull(text = calloc(1, (size_t)st.st_size + 64));
	ck_assert_ptr_nonnull(fp = fopen(path, "r"));
	len = fread(text, 1, (size_t)st.st_size, fp);
	fclose(fp);
	ck_assert_uint_eq(len, (size_t)st.st_size);
	f(text, &len);
	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	ck_assert_uint_eq(fwrite(text, 1, len, fp), len);
	fclose(fp);
	free(text);
}

static void
cut_end(char *t, size_t *len)
{
	char *e = strstr(t, "\nE\tend ");
	ck_assert_ptr_nonnull(e);
	*len = (size_t)(e - t) + 1;   /* whole lines, without the end line */
}

static void
cut_mid(char *t, size_t *len)
{
	char *e = strstr(t, "\nl\tbeta\n");
	ck_assert_ptr_nonnull(e);
	*len = (size_t)(e - t) + 4;   /* ends inside a line: "l<TAB>b" */
}

static void
drop_line(char *t, size_t *len)
{
	char *e = strstr(t, "\nl\tbeta\n");
	ck_assert_ptr_nonnull(e);
	memmove(e + 1, e + 8, *len - (size_t)(e + 8 - t));   /* one -l line less, the end line kept */
	*len -= 7;
}

static void
trailing(char *t, size_t *len)
{
	memcpy(t + *len, "P\tx\n", 4);
	*len += 4;
}

static void
bad_tag(char *t, size_t *len)
{
	char *e = strstr(t, "\nl\tbeta\n");
	(void)len;
	ck_assert_ptr_nonnull(e);
	e[1] = 'Z';
}

static void
old_version(char *t, size_t *len)
{
	/* the version line after the key: an entry of another format */
	char *v = strstr(t, "\nV\tpcindex 1 ");
	(void)len;
	ck_assert_ptr_nonnull(v);
	v = strstr(v + 1, "\nV\tpcindex 1 ");
	ck_assert_ptr_nonnull(v);
	v[11] = '0';
}

static void
orphan_lib(char *t, size_t *len)
{
	/* an -l line before any package */
	char *p = strstr(t, "\nP\talpha\n");
	ck_assert_ptr_nonnull(p);
	p++;
	memmove(p + 7, p, *len - (size_t)(p - t));
	memcpy(p, "l\torph\n", 7);
	*len += 7;
}

START_TEST(test_damaged_entry_is_a_miss)
{
	void (*damages[])(char *, size_t *) = { cut_end, cut_mid, drop_line, trailing, bad_tag, old_version, orphan_lib };
	struct gr_pcindex *ix;
	char *want;
	size_t i;
	FRESH();

	two_pcs();
	age_all(100);
	ix = open_ix(true);
	ck_assert(ix->stored);
	want = render(ix);
	gr_pcindex_free(ix);
	for (i = 0; i < sizeof(damages) / sizeof(damages[0]); i++) {
		char *got;
		damage(damages[i]);
		ix = open_ix(true);
		ck_assert_msg(!ix->from_cache, "damage %zu was read as a hit", i);
		ck_assert(ix->stored);   /* and the entry is rewritten */
		got = render(ix);
		ck_assert_str_eq(got, want);
		free(got);
		gr_pcindex_free(ix);
		ix = open_ix(true);
		ck_assert(ix->from_cache);
		gr_pcindex_free(ix);
	}
	free(want);
}
END_TEST

/* A .pc libpkgconf refuses or reads only in part is left out and reported; the rest is indexed. */
START_TEST(test_bad_pc_skipped)
{
	struct gr_pcindex *ix;
	char p[256], q[256];
	size_t i;
	FRESH();

	write_pc(d1, "good", "-lgood", NULL);
	gr_test_put(d1, "noversion.pc", "Name: noversion\nDescription: d\nLibs: -lbad1\n");
	gr_test_put(d1, "quote.pc", "Name: quote\nDescription: d\nVersion: 1\nLibs: -lbad2 '-L/x\n");
	snprintf(p, sizeof(p), "%s/dangling.pc", d2);
	ck_assert_int_eq(symlink("/nonexistent/dangling.pc", p), 0);
	snprintf(p, sizeof(p), "%s/adir.pc", d2);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	write_pc(d2, "alsogood", "-lgood", NULL);
	ix = open_ix(false);
	ck_assert_uint_eq(ix->npkgs, 2);
	expect_providers(ix, "good", "good alsogood |");
	expect_providers(ix, "bad1", "");
	expect_providers(ix, "bad2", "");
	ck_assert_uint_eq(ix->nskipped, 4);
	/* In search order, each with why. */
	snprintf(p, sizeof(p), "%s/noversion.pc", d1);
	ck_assert_str_eq(ix->skipped[0].path, p);
	ck_assert_msg(strstr(ix->skipped[0].why, "Version"), "%s", ix->skipped[0].why);
	snprintf(p, sizeof(p), "%s/quote.pc", d1);
	ck_assert_str_eq(ix->skipped[1].path, p);
	ck_assert_msg(strstr(ix->skipped[1].why, "unable to parse field 'Libs'"), "%s", ix->skipped[1].why);
	snprintf(p, sizeof(p), "%s/adir.pc", d2);
	snprintf(q, sizeof(q), "%s/dangling.pc", d2);
	ck_assert_str_eq(ix->skipped[2].path, p);
	ck_assert_str_eq(ix->skipped[2].why, "not a regular file");
	ck_assert_str_eq(ix->skipped[3].path, q);
	ck_assert_str_eq(ix->skipped[3].why, "No such file or directory");
	for (i = 0; i < ix->nskipped; i++)
		ck_assert(!strchr(ix->skipped[i].why, '\n'));
	gr_pcindex_free(ix);
}
END_TEST

/* The sysroot is part of the key (a second entry), and a dir missing from
 * the path or added to it is another search path. */
START_TEST(test_key_sysroot_and_path)
{
	struct gr_pcindex *ix;
	FRESH();

	two_pcs();
	age_all(100);
	ix = open_ix(true);
	ck_assert(ix->stored);
	gr_pcindex_free(ix);
	setenv("PKG_CONFIG_SYSROOT_DIR", "/tmp", 1);
	ix = open_ix(true);
	ck_assert(!ix->from_cache && ix->stored);
	gr_pcindex_free(ix);
	ck_assert_int_eq(count_entries(), 2);
	ix = open_ix(true);
	ck_assert(ix->from_cache);
	gr_pcindex_free(ix);
	unsetenv("PKG_CONFIG_SYSROOT_DIR");
	unsetenv("PKG_CONFIG_PATH");
	ix = open_ix(true);
	ck_assert(!ix->from_cache);
	ck_assert_uint_eq(ix->ndirs, 1);
	ck_assert_uint_eq(ix->npkgs, 1);
	ck_assert_str_eq(ix->pkgs[0].name, "beta");
	gr_pcindex_free(ix);
	ck_assert_int_eq(count_entries(), 3);
}
END_TEST

int
main(void)
{
	const TTest *const tests[] = {
		test_index_and_lookup,
		test_first_dir_wins,
		test_choice_rule,
		test_cache_hit,
		test_recent_change_not_stored,
		test_invalidate_add,
		test_invalidate_remove,
		test_invalidate_edit,
		test_invalidate_replace,
		test_edit_restoring_mtime_unseen,
		test_damaged_entry_is_a_miss,
		test_bad_pc_skipped,
		test_key_sysroot_and_path,
	};
	return gr_test_run(gr_test_suite("pcindex", "pcindex", tests, sizeof(tests) / sizeof(tests[0]), 60), false);
}
