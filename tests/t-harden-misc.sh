# t-harden-misc.sh - issue 8's small ones: list --json stays valid UTF-8 whatever bytes a version
# holds, ksh93 shows a '!' of the prompt as '!', the "must be sourced" hint is a command that works
# when pasted, and a copy at a path no environment can have gets advice that does not fail next.
. "$(dirname "$0")/lib.sh"
plan 16
. "$(dirname "$0")/lib-install.sh"

# ---- list --json with a version that is not UTF-8 ----
E="$TMP_ROOT/env"
"$CENV_BIN" create "$E" >/dev/null
pack prebuilt pb
{ entry pb | sed 's/^version = 1.0$/version = 1.0\xff\xfe/'; } >"$P/cenv.ini"
check "a version with bytes \\xff\\xfe installs" sh -c 'cd "$1" && "$2" install -e "$3" >/dev/null 2>&1' _ "$P" "$CENV_BIN" "$E"
"$CENV_BIN" list -e "$E" --json >"$SCRATCH/list.json" 2>"$SCRATCH/list.err"
check_eq "list --json exits 0" "0" "$?"
# strict UTF-8 decoding first, then the JSON: both must hold
got=$(python3 -c 'import json,sys; d=json.loads(open(sys.argv[1],"rb").read().decode("utf-8","strict")); print(d[0]["name"], d[0]["version"])' "$SCRATCH/list.json" 2>&1)
check_eq "list --json is valid UTF-8 and JSON, the bytes shown as cenv shows them elsewhere" 'pb 1.0\xff\xfe' "$got"

# ---- ksh93: '!' in PS1 is the history number; the prompt must still read (a!b) ----
"$CENV_BIN" create --prompt 'a!b' "$TMP_ROOT/bang" >/dev/null
if command -v ksh93 >/dev/null; then
	# an interactive ksh writes each prompt to stderr; the second is the activated one
	printf '. %s/bin/activate\n:\ndeactivate\n:\nexit\n' "$TMP_ROOT/bang" |
		(cd / && env -i PATH="$PATH" HOME="$TMP_ROOT" PS1='x> ' ksh93 -i) >"$SCRATCH/ksh.out" 2>&1
	check_eq "ksh93 shows the prompt a!b as (a!b), and gives the old one back" \
		'x> (a!b) x> (a!b) x> x> x> ' "$(cat "$SCRATCH/ksh.out")"
	printf 'PS1="(a!b) "\n:\nexit\n' | (cd / && env -i HOME="$TMP_ROOT" ksh93 -i) >"$SCRATCH/ksh0.out" 2>&1
	check "(the same prompt set by hand shows a history number: the check above can fail)" \
		grep -q '(a[0-9]b)' "$SCRATCH/ksh0.out"
else
	fail "ksh93 shows the prompt a!b as (a!b)" "ksh93 is not installed (make deps)"
	fail "(the same prompt set by hand shows a history number)" "ksh93 is not installed"
fi

# ---- "must be sourced": the command it shows works when pasted, whatever the path ----
for d in "my env" "it's" 'a$b' plain; do
	"$CENV_BIN" create "$TMP_ROOT/$d" >/dev/null
	hint=$(cd / && bash "$TMP_ROOT/$d/bin/activate" 2>&1 | sed -n 2p)
	got=$(cd / && env -i PATH="$PATH" bash -c "$hint"'; printf %s "$CENV"' 2>&1)
	check_eq "run, not sourced, at '$d': the hint it prints activates the environment when pasted" "$TMP_ROOT/$d" "$got"
done

# ---- a copy at a path with a newline: no advice to run what create refuses ----
cp -a "$TMP_ROOT/plain" "$TMP_ROOT/new
line"
for sh in bash zsh fish; do
	case $sh in
	fish) script="$TMP_ROOT/new
line/bin/activate.fish" src=source ;;
	*) script="$TMP_ROOT/new
line/bin/activate" src=. ;;
	esac
	if ! command -v "$sh" >/dev/null; then
		fail "$sh: a copy at a path with a newline is refused" "$sh is not installed (make deps)"
		continue
	fi
	out=$(cd / && env -i PATH="$PATH" HOME="$TMP_ROOT" S="$script" "$sh" -c "$src \"\$S\"; echo \"CENV=\$CENV\"" 2>&1)
	case $out in
	*CENV=?*) fail "$sh: a copy at a path with a newline is refused, saying why" "activated: $out" ;;
	*"is now at a path with a control character"*) pass "$sh: a copy at a path with a newline is refused, saying why" ;;
	*) fail "$sh: a copy at a path with a newline is refused, saying why" "$out" ;;
	esac
	check_eq "$sh: ... in one line of advice, and not activated" "2" "$(printf '%s\n' "$out" | wc -l)"
done
# the advice create refuses, as it was before: the message the refusal above replaced
expect_fail "(create --upgrade refuses the path with the newline: advice to run it would fail)" 1 "control characters" \
	"$CENV_BIN" create --upgrade "$TMP_ROOT/new
line"
finish
