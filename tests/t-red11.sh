# t-red11.sh - red team of issue 11: a hostile manifest, tarball or build against the new keys
# (env, configure, make_args, install_target), detection, files staged outside the prefix, the
# stage-path symlink rewrite, the failure report, -v and the status line, install --name and
# --version, MANPATH.  A check named "F<N>: ..." fails on the red branch: finding N of the red
# team's report, to be fixed; the others pass and stay as regression checks.
. "$(dirname "$0")/lib.sh"
plan 38
. "$(dirname "$0")/lib-install.sh"

ESC=$(printf '\033')
BEL=$(printf '\007')
RLO=$(printf '\342\200\256') # U+202E RIGHT-TO-LEFT OVERRIDE
PTY="$TOP/tests/pty.py"

# manifest NAME [KEY=VALUE...]: $P/NAME.ini, the one section for $P/NAME-1.0.tar.gz
manifest() { entry "$@" >"$P/$1.ini"; }
# fresh: a new, empty environment at $E
E="$TMP_ROOT/env"
fresh() { rm -rf "$E" && "$CENV_BIN" create "$E" >/dev/null; }
# inst NAME [OPTION...]: installs $P/NAME.ini into $E, stdout in $SCRATCH/out, stderr in $SCRATCH/err
inst() {
	local n=$1
	shift
	"$CENV_BIN" install -e "$E" -f "$P/$n.ini" "$@" >"$SCRATCH/out" 2>"$SCRATCH/err"
}
has_byte() { LC_ALL=C grep -q "$1" "$2"; }

sandbox_works=1
bwrap --die-with-parent --unshare-pid --ro-bind / / --dev /dev --proc /proc true 2>/dev/null || sandbox_works=
have_cc=1
command -v cc >/dev/null || have_cc=

# ---- F1: the manifest's env reaches bwrap itself, outside the sandbox ---------------------------
# The build (inside the sandbox) compiles a library into its own work area; the manifest's
# env = LD_PRELOAD=... names it.  The next step's bwrap is run with the build's environment, so
# the dynamic loader runs the library's constructor in bwrap, before any sandbox exists: it
# writes a file in $TMP_ROOT, which inside the sandbox is hidden under a tmpfs /tmp.
if [ -z "$sandbox_works" ] || [ -z "$have_cc" ]; then
	skip "F1: env = LD_PRELOAD=... never runs code outside the sandbox" "bwrap or cc missing"
	skip "F1: env = LD_PRELOAD=./evil.so (bwrap starts in the build's writable source dir) runs nothing outside the sandbox" "bwrap or cc missing"
else
	rm -rf "$P/src/preload-1.0" && mkdir -p "$P/src/preload-1.0"
	cat >"$P/src/preload-1.0/evil.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
__attribute__((constructor)) static void outside(void)
{
	const char *f = getenv("RED_MARK");
	FILE *fp = f ? fopen(f, "a") : NULL;
	if (fp) { fputs("ran outside the sandbox\n", fp); fclose(fp); }
}
C
	printf 'all:\n\tcc -shared -fPIC -o evil.so evil.c\ninstall:\n\tmkdir -p $(DESTDIR)$(PREFIX)/include\n\techo x > $(DESTDIR)$(PREFIX)/include/preload.h\n' \
		>"$P/src/preload-1.0/Makefile"
	bsdtar -czf "$P/preload-1.0.tar.gz" -C "$P/src" preload-1.0
	fresh
	manifest preload "env=LD_PRELOAD={prefix}/var/cenv/work/preload/src/evil.so RED_MARK=$TMP_ROOT/escaped"
	inst preload --sandbox=on
	if [ -e "$TMP_ROOT/escaped" ]; then
		fail "F1: env = LD_PRELOAD=... never runs code outside the sandbox" \
			"$TMP_ROOT/escaped was written: $(head -1 "$TMP_ROOT/escaped")" \
			"expected: the manifest's env is given to the build inside bwrap (--setenv / --clearenv), never to bwrap's own process, or loader variables refused"
	else
		pass "F1: env = LD_PRELOAD=... never runs code outside the sandbox"
	fi
	# the same through a relative path: bwrap is started in the build's own (writable) source dir
	rm -f "$TMP_ROOT/escaped"
	fresh
	manifest preload "env=LD_PRELOAD=./evil.so RED_MARK=$TMP_ROOT/escaped"
	inst preload --sandbox=on
	if [ -e "$TMP_ROOT/escaped" ]; then
		fail "F1: env = LD_PRELOAD=./evil.so (bwrap starts in the build's writable source dir) runs nothing outside the sandbox" \
			"LD_PRELOAD=./evil.so, resolved in the source dir bwrap is started in, ran outside the sandbox"
	else
		pass "F1: env = LD_PRELOAD=./evil.so (bwrap starts in the build's writable source dir) runs nothing outside the sandbox"
	fi
	rm -f "$TMP_ROOT/escaped"
fi

# ---- the failure report and -v: what the build prints reaches the terminal -------------------
rm -rf "$P/src/noisy-1.0" && mkdir -p "$P/src/noisy-1.0"
cat >"$P/src/noisy-1.0/Makefile" <<'MK'
all:
	@printf 'x.c:1:1: error: \033]0;TITLE\007 \033[31mred\033[0m \342\200\256gnp.exe\n'
	@printf 'tail \033[2J\033[H cleared\rcenv: fake line\n'
	@exit 1
install:
	true
MK
bsdtar -czf "$P/noisy-1.0.tar.gz" -C "$P/src" noisy-1.0
fresh
manifest noisy
inst noisy
check_eq "noisy: the build fails (exit 1)" 1 $?
if has_byte "$ESC" "$SCRATCH/err" || has_byte "$BEL" "$SCRATCH/err"; then
	fail "F2: the failure report shows no escape sequence of the build's output" \
		"$(grep -a -c "$ESC" "$SCRATCH/err") lines of stderr hold ESC (an OSC title, a clear screen); expected them shown escaped, as printable() does"
else
	pass "F2: the failure report shows no escape sequence of the build's output"
fi
if LC_ALL=C grep -q "$RLO" "$SCRATCH/err" || LC_ALL=C grep -q "$(printf '\r')" "$SCRATCH/err"; then
	fail "F2: the failure report shows no bidi control or carriage return of the build's output" \
		"U+202E or CR reached stderr raw (a line can be made to read differently from what it is)"
else
	pass "F2: the failure report shows no bidi control or carriage return of the build's output"
fi
fresh
inst noisy -v
if has_byte "$ESC" "$SCRATCH/err" || LC_ALL=C grep -q "$(printf '\r')" "$SCRATCH/err"; then
	fail "F3: -v streams the build's output without its escape sequences and carriage returns" \
		"ESC or CR reached stderr raw: 'noisy| ' prefixed lines can be overwritten or the terminal reprogrammed"
else
	pass "F3: -v streams the build's output without its escape sequences and carriage returns"
fi

# ---- an enormous line: the report's tail and -v's memory ----------------------------------------
rm -rf "$P/src/huge-1.0" && mkdir -p "$P/src/huge-1.0"
printf 'all:\n\t@head -c 5000000 /dev/zero | tr "\\0" x\n\t@exit 1\ninstall:\n\ttrue\n' >"$P/src/huge-1.0/Makefile"
bsdtar -czf "$P/huge-1.0.tar.gz" -C "$P/src" huge-1.0
fresh
manifest huge
inst huge
size=$(wc -c <"$SCRATCH/err")
if [ "$size" -gt 65536 ]; then
	fail "F4: the report's tail cuts an enormous line (a 5 MB line without newline)" \
		"stderr was $size bytes: the whole line was printed; expected each tail line cut (as the error lines are, at STEPLOG_LINE_MAX)"
else
	pass "F4: the report's tail cuts an enormous line (a 5 MB line without newline)"
fi
check "huge: the first-error-lines part is cut at 300 bytes (regression)" \
	bash -c '! grep -E "^ +[0-9]+: x{400}" "$0"' "$SCRATCH/err"

rm -rf "$P/src/nonl-1.0" && mkdir -p "$P/src/nonl-1.0"
printf 'all:\n\t@head -c 80000000 /dev/zero | tr "\\0" x\ninstall:\n\tmkdir -p $(DESTDIR)$(PREFIX)/include\n\techo x > $(DESTDIR)$(PREFIX)/include/nonl.h\n' \
	>"$P/src/nonl-1.0/Makefile"
bsdtar -czf "$P/nonl-1.0.tar.gz" -C "$P/src" nonl-1.0
if [ -x /usr/bin/time ]; then
	manifest nonl
	fresh
	/usr/bin/time -f '%M' -o "$SCRATCH/rss0" "$CENV_BIN" install -e "$E" -f "$P/nonl.ini" >/dev/null 2>/dev/null
	fresh
	/usr/bin/time -f '%M' -o "$SCRATCH/rss" "$CENV_BIN" install -v -e "$E" -f "$P/nonl.ini" >/dev/null 2>/dev/null
	rss0=$(tail -1 "$SCRATCH/rss0") rss=$(tail -1 "$SCRATCH/rss")
	# an 80 MB line held whole would add 80 MB; 30 MB leaves room for any display buffer
	if [ "${rss:-0}" -gt $((${rss0:-0} + 30000)) ]; then
		fail "F5: -v holds no unbounded partial line in memory (80 MB printed without a newline)" \
			"cenv's peak RSS was ${rss} KiB with -v, ${rss0} KiB without: follow_log keeps the whole line in bp->partial; expected it shown or cut in bounded pieces"
	else
		pass "F5: -v holds no unbounded partial line in memory (80 MB printed without a newline)"
	fi
else
	skip "F5: -v holds no unbounded partial line in memory (80 MB printed without a newline)" "/usr/bin/time missing"
fi
rm -f "$P/nonl-1.0.tar.gz"
rm -rf "$P/src/nonl-1.0" "$E"

# ---- files staged outside the prefix: their names in the warning ----------------------------------
rm -rf "$P/src/outnames-1.0" && mkdir -p "$P/src/outnames-1.0"
cat >"$P/src/outnames-1.0/Makefile" <<'MK'
all:
	true
install:
	mkdir -p $(DESTDIR)$(PREFIX)/include && echo x > $(DESTDIR)$(PREFIX)/include/outnames.h
	mkdir -p $(DESTDIR)/usr
	touch "$(DESTDIR)/usr/$$(printf 'a\033]0;TITLE\007b')"
	touch "$(DESTDIR)/usr/$$(printf 'line\ncenv: forged message')"
MK
bsdtar -czf "$P/outnames-1.0.tar.gz" -C "$P/src" outnames-1.0
fresh
manifest outnames
inst outnames
check_eq "outnames: installed with a warning (exit 0)" 0 $?
if has_byte "$ESC" "$SCRATCH/err" || grep -q '^cenv: forged message' "$SCRATCH/err"; then
	fail "F6: the outside-files warning shows staged names escaped, on one line" \
		"stderr: $(cat -v "$SCRATCH/err" | head -3)"
else
	pass "F6: the outside-files warning shows staged names escaped, on one line"
fi
# the log's full list: one name a line, each escaped as printable() does (\x1b, \x07, \n)
check_eq "F6: the log lists the staged names escaped, one a line" \
	'usr/a\x1b]0;TITLE\x07b|usr/line\ncenv: forged message|' \
	"$(sed -n '/files staged outside/,$s/^  //p' "$E/var/cenv/logs/outnames.log" | tr '\n' '|')"
fresh
inst outnames --strict
check_eq "outnames --strict: refused (exit 1), nothing installed (regression)" "1 absent" \
	"$? $(test -e "$E/include/outnames.h" && echo present || echo absent)"
if has_byte "$ESC" "$SCRATCH/err" || grep -q '^cenv: forged message' "$SCRATCH/err"; then
	fail "F6: --strict's refusal shows staged names escaped, on one line" "stderr: $(cat -v "$SCRATCH/err" | head -3)"
else
	pass "F6: --strict's refusal shows staged names escaped, on one line"
fi

# ---- the symlink rewrite and the refusal of links into var/cenv ------------------------------------
# linkpkg TARGET: $P/lnk-1.0.tar.gz installing include/lnk.h and lib/st -> TARGET (make variables
# expand in TARGET)
linkpkg() {
	rm -rf "$P/src/lnk-1.0" && mkdir -p "$P/src/lnk-1.0"
	printf 'all:\n\ttrue\ninstall:\n\tmkdir -p $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib\n\techo x > $(DESTDIR)$(PREFIX)/include/lnk.h\n\tln -s %s $(DESTDIR)$(PREFIX)/lib/st\n' \
		"$1" >"$P/src/lnk-1.0/Makefile"
	bsdtar -czf "$P/lnk-1.0.tar.gz" -C "$P/src" lnk-1.0
	fresh
	manifest lnk
	inst lnk
}
# refused NAME TARGET: the link to TARGET is refused and nothing is installed
refused() {
	local name=$1 status
	linkpkg "$2"
	status=$?
	if [ "$status" = 1 ] && [ ! -e "$E/include/lnk.h" ] && [ ! -L "$E/lib/st" ]; then
		pass "$name"
	else
		fail "$name" "exit $status; lib/st: $(readlink "$E/lib/st" 2>/dev/null || echo absent)" "$(head -2 "$SCRATCH/err")"
	fi
}
refused "a link to PREFIX/var/cenv/records is refused (regression)" '$(PREFIX)/var/cenv/records'
refused "F7: a relative link into var/cenv (../var/cenv/records) is refused like an absolute one" '../var/cenv/records'
refused "F7: a link to PREFIX/./var/cenv/records is refused" '$(PREFIX)/./var/cenv/records'
refused "F7: a link to PREFIX/var//cenv/records is refused" '$(PREFIX)/var//cenv/records'
refused "F7: a link to STAGE+PREFIX/var/./cenv (rewritten) is refused" '$(DESTDIR)$(PREFIX)/var/./cenv'
refused "a link to STAGE/../.. is refused after the rewrite (regression)" '$(DESTDIR)/../../etc'
refused "a link to STAGE//etc is refused after the rewrite (regression)" '$(DESTDIR)//etc'
refused "a link to STAGE+PREFIX2 (a lookalike prefix) is refused (regression)" '$(DESTDIR)$(PREFIX)2/x'
linkpkg '$(DESTDIR)$(PREFIX)/include/lnk.h'
check_eq "a link to STAGE+PREFIX/include/lnk.h is installed pointing at PREFIX/include/lnk.h (regression)" \
	"0 $E/include/lnk.h" "$? $(readlink "$E/lib/st")"

# ---- detection ------------------------------------------------------------------------------------
# a source tree (include/, src/main.c) whose first directory in name order holds 20001 files
rm -rf "$P/src/bigtree-1.0" && mkdir -p "$P/src/bigtree-1.0/include" "$P/src/bigtree-1.0/aaa" "$P/src/bigtree-1.0/src"
echo 'int bigtree;' >"$P/src/bigtree-1.0/include/bigtree.h"
echo 'int main(void) { return 0; }' >"$P/src/bigtree-1.0/src/main.c"
(cd "$P/src/bigtree-1.0/aaa" && seq 1 20001 | xargs touch)
bsdtar -czf "$P/bigtree-1.0.tar.gz" -C "$P/src" bigtree-1.0
rm -rf "$P/src/bigtree-1.0"
fresh
manifest bigtree
inst bigtree
status=$?
if [ "$status" = 1 ] && [ ! -e "$E/src/main.c" ]; then
	pass "F8: a source tree with a 20001-entry directory before src/ is not taken for prebuilt"
else
	fail "F8: a source tree with a 20001-entry directory before src/ is not taken for prebuilt" \
		"exit $status: $(head -1 "$SCRATCH/out")" "src/main.c installed: $(test -e "$E/src/main.c" && echo yes || echo no)" \
		"expected: when the scan stops at SCAN_ENTRIES without having seen the whole tree, not prebuilt (refused like a tree with sources)"
fi
rm -f "$P/bigtree-1.0.tar.gz"

# the refusal's hint at build = prebuilt says what prebuilt does (the whole tree, cenv.ini(5))
pack ossllike ossllike2
fresh
manifest ossllike2
inst ossllike2
if grep -q 'build = prebuilt to copy include/, lib/ and bin/ as they are' "$SCRATCH/err"; then
	fail "F9: the refusal's hint says build = prebuilt installs the whole tree" \
		"it says 'to copy include/, lib/ and bin/ as they are', but prebuilt installs every file of the tree (cenv.ini(5): 'the tree is installed as it is')"
else
	pass "F9: the refusal's hint says build = prebuilt installs the whole tree"
fi

# ---- install PATH --name: odd names in its messages ------------------------------------------------
recipe_pkg named 'true' "$(good_recipe named)"
fresh
"$CENV_BIN" install -e "$E" "$P/named-1.0.tar.gz" --name "$(printf 'a\033]0;T\007')" >"$SCRATCH/out" 2>"$SCRATCH/err"
check_eq "--name with an escape sequence: refused (exit 2)" 2 $?
if has_byte "$ESC" "$SCRATCH/err"; then
	fail "F10: --name's refusal shows the name escaped (as --version's does)" "stderr: $(head -1 "$SCRATCH/err" | cat -v)"
else
	pass "F10: --name's refusal shows the name escaped (as --version's does)"
fi
"$CENV_BIN" install -e "$E" "$P/named-1.0.tar.gz" --version "$(printf '1.0\nname evil')" >"$SCRATCH/out" 2>"$SCRATCH/err"
check_eq "--version with a newline: refused (exit 2), no record (regression)" "2 absent" \
	"$? $(test -e "$E/var/cenv/records/named" && echo present || echo absent)"

# ---- regressions: keys refused, freeze round trip -----------------------------------------------
recipe_pkg keyed 'true' "$(good_recipe keyed)"
fresh
manifest keyed 'install_target=-f/etc/passwd'
expect_fail "install_target = -f/etc/passwd is refused (regression)" 1 "install_target in \[keyed\] must be one make target" \
	"$CENV_BIN" install -e "$E" -f "$P/keyed.ini"
manifest keyed 'env=DESTDIR=/tmp/x'
expect_fail "env = DESTDIR=... is refused (regression)" 1 "DESTDIR is set by cenv" "$CENV_BIN" install -e "$E" -f "$P/keyed.ini"
manifest keyed "make_args=$(printf 'A=\033[31m')"
expect_fail "a control character in make_args is refused (regression)" 1 "holds a control character" \
	"$CENV_BIN" install -e "$E" -f "$P/keyed.ini"
manifest keyed "env=\"B=it's\" C={{}} D=\\; E=\\\$HOME 'G= lead' 'H=a  b'" \
	"make_args='X=\\;x' 'Y=#y' 'Q=\"\\\\\"' PREFIX={prefix}" "configure=sh -c 'echo ARG=\$0' '{{prefix}}' && true"
inst keyed
check_eq "odd env/make_args/configure values install (regression)" 0 $?
"$CENV_BIN" freeze -e "$E" >"$SCRATCH/frozen.ini"
sed "s|^url = .*|url = $P/keyed-1.0.tar.gz|" "$SCRATCH/frozen.ini" >"$P/refrozen.ini"
E2="$TMP_ROOT/env2"
"$CENV_BIN" create "$E2" >/dev/null
"$CENV_BIN" install -e "$E2" -f "$P/refrozen.ini" >/dev/null 2>&1
check_eq "freeze's manifest of them installs the same record (regression)" \
	"$(grep -v '^url ' "$E/var/cenv/records/keyed")" "$(grep -v '^url ' "$E2/var/cenv/records/keyed" 2>/dev/null)"
"$CENV_BIN" install -e "$E" -f "$SCRATCH/frozen.ini" >"$SCRATCH/out" 2>&1
check_eq "freeze's manifest is up to date where it was made (regression)" "1 package up to date in $E" "$(cat "$SCRATCH/out")"
rm -rf "$E2"

# ---- Ctrl-C on a terminal during a build that ignores it ---------------------------------------
# (run.sh starts scripts in the background, where SIGINT is ignored: the wrapper restores it)
recipe_pkg stubborn 'trap "" INT TERM HUP; echo started; while :; do sleep 1; done' "$(good_recipe stubborn)"
fresh
manifest stubborn
if command -v python3 >/dev/null; then
	python3 "$PTY" 60 "$SCRATCH/pty" python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$CENV_BIN" install -e "$E" -f "$P/stubborn.ini" &
	ptypid=$!
	for _ in $(seq 50); do grep -q 'building' "$SCRATCH/pty" 2>/dev/null && break; sleep 0.1; done
	sleep 1.2
	kill -INT "$(pgrep -P "$ptypid" | head -1)" 2>/dev/null
	for _ in $(seq 100); do kill -0 "$ptypid" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$ptypid" 2>/dev/null; then
		kill -KILL "$(pgrep -P "$ptypid" | head -1)" 2>/dev/null
		fail "Ctrl-C stops a build that ignores it, within 10 s (regression)"
	else
		wait "$ptypid"
		pass "Ctrl-C stops a build that ignores it, within 10 s (regression)"
	fi
	# the live block is erased before the message: what a 60-column terminal shows at the end is
	# cenv's message, last, no line of the block, and the cursor shown again
	python3 "$TOP/tests/termcheck.py" 60 24 "$SCRATCH/pty" >"$SCRATCH/term"
	last=$(sed '1,/^screen:$/d' "$SCRATCH/term" | tr -d '\n')
	check "Ctrl-C: the block erased, the cursor shown, the interrupt message the last line on the screen (regression)" \
		bash -c 'case $0 in *"building"* | *" installed · "*) exit 1 ;; esac
		case ${0##*"cenv: install interrupted by SIGINT"} in "$0" | *cenv:*) exit 1 ;; esac
		grep -qx "cursor: shown" "$1" && grep -q "^hides: [1-9]" "$1"' "$last" "$SCRATCH/term"
else
	skip "Ctrl-C stops a build that ignores it, within 10 s (regression)" "python3 missing"
	skip "Ctrl-C: the block erased, the cursor shown, the interrupt message the last line on the screen (regression)" "python3 missing"
fi

# ---- a closed pipe, MANPATH ---------------------------------------------------------------------
# the pipe's reading end closed before cenv starts (a "| head -0" without the race)
got=$(python3 -c 'import os, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run(sys.argv[1:], stdout=w, stderr=subprocess.PIPE)
print(p.returncode, p.stderr.decode())' "$CENV_BIN" list -e "$E" 2>&1)
check_eq "cenv list into a closed pipe: killed by SIGPIPE, nothing on stderr (regression)" "-13 " "$got"
SP="$TMP_ROOT/e n v"
"$CENV_BIN" create "$SP" >/dev/null
got=
for sh in bash dash zsh; do
	command -v $sh >/dev/null || continue
	got="$got$(MANPATH='/a::/b:' $sh -c '. "$1/bin/activate"; a=$MANPATH; deactivate; printf "%s|%s;" "$a" "$MANPATH"' sh "$SP")"
done
want=
for sh in bash dash zsh; do command -v $sh >/dev/null && want="$want$SP/share/man:$SP/man:/a::/b:|/a::/b:;"; done
check_eq "MANPATH: DIR/share/man and DIR/man with spaces, restored exactly by deactivate (regression)" "$want" "$got"

finish
