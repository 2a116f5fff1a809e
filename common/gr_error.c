#include "gr_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int
gr_error_set(struct gr_error *err, int code, int sys_errno, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	err->sys_errno = sys_errno;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

void
gr_error_clear(struct gr_error *err)
{
	if (!err)
		return;
	err->code = GR_OK;
	err->sys_errno = 0;
	err->msg[0] = '\0';
}

const char *
gr_status_name(int code)
{
	switch (code) {
	case GR_OK: return "ok";
	case GR_ENOTBIN: return "not-binary";
	case GR_EFORMAT: return "format";
	case GR_EIO: return "io";
	case GR_ENOMEM: return "nomem";
	case GR_EUSAGE: return "usage";
	case GR_ENOTFOUND: return "not-found";
	}
	return "unknown";
}
