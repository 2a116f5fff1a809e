#include "gr_bstate.h"

#include <string.h>

void
gr_bstate_init(struct gr_bstate *st, bool dynamic)
{
	memset(st, 0, sizeof(*st));
	st->dynamic = dynamic;
}

/* The KIND of "-a KIND": archive is -Bstatic, shared and default -Bdynamic. */
static bool
gr_bstate_a(struct gr_bstate *st, const char *kind)
{
	if (!strcmp(kind, "archive")) {
		st->dynamic = false;
		st->explicit_dynamic = false;
	} else if (!strcmp(kind, "shared") || !strcmp(kind, "default")) {
		st->dynamic = true;
		st->explicit_dynamic = true;
	}
	/* ld rejects any other KIND ("unrecognized -a option"): no change. */
	return true;
}

bool
gr_bstate_ld(struct gr_bstate *st, const char *a)
{
	if (st->pending_a) {
		st->pending_a = false;
		return gr_bstate_a(st, a);
	}
	if (!strcmp(a, "-Bstatic") || !strcmp(a, "-dn") || !strcmp(a, "-non_shared") ||
	    !strcmp(a, "-static") || !strcmp(a, "-N") || !strcmp(a, "-n") || !strcmp(a, "-r") ||
	    !strcmp(a, "-Ur") || !strcmp(a, "--omagic") || !strcmp(a, "--nmagic") ||
	    !strcmp(a, "--relocatable")) {
		st->dynamic = false;
		st->explicit_dynamic = false;
	} else if (!strcmp(a, "-Bdynamic") || !strcmp(a, "-dy") || !strcmp(a, "-call_shared")) {
		st->dynamic = true;
		st->explicit_dynamic = true;
	} else if (!strcmp(a, "-a")) {
		st->pending_a = true;
	} else if (!strcmp(a, "-aarchive") || !strcmp(a, "-ashared") || !strcmp(a, "-adefault")) {
		/* Only these: ld reads "-as-needed" as --as-needed (getopt_long_only). */
		return gr_bstate_a(st, a + 2);
	} else if (!strcmp(a, "--push-state")) {
		if (st->sp >= 0 && st->sp < GR_BSTATE_MAXDEPTH) {
			st->stack[st->sp] = st->dynamic;
			st->xstack[st->sp] = st->explicit_dynamic;
		}
		st->sp++;
	} else if (!strcmp(a, "--pop-state")) {
		/* ld: "pop-state with no push" is an error; nothing to restore here. */
		if (st->sp > 0 && --st->sp < GR_BSTATE_MAXDEPTH) {
			st->dynamic = st->stack[st->sp];
			st->explicit_dynamic = st->xstack[st->sp];
		}
	} else {
		return false;
	}
	return true;
}

bool
gr_bstate_driver(struct gr_bstate *st, const char *a)
{
	const char *p, *comma;
	char part[32];
	bool state = false;
	size_t l;

	if (strncmp(a, "-Wl,", 4) != 0)
		return false;
	/* Every part in turn, as gcc splits -Wl, at each comma; no state
	 * argument is longer than part, but a long one still ends a "-a". */
	for (p = a + 4;; p = comma + 1) {
		comma = strchr(p, ',');
		l = comma ? (size_t)(comma - p) : strlen(p);
		if (l < sizeof(part)) {
			memcpy(part, p, l);
			part[l] = '\0';
			if (gr_bstate_ld(st, part))
				state = true;
		} else {
			st->pending_a = false;
		}
		if (!comma)
			break;
	}
	return state;
}

void
gr_bstate_driver_argv(struct gr_bstate *st, const char *const *args, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!strcmp(args[i], "-Xlinker") && i + 1 < n)
			gr_bstate_ld(st, args[++i]);
		else
			gr_bstate_driver(st, args[i]);
	}
}
