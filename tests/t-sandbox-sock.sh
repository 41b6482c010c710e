# t-sandbox-sock.sh - issue 9: a sandboxed build without the network cannot reach a Unix socket
# outside its private /tmp and /run either (a read-only file system does not stop connect()):
# bwrap's seccomp filter refuses socket(AF_UNIX) with EACCES, 64-bit, 32-bit (socketcall) and
# direct alike; socketpair still works; --build-network lifts it; -v says when libseccomp is
# missing and the sockets stay reachable.
. "$(dirname "$0")/lib.sh"
plan 31
. "$(dirname "$0")/lib-install.sh"

E="$TMP_ROOT/env"
# The daemon's socket: outside the environment, /tmp and /run, where a read-only bind leaves
# it reachable without the filter.
O=$(mktemp -d /var/tmp/cenv-sock-test.XXXXXX)
SOCK="$O/s.sock"
export HOME="$TMP_ROOT/home"
mkdir -p "$HOME"
"$CENV_BIN" create "$E" >/dev/null || fail "create"
state() { env_state "$E"; }

# sockpkg NAME: a plain-Makefile package whose make runs $P/NAME.sh (copied in as build.sh)
# and whose make install puts one header into DESTDIR+PREFIX
sockpkg() {
	rm -rf "$P/src/$1-1.0" && mkdir -p "$P/src/$1-1.0" &&
		cp "$P/$1.sh" "$P/src/$1-1.0/build.sh" &&
		printf 'all:\n\tsh ./build.sh\ninstall:\n\tmkdir -p $(DESTDIR)$(PREFIX)/include\n\techo "int ok;" > $(DESTDIR)$(PREFIX)/include/%s.h\n' \
			"$1" >"$P/src/$1-1.0/Makefile" &&
		for f in "$P"/extra/*; do [ ! -e "$f" ] || cp "$f" "$P/src/$1-1.0/"; done &&
		bsdtar -czf "$P/$1-1.0.tar.gz" -C "$P/src" "$1-1.0" &&
		entry "$1" >"$P/cenv.ini"
}
mkdir -p "$P/extra"

# the server: each connection's first bytes, one line each, into conns
python3 - "$SOCK" "$SCRATCH/conns" <<'EOF' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1] + ".tmp")
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.listen(8)
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
SERVER=$!
trap 'kill $SERVER 2>/dev/null; chmod -R u+w "$TMP_ROOT" 2>/dev/null; rm -rf "$TMP_ROOT" "$SCRATCH" "$O"' EXIT
for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.05; done
: >"$SCRATCH/conns"
cat >"$P/connect.py" <<EOF
import socket
s = socket.socket(socket.AF_UNIX)
s.connect("$SOCK")
s.sendall(b"from-" + __import__("sys").argv[1].encode())
s.close()
EOF
# conns NAME: waits (up to 2 s) for the server to have written NAME's line, then prints conns
conns() { for _ in $(seq 40); do grep -q "$1" "$SCRATCH/conns" && break; sleep 0.05; done; cat "$SCRATCH/conns"; }

# ---- the server is reachable from outside: the checks below can fail ------------------------
check "outside: the test connects to the socket" python3 "$P/connect.py" test
check_eq "outside: the server got it" "from-test" "$(conns from-test)"
: >"$SCRATCH/conns"

# ---- (1) no network: socket(AF_UNIX) is refused, the server gets nothing --------------------
cp "$P/connect.py" "$P/extra/connect.py"
printf 'python3 ./connect.py build\n' >"$P/unixc.sh"
sockpkg unixc
before=$(state)
"$CENV_BIN" install -e "$E" -f "$P/cenv.ini" >/dev/null 2>"$SCRATCH/err" && fail "no network: the build fails" ||
	pass "no network: the build fails"
check "no network: it failed at make" grep -q "^cenv: build of 'unixc' failed at make (exit status 2)" "$SCRATCH/err"
check "no network: the log shows socket() refused (EACCES)" grep -q "PermissionError: \[Errno 13\] Permission denied" "$E/var/cenv/logs/unixc.log"
check "no network: the refusal is at socket(), before connect()" grep -q 's = socket.socket(socket.AF_UNIX)' "$E/var/cenv/logs/unixc.log"
check "no network: the log says Unix sockets are refused" grep -q "^cenv: in a sandbox (bwrap): .*, no network, no Unix sockets but socketpair (seccomp)" "$E/var/cenv/logs/unixc.log"
sleep 0.2
check_eq "no network: the server got nothing" "" "$(cat "$SCRATCH/conns")"
check_eq "no network: environment unchanged" "$before" "$(state)"

# -v says nothing about the filter when it is on
"$CENV_BIN" install -v -e "$E" -f "$P/cenv.ini" >/dev/null 2>"$SCRATCH/err"
check "-v with the filter: the build still fails" grep -q "^cenv: build of 'unixc' failed at make" "$SCRATCH/err"
check_eq "-v with the filter: no line says the sockets stay reachable" "" "$(grep 'stay reachable\|libseccomp' "$SCRATCH/err")"

# ---- (2) --build-network: Unix sockets too --------------------------------------------------
check "--build-network: the build connects" "$CENV_BIN" install --build-network -e "$E" -f "$P/cenv.ini"
check_eq "--build-network: the server got it" "from-build" "$(conns from-build)"
check "--build-network: installed" grep -qx "int ok;" "$E/include/unixc.h"
check "--build-network: the log names no filter" sh -c '! grep -q "seccomp" "$1"' sh "$E/var/cenv/logs/unixc.log"
"$CENV_BIN" uninstall -e "$E" unixc >/dev/null
: >"$SCRATCH/conns"

# build_network = yes in the package's section: the same
entry unixc build_network=yes >"$P/cenv.ini"
check "build_network = yes: the build connects" "$CENV_BIN" install -e "$E" -f "$P/cenv.ini"
check_eq "build_network = yes: the server got it" "from-build" "$(conns from-build)"
"$CENV_BIN" uninstall -e "$E" unixc >/dev/null
: >"$SCRATCH/conns"
rm -f "$P/extra/connect.py"

# ---- (3) socketpair (and asyncio, which makes one) works ------------------------------------
cat >"$P/pair.sh" <<'EOF'
python3 -c '
import asyncio, socket
a, b = socket.socketpair()
a.sendall(b"x")
assert b.recv(1) == b"x"
asyncio.run(asyncio.sleep(0))
print("socketpair-ok")
'
EOF
sockpkg pair
check "socketpair: the build installs" "$CENV_BIN" install -e "$E" -f "$P/cenv.ini"
check "socketpair: it ran in the filtered sandbox" grep -q "no Unix sockets but socketpair (seccomp)" "$E/var/cenv/logs/pair.log"
check "socketpair: the build's check ran" grep -qx "socketpair-ok" "$E/var/cenv/logs/pair.log"
"$CENV_BIN" uninstall -e "$E" pair >/dev/null

# ---- (4) a 32-bit (i386) program: socketcall and the direct socket call -----------------------
# Freestanding, so no 32-bit libc is needed: it exits with the errno of its socket call (0: it
# made one).  CALL 102 is socketcall(SYS_SOCKET, {FAMILY, SOCK_STREAM, 0}), 359 socket().
cat >"$SCRATCH/s32.c" <<'EOF'
static long sys3(long n, long a, long b, long c)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a), "c"(b), "d"(c) : "memory");
	return r;
}
void _start(void)
{
	unsigned long args[3] = { FAMILY, 1, 0 };
	long r = CALL == 102 ? sys3(102, 1, (long)args, 0) : sys3(359, FAMILY, 1, 0);
	sys3(1, r < 0 ? -r : 0, 0, 0);
	for (;;)
		;
}
EOF
m32() { gcc -m32 -static -nostdlib -ffreestanding -fno-pic -fno-stack-protector -O1 -DCALL="$1" -DFAMILY="$2" \
	-o "$P/extra/$3" "$SCRATCH/s32.c" 2>"$SCRATCH/m32.err"; }
if m32 102 1 sc-unix && m32 102 2 sc-inet && m32 359 1 direct-unix && m32 359 2 direct-inet &&
	"$P/extra/sc-unix"; then
	outside=$(for p in sc-unix sc-inet direct-unix direct-inet; do "$P/extra/$p"; echo "$p $?"; done)
	check_eq "32-bit: outside, every socket call works" "sc-unix 0
sc-inet 0
direct-unix 0
direct-inet 0" "$outside"
	printf 'for p in sc-unix sc-inet direct-unix direct-inet; do ./$p; echo "$p $?"; done\n' >"$P/m32.sh"
	sockpkg m32
	check "32-bit: the build installs" "$CENV_BIN" install -e "$E" -f "$P/cenv.ini"
	check "32-bit: socketcall(SYS_SOCKET, AF_UNIX) refused with EACCES (13)" grep -qx "sc-unix 13" "$E/var/cenv/logs/m32.log"
	# seccomp cannot read socketcall's arguments: every socket() through it is refused
	check "32-bit: socketcall(SYS_SOCKET, AF_INET) refused too" grep -qx "sc-inet 13" "$E/var/cenv/logs/m32.log"
	check "32-bit: socket(AF_UNIX) refused with EACCES (13)" grep -qx "direct-unix 13" "$E/var/cenv/logs/m32.log"
	check "32-bit: socket(AF_INET) works" grep -qx "direct-inet 0" "$E/var/cenv/logs/m32.log"
	"$CENV_BIN" uninstall -e "$E" m32 >/dev/null
else
	why="no 32-bit program runs here: $(head -1 "$SCRATCH/m32.err")"
	for c in "outside, every socket call works" "the build installs" "socketcall AF_UNIX refused" \
		"socketcall AF_INET refused" "socket AF_UNIX refused" "socket AF_INET works"; do
		skip "32-bit: $c" "$why"
	done
fi
rm -f "$P"/extra/*

# ---- (5) without libseccomp: -v names the reason, and the socket is reachable ------------------
# A libseccomp.so of the same name, found first on LD_LIBRARY_PATH, without its functions.
soname=$(strings "$CENV_BIN" | grep -m1 '^libseccomp\.so\.[0-9]*$')
mkdir -p "$TMP_ROOT/fakelib"
printf 'int cenv_not_libseccomp;\n' >"$SCRATCH/fake.c"
gcc -shared -fPIC -o "$TMP_ROOT/fakelib/$soname" "$SCRATCH/fake.c"
cp "$P/connect.py" "$P/extra/connect.py"
sockpkg unixc
LD_LIBRARY_PATH="$TMP_ROOT/fakelib" "$CENV_BIN" install -v -e "$E" -f "$P/cenv.ini" >/dev/null 2>"$SCRATCH/err"
check "no libseccomp: -v names the reason" grep -qx "cenv: unixc: Unix sockets outside /tmp and /run stay reachable: cannot load $soname: no seccomp_init in it" "$SCRATCH/err"
check_eq "no libseccomp: the build connected" "from-build" "$(conns from-build)"
check "no libseccomp: installed" grep -qx "int ok;" "$E/include/unixc.h"
check "no libseccomp: the log names no filter" sh -c '! grep -q "seccomp" "$1"' sh "$E/var/cenv/logs/unixc.log"

check "the environment checks clean" "$CENV_BIN" check -e "$E"
finish
