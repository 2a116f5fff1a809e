/* gr_cli: the gorelink command line, runnable in-process by main() and the tests. */
#ifndef GR_CLI_H
#define GR_CLI_H

#include <stdbool.h>
#include <stdio.h>

/* Exit statuses shared by every subcommand (documented in the man pages). */
enum gr_exit {
	GR_EXIT_OK = 0,      /* everything passed */
	GR_EXIT_FAIL = 1,    /* a verdict did not pass */
	GR_EXIT_ERROR = 2,   /* a file could not be read or parsed */
	GR_EXIT_USAGE = 64,  /* bad command line (EX_USAGE) */
};

/* Run gorelink with argv; output goes to out, diagnostics to err; returns the exit status. */
int gr_cli_run(int argc, char **argv, FILE *out, FILE *err);

/* Write s to f with control characters shown as \xNN, so that names read from
 * files cannot break the one-line-per-item output. */
void gr_cli_put_escaped(FILE *f, const char *s, size_t n);

/* Write one argument quoted so that Go's flag splitting and a shell both read it back;
 * false when only a shell can (it holds ' and one of " $ ` \ !). */
bool gr_cli_put_quoted(FILE *f, const char *s);

/* a followed by b, malloc'd, or NULL. */
char *gr_cli_concat(const char *a, const char *b);

/* Set the name diagnostics start with ("gorelink" unless told otherwise). */
void gr_cli_set_progname(const char *name);

/* Print "PROGNAME: " and a formatted diagnostic line to err. */
void gr_cli_diag(FILE *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
