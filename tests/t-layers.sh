#!/bin/bash
# t-layers.sh - src/lib never prints nor exits, and never includes the command layer (src/*.h).
#
# Run from the repository root: bash tests/t-layers.sh.  Prints one line per
# check, "PASS: name" or "FAIL: name" with the file:line of each hit; exits 1
# if any check failed.  Each check is also run on planted files, to show it
# can fail (and does not fire on what is allowed).

if [ ! -d src/lib ] || [ ! -f src/cenv.c ]; then
	echo "FAIL: setup: run from the repository root (no src/lib, src/cenv.c)"
	exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cenv-layers.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
failures=0

# plan N: the number of checks this script runs, printed as TAP's "1..N" (tests/lib.sh's plan)
plan() { echo "1..$1"; }
pass() { echo "PASS: $1"; }
fail() {
	echo "FAIL: $1"
	shift
	for line in "$@"; do
		echo "    $line"
	done
	failures=$((failures + 1))
}
plan 7

# What prints to the user or ends the process: printf( but not snprintf( or
# "format(printf, 1, 2)", fprintf/fwrite/fputc/putc to stdout or stderr, any
# vfprintf( fputs( puts( putchar( perror(, and exit( but not _exit( (which a
# forked child calls).  Comments count too: a lib comment has no reason to
# name them.
PRINTS='(^|[^_[:alnum:]])(printf|vfprintf|fputs|puts|putchar|perror|exit)[[:space:]]*\(|(^|[^_[:alnum:]])(fprintf|fwrite|fputc|putc)[[:space:]]*\(.*\<std(out|err)\>'

# prints FILE...: the file:line: text of each hit, nothing when there is none.
prints() {
	grep -nHE -- "$PRINTS" "$@"
}

# The headers of the command layer: in src/ but not in src/lib/.
layer_headers() {
	local h
	for h in src/*.h; do
		[ -e "src/lib/${h#src/}" ] || echo "${h#src/}"
	done
}

# includes_layer FILE...: the file:line: text of each #include of a command-layer header.
includes_layer() {
	local h names=
	for h in $(layer_headers); do
		names="$names${names:+|}${h//./\\.}"
	done
	[ -n "$names" ] || return 0
	grep -nHE -- "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($names)[>\"]" "$@"
}

# (a) the library never prints nor exits
hits=$(prints src/lib/*.c src/lib/*.h)
if [ -z "$hits" ]; then
	pass "no file in src/lib prints or calls exit()"
else
	mapfile -t lines <<<"$hits"
	fail "no file in src/lib prints or calls exit()" "${lines[@]}"
fi

# (b) the library includes no command-layer header
if [ -z "$(layer_headers)" ]; then
	fail "the command layer has headers to look for" "none in src/ apart from src/lib/"
else
	pass "the command layer has headers to look for"
fi
hits=$(includes_layer src/lib/*.c src/lib/*.h)
if [ -z "$hits" ]; then
	pass "no file in src/lib includes a command-layer header"
else
	mapfile -t lines <<<"$hits"
	fail "no file in src/lib includes a command-layer header" "${lines[@]}"
fi

# (c) the checks can fail: planted calls are found, each on its line
cat >"$tmp/planted.c" <<'EOF'
static void f(void)
{
	fprintf(stderr, "x");
	exit(1);
	printf("%d\n", 1);
	fputs("y", stdout);
	puts("z");
	perror("open");
	fwrite("w", 1, 1, stderr);
	fputc('\n', stderr);
}
EOF
hits=$(prints "$tmp/planted.c" | cut -d: -f2 | tr '\n' ' ')
if [ "$hits" = "3 4 5 6 7 8 9 10 " ]; then
	pass "the print check finds planted calls"
else
	fail "the print check finds planted calls" "lines found: '$hits', wanted '3 4 5 6 7 8 9 10 '"
fi
hits=$(prints "$tmp/planted.c" | head -1)
if [ "$hits" = "$tmp/planted.c:3:	fprintf(stderr, \"x\");" ]; then
	pass "the print check names file:line"
else
	fail "the print check names file:line" "got: '$hits'"
fi

# ... and what the library may do is not a hit
cat >"$tmp/allowed.c" <<'EOF'
int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void g(char *buf, size_t n, FILE *log, va_list ap)
{
	snprintf(buf, n, "%d", 1);
	vsnprintf(buf, n, "%d", ap);
	char *s = xasprintf("%s", buf);
	fprintf(log, "a log line\n");
	fwrite(buf, 1, n, log);
	_exit(127);
}
EOF
hits=$(prints "$tmp/allowed.c")
if [ -z "$hits" ]; then
	pass "the print check passes snprintf, format(printf, ...), writes to files and _exit"
else
	mapfile -t lines <<<"$hits"
	fail "the print check passes snprintf, format(printf, ...), writes to files and _exit" "${lines[@]}"
fi

# ... and a planted include of each command-layer header is found, a module's is not
: >"$tmp/include.c"
for h in $(layer_headers); do
	echo "#include \"$h\"" >>"$tmp/include.c"
done
echo '#include "error.h"' >>"$tmp/include.c"
echo '#include <stdio.h>' >>"$tmp/include.c"
want=$(layer_headers | wc -l)
got=$(includes_layer "$tmp/include.c" | wc -l)
if [ "$want" -gt 0 ] && [ "$got" -eq "$want" ]; then
	pass "the include check finds planted includes of the command layer ($got)"
else
	fail "the include check finds planted includes of the command layer" "found $got, wanted $want" \
		"$(includes_layer "$tmp/include.c")"
fi

[ "$failures" -eq 0 ]
