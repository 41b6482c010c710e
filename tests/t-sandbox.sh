# t-sandbox.sh - issue 9: builds run in a bubblewrap sandbox: they can write only their work area
# (and the compiler cache), see the environment, $HOME and the system read-only, have a private
# /tmp and no network; a write outside fails the package naming the path; --sandbox and
# --build-network, their manifest keys, and a bwrap that does not work.
. "$(dirname "$0")/lib.sh"
plan 98
. "$(dirname "$0")/lib-install.sh"

E="$TMP_ROOT/env"
# Outside the environment and outside /tmp (the sandbox's /tmp is its own: a write there is
# allowed and lost, which another check shows).
O=$(mktemp -d /var/tmp/cenv-sandbox-test.XXXXXX)
trap 'chmod -R u+w "$TMP_ROOT" 2>/dev/null; rm -rf "$TMP_ROOT" "$SCRATCH" "$O" /tmp/cenv-sandbox-private-$$' EXIT
echo "do not touch" >"$O/sentinel"
export HOME="$TMP_ROOT/home"
mkdir -p "$HOME"
echo "mine" >"$HOME/.profile-of-the-user"
"$CENV_BIN" create "$E" >/dev/null || fail "create"

state() { env_state "$E"; }
gone() { "$CENV_BIN" uninstall -e "$E" "$@" >/dev/null; }
# what the build must not change: the outside tree, HOME, and the real /tmp's entry of this test
outside() { tree_state "$O"; tree_state "$HOME"; ls -d /tmp/cenv-sandbox-private-$$ 2>/dev/null; }

# denied NAME PKG PATH [OPTION...]: installing PKG fails saying the build tried to write outside
# its staging area at PATH, and neither the environment nor anything outside changes
denied() {
	local name=$1 pkg=$2 path=$3 before out
	shift 3
	entry "$pkg" >"$P/cenv.ini"
	before=$(state)
	out=$(outside)
	"$CENV_BIN" install "$@" -e "$E" -f "$P/cenv.ini" >"$SCRATCH/out" 2>"$SCRATCH/err" && fail "$name: install fails" ||
		pass "$name: install fails"
	check_eq "$name: the message names the path" \
		"cenv: $pkg: the build tried to write outside its staging area: $path — its Makefile ignores DESTDIR/PREFIX: pass its own variables in make_args (e.g. make_args = INSTALL_TOP={destdir}{prefix}) (make install failed with exit status 2; log: $E/var/cenv/logs/$pkg.log)" \
		"$(head -1 "$SCRATCH/err")"
	check_eq "$name: environment unchanged" "$before" "$(state)"
	check_eq "$name: nothing written outside" "$out" "$(outside)"
}

# ---- writes outside fail the package, naming the path ---------------------------------------
recipe_pkg intoprefix 'true' 'mkdir -p $(PREFIX)/lib\necho stray > $(PREFIX)/lib/libinto.a'
denied "into the prefix" intoprefix "$E/lib/libinto.a"
check "into the prefix: nothing at the path" test ! -e "$E/lib/libinto.a"

recipe_pkg intohome 'true' 'cp Makefile $(HOME)/.intohome-config'
denied "into HOME" intohome "$HOME/.intohome-config"
check "into HOME: the user's file is still there" grep -qx mine "$HOME/.profile-of-the-user"

recipe_pkg intooutside 'true' "touch $O/stray"
denied "into a directory outside" intooutside "$O/stray"
check "into a directory outside: no file there" test ! -e "$O/stray"

# the same write at build time (make, not make install): named the same way, step make
recipe_pkg buildwrite "echo x > $O/at-build" "$(good_recipe buildwrite)"
entry buildwrite >"$P/cenv.ini"
"$CENV_BIN" install -e "$E" -f "$P/cenv.ini" >/dev/null 2>"$SCRATCH/err" && fail "a write at build time fails" ||
	pass "a write at build time fails"
check "a write at build time: the path and the step" grep -qF "buildwrite: the build tried to write outside its staging area: $O/at-build — its Makefile ignores DESTDIR/PREFIX: pass its own variables in make_args (e.g. make_args = INSTALL_TOP={destdir}{prefix}) (make failed with exit status 2;" "$SCRATCH/err"
check "a write at build time: no file" test ! -e "$O/at-build"

# ---- what a build may do --------------------------------------------------------------------
# its private /tmp: written and read back within one step; nothing of it reaches the real /tmp
recipe_pkg privtmp "echo hidden > /tmp/cenv-sandbox-private-$$\ngrep -q hidden /tmp/cenv-sandbox-private-$$" \
	"$(good_recipe privtmp)"
entry privtmp >"$P/cenv.ini"
check "a build writes its private /tmp" "$CENV_BIN" install -e "$E" -f "$P/cenv.ini"
check "the private /tmp does not reach the real one" test ! -e /tmp/cenv-sandbox-private-$$
check "the build installed its file" grep -qx "int ok;" "$E/include/privtmp.h"
check "the log says it ran in the sandbox" grep -q "^cenv: in a sandbox (bwrap): everything read-only but the work area, a private /tmp, no network" "$E/var/cenv/logs/privtmp.log"
# bwrap's init, still on its way out when its monitor has ended, is no process the build left
check "the log reports no process left running" sh -c '! grep -q "left running" "$1"' sh "$E/var/cenv/logs/privtmp.log"

# it sees the environment (read-only) and its installed files, at their own paths
recipe_pkg seesenv "test -f $E/include/privtmp.h\ntest -d $HOME\n! touch $E/include/x.h" "$(good_recipe seesenv)"
entry seesenv >"$P/cenv.ini"
check "a build sees the environment and HOME, read-only" "$CENV_BIN" install -e "$E" -f "$P/cenv.ini"
gone seesenv privtmp

# ---- the network ------------------------------------------------------------------------------
python3 - "$SCRATCH/port" "$SCRATCH/conns" <<'EOF' &
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.settimeout(120)
while True:
    try:
        c, _ = s.accept()
    except OSError:
        break
    data = c.recv(100)
    with open(sys.argv[2], "a") as f:
        f.write(data.decode() + "\n")
    c.close()
EOF
LISTENER=$!
trap 'kill $LISTENER 2>/dev/null; chmod -R u+w "$TMP_ROOT" 2>/dev/null; rm -rf "$TMP_ROOT" "$SCRATCH" "$O" /tmp/cenv-sandbox-private-$$' EXIT
for _ in $(seq 100); do [ -s "$SCRATCH/port" ] && break; sleep 0.05; done
PORT=$(cat "$SCRATCH/port")
: >"$SCRATCH/conns"
CONNECT="python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", $PORT), 5).sendall(b\"from-the-build\")'"
recipe_pkg net "$CONNECT" "$(good_recipe net)"
entry net >"$P/cenv.ini"
before=$(state)
"$CENV_BIN" install -e "$E" -f "$P/cenv.ini" >/dev/null 2>"$SCRATCH/err" && fail "no network: the build fails" ||
	pass "no network: the build fails"
check "no network: it failed at make" grep -q "^cenv: build of 'net' failed at make (exit status 2)" "$SCRATCH/err"
check "no network: the connection was refused inside" grep -q "Connection refused" "$E/var/cenv/logs/net.log"
check_eq "no network: the listener got nothing" "" "$(cat "$SCRATCH/conns")"
check_eq "no network: environment unchanged" "$before" "$(state)"

check "--build-network: the build connects" "$CENV_BIN" install --build-network -e "$E" -f "$P/cenv.ini"
check_eq "--build-network: the listener got the connection" "from-the-build" "$(cat "$SCRATCH/conns")"
check "--build-network: installed" test -f "$E/include/net.h"
check "--build-network: the log says so" grep -q "^cenv: in a sandbox (bwrap): .*, the network allowed" "$E/var/cenv/logs/net.log"

# build_network = yes in the package's section, and [cenv] build-network = yes
"$CENV_BIN" uninstall -e "$E" net >/dev/null
: >"$SCRATCH/conns"
entry net build_network=yes >"$P/cenv.ini"
"$CENV_BIN" install -v -e "$E" -f "$P/cenv.ini" >/dev/null 2>"$SCRATCH/err"
check_eq "build_network = yes: the listener got the connection" "from-the-build" "$(cat "$SCRATCH/conns")"
check "build_network = yes: -v says why" grep -qx "cenv: net: the network is allowed (build_network = yes in its section)" "$SCRATCH/err"
"$CENV_BIN" freeze -e "$E" >"$SCRATCH/frozen.ini"
check "build_network = yes: freeze keeps it" grep -qx "build_network = yes" "$SCRATCH/frozen.ini"
check_eq "build_network = yes: only for that package" 1 "$(grep -c "build_network" "$SCRATCH/frozen.ini")"
"$CENV_BIN" uninstall -e "$E" net >/dev/null
: >"$SCRATCH/conns"
{ printf '[cenv]\nbuild-network = yes\n\n'; entry net; } >"$P/cenv.ini"
check "[cenv] build-network = yes: installs" "$CENV_BIN" install -e "$E" -f "$P/cenv.ini"
check_eq "[cenv] build-network = yes: the listener got the connection" "from-the-build" "$(cat "$SCRATCH/conns")"
printf '[cenv]\nbuild-network = maybe\n' >"$P/bad.ini"
expect_fail "build-network = maybe is refused" 1 "bad\.ini:2: build-network must be yes or no, not 'maybe'" \
	"$CENV_BIN" install -e "$E" -f "$P/bad.ini"
"$CENV_BIN" uninstall -e "$E" net >/dev/null

# a build that failed for want of the network is told how to allow it
recipe_pkg offline 'echo "curl: (6) Could not resolve host: example.org" >&2\nexit 6' "$(good_recipe offline)"
entry offline >"$P/cenv.ini"
"$CENV_BIN" install -e "$E" -f "$P/cenv.ini" >/dev/null 2>"$SCRATCH/err"
check_eq "no network: the message points at --build-network" \
	"cenv: build of 'offline' failed at make (exit status 2): the sandbox has no network (--build-network, or build_network = yes in its section, allows it); log: $E/var/cenv/logs/offline.log" \
	"$(head -1 "$SCRATCH/err")"

# ---- compiler caches --------------------------------------------------------------------------
# a stand-in for ccache: it writes into its cache directory on every call, then compiles; run as
# "ccache cc" or masquerading as cc
mkdir -p "$TMP_ROOT/bin" "$TMP_ROOT/masq"
cat >"$TMP_ROOT/bin/ccache" <<'EOF'
#!/bin/sh
dir=${CCACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ccache}
mkdir -p "$dir/0" && echo "$*" >>"$dir/0/calls" || exit 99
case $(basename "$0") in ccache) exec "$@" ;; *) exec "/usr/bin/$(basename "$0")" "$@" ;; esac
EOF
chmod +x "$TMP_ROOT/bin/ccache"
ln -s "$TMP_ROOT/bin/ccache" "$TMP_ROOT/masq/cc"
pack make cachefix
entry cachefix >"$P/cenv.ini"
check 'CC="ccache cc" with CCACHE_DIR: builds' env CC="ccache cc" CCACHE_DIR="$TMP_ROOT/cc-dir" PATH="$TMP_ROOT/bin:$PATH" \
	"$CENV_BIN" install -v -e "$E" -f "$P/cenv.ini" 2>"$SCRATCH/err" >/dev/null
check "CCACHE_DIR: the cache was filled" grep -q "cenvfix_make.c" "$TMP_ROOT/cc-dir/0/calls"
check "CCACHE_DIR: -v says it is writable" grep -qx "cenv: cachefix: ccache: $TMP_ROOT/cc-dir is writable" "$SCRATCH/err"
"$CENV_BIN" uninstall -e "$E" cachefix >/dev/null
check "ccache as cc on PATH, default directory: builds" env -u CCACHE_DIR XDG_CACHE_HOME="$TMP_ROOT/xdg" PATH="$TMP_ROOT/masq:$PATH" \
	"$CENV_BIN" install -e "$E" -f "$P/cenv.ini"
check "default directory: the cache was filled" grep -q "cenvfix_make.c" "$TMP_ROOT/xdg/ccache/0/calls"
"$CENV_BIN" uninstall -e "$E" cachefix >/dev/null
# without the cache named anywhere, its directory is not writable: the stand-in's write fails
mkdir -p "$O/cc-dir"
recipe_pkg cachewrite 'ccache true' "$(good_recipe cachewrite)"
entry cachewrite >"$P/cenv.ini"
check "an unnamed cache directory is not writable" sh -c '! env CCACHE_DIR="$4" PATH="$5" "$1" install -e "$2" -f "$3" >/dev/null 2>&1' \
	sh "$CENV_BIN" "$E" "$P/cenv.ini" "$O/cc-dir" "$TMP_ROOT/bin:$PATH"
check "an unnamed cache directory: nothing written" test ! -e "$O/cc-dir/0"
entry cachefix >"$P/cenv.ini"
check 'a cache directory outside /tmp, named by CC="ccache cc": written' env CC="ccache cc" CCACHE_DIR="$O/cc-dir" PATH="$TMP_ROOT/bin:$PATH" \
	"$CENV_BIN" install -e "$E" -f "$P/cenv.ini"
check "the cache outside /tmp was filled" grep -q "cenvfix_make.c" "$O/cc-dir/0/calls"
gone cachefix
# distcc named in CC: the network is allowed, and -v says why
cp "$TMP_ROOT/bin/ccache" "$TMP_ROOT/bin/distcc"
recipe_pkg distnet "$CONNECT" "$(good_recipe distnet)"
entry distnet >"$P/cenv.ini"
: >"$SCRATCH/conns"
check 'CC="distcc cc": builds' env CC="distcc cc" PATH="$TMP_ROOT/bin:$PATH" "$CENV_BIN" install -v -e "$E" -f "$P/cenv.ini" 2>"$SCRATCH/err" >/dev/null
check 'CC="distcc cc": -v says why the network is allowed' grep -qx "cenv: distnet: distcc: the network is allowed (it compiles on other hosts)" "$SCRATCH/err"
check_eq 'CC="distcc cc": the connection went through' "from-the-build" "$(cat "$SCRATCH/conns")"
gone distnet

# ---- [cenv] sandbox-writable -----------------------------------------------------------------
mkdir -p "$O/allowed"
recipe_pkg writer "echo cached > $O/allowed/w" "$(good_recipe writer)"
{ printf '[cenv]\nsandbox-writable = %s\n\n' "$O/allowed"; entry writer; } >"$P/cenv.ini"
check "sandbox-writable: the build writes there" "$CENV_BIN" install -e "$E" -f "$P/cenv.ini"
check "sandbox-writable: the file is there" grep -qx cached "$O/allowed/w"
gone writer
rm -f "$O/allowed/w"
{ printf '[cenv]\nsandbox-writable = %s\n\n' "$O/not-made"; entry writer; } >"$P/cenv.ini"
before=$(state)
"$CENV_BIN" install -e "$E" -f "$P/cenv.ini" >/dev/null 2>"$SCRATCH/err"
check_eq "sandbox-writable: a path that does not exist is named" \
	"cenv: writer: cannot make '$O/not-made' writable in the sandbox (sandbox-writable): No such file or directory" \
	"$(cat "$SCRATCH/err")"
check_eq "sandbox-writable: a path that does not exist: environment unchanged" "$before" "$(state)"
printf '[cenv]\njobs = 2\nsandbox-writable = relative/dir\n' >"$P/bad.ini"
expect_fail "sandbox-writable: a relative path is refused" 1 "bad\.ini:3: sandbox-writable must list absolute paths without '\.\.', other than /: 'relative/dir'" \
	"$CENV_BIN" install -e "$E" -f "$P/bad.ini"

# ---- --sandbox, [cenv] sandbox, a bwrap that does not work -----------------------------------
recipe_pkg plain 'true' "$(good_recipe plain)"
entry plain >"$P/cenv.ini"
"$CENV_BIN" install -v -e "$E" -f "$P/cenv.ini" >/dev/null 2>"$SCRATCH/err"
check_eq "-v: says the builds are sandboxed" \
	"cenv: builds run in a sandbox ($(command -v bwrap)): everything read-only but their work area, a private /tmp, no network" \
	"$(grep -v '^plain2\{0,1\}| ' "$SCRATCH/err")"
"$CENV_BIN" uninstall -e "$E" plain >/dev/null
"$CENV_BIN" install -v --sandbox=off -e "$E" -f "$P/cenv.ini" >/dev/null 2>"$SCRATCH/err"
check_eq "-v --sandbox=off: says they are not" "cenv: builds are not sandboxed (sandbox = off)" "$(grep -v '^plain2\{0,1\}| ' "$SCRATCH/err")"
check "--sandbox=off: the log has no sandbox line" sh -c '! grep -q "in a sandbox" "$1"' sh "$E/var/cenv/logs/plain.log"
"$CENV_BIN" uninstall -e "$E" plain >/dev/null
expect_fail "--sandbox=maybe is a usage error" 2 "'maybe' is not a sandbox mode \(expected auto, on or off\)" \
	"$CENV_BIN" install --sandbox=maybe -e "$E" -f "$P/cenv.ini"

# a bwrap that cannot make namespaces (a container without user namespaces), first on PATH
# (the two builds may be refused in either order: their lines sorted; the run's last line names both)
mkdir -p "$TMP_ROOT/nobwrap"
printf '#!/bin/sh\necho "bwrap: No permissions to create a new namespace" >&2\nexit 1\n' >"$TMP_ROOT/nobwrap/bwrap"
chmod +x "$TMP_ROOT/nobwrap/bwrap"
NOB="$TMP_ROOT/nobwrap:$PATH"
recipe_pkg plain2 'true' "$(good_recipe plain2)"
{ entry plain; entry plain2; } >"$P/cenv.ini"
before=$(state)
PATH=$NOB "$CENV_BIN" install --sandbox=on -e "$E" -f "$P/cenv.ini" >/dev/null 2>"$SCRATCH/err" && fail "--sandbox=on without a working bwrap fails" ||
	pass "--sandbox=on without a working bwrap fails"
check_eq "--sandbox=on: each build is refused, saying why" \
	"$(printf '%s\n' "cenv: plain: not built: builds need the sandbox (sandbox = on), which does not work here: bwrap: No permissions to create a new namespace" \
		"cenv: plain2: not built: builds need the sandbox (sandbox = on), which does not work here: bwrap: No permissions to create a new namespace" |
		LC_ALL=C sort)
cenv: not installed: plain, plain2" \
	"$(head -n -1 "$SCRATCH/err" | LC_ALL=C sort; tail -n 1 "$SCRATCH/err")"
check_eq "--sandbox=on: environment unchanged" "$before" "$(state)"
{ printf '[cenv]\nsandbox = on\n\n'; entry plain; } >"$P/cenv.ini"
PATH=$NOB "$CENV_BIN" install -e "$E" -f "$P/cenv.ini" >/dev/null 2>"$SCRATCH/err"
check "[cenv] sandbox = on: refused the same way" grep -q "^cenv: plain: not built: builds need the sandbox" "$SCRATCH/err"
check "--sandbox=off overrides [cenv] sandbox = on" env PATH="$NOB" "$CENV_BIN" install --sandbox=off -e "$E" -f "$P/cenv.ini"
"$CENV_BIN" uninstall -e "$E" plain >/dev/null
# prebuilt packages run no command: they install with sandbox = on
"$MK" "$P/pre.tar" tar 'd:pre-1.0/' 'd:pre-1.0/include/' 'f:pre-1.0/include/pre.h:int pre;'
{ printf '[cenv]\nsandbox = on\n\n[pre]\nurl = pre.tar\nsha256 = %s\n' "$(sha256sum "$P/pre.tar" | cut -d' ' -f1)"; } >"$P/cenv.ini"
check "sandbox = on: a prebuilt package installs without bwrap" env PATH="$NOB" "$CENV_BIN" install -e "$E" -f "$P/cenv.ini"
"$CENV_BIN" uninstall -e "$E" pre >/dev/null
printf '[cenv]\nsandbox = sometimes\n' >"$P/bad.ini"
expect_fail "[cenv] sandbox = sometimes is refused" 1 "bad\.ini:2: sandbox must be auto, on or off, not 'sometimes'" \
	"$CENV_BIN" install -e "$E" -f "$P/bad.ini"

# auto: builds as they are; quiet when not on a terminal, said with -v, said once on a terminal
{ entry plain; entry plain2; } >"$P/cenv.ini"
PATH=$NOB "$CENV_BIN" install -e "$E" -f "$P/cenv.ini" >/dev/null 2>"$SCRATCH/err"
check "auto without a working bwrap: installs" test -f "$E/include/plain2.h"
check_eq "auto, not a terminal: nothing said" "" "$(cat "$SCRATCH/err")"
check "auto: the log has no sandbox line" sh -c '! grep -q "in a sandbox" "$1"' sh "$E/var/cenv/logs/plain.log"
"$CENV_BIN" uninstall -e "$E" plain plain2 >/dev/null
PATH=$NOB "$CENV_BIN" install -v -e "$E" -f "$P/cenv.ini" >/dev/null 2>"$SCRATCH/err"
check_eq "auto with -v: says why not, naming the package to install" \
	"cenv: builds are not sandboxed: bwrap: No permissions to create a new namespace (install the package bubblewrap)" \
	"$(grep -v '^plain2\{0,1\}| ' "$SCRATCH/err")"
"$CENV_BIN" uninstall -e "$E" plain plain2 >/dev/null
PATH=$NOB script -qec "\"$CENV_BIN\" install -e \"$E\" -f \"$P/cenv.ini\" >/dev/null" /dev/null >"$SCRATCH/tty" 2>&1
check_eq "auto on a terminal: said once for two builds" 1 "$(grep -c "builds are not sandboxed: bwrap: No permissions" "$SCRATCH/tty")"
"$CENV_BIN" uninstall -e "$E" plain plain2 >/dev/null
# no bwrap anywhere on PATH
mkdir -p "$TMP_ROOT/nopath"
for t in make sh cc mkdir true grep cp; do ln -s "$(type -P $t)" "$TMP_ROOT/nopath/$t"; done
entry plain >"$P/cenv.ini"
PATH="$TMP_ROOT/nopath" "$CENV_BIN" install -v -e "$E" -f "$P/cenv.ini" >/dev/null 2>"$SCRATCH/err"
check "no bwrap on PATH: -v says it is not installed" grep -q "^cenv: builds are not sandboxed: bwrap is not installed (not found on PATH: $TMP_ROOT/nopath) (install the package bubblewrap)" "$SCRATCH/err"
check "no bwrap on PATH: installed unsandboxed" test -f "$E/include/plain.h"
"$CENV_BIN" uninstall -e "$E" plain >/dev/null
# a bwrap inside the environment (a package could install one) is never the sandbox
cp "$TMP_ROOT/nobwrap/bwrap" "$E/bin/bwrap"
PATH="$E/bin:$PATH" "$CENV_BIN" install -v -e "$E" -f "$P/cenv.ini" >/dev/null 2>"$SCRATCH/err"
check "a bwrap in the environment's bin is passed over" grep -q "^cenv: builds run in a sandbox ($(command -v bwrap))" "$SCRATCH/err"
rm -f "$E/bin/bwrap"
"$CENV_BIN" uninstall -e "$E" plain >/dev/null

# ---- the sandbox ends what the build started -------------------------------------------------
# a daemon that left with setsid is gone when its step ends; SIGKILL to cenv ends the build
recipe_pkg daemon "setsid sleep 307.$$ </dev/null >/dev/null 2>&1 &\ntrue" "$(good_recipe daemon)"
entry daemon >"$P/cenv.ini"
check "a build that leaves a daemon installs" "$CENV_BIN" install -e "$E" -f "$P/cenv.ini"
gone daemon
check "the daemon is gone" sh -c '! pgrep -f "$1" >/dev/null' sh "sleep 30[7].$$"
recipe_pkg hang "sleep 309.$$" "$(good_recipe hang)"
entry hang >"$P/cenv.ini"
"$CENV_BIN" install -e "$E" -f "$P/cenv.ini" >/dev/null 2>&1 &
CPID=$!
for _ in $(seq 200); do pgrep -f "sleep 30[9].$$" >/dev/null && break; sleep 0.05; done
check "the hanging build runs" pgrep -f "sleep 30[9].$$"
kill -KILL $CPID
wait $CPID 2>/dev/null
for _ in $(seq 100); do pgrep -f "sleep 30[9].$$" >/dev/null || break; sleep 0.05; done
check "SIGKILL to cenv: no process of the build is left" sh -c '! pgrep -f "$1" >/dev/null' sh "sleep 30[9].$$"
# (its work area stays until hang is installed again, whose install removes it first)
rm -rf "$E/var/cenv/work"

# ---- without the sandbox: the environment looked at before and after each build ---------------
entry intoprefix >"$P/cenv.ini"
before=$(state)
"$CENV_BIN" install --sandbox=off -e "$E" -f "$P/cenv.ini" >/dev/null 2>"$SCRATCH/err" && fail "--sandbox=off: a stray write fails the package" ||
	pass "--sandbox=off: a stray write fails the package"
check_eq "--sandbox=off: the stray file is named and removed" \
	"cenv: intoprefix: the build wrote into the environment outside its staging area: lib/libinto.a (removed)" \
	"$(head -1 "$SCRATCH/err")"
check "--sandbox=off: the file is gone" test ! -e "$E/lib/libinto.a"
check_eq "--sandbox=off: environment as it was" "$before" "$(state)"
check "--sandbox=off: the log lists it" grep -qx "cenv: appeared outside the staging area, removed: lib/libinto.a" "$E/var/cenv/logs/intoprefix.log"
"$CENV_BIN" check -e "$E" >"$SCRATCH/out" 2>&1
check "--sandbox=off: cenv check then finds the environment clean" grep -q "everything matches" "$SCRATCH/out"
# a build that changes another package's file is reported with the owner, and fails
# (clobber depends on victim: builds run at once, and victim's file must be there before clobber's build)
"$MK" "$P/victim.tar" tar 'd:victim-1.0/' 'd:victim-1.0/include/' 'f:victim-1.0/include/victim.h:int victim;'
recipe_pkg clobber 'true' "echo evil >> \$(PREFIX)/include/victim.h\n$(good_recipe clobber)"
{ printf '[victim]\nurl = victim.tar\nsha256 = %s\n\n' "$(sha256sum "$P/victim.tar" | cut -d' ' -f1)"; entry clobber depends=victim; } >"$P/cenv.ini"
"$CENV_BIN" install --sandbox=off -e "$E" -f "$P/cenv.ini" >/dev/null 2>"$SCRATCH/err"
check_eq "--sandbox=off: a changed file of another package is named with its owner" \
	"cenv: clobber: the build changed files of other packages: include/victim.h (victim)" \
	"$(grep '^cenv: clobber' "$SCRATCH/err")"
check "--sandbox=off: the package that did it is not installed" test ! -e "$E/include/clobber.h"
# the same two builds in the sandbox: refused before anything is written
"$CENV_BIN" uninstall -e "$E" victim >/dev/null
"$CENV_BIN" install -e "$E" -f "$P/cenv.ini" >/dev/null 2>"$SCRATCH/err"
check "sandboxed: the write to another package's file is refused" grep -q "^cenv: clobber: the build tried to write outside its staging area: $E/include/victim.h" "$SCRATCH/err"
check_eq "sandboxed: that file is as installed" "int victim;" "$(cat "$E/include/victim.h")"
gone victim

# ---- Ctrl-C while a sandboxed build runs -----------------------------------------------------
recipe_pkg hang2 "sleep 311.$$" "$(good_recipe hang2)"
entry hang2 >"$P/cenv.ini"
before=$(state)
set -m
"$CENV_BIN" install -e "$E" -f "$P/cenv.ini" >/dev/null 2>"$SCRATCH/int.err" &
CPID=$!
set +m
for _ in $(seq 200); do pgrep -f "sleep 31[1].$$" >/dev/null && break; sleep 0.05; done
check "the build to interrupt runs" pgrep -f "sleep 31[1].$$"
kill -INT -- -$CPID
wait $CPID
check_eq "SIGINT: cenv ends with status 130" 130 $?
check_eq "SIGINT: it says it stopped the build" "cenv: install interrupted by SIGINT: stopped the build of 'hang2'; nothing was changed" "$(cat "$SCRATCH/int.err")"
check "SIGINT: no process of the build is left" sh -c '! pgrep -f "$1" >/dev/null' sh "sleep 31[1].$$"
check_eq "SIGINT: environment as it was, work area gone" "$before" "$(state)"

# ---- earlier fixtures under the sandbox ------------------------------------------------------
for sys in autotools cmake meson make; do
	pack "$sys" "sb$sys"
done
{ entry sbautotools; entry sbcmake; entry sbmeson; entry sbmake; } >"$P/cenv.ini"
check "the four build systems install under --sandbox=on" "$CENV_BIN" install --sandbox=on -e "$E" -f "$P/cenv.ini"
check_eq "each log says it was sandboxed" 4 "$(grep -l '^cenv: in a sandbox' "$E"/var/cenv/logs/sb*.log | wc -l)"
check "the environment checks clean" "$CENV_BIN" check -e "$E"
check_eq "nothing was written outside" "do not touch" "$(cat "$O/sentinel")"
finish
