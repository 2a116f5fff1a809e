/* gr_sandbox: run a test binary in an empty root made for the run (gorelink test --run).
 *
 * The root is a tmpfs mounted, in a private mount namespace (and a user
 * namespace when not root), on an empty directory made for the run. It holds
 * only the binary (bind-mounted as /NAME), an empty /tmp (mode 1777) and the
 * package directory at its own absolute path, empty but for its testdata
 * (bind-mounted, as go test sees it), which is the working directory. The
 * namespace goes away with the binary, and with it the root's contents.
 *
 * The parent side (gr_sandbox_run) spawns the gorelink program again as the
 * helper GR_SANDBOX_HELPER (posix_spawn, argv[0] names it), which enters the
 * root (gr_sandbox_enter) and execs the binary; a pipe on the helper's
 * descriptor 3, closed on exec, says whether it got that far.
 *
 * A binary for another machine (its ELF header's machine, class or byte
 * order differs from the gorelink program's: a cross build, GOARCH=arm64 on
 * x86-64) runs under the matching qemu user-mode interpreter,
 * qemu-ARCH-static (Debian: qemu-user-static), found in PATH and run by path:
 * binfmt_misc is neither needed nor used. The interpreter is a static binary
 * itself; in the empty root it is bind-mounted as /qemu-ARCH-static beside
 * the test binary, and runs it as /NAME. Without one, the run fails (no
 * fallback to running it on the host). i386 binaries on x86-64 run natively. */
#ifndef GR_SANDBOX_H
#define GR_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

#include "gr_env.h"
#include "gr_error.h"

#define GR_SANDBOX_HELPER "gorelink-sandbox"  /* the helper's argv[0] (cli/main.c dispatches on it) */
#define GR_SANDBOX_FD 3                      /* the helper's report pipe */

/* Where the binary runs. */
enum gr_sandbox_where {
	GR_SANDBOX_AUTO,  /* the empty root; where it cannot be made, the host (fallback says why) */
	GR_SANDBOX_ROOT,  /* the empty root, or an error */
	GR_SANDBOX_HOST,  /* the host, in the package directory */
};

struct gr_sandbox_opts {
	const struct gr_env *env;      /* self: the helper's program; tmpdir: where the mount point goes */
	const char *binary;            /* the test binary */
	const char *pkg_dir;           /* absolute: the working directory; its testdata goes into the root */
	char *const *args;             /* the binary's arguments after argv[0] (-test.* flags) */
	size_t nargs;
	enum gr_sandbox_where where;
	bool stdout_to_stderr;         /* the binary writes its stdout to our stderr */
	volatile const int *stop;      /* non-zero: a signal to pass on to the binary once; may be NULL */
};

struct gr_sandbox_result {
	bool in_root;                  /* it ran in the empty root (false: on the host) */
	char fallback[1024];           /* GR_SANDBOX_AUTO: why it ran on the host, else "" */
	bool testdata;                 /* the root held the package's testdata directory */
	char interpreter[4096];        /* the qemu-ARCH-static (its path on the host) that ran it, or "" (natively) */
	bool exited;                   /* true: exit status in code; false: killed by signal code */
	int code;
	double seconds;                /* how long the binary ran */
};

/* Run o->binary as o->where says and wait for it: GR_OK with how it ended in
 * r (a failing test is GR_OK too), or GR_EIO/GR_EUSAGE/GR_ENOMEM when it
 * could not be started (no fallback where the root was required). */
int gr_sandbox_run(const struct gr_sandbox_opts *o, struct gr_sandbox_result *r, struct gr_error *err);

/* Which interpreter binary needs on the machine the program self runs on:
 * GR_OK with "" in buf (it runs natively), or qemu-ARCH-static's path found in
 * path (PATH's value; NULL: /usr/bin:/bin); GR_EIO when a file cannot be read
 * or is no ELF file, or when binary is for another machine and the
 * interpreter is missing (err names qemu-user-static) or not static (a
 * dynamic one cannot run in the empty root). */
int gr_sandbox_interpreter(const char *binary, const char *self, const char *path, char *buf, size_t n,
                           struct gr_error *err);

/* In the helper: make the root on the empty directory mount (see above) with
 * binary as /name, interp (its host path, or NULL) as /BASENAME and pkg_dir's
 * testdata, chroot into it and chdir to pkg_dir; *testdata says whether there
 * was one. Returns GR_OK, or GR_EIO with the step that failed in err (the
 * process is then in an unknown state: the helper reports and exits). */
int gr_sandbox_enter(const char *mount, const char *binary, const char *pkg_dir, const char *name,
                     const char *interp, bool *testdata, struct gr_error *err);

#endif
