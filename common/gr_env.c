#include "gr_env.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The variables gr_env holds, in field order, and where. */
static const struct {
	const char *name;
	size_t off;
} gr_env_vars[] = {
	{ "PATH", offsetof(struct gr_env, path) },
	{ "TMPDIR", offsetof(struct gr_env, tmpdir) },
	{ "GORELINK_CACHE_DIR", offsetof(struct gr_env, cache_dir) },
	{ "XDG_CACHE_HOME", offsetof(struct gr_env, xdg_cache_home) },
	{ "HOME", offsetof(struct gr_env, home) },
	{ "PKG_CONFIG_ALLOW_SYSTEM_LIBS", offsetof(struct gr_env, pkg_config_allow_system_libs) },
	{ "PKG_CONFIG_SYSROOT_DIR", offsetof(struct gr_env, pkg_config_sysroot_dir) },
	{ "GOFLAGS", offsetof(struct gr_env, goflags) },
	{ "CC", offsetof(struct gr_env, cc) },
	{ "CXX", offsetof(struct gr_env, cxx) },
	{ "CGO_ENABLED", offsetof(struct gr_env, cgo_enabled) },
	{ "GORELINK_PRESET_PATH", offsetof(struct gr_env, preset_path) },
	{ "LIBRARY_PATH", offsetof(struct gr_env, library_path) },
	{ "COMPILER_PATH", offsetof(struct gr_env, compiler_path) },
	{ "GCC_EXEC_PREFIX", offsetof(struct gr_env, gcc_exec_prefix) },
	{ "LD_RUN_PATH", offsetof(struct gr_env, ld_run_path) },
	{ "SYSROOT", offsetof(struct gr_env, sysroot) },
	{ "GORELINK_NO_ORDER_PLAN", offsetof(struct gr_env, no_order_plan) },
	{ "GORELINK_NO_INPUT_SCRIPT", offsetof(struct gr_env, no_input_script) },
	{ "GORELINK_LINKER_MATRIX", offsetof(struct gr_env, linker_matrix) },
	{ "GORELINK_DEBUG_COMPRESSION", offsetof(struct gr_env, debug_compression) },
	{ "XDG_CONFIG_HOME", offsetof(struct gr_env, xdg_config_home) },
	{ "CLANG_NO_DEFAULT_CONFIG", offsetof(struct gr_env, clang_no_default_config) },
};
#define GR_ENV_NVARS (sizeof(gr_env_vars) / sizeof(gr_env_vars[0]))

static const char **
gr_env_field(struct gr_env *e, size_t i)
{
	return (const char **)(void *)((char *)e + gr_env_vars[i].off);
}

void
gr_env_from_environ(struct gr_env *e, char *const *envp)
{
	ssize_t n;
	size_t i;

	memset(e, 0, sizeof(*e));
	/* getenv's answer: the first NAME= entry counts. */
	for (; envp && *envp; envp++) {
		const char *eq = strchr(*envp, '=');
		if (!eq)
			continue;
		for (i = 0; i < GR_ENV_NVARS; i++) {
			const char **f = gr_env_field(e, i);
			size_t l = strlen(gr_env_vars[i].name);
			if (!*f && (size_t)(eq - *envp) == l && !strncmp(*envp, gr_env_vars[i].name, l))
				*f = eq + 1;
		}
	}
	n = readlink("/proc/self/exe", e->self, sizeof(e->self) - 1);
	e->self[n > 0 ? n : 0] = '\0';
}

const char *
gr_env_get(const struct gr_env *e, const char *name)
{
	size_t i;

	for (i = 0; i < GR_ENV_NVARS; i++)
		if (!strcmp(name, gr_env_vars[i].name))
			return *(const char *const *)(const void *)((const char *)e + gr_env_vars[i].off);
	return NULL;
}

const char *
gr_env_name(size_t i)
{
	return i < GR_ENV_NVARS ? gr_env_vars[i].name : NULL;
}

char *
gr_env_self_dir(const struct gr_env *e)
{
	const char *slash = strrchr(e->self, '/');
	char *d;

	if (!slash)
		return NULL;
	if (slash == e->self)
		return strdup("/");
	if ((d = malloc((size_t)(slash - e->self) + 1)) != NULL) {
		memcpy(d, e->self, (size_t)(slash - e->self));
		d[slash - e->self] = '\0';
	}
	return d;
}
