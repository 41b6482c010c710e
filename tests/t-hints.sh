# t-hints.sh - issue 11: what cenv tells a user to write when it cannot build a tree: the
# project one directory down (expat's GitHub archive: say subdir), no build = prebuilt for a tree
# without include/, lib/ or bin/, and a configure.ac that autoreconf -fi alone cannot turn into a
# configure (libuv's: its autogen.sh writes an m4 file first): the keys that would build it.
. "$(dirname "$0")/lib.sh"
plan 17
. "$(dirname "$0")/lib-install.sh"

E="$TMP_ROOT/env"
trap 'chmod -R u+w "$TMP_ROOT" 2>/dev/null; rm -rf "$TMP_ROOT" "$SCRATCH"' EXIT
"$CENV_BIN" create "$E" >/dev/null || fail "create"
state() { env_state "$E"; }
LOG="$E/var/cenv/logs"

# ---- expat-like: README.md at the top, the project (and a stray examples/*.c) in expat/ ---------
pack hints/expat-like expat
entry expat >"$P/cenv.ini"
before=$(state)
inst
check_eq "expat-like: refused, naming expat/ and what it has, and the subdir key; no prebuilt" \
	"1 cenv: expat: cannot tell how to build this tree: it has C sources (expat/examples/elements.c) but no configure, CMakeLists.txt, meson.build or Makefile; expat/ has configure.ac and CMakeLists.txt: say subdir = expat in its section, or say how there (configure = the command that writes its Makefile, make_args = ..., install_target = ...)" \
	"$st $(cat "$SCRATCH/err")"
check_eq "... nothing installed" "$before" "$(state)"
entry expat subdir=expat >"$P/cenv.ini"
inst
check_eq "expat-like, subdir = expat: installed (autotools, its configure.ac first)" "0 expat 1.0: installed (autotools" \
	"$st $(cut -c1-31 "$SCRATCH/out")"
check "... its library and header in the environment" test -f "$E/lib/libexpatlike.a" -a -f "$E/include/expatlike.h"
"$CENV_BIN" uninstall -e "$E" expat >/dev/null || fail "uninstall expat"

# several projects one level down: each named, and the key for each
rm -rf "$P/src/mono-1.0" && mkdir -p "$P/src/mono-1.0/liba" "$P/src/mono-1.0/libb" "$P/src/mono-1.0/docs" &&
	echo x >"$P/src/mono-1.0/liba/meson.build" && echo x >"$P/src/mono-1.0/libb/GNUmakefile" &&
	echo x >"$P/src/mono-1.0/docs/Makefile" && echo 'int a;' >"$P/src/mono-1.0/liba/a.c" &&
	bsdtar -czf "$P/mono-1.0.tar.gz" -C "$P/src" mono-1.0
entry mono >"$P/cenv.ini"
inst
check_eq "a monorepo: both directories and the key for each; docs/ (Sphinx's Makefile) is not one" \
	"1 cenv: mono: cannot tell how to build this tree: it has C sources (liba/a.c) but no configure, CMakeLists.txt, meson.build or Makefile; liba/ has meson.build, libb/ has GNUmakefile: say subdir = liba or subdir = libb in its section, or say how there (configure = the command that writes its Makefile, make_args = ..., install_target = ...)" \
	"$st $(cat "$SCRATCH/err")"

# ---- only sources, no include/, lib/ or bin/: no build = prebuilt in the refusal ----------------
rm -rf "$P/src/srconly-1.0" && mkdir -p "$P/src/srconly-1.0/src" && echo 'int x;' >"$P/src/srconly-1.0/src/x.c" &&
	echo readme >"$P/src/srconly-1.0/README" && bsdtar -czf "$P/srconly-1.0.tar.gz" -C "$P/src" srconly-1.0
entry srconly >"$P/cenv.ini"
inst
check_eq "sources only: refused, the keys that build it and no build = prebuilt" \
	"1 cenv: srconly: cannot tell how to build this tree: it has C sources (src/x.c) but no configure, CMakeLists.txt, meson.build or Makefile; say how in its section (configure = the command that writes its Makefile, make_args = ..., install_target = ...)" \
	"$st $(cat "$SCRATCH/err")"
# the same tree with an include/: prebuilt is offered again
mkdir -p "$P/src/srconly-1.0/include" && bsdtar -czf "$P/srconly-1.0.tar.gz" -C "$P/src" srconly-1.0
entry srconly >"$P/cenv.ini"
inst
check "... with an include/ beside them: build = prebuilt offered" grep -qF "install_target = ...), or build = prebuilt to install its directories as they are" "$SCRATCH/err"

# ---- libuv-like: configure.ac that m4_include()s what only autogen.sh writes; a CMakeLists.txt ---
pack hints/uv-like uv
entry uv >"$P/cenv.ini"
before=$(state)
inst
check_eq "uv-like: autoreconf fails" 1 "$st"
check "... the message names the step and the log" grep -qF "cenv: build of 'uv' failed at autoreconf (exit status 1); log: $LOG/uv.log" "$SCRATCH/err"
check "... then what the tree has and both keys" grep -qF "; autoreconf -fi alone did not make its configure, and the tree has autogen.sh and CMakeLists.txt: say configure = ./autogen.sh && ./configure --prefix={prefix}, or build = cmake in its section" "$SCRATCH/err"
check_eq "... nothing installed" "$before" "$(state)"
# the keys it names, each as written there
entry uv 'configure=./autogen.sh && ./configure --prefix={prefix}' >"$P/cenv.ini"
inst
check_eq "uv-like, configure = ./autogen.sh && ./configure: installed" "0 uv 1.0: installed (autotools" "$st $(cut -c1-28 "$SCRATCH/out")"
check "... with what autogen.sh's m4 file said" grep -qF '#define UVLIKE_EXTRA "from-autogen"' "$E/include/uvlike-extra.h"
"$CENV_BIN" uninstall -e "$E" uv >/dev/null || fail "uninstall uv"
entry uv build=cmake >"$P/cenv.ini"
inst
check_eq "uv-like, build = cmake: installed" "0 uv 1.0: installed (cmake" "$st $(cut -c1-24 "$SCRATCH/out")"
check "... CMake's header and the library" bash -c 'grep -qF "\"from-cmake\"" "$1/include/uvlike-extra.h" && test -f "$1/lib/libuvlike.a"' _ "$E"
"$CENV_BIN" uninstall -e "$E" uv >/dev/null || fail "uninstall uv"

# a non-executable bootstrap and a meson.build: run through sh, and build = meson
rm -rf "$P/src/boot-1.0" && cp -R "$FIX/hints/uv-like" "$P/src/boot-1.0" && cd "$P/src/boot-1.0" &&
	rm CMakeLists.txt && mv autogen.sh bootstrap && chmod 644 bootstrap && echo "project('boot', 'c')" >meson.build &&
	cd - >/dev/null && bsdtar -czf "$P/boot-1.0.tar.gz" -C "$P/src" boot-1.0
entry boot >"$P/cenv.ini"
inst
check "a non-executable bootstrap and a meson.build: sh ./bootstrap, and build = meson" grep -qF "the tree has bootstrap and meson.build: say configure = sh ./bootstrap && ./configure --prefix={prefix}, or build = meson in its section" "$SCRATCH/err"
# a configure.ac that is simply broken, with nothing else: the message as it was, no hint
rm -rf "$P/src/broken-1.0" && mkdir -p "$P/src/broken-1.0" && echo 'AC_INIT([broken], [1.0])m4_include([nowhere.m4])' >"$P/src/broken-1.0/configure.ac" &&
	bsdtar -czf "$P/broken-1.0.tar.gz" -C "$P/src" broken-1.0
entry broken >"$P/cenv.ini"
inst
check_eq "a broken configure.ac alone: the failure without a hint" \
	"1 cenv: build of 'broken' failed at autoreconf (exit status 1); log: $LOG/broken.log" "$st $(head -1 "$SCRATCH/err")"
finish
