/* lazylib.h - libarchive, libcrypto, libseccomp and libcurl, loaded on first use instead of at start-up. */
#ifndef CENV_LAZYLIB_H
#define CENV_LAZYLIB_H

/*
 * libarchive brings libxml2, ICU and libstdc++ with it: loading them costs a
 * process about 5 ms, more than all of `cenv create` or `cenv run`.  So the
 * modules that read archives or hash files call these through pointers that
 * lazylib_archive() and lazylib_crypto() fill, once, from dlopen().  Include
 * this after <archive.h>, <archive_entry.h> and <openssl/evp.h>: it turns the
 * functions used into those pointers.  libseccomp, which only the sandbox's
 * filter needs (sockfilter.c), is loaded the same way: a machine without it
 * still runs cenv, its builds without the filter.
 */
#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include <seccomp.h>
/*
 * libcurl (fetch.c) the same way: its TLS and HTTP/2 libraries would cost
 * every command, while only downloads need them.  Its gcc type-checking
 * macros would wrap curl_easy_setopt, which is a pointer here, so they are
 * off: pass longs as long, sizes as curl_off_t.
 */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>

/* Every library function cenv calls, by library. */
#define LAZYLIB_ARCHIVE_FUNCTIONS(F)                                                     \
	F(archive_error_string) F(archive_format) F(archive_read_data_block)              \
	F(archive_read_free) F(archive_read_new) F(archive_read_next_header)               \
	F(archive_read_open_fd)                                                            \
	F(archive_read_support_filter_all) F(archive_read_support_format_all)              \
	F(archive_entry_atime) F(archive_entry_atime_is_set) F(archive_entry_atime_nsec)   \
	F(archive_entry_filetype) F(archive_entry_hardlink) F(archive_entry_mtime)         \
	F(archive_entry_mtime_is_set) F(archive_entry_mtime_nsec) F(archive_entry_pathname) \
	F(archive_entry_perm) F(archive_entry_size) F(archive_entry_size_is_set)           \
	F(archive_entry_symlink)                                                           \
	F(archive_errno) F(archive_read_open) F(archive_read_support_format_by_code)
#define LAZYLIB_CRYPTO_FUNCTIONS(F)                                                      \
	F(EVP_DigestFinal_ex) F(EVP_DigestInit_ex) F(EVP_DigestUpdate) F(EVP_MD_CTX_free)  \
	F(EVP_MD_CTX_new) F(EVP_sha256)
#define LAZYLIB_SECCOMP_FUNCTIONS(F)                                                     \
	F(seccomp_init) F(seccomp_release) F(seccomp_arch_add) F(seccomp_arch_native)      \
	F(seccomp_rule_add) F(seccomp_export_bpf)
#define LAZYLIB_CURL_FUNCTIONS(F)                                                        \
	F(curl_global_init) F(curl_easy_init) F(curl_easy_cleanup) F(curl_easy_setopt)     \
	F(curl_easy_getinfo) F(curl_easy_perform) F(curl_easy_strerror)

#define LAZYLIB_POINTER(name) __typeof__(name) *name;
struct lazylib {
	LAZYLIB_ARCHIVE_FUNCTIONS(LAZYLIB_POINTER)
	LAZYLIB_CRYPTO_FUNCTIONS(LAZYLIB_POINTER)
	LAZYLIB_SECCOMP_FUNCTIONS(LAZYLIB_POINTER)
	LAZYLIB_CURL_FUNCTIONS(LAZYLIB_POINTER)
};
#undef LAZYLIB_POINTER
extern struct lazylib lazylib;

/* Load the library on first call (thread-safe); 0, or -1 with fail(). */
int lazylib_archive(void);
int lazylib_crypto(void);
int lazylib_seccomp(void);
int lazylib_curl(void);

#ifndef LAZYLIB_IMPLEMENTATION
#define archive_error_string (lazylib.archive_error_string)
#define archive_format (lazylib.archive_format)
#define archive_read_data_block (lazylib.archive_read_data_block)
#define archive_read_free (lazylib.archive_read_free)
#define archive_read_new (lazylib.archive_read_new)
#define archive_read_next_header (lazylib.archive_read_next_header)
#define archive_read_open_fd (lazylib.archive_read_open_fd)
#define archive_read_support_filter_all (lazylib.archive_read_support_filter_all)
#define archive_read_support_format_all (lazylib.archive_read_support_format_all)
#define archive_entry_atime (lazylib.archive_entry_atime)
#define archive_entry_atime_is_set (lazylib.archive_entry_atime_is_set)
#define archive_entry_atime_nsec (lazylib.archive_entry_atime_nsec)
#define archive_entry_filetype (lazylib.archive_entry_filetype)
#define archive_entry_hardlink (lazylib.archive_entry_hardlink)
#define archive_entry_mtime (lazylib.archive_entry_mtime)
#define archive_entry_mtime_is_set (lazylib.archive_entry_mtime_is_set)
#define archive_entry_mtime_nsec (lazylib.archive_entry_mtime_nsec)
#define archive_entry_pathname (lazylib.archive_entry_pathname)
#define archive_entry_perm (lazylib.archive_entry_perm)
#define archive_entry_size (lazylib.archive_entry_size)
#define archive_entry_size_is_set (lazylib.archive_entry_size_is_set)
#define archive_entry_symlink (lazylib.archive_entry_symlink)
#define archive_errno (lazylib.archive_errno)
#define archive_read_open (lazylib.archive_read_open)
#define archive_read_support_format_by_code (lazylib.archive_read_support_format_by_code)
#define EVP_DigestFinal_ex (lazylib.EVP_DigestFinal_ex)
#define EVP_DigestInit_ex (lazylib.EVP_DigestInit_ex)
#define EVP_DigestUpdate (lazylib.EVP_DigestUpdate)
#define EVP_MD_CTX_free (lazylib.EVP_MD_CTX_free)
#define EVP_MD_CTX_new (lazylib.EVP_MD_CTX_new)
#define EVP_sha256 (lazylib.EVP_sha256)
#define seccomp_init (lazylib.seccomp_init)
#define seccomp_release (lazylib.seccomp_release)
#define seccomp_arch_add (lazylib.seccomp_arch_add)
#define seccomp_arch_native (lazylib.seccomp_arch_native)
#define seccomp_rule_add (lazylib.seccomp_rule_add)
#define seccomp_export_bpf (lazylib.seccomp_export_bpf)
#define curl_global_init (lazylib.curl_global_init)
#define curl_easy_init (lazylib.curl_easy_init)
#define curl_easy_cleanup (lazylib.curl_easy_cleanup)
#undef curl_easy_setopt /* curl.h's own macros, which would call the symbol */
#undef curl_easy_getinfo
#define curl_easy_setopt (lazylib.curl_easy_setopt)
#define curl_easy_getinfo (lazylib.curl_easy_getinfo)
#define curl_easy_perform (lazylib.curl_easy_perform)
#define curl_easy_strerror (lazylib.curl_easy_strerror)
#endif

#endif
