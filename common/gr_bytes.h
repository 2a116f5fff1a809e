/* gr_bytes: unsigned integers of 1 to 8 bytes in a file's byte order, for
 * the binary formats gorelink reads and writes (ELF: EI_DATA). */
#ifndef GR_BYTES_H
#define GR_BYTES_H

#include <stdbool.h>
#include <stdint.h>

/* The n-byte (1..8) unsigned integer at p, big-endian when be. */
uint64_t gr_bytes_get(const unsigned char *p, int n, bool be);

/* Store the low n bytes (1..8) of v at p, big-endian when be. */
void gr_bytes_put(unsigned char *p, uint64_t v, int n, bool be);

#endif
