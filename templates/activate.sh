#!/bin/sh
# bin/activate: steps into the cenv environment @PREFIX_COMMENT@.
# Source it from bash, zsh, dash or ksh:   . path/to/env/bin/activate
# and leave with:                          deactivate
# Written by cenv @VERSION@ from templates/activate.sh; 'cenv create --upgrade' rewrites it.

# Run as a program, it could change nothing in the calling shell: say how to use it.
_cenv_sourced=yes
if [ -n "${ZSH_EVAL_CONTEXT-}" ]; then
	case $ZSH_EVAL_CONTEXT in *file*) ;; *) _cenv_sourced=no ;; esac
elif [ -n "${BASH_VERSION-}" ]; then
	if [ "${BASH_SOURCE-}" = "$0" ]; then _cenv_sourced=no; fi
else
	case ${0##*/} in activate) _cenv_sourced=no ;; esac
fi
if [ "$_cenv_sourced" = no ]; then
	# the command shown is one to paste: the path quoted as the shell needs it
	_cenv_q=@PREFIX@
	case $_cenv_q in
	*[!A-Za-z0-9_./+,@%=-]*)
		_cenv_q=$(printf '%s\n' "$_cenv_q" | sed "s/'/'\\\\''/g; 1s/^/'/; \$s/\$/'/") ;;
	esac
	printf 'cenv: bin/activate must be sourced, not run; use:\n    . %s/bin/activate\n' "$_cenv_q" >&2
	exit 2
fi
unset _cenv_sourced

# Leave the environment that is active (this one or another) so nothing is added twice.
if [ -n "${_cenv_active-}" ]; then
	deactivate
fi

# Compiled programs and installed .pc files hold the absolute prefix, so a moved
# environment cannot work: refuse it here rather than half-work.
_cenv_prefix=@PREFIX@
if [ ! -f "$_cenv_prefix/cenv.cfg" ]; then
	printf 'cenv: the environment %s no longer exists; was it moved? Run "cenv create --upgrade DIR" where it is now.\n' "$_cenv_prefix" >&2
	unset _cenv_prefix
	return 1
fi
_cenv_self=
if [ -n "${BASH_VERSION-}" ]; then
	_cenv_self=${BASH_SOURCE-}
elif [ -n "${ZSH_VERSION-}" ]; then
	_cenv_self=$0
fi
case $_cenv_self in
"" | "$_cenv_prefix/bin/activate") ;;
*/*)
	_cenv_here=$(CDPATH='' cd -P -- "${_cenv_self%/*}/.." 2>/dev/null && pwd -P) || _cenv_here=
	_cenv_there=$(CDPATH='' cd -P -- "$_cenv_prefix" 2>/dev/null && pwd -P) || _cenv_there=
	# (a script reached through a symlink elsewhere is still this environment's)
	if [ -n "$_cenv_here" ] && [ "$_cenv_here" != "$_cenv_there" ] && [ -f "$_cenv_here/cenv.cfg" ]; then
		case $_cenv_here in
		*[[:cntrl:]]* | *:*)
			# create refuses such a path, so advice to upgrade there would only fail next
			printf 'cenv: this environment was made at %s but is now at a path with a control character or ":", which no environment can have; put it at a path without them and run "cenv create --upgrade DIR" there.\n' \
				"$_cenv_prefix" >&2
			unset _cenv_prefix _cenv_self _cenv_here _cenv_there
			return 1
			;;
		esac
		printf 'cenv: this environment was made at %s but is now at %s; run "cenv create --upgrade %s" to use it here.\n' \
			"$_cenv_prefix" "$_cenv_here" "$_cenv_here" >&2
		unset _cenv_prefix _cenv_self _cenv_here _cenv_there
		return 1
	fi
	unset _cenv_here _cenv_there
	;;
esac
unset _cenv_self

# _cenv_drop LIST ELEMENT: _cenv_v becomes LIST without the first ELEMENT; pattern
# matching with the element quoted, so it is compared literally, and no loop.
_cenv_drop() {
	case $1 in
	"$2") _cenv_v= ;;
	"$2":*) _cenv_v=${1#"$2":} ;;
	*:"$2":*) _cenv_v=${1%%:"$2":*}:${1#*:"$2":} ;;
	*:"$2") _cenv_v=${1%:"$2"} ;;
	*) _cenv_v=$1 ;;
	esac
}

# What activation changes comes next, written out by cenv for each variable: a
# list gets the environment's directory in front, and deactivate takes out that
# element and nothing else, so directories added while active stay; a variable
# that was unset is unset again.

deactivate() {
@DEACTIVATE@
	# The prompt goes back only if nobody changed it meanwhile; otherwise just our prefix goes.
	if [ -n "${_cenv_ps1_prefix+x}" ]; then
		if [ "${PS1-}" = "$_cenv_ps1_prefix${_cenv_old_ps1-}" ]; then
			if [ -n "$_cenv_old_ps1_set" ]; then
				PS1=$_cenv_old_ps1
			else
				unset PS1
			fi
		else
			case ${PS1-} in
			"$_cenv_ps1_prefix"*) PS1=${PS1#"$_cenv_ps1_prefix"} ;;
			esac
		fi
	fi
	unset _cenv_active _cenv_prefix _cenv_ps1_prefix _cenv_ps1_name _cenv_old_ps1 _cenv_old_ps1_set _cenv_v
	unset -f _cenv_drop deactivate
	# forget commands found in the environment's bin/
	hash -r 2>/dev/null || :
	return 0
}

# zsh keeps MANPATH defined (tied to $manpath) even when it is not in the
# environment: only an exported MANPATH counts as set.
_cenv_manpath_unset=
if [ -n "${ZSH_VERSION-}" ] && eval '[[ ${(t)MANPATH-} != *export* ]]'; then
	_cenv_manpath_unset=yes
fi
@ACTIVATE@
if [ -n "$_cenv_manpath_unset" ]; then
	_cenv_was_set_MANPATH=
fi
unset _cenv_manpath_unset
_cenv_active=yes

# The prompt shows the name through a variable where the shell expands one, so
# that $(...), `...` or \ in the name are printed, never run.
if [ -z "${CENV_DISABLE_PROMPT-}" ]; then
	_cenv_old_ps1_set=${PS1+x}
	_cenv_old_ps1=${PS1-}
	_cenv_ps1_prefix='(${_cenv_ps1_name-}) '
	if [ -n "${ZSH_VERSION-}" ]; then
		_cenv_ps1_name=@PROMPT_ZSH@
		if ! eval '[[ -o promptsubst ]]'; then
			_cenv_ps1_prefix="($_cenv_ps1_name) "
		fi
	elif [ -n "${BASH_VERSION-}" ]; then
		_cenv_ps1_name=@PROMPT@
		if ! shopt -q promptvars; then
			_cenv_ps1_prefix=@PS1_BASH_LITERAL@
		fi
	else
		_cenv_ps1_name=@PROMPT@
		# ksh93 and mksh show the history number for a '!' in PS1, and '!' for '!!'
		if [ -n "${KSH_VERSION-}" ]; then
			eval '_cenv_ps1_name=${_cenv_ps1_name//!/!!}'
		fi
	fi
	PS1=$_cenv_ps1_prefix${PS1-}
fi

# forget commands found before the environment's bin/ came first
hash -r 2>/dev/null || :
return 0
