# t-mirror.sh - issue 10, mirrors and fallbacks: an entry's several urls tried in order, mirrors
# (--mirror, CENV_MIRRORS, [cenv] mirrors) asked first for MIRROR/sha256/<sha256>, --no-origin, and
# `cenv fetch` filling the download cache for a later offline install.  Two tests/httpd.py servers
# on 127.0.0.1: the origin and the mirror.  httpd.py serves /sha256/NAME from ROOT/NAME (a path's
# first component that is no fault mode is ignored), so the mirror's root holds files named by
# their hash, and each check reads the exact path asked in the server's request log.
. "$(dirname "$0")/lib.sh"
plan 61
. "$(dirname "$0")/lib-install.sh"

export XDG_CACHE_HOME="$TMP_ROOT/cache"
unset CENV_MIRRORS CENV_NO_ORIGIN CENV_OFFLINE
CACHE="$XDG_CACHE_HOME/cenv/downloads"
E="$TMP_ROOT/env"
WWW="$TMP_ROOT/www"   # the origin's files
MWWW="$TMP_ROOT/mirror" # the mirror's: named by their sha256
mkdir -p "$WWW" "$MWWW"
"$CENV_BIN" create "$E" >/dev/null || fail "create"
state() { env_state "$E"; }

# start NAME ROOT: a server; $NAME_URL its root, $SCRATCH/NAME.log its requests
start() {
	rm -f "$SCRATCH/$1.port"
	python3 "$TOP/tests/httpd.py" --port-file "$SCRATCH/$1.port" --root "$2" --log "$SCRATCH/$1.log" &
	eval "$1_PID=$!"
	for _ in $(seq 200); do [ -s "$SCRATCH/$1.port" ] && break; sleep 0.02; done
	eval "$1_URL=http://127.0.0.1:$(cat "$SCRATCH/$1.port")"
}
stop() { eval "kill \$$1_PID 2>/dev/null; wait \$$1_PID 2>/dev/null"; }
trap 'stop origin; stop mirror; chmod -R u+w "$TMP_ROOT" 2>/dev/null; rm -rf "$TMP_ROOT" "$SCRATCH"' EXIT
asked() { grep -c "	$2	" "$SCRATCH/$1.log" 2>/dev/null || true; } # SERVER PATH: how many GETs
all_asked() { cat "$SCRATCH/$1.log" 2>/dev/null | wc -l; }                # SERVER: how many requests
forget() { rm -rf "$CACHE/sha256"; : >"$SCRATCH/origin.log"; : >"$SCRATCH/mirror.log"; }
start origin "$WWW"
start mirror "$MWWW"
O=$origin_URL M=$mirror_URL

recipe_pkg web "true" "$(good_recipe web)"
cp "$P/web-1.0.tar.gz" "$WWW/"
SHA=$(sha256sum "$WWW/web-1.0.tar.gz" | cut -d' ' -f1)
recipe_pkg two "true" "$(good_recipe two)"
cp "$P/two-1.0.tar.gz" "$WWW/"
SHA2=$(sha256sum "$WWW/two-1.0.tar.gz" | cut -d' ' -f1)
cp "$WWW/web-1.0.tar.gz" "$MWWW/$SHA" # the mirror has web, not two
section() { printf '[%s]\nversion = 1.0\nurl = %s\nsha256 = %s\n' "$1" "$2" "$3"; }
recipe_pkg loc "true" "$(good_recipe loc)" # a local archive
LSHA=$(sha256sum "$P/loc-1.0.tar.gz" | cut -d' ' -f1)
section web "$O/web-1.0.tar.gz" "$SHA" >"$P/web.ini"
section two "$O/two-1.0.tar.gz" "$SHA2" >"$P/two.ini"
uninstall() { "$CENV_BIN" uninstall -e "$E" "$@" >/dev/null; }

# ---- a mirror that has the file: the origin is never asked --------------------------------------
forget
check "--mirror: installed" "$CENV_BIN" install --mirror "$M" -e "$E" -f "$P/web.ini"
check "--mirror: its file is installed" grep -qx "int ok;" "$E/include/web.h"
check_eq "--mirror: the mirror was asked for /sha256/<sha256>, once" "1 1" "$(asked mirror "/sha256/$SHA") $(all_asked mirror)"
check_eq "--mirror: the origin got no request" 0 "$(all_asked origin)"
check "--mirror: the cache holds it" cmp "$WWW/web-1.0.tar.gz" "$CACHE/sha256/${SHA:0:2}/$SHA"
check "--mirror: the sidecar names the mirror's url" grep -qx "url $M/sha256/$SHA" "$CACHE/sha256/${SHA:0:2}/$SHA.info"
check_eq "--mirror: the record keeps the entry's url" "url $O/web-1.0.tar.gz" "$(grep '^url ' "$E/var/cenv/records/web")"
uninstall web
forget
check "a mirror url with a path and a trailing /" "$CENV_BIN" install --mirror "$M/some/dir/" -e "$E" -f "$P/web.ini"
check_eq "... asked for MIRROR/sha256/<sha256>, no doubled /" 1 "$(asked mirror "/some/dir/sha256/$SHA")"
uninstall web

# ---- a mirror that 404s: the origin next ------------------------------------------------------------
forget
check "a mirror without the file: installed from the origin" "$CENV_BIN" install --mirror "$M" -e "$E" -f "$P/two.ini"
check_eq "... the mirror was asked first" 1 "$(asked mirror "/sha256/$SHA2")"
check_eq "... then the origin" 1 "$(asked origin /two-1.0.tar.gz)"
check "... the sidecar names the origin" grep -qx "url $O/two-1.0.tar.gz" "$CACHE/sha256/${SHA2:0:2}/$SHA2.info"
uninstall two

# two --mirror: every one, in the order given (the origin server is a mirror without it: a 404)
forget
check "two --mirror: installed" "$CENV_BIN" install --mirror "$O" --mirror="$M" -e "$E" -f "$P/web.ini"
check_eq "... the first asked, then the second" "1 1" "$(asked origin "/sha256/$SHA") $(asked mirror "/sha256/$SHA")"
check_eq "... and not the entry's own url" 0 "$(asked origin /web-1.0.tar.gz)"
uninstall web

# ---- --no-origin ------------------------------------------------------------------------------------
forget
before=$(state)
expect_fail "--no-origin, the mirror lacks it: fails naming the mirror's url" 1 \
	"^cenv: two: GET $M/sha256/$SHA2: HTTP 404 Not Found$" \
	"$CENV_BIN" install --no-origin --mirror "$M" -e "$E" -f "$P/two.ini"
check_eq "--no-origin: the origin got no request" 0 "$(all_asked origin)"
check_eq "--no-origin: environment unchanged" "$before" "$(state)"
CENV_NO_ORIGIN=1 expect_fail "CENV_NO_ORIGIN=1 is --no-origin" 1 "^cenv: two: GET $M/sha256/$SHA2: HTTP 404" \
	"$CENV_BIN" install --mirror "$M" -e "$E" -f "$P/two.ini"
check_eq "CENV_NO_ORIGIN=1: the origin got no request" 0 "$(all_asked origin)"
expect_fail "--no-origin and no mirror: said" 1 "^cenv: two: --no-origin, and no mirror to ask$" \
	"$CENV_BIN" install --no-origin -e "$E" -f "$P/two.ini"
check "--no-origin with the mirror having it: installed" "$CENV_BIN" install --no-origin --mirror "$M" -e "$E" -f "$P/web.ini"
uninstall web

# ---- CENV_MIRRORS, [cenv] mirrors, and the order -------------------------------------------------------
forget
CENV_MIRRORS="  $O   $M " check "CENV_MIRRORS: installed" "$CENV_BIN" install -e "$E" -f "$P/web.ini"
check_eq "CENV_MIRRORS: both asked in order, not the origin's url" "1 1 0" \
	"$(asked origin "/sha256/$SHA") $(asked mirror "/sha256/$SHA") $(asked origin /web-1.0.tar.gz)"
uninstall web
forget
{ printf '[cenv]\nmirrors = %s\n\n' "$M"; cat "$P/web.ini"; } >"$P/mirrored.ini"
check "[cenv] mirrors: installed" "$CENV_BIN" install -e "$E" -f "$P/mirrored.ini"
check_eq "[cenv] mirrors: the mirror served it, the origin got no request" "1 0" \
	"$(asked mirror "/sha256/$SHA") $(all_asked origin)"
uninstall web
# the order: --mirror, then CENV_MIRRORS, then the manifest's (each a 404 but the last)
forget
{ printf '[cenv]\nmirrors = %s/m3\n\n' "$M"; cat "$P/two.ini"; } >"$P/order.ini"
CENV_MIRRORS="$M/m2" expect_fail "the order of the mirrors: command line, CENV_MIRRORS, manifest" 1 \
	"^cenv: two: every source failed: GET $M/m1/sha256/$SHA2: HTTP 404 Not Found; GET $M/m2/sha256/$SHA2: HTTP 404 Not Found; GET $M/m3/sha256/$SHA2: HTTP 404 Not Found$" \
	"$CENV_BIN" install --no-origin --mirror "$M/m1" -e "$E" -f "$P/order.ini"
CENV_MIRRORS="ftp://x" expect_fail "CENV_MIRRORS with a word that is no http(s) url" 1 \
	"^cenv: CENV_MIRRORS: a mirror must be an http:// or https:// url with a host: 'ftp://x'$" \
	"$CENV_BIN" install -e "$E" -f "$P/web.ini"
expect_fail "--mirror with no http(s) url: a usage error" 2 "a mirror must be an http:// or https:// url with a host: '/srv/m'" \
	"$CENV_BIN" install --mirror /srv/m -e "$E" -f "$P/web.ini"

# ---- several urls in one entry ------------------------------------------------------------------------
forget
section web "$O/missing.tar.gz $O/web-1.0.tar.gz" "$SHA" >"$P/urls.ini"
check "two urls, the first a 404: installed from the second" "$CENV_BIN" install -e "$E" -f "$P/urls.ini"
check_eq "... each asked once, in order" "1 1" "$(asked origin /missing.tar.gz) $(asked origin /web-1.0.tar.gz)"
check_eq "... the record keeps the whole value" "url $O/missing.tar.gz $O/web-1.0.tar.gz" "$(grep '^url ' "$E/var/cenv/records/web")"
"$CENV_BIN" freeze -e "$E" >"$SCRATCH/frozen.ini"
check "... freeze writes it back" grep -qx "url = $O/missing.tar.gz $O/web-1.0.tar.gz" "$SCRATCH/frozen.ini"
check_eq "... and it is up to date after" "1 package up to date in $E" "$("$CENV_BIN" install -e "$E" -f "$P/urls.ini")"
uninstall web
forget
section web "$O/wrong/web-1.0.tar.gz $O/web-1.0.tar.gz" "$SHA" >"$P/urls.ini"
check "two urls, the first gives wrong bytes: installed from the second" "$CENV_BIN" install -e "$E" -f "$P/urls.ini"
check_eq "... each asked once" "1 1" "$(asked origin /wrong/web-1.0.tar.gz) $(asked origin /web-1.0.tar.gz)"
uninstall web
forget
before=$(state)
section web "$O/a.tar.gz http://127.0.0.1:9/b.tar.gz $O/wrong/web-1.0.tar.gz" "$SHA" >"$P/urls.ini"
expect_fail "every url fails: one line naming each with its cause" 1 \
	"^cenv: web: every source failed: GET $O/a\.tar\.gz: HTTP 404 Not Found; GET http://127\.0\.0\.1:9/b\.tar\.gz: [^;]*; checksum mismatch for $O/wrong/web-1\.0\.tar\.gz: the manifest says $SHA, the download is [0-9a-f]{64}$" \
	"$CENV_BIN" install --retries 0 -e "$E" -f "$P/urls.ini"
check_eq "every url fails: environment unchanged, nothing cached" "$before" "$(state)$(ls "$CACHE/sha256" 2>/dev/null)"
# a local file of the list that exists is used, before any download
forget
section web "$O/web-1.0.tar.gz $P/nothere.tar.gz web-1.0.tar.gz" "$SHA" >"$P/local.ini"
check "a local url that exists, after a remote one: installed" "$CENV_BIN" install -e "$E" -f "$P/local.ini"
check_eq "... with no request at all" 0 "$(all_asked origin)"
check_eq "... recorded with its local paths made absolute" "url $O/web-1.0.tar.gz $P/nothere.tar.gz $P/web-1.0.tar.gz" \
	"$(grep '^url ' "$E/var/cenv/records/web")"
uninstall web
section web "$P/nothere.tar.gz $O/web-1.0.tar.gz" "$SHA" >"$P/local.ini"
check "a local url that does not exist, then a remote one: downloaded" "$CENV_BIN" install -e "$E" -f "$P/local.ini"
check_eq "... from the origin" 1 "$(asked origin /web-1.0.tar.gz)"
uninstall web

# ---- cenv fetch --------------------------------------------------------------------------------------
forget
kib() { awk -v n="$(wc -c <"$1")" 'BEGIN { printf "%.1f KiB", n / 1024 }'; }
{ cat "$P/web.ini"; echo; cat "$P/two.ini"; echo; section loc "loc-1.0.tar.gz" "$LSHA"; } >"$P/all.ini"
"$CENV_BIN" fetch -f "$P/all.ini" >"$SCRATCH/out" 2>"$SCRATCH/err" && st=0 || st=$?
check_eq "fetch: exit 0" 0 "$st"
check_eq "fetch: one line per package, downloaded or local" "web: downloaded from $O/web-1.0.tar.gz ($(kib "$WWW/web-1.0.tar.gz"))
two: downloaded from $O/two-1.0.tar.gz ($(kib "$WWW/two-1.0.tar.gz"))
loc: local file $P/loc-1.0.tar.gz ($(kib "$P/loc-1.0.tar.gz"))" "$(cat "$SCRATCH/out")"
check "fetch: both are in the cache" cmp "$WWW/two-1.0.tar.gz" "$CACHE/sha256/${SHA2:0:2}/$SHA2"
check_eq "fetch: no environment was touched" "" "$(ls "$E/include")"
check_eq "fetch again: cached, no request" "web: cached ($(kib "$WWW/web-1.0.tar.gz"))
two: cached ($(kib "$WWW/two-1.0.tar.gz"))
loc: local file $P/loc-1.0.tar.gz ($(kib "$P/loc-1.0.tar.gz"))
2" "$("$CENV_BIN" fetch -f "$P/all.ini"; all_asked origin)"
check "fetch with --mirror: from the mirror" sh -c 'rm -rf "$1/sha256" && "$2" fetch --mirror "$3" -f "$4" | grep -qx "web: downloaded from $3/sha256/$5 (.*)"' \
	sh "$CACHE" "$CENV_BIN" "$M" "$P/web.ini" "$SHA"
"$CENV_BIN" fetch -f "$P/all.ini" >/dev/null
stop origin
stop mirror
before=$(state)
check "fetch, then the servers stopped: install --offline works" "$CENV_BIN" install --offline -e "$E" -f "$P/all.ini"
check "... every package installed" test -f "$E/include/web.h" -a -f "$E/include/two.h" -a -f "$E/include/loc.h"
uninstall web two loc
rm -f "$CACHE/sha256/${SHA2:0:2}/$SHA2"
"$CENV_BIN" fetch --offline -f "$P/all.ini" >"$SCRATCH/out" 2>"$SCRATCH/err" && st=0 || st=$?
check_eq "fetch --offline, one missing: exit 1" 1 "$st"
check_eq "fetch --offline: the missing one is named, with the count" "cenv: two: $O/two-1.0.tar.gz (sha256 $SHA2) is not in the download cache, and --offline forbids downloading it
cenv: 1 of 3 archives not in the download cache (--offline)" "$(cat "$SCRATCH/err")"
check_eq "fetch --offline: the others are reported cached" "web: cached ($(kib "$WWW/web-1.0.tar.gz"))
loc: local file $P/loc-1.0.tar.gz ($(kib "$P/loc-1.0.tar.gz"))" "$(cat "$SCRATCH/out")"

# bad sha256s: a download and a local file, each named; the rest still fetched
start origin "$WWW"
O=$origin_URL
forget
BAD=0000000000000000000000000000000000000000000000000000000000000000
{ section bad "$O/web-1.0.tar.gz" "$BAD"; echo; section badloc "web-1.0.tar.gz" "$BAD"; echo; section two "$O/two-1.0.tar.gz" "$SHA2"; } >"$P/bad.ini"
"$CENV_BIN" fetch -f "$P/bad.ini" >"$SCRATCH/out" 2>"$SCRATCH/err" && st=0 || st=$?
check_eq "fetch, bad sha256s: exit 1" 1 "$st"
check_eq "fetch, bad sha256s: each named" "cenv: bad: checksum mismatch for $O/web-1.0.tar.gz: the manifest says $BAD, the download is $SHA
cenv: badloc: checksum mismatch for '$P/web-1.0.tar.gz': the manifest says $BAD, the file is $SHA
cenv: 2 of 3 archives could not be had" "$(cat "$SCRATCH/err")"
check_eq "fetch, bad sha256s: the good one still fetched" "two: downloaded from $O/two-1.0.tar.gz ($(kib "$WWW/two-1.0.tar.gz"))" "$(cat "$SCRATCH/out")"
check_eq "fetch, bad sha256s: the wrong file is not cached" "" "$(ls "$CACHE/sha256/${SHA:0:2}" 2>/dev/null | grep "$SHA")"
expect_fail "fetch takes no operand" 2 "unexpected operand 'x'" "$CENV_BIN" fetch x
expect_fail "fetch of a manifest that is not there" 1 "nothere.ini" "$CENV_BIN" fetch -f "$P/nothere.ini"
finish
