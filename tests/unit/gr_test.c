#include "gr_test.h"

extern char **environ;

Suite *
gr_test_suite(const char *name, const char *tcase, const TTest *const *tests, size_t n, double timeout)
{
	Suite *s = suite_create(name);
	TCase *t = tcase_create(tcase);
	size_t i;

	if (timeout > 0)
		tcase_set_timeout(t, timeout);
	for (i = 0; i < n; i++)
		tcase_add_test(t, tests[i]);
	suite_add_tcase(s, t);
	return s;
}

int
gr_test_run(Suite *s, bool nofork)
{
	SRunner *sr = srunner_create(s);
	int failed;

	if (nofork)
		srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

const struct gr_env *
gr_test_env(void)
{
	static struct gr_env env;

	gr_env_from_environ(&env, environ);
	return &env;
}
