#include "gr_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "gr_error.h"

int
gr_file_read_all(FILE *f, size_t max, char **text, size_t *len)
{
	char *buf = NULL;
	size_t n = 0, cap = 0, got;

	*text = NULL;
	do {
		if (cap - n < 4096 + 1) {
			size_t ncap = cap ? cap * 2 : 8192;
			char *g = realloc(buf, ncap);
			if (!g) {
				free(buf);
				return GR_ENOMEM;
			}
			buf = g;
			cap = ncap;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (n > max) {
			free(buf);
			return GR_EUSAGE;
		}
	} while (got > 0);
	if (ferror(f)) {
		int e = errno;
		free(buf);
		errno = e;
		return GR_EIO;
	}
	buf[n] = '\0';
	*text = buf;
	if (len)
		*len = n;
	return GR_OK;
}

char *
gr_file_identity(char *buf, size_t n, const struct stat *st, bool with_ctime)
{
	if (with_ctime)
		snprintf(buf, n, "%llu %llu %lld %lld.%09ld %lld.%09ld", (unsigned long long)st->st_dev,
		         (unsigned long long)st->st_ino, (long long)st->st_size, (long long)st->st_mtim.tv_sec,
		         (long)st->st_mtim.tv_nsec, (long long)st->st_ctim.tv_sec, (long)st->st_ctim.tv_nsec);
	else
		snprintf(buf, n, "%llu %llu %lld %lld.%09ld", (unsigned long long)st->st_dev,
		         (unsigned long long)st->st_ino, (long long)st->st_size, (long long)st->st_mtim.tv_sec,
		         (long)st->st_mtim.tv_nsec);
	return buf;
}
