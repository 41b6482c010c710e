# t-install.sh - cenv install with every build system, dependencies through pkg-config,
# a consumer built in the activated environment; no-op and changed re-installs, prune,
# uninstall, list, freeze, install PATH; SIGKILL at many points; two installs at once.
. "$(dirname "$0")/lib.sh"

MK="$TOP/tests/tools/mkarchive"
FIX="$TOP/tests/fixtures"
P="$TMP_ROOT/proj"
E="$TMP_ROOT/env"
mkdir -p "$P/src"

# pack FIXTURE NAME: $P/NAME-1.0.tar.gz from a copy of tests/fixtures/FIXTURE
pack() {
	rm -rf "$P/src/$2-1.0" && cp -R "$FIX/$1" "$P/src/$2-1.0" &&
		bsdtar -czf "$P/$2-1.0.tar.gz" -C "$P/src" "$2-1.0"
}
entry() { # NAME [KEY=VALUE...]: a manifest section for $P/NAME-1.0.tar.gz
	local name=$1 kv
	shift
	printf '[%s]\nversion = 1.0\nurl = %s-1.0.tar.gz\nsha256 = %s\n' "$name" "$name" \
		"$(sha256sum "$P/$name-1.0.tar.gz" | cut -d' ' -f1)"
	for kv in "$@"; do printf '%s = %s\n' "${kv%%=*}" "${kv#*=}"; done
	echo
}
env_state() { # the tree without cenv's own logs, lock and configuration times
	tree_state "$1" | grep -v -E '\./var/cenv/(logs|lock)|cenv\.cfg|bin/activate'
}

for f in configure-hand autotools cmake meson make prebuilt pcbase pcuser; do
	pack "$f" "$f" || fail "pack $f"
done
{
	entry pcuser depends=pcbase
	entry configure-hand
	entry autotools
	entry cmake
	entry meson build=meson
	entry make
	entry prebuilt
	entry pcbase
} >"$P/cenv.ini"

"$CENV_BIN" create "$E" >/dev/null || fail "create"
(cd "$P" && "$CENV_BIN" install -e "$E") >"$SCRATCH/install.out" 2>&1
check_eq "install of eight packages succeeds" 0 $?
check "pcbase is installed before pcuser" awk '/^pcbase/ { b = NR } /^pcuser/ { u = NR } END { exit !(b && u && b < u) }' "$SCRATCH/install.out"
"$CENV_BIN" list -e "$E" >"$SCRATCH/list"
for pair in configure-hand:autotools autotools:autotools cmake:cmake meson:meson make:make prebuilt:prebuilt pcbase:make pcuser:make; do
	check "list: ${pair%%:*} built with ${pair#*:}" grep -Eq "^${pair%%:*} +1.0 +${pair#*:} " "$SCRATCH/list"
done
check "libraries land in lib/, not a multiarch directory" test -e "$E/lib/libcenvfix_cmake.so" -a -e "$E/lib/libcenvfix_meson.so" -a ! -e "$E/lib/x86_64-linux-gnu"
check "prebuilt .pc prefix points into the environment" grep -qx "prefix=$E" "$E/lib/pkgconfig/cenvfix_prebuilt.pc"
check "installed libraries carry an rpath to the environment" bash -c 'readelf -d "$0/lib/libcenvuser.so.1" | grep -E "R(UN)?PATH" | grep -q "$0/lib"' "$E"
check_eq "a program installed by a package runs without LD_LIBRARY_PATH" 40 "$("$E/bin/cenvuser-demo")"
check "list --json" bash -c '"$0" list -e "$1" --json | python3 -c "import json, sys; d = json.load(sys.stdin); assert len(d) == 8 and all(p[\"files\"] > 0 for p in d)"' "$CENV_BIN" "$E"

# the consumer, built in the activated environment through pkg-config, runs after deactivate
cp -R "$FIX/consumer" "$P/consumer"
out=$(cd "$P/consumer" && env -i HOME="$TMP_ROOT" PATH=/usr/local/bin:/usr/bin:/bin E="$E" sh -euc '
	. "$E/bin/activate"
	make -s >/dev/null
	deactivate
	./cenvfix-consumer' 2>&1)
check_eq "consumer built with pkg-config in the environment runs after deactivate" \
	"hand autotools cmake meson make prebuilt 40" "$out"

# re-running with an unchanged manifest does nothing
before=$(env_state "$E")
out=$(cd "$P" && "$CENV_BIN" install -e "$E" 2>&1)
check_eq "no-op re-install says so" "8 packages up to date in $E" "$out"
check_eq "no-op re-install changes nothing" "$before" "$(env_state "$E")"

# a changed entry is reinstalled, with what depends on it
sed -i '/^\[pcbase\]/,/^$/s/^version = 1.0/version = 1.0-r1/' "$P/cenv.ini"
out=$(cd "$P" && "$CENV_BIN" install -e "$E" 2>&1)
check "changed entry reinstalled" grep -q "^pcbase 1.0-r1: installed" <<<"$out"
check "its dependents reinstalled" grep -q "^pcuser 1.0: installed" <<<"$out"
check_eq "nothing else reinstalled" 2 "$(grep -c 'installed' <<<"$out")"

# a change of depends alone is a change too
sed -i '/^\[cmake\]/,/^$/s/^version = 1.0$/version = 1.0\ndepends = prebuilt/' "$P/cenv.ini"
out=$(cd "$P" && "$CENV_BIN" install -e "$E" 2>&1)
check "a new dependency reinstalls the package" grep -q "^cmake 1.0: installed" <<<"$out"
check "freeze keeps the dependency" grep -q "^depends = prebuilt" <("$CENV_BIN" freeze -e "$E")

# [cenv] jobs sets the builds' parallelism
sed -i '1i [cenv]\njobs = 1\n' "$P/cenv.ini"
sed -i '/^\[make\]/,/^$/s/^version = 1.0$/version = 1.0-j1/' "$P/cenv.ini"
(cd "$P" && "$CENV_BIN" install -e "$E") >/dev/null 2>&1
check "[cenv] jobs = 1 builds with make -j1" grep -q -- "make -j1 " "$E/var/cenv/logs/make.log"

# a package no longer in the manifest is reported, --prune removes it
sed -i '/^\[make\]/,/^$/d' "$P/cenv.ini"
out=$(cd "$P" && "$CENV_BIN" install -e "$E" 2>&1)
check "a package not in the manifest is reported" grep -q "'make' is installed but not in cenv.ini" <<<"$out"
check "it stays until --prune" test -e "$E/include/cenvfix_make.h"
out=$(cd "$P" && "$CENV_BIN" install -e "$E" --prune 2>&1)
check "--prune removes it" test ! -e "$E/include/cenvfix_make.h"

# uninstall refuses what others need; --force overrides; empty directories go
expect_fail "uninstall refuses a package others depend on" 1 "cannot uninstall 'pcbase': 'pcuser' depends on it" "$CENV_BIN" uninstall -e "$E" pcbase
check "uninstall of both at once" bash -c '"$0" uninstall -e "$1" pcuser pcbase >/dev/null' "$CENV_BIN" "$E"
check "their files are gone" test ! -e "$E/lib/libcenvbase.so" -a ! -e "$E/include/cenvuser.h"
check "layout directories stay" test -d "$E/lib/pkgconfig" -a -d "$E/bin"
expect_fail "uninstall of something not installed" 1 "'nothing' is not installed" "$CENV_BIN" uninstall -e "$E" nothing
expect_fail "uninstall of a name given twice" 1 "'cmake' is named twice" "$CENV_BIN" uninstall -e "$E" cmake cmake
check "a refused uninstall removes nothing" test -e "$E/include/cenvfix_cmake.h"

# freeze gives a manifest that reinstalls exactly what is installed
mkdir -p "$TMP_ROOT/elsewhere"
(cd "$P" && "$CENV_BIN" freeze -e "$E") >"$TMP_ROOT/elsewhere/frozen.ini"
F="$TMP_ROOT/env2"
"$CENV_BIN" create "$F" >/dev/null
(cd "$TMP_ROOT/elsewhere" && "$CENV_BIN" install -e "$F" -f frozen.ini) >/dev/null 2>&1
# (sizes differ by the length of the prefix that .pc files and rpaths hold)
check_eq "freeze: a new environment from the frozen manifest, kept elsewhere, lists the same" \
	"$("$CENV_BIN" list -e "$E" | awk '{ print $1, $2, $3, $4 }')" "$("$CENV_BIN" list -e "$F" | awk '{ print $1, $2, $3, $4 }')"

# cenv install PATH: name and version from the archive's top directory
G="$TMP_ROOT/env3"
"$CENV_BIN" create "$G" >/dev/null
check "install PATH" bash -c '"$0" install -e "$1" "$2" >/dev/null' "$CENV_BIN" "$G" "$P/prebuilt-1.0.tar.gz"
check "install PATH: name and version from the top directory" grep -Eq '^prebuilt +1.0 +prebuilt ' <("$CENV_BIN" list -e "$G")
check_eq "freeze: the frozen manifest is up to date for the environment it came from" "5 packages up to date in $E" \
	"$(cd "$TMP_ROOT/elsewhere" && "$CENV_BIN" install -e "$E" -f frozen.ini 2>&1)"
check "install PATH: sha256 recorded" grep -q "sha256 = $(sha256sum "$P/prebuilt-1.0.tar.gz" | cut -d' ' -f1)" <("$CENV_BIN" freeze -e "$G")

# an archive without a top directory does not name a package
"$MK" "$P/bare.tar" tar 'f:Makefile:all:' 'd:include/'
expect_fail "install PATH of an archive without a top directory" 1 "cannot tell the package's name" "$CENV_BIN" install -e "$G" "$P/bare.tar"

# freeze refuses what a manifest cannot hold (inih reads " ;" as a comment)
mkdir -p "$P/d ;x"
"$MK" "$P/d ;x/semi-1.0.tar" tar 'd:semi-1.0/' 'd:semi-1.0/include/' 'f:semi-1.0/include/semi.h:int semi;'
"$CENV_BIN" install -e "$G" "$P/d ;x/semi-1.0.tar" >/dev/null
expect_fail "freeze refuses a url a manifest cannot hold" 1 "cannot freeze 'semi'" "$CENV_BIN" freeze -e "$G"
check_eq "freeze prints nothing then" "" "$(cat "$SCRATCH/out")"
"$CENV_BIN" uninstall -e "$G" semi >/dev/null
expect_fail "an empty -e is an error, not the active environment" 1 "the environment path given with -e is empty" env CENV="$G" "$CENV_BIN" list -e ""
expect_fail "an option without a value given one" 2 "option '--prune' takes no value" "$CENV_BIN" install -e "$G" --prune=1

# ---- SIGKILL at many points, then a second install ends as a clean install does ----
"$MK" "$P/ka.tar" tar 'd:ka-1.0/' 'd:ka-1.0/include/' 'd:ka-1.0/include/ka/' 'f:ka-1.0/include/ka/a.h:int a;' 'f:ka-1.0/include/ka/b.h:int b;' 'd:ka-1.0/lib/' 'f:ka-1.0/lib/ka.txt:a'
cat >"$P/slow.mk" <<'MK'
all:
	sleep 0.3
install:
	mkdir -p $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/share/doc/slow
	echo 'int slow;' > $(DESTDIR)$(PREFIX)/include/slow.h
	echo doc > $(DESTDIR)$(PREFIX)/share/doc/slow/README
MK
mkdir -p "$P/src/slow-1.0" && cp "$P/slow.mk" "$P/src/slow-1.0/Makefile" && bsdtar -cf "$P/slow.tar" -C "$P/src" slow-1.0
kill_manifest() {
	printf '[ka]\nurl = ka.tar\nsha256 = %s\nbuild = prebuilt\n\n[slow]\nurl = slow.tar\nsha256 = %s\ndepends = ka\n' \
		"$(sha256sum "$P/ka.tar" | cut -d' ' -f1)" "$(sha256sum "$P/slow.tar" | cut -d' ' -f1)" >"$P/kill.ini"
}
kill_manifest
K="$TMP_ROOT/kill"
"$CENV_BIN" create "$K" >/dev/null
(cd "$P" && "$CENV_BIN" install -e "$K" -f kill.ini) >/dev/null 2>&1 || fail "clean install for the SIGKILL tests"
clean=$(env_state "$K")
steps=0
for delay in 0.01 0.05 0.1 0.2 0.35 0.5; do
	"$CENV_BIN" create --clear "$K" >/dev/null
	(cd "$P" && exec "$CENV_BIN" install -e "$K" -f kill.ini) >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	(cd "$P" && "$CENV_BIN" install -e "$K" -f kill.ini) >/dev/null 2>"$SCRATCH/kill.err"
	check_eq "SIGKILL after ${delay}s, then install: same tree as a clean install" "$clean" "$(env_state "$K")"
	steps=$((steps + 1))
done
# crash_at K MANIFEST: install, killed by txn.c's test hook before its K-th change.
# (through sh, so that bash does not report the killed job)
crash_at() {
	sh -c 'cd "$1" && CENV_TEST_CRASH_AT=$2 "$3" install -e "$4" -f "$5"; exit 0' sh "$P" "$1" "$CENV_BIN" "$K" "$2" >/dev/null 2>&1
}
# inside the commit itself, at every file-system step (test hook of txn.c)
for k in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
	"$CENV_BIN" create --clear "$K" >/dev/null
	crash_at "$k" kill.ini
	(cd "$P" && "$CENV_BIN" install -e "$K" -f kill.ini) >/dev/null 2>&1
	check_eq "SIGKILL at commit step $k, then install: same tree as a clean install" "$clean" "$(env_state "$K")"
done
# and while replacing an installed version
"$MK" "$P/ka2.tar" tar 'd:ka-2.0/' 'd:ka-2.0/include/' 'd:ka-2.0/include/ka/' 'f:ka-2.0/include/ka/a.h:int a2;' 'f:ka-2.0/include/ka/c.h:int c;'
"$CENV_BIN" create --clear "$K" >/dev/null
(cd "$P" && "$CENV_BIN" install -e "$K" -f kill.ini) >/dev/null 2>&1
old=$(env_state "$K")
for k in 1 2 3 4 5 6 7 8 9 10 11 12; do
	sed -e "s/^url = ka.tar/url = ka2.tar/" -e "s/^sha256 = $(sha256sum "$P/ka.tar" | cut -d' ' -f1)/sha256 = $(sha256sum "$P/ka2.tar" | cut -d' ' -f1)/" "$P/kill.ini" >"$P/kill2.ini"
	crash_at "$k" kill2.ini
	(cd "$P" && "$CENV_BIN" list -e "$K") >/dev/null 2>&1 # any command recovers under the lock
	(cd "$P" && "$CENV_BIN" install -e "$K" -f kill.ini) >/dev/null 2>&1
	check_eq "SIGKILL at step $k of a replacement, then install: same tree as before" "$old" "$(env_state "$K")"
done

# an interrupted change is rolled back by list too, which says so
"$CENV_BIN" create --clear "$K" >/dev/null
crash_at 6 kill.ini
"$CENV_BIN" list -e "$K" >/dev/null 2>"$SCRATCH/list.err"
check "list rolls back an interrupted change and says so" grep -q "rolled back a change that was interrupted" "$SCRATCH/list.err"

# ---- two installs into one environment never interleave ----
C="$TMP_ROOT/conc"
"$CENV_BIN" create "$C" >/dev/null
(cd "$P" && "$CENV_BIN" install -e "$C" -f kill.ini) >"$SCRATCH/c1.out" 2>"$SCRATCH/c1.err" &
p1=$!
sleep 0.1
(cd "$P" && "$CENV_BIN" install -e "$C" -f kill.ini) >"$SCRATCH/c2.out" 2>"$SCRATCH/c2.err" &
p2=$!
sleep 0.2
# a reader does not wait for a long build: it sees the records as they are
out=$(timeout 2 "$CENV_BIN" list -e "$C" 2>&1); st=$?
check_eq "list during an install answers at once" "0" "$st"
wait "$p1"; s1=$?
wait "$p2"; s2=$?
check_eq "two concurrent installs both succeed" "0 0" "$s1 $s2"
check "the second waits for the first, saying so" grep -q "waiting for another cenv process" "$SCRATCH/c2.err"
check "the second then finds nothing to do" grep -q "up to date" "$SCRATCH/c2.out"
check_eq "two concurrent installs end as a clean install" "$clean" "$(env_state "$C")"
finish
