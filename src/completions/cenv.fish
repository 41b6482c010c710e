# cenv.fish - fish completion for cenv(1): commands, their options, directories,
# manifests, archives and installed packages.
# Installed as share/fish/vendor_completions.d/cenv.fish.

# The commands, each followed by what it does; a new command is one line here
# and its options below.
set -l cenv_commands \
    create 'make an environment in DIR' \
    env 'print the variables activation sets, for eval and direnv' \
    run 'run a command with the environment active' \
    install 'build and install the packages of a manifest (cenv.ini), or archives' \
    fetch 'download and verify the archives of a manifest into the download cache' \
    add 'add an archive to the manifest (cenv.ini) with its sha256, and install it' \
    uninstall 'remove installed packages and the directories they leave empty' \
    list 'show the installed packages' \
    freeze 'print a manifest that reinstalls exactly what is installed' \
    check 'verify the installed files against their records' \
    cache 'the download cache: list, clean, dir, export' \
    help 'show the usage of cenv or of one command' \
    version 'print the version of cenv'

# The options that take a value, whose value is skipped when looking for operands.
function __cenv_takes_value --argument-names word
    contains -- $word -e --env -f --file --shell --prompt --cc --older-than --mirror --name --version --build --args --configure --make-args --install-target --build-env --subdir --depends
end

# Prints the command (the first word after cenv that is not an option), then
# the operands after it, one a line; for run, they start at the command to run.
function __cenv_words
    set -l words (commandline -opc)
    set -e words[1]
    set -l cmd
    set -l skip
    set -l ended
    for w in $words
        if test -z "$cmd"
            if not string match -q -- '-*' $w
                set cmd $w
                echo $cmd
            end
        else if test -n "$ended"
            echo $w
        else if test -n "$skip"
            set skip
        else if test "$w" = --
            set ended x
        else if string match -q -- '-*' $w
            if not string match -q -- '*=*' $w; and __cenv_takes_value $w
                set skip x
            end
        else
            echo $w
            test "$cmd" = run; and set ended x
        end
    end
end

# True when the command is $argv[1] and it has $argv[2] operands so far (any, if not given).
function __cenv_using --argument-names cmd noperands
    set -l words (__cenv_words)
    test "$words[1]" = "$cmd"; or return 1
    test -z "$noperands"; or test (math (count $words) - 1) -eq $noperands
end

function __cenv_needs_command
    test (count (__cenv_words)) -eq 0
end

# cenv run [-e DIR] [--] CMD ARG...: CMD's own completions for its arguments.
function __cenv_complete_run
    set -l words (__cenv_words)
    set -e words[1]
    set -l token (commandline -ct)
    if test (count $words) -eq 0
        __fish_complete_command
    else
        complete -C (string join -- ' ' (string escape -- $words) "$token")
    end
end

# The files under the token being completed whose names end in one of $argv,
# and the directories.
function __cenv_complete_files
    set -l token (commandline -ct)
    for f in (complete -C"__cenv_no_such_command $token" | string replace -r '\t.*' '')
        if string match -q -- '*/' $f
            echo $f
        else
            for ext in $argv
                if string match -q -- "*$ext" $f
                    echo $f
                    break
                end
            end
        end
    end
end

# True when cenv install is given archives, not a manifest (-f, --file, --prune).
function __cenv_install_archives
    __cenv_using install; or return 1
    for w in (commandline -opc)
        string match -q -r -- '^(-f|--file|--prune)' $w; and return 1
    end
    return 0
end

# The packages installed in the environment given with -e or --env, or else
# $CENV, not named yet: the first column of `cenv list`, under its header.
function __cenv_installed
    set -l words (commandline -opc)
    set -l prog $words[1]
    set -l dir
    set -l next
    for w in $words[2..-1]
        if test -n "$next"
            set dir $w
            set next
        else if contains -- $w -e --env
            set next x
        else if string match -q -- '--env=*' $w
            set dir (string replace -- '--env=' '' $w)
        else if string match -q -- '-e?*' $w
            set dir (string sub -s 3 -- $w)
        end
    end
    set prog (string replace -r '^~' $HOME -- $prog)
    set dir (string replace -r '^~' $HOME -- $dir)
    set -l given (__cenv_words)
    set -l list
    if test -n "$dir"
        set list (command $prog list -e $dir 2>/dev/null)
    else
        set list (command $prog list 2>/dev/null)
    end
    for line in $list[2..-1]
        set -l name (string replace -r '\s.*' '' -- $line)
        contains -- $name $given[2..-1]; or echo $name
    end
end

complete -c cenv -f

for i in (seq 1 2 (count $cenv_commands))
    complete -c cenv -n __cenv_needs_command -a $cenv_commands[$i] -d $cenv_commands[(math $i + 1)]
    complete -c cenv -n '__cenv_using help 0' -a $cenv_commands[$i] -d $cenv_commands[(math $i + 1)]
end
complete -c cenv -n __cenv_needs_command -s h -l help -d 'show the usage and the commands'
complete -c cenv -n __cenv_needs_command -s V -l version -d 'print the version of cenv'

complete -c cenv -n '__cenv_using create' -s h -l help -d 'show the usage of create'
complete -c cenv -n '__cenv_using create' -l prompt -x -d 'name shown in the shell prompt'
complete -c cenv -n '__cenv_using create' -l clear -d 'empty an existing environment first'
complete -c cenv -n '__cenv_using create' -l upgrade -d 'rewrite the scripts and cenv.cfg, keeping what is installed'
complete -c cenv -n '__cenv_using create' -l isolated -d 'pkg-config sees only the environment'
complete -c cenv -n '__cenv_using create' -l cc -x -a '(__fish_complete_command)' -d 'pin the compiler: activation exports CC'
complete -c cenv -n '__cenv_using create 0' -x -a '(__fish_complete_directories)'

complete -c cenv -n '__cenv_using env' -s h -l help -d 'show the usage of env'
complete -c cenv -n '__cenv_using env' -s e -l env -x -a '(__fish_complete_directories)' -d 'the environment (default: $CENV)'
complete -c cenv -n '__cenv_using env' -l shell -x -a 'sh fish csh' -d 'the shell the statements are for'

complete -c cenv -n '__cenv_using run 0' -s h -l help -d 'show the usage of run'
complete -c cenv -n '__cenv_using run 0' -s e -l env -x -a '(__fish_complete_directories)' -d 'the environment (default: $CENV)'
complete -c cenv -n '__cenv_using run' -x -a '(__cenv_complete_run)'

complete -c cenv -n '__cenv_using install' -s h -l help -d 'show the usage of install'
complete -c cenv -n '__cenv_using install' -s e -l env -x -a '(__fish_complete_directories)' -d 'the environment (default: $CENV)'
complete -c cenv -n '__cenv_using install 0' -s f -l file -x -a '(__cenv_complete_files .ini)' -d 'the manifest (default: ./cenv.ini)'
complete -c cenv -n '__cenv_using install 0' -l prune -d 'uninstall packages that are no longer in the manifest'
complete -c cenv -n '__cenv_using install' -l max-unpacked-size -x -d 'refuse an archive whose files hold more than SIZE bytes'
complete -c cenv -n '__cenv_using install' -l sandbox -x -a 'auto on off' -d 'run builds in a bubblewrap sandbox'
complete -c cenv -n '__cenv_using install' -l progress -x -a 'auto plain json' -d 'a live display, plain lines, or JSON events on stderr'
complete -c cenv -n '__cenv_using install' -l build-network -d 'let builds reach the network'
complete -c cenv -n '__cenv_using install' -l strict -d 'fail a package that staged files outside the environment'
complete -c cenv -n '__cenv_using install' -s j -l jobs -x -d 'at most N compiler jobs at once across all the builds'
complete -c cenv -n '__cenv_using install' -s v -l verbose -d 'say whether builds are sandboxed, and what each may write'
complete -c cenv -n '__cenv_using install' -l name -x -d 'with one archive: the package name (default: from the archive)'
complete -c cenv -n '__cenv_using install' -l version -x -d 'with one archive: its version (default: from the archive)'
complete -c cenv -n '__cenv_using install' -l offline -d 'never connect: archives come from the download cache'
complete -c cenv -n '__cenv_using install' -l timeout -x -d 'a download without data for this long fails'
complete -c cenv -n '__cenv_using install' -l retries -x -d 'tries after the first for a download that may pass'
complete -c cenv -n '__cenv_using install' -l max-size -x -d 'a download larger than SIZE fails'
complete -c cenv -n '__cenv_using install' -l mirror -x -d 'ask this web directory first, for URL/sha256/<sha256>'
complete -c cenv -n '__cenv_using install' -l no-origin -d 'download from the mirrors only'
complete -c cenv -n '__cenv_using install' -s q -l quiet -d 'no progress bar'
complete -c cenv -n __cenv_install_archives -x -a '(__cenv_complete_files .tar .tar.gz .tgz .tar.xz .txz .tar.bz2 .tbz .tbz2 .tar.zst .tzst .tar.lz .tar.lzma .zip)'

complete -c cenv -n '__cenv_using fetch' -s h -l help -d 'show the usage of fetch'
complete -c cenv -n '__cenv_using fetch' -s f -l file -x -a '(__cenv_complete_files .ini)' -d 'the manifest (default: ./cenv.ini)'
complete -c cenv -n '__cenv_using fetch' -l offline -d 'download nothing: say which archives the cache is missing'
complete -c cenv -n '__cenv_using fetch' -l timeout -x -d 'a download without data for this long fails'
complete -c cenv -n '__cenv_using fetch' -l retries -x -d 'tries after the first for a download that may pass'
complete -c cenv -n '__cenv_using fetch' -l max-size -x -d 'a download larger than SIZE fails'
complete -c cenv -n '__cenv_using fetch' -l mirror -x -d 'ask this web directory first, for URL/sha256/<sha256>'
complete -c cenv -n '__cenv_using fetch' -l no-origin -d 'download from the mirrors only'
complete -c cenv -n '__cenv_using fetch' -s q -l quiet -d 'no progress bar'
complete -c cenv -n '__cenv_using add' -s h -l help -d 'show the usage of add'
complete -c cenv -n '__cenv_using add' -s e -l env -x -a '(__fish_complete_directories)' -d 'the environment to install into (default: $CENV)'
complete -c cenv -n '__cenv_using add' -s f -l file -x -a '(__cenv_complete_files .ini)' -d 'the manifest (default: ./cenv.ini)'
complete -c cenv -n '__cenv_using add' -l name -x -d 'the section name (default: from the archive)'
complete -c cenv -n '__cenv_using add' -l version -x -d 'its version (default: from the archive)'
complete -c cenv -n '__cenv_using add' -l build -x -a 'autotools cmake meson make prebuilt' -d 'the build system (default: detected)'
complete -c cenv -n '__cenv_using add' -l args -x -d 'words for the configure step'
complete -c cenv -n '__cenv_using add' -l configure -x -d 'the configure command instead of ./configure'
complete -c cenv -n '__cenv_using add' -l make-args -x -d 'words for every make or ninja run'
complete -c cenv -n '__cenv_using add' -l install-target -x -d 'make\'s install target (default: install)'
complete -c cenv -n '__cenv_using add' -l build-env -x -d 'NAME=VALUE words for the build\'s environment'
complete -c cenv -n '__cenv_using add' -l subdir -x -d 'the source tree inside the archive'
complete -c cenv -n '__cenv_using add' -l depends -x -d 'packages of the manifest it depends on'
complete -c cenv -n '__cenv_using add' -l no-install -d 'only write the manifest'
complete -c cenv -n '__cenv_using add' -l strict -d 'fail the install if files were staged outside the environment'
complete -c cenv -n '__cenv_using add' -s j -l jobs -x -d 'the install\'s budget: at most N compiler jobs at once'
complete -c cenv -n '__cenv_using add' -l offline -d 'never connect'
complete -c cenv -n '__cenv_using add' -l timeout -x -d 'a download without data for this long fails'
complete -c cenv -n '__cenv_using add' -l retries -x -d 'tries after the first for a download that may pass'
complete -c cenv -n '__cenv_using add' -l max-size -x -d 'a download larger than SIZE fails'
complete -c cenv -n '__cenv_using add' -l mirror -x -d 'for the install: ask this web directory first'
complete -c cenv -n '__cenv_using add' -l no-origin -d 'for the install: the mirrors only'
complete -c cenv -n '__cenv_using add' -s q -l quiet -d 'no progress bar'
complete -c cenv -n '__cenv_using add 0' -x -a '(__cenv_complete_files .tar .tar.gz .tgz .tar.xz .txz .tar.bz2 .tbz .tbz2 .tar.zst .tzst .tar.lz .tar.lzma .zip)'

complete -c cenv -n '__cenv_using uninstall' -s h -l help -d 'show the usage of uninstall'
complete -c cenv -n '__cenv_using uninstall' -s e -l env -x -a '(__fish_complete_directories)' -d 'the environment (default: $CENV)'
complete -c cenv -n '__cenv_using uninstall' -l force -d 'remove even packages that others depend on'
complete -c cenv -n '__cenv_using uninstall' -x -a '(__cenv_installed)' -d 'installed package'

complete -c cenv -n '__cenv_using list' -s h -l help -d 'show the usage of list'
complete -c cenv -n '__cenv_using list' -s e -l env -x -a '(__fish_complete_directories)' -d 'the environment (default: $CENV)'
complete -c cenv -n '__cenv_using list' -l json -d 'one JSON array of objects instead of a table'

complete -c cenv -n '__cenv_using freeze' -s h -l help -d 'show the usage of freeze'
complete -c cenv -n '__cenv_using freeze' -s e -l env -x -a '(__fish_complete_directories)' -d 'the environment (default: $CENV)'

complete -c cenv -n '__cenv_using check' -s h -l help -d 'show the usage of check'
complete -c cenv -n '__cenv_using check' -s e -l env -x -a '(__fish_complete_directories)' -d 'the environment (default: $CENV)'
complete -c cenv -n '__cenv_using check' -l json -d 'one JSON object instead of lines'

# cache: its subcommand first; an option of one is offered with it, or before any is given.
function __cenv_cache_option --argument-names sub
    set -l words (__cenv_words)
    test "$words[1]" = cache; or return 1
    test (count $words) -eq 1; or test "$words[2]" = $sub
end
complete -c cenv -n '__cenv_using cache' -s h -l help -d 'show the usage of cache'
complete -c cenv -n '__cenv_using cache 0' -a list -d 'the cached archives: sha256, size, last use, URL'
complete -c cenv -n '__cenv_using cache 0' -a clean -d 'remove the cached archives'
complete -c cenv -n '__cenv_using cache 0' -a dir -d 'print the cache directory'
complete -c cenv -n '__cenv_using cache 0' -a export -d 'write every cached archive to DIR/sha256/<sha256>, a mirror'
complete -c cenv -n '__cenv_cache_option list' -l json -d 'one JSON array of objects instead of a table'
complete -c cenv -n '__cenv_cache_option clean' -l older-than -x -d 'only archives last used more than DAYS days ago'
complete -c cenv -n '__cenv_using cache 1; and test (__cenv_words)[2] = export' -x -a '(__fish_complete_directories)'
