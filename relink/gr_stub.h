/* gr_stub: --stub NAME: an archive of failing functions standing in for a
 * library that has no archive (the functions the link needs from libNAME,
 * each returning failure), from libNAME's shared symbol table and C headers. */
#ifndef GR_STUB_H
#define GR_STUB_H

#include <stdbool.h>
#include <stddef.h>

#include "gr_arena.h"
#include "gr_env.h"
#include "gr_error.h"
#include "gr_strvec.h"

/* What a stub function returns, from the library's C prototype. */
enum gr_stub_ret {
	GR_STUB_RET_UNKNOWN,  /* no prototype, or no failure value known (unsigned, bool, floating, struct...) */
	GR_STUB_RET_INT,      /* a signed integer: -1 with errno = ENOSYS */
	GR_STUB_RET_PTR,      /* a pointer: NULL */
	GR_STUB_RET_VOID,     /* nothing */
};

/* The name of a return kind: "int", "pointer", "void", "unknown". */
const char *gr_stub_ret_name(enum gr_stub_ret r);

/* Find the declaration of the function name in C header text (len bytes; no
 * NUL needed): comments and preprocessor lines are skipped, and of the tokens
 * before the name, extern, static, inline, qualifiers, __attribute__((...)),
 * attribute macros (_sd_public_, __THROW, DBUS_EXPORT: identifiers starting
 * with '_' or all capitals with a '_') are dropped. *ret is the kind; type
 * gets the return type as C source ("int", "ssize_t", "void *"; for an
 * unknown kind what the header says, "unsigned int"). False when the text
 * declares no function of that name. */
bool gr_stub_proto_find(const char *text, size_t len, const char *name, enum gr_stub_ret *ret, char *type,
                        size_t typesz);

/* One link input's symbols: an object, or one member of an archive. */
struct gr_stub_unit {
	const char *label;          /* "/p/libdbus-1.a(dbus-sysdeps.o)" or "/tmp/go-link/000001.o" */
	bool member;                /* an archive member: linked only when it defines something needed */
	const char *const *defs;    /* the global symbols it defines */
	size_t ndefs;
	const char *const *undefs;  /* the symbols it refers to without defining them */
	size_t nundefs;
};

/* A symbol the link's inputs leave undefined, and who refers to it. */
struct gr_stub_need {
	const char *sym;
	const char **callers;       /* labels of the linked units that refer to it, in input order */
	size_t ncallers;
};

struct gr_stub_needs {
	struct gr_arena arena;      /* owns everything */
	struct gr_stub_need *v;     /* sorted by name */
	size_t n, cap;
};

/* The symbols units leave undefined: every object is linked; an archive
 * member is linked when it defines a symbol still undefined, repeated until
 * nothing changes (as if every archive stood in one --start-group: it can
 * only add symbols). *out (free with gr_stub_needs_free). GR_ENOMEM. */
int gr_stub_select(const struct gr_stub_unit *units, size_t n, struct gr_stub_needs **out, struct gr_error *err);

/* The units of the link inputs at paths (objects and archives; other files,
 * and files libbfd cannot read, are skipped), read with libbfd, and what they
 * leave undefined (gr_stub_select). */
int gr_stub_undefined(const char *const *paths, size_t n, struct gr_stub_needs **out, struct gr_error *err);

/* The entry for sym, or NULL. */
const struct gr_stub_need *gr_stub_needs_find(const struct gr_stub_needs *nd, const char *sym);

/* Free a result; NULL is allowed. */
void gr_stub_needs_free(struct gr_stub_needs *nd);

/* The symbols the shared library at path exports (its dynamic symbol table,
 * defined): functions (STT_FUNC, IFUNC) into funcs, data (objects, TLS,
 * common) into data. GR_ENOTBIN when it is no shared object. */
int gr_stub_exports(const char *path, struct gr_strvec *funcs, struct gr_strvec *data, struct gr_error *err);

/* One function of a stub archive. */
struct gr_stub_fn {
	const char *lib;            /* NAME of --stub NAME */
	const char *sym;
	enum gr_stub_ret ret;
	const char *type;           /* the return type as C source ("" when unknown) */
	const char *why;            /* refused: the reason; NULL when it is stubbed */
	const char *const *callers;
	size_t ncallers;
};

/* What --stub produced. */
struct gr_stub_plan {
	struct gr_arena arena;      /* owns everything */
	struct gr_stub_fn *fns;     /* stubbed ones and refused ones, by library then name */
	size_t nfns, cap;
	size_t nrefused;
	const char **libs;          /* the libraries stubbed ... */
	const char **shared;        /* ... the shared library whose symbols were read ... */
	const char **archives;      /* ... and the stub archive built for each (NULL before gr_stub_build) */
	size_t nlibs;
};

struct gr_stub_req {
	const struct gr_env *env;   /* PATH for pkg-config, cc and ar */
	const char *const *libs;    /* the NAMEs to stub */
	size_t nlibs;
	const char *const *inputs;  /* the link's objects and archives, in order */
	size_t ninputs;
	const char *const *dirs;    /* the linker's search dirs (for libNAME.so and "no archive provides") */
	size_t ndirs;
	const char *const *include_dirs; /* where headers are looked for; NULL: pkg-config, then /usr/include */
	size_t ninclude_dirs;
};

/* Decide what to stub: the symbols the inputs leave undefined that no
 * archive in dirs defines and that libNAME's shared library exports; the
 * functions among them get their return kind from libNAME's headers; data
 * and functions of unknown return are refused (fns[i].why). GR_ENOTFOUND
 * (with the reason in err) when libNAME has no shared library in dirs. */
int gr_stub_plan(const struct gr_stub_req *rq, struct gr_stub_plan **out, struct gr_error *err);

/* The C source of one stub function into buf; false when it does not fit
 * or the function is refused. */
bool gr_stub_source(const struct gr_stub_fn *f, char *buf, size_t n);

/* Build one archive per library of plan (none refused) in dir (which must
 * exist): one C file and object per function, compiled with cc (the link's
 * compiler words), then ar; plan->archives is filled. */
int gr_stub_build(const struct gr_env *env, const struct gr_strvec *cc, const char *dir, struct gr_stub_plan *plan,
                  struct gr_error *err);

/* Free a plan; NULL is allowed. */
void gr_stub_plan_free(struct gr_stub_plan *p);

#endif
