# t-add.sh - issue 10: `cenv add URL|PATH`: the section appended to the manifest (every other byte
# kept), its sha256 and build system found, a name or dependency refused, then installed; and the
# manifest it writes is one `cenv install` takes as it is.  The server is tests/httpd.py on 127.0.0.1.
. "$(dirname "$0")/lib.sh"
plan 69
. "$(dirname "$0")/lib-install.sh"
. "$(dirname "$0")/lib-http.sh"

export XDG_CACHE_HOME="$TMP_ROOT/cache"
unset CENV
export TMPDIR="$TMP_ROOT/tmp" # where add unpacks, to see it cleaned
mkdir -p "$TMPDIR"
E="$TMP_ROOT/env"
E2="$TMP_ROOT/env2"
WWW="$TMP_ROOT/www"
M="$TMP_ROOT/m" # the manifests' directory
mkdir -p "$WWW" "$M"
"$CENV_BIN" create "$E" >/dev/null || fail "create"
"$CENV_BIN" create "$E2" >/dev/null || fail "create 2"

trap 'stop_server; chmod -R u+w "$TMP_ROOT" 2>/dev/null; rm -rf "$TMP_ROOT" "$SCRATCH"' EXIT
start_server
run() { # CMD...: status into $st, stdout into $SCRATCH/out, stderr into $SCRATCH/err
	"$@" >"$SCRATCH/out" 2>"$SCRATCH/err" && st=0 || st=$?
}
sha_of() { sha256sum "$1" | cut -d' ' -f1; }

recipe_pkg web "true" "$(good_recipe web)"
cp "$P/web-1.0.tar.gz" "$WWW/"
SHA=$(sha_of "$WWW/web-1.0.tar.gz")

# ---- an http URL into a manifest with comments, blank lines and no final newline -----------------
printf '; my project\n\n# the options\n[cenv]\njobs = 2   ; two at a time\n\n\n; the end, no newline' >"$M/web.ini"
chmod 0640 "$M/web.ini"
{ cat "$M/web.ini"; printf '\n\n[web]\nversion = 1.0\nurl = %s\nsha256 = %s\nbuild = make\n' "$URL/web-1.0.tar.gz" "$SHA"; } >"$SCRATCH/want"
cd "$TMP_ROOT" || exit 1
run "$CENV_BIN" add -f "$M/web.ini" -e "$E" "$URL/web-1.0.tar.gz"
check_eq "add URL: exit 0" 0 "$st"
check_eq "add URL: says it downloaded, added, then installed" "web-1.0.tar.gz: downloaded (N) from $URL/web-1.0.tar.gz
added [web] to $M/web.ini
web 1.0: installed (make, 1 file, 0.0 KiB)" "$(sed -E 's/downloaded .* from /downloaded (N) from /' "$SCRATCH/out" | untimed)"
check_eq "add http://: the warning about an unauthenticated download" \
	"cenv: warning: the sha256 of '$URL/web-1.0.tar.gz' was taken from an unauthenticated download (http://): check it against one its publisher gives" \
	"$(cat "$SCRATCH/err")"
check "add URL: the file is the old bytes, a newline, a blank line and the section" cmp "$SCRATCH/want" "$M/web.ini"
check_eq "add URL: the manifest keeps its mode" 640 "$(stat -c %a "$M/web.ini")"
check "add URL: the package is installed" grep -qx "int ok;" "$E/include/web.h"
check_eq "add URL: downloaded once (the install took it from the cache)" 1 "$(requests /web-1.0.tar.gz)"
check_eq "add URL: no temporary file left next to the manifest" "web.ini" "$(ls "$M")"
check_eq "the environment it was added to is up to date" "1 package up to date in $E" \
	"$(cd / && "$CENV_BIN" install -e "$E" -f "$M/web.ini")"
run sh -c "cd / && '$CENV_BIN' install -e '$E2' -f '$M/web.ini'"
check_eq "the written manifest installs as it is in a fresh environment" "0 web 1.0: installed (make, 1 file, 0.0 KiB)" \
	"$st $(untimed "$SCRATCH/out")"
check_eq "... and is then up to date there" "1 package up to date in $E2" \
	"$("$CENV_BIN" install -e "$E2" -f "$M/web.ini")"

# ---- a name already in the manifest ------------------------------------------------------------
cp "$M/web.ini" "$SCRATCH/before"
run "$CENV_BIN" add -f "$M/web.ini" -e "$E" "$URL/web-1.0.tar.gz"
check_eq "a duplicate name: refused, with the line to edit (and no http warning: nothing written)" \
	"1 cenv: 'web' is already in $M/web.ini (line 10): edit that section instead" \
	"$st $(cat "$SCRATCH/err")"
check "a duplicate name: the file unchanged" cmp "$SCRATCH/before" "$M/web.ini"
run "$CENV_BIN" add -f "$M/web.ini" --name web --no-install "$P/no-such-1.0.tar.gz"
check_eq "--name of a section there: refused before the archive is looked at" \
	"1 cenv: 'web' is already in $M/web.ini (line 10): edit that section instead" "$st $(cat "$SCRATCH/err")"
check "--name of a section there: the file unchanged" cmp "$SCRATCH/before" "$M/web.ini"

# ---- a 404: nothing written, the URL named -------------------------------------------------------
run "$CENV_BIN" add -f "$M/web.ini" -e "$E" "$URL/gone-1.0.tar.gz"
check_eq "a 404: exit 1" 1 "$st"
check "a 404: the message names the URL and the status" grep -q "$URL/gone-1.0.tar.gz: HTTP 404" "$SCRATCH/err"
check "a 404: the file unchanged" cmp "$SCRATCH/before" "$M/web.ini"
run "$CENV_BIN" add -f "$M/none.ini" "$URL/gone-1.0.tar.gz"
check_eq "a 404 for a new manifest: no file made" "1 absent" "$st $( [ -e "$M/none.ini" ] && echo there || echo absent)"
run "$CENV_BIN" add -f "$M/web.ini" --no-install "ftp://127.0.0.1/x-1.0.tar.gz"
check_eq "an ftp:// URL is refused" \
	"1 cenv: 'ftp://127.0.0.1/x-1.0.tar.gz': only http:// and https:// URLs and local archives can be added" \
	"$st $(cat "$SCRATCH/err")"

# ---- a local path: relative to the manifest's directory, --no-install ----------------------------
L="$TMP_ROOT/loc"
mkdir -p "$L/archives"
recipe_pkg loc "true" "$(good_recipe loc)"
cp "$P/loc-1.0.tar.gz" "$L/archives/"
LSHA=$(sha_of "$L/archives/loc-1.0.tar.gz")
printf '# local packages\n\n' >"$L/cenv.ini"
{ cat "$L/cenv.ini"; printf '[loc]\nversion = 1.0\nurl = archives/loc-1.0.tar.gz\nsha256 = %s\nbuild = make\n' "$LSHA"; } >"$SCRATCH/want"
before=$(env_state "$E")
run env CENV="$E" "$CENV_BIN" add --no-install -f "$L/cenv.ini" "$L/archives/loc-1.0.tar.gz"
check_eq "add PATH --no-install: says only that it added" "0 added [loc] to $L/cenv.ini" "$st $(cat "$SCRATCH/out")"
check_eq "add PATH: no warning" "" "$(cat "$SCRATCH/err")"
check "add PATH inside the manifest's directory: url relative to it; one blank line there already" \
	cmp "$SCRATCH/want" "$L/cenv.ini"
check_eq "--no-install: the active environment unchanged" "$before" "$(env_state "$E")"
run sh -c "cd / && '$CENV_BIN' install -e '$E2' -f '$L/cenv.ini'"
check_eq "the local section installs as it is, from another directory" "0 loc 1.0: installed (make, 1 file, 0.0 KiB)" \
	"$st $(untimed "$SCRATCH/out")"

# a path outside the manifest's directory: absolute; given relative to the working directory
O="$TMP_ROOT/other"
mkdir -p "$O"
printf '[cenv]\njobs = 1\n' >"$O/cenv.ini"
{ cat "$O/cenv.ini"; printf '\n[loc]\nversion = 1.0\nurl = %s\nsha256 = %s\nbuild = make\n' "$L/archives/loc-1.0.tar.gz" "$LSHA"; } >"$SCRATCH/want"
run sh -c "cd '$L' && '$CENV_BIN' add --no-install -f '$O/cenv.ini' archives/loc-1.0.tar.gz"
check_eq "add PATH outside the manifest's directory: exit 0" 0 "$st"
check "... its url is absolute" cmp "$SCRATCH/want" "$O/cenv.ini"

# ---- no environment: only the manifest changes, and it says so -----------------------------------
recipe_pkg dep "true" "$(good_recipe dep)"
mkdir -p "$TMP_ROOT/ne"
run sh -c "cd '$TMP_ROOT/ne' && '$CENV_BIN' add '$P/dep-1.0.tar.gz'"
check_eq "no environment: says so" "0 added [dep] to cenv.ini; no environment to install it into (-e DIR, or activate one)" \
	"$st $(cat "$SCRATCH/out")"
printf '[dep]\nversion = 1.0\nurl = %s\nsha256 = %s\nbuild = make\n' "$P/dep-1.0.tar.gz" "$(sha_of "$P/dep-1.0.tar.gz")" >"$SCRATCH/want"
check "a manifest that does not exist is made: the section alone" cmp "$SCRATCH/want" "$TMP_ROOT/ne/cenv.ini"

# ---- the active environment; --name, --version, --depends ---------------------------------------
run sh -c "cd '$TMP_ROOT/ne' && CENV='$E' '$CENV_BIN' add --name dep2 --version 2.0b --depends ' dep,' --args \"V='a b'\" '$P/loc-1.0.tar.gz'"
check_eq "the active environment: added and installed there, after its dependency" "0 added [dep2] to cenv.ini
dep 1.0: installed (make, 1 file, 0.0 KiB)
dep2 2.0b: installed (make, 1 file, 0.0 KiB)" "$st $(untimed "$SCRATCH/out" | unsummed)"
check_eq "--name, --version, --depends, --args are written" "[dep2]
version = 2.0b
url = $P/loc-1.0.tar.gz
sha256 = $LSHA
build = make
args = V='a b'
depends = dep" "$(sed -n '/^\[dep2\]/,$p' "$TMP_ROOT/ne/cenv.ini")"
check "... and the package is in the environment" test -f "$E/include/loc.h"
cp "$TMP_ROOT/ne/cenv.ini" "$SCRATCH/before"
run sh -c "cd '$TMP_ROOT/ne' && '$CENV_BIN' add --no-install --name dep3 --depends dep,nope '$P/loc-1.0.tar.gz'"
check_eq "a missing dependency: refused with its name" "1 cenv: --depends: 'nope' is not in cenv.ini" "$st $(cat "$SCRATCH/err")"
check "a missing dependency: the file unchanged" cmp "$SCRATCH/before" "$TMP_ROOT/ne/cenv.ini"
run sh -c "cd '$TMP_ROOT/ne' && '$CENV_BIN' add --no-install --name dep3 --depends dep3 '$P/loc-1.0.tar.gz'"
check_eq "a dependency on itself: refused" "1 cenv: [dep3] cannot depend on itself" "$st $(cat "$SCRATCH/err")"
run "$CENV_BIN" add --no-install -f "$SCRATCH/before" --name 'a b' "$P/loc-1.0.tar.gz"
check_eq "--name that names no package: a usage error" 2 "$st"
check "--name that names no package: the file unchanged" cmp "$SCRATCH/before" "$TMP_ROOT/ne/cenv.ini"
run "$CENV_BIN" add --no-install -f "$TMP_ROOT/ne/cenv.ini" --name dep4 --version '1 ;x' "$P/loc-1.0.tar.gz"
check_eq "a version a manifest cannot hold: refused" \
	"1 cenv: a manifest cannot hold the version '1 ;x' (a blank before ';' starts a comment, blanks at the ends are dropped, a control character ends the line)" \
	"$st $(cat "$SCRATCH/err")"
check "... the file unchanged" cmp "$SCRATCH/before" "$TMP_ROOT/ne/cenv.ini"
run "$CENV_BIN" add --no-install -f "$TMP_ROOT/semi.ini" --name dep4 --version ';1' "$P/loc-1.0.tar.gz"
check_eq "a version starting with ';' is written right after '=' (as freeze does)" "0 version =;1" \
	"$st $(grep -x 'version =;1' "$TMP_ROOT/semi.ini")"
check_eq "... and reads back as ';1'" "dep4 ;1" \
	"$("$CENV_BIN" create "$TMP_ROOT/env3" >/dev/null && "$CENV_BIN" install -e "$TMP_ROOT/env3" -f "$TMP_ROOT/semi.ini" >/dev/null 2>&1
	sed -n 's/^\(name\|version\) //p' "$TMP_ROOT/env3/var/cenv/records/dep4" | tr '\n' ' ' | sed 's/ $//')"

# ---- the build system: detected from the tree (and its --subdir), or as given ---------------------
mkdir -p "$P/src/cm-1.0" "$P/src/sub-1.0/inner"
echo 'project(cm C)' >"$P/src/cm-1.0/CMakeLists.txt"
echo 'readme' >"$P/src/sub-1.0/README"
printf 'all:\ninstall:\n' >"$P/src/sub-1.0/inner/Makefile"
bsdtar -czf "$P/cm-1.0.tar.gz" -C "$P/src" cm-1.0
bsdtar -czf "$P/sub-1.0.tar.gz" -C "$P/src" sub-1.0
B="$TMP_ROOT/b.ini"
run "$CENV_BIN" add --no-install -f "$B" "$P/cm-1.0.tar.gz"
check_eq "a CMakeLists.txt: build = cmake" "0 build = cmake" "$st $(grep '^build' "$B")"
run "$CENV_BIN" add --no-install -f "$B" --name cm2 --build meson "$P/cm-1.0.tar.gz"
check_eq "--build is written as given" "0 build = meson" "$st $(sed -n '/^\[cm2\]/,$p' "$B" | grep '^build')"
cp "$B" "$SCRATCH/before"
run "$CENV_BIN" add --no-install -f "$B" "$P/sub-1.0.tar.gz"
check_eq "no build system at the top: refused, naming --build" 1 "$st"
check "... the message names inner/ and the options that say it" grep -qx "cenv: sub: cannot tell how to build '$P/sub-1.0.tar.gz': no configure, configure.ac, CMakeLists.txt, meson.build or Makefile, and no include/, lib/ or bin/ to copy; inner/ has Makefile: say subdir = inner in its section (cenv add takes these keys as --subdir, --configure, --make-args, --install-target and --build)" "$SCRATCH/err"
check "... the file unchanged" cmp "$SCRATCH/before" "$B"
run "$CENV_BIN" add --no-install -f "$B" --subdir inner "$P/sub-1.0.tar.gz"
check_eq "--subdir: detected there, and written" "0 build = make subdir = inner" \
	"$st $(sed -n '/^\[sub\]/,$p' "$B" | grep -E '^(build|subdir)' | sort | tr '\n' ' ' | sed 's/ $//')"
check_eq "the temporary unpacked trees are gone" "" "$(ls "$TMP_ROOT/tmp")"

# ---- a manifest that is a symlink, a manifest that does not parse -------------------------------
ln -s "$B" "$TMP_ROOT/link.ini"
cp "$B" "$SCRATCH/before"
run "$CENV_BIN" add --no-install -f "$TMP_ROOT/link.ini" --name viaLink "$P/cm-1.0.tar.gz"
check_eq "a manifest that is a symlink: refused" \
	"1 cenv: '$TMP_ROOT/link.ini' is a symbolic link: cenv add does not write through it (give -f the file it points to)" \
	"$st $(cat "$SCRATCH/err")"
check "... the link and its target unchanged" test -L "$TMP_ROOT/link.ini" -a "$(cat "$B")" = "$(cat "$SCRATCH/before")"
printf '[broken\n' >"$TMP_ROOT/bad.ini"
run "$CENV_BIN" add --no-install -f "$TMP_ROOT/bad.ini" "$P/cm-1.0.tar.gz"
check_eq "a manifest that does not parse: refused with file:line" 1 "$st"
check "... the message names the file and line" grep -q "^cenv: $TMP_ROOT/bad.ini:1: " "$SCRATCH/err"
check_eq "... the file unchanged" "[broken" "$(cat "$TMP_ROOT/bad.ini")"

# ---- an environment that is not one: nothing written ----------------------------------------------
run "$CENV_BIN" add -f "$TMP_ROOT/fresh.ini" -e "$TMP_ROOT/nowhere" "$P/cm-1.0.tar.gz"
check_eq "-e of no environment: refused" "1 cenv: '$TMP_ROOT/nowhere' is not a cenv environment (no such directory)" \
	"$st $(cat "$SCRATCH/err")"
check_eq "... no manifest made" absent "$( [ -e "$TMP_ROOT/fresh.ini" ] && echo there || echo absent)"
run "$CENV_BIN" add -e "$E" --no-install "$P/cm-1.0.tar.gz"
check_eq "-e with --no-install: a usage error" 2 "$st"

# ---- --offline: a URL cannot be added (its digest is unknown) -------------------------------------
run "$CENV_BIN" add -f "$TMP_ROOT/off.ini" --offline "$URL/web-1.0.tar.gz"
check_eq "--offline with a URL: refused" \
	"1 cenv: --offline: cannot add '$URL/web-1.0.tar.gz', whose sha256 is only known once it is downloaded" \
	"$st $(cat "$SCRATCH/err")"
check_eq "... no manifest made" absent "$( [ -e "$TMP_ROOT/off.ini" ] && echo there || echo absent)"

# --offline reaches the install that follows: a package of the manifest not in the cache stops it
recipe_pkg far "true" "$(good_recipe far)"
cp "$P/far-1.0.tar.gz" "$WWW/"
printf '[far]\nurl = %s/far-1.0.tar.gz\nsha256 = %s\n' "$URL" "$(sha_of "$P/far-1.0.tar.gz")" >"$TMP_ROOT/off2.ini"
"$CENV_BIN" create "$TMP_ROOT/env4" >/dev/null || fail "create 4"
run "$CENV_BIN" add -f "$TMP_ROOT/off2.ini" -e "$TMP_ROOT/env4" --offline "$P/cm-1.0.tar.gz"
check_eq "--offline with a local archive: added, then the install obeys --offline" "1 0" \
	"$st $(requests /far-1.0.tar.gz)"
check "... and says what is missing" grep -q "far: $URL/far-1.0.tar.gz (sha256 .*) is not in the download cache, and --offline forbids downloading it" "$SCRATCH/err"

# ---- --mirror and --no-origin reach the install that follows ---------------------------------------
# the manifest's [webm] comes from a dead origin; the server, as a mirror, holds it under its sha256
E3="$TMP_ROOT/env3"
"$CENV_BIN" create "$E3" >/dev/null
cp "$WWW/web-1.0.tar.gz" "$WWW/$SHA"
printf '[webm]\nurl = http://127.0.0.1:9/web-1.0.tar.gz\nsha256 = %s\n' "$SHA" >"$M/mirror.ini"
rm -rf "$XDG_CACHE_HOME"
recipe_pkg mlocal "true" "$(good_recipe mlocal)"
run "$CENV_BIN" add --no-origin --mirror "$URL" -f "$M/mirror.ini" -e "$E3" "$P/mlocal-1.0.tar.gz"
check_eq "add --mirror --no-origin: both installed" "0 yes yes" \
	"$st $(test -f "$E3/var/cenv/records/webm" && echo yes) $(test -f "$E3/var/cenv/records/mlocal" && echo yes)"
check_eq "... [webm] came from the mirror" 1 "$(requests "/sha256/$SHA")"
run "$CENV_BIN" add --mirror ftp://x -f "$M/mirror.ini" --no-install "$WWW/web-1.0.tar.gz"
check_eq "add --mirror ftp://x: a usage error" 2 "$st"

# ---- the build keys: an OpenSSL-like tree that detection refuses, added with its configure ----------
pack ossllike ossl || fail "pack ossl"
run "$CENV_BIN" add -f "$M/ossl.ini" --no-install "$P/ossl-1.0.tar.gz"
check "add of an OpenSSL-like tree without --configure: refused, saying how" \
	sh -c '[ "$0" = 1 ] && grep -q "configure = ./Configure --prefix={prefix}" "$1" && [ ! -e "$2" ]' "$st" "$SCRATCH/err" "$M/ossl.ini"
E4="$TMP_ROOT/ossl-env"
"$CENV_BIN" create "$E4" >/dev/null || fail "create 4"
run "$CENV_BIN" add -f "$M/ossl.ini" -e "$E4" --configure './Configure --prefix={prefix} --libdir=lib shared' \
	--install-target install_sw --make-args 'V=1' --build-env 'OSSL_GREETING=hi' "$P/ossl-1.0.tar.gz"
check_eq "add --configure --install-target --make-args --build-env: the keys written, no build" \
	"configure = ./Configure --prefix={prefix} --libdir=lib shared
make_args = V=1
install_target = install_sw
env = OSSL_GREETING=hi" "$(grep -E '^(build|configure|make_args|install_target|env) =' "$M/ossl.ini")"
check "... and it installs with them" sh -c '[ "$0" = 0 ] && test -f "$1/lib/libossllike.so"' "$st" "$E4"
run "$CENV_BIN" add -f "$M/ossl2.ini" --no-install --make-args 'JOBS={jbos}' "$P/ossl-1.0.tar.gz"
check_eq "add --make-args with an unknown placeholder: a usage error naming it" \
	"2 cenv: --make-args: unknown placeholder '{jbos}'" "$st $(head -1 "$SCRATCH/err" | sed 's/ (.*//')"

# ---- help and usage ---------------------------------------------------------------------------------
run "$CENV_BIN" add
check_eq "no operand: a usage error" "2 cenv: missing the archive to add (URL or PATH)" "$st $(head -1 "$SCRATCH/err")"
check "cenv help add shows the options" sh -c "'$CENV_BIN' help add | grep -q -- '--no-install'"
finish
