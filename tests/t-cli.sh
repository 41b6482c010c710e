# t-cli.sh - help, version, usage errors, cenv run and cenv env, stdout errors.
. "$(dirname "$0")/lib.sh"
plan 44

check "cenv --version" bash -c '"$0" --version | grep -Eq "^cenv [0-9]+\.[0-9]+\.[0-9]+"' "$CENV_BIN"
check "cenv --help lists the commands" bash -c '"$0" --help | grep -q "^  create " && "$0" --help | grep -q "^  run "' "$CENV_BIN"
for c in create env run help version; do
	check "cenv help $c" bash -c '"$0" help "$1" | grep -q "^usage: cenv $1"' "$CENV_BIN" "$c"
done
for c in create env run; do
	check "cenv $c --help" bash -c '"$0" "$1" --help | grep -q "^usage: cenv $1"' "$CENV_BIN" "$c"
done
expect_fail "unknown command: exit 2" 2 "unknown command 'frobnicate'" "$CENV_BIN" frobnicate
expect_fail "unknown top-level option: exit 2" 2 "unknown option '--frob'" "$CENV_BIN" --frob
expect_fail "no command: usage" 2 "usage: cenv" "$CENV_BIN"
expect_fail "help for an unknown command" 2 "unknown command 'nope'" "$CENV_BIN" help nope
expect_fail "unknown option of env" 2 "unknown option '--nope'" "$CENV_BIN" env --nope
expect_fail "unknown shell for env" 2 "unknown shell 'pwsh'" "$CENV_BIN" env --shell pwsh
expect_fail "--version output fails visibly on a full disk" 1 "cannot write to standard output" bash -c '"$0" --version >/dev/full' "$CENV_BIN"

E="$TMP_ROOT/e"
"$CENV_BIN" create "$E" >/dev/null || fail "create"
# every command's operand bounds are the dispatcher's: one operand too many is a usage error
expect_fail "list takes no operand" 2 "unexpected operand 'extra'" "$CENV_BIN" list -e "$E" extra
expect_fail "freeze takes no operand" 2 "unexpected operand 'extra'" "$CENV_BIN" freeze -e "$E" extra
expect_fail "create takes one DIR" 2 "usage: cenv create" "$CENV_BIN" create "$TMP_ROOT/one" "$TMP_ROOT/two"
check "a usage error creates nothing" test ! -e "$TMP_ROOT/one"
# a copy (its old place still there) is not used where it is now: its files name the old place
cp -a "$E" "$TMP_ROOT/copy"
expect_fail "a copied environment is refused" 1 "the environment at '.*/copy' was made at '.*/e'" "$CENV_BIN" list -e "$TMP_ROOT/copy"
expect_fail "cenv env > /dev/full fails" 1 "cannot write to standard output" bash -c '"$0" env -e "$1" >/dev/full' "$CENV_BIN" "$E"
# cenv run
check_eq "run: exit status of the command" 7 "$("$CENV_BIN" run -e "$E" -- sh -c 'exit 7'; echo $?)"
check_eq "run: arguments passed as they are" 'a b|$x|*' "$("$CENV_BIN" run -e "$E" -- printf '%s|%s|%s' 'a b' '$x' '*')"
check_eq "run: options after CMD belong to CMD" "-e|x|" "$("$CENV_BIN" run -e "$E" printf '%s|' -e x)"
expect_fail "run: a missing command is 127" 127 "cannot run 'no-such-cmd'" "$CENV_BIN" run -e "$E" -- no-such-cmd
printf '#!/bin/sh\necho from-env-bin\n' >"$E/bin/envtool" && chmod +x "$E/bin/envtool"
check_eq "run: CMD is looked up in the environment's bin/ first" "from-env-bin" "$("$CENV_BIN" run -e "$E" envtool)"
check_eq "run: \$CENV is the default environment" "$E" "$(CENV="$E" "$CENV_BIN" run printenv CENV)"
expect_fail "run: no environment" 1 "no environment: give -e DIR or activate one" env -u CENV "$CENV_BIN" run true
expect_fail "run: missing CMD" 2 "missing CMD" "$CENV_BIN" run -e "$E"
expect_fail "run: not an environment" 1 "is not a cenv environment" "$CENV_BIN" run -e "$TMP_ROOT" true
expect_fail "run: no such directory" 1 "is not a cenv environment \(no such directory\)" "$CENV_BIN" run -e "$TMP_ROOT/none" true
# SIGPIPE in the kernel's mask of ignored signals (SigIgn, bit 0 = signal 1), read by the
# command itself: a shell's `trap` does not list what was ignored when it started
pipe_ignored() { # STATUS-FILE TEXT: prints 1 when SIGPIPE is ignored, 0 when not
	local mask
	mask=$(awk '$1 == "SigIgn:" { print $2 }' <<<"$1")
	[ -n "$mask" ] || { echo "no SigIgn line"; return; }
	echo $(((16#$mask >> (13 - 1)) & 1))
}
check_eq "run: the test's shell ignores SIGPIPE (the next check can fail)" 1 \
	"$(pipe_ignored "$( (trap '' PIPE; sh -c 'grep SigIgn /proc/self/status'))")"
check_eq "run: CMD started from a shell ignoring SIGPIPE gets it at its default" 0 \
	"$(pipe_ignored "$( (trap '' PIPE; "$CENV_BIN" run -e "$E" -- sh -c 'grep SigIgn /proc/self/status'))")"
check_eq "run: -eDIR form" "$E" "$("$CENV_BIN" run -e"$E" printenv CENV)"
check_eq "run: --env=DIR form" "$E" "$("$CENV_BIN" run --env="$E" printenv CENV)"

# run inside an active environment adds nothing twice
out=$(env -i PATH=/usr/bin:/bin bash -c '. "$1/bin/activate" && "$2" run printenv PATH' sh "$E" "$CENV_BIN")
check_eq "run: inside the active environment, PATH is not grown" "$E/bin:/usr/bin:/bin" "$out"
F="$TMP_ROOT/f"
"$CENV_BIN" create "$F" >/dev/null
out=$(env -i PATH=/usr/bin:/bin bash -c '. "$1/bin/activate" && "$2" run -e "$3" printenv PATH CPATH' sh "$E" "$CENV_BIN" "$F")
check_eq "run: another environment's additions are taken out" "$F/bin:/usr/bin:/bin
$F/include" "$out"

# cenv env for each shell, evaluated by that shell
out=$(env -i PATH=/usr/bin:/bin fish -c 'eval ("$argv[1]" env -e "$argv[2]" --shell fish | string collect); printenv CENV CPATH' "$CENV_BIN" "$E")
check_eq "env --shell fish evaluates in fish" "$E
$E/include" "$out"
printf 'eval "`%s env -e %s --shell csh`"\necho "$CENV"\necho "$CPATH"\n' "$CENV_BIN" "$E" >"$SCRATCH/t.csh"
out=$(env -i PATH=/usr/bin:/bin tcsh "$SCRATCH/t.csh" 2>&1)
check_eq "env --shell csh evaluates in tcsh" "$E
$E/include" "$out"
mkdir -p "$TMP_ROOT/bang" && "$CENV_BIN" create "$TMP_ROOT/bang/x!y" >/dev/null
expect_fail "env --shell csh refuses a '!' it cannot express" 1 "csh's eval cannot take literally" "$CENV_BIN" env --shell csh -e "$TMP_ROOT/bang/x!y"
out=$(env -i PATH=/usr/bin:/bin CPATH=/x dash -c 'eval "$("$0" env -e "$1")"; printenv CPATH MANPATH' "$CENV_BIN" "$E")
check_eq "env: evaluated in dash" "$E/include:/x
$E/share/man:$E/man:" "$out"
check_eq "env: no PS1 and no functions" "" "$("$CENV_BIN" env -e "$E" | grep -E 'PS1|deactivate')"
finish
