# bin/activate.fish: steps into the cenv environment @PREFIX_COMMENT@.
# Source it from fish:   source path/to/env/bin/activate.fish
# and leave with:        deactivate
# Written by cenv @VERSION@ from templates/activate.fish; 'cenv create --upgrade' rewrites it.

# Leave the environment that is active (this one or another) so nothing is added twice.
if set -q _cenv_active
    deactivate
end

# Compiled programs and installed .pc files hold the absolute prefix, so a moved
# environment cannot work: refuse it here rather than half-work.
set -g _cenv_prefix @PREFIX@
if not test -f "$_cenv_prefix/cenv.cfg"
    printf 'cenv: the environment %s no longer exists; was it moved? Run "cenv create --upgrade DIR" where it is now.\n' $_cenv_prefix >&2
    set -e _cenv_prefix
    return 1
end
set -l _cenv_self (status filename | string collect)
if test -n "$_cenv_self" -a "$_cenv_self" != "$_cenv_prefix/bin/activate.fish"
    # (string collect: a newline in the path must not split it into a list)
    set -l here (path resolve (path dirname -- $_cenv_self | string collect)/.. | string collect)
    set -l there (path resolve -- $_cenv_prefix)
    # (a script reached through a symlink elsewhere is still this environment's)
    if test "$here" != "$there" -a -f "$here/cenv.cfg"
        # create refuses such a path, so advice to upgrade there would only fail next
        if string match -qr '[[:cntrl:]:]' -- $here
            printf 'cenv: this environment was made at %s but is now at a path with a control character or ":", which no environment can have; put it at a path without them and run "cenv create --upgrade DIR" there.\n' $_cenv_prefix >&2
            set -e _cenv_prefix
            return 1
        end
        printf 'cenv: this environment was made at %s but is now at %s; run "cenv create --upgrade %s" to use it here.\n' $_cenv_prefix $here $here >&2
        set -e _cenv_prefix
        return 1
    end
end

# fish keeps every variable ending in PATH as a list split at ':', empty
# elements included, and joins it again on export.
function _cenv_prepend --argument-names name head keep
    if set -q $name
        set -g _cenv_was_set_$name x
    else
        set -g _cenv_was_set_$name
    end
    set -l value (string join : -- $$name)
    if test -n "$value"
        set -gx $name "$head:$value"
    else if test "$keep" = keep-default
        set -gx $name "$head:"
    else
        set -gx $name "$head"
    end
end

# Takes out what _cenv_prepend added, and nothing else; unset again if it was unset.
function _cenv_remove --argument-names name
    set -l was _cenv_was_set_$name
    set -l was_set $$was
    set -e $was
    if not set -q $name
        return 0
    end
    set -l list $$name
    for elem in $argv[2..-1]
        set -l kept
        set -l done
        for e in $list
            if test -z "$done" -a "$e" = "$elem"
                set done x
            else
                set -a kept $e
            end
        end
        set list $kept
    end
    set -l joined (string join : -- $list)
    if test -z "$joined" -a -z "$was_set"
        set -e $name
    else
        set -gx $name $list
    end
end

function _cenv_set --argument-names name value
    if set -q $name
        set -g _cenv_was_set_$name x
    else
        set -g _cenv_was_set_$name
    end
    set -g _cenv_old_$name $$name
    set -gx $name $value
end

function _cenv_unset --argument-names name
    _cenv_set $name
    set -e $name
end

function _cenv_restore --argument-names name
    set -l was _cenv_was_set_$name
    set -l old _cenv_old_$name
    if test -n "$$was"
        set -gx $name $$old
    else
        set -e $name
    end
    set -e $was
    set -e $old
end

function deactivate --description 'Leave the cenv environment'
@DEACTIVATE@
    if functions -q _cenv_old_fish_prompt
        functions -e fish_prompt
        functions -c _cenv_old_fish_prompt fish_prompt
        functions -e _cenv_old_fish_prompt
    else if set -q _cenv_prompt_added
        functions -e fish_prompt
    end
    set -e _cenv_active
    set -e _cenv_prefix
    set -e _cenv_prompt_added
    set -e _cenv_ps1_name
    functions -e _cenv_prepend _cenv_remove _cenv_set _cenv_unset _cenv_restore deactivate
end

@ACTIVATE@
set -g _cenv_active x

# as in the other shells, only a non-empty CENV_DISABLE_PROMPT turns the prompt off
if test -z "$CENV_DISABLE_PROMPT"
    set -g _cenv_ps1_name @PROMPT@
    if functions -q fish_prompt
        functions -c fish_prompt _cenv_old_fish_prompt
    end
    set -g _cenv_prompt_added x
    function fish_prompt
        set -l old_status $status
        printf '(%s) ' $_cenv_ps1_name
        if functions -q _cenv_old_fish_prompt
            # give the old prompt the status of the last command
            echo "exit $old_status" | source
            _cenv_old_fish_prompt
        end
    end
end
