# t-install.sh - cenv install with every build system, dependencies through pkg-config,
# a consumer built in the activated environment; no-op and changed re-installs, prune,
# uninstall, list, freeze, install PATH.
. "$(dirname "$0")/lib.sh"
plan 59
. "$(dirname "$0")/lib-install.sh"

E="$TMP_ROOT/env"

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
check_eq "nothing else reinstalled" 2 "$(unsummed <<<"$out" | grep -c 'installed')"
check_eq "a run of several packages ends with the summary line: what was installed, up to date, failed" \
	"2 installed, 6 up to date, 0 failed in T s" "$(tail -n1 <<<"$out" | sed -E 's/ in [0-9]+\.[0-9] s$/ in T s/')"

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
expect_fail "uninstall refuses a package others depend on" 1 "cannot uninstall 'pcbase': needed by pcuser \(--force removes it anyway\)$" "$CENV_BIN" uninstall -e "$E" pcbase
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

# Every key of an entry: freeze gives each back (compared with text written here), the
# frozen manifest is up to date, and a change of any one key reinstalls the package.
# rt's source tree is src/ of its archive (subdir), built by make with args.
mkdir -p "$P/src/rt-1.0/src/include" "$P/src/rt-1.0/alt/include"
printf 'all:\ninstall:\n\tmkdir -p $(DESTDIR)$(PREFIX)/include\n\tcp include/rt.h $(DESTDIR)$(PREFIX)/include/\n' >"$P/src/rt-1.0/src/Makefile"
cp "$P/src/rt-1.0/src/Makefile" "$P/src/rt-1.0/alt/Makefile"
echo 'int rt;' >"$P/src/rt-1.0/src/include/rt.h"
echo 'int rt_alt;' >"$P/src/rt-1.0/alt/include/rt.h"
bsdtar -cf "$P/rt.tar" -C "$P/src" rt-1.0
echo 'int rt2;' >"$P/src/rt-1.0/src/include/rt2.h"
bsdtar -cf "$P/rt2.tar" -C "$P/src" rt-1.0
"$MK" "$P/rtbase.tar" tar 'd:rtbase-1.0/' 'd:rtbase-1.0/include/' 'f:rtbase-1.0/include/rtbase.h:int rtbase;'
rt_sha=$(sha256sum "$P/rt.tar" | cut -d' ' -f1)
rt2_sha=$(sha256sum "$P/rt2.tar" | cut -d' ' -f1)
base_sha=$(sha256sum "$P/rtbase.tar" | cut -d' ' -f1)
write_rt() { # VERSION URL SHA256 BUILD ARGS SUBDIR DEPENDS: $P/rt.ini, an empty value leaves its key out
	{
		printf '[rtbase]\nurl = rtbase.tar\nsha256 = %s\nbuild = prebuilt\n\n[rt]\n' "$base_sha"
		[ -z "$1" ] || printf 'version = %s\n' "$1"
		printf 'url = %s\nsha256 = %s\nbuild = %s\n' "$2" "$3" "$4"
		[ -z "$5" ] || printf 'args = %s\n' "$5"
		[ -z "$6" ] || printf 'subdir = %s\n' "$6"
		[ -z "$7" ] || printf 'depends = %s\n' "$7"
	} >"$P/rt.ini"
}
R="$TMP_ROOT/env-rt"
"$CENV_BIN" create "$R" >/dev/null
write_rt '2.0-"q"' rt.tar "$rt_sha" make "MSG='a b \"c\" \$x' V=1" src rtbase
out=$(cd "$P" && "$CENV_BIN" install -e "$R" -f rt.ini 2>&1)
check "rt with every key installs" grep -q '^rt 2.0-"q": installed (make, 1 file' <<<"$out"
check_eq "freeze: every key comes back" "; written by 'cenv freeze': reinstalls exactly what is installed

[rt]
version = 2.0-\"q\"
url = $P/rt.tar
sha256 = $rt_sha
build = make
args = 'MSG=a b \"c\" \$x' V=1
subdir = src
depends = rtbase

[rtbase]
url = $P/rtbase.tar
sha256 = $base_sha
build = prebuilt" "$("$CENV_BIN" freeze -e "$R" 2>&1)"
"$CENV_BIN" freeze -e "$R" >"$TMP_ROOT/elsewhere/rt-frozen.ini"
check_eq "freeze: every key: the frozen manifest is up to date" "2 packages up to date in $R" \
	"$(cd "$TMP_ROOT/elsewhere" && "$CENV_BIN" install -e "$R" -f rt-frozen.ini 2>&1)"
# one key changed at a time (from the entry before): rt alone is installed again
rt_change() { # KEY VERSION-SHOWN BUILD-SHOWN WRITE_RT-ARGS...
	local key=$1 shown=$2 build=$3 out
	shift 3
	write_rt "$@"
	out=$(cd "$P" && "$CENV_BIN" install -e "$R" -f rt.ini 2>&1)
	check_eq "a change of $key alone reinstalls the package, and only it" "rt$shown: installed ($build" "$(unsummed <<<"$out" | sed 's/, .*//')"
}
rt_change version " 2.1" make 2.1 rt.tar "$rt_sha" make "MSG='a b \"c\" \$x' V=1" src rtbase
rt_change "url and sha256" " 2.1" make 2.1 rt2.tar "$rt2_sha" make "MSG='a b \"c\" \$x' V=1" src rtbase
rt_change args " 2.1" make 2.1 rt2.tar "$rt2_sha" make "MSG='a b \"c\" \$x' V=2" src rtbase
rt_change build " 2.1" prebuilt 2.1 rt2.tar "$rt2_sha" prebuilt "MSG='a b \"c\" \$x' V=2" src rtbase
rt_change subdir " 2.1" prebuilt 2.1 rt2.tar "$rt2_sha" prebuilt "MSG='a b \"c\" \$x' V=2" alt rtbase
check_eq "the new subdir's files are installed" "int rt_alt;" "$(cat "$R/include/rt.h")"
rt_change depends " 2.1" prebuilt 2.1 rt2.tar "$rt2_sha" prebuilt "MSG='a b \"c\" \$x' V=2" alt ""
check_eq "and the last entry, unchanged, is up to date" "2 packages up to date in $R" \
	"$(cd "$P" && "$CENV_BIN" install -e "$R" -f rt.ini 2>&1)"

# list --json: a version holding '"', '\' and UTF-8 stays valid JSON (a manifest refuses control
# characters; their JSON escapes are test_json's)
J="$TMP_ROOT/env-json"
"$CENV_BIN" create "$J" >/dev/null
odd=$'1"q\\b\xc3\xa9c'
printf '[rtbase]\nversion = %s\nurl = rtbase.tar\nsha256 = %s\nbuild = prebuilt\n' "$odd" "$base_sha" >"$P/json.ini"
(cd "$P" && "$CENV_BIN" install -e "$J" -f json.ini) >/dev/null 2>&1
check "list --json: an odd version is valid JSON" bash -c '"$0" list -e "$1" --json | python3 -m json.tool >/dev/null' "$CENV_BIN" "$J"
check_eq "list --json: the version parsed back is the manifest's" "$odd" \
	"$("$CENV_BIN" list -e "$J" --json | python3 -c 'import json, sys; sys.stdout.write(json.load(sys.stdin)[0]["version"])' 2>&1)"
# Durability: the record file and the records directory are fsynced before the journal's
# rename that marks the change committed (a power loss after it must not lose the record).
# A SIGKILL keeps the page cache, so only the system calls themselves can show it: strace.
if command -v strace >/dev/null 2>&1; then
	"$MK" "$P/dur.tar" tar 'd:dur-1.0/' 'd:dur-1.0/include/' 'f:dur-1.0/include/dur.h:int d;'
	"$CENV_BIN" create "$TMP_ROOT/dur" >/dev/null
	strace -f -y -qq -e trace=fsync,rename,renameat,renameat2 -o "$SCRATCH/dur.trace" \
		"$CENV_BIN" install -e "$TMP_ROOT/dur" "$P/dur.tar" >/dev/null 2>&1
	order=$(awk '
		/fsync\([0-9]+<[^>]*\/var\/cenv\/records\/dur>\)/ && !file { file = NR }
		/fsync\([0-9]+<[^>]*\/var\/cenv\/records>\)/ && file && !dir { dir = NR }
		/renameat2?\(.*"journal\.tmp".*"journal"\)/ { commit = NR }
		END { print (file && dir && file < dir && dir < commit) ? "record, records/, then commit" : "file " file " dir " dir " commit " commit }
	' "$SCRATCH/dur.trace")
	check_eq "the record and its directory are synced before the commit point" "record, records/, then commit" "$order"
else
	skip "the record and its directory are synced before the commit point" "strace not installed"
fi

finish
