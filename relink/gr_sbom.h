/* gr_sbom: a link manifest as an SBOM, SPDX 2.3 JSON or CycloneDX 1.5 JSON
 * (docs/sbom.md): a function of the manifest alone, so the same manifest (the
 * one a build records, or the one a binary carries) gives the same bytes. */
#ifndef GR_SBOM_H
#define GR_SBOM_H

#include <stdio.h>

#include "gr_error.h"
#include "gr_manifest.h"

enum gr_sbom_format {
	GR_SBOM_SPDX_JSON,       /* "spdx-json" */
	GR_SBOM_CYCLONEDX_JSON,  /* "cyclonedx-json" */
};

/* The format named s ("spdx-json", "cyclonedx-json"): 0, or -1 for another name. */
int gr_sbom_format_parse(const char *s, enum gr_sbom_format *out);

/* Write m as an SBOM of format f to out. GR_OK, GR_ENOMEM, or GR_EIO when the stream failed. */
int gr_sbom_render(const struct gr_manifest *m, enum gr_sbom_format f, FILE *out, struct gr_error *err);

/* gr_sbom_render into the file path, atomically (a temporary file beside it renamed over it). */
int gr_sbom_write(const struct gr_manifest *m, enum gr_sbom_format f, const char *path, struct gr_error *err);

#endif
