/* gr_bstate: GNU ld's -Bstatic/-Bdynamic state along a link command line, as ld/lexsup.c keeps it. */
#ifndef GR_BSTATE_H
#define GR_BSTATE_H

#include <stdbool.h>
#include <stddef.h>

#define GR_BSTATE_MAXDEPTH 64

/* The state in force at one position of the command line. */
struct gr_bstate {
	bool dynamic;           /* a -l here would take a shared library (ld's input_flags.dynamic) */
	bool explicit_dynamic;  /* dynamic because of a -Bdynamic (or a synonym) in the flags */
	bool stack[GR_BSTATE_MAXDEPTH], xstack[GR_BSTATE_MAXDEPTH];  /* --push-state */
	int sp;                 /* push depth (may exceed the stack; deeper states are not kept) */
	bool pending_a;         /* the last ld argument was "-a": its KIND comes next */
};

/* Start a command line: dynamic unless ld starts static (-static given to the driver). */
void gr_bstate_init(struct gr_bstate *st, bool dynamic);

/* Apply one argument as ld itself sees it (from -Wl, or -Xlinker): -Bstatic,
 * -dn, -non_shared, -static, -N, -n, -r, -Ur, --omagic, --nmagic, --relocatable,
 * -a archive; -Bdynamic, -dy, -call_shared, -a shared, -a default (-aKIND or
 * "-a" then KIND); --push-state, --pop-state. True if a was one of them (or the
 * KIND after "-a"); any other argument leaves the state as it is. */
bool gr_bstate_ld(struct gr_bstate *st, const char *a);

/* Apply one compiler-driver argument: each comma-separated part of -Wl,...
 * in turn; anything else (-static included: the driver hands it to ld ahead
 * of every flag) changes nothing. -Xlinker X is applied by the caller with
 * gr_bstate_ld(st, X). True if some part was a state argument. */
bool gr_bstate_driver(struct gr_bstate *st, const char *a);

/* Apply a whole compiler-driver argument list (n strings), -Xlinker X pairs included. */
void gr_bstate_driver_argv(struct gr_bstate *st, const char *const *args, size_t n);

#endif
