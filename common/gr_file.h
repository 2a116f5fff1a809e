/* gr_file: read a whole stream into memory, bounded; a file's identity line. */
#ifndef GR_FILE_H
#define GR_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>

/* Read f to its end into a malloc'd NUL-terminated string (*len bytes before the NUL;
 * len may be NULL). GR_EUSAGE when it holds more than max bytes, GR_ENOMEM, or GR_EIO
 * on a read error (errno kept); *text is NULL unless GR_OK. */
int gr_file_read_all(FILE *f, size_t max, char **text, size_t *len);

/* Room for gr_file_identity's longest line and its NUL. */
#define GR_FILE_IDENTITY_MAX 128

/* st's identity "DEV INO SIZE MSEC.MNSEC[ CSEC.CNSEC]" (ctime when with_ctime, nanoseconds as
 * 9 digits) into buf (n bytes, cut short as snprintf); buf. Cache keys hold it: keep its bytes. */
char *gr_file_identity(char *buf, size_t n, const struct stat *st, bool with_ctime);

#endif
