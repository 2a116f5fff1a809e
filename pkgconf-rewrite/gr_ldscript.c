#include "gr_ldscript.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/*
 * The lexer follows GNU ld's ld/ldlex.l (read in binutils 2.42; the behaviour was
 * checked against Debian 12's ld 2.40).  Top-level commands are read in its
 * SCRIPT start condition and the lists of INPUT/GROUP/AS_NEEDED in its INPUTLIST
 * condition.  In both, an unquoted name is FILENAMECHAR1 FILENAMECHAR*, so a
 * comma written directly after a name is part of the name ("a.o,b.o" is one
 * file); a comma only separates when it starts a token.  Inside a list,
 * "-l" FILENAMECHAR+ is a library and "=" FILENAMECHAR1 FILENAMECHAR* a
 * sysroot-relative name.  "#" comments exist only outside lists.  The grammar
 * is ld/ldgram.y's ifile_p1 and input_list1.
 */

enum gr_ld_tok {
	GR_LT_EOF,
	GR_LT_NAME,    /* an unquoted name (or command word) */
	GR_LT_QNAME,   /* a "quoted" name; text excludes the quotes */
	GR_LT_LNAME,   /* -lNAME inside a list; text excludes the "-l" */
	GR_LT_LPAREN,
	GR_LT_RPAREN,
	GR_LT_COMMA,
	GR_LT_SEMI,
};

struct gr_ld_token {
	enum gr_ld_tok kind;
	const char *text;
	size_t len;
	unsigned line;
};

struct gr_ld_parser {
	const char *buf;
	size_t len, pos;
	unsigned line;
	const char *path;
	struct gr_error *err;
	struct gr_ldscript *s;
	size_t inputs_cap, dirs_cap;
	size_t ncommands;
	unsigned format_line;  /* line of the first OUTPUT_FORMAT, 0 if none yet */
};

/* FILENAMECHAR1 of ldlex.l: the first character of an unquoted name. */
static bool
gr_ld_namechar1(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '/' ||
	       c == '.' || c == '\\' || c == '$' || c == '~';
}

/* FILENAMECHAR of ldlex.l: the other characters of an unquoted name. */
static bool
gr_ld_namechar(unsigned char c)
{
	return gr_ld_namechar1(c) || (c >= '0' && c <= '9') || c == '-' || c == '+' || c == ':' ||
	       c == '[' || c == ']' || c == ',' || c == '=';
}

/* Record "PATH:LINE: reason" as a format error. */
static int
gr_ld_fail(struct gr_ld_parser *ps, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
gr_ld_fail(struct gr_ld_parser *ps, unsigned line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return gr_error_set(ps->err, GR_EFORMAT, 0, "%s:%u: %s", ps->path, line, msg);
}

static int
gr_ld_nomem(struct gr_ld_parser *ps)
{
	return gr_error_set(ps->err, GR_ENOMEM, 0, "%s: out of memory", ps->path);
}

/* Render a character for a message: 'c', or '\ooo' when not printable ASCII. */
static void
gr_ld_charname(unsigned char c, char *buf, size_t n)
{
	if (c >= 0x20 && c < 0x7f)
		snprintf(buf, n, "'%c'", c);
	else
		snprintf(buf, n, "'\\%03o'", (unsigned)c);
}

/* Render a token for a message, shortening long names and masking odd bytes. */
static void
gr_ld_describe(const struct gr_ld_token *t, char *buf, size_t n)
{
	const char *open = "'", *close = "'", *prefix = "";
	size_t i, o, max = 60;

	switch (t->kind) {
	case GR_LT_EOF: snprintf(buf, n, "end of file"); return;
	case GR_LT_LPAREN: snprintf(buf, n, "'('"); return;
	case GR_LT_RPAREN: snprintf(buf, n, "')'"); return;
	case GR_LT_COMMA: snprintf(buf, n, "','"); return;
	case GR_LT_SEMI: snprintf(buf, n, "';'"); return;
	case GR_LT_QNAME: open = close = "\""; break;
	case GR_LT_LNAME: prefix = "-l"; break;
	case GR_LT_NAME: break;
	}
	o = (size_t)snprintf(buf, n, "%s%s", open, prefix);
	for (i = 0; i < t->len && i < max && o + 5 < n; i++) {
		unsigned char c = (unsigned char)t->text[i];
		buf[o++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	if (i < t->len && o + 5 < n) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	snprintf(buf + o, n - o, "%s", close);
}

/* Skip a C comment that opens at ps->pos; comments do not nest. */
static int
gr_ld_comment(struct gr_ld_parser *ps)
{
	unsigned start = ps->line;
	size_t i;

	for (i = ps->pos + 2; i < ps->len; i++) {
		if (ps->buf[i] == '\n')
			ps->line++;
		else if (ps->buf[i] == '*' && i + 1 < ps->len && ps->buf[i + 1] == '/') {
			ps->pos = i + 2;
			return GR_OK;
		}
	}
	return gr_ld_fail(ps, start, "unterminated comment: '/*' has no closing '*/'");
}

/* Read a run of FILENAMECHAR starting at from; return its end. */
static size_t
gr_ld_run(const struct gr_ld_parser *ps, size_t from)
{
	while (from < ps->len && gr_ld_namechar((unsigned char)ps->buf[from]))
		from++;
	return from;
}

/* Lex the next token; in_list selects ldlex.l's INPUTLIST rules over SCRIPT's. */
static int
gr_ld_next(struct gr_ld_parser *ps, bool in_list, struct gr_ld_token *t)
{
	const char *b = ps->buf;
	unsigned char c;
	char cn[8];
	size_t end;
	int rc;

	for (;;) {
		if (ps->pos >= ps->len) {
			t->kind = GR_LT_EOF;
			t->text = b + ps->len;
			t->len = 0;
			t->line = ps->line;
			return GR_OK;
		}
		c = (unsigned char)b[ps->pos];
		if (c == '\n') {
			ps->line++;
			ps->pos++;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			ps->pos++;
		} else if (c == '/' && ps->pos + 1 < ps->len && b[ps->pos + 1] == '*') {
			if ((rc = gr_ld_comment(ps)))
				return rc;
		} else if (c == '#' && !in_list) {
			const char *nl = memchr(b + ps->pos, '\n', ps->len - ps->pos);
			ps->pos = nl ? (size_t)(nl - b) : ps->len;
		} else {
			break;
		}
	}

	t->line = ps->line;
	t->text = b + ps->pos;
	t->len = 1;
	switch (c) {
	case '(': t->kind = GR_LT_LPAREN; ps->pos++; return GR_OK;
	case ')': t->kind = GR_LT_RPAREN; ps->pos++; return GR_OK;
	case ',': t->kind = GR_LT_COMMA; ps->pos++; return GR_OK;
	case ';':
		if (in_list)
			break;
		t->kind = GR_LT_SEMI;
		ps->pos++;
		return GR_OK;
	case '"': {
		/* "[^"]*": anything but a quote, newlines included. */
		const char *q = memchr(b + ps->pos + 1, '"', ps->len - ps->pos - 1);
		size_t i;

		if (!q)
			return gr_ld_fail(ps, t->line, "unterminated quoted name: '\"' has no closing '\"'");
		t->kind = GR_LT_QNAME;
		t->text = b + ps->pos + 1;
		t->len = (size_t)(q - t->text);
		for (i = 0; i < t->len; i++)
			if (t->text[i] == '\n')
				ps->line++;
		ps->pos = (size_t)(q - b) + 1;
		return GR_OK;
	}
	case '-':
		if (!in_list)
			break;
		if (ps->pos + 2 < ps->len && b[ps->pos + 1] == 'l' &&
		    gr_ld_namechar((unsigned char)b[ps->pos + 2])) {
			end = gr_ld_run(ps, ps->pos + 2);
			t->kind = GR_LT_LNAME;
			t->text = b + ps->pos + 2;
			t->len = end - (ps->pos + 2);
			ps->pos = end;
			return GR_OK;
		}
		return gr_ld_fail(ps, t->line, "'-' here must start -lNAME (a library to search for)");
	case '=':
		if (!in_list)
			break;
		if (ps->pos + 1 < ps->len && gr_ld_namechar1((unsigned char)b[ps->pos + 1])) {
			end = gr_ld_run(ps, ps->pos + 1);
			t->kind = GR_LT_NAME;
			t->len = end - ps->pos;
			ps->pos = end;
			return GR_OK;
		}
		return gr_ld_fail(ps, t->line, "'=' must be followed by a file name");
	default:
		if (gr_ld_namechar1(c)) {
			end = gr_ld_run(ps, ps->pos);
			t->kind = GR_LT_NAME;
			t->len = end - ps->pos;
			ps->pos = end;
			return GR_OK;
		}
	}
	gr_ld_charname(c, cn, sizeof(cn));
	return gr_ld_fail(ps, t->line, "invalid character %s %s%s", cn,
	                  in_list ? "in a file list" : "in a linker script",
	                  c < 0x20 || c >= 0x7f ? " (not a text linker script?)" : "");
}

static bool
gr_ld_is(const struct gr_ld_token *t, const char *word)
{
	size_t n = strlen(word);

	return t->kind == GR_LT_NAME && t->len == n && memcmp(t->text, word, n) == 0;
}

/* Append an input named by token t. */
static int
gr_ld_add_input(struct gr_ld_parser *ps, const struct gr_ld_token *t, bool as_needed, int group)
{
	struct gr_ldscript *s = ps->s;
	struct gr_ldscript_input *in;
	void *arr = s->inputs;
	char *name;

	if (t->len == 0)
		return gr_ld_fail(ps, t->line, "empty file name \"\"");
	if (t->kind == GR_LT_LNAME && t->len == 1 && t->text[0] == ':')
		return gr_ld_fail(ps, t->line, "'-l:' names no file");
	if (!gr_arena_grow(&s->arena, &arr, s->ninputs, &ps->inputs_cap, sizeof(*s->inputs)))
		return gr_ld_nomem(ps);
	s->inputs = arr;
	if (!(name = gr_arena_strndup(&s->arena, t->text, t->len)))
		return gr_ld_nomem(ps);
	in = &s->inputs[s->ninputs++];
	in->name = name;
	in->is_lib = t->kind == GR_LT_LNAME;
	in->as_needed = as_needed;
	in->group = group;
	return GR_OK;
}

/* Read '(' after command cmd; its line goes to *open_line. */
static int
gr_ld_lparen(struct gr_ld_parser *ps, bool in_list, const char *cmd, unsigned *open_line)
{
	struct gr_ld_token t;
	char d[80];
	int rc;

	if ((rc = gr_ld_next(ps, in_list, &t)))
		return rc;
	if (t.kind != GR_LT_LPAREN) {
		gr_ld_describe(&t, d, sizeof(d));
		return gr_ld_fail(ps, t.line, "expected '(' after %s, found %s", cmd, d);
	}
	*open_line = t.line;
	return GR_OK;
}

/* Read the name argument of a SCRIPT-state command into t. */
static int
gr_ld_arg(struct gr_ld_parser *ps, const char *cmd, struct gr_ld_token *t)
{
	char d[80];
	int rc;

	if ((rc = gr_ld_next(ps, false, t)))
		return rc;
	if (t->kind != GR_LT_NAME && t->kind != GR_LT_QNAME) {
		gr_ld_describe(t, d, sizeof(d));
		return gr_ld_fail(ps, t->line, "%s expects a name, found %s", cmd, d);
	}
	if (t->len == 0)
		return gr_ld_fail(ps, t->line, "%s has an empty name \"\"", cmd);
	return GR_OK;
}

/* Explain an unexpected token after a name argument of cmd. */
static int
gr_ld_after_arg(struct gr_ld_parser *ps, const char *cmd, const struct gr_ld_token *prev,
                const struct gr_ld_token *t, const char *expected)
{
	char d[80];
	bool glued = prev->kind == GR_LT_NAME && prev->len && prev->text[prev->len - 1] == ',';

	gr_ld_describe(t, d, sizeof(d));
	return gr_ld_fail(ps, t->line, "%s: expected %s, found %s%s", cmd, expected, d,
	                  glued ? " (as in GNU ld, a ',' written right after a name is part of "
	                          "the name; put a space before it)" : "");
}

/* Read "(NAME)" for a one-argument command; the name goes to *name (arena copy) if asked. */
static int
gr_ld_one_arg(struct gr_ld_parser *ps, const char *cmd, const char **name, struct gr_ld_token *arg)
{
	struct gr_ld_token t;
	unsigned open_line;
	int rc;

	if ((rc = gr_ld_lparen(ps, false, cmd, &open_line)) || (rc = gr_ld_arg(ps, cmd, arg)) ||
	    (rc = gr_ld_next(ps, false, &t)))
		return rc;
	if (t.kind != GR_LT_RPAREN)
		return gr_ld_after_arg(ps, cmd, arg, &t, "')'");
	if (name && !(*name = gr_arena_strndup(&ps->s->arena, arg->text, arg->len)))
		return gr_ld_nomem(ps);
	return GR_OK;
}

/* OUTPUT_FORMAT(default) or OUTPUT_FORMAT(default, big, little). */
static int
gr_ld_output_format(struct gr_ld_parser *ps, unsigned cmd_line)
{
	const char *cmd = "OUTPUT_FORMAT";
	struct gr_ld_token arg[3], t;
	struct gr_ldscript *s = ps->s;
	unsigned open_line;
	size_t n = 0, i;
	int rc;

	if ((rc = gr_ld_lparen(ps, false, cmd, &open_line)))
		return rc;
	for (;;) {
		if ((rc = gr_ld_arg(ps, cmd, &arg[n])))
			return rc;
		n++;
		if ((rc = gr_ld_next(ps, false, &t)))
			return rc;
		if (t.kind == GR_LT_RPAREN && (n == 1 || n == 3))
			break;
		if (n == 1 && t.kind != GR_LT_COMMA)
			return gr_ld_after_arg(ps, cmd, &arg[0], &t, "',' or ')'");
		if (n == 2 && t.kind != GR_LT_COMMA)
			return gr_ld_after_arg(ps, cmd, &arg[1], &t,
			                       "',' (it takes one name or three: default, big, little)");
		if (n == 3)
			return gr_ld_after_arg(ps, cmd, &arg[2], &t, "')' after its third name");
	}
	if (ps->format_line) {
		/* ld's search-time check compares every OUTPUT_FORMAT; we keep one. */
		bool same = n == s->noutput_format;
		for (i = 0; same && i < n; i++)
			same = strlen(s->output_format[i]) == arg[i].len &&
			       memcmp(s->output_format[i], arg[i].text, arg[i].len) == 0;
		if (!same)
			return gr_ld_fail(ps, cmd_line,
			                  "OUTPUT_FORMAT differs from the one on line %u", ps->format_line);
		return GR_OK;
	}
	for (i = 0; i < n; i++)
		if (!(s->output_format[i] = gr_arena_strndup(&s->arena, arg[i].text, arg[i].len)))
			return gr_ld_nomem(ps);
	s->noutput_format = n;
	ps->format_line = cmd_line;
	return GR_OK;
}

/* The list of INPUT( or GROUP( up to its ')' (ldgram.y input_list1); AS_NEEDED nests. */
static int
gr_ld_list(struct gr_ld_parser *ps, const char *cmd, unsigned open_line, int group)
{
	struct gr_ld_token t;
	size_t depth = 0;          /* open AS_NEEDED ( ... ) levels */
	bool have_item = false;    /* the current level has an item */
	bool after_comma = false;  /* the last token was a separating ',' */
	char d[80];
	int rc;

	for (;;) {
		if ((rc = gr_ld_next(ps, true, &t)))
			return rc;
		switch (t.kind) {
		case GR_LT_EOF:
			return gr_ld_fail(ps, t.line, "missing ')': %s( on line %u is not closed%s", cmd,
			                  open_line, depth ? " (nor is an AS_NEEDED( inside it)" : "");
		case GR_LT_NAME:
			if (gr_ld_is(&t, "AS_NEEDED")) {
				unsigned as_line;
				if ((rc = gr_ld_lparen(ps, true, "AS_NEEDED", &as_line)))
					return rc;
				depth++;
				have_item = false;
				after_comma = false;
				continue;
			}
			/* fall through */
		case GR_LT_QNAME:
		case GR_LT_LNAME:
			if ((rc = gr_ld_add_input(ps, &t, depth > 0, group)))
				return rc;
			have_item = true;
			after_comma = false;
			break;
		case GR_LT_COMMA:
			if (!have_item || after_comma)
				return gr_ld_fail(ps, t.line, "unexpected ',' in %s( (a ',' goes between two names)",
				                  cmd);
			after_comma = true;
			break;
		case GR_LT_RPAREN:
			if (after_comma)
				return gr_ld_fail(ps, t.line, "a ',' before ')' must be followed by a name");
			if (!have_item)
				return gr_ld_fail(ps, t.line, "empty %s( ) list: it needs at least one file",
				                  depth ? "AS_NEEDED" : cmd);
			if (depth == 0)
				return GR_OK;
			depth--;
			break;
		case GR_LT_LPAREN:
		case GR_LT_SEMI:
			gr_ld_describe(&t, d, sizeof(d));
			return gr_ld_fail(ps, t.line, "unexpected %s in %s( (only file names, -lNAME and "
			                  "AS_NEEDED( ) may appear)", d, cmd);
		}
	}
}

/* Commands of ld's SCRIPT state that an implicit script would not need. */
static const char *const gr_ld_unsupported[] = {
	"SECTIONS", "MEMORY", "PHDRS", "VERSION", "INCLUDE", "INSERT", "OUTPUT", "MAP",
	"REGION_ALIAS", "LD_FEATURE", "EXTERN", "NOCROSSREFS", "NOCROSSREFS_TO", "ASSERT",
	"PROVIDE", "PROVIDE_HIDDEN", "HIDDEN", "FORCE_COMMON_ALLOCATION",
	"FORCE_GROUP_ALLOCATION", "INHIBIT_COMMON_ALLOCATION", "HLL", "SYSLIB", "FLOAT",
	"NOFLOAT", "CHIP",
};

/* One top-level command starting with word t. */
static int
gr_ld_command(struct gr_ld_parser *ps, const struct gr_ld_token *t)
{
	struct gr_ldscript *s = ps->s;
	struct gr_ld_token arg;
	unsigned open_line;
	char d[80];
	size_t i;
	int rc;

	ps->ncommands++;
	if (gr_ld_is(t, "INPUT")) {
		if ((rc = gr_ld_lparen(ps, false, "INPUT", &open_line)))
			return rc;
		return gr_ld_list(ps, "INPUT", open_line, 0);
	}
	if (gr_ld_is(t, "GROUP")) {
		if (s->ngroups == INT_MAX)
			return gr_ld_fail(ps, t->line, "too many GROUP commands");
		if ((rc = gr_ld_lparen(ps, false, "GROUP", &open_line)))
			return rc;
		s->ngroups++;
		return gr_ld_list(ps, "GROUP", open_line, s->ngroups);
	}
	if (gr_ld_is(t, "STARTUP")) {
		/* STARTUP(file) is one input file, linked like INPUT(file). */
		if ((rc = gr_ld_one_arg(ps, "STARTUP", NULL, &arg)))
			return rc;
		return gr_ld_add_input(ps, &arg, false, 0);
	}
	if (gr_ld_is(t, "OUTPUT_FORMAT"))
		return gr_ld_output_format(ps, t->line);
	if (gr_ld_is(t, "SEARCH_DIR")) {
		void *arr = s->search_dirs;
		const char *dir;
		if ((rc = gr_ld_one_arg(ps, "SEARCH_DIR", &dir, &arg)))
			return rc;
		if (!gr_arena_grow(&s->arena, &arr, s->nsearch_dirs, &ps->dirs_cap, sizeof(*s->search_dirs)))
			return gr_ld_nomem(ps);
		s->search_dirs = arr;
		s->search_dirs[s->nsearch_dirs++] = dir;
		return GR_OK;
	}
	if (gr_ld_is(t, "OUTPUT_ARCH") || gr_ld_is(t, "TARGET") || gr_ld_is(t, "ENTRY")) {
		char cmd[16];
		snprintf(cmd, sizeof(cmd), "%.*s", (int)t->len, t->text);
		return gr_ld_one_arg(ps, cmd, NULL, &arg);
	}
	if (gr_ld_is(t, "AS_NEEDED"))
		return gr_ld_fail(ps, t->line, "AS_NEEDED may only appear inside INPUT( ) or GROUP( )");
	for (i = 0; i < sizeof(gr_ld_unsupported) / sizeof(gr_ld_unsupported[0]); i++)
		if (gr_ld_is(t, gr_ld_unsupported[i]))
			return gr_ld_fail(ps, t->line,
			                  "unsupported command %s (an implicit linker script may use INPUT, "
			                  "GROUP, AS_NEEDED, OUTPUT_FORMAT, SEARCH_DIR, STARTUP, OUTPUT_ARCH, "
			                  "TARGET and ENTRY)", gr_ld_unsupported[i]);
	gr_ld_describe(t, d, sizeof(d));
	return gr_ld_fail(ps, t->line, "%s is not a linker script command", d);
}

int
gr_ldscript_parse(const char *text, size_t len, const char *path, struct gr_ldscript **out,
                  struct gr_error *err)
{
	struct gr_ld_parser ps;
	struct gr_ld_token t;
	struct gr_arena a;
	struct gr_ldscript *s;
	const char *nul;
	char d[80];
	int rc = GR_OK;

	if (!path)
		path = "(linker script)";
	if (out)
		*out = NULL;
	if (!out || (!text && len))
		return gr_error_set(err, GR_EUSAGE, 0, "%s: gr_ldscript_parse needs text and out", path);

	/* The script owns its arena: the struct is the arena's first allocation. */
	gr_arena_init(&a);
	if (!(s = gr_arena_alloc(&a, sizeof(*s)))) {
		gr_arena_deinit(&a);
		return gr_error_set(err, GR_ENOMEM, 0, "%s: out of memory", path);
	}
	s->arena = a;

	memset(&ps, 0, sizeof(ps));
	ps.buf = text ? text : "";
	ps.len = len;
	ps.line = 1;
	ps.path = path;
	ps.err = err;
	ps.s = s;

	if (len && (nul = memchr(text, '\0', len))) {
		size_t i, off = (size_t)(nul - text);
		for (i = 0; i < off; i++)
			if (text[i] == '\n')
				ps.line++;
		rc = gr_ld_fail(&ps, ps.line, "NUL byte at offset %zu (not a text linker script)", off);
		goto fail;
	}
	for (;;) {
		if ((rc = gr_ld_next(&ps, false, &t)))
			goto fail;
		if (t.kind == GR_LT_EOF)
			break;
		if (t.kind == GR_LT_SEMI)
			continue;
		if (t.kind != GR_LT_NAME) {
			gr_ld_describe(&t, d, sizeof(d));
			rc = gr_ld_fail(&ps, t.line, "unexpected %s; expected a command such as INPUT or GROUP",
			                d);
			goto fail;
		}
		if ((rc = gr_ld_command(&ps, &t)))
			goto fail;
	}
	/* No commands (an empty or comment-only file) is a script with no
	 * members: GNU ld links with it and opens nothing more. */
	*out = s;
	return GR_OK;
fail:
	gr_ldscript_free(s);
	return rc;
}

void
gr_ldscript_free(struct gr_ldscript *s)
{
	struct gr_arena a;

	if (!s)
		return;
	a = s->arena;  /* s itself lives in the arena */
	gr_arena_deinit(&a);
}
