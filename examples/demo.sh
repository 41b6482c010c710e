#!/bin/sh
# examples/demo.sh - the main job as a user meets it: a web server on 127.0.0.1 holds the bundled
# example library; `cenv add URL` downloads it, takes its sha256 and writes the manifest's
# section; `cenv install` builds it (in the sandbox) into the environment; a program is built
# against it with pkg-config inside the activated environment and runs after deactivate.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cenv=$top/cenv
tarball=$top/examples/dist/libgreet-1.0.tar.gz
work=$(mktemp -d "${TMPDIR:-/tmp}/cenv-demo.XXXXXX")
server=
trap '[ -z "$server" ] || kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
cd "$work"
# the demo's own download cache, not the user's
export XDG_CACHE_HOME="$work/cache"

mkdir www
cp "$tarball" www/
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory www "$port" >/dev/null 2>&1 &
server=$!
i=0
until python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || { echo "the demo's web server did not start" >&2; exit 1; }
	sleep 0.05
done
url="http://127.0.0.1:$port/libgreet-1.0.tar.gz"
echo "(a web server on 127.0.0.1:$port serves libgreet-1.0.tar.gz)"

say "cenv create .env"
"$cenv" create .env
ls -F .env

say "cenv add $url -e .env"
"$cenv" add "$url" -e .env
say "cat cenv.ini"
cat cenv.ini
say "cenv install -e .env     (again: nothing to do, no connection)"
"$cenv" install -e .env

cp "$top/examples/hello/hello.c" .
env | LC_ALL=C sort >before.env
say ". .env/bin/activate; cc hello.c \$(pkg-config --cflags --libs greet) -o hello; deactivate"
sh -eu -c '
	. .env/bin/activate
	printf "  CENV=%s\n  PKG_CONFIG_PATH=%s\n  pkg-config --libs greet: %s\n" "$CENV" "$PKG_CONFIG_PATH" "$(pkg-config --libs greet)"
	cc hello.c $(pkg-config --cflags --libs greet) -o hello
	deactivate
	env | LC_ALL=C sort | grep -v "^XDG_CACHE_HOME=" >after.env
'
grep -v "^XDG_CACHE_HOME=" before.env >before2.env
say "./hello      (after deactivate: the rpath finds the library, no LD_LIBRARY_PATH)"
./hello
if diff before2.env after.env >/dev/null; then echo "  (the shell's environment is exactly as before activation)"; fi

say "cenv list -e .env"
"$cenv" list -e .env
say "cenv install -e .env --offline     (with the server stopped: the download cache has it)"
kill "$server"
wait "$server" 2>/dev/null || true
server=
"$cenv" uninstall -e .env libgreet >/dev/null
"$cenv" install -e .env --offline
