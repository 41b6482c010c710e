# t-output.sh - issue 11: what a user sees of a build: a failed build's report shows the first
# lines of the failed step that look like errors (with their line numbers in the log), then the
# log's tail, each labelled; an outside write points at make_args; on a terminal the live block (issue 12),
# redrawn in place and within its width, none in a pipe, with TERM=dumb or -q; -v streams
# the build's output, each line prefixed with the package's name.
. "$(dirname "$0")/lib.sh"
plan 56
. "$(dirname "$0")/lib-install.sh"

E="$TMP_ROOT/env"
"$CENV_BIN" create "$E" >/dev/null || fail "create"
LOG="$E/var/cenv/logs"
PTY="$TOP/tests/pty.py"
ESC=$(printf '\033')
CR=$(printf '\r')

# section LABEL FILE: the lines of FILE after the line LABEL, up to the next "---- " line
section() { awk -v l="$2" '$0 == l { on = 1; next } /^---- / { on = 0 } on' "$1"; }

# ---- a failed build: its first error lines, then its tail -----------------------------------
pack output/late late
"$CENV_BIN" install -e "$E" "$P/late-1.0.tar.gz" >"$SCRATCH/out" 2>"$SCRATCH/err" && fail "late: the build fails" ||
	pass "late: the build fails"
log="$LOG/late.log"
errline=$(grep -n "^src/late.c:12:3: error: 'late_undeclared' undeclared" "$log" | cut -d: -f1)
check "late: the error is 40 lines before the end of the log" test $(($(wc -l <"$log") - errline)) -ge 40
check_eq "late: the message comes first" "cenv: build of 'late' failed at make (exit status 2); log: $log" \
	"$(head -1 "$SCRATCH/err")"
check_eq "late: then the error lines, labelled with the step and the log" \
	"---- first error lines of make, by line of $log ----" "$(sed -n 2p "$SCRATCH/err")"
errors=$(section "$SCRATCH/err" "---- first error lines of make, by line of $log ----")
check_eq "late: the error line, with its number in the log" \
	"$(printf '%6d: %s' "$errline" "$(sed -n "${errline}p" "$log")")" "$(head -1 <<<"$errors")"
makeline=$(grep -n '^make: \*\*\* \[Makefile:4: all\] Error 1$' "$log" | cut -d: -f1)
check_eq "late: make's own error line follows, nothing else" \
	"$(printf '%6d: %s\n%6d: %s' "$errline" "$(sed -n "${errline}p" "$log")" "$makeline" "$(sed -n "${makeline}p" "$log")")" \
	"$errors"
check_eq "late: then the last 20 lines of the log, labelled" "$(tail -20 "$log")" \
	"$(section "$SCRATCH/err" "---- last 20 lines of $log ----")"
check_eq "late: the two sections, in that order, and nothing else (1 + 1 + 2 + 1 + 20 lines)" "25
---- first error lines of make, by line of $log ----
---- last 20 lines of $log ----" "$(wc -l <"$SCRATCH/err"; grep '^---- ' "$SCRATCH/err")"

# an error-looking line of an earlier step (make) is not the failed step's (make install)
pack output/later later
"$CENV_BIN" install -e "$E" "$P/later-1.0.tar.gz" >/dev/null 2>"$SCRATCH/err" && fail "later: install fails" ||
	pass "later: install fails"
log="$LOG/later.log"
check "later: the make step's error-looking line is in the log" grep -q '^tests/t.c:1:1: error: (expected' "$log"
makeline=$(grep -n '^make: \*\*\* \[Makefile:6: install\] Error 1$' "$log" | cut -d: -f1)
check_eq "later: only the install step's error line, under its step's name" \
	"$(printf -- '---- first error lines of make install, by line of %s ----\n%6d: %s' "$log" "$makeline" \
		"$(sed -n "${makeline}p" "$log")")" \
	"$(grep -A1 '^---- first error lines' "$SCRATCH/err")"
check "later: cp's message (no error word) is in the tail" grep -qx "cp: cannot stat 'liblater.so': No such file or directory" \
	<(section "$SCRATCH/err" "---- last 20 lines of $log ----")

# configure: error:
pack output/confail confail
"$CENV_BIN" install -e "$E" "$P/confail-1.0.tar.gz" >/dev/null 2>"$SCRATCH/err" && fail "configure fails" ||
	pass "configure fails"
log="$LOG/confail.log"
cline=$(grep -n '^configure: error: libfoo is required' "$log" | cut -d: -f1)
check_eq "configure: error: shown under configure's name, with its line number" \
	"$(printf -- '---- first error lines of configure, by line of %s ----\n%6d: configure: error: libfoo is required: install it, or --without-foo\n---- last 20 lines of %s ----' \
		"$log" "$cline" "$log")" \
	"$(sed -n 2,4p "$SCRATCH/err")"
check "configure: its checks (strerror_r ... yes) are not error lines" \
	test "$(section "$SCRATCH/err" "---- first error lines of configure, by line of $log ----" | wc -l)" -eq 1

# ---- a write outside the staging area: the path, and make_args ------------------------------
pack output/luaish luaish
if "$CENV_BIN" install -v -e "$E" "$P/later-1.0.tar.gz" 2>&1 | grep -q '^cenv: builds run in a sandbox'; then
	"$CENV_BIN" install -e "$E" "$P/luaish-1.0.tar.gz" >/dev/null 2>"$SCRATCH/err" && fail "luaish: install fails" ||
		pass "luaish: install fails"
	check_eq "luaish: the path, and the make_args that would put it in the stage" \
		"cenv: luaish: the build tried to write outside its staging area: /usr/bin/luaish-cenv-test — its Makefile ignores DESTDIR/PREFIX: pass its own variables in make_args (e.g. make_args = INSTALL_TOP={destdir}{prefix}) (make install failed with exit status 2; log: $LOG/luaish.log)" \
		"$(head -1 "$SCRATCH/err")"
	check "luaish: nothing written there" test ! -e /usr/bin/luaish-cenv-test
else
	for c in "luaish: install fails" "luaish: the path and make_args" "luaish: nothing written there"; do
		skip "$c" "no working bwrap sandbox"
	done
fi

# ---- the live block on a terminal -------------------------------------------------------------
# (cenv in tests/pty.py; tests/termcheck.py says what a terminal made of the transcript)
pack output/slow slowpoke
# its install step takes 0.5 s too, so that the block shows it (drawn every 100 ms)
sed -i 's/^install:$/install:\n\tsleep 0.5/' "$P/src/slowpoke-1.0/Makefile" &&
	bsdtar -czf "$P/slowpoke-1.0.tar.gz" -C "$P/src" slowpoke-1.0
# drawn FILE: every line put on the terminal as text, one per (re)draw, escape codes dropped
drawn() { tr '\r' '\n' <"$1" | sed "s/$ESC\[[0-9;?]*[A-Za-z]//g" | grep -av '^$'; }
# term COLS FILE KEY: a value of termcheck's report; screen COLS FILE: the final screen
term() { python3 "$TOP/tests/termcheck.py" "$1" "${PTY_ROWS:-24}" "$2" | sed -n "s/^$3: //p"; }
screen() { python3 "$TOP/tests/termcheck.py" "$1" "${PTY_ROWS:-24}" "$2" | sed '1,/^screen:$/d'; }
INSTALLED="slowpoke 1.0: installed (make, 1 file, 0.0 KiB)"
check "on a terminal: the build installs" python3 "$PTY" 80 "$SCRATCH/tty" "$CENV_BIN" install -e "$E" "$P/slowpoke-1.0.tar.gz"
drawn "$SCRATCH/tty" >"$SCRATCH/shown"
check "on a terminal: the package's line with its step and the time" grep -qx 'slowpoke  building (make) 0:00' "$SCRATCH/shown"
check "on a terminal: the total line below it" grep -qx '0/1 installed · 1 building · 0:0[0-3]' "$SCRATCH/shown"
check_eq "on a terminal: redrawn with the elapsed time, once a second (the build sleeps 3 s)" "0:01
0:02" "$(grep -o '^slowpoke  building (make) 0:0[12]$' "$SCRATCH/shown" | grep -o '0:0[12]' | sort -u)"
check_eq "on a terminal: redrawn in place (every erase goes over the two lines of the block, no more)" "2 0" \
	"$(term 80 "$SCRATCH/tty" tallest) $(term 80 "$SCRATCH/tty" clamped)"
check "on a terminal: the install step is shown too" grep -qx 'slowpoke  building (make install) 0:0[0-9]' "$SCRATCH/shown"
check_eq "on a terminal: the block cleared when the package ends: its line alone on the screen" "$INSTALLED" \
	"$(screen 80 "$SCRATCH/tty" | untimed)"
check_eq "on a terminal: the cursor hidden while the block is drawn, shown at the end" "1 1 shown" \
	"$(term 80 "$SCRATCH/tty" hides) $(term 80 "$SCRATCH/tty" shows) $(term 80 "$SCRATCH/tty" cursor)"
check_eq "on a terminal: nothing the emulation does not know" "-" "$(term 80 "$SCRATCH/tty" unknown)"
check "on a terminal: the build's output stays in the log (no -v)" grep -qx "slow: started" "$LOG/slowpoke.log"
check "on a terminal: and off the screen" test "$(grep -c 'slow: started' "$SCRATCH/tty")" = 0

# within the width: 20 columns (COLUMNS too) leave 19 for each line of the block
COLUMNS=20 CENV_TEST_SLEEP=1 python3 "$PTY" 20 "$SCRATCH/tty" "$CENV_BIN" install -e "$E" "$P/slowpoke-1.0.tar.gz"
check_eq "20 columns: the block's lines cut to 19 columns (the longest drawn and erased)" "19" "$(term 20 "$SCRATCH/tty" live)"
check_eq "20 columns: the package's and the total line cut" "$(printf 'slowpoke  building (make) 0:00' | cut -c1-19)
$(printf '0/1 installed · 1 building · 0:00' | cut -c1-20)" \
	"$(drawn "$SCRATCH/tty" | grep -x -e 'slowpoke  building ' -e '0/1 installed · 1 b' | sort -u -r)"
check_eq "20 columns: the block erased, the installed line whole (wrapped by the terminal)" "$INSTALLED" \
	"$(screen 20 "$SCRATCH/tty" | tr -d '\n' | untimed)"

# no terminal, TERM=dumb, -q: no escape codes, no carriage return
CENV_TEST_SLEEP=1 "$CENV_BIN" install -e "$E" "$P/slowpoke-1.0.tar.gz" >"$SCRATCH/out" 2>"$SCRATCH/err"
check_eq "in a pipe: one plain line" "$INSTALLED" "$(untimed "$SCRATCH/out" "$SCRATCH/err")"
check "in a pipe: no escape code or carriage return" test "$(cat "$SCRATCH/out" "$SCRATCH/err" | grep -c "[$ESC$CR]")" = 0
TERM=dumb CENV_TEST_SLEEP=1 python3 "$PTY" 80 "$SCRATCH/tty" "$CENV_BIN" install -e "$E" "$P/slowpoke-1.0.tar.gz"
check_eq "TERM=dumb: no block, one plain line" "$INSTALLED" "$(untimed "$SCRATCH/tty")"
CENV_TEST_SLEEP=1 python3 "$PTY" 80 "$SCRATCH/tty" "$CENV_BIN" install -q -e "$E" "$P/slowpoke-1.0.tar.gz"
check_eq "-q: no block, one plain line" "$INSTALLED" "$(untimed "$SCRATCH/tty")"
# stdout a terminal, stderr not: the block goes to the terminal
CENV_TEST_SLEEP=1 python3 "$PTY" 80 "$SCRATCH/tty" sh -c '"$0" install -e "$1" "$2" 2>"$3"' "$CENV_BIN" "$E" \
	"$P/slowpoke-1.0.tar.gz" "$SCRATCH/err"
check "stderr redirected: the block on stdout's terminal" grep -qx 'slowpoke  building (make) 0:00' <(drawn "$SCRATCH/tty")
check_eq "stderr redirected: erased there, the installed line last, the cursor shown" "$INSTALLED shown" \
	"$(screen 80 "$SCRATCH/tty" | untimed) $(term 80 "$SCRATCH/tty" cursor)"
check_eq "stderr redirected: nothing on stderr" "" "$(cat "$SCRATCH/err")"

# ---- -v: the build's output, each line prefixed -----------------------------------------------
CENV_TEST_SLEEP=1 "$CENV_BIN" install -v -e "$E" "$P/slowpoke-1.0.tar.gz" >"$SCRATCH/out" 2>"$SCRATCH/err"
log="$LOG/slowpoke.log"
check_eq "-v: every line of the build's log from its first command on, prefixed" \
	"$(sed -n '/^\$ cd /,$p' "$log" | sed 's/^/slowpoke| /')" "$(grep '^slowpoke| ' "$SCRATCH/err")"
check "-v: the build's own output among them" grep -qx 'slowpoke| slow: done' "$SCRATCH/err"
check "-v: no line unprefixed but cenv's" test "$(grep -v -c -e '^slowpoke| ' -e '^cenv: ' "$SCRATCH/err")" = 0
check "-v: in a pipe, no escape code" test "$(grep -c "[$ESC$CR]" "$SCRATCH/err")" = 0
check "-v: the log still has everything" grep -qx 'slow: started' "$log"
check_eq "-v: stdout as without it" "$INSTALLED" "$(untimed "$SCRATCH/out")"
# (a terminal wide enough for the log's long lines, so that none wraps)
CENV_TEST_SLEEP=2 python3 "$PTY" 1000 "$SCRATCH/tty" "$CENV_BIN" install -v -e "$E" "$P/slowpoke-1.0.tar.gz"
drawn "$SCRATCH/tty" >"$SCRATCH/shown"
check "-v on a terminal: the lines come as the build writes them, the block between" \
	grep -Pzq 'slowpoke\| slow: started\n(.*\n)*slowpoke  building \(make\) 0:01\n(.*\n)*slowpoke\| slow: done\n' "$SCRATCH/shown"
# every -v line on the screen whole and alone: the block erased before each, drawn again after
check_eq "-v on a terminal: the screen holds the log's lines, prefixed, then the installed line: no block left, none drawn over" \
	"$(sed -n '/^\$ cd /,$p' "$LOG/slowpoke.log" | sed 's/^/slowpoke| /')
$INSTALLED" "$(screen 1000 "$SCRATCH/tty" | grep -v '^cenv: builds run in a sandbox' | untimed)"
check_eq "-v on a terminal: the cursor shown at the end" "shown" "$(term 1000 "$SCRATCH/tty" cursor)"

# without -v, a failed build's output is only in the report
pack output/late late
"$CENV_BIN" install -e "$E" "$P/late-1.0.tar.gz" >/dev/null 2>"$SCRATCH/err"
check "without -v: no prefixed line" test "$(grep -c '^late| ' "$SCRATCH/err")" = 0
"$CENV_BIN" install -v -e "$E" "$P/late-1.0.tar.gz" >/dev/null 2>"$SCRATCH/err"
check_eq "-v, a failed build: its lines, then the report" "late| cenv: failed to build 'late'
cenv: build of 'late' failed at make (exit status 2); log: $LOG/late.log" \
	"$(grep -A1 "^late| cenv: failed to build 'late'" "$SCRATCH/err")"
# ---- the build's bytes as the report and -v show them: escaped, one line each, long ones cut ---
rm -rf "$P/src/wide-1.0" && mkdir -p "$P/src/wide-1.0"
cat >"$P/src/wide-1.0/Makefile" <<'MK'
all:
	@printf 'a.c:1:1: error: \033[2J\342\200\256x\tend\rover\n'
	@head -c 10000 /dev/zero | tr '\0' y; sleep 1; head -c 10000 /dev/zero | tr '\0' y; echo
	@echo after
	@exit 1
install:
	true
MK
bsdtar -czf "$P/wide-1.0.tar.gz" -C "$P/src" wide-1.0
shown='a.c:1:1: error: \x1b[2J\xe2\x80\xaex\tend\x0dover'
ys=$(head -c 300 /dev/zero | tr '\0' y)
"$CENV_BIN" install -e "$E" "$P/wide-1.0.tar.gz" >/dev/null 2>"$SCRATCH/err" && fail "wide: the build fails" ||
	pass "wide: the build fails"
log="$LOG/wide.log"
check_eq "report: the error line escaped as printable() shows a path (ESC, U+202E, tab, CR), on one line" \
	"$shown" "$(section "$SCRATCH/err" "---- first error lines of make, by line of $log ----" | head -1 | sed 's/^ *[0-9]*: //')"
check_eq "report: the tail's lines escaped the same way, a 20000-byte line cut at 300 bytes with ..." \
	"$shown
$ys...
after" "$(section "$SCRATCH/err" "---- last 20 lines of $log ----" | grep -A2 -F 'a.c:1:1')"
"$CENV_BIN" install -v -e "$E" "$P/wide-1.0.tar.gz" >/dev/null 2>"$SCRATCH/err"
check "-v: the line escaped the same way, on one line" grep -qxF "wide| $shown" "$SCRATCH/err"
check "-v: a 20000-byte line shown cut at 8192 bytes with ..." \
	grep -qx "wide| $(head -c 8192 /dev/zero | tr '\0' y)\.\.\." "$SCRATCH/err"
check_eq "-v: the rest of the cut line skipped (one line of it shown, though read in two parts), the next line whole" "1 wide| after" \
	"$(grep -c "^wide| y" "$SCRATCH/err") $(grep -A1 "^wide| yyyy" "$SCRATCH/err" | tail -1)"
finish
