/* gr_env: the environment the library decides on, read once by the command line. */
#ifndef GR_ENV_H
#define GR_ENV_H

#include <stddef.h>

/* Each field is the variable's value, or NULL when it is not set. Library code
 * reads these, never the process environment; the programs it runs still
 * inherit the process environment (gr_spawn passes environ). The strings are
 * not owned: they live as long as what gr_env_from_environ read. */
struct gr_env {
	const char *path;                  /* PATH: where commands are found (unset: /usr/bin:/bin) */
	const char *tmpdir;                /* TMPDIR: where a build's private directory goes */
	const char *cache_dir;             /* GORELINK_CACHE_DIR (set but empty: no cache) */
	const char *xdg_cache_home;        /* XDG_CACHE_HOME */
	const char *home;                  /* HOME */
	const char *pkg_config_allow_system_libs; /* PKG_CONFIG_ALLOW_SYSTEM_LIBS */
	const char *pkg_config_sysroot_dir;       /* PKG_CONFIG_SYSROOT_DIR */
	const char *goflags;               /* GOFLAGS */
	const char *cc;                    /* CC (in the environment; go env -w is not seen here) */
	const char *cxx;                   /* CXX (likewise): whether the user chose a cross build's C++ driver */
	const char *cgo_enabled;           /* CGO_ENABLED */
	const char *preset_path;           /* GORELINK_PRESET_PATH: preset directories, ':'-separated */
	const char *library_path;          /* LIBRARY_PATH    } read by the compiler driver: */
	const char *compiler_path;         /* COMPILER_PATH   } part of the toolchain */
	const char *gcc_exec_prefix;       /* GCC_EXEC_PREFIX } cache key */
	const char *ld_run_path;           /* LD_RUN_PATH     } */
	const char *sysroot;               /* SYSROOT         } */
	const char *no_order_plan;         /* GORELINK_NO_ORDER_PLAN: set, not empty: no link-order plan (gr_linkwrap) */
	const char *linker_matrix;         /* GORELINK_LINKER_MATRIX: a directory: the final link again with each linker (gr_linkwrap) */
	const char *debug_compression;     /* GORELINK_DEBUG_COMPRESSION: "linker": the linker compresses the debug sections (gr_linkwrap) */
	const char *no_input_script;       /* GORELINK_NO_INPUT_SCRIPT: set, not empty: mold gets every object on its command line (gr_linkwrap) */
	const char *xdg_config_home;       /* XDG_CONFIG_HOME } where clang looks for configuration files: */
	const char *clang_no_default_config; /* CLANG_NO_DEFAULT_CONFIG } gr_toolchain_config_state */
	char self[4096];                   /* the running executable's path, or "" when unknown */
};

/* Fill e from envp ("NAME=value" strings, NULL-terminated: the CLI passes
 * environ) and self from /proc/self/exe. Only the command line calls this. */
void gr_env_from_environ(struct gr_env *e, char *const *envp);

/* The value e holds for the variable called name (e.g. "CC"), or NULL when it
 * is unset or not one gr_env holds. */
const char *gr_env_get(const struct gr_env *e, const char *name);

/* The name of the i-th variable gr_env holds (in field order), or NULL past the last. */
const char *gr_env_name(size_t i);

/* The directory the running executable is in (malloc'd), or NULL when e->self is unknown. */
char *gr_env_self_dir(const struct gr_env *e);

#endif
