/* gr_cmd_pcrw: the pkgconf-rewrite command (also `gorelink pkgconf-rewrite`). */
#ifndef GR_CMD_PCRW_H
#define GR_CMD_PCRW_H

#include <stdbool.h>
#include <stdio.h>

#include "gr_json.h"
#include "gr_rewrite.h"

/* Run pkgconf-rewrite with argv (argv[0] is the command name); in is read for "-". */
int gr_cmd_pcrw(int argc, char **argv, FILE *in, FILE *out, FILE *err);

/* Explain on err why each library of r without an archive has none (each name once):
 * who wanted it, where ld looked, what to do (the options spelled for gorelink's build
 * when build, else for pkgconf-rewrite). */
void gr_cmd_pcrw_explain_missing(FILE *err, const struct gr_rw_result *r, enum gr_rw_mode mode,
                                 const struct gr_rw_opts *o, bool build);

/* One "inferred" object (gorelink build-v1 and pkgconf-rewrite-v1 share it): lname,
 * package, rule, why, alternatives, added, via. */
void gr_cmd_pcrw_json_inferred(struct gr_json *j, const char *lname, const char *package, const char *rule,
                               const char *why, const char *via, const char *const *alts, size_t nalts,
                               const char *const *added, size_t nadded);

/* One inference in words on err, one line: "PROG: -lNAME: inferred package P (why)...". */
void gr_cmd_pcrw_note_inferred(FILE *err, const char *prog, const char *lname, const char *package, const char *why,
                               const char *via, const char *const *alts, size_t nalts, const char *const *added,
                               size_t nadded);

struct gr_env;

/* The installed package owning each of paths[0..n) (NULL entries skipped) into
 * pkgs (malloc'd names, NULL: none), through the run's owner cache (for tests). */
void gr_cmd_pcrw_owners(const struct gr_env *env, char **paths, size_t n, char **pkgs);

/* End the run's owner lookups: write the cache entry, free the database (for tests). */
void gr_cmd_pcrw_owners_end(void);

/* Print the usage text of pkgconf-rewrite to f. */
void gr_cmd_pcrw_usage(FILE *f);

#endif
