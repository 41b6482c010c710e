/* crash.c - TEST ONLY: killing a transaction right before its k-th change to the file system. */
#include <signal.h>
#include <stdlib.h>

#include "crash.h"

void crash_start(struct crash_hook *h)
{
	const char *s = getenv("CENV_TEST_CRASH_AT");

	h->crash_at = s ? strtol(s, NULL, 10) : 0;
	h->steps_done = 0;
}

void crash_step(struct crash_hook *h)
{
	if (h->crash_at > 0 && ++h->steps_done == h->crash_at)
		raise(SIGKILL);
}
