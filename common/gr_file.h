/* gr_file: read a whole stream or file into memory, bounded; a file's identity line. */
#ifndef GR_FILE_H
#define GR_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

struct gr_error;

/* Read f to its end into a malloc'd NUL-terminated string (*len bytes before the NUL;
 * len may be NULL). GR_EUSAGE when it holds more than max bytes, GR_ENOMEM, or GR_EIO
 * on a read error (errno kept); *text is NULL unless GR_OK. */
int gr_file_read_all(FILE *f, size_t max, char **text, size_t *len);

/* fd's size bytes (fstat's; path names it in messages) into a malloc'd buffer, a NUL after them,
 * EINTR retried, a grown file read to size. GR_ENOMEM, or GR_EIO on a read error (sys_errno and errno
 * the read's) or an early end ("changed while it was read", sys_errno 0), unless short_ok, which
 * keeps what was read (*len < size). *data NULL and *len 0 unless GR_OK; err may be NULL. */
int gr_file_read_fd(int fd, const char *path, size_t size, bool short_ok, char **data, size_t *len,
                    struct gr_error *err);

/* Exactly n bytes of fd at off into buf (pread, EINTR retried): true, or false with errno set
 * (0: the file ended first). */
bool gr_file_pread(int fd, void *buf, size_t n, uint64_t off);

/* All n bytes of buf to fd at off (pwrite, EINTR retried): true, or false with errno set
 * (EIO when a write wrote nothing). */
bool gr_file_pwrite(int fd, const void *buf, size_t n, uint64_t off);

/* Room for gr_file_identity's longest line and its NUL. */
#define GR_FILE_IDENTITY_MAX 128

/* st's identity "DEV INO SIZE MSEC.MNSEC[ CSEC.CNSEC]" (ctime when with_ctime, nanoseconds as
 * 9 digits) into buf (n bytes, cut short as snprintf); buf. Cache keys hold it: keep its bytes. */
char *gr_file_identity(char *buf, size_t n, const struct stat *st, bool with_ctime);

#endif
