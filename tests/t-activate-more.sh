# t-activate-more.sh - nested and repeated activation, directories added while active,
# the compiler finding the environment, moved environments, and activate run as a program.
. "$(dirname "$0")/lib.sh"
plan 45

BASE_PATH=/usr/local/bin:/usr/bin:/bin
A="$TMP_ROOT/env a"
B="$TMP_ROOT/env b"
"$CENV_BIN" create "$A" && "$CENV_BIN" create "$B" || fail "create"

# in_shell SHELL SCRIPT: runs SCRIPT (written for that shell) with A and B in the environment
in_shell() {
	local sh=$1 strict=
	case $sh in
	bash) strict='set -euo pipefail; set +h' ;;
	zsh) strict='set -eu; setopt pipefail' ;;
	ksh) strict='set -eu -o pipefail' ;;
	dash) strict='set -eu' ;;
	esac
	printf '%s\n%s\n' "$strict" "$2" >"$SCRATCH/script"
	(cd / && env -i HOME="$TMP_ROOT" LANG=C.UTF-8 PATH="$BASE_PATH" A="$A" B="$B" "$sh" "$SCRATCH/script") 2>&1
}

for sh in bash zsh dash ksh; do
	out=$(in_shell "$sh" '. "$A/bin/activate"; . "$A/bin/activate"; echo "$PATH"; deactivate; echo "$PATH"')
	check_eq "$sh: sourcing twice does not grow PATH" "$A/bin:$BASE_PATH
$BASE_PATH" "$out"
	out=$(in_shell "$sh" '. "$A/bin/activate"; . "$B/bin/activate"; echo "$PATH|$CENV|$CPATH"; deactivate; echo "$PATH|${CENV-unset}|${CPATH-unset}"; command -v deactivate || echo none')
	check_eq "$sh: activating B deactivates A" "$B/bin:$BASE_PATH|$B|$B/include
$BASE_PATH|unset|unset
none" "$out"
	out=$(in_shell "$sh" '. "$A/bin/activate"; PATH="/added:$PATH:/end"; deactivate; echo "$PATH"')
	check_eq "$sh: directories added while active survive" "/added:$BASE_PATH:/end" "$out"
	out=$(in_shell "$sh" 'cd "$A/bin"; . ./activate; echo "$CENV"; deactivate; cd /tmp; . "../$A/bin/activate"; echo "$CENV"')
	check_eq "$sh: relative paths, any working directory" "$A
$A" "$out"
	out=$(in_shell "$sh" 'CENV_DISABLE_PROMPT=1; PS1="p> "; . "$A/bin/activate"; echo "$PS1"')
	check_eq "$sh: CENV_DISABLE_PROMPT" "p> " "$out"
done

out=$(in_shell fish 'source "$A/bin/activate.fish"; source "$A/bin/activate.fish"; source "$B/bin/activate.fish"; echo (string join : $PATH)"|$CENV"; set -gx PATH /added $PATH; deactivate; echo (string join : $PATH)"|$CENV"')
check_eq "fish: repeated and nested activation, added directories survive" "$B/bin:$BASE_PATH|$B
/added:$BASE_PATH|" "$out"
# csh reads a whole line before it runs it: an alias made on a line is usable from the next
out=$(in_shell tcsh 'source "$A/bin/activate.csh"
source "$A/bin/activate.csh"
source "$B/bin/activate.csh"
echo "$PATH|$CENV"
setenv PATH "/added:$PATH"
deactivate
echo "$PATH"
if ($?CENV) echo still')
check_eq "tcsh: repeated and nested activation, added directories survive" "$B/bin:$BASE_PATH|$B
/added:$BASE_PATH" "$out"

# A compiler check: headers and libraries of the environment with no flags, and the
# program runs after deactivate (LD_RUN_PATH gave it an rpath, no LD_LIBRARY_PATH).
cat >"$A/include/cenvtest.h" <<'H'
int cenvtest_answer(void);
H
printf 'int cenvtest_answer(void) { return 42; }\n' >"$SCRATCH/lib.c"
cc -shared -fPIC -o "$A/lib/libcenvtest.so" "$SCRATCH/lib.c" || fail "build test library"
mkdir -p "$TMP_ROOT/proj"
cat >"$TMP_ROOT/proj/main.c" <<'C'
#include <stdio.h>
#include <cenvtest.h>
int main(void) { printf("%d\n", cenvtest_answer()); return 0; }
C
for sh in bash zsh dash ksh; do
	out=$(in_shell "$sh" '. "$A/bin/activate"; cd "$A/../proj"; cc main.c -lcenvtest -o prog-'"$sh"'; deactivate; ./prog-'"$sh"'; echo "${LD_LIBRARY_PATH-unset}"')
	check_eq "$sh: cc finds include/ and lib/ with no flags; runs after deactivate" "42
unset" "$out"
done
out=$(in_shell fish 'source "$A/bin/activate.fish"; cd "$A/../proj"; cc main.c -lcenvtest -o prog-fish; deactivate; ./prog-fish')
check_eq "fish: cc finds the environment" "42" "$out"
out=$(in_shell tcsh 'source "$A/bin/activate.csh"
cd "$A/../proj"
cc main.c -lcenvtest -o prog-tcsh
deactivate
./prog-tcsh')
check_eq "tcsh: cc finds the environment" "42" "$out"
out=$("$CENV_BIN" run -e "$A" -- sh -c 'cd "$1" && cc main.c -lcenvtest -o prog-run && ./prog-run' sh "$TMP_ROOT/proj" 2>&1)
check_eq "cenv run: cc finds the environment" "42" "$out"

# activate reached through a symlink elsewhere is still the environment's own
mkdir -p "$TMP_ROOT/links"
ln -s "$A/bin/activate" "$TMP_ROOT/links/act"
ln -s "$A/bin/activate.fish" "$TMP_ROOT/links/act.fish"
out=$(in_shell bash '. "$A/../links/act"; echo "$CENV"')
check_eq "bash: activate through a symlink" "$A" "$out"
out=$(in_shell fish 'source "$A/../links/act.fish"; echo "$CENV"')
check_eq "fish: activate through a symlink" "$A" "$out"

# Running bin/activate instead of sourcing it.
for sh in bash zsh dash ksh; do
	expect_fail "$sh: running bin/activate says how to use it" 2 "must be sourced" "$sh" "$A/bin/activate"
done
expect_fail "running bin/activate directly" 2 "must be sourced" "$A/bin/activate"

# A moved environment is detected with a clear message.
M="$TMP_ROOT/moved from"
"$CENV_BIN" create "$M" && mv "$M" "$TMP_ROOT/moved to"
M="$TMP_ROOT/moved to"
for sh in bash zsh dash ksh; do
	out=$(in_shell "$sh" 'set +e; . "$A/../moved to/bin/activate"; echo "status=$? ${CENV-unset}"')
	case $out in
	*"cenv create --upgrade"*"status=1 unset") pass "$sh: moved environment refused" ;;
	*) fail "$sh: moved environment refused" "$out" ;;
	esac
done
out=$(in_shell fish 'source "$A/../moved to/bin/activate.fish"; echo "status=$status" (set -q CENV; and echo set; or echo unset)')
case $out in
*"cenv create --upgrade"*"status=1 unset") pass "fish: moved environment refused" ;;
*) fail "fish: moved environment refused" "$out" ;;
esac
out=$(in_shell tcsh 'source "$A/../moved to/bin/activate.csh"
if ($?CENV) then
echo "CENV=$CENV"
else
echo "CENV unset"
endif
alias deactivate')
case $out in
*"cenv create --upgrade"*"
CENV unset") pass "tcsh: moved environment refused" ;;
*) fail "tcsh: moved environment refused" "$out" ;;
esac
expect_fail "cenv run: moved environment refused" 1 "was made at .*cenv create --upgrade" "$CENV_BIN" run -e "$M" -- true
check "upgrade in the new place" "$CENV_BIN" create --upgrade "$M"
out=$(in_shell bash '. "$A/../moved to/bin/activate"; echo "$CENV"')
check_eq "upgraded environment activates in its new place" "$M" "$out"
finish
