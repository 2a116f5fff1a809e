#include "gr_cli.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <bfd.h>
#include <libdeflate.h>
#include <libelf.h>
#include <libpkgconf/libpkgconf.h>

#include "gr_cmd_check.h"
#include "gr_cmd_pcrw.h"
#include "gr_cmd_build.h"
#include "gr_cmd_go.h"
#include "gr_cmd_index.h"
#include "gr_cmd_presets.h"
#include "gr_cmd_test.h"
#include "gr_cmd_rebuild.h"

static const char *gr_progname = "gorelink";

void
gr_cli_set_progname(const char *name)
{
	gr_progname = name;
}

void
gr_cli_put_escaped(FILE *f, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

void
gr_cli_diag(FILE *err, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n >= 0 && (msg = malloc((size_t)n + 1)) != NULL) {
		va_start(ap, fmt);
		vsnprintf(msg, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	fprintf(err, "%s: ", gr_progname);
	if (msg) {
		gr_cli_put_escaped(err, msg, (size_t)n);
		free(msg);
	} else {
		fputs("(message lost: out of memory)", err);
	}
	fputc('\n', err);
}

static void
gr_cli_version(FILE *f)
{
	const char **targets;
	size_t n = 0;
	bool macho = false;

	fprintf(f, "gorelink %s\n", GR_VERSION);
	fprintf(f, "libelf (elfutils) %s\n", GR_LIBELF_VERSION);
	fprintf(f, "libpkgconf %s\n", LIBPKGCONF_VERSION_STR);
	fprintf(f, "libdeflate %s\n", LIBDEFLATE_VERSION_STRING);
	bfd_init();
	targets = bfd_target_list();
	for (; targets && targets[n]; n++)
		if (strncmp(targets[n], "mach-o", 6) == 0)
			macho = true;
	fprintf(f, "libbfd with %zu targets%s\n", n, macho ? ", including Mach-O" : "");
	free(targets);
}

int
gr_cli_run(int argc, char **argv, FILE *out, FILE *err)
{
	const char *cmd;

	if (argc < 2) {
		fputs("Usage: gorelink [OPTIONS] PACKAGE [-- GO_BUILD_FLAGS...]\n"
		      "       gorelink check [OPTIONS] PATH...\n"
		      "       gorelink pkgconf-rewrite [OPTIONS] PACKAGE...\n"
		      "       gorelink index [OPTIONS] SYMBOL...\n"
		      "       gorelink test [OPTIONS] PACKAGE [-- GO_TEST_FLAGS...]\n"
		      "       gorelink rebuild [OPTIONS] BINARY\n"
		      "       gorelink go build [GO_BUILD_FLAGS...] [-o OUT] PACKAGE\n"
		      "       gorelink presets [NAME...]\n"
		      "See 'gorelink --help'.\n", err);
		return GR_EXIT_USAGE;
	}
	cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
		gr_cmd_build_usage(out);
		return GR_EXIT_OK;
	}
	if (strcmp(cmd, "--version") == 0) {
		gr_cli_version(out);
		return GR_EXIT_OK;
	}
	if (strcmp(cmd, "check") == 0)
		return gr_cmd_check(argc - 1, argv + 1, out, err);
	if (strcmp(cmd, "index") == 0)
		return gr_cmd_index(argc - 1, argv + 1, out, err);
	if (strcmp(cmd, "test") == 0)
		return gr_cmd_test(argc - 1, argv + 1, out, err);
	if (strcmp(cmd, "rebuild") == 0)
		return gr_cmd_rebuild(argc - 1, argv + 1, out, err);
	if (strcmp(cmd, "go") == 0)
		return gr_cmd_go(argc - 1, argv + 1, out, err);
	if (strcmp(cmd, "presets") == 0)
		return gr_cmd_presets(argc - 1, argv + 1, out, err);
	if (strcmp(cmd, "pkgconf-rewrite") == 0)
		return gr_cmd_pcrw(argc - 1, argv + 1, stdin, out, err);
	/* Anything else is a build: gorelink [OPTIONS] PACKAGE [-- GO_BUILD_FLAGS]. */
	return gr_cmd_build(argc, argv, out, err);
}

/* Quote one argument so that both Go and a shell read it back as one word.
 * cmd/go splits CGO_LDFLAGS and -extldflags into fields where '...' or "..."
 * quote without escapes; a shell agrees on '...', and on "..." when no $ ` \
 * or ! is inside. Only an argument holding both quote kinds needs the shell's
 * '\'' form, which Go cannot read. */
bool
gr_cli_put_quoted(FILE *f, const char *s)
{
	const char *p;
	bool plain = *s != '\0';

	for (p = s; *p && plain; p++)
		plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		        strchr("_@%+=:,./-", *p) != NULL;
	if (plain) {
		fputs(s, f);
	} else if (!strchr(s, '\'')) {
		fprintf(f, "'%s'", s);
	} else if (!strpbrk(s, "\"$`\\!")) {
		fprintf(f, "\"%s\"", s);
	} else {
		fputc('\'', f);
		for (p = s; *p; p++) {
			if (*p == '\'')
				fputs("'\\''", f);
			else
				fputc(*p, f);
		}
		fputc('\'', f);
		return false;
	}
	return true;
}


char *
gr_cli_concat(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 1;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s%s", a, b);
	return s;
}
