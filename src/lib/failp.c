/* failp.c - fail() with every string argument made printable (paths may hold newlines). */
#include <stdarg.h>
#include <stdlib.h>

#include "error.h"
#include "failp.h"
#include "quote.h"
#include "util.h"

int failp(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	const char *f;
	va_list ap;

	va_start(ap, fmt);
	for (f = fmt; *f; f++) {
		if (*f != '%' || !f[1]) {
			sb_addc(&sb, *f);
		} else if (*++f == 's') {
			const char *arg = va_arg(ap, const char *);
			char *shown = printable(arg ? arg : "");

			sb_adds(&sb, shown);
			free(shown);
		} else if (*f == '%') {
			sb_addc(&sb, '%');
		} else {
			/*
			 * Not a string: its argument's type is unknown, so no argument is
			 * taken from here on (a wrong va_arg is undefined); the rest of the
			 * format stays as written, so the mistake shows in the message.
			 */
			sb_addc(&sb, '%');
			sb_adds(&sb, f);
			break;
		}
	}
	va_end(ap);
	fail("%s", sb_str(&sb));
	sb_release(&sb);
	return -1;
}
