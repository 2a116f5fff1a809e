/* The malloc wrap of the unit tests linked with -Wl,--wrap=malloc (and this
 * file): gr_test_fail_malloc makes the next malloc fail (ENOMEM). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "gr_test.h"

void *__real_malloc(size_t n);
void *__wrap_malloc(size_t n);

bool gr_test_fail_malloc;

void *
__wrap_malloc(size_t n)
{
	if (gr_test_fail_malloc) {
		gr_test_fail_malloc = false;
		errno = ENOMEM;
		return NULL;
	}
	return __real_malloc(n);
}
