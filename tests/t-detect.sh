# t-detect.sh - issue 11 (1, 4, 5): no false "prebuilt" for a source tree or a build script cenv
# does not run; a build that installs nothing says why (make_args, files staged elsewhere); files
# staged outside the prefix are named in a warning, or fail the package with --strict.
. "$(dirname "$0")/lib.sh"
plan 68
. "$(dirname "$0")/lib-install.sh"

E="$TMP_ROOT/env"
# outside the environment and outside /tmp (the sandbox's /tmp is its own)
O=$(mktemp -d /var/tmp/cenv-detect-test.XXXXXX)
trap 'chmod -R u+w "$TMP_ROOT" 2>/dev/null; rm -rf "$TMP_ROOT" "$SCRATCH" "$O"' EXIT
D="$FIX/detect"
"$CENV_BIN" create "$E" >/dev/null || fail "create"
state() { env_state "$E"; }
LOG="$E/var/cenv/logs"

# ---- an OpenSSL-like tree: Configure, config, include/, crypto/*.c, no Makefile ------------------
cp -R "$D/openssl-like" "$P/src/openssl-3.0" && bsdtar -czf "$P/openssl-3.0.tar.gz" -C "$P/src" openssl-3.0
ossl_entry() {
	printf '[openssl]\nversion = 3.0\nurl = openssl-3.0.tar.gz\nsha256 = %s\n' \
		"$(sha256sum "$P/openssl-3.0.tar.gz" | cut -d' ' -f1)"
	for kv in "$@"; do printf '%s\n' "$kv"; done
}
ossl_entry >"$P/cenv.ini"
before=$(state)
inst
check_eq "openssl-like: refused" 1 "$st"
check_eq "openssl-like: the message names what it has and the keys that would build it" \
	"cenv: openssl: cannot tell how to build this tree: it has Configure, config and C sources (crypto/mem.c) but no configure, CMakeLists.txt, meson.build or Makefile; say how in its section (configure = ./Configure --prefix={prefix} ..., make_args = ..., install_target = ...), or build = prebuilt to install its directories as they are" \
	"$(cat "$SCRATCH/err")"
check_eq "openssl-like: nothing installed" "$before" "$(state)"
check "openssl-like: no record, no crypto/ in the environment" test ! -e "$E/var/cenv/records/openssl" -a ! -e "$E/crypto"

ossl_entry 'build = prebuilt' >"$P/cenv.ini"
inst
check_eq "openssl-like, build = prebuilt: installed as asked" "0 openssl 3.0: installed (prebuilt" "$st $(cut -c1-32 "$SCRATCH/out")"
check "... its include/ and crypto/ copied as they are" cmp "$D/openssl-like/crypto/mem.c" "$E/crypto/mem.c"
check "... its headers too" cmp "$D/openssl-like/include/openssl/opensslv.h" "$E/include/openssl/opensslv.h"
"$CENV_BIN" uninstall -e "$E" openssl >/dev/null || fail "uninstall openssl"

# cenv add detects the same way, and says so with the archive's name
run_add() { "$CENV_BIN" add --no-install -f "$P/add.ini" "$@" >"$SCRATCH/out" 2>"$SCRATCH/err" && st=0 || st=$?; }
run_add "$P/openssl-3.0.tar.gz"
check_eq "add: the openssl-like tree refused, naming the archive" \
	"1 cenv: openssl: cannot tell how to build '$P/openssl-3.0.tar.gz': it has Configure, config and C sources (crypto/mem.c) but no configure, CMakeLists.txt, meson.build or Makefile; say how in its section (configure = ./Configure --prefix={prefix} ..., make_args = ..., install_target = ...), or build = prebuilt to install its directories as they are (cenv add takes these keys as --subdir, --configure, --make-args, --install-target and --build)" \
	"$st $(cat "$SCRATCH/err")"
check "add: no manifest written" test ! -e "$P/add.ini"

# ---- each kind of build script, alone beside include/ and lib/ -----------------------------------
# script_pkg NAME FILE: $P/NAME-1.0.tar.gz, a tree of include/x.h, lib/libx.a and FILE at the top
script_pkg() {
	rm -rf "$P/src/$1-1.0" && mkdir -p "$P/src/$1-1.0/include" "$P/src/$1-1.0/lib" &&
		echo 'int x;' >"$P/src/$1-1.0/include/x.h" && echo lib >"$P/src/$1-1.0/lib/libx.a" &&
		echo '# a build script' >"$P/src/$1-1.0/$2" && bsdtar -czf "$P/$1-1.0.tar.gz" -C "$P/src" "$1-1.0"
}
# the kind (as the message says it) of each script the issue names, from the issue, not the code
for sf in "Configure:Configure" "config:config" "autogen.sh:autogen.sh" "bootstrap:bootstrap" \
	"bootstrap.sh:bootstrap.sh" "Makefile.am:Makefile.am" "SConstruct:SConstruct (SCons)" \
	"build.zig:build.zig (Zig)" "BUILD:BUILD (Bazel)" "BUILD.bazel:BUILD.bazel (Bazel)" \
	"WORKSPACE:WORKSPACE (Bazel)" "meson_options.txt:meson_options.txt (Meson, without its meson.build)" \
	"Cargo.toml:Cargo.toml (Cargo)" "premake5.lua:premake5.lua (premake)" "Jamroot:Jamroot (Boost.Build)" \
	"wscript:wscript (waf)"; do
	file=${sf%%:*} said=${sf#*:}
	script_pkg scr "$file"
	entry scr >"$P/cenv.ini"
	before=$(state)
	inst
	if [ "$st" = 1 ] && grep -qF "cenv: scr: cannot tell how to build this tree: it has $said but no configure, CMakeLists.txt, meson.build or Makefile; say how in its section (" "$SCRATCH/err" &&
		grep -qF "or build = prebuilt to install its directories as they are" "$SCRATCH/err" &&
		[ "$before" = "$(state)" ]; then
		pass "a tree with $file: refused naming it, nothing installed"
	else
		fail "a tree with $file: refused naming it, nothing installed" "status $st" "$(cat "$SCRATCH/err")"
	fi
done
# a Configure-like script gets it in the example; automake input and foreign systems a generic one
script_pkg scr autogen.sh && entry scr >"$P/cenv.ini" && inst
check "autogen.sh: the example runs it" grep -qF "(configure = ./autogen.sh --prefix={prefix} ..., make_args = ..., install_target = ...)" "$SCRATCH/err"
script_pkg scr SConstruct && entry scr >"$P/cenv.ini" && inst
check "SConstruct: the configure key without a made-up command" grep -qF "(configure = the command that writes its Makefile, make_args = ..., install_target = ...)" "$SCRATCH/err"

# ---- a real prebuilt tree still installs (its examples/*.c are shipped, not built) ---------------
# its static library made here (a real archive, not one kept in the tree)
rm -rf "$P/src/sdk-1.0" && cp -R "$D/prebuilt-sdk" "$P/src/sdk-1.0" &&
	printf 'int sdk(void) { return 1; }\n' | cc -x c -c -o "$SCRATCH/sdk.o" - &&
	ar rcs "$P/src/sdk-1.0/lib/libsdk.a" "$SCRATCH/sdk.o" &&
	bsdtar -czf "$P/sdk-1.0.tar.gz" -C "$P/src" sdk-1.0 || fail "pack sdk"
entry sdk >"$P/cenv.ini"
inst
check_eq "a prebuilt SDK with examples/demo.c: detected prebuilt and installed" "0 sdk 1.0: installed (prebuilt" "$st $(cut -c1-28 "$SCRATCH/out")"
check "... its library, headers and examples in the environment" cmp "$D/prebuilt-sdk/examples/demo.c" "$E/examples/demo.c"
check ".pc file pointed at the environment" grep -qx "prefix=$E" "$E/lib/pkgconfig/sdk.pc"
check_eq "... no warning" "" "$(cat "$SCRATCH/err")"

# ---- files staged outside the prefix (sqlite3's Tcl extension in usr/share/tcltk) ----------------
pack detect/sqlite-like sqlite3
entry sqlite3 >"$P/cenv.ini"
TCL=usr/share/tcltk/sqlite3
inst
check_eq "sqlite-like: installed" 0 "$st"
check_eq "... a warning naming three of the five files outside, and the log" \
	"cenv: warning: sqlite3: 5 files staged outside the environment were not installed: $TCL/doc/README, $TCL/libtclsqlite3.so, $TCL/libtclsqlite3.so.0 and 2 more (log: $LOG/sqlite3.log)" \
	"$(cat "$SCRATCH/err")"
check_eq "... the log lists all five" "$TCL/doc/README $TCL/libtclsqlite3.so $TCL/libtclsqlite3.so.0 $TCL/pkgIndex.tcl $TCL/sqlite3.tcl" \
	"$(sed -n '/files staged outside/,$s/^  //p' "$LOG/sqlite3.log" | tr '\n' ' ' | sed 's/ $//')"
check "... the rest is installed" test -f "$E/include/sqlite3.h" -a -f "$E/lib/libsqlite3.a"
check "... nothing of usr/ in the environment or on the system" test ! -e "$E/usr" -a ! -e "/$TCL/pkgIndex.tcl"
check_eq "... the record has only the files inside" "include/sqlite3.h lib/libsqlite3.a" \
	"$(awk '$1 == "f" { print $NF }' "$E/var/cenv/records/sqlite3" | sort | tr '\n' ' ' | sed 's/ $//')"

# --strict: the same package fails, with the list, and the environment stays exactly as it was
# (here: sqlite3 1.0 installed; 1.0-r1 would replace it)
sed -i 's/^version = 1.0/version = 1.0-r1/' "$P/cenv.ini"
before=$(listing "$E")
inst --strict
check_eq "--strict: the package fails" 1 "$st"
check_eq "--strict: the message has the list and the log" \
	"cenv: sqlite3: 5 files staged outside the environment would not be installed: $TCL/doc/README, $TCL/libtclsqlite3.so, $TCL/libtclsqlite3.so.0 and 2 more (--strict: nothing installed; log: $LOG/sqlite3.log)" \
	"$(cat "$SCRATCH/err")"
check_eq "--strict: the environment as it was (1.0 still installed)" "$before" "$(listing "$E")"
check "--strict: the old record kept" grep -qx "version 1.0" "$E/var/cenv/records/sqlite3"
check "--strict: the log lists them all" grep -qx "  $TCL/sqlite3.tcl" "$LOG/sqlite3.log"
# a fresh environment: nothing of it at all
E2="$TMP_ROOT/env2"
"$CENV_BIN" create "$E2" >/dev/null || fail "create env2"
before=$(listing "$E2")
"$CENV_BIN" install -e "$E2" -f "$P/cenv.ini" --strict >/dev/null 2>"$SCRATCH/err" && st=0 || st=$?
check_eq "--strict into a fresh environment: fails, nothing there" "1 $before" "$st $(listing "$E2")"
# cenv add --strict: the install fails the same way, the section stays in the manifest
cp "$P/sqlite3-1.0.tar.gz" "$P/sqlite3-2.0.tar.gz"
before=$(listing "$E2")
"$CENV_BIN" add -e "$E2" -f "$P/add2.ini" --strict "$P/sqlite3-2.0.tar.gz" >"$SCRATCH/out" 2>"$SCRATCH/err" && st=0 || st=$?
check_eq "add --strict: fails, the environment unchanged" "1 $before" "$st $(listing "$E2")"
check "add --strict: the reason given" grep -qF "cenv: sqlite3: 5 files staged outside the environment would not be installed: " "$SCRATCH/err"
check "add --strict: the section stays in the manifest" grep -qx '\[sqlite3\]' "$P/add2.ini"
# without --strict, add installs it with the warning
rm -f "$P/add3.ini"
"$CENV_BIN" add -e "$E2" -f "$P/add3.ini" "$P/sqlite3-2.0.tar.gz" >"$SCRATCH/out" 2>"$SCRATCH/err" && st=0 || st=$?
check_eq "add without --strict: installed with the warning" "0 cenv: warning: sqlite3: 5 files staged outside" \
	"$st $(head -c 46 "$SCRATCH/err")"
check "add without --strict: installed" test -f "$E2/include/sqlite3.h"

# one file: said in the singular
recipe_pkg one "true" "$(good_recipe one)\nmkdir -p \$(DESTDIR)/etc\necho x > \$(DESTDIR)/etc/one.conf"
entry one >"$P/cenv.ini"
inst
check_eq "one file outside: the singular" \
	"0 cenv: warning: one: 1 file staged outside the environment was not installed: etc/one.conf (log: $LOG/one.log)" \
	"$st $(cat "$SCRATCH/err")"

# names with control bytes: escaped as printable() does, in the warning (one line) and the log
rm -rf "$P/src/oddnames-1.0" && mkdir -p "$P/src/oddnames-1.0"
cat >"$P/src/oddnames-1.0/Makefile" <<'MK'
all:
	true
install:
	mkdir -p $(DESTDIR)$(PREFIX)/include $(DESTDIR)/etc && echo x > $(DESTDIR)$(PREFIX)/include/oddnames.h
	touch "$(DESTDIR)/etc/$$(printf 'a\033[2Jb')" "$(DESTDIR)/etc/$$(printf 'l\ncenv: x')"
MK
bsdtar -czf "$P/oddnames-1.0.tar.gz" -C "$P/src" oddnames-1.0
entry oddnames >"$P/cenv.ini"
inst
check_eq "names staged outside: escaped in the warning, on one line" \
	"0 cenv: warning: oddnames: 2 files staged outside the environment were not installed: etc/a\\x1b[2Jb and etc/l\\ncenv: x (log: $LOG/oddnames.log)" \
	"$st $(cat "$SCRATCH/err")"
check_eq "... and in the log, one a line" 'etc/a\x1b[2Jb|etc/l\ncenv: x|' \
	"$(sed -n '/files staged outside/,$s/^  //p' "$LOG/oddnames.log" | tr '\n' '|')"

# ---- a build that installs nothing: the hint of make_args, and what it staged elsewhere ----------
HINT="if its Makefile ignores PREFIX or DESTDIR, say where in its section: make_args = PREFIX={prefix} DESTDIR={destdir}, or INSTALL_TOP={destdir}{prefix} as lua's wants"
pack detect/lua-like lua
# nothing_case NAME SANDBOX ARGS WANT: lua installed with args = ARGS fails with the message WANT
# (after "cenv: lua: "), the environment unchanged
nothing_case() {
	local name=$1 sandbox=$2 args=$3 want=$4 before
	entry lua "args=$args" >"$P/cenv.ini"
	before=$(state)
	inst --sandbox="$sandbox"
	check_eq "$name: refused with the hint" "1 cenv: lua: $want" "$st $(head -1 "$SCRATCH/err")"
	check_eq "$name: the environment unchanged" "$before" "$(state)"
}
# INSTALL_TOP into the stage's root, as a Makefile that ignores PREFIX but honours DESTDIR does
for sb in on off; do
	nothing_case "installed under DESTDIR/usr/local (sandbox $sb)" "$sb" 'INSTALL_TOP=$(DESTDIR)/usr/local' \
		"the build installed nothing under $E; it staged usr/local/bin/lua, usr/local/include/lua.h and usr/local/lib/liblua.a outside it; $HINT (log: $LOG/lua.log)"
done
# INSTALL_TOP outside everything: the sandbox stops the write (its own message); without it the
# files land there, and nothing was staged at all
entry lua "args=INSTALL_TOP=$O/usr/local" >"$P/cenv.ini"
inst --sandbox=on
check "outside everything, in the sandbox: the write is refused, naming it" \
	grep -qF "cenv: lua: the build tried to write outside its staging area: $O/usr — " "$SCRATCH/err"
check_eq "... nothing written there" "" "$(ls "$O")"
nothing_case "outside everything, no sandbox" off "INSTALL_TOP=$O/usr/local" \
	"the build installed nothing under $E; $HINT (log: $LOG/lua.log)"
check "... (the build did write there)" test -f "$O/usr/local/bin/lua"
rm -rf "${O:?}/usr"
# an install target that does nothing at all
recipe_pkg lazy "true" "@echo nothing to install"
entry lazy >"$P/cenv.ini"
before=$(state)
inst --sandbox=off
check_eq "an install that does nothing: the hint" "1 cenv: lazy: the build installed nothing under $E; $HINT (log: $LOG/lazy.log)" \
	"$st $(cat "$SCRATCH/err")"
# only empty directories under the prefix: the same
recipe_pkg empty "true" 'mkdir -p $(DESTDIR)$(PREFIX)/include $(DESTDIR)/opt/x\necho x > $(DESTDIR)/opt/x/y'
entry empty >"$P/cenv.ini"
inst
check_eq "only empty directories under the prefix: the hint, and the file elsewhere" \
	"1 cenv: empty: the build installed nothing under $E; it staged opt/x/y outside it; $HINT (log: $LOG/empty.log)" \
	"$st $(cat "$SCRATCH/err")"
check_eq "... the environment unchanged" "$before" "$(state)"
# a prebuilt tree with nothing in it: no make hint (no Makefile was run)
mkdir -p "$P/src/hollow-1.0/include/empty" && bsdtar -czf "$P/hollow-1.0.tar.gz" -C "$P/src" hollow-1.0
entry hollow >"$P/cenv.ini"
inst
check_eq "an empty prebuilt tree: installed nothing, no make_args hint" \
	"1 cenv: hollow: the build installed nothing under $E (log: $LOG/hollow.log)" "$st $(cat "$SCRATCH/err")"

# ---- the autotools message names configure.in too ------------------------------------------------
# build = autotools asked for a tree with neither: the message lists all three
script_pkg noconf README
entry noconf build=autotools >"$P/cenv.ini"
inst
check "build = autotools without configure: configure, configure.ac or configure.in named" \
	grep -qF "has no configure, configure.ac or configure.in" "$SCRATCH/err"

# ---- help, man page ---------------------------------------------------------------------------
check "install --help names --strict" bash -c '"$0" install --help | grep -q -- "--strict "' "$CENV_BIN"
check "add --help names --strict" bash -c '"$0" add --help | grep -q -- "--strict "' "$CENV_BIN"
check "cenv(1) documents --strict" grep -q '^\.It Fl -strict' "$TOP/man/cenv.1"
finish
