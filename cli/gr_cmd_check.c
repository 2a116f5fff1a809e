#include "gr_cmd_check.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_check.h"
#include "gr_goinfo.h"
#include "gr_cli.h"
#include "gr_cmd_checkver.h"
#include "gr_embed.h"
#include "gr_json.h"
#include "gr_macho.h"
#include "gr_sigbus.h"
#include "gr_walk.h"

#define GR_CHECK_SCHEMA "gorelink-check/2"
#define GR_EXIT_NO_MANIFEST 3  /* --sbom: a binary carries no manifest */

struct gr_check_opts {
	bool json, quiet, explain, recursive, scratch;
	bool versions;  /* --versions, or a --max-version given: print the floors */
	bool sbom;      /* --sbom: print the manifest each binary carries (gr_embed) */
	const char *root;  /* --root DIR */
	struct gr_policy pol;
};

/* State of one run: the worst outcome so far decides the exit status. */
struct gr_check_run {
	const struct gr_check_opts *o;
	FILE *out, *err;
	bool failed, errored, nomem;
	bool unmanifested;  /* --sbom: a binary carries no manifest */
	const struct gr_embed_manifest *manifest;  /* --sbom: the file's, or NULL: none */
	struct gr_json j;
};

static void gr_check_report_error(struct gr_check_run *run, const char *path, const struct gr_error *e);

/* One file's check, run under gr_sigbus_guard. */
struct gr_check_one {
	struct gr_check_run *run;
	int fd;                 /* >= 0: check this descriptor; else open path */
	const char *path;
	struct gr_report **r;
	struct gr_error *e;
};

static int
gr_check_one_fn(void *ctx)
{
	struct gr_check_one *c = ctx;

	if (c->fd >= 0)
		return gr_check_fd(c->fd, c->path, &c->run->o->pol, c->r, c->e);
	return gr_check_path(c->path, &c->run->o->pol, c->r, c->e);
}

/* gr_check_fd (fd >= 0) or gr_check_path, guarded against the file shrinking
 * (files are mapped: reading past a shrunk end raises SIGBUS). On that fault the
 * check is abandoned and the leak accepted: the report's arena, libelf's handle,
 * the mapping and, for gr_check_path, its descriptor (one of each per shrunk file);
 * the run goes on with the next file. */
static int
gr_check_guarded(struct gr_check_run *run, int fd, const char *path, struct gr_report **r,
                 struct gr_error *e)
{
	struct gr_check_one c = { run, fd, path, r, e };
	int rc;

	*r = NULL;
	rc = gr_sigbus_guard(gr_check_one_fn, &c, path, e);
	if (rc)
		*r = NULL;  /* a fault may come after gr_check_buffer set it */
	return rc;
}

void
gr_cmd_check_usage(FILE *f)
{
	fputs("Usage: gorelink check [--json] [--allow NAME]... [--macos-min VERSION]\n"
	      "                     [--max-version NAME]... [--glibc X.Y] [--versions] [--quiet]\n"
	      "                     [--explain] [--scratch [--root DIR]] [--sbom] [-R] PATH...\n"
	      "\n"
	      "Report what each binary loads at run time, and whether it passes:\n"
	      "  ELF      passes with no PT_INTERP and no DT_NEEDED (static, static-pie)\n"
	      "  Mach-O   passes when every dylib, in every slice, is a system one\n"
	      "           (/usr/lib/..., /System/Library/...) (system-only), and it keeps\n"
	      "           dyld's load rules: __DATA_CONST has SG_READ_ONLY (macOS 15+ aborts\n"
	      "           otherwise), LC_BUILD_VERSION names the minimum macOS, and an arm64\n"
	      "           executable carries LC_CODE_SIGNATURE; dylibs that break a rule get\n"
	      "           findings\n"
	      "  Never passes, whatever --allow accepts: a dynamic ELF that carries glibc's\n"
	      "           static libc.a, or one with DT_NEEDED and no PT_INTERP (it crashes)\n"
	      "Objects, shared libraries and archives are reported as not executables.\n"
	      "The binaries are only read: nothing is run, not even ldd.\n"
	      "\n"
	      "Options:\n"
	      "  -R, --recursive   walk directories (symlinks are not followed; files that are\n"
	      "                    not ELF, Mach-O or archives are passed over silently, and\n"
	      "                    non-executables found there do not fail the run)\n"
	      "      --allow NAME  accept libraries whose ELF soname, or Mach-O install-name\n"
	      "                    basename, matches the fnmatch(3) pattern NAME; the ELF\n"
	      "                    interpreter is accepted when an allowed library is needed\n"
	      "                    (repeatable; e.g. --allow libc.so.6)\n"
	      "      --max-version NAME  fail an ELF file that needs a symbol version of NAME's\n"
	      "                    family newer than NAME (GLIBC_2.28, GLIBCXX_3.4.25, CXXABI_1.3.11,\n"
	      "                    GCC_7.0.0; repeatable, one per family); implies --versions\n"
	      "      --glibc X.Y   short for --max-version GLIBC_X.Y\n"
	      "      --versions    under each dynamic ELF file, print per needed library the\n"
	      "                    highest version of each family and the symbols that need it\n"
	      "      --macos-min VERSION\n"
	      "                    a Mach-O executable whose minos is above VERSION (e.g. 11.0)\n"
	      "                    fails, as does one built for another platform\n"
	      "      --json        one JSON object per line and file (schema gorelink-check/2)\n"
	      "  -q, --quiet       print only the files that do not pass\n"
	      "  -e, --explain     under each file that does not pass, say why and what to do;\n"
	      "                    under each Go binary, the files it reads at run time\n"
	      "                    (CA roots, zoneinfo, /etc/passwd, resolver files)\n"
	      "      --scratch     a Go binary that reads at run time a file missing under the\n"
	      "                    root (and not embedded) does not pass\n"
	      "      --root DIR    the root for --scratch (default /; implies --scratch)\n"
	      "      --sbom        also print the manifest each binary carries (embedded by\n"
	      "                    gorelink; with --json the member \"manifest\": the manifest\n"
	      "                    itself, or null); see docs/sbom.md\n"
	      "  -h, --help        this text\n"
	      "\n"
	      "Exit status:\n"
	      "  0   every file passes\n"
	      "  1   at least one file does not pass\n"
	      "  2   some file could not be read or parsed (the others are still checked),\n"
	      "      or, with --sbom, carries a corrupt manifest\n"
	      "  3   with --sbom: every file passes, but some binary carries no manifest\n"
	      "  64  usage error\n"
	      "\n"
	      "See gorelink-check(1) and docs/check-json.md.\n", f);
}

/* "ELF 64-bit LSB x86-64", "Mach-O 64-bit arm64", "Mach-O universal: arm64, x86_64". */
static void
gr_check_describe(FILE *f, const struct gr_report *r)
{
	size_t i;
	const struct gr_image *img = &r->images[0];

	switch (r->format) {
	case GR_FMT_ELF:
		fprintf(f, "ELF %d-bit %s %s", img->bits, img->big_endian ? "MSB" : "LSB", img->arch);
		break;
	case GR_FMT_MACHO:
		fprintf(f, "Mach-O %d-bit%s %s", img->bits, img->big_endian ? " big-endian" : "",
		        img->arch);
		break;
	case GR_FMT_MACHO_FAT:
		fputs("Mach-O universal: ", f);
		for (i = 0; i < r->nimages; i++)
			fprintf(f, "%s%s", i ? ", " : "", r->images[i].arch);
		break;
	case GR_FMT_ARCHIVE:
		fputs("ar archive", f);
		break;
	}
}

/* Whether a problem code is one of the Mach-O load rules (issue 14). */
static bool
gr_check_is_load_rule(const char *code)
{
	return !strcmp(code, "data-const-writable") || !strcmp(code, "no-build-version") ||
	       !strcmp(code, "macos-min") || !strcmp(code, "no-code-signature");
}

static const char *
gr_check_nonexec_name(enum gr_verdict v)
{
	switch (v) {
	case GR_V_OBJECT: return "object";
	case GR_V_SHARED_LIBRARY: return "shared library";
	case GR_V_ARCHIVE: return "archive";
	case GR_V_CORE: return "core dump";
	case GR_V_DEBUG_INFO: return "separate debug information";
	default: return "other file type";
	}
}

/* A Mach-O image's platform and minimum OS, and the load rules it breaks:
 * "; macos 11.0 (sdk 11.0); fails data-const-writable". */
static void
gr_check_macho_rules_summary(FILE *f, const struct gr_image *img)
{
	const struct gr_macho_load *ml = &img->macho;
	char v[24];
	size_t k;
	bool first = true;

	if (ml->version_command) {
		fprintf(f, "; %s %s", ml->platform, gr_macho_version_str(ml->minos, v, sizeof(v)));
		fprintf(f, " (sdk %s)", ml->sdk ? gr_macho_version_str(ml->sdk, v, sizeof(v)) : "n/a");
	}
	for (k = 0; k < img->nproblems; k++) {
		if (!gr_check_is_load_rule(img->problems[k].code))
			continue;
		fprintf(f, "%s%s", first ? (img->problems[k].finding ? "; finding " : "; fails ") : ", ",
		        img->problems[k].code);
		first = false;
	}
}

/* What the image loads, for the one-line summary. */
static void
gr_check_details(FILE *f, const struct gr_image *img)
{
	size_t i, nsys = 0;
	bool first = true;

	if (img->format == GR_FMT_ELF) {
		if (img->interp)
			fprintf(f, "interpreter %s%s", img->interp, img->interp_accepted ? " (accepted)" : "");
		if (img->nneeded) {
			fputs(img->interp ? "; needs " : "needs ", f);
			for (i = 0; i < img->nneeded; i++)
				fprintf(f, "%s%s%s", i ? ", " : "", img->needed[i].name,
				        img->needed[i].allowed ? " (allowed)" : "");
			if (!img->interp)
				fputs("; but no interpreter loads them", f);
		}
		if (img->nglibc_static) {
			fputs("; but carries glibc's static libc.a (", f);
			for (i = 0; i < img->nglibc_static; i++)
				fprintf(f, "%s%s", i ? ", " : "", img->glibc_static[i]);
			fputc(')', f);
		}
		return;
	}
	if (img->interp && !img->interp_accepted) {
		fprintf(f, "dylinker %s", img->interp);
		first = false;
	}
	for (i = 0; i < img->nneeded; i++) {
		const struct gr_dep *d = &img->needed[i];
		if (d->origin == GR_ORIGIN_SYSTEM) {
			nsys++;
			continue;
		}
		fprintf(f, "%s%s %s (%s, %s)", first ? "" : "; ",
		        d->allowed ? "allowed" : "third-party", d->name, d->command,
		        gr_origin_name(d->origin));
		first = false;
	}
	fprintf(f, "%s%zu system dylib%s", first ? "" : "; ", nsys, nsys == 1 ? "" : "s");
	gr_check_macho_rules_summary(f, img);
}

static bool
gr_check_has_details(const struct gr_image *img)
{
	return img->executable && img->verdict != GR_V_STATIC && img->verdict != GR_V_STATIC_PIE;
}

static void gr_check_print_line_to(FILE *f, const struct gr_report *r);
static void gr_check_print_explain_to(FILE *f, const struct gr_report *r);

static void
gr_check_print_versions_to(FILE *f, const struct gr_report *r)
{
	gr_checkver_print(f, r->images[0].versions);
}

/* Print to out what fill writes for r: lines end in NUL there, since names
 * read from files may hold newlines; each line is printed with control
 * characters escaped. false when out of memory. */
static bool
gr_check_print_escaped(FILE *out, const struct gr_report *r, void (*fill)(FILE *, const struct gr_report *))
{
	char *buf = NULL;
	size_t n = 0, at, len;
	FILE *m = open_memstream(&buf, &n);

	if (!m)
		return false;
	fill(m, r);
	if (fclose(m) != 0 || !buf) {
		free(buf);
		return false;
	}
	for (at = 0; at < n; at += len + 1) {
		len = strnlen(buf + at, n - at);
		gr_cli_put_escaped(out, buf + at, len);
		fputc('\n', out);
	}
	free(buf);
	return true;
}

static void
gr_check_print_line(struct gr_check_run *run, const struct gr_report *r)
{
	if (!gr_check_print_escaped(run->out, r, gr_check_print_line_to))
		run->nomem = true;
}

void
gr_cmd_check_line(FILE *f, const struct gr_report *r)
{
	gr_check_print_escaped(f, r, gr_check_print_line_to);
}

void
gr_cmd_check_explain(FILE *f, const struct gr_report *r)
{
	gr_check_print_escaped(f, r, gr_check_print_explain_to);
}

static void
gr_check_print_explain(struct gr_check_run *run, const struct gr_report *r)
{
	if (!gr_check_print_escaped(run->out, r, gr_check_print_explain_to))
		run->nomem = true;
}

static void
gr_check_print_line_to(FILE *f, const struct gr_report *r)
{
	size_t i;

	fprintf(f, "%s: ", r->path);
	if (!r->executable) {
		fprintf(f, "not an executable: %s (", gr_check_nonexec_name(r->verdict));
		gr_check_describe(f, r);
		fputs(")", f);
		fputc('\0', f);
		return;
	}
	fprintf(f, "%s%s (", gr_verdict_name(r->verdict),
	        r->pass && r->verdict == GR_V_DYNAMIC ? ", allowed" : "");
	gr_check_describe(f, r);
	fputc(')', f);
	if (r->format == GR_FMT_MACHO_FAT) {
		bool first = true;
		for (i = 0; i < r->nimages; i++) {
			if (!gr_check_has_details(&r->images[i]))
				continue;
			fprintf(f, "%s%s: ", first ? ": " : "; ", r->images[i].arch);
			gr_check_details(f, &r->images[i]);
			first = false;
		}
	} else if (gr_check_has_details(&r->images[0])) {
		fputs(": ", f);
		gr_check_details(f, &r->images[0]);
	} else if (r->images[0].nglibc_runtime) {
		size_t k;
		fputs(": but carries glibc's", f);
		for (k = 0; k < r->images[0].nglibc_runtime; k++)
			fprintf(f, "%s %s", k ? "," : "", r->images[0].glibc_runtime[k]);
		fputs(", which need glibc's shared objects at run time", f);
	}
	for (i = 0; i < r->nimages; i++) {
		const struct gr_goinfo *gi = r->images[i].go;
		size_t k;
		for (k = 0; gi && k < gi->nfiles; k++)
			if (gi->files[k].checked && gi->files[k].missing)
				fprintf(f, "; but reads %s at run time, missing under the root", gi->files[k].id);
	}
	fputc('\0', f);
}

/* The files a Go binary reads at run time, one note each. */
static void
gr_check_explain_go(FILE *f, const struct gr_image *img, bool slice)
{
	size_t i, k;

	if (!img->go)
		return;
	for (i = 0; i < img->go->nfiles; i++) {
		const struct gr_runtime_file *rf = &img->go->files[i];
		if (slice)  /* a universal file: which slice, as for its problems */
			fprintf(f, "  [%s] ", img->arch);
		else
			fputs("  ", f);
		fprintf(f, "note: run-time files %s: %s (%s) reads %s", rf->id, rf->package, rf->because,
		        rf->any ? "one of " : "");
		for (k = 0; k < rf->npaths; k++)
			fprintf(f, "%s%s", k ? ", " : "", rf->paths[k]);
		if (rf->env)
			fprintf(f, " (override: %s)", rf->env);
		if (rf->embedded)
			fprintf(f, "; not needed: embedded by %s", rf->embedded_by);
		else if (rf->checked)
			fputs(rf->missing ? "; missing under the root" : "; present under the root", f);
		fputc('\0', f);
		if (!rf->embedded) {
			fprintf(f, "    fix: %s", rf->remedy);
			fputc('\0', f);
		}
		if (rf->note) {
			fprintf(f, "    note: %s", rf->note);
			fputc('\0', f);
		}
	}
}

/* The run-time file notes of every image (check --explain only: the
 * explanation gorelink build prints stays as it was). */
static void
gr_check_print_go_to(FILE *f, const struct gr_report *r)
{
	size_t i;

	for (i = 0; i < r->nimages; i++)
		gr_check_explain_go(f, &r->images[i], r->format == GR_FMT_MACHO_FAT);
}

static void
gr_check_print_explain_to(FILE *f, const struct gr_report *r)
{
	size_t i, k;

	for (i = 0; i < r->nimages; i++) {
		const struct gr_image *img = &r->images[i];
		size_t nnss = 0;
		bool iconv = false;
		for (k = 0; k < img->nglibc_runtime; k++) {
			if (!strcmp(img->glibc_runtime[k], "iconv_open"))
				iconv = true;
			else
				nnss++;
		}
		if (nnss && img->pass) {
			fputs("  note: glibc's NSS and dlopen load shared objects at run time even from a static binary;"
			      " build Go with -tags netgo,osusergo (gorelink --static does), drop dlopen users"
			      " (sqlite_omit_load_extension), or link against musl", f);
			fputc('\0', f);
		}
		if (iconv && img->pass) {
			/* Name the callers: -tags netgo,osusergo change nothing here. */
			fputs("  note: iconv_open, called from ", f);
			if (img->niconv_callers)
				for (k = 0; k < img->niconv_callers; k++)
					fprintf(f, "%s%s", k ? ", " : "", img->iconv_callers[k]);
			else
				fputs("code this check cannot name (no direct call found)", f);
			fputs(": glibc's iconv loads a gconv module (a shared object, with dlopen) for every charset"
			      " but its built-in ones (UTF-8, UTF-16, UTF-32, UCS-2, UCS-4, ASCII),"
			      " which a static binary can only do where the same glibc is installed;"
			      " convert only between those, link GNU libiconv's archive for the conversion,"
			      " or link against musl (Go build tags change nothing here)", f);
			fputc('\0', f);
		}
		for (k = 0; k < img->nproblems; k++) {
			const struct gr_problem *p = &img->problems[k];
			if (r->format == GR_FMT_MACHO_FAT)
				fprintf(f, "  [%s] ", img->arch);
			else
				fputs("  ", f);
			fprintf(f, "%s: %s", p->finding ? "finding" : "why", p->message);
			fputc('\0', f);
			if (p->remedy) {
				fprintf(f, "%s  fix: %s", r->format == GR_FMT_MACHO_FAT ? "  " : "", p->remedy);
				fputc('\0', f);
			}
		}
	}
}

/* "macho": what a Mach-O image tells dyld and the kernel (its load rules). */
static void
gr_check_json_macho(struct gr_json *j, const struct gr_macho_load *ml)
{
	char v[24];

	gr_json_obj_begin(j, "macho");
	gr_json_str(j, "filetype", gr_macho_filetype_name(ml->filetype));
	if (ml->data_const) {
		gr_json_obj_begin(j, "data_const");
		gr_json_int(j, "flags", (long long)ml->data_const_flags);
		gr_json_bool(j, "read_only", (ml->data_const_flags & 0x10u) != 0);
		gr_json_obj_end(j);
	} else {
		gr_json_str(j, "data_const", NULL);
	}
	gr_json_str(j, "version_command", ml->version_command);
	gr_json_str(j, "platform", ml->platform);
	gr_json_str(j, "minos", ml->version_command ? gr_macho_version_str(ml->minos, v, sizeof(v)) : NULL);
	gr_json_str(j, "sdk", ml->version_command && ml->sdk ? gr_macho_version_str(ml->sdk, v, sizeof(v)) : NULL);
	gr_json_bool(j, "code_signature", ml->code_signature);
	gr_json_obj_end(j);
}

/* The members every file object and every slice object share. */
/* "go" (build info, or null) and "runtime_files" (always an array). */
static void
gr_check_json_go(struct gr_json *j, const struct gr_goinfo *gi)
{
	size_t i;

	if (!gi) {
		gr_json_str(j, "go", NULL);
		gr_json_strs(j, "runtime_files", NULL, 0);
		return;
	}
	gr_json_obj_begin(j, "go");
	gr_json_str(j, "version", gi->go_version);
	gr_json_str(j, "path", gi->main_path);
	gr_json_str(j, "main_module", gi->main_module);
	gr_json_strs(j, "deps", gi->deps, gi->ndeps);
	gr_json_strs(j, "settings", gi->settings, gi->nsettings);
	gr_json_str(j, "symbols_from", gi->symbols_from);
	gr_json_obj_end(j);
	gr_json_arr_begin(j, "runtime_files");
	for (i = 0; i < gi->nfiles; i++) {
		const struct gr_runtime_file *f = &gi->files[i];
		gr_json_obj_begin(j, NULL);
		gr_json_str(j, "id", f->id);
		gr_json_str(j, "package", f->package);
		gr_json_str(j, "because", f->because);
		gr_json_strs(j, "paths", f->paths, f->npaths);
		gr_json_str(j, "need", f->any ? "any" : "all");
		gr_json_str(j, "env", f->env);
		gr_json_bool(j, "embedded", f->embedded);
		gr_json_str(j, "embedded_by", f->embedded_by);
		gr_json_str(j, "remedy", f->remedy);
		gr_json_str(j, "note", f->note);
		if (f->checked)
			gr_json_bool(j, "present", !f->missing);
		else
			gr_json_str(j, "present", NULL);
		gr_json_str(j, "missing", f->missing);
		gr_json_obj_end(j);
	}
	gr_json_arr_end(j);
}

static void
gr_check_json_image(struct gr_json *j, const struct gr_image *img)
{
	size_t i;

	gr_json_str(j, "format", gr_format_name(img->format));
	gr_json_str(j, "architecture", img->arch);
	if (img->bits)
		gr_json_int(j, "bits", img->bits);
	gr_json_str(j, "endian", img->bits ? (img->big_endian ? "big" : "little") : NULL);
	gr_json_str(j, "verdict", gr_verdict_name(img->verdict));
	gr_json_bool(j, "executable", img->executable);
	gr_json_bool(j, "pass", img->pass);
	gr_json_bool(j, "pie", img->pie);
	gr_json_str(j, "interpreter", img->interp);
	gr_json_bool(j, "interpreter_accepted", img->interp_accepted);
	gr_json_str(j, "soname", img->soname);
	gr_json_arr_begin(j, "needed");
	for (i = 0; i < img->nneeded; i++)
		gr_json_str(j, NULL, img->needed[i].name);
	gr_json_arr_end(j);
	gr_json_arr_begin(j, "dependencies");
	for (i = 0; i < img->nneeded; i++) {
		const struct gr_dep *d = &img->needed[i];
		gr_json_obj_begin(j, NULL);
		gr_json_str(j, "name", d->name);
		gr_json_str(j, "command", d->command);
		gr_json_str(j, "origin", gr_origin_name(d->origin));
		gr_json_bool(j, "allowed", d->allowed);
		gr_json_obj_end(j);
	}
	gr_json_arr_end(j);
	gr_json_strs(j, "glibc_runtime", img->glibc_runtime, img->nglibc_runtime);
	gr_json_strs(j, "iconv_callers", img->iconv_callers, img->niconv_callers);
	gr_json_strs(j, "glibc_static", img->glibc_static, img->nglibc_static);
	gr_json_strs(j, "rpath", img->rpath, img->nrpath);
	gr_json_strs(j, "runpath", img->runpath, img->nrunpath);
	gr_checkver_json(j, img->versions);
	gr_check_json_go(j, img->go);
	gr_json_arr_begin(j, "problems");
	for (i = 0; i < img->nproblems; i++) {
		gr_json_obj_begin(j, NULL);
		gr_json_str(j, "code", img->problems[i].code);
		gr_json_str(j, "message", img->problems[i].message);
		gr_json_str(j, "remedy", img->problems[i].remedy);
		if (gr_check_is_load_rule(img->problems[i].code))
			gr_json_str(j, "severity", img->problems[i].finding ? "finding" : "failure");
		gr_json_obj_end(j);
	}
	gr_json_arr_end(j);
	if (img->format == GR_FMT_MACHO)
		gr_check_json_macho(j, &img->macho);
}

/* "arm64,x86_64": the slices' architectures, comma-separated (malloc'd). */
static char *
gr_check_join_archs(const struct gr_report *r)
{
	size_t i, n = 1, at = 0;
	char *s;

	for (i = 0; i < r->nimages; i++)
		n += strlen(r->images[i].arch) + 1;
	s = malloc(n);
	if (!s)
		return NULL;
	for (i = 0; i < r->nimages; i++) {
		size_t l = strlen(r->images[i].arch);
		if (i)
			s[at++] = ',';
		memcpy(s + at, r->images[i].arch, l);
		at += l;
	}
	s[at] = '\0';
	return s;
}

static bool gr_check_json_obj(struct gr_json *j, const char *key, const struct gr_report *r, bool counted,
                              const struct gr_check_run *sbom);

static void
gr_check_print_json(struct gr_check_run *run, const struct gr_report *r, bool counted)
{
	if (!gr_check_json_obj(&run->j, NULL, r, counted, run->o->sbom ? run : NULL))
		run->nomem = true;
	fputc('\n', run->out);
}

bool
gr_cmd_check_json(struct gr_json *j, const char *key, const struct gr_report *r, bool counted)
{
	return gr_check_json_obj(j, key, r, counted, NULL);
}

/* gr_cmd_check_json; with sbom (--sbom) the member "manifest" too: the
 * embedded manifest itself (checked to be a JSON object), or null. */
static bool
gr_check_json_obj(struct gr_json *j, const char *key, const struct gr_report *r, bool counted,
                  const struct gr_check_run *sbom)
{
	size_t i, k, m;
	char *archs;

	gr_json_obj_begin(j, key);
	gr_json_str(j, "schema", GR_CHECK_SCHEMA);
	gr_json_str(j, "path", r->path);
	if (r->format != GR_FMT_MACHO_FAT) {
		gr_check_json_image(j, &r->images[0]);
	} else {
		gr_json_str(j, "format", gr_format_name(r->format));
		archs = gr_check_join_archs(r);
		if (!archs) {
			gr_json_obj_end(j);
			return false;
		}
		gr_json_str(j, "architecture", archs);
		free(archs);
		gr_json_str(j, "verdict", gr_verdict_name(r->verdict));
		gr_json_bool(j, "executable", r->executable);
		gr_json_bool(j, "pass", r->pass);
		gr_json_str(j, "interpreter", NULL);
		/* Every distinct dylib across the slices, in order of first appearance. */
		gr_json_arr_begin(j, "needed");
		for (i = 0; i < r->nimages; i++)
			for (k = 0; k < r->images[i].nneeded; k++) {
				const char *n = r->images[i].needed[k].name;
				bool seen = false;
				for (m = 0; m < i && !seen; m++) {
					size_t q;
					for (q = 0; q < r->images[m].nneeded && !seen; q++)
						seen = strcmp(r->images[m].needed[q].name, n) == 0;
				}
				for (m = 0; m < k && !seen; m++)
					seen = strcmp(r->images[i].needed[m].name, n) == 0;
				if (!seen)
					gr_json_str(j, NULL, n);
			}
		gr_json_arr_end(j);
		gr_json_strs(j, "rpath", NULL, 0);
		gr_json_strs(j, "runpath", NULL, 0);
		gr_json_arr_begin(j, "problems");
		for (i = 0; i < r->nimages; i++)
			for (k = 0; k < r->images[i].nproblems; k++) {
				const struct gr_problem *p = &r->images[i].problems[k];
				gr_json_obj_begin(j, NULL);
				gr_json_str(j, "code", p->code);
				gr_json_str(j, "architecture", r->images[i].arch);
				gr_json_str(j, "message", p->message);
				gr_json_str(j, "remedy", p->remedy);
				if (gr_check_is_load_rule(p->code))
					gr_json_str(j, "severity", p->finding ? "finding" : "failure");
				gr_json_obj_end(j);
			}
		gr_json_arr_end(j);
		gr_json_arr_begin(j, "slices");
		for (i = 0; i < r->nimages; i++) {
			gr_json_obj_begin(j, NULL);
			gr_check_json_image(j, &r->images[i]);
			gr_json_obj_end(j);
		}
		gr_json_arr_end(j);
	}
	gr_json_bool(j, "counted", counted);
	if (sbom && sbom->manifest)
		gr_json_raw(j, "manifest", sbom->manifest->text);
	else if (sbom)
		gr_json_str(j, "manifest", NULL);
	gr_json_obj_end(j);
	return true;
}

static void
gr_check_report_error(struct gr_check_run *run, const char *path, const struct gr_error *e)
{
	struct gr_json *j = &run->j;

	run->errored = true;
	if (e->code == GR_ENOMEM)
		run->nomem = true;
	gr_cli_diag(run->err, "%s", e->msg);
	if (!run->o->json)
		return;
	gr_json_obj_begin(j, NULL);
	gr_json_str(j, "schema", GR_CHECK_SCHEMA);
	gr_json_str(j, "path", path);
	gr_json_str(j, "format", NULL);
	gr_json_str(j, "verdict", "error");
	gr_json_bool(j, "executable", false);
	gr_json_bool(j, "pass", false);
	gr_json_obj_begin(j, "error");
	gr_json_str(j, "code", gr_status_name(e->code));
	gr_json_str(j, "message", e->msg);
	gr_json_obj_end(j);
	gr_json_bool(j, "counted", true);
	gr_json_obj_end(j);
	fputc('\n', run->out);
}

/* --sbom, plain: the manifest's format, where it lies and its top-level
 * members (strings as they are, arrays and objects counted), or that there is none. */
static void
gr_check_print_manifest(FILE *f, const struct gr_embed_manifest *m)
{
	size_t i;
	const unsigned char *p;

	if (!m) {
		fputs("  manifest: none (not built by gorelink, built with --no-manifest, or removed)\n", f);
		return;
	}
	fprintf(f, "  manifest: %s, %zu bytes, in the %s", m->format, m->len, m->where);
	if (m->nslices > 1)
		fprintf(f, " (%zu slices carry one; this is the first)", m->nslices);
	fputc('\n', f);
	for (i = 0; i < m->nmembers; i++) {
		const struct gr_embed_member *x = &m->members[i];
		if (!strcmp(x->key, "format"))
			continue;
		fputs("    ", f);
		for (p = (const unsigned char *)x->key; *p; p++)
			fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, f);
		if (x->type == 's' && strchr(x->str, '\n')) {  /* the compact form: lines, shown by --json */
			fprintf(f, ": %zu bytes (see --json)\n", strlen(x->str));
		} else if (x->type == 's') {
			fputs(": ", f);
			for (p = (const unsigned char *)x->str; *p; p++)
				fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, f);
			fputc('\n', f);
		} else if (x->type == 'a') {
			fprintf(f, ": %zu %s\n", x->count, x->count == 1 ? "entry" : "entries");
		} else if (x->type == 'o') {
			fprintf(f, ": %zu %s\n", x->count, x->count == 1 ? "member" : "members");
		} else {
			fputs(": (see --json)\n", f);
		}
	}
}

/* Print one report; counted is false for non-executables met during a walk. */
static void
gr_check_report(struct gr_check_run *run, struct gr_report *r, bool counted)
{
	bool fails;
	struct gr_error e;
	struct gr_arena ma;
	struct gr_embed_manifest m;

	gr_error_clear(&e);
	if (run->o->scratch && gr_check_scratch(r, run->o->root, &e)) {
		gr_check_report_error(run, r->path, &e);
		return;
	}
	fails = counted && !r->pass;
	gr_arena_init(&ma);
	run->manifest = NULL;
	if (run->o->sbom && r->format != GR_FMT_ARCHIVE) {
		int mrc = gr_embed_read(r->path, &ma, &m, &e);
		if (mrc == GR_OK) {
			run->manifest = &m;
		} else if (mrc != GR_ENOTFOUND) {
			gr_check_report_error(run, r->path, &e);
			gr_arena_deinit(&ma);
			return;
		} else if (counted) {
			run->unmanifested = true;
		}
	}

	if (fails)
		run->failed = true;
	if (run->o->quiet && !fails && !(run->o->sbom && counted && !run->manifest)) {
		gr_arena_deinit(&ma);
		return;
	}
	if (run->o->json) {
		gr_check_print_json(run, r, counted);
		gr_arena_deinit(&ma);
		return;
	}
	gr_check_print_line(run, r);
	if (run->o->sbom && r->format != GR_FMT_ARCHIVE)
		gr_check_print_manifest(run->out, run->manifest);
	gr_arena_deinit(&ma);
	run->manifest = NULL;
	if (run->o->versions && r->nimages == 1 && r->images[0].versions &&
	    !gr_check_print_escaped(run->out, r, gr_check_print_versions_to))
		run->nomem = true;
	if (run->o->explain && (fails || (r->nimages == 1 && r->images[0].nglibc_runtime)))
		gr_check_print_explain(run, r);
	if (run->o->explain && !gr_check_print_escaped(run->out, r, gr_check_print_go_to))
		run->nomem = true;
}

static int
gr_check_walk_file(void *ctx, int dirfd, const char *name, const char *path)
{
	struct gr_check_run *run = ctx;
	struct gr_report *r = NULL;
	struct gr_error e;
	int fd, rc;

	gr_error_clear(&e);
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		gr_error_set(&e, GR_EIO, errno, "%s: %s", path, strerror(errno));
		gr_check_report_error(run, path, &e);
		return 0;
	}
	rc = gr_check_guarded(run, fd, path, &r, &e);
	close(fd);
	if (rc == GR_ENOTBIN)
		return 0;  /* a walk passes over non-binaries without a word */
	if (rc) {
		gr_check_report_error(run, path, &e);
		return rc == GR_ENOMEM ? rc : 0;
	}
	gr_check_report(run, r, r->executable);
	gr_report_free(r);
	return 0;
}

static void
gr_check_walk_error(void *ctx, const char *path, const struct gr_error *e)
{
	gr_check_report_error(ctx, path, e);
}

static void
gr_check_operand(struct gr_check_run *run, const char *path)
{
	struct gr_report *r = NULL;
	struct gr_error e;
	struct stat st;

	gr_error_clear(&e);
	if (run->o->recursive && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		static const struct gr_walk_ops ops = { gr_check_walk_file, gr_check_walk_error };
		if (gr_walk(path, &ops, run, &e) && e.code != GR_OK)
			gr_check_report_error(run, path, &e);
		return;
	}
	if (gr_check_guarded(run, -1, path, &r, &e)) {
		gr_check_report_error(run, path, &e);
		return;
	}
	gr_check_report(run, r, true);
	gr_report_free(r);
}

int
gr_cmd_check(int argc, char **argv, FILE *out, FILE *err)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "allow", required_argument, NULL, 'a' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "explain", no_argument, NULL, 'e' },
		{ "recursive", no_argument, NULL, 'R' },
		{ "macos-min", required_argument, NULL, 'M' },
		{ "max-version", required_argument, NULL, 'X' },
		{ "glibc", required_argument, NULL, 'G' },
		{ "versions", no_argument, NULL, 'V' },
		{ "scratch", no_argument, NULL, 's' },
		{ "root", required_argument, NULL, 'r' },
		{ "sbom", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct gr_check_opts o;
	struct gr_check_run run;
	const char **allow = NULL;
	struct gr_vermax *maxver;
	struct gr_arena va;
	int c, i;

	memset(&o, 0, sizeof(o));
	gr_arena_init(&va);
	allow = calloc((size_t)argc + 1, sizeof(*allow));
	maxver = gr_arena_alloc(&va, ((size_t)argc + 1) * sizeof(*maxver));
	o.pol.maxver = maxver;
	if (!allow || !maxver) {
		free(allow);
		gr_arena_deinit(&va);
		gr_cli_diag(err, "check: out of memory");
		return GR_EXIT_ERROR;
	}
	optind = 0;  /* restart getopt: the tests run the CLI more than once per process */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":qeRh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': o.json = true; break;
		case 'a': allow[o.pol.nallow++] = optarg; break;
		case 'q': o.quiet = true; break;
		case 'e': o.explain = true; break;
		case 'R': o.recursive = true; break;
		case 'M':
			if (!gr_macho_version_parse(optarg, &o.pol.macos_min) || o.pol.macos_min == 0) {
				gr_cli_diag(err, "check: --macos-min '%s' is not a macOS version such as 11.0 or 10.15.4; see 'gorelink check --help'",
				            optarg);
				free(allow);
				gr_arena_deinit(&va);
				return GR_EXIT_USAGE;
			}
			break;
		case 'V': o.versions = true; break;
		case 'X':
		case 'G':
			o.versions = true;
			if (!gr_checkver_add_max(maxver, &o.pol.nmaxver, optarg, c == 'G', &va,
			                         c == 'G' ? "check: --glibc" : "check: --max-version", err)) {
				free(allow);
				gr_arena_deinit(&va);
				return GR_EXIT_USAGE;
			}
			break;
		case 's': o.scratch = true; break;
		case 'S': o.sbom = true; break;
		case 'r': o.scratch = true; o.root = optarg; break;
		case 'h':
			gr_cmd_check_usage(out);
			free(allow);
			gr_arena_deinit(&va);
			return GR_EXIT_OK;
		case ':':
			gr_cli_diag(err, "check: option '%s' needs an argument; see 'gorelink check --help'",
			            argv[optind - 1]);
			free(allow);
			gr_arena_deinit(&va);
			return GR_EXIT_USAGE;
		default:
			if (optopt && optopt < 256)
				gr_cli_diag(err, "check: unknown option '-%c'; see 'gorelink check --help'", optopt);
			else
				gr_cli_diag(err, "check: unknown option '%s'; see 'gorelink check --help'",
				            argv[optind - 1]);
			free(allow);
			gr_arena_deinit(&va);
			return GR_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		gr_cli_diag(err, "check: no PATH given; see 'gorelink check --help'");
		free(allow);
		gr_arena_deinit(&va);
		return GR_EXIT_USAGE;
	}
	o.pol.allow = allow;
	if (o.scratch) {
		struct stat st;
		if (!o.root)
			o.root = "/";
		if (stat(o.root, &st) != 0 || !S_ISDIR(st.st_mode)) {
			gr_cli_diag(err, "check: --root %s: not a directory", o.root);
			free(allow);
			return GR_EXIT_USAGE;
		}
	}

	memset(&run, 0, sizeof(run));
	run.o = &o;
	run.out = out;
	run.err = err;
	gr_json_init(&run.j, out);
	for (i = optind; i < argc && !run.nomem; i++)
		gr_check_operand(&run, argv[i]);
	free(allow);
	gr_arena_deinit(&va);
	if (fflush(out) != 0 || ferror(out)) {
		gr_cli_diag(err, "check: cannot write the report: %s", strerror(errno));
		return GR_EXIT_ERROR;
	}
	if (run.errored)
		return GR_EXIT_ERROR;
	if (run.failed)
		return GR_EXIT_FAIL;
	return run.unmanifested ? GR_EXIT_NO_MANIFEST : GR_EXIT_OK;
}
