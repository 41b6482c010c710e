# t-fetch.sh - issue 10, first part: `cenv install` of packages whose url is http(s), through the
# download cache: downloaded once, verified, shared by environments, reused with the server gone,
# --offline, a corrupted cache file fetched again, and every failure naming the URL and leaving
# the environment as it was.  The server is tests/httpd.py on 127.0.0.1.
. "$(dirname "$0")/lib.sh"
plan 66
. "$(dirname "$0")/lib-install.sh"
. "$(dirname "$0")/lib-http.sh"

export XDG_CACHE_HOME="$TMP_ROOT/cache"
CACHE="$XDG_CACHE_HOME/cenv/downloads"
E="$TMP_ROOT/env"
E2="$TMP_ROOT/env2"
WWW="$TMP_ROOT/www"
mkdir -p "$WWW"
"$CENV_BIN" create "$E" >/dev/null || fail "create"
"$CENV_BIN" create "$E2" >/dev/null || fail "create 2"
state() { env_state "$E"; }

trap 'stop_server; chmod -R u+w "$TMP_ROOT" 2>/dev/null; rm -rf "$TMP_ROOT" "$SCRATCH"' EXIT
start_server

recipe_pkg web "true" "$(good_recipe web)"
cp "$P/web-1.0.tar.gz" "$WWW/"
SHA=$(sha256sum "$WWW/web-1.0.tar.gz" | cut -d' ' -f1)
section() { printf '[web]\nversion = 1.0\nurl = %s\nsha256 = %s\n' "$1" "${2:-$SHA}"; }

# ---- a download, cached and shared --------------------------------------------------------
section "$URL/web-1.0.tar.gz" >"$P/web.ini"
check "an http url installs" sh -c '"$1" install -e "$2" -f "$3" >"$4"' sh "$CENV_BIN" "$E" "$P/web.ini" "$SCRATCH/out1"
check "its file is installed" grep -qx "int ok;" "$E/include/web.h"
check "the download is said in one plain line" grep -qE "^web: downloaded [0-9.]+ (B|KiB) in [0-9.]+ s \([0-9.]+ (B|KiB|MiB)/s\) from $URL/web-1.0.tar.gz$" "$SCRATCH/out1"
check "... with no escape code (not a terminal)" sh -c '! grep -q "$(printf "\033")" "$1"' sh "$SCRATCH/out1"
check_eq "it was downloaded once" 1 "$(requests /web-1.0.tar.gz)"
check "the archive is in the cache under its sha256" cmp "$WWW/web-1.0.tar.gz" "$CACHE/sha256/${SHA:0:2}/$SHA"
check "its sidecar names the URL" grep -qx "url $URL/web-1.0.tar.gz" "$CACHE/sha256/${SHA:0:2}/$SHA.info"
check_eq "the record keeps the URL" "url $URL/web-1.0.tar.gz" "$(grep '^url ' "$E/var/cenv/records/web")"
check_eq "no .part is left" "" "$(ls "$CACHE/tmp")"
check "a second environment installs it" "$CENV_BIN" install -e "$E2" -f "$P/web.ini"
check_eq "... from the cache: no new request" 1 "$(requests /web-1.0.tar.gz)"
"$CENV_BIN" freeze -e "$E" >"$SCRATCH/frozen.ini"
check "freeze writes the http url" grep -qx "url = $URL/web-1.0.tar.gz" "$SCRATCH/frozen.ini"

# an unchanged manifest opens no connection, even with the server gone
stop_server
check "no-op install with the server gone" "$CENV_BIN" install -e "$E" -f "$P/web.ini"
check_eq "... says up to date" "1 package up to date in $E" "$("$CENV_BIN" install -e "$E" -f "$P/web.ini")"
# reinstall after uninstall: the cache serves it, no server needed
"$CENV_BIN" uninstall -e "$E" web >/dev/null
check "reinstall from the cache with the server gone" "$CENV_BIN" install -e "$E" -f "$P/web.ini"
"$CENV_BIN" uninstall -e "$E" web >/dev/null
check "--offline installs from the cache" "$CENV_BIN" install --offline -e "$E" -f "$P/web.ini"
"$CENV_BIN" uninstall -e "$E" web >/dev/null

# ---- offline, with an archive missing: nothing installed ------------------------------------
recipe_pkg web2 "true" "$(good_recipe web2)"
SHA2=$(sha256sum "$P/web2-1.0.tar.gz" | cut -d' ' -f1)
{ section "$URL/web-1.0.tar.gz"; printf '\n[web2]\nurl = %s/web2-1.0.tar.gz\nsha256 = %s\n' "$URL" "$SHA2"; } >"$P/two.ini"
before=$(state)
"$CENV_BIN" install --offline -e "$E" -f "$P/two.ini" >/dev/null 2>"$SCRATCH/err" && st=0 || st=$?
check_eq "--offline, one archive missing: exit 1" 1 "$st"
check_eq "--offline: the missing one is named with its URL and sha256, and nothing installed" \
	"cenv: web2: $URL/web2-1.0.tar.gz (sha256 $SHA2) is not in the download cache, and --offline forbids downloading it
cenv: nothing was installed: --offline, and archives are missing from the download cache" "$(cat "$SCRATCH/err")"
check_eq "--offline: environment unchanged (web, cached, not installed either)" "$before" "$(state)"
CENV_OFFLINE=1 "$CENV_BIN" install -e "$E" -f "$P/two.ini" >/dev/null 2>"$SCRATCH/err"
check "CENV_OFFLINE=1 is --offline" grep -q "forbids downloading it" "$SCRATCH/err"
check_eq "CENV_OFFLINE=1: environment unchanged" "$before" "$(state)"

# ---- failures name the URL and change nothing ------------------------------------------------
start_server
fails() { # NAME PATTERN URL [SHA [OPTION...]]: installing fails with one line matching PATTERN
	local name=$1 pattern=$2 url=$3 sha=${4:-$SHA} before
	shift 4 2>/dev/null || shift $#
	section "$url" "$sha" >"$P/bad.ini"
	rm -f "$CACHE/sha256/${sha:0:2}/$sha" # else the cache would serve it, whatever the URL
	before=$(state)
	expect_fail "$name" 1 "$pattern" "$CENV_BIN" install "$@" -e "$E" -f "$P/bad.ini"
	check_eq "$name: environment unchanged" "$before" "$(state)"
}
fails "404" "^cenv: web: GET $URL/missing\.tar\.gz: HTTP 404 Not Found$" "$URL/missing.tar.gz"
check_eq "404: asked once (not retried)" 1 "$(requests /missing.tar.gz)"
fails "connection refused" "^cenv: web: GET http://127\.0\.0\.1:9/web-1\.0\.tar\.gz: .*(refused|connect)" "http://127.0.0.1:9/web-1.0.tar.gz" "$SHA" --retries 0
fails "wrong bytes" "^cenv: web: checksum mismatch for $URL/wrong/web-1\.0\.tar\.gz: the manifest says $SHA, the download is [0-9a-f]{64}$" "$URL/wrong/web-1.0.tar.gz"
check_eq "wrong bytes: asked once (not retried)" 1 "$(requests /wrong/web-1.0.tar.gz)"
check_eq "wrong bytes: nothing cached, no .part left" "" "$(ls "$CACHE/tmp"; ls "$CACHE/sha256" | grep -v "^${SHA:0:2}$")"
fails "credentials hidden" "^cenv: web: GET http://\*\*\*@127\.0\.0\.1:[0-9]+/status/404/web-1\.0\.tar\.gz: HTTP 404" \
	"http://alice:s3cret@127.0.0.1:${URL##*:}/status/404/web-1.0.tar.gz"
check "credentials hidden: the password is nowhere in the message" sh -c '! grep -q s3cret "$1"' sh "$SCRATCH/err"

# 503 then 200: retried, installed
section "$URL/status/503-then-200/web-1.0.tar.gz" >"$P/retry.ini"
rm -f "$CACHE/sha256/${SHA:0:2}/$SHA"
check "503 then 200: installed after a retry" "$CENV_BIN" install -e "$E" -f "$P/retry.ini"
check_eq "503 then 200: two requests" 2 "$(requests /status/503-then-200/web-1.0.tar.gz)"
"$CENV_BIN" uninstall -e "$E" web >/dev/null

# a corrupted cache file is found out, removed and fetched again
section "$URL/web-1.0.tar.gz" >"$P/web.ini"
printf 'rot' | dd of="$CACHE/sha256/${SHA:0:2}/$SHA" bs=1 seek=10 conv=notrunc 2>/dev/null
check "a corrupted cached archive: installed anyway" "$CENV_BIN" install -e "$E" -f "$P/web.ini"
check "... the cache holds the right bytes again" cmp "$WWW/web-1.0.tar.gz" "$CACHE/sha256/${SHA:0:2}/$SHA"
check_eq "... downloaded again" 2 "$(requests /web-1.0.tar.gz)"
"$CENV_BIN" uninstall -e "$E" web >/dev/null

# ---- two processes, one download; SIGKILL in the middle of one ---------------------------------
rm -f "$CACHE/sha256/${SHA:0:2}/$SHA"
recipe_pkg slow "true" "$(good_recipe slow)"
cp "$P/slow-1.0.tar.gz" "$WWW/"
SSHA=$(sha256sum "$WWW/slow-1.0.tar.gz" | cut -d' ' -f1)
printf '[slow]\nurl = %s/status/503-then-200/slow-1.0.tar.gz\nsha256 = %s\n' "$URL" "$SSHA" >"$P/slow.ini"
"$CENV_BIN" install -e "$E" -f "$P/slow.ini" >/dev/null 2>"$SCRATCH/a.err" &
A=$!
"$CENV_BIN" install -e "$E2" -f "$P/slow.ini" >/dev/null 2>"$SCRATCH/b.err" &
B=$!
wait $A && wait $B && st=0 || st=$?
check_eq "two processes fetching one URL at once: both install" 0 "$st"
check_eq "... with one download between them (a 503, then one 200)" 2 "$(requests /status/503-then-200/slow-1.0.tar.gz)"
check "... the cached file is whole" cmp "$WWW/slow-1.0.tar.gz" "$CACHE/sha256/${SSHA:0:2}/$SSHA"
"$CENV_BIN" uninstall -e "$E" slow >/dev/null
rm -f "$CACHE/sha256/${SHA:0:2}/$SHA"
section "$URL/stall/web-1.0.tar.gz" >"$P/stall.ini"
before=$(state)
"$CENV_BIN" install -e "$E" -f "$P/stall.ini" >/dev/null 2>&1 &
K=$!
for _ in $(seq 200); do [ "$(requests /stall/web-1.0.tar.gz)" -ge 1 ] && break; sleep 0.02; done
sleep 0.2
kill -KILL $K
wait $K 2>/dev/null
check_eq "SIGKILL during a download: environment unchanged" "$before" "$(state)"
section "$URL/web-1.0.tar.gz" >"$P/web.ini"
check "... then a clean install" "$CENV_BIN" install -e "$E" -f "$P/web.ini"
check_eq "... which removed the killed one's .part" "" "$(ls "$CACHE/tmp")"
"$CENV_BIN" uninstall -e "$E" web >/dev/null

# ---- `cenv install URL`: name and version from the archive, its digest as it comes -------------
check "install URL" "$CENV_BIN" install -e "$E" "$URL/web-1.0.tar.gz"
check_eq "install URL: the record has the URL and the digest" "url $URL/web-1.0.tar.gz
sha256 $SHA" "$(grep -E '^(url|sha256) ' "$E/var/cenv/records/web")"
"$CENV_BIN" uninstall -e "$E" web >/dev/null

# ---- credentials from a netrc file; HTTPS verified against a CA the test makes -----------------
rm -f "$CACHE/sha256/${SHA:0:2}/$SHA"
section "$URL/auth/web-1.0.tar.gz" >"$P/auth.ini"
before=$(state)
NETRC=/dev/null "$CENV_BIN" install -e "$E" -f "$P/auth.ini" >/dev/null 2>"$SCRATCH/err"
check "Basic auth without credentials: HTTP 401, named" grep -q "^cenv: web: GET $URL/auth/web-1.0.tar.gz: HTTP 401" "$SCRATCH/err"
check_eq "... environment unchanged" "$before" "$(state)"
printf 'machine 127.0.0.1 login user password pass\n' >"$SCRATCH/netrc"
check "Basic auth with NETRC: installs" env NETRC="$SCRATCH/netrc" "$CENV_BIN" install -e "$E" -f "$P/auth.ini"
"$CENV_BIN" uninstall -e "$E" web >/dev/null
mkdir -p "$SCRATCH/ca"
(cd "$SCRATCH/ca" &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=cenv-test-CA \
		-keyout ca.key -out ca.pem -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=127.0.0.1 -keyout server.key -out server.csr &&
	printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >server.ext &&
	openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext -out server.pem) \
	>"$SCRATCH/openssl.log" 2>&1 || fail "the test CA (openssl)" "$(cat "$SCRATCH/openssl.log")"
python3 "$TOP/tests/httpd.py" --port-file "$SCRATCH/tport" --root "$WWW" --tls "$SCRATCH/ca/server.pem" "$SCRATCH/ca/server.key" &
TLS=$!
for _ in $(seq 200); do [ -s "$SCRATCH/tport" ] && break; sleep 0.02; done
TURL="https://127.0.0.1:$(cat "$SCRATCH/tport")"
rm -f "$CACHE/sha256/${SHA:0:2}/$SHA"
section "$TURL/web-1.0.tar.gz" >"$P/tls.ini"
before=$(state)
env -u CURL_CA_BUNDLE -u SSL_CERT_FILE "$CENV_BIN" install --retries 0 -e "$E" -f "$P/tls.ini" >/dev/null 2>"$SCRATCH/err"
check "HTTPS with an unknown CA: refused, naming the URL" grep -q "^cenv: web: GET $TURL/web-1.0.tar.gz: .*certificate" "$SCRATCH/err"
check_eq "... environment unchanged" "$before" "$(state)"
check "HTTPS with CURL_CA_BUNDLE naming the CA: installs" env CURL_CA_BUNDLE="$SCRATCH/ca/ca.pem" "$CENV_BIN" install -e "$E" -f "$P/tls.ini"
kill $TLS 2>/dev/null
wait $TLS 2>/dev/null
"$CENV_BIN" uninstall -e "$E" web >/dev/null

# ---- on a terminal, a slow download shows a bar redrawn in place; --quiet shows none ------------
# (a server of the test's own that sends the archive in 20 pieces, 40 ms apart)
python3 - "$WWW/web-1.0.tar.gz" "$SCRATCH/sport" <<'PY' &
import http.server, os, sys, time
data = open(sys.argv[1], "rb").read()
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        step = len(data) // 20 + 1
        for i in range(0, len(data), step):
            self.wfile.write(data[i:i + step]); self.wfile.flush(); time.sleep(0.04)
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[2] + ".tmp", "w").write(str(s.server_port)); os.rename(sys.argv[2] + ".tmp", sys.argv[2])
s.serve_forever()
PY
SLOW=$!
for _ in $(seq 200); do [ -s "$SCRATCH/sport" ] && break; sleep 0.02; done
section "http://127.0.0.1:$(cat "$SCRATCH/sport")/web-1.0.tar.gz" >"$P/slowweb.ini"
rm -f "$CACHE/sha256/${SHA:0:2}/$SHA"
# cenv install: the live block's download line (bytes / total and a bar), in tests/pty.py (200
# columns: the summary line with its URL does not wrap)
ESC=$(printf '\033')
python3 "$TOP/tests/pty.py" 200 "$SCRATCH/tty" "$CENV_BIN" install -e "$E" -f "$P/slowweb.ini"
# every line drawn, one per (re)draw, escape codes dropped; what a terminal shows at the end
tr '\r' '\n' <"$SCRATCH/tty" | sed "s/$ESC\[[0-9;?]*[A-Za-z]//g" | grep -av '^$' >"$SCRATCH/drawn"
python3 "$TOP/tests/termcheck.py" 200 24 "$SCRATCH/tty" >"$SCRATCH/term"
size=$(stat -c %s "$WWW/web-1.0.tar.gz")
check "a terminal: the download line drawn and redrawn in place, its bytes growing to the total" bash -c '
	lines=$(grep -E "^web  downloading  [0-9.]+ (B|KiB) / $1 B \[[=> ]+\]\$" "$2" | sort -u | wc -l)
	[ "$lines" -ge 2 ] && grep -qx "tallest: 2" "$3" && grep -qx "clamped: 0" "$3"' sh "$size" "$SCRATCH/drawn" "$SCRATCH/term"
check_eq "a terminal: the block cleared, then the summary line and the installed line; the cursor shown" \
	"cursor: shown
web: downloaded $size B in
web 1.0: installed (make, 1 file, 0.0 KiB)" \
	"$(grep '^cursor:' "$SCRATCH/term"; sed '1,/^screen:$/d' "$SCRATCH/term" | untimed | sed 's/ in .*/ in/')"
"$CENV_BIN" uninstall -e "$E" web >/dev/null
rm -f "$CACHE/sha256/${SHA:0:2}/$SHA"
script -qec "\"$CENV_BIN\" install -q -e \"$E\" -f \"$P/slowweb.ini\"" /dev/null >"$SCRATCH/tty" 2>&1
check "a terminal with --quiet: no bar" sh -c '! grep -q "\[[=> ]*\]" "$1"' sh "$SCRATCH/tty"
check "a terminal with --quiet: the summary line still, alone" grep -q "^web: downloaded" "$SCRATCH/tty"
"$CENV_BIN" uninstall -e "$E" web >/dev/null
rm -f "$CACHE/sha256/${SHA:0:2}/$SHA"
"$CENV_BIN" install -e "$E" -f "$P/slowweb.ini" >"$SCRATCH/pipe" 2>&1
check "a pipe: the same slow download, no escape code at all" sh -c '! grep -q "$(printf "\033")" "$1" && grep -q "^web: downloaded" "$1"' sh "$SCRATCH/pipe"
kill $SLOW 2>/dev/null
wait $SLOW 2>/dev/null
"$CENV_BIN" uninstall -e "$E" web >/dev/null

# ---- the test server's /delay/ mode (the parallel benchmark's): 4 requests at once, each late ----
python3 - "$URL/delay/500/web-1.0.tar.gz" "$SCRATCH/delayed" >"$SCRATCH/delay.out" <<'PY'
import sys, threading, time, urllib.request
def get(i):
    t = time.monotonic()
    body = urllib.request.urlopen(sys.argv[1] + "?t=%d" % i, timeout=30).read()
    open("%s.%d" % (sys.argv[2], i), "wb").write(body)
    took[i] = time.monotonic() - t
took = [0.0] * 4
t0 = time.monotonic()
th = [threading.Thread(target=get, args=(i,)) for i in range(4)]
for t in th: t.start()
for t in th: t.join()
print("%d %d" % (min(took) * 1000, (time.monotonic() - t0) * 1000))
PY
read -r dmin dall <"$SCRATCH/delay.out" || true
check "a /delay/500/ request is answered no sooner than 500 ms" test "${dmin:-0}" -ge 500
check "... with the file, whole" sh -c 'for i in 0 1 2 3; do cmp "$1" "$2.$i" || exit 1; done' sh "$WWW/web-1.0.tar.gz" "$SCRATCH/delayed"
check "... 4 at once wait side by side (all done in under 1.9 s, not 2 s)" test "${dall:-9999}" -lt 1900

# ---- options -----------------------------------------------------------------------------------
expect_fail "--timeout 0 is a usage error" 2 "'0' is not a number of seconds from 1 to 86400" \
	"$CENV_BIN" install --timeout 0 -e "$E" -f "$P/web.ini"
expect_fail "--retries x is a usage error" 2 "'x' is not a number of retries from 0 to 100" \
	"$CENV_BIN" install --retries x -e "$E" -f "$P/web.ini"
# a stall with a short --timeout, not retried
rm -f "$CACHE/sha256/${SHA:0:2}/$SHA"
fails "a stall with --timeout 1" "^cenv: web: GET $URL/stall/web-1\.0\.tar\.gz: no data for 1 s$" "$URL/stall/web-1.0.tar.gz" "$SHA" --timeout 1 --retries 0
# a body over --max-size
fails "a body over --max-size" "^cenv: web: GET $URL/web-1\.0\.tar\.gz: the body is larger than the limit" "$URL/web-1.0.tar.gz" "$SHA" --max-size 100
finish
