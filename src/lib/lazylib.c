/* lazylib.c - libarchive, libcrypto and libseccomp, loaded on first use instead of at start-up. */
#define LAZYLIB_IMPLEMENTATION
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "lazylib.h"

#ifndef LIBARCHIVE_SONAME
#define LIBARCHIVE_SONAME "libarchive.so.13"
#endif
#ifndef LIBCRYPTO_SONAME
#define LIBCRYPTO_SONAME "libcrypto.so.3"
#endif
#ifndef LIBSECCOMP_SONAME
#define LIBSECCOMP_SONAME "libseccomp.so.2"
#endif
#ifndef LIBCURL_SONAME
#define LIBCURL_SONAME "libcurl.so.4"
#endif

struct lazylib lazylib;

struct library {
	const char *soname;
	pthread_once_t once;
	char error[512];
};

static struct library archive_lib = { LIBARCHIVE_SONAME, PTHREAD_ONCE_INIT, "" };
static struct library crypto_lib = { LIBCRYPTO_SONAME, PTHREAD_ONCE_INIT, "" };
static struct library seccomp_lib = { LIBSECCOMP_SONAME, PTHREAD_ONCE_INIT, "" };
static struct library curl_lib = { LIBCURL_SONAME, PTHREAD_ONCE_INIT, "" };

/* dlsym returns void *; POSIX guarantees it converts to a function pointer. */
#define LAZYLIB_RESOLVE(name)                                                         \
	if (!lib->error[0] && !(*(void **)&lazylib.name = dlsym(handle, #name)))       \
		snprintf(lib->error, sizeof(lib->error), "cannot load %s: no %s in it",     \
			 lib->soname, #name);

static void *open_library(struct library *lib)
{
	void *handle = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);

	if (!handle)
		snprintf(lib->error, sizeof(lib->error), "cannot load %s: %s", lib->soname, dlerror());
	return handle;
}

static void load_archive(void)
{
	struct library *lib = &archive_lib;
	void *handle = open_library(lib);

	if (handle) {
		LAZYLIB_ARCHIVE_FUNCTIONS(LAZYLIB_RESOLVE)
	}
}

static void load_crypto(void)
{
	struct library *lib = &crypto_lib;
	void *handle = open_library(lib);

	if (handle) {
		LAZYLIB_CRYPTO_FUNCTIONS(LAZYLIB_RESOLVE)
	}
}

static void load_seccomp(void)
{
	struct library *lib = &seccomp_lib;
	void *handle = open_library(lib);

	if (handle) {
		LAZYLIB_SECCOMP_FUNCTIONS(LAZYLIB_RESOLVE)
	}
}

static void load_curl(void)
{
	struct library *lib = &curl_lib;
	void *handle = open_library(lib);

	if (handle) {
		LAZYLIB_CURL_FUNCTIONS(LAZYLIB_RESOLVE)
	}
}

int lazylib_archive(void)
{
	pthread_once(&archive_lib.once, load_archive);
	return archive_lib.error[0] ? fail("%s", archive_lib.error) : 0;
}

int lazylib_crypto(void)
{
	pthread_once(&crypto_lib.once, load_crypto);
	return crypto_lib.error[0] ? fail("%s", crypto_lib.error) : 0;
}

int lazylib_seccomp(void)
{
	pthread_once(&seccomp_lib.once, load_seccomp);
	return seccomp_lib.error[0] ? fail("%s", seccomp_lib.error) : 0;
}

int lazylib_curl(void)
{
	pthread_once(&curl_lib.once, load_curl);
	return curl_lib.error[0] ? fail("%s", curl_lib.error) : 0;
}
