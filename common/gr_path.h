/* gr_path: finding commands the way execvp does. */
#ifndef GR_PATH_H
#define GR_PATH_H

/* Where command word would run from: itself when it holds a slash, else the
 * first executable entry of path, the value of PATH (NULL: /usr/bin:/bin),
 * malloc'd; NULL when there is none. */
char *gr_path_which(const char *word, const char *path);

#endif
