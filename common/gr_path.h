/* gr_path: finding commands the way execvp does; paths joined; paths tidied for people. */
#ifndef GR_PATH_H
#define GR_PATH_H

/* Where command word would run from: itself when it holds a slash, else the
 * first executable entry of path, the value of PATH (NULL: /usr/bin:/bin),
 * malloc'd; NULL when there is none. */
char *gr_path_which(const char *word, const char *path);

/* path tidied lexically, without looking at the files (no realpath):
 * "//" and "/./" collapse, "dir/.." cancels (kept where it cannot: a leading
 * "..", or ".." after one), a trailing '/' goes; "" stays "". For messages
 * only: a symbolic link makes "a/link/.." differ from "a". Malloc'd; NULL
 * when out of memory. */
char *gr_path_lexical(const char *path);

/* dir, '/', name (no '/' added when name starts with one); nothing tidied: "a/"+"b" is "a//b", ""+"b" is "/b". Malloc'd; NULL when out of memory. */
char *gr_path_join(const char *dir, const char *name);

#endif
