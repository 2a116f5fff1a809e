/* gr_file: read a whole stream into memory, bounded. */
#ifndef GR_FILE_H
#define GR_FILE_H

#include <stddef.h>
#include <stdio.h>

/* Read f to its end into a malloc'd NUL-terminated string (*len bytes before the NUL;
 * len may be NULL). GR_EUSAGE when it holds more than max bytes, GR_ENOMEM, or GR_EIO
 * on a read error (errno kept); *text is NULL unless GR_OK. */
int gr_file_read_all(FILE *f, size_t max, char **text, size_t *len);

#endif
