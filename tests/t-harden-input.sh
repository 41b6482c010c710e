# t-harden-input.sh - issue 8's input items: temporary names are no package names (8); a manifest,
# record, journal or cenv.cfg that is /dev/zero or a FIFO is refused at once, and so is one over its
# size cap (12); lines far past inih's 200 bytes, freeze's included, read back (13); a damaged
# record is named and `uninstall --force` removes it (15); "1 file" (16).
. "$(dirname "$0")/lib.sh"
plan 61

. "$TOP/tests/lib-install.sh"
E="$TMP_ROOT/env"
OUT="$TMP_ROOT/outside"
mkdir -p "$OUT"
echo "do not touch" >"$OUT/sentinel"
"$CENV_BIN" create "$E" >/dev/null || fail "create"

state() { tree_state "$E" | grep -v -E '\./var/cenv/(logs|lock)'; }
sum() { sha256sum "$1" | cut -d' ' -f1; }
# one package of one file, NAME-1.0/include/NAME.h holding "int NAME;"
"$MK" "$P/ka.tar" tar 'd:ka-1.0/' 'd:ka-1.0/include/' 'f:ka-1.0/include/ka.h:int ka;'
"$MK" "$P/kb.tar" tar 'd:kb-1.0/' 'd:kb-1.0/include/' 'f:kb-1.0/include/kb.h:int kb;' 'f:kb-1.0/include/kb2.h:int kb2;'
ka_ini() { printf '[ka]\nversion = 1.0\nurl = %s\nsha256 = %s\nbuild = prebuilt\n' "${1:-ka.tar}" "$(sum "$P/ka.tar")"; }
# run NAME CMD...: CMD under `timeout 10`; the outcome in $SCRATCH/out, err, status
run() {
	timeout 10 "$@" >"$SCRATCH/out" 2>"$SCRATCH/err" && status=0 || status=$?
}
# refused NAME PATTERN CMD...: ran (no hang: 124 is timeout's), exit 1, one line on stderr matching
refused() {
	local name=$1 pattern=$2
	shift 2
	run "$@"
	if [ "$status" = 124 ]; then
		fail "$name" "it hung: killed after 10 s"
	elif [ "$status" != 1 ]; then
		fail "$name" "exit status $status, wanted 1" "$(head -c 600 "$SCRATCH/err")"
	elif [ "$(wc -l <"$SCRATCH/err")" -ne 1 ] || ! grep -Eq -- "$pattern" "$SCRATCH/err"; then
		fail "$name" "wanted one line on stderr matching /$pattern/:" "$(head -c 600 "$SCRATCH/err")"
	else
		pass "$name"
	fi
}

# ---- 16: 1 file, 2 files ------------------------------------------------------------------------
"$CENV_BIN" install -e "$E" "$P/ka.tar" "$P/kb.tar" >/dev/null || fail "install ka kb"
run "$CENV_BIN" uninstall -e "$E" ka kb
check_eq "count: uninstalled (1 file), (2 files)" "0
ka: uninstalled (1 file)
kb: uninstalled (2 files)" "$status
$(cat "$SCRATCH/out")"
check_eq "count: nothing is left of them" "" "$(find "$E/include" "$E/var/cenv/records" -mindepth 1 2>&1)"

# ---- 8: cenv's temporary names (NAME.tmp.DIGITS, write_file_atomic's) are no package's ---------
before=$(state)
printf '[x.tmp.1]\nurl = ka.tar\nsha256 = %s\n' "$(sum "$P/ka.tar")" >"$P/tmp.ini"
refused "names: a manifest section [x.tmp.1] is refused" \
	"tmp.ini:1: invalid package name 'x.tmp.1': a name ending in \.tmp\.DIGITS" \
	"$CENV_BIN" install -e "$E" -f "$P/tmp.ini"
# write_file_atomic's own shape: the pid, then a six-digit counter
printf '[ka.tmp.4242000007]\nurl = ka.tar\nsha256 = %s\n' "$(sum "$P/ka.tar")" >"$P/tmp.ini"
refused "names: a section named as a record's temporary file is refused" \
	"invalid package name 'ka.tmp.4242000007'" "$CENV_BIN" install -e "$E" -f "$P/tmp.ini"
"$MK" "$P/x.tmp.1-1.0.tar.gz" tar 'd:x.tmp.1-1.0/' 'd:x.tmp.1-1.0/include/' 'f:x.tmp.1-1.0/include/x.h:int x;'
refused "names: install ./x.tmp.1-1.0.tar.gz (the name from the archive) is refused" \
	"'x.tmp.1-1.0' does not name a package" \
	sh -c 'cd "$1" && "$2" install -e "$3" ./x.tmp.1-1.0.tar.gz' sh "$P" "$CENV_BIN" "$E"
refused "names: uninstall x.tmp.1 names no record" "invalid package name 'x.tmp.1'" \
	"$CENV_BIN" uninstall -e "$E" x.tmp.1
check_eq "names: nothing was installed" "$before" "$(state)"

# ---- 12: non-regular and oversized files, in each of the four roles ------------------------------
mkfifo "$P/fifo.ini"
before=$(state)
refused "nonregular: a manifest that is /dev/zero (-f) is refused at once" \
	"^cenv: '/dev/zero' is a character device, not a regular file$" \
	"$CENV_BIN" install -e "$E" -f /dev/zero
refused "nonregular: a manifest that is a FIFO (-f) is refused at once" \
	"'$P/fifo.ini' is a fifo, not a regular file" "$CENV_BIN" install -e "$E" -f "$P/fifo.ini"
mkdir -p "$P/z" "$P/f"
ln -s /dev/zero "$P/z/cenv.ini"
mkfifo "$P/f/cenv.ini"
refused "nonregular: ./cenv.ini that leads to /dev/zero is refused at once" \
	"'cenv.ini' is a character device, not a regular file" \
	sh -c 'cd "$1" && "$2" install -e "$3"' sh "$P/z" "$CENV_BIN" "$E"
refused "nonregular: ./cenv.ini that is a FIFO is refused at once" \
	"'cenv.ini' is a fifo, not a regular file" \
	sh -c 'cd "$1" && "$2" install -e "$3"' sh "$P/f" "$CENV_BIN" "$E"
truncate -s 17M "$P/big.ini"
refused "nonregular: a manifest over 16 MiB is refused, naming the cap" \
	"'$P/big.ini' is larger than the limit of 16 MiB" "$CENV_BIN" install -e "$E" -f "$P/big.ini"
check_eq "nonregular: the bad manifests changed nothing" "$before" "$(state)"

# a record: a FIFO, a symlink to /dev/zero, one over 16 MiB (each a damaged record, item 15)
"$CENV_BIN" install -e "$E" "$P/kb.tar" >/dev/null || fail "install kb"
R="$E/var/cenv/records"
mkfifo "$R/kf"
ln -s /dev/zero "$R/kz"
before=$(state)
refused "nonregular: uninstall of a FIFO record is refused at once, naming it" \
	"^cenv: record '$R/kf' is damaged: it is not a regular file; \`cenv uninstall --force kf\` removes it and the files it still names$" \
	"$CENV_BIN" uninstall -e "$E" kf
refused "nonregular: uninstall of a record that is a symlink to /dev/zero is refused at once" \
	"record '$R/kz' is damaged: it is not a regular file" "$CENV_BIN" uninstall -e "$E" kz
run "$CENV_BIN" list -e "$E"
check_eq "nonregular: list shows the good record and exits 1" "1
NAME                 VERSION      BUILD        FILES       SIZE
kb                   1.0          prebuilt         2    0.0 KiB" "$status
$(cat "$SCRATCH/out")"
check_eq "nonregular: list names both damaged records, one line each" \
	"cenv: record '$R/kf' is damaged: it is not a regular file; \`cenv uninstall --force kf\` removes it and the files it still names
cenv: record '$R/kz' is damaged: it is not a regular file; \`cenv uninstall --force kz\` removes it and the files it still names" \
	"$(cat "$SCRATCH/err")"
check_eq "nonregular: the FIFO and /dev/zero records changed nothing" "$before" "$(state)"
run "$CENV_BIN" uninstall -e "$E" --force kf kz
check_eq "nonregular: uninstall --force removes both (no files to remove)" "0
kf: uninstalled (a damaged record and 0 files)
kz: uninstalled (a damaged record and 0 files)" "$status
$(cat "$SCRATCH/out")"
check "nonregular: the two are gone, /dev/zero is still there" \
	test ! -e "$R/kf" -a ! -L "$R/kz" -a -c /dev/zero
truncate -s 17M "$R/kbig"
refused "nonregular: a record over 16 MiB is damaged, naming the cap" \
	"record '$R/kbig' is damaged: it is larger than the limit of 16 MiB" \
	"$CENV_BIN" uninstall -e "$E" kbig
rm -f "$R/kbig"

# the journal: every command that locks recovers first, and reads it
J="$E/var/cenv/journal"
mkfifo "$J"
before=$(state)
refused "nonregular: a journal that is a FIFO is refused at once" \
	"'$J' is a fifo, not a regular file" "$CENV_BIN" list -e "$E"
refused "nonregular: install with a FIFO journal is refused at once" \
	"'$J' is a fifo, not a regular file" "$CENV_BIN" install -e "$E" "$P/ka.tar"
check_eq "nonregular: the FIFO journal changed nothing" "$before" "$(state)"
rm -f "$J"
ln -s /dev/zero "$J"
refused "nonregular: a journal that is a symlink to /dev/zero is refused at once" \
	"'$J' is a symlink, not a regular file" "$CENV_BIN" uninstall -e "$E" kb
rm -f "$J"
truncate -s 17M "$J"
refused "nonregular: a journal over 16 MiB is refused, naming the cap" \
	"'$J' is larger than the limit of 16 MiB" "$CENV_BIN" list -e "$E"
rm -f "$J"

# cenv.cfg: read by every command that takes -e; its cap is 1 MiB
C="$E/cenv.cfg"
cp "$C" "$SCRATCH/cfg"
before=$(tree_state "$E")
rm "$C" && mkfifo "$C"
refused "nonregular: a cenv.cfg that is a FIFO is refused at once" \
	"'$C' is a fifo, not a regular file" "$CENV_BIN" list -e "$E"
refused "nonregular: install with a FIFO cenv.cfg is refused at once" \
	"'$C' is a fifo, not a regular file" "$CENV_BIN" install -e "$E" "$P/ka.tar"
rm "$C" && ln -s /dev/zero "$C"
refused "nonregular: a cenv.cfg that is a symlink to /dev/zero is refused at once (cenv's own file: never followed)" \
	"'$C' is a symlink, not a regular file" "$CENV_BIN" uninstall -e "$E" kb
rm "$C" && cp "$SCRATCH/cfg" "$C" && truncate -s 2M "$C"
refused "nonregular: a cenv.cfg over 1 MiB is refused, naming the cap" \
	"'$C' is larger than the limit of 1 MiB" "$CENV_BIN" list -e "$E"
cp "$SCRATCH/cfg" "$C"
check_eq "nonregular: the bad cenv.cfg changed nothing" "$before" "$(tree_state "$E")"
check "nonregular: the environment works again" sh -c '"$1" list -e "$2" >/dev/null' sh "$CENV_BIN" "$E"

# ---- 13: long lines, through inih -------------------------------------------------------------
# A local path made about 4 KiB long with "./" (PATH_MAX is 4096, so a longer path cannot be
# opened): installs, and its record keeps the absolute path as written
dots=$(printf './%.0s' $(seq 1 $(((4090 - ${#P} - 8) / 2))))
url4="${dots}ka.tar"
ka_ini "$url4" >"$P/long4.ini"
check "long: the manifest's url line is about 4 KiB" test "$(wc -L <"$P/long4.ini")" -gt 3900
run "$CENV_BIN" install -e "$E" -f "$P/long4.ini"
check_eq "long: a 4 KiB url installs" "0
ka 1.0: installed (prebuilt, 1 file, 0.0 KiB)" "$status
$(untimed "$SCRATCH/out")"
check_eq "long: the record keeps the whole url" "url $P/$url4" "$(grep '^url ' "$R/ka")"
run "$CENV_BIN" install -e "$E" -f "$P/long4.ini"
check_eq "long: the 4 KiB url reads the same again: up to date" "0
1 package up to date in $E" "$status
$(cat "$SCRATCH/out")"
# freeze writes that url on one line, which install reads back
"$CENV_BIN" freeze -e "$E" >"$P/frozen.ini" 2>"$SCRATCH/err" || fail "freeze" "$(cat "$SCRATCH/err")"
check "long: freeze wrote a line of about 4 KiB" test "$(wc -L <"$P/frozen.ini")" -gt 3900
run "$CENV_BIN" install -e "$E" -f "$P/frozen.ini"
check_eq "long: freeze's output reads back: up to date" "0
2 packages up to date in $E" "$status
$(cat "$SCRATCH/out")"
# an 8 KiB line: a make build's args, 8 KiB of -D flags, which the build writes into a file it installs
mkdir -p "$P/src/flags-1.0"
cat >"$P/src/flags-1.0/Makefile" <<'MK'
all:
install:
	mkdir -p $(DESTDIR)$(PREFIX)/share/flags
	printf '%s\n' '$(FLAGS)' > $(DESTDIR)$(PREFIX)/share/flags/FLAGS
MK
bsdtar -cf "$P/flags.tar" -C "$P/src" flags-1.0
flags=$(printf -- '-DFEATURE_%04d=1 ' $(seq 1 512))
flags=${flags% }
printf '[flags]\nversion = 1.0\nurl = flags.tar\nsha256 = %s\nbuild = make\nargs = %s\n' \
	"$(sum "$P/flags.tar")" "FLAGS='$flags'" >"$P/flags.ini"
check "long: the args line is over 8 KiB" test "$(wc -L <"$P/flags.ini")" -gt 8192
run "$CENV_BIN" install -e "$E" -f "$P/flags.ini"
check_eq "long: an 8 KiB args line installs" "0
flags 1.0: installed (make, 1 file, $(awk -v n=$((${#flags} + 1)) 'BEGIN { printf "%.1f", n / 1024 }') KiB)" "$status
$(untimed "$SCRATCH/out")"
check_eq "long: the build got all 8 KiB of it" "$flags" "$(cat "$E/share/flags/FLAGS" 2>&1)"
"$CENV_BIN" freeze -e "$E" >"$P/frozen8.ini" 2>"$SCRATCH/err" || fail "freeze" "$(cat "$SCRATCH/err")"
run "$CENV_BIN" install -e "$E" -f "$P/frozen8.ini"
check_eq "long: freeze's 8 KiB line reads back: up to date" "0
3 packages up to date in $E" "$status
$(cat "$SCRATCH/out")"
# and a local 8 KiB value other than url: args, with a long line number after it
a=$(printf -- '--with-x%.0s' $(seq 1 1100))
{ ka_ini; printf 'args = %s\n\n[kd]\nurl = z\nsha265 = 1\n' "$a"; } >"$P/args8.ini"
refused "long: an error after an 8 KiB line names the right line" \
	"args8.ini:10: unknown key 'sha265' in \[kd\]" "$CENV_BIN" install -e "$E" -f "$P/args8.ini"
# over the limit: 64 KiB
{ ka_ini "$(printf './%.0s' $(seq 1 33000))ka.tar"; } >"$P/huge.ini"
before=$(state)
refused "long: a line over 64 KiB is refused, naming file and line" \
	"^cenv: $P/huge.ini:3: line too long \(more than 65536 bytes\)$" "$CENV_BIN" install -e "$E" -f "$P/huge.ini"
check_eq "long: the refused manifests changed nothing" "$before" "$(state)"

# ---- 15: a damaged record ---------------------------------------------------------------------
# ka is installed (1 file; installed here if the long url above failed); damage its file line's sha256
[ -f "$R/ka" ] || "$CENV_BIN" install -e "$E" "$P/ka.tar" >/dev/null 2>&1
sed -i 's/^f 0644 7 [0-9a-f]* /f 0644 7 zz /' "$R/ka"
check "damaged: the record was damaged" grep -q '^f 0644 7 zz include/ka.h$' "$R/ka"
before=$(state)
msg="^cenv: record '$R/ka' is damaged: line 7: bad sha256 'zz'; \`cenv uninstall --force ka\` removes it and the files it still names$"
refused "damaged: uninstall names the damaged record and the way out" "$msg" "$CENV_BIN" uninstall -e "$E" ka
log_before=$(stat -c '%i %y %s' "$E/var/cenv/logs/ka.log" 2>&1)
refused "damaged: install PATH names it too (not 'already installed')" "$msg" "$CENV_BIN" install -e "$E" "$P/ka.tar"
check_eq "damaged: and refuses it before building (the build log is untouched)" "$log_before" \
	"$(stat -c '%i %y %s' "$E/var/cenv/logs/ka.log" 2>&1)"
ka_ini >"$P/ka.ini"
run "$CENV_BIN" install -e "$E" -f "$P/ka.ini"
check_eq "damaged: install from a manifest names it too (its last line; the others say kb and flags are not in it)" "1
${msg#^}" "$status
$(tail -n 1 "$SCRATCH/err")\$"
run "$CENV_BIN" list -e "$E"
check_eq "damaged: list shows the others and names it" "1
NAME                 VERSION      BUILD        FILES       SIZE
flags                1.0          make             1 $(awk -v n=$((${#flags} + 1)) 'BEGIN { printf "%10s", sprintf("%.1f KiB", n / 1024) }')
kb                   1.0          prebuilt         2    0.0 KiB
${msg#^}" "$status
$(cat "$SCRATCH/out")
$(cat "$SCRATCH/err")\$"
check_eq "damaged: the refusals changed nothing" "$before" "$(state)"
# a damaged record's files that are not its to remove: one behind a symlinked directory, one that
# is a directory, one that is absent; kb's file stays kb's
mkdir -p "$OUT/d" && echo outside >"$OUT/d/x.h"
ln -s "$OUT/d" "$E/include/evil"
mkdir "$E/include/adir"
{
	echo "f 0644 8 $(sha256sum "$OUT/d/x.h" | cut -d' ' -f1) include/evil/x.h"
	echo "f 0644 3 zz include/adir"
	echo "f 0644 3 zz include/gone.h"
	echo "f 0644 7 zz include/kb.h"
	echo "this line is no file line"
} >>"$R/ka"
run "$CENV_BIN" uninstall -e "$E" --force ka
check_eq "damaged: uninstall --force removes it and the one file still its own" "0
ka: uninstalled (a damaged record and 1 file)" "$status
$(cat "$SCRATCH/out")"
check "damaged: the record and include/ka.h are gone" test ! -e "$R/ka" -a ! -e "$E/include/ka.h"
check "damaged: nothing was removed through the symlinked directory" test -f "$OUT/d/x.h" -a -f "$OUT/sentinel"
check "damaged: the directory it named and kb's files stay" test -d "$E/include/adir" -a -f "$E/include/kb.h" -a -f "$E/include/kb2.h"
rm "$E/include/evil" && rmdir "$E/include/adir"
check "damaged: the journal and txn/ are gone: the change was committed" test ! -e "$E/var/cenv/journal" -a ! -e "$E/var/cenv/txn"
run "$CENV_BIN" install -e "$E" "$P/ka.tar"
check_eq "damaged: ka installs again" "0
ka 1.0: installed (prebuilt, 1 file, 0.0 KiB)" "$status
$(untimed "$SCRATCH/out")"
refused "damaged: --force of a package that is not installed still says so" \
	"'nope' is not installed in $E" "$CENV_BIN" uninstall -e "$E" --force nope

run "$CENV_BIN" uninstall -e "$E" ka kb flags
check_eq "the end: the rest uninstalls, flags's 1 file" "0
ka: uninstalled (1 file)
kb: uninstalled (2 files)
flags: uninstalled (1 file)" "$status
$(cat "$SCRATCH/out")"
check "outside: the sentinel is untouched" test "$(cat "$OUT/sentinel")" = "do not touch"
finish
