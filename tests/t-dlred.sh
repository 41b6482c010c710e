# t-dlred.sh - red-team checks on the downloading commands (issue 10): each check failed on the
# binary of commit 90f6b41 (see the dlred report).  Servers: tests/httpd.py on 127.0.0.1 only.
. "$(dirname "$0")/lib.sh"
plan 6

export XDG_CACHE_HOME="$TMP_ROOT/cache"
CACHE="$XDG_CACHE_HOME/cenv/downloads"
WWW="$TMP_ROOT/www"
mkdir -p "$WWW" "$TMP_ROOT/src/pkg-1.0" "$TMP_ROOT/add"
printf 'all:\n' >"$TMP_ROOT/src/pkg-1.0/Makefile"
tar -czf "$WWW/pkg-1.0.tar.gz" -C "$TMP_ROOT/src" pkg-1.0
SHA=$(sha256sum "$WWW/pkg-1.0.tar.gz" | cut -d' ' -f1)
ESC=$(printf '\033')

SERVER= LOCKER=
rm -f "$SCRATCH/port"
python3 "$TOP/tests/httpd.py" --port-file "$SCRATCH/port" --root "$WWW" &
SERVER=$!
for _ in $(seq 200); do [ -s "$SCRATCH/port" ] && break; sleep 0.02; done
URL="http://127.0.0.1:$(cat "$SCRATCH/port")"
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; [ -n "$LOCKER" ] && kill "$LOCKER" 2>/dev/null;
	wait 2>/dev/null; chmod -R u+w "$TMP_ROOT" 2>/dev/null; rm -rf "$TMP_ROOT" "$SCRATCH"' EXIT

# 1. `cenv add URL`: the label taken from the URL's last part reaches the terminal raw
(cd "$TMP_ROOT/add" && "$CENV_BIN" add --no-install --name q "http://127.0.0.1:1/x/${ESC}]0;pwned$(printf '\007')${ESC}[2J" \
	>"$SCRATCH/out" 2>"$SCRATCH/err")
check "add: a URL with escape codes puts no ESC byte on stderr" sh -c '! grep -q "$(printf "\033")" "$1"' sh "$SCRATCH/err"
(cd "$TMP_ROOT/add" && "$CENV_BIN" add --no-install --name q "http://127.0.0.1:1/x/a
[inj]" >"$SCRATCH/out" 2>"$SCRATCH/err")
check_eq "add: a URL with a newline gives a one-line error" 1 "$(wc -l <"$SCRATCH/err")"

# 2. a neighbour holding locks/<sha256>: cenv waits silently (up to 15 min), --timeout or not
printf '[pkg]\nversion = 1.0\nurl = %s/pkg-1.0.tar.gz\nsha256 = %s\n' "$URL" "$SHA" >"$TMP_ROOT/m.ini"
mkdir -p "$CACHE/locks" "$CACHE/tmp" "$CACHE/sha256"
python3 -c 'import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644); fcntl.flock(fd, fcntl.LOCK_EX)
open(sys.argv[2], "w").close(); time.sleep(60)' "$CACHE/locks/$SHA" "$SCRATCH/locked" &
LOCKER=$!
for _ in $(seq 200); do [ -e "$SCRATCH/locked" ] && break; sleep 0.02; done
timeout 6 "$CENV_BIN" fetch -f "$TMP_ROOT/m.ini" --timeout 2 >"$SCRATCH/out" 2>"$SCRATCH/err"
check "a held download lock: cenv says it is waiting (within 6 s)" grep -qi "wait" "$SCRATCH/err"
kill "$LOCKER" 2>/dev/null; wait "$LOCKER" 2>/dev/null; LOCKER=
rm -f "$CACHE/locks/$SHA"

# 3. Retry-After: a server's 60 s per try is slept silently, however short --timeout is
printf '[pkg]\nversion = 1.0\nurl = %s/status/503-then-200/pkg-1.0.tar.gz?retry-after=999999\nsha256 = %s\n' \
	"$URL" "$SHA" >"$TMP_ROOT/r.ini"
start=$(date +%s)
timeout 30 "$CENV_BIN" fetch -q -f "$TMP_ROOT/r.ini" --timeout 2 >"$SCRATCH/out" 2>"$SCRATCH/err"
st=$?
check "Retry-After: 999999 does not hold cenv silently past 30 s" \
	sh -c '[ "$1" -ne 124 ] || grep -qi "retry\|wait" "$2"' sh "$st" "$SCRATCH/err"

# 4. `cache export` into the cache itself: accepted, and it plants files the cache never cleans
rm -rf "$CACHE"
"$CENV_BIN" fetch -q -f "$TMP_ROOT/m.ini" >/dev/null 2>&1 || fail "fetch for export"
"$CENV_BIN" cache export "$CACHE" >"$SCRATCH/out" 2>"$SCRATCH/err"
check_eq "cache export into the cache's own directory is refused (exit 1)" 1 "$?"
"$CENV_BIN" cache clean >/dev/null 2>&1
check_eq "... and after cache clean no archive is left under sha256/" "" \
	"$(find "$CACHE/sha256" -type f 2>/dev/null)"
