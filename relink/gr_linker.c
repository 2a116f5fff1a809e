#include "gr_linker.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gr_error.h"
#include "gr_path.h"

static const struct {
	const char *name, *program, *flag, *package;
} gr_linkers[] = {
	[GR_LINKER_DEFAULT] = { "default", NULL, NULL, NULL },
	[GR_LINKER_AUTO] = { "auto", NULL, NULL, NULL },
	[GR_LINKER_BFD] = { "bfd", "ld.bfd", "-fuse-ld=bfd", "binutils" },
	[GR_LINKER_GOLD] = { "gold", "ld.gold", "-fuse-ld=gold", "binutils" },
	[GR_LINKER_LLD] = { "lld", "ld.lld", "-fuse-ld=lld", "lld" },
	[GR_LINKER_MOLD] = { "mold", "ld.mold", "-fuse-ld=mold", "mold" },
};

int
gr_linker_parse(const char *s, enum gr_linker *out)
{
	size_t i;

	for (i = GR_LINKER_AUTO; s && i < sizeof(gr_linkers) / sizeof(gr_linkers[0]); i++)
		if (!strcmp(s, gr_linkers[i].name)) {
			*out = (enum gr_linker)i;
			return 0;
		}
	return -1;
}

const char *
gr_linker_name(enum gr_linker l)
{
	return (unsigned)l <= GR_LINKER_MOLD ? gr_linkers[l].name : "?";
}

const char *
gr_linker_program(enum gr_linker l)
{
	return (unsigned)l <= GR_LINKER_MOLD ? gr_linkers[l].program : NULL;
}

const char *
gr_linker_package(enum gr_linker l)
{
	return (unsigned)l <= GR_LINKER_MOLD ? gr_linkers[l].package : NULL;
}

const char *
gr_linker_flag(enum gr_linker l)
{
	return (unsigned)l <= GR_LINKER_MOLD ? gr_linkers[l].flag : NULL;
}

const char *
gr_linker_cannot(enum gr_linker l, enum gr_link_mode mode)
{
	/* Measured with gcc 12 on Debian 12: gold has no --no-dynamic-linker,
	 * which the driver passes for -static-pie. lld and mold do both modes. */
	if (l == GR_LINKER_GOLD && mode == GR_LINK_STATIC_PIE)
		return "gold cannot link -static-pie (it has no --no-dynamic-linker)";
	return NULL;
}

const char *
gr_linker_cannot_musl(enum gr_linker l, enum gr_link_mode mode)
{
	/* Measured with musl-gcc 1.2.3 (Debian 12): its specs pass
	 * -dynamic-linker /lib/ld-musl-x86_64.so.1 to every link; GNU ld and
	 * gold leave PT_INTERP out of a -static link, lld 14 and mold 1.10 keep
	 * it, and the binary is not static (gorelink check: interp-without-needed). */
	if (mode == GR_LINK_THIRD_PARTY)
		return NULL;
	if (l == GR_LINKER_LLD)
		return "lld keeps musl-gcc's -dynamic-linker in a static link (PT_INTERP: not static)";
	if (l == GR_LINKER_MOLD)
		return "mold keeps musl-gcc's -dynamic-linker in a static link (PT_INTERP: not static)";
	return NULL;
}

const char *
gr_linker_cannot_arch(enum gr_linker l, enum gr_link_mode mode, const char *goarch)
{
	/* Measured with aarch64-linux-gnu-g++ 12 and gold 1.16 (Debian 12): a
	 * -static arm64 program that throws and catches a C++ exception aborts
	 * (under qemu-aarch64-static; the same program linked by GNU ld, or
	 * dynamically by gold, or for x86-64 by gold, catches it). */
	if (l == GR_LINKER_GOLD && mode != GR_LINK_THIRD_PARTY && goarch && !strcmp(goarch, "arm64"))
		return "gold's static arm64 links lose C++ exception unwinding (a throw aborts)";
	return NULL;
}

bool
gr_linker_found(const char *cc, bool cross, const char *compiler_path, const char *path, enum gr_linker l)
{
	const char *prog = gr_linker_program(l), *base, *end;
	char name[512];
	char *where;
	size_t n;

	if (l == GR_LINKER_DEFAULT)
		return true;
	if (!prog)
		return false;
	if (compiler_path && *compiler_path && gr_linker_on_path(compiler_path, l))
		return true;
	if (!cross)
		return gr_linker_on_path(path, l);
	/* collect2 of a cross compiler TRIPLE-gcc looks for TRIPLE-ld.NAME on
	 * PATH, never the host's ld.NAME. */
	if (!cc)
		return false;
	for (end = cc; *end && *end != ' '; end++)
		;
	for (base = end; base > cc && base[-1] != '/'; base--)
		;
	for (n = (size_t)(end - base); n > 0 && base[n - 1] != '-'; n--)
		;
	if (!n || (size_t)snprintf(name, sizeof(name), "%.*s%s", (int)n, base, prog) >= sizeof(name))
		return false;
	where = gr_path_which(name, path);
	free(where);
	return where != NULL;
}

const char *
gr_linker_no_glibc_warnings(enum gr_linker l)
{
	/* Measured: lld 14 and mold 1.10 link a static getpwnam or dlopen
	 * without a word; GNU ld and gold print glibc's warning. gorelink makes
	 * GNU ld's warnings from their --trace-symbol lines (gr_diag). */
	if (l == GR_LINKER_LLD)
		return "lld prints none of glibc's static-link warnings";
	if (l == GR_LINKER_MOLD)
		return "mold prints none of glibc's static-link warnings";
	return NULL;
}

int
gr_linker_choose(enum gr_linker req, enum gr_link_mode mode, bool musl, const char *goarch,
                 bool (*installed)(const void *ctx, enum gr_linker l), const void *ctx,
                 struct gr_linker_choice *c)
{
	static const enum gr_linker order[] = { GR_LINKER_MOLD, GR_LINKER_LLD, GR_LINKER_GOLD, GR_LINKER_BFD };
	const char *why;
	size_t i;

	c->why[0] = '\0';
	c->linker = req;
	if (req == GR_LINKER_DEFAULT)
		return 0;
	if (req == GR_LINKER_AUTO) {
		char skipped[192] = "";
		size_t sl = 0;
		for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
			const char *name = gr_linker_name(order[i]);
			if (!installed(ctx, order[i])) {
				sl += (size_t)snprintf(skipped + sl, sl < sizeof(skipped) ? sizeof(skipped) - sl : 0, "%s%s not installed",
				                       sl ? ", " : "", name);
				if (sl >= sizeof(skipped))
					sl = sizeof(skipped) - 1;
				continue;
			}
			/* mold and lld print none of glibc's static-link warnings: gr_diag
			 * makes them from their --trace-symbol lines, as GNU ld prints them. */
			if ((why = gr_linker_cannot(order[i], mode)) != NULL ||
			    (musl && (why = gr_linker_cannot_musl(order[i], mode)) != NULL) ||
			    (why = gr_linker_cannot_arch(order[i], mode, goarch)) != NULL) {
				sl += (size_t)snprintf(skipped + sl, sl < sizeof(skipped) ? sizeof(skipped) - sl : 0, "%s%s",
				                       sl ? ", " : "", why);
				if (sl >= sizeof(skipped))
					sl = sizeof(skipped) - 1;
				continue;
			}
			c->linker = order[i];
			if (sl)
				snprintf(c->why, sizeof(c->why), "auto: the fastest installed that can link --%s (%.180s)",
				         gr_link_mode_name(mode), skipped);
			else
				snprintf(c->why, sizeof(c->why), "auto: the fastest installed that can link --%s",
				         gr_link_mode_name(mode));
			return 0;
		}
		/* Not even ld.bfd on PATH: the compiler's own ld. */
		c->linker = GR_LINKER_DEFAULT;
		snprintf(c->why, sizeof(c->why), "auto: none of mold, lld, gold, bfd on PATH (%.150s): the compiler's own ld",
		         skipped);
		return 0;
	}
	if (!installed(ctx, req)) {
		snprintf(c->why, sizeof(c->why), "--linker=%s: %s is not on PATH (Debian package %s)", gr_linker_name(req),
		         gr_linker_program(req), gr_linker_package(req));
		return -1;
	}
	if ((why = gr_linker_cannot(req, mode)) != NULL || (musl && (why = gr_linker_cannot_musl(req, mode)) != NULL) ||
	    (why = gr_linker_cannot_arch(req, mode, goarch)) != NULL) {
		c->linker = GR_LINKER_BFD;
		snprintf(c->why, sizeof(c->why), "--linker=%s: %s: linking with bfd instead", gr_linker_name(req), why);
	}
	return 0;
}

bool
gr_linker_on_path(const char *path, enum gr_linker l)
{
	const char *prog = gr_linker_program(l);
	char *where;

	if (l == GR_LINKER_DEFAULT)
		return true;
	if (!prog || !path)
		return false;
	where = gr_path_which(prog, path);
	free(where);
	return where != NULL;
}

const char *
gr_linker_in_argv(const char *const *argv, size_t n)
{
	const char *found = NULL;
	size_t i;

	for (i = 0; i < n; i++)
		if (argv[i] && !strncmp(argv[i], "-fuse-ld=", 9))
			found = argv[i] + 9;
	return found;
}

/* Whether the word before a run of paths takes it as its value (the gcc
 * driver's options with a separate argument): then the path is no input. */
static bool
gr_lk_takes_value(const char *w)
{
	static const char *const opts[] = { "-o", "-x", "-Xlinker", "-Xassembler", "-Xpreprocessor", "-T", "-z",
		                            "-u", "-e", "-L", "-l", "-B", "-I", "-include", "-imacros", "-isystem",
		                            "-idirafter", "-iprefix", "-iwithprefix", "-iwithprefixbefore", "-iquote",
		                            "-isysroot", "-MF", "-MT", "-MQ", "-specs", "--param", "-aux-info",
		                            "-dumpbase", "-dumpbase-ext", "-dumpdir", "-wrapper", "--sysroot",
		                            "--output", "--for-linker", "--language", "-Xclang", "-target", "--config" };
	size_t i;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (!strcmp(w, opts[i]))
			return true;
	return false;
}

/* Whether path names an ELF relocatable object a script can name: absolute,
 * ending in ".o", no '"' (mold's script strings have no escapes) nor control
 * character, and its header says ET_REL. */
static bool
gr_lk_scriptable_object(const char *path)
{
	unsigned char h[18];
	size_t len = strlen(path), i;
	ssize_t got;
	int fd;

	if (path[0] != '/' || len < 3 || strcmp(path + len - 2, ".o"))
		return false;
	for (i = 0; i < len; i++)
		if (path[i] == '"' || (unsigned char)path[i] < 0x20 || path[i] == 0x7f)
			return false;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	got = read(fd, h, sizeof(h));
	close(fd);
	/* e_type (offset 16) in the file's byte order: 1 is ET_REL */
	return got == (ssize_t)sizeof(h) && !memcmp(h, "\177ELF", 4) &&
	       (h[5] == 2 ? (h[16] == 0 && h[17] == 1) : h[5] == 1 ? (h[16] == 1 && h[17] == 0) : false);
}

int
gr_linker_input_script(const char *const *argv, size_t n, const char *script, struct gr_strvec *out,
                       char **text)
{
	size_t i, at = 0, len = 0, best_at = 0, best_len = 0, tl;
	char *t, *p;

	for (i = 1; i < n; i++) {
		const char *a = argv[i];
		/* a language for what follows, LTO, a sysroot; a response file may
		 * hold any of them; -r and --output: no executable's usual line */
		if (!strncmp(a, "-x", 2) || !strncmp(a, "--language", 10) || !strncmp(a, "-flto", 5) ||
		    !strcmp(a, "-fno-use-linker-plugin") || strstr(a, "sysroot") || a[0] == '@' || !strcmp(a, "-r") ||
		    !strncmp(a, "--output", 8))
			return GR_ENOTFOUND;
	}
	for (i = 1; i <= n; i++) {
		bool obj = i < n && (len || !gr_lk_takes_value(argv[i - 1])) && gr_lk_scriptable_object(argv[i]);
		if (obj) {
			if (!len++)
				at = i;
			continue;
		}
		if (len > best_len)
			best_at = at, best_len = len;
		len = 0;
	}
	if (best_len < GR_LINKER_INPUT_RUN)
		return GR_ENOTFOUND;
	tl = sizeof("INPUT(\n)");
	for (i = best_at; i < best_at + best_len; i++)
		tl += strlen(argv[i]) + 3;
	if (!(t = malloc(tl)))
		return GR_ENOMEM;
	p = t + snprintf(t, tl, "INPUT(");
	for (i = best_at; i < best_at + best_len; i++)
		p += snprintf(p, tl - (size_t)(p - t), "%s\"%s\"", i > best_at ? " " : "", argv[i]);
	snprintf(p, tl - (size_t)(p - t), ")\n");
	gr_strvec_init(out);
	for (i = 0; i < n; i++) {
		if (i > best_at && i < best_at + best_len)
			continue;
		if (gr_strvec_push(out, i == best_at ? script : argv[i])) {
			gr_strvec_deinit(out);
			free(t);
			return GR_ENOMEM;
		}
	}
	*text = t;
	return GR_OK;
}
