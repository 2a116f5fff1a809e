#include "gr_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

int
gr_file_read_fd(int fd, const char *path, size_t size, bool short_ok, char **data, size_t *len,
                struct gr_error *err)
{
	char *buf;
	size_t got = 0;
	ssize_t r;
	int e;

	*data = NULL;
	*len = 0;
	if (size == SIZE_MAX || !(buf = malloc(size + 1)))
		return gr_error_set(err, GR_ENOMEM, ENOMEM, "%s: out of memory", path);
	while (got < size) {
		r = read(fd, buf + got, size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r > 0) {
			got += (size_t)r;
			continue;
		}
		if (short_ok)
			break;
		/* errno stays the read's (or, at an early end, what it was) for callers that report it. */
		e = errno;
		free(buf);
		if (r < 0)
			gr_error_set(err, GR_EIO, e, "%s: %s", path, strerror(e));
		else
			gr_error_set(err, GR_EIO, 0, "%s: changed while it was read", path);
		errno = e;
		return GR_EIO;
	}
	buf[got] = '\0';
	*data = buf;
	*len = got;
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

bool
gr_file_pread(int fd, void *buf, size_t n, uint64_t off)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(fd, (char *)buf + got, n - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = 0;
			return false;
		}
		got += (size_t)r;
	}
	return true;
}

bool
gr_file_pwrite(int fd, const void *buf, size_t n, uint64_t off)
{
	size_t done = 0;

	while (done < n) {
		ssize_t w = pwrite(fd, (const char *)buf + done, n - done, (off_t)(off + done));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return false;
		}
		done += (size_t)w;
	}
	return true;
}
