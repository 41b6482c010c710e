# t-small.sh - issue 11's smaller things: DIR/man on MANPATH in every shell, `cenv env` and
# `cenv run`; uninstall naming every package that needs one; install PATH --name/--version; list's
# sizes as the install lines say them; a closed stdout pipe; an https URL whose server is down.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib-install.sh"
plan 55

# downloads (and cache list, fetch) use a cache of this script's own, never the user's
export XDG_CACHE_HOME="$TMP_ROOT/cache"
BASE_PATH=/usr/local/bin:/usr/bin:/bin
MK="$TOP/tests/tools/mkarchive"
E="$TMP_ROOT/env m"
"$CENV_BIN" create "$E" >/dev/null || fail "create $E"

# ---- item 8: DIR/man next to DIR/share/man -------------------------------------------------------
# a page where lua's and bzip2's Makefiles put theirs, one where autotools put theirs
mkdir -p "$E/man/man1" "$E/share/man/man1"
printf '.TH SMALLTOOL 1\n.SH NAME\nsmalltool \\- a page under DIR/man\n' >"$E/man/man1/smalltool.1"
printf '.TH SMALLSHARE 1\n.SH NAME\nsmallshare \\- a page under DIR/share/man\n' >"$E/share/man/man1/smallshare.1"
# the system's own page for man, as man finds it with no MANPATH: the trailing ':' must keep it
SYS_MAN=$(env -i PATH="$BASE_PATH" HOME="$TMP_ROOT" man -w man 2>/dev/null)

# man_script SHELL: activate, ask man for the three pages, deactivate, say MANPATH ("unset")
man_script() {
	case $1 in
	fish)
		cat <<'FISH'
source $E/bin/activate.fish
man -w smalltool; man -w smallshare; man -w man
deactivate
if set -q MANPATH; printf '%s\n' "$MANPATH"; else; echo unset; end
FISH
		;;
	tcsh)
		cat <<'CSH'
source "$E/bin/activate.csh"
man -w smalltool; man -w smallshare; man -w man
deactivate
if ($?MANPATH) then
    printf '%s\n' "$MANPATH"
else
    echo unset
endif
CSH
		;;
	*)
		cat <<'SH'
. "$E/bin/activate"
man -w smalltool; man -w smallshare; man -w man
deactivate
printf '%s\n' "${MANPATH-unset}"
SH
		;;
	esac
}

for sh in bash zsh dash ksh fish tcsh; do
	if ! command -v "$sh" >/dev/null 2>&1; then
		skip "$sh: man finds DIR/man pages while active" "$sh not installed"
		skip "$sh: a MANPATH set before comes back exactly" "$sh not installed"
		continue
	fi
	man_script "$sh" >"$SCRATCH/man.$sh"
	out=$(cd / && env -i HOME="$TMP_ROOT" LANG=C.UTF-8 PATH="$BASE_PATH" E="$E" "$sh" "$SCRATCH/man.$sh" 2>&1)
	check_eq "$sh: man finds DIR/man pages while active, the system's too; MANPATH unset again after" \
		"$E/man/man1/smalltool.1
$E/share/man/man1/smallshare.1
$SYS_MAN
unset" "$out"
	# set before: the environment's pages first, and exactly the old value after deactivate
	out=$(cd / && env -i HOME="$TMP_ROOT" LANG=C.UTF-8 PATH="$BASE_PATH" E="$E" MANPATH="$TMP_ROOT/orig man" \
		"$sh" "$SCRATCH/man.$sh" 2>/dev/null | sed -n '1p;$p')
	check_eq "$sh: a MANPATH set before comes back exactly" "$E/man/man1/smalltool.1
$TMP_ROOT/orig man" "$out"
done

out=$(env -i PATH="$BASE_PATH" HOME="$TMP_ROOT" dash -c 'eval "$("$0" env -e "$1")"; man -w smalltool; man -w man' "$CENV_BIN" "$E" 2>&1)
check_eq "env: evaluated in dash, man finds the DIR/man page and the system's" "$E/man/man1/smalltool.1
$SYS_MAN" "$out"
out=$(env -i PATH="$BASE_PATH" HOME="$TMP_ROOT" LANG=C.UTF-8 fish -c "$(printf '%q' "$CENV_BIN") env --shell fish -e $(printf '%q' "$E") | source; man -w smalltool" 2>&1)
check_eq "env --shell fish: man finds the DIR/man page" "$E/man/man1/smalltool.1" "$out"
printf 'eval "`%s env -e %s --shell csh`"\nman -w smalltool\n' "$CENV_BIN" "'$E'" >"$SCRATCH/env.csh"
out=$(env -i PATH="$BASE_PATH" HOME="$TMP_ROOT" tcsh "$SCRATCH/env.csh" 2>&1)
check_eq "env --shell csh: man finds the DIR/man page" "$E/man/man1/smalltool.1" "$out"
out=$(env -i PATH="$BASE_PATH" HOME="$TMP_ROOT" "$CENV_BIN" run -e "$E" -- man -w smalltool 2>&1)
check_eq "run: man finds the DIR/man page" "$E/man/man1/smalltool.1" "$out"
out=$(env -i PATH="$BASE_PATH" HOME="$TMP_ROOT" MANPATH=/orig "$CENV_BIN" run -e "$E" -- sh -c 'printf %s "$MANPATH"' 2>&1)
check_eq "run: MANPATH is DIR/share/man, DIR/man, then what it was" "$E/share/man:$E/man:/orig" "$out"

# ---- uninstall names every package that needs it -------------------------------------------------
# prebuilt packages: pb_entry NAME [DEPENDS]: a section for $P/NAME.tar, one header of its own
pb_entry() {
	"$MK" "$P/$1.tar" tar "d:$1-1.0/" "d:$1-1.0/include/" "f:$1-1.0/include/$1.h:int $1;" || fail "mkarchive $1"
	printf '[%s]\nversion = 1.0\nurl = %s.tar\nsha256 = %s\nbuild = prebuilt\n' "$1" "$1" "$(sha256sum "$P/$1.tar" | cut -d' ' -f1)"
	[ -z "${2-}" ] || printf 'depends = %s\n' "$2"
	echo
}
# zbase: eight dependents, in the manifest out of name order; fbase: exactly four; obase: one
U="$TMP_ROOT/env u"
"$CENV_BIN" create "$U" >/dev/null || fail "create $U"
{
	pb_entry zbase
	pb_entry fbase
	pb_entry obase
	for d in curl libpng libxml2 zz mm aa bb cc; do pb_entry "$d" zbase; done
	for d in d3 d1 d4 d2; do pb_entry "$d" "fbase"; done
	pb_entry solo obase
} >"$P/deps.ini"
"$CENV_BIN" install -e "$U" -f "$P/deps.ini" >"$SCRATCH/deps.out" 2>&1 || fail "install deps.ini" "$(cat "$SCRATCH/deps.out")"
before=$(tree_state "$U")
expect_fail "uninstall: eight dependents: the first three in name order and 5 more" 1 \
	"^cenv: cannot uninstall 'zbase': needed by aa, bb, cc and 5 more \(--force removes it anyway\)$" \
	"$CENV_BIN" uninstall -e "$U" zbase
check_eq "... and nothing was removed" "$before" "$(tree_state "$U")"
expect_fail "uninstall: four dependents: all four named" 1 \
	"^cenv: cannot uninstall 'fbase': needed by d1, d2, d3 and d4 \(--force removes it anyway\)$" \
	"$CENV_BIN" uninstall -e "$U" fbase
expect_fail "uninstall: two refused at once: each named, in the order given" 1 \
	"^cenv: cannot uninstall 'obase': needed by solo; 'fbase': needed by d1, d2, d3 and d4 \(--force removes them anyway\)$" \
	"$CENV_BIN" uninstall -e "$U" obase fbase
expect_fail "uninstall: a dependent removed with it does not count; the one that stays is named" 1 \
	"^cenv: cannot uninstall 'zbase': needed by zz \(--force removes it anyway\)$" \
	"$CENV_BIN" uninstall -e "$U" zbase curl libpng libxml2 mm aa bb cc
check_eq "... and nothing was removed" "$before" "$(tree_state "$U")"
check_eq "uninstall: with all that need it, it goes" "solo: uninstalled (1 file)
obase: uninstalled (1 file)
status 0" "$("$CENV_BIN" uninstall -e "$U" solo obase 2>&1; echo "status $?")"

# ---- install PATH --name / --version -------------------------------------------------------------
N="$TMP_ROOT/env n"
"$CENV_BIN" create "$N" >/dev/null || fail "create $N"
# json-c's GitHub tarball: its top directory is json-c-json-c-0.16
"$MK" "$P/json-c-0.16.tar.gz" tar 'd:json-c-json-c-0.16/' 'd:json-c-json-c-0.16/include/' 'f:json-c-json-c-0.16/include/json.h:int j;'
check_eq "install PATH --name --version: the package is called so" "json-c 0.16: installed (prebuilt, 1 file, 0.0 KiB)
status 0" "$("$CENV_BIN" install -e "$N" --name json-c --version 0.16 "$P/json-c-0.16.tar.gz" 2>&1 | untimed; echo "status ${PIPESTATUS[0]}")"
check_eq "... list shows the name and version" "json-c 0.16" "$("$CENV_BIN" list -e "$N" | awk '$1 == "json-c" { print $1, $2 }')"
check_eq "... freeze writes them" "[json-c]
version = 0.16" "$("$CENV_BIN" freeze -e "$N" | grep -A1 '^\[json-c\]')"
check_eq "... the record is json-c's, no json-c-json-c" "json-c" "$(ls "$N/var/cenv/records")"
# a top directory that names no package: refused pointing at --name, which fixes it
"$MK" "$P/odd.tar" tar 'd:_odd-2.1/' 'd:_odd-2.1/include/' 'f:_odd-2.1/include/odd.h:int o;'
expect_fail "install PATH: a top directory that names no package points at --name" 1 \
	"'_odd-2.1' does not name a package .*: give --name$" "$CENV_BIN" install -e "$N" "$P/odd.tar"
check_eq "install PATH --name alone: the version still from the top directory" "odd 2.1: installed (prebuilt, 1 file, 0.0 KiB)
status 0" "$("$CENV_BIN" install -e "$N" --name odd "$P/odd.tar" 2>&1 | untimed; echo "status ${PIPESTATUS[0]}")"
"$MK" "$P/nov-3.0.tar" tar 'd:nov-3.0/' 'd:nov-3.0/include/' 'f:nov-3.0/include/nov.h:int n;'
check_eq "install PATH --version '': no version" "nov: installed (prebuilt, 1 file, 0.0 KiB)
status 0" "$("$CENV_BIN" install -e "$N" --version '' "$P/nov-3.0.tar" 2>&1 | untimed; echo "status ${PIPESTATUS[0]}")"
check_eq "... list shows none" "nov -" "$("$CENV_BIN" list -e "$N" | awk '$1 == "nov" { print $1, $2 }')"
before=$(tree_state "$N")
expect_fail "install --name with two archives: a usage error" 2 "^cenv: --name and --version name one archive given on the command line$" \
	"$CENV_BIN" install -e "$N" --name x "$P/odd.tar" "$P/nov-3.0.tar"
printf '[nov]\nurl = nov-3.0.tar\nsha256 = %s\n' "$(sha256sum "$P/nov-3.0.tar" | cut -d' ' -f1)" >"$P/nov.ini"
expect_fail "install --version with a manifest: a usage error" 2 "name one archive given on the command line, not a manifest's packages" \
	"$CENV_BIN" install -e "$N" --version 9 -f "$P/nov.ini"
expect_fail "install --name that names no package: a usage error" 2 "^cenv: 'a b' does not name a package" \
	"$CENV_BIN" install -e "$N" --name 'a b' "$P/odd.tar"
"$CENV_BIN" install -e "$N" --name "$(printf 'a\033]0;T\007\nb')" "$P/odd.tar" >"$SCRATCH/out" 2>"$SCRATCH/err"
check_eq "install --name with an escape and a newline: shown escaped, on one line" \
	"2 cenv: 'a\\x1b]0;T\\x07\\nb' does not name a package" "$? $(head -1 "$SCRATCH/err" | cut -c1-48)"
expect_fail "install --version a manifest cannot hold: a usage error" 2 "^cenv: a manifest cannot hold the version '1 ;x'" \
	"$CENV_BIN" install -e "$N" --version '1 ;x' "$P/odd.tar"
check_eq "... and none of them changed anything" "$before" "$(tree_state "$N")"

# ---- list: sizes as the install lines say them; --json the bytes ---------------------------------
S="$TMP_ROOT/env s"
"$CENV_BIN" create "$S" >/dev/null || fail "create $S"
sized() { # NAME BYTES: $P/NAME-1.0.tar, a prebuilt tree with one file of BYTES bytes
	rm -rf "$P/src/$1-1.0" && mkdir -p "$P/src/$1-1.0/include" &&
		head -c "$2" /dev/zero >"$P/src/$1-1.0/include/$1.h" && bsdtar -cf "$P/$1-1.0.tar" -C "$P/src" "$1-1.0"
}
sized kib 413184   # 403.5 KiB
sized mib 1572864  # 1.5 MiB
sized tiny 15
for p in kib mib tiny; do "$CENV_BIN" install -e "$S" "$P/$p-1.0.tar" >>"$SCRATCH/sized.out" 2>&1; done
check_eq "install lines: KiB below 1 MiB, then MiB" "kib 1.0: installed (prebuilt, 1 file, 403.5 KiB)
mib 1.0: installed (prebuilt, 1 file, 1.5 MiB)
tiny 1.0: installed (prebuilt, 1 file, 0.0 KiB)" "$(untimed "$SCRATCH/sized.out")"
row() { printf '%-20s %-12s %-10s %7s %10s' "$1" 1.0 prebuilt 1 "$2"; }
check_eq "list: the SIZE column in the install lines' form" "$(row kib '403.5 KiB')
$(row mib '1.5 MiB')
$(row tiny '0.0 KiB')" "$("$CENV_BIN" list -e "$S" | tail -n +2)"
check_eq "list --json: the exact bytes" "413184 1572864 15" \
	"$("$CENV_BIN" list -e "$S" --json | sed -n 's/.*"name": "\([a-z]*\)".*"bytes": \([0-9]*\)}.*/\2/p' | tr '\n' ' ' | sed 's/ $//')"

# ---- a closed pipe on stdout -----------------------------------------------------------------------
# closed_pipe NAME CMD...: CMD writes into a pipe whose reader is gone before it starts; no message,
# and the death by SIGPIPE a program that did not ignore it would have (141 from the shell)
closed_pipe() {
	local name=$1 st
	shift
	(sleep 0.3; exec "$@" 2>"$SCRATCH/pipe.err") | true
	st=${PIPESTATUS[0]}
	if [ "$st" != 141 ]; then
		fail "$name" "status $st, wanted 141" "$(cat "$SCRATCH/pipe.err")"
	elif [ -s "$SCRATCH/pipe.err" ]; then
		fail "$name" "said: $(cat "$SCRATCH/pipe.err")"
	else
		pass "$name"
	fi
}
closed_pipe "closed pipe: list" "$CENV_BIN" list -e "$S"
closed_pipe "closed pipe: list --json" "$CENV_BIN" list -e "$S" --json
closed_pipe "closed pipe: freeze" "$CENV_BIN" freeze -e "$S"
closed_pipe "closed pipe: env" "$CENV_BIN" env -e "$S"
closed_pipe "closed pipe: cache list" "$CENV_BIN" cache list
closed_pipe "closed pipe: help" "$CENV_BIN" help
closed_pipe "closed pipe: install --help" "$CENV_BIN" install --help
printf '[tiny]\nurl = tiny-1.0.tar\nsha256 = %s\n' "$(sha256sum "$P/tiny-1.0.tar" | cut -d' ' -f1)" >"$P/tiny.ini"
closed_pipe "closed pipe: fetch" "$CENV_BIN" fetch -f "$P/tiny.ini"
# the write fails in the middle (install flushes each line): the work still ends, and silently
W="$TMP_ROOT/env w"
"$CENV_BIN" create "$W" >/dev/null || fail "create $W"
closed_pipe "closed pipe: install, each line flushed as it goes" "$CENV_BIN" install -e "$W" -f "$P/deps.ini"
check_eq "... and every package was installed all the same" "16" "$("$CENV_BIN" list -e "$W" | tail -n +2 | wc -l)"
# a command that failed keeps its own status, and says only its failure
(sleep 0.3; exec "$CENV_BIN" install -e "$W" "$P/odd.tar" "$P/tiny-1.0.tar" 2>"$SCRATCH/pipe.err") | true
check_eq "closed pipe: a failed install keeps its status 1 and says only its failure" \
	"1 cenv: '$P/odd.tar': its top directory '_odd-2.1' does not name a package (a letter or digit, then letters, digits, '.', '_', '+', '-'; at most 200 bytes): give --name
cenv: not installed: odd.tar" \
	"${PIPESTATUS[0]} $(cat "$SCRATCH/pipe.err")"
expect_fail "a full disk is still an error" 1 "^cenv: cannot write to standard output: No space left on device$" \
	sh -c 'exec "$0" list -e "$1" >/dev/full' "$CENV_BIN" "$S"

# ---- an https URL whose server is down ---------------------------------------------------------------
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
url="https://127.0.0.1:$port/down-1.0.tar.gz"
expect_fail "install URL: a server that is down is said in one line naming the URL" 1 \
	"^cenv: .*GET $url: connection refused" "$CENV_BIN" install -e "$W" --retries 0 "$url"
check "... not as a file that cannot be opened" bash -c '! grep -q "No such file\|cannot open" "$0"' "$SCRATCH/err"
finish
