#!/bin/sh
# tests/run.sh UNIT_TEST...: runs the unit tests and every tests/t-*.sh, then prints
# one closing line "N passed, N failed".
cd "$(dirname "$0")/.." || exit 2
# make exports the flags it was given (check-asan's sanitizers) to its commands; the
# packages the tests build must not get them, as a user's builds would not.
unset CFLAGS CPPFLAGS LDFLAGS LDLIBS MAKEFLAGS MFLAGS MAKELEVEL
log=$(mktemp "${TMPDIR:-/tmp}/cenv-check.XXXXXX")
passed=0
failed=0

for t in "$@"; do
	echo "== $t"
	"./$t" >"$log" 2>&1
	status=$?
	cat "$log"
	# cmocka's summary lines: "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s), listed below:"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ -z "$p$f" ]; then # not cmocka: one test, judged by its exit status
		if [ "$status" -eq 0 ]; then
			echo "PASS: $t"
			passed=$((passed + 1))
		else
			echo "FAIL: $t exited with status $status"
			failed=$((failed + 1))
		fi
	elif [ "$status" -ne 0 ] && [ -z "$f" ]; then
		echo "FAIL: $t exited with status $status"
		failed=$((failed + 1))
	fi
done

for t in tests/t-*.sh; do
	echo "== $t"
	bash "$t" >"$log" 2>&1
	status=$?
	cat "$log"
	p=$(grep -c '^PASS: ' "$log")
	f=$(grep -c '^FAIL: ' "$log")
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL: $t exited with status $status"
		failed=$((failed + 1))
	fi
done
rm -f "$log"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
