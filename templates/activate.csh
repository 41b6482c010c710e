# bin/activate.csh: steps into the cenv environment @PREFIX_COMMENT@.
# Source it from csh or tcsh:   source path/to/env/bin/activate.csh
# and leave with:               deactivate
# Written by cenv @VERSION@ from templates/activate.csh; 'cenv create --upgrade' rewrites it.
#
# csh has no functions: deactivate is an alias that sources this file again
# with _cenv_deactivating set.  Lists are edited by awk, which reads them from
# the environment so that no value is ever parsed as csh code.

if ($?_cenv_deactivating) then
    unset _cenv_deactivating
@DEACTIVATE@
    if ($?_cenv_new_prompt) then
        if ($?prompt) then
            if ("$prompt:q" == "$_cenv_new_prompt:q") then
                if ($?_cenv_old_prompt) then
                    set prompt = "$_cenv_old_prompt:q"
                else
                    unset prompt
                endif
            endif
        endif
    endif
    unset _cenv_active _cenv_script _cenv_new_prompt _cenv_old_prompt
    unsetenv _CENV_LIST _CENV_ELEM
    unalias deactivate
    rehash
else
    if ($?_cenv_active) then
        deactivate
    endif
    if (! -f @PREFIX@/cenv.cfg) then
        echo "cenv: the environment "@PREFIX@" no longer exists; was it moved? Run 'cenv create --upgrade DIR' where it is now." > /dev/stderr
    else
        set _cenv_script = @PREFIX@/bin/activate.csh
        alias deactivate 'set _cenv_deactivating; source "$_cenv_script"'
@ACTIVATE@
        set _cenv_active
        # as in the other shells, only a non-empty CENV_DISABLE_PROMPT turns the prompt off
        set _cenv_want_prompt
        if ($?CENV_DISABLE_PROMPT) then
            if ("$CENV_DISABLE_PROMPT" != "") unset _cenv_want_prompt
        endif
        if ($?_cenv_want_prompt) then
            unset _cenv_want_prompt
            if ($?prompt) then
                set _cenv_old_prompt = "$prompt:q"
                set prompt = @PROMPT_TCSH@"$prompt:q"
                set _cenv_new_prompt = "$prompt:q"
            endif
        endif
        rehash
    endif
endif
