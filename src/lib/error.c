/* error.c - per-thread last error message, set by modules and printed by commands. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
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

const char *last_error(void)
{
	return message[0] ? message : "unknown error";
}

int report(void)
{
	fprintf(stderr, "cenv: %s\n", last_error());
	return 1;
}

int die_msg(const char *fmt, ...)
{
	va_list ap;

	fputs("cenv: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}
