#!/bin/sh
# tests/run.sh UNIT_TEST...: runs the unit tests and every tests/t-*.sh ($SCRIPTS), JOBS at a time, each
# under a time limit, then prints their output in that order and one closing line
# "N passed, N failed"; exits non-zero on any failure.
#
# How each is counted:
# - a unit test is a cmocka binary, run with CMOCKA_MESSAGE_OUTPUT=TAP: each "ok N" is a pass,
#   each "not ok N" a failure, and a "# SKIP" result neither (named on a SKIP: line). It fails
#   once more if it times out, dies of a signal, prints a number of results other than its plan
#   "1..N", or exits non-zero without a failed result;
# - a fuzz replay (replay_*) is not cmocka: one test, judged by its exit status;
# - a script counts its "PASS: " and "FAIL: " lines, and fails once more if it times out or
#   exits non-zero without a FAIL: line.
# Scripts may run at once: each one's scratch directories come from mktemp (tests/lib.sh).
cd "$(dirname "$0")/.." || exit 2
# make exports the flags it was given (check-asan's sanitizers) to its commands; the
# packages the tests build must not get them, as a user's builds would not.
unset CFLAGS CPPFLAGS LDFLAGS LDLIBS MAKEFLAGS MFLAGS MAKELEVEL
JOBS=${JOBS:-2}                      # tests run at once
SCRIPT_TIMEOUT=${SCRIPT_TIMEOUT:-600} # seconds for one tests/t-*.sh
UNIT_TIMEOUT=${UNIT_TIMEOUT:-300}     # seconds for one unit test or replay
KILL_AFTER=10                        # then SIGKILL, if SIGTERM did not end it
[ "$JOBS" -ge 1 ] 2>/dev/null || JOBS=1

run=$(mktemp -d "${TMPDIR:-/tmp}/cenv-check.XXXXXX") || exit 2
trap 'rm -rf "$run"' EXIT
# Ctrl-C reaches make and this shell but not the tests (timeout gives each a process group
# of its own): stop them by the pids of their timeouts, which pass the signal on.
stop() {
	for f in "$run"/*.pid; do
		[ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null
	done
	wait
	exit 130
}
trap stop INT TERM

# The pool: a FIFO holding one line per free slot. A job takes a line before it starts and
# writes one back when it ends, after its status file is in place.
mkfifo "$run/slots" && exec 3<>"$run/slots" || exit 2
i=0
while [ "$i" -lt "$JOBS" ]; do
	echo >&3
	i=$((i + 1))
done

# job I LIMIT CMD... &: CMD's output into $run/I.log, then "STATUS SECONDS LIMIT" into
# $run/I.status (run in the background, so its variables are its own)
job() {
	n=$1 limit=$2
	shift 2
	start=$(date +%s)
	timeout -k "$KILL_AFTER" "$limit" "$@" </dev/null >"$run/$n.log" 2>&1 3>&- &
	echo $! >"$run/$n.pid"
	wait $! 2>/dev/null # (the shell's own "Aborted" would land amid the output)
	status=$?
	rm -f "$run/$n.pid"
	echo "$status $(($(date +%s) - start)) $limit" >"$run/$n.tmp" && mv "$run/$n.tmp" "$run/$n.status"
	echo >&3
}

passed=0
failed=0
skipped=0

# tap NAME LOG: adds up a cmocka binary's TAP results and names its skips; sets f (the failed
# results), results (all of them) and plan (empty without one)
tap() {
	p=$(grep -E '^ok [0-9]+( |$)' "$2" | grep -vEc '^ok [0-9]+ # SKIP')
	f=$(grep -E '^not ok [0-9]+( |$)' "$2" | grep -vEc '^not ok [0-9]+ # SKIP')
	s=$(grep -Ec '^(not )?ok [0-9]+ # SKIP' "$2")
	results=$((p + f + s))
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$2" | head -1)
	awk -v t="$1" '/^(not )?ok [0-9]+ # SKIP/ { sub(/^(not )?ok [0-9]+ # SKIP */, ""); print "SKIP: " t ": " $0 }' "$2"
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
}

# report I: prints job I's output and adds up its results, with one more failure (and a
# FAIL: line) when the test as a whole went wrong
report() {
	name=$(cat "$run/$1.name")
	read -r status secs limit <"$run/$1.status"
	echo "== $name"
	cat "$run/$1.log"
	why=
	case $name in
	*.sh)
		p=$(grep -c '^PASS: ' "$run/$1.log")
		f=$(grep -c '^FAIL: ' "$run/$1.log")
		passed=$((passed + p))
		failed=$((failed + f))
		[ "$status" -eq 0 ] || [ "$f" -ne 0 ] || why="exited with status $status"
		;;
	*replay_*)
		if [ "$status" -eq 0 ]; then
			echo "PASS: $name"
			passed=$((passed + 1))
		else
			why="exited with status $status"
		fi
		;;
	*)
		tap "$name" "$run/$1.log"
		if [ "$status" -gt 128 ]; then
			why="died of signal $((status - 128))"
		elif [ -z "$plan" ]; then
			why="printed no TAP plan (exit status $status)"
		elif [ "$results" -ne "$plan" ]; then
			why="printed $results results for a plan of $plan (exit status $status)"
		elif [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
			why="exited with status $status"
		fi
		;;
	esac
	if { [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; } && [ "$secs" -ge "$limit" ]; then
		why="timed out after $limit s"
	fi
	if [ -n "$why" ]; then
		echo "FAIL: $name $why"
		failed=$((failed + 1))
	fi
}

# report_ready: reports, in order, the jobs that have ended and have no earlier one running
next=1
report_ready() {
	while [ -f "$run/$next.status" ]; do
		report "$next"
		next=$((next + 1))
	done
}

# SCRIPTS= (empty) runs only the unit tests named (make check-tsan)
set -- "$@" ${SCRIPTS-tests/t-*.sh}
i=0
for t in "$@"; do
	i=$((i + 1))
	read -r slot <&3
	report_ready
	echo "$t" >"$run/$i.name"
	case $t in
	*.sh) job "$i" "$SCRIPT_TIMEOUT" bash "$t" & ;;
	*replay_*) job "$i" "$UNIT_TIMEOUT" "./$t" & ;;
	*) job "$i" "$UNIT_TIMEOUT" env CMOCKA_MESSAGE_OUTPUT=TAP "./$t" & ;;
	esac
done
while [ "$next" -le "$i" ]; do
	read -r slot <&3
	report_ready
done
wait
[ "$skipped" -eq 0 ] || echo "$skipped skipped"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
