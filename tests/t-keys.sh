# t-keys.sh - a manifest's configure, make_args, install_target and env keys and their
# placeholders, with fixtures that build like OpenSSL, lua, bzip2 and libjpeg-turbo; CMake's
# typed cache variables; records, freeze and the up-to-date check keeping the keys.
. "$(dirname "$0")/lib.sh"
plan 46
. "$(dirname "$0")/lib-install.sh"

E="$TMP_ROOT/env"
# cmake's generator is Ninja when ninja is installed, else make: a verbose flag for either
if command -v ninja >/dev/null; then verbose=-v; else verbose=VERBOSE=1; fi
for f in ossllike lualike cmakelibdir keysseen; do
	pack "$f" "$f" || fail "pack $f"
done
pack cmake cmakeargs || fail "pack cmakeargs"
pack meson mesonargs || fail "pack mesonargs"
pack bzip2like bz2static || fail "pack bz2static"
pack bzip2like bz2shared || fail "pack bz2shared"
{
	printf '[cenv]\njobs = 3\n\n'
	entry ossllike 'configure=./Configure --prefix={prefix} --libdir=lib shared no-tests' install_target=install_sw
	entry lualike 'make_args=INSTALL_TOP={destdir}{prefix}'
	entry bz2static 'env=CFLAGS=-fPIC'
	entry bz2shared 'make_args=-f Makefile-libbz2like_so'
	entry cmakelibdir
	entry cmakeargs "make_args=$verbose"
	entry mesonargs build=meson make_args=-v
	entry keysseen 'configure=./autogen.sh && ./configure --prefix={prefix}' 'args=--with-x "two words"' \
		'make_args=JOBS={jobs} BRACE={{x}}' 'env=GREETING={prefix}/hi LDFLAGS=-L/opt/x'
} >"$P/cenv.ini"

"$CENV_BIN" create "$E" >/dev/null || fail "create"
# a CFLAGS and GREETING of its own, which the packages' env must replace
(cd "$P" && CFLAGS=-O2 GREETING=outer "$CENV_BIN" install -e "$E") >"$SCRATCH/install.out" 2>&1
check_eq "install of the eight packages succeeds" 0 $?
grep -v ': installed' "$SCRATCH/install.out" | head -20
"$CENV_BIN" list -e "$E" >"$SCRATCH/list"

# OpenSSL-like: ./Configure instead of ./configure, make install_sw instead of make install
check "ossllike built like autotools (configure, make, make install_sw)" grep -Eq '^ossllike +1.0 +autotools ' "$SCRATCH/list"
check "ossllike's library is in the environment's lib/" test -f "$E/lib/libossllike.so"
check "ossllike's source tree is not installed" test ! -e "$E/crypto" -a ! -e "$E/Configure"
check "ossllike ran make install_sw, never make install" bash -c 'grep -q "make install_sw DESTDIR=" "$0" && ! grep -q "install_docs" "$0"' "$E/var/cenv/logs/ossllike.log"
check "ossllike's program resolves its library inside the environment" bash -c 'ldd "$0/bin/ossllike-demo" | grep -q "libossllike.so => $0/lib/libossllike.so"' "$E"
check_eq "ossllike's program runs" 22 "$("$E/bin/ossllike-demo")"

# lua-like: only INSTALL_TOP, set through make_args
check_eq "lualike installed under INSTALL_TOP={destdir}{prefix}" "54" "$("$E/bin/lualike" 2>&1)"
check "lualike's man page and library are in the environment" test -f "$E/man/man1/lualike.1" -a -f "$E/lib/liblualike.a"

# bzip2-like: env CFLAGS=-fPIC for the static library; -f Makefile-libbz2like_so for the shared one
check "bz2static built with CFLAGS=-fPIC from env" bash -c 'test -f "$0/lib/libbz2like.a" && grep -q -- "-fPIC -c -o bz2like.o" "$0/var/cenv/logs/bz2static.log"' "$E"
check "bz2shared built with -f Makefile-libbz2like_so" test -f "$E/lib/libbz2like.so.1.0" -a -L "$E/lib/libbz2like.so"
check "bz2shared installed no static library of its own" bash -c '! grep -q "libbz2like.a" "$0/var/cenv/records/bz2shared"' "$E"

# CMake with CMAKE_INSTALL_LIBDIR declared CACHE PATH
check "cmakelibdir's library lands in the environment's lib/" test -f "$E/lib/libcmlibdir.so"
check "cmake got its cache variables typed" grep -q -- "-DCMAKE_INSTALL_LIBDIR:PATH=lib" "$E/var/cenv/logs/cmakelibdir.log"

check "cmake: make_args after -- of the build and of the install (--target install)" bash -c '
	grep -qE -- "--build $0/var/cenv/work/cmakeargs/build -j [123] -- $1\$" "$0/var/cenv/logs/cmakeargs.log" &&
	grep -qF -- "--build $0/var/cenv/work/cmakeargs/build --target install -- $1" "$0/var/cenv/logs/cmakeargs.log" &&
	test -f "$0/lib/libcenvfix_cmake.so"' "$E" "$verbose"
check "meson: make_args go to ninja, meson install does not rebuild" bash -c '
	grep -qE "ninja -C $0/var/cenv/work/mesonargs/build -j[123] -v\$" "$0/var/cenv/logs/mesonargs.log" &&
	grep -qF "meson install -C $0/var/cenv/work/mesonargs/build --no-rebuild" "$0/var/cenv/logs/mesonargs.log" &&
	test -f "$0/lib/libcenvfix_meson.so"' "$E"

# configure commands joined by &&, args after the last one, {jobs}, {{ }}, env, LDFLAGS
check_eq "keysseen: ./autogen.sh then ./configure with args after it" \
	"--prefix=$E
--with-x
two words" "$(cat "$E/share/keysseen/configure.args" 2>&1)"
seen=$(cat "$E/share/keysseen/seen" 2>&1)
check "keysseen: {jobs} is [cenv] jobs" grep -qx 'jobs=3' <<<"$seen"
check "keysseen: {{x}} is {x}" grep -qx 'brace={x}' <<<"$seen"
check "keysseen: env's value, {prefix} expanded" grep -qx "greeting=$E/hi" <<<"$seen"
check "keysseen: env's variable replaces the outer one (not set twice)" grep -qx "greetings=1" <<<"$seen"
check "keysseen: env's LDFLAGS, with cenv's rpath after it" grep -qx "ldflags=-L/opt/x -Wl,-rpath,$E/lib" <<<"$seen"

# without env, the bzip2-like build fails as it says
{ printf '[cenv]\njobs = 3\n\n'; entry bz2static; } >"$P/nopic.ini"
E2="$TMP_ROOT/env2"
"$CENV_BIN" create "$E2" >/dev/null || fail "create env2"
(cd "$P" && "$CENV_BIN" install -e "$E2" -f nopic.ini) >"$SCRATCH/nopic.out" 2>&1
check_eq "bz2static without env = CFLAGS=-fPIC fails" 1 $?
check "... at make" grep -q "^cenv: build of 'bz2static' failed at make (exit status 2)" "$SCRATCH/nopic.out"
check "... and its log says why" grep -q "lack -fPIC" "$E2/var/cenv/logs/bz2static.log"

# env's variables replace the outer environment's, seen by a program that reads environ as it is
# (make and sh would hide a duplicate): configure = env, with build = make
pack bzip2like envdup || fail "pack envdup"
{ entry envdup build=make configure=env 'env=CFLAGS=-fPIC GREETING=inner'; } >"$P/envdup.ini"
(cd "$P" && GREETING=outer "$CENV_BIN" install -e "$E2" -f envdup.ini) >"$SCRATCH/envdup.out" 2>&1
check_eq "build = make with configure = env installs" 0 $?
check_eq "... and env's GREETING is the only one the build had" "GREETING=inner" \
	"$(grep '^GREETING=' "$E2/var/cenv/logs/envdup.log")"

# the records keep the keys as written, and freeze writes them back
rec=$(cat "$E/var/cenv/records/keysseen")
check "the record keeps configure as written" grep -qxF "configure ./autogen.sh && ./configure --prefix={prefix}" <<<"$rec"
check "the record keeps make_args and env as written" bash -c 'grep -qxF "make_args JOBS={jobs} BRACE={{x}}" <<<"$0" && grep -qxF "env GREETING={prefix}/hi LDFLAGS=-L/opt/x" <<<"$0"' "$rec"
"$CENV_BIN" freeze -e "$E" >"$P/frozen.ini"
check "freeze writes install_target" grep -qx "install_target = install_sw" "$P/frozen.ini"
check "freeze writes configure, args, make_args and env" bash -c '
	grep -qxF "configure = ./autogen.sh && ./configure --prefix={prefix}" "$0" &&
	grep -qxF "args = --with-x '"'two words'"'" "$0" &&
	grep -qxF "make_args = JOBS={jobs} BRACE={{x}}" "$0" &&
	grep -qxF "env = GREETING={prefix}/hi LDFLAGS=-L/opt/x" "$0" &&
	grep -qxF "make_args = -f Makefile-libbz2like_so" "$0"' "$P/frozen.ini"
out=$("$CENV_BIN" install -e "$E" -f "$P/frozen.ini" 2>&1)
check_eq "the frozen manifest is up to date with what it was frozen from" "8 packages up to date in $E" "$out"

# a changed make_args, env, install_target (install, given) or configure rebuilds the package (and only it)
for change in 'make_args:s/^make_args = JOBS={jobs} BRACE={{x}}$/make_args = JOBS={jobs} BRACE={{y}}/' \
	'env:s|^env = GREETING={prefix}/hi|env = GREETING={prefix}/ho|' \
	'install_target:s|^make_args = \(.*\)$|make_args = \1\ninstall_target = install|' \
	'configure:s|^configure = ./autogen.sh \&\& ./configure --prefix={prefix}$|configure = ./autogen.sh \&\& ./configure --prefix={prefix} --v2|'; do
	sed -i "/^\[keysseen\]/,/^$/${change#*:}" "$P/cenv.ini"
	out=$(cd "$P" && "$CENV_BIN" install -e "$E" 2>&1)
	check "changed ${change%%:*}: keysseen rebuilt, nothing else" bash -c 'grep -q "^keysseen 1.0: installed" <<<"$0" && [ "$(grep -c ": installed" <<<"$0")" = 1 ]' "$out"
done
check "the rebuilt keysseen saw the new make_args" grep -qx 'brace={y}' "$E/share/keysseen/seen"

# bad placeholders and env words: refused at load, with the file, the line and the section
bad() { # NAME PATTERN KEY=VALUE...
	local name=$1 pattern=$2
	shift 2
	entry keysseen "$@" >"$P/bad.ini"
	expect_fail "$name" 1 "$pattern" sh -c 'cd "$1" && "$2" install -e "$3" -f bad.ini' - "$P" "$CENV_BIN" "$E"
}
bad "an unknown placeholder is refused" "^cenv: bad.ini:5: bad make_args in \[keysseen\]: unknown placeholder '\{jbos\}'" 'make_args=-j{jbos}'
bad "an unclosed { is refused" "^cenv: bad.ini:5: bad args in \[keysseen\]: unclosed '\{'" 'args=--prefix={prefix'
bad "an env word without NAME= is refused" "^cenv: bad.ini:5: bad env in \[keysseen\]: '1CFLAGS=-O2' is not NAME=VALUE" 'env=CC=cc 1CFLAGS=-O2'
bad "configure with build = cmake is refused" "^cenv: bad.ini:5: configure in \[keysseen\] is for autotools and make builds, not build = cmake \(line 6\)" 'configure=./Configure' 'build=cmake'

# bzip2's Makefile, given PREFIX={destdir}{prefix}, makes its links with that path in them
# ("ln -s $(PREFIX)/bin/bzgrep $(PREFIX)/bin/bzegrep"): they are made again pointing where the
# file is installed, not into the stage, which is removed
recipe_pkg bzlinks true 'mkdir -p $(PREFIX)/bin\nprintf "#!/bin/sh\\necho bzlgrep\\n" >$(PREFIX)/bin/bzlgrep\nchmod +x $(PREFIX)/bin/bzlgrep\nln -sf $(PREFIX)/bin/bzlgrep $(PREFIX)/bin/bzlegrep' || fail "recipe bzlinks"
entry bzlinks 'make_args=PREFIX={destdir}{prefix}' >"$P/links.ini"
E3="$TMP_ROOT/links-env"
"$CENV_BIN" create "$E3" >/dev/null || fail "create links-env"
"$CENV_BIN" install -e "$E3" -f "$P/links.ini" >"$SCRATCH/links.out" 2>&1
check_eq "a package whose links hold the stage's path installs" 0 $?
check_eq "its link points where the file is installed" "$E3/bin/bzlgrep" "$(readlink "$E3/bin/bzlegrep")"
check_eq "and works once the stage is gone" bzlgrep "$("$E3/bin/bzlegrep" 2>&1)"

# CMake projects with a CTest suite (include(CTest)) build no tests unless args ask for them
pack cmaketests cmaketests || fail "pack cmaketests"
entry cmaketests >"$P/ctest.ini"
E4="$TMP_ROOT/ctest-env"
"$CENV_BIN" create "$E4" >/dev/null || fail "create ctest-env"
"$CENV_BIN" install -e "$E4" -f "$P/ctest.ini" >"$SCRATCH/ctest.out" 2>&1
check "a CMake project's test suite is not built (-DBUILD_TESTING:BOOL=OFF)" \
	sh -c '[ "$0" = 0 ] && test -f "$1/lib/libcmtests.so" && grep -q -- "-DBUILD_TESTING:BOOL=OFF" "$1/var/cenv/logs/cmaketests.log"' $? "$E4"
entry cmaketests 'args=-DBUILD_TESTING=ON' >"$P/ctest.ini"
"$CENV_BIN" install -e "$E4" -f "$P/ctest.ini" >"$SCRATCH/ctest.out" 2>&1
check "args -DBUILD_TESTING=ON builds it (here it fails, as the fixture's test does not compile)" \
	sh -c '[ "$0" = 1 ] && grep -q "the test suite was built" "$1"' $? "$SCRATCH/ctest.out"
