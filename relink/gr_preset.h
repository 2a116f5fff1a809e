/* gr_preset: build recipes for popular cgo modules, read from data files. */
#ifndef GR_PRESET_H
#define GR_PRESET_H

#include <stdbool.h>

#include "gr_env.h"
#include "gr_error.h"
#include "gr_records.h"
#include "gr_strvec.h"

struct gr_preset {
	char *name;               /* "sqlite3" */
	char *variant;            /* the variant chosen, e.g. "bundled" */
	char *module;             /* the Go module it is for, or NULL */
	char *path;               /* the file it came from */
	struct gr_strvec tags;    /* build tags to add */
	struct gr_strvec pkgs;    /* pkg-config packages to link statically (like --pkg) */
	struct gr_strvec allow;   /* libraries allowed to stay dynamic (like --allow-dynamic) */
	struct gr_strvec stubs;   /* libraries without an archive to stub (like --stub NAME) */
	struct gr_strvec libs;    /* flags appended to the final link (like --lib) */
	char *mode;               /* the link mode the variant builds in ("static", "static-pie",
	                           * "third-party"), or NULL: the command line's */
	char *cc;                 /* the C compiler command (CC) the variant builds with, or NULL */
	char *needs;              /* the variant's `needs` text (its `needs` lines joined), or NULL */
	char *deflt;              /* the file's default variant, or NULL */
	struct gr_strvec variants; /* every variant the file has, in file order, each once */
};

/* The directories searched for NAME.preset, in order: env's GORELINK_PRESET_PATH
 * (colon-separated), then relative to the directory of the running executable
 * (env->self): ../share/gorelink/presets (installed), share/gorelink/presets
 * (the build tree). */
int gr_preset_dirs(const struct gr_env *env, struct gr_strvec *dirs, struct gr_error *err);

/* Load NAME.preset from the first of env's preset directories that has it and
 * select variant (NULL: the file's default). */
int gr_preset_load(const struct gr_env *env, const char *name, const char *variant,
                   struct gr_preset *p, struct gr_error *err);

/* What NAME.preset says about itself, without choosing a variant: name, path,
 * module, deflt and variants (tags, pkgs, allow and needs stay empty). */
int gr_preset_describe(const struct gr_env *env, const char *name, struct gr_preset *p, struct gr_error *err);

/* The names of every NAME.preset in the preset directories, each once, sorted. */
int gr_preset_names(const struct gr_env *env, struct gr_strvec *names, struct gr_error *err);

/* The presets that name a module (their `module` line), from every preset
 * directory (the first file of a name wins, as for gr_preset_load): names[i]
 * is the preset for modules[i], sorted by name. A file that does not load
 * (malformed, unreadable) is left out. */
int gr_preset_modules(const struct gr_env *env, struct gr_strvec *names, struct gr_strvec *modules,
                      struct gr_error *err);

/* The preset's command-line option: "--sqlite3" for sqlite3, else "--preset NAME" (into buf). */
const char *gr_preset_option(const char *name, char *buf, size_t n);

/* The link mode a mode name of a preset ("static", "static-pie",
 * "third-party") stands for: GR_OK, or GR_EFORMAT for any other name. */
int gr_preset_mode_parse(const char *name, enum gr_link_mode *m);

/* Whether the build's mode and C compiler (go env CC, its first word
 * compared, as given or by its file name) agree with the variant's `mode`
 * and `cc` lines: GR_OK, or GR_EUSAGE with a message naming both (named:
 * the preset was given on the command line, else it applied itself). */
int gr_preset_conflict(const struct gr_preset *p, enum gr_link_mode mode, const char *cc, bool named,
                       struct gr_error *err);

/* Free a loaded preset. */
void gr_preset_deinit(struct gr_preset *p);

#endif
