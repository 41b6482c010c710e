/* util.h - memory, growable strings and file-system helpers shared by every module. */
#ifndef CENV_UTIL_H
#define CENV_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * Allocation failure is not recoverable for a command-line tool: these abort,
 * after calling the handler the command layer set (it says so on stderr).
 */
void util_set_oom_handler(void (*handler)(void));
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size); /* zeroed */
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* A growable NUL-terminated string.  Owner: whoever called sb_init; free with sb_release. */
struct strbuf {
	char *buf;
	size_t len, cap;
};
#define STRBUF_INIT { NULL, 0, 0 }
void sb_init(struct strbuf *sb);
void sb_release(struct strbuf *sb);
void sb_add(struct strbuf *sb, const char *s, size_t n);
void sb_adds(struct strbuf *sb, const char *s);
void sb_addc(struct strbuf *sb, char c);
void sb_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *sb_str(const struct strbuf *sb); /* never NULL */
char *sb_detach(struct strbuf *sb);          /* caller frees; sb is reset */

/* "a" + "/" + "b"; caller frees. */
char *path_join(const char *a, const char *b);
/* An absolute, normalised ("." and ".." and "//" removed lexically) form of path; caller frees. */
char *path_absolute(const char *path);
/* The last component of path, in a new string. */
char *path_basename(const char *path);
/* The directory part of path ("." when none), in a new string. */
char *path_dirname(const char *path);

int is_dir(const char *path);
int path_exists(const char *path); /* lstat succeeds: dangling links count */
/* 1 when path is an empty directory, 0 when not empty, -1 with fail() on error. */
int dir_is_empty(const char *path);
/* mkdir -p; 0 or -1 with fail().  created (if not NULL) gets the first directory it made, or NULL. */
int mkdir_p(const char *path, mode_t mode, char **created);
/* rm -rf without following symlinks; 0 or -1 with fail(). */
int remove_tree(const char *path);
/* The same for everything inside the directory path, which stays. */
int remove_contents(const char *path);
/* Writes a new file (it must not exist): for files nobody can see half-written. */
int write_file_new(const char *path, const char *data, size_t len, mode_t mode);
/*
 * Writes data to path atomically: a new temporary file PATH.tmp.DIGITS in the
 * same directory (unique between processes and threads), then an fsync-free rename.
 */
int write_file_atomic(const char *path, const char *data, size_t len, mode_t mode);
/*
 * The same two in the directory dir (a descriptor, or AT_FDCWD), name one
 * component there; shown names the file in messages.  For cenv's own files:
 * a symlink at name is refused ("'SHOWN' is a symbolic link; cenv will not
 * write through it"), never followed or replaced.
 */
int write_file_new_at(int dir, const char *name, const char *shown, const char *data, size_t len,
		      mode_t mode);
int write_file_atomic_at(int dir, const char *name, const char *shown, const char *data,
			 size_t len, mode_t mode);
/* The temporary names write_file_atomic uses, and leaves when killed: NAME.tmp.DIGITS. */
#define TEMP_MARK ".tmp."
int is_temp_name(const char *name);
/* read(), retried when a signal interrupts it: the bytes read, 0 at the end, or -1 (errno). */
ssize_t read_retry(int fd, void *buf, size_t len);
/* Writes all of data, retrying short writes and EINTR: at off with pwrite, or with write when off < 0. */
int write_all(int fd, const void *data, size_t len, off_t off);
/* The target of the symlink path (relative to dirfd, or AT_FDCWD); NULL with fail(). Caller frees. */
char *read_link_at(int dirfd, const char *path, size_t hint);
/* Reads a whole file into *out (NUL-terminated, caller frees). */
int read_file(const char *path, char **out, size_t *len);

/* "a directory", "a fifo", "a socket", "a character device", "a block device", else NULL. */
const char *file_kind(mode_t mode);

#endif
