#include "gr_sbom.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_gocache.h"
#include "gr_json.h"
#include "gr_kv.h"

int
gr_sbom_format_parse(const char *s, enum gr_sbom_format *out)
{
	if (s && !strcmp(s, "spdx-json"))
		*out = GR_SBOM_SPDX_JSON;
	else if (s && !strcmp(s, "cyclonedx-json"))
		*out = GR_SBOM_CYCLONEDX_JSON;
	else
		return -1;
	return 0;
}

/* Percent-encode s for a purl part into b (unreserved characters and those in keep stay). */
static void
sb_pct(struct gr_kvbuf *b, const char *s, const char *keep)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || strchr("-._~", c) || (keep && strchr(keep, c))) {
			gr_kv_raw(b, (const char *)&c, 1);
		} else {
			char h[4];
			snprintf(h, sizeof(h), "%%%02X", c);
			gr_kv_raw(b, h, 3);
		}
	}
}

/* The purl of an archive's Debian package, or of a Go module; malloc'd, NULL when none. */
static char *
sb_purl_deb(const struct gr_manifest_archive *a)
{
	struct gr_kvbuf b = { 0 };
	const char *colon;

	if (!a->deb_package)
		return NULL;
	colon = strchr(a->deb_package, ':');
	gr_kv_raw(&b, "pkg:deb/debian/", 15);
	{
		char *name = strndup(a->deb_package, colon ? (size_t)(colon - a->deb_package) : strlen(a->deb_package));
		sb_pct(&b, name, "+");
		free(name);
	}
	if (a->deb_version && *a->deb_version) {
		gr_kv_raw(&b, "@", 1);
		sb_pct(&b, a->deb_version, "+");
	}
	if (colon) {
		gr_kv_raw(&b, "?arch=", 6);
		sb_pct(&b, colon + 1, NULL);
	}
	if (b.nomem) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

static char *
sb_purl_go(const struct gr_manifest_gomod *g)
{
	struct gr_kvbuf b = { 0 };

	gr_kv_raw(&b, "pkg:golang/", 11);
	sb_pct(&b, g->path, "/");
	if (g->version && *g->version && strcmp(g->version, "(devel)")) {
		gr_kv_raw(&b, "@", 1);
		sb_pct(&b, g->version, "+");
	}
	if (b.nomem) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

/* The base name of a path. */
static const char *
sb_base(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* The digest of the manifest's compact form, which names the document. */
static int
sb_digest(const struct gr_manifest *m, char hex[65], struct gr_error *err)
{
	char *c;
	size_t n;
	int rc = gr_manifest_compact(m, &c, &n, err);

	if (rc)
		return rc;
	gr_gocache_sha256(c, n, hex);
	free(c);
	return GR_OK;
}

/* "C code compiled from it: FILE (OBJECT), ..." for the objects of module path, or NULL (malloc'd). */
static char *
sb_c_code(const struct gr_manifest *m, const char *path)
{
	struct gr_kvbuf b = { 0 };
	size_t i;

	for (i = 0; path && i < m->nobjects; i++) {
		const struct gr_manifest_object *o = &m->objects[i];
		if (!o->module || strcmp(o->module, path))
			continue;
		gr_kv_raw(&b, b.n ? ", " : "C code compiled from this module: ", b.n ? 2 : 35);
		if (o->source) {
			gr_kv_raw(&b, o->source, strlen(o->source));
			gr_kv_raw(&b, " (", 2);
		}
		gr_kv_raw(&b, o->name, strlen(o->name));
		if (o->source)
			gr_kv_raw(&b, ")", 1);
	}
	if (b.nomem) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

/* The name of the binary's package: the main package path, else its module, else "binary". */
static const char *
sb_name(const struct gr_manifest *m)
{
	return m->go_path ? m->go_path : m->main.path ? m->main.path : "binary";
}

/* Whether the licence expression's LicenseRef ids include id (n bytes) already listed in seen. */
static bool
sb_seen(struct gr_kvbuf *seen, const char *id, size_t n)
{
	const char *p = seen->p;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		if ((size_t)(nl - p) == n && !strncmp(p, id, n))
			return true;
		p = nl + 1;
	}
	return false;
}

/* An SPDX package's externalRefs: its purl (freed), when there is one. */
static void
sb_spdx_purl(struct gr_json *j, char *purl)
{
	if (!purl)
		return;
	gr_json_arr_begin(j, "externalRefs");
	gr_json_obj_begin(j, NULL);
	gr_json_str(j, "referenceCategory", "PACKAGE-MANAGER");
	gr_json_str(j, "referenceType", "purl");
	gr_json_str(j, "referenceLocator", purl);
	gr_json_obj_end(j);
	gr_json_arr_end(j);
	free(purl);
}

/* SPDX: the LicenseRef-* ids an archive's licence uses, each once in the document. */
static void
sb_spdx_refs(struct gr_json *j, const struct gr_manifest_archive *a, struct gr_kvbuf *seen)
{
	const char *p = a->licence;

	while (p && (p = strstr(p, "LicenseRef-"))) {
		const char *e = p;
		char id[512], text[1024];
		while (*e && (isalnum((unsigned char)*e) || *e == '-' || *e == '.'))
			e++;
		if ((size_t)(e - p) < sizeof(id) && !sb_seen(seen, p, (size_t)(e - p))) {
			gr_kv_raw(seen, p, (size_t)(e - p));
			gr_kv_raw(seen, "\n", 1);
			snprintf(id, sizeof(id), "%.*s", (int)(e - p), p);
			snprintf(text, sizeof(text), "The licence called '%s'%s%s: the full text is in that file.", id + 11,
			         a->licence_from ? " in " : " by its package", a->licence_from ? a->licence_from : "");
			gr_json_obj_begin(j, NULL);
			gr_json_str(j, "licenseId", id);
			gr_json_str(j, "name", id + 11);
			gr_json_str(j, "extractedText", text);
			gr_json_obj_end(j);
		}
		p = e;
	}
}

static void
sb_spdx(const struct gr_manifest *m, const char *digest, struct gr_json *j)
{
	char ns[512], ref[64], comment[512];
	size_t i, k;
	struct gr_kvbuf seen = { 0 };
	bool any_refs = false;

	snprintf(ns, sizeof(ns), "https://gorelink.invalid/spdx/%s-%s", sb_base(sb_name(m)), digest);
	gr_json_obj_begin(j, NULL);
	gr_json_str(j, "spdxVersion", "SPDX-2.3");
	gr_json_str(j, "dataLicense", "CC0-1.0");
	gr_json_str(j, "SPDXID", "SPDXRef-DOCUMENT");
	gr_json_str(j, "name", sb_name(m));
	gr_json_str(j, "documentNamespace", ns);
	gr_json_obj_begin(j, "creationInfo");
	gr_json_str(j, "created", gr_manifest_created(m));
	gr_json_arr_begin(j, "creators");
	gr_json_str(j, NULL, "Tool: gorelink-" GR_VERSION);
	gr_json_arr_end(j);
	gr_json_str(j, "comment", "What the final link loaded, recorded by gorelink from the linker's own trace "
	                          "(manifest " GR_MANIFEST_FORMAT ").");
	gr_json_obj_end(j);
	gr_json_arr_begin(j, "packages");
	/* the binary */
	gr_json_obj_begin(j, NULL);
	gr_json_str(j, "SPDXID", "SPDXRef-Binary");
	gr_json_str(j, "name", sb_name(m));
	if (m->main.version)
		gr_json_str(j, "versionInfo", m->main.version);
	gr_json_str(j, "downloadLocation", "NOASSERTION");
	gr_json_bool(j, "filesAnalyzed", false);
	gr_json_str(j, "licenseConcluded", "NOASSERTION");
	gr_json_str(j, "licenseDeclared", "NOASSERTION");
	gr_json_str(j, "copyrightText", "NOASSERTION");
	gr_json_str(j, "primaryPackagePurpose", "APPLICATION");
	if (m->go_version) {
		snprintf(comment, sizeof(comment), "Built by %s%s%s.", m->go_version, m->linker ? ", linked by " : "",
		         m->linker ? m->linker : "");
		gr_json_str(j, "comment", comment);
	}
	gr_json_obj_end(j);
	for (i = 0; i < m->narchives; i++) {
		const struct gr_manifest_archive *a = &m->archives[i];
		char *purl = sb_purl_deb(a);
		struct gr_kvbuf info = { 0 };
		snprintf(ref, sizeof(ref), "SPDXRef-Archive-%zu", i + 1);
		gr_json_obj_begin(j, NULL);
		gr_json_str(j, "SPDXID", ref);
		gr_json_str(j, "name", sb_base(a->path));
		if (a->deb_version || a->pc_version)
			gr_json_str(j, "versionInfo", a->deb_version ? a->deb_version : a->pc_version);
		gr_json_str(j, "packageFileName", a->path);
		gr_json_str(j, "downloadLocation", "NOASSERTION");
		gr_json_bool(j, "filesAnalyzed", false);
		if (a->sha256) {
			gr_json_arr_begin(j, "checksums");
			gr_json_obj_begin(j, NULL);
			gr_json_str(j, "algorithm", "SHA256");
			gr_json_str(j, "checksumValue", a->sha256);
			gr_json_obj_end(j);
			gr_json_arr_end(j);
		}
		gr_json_str(j, "licenseConcluded", "NOASSERTION");
		gr_json_str(j, "licenseDeclared", a->licence);
		gr_json_str(j, "copyrightText", "NOASSERTION");
		gr_json_str(j, "primaryPackagePurpose", "LIBRARY");
		gr_kv_raw(&info, "members linked:", 15);
		for (k = 0; k < a->nmembers; k++) {
			gr_kv_raw(&info, " ", 1);
			gr_kv_raw(&info, a->members[k], strlen(a->members[k]));
		}
		if (a->deb_package) {
			gr_kv_raw(&info, "; Debian package ", 17);
			gr_kv_raw(&info, a->deb_package, strlen(a->deb_package));
		}
		if (a->pc_package) {
			gr_kv_raw(&info, "; pkg-config package ", 21);
			gr_kv_raw(&info, a->pc_package, strlen(a->pc_package));
			if (a->pc_version) {
				gr_kv_raw(&info, " ", 1);
				gr_kv_raw(&info, a->pc_version, strlen(a->pc_version));
			}
		}
		if (a->licence_from) {
			gr_kv_raw(&info, "; licence from ", 15);
			gr_kv_raw(&info, a->licence_from, strlen(a->licence_from));
		}
		if (a->module) {
			gr_kv_raw(&info, "; Go module ", 12);
			gr_kv_raw(&info, a->module, strlen(a->module));
		}
		gr_kv_raw(&info, "", 0);
		gr_json_str(j, "sourceInfo", info.p ? info.p : "");
		free(info.p);
		sb_spdx_purl(j, purl);
		gr_json_obj_end(j);
		if (strstr(a->licence, "LicenseRef-"))
			any_refs = true;
	}
	for (i = 0; i < m->ndeps; i++) {
		const struct gr_manifest_gomod *g = &m->deps[i];
		char *purl = sb_purl_go(g);
		snprintf(ref, sizeof(ref), "SPDXRef-GoModule-%zu", i + 1);
		gr_json_obj_begin(j, NULL);
		gr_json_str(j, "SPDXID", ref);
		gr_json_str(j, "name", g->path);
		if (g->version)
			gr_json_str(j, "versionInfo", g->version);
		gr_json_str(j, "downloadLocation", "NOASSERTION");
		gr_json_bool(j, "filesAnalyzed", false);
		gr_json_str(j, "licenseConcluded", "NOASSERTION");
		gr_json_str(j, "licenseDeclared", "NOASSERTION");
		gr_json_str(j, "copyrightText", "NOASSERTION");
		gr_json_str(j, "primaryPackagePurpose", "LIBRARY");
		{
			char *code = sb_c_code(m, g->path);
			snprintf(comment, sizeof(comment), "%s%s%s%s%s%s", g->sum ? "go.sum " : "", g->sum ? g->sum : "",
			         g->replace ? (g->sum ? "; replaced by " : "replaced by ") : "", g->replace ? g->replace : "",
			         code && (g->sum || g->replace) ? "; " : "", code ? code : "");
			if (*comment)
				gr_json_str(j, "comment", comment);
			free(code);
		}
		sb_spdx_purl(j, purl);
		gr_json_obj_end(j);
	}
	gr_json_arr_end(j);
	if (any_refs) {
		gr_json_arr_begin(j, "hasExtractedLicensingInfos");
		for (i = 0; i < m->narchives; i++)
			sb_spdx_refs(j, &m->archives[i], &seen);
		gr_json_arr_end(j);
	}
	free(seen.p);
	gr_json_arr_begin(j, "relationships");
	gr_json_obj_begin(j, NULL);
	gr_json_str(j, "spdxElementId", "SPDXRef-DOCUMENT");
	gr_json_str(j, "relationshipType", "DESCRIBES");
	gr_json_str(j, "relatedSpdxElement", "SPDXRef-Binary");
	gr_json_obj_end(j);
	for (i = 0; i < m->narchives; i++) {
		snprintf(ref, sizeof(ref), "SPDXRef-Archive-%zu", i + 1);
		gr_json_obj_begin(j, NULL);
		gr_json_str(j, "spdxElementId", "SPDXRef-Binary");
		gr_json_str(j, "relationshipType", "STATIC_LINK");
		gr_json_str(j, "relatedSpdxElement", ref);
		gr_json_obj_end(j);
	}
	for (i = 0; i < m->ndeps; i++) {
		snprintf(ref, sizeof(ref), "SPDXRef-GoModule-%zu", i + 1);
		gr_json_obj_begin(j, NULL);
		gr_json_str(j, "spdxElementId", "SPDXRef-Binary");
		gr_json_str(j, "relationshipType", "DEPENDS_ON");
		gr_json_str(j, "relatedSpdxElement", ref);
		gr_json_obj_end(j);
	}
	gr_json_arr_end(j);
	gr_json_obj_end(j);
}

/* CycloneDX: a property name/value pair. */
static void
sb_prop(struct gr_json *j, const char *name, const char *value)
{
	if (!value)
		return;
	gr_json_obj_begin(j, NULL);
	gr_json_str(j, "name", name);
	gr_json_str(j, "value", value);
	gr_json_obj_end(j);
}

static void
sb_cdx(const struct gr_manifest *m, const char *digest, struct gr_json *j)
{
	char uuid[64], ref[600];
	size_t i, k;

	/* A name-based UUID (version 5 layout) from the manifest's digest. */
	snprintf(uuid, sizeof(uuid), "urn:uuid:%.8s-%.4s-5%.3s-%c%.3s-%.12s", digest, digest + 8, digest + 13,
	         "89ab"[strchr("0123456789abcdef", digest[16]) ? (strchr("0123456789abcdef", digest[16]) -
	                                                             "0123456789abcdef") & 3 : 0],
	         digest + 17, digest + 20);
	gr_json_obj_begin(j, NULL);
	gr_json_str(j, "bomFormat", "CycloneDX");
	gr_json_str(j, "specVersion", "1.5");
	gr_json_str(j, "serialNumber", uuid);
	gr_json_int(j, "version", 1);
	gr_json_obj_begin(j, "metadata");
	gr_json_str(j, "timestamp", gr_manifest_created(m));
	gr_json_obj_begin(j, "tools");
	gr_json_arr_begin(j, "components");
	gr_json_obj_begin(j, NULL);
	gr_json_str(j, "type", "application");
	gr_json_str(j, "name", "gorelink");
	gr_json_str(j, "version", GR_VERSION);
	gr_json_obj_end(j);
	gr_json_arr_end(j);
	gr_json_obj_end(j);
	gr_json_obj_begin(j, "component");
	gr_json_str(j, "type", "application");
	gr_json_str(j, "bom-ref", "binary");
	gr_json_str(j, "name", sb_name(m));
	if (m->main.version)
		gr_json_str(j, "version", m->main.version);
	gr_json_arr_begin(j, "properties");
	sb_prop(j, "gorelink:manifest", GR_MANIFEST_FORMAT);
	sb_prop(j, "gorelink:go", m->go_version);
	sb_prop(j, "gorelink:linker", m->linker);
	for (i = 0; i < m->nobjects; i++)
		sb_prop(j, "gorelink:object", m->objects[i].name);
	for (i = 0; i < m->nshared; i++)
		sb_prop(j, "gorelink:shared", m->shared[i]);
	for (i = 0; i < m->nsettings; i++)
		sb_prop(j, "gorelink:go-build", m->settings[i]);
	gr_json_arr_end(j);
	gr_json_obj_end(j);
	gr_json_obj_end(j);
	gr_json_arr_begin(j, "components");
	for (i = 0; i < m->narchives; i++) {
		const struct gr_manifest_archive *a = &m->archives[i];
		char *purl = sb_purl_deb(a);
		snprintf(ref, sizeof(ref), "archive:%s", a->path);
		gr_json_obj_begin(j, NULL);
		gr_json_str(j, "type", "library");
		gr_json_str(j, "bom-ref", ref);
		gr_json_str(j, "name", sb_base(a->path));
		if (a->deb_version || a->pc_version)
			gr_json_str(j, "version", a->deb_version ? a->deb_version : a->pc_version);
		if (a->sha256) {
			gr_json_arr_begin(j, "hashes");
			gr_json_obj_begin(j, NULL);
			gr_json_str(j, "alg", "SHA-256");
			gr_json_str(j, "content", a->sha256);
			gr_json_obj_end(j);
			gr_json_arr_end(j);
		}
		if (strcmp(a->licence, "NOASSERTION")) {
			gr_json_arr_begin(j, "licenses");
			gr_json_obj_begin(j, NULL);
			gr_json_str(j, "expression", a->licence);
			gr_json_obj_end(j);
			gr_json_arr_end(j);
		}
		if (purl)
			gr_json_str(j, "purl", purl);
		free(purl);
		gr_json_arr_begin(j, "properties");
		sb_prop(j, "gorelink:archive", a->path);
		for (k = 0; k < a->nmembers; k++)
			sb_prop(j, "gorelink:member", a->members[k]);
		sb_prop(j, "gorelink:deb-package", a->deb_package);
		sb_prop(j, "gorelink:deb-source", a->deb_source);
		sb_prop(j, "gorelink:pkg-config", a->pc_package);
		sb_prop(j, "gorelink:pkg-config-version", a->pc_version);
		sb_prop(j, "gorelink:licence-from", a->licence_from);
		sb_prop(j, "gorelink:go-module", a->module);
		gr_json_arr_end(j);
		gr_json_obj_end(j);
	}
	for (i = 0; i < m->ndeps; i++) {
		const struct gr_manifest_gomod *g = &m->deps[i];
		char *purl = sb_purl_go(g);
		snprintf(ref, sizeof(ref), "gomod:%s", g->path);
		gr_json_obj_begin(j, NULL);
		gr_json_str(j, "type", "library");
		gr_json_str(j, "bom-ref", ref);
		gr_json_str(j, "name", g->path);
		if (g->version)
			gr_json_str(j, "version", g->version);
		if (purl)
			gr_json_str(j, "purl", purl);
		free(purl);
		{
			bool any = g->sum || g->replace;
			for (k = 0; !any && k < m->nobjects; k++)
				any = m->objects[k].module && !strcmp(m->objects[k].module, g->path);
			if (any) {
				gr_json_arr_begin(j, "properties");
				sb_prop(j, "gorelink:go-sum", g->sum);
				sb_prop(j, "gorelink:go-replace", g->replace);
				for (k = 0; k < m->nobjects; k++)
					if (m->objects[k].module && !strcmp(m->objects[k].module, g->path)) {
						sb_prop(j, "gorelink:c-object", m->objects[k].name);
						sb_prop(j, "gorelink:c-source", m->objects[k].source);
					}
				gr_json_arr_end(j);
			}
		}
		gr_json_obj_end(j);
	}
	gr_json_arr_end(j);
	gr_json_arr_begin(j, "dependencies");
	gr_json_obj_begin(j, NULL);
	gr_json_str(j, "ref", "binary");
	gr_json_arr_begin(j, "dependsOn");
	for (i = 0; i < m->narchives; i++) {
		snprintf(ref, sizeof(ref), "archive:%s", m->archives[i].path);
		gr_json_str(j, NULL, ref);
	}
	for (i = 0; i < m->ndeps; i++) {
		snprintf(ref, sizeof(ref), "gomod:%s", m->deps[i].path);
		gr_json_str(j, NULL, ref);
	}
	gr_json_arr_end(j);
	gr_json_obj_end(j);
	gr_json_arr_end(j);
	gr_json_obj_end(j);
}

int
gr_sbom_render(const struct gr_manifest *m, enum gr_sbom_format f, FILE *out, struct gr_error *err)
{
	struct gr_json j;
	char digest[65];
	int rc = sb_digest(m, digest, err);

	if (rc)
		return rc;
	gr_json_init(&j, out);
	if (f == GR_SBOM_SPDX_JSON)
		sb_spdx(m, digest, &j);
	else
		sb_cdx(m, digest, &j);
	fputc('\n', out);
	if (fflush(out) != 0 || ferror(out))
		return gr_error_set(err, GR_EIO, errno, "cannot write the SBOM");
	return GR_OK;
}

int
gr_sbom_write(const struct gr_manifest *m, enum gr_sbom_format f, const char *path, struct gr_error *err)
{
	size_t l = strlen(path);
	char *tmp = malloc(l + 8);
	FILE *fp;
	int fd, rc, e;

	if (!tmp)
		return gr_error_set(err, GR_ENOMEM, 0, "out of memory");
	snprintf(tmp, l + 8, "%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0) {
		e = errno;
		free(tmp);
		return gr_error_set(err, GR_EIO, e, "cannot write %s: %s", path, strerror(e));
	}
	if (!(fp = fdopen(fd, "w"))) {
		e = errno;
		close(fd);
		unlink(tmp);
		free(tmp);
		return gr_error_set(err, GR_EIO, e, "cannot write %s: %s", path, strerror(e));
	}
	rc = gr_sbom_render(m, f, fp, err);
	if (fclose(fp) != 0 && rc == GR_OK)
		rc = gr_error_set(err, GR_EIO, errno, "cannot write %s: %s", path, strerror(errno));
	/* mkstemp makes it 0600: an SBOM is for others to read */
	if (rc == GR_OK && chmod(tmp, 0644) != 0)
		rc = gr_error_set(err, GR_EIO, errno, "cannot write %s: %s", path, strerror(errno));
	if (rc == GR_OK && rename(tmp, path) != 0)
		rc = gr_error_set(err, GR_EIO, errno, "cannot write %s: %s", path, strerror(errno));
	if (rc != GR_OK)
		unlink(tmp);
	free(tmp);
	return rc;
}
