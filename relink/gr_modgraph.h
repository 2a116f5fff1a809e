/* gr_modgraph: the Go modules a build uses, read from the go command's
 * answers, and the module a C object of the build was compiled from. */
#ifndef GR_MODGRAPH_H
#define GR_MODGRAPH_H

#include <stdbool.h>
#include <stddef.h>

#include "gr_env.h"
#include "gr_error.h"
#include "gr_spawn.h"
#include "gr_strvec.h"

/* The go list template of the module list: one "PATH\tVERSION\tDIR" line a module. */
#define GR_MODGRAPH_MODULES_FORMAT "{{.Path}}\t{{.Version}}\t{{.Dir}}"
/* The go list -deps template: the module path of each package (empty for the standard library). */
#define GR_MODGRAPH_DEPS_FORMAT "{{with .Module}}{{.Path}}{{end}}"

/* Read `go list -m -f GR_MODGRAPH_MODULES_FORMAT all` output: paths, versions
 * and dirs gain one entry per module (a module not downloaded has dir ""). */
int gr_modgraph_parse_modules(const char *text, struct gr_strvec *paths, struct gr_strvec *versions,
                              struct gr_strvec *dirs, struct gr_error *err);

/* Read `go list -deps -f GR_MODGRAPH_DEPS_FORMAT` output, or the "dep" and
 * "mod" lines of `go version -m`: each module path once, into mods. */
int gr_modgraph_parse_deps(const char *text, struct gr_strvec *mods, struct gr_error *err);

/* Whether mods holds path. */
bool gr_modgraph_has(const struct gr_strvec *mods, const char *path);

/* The C source file the object at path was compiled from, as its symbol
 * table names it (the first STT_FILE symbol, e.g. "sqlite3-binding.c"): a
 * malloc'd string, or NULL when the object says nothing. */
char *gr_modgraph_object_source(const char *path);

/* Which module of mods (the link state's triples: path, dir, remedy) holds
 * the source file file: by its directory, or, for a -trimpath build, by a
 * "PATH@VERSION/" or "PATH/" prefix; a bare file name by the one module
 * directory that holds a file of that name (at most 3 levels down). The triple's
 * index (a multiple of 3) and *rel, the file's name inside the module; or -1. */
long gr_modgraph_match(const struct gr_strvec *mods, const char *file, const char **rel);

/* The file names of module directories, each directory walked once for the
 * bare names gr_modgraph_match_in looks up (one link's objects: the module
 * trees do not change meanwhile). */
struct gr_mg_dir;
struct gr_modgraph_names {
	struct gr_mg_dir *v;
	size_t n;
};

/* An empty set of walked directories. */
void gr_modgraph_names_init(struct gr_modgraph_names *n);

/* Free the walks (n is empty again). */
void gr_modgraph_names_deinit(struct gr_modgraph_names *n);

/* gr_modgraph_match, a bare name looked up in names' walks (each module
 * directory walked at its first lookup; the same answers as the walk per
 * lookup gr_modgraph_match makes); names NULL: gr_modgraph_match. */
long gr_modgraph_match_in(const struct gr_strvec *mods, const char *file, const char **rel,
                          struct gr_modgraph_names *names);

/* The version of the module-graph cache entries (cache kind "modgraph"); a
 * change of what a key holds or an entry means must change this number. */
#define GR_MODGRAPH_CACHE_VERSION 1

/* The cache key of the go list command argv (argv[0] the go command, found
 * with env's PATH; the other words as given), run with envp in the current
 * directory: the go program's path and file identity, the words, the
 * directory, envp's GO* variables but GORELINK_* (and CGO_ENABLED, HOME,
 * XDG_CONFIG_HOME), the go env file's content, the main module's go.mod,
 * go.sum and vendor/modules.txt (content), the go.mod of each local replace
 * directory, and for a -deps query every .go file of the main module's tree
 * and of those directories (path, inode, size, mtime, ctime; a key whose
 * stamped files changed in the last 2 seconds ends in a "racy" line and is
 * never stored, as a change within a clock tick keeps a stamp). NULL (do not
 * cache) when there is no main module (GOPATH mode, GO111MODULE=off), a
 * go.work is in use, -modfile is given anywhere or -C among the words, or
 * out of memory; malloc'd. */
char *gr_modgraph_cache_key(const struct gr_env *env, const char *const *argv, char *const *envp);

/* The answer stored for key: true and r filled as a successful run of the
 * command (exited, code 0, out; err ""), or false (absent, stale: a module
 * directory it names is gone). */
bool gr_modgraph_cache_get(const struct gr_env *env, const char *key, struct gr_spawn_result *r);

/* Store r's output for key when r is a successful run whose module
 * directories all exist (a failure costs the next run a go list, no more). */
void gr_modgraph_cache_put(const struct gr_env *env, const char *key, const struct gr_spawn_result *r);

#endif
