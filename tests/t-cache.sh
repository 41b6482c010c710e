# t-cache.sh - issue 10: `cenv cache list|clean|dir|export`.  The cache is filled by `cenv install`
# from tests/httpd.py on 127.0.0.1 (as t-fetch.sh does); the exported mirror is served by a plain
# static server (python3 -m http.server on 127.0.0.1) and installed from.
. "$(dirname "$0")/lib.sh"
plan 59
. "$(dirname "$0")/lib-install.sh"
. "$(dirname "$0")/lib-http.sh"

export XDG_CACHE_HOME="$TMP_ROOT/cache"
export TZ=UTC
CACHE="$XDG_CACHE_HOME/cenv/downloads"
E="$TMP_ROOT/env"
WWW="$TMP_ROOT/www"
M="$TMP_ROOT/mirror"
mkdir -p "$WWW"
"$CENV_BIN" create "$E" >/dev/null || fail "create"

SERVER= MSERVER=
# the mirror: any static web server over the exported directory
start_mirror() {
	: >"$SCRATCH/mirror.log"
	python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$M" >"$SCRATCH/mirror.log" 2>&1 &
	MSERVER=$!
	for _ in $(seq 200); do grep -q ' port [0-9]' "$SCRATCH/mirror.log" && break; sleep 0.02; done
	MURL="http://127.0.0.1:$(sed -n 's/.* port \([0-9]*\).*/\1/p' "$SCRATCH/mirror.log" | head -1)"
}
stop() { [ -z "$1" ] || { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }; }
trap 'stop "$SERVER"; stop "$MSERVER"; chmod -R u+w "$TMP_ROOT" 2>/dev/null; rm -rf "$TMP_ROOT" "$SCRATCH"' EXIT
out() { "$CENV_BIN" cache "$@" 2>&1; }

# ---- an absent cache: nothing listed, nothing made --------------------------------------------
check_eq "dir: the cache's root under XDG_CACHE_HOME" "$CACHE" "$(out dir)"
check_eq "dir: without XDG_CACHE_HOME, under HOME" "$TMP_ROOT/home/.cache/cenv/downloads" \
	"$(env -u XDG_CACHE_HOME HOME="$TMP_ROOT/home" "$CENV_BIN" cache dir)"
expect_fail "dir: neither set: an error" 1 "^cenv: cannot place the download cache" \
	env -u XDG_CACHE_HOME -u HOME "$CENV_BIN" cache dir
check_eq "list, absent cache: says so" "no archives in the download cache" "$(out list)"
"$CENV_BIN" cache list >/dev/null 2>&1 && st=0 || st=$?
check_eq "list, absent cache: exit 0" 0 "$st"
check_eq "list --json, absent cache: []" "[]" "$(out list --json)"
check_eq "clean, absent cache: nothing removed" "removed 0 archives, 0 B" "$(out clean)"
check_eq "... and no cache directory was made" "absent" "$(tree_state "$XDG_CACHE_HOME")"

# ---- usage errors ------------------------------------------------------------------------------
expect_fail "an unknown subcommand" 2 "^cenv: unknown cache command 'frobnicate' \(list, clean, dir or export\)$" \
	"$CENV_BIN" cache frobnicate
check "... with the usage" grep -qx "usage: cenv cache list \[--json\] | clean \[--older-than DAYS\] | dir | export DIR" "$SCRATCH/err"
expect_fail "no subcommand" 2 "^cenv: a cache command is missing" "$CENV_BIN" cache
expect_fail "export without DIR" 2 "^cenv: cache export: the directory to export to is missing$" "$CENV_BIN" cache export
expect_fail "--json with clean" 2 "^cenv: --json goes with cache list only$" "$CENV_BIN" cache clean --json
expect_fail "--older-than with list" 2 "^cenv: --older-than goes with cache clean only$" "$CENV_BIN" cache list --older-than 3
expect_fail "--older-than not a number" 2 "^cenv: '3d' is not a number of days" "$CENV_BIN" cache clean --older-than 3d
expect_fail "an operand too many" 2 "^cenv: unexpected operand 'x'$" "$CENV_BIN" cache dir x
check_eq "usage errors made no cache either" "absent" "$(tree_state "$XDG_CACHE_HOME")"

# ---- fill the cache: two archives over http --------------------------------------------------------
start_server
recipe_pkg web "true" "$(good_recipe web)"
recipe_pkg web2 "true" "$(good_recipe web2)"
cp "$P/web-1.0.tar.gz" "$P/web2-1.0.tar.gz" "$WWW/"
SHA=$(sha256sum "$WWW/web-1.0.tar.gz" | cut -d' ' -f1)
SHA2=$(sha256sum "$WWW/web2-1.0.tar.gz" | cut -d' ' -f1)
printf '[web]\nurl = %s/web-1.0.tar.gz\nsha256 = %s\n\n[web2]\nurl = %s/web2-1.0.tar.gz\nsha256 = %s\n' \
	"$URL" "$SHA" "$URL" "$SHA2" >"$P/two.ini"
check "install fills the cache" sh -c '"$1" install -e "$2" -f "$3" >/dev/null' sh "$CENV_BIN" "$E" "$P/two.ini"
stop "$SERVER"
SERVER=

f() { printf '%s/sha256/%s/%s' "$CACHE" "${1:0:2}" "$1"; }
used() { sed -n 's/^used //p' "$(f "$1").info"; }
size() { stat -c %s "$(f "$1")"; }
human() { # bytes as the test writes them: B below 1 KiB, else KiB with one decimal (awk's rounding)
	if [ "$1" -lt 1024 ]; then echo "$1 B"; else awk -v b="$1" 'BEGIN { printf "%.1f KiB\n", b / 1024 }'; fi
}
row() { printf '%-64s %10s  %-16s  %s\n' "$1" "$(human "$(size "$1")")" "$(date -u -d "@$(used "$1")" '+%Y-%m-%d %H:%M')" "$2"; }
{
	printf '%-64s %10s  %-16s  %s\n' SHA256 SIZE "LAST USE" URL
	for h in $(printf '%s\n' "$SHA" "$SHA2" | LC_ALL=C sort); do
		[ "$h" = "$SHA" ] && row "$h" "$URL/web-1.0.tar.gz" || row "$h" "$URL/web2-1.0.tar.gz"
	done
	echo "2 archives, $(human $(($(size "$SHA") + $(size "$SHA2"))))"
} >"$SCRATCH/want.list"
out list >"$SCRATCH/got.list"
check_file_eq "list: one row per archive in hash order (size, last use, URL), then the total" \
	"$SCRATCH/want.list" "$SCRATCH/got.list"

out list --json >"$SCRATCH/list.json"
check "list --json is JSON" python3 -m json.tool "$SCRATCH/list.json" >/dev/null
check_eq "list --json: the documented shape, values as the cache holds them" \
	"$(for h in $(printf '%s\n' "$SHA" "$SHA2" | LC_ALL=C sort); do
		[ "$h" = "$SHA" ] && u="$URL/web-1.0.tar.gz" || u="$URL/web2-1.0.tar.gz"
		printf '%s %s %s %s %s %s\n' "$h" "$(size "$h")" "$(used "$h")" "$(date -u -d "@$(used "$h")" '+%Y-%m-%dT%H:%M:%SZ')" "$u" "$(f "$h")"
	done)" \
	"$(python3 -c '
import json, sys
for o in json.load(open(sys.argv[1])):
    assert sorted(o) == ["bytes", "last_use", "last_use_utc", "path", "sha256", "url"], sorted(o)
    assert isinstance(o["bytes"], int) and isinstance(o["last_use"], int)
    print(o["sha256"], o["bytes"], o["last_use"], o["last_use_utc"], o["url"], o["path"])' "$SCRATCH/list.json" 2>&1)"
check_eq "list did not count as a use" "$(used "$SHA")" "$(sed -n 's/^used //p' "$(f "$SHA").info")"

# ---- export: the mirror layout, linked, verified, idempotent ----------------------------------------
check_eq "export: says how many" "exported 2 archives to $M" "$(out export "$M")"
check_eq "export: DIR/sha256/<sha256>, flat, nothing else" "$(printf '%s\n' "$SHA" "$SHA2" | LC_ALL=C sort)" \
	"$(cd "$M" && find . -mindepth 1 | LC_ALL=C sort | sed -n 's|^\./sha256/||p'; cd "$M" && find . -mindepth 1 ! -path './sha256*')"
check_eq "export: each file's bytes hash to its name" "$SHA" "$(sha256sum "$M/sha256/$SHA" | cut -d' ' -f1)"
check "export: the bytes are the served archive's" cmp "$WWW/web2-1.0.tar.gz" "$M/sha256/$SHA2"
check_eq "export: hard-linked to the cache (same file system)" "$(stat -c %i "$(f "$SHA")")" "$(stat -c %i "$M/sha256/$SHA")"
check_eq "export: mode 0644" "644" "$(stat -c %a "$M/sha256/$SHA")"
before=$(tree_state "$M"; stat -c '%i %Y' "$M/sha256/"*)
check_eq "a second export writes nothing" "exported 0 archives to $M, 2 already there" "$(out export "$M")"
check_eq "... and the mirror is as it was" "$before" "$(tree_state "$M"; stat -c '%i %Y' "$M/sha256/"*)"

# an identical copy (not a link) is left; a wrong file and a symlink in its place are replaced
M2="$TMP_ROOT/mirror2"
mkdir -p "$M2/sha256"
cp "$WWW/web-1.0.tar.gz" "$M2/sha256/$SHA"
ino=$(stat -c %i "$M2/sha256/$SHA")
echo "not the archive" >"$TMP_ROOT/elsewhere"
ln -s "$TMP_ROOT/elsewhere" "$M2/sha256/$SHA2"
check_eq "export over an identical copy and a symlink" "exported 1 archive to $M2, 1 already there" "$(out export "$M2")"
check_eq "... the identical copy is left as it was" "$ino" "$(stat -c %i "$M2/sha256/$SHA")"
check "... the symlink is replaced by the archive" sh -c '[ ! -L "$1" ] && cmp -s "$1" "$2"' sh "$M2/sha256/$SHA2" "$WWW/web2-1.0.tar.gz"
check_eq "... its target untouched" "not the archive" "$(cat "$TMP_ROOT/elsewhere")"
printf 'garbage' >"$M2/sha256/$SHA"
check_eq "a wrong file there is replaced" "exported 1 archive to $M2, 1 already there" "$(out export "$M2")"
check "... by the right bytes" cmp "$WWW/web-1.0.tar.gz" "$M2/sha256/$SHA"
check_eq "... and no temporary file is left" "2" "$(ls -A "$M2/sha256" | wc -l)"

# DIR/sha256 a symlink: refused, never followed
M3="$TMP_ROOT/mirror3"
mkdir -p "$M3" "$TMP_ROOT/target"
ln -s "$TMP_ROOT/target" "$M3/sha256"
expect_fail "export: DIR/sha256 a symlink is refused" 1 "^cenv: '$M3/sha256' is a symbolic link; cenv will not follow it$" \
	"$CENV_BIN" cache export "$M3"
check_eq "... nothing written through it" "" "$(ls -A "$TMP_ROOT/target")"

# another file system: copied, not linked
if [ -d /dev/shm ] && [ -w /dev/shm ] && [ "$(stat -c %d /dev/shm)" != "$(stat -c %d "$CACHE")" ]; then
	MS=$(mktemp -d /dev/shm/cenv-mirror.XXXXXX)
	check_eq "export to another file system" "exported 2 archives to $MS" "$(out export "$MS")"
	check "... copied: the right bytes" cmp "$WWW/web-1.0.tar.gz" "$MS/sha256/$SHA"
	check_eq "... in a file of its own" "1 0644" "$(stat -c '%h 0%a' "$MS/sha256/$SHA")"
	rm -rf "$MS"
else
	skip "export to another file system" "/dev/shm is not another writable file system"
	skip "... copied: the right bytes" "/dev/shm is not another writable file system"
	skip "... in a file of its own" "/dev/shm is not another writable file system"
fi

# ---- the exported directory on a web server is a mirror: install from it ------------------------------
start_mirror
E2="$TMP_ROOT/env2"
"$CENV_BIN" create "$E2" >/dev/null
printf '[web]\nversion = 1.0\nurl = %s/sha256/%s\nsha256 = %s\n' "$MURL" "$SHA" "$SHA" >"$P/mirror.ini"
XDG_CACHE_HOME="$TMP_ROOT/cache2" "$CENV_BIN" install -e "$E2" -f "$P/mirror.ini" >"$SCRATCH/out" 2>&1 && st=0 || st=$?
check_eq "install from the mirror's URL/sha256/<hash>" 0 "$st"
check "... installed the package" grep -qx "int ok;" "$E2/include/web.h"
check "... fetched from the mirror" grep -q "\"GET /sha256/$SHA HTTP/1.1\" 200" "$SCRATCH/mirror.log"
stop "$MSERVER"
MSERVER=

# ---- a corrupted cached archive is not exported -----------------------------------------------------
M4="$TMP_ROOT/mirror4"
cp "$(f "$SHA2")" "$SCRATCH/keep" && rm -f "$(f "$SHA2")" && cp "$SCRATCH/keep" "$(f "$SHA2")" # its own inode
printf 'rot' | dd of="$(f "$SHA2")" bs=1 seek=10 conv=notrunc 2>/dev/null
expect_fail "export: a corrupted cached archive is refused" 1 "^cenv: the cached archive '$(f "$SHA2")' is corrupted \(its bytes are [0-9a-f]{64}\); not exported$" \
	"$CENV_BIN" cache export "$M4"
check_eq "... the others are exported, it is not" "$SHA" "$(ls -A "$M4/sha256")"
check_eq "... and says so" "exported 1 archive to $M4" "$(cat "$SCRATCH/out")"
cp "$SCRATCH/keep" "$(f "$SHA2")"

# ---- clean --older-than: by the sidecar's last use, else the file's mtime -----------------------------
now=$(date +%s)
sed -i "s/^used .*/used $((now - 10 * 86400))/" "$(f "$SHA")".info
check_eq "clean --older-than 5: the one last used 10 days ago" "removed 1 archive, $(human "$(size "$SHA")")" "$(out clean --older-than 5)"
check "... it is gone, with its sidecar" sh -c '[ ! -e "$1" ] && [ ! -e "$1.info" ]' sh "$(f "$SHA")"
check_eq "... the other is kept" "$SHA2" "$("$CENV_BIN" cache list --json | python3 -c 'import json,sys; print(" ".join(o["sha256"] for o in json.load(sys.stdin)))')"
check_eq "clean --older-than 5 again: nothing that old" "removed 0 archives, 0 B" "$(out clean --older-than 5)"
rm "$(f "$SHA2").info"
touch -d "@$((now - 20 * 86400))" "$(f "$SHA2")"
check_eq "no sidecar: its mtime is its last use (kept by --older-than 30)" "removed 0 archives, 0 B" "$(out clean --older-than 30)"
check_eq "... removed by --older-than 19" "removed 1 archive, $(human "$(size "$SHA2")")" "$(out clean --older-than 19)"

# ---- clean: everything, but a download in progress ------------------------------------------------------
cp "$WWW/web-1.0.tar.gz" "$(f "$SHA")"
mkdir -p "$(dirname "$(f "$SHA2")")"
cp "$WWW/web2-1.0.tar.gz" "$(f "$SHA2")"
# the lock a download holds: a process of its own with the lock file open and flock()ed
(exec 9>>"$CACHE/locks/$SHA2" && flock 9 && exec sleep 30) &
HOLDER=$!
for _ in $(seq 100); do flock -n "$CACHE/locks/$SHA2" true 2>/dev/null || break; sleep 0.02; done
check_eq "clean: a download in progress is kept and said" \
	"kept $SHA2: a download of it is in progress
removed 1 archive, $(human "$(size "$SHA")"); kept 1 being downloaded" "$(out clean)"
check "... its file is still there" test -f "$(f "$SHA2")"
kill "$HOLDER" 2>/dev/null
wait "$HOLDER" 2>/dev/null
# an archive without a sidecar, over 1 KiB: its size in KiB, no URL, its mtime as its last use
head -c 5000 /dev/urandom >"$SCRATCH/big"
BIG=$(sha256sum "$SCRATCH/big" | cut -d' ' -f1)
mkdir -p "$(dirname "$(f "$BIG")")"
cp "$SCRATCH/big" "$(f "$BIG")"
touch -d "@$((now - 3 * 86400))" "$(f "$BIG")"
check_eq "list: no sidecar: no URL, the mtime as its last use, the size in KiB" \
	"$(printf '%-64s %10s  %-16s  %s' "$BIG" "4.9 KiB" "$(date -u -d "@$((now - 3 * 86400))" '+%Y-%m-%d %H:%M')" -)" \
	"$(out list | grep "^$BIG ")"
check_eq "clean: everything" "removed 2 archives, $(human $(($(size "$SHA2") + 5000)))" "$(out clean)"
check_eq "... the cache lists nothing" "no archives in the download cache" "$(out list)"
check_eq "... no archive file is left" "" "$(find "$CACHE/sha256" -type f)"
