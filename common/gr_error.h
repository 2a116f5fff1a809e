/* gr_error: error values that library code returns instead of printing. */
#ifndef GR_ERROR_H
#define GR_ERROR_H

#include <stddef.h>

enum gr_status {
	GR_OK = 0,
	GR_ENOTBIN,  /* the file is not a kind of binary gorelink reads */
	GR_EFORMAT,  /* the file is malformed or truncated */
	GR_EIO,      /* the file could not be opened, read or written */
	GR_ENOMEM,   /* an allocation failed */
	GR_EUSAGE,   /* the caller asked for something impossible */
	GR_ENOTFOUND, /* a library or package the caller asked for does not exist */
};

struct gr_error {
	int code;       /* an enum gr_status */
	int sys_errno;  /* errno behind the failure, or 0 */
	char msg[8192]; /* the reason, naming the file or value involved (paths can be long) */
};

/* Record an error (printf-style reason) and return its code. */
int gr_error_set(struct gr_error *err, int code, int sys_errno, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Reset an error to GR_OK with an empty message. */
void gr_error_clear(struct gr_error *err);

/* Short name of a status code, e.g. "format" for GR_EFORMAT. */
const char *gr_status_name(int code);

#endif
