/* gr_chain: a missing library's pkg-config chain as one line ("-lpcap -> libpcap.pc -> ..."). */
#ifndef GR_CHAIN_H
#define GR_CHAIN_H

/*
 * A token's origin (gr_rw_token.origin) names the chain of .pc files that
 * brought a flag: "libpcap -> Requires.private -> dbus-1 (Libs.private)",
 * possibly after a prefix saying where the first package came from:
 * "#cgo pkg-config: ", "--pkg NAME: " or "inferred for -lNAME: ".  The one-line
 * form puts every step in link order, the flag last:
 *
 *   -lpcap -> libpcap.pc (inferred) -> Requires.private: dbus-1.pc -> Libs.private: -lsystemd
 *   #cgo pkg-config: libpcap.pc -> Requires.private: dbus-1.pc -> Libs.private: -lsystemd
 *   libpcap.pc -> Requires.private: dbus-1.pc -> Libs.private: -lsystemd
 */

/* The chain of ORIGIN ending in FLAG (e.g. "-lsystemd"), malloc'd; NULL when
 * ORIGIN is NULL or names no .pc chain (e.g. "--lib"), or out of memory. */
char *gr_chain_text(const char *origin, const char *flag);

#endif
