/* gr_cmd_extld: the helper commands a build runs: gorelink-ld and gorelink-pkg-config. */
#ifndef GR_CMD_EXTLD_H
#define GR_CMD_EXTLD_H

/* The external linker Go runs (-extld): rewrite the final link, pass probes through. */
int gr_cmd_extld(int argc, char **argv);

/* The pkg-config Go runs ($PKG_CONFIG): --libs answers with --static semantics. */
int gr_cmd_pkgconfig_shim(int argc, char **argv);

#endif
