# t-sandbox-red.sh - issue 9, red team: a hostile package's build recipes, and the settings a user
# might have, against the sandbox: /proc/sys, writable paths that are / or the environment, a
# cache directory inside it or through a symlink, PATH entries that bring the real /tmp back, a
# socket named by a tool variable, a bwrap planted in the environment reached through an alias.
. "$(dirname "$0")/lib.sh"
plan 34
. "$(dirname "$0")/lib-install.sh"

E="$TMP_ROOT/env"
O=$(mktemp -d /var/tmp/cenv-sandbox-red.XXXXXX)
MARK=$(mktemp -d /tmp/cenv-red-mark.XXXXXX) # in the real /tmp: the build must not see it
trap 'chmod -R u+w "$TMP_ROOT" 2>/dev/null; rm -rf "$TMP_ROOT" "$SCRATCH" "$O" "$MARK"' EXIT
export HOME="$TMP_ROOT/home"
mkdir -p "$HOME"
"$CENV_BIN" create "$E" >/dev/null || fail "create"
state() { env_state "$E"; }
gone() { "$CENV_BIN" uninstall -e "$E" "$@" >/dev/null 2>&1; }
# a stand-in for ccache, named by CC="ccache cc": the sandbox makes its directory writable
mkdir -p "$TMP_ROOT/bin"
printf '#!/bin/sh\nexec "$@"\n' >"$TMP_ROOT/bin/ccache"
chmod +x "$TMP_ROOT/bin/ccache"
CPATH_="$TMP_ROOT/bin:$PATH"

# ---- /proc/sys: root's sysctls (kernel.core_pattern runs a program as root outside) ------------
recipe_pkg sysctl 'test ! -w /proc/sys/kernel/core_pattern\ntest ! -w /proc/sys/vm/drop_caches' "$(good_recipe sysctl)"
entry sysctl >"$P/cenv.ini"
check "/proc/sys is read-only in the build (kernel.core_pattern, vm.drop_caches)" "$CENV_BIN" install -e "$E" -f "$P/cenv.ini"
gone sysctl
if [ "$(id -u)" = 0 ]; then
	check "/proc/sys: the same recipe fails without the sandbox (root may write them)" \
		sh -c '! "$1" install --sandbox=off -e "$2" -f "$3" >/dev/null 2>&1' sh "$CENV_BIN" "$E" "$P/cenv.ini"
else
	skip "/proc/sys: the same recipe fails without the sandbox" "not root: the sysctls are not writable anyway"
fi
rm -rf "$E/var/cenv/work"

# ---- sandbox-writable: / spelt //, the environment ---------------------------------------------
recipe_pkg slash "echo pwned > $O/slash" "$(good_recipe slash)"
{ printf '[cenv]\nsandbox-writable = //\n\n'; entry slash; } >"$P/cenv.ini"
before=$(state)
"$CENV_BIN" install -e "$E" -f "$P/cenv.ini" >/dev/null 2>"$SCRATCH/err" && fail "sandbox-writable = //: the build's write fails" ||
	pass "sandbox-writable = //: the build's write fails"
check "sandbox-writable = //: nothing written outside" test ! -e "$O/slash"
check_eq "sandbox-writable = //: refused, saying why" \
	"cenv: slash: sandbox-writable: '//' cannot be made writable in the sandbox: it is the whole file system" "$(cat "$SCRATCH/err")"
check_eq "sandbox-writable = //: environment unchanged" "$before" "$(state)"
mkdir -p "$O/ok"
recipe_pkg okw "echo fine > $O/ok/w" "$(good_recipe okw)"
{ printf '[cenv]\nsandbox-writable = %s\n\n' "$O/ok"; entry okw; } >"$P/cenv.ini"
check "sandbox-writable = a directory outside: the same kind of write works" "$CENV_BIN" install -e "$E" -f "$P/cenv.ini"
check "sandbox-writable = a directory outside: written" grep -qx fine "$O/ok/w"
gone okw
recipe_pkg envw "! touch $E/include/envw-stray.h\n! mkdir $E/var/cenv/planted" "$(good_recipe envw)"
{ printf '[cenv]\nsandbox-writable = %s\n\n' "$E"; entry envw; } >"$P/cenv.ini"
"$CENV_BIN" install -e "$E" -f "$P/cenv.ini" >/dev/null 2>"$SCRATCH/err"
check_eq "sandbox-writable = the environment: refused, saying why" \
	"cenv: envw: sandbox-writable: '$E' cannot be made writable in the sandbox: it is the environment" "$(cat "$SCRATCH/err")"
check "sandbox-writable = the environment: nothing planted" test ! -e "$E/var/cenv/planted"
gone envw

# ---- a compiler cache directory that is /, the environment, in it, or a symlink to it ---------
recipe_pkg cache "echo pwned > $O/cache\ntouch $E/include/cache-stray.h" "$(good_recipe cache)"
entry cache >"$P/cenv.ini"
ln -s "$E" "$O/alias"
# refused DIR NAME MESSAGE: CC="ccache cc" with CCACHE_DIR=DIR fails setting up the sandbox
refused() {
	local before
	before=$(state)
	env CC="ccache cc" CCACHE_DIR="$1" PATH="$CPATH_" "$CENV_BIN" install -e "$E" -f "$P/cenv.ini" >/dev/null 2>"$SCRATCH/err"
	check_eq "CCACHE_DIR=$2: refused, saying why" \
		"cenv: cache: cannot set up the sandbox: ccache's cache directory: '$1' cannot be made writable in the sandbox: $3" \
		"$(head -1 "$SCRATCH/err")"
	check_eq "CCACHE_DIR=$2: environment unchanged" "$before" "$(state)"
	check "CCACHE_DIR=$2: nothing written outside" test ! -e "$O/cache"
}
refused / / "it is the whole file system"
refused "$E" '$E' "it is the environment"
refused "$E/lib/ccache" '$E/lib/ccache' "it is inside the environment $E"
refused "$O/alias/var/cache" "a symlink into the environment" "it is inside the environment $E"
refused "$TMP_ROOT" "a parent of the environment" "it holds the environment $E"
check "CCACHE_DIR in the environment: not made" test ! -e "$E/lib/ccache"

# ---- PATH entries and tool variables that would bring the real /tmp back ----------------------
touch "$MARK/seen"
ln -s / "$MARK/root"
recipe_pkg seetmp "test ! -e $MARK/seen\ntest ! -e /tmp/$(basename "$MARK")\ntest ! -e $MARK/root$MARK/seen" "$(good_recipe seetmp)"
entry seetmp >"$P/cenv.ini"
check 'PATH with "/tmp/": the real /tmp stays hidden' env PATH="/tmp/:$PATH" "$CENV_BIN" install -e "$E" -f "$P/cenv.ini"
gone seetmp
check 'PATH with a symlink in /tmp to /: the real /tmp stays hidden' env PATH="$MARK/root:$PATH" "$CENV_BIN" install -e "$E" -f "$P/cenv.ini"
gone seetmp
check 'the same build sees the mark with PATH="$MARK" (the check can fail)' \
	sh -c '! env PATH="$4:$PATH" "$1" install -e "$2" -f "$3" >/dev/null 2>&1' sh "$CENV_BIN" "$E" "$P/cenv.ini" "$MARK"
rm -rf "$E/var/cenv/work"

# a socket under the real /tmp named by a tool variable is not bound into the sandbox
python3 - "$MARK/s.sock" "$SCRATCH/sock.got" <<'EOF' &
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(4)
s.settimeout(60)
while True:
    try:
        c, _ = s.accept()
    except OSError:
        break
    open(sys.argv[2], "a").write(c.recv(100).decode() + "\n")
    c.close()
EOF
SOCKSRV=$!
trap 'kill $SOCKSRV 2>/dev/null; chmod -R u+w "$TMP_ROOT" 2>/dev/null; rm -rf "$TMP_ROOT" "$SCRATCH" "$O" "$MARK"' EXIT
for _ in $(seq 100); do [ -S "$MARK/s.sock" ] && break; sleep 0.05; done
CONN="python3 -c 'import socket; s = socket.socket(socket.AF_UNIX); s.connect(\"$MARK/s.sock\"); s.sendall(b\"from-the-build\")'"
recipe_pkg sock "! $CONN" "$(good_recipe sock)"
entry sock >"$P/cenv.ini"
: >"$SCRATCH/sock.got"
check "PKG_CONFIG naming a socket in /tmp: the build cannot connect" env PKG_CONFIG="$MARK/s.sock" "$CENV_BIN" install -e "$E" -f "$P/cenv.ini"
check_eq "PKG_CONFIG naming a socket in /tmp: the server got nothing" "" "$(cat "$SCRATCH/sock.got")"
gone sock
check "the same connection from outside works (the check can fail)" sh -c "$CONN"
kill $SOCKSRV 2>/dev/null

# ---- a bwrap planted in the environment, reached on PATH through an alias --------------------
printf '#!/bin/sh\necho planted >%s/planted-ran\necho "bwrap: No permissions to create a new namespace" >&2\nexit 1\n' "$O" >"$E/bin/bwrap"
chmod +x "$E/bin/bwrap"
recipe_pkg plain 'true' "$(good_recipe plain)"
entry plain >"$P/cenv.ini"
PATH="$O/alias/bin:$PATH" "$CENV_BIN" install -v -e "$E" -f "$P/cenv.ini" >/dev/null 2>"$SCRATCH/err"
check "a bwrap in the environment reached through a symlink is passed over" grep -q "^cenv: builds run in a sandbox ($(command -v bwrap))" "$SCRATCH/err"
check "the planted bwrap never ran" test ! -e "$O/planted-ran"
rm -f "$E/bin/bwrap"
gone plain
finish
