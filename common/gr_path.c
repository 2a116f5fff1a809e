#include "gr_path.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *
gr_path_which(const char *word, const char *path)
{
	const char *p, *colon;
	char *cand;
	size_t n;

	if (!*word)
		return NULL;
	if (strchr(word, '/'))
		return access(word, X_OK) == 0 ? strdup(word) : NULL;
	for (p = path ? path : "/usr/bin:/bin"; *p; p = *colon ? colon + 1 : colon) {
		colon = strchr(p, ':');
		if (!colon)
			colon = p + strlen(p);
		n = (size_t)(colon - p) + strlen(word) + 3;
		if (!(cand = malloc(n)))
			return NULL;
		/* An empty PATH entry means the current directory. */
		snprintf(cand, n, "%.*s/%s", (int)(colon - p), colon == p ? "." : p, word);
		if (access(cand, X_OK) == 0)
			return cand;
		free(cand);
	}
	return NULL;
}
