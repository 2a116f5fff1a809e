/* Fuzz gr_dcomp_elf, which rewrites a linked ELF file in place: the input as
 * a file (a memfd) whose debug sections are compressed with one thread. After
 * a rewrite: the file no longer than before (alignment padding aside); when
 * libelf read the input's section headers, it reads the result's too and
 * finds each section inside the file; and a second run has nothing left to
 * do (what did not shrink stays as it is). */
#define _GNU_SOURCE  /* memfd_create */
#include <stdbool.h>
#include <stdlib.h>

#include "fuzz_inplace.h"
#include "gr_dcomp.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = gr_fuzz_file(data, size);
	struct gr_dcomp_stats st;
	struct gr_error err;
	bool wrote = false;
	unsigned char *b;
	size_t n;

	gr_error_clear(&err);
	if (gr_dcomp_elf(path, 1, &st, &wrote, &err) != GR_OK || !wrote)
		return 0;
	b = gr_fuzz_file_bytes(path, &n);
	if (n > size + 8)
		abort();  /* the file grew past alignment padding */
	if (gr_fuzz_libelf_reads(data, size) && !gr_fuzz_libelf_reads(b, n))
		abort();  /* a file libelf read, rewritten into one it does not */
	free(b);
	wrote = false;
	if (gr_dcomp_elf(path, 1, &st, &wrote, &err) != GR_OK || wrote)
		abort();  /* once compressed, nothing is left to do */
	return 0;
}
