#include "gr_check.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdint.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_elf.h"
#include "gr_elfver.h"
#include "gr_goinfo.h"
#include "gr_macho.h"

const char *
gr_verdict_name(enum gr_verdict v)
{
	switch (v) {
	case GR_V_STATIC: return "static";
	case GR_V_STATIC_PIE: return "static-pie";
	case GR_V_DYNAMIC: return "dynamic";
	case GR_V_SYSTEM_ONLY: return "system-only";
	case GR_V_OBJECT: return "object";
	case GR_V_SHARED_LIBRARY: return "shared-library";
	case GR_V_ARCHIVE: return "archive";
	case GR_V_CORE: return "core";
	case GR_V_DEBUG_INFO: return "debug-info";
	case GR_V_OTHER: return "other";
	}
	return "other";
}

const char *
gr_format_name(enum gr_format f)
{
	switch (f) {
	case GR_FMT_ELF: return "elf";
	case GR_FMT_MACHO: return "macho";
	case GR_FMT_MACHO_FAT: return "macho-fat";
	case GR_FMT_ARCHIVE: return "archive";
	}
	return "unknown";
}

const char *
gr_origin_name(enum gr_origin o)
{
	switch (o) {
	case GR_ORIGIN_NONE: return NULL;
	case GR_ORIGIN_SYSTEM: return "system";
	case GR_ORIGIN_HOMEBREW: return "homebrew";
	case GR_ORIGIN_USR_LOCAL: return "usr-local";
	case GR_ORIGIN_MACPORTS: return "macports";
	case GR_ORIGIN_RPATH: return "rpath";
	case GR_ORIGIN_LOADER_PATH: return "loader-path";
	case GR_ORIGIN_EXECUTABLE_PATH: return "executable-path";
	case GR_ORIGIN_OTHER: return "other";
	}
	return NULL;
}

/* glibc's own libraries, by soname prefix up to ".so". */
static const char *const gr_libc_family[] = {
	"libc", "libm", "libpthread", "libdl", "librt", "libresolv", "libutil",
	"libanl", "libcrypt", "libnsl", "libmvec", "libBrokenLocale", "libthread_db",
	"libnss_files", "libnss_dns", "libgcc_s", "ld-linux", "ld-linux-x86-64",
	"ld-linux-aarch64", "ld-linux-armhf", "ld64", "ld",
};

bool
gr_is_libc_family(const char *soname)
{
	const char *dot = strstr(soname, ".so");
	size_t i, n;

	if (!dot)
		return false;
	n = (size_t)(dot - soname);
	for (i = 0; i < sizeof(gr_libc_family) / sizeof(gr_libc_family[0]); i++)
		if (strlen(gr_libc_family[i]) == n && strncmp(soname, gr_libc_family[i], n) == 0)
			return true;
	return false;
}

static const char *
gr_basename(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static bool
gr_allowed(const struct gr_policy *pol, const char *name)
{
	size_t i;

	if (!pol)
		return false;
	for (i = 0; i < pol->nallow; i++)
		if (fnmatch(pol->allow[i], name, 0) == 0)
			return true;
	return false;
}

/* Accumulates problems for one image. */
struct gr_problems {
	struct gr_arena *a;
	struct gr_image *img;
	size_t cap;
	bool nomem;
};

static void
gr_problem_add(struct gr_problems *p, const char *code, const char *message, const char *remedy)
{
	struct gr_image *img = p->img;
	void *grown = img->problems;

	if (!message || p->nomem ||
	    !gr_arena_grow(p->a, &grown, img->nproblems, &p->cap, sizeof(*img->problems))) {
		p->nomem = true;
		return;
	}
	img->problems = grown;
	img->problems[img->nproblems].code = code;
	img->problems[img->nproblems].message = message;
	img->problems[img->nproblems].remedy = remedy;
	img->problems[img->nproblems].finding = false;
	img->nproblems++;
}

/* A problem whose remedy was computed: NULL there means out of memory. */
static void
gr_problem_add_fix(struct gr_problems *p, const char *code, const char *message, const char *remedy)
{
	if (!remedy)
		p->nomem = true;
	gr_problem_add(p, code, message, remedy);
}

/* The -l name a library file most likely came from:
 * "libsqlite3.so.0" -> "sqlite3", "/opt/homebrew/lib/libfoo.1.dylib" -> "foo". */
static const char *
gr_lname(struct gr_arena *a, const char *soname)
{
	const char *s = gr_basename(soname), *end;
	size_t n;

	if (strncmp(s, "lib", 3) == 0)
		s += 3;
	if ((end = strstr(s, ".so")) != NULL) {
		n = (size_t)(end - s);
	} else if ((end = strstr(s, ".dylib")) != NULL) {
		const char *dot;
		n = (size_t)(end - s);
		/* Drop one version component: libfoo.1.dylib is linked as -lfoo. */
		for (dot = end; dot > s && dot[-1] >= '0' && dot[-1] <= '9'; dot--)
			;
		if (dot < end && dot > s + 1 && dot[-1] == '.')
			n = (size_t)(dot - 1 - s);
	} else {
		end = strchr(s, '.');
		n = end ? (size_t)(end - s) : strlen(s);
	}
	return gr_arena_strndup(a, s, n);
}

/* A dynamic ELF executable that carries glibc's static libc.a as well. */
static void
gr_elf_static_mix(struct gr_problems *p)
{
	struct gr_image *img = p->img;
	struct gr_arena *a = p->a;
	const char *marks = "", *libc = NULL;
	size_t i;

	for (i = 0; i < img->nglibc_static && marks; i++)
		marks = gr_arena_printf(a, "%s%s%s", marks, i ? ", " : "", img->glibc_static[i]);
	for (i = 0; i < img->nneeded; i++)
		if (!strncmp(img->needed[i].name, "libc.so", 7))
			libc = img->needed[i].name;
	if (!marks) {
		p->nomem = true;
		return;
	}
	gr_problem_add(p, "glibc-static-in-dynamic",
	    gr_arena_printf(a, "glibc's static C library (libc.a) is linked into a dynamic executable: it carries %s, "
	                    "which only libc.a brings (its static start-up and internals; a dynamic binary uses libc.so.6's), "
	                    "while the dynamic loader %s starts it%s%s%s; "
	                    "two C libraries then set up one process, and it crashes at start (a segmentation fault) "
	                    "or soon after; --allow cannot accept this",
	                    marks, img->interp, libc ? " with " : "", libc ? libc : "",
	                    libc ? " also loaded" : " and loads glibc's libc.so.6 for its libraries"),
	    "an archive of glibc's (libc.a, libm-2.36.a, libpthread.a, librt.a, libdl.a...) was added to a dynamic "
	    "link, typically by naming it in LDFLAGS or a .pc file (gorelink --third-party --fix once added "
	    "libm-2.36.a and libc.a); link glibc's libraries as shared ones (-lm, -lpthread, -lc, never their .a) "
	    "when the binary is dynamic, or link the whole program -static (gorelink --static), never half of each");
}

/* Whether soname is the shared object of library lname ("libgcc_s.so.1", "libgcc_s"). */
static bool
gr_soname_is(const char *soname, const char *lname)
{
	size_t n = strlen(lname);

	return !strncmp(soname, lname, n) && !strncmp(soname + n, ".so", 3);
}

/* An ELF executable without PT_INTERP that names libraries to load. */
static void
gr_elf_needed_without_interp(struct gr_problems *p)
{
	struct gr_image *img = p->img;
	struct gr_arena *a = p->a;
	size_t i;

	for (i = 0; i < img->nneeded; i++) {
		const char *n = img->needed[i].name, *why, *fix, *l;
		if (gr_soname_is(n, "libgcc_s")) {
			why = "libgcc_s's shared object (unwinding, C++ exceptions, pthread_cancel) was asked for in a static link "
			      "(-shared-libgcc, -lgcc_s, or -Wl,-Bdynamic before it)";
			fix = "link libgcc statically: -static-libgcc (or plain -static) and no -lgcc_s or -shared-libgcc, "
			      "so that libgcc_eh.a provides the unwinder";
		} else if (gr_soname_is(n, "libstdc++")) {
			why = "libstdc++'s shared object was asked for in a static link (-Wl,-Bdynamic -lstdc++, or "
			      "libstdc++.so named by path)";
			fix = "link libstdc++ statically: -static-libstdc++ (or plain -static with g++), or libstdc++.a by its path "
			      "(g++ -print-file-name=libstdc++.a), and no -Wl,-Bdynamic before -lstdc++";
		} else {
			why = "a shared library was linked into an executable that has no dynamic loader "
			      "(-Wl,-Bdynamic in a -static link, or --no-dynamic-linker)";
			fix = NULL;
		}
		gr_problem_add_fix(p, "needed-without-interp",
		    gr_arena_printf(a, "DT_NEEDED %s in an executable without PT_INTERP: no dynamic loader runs, so nothing "
		                    "loads %s and every call into it jumps to an unresolved slot: the binary crashes; %s; "
		                    "--allow cannot accept this", n, n, why),
		    fix ? gr_arena_strdup(a, fix)
		        : (l = gr_lname(a, n)) == NULL ? NULL
		        : gr_arena_printf(a, "link its archive instead (pkgconf-rewrite names it: pkgconf-rewrite -- -l%s), "
		                          "or link the program dynamically with its interpreter", l));
	}
}

static void
gr_elf_policy(struct gr_problems *p, const struct gr_policy *pol)
{
	struct gr_image *img = p->img;
	struct gr_arena *a = p->a;
	size_t i, nallowed = 0, nbad = 0;

	for (i = 0; i < img->nneeded; i++) {
		img->needed[i].allowed = gr_allowed(pol, img->needed[i].name);
		if (img->needed[i].allowed)
			nallowed++;
		else
			nbad++;
	}
	img->interp_accepted = img->interp && nallowed > 0;
	img->pass = img->executable && (!img->interp || img->interp_accepted) && nbad == 0;
	if (!img->executable)
		return;
	/* Two ways a mix crashes at start, whatever --allow accepts. */
	if (img->interp && img->nglibc_static) {
		gr_elf_static_mix(p);
		img->pass = false;
	}
	if (!img->interp && img->nneeded) {
		gr_elf_needed_without_interp(p);
		img->pass = false;
		return;  /* no loader: the problems of a dynamic binary do not apply */
	}

	if (img->interp && !img->interp_accepted) {
		if (img->nneeded == 0)
			gr_problem_add(p, "interp-without-needed",
			    gr_arena_printf(a, "PT_INTERP asks the kernel to start %s although no library is needed; Go's internal linker does this for -buildmode=pie (golang/go#40719), and the binary fails with \"no such file or directory\" where that loader is missing",
			                    img->interp),
			    "link it externally as a static PIE: CGO_ENABLED=1 go build -buildmode=pie -ldflags '-linkmode=external -extldflags=-static-pie'");
		else {
			/* Name the C library this binary needs (glibc's libc.so.6, musl's libc.so). */
			const char *libc = "libc.so.6";
			for (i = 0; i < img->nneeded; i++)
				if (!strncmp(img->needed[i].name, "libc.so", 7)) {
					libc = img->needed[i].name;
					break;
				}
			gr_problem_add_fix(p, "interp",
			    gr_arena_printf(a, "PT_INTERP: the kernel starts the dynamic loader %s, which must exist on every machine that runs this binary (in a FROM scratch container it fails with \"no such file or directory\")",
			                    img->interp),
			    gr_arena_printf(a, "link statically (-static; for Go: -tags netgo,osusergo -ldflags '-linkmode=external -extldflags=-static'); if the C library may stay dynamic, accept it with --allow %s",
			                    libc));
		}
	}
	for (i = 0; i < img->nneeded; i++) {
		const char *n = img->needed[i].name;
		if (img->needed[i].allowed)
			continue;
		if (gr_is_libc_family(n))
			gr_problem_add_fix(p, "needed-libc",
			    gr_arena_printf(a, "DT_NEEDED %s: part of the C library, loaded by the dynamic loader at start-up", n),
			    gr_arena_printf(a, "link with -static (for Go: -tags netgo,osusergo -ldflags '-linkmode=external -extldflags=-static'), or accept it with --allow %s", n));
		else {
			const char *l = gr_lname(a, n);
			gr_problem_add_fix(p, "needed",
			    gr_arena_printf(a, "DT_NEEDED %s: a shared library loaded at start-up; the binary fails where it is not installed", n),
			    l ? gr_arena_printf(a, "link its archive lib%s.a instead of -l%s (pkgconf-rewrite names it: pkgconf-rewrite -- -l%s, or pkgconf-rewrite PACKAGE), or accept it with --allow %s",
			                        l, l, l, n) : NULL);
		}
	}
}

/* --max-version: each needed version newer than its family's limit fails the
 * file (a VER_FLG_WEAK one only makes ld.so warn, so it does not). */
static void
gr_elfver_policy(struct gr_problems *p, const struct gr_policy *pol)
{
	struct gr_image *img = p->img;
	const struct gr_vermax *limit;
	size_t i, k;

	for (i = 0; i < img->versions->nlibs; i++)
		for (k = 0; k < img->versions->libs[i].nvers; k++) {
			const struct gr_verneed *v = &img->versions->libs[i].vers[k];
			if (v->weak || !gr_elfver_too_new(v, pol->maxver, pol->nmaxver, &limit))
				continue;
			img->pass = false;
			gr_problem_add_fix(p, "symbol-version",
			    gr_elfver_message(p->a, img->versions->libs[i].file, v, limit),
			    gr_elfver_remedy(p->a, v, limit, img->arch));
		}
}

static void
gr_macho_policy(struct gr_problems *p, const struct gr_policy *pol)
{
	struct gr_image *img = p->img;
	struct gr_arena *a = p->a;
	size_t i, nbad = 0;

	for (i = 0; i < img->nneeded; i++) {
		struct gr_dep *d = &img->needed[i];
		d->allowed = d->origin != GR_ORIGIN_SYSTEM && gr_allowed(pol, gr_basename(d->name));
		if (d->origin != GR_ORIGIN_SYSTEM && !d->allowed)
			nbad++;
	}
	/* dyld is /usr/lib/dyld; a dylinker anywhere else runs first, before any check. */
	img->interp_accepted = img->interp && gr_macho_origin(img->interp) == GR_ORIGIN_SYSTEM;
	img->pass = img->executable && nbad == 0 && (!img->interp || img->interp_accepted);
	if (!img->executable)
		return;
	if (img->interp && !img->interp_accepted)
		gr_problem_add(p, "dylinker",
		    gr_arena_printf(a, "LC_LOAD_DYLINKER %s: the kernel starts this loader instead of /usr/lib/dyld", img->interp),
		    "link with the system linker defaults (ld64 writes /usr/lib/dyld); a custom dylinker cannot be accepted");
	for (i = 0; i < img->nneeded; i++) {
		const struct gr_dep *d = &img->needed[i];
		const char *where, *l = gr_lname(a, d->name);
		if (d->origin == GR_ORIGIN_SYSTEM || d->allowed)
			continue;
		switch (d->origin) {
		case GR_ORIGIN_HOMEBREW: where = "a Homebrew dylib, missing wherever that formula is not installed"; break;
		case GR_ORIGIN_USR_LOCAL: where = "a dylib under /usr/local, not part of macOS"; break;
		case GR_ORIGIN_MACPORTS: where = "a MacPorts dylib, missing wherever that port is not installed"; break;
		case GR_ORIGIN_RPATH: where = "found at run time through the LC_RPATH entries, so it must ship with the binary"; break;
		case GR_ORIGIN_LOADER_PATH: where = "found relative to the image that loads it, so it must ship with the binary"; break;
		case GR_ORIGIN_EXECUTABLE_PATH: where = "found relative to the executable, so it must ship with the binary"; break;
		default: where = "not a system dylib (/usr/lib, /System/Library)"; break;
		}
		gr_problem_add_fix(p, "third-party-dylib",
		    gr_arena_printf(a, "%s %s: %s", d->command, d->name, where),
		    l ? gr_arena_printf(a, "link lib%s.a by its full path instead of -l%s (ld64 takes lib%s.dylib over lib%s.a in the same directory), or accept it with --allow %s",
		                        l, l, l, l, gr_basename(d->name)) : NULL);
	}
}

/* A Mach-O load rule broken: a failure (the file does not pass) or, where
 * the rule does not bind that kind of file, a finding. */
static void
gr_macho_rule(struct gr_problems *p, bool failure, const char *code, const char *message,
              const char *remedy)
{
	struct gr_image *img = p->img;

	if (!remedy)
		p->nomem = true;
	gr_problem_add(p, code, message, remedy);
	if (p->nomem)
		return;
	img->problems[img->nproblems - 1].finding = !failure;
	if (failure)
		img->pass = false;
}

/* The load rules of dyld and the kernel (issue 14): __DATA_CONST read-only,
 * a platform and minimum macOS, a code signature on arm64. Executables that
 * break one fail; dylibs and bundles (which dyld checks when it loads them)
 * get findings; objects, dSYMs and core files are not loaded, and pass by. */
static void
gr_macho_load_rules(struct gr_problems *p, const struct gr_policy *pol)
{
	struct gr_image *img = p->img;
	struct gr_arena *a = p->a;
	const struct gr_macho_load *ml = &img->macho;
	bool exe = ml->filetype == 2, lib = ml->filetype == 6 || ml->filetype == 8;
	bool arm64 = img->arch && (!strcmp(img->arch, "arm64") || !strcmp(img->arch, "arm64e"));
	char v1[24], v2[24];

	if (!exe && !lib)
		return;
	/* Both strings first: the arguments of one call are evaluated in no set order. */
	gr_macho_version_str(ml->minos, v1, sizeof(v1));
	gr_macho_version_str(pol ? pol->macos_min : 0, v2, sizeof(v2));
	/* dyld exempts a static executable (no LC_LOAD_DYLINKER): nothing makes it read-only. */
	if (ml->data_const && !(ml->data_const_flags & 0x10u) && (lib || img->interp))
		gr_macho_rule(p, exe, "data-const-writable",
		    gr_arena_printf(a, "__DATA_CONST segment without SG_READ_ONLY (flags 0x%x): dyld on macOS 15 and later refuses to load the %s (\"__DATA_CONST segment missing SG_READ_ONLY flag\", Abort trap: 6); macOS 14 and older load it. ld64.lld 15 and older, and ld64 for a target below macOS 10.15 (osxcross), write the segment so",
		                    (unsigned)ml->data_const_flags, exe ? "program" : "library"),
		    "link with a linker that sets the flag: ld64.lld 16 or later (LLVM commit f7b752d27766), Apple's ld64 512 (Xcode 11) or later with a deployment target of macOS 10.15 or later (-mmacosx-version-min=10.15), or, for Go without cgo, Go's internal linker (CGO_ENABLED=0 or -ldflags=-linkmode=internal); patching the flag afterwards needs a new signature (codesign -f -s -, rcodesign sign)");
	if (!ml->version_command)
		gr_macho_rule(p, exe, "no-build-version",
		    "no LC_BUILD_VERSION or LC_VERSION_MIN_* load command: the file names no platform and no minimum OS, so nothing says which macOS versions it runs on (all are affected: dyld checks the platform of what it loads, and a minimum cannot be checked)",
		    "build and link with a deployment target: clang -mmacosx-version-min=VERSION or MACOSX_DEPLOYMENT_TARGET=VERSION (ld64.lld: -platform_version macos VERSION SDK), so that the linker writes LC_BUILD_VERSION");
	else if (pol && pol->macos_min && strcmp(ml->platform, "macos") != 0)
		gr_macho_rule(p, exe, "macos-min",
		    gr_arena_printf(a, "%s names platform %s, not macOS: --macos-min %s cannot be met", ml->version_command,
		                    ml->platform, v2),
		    "build for macOS: clang -target ARCH-apple-macosVERSION, or -mmacosx-version-min=VERSION");
	else if (pol && pol->macos_min && ml->minos > pol->macos_min)
		gr_macho_rule(p, exe, "macos-min",
		    gr_arena_printf(a, "%s minos %s is above --macos-min %s: macOS older than %s (%s among them) refuses to %s it",
		                    ml->version_command, v1, v2, v1, v2,
		                    exe ? "start" : "load"),
		    gr_arena_printf(a, "rebuild for the older system: clang -mmacosx-version-min=%s or MACOSX_DEPLOYMENT_TARGET=%s (for cgo: CGO_CFLAGS and CGO_LDFLAGS=-mmacosx-version-min=%s); Go's own linker writes the oldest macOS that Go release supports, so an older target needs an older Go",
		                    v2, v2, v2));
	if (arm64 && !ml->code_signature)
		gr_macho_rule(p, exe, "no-code-signature",
		    gr_arena_printf(a, "%s without LC_CODE_SIGNATURE: macOS 11 and later on Apple silicon %s unsigned arm64 code (\"Killed: 9\")",
		                    exe ? "arm64 executable" : "arm64 library", exe ? "kill at launch" : "refuse to map"),
		    "sign it, ad hoc is enough: codesign -s - FILE on a Mac, rcodesign sign FILE elsewhere; ld64 and ld64.lld sign arm64 output ad hoc themselves, so a tool run after the link (strip, install_name_tool, a patcher) dropped or broke the signature");
}

/* --scratch: each file a Go binary reads at run time must be under the root. */
static void
gr_runtime_policy(struct gr_problems *p, const char *root)
{
	struct gr_goinfo *gi = p->img->go;
	size_t i;

	for (i = 0; i < gi->nfiles; i++) {
		struct gr_runtime_file *f = &gi->files[i];
		f->checked = true;
		if (gr_goinfo_present(f, root, &f->missing))
			continue;
		p->img->pass = false;
		if (f->any)
			gr_problem_add(p, "runtime-file",
			    gr_arena_printf(p->a, "%s (%s) reads %s at run time, and none of %s and %zu other paths exists under %s%s%s",
			                    f->package, f->because, f->id, f->paths[0], f->npaths - 1, root,
			                    f->env ? "; run-time override: " : "", f->env ? f->env : ""),
			    f->remedy);
		else
			gr_problem_add(p, "runtime-file",
			    gr_arena_printf(p->a, "%s (%s) reads %s at run time, and %s is missing under %s",
			                    f->package, f->because, f->id, f->missing, root),
			    f->remedy);
	}
}

static void
gr_apply_policy(struct gr_arena *a, struct gr_image *img, const struct gr_policy *pol, bool *nomem)
{
	struct gr_problems p = { a, img, 0, false };

	if (img->format == GR_FMT_ELF)
		gr_elf_policy(&p, pol);
	else if (img->format == GR_FMT_MACHO) {
		gr_macho_policy(&p, pol);
		gr_macho_load_rules(&p, pol);
	}
	if (img->format == GR_FMT_ELF && img->versions && pol && pol->nmaxver)
		gr_elfver_policy(&p, pol);
	if (!img->executable)
		gr_problem_add(&p, "not-executable",
		    gr_arena_printf(a, "not an executable but %s %s",
		                    img->verdict == GR_V_ARCHIVE || img->verdict == GR_V_OBJECT ? "an" : "a",
		                    img->verdict == GR_V_SHARED_LIBRARY ? "shared library" :
		                    img->verdict == GR_V_OBJECT ? "object file" :
		                    img->verdict == GR_V_ARCHIVE ? "archive" :
		                    img->verdict == GR_V_CORE ? "core dump" :
		                    img->verdict == GR_V_DEBUG_INFO ? "separate debug information file" :
		                    "file of another type"),
		    NULL);
	if (p.nomem)
		*nomem = true;
}

/* Rank of an executable verdict for a universal file: the worst slice wins. */
static int
gr_verdict_rank(enum gr_verdict v)
{
	switch (v) {
	case GR_V_STATIC: return 0;
	case GR_V_STATIC_PIE: return 1;
	case GR_V_SYSTEM_ONLY: return 2;
	case GR_V_DYNAMIC: return 3;
	default: return 4;
	}
}

static bool
gr_is_archive(const unsigned char *buf, size_t len)
{
	return len >= 8 && (memcmp(buf, "!<arch>\n", 8) == 0 || memcmp(buf, "!<thin>\n", 8) == 0);
}

/* Whether the first bytes name a format gorelink reads. */
static bool
gr_sniff(const unsigned char *buf, size_t len)
{
	return gr_elf_is(buf, len) || gr_macho_is_thin(buf, len) ||
	       gr_macho_is_fat(buf, len) || gr_is_archive(buf, len);
}

static int
gr_check_image_buffer(struct gr_report *r, unsigned char *buf, size_t len,
                      const struct gr_policy *pol, struct gr_error *err)
{
	struct gr_arena *a = &r->arena;
	size_t i;
	int rc;
	bool nomem = false, first;

	if (gr_is_archive(buf, len)) {
		r->format = GR_FMT_ARCHIVE;
		r->images = gr_arena_alloc(a, sizeof(*r->images));
		if (!r->images)
			return gr_error_set(err, GR_ENOMEM, 0, "%s: out of memory", r->path);
		r->nimages = 1;
		r->images[0].format = GR_FMT_ARCHIVE;
		r->images[0].verdict = GR_V_ARCHIVE;
	} else if (gr_elf_is(buf, len) || gr_macho_is_thin(buf, len)) {
		r->images = gr_arena_alloc(a, sizeof(*r->images));
		if (!r->images)
			return gr_error_set(err, GR_ENOMEM, 0, "%s: out of memory", r->path);
		r->nimages = 1;
		if (gr_elf_is(buf, len)) {
			struct gr_goinfo *go = NULL;
			rc = gr_elf_read(buf, len, r->path, a, &r->images[0], err);
			if (!rc && r->images[0].executable && !(rc = gr_goinfo_elf(buf, len, a, &go, err)))
				r->images[0].go = go;
		}
		else {
			struct gr_goinfo *go = NULL;
			rc = gr_macho_read_thin(buf, len, r->path, a, &r->images[0], err);
			if (!rc && r->images[0].executable && !(rc = gr_goinfo_macho(buf, len, r->path, a, &go, err)))
				r->images[0].go = go;
		}
		if (rc)
			return rc;
		r->format = r->images[0].format;
	} else if (gr_macho_is_fat(buf, len)) {
		struct gr_macho_slice sl[GR_MACHO_MAXSLICES];
		size_t ns;
		r->format = GR_FMT_MACHO_FAT;
		if ((rc = gr_macho_read_fat(buf, len, r->path, a, &r->images, &r->nimages, err)) ||
		    (rc = gr_macho_fat_slices(buf, len, r->path, sl, GR_MACHO_MAXSLICES, &ns, err)))
			return rc;
		/* Each executable slice's Go build info, from its own bytes. */
		for (i = 0; i < ns && i < r->nimages; i++) {
			struct gr_image *img = &r->images[i];
			struct gr_goinfo *go = NULL;
			const char *name;
			if (img->format != GR_FMT_MACHO || !img->executable)
				continue;
			if (!(name = gr_arena_printf(a, "%s[%s]", r->path, img->arch)))
				return gr_error_set(err, GR_ENOMEM, 0, "%s: out of memory", r->path);
			if ((rc = gr_goinfo_macho(buf + sl[i].offset, (size_t)sl[i].size, name, a, &go, err)))
				return rc;
			img->go = go;
		}
	} else {
		return gr_error_set(err, GR_ENOTBIN, 0, "%s: not an ELF, Mach-O or archive file", r->path);
	}

	/* A universal file is an executable when any slice is; then the worst
	 * executable slice gives the verdict, and every executable slice must pass. */
	r->executable = false;
	for (i = 0; i < r->nimages; i++) {
		gr_apply_policy(a, &r->images[i], pol, &nomem);
		if (r->images[i].executable)
			r->executable = true;
	}
	r->pass = r->executable;
	r->verdict = r->images[0].verdict;
	for (i = 0, first = true; i < r->nimages && r->executable; i++) {
		struct gr_image *img = &r->images[i];
		if (!img->executable)
			continue;
		if (!img->pass)
			r->pass = false;
		if (first || gr_verdict_rank(img->verdict) > gr_verdict_rank(r->verdict))
			r->verdict = img->verdict;
		first = false;
	}
	if (nomem)
		return gr_error_set(err, GR_ENOMEM, 0, "%s: out of memory", r->path);
	return GR_OK;
}

int
gr_check_buffer(const char *path, unsigned char *buf, size_t len,
                const struct gr_policy *pol, struct gr_report **out, struct gr_error *err)
{
	struct gr_report *r;
	int rc;

	*out = NULL;
	if (len == 0)
		return gr_error_set(err, GR_ENOTBIN, 0, "%s: empty file", path);
	r = calloc(1, sizeof(*r));
	if (!r)
		return gr_error_set(err, GR_ENOMEM, 0, "%s: out of memory", path);
	gr_arena_init(&r->arena);
	if (!(r->path = gr_arena_strdup(&r->arena, path))) {
		gr_report_free(r);
		return gr_error_set(err, GR_ENOMEM, 0, "%s: out of memory", path);
	}
	if ((rc = gr_check_image_buffer(r, buf, len, pol, err))) {
		gr_report_free(r);
		return rc;
	}
	*out = r;
	return GR_OK;
}

static const char *
gr_filetype(mode_t m)
{
	if (S_ISDIR(m)) return "is a directory (use -R to walk it)";
	if (S_ISFIFO(m)) return "is a FIFO, not a regular file";
	if (S_ISCHR(m)) return "is a character device, not a regular file";
	if (S_ISBLK(m)) return "is a block device, not a regular file";
	if (S_ISSOCK(m)) return "is a socket, not a regular file";
	return "is not a regular file";
}

int
gr_check_fd(int fd, const char *path, const struct gr_policy *pol,
            struct gr_report **out, struct gr_error *err)
{
	struct stat st;
	unsigned char head[8];
	ssize_t got;
	size_t len;
	void *map;
	int rc;

	*out = NULL;
	if (fstat(fd, &st) != 0)
		return gr_error_set(err, GR_EIO, errno, "%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return gr_error_set(err, GR_EIO, 0, "%s: %s", path, gr_filetype(st.st_mode));
	if (st.st_size == 0)
		return gr_error_set(err, GR_ENOTBIN, 0, "%s: empty file", path);
	if ((uintmax_t)st.st_size > SIZE_MAX)
		return gr_error_set(err, GR_EIO, 0, "%s: too large to map", path);
	len = (size_t)st.st_size;
	/* Look at the magic before mapping: most files in a tree are not binaries. */
	do
		got = pread(fd, head, sizeof(head), 0);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return gr_error_set(err, GR_EIO, errno, "%s: %s", path, strerror(errno));
	if (!gr_sniff(head, (size_t)got))
		return gr_error_set(err, GR_ENOTBIN, 0, "%s: not an ELF, Mach-O or archive file", path);

	if (gr_is_archive(head, (size_t)got))
		return gr_check_buffer(path, head, (size_t)got, pol, out, err);  /* no member is read */
	/* A private writable mapping: libelf may convert in place, the file never changes. */
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return gr_error_set(err, GR_EIO, errno, "%s: cannot map: %s", path, strerror(errno));
	rc = gr_check_buffer(path, map, len, pol, out, err);
	munmap(map, len);
	return rc;
}

int
gr_check_path(const char *path, const struct gr_policy *pol,
              struct gr_report **out, struct gr_error *err)
{
	struct stat st;
	int fd, rc, e;

	*out = NULL;
	/* Look before opening: opening a device can have effects (a watchdog arms). */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return gr_error_set(err, GR_EIO, 0, "%s: %s", path, gr_filetype(st.st_mode));
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		if (e == ENOENT && lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t n = readlink(path, target, sizeof(target) - 1);
			target[n > 0 ? n : 0] = '\0';
			return gr_error_set(err, GR_EIO, e, "%s: dangling symbolic link to '%s'", path, target);
		}
		return gr_error_set(err, GR_EIO, e, "%s: %s", path, strerror(e));
	}
	rc = gr_check_fd(fd, path, pol, out, err);
	close(fd);
	return rc;
}

int
gr_check_scratch(struct gr_report *r, const char *root, struct gr_error *err)
{
	size_t i;

	for (i = 0; i < r->nimages; i++) {
		struct gr_image *img = &r->images[i];
		struct gr_problems p = { &r->arena, img, img->nproblems, false };
		if (!img->go || !img->executable)
			continue;
		gr_runtime_policy(&p, root);
		if (p.nomem)
			return gr_error_set(err, GR_ENOMEM, 0, "%s: out of memory", r->path);
		if (!img->pass)
			r->pass = false;
	}
	return GR_OK;
}

void
gr_report_free(struct gr_report *r)
{
	if (!r)
		return;
	gr_arena_deinit(&r->arena);
	free(r);
}
