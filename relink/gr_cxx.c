#include "gr_cxx.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gr_goflags.h"
#include "gr_path.h"
#include "gr_strvec.h"
#include "gr_tccache.h"
#include "gr_toolchain.h"

void
gr_cxx_choice_deinit(struct gr_cxx_choice *ch)
{
	free(ch->cxx);
	free(ch->cc_target);
	free(ch->cxx_target);
	free(ch->why);
	memset(ch, 0, sizeof(*ch));
}

/* A compiler's target: words split from cmd, the first on env's PATH.
 * *where: "" when it ran, else why not (for messages); *target malloc'd or NULL. */
static int
gr_cxx_probe(const struct gr_env *env, const char *cmd, char **target, char *where, size_t n)
{
	struct gr_strvec w;
	struct gr_error e;
	char *path;
	bool hit;
	int rc;

	*target = NULL;
	where[0] = '\0';
	gr_strvec_init(&w);
	if ((rc = gr_goflags_split(cmd, &w, &e)) != GR_OK) {
		snprintf(where, n, "%.900s", e.msg);
		gr_strvec_deinit(&w);
		return rc == GR_ENOMEM ? rc : GR_OK;
	}
	if (!w.n) {
		snprintf(where, n, "it is empty");
		gr_strvec_deinit(&w);
		return GR_OK;
	}
	errno = 0;
	if (!(path = gr_path_which(w.v[0], env->path))) {
		rc = errno == ENOMEM ? GR_ENOMEM : GR_OK;
		snprintf(where, n, "%s is not installed (not found on PATH)", w.v[0]);
		gr_strvec_deinit(&w);
		return rc;
	}
	free(path);
	rc = gr_tccache_dumpmachine(env, gr_strvec_argv(&w), target, &hit, &e);
	if (rc != GR_OK) {
		snprintf(where, n, "%.900s", e.msg);
		rc = rc == GR_ENOMEM ? rc : GR_OK;
	}
	gr_strvec_deinit(&w);
	return rc;
}

/* The C++ driver named after CC, as one string (malloc'd), or NULL (errno ENOMEM or 0). */
static char *
gr_cxx_named_after(const char *cc)
{
	struct gr_strvec w, x;
	struct gr_error e;
	char *s = NULL;
	int rc;

	errno = 0;
	gr_strvec_init(&w);
	gr_strvec_init(&x);
	if ((rc = gr_goflags_split(cc, &w, &e)) == GR_OK && (rc = gr_toolchain_cxx_words(w.v, w.n, &x)) == GR_OK &&
	    !(s = gr_goflags_join(&x)))
		rc = GR_ENOMEM;
	gr_strvec_deinit(&w);
	gr_strvec_deinit(&x);
	errno = rc == GR_ENOMEM ? ENOMEM : 0;
	return s;
}

/* The way out, in buf: the named driver when it fits, else how to get one. */
static void
gr_cxx_hint(const char *named, bool named_fits, const char *cc_target, char *buf, size_t n)
{
	char pkg[128];
	size_t i;

	if (named && named_fits) {
		snprintf(buf, n, "CXX=%s (or unset CXX: gorelink then uses it)", named);
		return;
	}
	/* Debian's cross g++ package: g++-TRIPLET, '_' spelled '-' (g++-x86-64-linux-gnu),
	 * without a vendor field (clang's and zig's aarch64-unknown-linux-gnu). */
	{
		const char *d1 = strchr(cc_target, '-'), *d2 = d1 ? strchr(d1 + 1, '-') : NULL;
		if (d2 && strchr(d2 + 1, '-'))
			snprintf(pkg, sizeof(pkg), "g++-%.*s%s", (int)(d1 - cc_target), cc_target, d2);
		else
			snprintf(pkg, sizeof(pkg), "g++-%s", cc_target);
	}
	for (i = 0; pkg[i]; i++)
		if (pkg[i] == '_')
			pkg[i] = '-';
	if (named)
		snprintf(buf, n, "install a C++ compiler for %s (on Debian: apt-get install %s), then CXX=%s", cc_target,
		         pkg, named);
	else
		snprintf(buf, n, "install a C++ compiler for %s (on Debian: apt-get install %s) and set CXX to it",
		         cc_target, pkg);
}

int
gr_cxx_choose(const struct gr_env *env, const char *cc, const char *cxx, bool user_set,
              struct gr_cxx_choice *ch, struct gr_error *err)
{
	char why_cc[1024], why_cxx[1024], why_named[1024], hint[1024];
	char *named = NULL, *named_target = NULL;
	bool named_fits = false;
	int rc;

	memset(ch, 0, sizeof(*ch));
	gr_error_clear(err);
	if ((rc = gr_cxx_probe(env, cc, &ch->cc_target, why_cc, sizeof(why_cc))) != GR_OK)
		goto nomem;
	if (!ch->cc_target) {
		/* CC cannot tell its target: nothing to compare with, CXX stays. */
		if (!(ch->cxx = strdup(cxx)))
			goto nomem;
		return GR_OK;
	}
	if (*cxx) {
		if ((rc = gr_cxx_probe(env, cxx, &ch->cxx_target, why_cxx, sizeof(why_cxx))) != GR_OK)
			goto nomem;
		if (ch->cxx_target && gr_toolchain_same_target(ch->cc_target, ch->cxx_target)) {
			if (!(ch->cxx = strdup(cxx)))
				goto nomem;
			return GR_OK;
		}
	} else {
		snprintf(why_cxx, sizeof(why_cxx), "it is empty");
	}
	/* go env CXX does not build for CC's target: the driver named after CC. */
	if (!(named = gr_cxx_named_after(cc)) && errno == ENOMEM)
		goto nomem;
	if (named) {
		if ((rc = gr_cxx_probe(env, named, &named_target, why_named, sizeof(why_named))) != GR_OK)
			goto nomem;
		named_fits = named_target && gr_toolchain_same_target(ch->cc_target, named_target);
		if (named_target && !named_fits)
			snprintf(why_named, sizeof(why_named), "%s targets %s", named, named_target);
	} else {
		snprintf(why_named, sizeof(why_named), "no C++ driver is named after CC");
	}
	gr_cxx_hint(named, named_fits, ch->cc_target, hint, sizeof(hint));
	if (user_set) {
		if (ch->cxx_target)
			rc = gr_error_set(err, GR_EUSAGE, 0,
			                  "CXX=%s targets %s, but CC=%s targets %s: set CXX for the target: %s",
			                  cxx, ch->cxx_target, cc, ch->cc_target, hint);
		else
			rc = gr_error_set(err, GR_EUSAGE, 0,
			                  "CXX=%s cannot build for CC=%s's target %s: %s; set CXX for the target: %s",
			                  cxx, cc, ch->cc_target, why_cxx, hint);
		free(named);
		free(named_target);
		gr_cxx_choice_deinit(ch);  /* an error leaves nothing to free */
		return rc;
	}
	if (named_fits) {
		ch->cxx = named;
		ch->derived = true;
		free(ch->cxx_target);
		ch->cxx_target = named_target;
		return GR_OK;
	}
	{
		char buf[4096];
		if (ch->cxx_target)
			snprintf(buf, sizeof(buf), "go env CXX (%s) targets %s, not CC=%s's %s, and %s; set CXX for the target: %s",
			         cxx, ch->cxx_target, cc, ch->cc_target, why_named, hint);
		else
			snprintf(buf, sizeof(buf), "go env CXX (%s) cannot build for CC=%s's %s (%s), and %s; set CXX for the target: %s",
			         cxx, cc, ch->cc_target, why_cxx, why_named, hint);
		free(named);
		free(named_target);
		named = named_target = NULL;
		if (!(ch->why = strdup(buf)))
			goto nomem;
	}
	return GR_OK;
nomem:
	free(named);
	free(named_target);
	gr_cxx_choice_deinit(ch);
	return gr_error_set(err, GR_ENOMEM, ENOMEM, "CXX for the target: out of memory");
}

const char *
gr_cxx_known_limit(const char *output)
{
	if (!output)
		return NULL;
	if (strstr(output, "relocation truncated to fit") && strstr(output, "R_AARCH64_LD64_GOTPAGE_LO15"))
		return "the link overflowed the aarch64 small GOT (relocation truncated to fit: "
		       "R_AARCH64_LD64_GOTPAGE_LO15): objects compiled for the small GOT model (-fpic; glibc's "
		       "libc.a has such objects) reach the GOT through a 15-bit offset, so the whole link's GOT must "
		       "fit in 32 KiB (4096 entries), and very large static links outgrow it. This is a limit of the "
		       "aarch64 toolchain, not of the link flags. Ways out: --third-party (glibc stays dynamic, "
		       "libc.a leaves the link), fewer GOT entries (build the C and C++ code with -fno-pie through "
		       "CGO_CFLAGS and CGO_CXXFLAGS), or fewer C libraries in the binary";
	if (strstr(output, "file in wrong format") || strstr(output, "Relocations in generic ELF"))
		return "an input of the link was built for another machine (\"file in wrong format\"): in a "
		       "cross build, every object and archive must be built for the target and the link must run "
		       "the target's compiler (CC, and CXX for C++: set CXX for the target)";
	return NULL;
}
