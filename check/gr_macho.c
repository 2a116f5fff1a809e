#include "gr_macho.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define GR_MH_MAGIC     0xfeedfaceu
#define GR_MH_MAGIC_64  0xfeedfacfu
#define GR_FAT_MAGIC    0xcafebabeu
#define GR_FAT_MAGIC_64 0xcafebabfu
#define GR_FAT_MAXSLICES GR_MACHO_MAXSLICES

#define GR_MH_OBJECT      1
#define GR_MH_EXECUTE     2
#define GR_MH_CORE        4
#define GR_MH_DYLIB       6
#define GR_MH_BUNDLE      8
#define GR_MH_DYLIB_STUB  9
#define GR_MH_DSYM        10
#define GR_MH_PIE         0x200000u

#define GR_LC_REQ_DYLD          0x80000000u
#define GR_LC_LOAD_DYLIB        0xcu
#define GR_LC_ID_DYLIB          0xdu
#define GR_LC_LOAD_DYLINKER     0xeu
#define GR_LC_LAZY_LOAD_DYLIB   0x20u
#define GR_LC_LOAD_WEAK_DYLIB   (0x18u | GR_LC_REQ_DYLD)
#define GR_LC_RPATH             (0x1cu | GR_LC_REQ_DYLD)
#define GR_LC_REEXPORT_DYLIB    (0x1fu | GR_LC_REQ_DYLD)
#define GR_LC_LOAD_UPWARD_DYLIB (0x23u | GR_LC_REQ_DYLD)

#define GR_LC_SEGMENT            0x1u
#define GR_LC_SYMTAB             0x2u
#define GR_LC_SEGMENT_64         0x19u
#define GR_LC_CODE_SIGNATURE     0x1du
#define GR_LC_VERSION_MIN_MACOSX 0x24u
#define GR_LC_VERSION_MIN_IPHONEOS 0x25u
#define GR_LC_VERSION_MIN_TVOS   0x2fu
#define GR_LC_VERSION_MIN_WATCHOS 0x30u
#define GR_LC_BUILD_VERSION      0x32u

#define GR_CPU_ARCH_ABI64    0x01000000u
#define GR_CPU_ARCH_ABI64_32 0x02000000u
#define GR_CPU_TYPE_X86      7u
#define GR_CPU_TYPE_ARM      12u
#define GR_CPU_TYPE_PPC      18u

static uint32_t
gr_rd32(const unsigned char *p, bool be)
{
	if (be)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint64_t
gr_rd64be(const unsigned char *p)
{
	return (uint64_t)gr_rd32(p, true) << 32 | gr_rd32(p + 4, true);
}

bool
gr_macho_is_thin(const unsigned char *buf, size_t len)
{
	uint32_t le;

	if (len < 4)
		return false;
	le = gr_rd32(buf, false);
	return le == GR_MH_MAGIC || le == GR_MH_MAGIC_64 ||
	       gr_rd32(buf, true) == GR_MH_MAGIC || gr_rd32(buf, true) == GR_MH_MAGIC_64;
}

static const char *gr_macho_arch(uint32_t cputype, uint32_t subtype, char *tmp, size_t tmpsz);

bool
gr_macho_is_fat(const unsigned char *buf, size_t len)
{
	uint32_t magic, n;

	if (len < 4)
		return false;
	magic = gr_rd32(buf, true);
	if (magic == GR_FAT_MAGIC_64)
		return true;
	if (magic != GR_FAT_MAGIC)
		return false;
	if (len < 8)
		return true;  /* too short to be a class file either: report it truncated */
	/* Java class files share the magic; bytes 6-7 hold their major version
	 * (45+). A count in that range still means a universal file when its first
	 * entry is plausible: a known CPU type and a slice inside the file. */
	n = gr_rd32(buf + 4, true);
	if (!((n & 0xffffu) >= 45 && (n & 0xffffu) <= 255))
		return true;
	if (len >= 28) {
		uint32_t cpu = gr_rd32(buf + 8, true), off = gr_rd32(buf + 16, true), size = gr_rd32(buf + 20, true);
		char tmp[32];
		const char *arch = gr_macho_arch(cpu, 0, tmp, sizeof(tmp));
		return arch != tmp && off < len && size <= len - off && size > 0;
	}
	return false;
}

static const char *
gr_macho_arch(uint32_t cputype, uint32_t subtype, char *tmp, size_t tmpsz)
{
	subtype &= 0x00ffffffu;
	switch (cputype) {
	case GR_CPU_TYPE_X86 | GR_CPU_ARCH_ABI64: return subtype == 8 ? "x86_64h" : "x86_64";
	case GR_CPU_TYPE_X86: return "i386";
	case GR_CPU_TYPE_ARM | GR_CPU_ARCH_ABI64: return subtype == 2 ? "arm64e" : "arm64";
	case GR_CPU_TYPE_ARM | GR_CPU_ARCH_ABI64_32: return "arm64_32";
	case GR_CPU_TYPE_ARM:
		switch (subtype) {
		case 6: return "armv6";
		case 9: return "armv7";
		case 11: return "armv7s";
		case 12: return "armv7k";
		case 13: return "armv8";
		case 16: return "armv7m";
		}
		return "arm";
	case GR_CPU_TYPE_PPC: return "ppc";
	case GR_CPU_TYPE_PPC | GR_CPU_ARCH_ABI64: return "ppc64";
	}
	snprintf(tmp, tmpsz, "cputype-%u", (unsigned)cputype);
	return tmp;
}

static const char *
gr_macho_cmdname(uint32_t cmd)
{
	switch (cmd) {
	case GR_LC_LOAD_DYLIB: return "LC_LOAD_DYLIB";
	case GR_LC_LOAD_WEAK_DYLIB: return "LC_LOAD_WEAK_DYLIB";
	case GR_LC_REEXPORT_DYLIB: return "LC_REEXPORT_DYLIB";
	case GR_LC_LAZY_LOAD_DYLIB: return "LC_LAZY_LOAD_DYLIB";
	case GR_LC_LOAD_UPWARD_DYLIB: return "LC_LOAD_UPWARD_DYLIB";
	case GR_LC_ID_DYLIB: return "LC_ID_DYLIB";
	case GR_LC_LOAD_DYLINKER: return "LC_LOAD_DYLINKER";
	case GR_LC_RPATH: return "LC_RPATH";
	}
	return NULL;
}

static bool
gr_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

enum gr_origin
gr_macho_origin(const char *n)
{
	/* "/usr/lib/../../opt/x" is not under /usr/lib: a path that is not
	 * normal (a . or .. component, an empty one) belongs to no known place. */
	if (n[0] == '/' && (strstr(n, "/../") || strstr(n, "/./") || strstr(n, "//") ||
	                    (strlen(n) >= 3 && strcmp(n + strlen(n) - 3, "/..") == 0) ||
	                    (strlen(n) >= 2 && strcmp(n + strlen(n) - 2, "/.") == 0)))
		return GR_ORIGIN_OTHER;
	if (gr_prefix(n, "/usr/lib/") || gr_prefix(n, "/System/Library/"))
		return GR_ORIGIN_SYSTEM;
	if (gr_prefix(n, "/opt/homebrew/") || gr_prefix(n, "/usr/local/Cellar/") ||
	    gr_prefix(n, "/usr/local/opt/") || gr_prefix(n, "/home/linuxbrew/.linuxbrew/"))
		return GR_ORIGIN_HOMEBREW;
	if (gr_prefix(n, "/usr/local/"))
		return GR_ORIGIN_USR_LOCAL;
	if (gr_prefix(n, "/opt/local/"))
		return GR_ORIGIN_MACPORTS;
	if (gr_prefix(n, "@rpath/"))
		return GR_ORIGIN_RPATH;
	if (gr_prefix(n, "@loader_path/"))
		return GR_ORIGIN_LOADER_PATH;
	if (gr_prefix(n, "@executable_path/"))
		return GR_ORIGIN_EXECUTABLE_PATH;
	return GR_ORIGIN_OTHER;
}

static int
gr_macho_nomem(struct gr_error *err, const char *path)
{
	return gr_error_set(err, GR_ENOMEM, 0, "%s: out of memory", path);
}

/* Copy the lc_str at offset stroff of the load command at lc (cmdsize bytes). */
static int
gr_macho_lcstr(const unsigned char *lc, uint32_t cmdsize, uint32_t minsize, bool be,
               uint32_t index, const char *what, const char *path, struct gr_arena *a,
               const char **out, struct gr_error *err)
{
	uint32_t stroff;
	const unsigned char *nul;

	if (cmdsize < minsize)
		return gr_error_set(err, GR_EFORMAT, 0,
		                    "%s: load command %u (%s) has cmdsize %u, smaller than its %u-byte structure",
		                    path, (unsigned)index, what, (unsigned)cmdsize, (unsigned)minsize);
	stroff = gr_rd32(lc + 8, be);
	if (stroff < 12 || stroff >= cmdsize)
		return gr_error_set(err, GR_EFORMAT, 0,
		                    "%s: load command %u (%s) puts its name at offset %u, outside its %u bytes",
		                    path, (unsigned)index, what, (unsigned)stroff, (unsigned)cmdsize);
	nul = memchr(lc + stroff, 0, cmdsize - stroff);
	if (!nul)
		return gr_error_set(err, GR_EFORMAT, 0,
		                    "%s: load command %u (%s) has a name that is not NUL-terminated",
		                    path, (unsigned)index, what);
	*out = gr_arena_strndup(a, (const char *)lc + stroff, (size_t)(nul - (lc + stroff)));
	return *out ? GR_OK : gr_macho_nomem(err, path);
}

const char *
gr_macho_platform_name(uint32_t platform)
{
	switch (platform) {
	case 1: return "macos";
	case 2: return "ios";
	case 3: return "tvos";
	case 4: return "watchos";
	case 5: return "bridgeos";
	case 6: return "maccatalyst";
	case 7: return "iossimulator";
	case 8: return "tvossimulator";
	case 9: return "watchossimulator";
	case 10: return "driverkit";
	case 11: return "visionos";
	case 12: return "visionossimulator";
	}
	return "unknown";
}

const char *
gr_macho_filetype_name(uint32_t filetype)
{
	switch (filetype) {
	case GR_MH_OBJECT: return "object";
	case GR_MH_EXECUTE: return "execute";
	case GR_MH_CORE: return "core";
	case GR_MH_DYLIB: return "dylib";
	case GR_MH_BUNDLE: return "bundle";
	case GR_MH_DYLIB_STUB: return "dylib-stub";
	case GR_MH_DSYM: return "dsym";
	}
	return "other";
}

char *
gr_macho_version_str(uint32_t v, char *buf, size_t bufsz)
{
	if (v & 0xffu)
		snprintf(buf, bufsz, "%u.%u.%u", (unsigned)(v >> 16), (unsigned)((v >> 8) & 0xffu),
		         (unsigned)(v & 0xffu));
	else
		snprintf(buf, bufsz, "%u.%u", (unsigned)(v >> 16), (unsigned)((v >> 8) & 0xffu));
	return buf;
}

bool
gr_macho_version_parse(const char *s, uint32_t *out)
{
	unsigned long part[3] = { 0, 0, 0 };
	const unsigned long max[3] = { 0xffffu, 0xffu, 0xffu };
	int n = 0;

	for (;;) {
		size_t digits = 0;
		if (n == 3)
			return false;
		while (*s >= '0' && *s <= '9') {
			part[n] = part[n] * 10 + (unsigned long)(*s++ - '0');
			if (part[n] > max[n] || ++digits > 5)
				return false;
		}
		if (digits == 0)
			return false;
		n++;
		if (*s == '\0')
			break;
		if (*s++ != '.')
			return false;
	}
	*out = (uint32_t)(part[0] << 16 | part[1] << 8 | part[2]);
	return true;
}

/* Load-rule commands: segments (for __DATA_CONST), the platform and its
 * versions, the code signature. Each is checked against its own structure
 * and the file before a field is trusted. */
static int
gr_macho_load_rule_cmd(const unsigned char *lc, uint32_t cmd, uint32_t cmdsize, bool be,
                       uint32_t index, size_t filelen, const char *path,
                       struct gr_macho_load *ml, struct gr_error *err)
{
	switch (cmd) {
	case GR_LC_SEGMENT:
	case GR_LC_SEGMENT_64: {
		bool seg64 = cmd == GR_LC_SEGMENT_64;
		uint32_t hdr = seg64 ? 72 : 56, sectsz = seg64 ? 80 : 68, nsects;
		const char *what = seg64 ? "LC_SEGMENT_64" : "LC_SEGMENT";
		if (cmdsize < hdr)
			return gr_error_set(err, GR_EFORMAT, 0,
			                    "%s: load command %u (%s) has cmdsize %u, smaller than its %u-byte structure",
			                    path, (unsigned)index, what, (unsigned)cmdsize, (unsigned)hdr);
		nsects = gr_rd32(lc + (seg64 ? 64 : 48), be);
		if (nsects > (cmdsize - hdr) / sectsz)
			return gr_error_set(err, GR_EFORMAT, 0,
			                    "%s: load command %u (%s) lists %u sections; its cmdsize %u has room for %u",
			                    path, (unsigned)index, what, (unsigned)nsects, (unsigned)cmdsize,
			                    (unsigned)((cmdsize - hdr) / sectsz));
		if (memcmp(lc + 8, "__DATA_CONST\0\0\0\0", 16) == 0) {
			ml->data_const = true;
			ml->data_const_flags |= gr_rd32(lc + (seg64 ? 68 : 52), be);
		}
		return GR_OK;
	}
	case GR_LC_BUILD_VERSION: {
		uint32_t ntools;
		if (cmdsize < 24)
			return gr_error_set(err, GR_EFORMAT, 0,
			                    "%s: load command %u (LC_BUILD_VERSION) has cmdsize %u, smaller than its 24-byte structure",
			                    path, (unsigned)index, (unsigned)cmdsize);
		ntools = gr_rd32(lc + 20, be);
		if (ntools > (cmdsize - 24) / 8)
			return gr_error_set(err, GR_EFORMAT, 0,
			                    "%s: load command %u (LC_BUILD_VERSION) lists %u tools; its cmdsize %u has room for %u",
			                    path, (unsigned)index, (unsigned)ntools, (unsigned)cmdsize,
			                    (unsigned)((cmdsize - 24) / 8));
		/* A zippered dylib has one per platform: macOS's counts, else the first. */
		if (!ml->version_command || (gr_rd32(lc + 8, be) == 1 && strcmp(ml->platform, "macos") != 0)) {
			ml->version_command = "LC_BUILD_VERSION";
			ml->platform = gr_macho_platform_name(gr_rd32(lc + 8, be));
			ml->minos = gr_rd32(lc + 12, be);
			ml->sdk = gr_rd32(lc + 16, be);
		}
		return GR_OK;
	}
	case GR_LC_VERSION_MIN_MACOSX:
	case GR_LC_VERSION_MIN_IPHONEOS:
	case GR_LC_VERSION_MIN_TVOS:
	case GR_LC_VERSION_MIN_WATCHOS: {
		const char *what = cmd == GR_LC_VERSION_MIN_MACOSX ? "LC_VERSION_MIN_MACOSX" :
		                   cmd == GR_LC_VERSION_MIN_IPHONEOS ? "LC_VERSION_MIN_IPHONEOS" :
		                   cmd == GR_LC_VERSION_MIN_TVOS ? "LC_VERSION_MIN_TVOS" : "LC_VERSION_MIN_WATCHOS";
		if (cmdsize < 16)
			return gr_error_set(err, GR_EFORMAT, 0,
			                    "%s: load command %u (%s) has cmdsize %u, smaller than its 16-byte structure",
			                    path, (unsigned)index, what, (unsigned)cmdsize);
		if (!ml->version_command || (cmd == GR_LC_VERSION_MIN_MACOSX && strcmp(ml->platform, "macos") != 0)) {
			ml->version_command = what;
			ml->platform = cmd == GR_LC_VERSION_MIN_MACOSX ? "macos" :
			               cmd == GR_LC_VERSION_MIN_IPHONEOS ? "ios" :
			               cmd == GR_LC_VERSION_MIN_TVOS ? "tvos" : "watchos";
			ml->minos = gr_rd32(lc + 8, be);
			ml->sdk = gr_rd32(lc + 12, be);
		}
		return GR_OK;
	}
	case GR_LC_CODE_SIGNATURE: {
		uint32_t dataoff, datasize;
		if (cmdsize < 16)
			return gr_error_set(err, GR_EFORMAT, 0,
			                    "%s: load command %u (LC_CODE_SIGNATURE) has cmdsize %u, smaller than its 16-byte structure",
			                    path, (unsigned)index, (unsigned)cmdsize);
		dataoff = gr_rd32(lc + 8, be);
		datasize = gr_rd32(lc + 12, be);
		if (dataoff > filelen || datasize > filelen - dataoff)
			return gr_error_set(err, GR_EFORMAT, 0,
			                    "%s: load command %u (LC_CODE_SIGNATURE) puts %u bytes of signature at offset %u, past the end of the file (%zu bytes)",
			                    path, (unsigned)index, (unsigned)datasize, (unsigned)dataoff, filelen);
		ml->code_signature = true;
		return GR_OK;
	}
	}
	return GR_OK;
}

int
gr_macho_read_thin(const unsigned char *buf, size_t len, const char *path,
                   struct gr_arena *a, struct gr_image *img, struct gr_error *err)
{
	bool be, is64;
	uint32_t magic, cputype, subtype, filetype, ncmds, sizeofcmds, flags, i;
	size_t hdrsize, off, ndeps_cap = 0, nrpath_cap = 0;
	char tmp[32];
	bool all_system = true;
	int rc;

	img->format = GR_FMT_MACHO;
	if (len < 4)
		return gr_error_set(err, GR_EFORMAT, 0, "%s: truncated Mach-O magic (%zu of 4 bytes)",
		                    path, len);
	magic = gr_rd32(buf, false);
	be = !(magic == GR_MH_MAGIC || magic == GR_MH_MAGIC_64);
	magic = gr_rd32(buf, be);
	is64 = magic == GR_MH_MAGIC_64;
	hdrsize = is64 ? 32 : 28;
	img->bits = is64 ? 64 : 32;
	img->big_endian = be;
	if (len < hdrsize)
		return gr_error_set(err, GR_EFORMAT, 0, "%s: truncated Mach-O header (%zu of %zu bytes)",
		                    path, len, hdrsize);
	cputype = gr_rd32(buf + 4, be);
	subtype = gr_rd32(buf + 8, be);
	filetype = gr_rd32(buf + 12, be);
	ncmds = gr_rd32(buf + 16, be);
	sizeofcmds = gr_rd32(buf + 20, be);
	flags = gr_rd32(buf + 24, be);
	if (!(img->arch = gr_arena_strdup(a, gr_macho_arch(cputype, subtype, tmp, sizeof(tmp)))))
		return gr_macho_nomem(err, path);
	memset(&img->macho, 0, sizeof(img->macho));
	img->macho.filetype = filetype;
	img->pie = (flags & GR_MH_PIE) != 0;
	if (sizeofcmds > len - hdrsize)
		return gr_error_set(err, GR_EFORMAT, 0,
		                    "%s: load commands (sizeofcmds %u) extend past the end of the file (%zu bytes)",
		                    path, (unsigned)sizeofcmds, len);

	/* Every step checks 8 header bytes and cmdsize against what sizeofcmds leaves. */
	for (i = 0, off = 0; i < ncmds; i++) {
		const unsigned char *lc = buf + hdrsize + off;
		size_t rem = sizeofcmds - off;
		uint32_t cmd, cmdsize;
		const char *name, *s;
		void *grown;

		if (rem < 8)
			return gr_error_set(err, GR_EFORMAT, 0,
			                    "%s: load command %u of %u starts past sizeofcmds (%u bytes)",
			                    path, (unsigned)i, (unsigned)ncmds, (unsigned)sizeofcmds);
		cmd = gr_rd32(lc, be);
		cmdsize = gr_rd32(lc + 4, be);
		name = gr_macho_cmdname(cmd);
		if (cmdsize < 8)
			return gr_error_set(err, GR_EFORMAT, 0,
			                    "%s: load command %u (cmd 0x%x) has cmdsize %u; the minimum is 8",
			                    path, (unsigned)i, (unsigned)cmd, (unsigned)cmdsize);
		if (cmdsize > rem)
			return gr_error_set(err, GR_EFORMAT, 0,
			                    "%s: load command %u (cmd 0x%x, cmdsize %u) runs past sizeofcmds (%zu bytes left)",
			                    path, (unsigned)i, (unsigned)cmd, (unsigned)cmdsize, rem);
		if ((rc = gr_macho_load_rule_cmd(lc, cmd, cmdsize, be, i, len, path, &img->macho, err)))
			return rc;
		switch (cmd) {
		case GR_LC_LOAD_DYLIB:
		case GR_LC_LOAD_WEAK_DYLIB:
		case GR_LC_REEXPORT_DYLIB:
		case GR_LC_LAZY_LOAD_DYLIB:
		case GR_LC_LOAD_UPWARD_DYLIB: {
			struct gr_dep *d;
			if ((rc = gr_macho_lcstr(lc, cmdsize, 24, be, i, name, path, a, &s, err)))
				return rc;
			grown = img->needed;
			if (!gr_arena_grow(a, &grown, img->nneeded, &ndeps_cap, sizeof(*img->needed)))
				return gr_macho_nomem(err, path);
			img->needed = grown;
			d = &img->needed[img->nneeded++];
			d->name = s;
			d->command = name;
			d->origin = gr_macho_origin(s);
			if (d->origin != GR_ORIGIN_SYSTEM)
				all_system = false;
			break;
		}
		case GR_LC_ID_DYLIB:
			if ((rc = gr_macho_lcstr(lc, cmdsize, 24, be, i, name, path, a, &img->soname, err)))
				return rc;
			break;
		case GR_LC_LOAD_DYLINKER:
			if ((rc = gr_macho_lcstr(lc, cmdsize, 12, be, i, name, path, a, &img->interp, err)))
				return rc;
			break;
		case GR_LC_RPATH:
			if ((rc = gr_macho_lcstr(lc, cmdsize, 12, be, i, name, path, a, &s, err)))
				return rc;
			grown = img->rpath;
			if (!gr_arena_grow(a, &grown, img->nrpath, &nrpath_cap, sizeof(*img->rpath)))
				return gr_macho_nomem(err, path);
			img->rpath = grown;
			img->rpath[img->nrpath++] = s;
			break;
		}
		off += cmdsize;
	}

	switch (filetype) {
	case GR_MH_EXECUTE:
		img->executable = true;
		if (img->interp && gr_macho_origin(img->interp) != GR_ORIGIN_SYSTEM)
			all_system = false;  /* dyld itself lives in /usr/lib */
		if (img->nneeded == 0 && !img->interp)
			img->verdict = GR_V_STATIC;
		else
			img->verdict = all_system ? GR_V_SYSTEM_ONLY : GR_V_DYNAMIC;
		break;
	case GR_MH_OBJECT:
		img->verdict = GR_V_OBJECT;
		break;
	case GR_MH_DYLIB:
	case GR_MH_BUNDLE:
	case GR_MH_DYLIB_STUB:
		img->verdict = GR_V_SHARED_LIBRARY;
		break;
	case GR_MH_CORE:
		img->verdict = GR_V_CORE;
		break;
	case GR_MH_DSYM:  /* dsymutil's companion file: DWARF and symbols, no code */
		img->verdict = GR_V_DEBUG_INFO;
		break;
	default:
		img->verdict = GR_V_OTHER;
	}
	return GR_OK;
}

const char *
gr_macho_arch_name(uint32_t cputype, uint32_t cpusubtype, char *tmp, size_t tmpsz)
{
	return gr_macho_arch(cputype, cpusubtype, tmp, tmpsz);
}

int
gr_macho_fat_slices(const unsigned char *buf, size_t len, const char *path,
                    struct gr_macho_slice *out, size_t max, size_t *n, struct gr_error *err)
{
	bool is64;
	uint32_t nslices, i;
	size_t entsize, room;
	char tmp[32];

	*n = 0;
	if (len < 8)
		return gr_error_set(err, GR_EFORMAT, 0, "%s: truncated universal header (%zu of 8 bytes)",
		                    path, len);
	is64 = gr_rd32(buf, true) == GR_FAT_MAGIC_64;
	entsize = is64 ? 32 : 20;
	nslices = gr_rd32(buf + 4, true);
	room = (len - 8) / entsize;
	if (nslices == 0)
		return gr_error_set(err, GR_EFORMAT, 0, "%s: universal header lists no slices", path);
	if (nslices > room)
		return gr_error_set(err, GR_EFORMAT, 0,
		                    "%s: universal header claims %u slices; the file has room for %zu",
		                    path, (unsigned)nslices, room);
	if (nslices > GR_FAT_MAXSLICES || nslices > max)
		return gr_error_set(err, GR_EFORMAT, 0,
		                    "%s: universal header claims %u slices; real files have a few, and more than %d are refused",
		                    path, (unsigned)nslices, GR_FAT_MAXSLICES);
	/* Slices may not overlap or repeat an architecture: a small file could
	 * otherwise claim the same bytes many times over. */
	for (i = 0; i < nslices; i++) {
		const unsigned char *e = buf + 8 + (size_t)i * entsize;
		uint64_t off = is64 ? gr_rd64be(e + 8) : gr_rd32(e + 8, true);
		uint64_t size = is64 ? gr_rd64be(e + 16) : gr_rd32(e + 12, true);
		uint32_t k;
		if (off > len || size > len - off)
			return gr_error_set(err, GR_EFORMAT, 0,
			                    "%s: slice %u (%s) at offset 0x%llx (%llu bytes) extends past the end of the file (%zu bytes)",
			                    path, (unsigned)i,
			                    gr_macho_arch(gr_rd32(e, true), gr_rd32(e + 4, true), tmp, sizeof(tmp)),
			                    (unsigned long long)off, (unsigned long long)size, len);
		for (k = 0; k < i; k++) {
			const unsigned char *f = buf + 8 + (size_t)k * entsize;
			uint64_t foff = is64 ? gr_rd64be(f + 8) : gr_rd32(f + 8, true);
			uint64_t fsize = is64 ? gr_rd64be(f + 16) : gr_rd32(f + 12, true);
			if (memcmp(e, f, 8) == 0)
				return gr_error_set(err, GR_EFORMAT, 0,
				                    "%s: slices %u and %u are both for %s",
				                    path, (unsigned)k, (unsigned)i,
				                    gr_macho_arch(gr_rd32(e, true), gr_rd32(e + 4, true), tmp, sizeof(tmp)));
			if (size && fsize && off < foff + fsize && foff < off + size)
				return gr_error_set(err, GR_EFORMAT, 0,
				                    "%s: slices %u and %u overlap", path, (unsigned)k, (unsigned)i);
		}
		if (off < 8 + (uint64_t)nslices * entsize && size > 0)
			return gr_error_set(err, GR_EFORMAT, 0,
			                    "%s: slice %u (%s) at offset 0x%llx overlaps the universal header",
			                    path, (unsigned)i,
			                    gr_macho_arch(gr_rd32(e, true), gr_rd32(e + 4, true), tmp, sizeof(tmp)),
			                    (unsigned long long)off);
		out[i].cputype = gr_rd32(e, true);
		out[i].cpusubtype = gr_rd32(e + 4, true);
		out[i].offset = off;
		out[i].size = size;
	}
	*n = nslices;
	return GR_OK;
}

int
gr_macho_read_fat(const unsigned char *buf, size_t len, const char *path,
                  struct gr_arena *a, struct gr_image **imgs, size_t *n, struct gr_error *err)
{
	struct gr_macho_slice sl[GR_FAT_MAXSLICES];
	size_t nslices, i;
	struct gr_image *out;
	char tmp[32];
	int rc;

	if ((rc = gr_macho_fat_slices(buf, len, path, sl, GR_FAT_MAXSLICES, &nslices, err)))
		return rc;
	out = gr_arena_alloc(a, nslices * sizeof(*out));
	if (!out)
		return gr_macho_nomem(err, path);
	for (i = 0; i < nslices; i++) {
		uint64_t off = sl[i].offset, size = sl[i].size;
		const char *arch = gr_macho_arch(sl[i].cputype, sl[i].cpusubtype, tmp, sizeof(tmp));
		const unsigned char *s;
		char *slice_name;
		size_t namesz;

		s = buf + off;
		if (size >= 8 && memcmp(s, "!<arch>\n", 8) == 0) {
			out[i].format = GR_FMT_ARCHIVE;
			out[i].verdict = GR_V_ARCHIVE;
			if (!(out[i].arch = gr_arena_strdup(a, arch)))
				return gr_macho_nomem(err, path);
			continue;
		}
		if (size == 0)
			return gr_error_set(err, GR_EFORMAT, 0, "%s: slice %zu (%s) is empty",
			                    path, i, arch);
		if (size >= 4 && (gr_rd32(s, true) == GR_FAT_MAGIC || gr_rd32(s, true) == GR_FAT_MAGIC_64))
			return gr_error_set(err, GR_EFORMAT, 0,
			                    "%s: slice %zu (%s) is itself a universal file; they do not nest",
			                    path, i, arch);
		if (!gr_macho_is_thin(s, (size_t)size))
			return gr_error_set(err, GR_EFORMAT, 0,
			                    "%s: slice %zu (%s) at offset 0x%llx is neither a Mach-O file nor an archive",
			                    path, i, arch, (unsigned long long)off);
		/* Errors inside a slice name it: "app[arm64]". */
		namesz = strlen(path) + strlen(arch) + 3;
		slice_name = gr_arena_alloc(a, namesz);
		if (!slice_name)
			return gr_macho_nomem(err, path);
		snprintf(slice_name, namesz, "%s[%s]", path, arch);
		if ((rc = gr_macho_read_thin(s, (size_t)size, slice_name, a, &out[i], err)))
			return rc;
	}
	*imgs = out;
	*n = nslices;
	return GR_OK;
}

/* The load commands of a thin file, walked with every bound checked. */
struct gr_macho_lcs {
	const unsigned char *buf;
	bool be, is64;
	uint32_t ncmds, i;
	size_t at, end;  /* the next command's offset, the end of sizeofcmds */
};

/* Start a walk over the load commands of the thin file in buf; false when
 * it is no thin Mach-O file or its commands run past the file. */
static bool
gr_macho_lcs_init(struct gr_macho_lcs *it, const unsigned char *buf, size_t len)
{
	uint32_t magic, sizeofcmds;
	size_t hdrsize;

	if (!gr_macho_is_thin(buf, len))
		return false;
	magic = gr_rd32(buf, false);
	it->buf = buf;
	it->be = !(magic == GR_MH_MAGIC || magic == GR_MH_MAGIC_64);
	it->is64 = gr_rd32(buf, it->be) == GR_MH_MAGIC_64;
	hdrsize = it->is64 ? 32 : 28;
	if (len < hdrsize)
		return false;
	it->ncmds = gr_rd32(buf + 16, it->be);
	sizeofcmds = gr_rd32(buf + 20, it->be);
	if (sizeofcmds > len - hdrsize)
		return false;
	it->i = 0;
	it->at = hdrsize;
	it->end = hdrsize + sizeofcmds;
	return true;
}

/* The next load command: false when none is left or it does not fit. */
static bool
gr_macho_lcs_next(struct gr_macho_lcs *it, const unsigned char **lc, uint32_t *cmd, uint32_t *cmdsize)
{
	if (it->i >= it->ncmds || it->end - it->at < 8)
		return false;
	*lc = it->buf + it->at;
	*cmd = gr_rd32(*lc, it->be);
	*cmdsize = gr_rd32(*lc + 4, it->be);
	if (*cmdsize < 8 || *cmdsize > it->end - it->at)
		return false;
	it->at += *cmdsize;
	it->i++;
	return true;
}

/* Whether a fixed 16-byte name field holds want (NUL-padded unless 16 long). */
static bool
gr_macho_name16(const unsigned char *field, const char *want)
{
	size_t l = strlen(want);

	return l <= 16 && memcmp(field, want, l) == 0 && (l == 16 || field[l] == '\0');
}

/* A 16-byte name field, made a C string for messages. */
static void
gr_macho_name_str(const unsigned char *field, char out[17])
{
	size_t i;

	for (i = 0; i < 16 && field[i]; i++)
		out[i] = (field[i] >= 0x20 && field[i] < 0x7f) ? (char)field[i] : '?';
	out[i] = '\0';
}

int
gr_macho_section(const unsigned char *buf, size_t len, const char *path, const char *segname,
                 const char *sectname, const unsigned char **p, size_t *n, struct gr_error *err)
{
	struct gr_macho_lcs it;
	const unsigned char *lc;
	uint32_t cmd, cmdsize;

	*p = NULL;
	*n = 0;
	if (!gr_macho_lcs_init(&it, buf, len))
		return gr_error_set(err, GR_EFORMAT, 0, "%s: Mach-O header or load commands cut short", path);
	while (gr_macho_lcs_next(&it, &lc, &cmd, &cmdsize)) {
		bool seg64 = cmd == GR_LC_SEGMENT_64;
		uint32_t hdr = seg64 ? 72 : 56, sectsz = seg64 ? 80 : 68, nsects, k;
		if (cmd != GR_LC_SEGMENT && cmd != GR_LC_SEGMENT_64)
			continue;
		if (cmdsize < hdr || (nsects = gr_rd32(lc + (seg64 ? 64 : 48), it.be)) > (cmdsize - hdr) / sectsz)
			return gr_error_set(err, GR_EFORMAT, 0,
			                    "%s: load command %u (%s) is too small for its sections",
			                    path, (unsigned)(it.i - 1), seg64 ? "LC_SEGMENT_64" : "LC_SEGMENT");
		for (k = 0; k < nsects; k++) {
			const unsigned char *s = lc + hdr + (size_t)k * sectsz;
			uint64_t size = !seg64 ? gr_rd32(s + 36, it.be)
			              : it.be ? (uint64_t)gr_rd32(s + 40, true) << 32 | gr_rd32(s + 44, true)
			                      : (uint64_t)gr_rd32(s + 44, false) << 32 | gr_rd32(s + 40, false);
			uint32_t offset = gr_rd32(s + (seg64 ? 48 : 40), it.be);
			uint32_t type = gr_rd32(s + (seg64 ? 64 : 56), it.be) & 0xffu;
			char sn[17], gn[17];
			if (!gr_macho_name16(s, sectname) || (segname && !gr_macho_name16(s + 16, segname)))
				continue;
			/* S_ZEROFILL, S_GB_ZEROFILL, S_THREAD_LOCAL_ZEROFILL: no bytes in the file. */
			if (type == 0x1 || type == 0xc || type == 0x12)
				continue;
			if (offset > len || size > len - offset) {
				gr_macho_name_str(s + 16, gn);
				gr_macho_name_str(s, sn);
				return gr_error_set(err, GR_EFORMAT, 0,
				                    "%s: section %s,%s at offset %u (%llu bytes) extends past the end of the file (%zu bytes)",
				                    path, gn, sn, (unsigned)offset, (unsigned long long)size, len);
			}
			*p = buf + offset;
			*n = (size_t)size;
			return GR_OK;
		}
	}
	return GR_OK;
}

int
gr_macho_symbols(const unsigned char *buf, size_t len, const char *path,
                 bool (*fn)(const char *name, size_t n, void *ctx), void *ctx,
                 long *count, struct gr_error *err)
{
	struct gr_macho_lcs it;
	const unsigned char *lc;
	uint32_t cmd, cmdsize;

	*count = -1;
	if (!gr_macho_lcs_init(&it, buf, len))
		return gr_error_set(err, GR_EFORMAT, 0, "%s: Mach-O header or load commands cut short", path);
	while (gr_macho_lcs_next(&it, &lc, &cmd, &cmdsize)) {
		uint32_t symoff, nsyms, stroff, strsize, k;
		size_t entsz = it.is64 ? 16 : 12;
		const unsigned char *strtab;
		if (cmd != GR_LC_SYMTAB)
			continue;
		if (cmdsize < 24)
			return gr_error_set(err, GR_EFORMAT, 0,
			                    "%s: load command %u (LC_SYMTAB) has cmdsize %u, smaller than its 24-byte structure",
			                    path, (unsigned)(it.i - 1), (unsigned)cmdsize);
		symoff = gr_rd32(lc + 8, it.be);
		nsyms = gr_rd32(lc + 12, it.be);
		stroff = gr_rd32(lc + 16, it.be);
		strsize = gr_rd32(lc + 20, it.be);
		if (symoff > len || nsyms > (len - symoff) / entsz || stroff > len || strsize > len - stroff)
			return gr_error_set(err, GR_EFORMAT, 0,
			                    "%s: LC_SYMTAB puts %u symbols at offset %u or %u bytes of names at offset %u past the end of the file (%zu bytes)",
			                    path, (unsigned)nsyms, (unsigned)symoff, (unsigned)strsize, (unsigned)stroff, len);
		strtab = buf + stroff;
		*count = 0;
		for (k = 0; k < nsyms; k++) {
			const unsigned char *e = buf + symoff + (size_t)k * entsz, *nul;
			uint32_t strx = gr_rd32(e, it.be);
			unsigned char type = e[4];
			const char *name;
			/* N_STAB bits: a debugging entry; N_TYPE must be N_SECT (0xe). */
			if ((type & 0xe0u) || (type & 0x0eu) != 0x0eu || strx >= strsize)
				continue;
			if (!(nul = memchr(strtab + strx, '\0', strsize - strx)))
				continue;
			name = (const char *)strtab + strx;
			if (*name == '_')
				name++;
			(*count)++;
			if (!fn(name, (size_t)((const char *)nul - name), ctx))
				break;
		}
		return GR_OK;  /* one symbol table per file */
	}
	return GR_OK;
}
