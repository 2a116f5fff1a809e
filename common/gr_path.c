#include "gr_path.h"

#include <stdbool.h>
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
		snprintf(cand, n, "%.*s/%s", colon == p ? 1 : (int)(colon - p), colon == p ? "." : p, word);
		if (access(cand, X_OK) == 0)
			return cand;
		free(cand);
	}
	return NULL;
}

char *
gr_path_lexical(const char *path)
{
	size_t n = strlen(path), len = 0, *starts, nseg = 0;
	bool abs = path[0] == '/';
	const char *p = path;
	char *out;

	/* out is never longer than path; starts[] holds where each kept segment begins. */
	if (!(out = malloc(n + 2)))
		return NULL;
	if (!(starts = malloc((n / 2 + 2) * sizeof(*starts)))) {
		free(out);
		return NULL;
	}
	if (abs)
		out[len++] = '/';
	while (*p) {
		const char *seg;
		size_t sl;
		while (*p == '/')
			p++;
		seg = p;
		while (*p && *p != '/')
			p++;
		sl = (size_t)(p - seg);
		if (!sl || (sl == 1 && seg[0] == '.'))
			continue;
		if (sl == 2 && seg[0] == '.' && seg[1] == '.') {
			if (nseg && !(starts[nseg - 1] + 2 == len && out[starts[nseg - 1]] == '.' &&
			              out[starts[nseg - 1] + 1] == '.')) {
				/* Cancel the last segment (and its separator). */
				len = starts[--nseg];
				if (len > (abs ? 1u : 0u))
					len--;
				continue;
			}
			if (abs)
				continue;  /* "/.." is "/" */
		}
		if (len > (abs ? 1u : 0u))
			out[len++] = '/';
		starts[nseg++] = len;
		memcpy(out + len, seg, sl);
		len += sl;
	}
	if (!len && *path)
		out[len++] = '.';
	out[len] = '\0';
	free(starts);
	return out;
}

char *
gr_path_join(const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name), sep = name[0] != '/';
	char *p = malloc(dl + sep + nl + 1);

	if (!p)
		return NULL;
	memcpy(p, dir, dl);
	if (sep)
		p[dl] = '/';
	memcpy(p + dl + sep, name, nl + 1);
	return p;
}
