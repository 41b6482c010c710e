# t-install-refuse.sh - cenv install refuses hostile archives (tar and zip), bad checksums,
# bad manifests, failing builds and file conflicts, and leaves the environment as it was.
. "$(dirname "$0")/lib.sh"
plan 107

MK="$TOP/tests/tools/mkarchive"
E="$TMP_ROOT/env"
P="$TMP_ROOT/proj"
mkdir -p "$P" "$TMP_ROOT/outside"
echo "do not touch" >"$TMP_ROOT/outside/sentinel"
"$CENV_BIN" create "$E" >/dev/null || fail "create"

# The environment's state, without cenv's own logs and lock (a failed build leaves its log).
env_state() {
	tree_state "$E" | grep -v -E '\./var/cenv/(logs|lock)'
}
outside_state() {
	tree_state "$TMP_ROOT/outside"
	find / -xdev -name 'cenv-escape-marker*' -not -path '/proc/*' 2>/dev/null
}

# manifest NAME ARCHIVE [KEY=VALUE...]: writes $P/cenv.ini for one package
manifest() {
	local name=$1 archive=$2 kv
	shift 2
	{
		printf '[%s]\nurl = %s\nsha256 = %s\n' "$name" "$archive" "$(sha256sum "$archive" | cut -d' ' -f1)"
		for kv in "$@"; do printf '%s = %s\n' "${kv%%=*}" "${kv#*=}"; done
	} >"$P/cenv.ini"
}

# refuse NAME PATTERN FORMAT ENTRY...: an archive with ENTRY... is refused, naming the entry
refuse() {
	local name=$1 pattern=$2 format=$3 before outside ext=tar
	shift 3
	[ "$format" = zip ] && ext=zip
	"$MK" "$P/evil.$ext" "$format" 'd:evil-1.0/' 'd:evil-1.0/include/' 'f:evil-1.0/include/ok.h:int ok;' "$@" ||
		{ fail "$name ($format): make the archive"; return; }
	manifest evil "$P/evil.$ext" build=prebuilt
	before=$(env_state)
	outside=$(outside_state)
	expect_fail "refuses $name ($format)" 1 "$pattern" "$CENV_BIN" install -e "$E" -f "$P/cenv.ini"
	check_eq "refuses $name ($format): environment unchanged" "$before" "$(env_state)"
	check_eq "refuses $name ($format): nothing written outside" "$outside" "$(outside_state)"
}

for fmt in tar zip; do
	refuse "an absolute path" "entry '/tmp/cenv-escape-marker-abs' has an absolute path$" $fmt "f:/tmp/cenv-escape-marker-abs:x"
	refuse "a .. component" "entry 'evil-1\.0/\.\./\.\./outside/cenv-escape-marker' leaves the package$" $fmt "f:evil-1.0/../../outside/cenv-escape-marker:x"
	refuse "an absolute symlink" "entry 'evil-1\.0/include/abs' is a symlink to the absolute path '/etc/passwd'$" $fmt "l:evil-1.0/include/abs:/etc/passwd"
	refuse "a symlink leaving the package" "entry 'evil-1\.0/include/up' is a symlink that leaves the package \('\.\./\.\./\.\./outside'\)$" $fmt "l:evil-1.0/include/up:../../../outside"
	refuse "a newline in a name" "entry 'evil-1\.0/include/new\\\\nline' has a control character in its name$" $fmt 'f:evil-1.0/include/new\nline:x'
	refuse "a duplicate entry" "entry 'evil-1\.0/include/ok\.h' appears twice in the archive$" $fmt "f:evil-1.0/include/ok.h:again"
	refuse "a directory turned into a file" "entry 'evil-1\.0/include' turns a directory into a file$" $fmt "f:evil-1.0/include:x"
	refuse "a file turned into a directory" "entry 'evil-1\.0/include/ok\.h/x' turns the file 'evil-1\.0/include/ok\.h' into a directory$" $fmt "f:evil-1.0/include/ok.h/x:x"
	refuse "a write through an archive's own symlink" "entry 'evil-1\.0/lnk/x' goes through the symlink 'evil-1\.0/lnk'$" $fmt "l:evil-1.0/lnk:include" "f:evil-1.0/lnk/x:x"
done
# tar only: zip cannot hold these
refuse "a hardlink to a later file" "entry 'evil-1\.0/include/h' is a hardlink to 'evil-1\.0/include/later\.h', which is not an earlier file of the archive$" tar "h:evil-1.0/include/h:evil-1.0/include/later.h" "f:evil-1.0/include/later.h:x"
refuse "a hardlink outside the archive" "entry 'evil-1\.0/include/h' is a hardlink to '/etc/passwd', which is not an earlier file of the archive$" tar "h:evil-1.0/include/h:/etc/passwd"
refuse "a device" "entry 'evil-1\.0/include/dev' is a character device$" tar "c:evil-1.0/include/dev"
refuse "a FIFO" "entry 'evil-1\.0/include/fifo' is a FIFO$" tar "p:evil-1.0/include/fifo"

# setuid bits are dropped, owners never restored
"$MK" "$P/suid.tar" tar 'd:suid-1.0/' 'd:suid-1.0/bin/' 'u:suid-1.0/bin/tool:#!/bin/sh'
manifest suid "$P/suid.tar" build=prebuilt
check "a setuid file installs" bash -c '"$0" install -e "$1" -f "$2" >/dev/null' "$CENV_BIN" "$E" "$P/cenv.ini"
check_eq "setuid bit dropped" "755" "$(stat -c %a "$E/bin/tool" 2>&1)"
check_eq "owner is the installer's" "$(id -u)" "$(stat -c %u "$E/bin/tool" 2>&1)"
"$CENV_BIN" uninstall -e "$E" suid >/dev/null

# Checksum mismatch: refused before anything is unpacked
"$MK" "$P/good.tar" tar 'd:good-1.0/' 'd:good-1.0/include/' 'f:good-1.0/include/good.h:int good;'
{ printf '[good]\nurl = good.tar\nsha256 = %s\nbuild = prebuilt\n' "$(printf '0%.0s' {1..64})"; } >"$P/cenv.ini"
before=$(env_state)
expect_fail "checksum mismatch" 1 "good: checksum mismatch for '.*good.tar'" "$CENV_BIN" install -e "$E" -f "$P/cenv.ini"
check_eq "checksum mismatch: environment unchanged" "$before" "$(env_state)"
# the archive's own digest with only its last hex digit changed: every digit is compared
sha=$(sha256sum "$P/good.tar" | cut -d' ' -f1)
last=$(printf '%x' $(((16#${sha:63} + 1) % 16)))
printf '[good]\nurl = good.tar\nsha256 = %s\nbuild = prebuilt\n' "${sha:0:63}$last" >"$P/cenv.ini"
expect_fail "checksum mismatch in the last hex digit only" 1 \
	"good: checksum mismatch for '.*good\.tar': the manifest says ${sha:0:63}$last, the file is $sha" "$CENV_BIN" install -e "$E" -f "$P/cenv.ini"
check_eq "checksum mismatch in the last hex digit: environment unchanged" "$before" "$(env_state)"

# Manifest errors name the file and line
bad_manifest() { # NAME PATTERN TEXT
	printf '%s' "$3" >"$P/bad.ini"
	local before
	before=$(env_state)
	expect_fail "manifest: $1" 1 "$2" "$CENV_BIN" install -e "$E" -f "$P/bad.ini"
	check_eq "manifest: $1: environment unchanged" "$before" "$(env_state)"
}
sha=$(sha256sum "$P/good.tar" | cut -d' ' -f1)
bad_manifest "unknown key" "bad.ini:4: unknown key 'sha265'" "[good]
url = good.tar
sha256 = $sha
sha265 = x
"
bad_manifest "malformed INI" "bad.ini:2: " "[good]
this is not ini
"
bad_manifest "a cycle" "bad.ini:[0-9]+: dependency cycle: (a -> b -> a|b -> a -> b)" "[a]
url = good.tar
sha256 = $sha
depends = b
[b]
url = good.tar
sha256 = $sha
depends = a
"
bad_manifest "missing url" "bad.ini:1: missing 'url' in \[good\]" "[good]
sha256 = $sha
"
bad_manifest "unknown build system" "bad.ini:4: unknown build 'scons' in \[good\]" "[good]
url = good.tar
sha256 = $sha
build = scons
"
bad_manifest "a dependency on nothing" "bad.ini:4: unknown dependency 'nothere' in \[good\]" "[good]
url = good.tar
sha256 = $sha
depends = nothere
"
expect_fail "missing manifest" 1 "cannot open '.*/none.ini'" "$CENV_BIN" install -e "$E" -f "$P/none.ini"
before=$(env_state)
printf '[gone]\nurl = gone.tar\nsha256 = %s\n' "$sha" >"$P/cenv.ini"
expect_fail "missing archive" 1 "cannot open '.*/gone\.tar': No such file or directory" "$CENV_BIN" install -e "$E" -f "$P/cenv.ini"
check_eq "missing archive: environment unchanged" "$before" "$(env_state)"

# A failing build: the last lines of the log and its path, environment unchanged
"$MK" "$P/broken.tar" tar 'd:broken-1.0/' 'f:broken-1.0/Makefile:all:\n\t@echo compiling broken.c\n\t@echo "broken.c:1: error: expected ;" >&2\n\t@exit 3\ninstall:\n\ttrue\n'
manifest broken "$P/broken.tar"
before=$(env_state)
"$CENV_BIN" install -e "$E" -f "$P/cenv.ini" >/dev/null 2>"$SCRATCH/err" && fail "a failing build fails"
check "a failing build: first line says which step failed" grep -q "^cenv: build of 'broken' failed at make (exit status 2)" <(head -1 "$SCRATCH/err")
check "a failing build shows the log's last lines" grep -q "broken.c:1: error: expected ;" "$SCRATCH/err"
check "a failing build names the log" grep -q "$E/var/cenv/logs/broken.log" "$SCRATCH/err"
check_eq "a failing build: environment unchanged" "$before" "$(env_state)"

# A file conflict between two packages names both
"$MK" "$P/one.tar" tar 'd:one-1.0/' 'd:one-1.0/include/' 'f:one-1.0/include/shared.h:int one;'
"$MK" "$P/two.tar" tar 'd:two-1.0/' 'd:two-1.0/include/' 'f:two-1.0/include/shared.h:int two;'
{
	printf '[one]\nurl = one.tar\nsha256 = %s\nbuild = prebuilt\n' "$(sha256sum "$P/one.tar" | cut -d' ' -f1)"
	# (two after one: packages built side by side commit as they end, so the one second fails)
	printf '[two]\nurl = two.tar\nsha256 = %s\nbuild = prebuilt\ndepends = one\n' "$(sha256sum "$P/two.tar" | cut -d' ' -f1)"
} >"$P/cenv.ini"
"$CENV_BIN" install -e "$E" -f "$P/cenv.ini" >/dev/null 2>"$SCRATCH/conflict" && fail "a file conflict fails"
check "a file conflict names the file and both packages" grep -q "package 'two': 'include/shared.h' belongs to package 'one'" "$SCRATCH/conflict"
check_eq "the first package stays installed" "int one;" "$(cat "$E/include/shared.h")"
check "the second is not recorded" bash -c '! "$0" list -e "$1" | grep -q "^two "' "$CENV_BIN" "$E"

# A full disk: the environment on a 1 MiB file system, a package that does not fit.
# Without the right to mount one, a file-size limit makes the writes fail the same way.
head -c 1500000 /dev/urandom >"$P/big.bin"
mkdir -p "$P/src/full-1.0/lib" && cp "$P/big.bin" "$P/src/full-1.0/lib/big.bin" && bsdtar -cf "$P/full.tar" -C "$P/src" full-1.0
manifest full "$P/full.tar" build=prebuilt
mkdir -p "$TMP_ROOT/small"
if mount -t tmpfs -o size=1m cenv-test "$TMP_ROOT/small" 2>/dev/null; then
	D="$TMP_ROOT/small/env"
	"$CENV_BIN" create "$D" >/dev/null
	before=$(tree_state "$D" | grep -v -E '\./var/cenv/(logs|lock)')
	expect_fail "a full disk fails the install" 1 "No space left on device" "$CENV_BIN" install -e "$D" -f "$P/cenv.ini"
	check_eq "a full disk leaves the environment as it was" "$before" "$(tree_state "$D" | grep -v -E '\./var/cenv/(logs|lock)')"
	umount "$TMP_ROOT/small"
else
	before=$(env_state)
	expect_fail "a failing write (file-size limit) fails the install" 1 "File too large" \
		bash -c 'trap "" XFSZ; ulimit -f 1000; exec "$0" install -e "$1" -f "$2"' "$CENV_BIN" "$E" "$P/cenv.ini"
	check_eq "a failing write leaves the environment as it was" "$before" "$(env_state)"
fi

# An archive given by path names its package by its top directory: "..", never
"$MK" "$P/dotdot.tar" tar 'd:..' 'f:../x:hi'
before=$(env_state)
expect_fail "install PATH: a top directory '..' names no package" 1 "does not name a package" "$CENV_BIN" install -e "$E" "$P/dotdot.tar"
check_eq "install PATH: '..' leaves the environment as it was" "$before" "$(env_state)"
# nor a temporary file's name (its record would be taken for a leftover), and a name with a
# newline is shown escaped, on one line
"$MK" "$P/tmpname.tar" tar 'd:x.tmp.1-1.0' 'f:x.tmp.1-1.0/include/x.h:int x;'
expect_fail "install PATH: a top directory x.tmp.1 names no package" 1 "'x.tmp.1-1.0' does not name a package" "$CENV_BIN" install -e "$E" "$P/tmpname.tar"
NL=$'\n'
"$MK" "$P/newline.tar" tar "d:a${NL}b-1.0" "f:a${NL}b-1.0/x:hi"
expect_fail "install PATH: a newline in the top directory is shown as \\n" 1 "'a\\\\nb-1.0' does not name a package" "$CENV_BIN" install -e "$E" "$P/newline.tar"
check_eq "install PATH: refused names leave the environment as it was" "$before" "$(env_state)"
# A FIFO is not an archive: one open file is hashed and unpacked, and it must be a regular file
mkfifo "$P/pipe.tar"
expect_fail "install PATH of a FIFO is refused, without hanging" 1 "is not a regular file" timeout 10 "$CENV_BIN" install -e "$E" "$P/pipe.tar"
mkfifo "$P/pkg.tar"
F="$TMP_ROOT/fifo-env"
"$CENV_BIN" create "$F" >/dev/null
printf '[pkg]\nurl = pkg.tar\nsha256 = %s\nbuild = prebuilt\n' "$(printf 'a%.0s' {1..64})" >"$P/cenv.ini"
expect_fail "a manifest url naming a FIFO is refused, without hanging" 1 "is not a regular file" timeout 10 "$CENV_BIN" install -e "$F" -f "$P/cenv.ini"

# Never write through a symlink already in the environment
"$CENV_BIN" uninstall -e "$E" one >/dev/null
ln -s "$TMP_ROOT/outside" "$E/include/linked"
"$MK" "$P/through.tar" tar 'd:through-1.0/' 'd:through-1.0/include/' 'd:through-1.0/include/linked/' 'f:through-1.0/include/linked/cenv-escape-marker.h:x'
manifest through "$P/through.tar" build=prebuilt
before=$(env_state)
outside=$(outside_state)
expect_fail "refuses to write through a symlink in the environment" 1 "refusing to install 'include/linked/cenv-escape-marker\.h': 'include/linked' is a symlink in the environment" "$CENV_BIN" install -e "$E" -f "$P/cenv.ini"
check_eq "symlink in the environment: outside unchanged" "$outside" "$(outside_state)"
check_eq "symlink in the environment: environment unchanged" "$before" "$(env_state)"
finish
