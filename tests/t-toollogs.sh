# t-toollogs.sh - issue 11: a failed build keeps the tools' own logs (autotools' config.log, a
# nested configure's, CMake's CMakeFiles/*.log, Meson's meson-log.txt) in var/cenv/logs/NAME.d
# before its work area goes, and names them after its message; a CMake Error's indented lines,
# the cause, come with its header among the first error lines.
. "$(dirname "$0")/lib.sh"
plan 26
. "$(dirname "$0")/lib-install.sh"

E="$TMP_ROOT/env"
"$CENV_BIN" create "$E" >/dev/null || fail "create"
LOG="$E/var/cenv/logs"

# section LABEL FILE: the lines of FILE after the line LABEL, up to the next "---- " line
section() { awk -v l="$2" '$0 == l { on = 1; next } /^---- / { on = 0 } on' "$1"; }
# numbered N FILE: line N of FILE as the report shows it
numbered() { printf '%6d: %s' "$1" "$(sed -n "$1p" "$2")"; }

# ---- CMake: find_package(NOSUCHPKGX REQUIRED) ---------------------------------------------
pack toollogs/cmakemissing cmk
"$CENV_BIN" install -e "$E" "$P/cmk-1.0.tar.gz" >/dev/null 2>"$SCRATCH/err" && fail "cmk: the build fails" ||
	pass "cmk: the build fails"
log="$LOG/cmk.log"
errors=$(section "$SCRATCH/err" "---- first error lines of cmake configure, by line of $log ----")
head=$(grep -n '^CMake Error at CMakeLists.txt:5 (find_package):$' "$log" | cut -d: -f1)
cause=$(grep -n '^  Could not find a package configuration file provided by "NOSUCHPKGX"' "$log" | cut -d: -f1)
check "cmk: CMake's header and its cause are in the log" test -n "$head" -a -n "$cause"
check_eq "cmk: the header is the first error line, numbered" "$(numbered "$head" "$log")" "$(head -1 <<<"$errors")"
check_eq "cmk: the next line of the log follows it, numbered" "$(numbered $((head + 1)) "$log")" \
	"$(sed -n 2p <<<"$errors")"
check "cmk: the cause line is shown, numbered" grep -qxF -- "$(numbered "$cause" "$log")" <<<"$errors"
check "cmk: no blank line shown" test -z "$(grep -E '^ +[0-9]+: *$' <<<"$errors")"
check_eq "cmk: 8 lines below the header, then the next entry or nothing" 9 \
	"$(grep -c -E '^ +[0-9]+: ' <<<"$errors")"
more=$(sed -n 2p "$SCRATCH/err")
check "cmk: after the message, the kept CMake log is named" \
	grep -qE "^cenv: more in: ($LOG/cmk.d/CMakeFiles/CMakeOutput.log|.*$LOG/cmk.d/CMakeFiles/CMakeConfigureLog.yaml)" <<<"$more"
kept=$(sed 's/^cenv: more in: //; s/, /\n/g' <<<"$more" | head -1)
check "cmk: the kept log is CMake's (the compiler identification in it)" grep -q 'C compiler identification' "$kept"
check "cmk: the work area is gone" test ! -e "$E/var/cenv/work/cmk"

# ---- autotools: configure: error:, config.log and a nested one --------------------------------
pack toollogs/confail acf
"$CENV_BIN" install -e "$E" "$P/acf-1.0.tar.gz" >/dev/null 2>"$SCRATCH/err" && fail "acf: configure fails" ||
	pass "acf: configure fails"
check_eq "acf: the message, then config.log and sub/config.log named (no FIFO, no symlink)" \
	"cenv: build of 'acf' failed at configure (exit status 1); log: $LOG/acf.log
cenv: more in: $LOG/acf.d/config.log, $LOG/acf.d/sub/config.log" "$(head -2 "$SCRATCH/err")"
check_file_eq "acf: config.log as configure wrote it" <(sed -n '/^This file contains/,/^LOG$/p' \
	"$FIX/toollogs/confail/configure" | sed '$d') "$LOG/acf.d/config.log"
check_eq "acf: the nested configure's config.log" "sub/configure: checking for bar... no" "$(cat "$LOG/acf.d/sub/config.log")"
check_eq "acf: nothing else kept" "./config.log
./sub/config.log" "$(cd "$LOG/acf.d" && find . -mindepth 1 \! -type d | LC_ALL=C sort)"

# a later successful install of the name leaves no stale tool logs
recipe_pkg acf 'true' "$(good_recipe acf)"
check "acf: a good build of it installs" "$CENV_BIN" install -e "$E" "$P/acf-1.0.tar.gz" >/dev/null 2>&1
check "acf: its tool logs are gone" test ! -e "$LOG/acf.d"
# a failed reinstall keeps them again; uninstall removes them
pack toollogs/confail acf
"$CENV_BIN" install -e "$E" "$P/acf-1.0.tar.gz" >/dev/null 2>&1 && fail "acf: the reinstall fails" ||
	pass "acf: the reinstall fails"
check "acf: its tool logs are kept again" test -f "$LOG/acf.d/config.log"
"$CENV_BIN" uninstall -e "$E" acf >/dev/null 2>&1 || fail "acf: uninstall"
check "acf: uninstall removes them" test ! -e "$LOG/acf.d"

# a symlink planted as NAME.d is removed, not followed
mkdir -p "$TMP_ROOT/outside" && echo keep >"$TMP_ROOT/outside/config.log"
ln -s "$TMP_ROOT/outside" "$LOG/acf.d"
"$CENV_BIN" install -e "$E" "$P/acf-1.0.tar.gz" >/dev/null 2>&1
check_eq "acf: the planted symlink's target is untouched" "config.log
keep" "$(ls "$TMP_ROOT/outside" && cat "$TMP_ROOT/outside/config.log")"
check "acf: NAME.d is a directory of its own now" test -d "$LOG/acf.d" -a ! -L "$LOG/acf.d"

# a make build keeps none: no NAME.d, no line for it
recipe_pkg plain 'echo "plain.c:1:1: error: no"\nfalse' "$(good_recipe plain)"
"$CENV_BIN" install -e "$E" "$P/plain-1.0.tar.gz" >/dev/null 2>"$SCRATCH/err" && fail "plain: make fails" ||
	pass "plain: make fails"
check "plain: no tool logs, no empty directory for them, no line" \
	test ! -e "$LOG/plain.d" -a -z "$(grep 'more in' "$SCRATCH/err")"

# a config.log past 16 MiB keeps its last 16 MiB, the failed check's end
rm -rf "$P/src/big-1.0" && cp -R "$FIX/toollogs/confail" "$P/src/big-1.0" && : >"$P/src/big-1.0/big" &&
	bsdtar -czf "$P/big-1.0.tar.gz" -C "$P/src" big-1.0
"$CENV_BIN" install -e "$E" "$P/big-1.0.tar.gz" >/dev/null 2>&1 && fail "big: configure fails" ||
	pass "big: configure fails"
check_eq "big: 16 MiB kept" 16777216 "$(stat -c %s "$LOG/big.d/config.log")"
check_eq "big: its end kept" "configure: the last line of a big config.log" "$(tail -c 200 "$LOG/big.d/config.log" | tail -1)"
finish
