#!/bin/sh
# examples/demo.sh - the main job end to end: make an environment, step in, build
# against it with no flags, step out, and show the shell is as it was.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cenv=$top/cenv
work=$(mktemp -d "${TMPDIR:-/tmp}/cenv-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

say "cenv create $work/.env"
"$cenv" create "$work/.env"
ls -F "$work/.env" "$work/.env/bin"

# a tiny library "installed" by hand; cenv install does this from a manifest later
mkdir -p "$work/src"
printf 'const char *greeting(void);\n' >"$work/.env/include/greeting.h"
printf 'const char *greeting(void) { return "hello from the environment"; }\n' >"$work/src/greeting.c"
cc -shared -fPIC -o "$work/.env/lib/libgreeting.so" "$work/src/greeting.c"
cat >"$work/src/main.c" <<'C'
#include <stdio.h>
#include <greeting.h>
int main(void) { puts(greeting()); return 0; }
C

say ". $work/.env/bin/activate   (in a subshell)"
env | LC_ALL=C sort >"$work/before"
sh -eu -c '
	. "$1/.env/bin/activate"
	for v in CENV CENV_PROMPT PATH PKG_CONFIG_PATH CPATH LIBRARY_PATH LD_RUN_PATH CMAKE_PREFIX_PATH ACLOCAL_PATH MANPATH; do
		eval "printf \"  %-18s %s\n\" \"\$v\" \"\${$v-}\""
	done
	printf "\n$ cc main.c -lgreeting -o hello     (no -I, no -L, no -Wl,-rpath)\n"
	(cd "$1/src" && cc main.c -lgreeting -o hello)
	deactivate
	env | LC_ALL=C sort >"$1/after"
	printf "\n$ deactivate; ./hello\n"
	"$1/src/hello"
' sh "$work"
say "diff <(env before) <(env after deactivate)"
if diff "$work/before" "$work/after"; then echo "  (no difference: the shell is back as it was)"; fi
say "cenv run -e $work/.env -- printenv CPATH     (no activation needed)"
"$cenv" run -e "$work/.env" -- printenv CPATH
