/* gr_tccache: gr_toolchain_discover behind the shared cache directory. */
#ifndef GR_TCCACHE_H
#define GR_TCCACHE_H

#include <stdbool.h>

#include "gr_toolchain.h"

/* Like gr_toolchain_discover, but answered from the cache while the compiler,
 * the linker and the environment they read are unchanged; *hit says which. */
int gr_tccache_discover(char *const cc[], struct gr_toolchain *tc, bool *hit,
                        struct gr_error *err);

#endif
