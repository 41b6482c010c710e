# t-create.sh - cenv create: the layout, cenv.cfg, the options, and every refusal.
. "$(dirname "$0")/lib.sh"
plan 68

E="$TMP_ROOT/work/my env"
mkdir -p "$TMP_ROOT/work"

check "create makes missing parents" "$CENV_BIN" create "$TMP_ROOT/a/b/c"
for d in bin include lib lib/pkgconfig share share/pkgconfig share/man share/aclocal var/cenv; do
	check "layout has $d/" test -d "$TMP_ROOT/a/b/c/$d"
done
check "activate is executable" test -x "$TMP_ROOT/a/b/c/bin/activate"
check "activate.fish written" test -s "$TMP_ROOT/a/b/c/bin/activate.fish"
check "activate.csh written" test -s "$TMP_ROOT/a/b/c/bin/activate.csh"
check "create prints nothing" test -z "$("$CENV_BIN" create "$TMP_ROOT/quiet" 2>&1)"

# cenv.cfg, read back by the real binary through `cenv env`
(cd "$TMP_ROOT/work" && "$CENV_BIN" create --prompt 'p r;o#m"p\t' --cc clang "my env") || fail "create with options"
cfg="$E/cenv.cfg"
check_eq "cfg records the absolute prefix" "prefix = $E" "$(grep '^prefix' "$cfg")"
check_eq "cfg records the version" "version = $("$CENV_BIN" --version | cut -d' ' -f2)" "$(grep '^version' "$cfg")"
check "cfg records the creation time" grep -Eq '^created = [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' "$cfg"
check_eq "cfg records the compiler" "cc = clang" "$(grep '^cc' "$cfg")"
check_eq "cfg records isolated" "isolated = false" "$(grep '^isolated' "$cfg")"
check "cfg records the command" grep -q "^command = cenv create --prompt .* --cc clang 'my env'" "$cfg"
check_eq "prompt with ; # \" \\ survives cenv.cfg" "export CENV_PROMPT='p r;o#m\"p\\t';" \
	"$("$CENV_BIN" env -e "$E" | grep CENV_PROMPT)"
check_eq "prompt defaults to the base name" "export CENV_PROMPT='c';" \
	"$("$CENV_BIN" env -e "$TMP_ROOT/a/b/c" | grep CENV_PROMPT)"

# a long path goes through inih's 200-byte lines
LONG="$TMP_ROOT/$(printf 'd%.0s' {1..120})/$(printf 'e %.0s' {1..80})"
check "create with a 300-byte path" "$CENV_BIN" create "$LONG"
check_eq "long prefix read back" "export CENV='$LONG';" "$("$CENV_BIN" env -e "$LONG" | grep '^export CENV=')"

# --upgrade keeps what is installed and the settings not given again
echo 'int x;' >"$E/include/kept.h"
created=$(grep '^created' "$cfg")
check "upgrade" "$CENV_BIN" create --upgrade "$E"
check "upgrade keeps installed files" test -f "$E/include/kept.h"
check_eq "upgrade keeps the creation time" "$created" "$(grep '^created' "$cfg")"
check_eq "upgrade keeps cc" "cc = clang" "$(grep '^cc' "$cfg")"
check "upgrade keeps the prompt" grep -q '^prompt = p r' "$cfg"
check "upgrade --prompt changes the prompt" "$CENV_BIN" create --upgrade --prompt new "$E"
check_eq "new prompt" "prompt = new" "$(grep '^prompt' "$cfg")"

# --clear empties
touch "$E/stray"
check "clear" "$CENV_BIN" create --clear "$E"
check "clear removes installed files" test ! -e "$E/include/kept.h"
check "clear removes stray files" test ! -e "$E/stray"
check "clear recreates the layout" test -d "$E/share/aclocal"
check_eq "clear starts a new configuration" "" "$(grep '^cc' "$cfg")"

check "isolated" "$CENV_BIN" create --isolated "$TMP_ROOT/iso"
check_eq "cfg records isolated" "isolated = true" "$(grep '^isolated' "$TMP_ROOT/iso/cenv.cfg")"
check "upgrade of an isolated environment" "$CENV_BIN" create --upgrade "$TMP_ROOT/iso"
check_eq "upgrade keeps isolated" "isolated = true" "$(grep '^isolated' "$TMP_ROOT/iso/cenv.cfg")"

# Refusals: one line on stderr, exit 1, nothing touched.
refuse() { # NAME PATTERN PATH ARGS...: the tree at PATH is unchanged by cenv create ARGS
	local name=$1 pattern=$2 path=$3 before
	shift 3
	before=$(tree_state "$path"; tree_state "$(dirname "$path")")
	expect_fail "refuses: $name" 1 "$pattern" "$CENV_BIN" create "$@"
	check_eq "refuses: $name: nothing touched" "$before" "$(tree_state "$path"; tree_state "$(dirname "$path")")"
}
echo data >"$TMP_ROOT/file"
refuse "DIR is a file" "'.*/file' exists and is not a directory" "$TMP_ROOT/file" "$TMP_ROOT/file"
mkdir -p "$TMP_ROOT/project/src" && echo 'int main;' >"$TMP_ROOT/project/src/main.c"
refuse "non-empty non-environment" "is not empty and is not a cenv environment" "$TMP_ROOT/project" "$TMP_ROOT/project"
refuse "non-empty non-environment with --clear" "refusing to clear" "$TMP_ROOT/project" --clear "$TMP_ROOT/project"
refuse "non-empty non-environment with --upgrade" "not a cenv environment|is not empty" "$TMP_ROOT/project" --upgrade "$TMP_ROOT/project"
refuse "an existing environment without --clear or --upgrade" "already an environment" "$E" "$E"
refuse "a path with ':'" "cannot contain ':'" "$TMP_ROOT/x:y" "$TMP_ROOT/x:y"
refuse "a path with a newline" "control characters" "$TMP_ROOT/x
y" "$TMP_ROOT/x
y"
refuse "a prompt with a newline" "control characters" "$TMP_ROOT/np" --prompt "a
b" "$TMP_ROOT/np"
refuse "upgrade of nothing" "not a cenv environment" "$TMP_ROOT/none" --upgrade "$TMP_ROOT/none"
refuse "a file on the way" "not a directory" "$TMP_ROOT/file" "$TMP_ROOT/file/sub/env"

mkdir -p "$TMP_ROOT/ro"
chmod 555 "$TMP_ROOT/ro"
if [ "$(id -u)" = 0 ]; then
	# root writes anywhere: ask as an unprivileged user, who needs to reach the binary; the
	# checkout may be under /root (mode 700), so run a copy from a world-readable directory
	chmod 755 "$TMP_ROOT"
	mkdir -m 755 "$TMP_ROOT/pubbin" && cp "$CENV_BIN" "$TMP_ROOT/pubbin/cenv" && chmod 755 "$TMP_ROOT/pubbin/cenv"
	if command -v setpriv >/dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$TMP_ROOT/pubbin/cenv"; then
		before=$(tree_state "$TMP_ROOT/ro")
		expect_fail "refuses: parent not writable" 1 "is not writable" \
			setpriv --reuid=65534 --regid=65534 --clear-groups "$TMP_ROOT/pubbin/cenv" create "$TMP_ROOT/ro/env"
		check_eq "refuses: parent not writable: nothing touched" "$before" "$(tree_state "$TMP_ROOT/ro")"
	else
		fail "refuses: parent not writable" "cannot run cenv as an unprivileged user here"
	fi
else
	refuse "parent not writable" "is not writable" "$TMP_ROOT/ro" "$TMP_ROOT/ro/env"
fi

# usage errors: exit 2
expect_fail "usage: missing DIR" 2 "missing DIR" "$CENV_BIN" create
expect_fail "usage: two DIRs" 2 "too many operands" "$CENV_BIN" create a b
expect_fail "usage: unknown option" 2 "unknown option '--nope'" "$CENV_BIN" create --nope x
expect_fail "usage: --prompt needs a value" 2 "needs a value" "$CENV_BIN" create x --prompt
expect_fail "usage: --clear with --upgrade" 2 "exclude each other" "$CENV_BIN" create --clear --upgrade x
check "no stray environment from usage errors" test ! -e x
finish
