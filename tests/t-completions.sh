#!/bin/sh
# t-completions.sh - loads src/completions in real bash, fish and zsh and checks what they offer.
#
# Run from the repository root: sh tests/t-completions.sh (make check runs it
# with bash).  Prints one line per check, in tests/run.sh's format:
# "PASS: name", "FAIL: name" and what differed, or "SKIP: name (why)" for each
# check not run because a shell (or ./cenv) is missing; exits 1 if any check
# failed.  Needs no network.

root=$(pwd)
comp=$root/src/completions
if [ ! -f "$comp/cenv.bash" ]; then
	echo "FAIL: setup: run from the repository root (no src/completions/cenv.bash)"
	exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cenv-completions.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
failed=0

# plan N: the number of checks this script runs, printed as TAP's "1..N" (tests/lib.sh's plan)
plan() { echo "1..$1"; }
# While $skipping is set (by skipped) every check prints "SKIP: NAME ($skipping)" instead.
skipping=
pass() {
	if [ -n "$skipping" ]; then skip "$1"; else echo "PASS: $1"; fi
}
# skip NAME WHY
skip() { echo "SKIP: $1 (${skipping:-$2})"; }
# skipped WHY FUNCTION: runs FUNCTION's checks as skips, for WHY (what is missing), so that
# each check not run is counted and named; an outer WHY stands
skipped() (
	skipping=${skipping:-$1}
	shift
	"$@"
)
fail() {
	if [ -n "$skipping" ]; then
		skip "$1"
		return
	fi
	echo "FAIL: $1"
	shift
	for line in "$@"; do
		echo "    $line"
	done
	failed=$((failed + 1))
}
# check NAME EXPECTED ACTUAL
check() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "expected: $2" "got:      $3"
	fi
}
have() { command -v "$1" >/dev/null 2>&1; }
# one line, sorted words: the form every check compares
words() { LC_ALL=C sort | tr '\n' ' ' | sed 's/ *$//'; }
plan 149

# The fixture: directories (one with a blank), a file that must not be offered
# as a directory, a manifest and archives for `cenv install`, and a program on
# PATH for `cenv run`.
mkdir -p "$tmp/work/alpha" "$tmp/work/beta dir" "$tmp/bin" "$tmp/xdg"
: >"$tmp/work/afile"
: >"$tmp/work/cenv.ini"
: >"$tmp/work/pkg-1.0.tar.gz"
: >"$tmp/work/pkg.zip"
printf '#!/bin/sh\n' >"$tmp/bin/cenvtestprog"
chmod +x "$tmp/bin/cenvtestprog"
PATH=$tmp/bin:$PATH
# an active environment of the caller's would change what uninstall offers
unset CENV
# keep fish and zsh away from the user's configuration and history
XDG_CONFIG_HOME=$tmp/xdg XDG_DATA_HOME=$tmp/xdg XDG_CACHE_HOME=$tmp/xdg ZDOTDIR=$tmp/xdg
export PATH XDG_CONFIG_HOME XDG_DATA_HOME XDG_CACHE_HOME ZDOTDIR

# The commands the binary has, to hold each completion's list against.
if [ -x "$root/cenv" ]; then
	binary_commands=$("$root/cenv" --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' | words)
else
	binary_commands=
fi

# For uninstall: an environment, $tmp/env, with two packages installed by the
# binary (prebuilt trees: nothing to compile), and the binary on PATH as cenv,
# which the completions run as `cenv list`.
envdir=
if [ -x "$root/cenv" ] && ln -s "$root/cenv" "$tmp/bin/cenv"; then
	mkdir -p "$tmp/pkgs/alphapkg-1.0/include" "$tmp/pkgs/betapkg-2.0/include"
	echo 'int alpha;' >"$tmp/pkgs/alphapkg-1.0/include/alphapkg.h"
	echo 'int beta;' >"$tmp/pkgs/betapkg-2.0/include/betapkg.h"
	if "$root/cenv" create "$tmp/env" >/dev/null &&
		(cd "$tmp/pkgs" && tar -cf alphapkg-1.0.tar alphapkg-1.0 && tar -cf betapkg-2.0.tar betapkg-2.0) &&
		"$root/cenv" install -e "$tmp/env" "$tmp/pkgs/alphapkg-1.0.tar" "$tmp/pkgs/betapkg-2.0.tar" >/dev/null; then
		envdir=$tmp/env
	else
		fail "setup: install two packages in $tmp/env"
	fi
fi

# ---- bash ---------------------------------------------------------------
# bash_complete WORD... : what _cenv offers for the words, the last being the one completed
bash_complete() {
	(cd "$tmp/work" && bash --norc --noprofile -c '
		. "$1" || exit 1
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_cenv
		printf "%s\n" "${COMPREPLY[@]}"' sh "$comp/cenv.bash" "$@" 2>&1) | words
}

bash_checks() {
	if bash -n "$comp/cenv.bash" 2>"$tmp/err"; then
		pass bash-syntax
	else
		fail bash-syntax "$(cat "$tmp/err")"
	fi
	check bash-registered "complete -F _cenv cenv" \
		"$(bash --norc --noprofile -c '. "$1"; complete -p cenv' sh "$comp/cenv.bash" 2>&1)"
	check bash-command-prefix "create" "$(bash_complete cenv cr)"
	check bash-commands "add cache check create env fetch freeze help install list run uninstall version" "$(bash_complete cenv '')"
	if [ -n "$binary_commands" ]; then
		check bash-commands-match-binary "$binary_commands" "$(bash_complete cenv '')"
	else
		skip bash-commands-match-binary "no ./cenv; run make first"
	fi
	# every option `cenv help CMD` lists is offered, and no other: a new option cannot be forgotten
	if [ -n "$binary_commands" ]; then
		drift=
		for c in $binary_commands; do
			case $c in help | version) continue ;; esac
			want=$({ echo --help; "$root/cenv" help "$c" | sed -n 's/^  \(-[a-z]\), \(--[a-z-]*\).*/\1 \2/p; s/^  \(--[a-z-]*\).*/\1/p' | tr ' ' '\n'; } | sort -u | words)
			got=$(bash_complete cenv "$c" -)
			[ "$want" = "$got" ] || drift="$drift $c: help lists '$want', completion offers '$got';"
		done
		check bash-options-match-help "" "$drift"
	else
		skip bash-options-match-help "no ./cenv; run make first"
	fi
	check bash-main-options "--help --version" "$(bash_complete cenv -)"
	check bash-create-options "--cc --clear --help --isolated --prompt --upgrade" \
		"$(bash_complete cenv create -)"
	check bash-create-dir "alpha beta dir" "$(bash_complete cenv create '')"
	check bash-create-dir-prefix "beta dir" "$(bash_complete cenv create be)"
	check bash-create-one-dir "" "$(bash_complete cenv create alpha '')"
	check bash-create-prompt-value "" "$(bash_complete cenv create --prompt '')"
	check bash-create-cc-value "cenvtestprog" "$(bash_complete cenv create --cc cenvtest)"
	check bash-env-options "--env --help --shell -e" "$(bash_complete cenv env -)"
	check bash-env-shell "csh fish sh" "$(bash_complete cenv env --shell '')"
	check bash-env-shell-equals "--shell=fish" "$(bash_complete cenv env --shell=f)"
	check bash-env-shell-split "fish" "$(bash_complete cenv env --shell = f)"
	check bash-env-dir "alpha beta dir" "$(bash_complete cenv env -e '')"
	check bash-env-long-dir "alpha" "$(bash_complete cenv env --env al)"
	check bash-env-no-operand "" "$(bash_complete cenv env '')"
	check bash-run-options "--env --help -e" "$(bash_complete cenv run -)"
	check bash-run-dir "alpha beta dir" "$(bash_complete cenv run -e '')"
	check bash-run-command "cenvtestprog" "$(bash_complete cenv run -e alpha cenvtest)"
	check bash-run-command-after-dashes "cenvtestprog" "$(bash_complete cenv run -e alpha -- cenvtest)"
	check bash-run-command-options-not-cenvs "" "$(bash_complete cenv run cenvtestprog -)"
	check bash-install-options "--build-network --env --file --help --jobs --max-size --max-unpacked-size --mirror --name --no-origin --offline --progress --prune --quiet --retries --sandbox --strict --timeout --verbose --version -e -f -j -q -v" "$(bash_complete cenv install -)"
	check bash-install-archives "alpha beta dir pkg-1.0.tar.gz pkg.zip" "$(bash_complete cenv install '')"
	check bash-install-archive-prefix "pkg-1.0.tar.gz pkg.zip" "$(bash_complete cenv install -e alpha p)"
	check bash-install-file "alpha beta dir cenv.ini" "$(bash_complete cenv install -f '')"
	check bash-install-file-long "cenv.ini" "$(bash_complete cenv install --file c)"
	check bash-install-file-equals "--file=cenv.ini" "$(bash_complete cenv install --file=c)"
	check bash-install-env-dir "alpha beta dir" "$(bash_complete cenv install -e '')"
	check bash-install-no-archives-with-file "" "$(bash_complete cenv install -f cenv.ini '')"
	check bash-install-no-archives-with-prune "" "$(bash_complete cenv install --prune '')"
	check bash-fetch-options "--file --help --max-size --mirror --no-origin --offline --quiet --retries --timeout -f -q" "$(bash_complete cenv fetch -)"
	check bash-add-options "--args --build --build-env --configure --depends --env --file --help --install-target --jobs --make-args --max-size --mirror --name --no-install --no-origin --offline --quiet --retries --strict --subdir --timeout --version -e -f -j -q" "$(bash_complete cenv add -)"
	check bash-add-archives "alpha beta dir pkg-1.0.tar.gz pkg.zip" "$(bash_complete cenv add -f cenv.ini '')"
	check bash-add-one-archive "" "$(bash_complete cenv add pkg.zip '')"
	check bash-add-build "make meson" "$(bash_complete cenv add --build m)"
	check bash-add-name-value "" "$(bash_complete cenv add --name '')"
	check bash-uninstall-options "--env --force --help -e" "$(bash_complete cenv uninstall -)"
	check bash-uninstall-env-dir "alpha beta dir" "$(bash_complete cenv uninstall --env '')"
	bash_uninstall_checks() {
		check bash-uninstall-packages "alphapkg betapkg" "$(bash_complete cenv uninstall -e "$envdir" '')"
		check bash-uninstall-packages-prefix "betapkg" "$(bash_complete cenv uninstall --force -e "$envdir" b)"
		check bash-uninstall-packages-env-equals "alphapkg betapkg" \
			"$(bash_complete cenv uninstall --env = "$envdir" '')"
		check bash-uninstall-packages-env-joined "alphapkg betapkg" "$(bash_complete cenv uninstall "-e$envdir" '')"
		check bash-uninstall-packages-from-CENV "alphapkg betapkg" \
			"$(CENV=$envdir && export CENV && bash_complete cenv uninstall '')"
		check bash-uninstall-packages-not-twice "betapkg" "$(bash_complete cenv uninstall -e "$envdir" alphapkg '')"
		check bash-uninstall-no-environment "" "$(bash_complete cenv uninstall '')"
	}
	if [ -n "$envdir" ]; then bash_uninstall_checks; else skipped "no ./cenv; run make first" bash_uninstall_checks; fi
	check bash-list-options "--env --help --json -e" "$(bash_complete cenv list -)"
	check bash-list-no-operand "" "$(bash_complete cenv list '')"
	check bash-freeze-options "--env --help -e" "$(bash_complete cenv freeze -)"
	check bash-freeze-env-dir "alpha beta dir" "$(bash_complete cenv freeze -e '')"
	check bash-check-options "--env --help --json -e" "$(bash_complete cenv check -)"
	check bash-check-env-dir "alpha beta dir" "$(bash_complete cenv check -e '')"
	check bash-check-no-operand "" "$(bash_complete cenv check '')"
	check bash-cache-subcommands "clean dir export list" "$(bash_complete cenv cache '')"
	check bash-cache-options "--help --json --older-than" "$(bash_complete cenv cache -)"
	check bash-cache-list-options "--help --json" "$(bash_complete cenv cache list -)"
	check bash-cache-clean-options "--help --older-than" "$(bash_complete cenv cache clean -)"
	check bash-cache-older-than-value "" "$(bash_complete cenv cache clean --older-than '')"
	check bash-cache-export-dir "alpha beta dir" "$(bash_complete cenv cache export '')"
	check bash-cache-list-no-operand "" "$(bash_complete cenv cache list '')"
	check bash-help-commands "add cache check create env fetch freeze help install list run uninstall version" "$(bash_complete cenv help '')"
	check bash-help-one-command "" "$(bash_complete cenv help create '')"
	check bash-version-nothing "" "$(bash_complete cenv version '')"
}
if have bash; then bash_checks; else skipped "bash not installed" bash_checks; fi

# ---- fish ---------------------------------------------------------------
# fish_complete LINE : what fish offers for LINE, descriptions dropped
fish_complete() {
	(cd "$tmp/work" && fish --no-config -c 'source $argv[1]; and complete -C $argv[2]' \
		"$comp/cenv.fish" "$1" 2>&1) | cut -f1 | words
}

fish_checks() {
	if fish --no-execute "$comp/cenv.fish" 2>"$tmp/err"; then
		pass fish-syntax
	else
		fail fish-syntax "$(cat "$tmp/err")"
	fi
	check fish-command-prefix "create" "$(fish_complete 'cenv cr')"
	check fish-commands "add cache check create env fetch freeze help install list run uninstall version" "$(fish_complete 'cenv ')"
	if [ -n "$binary_commands" ]; then
		check fish-commands-match-binary "$binary_commands" "$(fish_complete 'cenv ')"
	else
		skip fish-commands-match-binary "no ./cenv; run make first"
	fi
	check fish-main-options "--help --version -V -h" "$(fish_complete 'cenv -')"
	check fish-create-options "--cc --clear --help --isolated --prompt --upgrade -h" \
		"$(fish_complete 'cenv create -')"
	check fish-create-dir "alpha/ beta dir/" "$(fish_complete 'cenv create ')"
	check fish-create-one-dir "" "$(fish_complete 'cenv create alpha ')"
	check fish-create-prompt-value "" "$(fish_complete 'cenv create --prompt ')"
	check fish-create-cc-value "cenvtestprog" "$(fish_complete 'cenv create --cc cenvtest')"
	check fish-env-options "--env --help --shell -e -h" "$(fish_complete 'cenv env -')"
	check fish-env-shell "csh fish sh" "$(fish_complete 'cenv env --shell ')"
	check fish-env-shell-equals "--shell=fish" "$(fish_complete 'cenv env --shell=f')"
	check fish-env-dir "alpha/ beta dir/" "$(fish_complete 'cenv env -e ')"
	check fish-env-no-operand "" "$(fish_complete 'cenv env ')"
	check fish-run-options "--env --help -e -h" "$(fish_complete 'cenv run -')"
	check fish-run-dir "alpha/ beta dir/" "$(fish_complete 'cenv run --env ')"
	check fish-run-command "cenvtestprog" "$(fish_complete 'cenv run -e alpha cenvtest')"
	check fish-run-command-after-dashes "cenvtestprog" "$(fish_complete 'cenv run -e alpha -- cenvtest')"
	check fish-install-options "--build-network --env --file --help --jobs --max-size --max-unpacked-size --mirror --name --no-origin --offline --progress --prune --quiet --retries --sandbox --strict --timeout --verbose --version -e -f -h -j -q -v" "$(fish_complete 'cenv install -')"
	check fish-install-archives "alpha/ beta dir/ pkg-1.0.tar.gz pkg.zip" "$(fish_complete 'cenv install ')"
	check fish-install-file "alpha/ beta dir/ cenv.ini" "$(fish_complete 'cenv install -f ')"
	check fish-install-file-long "cenv.ini" "$(fish_complete 'cenv install --file c')"
	check fish-install-env-dir "alpha/ beta dir/" "$(fish_complete 'cenv install -e ')"
	check fish-install-no-archives-with-file "" "$(fish_complete 'cenv install -f cenv.ini ')"
	check fish-install-no-archives-with-prune "" "$(fish_complete 'cenv install --prune ')"
	check fish-fetch-options "--file --help --max-size --mirror --no-origin --offline --quiet --retries --timeout -f -h -q" "$(fish_complete 'cenv fetch -')"
	check fish-add-options "--args --build --build-env --configure --depends --env --file --help --install-target --jobs --make-args --max-size --mirror --name --no-install --no-origin --offline --quiet --retries --strict --subdir --timeout --version -e -f -h -j -q" "$(fish_complete 'cenv add -')"
	check fish-add-archives "alpha/ beta dir/ pkg-1.0.tar.gz pkg.zip" "$(fish_complete 'cenv add --name x ')"
	check fish-add-one-archive "" "$(fish_complete 'cenv add pkg.zip ')"
	check fish-add-build "make meson" "$(fish_complete 'cenv add --build m')"
	check fish-uninstall-options "--env --force --help -e -h" "$(fish_complete 'cenv uninstall -')"
	fish_uninstall_checks() {
		# the path is quoted for fish, as a user would type it
		qenv="'$envdir'"
		check fish-uninstall-packages "alphapkg betapkg" "$(fish_complete "cenv uninstall -e $qenv ")"
		check fish-uninstall-packages-env-equals "alphapkg betapkg" "$(fish_complete "cenv uninstall --env=$qenv ")"
		check fish-uninstall-packages-from-CENV "alphapkg betapkg" \
			"$(CENV=$envdir && export CENV && fish_complete 'cenv uninstall ')"
		check fish-uninstall-packages-not-twice "betapkg" "$(fish_complete "cenv uninstall -e $qenv alphapkg ")"
		check fish-uninstall-no-environment "" "$(fish_complete 'cenv uninstall ')"
	}
	if [ -n "$envdir" ]; then fish_uninstall_checks; else skipped "no ./cenv; run make first" fish_uninstall_checks; fi
	check fish-list-options "--env --help --json -e -h" "$(fish_complete 'cenv list -')"
	check fish-list-no-operand "" "$(fish_complete 'cenv list ')"
	check fish-freeze-options "--env --help -e -h" "$(fish_complete 'cenv freeze -')"
	check fish-check-options "--env --help --json -e -h" "$(fish_complete 'cenv check -')"
	check fish-check-no-operand "" "$(fish_complete 'cenv check ')"
	check fish-cache-subcommands "clean dir export list" "$(fish_complete 'cenv cache ')"
	check fish-cache-options "--help --json --older-than -h" "$(fish_complete 'cenv cache -')"
	check fish-cache-clean-options "--help --older-than -h" "$(fish_complete 'cenv cache clean -')"
	check fish-cache-export-dir "alpha/ beta dir/" "$(fish_complete 'cenv cache export ')"
	check fish-cache-list-no-operand "" "$(fish_complete 'cenv cache list ')"
	check fish-help-commands "add cache check create env fetch freeze help install list run uninstall version" "$(fish_complete 'cenv help ')"
	check fish-help-one-command "" "$(fish_complete 'cenv help create ')"
	check fish-version-nothing "" "$(fish_complete 'cenv version ')"
}
if have fish && fish --no-config -c true 2>/dev/null; then
	fish_checks
else
	skipped "fish not installed, or does not start" fish_checks
fi

# ---- zsh ----------------------------------------------------------------
# zsh completes only inside its line editor: zsh_complete drives an interactive
# zsh on a pseudo-terminal (zpty), presses TAB after LINE and records every
# match added, through a compadd wrapper.
# setup.zsh runs in the interactive zsh: TAB completes and prints each match
# between markers.  Only its path is typed, so the echo of what is typed
# never holds a marker.
cat >"$tmp/setup.zsh" <<'EOF'
PS1= RPS1=
unsetopt beep
fpath=("$CENV_COMPLETIONS" $fpath)
autoload -Uz compinit
compinit -u -D
_cap() {
	compadd() {
		local -a hits
		local h
		# with -O, -A or -D compadd only fills an array: nothing is offered
		if (( ${@[(I)-[OAD]]} )); then
			builtin compadd "$@"
			return
		fi
		builtin compadd -O hits "$@"
		builtin compadd "$@"
		for h in $hits; do
			print -r -- "<M>$h</M>"
		done
	}
	_main_complete
	unfunction compadd
}
zle -C cap-complete complete-word _cap
bindkey '^I' cap-complete
EOF
cat >"$tmp/capture.zsh" <<'EOF'
zmodload zsh/zpty || exit 3
zpty z zsh -f -i || exit 3
# await TEXT: reads the terminal into $out until TEXT shows (at most 15 seconds)
await() {
	local chunk i
	for i in {1..150}; do
		if zpty -r -t z chunk 2>/dev/null; then
			out+=$chunk
			[[ $out == *$1* ]] && return 0
		else
			sleep 0.1
		fi
	done
	return 1
}
out=
# the echo of a typed $((...)) differs from what it prints
zpty -w z "source ${(q)1}; print -r -- READY\$((6*7))"
await READY42 || exit 4
sleep 0.2
out=
zpty -n -w z "$2"$'\t'
zpty -w z $'\C-u print -r -- END$((6*7))'
await END42 || exit 4
zpty -d z
print -r -- $out | grep -o '<M>[^<]*</M>' | sed 's/^<M>//; s/<\/M>$//'
EOF

# zsh_complete LINE : what zsh offers after LINE, quoted as zsh would insert it;
# a match added twice is listed once, as zsh shows it
zsh_complete() {
	(cd "$tmp/work" && CENV_COMPLETIONS=$comp zsh -f "$tmp/capture.zsh" "$tmp/setup.zsh" "$1" \
		2>/dev/null) | LC_ALL=C sort -u | words
}

zsh_checks() {
	if zsh -n "$comp/_cenv" 2>"$tmp/err"; then
		pass zsh-syntax
	else
		fail zsh-syntax "$(cat "$tmp/err")"
	fi
	check zsh-compdef-line "#compdef cenv" "$(sed -n 1p "$comp/_cenv")"
	check zsh-compinit-binds "_cenv" \
		"$(zsh -f -c 'fpath=($1 $fpath); autoload -Uz compinit; compinit -u -D; print -r -- $_comps[cenv]' \
			sh "$comp" 2>&1)"
	zsh_zpty_checks() {
		check zsh-command-prefix "create" "$(zsh_complete 'cenv cr')"
		check zsh-commands "add cache check create env fetch freeze help install list run uninstall version" "$(zsh_complete 'cenv ')"
		if [ -n "$binary_commands" ]; then
			check zsh-commands-match-binary "$binary_commands" "$(zsh_complete 'cenv ')"
		else
			skip zsh-commands-match-binary "no ./cenv; run make first"
		fi
		check zsh-create-options "--cc --clear --help --isolated --prompt --upgrade -h" \
			"$(zsh_complete 'cenv create -')"
		check zsh-create-dir 'alpha beta\ dir' "$(zsh_complete 'cenv create ')"
		check zsh-env-options "--env --help --shell -e -h" "$(zsh_complete 'cenv env -')"
		check zsh-env-shell "csh fish sh" "$(zsh_complete 'cenv env --shell ')"
		check zsh-env-dir 'alpha beta\ dir' "$(zsh_complete 'cenv env -e ')"
		check zsh-run-options "--env --help -e -h" "$(zsh_complete 'cenv run -')"
		check zsh-run-command "cenvtestprog" "$(zsh_complete 'cenv run -e alpha cenvtest')"
		check zsh-install-options "--build-network --env --file --help --jobs --max-size --max-unpacked-size --mirror --name --no-origin --offline --progress --prune --quiet --retries --sandbox --strict --timeout --verbose --version -e -f -h -j -q -v" "$(zsh_complete 'cenv install -')"
		check zsh-install-archives 'alpha beta\ dir pkg-1.0.tar.gz pkg.zip' "$(zsh_complete 'cenv install ')"
		check zsh-install-file 'alpha beta\ dir cenv.ini' "$(zsh_complete 'cenv install -f ')"
		# zsh offers the options left when no operand may follow
		check zsh-install-no-archives-with-file "--build-network --env --help --jobs --max-size --max-unpacked-size --mirror --no-origin --offline --progress --prune --quiet --retries --sandbox --strict --timeout --verbose -e -h -j -q -v" "$(zsh_complete 'cenv install -f cenv.ini ')"
		check zsh-fetch-options "--file --help --max-size --mirror --no-origin --offline --quiet --retries --timeout -f -h -q" "$(zsh_complete 'cenv fetch -')"
		check zsh-add-options "--args --build --build-env --configure --depends --env --file --help --install-target --jobs --make-args --max-size --mirror --name --no-install --no-origin --offline --quiet --retries --strict --subdir --timeout --version -e -f -h -j -q" "$(zsh_complete 'cenv add -')"
		check zsh-add-archives 'alpha beta\ dir pkg-1.0.tar.gz pkg.zip' "$(zsh_complete 'cenv add ')"
		check zsh-add-build "make meson" "$(zsh_complete 'cenv add --build=m')"
		check zsh-uninstall-options "--env --force --help -e -h" "$(zsh_complete 'cenv uninstall -')"
		zsh_uninstall_checks() {
			qenv="'$envdir'"
			check zsh-uninstall-packages "alphapkg betapkg" "$(zsh_complete "cenv uninstall -e $qenv ")"
			check zsh-uninstall-packages-env-equals "alphapkg betapkg" "$(zsh_complete "cenv uninstall --env=$qenv ")"
			check zsh-uninstall-packages-from-CENV "alphapkg betapkg" \
				"$(CENV=$envdir && export CENV && zsh_complete 'cenv uninstall ')"
			check zsh-uninstall-packages-not-twice "betapkg" "$(zsh_complete "cenv uninstall -e $qenv alphapkg ")"
		}
		if [ -n "$envdir" ]; then zsh_uninstall_checks; else skipped "no ./cenv; run make first" zsh_uninstall_checks; fi
		check zsh-list-options "--env --help --json -e -h" "$(zsh_complete 'cenv list -')"
		check zsh-freeze-options "--env --help -e -h" "$(zsh_complete 'cenv freeze -')"
		check zsh-check-options "--env --help --json -e -h" "$(zsh_complete 'cenv check -')"
		check zsh-cache-subcommands "clean dir export list" "$(zsh_complete 'cenv cache ')"
		check zsh-cache-options "--help --json --older-than -h" "$(zsh_complete 'cenv cache -')"
		check zsh-cache-export-dir 'alpha beta\ dir' "$(zsh_complete 'cenv cache export ')"
		check zsh-help-commands "add cache check create env fetch freeze help install list run uninstall version" "$(zsh_complete 'cenv help ')"
	}
	if zsh -f -c 'zmodload zsh/zpty' 2>/dev/null; then
		zsh_zpty_checks
	else
		skipped "no zsh/zpty module" zsh_zpty_checks
	fi
}
if have zsh; then zsh_checks; else skipped "zsh not installed" zsh_checks; fi

[ "$failed" -eq 0 ]
