/* gr_json: a small streaming JSON writer over a stdio stream. */
#ifndef GR_JSON_H
#define GR_JSON_H

#include <stdbool.h>
#include <stdio.h>

struct gr_json {
	FILE *f;
	int depth;
	bool need_comma[32];  /* per nesting level: a value was written already */
};

/* Start writing JSON values to f. */
void gr_json_init(struct gr_json *j, FILE *f);

/* Open an object; key is its member name inside an object, NULL otherwise. */
void gr_json_obj_begin(struct gr_json *j, const char *key);

/* Close the innermost object. */
void gr_json_obj_end(struct gr_json *j);

/* Open an array; key as for gr_json_obj_begin. */
void gr_json_arr_begin(struct gr_json *j, const char *key);

/* Close the innermost array. */
void gr_json_arr_end(struct gr_json *j);

/* Write a string value (NULL writes null), escaped as RFC 8259 requires. */
void gr_json_str(struct gr_json *j, const char *key, const char *s);

/* Write an array of the n strings at v (each as gr_json_str writes it; v may be NULL when n is 0). */
void gr_json_strs(struct gr_json *j, const char *key, const char *const *v, size_t n);

/* Write a boolean value. */
void gr_json_bool(struct gr_json *j, const char *key, bool v);

/* Write an integer value. */
void gr_json_int(struct gr_json *j, const char *key, long long v);

/* Write text as the value, unchanged: the caller has checked it is one JSON value. */
void gr_json_raw(struct gr_json *j, const char *key, const char *text);

#endif
