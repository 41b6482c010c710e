# t-harden-red.sh - what an attacker found after issue 8's fixes: records naming cenv's own files
# or paths no file system holds, freeze of a value starting with ';', control bytes in a manifest
# value, package names too long for their record's temporaries.
. "$(dirname "$0")/lib.sh"
plan 30
. "$(dirname "$0")/lib-install.sh"

E="$TMP_ROOT/env"
"$MK" "$P/ka.tar" tar 'd:ka-1.0/' 'd:ka-1.0/include/' 'f:ka-1.0/include/a.h:int a;'
S=$(sha256sum "$P/ka.tar" | cut -d' ' -f1)
printf '[ka]\nurl = ka.tar\nsha256 = %s\nbuild = prebuilt\n' "$S" >"$P/m.ini"
fresh() {
	rm -rf "$E" && "$CENV_BIN" create "$E" >/dev/null && (cd "$P" && "$CENV_BIN" install -e "$E" -f m.ini >/dev/null)
}
line_for() { # FILE REL: a well-formed record line for the environment's file REL
	printf 'f 0644 %s %s %s\n' "$(stat -c %s "$E/$2")" "$(sha256sum "$E/$2" | cut -d' ' -f1)" "$2"
}

# ---- a record that names cenv.cfg or an activate script: never removed with the package ----
for own in cenv.cfg bin/activate bin/activate.fish; do
	fresh
	cp "$E/$own" "$SCRATCH/own.before"
	line_for "$E" "$own" >>"$E/var/cenv/records/ka"
	expect_fail "a record naming $own is damaged, and uninstall says so" 1 "is cenv's own file" \
		"$CENV_BIN" uninstall -e "$E" ka
	"$CENV_BIN" uninstall -e "$E" --force ka >"$SCRATCH/force.out" 2>&1
	check "uninstall --force of it removes the package ($own stays)" \
		test ! -e "$E/include/a.h" -a ! -e "$E/var/cenv/records/ka"
	check_file_eq "... and $own is there as it was" "$SCRATCH/own.before" "$E/$own"
done
check "the environment still is one afterwards (cenv list works)" sh -c '"$1" list -e "$2" >/dev/null' _ "$CENV_BIN" "$E"
# a package that ships an activate script is refused for what it is
"$MK" "$P/kx.tar" tar 'd:kx-1.0/' 'd:kx-1.0/bin/' 'f:kx-1.0/bin/activate:evil'
expect_fail "a package shipping bin/activate is refused: cenv's own file" 1 "'bin/activate' is cenv's own file" \
	"$CENV_BIN" install -e "$E" "$P/kx.tar"

# ---- a record path no file system can hold: damaged, and --force removes it ----
fresh
printf 'f 0644 1 %s include/%s\n' "$S" "$(head -c 5000 /dev/zero | tr '\0' b)" >>"$E/var/cenv/records/ka"
"$CENV_BIN" list -e "$E" >/dev/null 2>"$SCRATCH/list.err"
check "a 5000-byte path component makes the record damaged (one short line)" \
	sh -c 'grep -q "is damaged: line [0-9]*: bad path" "$1" && [ "$(wc -l <"$1")" = 1 ] && [ "$(wc -c <"$1")" -lt 600 ]' _ "$SCRATCH/list.err"
"$CENV_BIN" uninstall -e "$E" --force ka >"$SCRATCH/force.out" 2>&1
check_eq "uninstall --force removes such a record and the files it still names" "0 gone gone" \
	"$? $([ -e "$E/var/cenv/records/ka" ] && echo left || echo gone) $([ -e "$E/include/a.h" ] && echo left || echo gone)"

# a component longer than a file name can be (the whole path well under PATH_MAX) likewise
fresh
printf 'f 0644 1 %s include/%s\n' "$S" "$(head -c 300 /dev/zero | tr '\0' c)" >>"$E/var/cenv/records/ka"
"$CENV_BIN" uninstall -e "$E" --force ka >"$SCRATCH/force.out" 2>&1
check_eq "... and one with a 300-byte component (longer than NAME_MAX)" "0 gone" \
	"$? $([ -e "$E/var/cenv/records/ka" ] && echo left || echo gone)"

# ---- freeze: a value starting with ';' reads back ----
rm -rf "$E" && "$CENV_BIN" create "$E" >/dev/null
printf '[ka]\nversion=;1.0\nurl = ka.tar\nsha256 = %s\nbuild = prebuilt\n' "$S" >"$P/v.ini"
check "a version ';1.0' installs" sh -c 'cd "$1" && "$2" install -e "$3" -f v.ini >/dev/null' _ "$P" "$CENV_BIN" "$E"
"$CENV_BIN" freeze -e "$E" >"$P/f.ini"
out=$(cd "$P" && "$CENV_BIN" install -e "$E" -f f.ini 2>&1)
check_eq "freeze of it reads back: up to date" "1 package up to date in $E" "$out"
check_eq "... with the version as it was" "ka ;1.0" "$("$CENV_BIN" list -e "$E" | awk 'NR == 2 { print $1, $2 }')"

# ---- a control byte in a manifest value: refused, naming file and line ----
rm -rf "$E" && "$CENV_BIN" create "$E" >/dev/null
before=$(tree_state "$E")
printf '[ka]\nversion = a\001b\nurl = ka.tar\nsha256 = %s\nbuild = prebuilt\n' "$S" >"$P/x.ini"
expect_fail "a control byte in a value is refused, naming file and line" 1 "x.ini:2: the value of 'version' in \[ka\] holds a control character" \
	sh -c 'cd "$1" && "$2" install -e "$3" -f x.ini' _ "$P" "$CENV_BIN" "$E"
check_eq "... and nothing is installed" "$before" "$(tree_state "$E")"

# ---- a package name too long for its record's temporaries ----
long=$(head -c 251 /dev/zero | tr '\0' K)
printf '[%s]\nurl = ka.tar\nsha256 = %s\nbuild = prebuilt\n' "$long" "$S" >"$P/n.ini"
expect_fail "a 251-byte package name is refused before anything is done" 1 "n.ini:1: invalid package name 'K*\.\.\.': longer than 200 bytes" \
	sh -c 'cd "$1" && "$2" install -e "$3" -f n.ini' _ "$P" "$CENV_BIN" "$E"
check_eq "... and nothing is installed" "$before" "$(tree_state "$E")"
# the same name from an archive's top directory, with no manifest
mkdir -p "$P/src/$long-1.0/include" && echo x >"$P/src/$long-1.0/include/k.h"
bsdtar -cf "$P/long.tar" -C "$P/src" "$long-1.0"
expect_fail "... and as an archive's top directory" 1 "does not name a package .*at most 200 bytes" \
	"$CENV_BIN" install -e "$E" "$P/long.tar"
# ---- cenv.cfg through a planted symlink: another environment's is not taken for this one's ----
"$CENV_BIN" create "$TMP_ROOT/cfgA" >/dev/null && "$CENV_BIN" create "$TMP_ROOT/cfgB" >/dev/null
rm "$TMP_ROOT/cfgB/cenv.cfg" && ln -s ../cfgA/cenv.cfg "$TMP_ROOT/cfgB/cenv.cfg"
expect_fail "a symlinked cenv.cfg is refused when read, naming it" 1 "'$TMP_ROOT/cfgB/cenv.cfg' is a symlink, not a regular file" \
	"$CENV_BIN" list -e "$TMP_ROOT/cfgB"

# ---- item 17 again: a prefix the build's shell would read as syntax ----
pack make bt
mkdir -p "$TMP_ROOT/pfx"
for d in 'f`touch PWNED`' 'e;x' 'e&x' 'a,b' 'g*h'; do
	B="$TMP_ROOT/pfx/$d"
	"$CENV_BIN" create "$B" >/dev/null
	entry bt >"$P/bt.ini"
	expect_fail "a prefix with '${d//[a-z]/}': a make build is refused, saying why" 1 \
		"cannot build 'bt' into '.*': .*; create the environment at a path of letters, digits and / \. _ \+ - @ only" \
		"$CENV_BIN" install -e "$B" -f "$P/bt.ini"
done
check_eq "... and nothing ran or was written beside the environments" "" \
	"$(cd "$TMP_ROOT/pfx" && ls -A | grep -v -x -e 'f`touch PWNED`' -e 'e;x' -e 'e&x' -e 'a,b' -e 'g\*h'; find "$TMP_ROOT" -name PWNED)"
B="$TMP_ROOT/pfx/é@env-1.0_+x"
"$CENV_BIN" create "$B" >/dev/null
out=$("$CENV_BIN" install -e "$B" -f "$P/bt.ini" 2>&1)
check "a prefix of letters, digits, UTF-8 and / . _ + - @ still builds" test -s "$B/var/cenv/records/bt" -a -n "$out"
finish
