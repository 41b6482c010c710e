# t-harden-unpack.sh - issue 8, the unpacker's items: symlinks judged against the installed
# subdir (1), entry paths too long for the work area (7), the bytes unpacked are the bytes
# hashed (10), limits on the unpacked size and entry count (11), non-archives named as such (16).
. "$(dirname "$0")/lib.sh"
plan 56
. "$(dirname "$0")/lib-install.sh"

E="$TMP_ROOT/env"
O="$TMP_ROOT/outside"
mkdir -p "$O"
echo "do not touch" >"$O/sentinel"
printf 'prefix=/somewhere\nName: x\nVersion: 1\nDescription: x\n' >"$O/x.pc"
"$CENV_BIN" create "$E" >/dev/null || fail "create"

outside_state() { tree_state "$O"; }
env_now() { env_state "$E"; }
# manifest NAME ARCHIVE [KEY=VALUE...]: $P/cenv.ini for one package, with the archive's sha256
manifest() {
	local name=$1 archive=$2 kv
	shift 2
	{
		printf '[%s]\nurl = %s\nsha256 = %s\n' "$name" "$archive" "$(sha256sum "$archive" | cut -d' ' -f1)"
		for kv in "$@"; do printf '%s = %s\n' "${kv%%=*}" "${kv#*=}"; done
	} >"$P/cenv.ini"
}
# refused NAME PATTERN CMD...: fails with PATTERN, the environment and the outside as they were
refused() {
	local name=$1 pattern=$2 before outside
	shift 2
	before=$(env_now)
	outside=$(outside_state)
	expect_fail "$name" 1 "$pattern" "$@"
	check_eq "$name: environment unchanged" "$before" "$(env_now)"
	check_eq "$name: nothing written outside" "$outside" "$(outside_state)"
}

# ---- 1: with subdir = a/b only a/b is installed; a link out of it leads out of the environment
# From PREFIX/lib/pkgconfig, ../../../outside is $TMP_ROOT/outside, the directory beside the
# environment: the prebuilt step would rewrite its x.pc.
"$MK" "$P/sub.tar" tar 'd:sub-1.0/' 'd:sub-1.0/outside/' 'd:sub-1.0/a/' 'd:sub-1.0/a/b/' \
	'd:sub-1.0/a/b/include/' 'f:sub-1.0/a/b/include/sub.h:int sub;' 'd:sub-1.0/a/b/lib/' \
	'l:sub-1.0/a/b/lib/pkgconfig:../../../outside'
manifest sub "$P/sub.tar" build=prebuilt subdir=a/b
refused "a symlink leaving the subdir is refused" \
	"^cenv: '$P/sub\.tar': entry 'sub-1\.0/a/b/lib/pkgconfig' is a symlink that leads out of the installed subdirectory \('\.\./\.\./\.\./outside'\)$" \
	"$CENV_BIN" install -e "$E" -f "$P/cenv.ini"
check "a symlink leaving the subdir: no record" test ! -e "$E/var/cenv/records/sub"
# lib/libx.so -> ../../outside/sentinel stays inside the archive's top directory, but once a/b is
# the environment it names the file beside it
"$MK" "$P/sub.tar" tar 'd:sub-1.0/' 'd:sub-1.0/a/' 'd:sub-1.0/a/b/' 'd:sub-1.0/a/b/lib/' \
	'f:sub-1.0/a/b/lib/libx.so.1:elf' 'l:sub-1.0/a/b/lib/libx.so:../../outside/sentinel'
manifest sub "$P/sub.tar" build=prebuilt subdir=a/b
refused "a library linked out of the subdir is refused" \
	"^cenv: '$P/sub\.tar': entry 'sub-1\.0/a/b/lib/libx\.so' is a symlink that leads out of the installed subdirectory \('\.\./\.\./outside/sentinel'\)$" \
	"$CENV_BIN" install -e "$E" -f "$P/cenv.ini"
check "a library linked out of the subdir: no link to the outside" test ! -L "$E/lib/libx.so"
# the same link, judged against the whole archive, stays inside it: the tree installs
"$MK" "$P/sub2.tar" tar 'd:sub2-1.0/' 'd:sub2-1.0/a/' 'd:sub2-1.0/a/b/' 'd:sub2-1.0/a/b/include/' \
	'f:sub2-1.0/a/b/include/sub2.h:int sub2;' 'l:sub2-1.0/a/b/include/same.h:sub2.h' 'f:sub2-1.0/a/LICENSE:mit'
manifest sub2 "$P/sub2.tar" build=prebuilt subdir=a/b
check "a symlink inside the subdir installs" bash -c '"$0" install -e "$1" -f "$2" >/dev/null' "$CENV_BIN" "$E" "$P/cenv.ini"
check_eq "the link inside the subdir is installed as a link" "sub2.h" "$(readlink "$E/include/same.h")"
"$CENV_BIN" uninstall -e "$E" sub2 >/dev/null

# ---- 7: an entry whose staged path would not fit in PATH_MAX is refused before it is written
# The longest path is the staged one, WORK/stage/PREFIX/REL; the limit counts the archive's
# path (top directory included) against what is left of PATH_MAX - 1 = 4095 bytes.
work="$E/var/cenv/work/long"
stage="$work/stage$E/"
limit=$((4095 - ${#stage}))
# long_path N: "long-1.0/d/ddd.../f" of exactly N bytes, in components of at most 200 bytes
long_path() {
	local want=$1 p="long-1.0/d" part
	while [ $((${#p} + 1 + 200)) -lt "$want" ]; do
		p="$p/$(printf '%0200d' 0 | tr 0 d)"
	done
	part=$((want - ${#p} - 1))
	printf '%s/%s' "$p" "$(printf "%0${part}d" 0 | tr 0 f)"
}
too_long=$(long_path $((limit + 1)))
fits=$(long_path "$limit")
"$MK" "$P/long.tar" tar 'd:long-1.0/' "f:$too_long:x"
manifest long "$P/long.tar" build=prebuilt
refused "a path too long for the work area is refused" \
	"^cenv: '$P/long\.tar': entry 'long-1\.0/d/d+.*' has a path of $((limit + 1)) bytes, more than the $limit that fit within PATH_MAX \(4096\) where it is unpacked, staged and installed$" \
	"$CENV_BIN" install -e "$E" -f "$P/cenv.ini"
check "a path too long: no work area is left" test ! -e "$E/var/cenv/work"
check "a path too long: list still works" bash -c '"$0" list -e "$1" >/dev/null' "$CENV_BIN" "$E"
# one byte less fits, installs (without the top directory, under d/) and uninstalls
"$MK" "$P/long.tar" tar 'd:long-1.0/' "f:$fits:x"
manifest long "$P/long.tar" build=prebuilt
check "a path of exactly the limit installs" bash -c '"$0" install -e "$1" -f "$2" >/dev/null' "$CENV_BIN" "$E" "$P/cenv.ini"
check "a path of exactly the limit uninstalls" bash -c '"$0" uninstall -e "$1" long >/dev/null' "$CENV_BIN" "$E"

# ---- 10: the bytes unpacked are the bytes hashed
# The archive is rewritten in place after its bytes were read once: strace holds the second
# read(2) of the file for 2 s (cenv's hashing pass used to end there, then read the file again
# from offset 0).  Whatever cenv installs must be the archive the manifest's sha256 names.
"$MK" "$P/swap.tar" tar 'd:swap-1.0/' 'd:swap-1.0/include/' 'f:swap-1.0/include/swap.h:int good;'
"$MK" "$P/evil-swap.tar" tar 'd:swap-1.0/' 'd:swap-1.0/include/' 'f:swap-1.0/include/swap.h:int evil;'
good_sha=$(sha256sum "$P/swap.tar" | cut -d' ' -f1)
manifest swap "$P/swap.tar" build=prebuilt
if command -v strace >/dev/null 2>&1 && strace -o /dev/null true 2>/dev/null; then
	# (LeakSanitizer cannot run under ptrace: off for this run of an ASan build)
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -qq -o "$SCRATCH/swap.trace" -P "$P/swap.tar" -e trace=read \
			-e inject=read:delay_exit=2000000:when=2 "$CENV_BIN" install -e "$E" -f "$P/cenv.ini" \
			>"$SCRATCH/swap.out" 2>"$SCRATCH/swap.err" &
	pid=$!
	for _ in $(seq 100); do grep -q '^[0-9]* *read(.* = [0-9]' "$SCRATCH/swap.trace" 2>/dev/null && break; sleep 0.05; done
	cat "$P/evil-swap.tar" >"$P/swap.tar" # the same inode, other bytes
	wait "$pid" && st=0 || st=$?
	if [ "$st" = 0 ]; then
		check_eq "rewritten while installed: the checked bytes are installed" "int good;" "$(cat "$E/include/swap.h")"
		check_eq "rewritten while installed: the record has the checked digest" "sha256 $good_sha" \
			"$(grep '^sha256 ' "$E/var/cenv/records/swap")"
	else
		check "rewritten while installed: refused as a checksum mismatch" \
			grep -q "swap: checksum mismatch for '$P/swap.tar': the manifest says $good_sha, the file is" "$SCRATCH/swap.err"
		check "rewritten while installed: nothing installed" test ! -e "$E/include/swap.h"
	fi
	"$CENV_BIN" uninstall -e "$E" swap >/dev/null 2>&1
else
	skip "rewritten while installed: the checked bytes are installed" "strace not usable"
	skip "rewritten while installed: the record has the checked digest" "strace not usable"
fi
# a mismatch is reported as one, whatever else is wrong with the file (here: it is no archive)
printf 'not an archive\n' >"$P/text.tar"
manifest text "$P/text.tar"
sed -i 's/^sha256 = .*/sha256 = 0000000000000000000000000000000000000000000000000000000000000000/' "$P/cenv.ini"
refused "a wrong checksum is reported first" \
	"^cenv: text: checksum mismatch for '$P/text\.tar': the manifest says 0{64}, the file is $(sha256sum "$P/text.tar" | cut -d' ' -f1)$" \
	"$CENV_BIN" install -e "$E" -f "$P/cenv.ini"
# `cenv install PATH` has no manifest, and records the digest of what it unpacked
check "install PATH installs" bash -c '"$0" install -e "$1" "$2" >/dev/null' "$CENV_BIN" "$E" "$P/evil-swap.tar"
check_eq "install PATH records the archive's digest" "sha256 $(sha256sum "$P/evil-swap.tar" | cut -d' ' -f1)" \
	"$(grep '^sha256 ' "$E/var/cenv/records/swap" 2>&1)"
"$CENV_BIN" uninstall -e "$E" swap >/dev/null 2>&1
# zip is read from a private copy (libarchive must seek in it): its symlinks stay symlinks
"$MK" "$P/zl.zip" zip 'd:zl-1.0/' 'd:zl-1.0/lib/' 'f:zl-1.0/lib/libzl.so.1:elf' 'l:zl-1.0/lib/libzl.so:libzl.so.1'
manifest zl "$P/zl.zip" build=prebuilt
check "a zip installs" bash -c '"$0" install -e "$1" -f "$2" >/dev/null' "$CENV_BIN" "$E" "$P/cenv.ini"
check_eq "a zip's symlink is installed as a symlink" "libzl.so.1" "$(readlink "$E/lib/libzl.so")"
"$CENV_BIN" uninstall -e "$E" zl >/dev/null 2>&1

# ---- 11: limits on what an archive unpacks to
# A 20 GiB sparse file in a few hundred bytes of tar.gz: refused from its declared size, at once.
mkdir -p "$P/src/big-1.0/lib" && truncate -s 20G "$P/src/big-1.0/lib/huge" &&
	bsdtar -czf "$P/big.tgz" -C "$P/src" big-1.0 && rm -f "$P/src/big-1.0/lib/huge"
if [ "$(stat -c %s "$P/big.tgz" 2>/dev/null || echo 0)" -gt 0 ] && [ "$(stat -c %s "$P/big.tgz")" -lt 100000 ]; then
	manifest big "$P/big.tgz" build=prebuilt
	start=$(date +%s)
	refused "a 20 GiB sparse file is refused" \
		"^cenv: '$P/big\.tgz': entry 'big-1\.0/lib/huge' makes the unpacked package larger than the limit of 8 GiB \(--max-unpacked-size raises it\)$" \
		timeout 60 "$CENV_BIN" install -e "$E" -f "$P/cenv.ini"
	check "a 20 GiB sparse file is refused within 10 s" test $(($(date +%s) - start)) -le 10
else
	for n in "" ": environment unchanged" ": nothing written outside"; do
		skip "a 20 GiB sparse file is refused$n" "bsdtar made no sparse archive here"
	done
	skip "a 20 GiB sparse file is refused within 10 s" "bsdtar made no sparse archive here"
fi
# --max-unpacked-size: 3000 bytes of files are over 2K, under 3K
"$MK" "$P/mid.tar" tar 'd:mid-1.0/' 'd:mid-1.0/include/' "f:mid-1.0/include/mid.h:$(printf '%03000d' 0)"
manifest mid "$P/mid.tar" build=prebuilt
refused "--max-unpacked-size 2K refuses 3000 bytes" \
	"^cenv: '$P/mid\.tar': entry 'mid-1\.0/include/mid\.h' makes the unpacked package larger than the limit of 2 KiB \(--max-unpacked-size raises it\)$" \
	"$CENV_BIN" install -e "$E" -f "$P/cenv.ini" --max-unpacked-size 2K
check "--max-unpacked-size=3k installs 3000 bytes" bash -c '"$0" install -e "$1" -f "$2" --max-unpacked-size=3k >/dev/null' "$CENV_BIN" "$E" "$P/cenv.ini"
check_eq "--max-unpacked-size=3k: the file is installed" "3000" "$(stat -c %s "$E/include/mid.h" 2>&1)"
"$CENV_BIN" uninstall -e "$E" mid >/dev/null 2>&1
expect_fail "--max-unpacked-size with a bad value is a usage error" 2 \
	"^cenv: '12X' is not a size \(a number of bytes, at least 1, or one with K, M, G or T after it: 1K = 1024\)$" \
	"$CENV_BIN" install -e "$E" -f "$P/cenv.ini" --max-unpacked-size 12X
# 1,000,001 entries (the same directory again and again: 116 MB of cpio in 150 KB of gzip)
if command -v perl >/dev/null 2>&1; then
	perl -e '$n = "many-1.0"; $h = sprintf("070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		1, 040755, 0, 0, 1, 0, 0, 0, 0, 0, 0, length($n) + 1, 0) . "$n\0";
		$h .= "\0" x ((4 - length($h) % 4) % 4); $t = sprintf("070701%08X" x 13, (0) x 10, 0, 11, 0) . "TRAILER!!!\0";
		$t .= "\0" x ((4 - length($t) % 4) % 4); print $h x 1000001, $t' | gzip -1 >"$P/many.cpio.gz"
	manifest many "$P/many.cpio.gz" build=prebuilt
	refused "1,000,001 entries are refused" "^cenv: '$P/many\.cpio\.gz': has more than 1000000 entries, the limit$" \
		"$CENV_BIN" install -e "$E" -f "$P/cenv.ini"
else
	for n in "" ": environment unchanged" ": nothing written outside"; do
		skip "1,000,001 entries are refused$n" "perl not installed"
	done
fi

# ---- 16: a file that is no archive says so, naming it (text was "an mtree file")
printf 'all:\n\techo hi\n' >"$P/Makefile" && gzip -c "$P/Makefile" >"$P/Makefile.gz"
printf 'hello\n' | gzip -c >"$P/hello.gz"
for f in Makefile.gz hello.gz Makefile; do
	refused "install PATH: $f is not an archive" "^cenv: '$P/$f' is not an archive cenv can unpack \(tar, cpio, zip, 7-Zip, ar, ISO 9660, xar, LHA, CAB or RAR, compressed or not\)$" \
		"$CENV_BIN" install -e "$E" "$P/$f"
done
manifest text "$P/hello.gz"
expect_fail "a manifest's hello.gz is not an archive" 1 "^cenv: '$P/hello\.gz' is not an archive cenv can unpack " \
	"$CENV_BIN" install -e "$E" -f "$P/cenv.ini"
# ---- fixdeep: 200 entries 1903 components deep (a 5 KB tgz) are refused at once, naming the
# depth limit; a 100-deep tree installs and uninstalls; timeout makes a regression fail, not hang
if command -v python3 >/dev/null 2>&1; then
	deep_tgz() { # deep_tgz FILE TOP N DEPTH: N entries TOP/dI/ + DEPTH times a/ + f, each with a file
		python3 - "$@" <<'PY'
import tarfile, io, sys
out, top, n, d = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
with tarfile.open(out, 'w:gz', format=tarfile.PAX_FORMAT) as t:
    for i in range(n):
        ti = tarfile.TarInfo('%s/d%d/' % (top, i) + 'a/' * d + 'f'); ti.size = 1
        t.addfile(ti, io.BytesIO(b'x'))
PY
	}
	deep_tgz "$P/bomb.tgz" bomb-1.0 200 1900
	manifest bomb "$P/bomb.tgz" build=prebuilt
	refused "1903 components deep is refused" \
		"^cenv: '$P/bomb\.tgz': entry 'bomb-1\.0/d0/a/a/.*' has a path of 1903 components, more than the limit of 128$" \
		timeout -s KILL 20 "$CENV_BIN" install -e "$E" -f "$P/cenv.ini"
	deep_tgz "$P/deep.tgz" deep-1.0 50 97
	manifest deep "$P/deep.tgz" build=prebuilt
	before=$(env_now)
	check "a tree 100 components deep installs" timeout -s KILL 30 "$CENV_BIN" install -e "$E" -f "$P/cenv.ini"
	check_eq "its deepest file is installed" x "$(cat "$E/d49/$(printf 'a/%.0s' $(seq 97))f" 2>&1)"
	check "and uninstalls" timeout -s KILL 30 "$CENV_BIN" uninstall -e "$E" deep
	check_eq "uninstall leaves the environment as it was" "$before" "$(env_now)"
else
	for n in "1903 components deep is refused" "1903 components deep is refused: environment unchanged" \
		"1903 components deep is refused: nothing written outside" "a tree 100 components deep installs" \
		"its deepest file is installed" "and uninstalls" "uninstall leaves the environment as it was"; do
		skip "$n" "python3 not installed"
	done
fi
finish
