#!/bin/sh
# examples/demo.sh - the main job end to end: make an environment, install the bundled
# example library from a manifest, build a program against it with pkg-config inside
# the activated environment, run it after deactivate, and list what is installed.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cenv=$top/cenv
tarball=$top/examples/dist/libgreet-1.0.tar.gz
work=$(mktemp -d "${TMPDIR:-/tmp}/cenv-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
cd "$work"

say "cenv create .env"
"$cenv" create .env
ls -F .env

cp "$tarball" .
sha=$(sha256sum libgreet-1.0.tar.gz | cut -d' ' -f1)
cat >cenv.ini <<INI
[greet]
version = 1.0
url = libgreet-1.0.tar.gz
sha256 = $sha
INI
say "cat cenv.ini"
cat cenv.ini

say "cenv install -e .env"
"$cenv" install -e .env
say "cenv install -e .env     (again: nothing to do)"
"$cenv" install -e .env

cp "$top/examples/hello/hello.c" .
env | LC_ALL=C sort >before.env
say ". .env/bin/activate; cc hello.c \$(pkg-config --cflags --libs greet) -o hello; deactivate"
sh -eu -c '
	. .env/bin/activate
	printf "  CENV=%s\n  PKG_CONFIG_PATH=%s\n  pkg-config --libs greet: %s\n" "$CENV" "$PKG_CONFIG_PATH" "$(pkg-config --libs greet)"
	cc hello.c $(pkg-config --cflags --libs greet) -o hello
	deactivate
	env | LC_ALL=C sort >after.env
'
say "./hello      (after deactivate: the rpath finds the library, no LD_LIBRARY_PATH)"
./hello
if diff before.env after.env >/dev/null; then echo "  (the shell's environment is exactly as before activation)"; fi

say "cenv list -e .env"
"$cenv" list -e .env
