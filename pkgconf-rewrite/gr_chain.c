#include "gr_chain.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Does s start with p? */
static const char *
gr_chain_after(const char *s, const char *p)
{
	size_t n = strlen(p);

	return strncmp(s, p, n) ? NULL : s + n;
}

char *
gr_chain_text(const char *origin, const char *flag)
{
	const char *rest, *p, *field, *close;
	char *buf = NULL;
	size_t len = 0, k;
	FILE *f;
	bool inferred = false;

	if (!origin || !flag)
		return NULL;
	/* The prefix: where the first package came from. */
	if ((rest = gr_chain_after(origin, "inferred for -l")) != NULL) {
		const char *colon = strstr(rest, ": ");
		if (!colon || colon == rest)
			return NULL;
		inferred = true;
		p = colon + 2;
	} else if ((p = gr_chain_after(origin, "#cgo pkg-config: ")) != NULL ||
	           (p = gr_chain_after(origin, "--pkg ")) != NULL) {
		if (origin[0] == '-') {
			const char *colon = strstr(p, ": ");
			if (!colon)
				return NULL;  /* "--pkg NAME" alone: a flag of the package itself, no chain */
			p = colon + 2;
		}
	} else
		p = origin;
	/* The chain must end in " (Libs)" or " (Libs.private)" and hold no prefix of its own. */
	field = strrchr(p, '(');
	close = field ? strchr(field, ')') : NULL;
	if (!field || field == p || field[-1] != ' ' || !close || close[1] != '\0' || close == field + 1 ||
	    strstr(p, ": ") != NULL)
		return NULL;
	if (!(f = open_memstream(&buf, &len)))
		return NULL;
	if (inferred)
		fprintf(f, "-l%.*s -> ", (int)(strstr(rest, ": ") - rest), rest);
	else if (p != origin)
		fprintf(f, "%.*s", origin[0] == '#' ? 17 : 5, origin);
	if (!inferred && p != origin)
		fputs(origin[0] == '#' ? "" : ": ", f);
	/* Steps: PKG ( -> REL -> PKG )* */
	for (k = 0;; k++) {
		const char *arrow = strstr(p, " -> ");
		const char *end = arrow && arrow < field ? arrow : field - 1;
		if (end <= p) {
			fclose(f);
			free(buf);
			return NULL;  /* an empty step: "a -> (Libs)" */
		}
		if (k % 2 == 0)
			fprintf(f, "%.*s.pc%s", (int)(end - p), p, k == 0 && inferred ? " (inferred)" : "");
		else
			fprintf(f, " -> %.*s: ", (int)(end - p), p);
		if (end == field - 1)
			break;
		p = arrow + 4;
	}
	fprintf(f, " -> %.*s: %s", (int)(close - field - 1), field + 1, flag);
	if (fclose(f) != 0 || k % 2 != 0) {
		free(buf);
		return NULL;  /* a relation without its package: not a chain we wrote */
	}
	return buf;
}
