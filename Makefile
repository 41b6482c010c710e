# cenv - a venv for C.  Needs GNU make (pattern rules, $(wildcard), $(shell), -include);
# the settings are in config.mk; see README.md.
include config.mk

# the user's CFLAGS and LDFLAGS come last and are never replaced
CENV_CFLAGS = -std=c11 -Wall -Wextra -D_POSIX_C_SOURCE=200809L -DCENV_VERSION='"$(VERSION)"' \
	  -Isrc -Isrc/lib $(shell $(PKG_CONFIG) --cflags $(DEPS_PC) 2>/dev/null) $(CFLAGS)
# libarchive, libcrypto and libseccomp are opened on first use (src/lib/lazylib.c): cenv links only inih,
# and starts in a millisecond.  Tests and tools that call them directly link them.
LAZY_SONAMES = -DLIBARCHIVE_SONAME='"$(call soname,libarchive)"' -DLIBCRYPTO_SONAME='"$(call soname,libcrypto)"' \
	       -DLIBSECCOMP_SONAME='"$(call soname,libseccomp)"'
LAZY_SONAMES += -DLIBCURL_SONAME='"$(call soname,libcurl)"'
soname = $(shell objdump -p "$$($(PKG_CONFIG) --variable=libdir $(1))/$(1).so" 2>/dev/null | awk '/SONAME/ { print $$2 }')
CENV_LIBS = $(shell $(PKG_CONFIG) --libs inih 2>/dev/null) -ldl -lpthread $(LDLIBS)
TEST_LIBS = $(shell $(PKG_CONFIG) --libs $(DEPS_PC) 2>/dev/null) -ldl -lpthread $(LDLIBS)

# Objects and generated sources live in build/, never in src/.
B = build
# src/lib: the modules (return a status, never print); src: the command layer.
LIB_SRC = $(sort $(wildcard src/lib/*.c))
CMD_SRC = $(sort $(wildcard src/*.c))
TEMPLATES = templates/activate.sh templates/activate.fish templates/activate.csh
GENERATED = $(B)/templates-data.c
MODULES = $(LIB_SRC:%.c=$(B)/%.o) $(B)/templates-data.o
COMMANDS = $(CMD_SRC:%.c=$(B)/%.o)

all: cenv

cenv: $(COMMANDS) $(MODULES)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(COMMANDS) $(MODULES) $(CENV_LIBS)

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CENV_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/src/lib/lazylib.o: src/lib/lazylib.c
	@mkdir -p $(@D)
	$(CC) $(CENV_CFLAGS) $(LAZY_SONAMES) -MMD -MP -c -o $@ $<

$(B)/templates-data.o: $(B)/templates-data.c
	$(CC) $(CENV_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/templates-data.c: $(TEMPLATES) templates/embed.sh
	@mkdir -p $(@D)
	sh templates/embed.sh $(TEMPLATES) > $@.tmp && mv $@.tmp $@

# ---- tests ---------------------------------------------------------------
# The demo's example library, as a tarball made with bsdtar (libarchive) at build time.
EXAMPLE_TARBALL = examples/dist/libgreet-1.0.tar.gz
$(EXAMPLE_TARBALL): examples/libgreet-1.0/Makefile examples/libgreet-1.0/greet.c \
		    examples/libgreet-1.0/greet.h examples/libgreet-1.0/greet.pc.in
	mkdir -p examples/dist
	bsdtar -czf $@ -C examples libgreet-1.0

# tests/unit/test_NAME.c tests src/lib/NAME.c
UNIT_TESTS = $(patsubst %.c,%,$(sort $(wildcard tests/unit/test_*.c)))
CMOCKA_LIBS = $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)

# (no -MMD for programs compiled and linked in one step: they depend on every header)
LIB_HEADERS = $(wildcard src/lib/*.h)
tests/unit/%: tests/unit/%.c $(MODULES) $(LIB_HEADERS)
	$(CC) $(CENV_CFLAGS) $(LDFLAGS) -o $@ $< $(MODULES) $(TEST_LIBS) $(CMOCKA_LIBS)

# The fuzz targets' seed corpora, replayed without libFuzzer on every `make check`.
FUZZ_TARGETS = manifest unpack
REPLAYS = $(FUZZ_TARGETS:%=tests/fuzz/replay_%)
tests/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(MODULES) $(LIB_HEADERS)
	$(CC) $(CENV_CFLAGS) $(LDFLAGS) -o $@ $< tests/fuzz/replay.c $(MODULES) $(TEST_LIBS)

TOOLS = tests/tools/mkarchive
tests/tools/%: tests/tools/%.c
	$(CC) $(CENV_CFLAGS) $(LDFLAGS) -o $@ $< $(TEST_LIBS)
# the live display (src/display.c) replayed from a script, for t-display
DISPLAY_DEMO_OBJS = $(B)/src/display.o $(B)/src/progress.o
TOOLS += tests/tools/displaydemo
tests/tools/displaydemo: tests/tools/displaydemo.c $(DISPLAY_DEMO_OBJS) $(MODULES) src/display.h src/progress.h
	$(CC) $(CENV_CFLAGS) $(LDFLAGS) -o $@ $< $(DISPLAY_DEMO_OBJS) $(MODULES) $(TEST_LIBS)

# make check: every unit test, replay and tests/t-*.sh; T=NAME only the one(s) named, a script
# (T=t-install), a unit test (T=test_txn) or a replay (T=replay_unpack).
CHECK_ALL = $(UNIT_TESTS) $(REPLAYS) $(sort $(wildcard tests/t-*.sh))
CHECK_T = $(foreach t,$(T),$(or $(filter $(t) %/$(t) %/$(t).sh,$(CHECK_ALL)),$(error T=$(t): no such test)))
check: cenv $(UNIT_TESTS) $(REPLAYS) $(TOOLS) $(EXAMPLE_TARBALL)
	sh tests/run.sh $(if $(T),$(CHECK_T),$(CHECK_ALL))

# libFuzzer runs of every target, FUZZ_SECONDS each, with clang's sanitizers.
FUZZ_SECONDS = 60
FUZZ_CFLAGS = -std=c11 -g -O1 -D_POSIX_C_SOURCE=200809L -fsanitize=fuzzer,address,undefined \
	      -Isrc -Isrc/lib $(shell $(PKG_CONFIG) --cflags $(DEPS_PC) 2>/dev/null)
fuzz: $(GENERATED)
	mkdir -p tests/fuzz/bin
	for t in $(FUZZ_TARGETS); do \
		clang $(FUZZ_CFLAGS) -o tests/fuzz/bin/fuzz_$$t tests/fuzz/fuzz_$$t.c \
			$(LIB_SRC) $(GENERATED) $(TEST_LIBS) || exit 1; \
		mkdir -p tests/fuzz/bin/corpus_$$t; \
		tests/fuzz/bin/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) tests/fuzz/bin/corpus_$$t \
			tests/fuzz/corpus/$$t || exit 1; \
	done

# The whole suite again under AddressSanitizer and UndefinedBehaviorSanitizer.
check-asan:
	$(MAKE) clean
	$(MAKE) check CFLAGS='-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all' \
		LDFLAGS='-fsanitize=address,undefined'
	$(MAKE) clean

# The unit tests that run threads, under ThreadSanitizer: the error idiom, the fetcher (and its writer
# thread), the download cache, the seccomp filter's once; and cenv itself built with it for the
# scripts whose runs start threads (a build's status line and -v: the display thread). A race
# stops the program (halt_on_error), so the script sees an exit status it did not expect.
TSAN_TESTS = tests/unit/test_error tests/unit/test_util tests/unit/test_fetch tests/unit/test_dlcache tests/unit/test_sockfilter tests/unit/test_spawn tests/unit/test_jobserver tests/unit/test_pool
TSAN_SCRIPTS = tests/t-output.sh tests/t-display.sh tests/t-parallel.sh tests/t-jobs.sh
check-tsan:
	$(MAKE) clean
	$(MAKE) $(TSAN_TESTS) cenv tests/tools/displaydemo CFLAGS='-O1 -g -fsanitize=thread' LDFLAGS='-fsanitize=thread'
	TSAN_OPTIONS=halt_on_error=1 sh tests/run.sh $(TSAN_TESTS) $(TSAN_SCRIPTS)
	$(MAKE) clean

bench: cenv
	sh tests/bench/bench.sh

demo: cenv $(EXAMPLE_TARBALL)
	sh examples/demo.sh

# Installs what building and testing need, with apt-get, where missing.
DEB_PACKAGES = build-essential pkg-config libarchive-dev libinih-dev \
	       libcmocka-dev libssl-dev zsh fish tcsh ksh dash mandoc man-db python3 python3-venv hyperfine \
	       libarchive-tools autoconf automake libtool cmake meson ninja-build clang strace \
	       bubblewrap procps libseccomp-dev
DEB_PACKAGES += libcurl4-openssl-dev curl openssl
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "all build and test dependencies are installed"; fi

install: cenv
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANPREFIX)/man1 $(DESTDIR)$(MANPREFIX)/man5 \
		$(DESTDIR)$(DATADIR)/bash-completion/completions $(DESTDIR)$(DATADIR)/zsh/site-functions \
		$(DESTDIR)$(DATADIR)/fish/vendor_completions.d
	cp -f cenv $(DESTDIR)$(BINDIR)/cenv
	chmod 755 $(DESTDIR)$(BINDIR)/cenv
	cp -f man/cenv.1 $(DESTDIR)$(MANPREFIX)/man1/cenv.1
	cp -f man/cenv.ini.5 $(DESTDIR)$(MANPREFIX)/man5/cenv.ini.5
	cp -f src/completions/cenv.bash $(DESTDIR)$(DATADIR)/bash-completion/completions/cenv
	cp -f src/completions/_cenv $(DESTDIR)$(DATADIR)/zsh/site-functions/_cenv
	cp -f src/completions/cenv.fish $(DESTDIR)$(DATADIR)/fish/vendor_completions.d/cenv.fish

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/cenv $(DESTDIR)$(MANPREFIX)/man1/cenv.1 \
		$(DESTDIR)$(MANPREFIX)/man5/cenv.ini.5 \
		$(DESTDIR)$(DATADIR)/bash-completion/completions/cenv \
		$(DESTDIR)$(DATADIR)/zsh/site-functions/_cenv \
		$(DESTDIR)$(DATADIR)/fish/vendor_completions.d/cenv.fish

clean:
	rm -rf $(B) cenv $(UNIT_TESTS) $(REPLAYS) $(TOOLS)
	rm -rf tests/tmp examples/dist tests/fuzz/bin

-include $(MODULES:.o=.d) $(COMMANDS:.o=.d)

.PHONY: all check check-asan check-tsan bench demo deps install uninstall clean fuzz

# Plants each bug of tests/mutations.txt in a scratch copy, builds it and runs the tests that
# should catch it (minutes, so not part of check); M="3 7" runs only those.
mutate:
	bash tests/mutate.sh $(M)

.PHONY: mutate
