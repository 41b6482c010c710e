# t-activate.sh - activation and deactivation in bash, zsh, dash, ksh, fish and tcsh:
# every managed variable unset, empty and set; strict modes; hostile paths and prompts.
. "$(dirname "$0")/lib.sh"
plan 55

SHELLS="bash zsh dash ksh fish tcsh"
MANAGED="CENV CENV_PROMPT PATH PKG_CONFIG_PATH PKG_CONFIG_LIBDIR CPATH LIBRARY_PATH LD_RUN_PATH CMAKE_PREFIX_PATH ACLOCAL_PATH MANPATH CC"
BASE_PATH=/usr/local/bin:/usr/bin:/bin
HOSTILE_DIR="$TMP_ROOT/h"'/sp ace '"'"'q"d$x$(touch PWNED)&b!é`touch PWNED2`;|<>*?[a]{b,c}~\n'
HOSTILE_PROMPT='$(touch PWNED3)`touch PWNED4`\w%~!x'"'"'"${HOME}é'

# The value a variable should have while active, from its state before.
expected() { # VAR STATE ENV ISOLATED CC
	local var=$1 state=$2 e=$3 isolated=$4 cc=$5 orig head sep=
	orig="/orig/$var dir\$x"
	case $var in
	CENV) printf '%s' "$e"; return ;;
	CENV_PROMPT) printf '%s' "$PROMPT"; return ;;
	PATH) printf '%s' "$e/bin:$BASE_PATH"; return ;;
	CC)
		if [ -n "$cc" ]; then printf '%s' "$cc"; return; fi ;;
	PKG_CONFIG_LIBDIR)
		if [ "$isolated" = 1 ]; then printf '%s' "$e/lib/pkgconfig:$e/share/pkgconfig"; return; fi ;;
	PKG_CONFIG_PATH)
		if [ "$isolated" = 1 ]; then return 1; fi
		head="$e/lib/pkgconfig:$e/share/pkgconfig" ;;
	CPATH) head="$e/include" ;;
	LIBRARY_PATH | LD_RUN_PATH) head="$e/lib" ;;
	CMAKE_PREFIX_PATH) head="$e" ;;
	ACLOCAL_PATH) head="$e/share/aclocal" ;;
	MANPATH) head="$e/share/man:$e/man" sep=: ;;
	esac
	if [ -z "$head" ]; then # not managed by this environment: as it was
		case $state in unset) return 1 ;; empty) return 0 ;; set) printf '%s' "$orig"; return ;; esac
	fi
	case $state in
	set) printf '%s' "$head:$orig" ;;
	*) printf '%s' "$head$sep" ;;
	esac
}

# env_get FILE VAR: the value of VAR in an `env` dump, status 1 when absent.
env_get() {
	grep -q "^$2=" "$1" || return 1
	grep "^$2=" "$1" | head -1 | cut -d= -f2-
}

# The `env` dump without what the shells themselves add or change.
env_clean() {
	grep -v -E '^(_|_AST_FEATURES|SHLVL|PWD|OLDPWD)=' "$1" | LC_ALL=C sort
}

start_env() { # STATE ENV CASEDIR: the env -i arguments for a case
	local state=$1 v
	ARGS=(HOME="$TMP_ROOT" LANG=C.UTF-8 PATH="$BASE_PATH" E="$2" C="$3")
	for v in $MANAGED; do
		[ "$v" = PATH ] && continue
		case $state in
		empty) ARGS+=("$v=") ;;
		set) ARGS+=("$v=/orig/$v dir\$x") ;;
		esac
	done
}

driver() { # SHELL: a script that activates $E, dumps, deactivates, dumps
	case $1 in
	fish)
		cat <<'FISH'
env > $C/before
functions --no-details fish_prompt > $C/fish_prompt_before
source $E/bin/activate.fish
env > $C/active
fish_prompt > $C/prompt
deactivate
env > $C/after
functions --no-details fish_prompt > $C/fish_prompt_after
functions -q deactivate; and echo deactivate > $C/leftover
set -n | string match -q '_cenv*'; and set -n | string match '_cenv*' >> $C/leftover
functions -n | string match -q '_cenv*'; and functions -n | string match '_cenv*' >> $C/leftover
true
FISH
		;;
	tcsh)
		cat <<'CSH'
set prompt = 'base> '
env > "$C/before"
source "$E/bin/activate.csh"
env > "$C/active"
printf '%s' "$prompt" > "$C/prompt"
deactivate
env > "$C/after"
printf '%s' "$prompt" > "$C/ps1_after"
alias deactivate >> "$C/leftover"
set | grep '^_cenv' >> "$C/leftover"
exit 0
CSH
		;;
	*)
		case $1 in
		bash) echo 'set -euo pipefail; set +h'; show='printf "%s" "${PS1@P}"' ;;
		zsh) echo 'set -eu; setopt pipefail'; show='print -rnP -- "$PS1"' ;;
		# ksh93 then shows a '!' as the history number and '!!' as '!'
		ksh) echo 'set -eu -o pipefail'; show='eval "_p=\"$PS1\""; _p=${_p//!!/$'"'"'\1'"'"'}; _p=${_p//!/HISTNO}; printf "%s" "${_p//$'"'"'\1'"'"'/!}"' ;;
		dash) echo 'set -eu'; show='eval "_p=\"$PS1\""; printf "%s" "$_p"' ;;
		esac
		cat <<SH
PS1='base> '
env > "\$C/before"
. "\$E/bin/activate"
env > "\$C/active"
$show > "\$C/prompt"
deactivate
env > "\$C/after"
printf '%s' "\${PS1-UNSET}" > "\$C/ps1_after"
if command -v deactivate >/dev/null 2>&1; then echo deactivate > "\$C/leftover"; fi
set | grep '^_cenv' >> "\$C/leftover" || :
SH
		;;
	esac
}

expected_prompt() { # SHELL PROMPT
	case $1 in
	fish) printf '(%s) ' "$2" ;;
	tcsh) local p=${2//%/%%}; printf '(%s) base> ' "${p//!/\\!}" ;;
	*) printf '(%s) base> ' "$2" ;;
	esac
}

run_case() { # SHELL ENV STATE ISOLATED CC LABEL
	local sh=$1 e=$2 state=$3 isolated=$4 cc=$5 label="$1 $6 vars $3" c v want got ok=1
	c="$TMP_ROOT/case"
	rm -rf "$c" && mkdir -p "$c"
	start_env "$state" "$e" "$c"
	driver "$sh" >"$c/driver"
	(cd / && env -i "${ARGS[@]}" "$sh" "$c/driver") >"$c/out" 2>&1 || {
		fail "$label: shell exits 0" "$(cat "$c/out")"
		return
	}
	[ -s "$c/out" ] && { fail "$label: silent" "$(cat "$c/out")"; ok=0; }
	for v in $MANAGED; do
		if want=$(expected "$v" "$state" "$e" "$isolated" "$cc"); then
			got=$(env_get "$c/active" "$v") || got="<unset>"
		else
			want="<unset>"
			got=$(env_get "$c/active" "$v") || got="<unset>"
		fi
		[ "$want" == "$got" ] || { fail "$label: $v while active" "expected: $want" "actual:   $got"; ok=0; }
	done
	grep -q '^PS1=' "$c/active" && { fail "$label: PS1 not exported"; ok=0; }
	grep -q '^_cenv' "$c/active" && { fail "$label: no helper variable exported" "$(grep '^_cenv' "$c/active")"; ok=0; }
	want=$(expected_prompt "$sh" "$PROMPT")
	got=$(cat "$c/prompt")
	case $sh in fish) got=${got:0:${#want}} ;; esac
	[ "$want" == "$got" ] || { fail "$label: prompt" "expected: $want" "actual:   $got"; ok=0; }
	if ! diff <(env_clean "$c/before") <(env_clean "$c/after") >"$c/diff"; then
		fail "$label: environment restored" "$(cat "$c/diff")"
		ok=0
	fi
	if [ "$sh" != fish ] && [ "$(cat "$c/ps1_after")" != "base> " ]; then
		fail "$label: prompt restored" "$(cat "$c/ps1_after")"
		ok=0
	fi
	# fish: the prompt function as it was (fish's own, which a fish without one lacks)
	if [ "$sh" = fish ] && ! grep -q '^function fish_prompt' "$c/fish_prompt_before"; then
		fail "$label: fish has a fish_prompt before activation" "$(cat "$c/fish_prompt_before")"
		ok=0
	elif [ "$sh" = fish ] && ! diff "$c/fish_prompt_before" "$c/fish_prompt_after" >"$c/diff"; then
		fail "$label: fish_prompt restored" "$(head -20 "$c/diff")"
		ok=0
	fi
	[ -s "$c/leftover" ] && { fail "$label: deactivate leaves nothing behind" "$(cat "$c/leftover")"; ok=0; }
	# cenv run and cenv env give what activation gives
	(cd / && env -i "${ARGS[@]}" "$CENV_BIN" run -e "$e" -- env) >"$c/run" 2>&1
	(cd / && env -i "${ARGS[@]}" bash -c 'eval "$("$0" env -e "$E")" && env' "$CENV_BIN") >"$c/eval" 2>&1
	for v in $MANAGED; do
		want=$(env_get "$c/active" "$v") || want="<unset>"
		got=$(env_get "$c/run" "$v") || got="<unset>"
		[ "$want" == "$got" ] || { fail "$label: cenv run sets $v as activation does" "activation: $want" "cenv run:   $got"; ok=0; }
		got=$(env_get "$c/eval" "$v") || got="<unset>"
		[ "$want" == "$got" ] || { fail "$label: cenv env sets $v as activation does" "activation: $want" "cenv env:   $got"; ok=0; }
	done
	[ "$ok" = 1 ] && pass "$label"
}

PLAIN="$TMP_ROOT/plain env"
"$CENV_BIN" create "$PLAIN" || fail "create plain"
mkdir -p "$(dirname "$HOSTILE_DIR")"
"$CENV_BIN" create --prompt "$HOSTILE_PROMPT" "$HOSTILE_DIR" || fail "create hostile"
ISO="$TMP_ROOT/iso"
"$CENV_BIN" create --isolated --cc 'ccache gcc -std=c11' --prompt iso "$ISO" || fail "create isolated"

for sh in $SHELLS; do
	for state in unset empty set; do
		PROMPT="plain env"
		run_case "$sh" "$PLAIN" "$state" 0 "" "plain"
		PROMPT=$HOSTILE_PROMPT
		run_case "$sh" "$HOSTILE_DIR" "$state" 0 "" "hostile"
		PROMPT=iso
		run_case "$sh" "$ISO" "$state" 1 "ccache gcc -std=c11" "isolated+cc"
	done
done

if find "$TMP_ROOT" / -maxdepth 1 -name 'PWNED*' 2>/dev/null | grep -q .; then
	fail "no path or prompt ran as code" "$(find "$TMP_ROOT" / -maxdepth 1 -name 'PWNED*')"
else
	pass "no path or prompt ran as code"
fi
finish
