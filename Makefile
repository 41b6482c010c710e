# cenv - a venv for C.  Plain POSIX-style make; see README.md.
VERSION = 0.1.0
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANPREFIX ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share
CC ?= cc
PKG_CONFIG ?= pkg-config

DEPS_PC = libarchive inih libcurl libcrypto
CFLAGS ?= -O2 -g
# the user's CFLAGS and LDFLAGS come last and are never replaced
CENV_CFLAGS = -std=c11 -Wall -Wextra -D_POSIX_C_SOURCE=200809L -DCENV_VERSION='"$(VERSION)"' \
	  $(shell $(PKG_CONFIG) --cflags $(DEPS_PC) 2>/dev/null) $(CFLAGS)
# libarchive and libcrypto are opened on first use (src/lazylib.c): cenv links only inih,
# and starts in a millisecond.  Tests and tools that call them directly link them.
LAZY_SONAMES = -DLIBARCHIVE_SONAME='"$(call soname,libarchive)"' -DLIBCRYPTO_SONAME='"$(call soname,libcrypto)"'
soname = $(shell objdump -p "$$($(PKG_CONFIG) --variable=libdir $(1))/$(1).so" 2>/dev/null | awk '/SONAME/ { print $$2 }')
CENV_LIBS = $(shell $(PKG_CONFIG) --libs inih 2>/dev/null) -ldl -lpthread $(LDLIBS)
TEST_LIBS = $(shell $(PKG_CONFIG) --libs $(DEPS_PC) 2>/dev/null) -ldl -lpthread $(LDLIBS)

# the modules every program links; cenv.c holds main()
MODULES = src/error.o src/util.o src/quote.o src/config.o src/template.o src/templates-data.o \
	  src/activation.o src/layout.o src/scripts.o src/manifest.o src/unpack.o src/build.o \
	  src/record.o src/txn.o src/lock.o src/install.o src/lazylib.o
COMMANDS = src/cmd-create.o src/cmd-env.o src/cmd-run.o src/cmd-help.o src/cmd-version.o \
	   src/cmd-install.o src/cmd-uninstall.o src/cmd-list.o src/cmd-freeze.o
TEMPLATES = templates/activate.sh templates/activate.fish templates/activate.csh
HEADERS = $(wildcard src/*.h)

all: cenv

cenv: src/cenv.o $(COMMANDS) $(MODULES)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ src/cenv.o $(COMMANDS) $(MODULES) $(CENV_LIBS)

src/%.o: src/%.c $(HEADERS)
	$(CC) $(CENV_CFLAGS) -Isrc -c -o $@ $<

src/lazylib.o: src/lazylib.c src/lazylib.h
	$(CC) $(CENV_CFLAGS) $(LAZY_SONAMES) -Isrc -c -o $@ src/lazylib.c

src/templates-data.c: $(TEMPLATES) src/embed-templates.sh
	sh src/embed-templates.sh $(TEMPLATES) > $@.tmp && mv $@.tmp $@

# ---- tests ---------------------------------------------------------------
UNIT_TESTS = tests/unit/test_quote tests/unit/test_config tests/unit/test_template \
	     tests/unit/test_activation tests/unit/test_manifest tests/unit/test_unpack \
	     tests/unit/test_build tests/unit/test_record tests/unit/test_txn
CMOCKA_LIBS = $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)

tests/unit/%: tests/unit/%.c $(MODULES) $(HEADERS)
	$(CC) $(CENV_CFLAGS) -Isrc $(LDFLAGS) -o $@ $< $(MODULES) $(TEST_LIBS) $(CMOCKA_LIBS)

# The fuzz targets' seed corpora, replayed without libFuzzer on every `make check`.
FUZZ_TARGETS = manifest unpack
REPLAYS = $(FUZZ_TARGETS:%=tests/fuzz/replay_%)
tests/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(MODULES) $(HEADERS)
	$(CC) $(CENV_CFLAGS) -Isrc $(LDFLAGS) -o $@ $< tests/fuzz/replay.c $(MODULES) $(TEST_LIBS)

TOOLS = tests/tools/mkarchive
tests/tools/%: tests/tools/%.c
	$(CC) $(CENV_CFLAGS) $(LDFLAGS) -o $@ $< $(TEST_LIBS)

check: cenv $(UNIT_TESTS) $(REPLAYS) $(TOOLS) $(EXAMPLE_TARBALL)
	sh tests/run.sh $(UNIT_TESTS) $(REPLAYS)

# libFuzzer runs of every target, FUZZ_SECONDS each, with clang's sanitizers.
FUZZ_SECONDS = 60
fuzz:
	mkdir -p tests/fuzz/bin
	for t in $(FUZZ_TARGETS); do \
		clang -std=c11 -g -O1 -D_POSIX_C_SOURCE=200809L -fsanitize=fuzzer,address,undefined -Isrc \
			$$(pkg-config --cflags $(DEPS_PC)) -o tests/fuzz/bin/fuzz_$$t tests/fuzz/fuzz_$$t.c \
			$(MODULES:.o=.c) $$(pkg-config --libs $(DEPS_PC)) -ldl -lpthread || exit 1; \
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

bench: cenv
	sh tests/bench/bench.sh

# The demo's example library, as a tarball made with bsdtar (libarchive) at build time.
EXAMPLE_TARBALL = examples/dist/libgreet-1.0.tar.gz
$(EXAMPLE_TARBALL): examples/libgreet-1.0/Makefile examples/libgreet-1.0/greet.c \
		    examples/libgreet-1.0/greet.h examples/libgreet-1.0/greet.pc.in
	mkdir -p examples/dist
	bsdtar -czf $@ -C examples libgreet-1.0

demo: cenv $(EXAMPLE_TARBALL)
	sh examples/demo.sh

# Installs what building and testing need, with apt-get, where missing.
DEB_PACKAGES = build-essential pkg-config libarchive-dev libinih-dev libcurl4-openssl-dev \
	       libcmocka-dev libssl-dev zsh fish tcsh ksh dash mandoc man-db python3 python3-venv hyperfine \
	       libarchive-tools autoconf automake libtool cmake meson ninja-build clang
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
	cp -f man/cenv.ini.5 $(DESTDIR)$(MANPREFIX)/man5/cenv.ini.5 2>/dev/null || true
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
	rm -f cenv src/*.o src/templates-data.c src/*.tmp $(UNIT_TESTS) tests/unit/*.o $(REPLAYS) $(TOOLS)
	rm -rf tests/tmp examples/dist tests/fuzz/bin

.PHONY: all check check-asan bench demo deps install uninstall clean fuzz
