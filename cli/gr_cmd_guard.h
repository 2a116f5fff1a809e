/* gr_cmd_guard: gorelink-guard, the helper that outlives gorelink if it is killed. */
#ifndef GR_CMD_GUARD_H
#define GR_CMD_GUARD_H

/* gorelink-guard [--rm PATH]... -- PROG [ARG]...: run PROG and relay its exit
 * status; if gorelink (the holder of descriptor 3's other end) goes away
 * first, kill PROG's process group and remove every PATH. */
int gr_cmd_guard(int argc, char **argv);

#endif
