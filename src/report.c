/* report.c - the one place the command layer prints a failure or a module's notice. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cenv.h"
#include "error.h"
#include "interrupt.h"
#include "json.h"
#include "report.h"
#include "util.h"

int report(void)
{
	fprintf(stderr, "cenv: %s\n", last_error());
	return EXIT_FAIL;
}

/*
 * Whether stdout is a pipe or socket nobody reads any more.  errno alone cannot say: the write
 * that failed may have been an earlier printf's, with other calls since.  Linux and the BSDs
 * report a pipe without readers as POLLERR to its writer, a socket shut down as POLLHUP.
 */
static int stdout_reader_gone(int err)
{
	struct pollfd pfd = { .fd = STDOUT_FILENO, .events = POLLOUT };
	struct stat st;

	if (err == EPIPE)
		return 1;
	if (fstat(STDOUT_FILENO, &st) < 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
		return 0;
	return poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLERR | POLLHUP));
}

int finish_stdout(int status)
{
	int flushed = fflush(stdout) == 0, err = flushed ? 0 : errno;

	if (flushed && !ferror(stdout))
		return status;
	if (stdout_reader_gone(err))
		return status == EXIT_OK ? STATUS_PIPE_CLOSED : status;
	if (err)
		fprintf(stderr, "cenv: cannot write to standard output: %s\n", strerror(err));
	else
		fprintf(stderr, "cenv: cannot write to standard output\n");
	return EXIT_FAIL;
}

void size_text(char buf[SIZE_TEXT_MAX], long long bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)(bytes < 0 ? 0 : bytes) / 1024;
	size_t u = 0;

	/* 1023.96 KiB would print as "1024.0 KiB": the unit changes where the rounding does */
	while (v >= 1023.95 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	snprintf(buf, SIZE_TEXT_MAX, "%.1f %s", v, units[u]);
}

void say_out_of_memory(void)
{
	static const char msg[] = "cenv: out of memory\n";

	/* no stdio: it may need the memory there is none of */
	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
}

void say_rolled_back(void)
{
	fprintf(stderr, "cenv: rolled back a change that was interrupted\n");
}

void say_waiting_for_lock(const char *prefix)
{
	/* a wait must not look like a hang */
	fprintf(stderr, "cenv: waiting for another cenv process to finish with %s\n", prefix);
}

void print_json_string(const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	json_add_string(&sb, s);
	fputs(sb_str(&sb), stdout);
	sb_release(&sb);
}

void print_json_bytes(const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	json_add_bytes(&sb, s);
	fputs(sb_str(&sb), stdout);
	sb_release(&sb);
}

static int interrupt_said;

void say_interrupted(const char *command, int sig, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "cenv: %s interrupted by %s", command, interrupt_name(sig));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	interrupt_said = 1;
}

int said_interrupted(void)
{
	return interrupt_said;
}
