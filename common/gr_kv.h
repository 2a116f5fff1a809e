/* gr_kv: "TAG<TAB>value" lines, with \\, \n and \t escaped, for small state files. */
#ifndef GR_KV_H
#define GR_KV_H

#include <stdbool.h>
#include <stddef.h>

/* A growable text buffer; nomem is set (and sticks) when growing fails. */
struct gr_kvbuf {
	char *p;
	size_t n, cap;
	bool nomem;
};

/* Append n raw bytes. */
void gr_kv_raw(struct gr_kvbuf *b, const char *s, size_t n);

/* Append one line "TAG<TAB>value\n" with value escaped; a NULL value adds nothing. */
void gr_kv_put(struct gr_kvbuf *b, char tag, const char *value);

/* Take the next line at *cursor (in place: the text is modified): its tag and
 * unescaped value; false at the end or on a malformed line (*bad set). */
bool gr_kv_next(char **cursor, char *tag, char **value, bool *bad);

/* Append one field: value escaped (\\, \t, \n), or \N for NULL. */
void gr_kv_field(struct gr_kvbuf *b, const char *value);

/* Append one record: kw, then n fields (gr_kv_field), each after a TAB, and a newline. */
void gr_kv_record(struct gr_kvbuf *b, const char *kw, size_t n, const char *const *fields);

/* Unescape field f in place into *out (NULL for \N alone); false on a bad escape. */
bool gr_kv_unescape_field(char *f, char **out);

#endif
