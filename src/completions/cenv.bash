# cenv.bash - bash completion for cenv(1): commands, their options, directories,
# manifests, archives and installed packages.
# Works with or without the bash-completion package; installed as
# share/bash-completion/completions/cenv.

# The commands, and the options of each; a new command is one line in each list.
_cenv_commands='create env run install add fetch uninstall list freeze check cache help version'
_cenv_options() {
	case $1 in
	create) echo '--prompt --clear --upgrade --isolated --cc --help' ;;
	env) echo '-e --env --shell --help' ;;
	run) echo '-e --env --help' ;;
	install) echo '-e --env -f --file -j --jobs --prune --max-unpacked-size --sandbox --build-network --strict -v --verbose --name --version --progress --offline --timeout --retries --max-size --mirror --no-origin -q --quiet --help' ;;
	fetch) echo '-f --file --offline --timeout --retries --max-size --mirror --no-origin -q --quiet --help' ;;
	add) echo '-e --env -f --file -j --jobs --name --version --build --args --configure --make-args --install-target --build-env --subdir --depends --no-install --strict --offline --timeout --retries --max-size --mirror --no-origin -q --quiet --help' ;;
	uninstall) echo '-e --env --force --help' ;;
	list) echo '-e --env --json --help' ;;
	freeze) echo '-e --env --help' ;;
	check) echo '-e --env --json --help' ;;
	# cache: those of its subcommand ($2), all of them before one is given
	cache)
		case $2 in
		list) echo '--json --help' ;;
		clean) echo '--older-than --help' ;;
		dir | export) echo '--help' ;;
		*) echo '--json --older-than --help' ;;
		esac
		;;
	esac
}
# What the value of an option is: dir, manifest, shell, command, or text (nothing to offer).
_cenv_option_value() {
	case $1 in
	-e | --env) echo dir ;;
	-f | --file) echo manifest ;;
	--shell) echo shell ;;
	--cc) echo command ;;
	--prompt | --max-unpacked-size | --timeout | --retries | --max-size | --older-than | --mirror) echo text ;;
	--sandbox) echo sandbox ;;
	--progress) echo progress ;;
	--name | --version | --args | --subdir | --depends | -j | --jobs) echo text ;;
	--build) echo build ;;
	esac
}

# COMPREPLY gets the words of the blank-separated list $1 that start with $2.
_cenv_reply() {
	mapfile -t COMPREPLY < <(compgen -W "$1" -- "$2")
}

# A word of the command line as the shell would pass it, for the usual cases:
# a leading ~/, quotes around it, backslashes before blanks.
_cenv_unquote() {
	local w=$1
	case $w in
	\'*\') w=${w:1:${#w}-2} ;;
	\"*\") w=${w:1:${#w}-2} ;;
	*) w=${w//\\ / } ;;
	esac
	[[ $w == \~ || $w == \~/* ]] && w=$HOME${w:1}
	printf '%s\n' "$w"
}

# Prints the names of the packages installed in the environment given on the
# line with -e or --env, or else $CENV: the first column of `cenv list`, under
# its header.  $1 is the index of the command in COMP_WORDS.
_cenv_installed() {
	local prog dir= i word
	prog=$(_cenv_unquote "${COMP_WORDS[0]}")
	for ((i = $1 + 1; i < COMP_CWORD; i++)); do
		word=${COMP_WORDS[i]}
		case $word in
		-e | --env)
			# bash splits --env=DIR into --env, = and DIR
			[[ ${COMP_WORDS[i+1]} == = ]] && i=$((i + 1))
			((i + 1 < COMP_CWORD)) && dir=${COMP_WORDS[i+1]}
			i=$((i + 1))
			;;
		--env=*) dir=${word#--env=} ;;
		-e?*) dir=${word#-e} ;;
		esac
	done
	if [[ -n $dir ]]; then
		"$prog" list -e "$(_cenv_unquote "$dir")" 2>/dev/null
	else
		"$prog" list 2>/dev/null
	fi | awk 'NR > 1 { print $1 }'
}

# COMPREPLY gets the files whose names end in one of the words of $1, and the
# directories, that start with $2.
_cenv_reply_files() {
	local f ext
	compopt -o filenames 2>/dev/null
	COMPREPLY=()
	while IFS= read -r f; do
		if [[ -d $f ]]; then
			COMPREPLY+=("$f")
			continue
		fi
		for ext in $1; do
			if [[ $f == *"$ext" ]]; then
				COMPREPLY+=("$f")
				break
			fi
		done
	done < <(compgen -f -- "$2")
}

# The endings of the archives cenv install reads.
_cenv_archives='.tar .tar.gz .tgz .tar.xz .txz .tar.bz2 .tbz .tbz2 .tar.zst .tzst .tar.lz .tar.lzma .zip'

# COMPREPLY gets the completions of a value of kind $1 that start with $2.
_cenv_reply_value() {
	case $1 in
	dir)
		# names with blanks or quotes are escaped, directories get their '/'
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$2")
		;;
	manifest) _cenv_reply_files .ini "$2" ;;
	shell) _cenv_reply 'sh fish csh' "$2" ;;
	sandbox) _cenv_reply 'auto on off' "$2" ;;
	progress) _cenv_reply 'auto plain json' "$2" ;;
	build) _cenv_reply 'autotools cmake meson make prebuilt' "$2" ;;
	command) mapfile -t COMPREPLY < <(compgen -c -- "$2" | sort -u) ;;
	*) COMPREPLY=() ;;
	esac
}

_cenv() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev= cmd= cmd_at= run_at= operands=0 first= manifest= names= i word kind
	COMPREPLY=()
	[[ $COMP_CWORD -gt 0 ]] && prev=${COMP_WORDS[COMP_CWORD-1]}

	# bash cuts --opt=value at '=' (see COMP_WORDBREAKS): complete the value alone
	if [[ $cur == '=' && $prev == --* ]]; then
		_cenv_reply_value "$(_cenv_option_value "$prev")" ''
		return 0
	fi
	if [[ $prev == '=' && $COMP_CWORD -ge 3 && ${COMP_WORDS[COMP_CWORD-2]} == --* ]]; then
		_cenv_reply_value "$(_cenv_option_value "${COMP_WORDS[COMP_CWORD-2]}")" "$cur"
		return 0
	fi
	if [[ $cur == --*=* ]]; then
		_cenv_reply_value "$(_cenv_option_value "${cur%%=*}")" "${cur#*=}"
		for i in "${!COMPREPLY[@]}"; do
			COMPREPLY[i]=${cur%%=*}=${COMPREPLY[i]}
		done
		return 0
	fi

	# the command is the first word after cenv that is not an option
	for ((i = 1; i < COMP_CWORD; i++)); do
		if [[ ${COMP_WORDS[i]} != -* ]]; then
			cmd=${COMP_WORDS[i]}
			cmd_at=$i
			break
		fi
	done
	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			_cenv_reply '--help --version' "$cur"
		else
			_cenv_reply "$_cenv_commands" "$cur"
		fi
		return 0
	fi

	# the command's arguments before the cursor: skip option values, count operands;
	# for run, the first operand (or the word after --) is the command to run
	for ((i = cmd_at + 1; i < COMP_CWORD && !run_at; i++)); do
		word=${COMP_WORDS[i]}
		if [[ $word == -- ]]; then
			[[ $cmd == run ]] && run_at=$((i + 1))
		elif [[ $word == = ]]; then
			i=$((i + 1))
		elif [[ $word == -* ]]; then
			[[ $word == -f* || $word == --file* || $word == --prune ]] && manifest=1
			[[ $word != *=* && -n $(_cenv_option_value "$word") ]] && i=$((i + 1))
		else
			[[ $operands -eq 0 ]] && first=$word
			operands=$((operands + 1))
			[[ $cmd == run ]] && run_at=$i
		fi
	done

	if [[ -n $run_at && $run_at -lt $COMP_CWORD ]]; then
		# an argument of the command run: its own completion, if bash-completion has one
		if declare -F _command_offset >/dev/null; then
			_command_offset "$run_at"
		else
			compopt -o default 2>/dev/null
		fi
		return 0
	fi
	if [[ -z $run_at && $prev == -* && -n $(_cenv_option_value "$prev") ]]; then
		_cenv_reply_value "$(_cenv_option_value "$prev")" "$cur"
		return 0
	fi
	if [[ $cur == -* && -z $run_at ]]; then
		_cenv_reply "$(_cenv_options "$cmd" "$first")" "$cur"
		return 0
	fi
	case $cmd in
	create) [[ $operands -eq 0 ]] && _cenv_reply_value dir "$cur" ;;
	run) _cenv_reply_value command "$cur" ;;
	# archives, unless a manifest is being installed
	install) [[ -z $manifest ]] && _cenv_reply_files "$_cenv_archives" "$cur" ;;
	add) [[ $operands -eq 0 ]] && _cenv_reply_files "$_cenv_archives" "$cur" ;;
	uninstall)
		# the installed packages not named yet
		for word in $(_cenv_installed "$cmd_at"); do
			[[ " ${COMP_WORDS[*]:cmd_at+1:COMP_CWORD-cmd_at-1} " == *" $word "* ]] || names+=" $word"
		done
		_cenv_reply "$names" "$cur"
		;;
	help) [[ $operands -eq 0 ]] && _cenv_reply "$_cenv_commands" "$cur" ;;
	cache)
		if [[ $operands -eq 0 ]]; then
			_cenv_reply 'list clean dir export' "$cur"
		elif [[ $operands -eq 1 && $first == export ]]; then
			_cenv_reply_value dir "$cur"
		fi
		;;
	esac
	return 0
}

complete -F _cenv cenv
