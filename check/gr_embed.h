/* gr_embed: the manifest a binary carries (docs/sbom.md, "Embedded manifest"):
 * an ELF note section added after the link, a Mach-O section made at link
 * time (-sectcreate), and the defensive reader of both. Content-agnostic: the
 * payload is a JSON object whose "format" names its version. */
#ifndef GR_EMBED_H
#define GR_EMBED_H

#include <stdbool.h>
#include <stddef.h>

#include "gr_arena.h"
#include "gr_error.h"

#define GR_EMBED_SECTION ".note.gorelink.manifest"  /* the ELF section (SHT_NOTE, not allocated) */
#define GR_EMBED_NOTE_NAME "gorelink"                /* the note's owner name */
#define GR_EMBED_NOTE_TYPE 0x47520001u  /* NT_GORELINK_MANIFEST ("GR", container version 1): uncompressed JSON, then a NUL */
#define GR_EMBED_MACHO_SEGMENT "__GORELINK"
#define GR_EMBED_MACHO_SECTION "__manifest"
#define GR_EMBED_FORMAT_PREFIX "gorelink-manifest/"  /* what the payload's "format" starts with */
#define GR_EMBED_MAX ((size_t)64 << 20)              /* the largest payload written or read back */

/* A top-level member of the manifest object, for a summary. */
struct gr_embed_member {
	const char *key;    /* unescaped */
	char type;          /* 's' string, 'n' number, 'b' boolean, 'z' null, 'a' array, 'o' object */
	const char *str;    /* strings: the value, unescaped (\u escapes outside ASCII become '?') */
	size_t count;       /* arrays: elements; objects: members */
};

/* The manifest read back from a binary. */
struct gr_embed_manifest {
	const char *text;    /* the JSON object, NUL-terminated (valid JSON, checked) */
	size_t len;          /* strlen(text) */
	const char *where;   /* "ELF note .note.gorelink.manifest", "Mach-O section __GORELINK,__manifest (arm64)" */
	const char *format;  /* its "format" member, e.g. "gorelink-manifest/1" */
	struct gr_embed_member *members;  /* top-level members, in order */
	size_t nmembers;
	size_t nslices;      /* universal Mach-O: slices carrying a manifest (the first is returned); else 1 */
};

/* Add the payload (len bytes of JSON, no NUL inside) to the linked ELF file at
 * path as the note section GR_EMBED_SECTION, appended with a new section header
 * table after everything else: no byte of the file moves, allocated sections and
 * segments are untouched. Written to a temporary file in the same directory and
 * renamed over path. GR_EUSAGE when the file already carries a manifest (a
 * gorelink note in any note section) or has no section header table;
 * GR_EFORMAT when it holds a malformed gorelink note, a note section past its
 * end (it would cover the tail), a section name outside the section name
 * table, or a name table not ending with a NUL (the note's name goes right
 * after it); GR_ENOTBIN when it is not ELF. */
int gr_embed_elf_add(const char *path, const char *payload, size_t len, struct gr_error *err);

/* gr_embed_elf_add's result, the same bytes, written in place: the tail
 * appended first, then e_shoff and e_shnum in one write (on a failure the
 * file is cut back to what it was). For a file no one else has seen yet
 * (gorelink-ld's fresh link output in go's work directory): no second copy
 * of the whole file is written. A file that cannot be opened for writing
 * (EACCES, ETXTBSY, EROFS) gets gr_embed_elf_add's copy and rename. */
int gr_embed_elf_append(const char *path, const char *payload, size_t len, struct gr_error *err);

/* The bytes of the Mach-O section (and of the ELF note's descriptor): the
 * payload and a NUL, in a malloc'd buffer of *outlen bytes. */
int gr_embed_blob(const char *payload, size_t len, unsigned char **out, size_t *outlen, struct gr_error *err);

/* Find the manifest in the ELF, thin or universal Mach-O file in buf (path
 * names it in errors), strings into a. GR_ENOTFOUND: it carries none;
 * GR_EFORMAT: a corrupt note or section (or one that is not a manifest);
 * GR_ENOTBIN: neither ELF nor Mach-O. Never reads outside buf. */
int gr_embed_find(const unsigned char *buf, size_t len, const char *path, struct gr_arena *a,
                  struct gr_embed_manifest *m, struct gr_error *err);

/* gr_embed_find on the file at path (read into memory, at most 4 GiB). */
int gr_embed_read(const char *path, struct gr_arena *a, struct gr_embed_manifest *m, struct gr_error *err);

/* Whether text (len bytes) is one JSON value (RFC 8259, nesting at most 128) and, when m
 * is not NULL and it is an object, its top-level members into m (strings in a). */
bool gr_embed_json_check(const char *text, size_t len, struct gr_arena *a, struct gr_embed_manifest *m);

#endif
