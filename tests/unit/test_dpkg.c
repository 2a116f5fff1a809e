/* Unit tests for common/gr_dpkg: a dpkg database written here (status, info/
 * *.list, diversions) and, where this is a Debian system, the real one. */
#define _GNU_SOURCE  /* memmem */
#include <check.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_cache.h"
#include "gr_cmd_pcrw.h"
#include "gr_dpkg.h"
#include "gr_env.h"
#include "gr_hash.h"
#include "gr_spawn.h"
#include "gr_strvec.h"
#include "gr_test.h"

static char tmp[64];

static const char status_text[] =
	"Package: zlib1g-dev\n"
	"Status: install ok installed\n"
	"Architecture: amd64\n"
	"Multi-Arch: same\n"
	"Source: zlib\n"
	"Version: 1:1.2.13.dfsg-1\n"
	"Description: compression library - development\n"
	" zlib is a library implementing the deflate compression method found\n"
	" Package: not-a-field\n"
	"\n"
	"Package: zlib1g-dev\n"
	"Status: install ok installed\n"
	"Architecture: i386\n"
	"Multi-Arch: same\n"
	"Source: zlib (1:1.2.13.dfsg-1)\n"
	"Version: 1:1.2.13.dfsg-2\n"
	"\n"
	"Package: dash\n"
	"Status: install ok installed\n"
	"Architecture: amd64\n"
	"Version: 0.5.12-2\n"
	"\n"
	"Package: mytool\n"
	"Architecture: all\n"
	"Version: 2.0\n";  /* the last stanza ends without a blank line */

static void
make_db(void)
{
	char info[128];

	gr_test_fresh_tmpdir(tmp, sizeof(tmp), "gr-dpkg");
	snprintf(info, sizeof(info), "%s/info", tmp);
	ck_assert_int_eq(mkdir(info, 0755), 0);
	gr_test_put(tmp, "status", status_text);
	gr_test_put(info, "zlib1g-dev:amd64.list",
	            "/.\n/usr\n/usr/lib\n/usr/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu/libz.a\n"
	            "/usr/include/zlib.h");  /* no final newline */
	gr_test_put(info, "zlib1g-dev:i386.list", "/usr\n/usr/lib/i386-linux-gnu/libz.a\n");
	gr_test_put(info, "dash.list", "/.\n/bin\n/bin/dash\n/bin/sh\n/usr\n");
	gr_test_put(info, "mytool.list", "/usr/bin/mytool\n/lib/x86_64-linux-gnu/libmy.a\n/usr/bin/sh\n");
	gr_test_put(info, "mytool.md5sums", "/usr/bin/not-a-list\n");
	gr_test_put(tmp, "diversions", "/bin/sh\n/bin/sh.distrib\ndash\n/usr/bin/foo\n/usr/bin/foo.real\nmytool\n");
}

static void
owner_is(const struct gr_dpkg *db, const char *path, const char *name, const char *version)
{
	const struct gr_dpkg_pkg *p = gr_dpkg_owner(db, path);

	ck_assert_msg(p != NULL, "no owner for %s, want %s", path, name);
	ck_assert_msg(!strcmp(p->name, name), "owner of %s is %s, want %s", path, p->name, name);
	ck_assert_str_eq(p->version, version);
}

START_TEST(test_owner)
{
	struct gr_dpkg *db;
	struct gr_error err;
	const struct gr_dpkg_pkg *p;

	make_db();
	ck_assert_int_eq(gr_dpkg_open(tmp, &db, &err), GR_OK);
	ck_assert_uint_eq(gr_dpkg_count(db), 4);
	owner_is(db, "/usr/lib/x86_64-linux-gnu/libz.a", "zlib1g-dev:amd64", "1:1.2.13.dfsg-1");
	owner_is(db, "/usr/include/zlib.h", "zlib1g-dev:amd64", "1:1.2.13.dfsg-1");
	owner_is(db, "/usr/lib/i386-linux-gnu/libz.a", "zlib1g-dev:i386", "1:1.2.13.dfsg-2");
	/* the gcc spelling of a path, tidied */
	owner_is(db, "/usr/lib/gcc/x86_64-linux-gnu/12/../../../x86_64-linux-gnu/libz.a", "zlib1g-dev:amd64",
	         "1:1.2.13.dfsg-1");
	/* merged /usr: dpkg lists /lib/..., the linker says /usr/lib/..., and the reverse */
	owner_is(db, "/usr/lib/x86_64-linux-gnu/libmy.a", "mytool", "2.0");
	owner_is(db, "/lib/x86_64-linux-gnu/libmy.a", "mytool", "2.0");
	owner_is(db, "/usr/bin/dash", "dash", "0.5.12-2");
	owner_is(db, "//usr/bin/./mytool", "mytool", "2.0");
	/* a diverted file belongs to the package that ships the original (mytool's
	 * /usr/bin/sh, moved aside by dash); one whose original only the diverter
	 * lists is not known */
	owner_is(db, "/bin/sh.distrib", "mytool", "2.0");
	ck_assert_ptr_null(gr_dpkg_owner(db, "/usr/bin/foo.real"));
	owner_is(db, "/bin/sh", "dash", "0.5.12-2");
	owner_is(db, "/usr/bin/sh", "dash", "0.5.12-2");
	owner_is(db, "/usr/bin/sh.distrib", "mytool", "2.0");
	p = gr_dpkg_owner(db, "/usr/lib/x86_64-linux-gnu/libz.a");
	ck_assert_str_eq(p->package, "zlib1g-dev");
	ck_assert_str_eq(p->arch, "amd64");
	ck_assert_str_eq(p->source, "zlib");
	p = gr_dpkg_owner(db, "/usr/lib/i386-linux-gnu/libz.a");
	ck_assert_str_eq(p->source, "zlib");
	ck_assert_str_eq(gr_dpkg_owner(db, "/usr/bin/mytool")->source, "mytool");
	ck_assert_str_eq(gr_dpkg_owner(db, "/usr/bin/mytool")->arch, "all");
	/* a directory several packages list: the first by name */
	owner_is(db, "/usr", "dash", "0.5.12-2");
	ck_assert_ptr_null(gr_dpkg_owner(db, "/usr/bin/not-a-list"));
	ck_assert_ptr_null(gr_dpkg_owner(db, "/nonexistent/libq.a"));
	ck_assert_ptr_null(gr_dpkg_owner(db, "relative/libz.a"));
	ck_assert_ptr_null(gr_dpkg_owner(db, NULL));
	ck_assert_str_eq(gr_dpkg_find(db, "zlib1g-dev")->name, "zlib1g-dev:amd64");
	ck_assert_str_eq(gr_dpkg_find(db, "zlib1g-dev:i386")->version, "1:1.2.13.dfsg-2");
	ck_assert_ptr_null(gr_dpkg_find(db, "zlib1g"));
	gr_dpkg_free(db);
}
END_TEST

/* Not a Debian system: an empty database, no error. */
START_TEST(test_missing)
{
	struct gr_dpkg *db;
	struct gr_error err;

	ck_assert_int_eq(gr_dpkg_open("/nonexistent/dpkg", &db, &err), GR_OK);
	ck_assert_uint_eq(gr_dpkg_count(db), 0);
	ck_assert_ptr_null(gr_dpkg_owner(db, "/usr/bin/dpkg"));
	gr_dpkg_free(db);
	gr_dpkg_free(NULL);
}
END_TEST

/* The real database (the tests run on Debian, scripts/setup): dpkg owns dpkg,
 * and /bin/sh (listed by dash under /bin) is found as /usr/bin/sh too. */
START_TEST(test_system)
{
	struct gr_dpkg *db;
	struct gr_error err;
	const struct gr_dpkg_pkg *p;

	ck_assert_msg(access("/var/lib/dpkg/status", R_OK) == 0, "no /var/lib/dpkg/status: not Debian (dpkg)");
	ck_assert_int_eq(gr_dpkg_open(NULL, &db, &err), GR_OK);
	ck_assert_uint_gt(gr_dpkg_count(db), 10);
	p = gr_dpkg_owner(db, "/usr/bin/dpkg");
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->package, "dpkg");
	ck_assert_str_ne(p->version, "");
	p = gr_dpkg_owner(db, "/usr/bin/dash");
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->package, "dash");
	gr_dpkg_free(db);
}
END_TEST

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* dpkg -S's owner ("zlib1g-dev:amd64", or "a, b" for several) of each of
 * paths (NULL: none), from one run over them all. */
static void
dpkg_search(char **paths, size_t n, char **owner)
{
	struct gr_strvec av;
	struct gr_spawn_result r;
	struct gr_error e;
	const char *line, *nl;
	size_t i;

	gr_strvec_init(&av);
	ck_assert_int_eq(gr_strvec_push(&av, "dpkg"), 0);
	ck_assert_int_eq(gr_strvec_push(&av, "-S"), 0);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(gr_strvec_push(&av, paths[i]), 0);
	ck_assert_msg(gr_spawn_capture(gr_strvec_argv(&av), NULL, &r, &e) == GR_OK, "dpkg does not run: install dpkg");
	/* exit 1 when some path is not found: fine; a crash or a usage error is not */
	ck_assert_msg(r.exited && (r.code == 0 || r.code == 1), "dpkg -S failed: %s", r.err ? r.err : "");
	for (line = r.out ? r.out : ""; *line; line = nl ? nl + 1 : line + strlen(line)) {
		const char *sep;
		nl = strchr(line, '\n');
		if (!strncmp(line, "diversion by ", 13))
			continue;
		sep = strstr(line, ": /");
		if (!sep || (nl && sep > nl))
			continue;
		for (i = 0; i < n; i++)
			if (!owner[i] && (size_t)((nl ? nl : line + strlen(line)) - (sep + 2)) == strlen(paths[i]) &&
			    !strncmp(sep + 2, paths[i], strlen(paths[i])))
				ck_assert_ptr_nonnull(owner[i] = strndup(line, (size_t)(sep - line)));
	}
	gr_spawn_result_free(&r);
	gr_strvec_deinit(&av);
}

/* The oracle: for the archives and shared libraries of the system's library
 * directory, gr_dpkg's owner is dpkg -S's: of the path as given, else (a
 * merged /usr, where dpkg lists /lib/...) of its /lib alias; none where dpkg
 * knows neither. */
START_TEST(test_oracle_dpkg_search)
{
	static const char *const dirs[] = { "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib" };
	char **paths = NULL, **alias, **own, **own_alias;
	size_t n = 0, cap = 0, i, d, narch = 0, nowned = 0, nalias = 0;
	struct gr_dpkg *db;
	struct gr_error err;

	ck_assert_msg(access("/var/lib/dpkg/status", R_OK) == 0, "no /var/lib/dpkg/status: not Debian (dpkg)");
	for (d = 0; d < sizeof(dirs) / sizeof(dirs[0]) && !n; d++) {
		DIR *dir = opendir(dirs[d]);
		struct dirent *de;
		while (dir && (de = readdir(dir))) {
			size_t k = strlen(de->d_name);
			char *p;
			size_t pl;
			if (strncmp(de->d_name, "lib", 3) || (!(k > 2 && !strcmp(de->d_name + k - 2, ".a")) && !strstr(de->d_name, ".so")))
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 256;
				ck_assert_ptr_nonnull(paths = realloc(paths, cap * sizeof(*paths)));
			}
			pl = strlen(dirs[d]) + k + 2;
			ck_assert_ptr_nonnull(p = malloc(pl));
			snprintf(p, pl, "%s/%s", dirs[d], de->d_name);
			paths[n++] = p;
		}
		if (dir)
			closedir(dir);
	}
	ck_assert_msg(n >= 20, "only %zu libraries in the system's library directory (libc6-dev)", n);
	qsort(paths, n, sizeof(*paths), cmp_str);
	alias = calloc(n, sizeof(*alias));
	own = calloc(n, sizeof(*own));
	own_alias = calloc(n, sizeof(*own_alias));
	ck_assert(alias && own && own_alias);
	for (i = 0; i < n; i++)
		ck_assert_ptr_nonnull(alias[i] = strdup(!strncmp(paths[i], "/usr/lib/", 9) ? paths[i] + 4 : paths[i]));
	dpkg_search(paths, n, own);
	dpkg_search(alias, n, own_alias);
	ck_assert_int_eq(gr_dpkg_open(NULL, &db, &err), GR_OK);
	for (i = 0; i < n; i++) {
		const struct gr_dpkg_pkg *p = gr_dpkg_owner(db, paths[i]);
		const char *want = own[i] ? own[i] : own_alias[i];
		size_t k = strlen(paths[i]);
		if (!want) {
			/* a file no package ships (made by ldconfig, or a local one) */
			ck_assert_msg(p == NULL, "%s: gr_dpkg says %s, dpkg -S none", paths[i], p->name);
			continue;
		}
		ck_assert_msg(p != NULL, "%s: gr_dpkg says none, dpkg -S %s", paths[i], want);
		/* several owners ("a, b"): gr_dpkg names the first by name, dpkg lists them in its order */
		if (strstr(want, ", ")) {
			ck_assert_msg(strstr(want, p->name) != NULL, "%s: gr_dpkg says %s, dpkg -S %s", paths[i], p->name, want);
		} else
			ck_assert_msg(!strcmp(p->name, want), "%s: gr_dpkg says %s, dpkg -S %s", paths[i], p->name, want);
		nowned++;
		nalias += !own[i];
		narch += k > 2 && !strcmp(paths[i] + k - 2, ".a");
	}
	/* the comparison was real: many owned files, archives among them */
	ck_assert_msg(nowned >= 20 && narch >= 5, "only %zu owned files (%zu archives) compared", nowned, narch);
	(void)nalias;
	for (i = 0; i < n; i++) {
		free(paths[i]);
		free(alias[i]);
		free(own[i]);
		free(own_alias[i]);
	}
	free(paths);
	free(alias);
	free(own);
	free(own_alias);
	gr_dpkg_free(db);
}
END_TEST

/* gr_dpkg_open_cached on the database of make_db (cache under tmp/cache): its
 * answers checked against gr_dpkg_open's; *indexed whether it used an index. */
static struct gr_dpkg *
open_cached(bool *indexed)
{
	static char cache[128];
	struct gr_env env;
	struct gr_dpkg *db;
	struct gr_error err;

	snprintf(cache, sizeof(cache), "%s/cache", tmp);
	memset(&env, 0, sizeof(env));
	env.cache_dir = cache;
	ck_assert_int_eq(gr_dpkg_open_cached(&env, tmp, &db, &err), GR_OK);
	*indexed = gr_dpkg_indexed(db);
	return db;
}

/* The answers of make_db's database that do not change below. */
static void
owners_ok(const struct gr_dpkg *db)
{
	owner_is(db, "/usr/lib/i386-linux-gnu/libz.a", "zlib1g-dev:i386", "1:1.2.13.dfsg-2");
	owner_is(db, "/usr/include/zlib.h", "zlib1g-dev:amd64", "1:1.2.13.dfsg-1");
	owner_is(db, "/usr/lib/gcc/x86_64-linux-gnu/12/../../../i386-linux-gnu/libz.a", "zlib1g-dev:i386",
	         "1:1.2.13.dfsg-2");
	owner_is(db, "/usr/bin/dash", "dash", "0.5.12-2");
	owner_is(db, "/bin/sh", "dash", "0.5.12-2");
	owner_is(db, "/usr/bin/sh", "dash", "0.5.12-2");
	owner_is(db, "/usr", "dash", "0.5.12-2");
	ck_assert_ptr_null(gr_dpkg_owner(db, "/usr/bin/foo.real"));
	ck_assert_ptr_null(gr_dpkg_owner(db, "/usr/bin/not-a-list"));
	ck_assert_ptr_null(gr_dpkg_owner(db, "/nonexistent/libq.a"));
	ck_assert_str_eq(gr_dpkg_owner(db, "/usr/lib/i386-linux-gnu/libz.a")->source, "zlib");
	ck_assert_str_eq(gr_dpkg_find(db, "zlib1g-dev")->name, "zlib1g-dev:amd64");
}

/* Wait until every file of the database is older than the index's 2 seconds. */
static void
settle(void)
{
	sleep(3);
}

/* Rename DIR/NAME-new over DIR/NAME (asserted), as dpkg replaces its files. */
static void
rename_in(const char *dir, const char *name)
{
	char from[300], to[300];

	snprintf(from, sizeof(from), "%s/%s-new", dir, name);
	snprintf(to, sizeof(to), "%s/%s", dir, name);
	ck_assert_int_eq(rename(from, to), 0);
}

/* The index of gr_dpkg_open_cached: written once the database has settled,
 * then used, with the same answers; after a package upgraded (its list
 * renamed over the old one, status not yet rewritten), a package installed
 * and one removed, the old index is never used and the answers are the new
 * database's; a damaged index is a miss. */
START_TEST(test_index)
{
	struct gr_dpkg *db;
	bool ix;
	char info[128], path[256];
	DIR *d;
	struct dirent *de;
	FILE *f;
	int nix = 0;

	make_db();
	snprintf(info, sizeof(info), "%s/info", tmp);
	/* just written: no index (a change in the same clock tick would not show) */
	db = open_cached(&ix);
	ck_assert(!ix);
	owners_ok(db);
	owner_is(db, "/usr/bin/mytool", "mytool", "2.0");
	gr_dpkg_free(db);
	db = open_cached(&ix);
	ck_assert_msg(!ix, "an index was written for files changed a moment ago");
	gr_dpkg_free(db);
	settle();
	db = open_cached(&ix);  /* reads the lists, writes the index */
	ck_assert(!ix);
	gr_dpkg_free(db);
	db = open_cached(&ix);
	ck_assert_msg(ix, "no index used for a settled database");
	ck_assert_uint_eq(gr_dpkg_count(db), 4);
	owners_ok(db);
	owner_is(db, "/usr/lib/x86_64-linux-gnu/libz.a", "zlib1g-dev:amd64", "1:1.2.13.dfsg-1");
	owner_is(db, "/usr/lib/x86_64-linux-gnu/libmy.a", "mytool", "2.0");
	owner_is(db, "/usr/bin/sh.distrib", "mytool", "2.0");
	owner_is(db, "/usr/bin/mytool", "mytool", "2.0");
	ck_assert_ptr_null(gr_dpkg_owner(db, "/usr/bin/new"));
	ck_assert_ptr_null(gr_dpkg_owner(db, "/usr/lib/x86_64-linux-gnu/libq.a"));
	gr_dpkg_free(db);

	/* stale: a package upgraded the way dpkg's unpack does it, its new list
	 * written as LIST-new and renamed over LIST (same length), status not
	 * rewritten yet (dpkg journals into updates/ until its run ends): only
	 * info/'s identity changes */
	gr_test_put(info, "zlib1g-dev:amd64.list-new",
	            "/.\n/usr\n/usr/lib\n/usr/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu/libq.a\n"
	            "/usr/include/zlib.h");
	rename_in(info, "zlib1g-dev:amd64.list");
	db = open_cached(&ix);
	ck_assert_msg(!ix, "the index of the database before a list changed was used");
	owners_ok(db);
	owner_is(db, "/usr/lib/x86_64-linux-gnu/libq.a", "zlib1g-dev:amd64", "1:1.2.13.dfsg-1");
	ck_assert_ptr_null(gr_dpkg_owner(db, "/usr/lib/x86_64-linux-gnu/libz.a"));
	owner_is(db, "/usr/bin/mytool", "mytool", "2.0");
	gr_dpkg_free(db);
	/* then a package installed and one removed, as dpkg does it: the new
	 * list renamed into info/, the old one unlinked, status replaced by rename */
	gr_test_put(info, "new.list-new", "/usr/bin/new\n");
	rename_in(info, "new.list");
	snprintf(path, sizeof(path), "%s/mytool.list", info);
	ck_assert_int_eq(unlink(path), 0);
	gr_test_put(tmp, "status-new", status_text);
	rename_in(tmp, "status");
	for (int round = 0; round < 2; round++) {
		if (round == 1) {
			settle();
			gr_dpkg_free(open_cached(&ix));  /* the new database's index */
		}
		db = open_cached(&ix);
		ck_assert_msg(ix == (round == 1), "round %d: index used: %d", round, ix);
		ck_assert_uint_eq(gr_dpkg_count(db), 4);
		owners_ok(db);
		owner_is(db, "/usr/lib/x86_64-linux-gnu/libq.a", "zlib1g-dev:amd64", "1:1.2.13.dfsg-1");
		ck_assert_ptr_null(gr_dpkg_owner(db, "/usr/lib/x86_64-linux-gnu/libz.a"));
		owner_is(db, "/usr/bin/new", "new", "");
		ck_assert_ptr_null(gr_dpkg_owner(db, "/usr/bin/mytool"));
		ck_assert_ptr_null(gr_dpkg_owner(db, "/usr/lib/x86_64-linux-gnu/libmy.a"));
		gr_dpkg_free(db);
	}

	/* an index that names the wrong package for every path (each record's
	 * package moved to the next one; key and counts intact): used, but no
	 * answer is taken from it without the package's own list naming the path */
	snprintf(path, sizeof(path), "%s/cache/dpkg-index", tmp);
	ck_assert_ptr_nonnull(d = opendir(path));
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			char file[512], *text, *data;
			uint32_t npkgs, ndivs, nrec, pkg;
			long size;
			size_t i;
			snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
			ck_assert_ptr_nonnull(f = fopen(file, "r+"));
			ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
			size = ftell(f);
			ck_assert_int_gt(size, 0);
			ck_assert_ptr_nonnull(text = malloc((size_t)size));
			rewind(f);
			ck_assert_uint_eq(fread(text, 1, (size_t)size, f), (size_t)size);
			ck_assert_ptr_nonnull(data = memmem(text, (size_t)size, "gr-dpkg-index 1\n", 16));
			memcpy(&npkgs, data + 20, 4);
			memcpy(&ndivs, data + 24, 4);
			memcpy(&nrec, data + 28, 4);
			ck_assert_uint_eq(npkgs, 4);
			ck_assert_uint_gt(nrec, 5);
			for (i = 0; i < nrec; i++) {
				char *r = data + 32 + (size_t)npkgs * 20 + (size_t)ndivs * 12 + i * 12 + 8;
				memcpy(&pkg, r, 4);
				pkg = (pkg + 1) % npkgs;
				memcpy(r, &pkg, 4);
			}
			rewind(f);
			ck_assert_uint_eq(fwrite(text, 1, (size_t)size, f), (size_t)size);
			fclose(f);
			free(text);
		}
	closedir(d);
	db = open_cached(&ix);
	ck_assert_msg(ix, "the edited index was not used");
	owners_ok(db);
	owner_is(db, "/usr/bin/new", "new", "");
	owner_is(db, "/usr/lib/x86_64-linux-gnu/libq.a", "zlib1g-dev:amd64", "1:1.2.13.dfsg-1");
	gr_dpkg_free(db);

	/* a damaged index (cut short, then with its counts changed): read as a miss */
	snprintf(path, sizeof(path), "%s/cache/dpkg-index", tmp);
	ck_assert_ptr_nonnull(d = opendir(path));
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			char file[512];
			long size;
			snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
			ck_assert_ptr_nonnull(f = fopen(file, "r+"));
			ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
			size = ftell(f);
			ck_assert_int_eq(ftruncate(fileno(f), size - 7), 0);
			fclose(f);
			nix++;
		}
	closedir(d);
	ck_assert_int_ge(nix, 1);
	db = open_cached(&ix);
	ck_assert(!ix);
	owners_ok(db);
	owner_is(db, "/usr/bin/new", "new", "");
	gr_dpkg_free(db);
}
END_TEST

/* A list edited in place by hand (not dpkg's way: info/ and status stay as
 * they were): the index is still used (its key names status, diversions and
 * info/, not every list); a path taken out of the list is answered fresh
 * (an owner is checked against the package's own list), a path added to it
 * is the documented miss ("no owner") until the next package operation
 * rewrites status, which makes a new index. */
START_TEST(test_index_in_place)
{
	struct gr_dpkg *db;
	bool ix;
	char info[128];

	make_db();
	snprintf(info, sizeof(info), "%s/info", tmp);
	settle();
	gr_dpkg_free(open_cached(&ix));  /* writes the index */
	db = open_cached(&ix);
	ck_assert(ix);
	owner_is(db, "/usr/lib/x86_64-linux-gnu/libz.a", "zlib1g-dev:amd64", "1:1.2.13.dfsg-1");
	gr_dpkg_free(db);
	gr_test_put(info, "zlib1g-dev:amd64.list",
	            "/.\n/usr\n/usr/lib\n/usr/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu/libq.a\n"
	            "/usr/include/zlib.h");
	db = open_cached(&ix);
	ck_assert_msg(ix, "an in-place edit of a list is no longer part of the index's key");
	ck_assert_ptr_null(gr_dpkg_owner(db, "/usr/lib/x86_64-linux-gnu/libz.a"));
	ck_assert_ptr_null(gr_dpkg_owner(db, "/usr/lib/x86_64-linux-gnu/libq.a"));  /* the miss */
	owners_ok(db);
	gr_dpkg_free(db);
	/* the next package operation: status replaced by rename */
	gr_test_put(tmp, "status-new", status_text);
	rename_in(tmp, "status");
	db = open_cached(&ix);
	ck_assert(!ix);
	owner_is(db, "/usr/lib/x86_64-linux-gnu/libq.a", "zlib1g-dev:amd64", "1:1.2.13.dfsg-1");
	ck_assert_ptr_null(gr_dpkg_owner(db, "/usr/lib/x86_64-linux-gnu/libz.a"));
	owners_ok(db);
	gr_dpkg_free(db);
}
END_TEST

/* The real database through its index: the same owner as gr_dpkg_open for
 * every 7th path of every list (and for their merged-/usr aliases). */
START_TEST(test_index_system)
{
	struct gr_dpkg *full, *db = NULL;
	struct gr_error err;
	struct gr_env env;
	char cache[64];
	DIR *d;
	struct dirent *de;
	size_t n = 0, nown = 0;
	int tries;

	ck_assert_msg(access("/var/lib/dpkg/status", R_OK) == 0, "no /var/lib/dpkg/status: not Debian (dpkg)");
	gr_test_tmpdir(cache, sizeof(cache), "gr-dpkg-cache");
	memset(&env, 0, sizeof(env));
	env.cache_dir = cache;
	ck_assert_int_eq(gr_dpkg_open(NULL, &full, &err), GR_OK);
	/* dpkg may be installing something right now: its index waits until it settles */
	for (tries = 0; tries < 5; tries++) {
		gr_dpkg_free(db);
		ck_assert_int_eq(gr_dpkg_open_cached(&env, NULL, &db, &err), GR_OK);
		if (gr_dpkg_indexed(db))
			break;
		if (tries)
			sleep(3);
	}
	ck_assert_msg(gr_dpkg_indexed(db), "no index of /var/lib/dpkg used");
	ck_assert_uint_eq(gr_dpkg_count(db), gr_dpkg_count(full));
	ck_assert_ptr_nonnull(d = opendir("/var/lib/dpkg/info"));
	while ((de = readdir(d))) {
		size_t k = strlen(de->d_name), i = 0;
		char file[512], line[4096];
		FILE *f;
		if (k <= 5 || strcmp(de->d_name + k - 5, ".list"))
			continue;
		snprintf(file, sizeof(file), "/var/lib/dpkg/info/%s", de->d_name);
		if (!(f = fopen(file, "r")))
			continue;
		while (fgets(line, sizeof(line), f)) {
			const struct gr_dpkg_pkg *a, *b;
			line[strcspn(line, "\n")] = '\0';
			if (i++ % 7 || line[0] != '/')
				continue;
			a = gr_dpkg_owner(full, line);
			b = gr_dpkg_owner(db, line);
			ck_assert_msg((a == NULL) == (b == NULL) && (!a || !strcmp(a->name, b->name)),
			              "%s: index says %s, database %s", line, b ? b->name : "none", a ? a->name : "none");
			n++;
			nown += a != NULL;
		}
		fclose(f);
	}
	closedir(d);
	ck_assert_msg(n > 1000 && nown > 1000, "only %zu paths compared", n);
	gr_dpkg_free(db);
	gr_dpkg_free(full);
	gr_test_rmtree(cache);
}
END_TEST

/* gr_dpkg_key changes with what gr_dpkg_open loads; gr_dpkg_admindir is dpkg's choice. */
START_TEST(test_key_and_admindir)
{
	struct gr_kvbuf a = { NULL, 0, 0, false }, b = { NULL, 0, 0, false }, c = { NULL, 0, 0, false };
	char info[128], *ad;

	make_db();
	gr_dpkg_key(tmp, &a);
	gr_dpkg_key(tmp, &b);
	ck_assert(!a.nomem && a.p && b.p);
	ck_assert_uint_eq(a.n, b.n);
	ck_assert_int_eq(memcmp(a.p, b.p, a.n), 0);
	free(b.p);
	/* a package's file list added (info/ changes) */
	snprintf(info, sizeof(info), "%s/info", tmp);
	gr_test_put(info, "new.list", "/usr/bin/new\n");
	b = (struct gr_kvbuf){ NULL, 0, 0, false };
	gr_dpkg_key(tmp, &b);
	ck_assert(b.n != a.n || memcmp(a.p, b.p, a.n) != 0);
	/* the status file rewritten */
	gr_test_put(tmp, "status", "Package: x\n");
	gr_dpkg_key(tmp, &c);
	ck_assert(c.n != b.n || memcmp(c.p, b.p, b.n) != 0);
	free(a.p);
	free(b.p);
	free(c.p);
	ck_assert_ptr_null(gr_dpkg_admindir(NULL, NULL));
	ck_assert_ptr_null(gr_dpkg_admindir("", ""));
	ck_assert_str_eq(ad = gr_dpkg_admindir(NULL, "/srv/root"), "/srv/root/var/lib/dpkg");
	free(ad);
	ck_assert_str_eq(ad = gr_dpkg_admindir("/srv/admin", "/srv/root"), "/srv/admin");
	free(ad);
}
END_TEST

/* The number of entries (files not starting with a dot) under tmp/cache/kind. */
static int
cache_entries(const char *kind)
{
	char d[256];

	snprintf(d, sizeof(d), "%s/cache/%s", tmp, kind);
	return gr_test_count_entries(d, true);
}

/* pkgconf-rewrite's owner cache (review finding 1): a package installed
 * between two lookups of one run is seen by the second (the database is
 * loaded again), and the answer kept under the new database's key is the new
 * database's; before, the database loaded first answered "no owner" and that
 * was kept under the new key for every later run. Answers kept for the old
 * key stay the old database's. */
START_TEST(test_owner_cache_key_change)
{
	static char cache[128];
	struct gr_env env;
	struct gr_kvbuf k1 = { NULL, 0, 0, false }, k2 = { NULL, 0, 0, false };
	char a1[] = "/usr/include/zlib.h", a2[] = "/usr/bin/newtool";
	char info[128], *p1[1] = { a1 }, *p2[1] = { a2 }, *pk[1] = { NULL };
	char *data;
	size_t len;

	make_db();
	snprintf(info, sizeof(info), "%s/info", tmp);
	snprintf(cache, sizeof(cache), "%s/cache", tmp);
	memset(&env, 0, sizeof(env));
	env.cache_dir = cache;
	setenv("DPKG_ADMINDIR", tmp, 1);
	gr_kv_raw(&k1, "dpkg-owners 1\n", 14);
	gr_dpkg_key(tmp, &k1);
	gr_cmd_pcrw_owners(&env, p1, 1, pk);  /* loads the database */
	ck_assert_ptr_nonnull(pk[0]);
	ck_assert_str_eq(pk[0], "zlib1g-dev");
	free(pk[0]);
	pk[0] = NULL;
	/* a package installed during the run (apt beside pkgconf-rewrite --each) */
	gr_test_put(tmp, "status", "Package: newtool\nArchitecture: amd64\nVersion: 1.0\n");
	gr_test_put(info, "newtool.list", "/usr/bin/newtool\n");
	gr_kv_raw(&k2, "dpkg-owners 1\n", 14);
	gr_dpkg_key(tmp, &k2);
	ck_assert(!k1.nomem && !k2.nomem && strcmp(k1.p, k2.p));
	gr_cmd_pcrw_owners(&env, p2, 1, pk);
	ck_assert_msg(pk[0] != NULL, "the database loaded before the package was installed answered");
	ck_assert_str_eq(pk[0], "newtool");
	free(pk[0]);
	pk[0] = NULL;
	gr_cmd_pcrw_owners_end();
	/* what each key holds: the answers of its own database only */
	ck_assert_int_eq(gr_cache_get(&env, "dpkg-owner", k2.p, &data, &len), GR_OK);
	ck_assert_msg(strstr(data, "a\t/usr/bin/newtool\np\tnewtool\nE\tend\n") != NULL, "entry for the new key: %s", data);
	ck_assert_ptr_null(strstr(data, "zlib"));
	free(data);
	ck_assert_int_eq(gr_cache_get(&env, "dpkg-owner", k1.p, &data, &len), GR_OK);
	ck_assert_ptr_nonnull(strstr(data, "p\tzlib1g-dev\n"));
	ck_assert_ptr_null(strstr(data, "newtool"));
	free(data);
	/* a later run answers from the entry */
	gr_cmd_pcrw_owners(&env, p2, 1, pk);
	ck_assert_ptr_nonnull(pk[0]);
	ck_assert_str_eq(pk[0], "newtool");
	free(pk[0]);
	gr_cmd_pcrw_owners_end();
	unsetenv("DPKG_ADMINDIR");
	free(k1.p);
	free(k2.p);
}
END_TEST

/* Write len bytes of text to dir/name (may hold NUL bytes). */
static void
put_bytes(const char *dir, const char *name, const char *text, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* An indexed database whose lookup needs the whole database, which then
 * fails to load (review finding 7): the answer is NULL, and gr_dpkg_error
 * says it may be missing (before, nothing told it from "no owner", and the
 * owner cache kept it). */
START_TEST(test_index_full_load_fails)
{
	struct gr_error err;
	struct gr_dpkg *db;
	bool ix;
	char info[128];

	make_db();
	snprintf(info, sizeof(info), "%s/info", tmp);
	settle();
	db = open_cached(&ix);  /* writes the index */
	gr_dpkg_free(db);
	db = open_cached(&ix);
	ck_assert(ix);
	ck_assert_int_eq(gr_dpkg_error(db, NULL), GR_OK);
	/* the package's list now holds a NUL byte: neither it nor the whole database can be read */
	put_bytes(info, "zlib1g-dev:i386.list", "/usr\n/usr/lib/i386-linux-gnu/libz.a\n\0", 37);
	ck_assert_ptr_null(gr_dpkg_owner(db, "/usr/lib/i386-linux-gnu/libz.a"));
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(gr_dpkg_error(db, &err), GR_EFORMAT);
	ck_assert_msg(strstr(err.msg, "zlib1g-dev:i386.list") != NULL, "error: %s", err.msg);
	owner_is(db, "/usr/include/zlib.h", "zlib1g-dev:amd64", "1:1.2.13.dfsg-1");  /* the index still answers */
	gr_dpkg_free(db);
}
END_TEST

/* A database whose index is over the cache's entry limit (review finding 5):
 * no index is built or written (before, over 4 MiB was written every run and
 * never read back), and the answers are the same. */
START_TEST(test_index_too_large)
{
	char info[128];
	struct gr_dpkg *db;
	bool ix;
	size_t i, n = 360000, off = 0;
	char *text = malloc(n * 12 + 1);

	ck_assert_ptr_nonnull(text);
	make_db();
	snprintf(info, sizeof(info), "%s/info", tmp);
	for (i = 0; i < n; i++)
		off += (size_t)sprintf(text + off, "/b/%07zu\n", i);
	put_bytes(info, "big.list", text, off);
	free(text);
	settle();
	db = open_cached(&ix);
	ck_assert(!ix);
	owner_is(db, "/b/0359999", "big", "");
	gr_dpkg_free(db);
	ck_assert_int_eq(cache_entries("dpkg-index"), 0);
	db = open_cached(&ix);
	ck_assert(!ix);
	owners_ok(db);
	gr_dpkg_free(db);
	ck_assert_int_eq(cache_entries("dpkg-index"), 0);
}
END_TEST

/* The index's hash (gr_hash): its value for a path is part of what an index in
 * the cache directory holds, so it must not change between builds. */
START_TEST(test_index_hash_stable)
{
	ck_assert_uint_eq(gr_hash_str(""), GR_HASH_INIT);
	ck_assert_uint_eq(gr_hash_str("/usr/lib/x86_64-linux-gnu/libz.a"), 0x4bf7723424f583a7ULL);
	ck_assert_uint_eq(gr_hash_str("ab"), gr_hash_bytes(gr_hash_bytes(GR_HASH_INIT, "a", 1), "b", 1));
}
END_TEST

int
main(void)
{
	const TTest *const tests[] = { test_index_hash_stable, test_owner, test_missing, test_system, test_oracle_dpkg_search,
	                               test_key_and_admindir, test_index, test_index_in_place, test_index_system,
	                               test_owner_cache_key_change, test_index_full_load_fails,
	                               test_index_too_large };

	return gr_test_run(gr_test_suite("dpkg", "dpkg", tests, sizeof(tests) / sizeof(tests[0]), 60), false);
}
