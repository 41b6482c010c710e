/* error.c - per-thread last error message, set by modules and printed by commands (report.c). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

static _Thread_local char message[2048];

int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	return -1;
}

int fail_errno(const char *fmt, ...)
{
	int saved = errno;
	size_t len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	len = strlen(message);
	snprintf(message + len, sizeof(message) - len, ": %s", strerror(saved));
	errno = saved;
	return -1;
}

int fail_wrap(const char *fmt, ...)
{
	char pending[sizeof(message)];
	size_t len;
	va_list ap;

	snprintf(pending, sizeof(pending), "%s", last_error());
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	len = strlen(message);
	if (len + 2 < sizeof(message)) {
		memcpy(message + len, ": ", 2);
		len += 2;
		snprintf(message + len, sizeof(message) - len, "%.*s", (int)(sizeof(message) - len - 1), pending);
	}
	return -1;
}

char *error_take(void)
{
	char *taken = strdup(last_error());

	if (!taken)
		abort(); /* out of memory: as xstrdup does, without a dependency on util */
	message[0] = '\0';
	return taken;
}

int error_restore(char *msg)
{
	snprintf(message, sizeof(message), "%s", msg);
	free(msg);
	return -1;
}

const char *last_error(void)
{
	return message[0] ? message : "unknown error";
}
