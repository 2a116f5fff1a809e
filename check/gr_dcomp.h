/* gr_dcomp: a linked ELF file's debug sections compressed after the link
 * (the ELF gABI's SHF_COMPRESSED with ELFCOMPRESS_ZLIB, what
 * --compress-debug-sections=zlib asks of a linker), by libdeflate at its
 * fastest level on several threads, in place. gorelink-ld links with
 * --compress-debug-sections=none and calls this instead of letting the linker
 * compress (docs/gorelink.1, "Debug sections"). */
#ifndef GR_DCOMP_H
#define GR_DCOMP_H

#include <stdbool.h>
#include <stdint.h>

#include "gr_error.h"

/* What gr_dcomp_elf did. */
struct gr_dcomp_stats {
	unsigned sections;    /* .debug_* sections found uncompressed */
	unsigned compressed;  /* those now compressed (the rest would not shrink: left as they were) */
	uint64_t before;      /* the file's size before, in bytes */
	uint64_t after;       /* and after */
};

/* Compress the uncompressed, non-allocated .debug_* sections of the ELF file
 * at path (32 or 64 bits, either byte order) in place: each one whose Chdr and
 * zlib stream are smaller than its bytes, as GNU ld does; the sections at and
 * after the first of them move down, the section header table after them; no
 * byte before the first moves, segments are untouched. threads: at most this
 * many compress at once (0: one per CPU this process may run on, at most 8);
 * the result is the same bytes whatever the number. *st on GR_OK (zeroed on
 * an error). *wrote (may be NULL) says whether the file was written: on an
 * error with it false the file is as it was. GR_EUSAGE:
 * a layout this cannot rewrite (a segment or an allocated section after the
 * first debug section, overlapping sections, no section table), file
 * untouched; GR_ENOTBIN, GR_EFORMAT, GR_ENOMEM, GR_EIO otherwise. */
int gr_dcomp_elf(const char *path, unsigned threads, struct gr_dcomp_stats *st, bool *wrote, struct gr_error *err);

/* A gr_dcomp_elf under way, for a caller with other work meanwhile. */
struct gr_dcomp_job;

/* gr_dcomp_elf's first half: read and check path, and start compressing on
 * all but one of its threads (the caller of gr_dcomp_finish is the last);
 * *job for gr_dcomp_finish, which must follow (nothing else ends a job). On
 * an error, *job NULL and the file untouched (gr_dcomp_elf's codes). Until
 * gr_dcomp_finish, the file may be read but neither changed nor replaced (a
 * file that was is not written: GR_EIO from gr_dcomp_finish). With one
 * thread, nothing is compressed before gr_dcomp_finish. */
int gr_dcomp_start(const char *path, unsigned threads, struct gr_dcomp_job **job, struct gr_error *err);

/* gr_dcomp_elf's second half: the calling thread compresses what is left,
 * then the file is rewritten in place; st, wrote and the result as
 * gr_dcomp_elf's. Frees job. */
int gr_dcomp_finish(struct gr_dcomp_job *job, struct gr_dcomp_stats *st, bool *wrote, struct gr_error *err);

/* End a job without writing anything: its threads stop after the section
 * each is compressing; frees job (NULL: nothing). */
void gr_dcomp_cancel(struct gr_dcomp_job *job);

#endif
