#include "gr_goinfo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gelf.h>
#include <libelf.h>

#include "gr_macho.h"

/* The sentinels around the module info string (runtime/debug.modinfo). */
static const unsigned char gr_gi_start[16] = {
	0x30, 0x77, 0xaf, 0x0c, 0x92, 0x74, 0x08, 0x02, 0x41, 0xe1, 0xc1, 0x07, 0xe6, 0xd6, 0x18, 0xe6,
};
static const unsigned char gr_gi_end[16] = {
	0xf9, 0x32, 0x43, 0x31, 0x86, 0x18, 0x20, 0x72, 0x00, 0x82, 0x42, 0x10, 0x41, 0x16, 0xd8, 0xf2,
};

/* An unsigned LEB128 varint at *p (below end); false when cut or too long. */
static bool
gr_gi_uvarint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	unsigned shift = 0;

	*v = 0;
	while (*p < end && shift < 64) {
		unsigned char b = *(*p)++;
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return true;
		shift += 7;
	}
	return false;
}

/* A length-prefixed string at *p: its bytes and length, bounded by end. */
static bool
gr_gi_lstring(const unsigned char **p, const unsigned char *end, const unsigned char **s, size_t *n)
{
	uint64_t l;

	if (!gr_gi_uvarint(p, end, &l) || l > (uint64_t)(end - *p))
		return false;
	*s = *p;
	*n = (size_t)l;
	*p += l;
	return true;
}

static bool
gr_gi_push(struct gr_arena *a, const char ***arr, size_t *n, size_t *cap, const char *s)
{
	if (!s || !gr_arena_grow(a, (void **)arr, *n, cap, sizeof(**arr)))
		return false;
	(*arr)[(*n)++] = s;
	return true;
}

/* The second tab-separated field of a line (after "dep\t"), up to the next tab. */
static char *
gr_gi_field(struct gr_arena *a, const char *s, size_t n)
{
	size_t l = 0;

	while (l < n && s[l] != '\t')
		l++;
	return gr_arena_strndup(a, s, l);
}

/* Read the module info text (sentinels removed): path, mod, dep and build lines. */
static int
gr_gi_modinfo(const char *s, size_t n, struct gr_arena *a, struct gr_goinfo *gi, struct gr_error *err)
{
	size_t cdeps = 0, cset = 0;

	if (!(gi->modinfo = gr_arena_strndup(a, s, n)))
		return gr_error_set(err, GR_ENOMEM, 0, "Go build info: out of memory");
	while (n > 0) {
		const char *nl = memchr(s, '\n', n);
		size_t l = nl ? (size_t)(nl - s) : n;
		bool ok = true;

		if (l > 5 && !memcmp(s, "path\t", 5))
			ok = (gi->main_path = gr_gi_field(a, s + 5, l - 5)) != NULL;
		else if (l > 4 && !memcmp(s, "mod\t", 4))
			ok = (gi->main_module = gr_gi_field(a, s + 4, l - 4)) != NULL;
		else if (l > 4 && !memcmp(s, "dep\t", 4))
			ok = gr_gi_push(a, &gi->deps, &gi->ndeps, &cdeps, gr_gi_field(a, s + 4, l - 4));
		else if (l > 6 && !memcmp(s, "build\t", 6))
			ok = gr_gi_push(a, &gi->settings, &gi->nsettings, &cset,
			                gr_arena_strndup(a, s + 6, l - 6));
		if (!ok)
			return gr_error_set(err, GR_ENOMEM, 0, "Go build info: out of memory");
		s += l;
		n -= l;
		if (n) {  /* the newline */
			s++;
			n--;
		}
	}
	return GR_OK;
}

int
gr_goinfo_parse_buildinfo(const unsigned char *p, size_t len, struct gr_arena *a,
                          struct gr_goinfo *gi, struct gr_error *err)
{
	const unsigned char *q, *end = p + len, *vs, *ms;
	size_t vn, mn;

	/* magic (14), pointer size (1), flags (1), 16 bytes more: then, with
	 * flag 2 (Go 1.18 and later), two varint-prefixed strings inline. */
	if (len < 32 || memcmp(p, GR_GOINFO_MAGIC, GR_GOINFO_MAGIC_LEN) != 0)
		return gr_error_set(err, GR_EFORMAT, 0, "Go build info: no magic");
	if (!(p[15] & 2))
		return gr_error_set(err, GR_EFORMAT, 0, "Go build info: pre-1.18 pointer format is not read");
	q = p + 32;
	if (!gr_gi_lstring(&q, end, &vs, &vn) || !gr_gi_lstring(&q, end, &ms, &mn))
		return gr_error_set(err, GR_EFORMAT, 0, "Go build info: strings are cut short");
	if (vn && !(gi->go_version = gr_arena_strndup(a, (const char *)vs, vn)))
		return gr_error_set(err, GR_ENOMEM, 0, "Go build info: out of memory");
	/* The module info: 16 bytes of sentinel, the text, a newline, the end sentinel. */
	if (mn >= 33 && !memcmp(ms, gr_gi_start, 16) && !memcmp(ms + mn - 16, gr_gi_end, 16) &&
	    ms[mn - 17] == '\n')
		return gr_gi_modinfo((const char *)ms + 16, mn - 32, a, gi, err);
	return GR_OK;  /* no module info (go build of a file, or -buildinfo=false) */
}

/* Little- or big-endian words of a pclntab. */
static uint32_t
gr_gi_u32(const unsigned char *p, bool be)
{
	return be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
	          : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint64_t
gr_gi_uptr(const unsigned char *p, unsigned size, bool be)
{
	if (size == 4)
		return gr_gi_u32(p, be);
	return be ? (uint64_t)gr_gi_u32(p, true) << 32 | gr_gi_u32(p + 4, true)
	          : (uint64_t)gr_gi_u32(p + 4, false) << 32 | gr_gi_u32(p, false);
}

long
gr_goinfo_pclntab_names(const unsigned char *p, size_t len,
                        bool (*fn)(const char *name, size_t n, void *ctx), void *ctx)
{
	uint32_t magic;
	unsigned ps;
	bool be;
	uint64_t nfunc, nameoff, pcloff, i;
	long count = 0;

	/* Go 1.18 (0xfffffff0) and 1.20+ (0xfffffff1): magic, 2 pad bytes, minLC,
	 * ptrSize, then nfunc, nfiles, textStart, funcnameOffset, cuOffset,
	 * filetabOffset, pctabOffset, pclnOffset as pointer-sized words. */
	if (len < 8)
		return -1;
	magic = gr_gi_u32(p, false);
	be = false;
	if (magic != 0xfffffff0 && magic != 0xfffffff1) {
		magic = gr_gi_u32(p, true);
		be = true;
		if (magic != 0xfffffff0 && magic != 0xfffffff1)
			return -1;
	}
	ps = p[7];
	if ((ps != 4 && ps != 8) || p[4] || p[5] || len < 8 + 8 * (size_t)ps)
		return -1;
	nfunc = gr_gi_uptr(p + 8, ps, be);
	nameoff = gr_gi_uptr(p + 8 + 3 * ps, ps, be);
	pcloff = gr_gi_uptr(p + 8 + 7 * ps, ps, be);
	if (nameoff >= len || pcloff >= len || nfunc > (len - pcloff) / 8)
		return -1;
	/* functab: nfunc pairs (entryoff, funcoff), funcoff from pclnOffset on;
	 * the _func there starts with entryOff, then nameOff into funcnametab. */
	for (i = 0; i < nfunc; i++) {
		uint64_t fo = pcloff + gr_gi_u32(p + pcloff + 8 * i + 4, be), no;
		const char *name;
		const unsigned char *nul;
		if (fo > len - 8)
			continue;  /* a corrupt entry: skip it */
		no = nameoff + gr_gi_u32(p + fo + 4, be);
		if (no >= len || !(nul = memchr(p + no, '\0', len - no)))
			continue;
		name = (const char *)p + no;
		count++;
		if (!fn(name, (size_t)(nul - (p + no)), ctx))
			break;
	}
	return count;
}

/* The functions and packages whose presence tells what is read. */
enum {
	GR_GI_X509,        /* crypto/x509 loads system roots */
	GR_GI_X509_FB,     /* a fallback root pool is registered */
	GR_GI_X509_EMBED,  /* golang.org/x/crypto/x509roots/fallback is linked in */
	GR_GI_TZ,          /* time.LoadLocation */
	GR_GI_TZDATA,      /* time/tzdata is linked in */
	GR_GI_USER,        /* os/user reads /etc/passwd itself */
	GR_GI_USER_CGO,    /* os/user through getpwnam_r */
	GR_GI_NET,         /* the pure Go resolver reads resolv.conf */
	GR_GI_NET_HOSTS,   /* ... /etc/hosts */
	GR_GI_NET_NSS,     /* ... /etc/nsswitch.conf */
	GR_GI_NET_CGO,     /* the cgo resolver (getaddrinfo) */
	GR_GI_NET_SYS,     /* the resolver that asks the C library (cgo, or darwin's libSystem without cgo) */
	GR_GI_N,
};

static const struct {
	const char *name;
	bool prefix;
	int mark;
} gr_gi_marks[] = {
	{ "crypto/x509.loadSystemRoots", false, GR_GI_X509 },
	{ "crypto/x509.initSystemRoots", false, GR_GI_X509 },
	{ "crypto/x509.SetFallbackRoots", false, GR_GI_X509_FB },
	{ "golang.org/x/crypto/x509roots/fallback.", true, GR_GI_X509_EMBED },
	{ "time.LoadLocation", false, GR_GI_TZ },
	{ "time/tzdata.", true, GR_GI_TZDATA },
	{ "os/user.readColonFile", false, GR_GI_USER },
	{ "os/user._Cfunc_", true, GR_GI_USER_CGO },
	{ "os/user._C2func_", true, GR_GI_USER_CGO },
	{ "net.dnsReadConfig", false, GR_GI_NET },
	{ "net.(*resolverConfig).init", false, GR_GI_NET },
	{ "net.readHosts", false, GR_GI_NET_HOSTS },
	{ "net.(*nsswitchConfig).init", false, GR_GI_NET_NSS },
	{ "net.parseNSSConfFile", false, GR_GI_NET_NSS },
	{ "net._C2func_getaddrinfo", false, GR_GI_NET_CGO },
	{ "net._Cfunc_getaddrinfo", false, GR_GI_NET_CGO },
	{ "net._C2func_res_search", false, GR_GI_NET_CGO },
	/* src/net/cgo_unix.go: built with cgo, or on darwin without netgo (then
	 * src/net/cgo_unix_syscall.go calls libSystem through
	 * src/internal/syscall/unix/net_darwin.go, no cgo needed). */
	{ "net.cgoLookupHostIP", false, GR_GI_NET_SYS },
	{ "net.cgoLookupIP", false, GR_GI_NET_SYS },
	{ "net.cgoLookupHost", false, GR_GI_NET_SYS },
	{ "internal/syscall/unix.Getaddrinfo", false, GR_GI_NET_SYS },
};

struct gr_gi_scan {
	const char *because[GR_GI_N];  /* the first function that set each mark (static) */
	size_t n;
};

static bool
gr_gi_mark(const char *name, size_t n, void *ctx)
{
	struct gr_gi_scan *s = ctx;
	size_t i;

	s->n++;
	for (i = 0; i < sizeof(gr_gi_marks) / sizeof(gr_gi_marks[0]); i++) {
		size_t l = strlen(gr_gi_marks[i].name);
		if (s->because[gr_gi_marks[i].mark] || n < l || (!gr_gi_marks[i].prefix && n != l) ||
		    memcmp(name, gr_gi_marks[i].name, l) != 0)
			continue;
		s->because[gr_gi_marks[i].mark] = gr_gi_marks[i].name;
	}
	return true;
}

/* Go's lists, as of src/crypto/x509/root_linux.go and src/time/zoneinfo_unix.go. */
static const char *const gr_gi_cert_paths[] = {
	"/etc/ssl/certs/ca-certificates.crt",
	"/etc/pki/tls/certs/ca-bundle.crt",
	"/etc/ssl/ca-bundle.pem",
	"/etc/pki/tls/cacert.pem",
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
	"/etc/ssl/cert.pem",
	"/etc/ssl/certs",
	"/etc/pki/tls/certs",
};
static const char *const gr_gi_zone_paths[] = {
	"/usr/share/zoneinfo/",
	"/usr/share/lib/zoneinfo/",
	"/usr/lib/locale/TZ/",
	"/etc/zoneinfo",
};
static const char *const gr_gi_user_paths[] = { "/etc/passwd", "/etc/group" };
static const char *const gr_gi_net_paths[] = { "/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf" };
/* darwin: macOS has no /etc/nsswitch.conf, and Go's resolver takes its
 * absence as "files, then DNS" (src/net/conf.go, lookupOrder). */
static const char *const gr_gi_net_paths_darwin[] = { "/etc/resolv.conf", "/etc/hosts" };

const char *
gr_goinfo_setting(const struct gr_goinfo *gi, const char *key)
{
	size_t i, l = strlen(key);

	for (i = 0; i < gi->nsettings; i++)
		if (!strncmp(gi->settings[i], key, l) && gi->settings[i][l] == '=')
			return gi->settings[i] + l + 1;
	return NULL;
}

/* Whether the -tags setting holds tag. */
static bool
gr_gi_tag(const struct gr_goinfo *gi, const char *tag)
{
	const char *t = gr_goinfo_setting(gi, "-tags");
	size_t l = strlen(tag);

	while (t && *t) {
		size_t n = strcspn(t, ",");
		if (n == l && !strncmp(t, tag, l))
			return true;
		t += n;
		if (*t)
			t++;
	}
	return false;
}

/* Turn the marks into run-time file findings for the binary's target OS:
 * GOOS from the build info, else goos (the container's: NULL for ELF, whose
 * findings are Linux's, "darwin" for Mach-O). */
static int
gr_gi_findings(struct gr_gi_scan *s, const char *goos, struct gr_arena *a, struct gr_goinfo *gi,
               struct gr_error *err)
{
	struct gr_runtime_file *f;
	const char *cgo = gr_goinfo_setting(gi, "CGO_ENABLED");
	const char *os = gr_goinfo_setting(gi, "GOOS");
	bool darwin;
	size_t cap = 0;

	if (os)
		goos = os;
	/* GOOS=ios (a Mach-O too): Go keeps zoneinfo.zip in the app bundle
	 * (src/time/zoneinfo_ios.go) and returns before reading resolv.conf
	 * (src/net/conf.go); no rule here describes it, so nothing is said. */
	if (goos && !strcmp(goos, "ios"))
		return GR_OK;
	darwin = goos && !strcmp(goos, "darwin");

#define GR_GI_ADD()                                                                    \
	do {                                                                           \
		if (!gr_arena_grow(a, (void **)&gi->files, gi->nfiles, &cap, sizeof(*f))) \
			return gr_error_set(err, GR_ENOMEM, 0, "Go run-time files: out of memory"); \
		f = &gi->files[gi->nfiles++];                                          \
		memset(f, 0, sizeof(*f));                                              \
	} while (0)

	/* darwin: src/crypto/x509/root_darwin.go's loadSystemRoots reads no
	 * file (a pool that stands for the system's) and systemVerify asks the
	 * Security framework; root_unix.go, with the file lists and
	 * SSL_CERT_FILE/SSL_CERT_DIR, is not built for darwin. No finding. */
	if (s->because[GR_GI_X509] && !darwin) {
		GR_GI_ADD();
		f->id = "x509-roots";
		f->package = "crypto/x509";
		f->because = s->because[GR_GI_X509];
		f->paths = gr_gi_cert_paths;
		f->npaths = sizeof(gr_gi_cert_paths) / sizeof(gr_gi_cert_paths[0]);
		f->any = true;
		f->env = "SSL_CERT_FILE, SSL_CERT_DIR";
		if (s->because[GR_GI_X509_EMBED] || s->because[GR_GI_X509_FB]) {
			f->embedded = true;
			f->embedded_by = s->because[GR_GI_X509_EMBED] ? "golang.org/x/crypto/x509roots/fallback"
			                                              : "crypto/x509.SetFallbackRoots";
		}
		f->remedy = "embed a root pool (import _ \"golang.org/x/crypto/x509roots/fallback\"), "
		            "or copy /etc/ssl/certs/ca-certificates.crt into the image (or point SSL_CERT_FILE at a copy)";
	}
	if (s->because[GR_GI_TZ]) {
		GR_GI_ADD();
		f->id = "zoneinfo";
		f->package = "time";
		f->because = s->because[GR_GI_TZ];
		f->paths = gr_gi_zone_paths;
		f->npaths = sizeof(gr_gi_zone_paths) / sizeof(gr_gi_zone_paths[0]);
		f->any = true;
		f->env = "ZONEINFO";
		if (s->because[GR_GI_TZDATA] || gr_gi_tag(gi, "timetzdata")) {
			f->embedded = true;
			f->embedded_by = s->because[GR_GI_TZDATA] ? "time/tzdata" : "-tags timetzdata";
		}
		f->remedy = "embed the time zone database (import _ \"time/tzdata\", or build with -tags timetzdata), "
		            "or copy /usr/share/zoneinfo into the image";
		/* darwin builds src/time/zoneinfo_unix.go too (unix && !ios): the same
		 * platformZoneSources, the same ZONEINFO override. */
		if (darwin && !f->embedded)
			f->note = "macOS ships /usr/share/zoneinfo (a link to /var/db/timezone/zoneinfo): a Mac has it, "
			          "a sandbox or a chroot that hides it does not; embedding the database removes the dependence";
	}
	if (s->because[GR_GI_USER]) {
		GR_GI_ADD();
		f->id = "os-user";
		f->package = "os/user";
		f->because = gr_gi_tag(gi, "osusergo") ? "os/user.readColonFile (-tags osusergo)"
		                                       : s->because[GR_GI_USER];
		f->paths = gr_gi_user_paths;
		f->npaths = 2;
		f->remedy = "copy /etc/passwd and /etc/group (with the users the program looks up) into the image";
		if (s->because[GR_GI_USER_CGO])
			f->note = "os/user may also go through the C library (getpwnam_r): glibc NSS, see the glibc findings";
		/* darwin: src/os/user/lookup_unix.go (readColonFile) is built only
		 * with osusergo; without it src/os/user/cgo_lookup_syscall.go asks
		 * libSystem's getpwnam_r, even with CGO_ENABLED=0. */
		if (darwin) {
			f->remedy = "build without -tags osusergo: on darwin os/user then asks libSystem (getpwnam_r), "
			            "which knows every user, with or without cgo";
			f->note = "on macOS /etc/passwd and /etc/group hold only the system accounts; users and groups "
			          "come from Directory Services (opendirectoryd), so the pure Go os/user does not find them";
		}
	}
	/* darwin: without netgo, src/net/cgo_unix_syscall.go makes the
	 * libSystem resolver available and src/net/conf.go (goosPrefersCgo)
	 * prefers it: no file is read unless GODEBUG=netdns=go or a Resolver
	 * with PreferGo asks for the Go resolver at run time. With netgo
	 * (src/net/cgo_stub.go) the Go resolver is the only one. */
	if (s->because[GR_GI_NET] &&
	    (!darwin || gr_gi_tag(gi, "netgo") || !s->because[GR_GI_NET_SYS])) {
		GR_GI_ADD();
		f->id = "net-resolver";
		f->package = "net";
		f->because = s->because[GR_GI_NET];
		f->paths = gr_gi_net_paths;
		f->npaths = sizeof(gr_gi_net_paths) / sizeof(gr_gi_net_paths[0]);
		f->remedy = "copy /etc/resolv.conf, /etc/hosts and /etc/nsswitch.conf into the image "
		            "(container runtimes usually mount the first two)";
		if (s->because[GR_GI_NET_CGO] || (cgo && !strcmp(cgo, "1") && !gr_gi_tag(gi, "netgo")))
			f->note = "the cgo resolver (getaddrinfo) may be used instead: glibc NSS, see the glibc findings";
		if (darwin) {
			if (gr_gi_tag(gi, "netgo") &&
			    !(f->because = gr_arena_printf(a, "%s (-tags netgo)", s->because[GR_GI_NET])))
				return gr_error_set(err, GR_ENOMEM, 0, "Go run-time files: out of memory");
			f->paths = gr_gi_net_paths_darwin;
			f->npaths = sizeof(gr_gi_net_paths_darwin) / sizeof(gr_gi_net_paths_darwin[0]);
			f->remedy = "build without -tags netgo: on darwin the net package then asks libSystem's resolver, "
			            "with or without cgo";
			f->note = "macOS keeps /etc/resolv.conf for compatibility only: the Go resolver misses the "
			          "per-domain resolvers (VPN, split DNS) that macOS configures (scutil --dns); "
			          "/etc/nsswitch.conf is looked for too, and its absence means files, then DNS";
		}
	}
#undef GR_GI_ADD
	return GR_OK;
}

/* A section's bytes in buf, when it is inside the file. */
static const unsigned char *
gr_gi_section(Elf *elf, size_t shstrndx, size_t len, const unsigned char *buf, const char *want,
              size_t *n)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		const char *name;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS ||
		    !(name = elf_strptr(elf, shstrndx, sh.sh_name)) || strcmp(name, want) != 0)
			continue;
		if (sh.sh_offset > len || sh.sh_size > len - sh.sh_offset)
			return NULL;
		*n = (size_t)sh.sh_size;
		return buf + sh.sh_offset;
	}
	return NULL;
}

/* Function names from .symtab (defined STT_FUNC), when there is no pclntab to read. */
static void
gr_gi_symtab(Elf *elf, struct gr_gi_scan *s)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		Elf_Data *d;
		size_t i, n;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize ||
		    !(d = elf_getdata(scn, NULL)))
			continue;
		n = d->d_size / sh.sh_entsize;
		for (i = 0; i < n; i++) {
			GElf_Sym sym;
			const char *name;
			if (!gelf_getsym(d, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
			    sym.st_shndx == SHN_UNDEF || !(name = elf_strptr(elf, sh.sh_link, sym.st_name)))
				continue;
			gr_gi_mark(name, strlen(name), s);
		}
	}
}

/* The build info blob in a file without .go.buildinfo: the magic anywhere, 16-byte aligned. */
static const unsigned char *
gr_gi_scan_blob(const unsigned char *buf, size_t len, size_t *n)
{
	const unsigned char *q;
	size_t off = 0;

	while (off + 32 <= len && (q = memchr(buf + off, 0xff, len - off - 31)) != NULL) {
		off = (size_t)(q - buf);
		if (off % 16 == 0 && !memcmp(q, GR_GOINFO_MAGIC, GR_GOINFO_MAGIC_LEN)) {
			*n = len - off;
			return q;
		}
		off++;
	}
	return NULL;
}

int
gr_goinfo_elf(unsigned char *buf, size_t len, struct gr_arena *a,
              struct gr_goinfo **out, struct gr_error *err)
{
	Elf *elf;
	size_t shstrndx, n = 0;
	const unsigned char *p;
	struct gr_goinfo *gi;
	struct gr_gi_scan s;
	struct gr_error e2;
	int rc = GR_OK;

	*out = NULL;
	/* elf_memory wants a writable buffer, but libelf only converts what
	 * elf_getdata returns: the raw bytes read here stay as they are. */
	if (!(elf = elf_memory((char *)buf, len)))
		return GR_OK;
	if (elf_kind(elf) != ELF_K_ELF || elf_getshdrstrndx(elf, &shstrndx) != 0)
		goto out;
	memset(&s, 0, sizeof(s));
	/* Only a Go binary has either section; only then is the file searched. */
	if (!(p = gr_gi_section(elf, shstrndx, len, buf, ".go.buildinfo", &n))) {
		if (!gr_gi_section(elf, shstrndx, len, buf, ".gopclntab", &n))
			goto out;
		p = gr_gi_scan_blob(buf, len, &n);
	}
	if (!(gi = gr_arena_alloc(a, sizeof(*gi)))) {
		rc = gr_error_set(err, GR_ENOMEM, 0, "Go build info: out of memory");
		goto out;
	}
	if (p && (rc = gr_goinfo_parse_buildinfo(p, n, a, gi, &e2)) != GR_OK) {
		if (rc == GR_ENOMEM) {
			*err = e2;
			goto out;
		}
		rc = GR_OK;  /* a blob this reader does not know: no build info */
	}
	if ((p = gr_gi_section(elf, shstrndx, len, buf, ".gopclntab", &n)) ||
	    (p = gr_gi_section(elf, shstrndx, len, buf, ".data.rel.ro.gopclntab", &n))) {
		if (gr_goinfo_pclntab_names(p, n, gr_gi_mark, &s) >= 0)
			gi->symbols_from = ".gopclntab";
	}
	if (!gi->symbols_from) {
		gr_gi_symtab(elf, &s);
		if (s.n)
			gi->symbols_from = ".symtab";
	}
	gi->nfuncs = s.n;
	if ((rc = gr_gi_findings(&s, NULL, a, gi, err)) == GR_OK)
		*out = gi;
out:
	elf_end(elf);
	return rc;
}

int
gr_goinfo_macho(const unsigned char *buf, size_t len, const char *path, struct gr_arena *a,
                struct gr_goinfo **out, struct gr_error *err)
{
	const unsigned char *p, *pcln;
	size_t n = 0, npcln = 0;
	struct gr_goinfo *gi;
	struct gr_gi_scan s;
	struct gr_error e2;
	long count;
	int rc;

	*out = NULL;
	/* Go's linker puts __go_buildinfo in __DATA and __gopclntab in __TEXT
	 * (__DATA_CONST in older releases): any segment will do. */
	if ((rc = gr_macho_section(buf, len, path, NULL, "__go_buildinfo", &p, &n, err)) ||
	    (rc = gr_macho_section(buf, len, path, NULL, "__gopclntab", &pcln, &npcln, err)))
		return rc;
	if (!p && !pcln)
		return GR_OK;  /* no Go binary */
	if (!p)
		p = gr_gi_scan_blob(buf, len, &n);
	if (!(gi = gr_arena_alloc(a, sizeof(*gi))))
		return gr_error_set(err, GR_ENOMEM, 0, "Go build info: out of memory");
	memset(&s, 0, sizeof(s));
	if (p && (rc = gr_goinfo_parse_buildinfo(p, n, a, gi, &e2)) != GR_OK) {
		if (rc == GR_ENOMEM) {
			*err = e2;
			return rc;
		}
		/* a blob this reader does not know: no build info */
	}
	if (pcln && gr_goinfo_pclntab_names(pcln, npcln, gr_gi_mark, &s) >= 0)
		gi->symbols_from = "__gopclntab";
	if (!gi->symbols_from) {
		memset(&s, 0, sizeof(s));  /* a pclntab cut short may have counted a few */
		if ((rc = gr_macho_symbols(buf, len, path, gr_gi_mark, &s, &count, err)))
			return rc;
		if (s.n)
			gi->symbols_from = "LC_SYMTAB";
	}
	gi->nfuncs = s.n;
	if ((rc = gr_gi_findings(&s, "darwin", a, gi, err)) == GR_OK)
		*out = gi;
	return rc;
}

bool
gr_goinfo_present(const struct gr_runtime_file *f, const char *root, const char **missing)
{
	char p[4096];
	struct stat st;
	size_t i, rl;

	*missing = NULL;
	if (f->embedded)
		return true;
	rl = strlen(root);
	while (rl > 0 && root[rl - 1] == '/')
		rl--;  /* "/" and "dir/" join as "" and "dir" */
	for (i = 0; i < f->npaths; i++) {
		bool here = (size_t)snprintf(p, sizeof(p), "%.*s%s", (int)rl, root, f->paths[i]) < sizeof(p) &&
		            stat(p, &st) == 0;
		if (here && f->any) {
			*missing = NULL;  /* one is enough */
			return true;
		}
		if (!here && !*missing)
			*missing = f->paths[i];
		if (!here && !f->any)
			return false;
	}
	return !f->any && !*missing;
}
