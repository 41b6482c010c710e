/* mkarchive.c - writes test archives, hostile ones included, with libarchive.
 *
 * usage: mkarchive OUT FORMAT ENTRY...
 *   FORMAT: tar (pax), ustar, tgz (pax + gzip), txz, tbz2, tzst, zip
 *   ENTRY:  f:PATH:CONTENT   regular file      x:PATH:CONTENT  executable file
 *           u:PATH:CONTENT   setuid file       d:PATH          directory
 *           l:PATH:TARGET    symlink           h:PATH:TARGET   hardlink
 *           c:PATH           character device  p:PATH          FIFO
 * PATH is written as given: absolute, "..", control characters and all.
 * In PATH, CONTENT and TARGET, "\n" stands for a newline and "\t" for a tab.
 */
#define _POSIX_C_SOURCE 200809L
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *unescape(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	for (; *s; s++) {
		if (s[0] == '\\' && (s[1] == 'n' || s[1] == 't')) {
			*o++ = s[1] == 'n' ? '\n' : '\t';
			s++;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return out;
}

static int set_format(struct archive *a, const char *format)
{
	if (!strcmp(format, "zip"))
		return archive_write_set_format_zip(a);
	if (!strcmp(format, "ustar"))
		return archive_write_set_format_ustar(a);
	archive_write_set_format_pax_restricted(a);
	if (!strcmp(format, "tgz"))
		return archive_write_add_filter_gzip(a);
	if (!strcmp(format, "txz"))
		return archive_write_add_filter_xz(a);
	if (!strcmp(format, "tbz2"))
		return archive_write_add_filter_bzip2(a);
	if (!strcmp(format, "tzst"))
		return archive_write_add_filter_zstd(a);
	return strcmp(format, "tar") ? ARCHIVE_FATAL : ARCHIVE_OK;
}

/* What follows "T:PATH:" in an entry, or "". */
static const char *rest_or_empty(const char *spec)
{
	const char *colon = strlen(spec) > 2 ? strchr(spec + 2, ':') : NULL;

	return colon ? colon + 1 : "";
}

static int add_entry(struct archive *a, const char *spec)
{
	char *copy = strdup(spec), *path = copy + 2, *rest;
	struct archive_entry *e = archive_entry_new();
	char *data = NULL, *name, *target = unescape(rest_or_empty(spec));
	int ret;

	if (strlen(spec) < 3 || spec[1] != ':') {
		fprintf(stderr, "mkarchive: bad entry '%s'\n", spec);
		free(copy);
		free(target);
		archive_entry_free(e);
		return -1;
	}
	rest = strchr(path, ':');
	if (rest)
		*rest++ = '\0';
	name = unescape(path);
	archive_entry_copy_pathname(e, name);
	free(name);
	archive_entry_set_mtime(e, 1700000000, 0);
	switch (spec[0]) {
	case 'f': case 'x': case 'u':
		data = unescape(rest ? rest : "");
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, spec[0] == 'f' ? 0644 : spec[0] == 'x' ? 0755 : 04755);
		archive_entry_set_size(e, (la_int64_t)strlen(data));
		break;
	case 'd':
		archive_entry_set_filetype(e, AE_IFDIR);
		archive_entry_set_perm(e, 0755);
		break;
	case 'l':
		archive_entry_set_filetype(e, AE_IFLNK);
		archive_entry_set_perm(e, 0777);
		archive_entry_copy_symlink(e, target);
		break;
	case 'h':
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_copy_hardlink(e, target);
		archive_entry_set_size(e, 0);
		break;
	case 'c':
		archive_entry_set_filetype(e, AE_IFCHR);
		archive_entry_set_perm(e, 0666);
		archive_entry_set_rdevmajor(e, 1);
		archive_entry_set_rdevminor(e, 3);
		break;
	case 'p':
		archive_entry_set_filetype(e, AE_IFIFO);
		archive_entry_set_perm(e, 0644);
		break;
	default:
		fprintf(stderr, "mkarchive: unknown entry type '%c'\n", spec[0]);
		return -1;
	}
	ret = archive_write_header(a, e);
	if (ret == ARCHIVE_OK && data && *data)
		archive_write_data(a, data, strlen(data));
	if (ret != ARCHIVE_OK)
		fprintf(stderr, "mkarchive: %s: %s\n", spec, archive_error_string(a));
	archive_entry_free(e);
	free(copy);
	free(data);
	free(target);
	return ret == ARCHIVE_OK ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct archive *a = archive_write_new();
	int i;

	if (argc < 3 || set_format(a, argv[2]) != ARCHIVE_OK) {
		fprintf(stderr, "usage: mkarchive OUT tar|ustar|tgz|txz|tbz2|tzst|zip ENTRY...\n");
		return 2;
	}
	if (archive_write_open_filename(a, argv[1]) != ARCHIVE_OK) {
		fprintf(stderr, "mkarchive: %s: %s\n", argv[1], archive_error_string(a));
		return 1;
	}
	for (i = 3; i < argc; i++)
		if (add_entry(a, argv[i]) < 0)
			return 1;
	if (archive_write_close(a) != ARCHIVE_OK) {
		fprintf(stderr, "mkarchive: %s\n", archive_error_string(a));
		return 1;
	}
	archive_write_free(a);
	return 0;
}
