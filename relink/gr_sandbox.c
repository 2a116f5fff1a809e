#define _GNU_SOURCE  /* unshare, CLONE_NEW* */
#include "gr_sandbox.h"
#include "gr_bytes.h"
#include "gr_path.h"
#include "gr_strvec.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* ---- the helper's side ---------------------------------------------------- */

/* Write text to a /proc file (uid_map, gid_map, setgroups). */
static int
gr_sb_write(const char *path, const char *text, struct gr_error *err)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t n = strlen(text);

	if (fd < 0 || write(fd, text, n) != (ssize_t)n) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return gr_error_set(err, GR_EIO, e, "writing %s: %s", path, strerror(e));
	}
	close(fd);
	return GR_OK;
}

/* A private mount namespace; a user namespace too when not root (or when
 * root lacks CAP_SYS_ADMIN, as in some containers), mapping our ids to themselves. */
static int
gr_sb_unshare(struct gr_error *err)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];

	if (uid == 0 && unshare(CLONE_NEWNS) == 0)
		return GR_OK;
	if (uid == 0 && errno != EPERM)
		return gr_error_set(err, GR_EIO, errno, "unshare(CLONE_NEWNS): %s", strerror(errno));
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0)
		return gr_error_set(err, GR_EIO, errno, "unshare(CLONE_NEWUSER|CLONE_NEWNS): %s (%s)", strerror(errno),
		                    errno == ENOSPC ? "user namespaces are limited to 0: /proc/sys/user/max_user_namespaces"
		                    : errno == EPERM ? "user namespaces are not allowed here"
		                                     : "no user namespaces");
	snprintf(map, sizeof(map), "%lu %lu 1\n", (unsigned long)uid, (unsigned long)uid);
	if (gr_sb_write("/proc/self/uid_map", map, err))
		return err->code;
	if (gr_sb_write("/proc/self/setgroups", "deny", err))
		return err->code;
	snprintf(map, sizeof(map), "%lu %lu 1\n", (unsigned long)gid, (unsigned long)gid);
	return gr_sb_write("/proc/self/gid_map", map, err);
}

/* mkdir -p root + path (absolute), each new directory mode 0755. */
static int
gr_sb_mkdirs(const char *root, const char *path, struct gr_error *err)
{
	size_t rl = strlen(root), pl = strlen(path), i;
	char *p = malloc(rl + pl + 2);

	if (!p)
		return gr_error_set(err, GR_ENOMEM, ENOMEM, "out of memory");
	snprintf(p, rl + pl + 2, "%s/%s", root, path);
	for (i = rl + 1; p[i]; i++) {
		bool last = p[i + 1] == '\0';
		if (p[i] != '/' && !last)
			continue;
		if (p[i] == '/' && (i == rl + 1 || p[i - 1] == '/'))
			continue;
		if (!last)
			p[i] = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST) {
			int e = errno;
			gr_error_set(err, GR_EIO, e, "mkdir %s in the root: %s", p + rl, strerror(e));
			free(p);
			return GR_EIO;
		}
		if (!last)
			p[i] = '/';
	}
	free(p);
	return GR_OK;
}

/* Bind-mount the file src on an empty file made as /name in the root at mnt. */
static int
gr_sb_bind_file(const char *mnt, const char *src, const char *name, struct gr_error *err)
{
	char *dst = gr_path_join(mnt, name);
	int fd;

	if (!dst)
		return gr_error_set(err, GR_ENOMEM, ENOMEM, "out of memory");
	if ((fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755)) < 0) {
		int e = errno;
		free(dst);
		return gr_error_set(err, GR_EIO, e, "making /%s in the root: %s", name, strerror(e));
	}
	close(fd);
	if (mount(src, dst, NULL, MS_BIND, NULL) != 0) {
		int e = errno;
		free(dst);
		return gr_error_set(err, GR_EIO, e, "bind-mounting %s as /%s: %s", src, name, strerror(e));
	}
	free(dst);
	return GR_OK;
}

int
gr_sandbox_enter(const char *mnt, const char *binary, const char *pkg_dir, const char *name,
                 const char *interp, bool *testdata, struct gr_error *err)
{
	char *tmp = NULL, *td = NULL, *tdin = NULL;
	const char *iname = NULL;
	struct stat st;
	int rc = GR_EIO;

	*testdata = false;
	if (pkg_dir[0] != '/' || strchr(name, '/') || !name[0])
		return gr_error_set(err, GR_EUSAGE, 0, "the package directory must be absolute and the name plain");
	if (interp) {
		iname = strrchr(interp, '/') ? strrchr(interp, '/') + 1 : interp;
		if (!iname[0] || !strcmp(iname, name) || !strcmp(iname, "tmp"))
			return gr_error_set(err, GR_EUSAGE, 0, "the interpreter %s cannot be /%s in the root beside /%s",
			                    interp, iname, name);
	}
	if (gr_sb_unshare(err))
		return err->code;
	/* Nothing mounted here reaches the host's namespace. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		return gr_error_set(err, GR_EIO, errno, "making the mounts private: %s", strerror(errno));
	if (mount("gorelink-root", mnt, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0)
		return gr_error_set(err, GR_EIO, errno, "mounting a tmpfs on %s: %s", mnt, strerror(errno));
	if (!(tmp = gr_path_join(mnt, "/tmp")) || !(td = gr_path_join(pkg_dir, "/testdata"))) {
		rc = gr_error_set(err, GR_ENOMEM, ENOMEM, "out of memory");
		goto out;
	}
	/* /tmp: private, empty, writable by all (sticky). */
	if (mkdir(tmp, 0755) != 0 || chmod(tmp, 01777) != 0) {
		gr_error_set(err, GR_EIO, errno, "making /tmp in the root: %s", strerror(errno));
		goto out;
	}
	/* The binary (and its interpreter), bind-mounted on empty files. */
	if ((rc = gr_sb_bind_file(mnt, binary, name, err)) != GR_OK ||
	    (interp && (rc = gr_sb_bind_file(mnt, interp, iname, err)) != GR_OK))
		goto out;
	rc = GR_EIO;
	/* The package directory, at its own path, with its testdata. */
	if (gr_sb_mkdirs(mnt, pkg_dir, err))
		goto out;
	if (stat(td, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (!(tdin = gr_path_join(mnt, td))) {
			rc = gr_error_set(err, GR_ENOMEM, ENOMEM, "out of memory");
			goto out;
		}
		if (mkdir(tdin, 0755) != 0 || mount(td, tdin, NULL, MS_BIND | MS_REC, NULL) != 0) {
			gr_error_set(err, GR_EIO, errno, "bind-mounting %s: %s", td, strerror(errno));
			goto out;
		}
		*testdata = true;
	}
	if (chroot(mnt) != 0) {
		gr_error_set(err, GR_EIO, errno, "chroot %s: %s", mnt, strerror(errno));
		goto out;
	}
	if (chdir(pkg_dir) != 0) {
		gr_error_set(err, GR_EIO, errno, "chdir %s in the root: %s", pkg_dir, strerror(errno));
		goto out;
	}
	rc = GR_OK;
out:
	free(tmp);
	free(td);
	free(tdin);
	return rc;
}

/* ---- the parent's side ---------------------------------------------------- */

/* What an ELF file's header says about the machine it is for. */
struct gr_sb_elf {
	unsigned machine;  /* e_machine */
	int bits;          /* 32 or 64 */
	bool msb;          /* big-endian */
	bool interp;       /* it has a PT_INTERP program header: dynamically linked */
};

/* Read path's ELF header and program headers into e. */
static int
gr_sb_elf_read(const char *path, struct gr_sb_elf *e, struct gr_error *err)
{
	unsigned char h[64], ph[56];
	uint64_t phoff;
	size_t hlen, phentsize, phnum, i, want;
	ssize_t k;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	memset(e, 0, sizeof(*e));
	if (fd < 0)
		return gr_error_set(err, GR_EIO, errno, "%s: %s", path, strerror(errno));
	k = pread(fd, h, sizeof(h), 0);
	if (k < 20 || memcmp(h, ELFMAG, SELFMAG) != 0 || (h[EI_CLASS] != ELFCLASS32 && h[EI_CLASS] != ELFCLASS64) ||
	    (h[EI_DATA] != ELFDATA2LSB && h[EI_DATA] != ELFDATA2MSB)) {
		close(fd);
		return gr_error_set(err, GR_EIO, 0, "%s: not an ELF file", path);
	}
	e->bits = h[EI_CLASS] == ELFCLASS64 ? 64 : 32;
	e->msb = h[EI_DATA] == ELFDATA2MSB;
	e->machine = (unsigned)gr_bytes_get(h + 18, 2, e->msb);
	/* Program headers: e_phoff, e_phentsize, e_phnum (bounds checked). */
	hlen = e->bits == 64 ? 64 : 52;
	if ((size_t)k < hlen) {
		close(fd);
		return gr_error_set(err, GR_EIO, 0, "%s: truncated ELF header", path);
	}
	phoff = e->bits == 64 ? gr_bytes_get(h + 32, 8, e->msb) : gr_bytes_get(h + 28, 4, e->msb);
	phentsize = (size_t)gr_bytes_get(h + (e->bits == 64 ? 54 : 42), 2, e->msb);
	phnum = (size_t)gr_bytes_get(h + (e->bits == 64 ? 56 : 44), 2, e->msb);
	want = e->bits == 64 ? 56 : 32;
	if (phnum && (phentsize < want || phoff > (uint64_t)1 << 40)) {
		close(fd);
		return gr_error_set(err, GR_EIO, 0, "%s: bad ELF program headers", path);
	}
	for (i = 0; i < phnum; i++) {
		k = pread(fd, ph, want, (off_t)(phoff + (uint64_t)i * phentsize));
		if (k != (ssize_t)want) {
			close(fd);
			return gr_error_set(err, GR_EIO, 0, "%s: truncated ELF program headers", path);
		}
		if (gr_bytes_get(ph, 4, e->msb) == PT_INTERP)
			e->interp = true;
	}
	close(fd);
	return GR_OK;
}

/* qemu's name for the machine an ELF file is for ("aarch64"), or NULL. */
static const char *
gr_sb_qemu_arch(const struct gr_sb_elf *e)
{
	switch (e->machine) {
	case EM_X86_64: return "x86_64";
	case EM_386: return "i386";
	case EM_AARCH64: return e->msb ? "aarch64_be" : "aarch64";
	case EM_ARM: return e->msb ? "armeb" : "arm";
	case EM_RISCV: return e->bits == 64 ? "riscv64" : "riscv32";
	case EM_PPC64: return e->msb ? "ppc64" : "ppc64le";
	case EM_PPC: return "ppc";
	case EM_S390: return "s390x";
	case EM_MIPS: return e->bits == 64 ? (e->msb ? "mips64" : "mips64el") : (e->msb ? "mips" : "mipsel");
	case 258: return "loongarch64";  /* EM_LOONGARCH, newer than some elf.h */
	case EM_SPARCV9: return "sparc64";
	case EM_SPARC: return "sparc";
	case EM_68K: return "m68k";
	case EM_ALPHA: return "alpha";
	case EM_PARISC: return "hppa";
	case EM_SH: return e->msb ? "sh4eb" : "sh4";
	}
	return NULL;
}

int
gr_sandbox_interpreter(const char *binary, const char *self, const char *path, char *buf, size_t n,
                       struct gr_error *err)
{
	struct gr_sb_elf b, h, q;
	const char *arch, *harch;
	char word[64], *found;

	buf[0] = '\0';
	if (gr_sb_elf_read(binary, &b, err) || gr_sb_elf_read(self, &h, err))
		return err->code;
	if (b.machine == h.machine && b.bits == h.bits && b.msb == h.msb)
		return GR_OK;
	/* x86-64 kernels run i386 binaries themselves. */
	if (h.machine == EM_X86_64 && b.machine == EM_386 && !b.msb)
		return GR_OK;
	arch = gr_sb_qemu_arch(&b);
	harch = gr_sb_qemu_arch(&h);
	if (!arch)
		return gr_error_set(err, GR_EIO, 0, "%s is for ELF machine %u, which this machine (%s) cannot run and "
		                    "qemu has no user-mode emulator for", binary, b.machine, harch ? harch : "?");
	snprintf(word, sizeof(word), "qemu-%s-static", arch);
	if (!(found = gr_path_which(word, path)))
		return gr_error_set(err, GR_EIO, 0, "%s is for %s, this machine is %s: running it needs %s, which is not "
		                    "in PATH (apt-get install qemu-user-static)", binary, arch, harch ? harch : "another",
		                    word);
	if (gr_sb_elf_read(found, &q, err)) {
		free(found);
		return err->code;
	}
	if (q.interp) {
		gr_error_set(err, GR_EIO, 0, "%s is dynamically linked: %s needs a static qemu user-mode emulator "
		             "(apt-get install qemu-user-static)", found, binary);
		free(found);
		return GR_EIO;
	}
	if (strlen(found) >= n) {
		gr_error_set(err, GR_EIO, 0, "%s: path too long", found);
		free(found);
		return GR_EIO;
	}
	snprintf(buf, n, "%s", found);
	free(found);
	return GR_OK;
}

static double
gr_sb_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* One run of the helper: mode "root" or "host". On return, *report holds what
 * the helper wrote on its pipe (malloc'd, "" when it exec'd the binary
 * without a word), and r how the process ended. */
static int
gr_sb_spawn(const struct gr_sandbox_opts *o, const char *mode, const char *mnt, const char *name,
            char **report, struct gr_sandbox_result *r, struct gr_error *err)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	struct gr_strvec argv;
	char *buf = NULL;
	size_t len = 0, i, n = 0;
	int p[2], rc, status, sent = 0;
	pid_t pid;
	double t0;

	*report = NULL;
	if (!o->env->self[0])
		return gr_error_set(err, GR_EIO, 0, "cannot find the gorelink program (/proc/self/exe) to start %s",
		                    GR_SANDBOX_HELPER);
	gr_strvec_init(&argv);
	n = gr_strvec_push(&argv, GR_SANDBOX_HELPER) || gr_strvec_push(&argv, mode) || gr_strvec_push(&argv, mnt) ||
	    gr_strvec_push(&argv, o->pkg_dir) || gr_strvec_push(&argv, o->binary) || gr_strvec_push(&argv, name) ||
	    gr_strvec_push(&argv, r->interpreter[0] ? r->interpreter : "-");
	for (i = 0; i < o->nargs && !n; i++)
		n = gr_strvec_push(&argv, o->args[i]) != 0;
	if (n || !gr_strvec_argv(&argv)) {
		gr_strvec_deinit(&argv);
		return gr_error_set(err, GR_ENOMEM, ENOMEM, "out of memory");
	}
	if (pipe2(p, O_CLOEXEC) != 0) {
		gr_strvec_deinit(&argv);
		return gr_error_set(err, GR_EIO, errno, "pipe: %s", strerror(errno));
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	posix_spawn_file_actions_adddup2(&fa, p[1], GR_SANDBOX_FD);
	if (o->stdout_to_stderr)
		posix_spawn_file_actions_adddup2(&fa, 2, 1);
	t0 = gr_sb_now();
	rc = posix_spawn(&pid, o->env->self, &fa, &attr, gr_strvec_argv(&argv), environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	gr_strvec_deinit(&argv);
	close(p[1]);
	if (rc != 0) {
		close(p[0]);
		return gr_error_set(err, GR_EIO, rc, "cannot start %s: %s", o->env->self, strerror(rc));
	}
	/* The report: until the helper execs the binary (close on exec) or exits. */
	for (;;) {
		char chunk[1024];
		ssize_t k = read(p[0], chunk, sizeof(chunk));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		char *g = realloc(buf, len + (size_t)k + 1);
		if (!g)
			break;
		buf = g;
		memcpy(buf + len, chunk, (size_t)k);
		len += (size_t)k;
	}
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			free(buf);
			return gr_error_set(err, GR_EIO, errno, "waiting for %s: %s", o->binary, strerror(errno));
		}
		/* gorelink was asked to stop: so is the binary (a terminal's ^C reached it already). */
		if (o->stop && *o->stop && !sent) {
			sent = *o->stop;
			kill(pid, sent);
		}
	}
	r->seconds = gr_sb_now() - t0;
	r->exited = WIFEXITED(status);
	r->code = r->exited ? WEXITSTATUS(status) : WTERMSIG(status);
	if (!buf && !(buf = strdup("")))
		return gr_error_set(err, GR_ENOMEM, ENOMEM, "out of memory");
	buf[len] = '\0';
	*report = buf;
	return GR_OK;
}

/* The helper's report: "R0"/"R1" (entered the root; without, with testdata),
 * then nothing (the binary was exec'd), "E..." (the root could not be made)
 * or "X..." (the binary could not be exec'd), each up to a newline. */
static const char *
gr_sb_line(const char *report, char kind)
{
	const char *p;

	for (p = report; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p))
		if (*p == kind)
			return p + 1;
	return NULL;
}

/* Copy a report line's text (up to its newline) into buf. */
static void
gr_sb_text(const char *line, char *buf, size_t n)
{
	size_t l = strcspn(line, "\n");
	snprintf(buf, n, "%.*s", (int)l, line);
}

int
gr_sandbox_run(const struct gr_sandbox_opts *o, struct gr_sandbox_result *r, struct gr_error *err)
{
	const char *slash = strrchr(o->binary, '/'), *name = slash ? slash + 1 : o->binary;
	const char *tmpdir = o->env->tmpdir && o->env->tmpdir[0] == '/' ? o->env->tmpdir : "/tmp";
	char *mnt = NULL, *report = NULL, why[900];
	const char *e;
	int rc;

	memset(r, 0, sizeof(*r));
	/* A binary for another machine: its qemu, or no run at all (never the host by mistake). */
	if (!o->env->self[0])
		return gr_error_set(err, GR_EIO, 0, "cannot find the gorelink program (/proc/self/exe) to start %s",
		                    GR_SANDBOX_HELPER);
	if (gr_sandbox_interpreter(o->binary, o->env->self, o->env->path, r->interpreter, sizeof(r->interpreter), err))
		return err->code;
	if (o->where != GR_SANDBOX_HOST) {
		size_t n = strlen(tmpdir) + 32;
		if (!(mnt = malloc(n)))
			return gr_error_set(err, GR_ENOMEM, ENOMEM, "out of memory");
		snprintf(mnt, n, "%s/gorelink-root-XXXXXX", tmpdir);
		if (!mkdtemp(mnt)) {
			int en = errno;
			snprintf(why, sizeof(why), "cannot make the root's mount point in %s: %s", tmpdir, strerror(en));
			free(mnt);
			mnt = NULL;
			if (o->where == GR_SANDBOX_ROOT)
				return gr_error_set(err, GR_EIO, en, "%s", why);
			snprintf(r->fallback, sizeof(r->fallback), "%s", why);
		}
	}
	if (mnt) {
		rc = gr_sb_spawn(o, "root", mnt, name, &report, r, err);
		rmdir(mnt);  /* empty here: the tmpfs went with the helper's namespace */
		free(mnt);
		if (rc)
			return rc;
		r->testdata = gr_sb_line(report, 'R') && *gr_sb_line(report, 'R') == '1';
		if ((e = gr_sb_line(report, 'X')) != NULL) {
			gr_sb_text(e, why, sizeof(why));
			free(report);
			return gr_error_set(err, GR_EIO, 0, "cannot run %s in the empty root: %s", o->binary, why);
		}
		if ((e = gr_sb_line(report, 'E')) == NULL) {
			free(report);
			r->in_root = true;
			return GR_OK;
		}
		gr_sb_text(e, why, sizeof(why));
		free(report);
		report = NULL;
		if (o->where == GR_SANDBOX_ROOT)
			return gr_error_set(err, GR_EIO, 0, "cannot make the empty root: %s", why);
		snprintf(r->fallback, sizeof(r->fallback), "%s", why);
		r->testdata = false;
	}
	rc = gr_sb_spawn(o, "host", "-", name, &report, r, err);
	if (rc)
		return rc;
	if ((e = gr_sb_line(report, 'X')) != NULL || (e = gr_sb_line(report, 'E')) != NULL) {
		gr_sb_text(e, why, sizeof(why));
		free(report);
		return gr_error_set(err, GR_EIO, 0, "cannot run %s: %s", o->binary, why);
	}
	free(report);
	return GR_OK;
}
