#!/bin/sh
# tests/run.sh [TEST...]: runs the tests named (unit test binaries, fuzz replays, tests/t-*.sh
# scripts; with none, every tests/t-*.sh), JOBS at a time, each under a time limit, then prints
# their output in that order and one closing line "N passed, N failed, N skipped"; exits non-zero
# on any failure. `make check` names them all; `make check T=t-install` one.
#
# How each is counted:
# - a unit test is a cmocka binary, run with CMOCKA_MESSAGE_OUTPUT=TAP: each "ok N" is a pass,
#   each "not ok N" a failure, and a "# SKIP" result a skip (named on a SKIP: line). It fails
#   once more if it times out, dies of a signal, prints a number of results other than its plan
#   "1..N", or exits non-zero without a failed result;
# - a fuzz replay (tests/fuzz/replay_NAME) is not cmocka: it is given its corpus,
#   tests/fuzz/corpus/NAME, and is one test, passed when it exits 0 having printed
#   "replayed N inputs" with N the number of entries in the corpus (a replay of nothing fails);
# - a script counts its "PASS: ", "FAIL: " and "SKIP: " lines, and fails once more if it prints
#   no plan line "1..N" (tests/lib.sh's plan N), ran another number of checks than that, times
#   out, or exits non-zero without a FAIL: line.
# With CENV_NO_SKIPS=1 (CI, after `make deps`) every skip is a failure instead.
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
case ${CENV_NO_SKIPS:-0} in
0) no_skips= ;;
*) no_skips=1 ;;
esac

[ $# -gt 0 ] || set -- tests/t-*.sh
for t in "$@"; do
	if [ ! -f "$t" ]; then
		echo "tests/run.sh: no such test: $t (from $(pwd))" >&2
		exit 2
	fi
done

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
: >"$run/skips"

# skips NAME FILE: counts FILE's lines, test NAME's skips (one "SKIP: ..." line each): as skips,
# listed again before the closing line, or under CENV_NO_SKIPS as failures, each on a FAIL: line
skips() {
	[ -s "$2" ] || return 0
	if [ -n "$no_skips" ]; then
		sed "s|^|FAIL: $1 skipped a check (CENV_NO_SKIPS=1): |" "$2"
		failed=$((failed + $(wc -l <"$2")))
	else
		sed "s|^|$1: |" "$2" >>"$run/skips"
		skipped=$((skipped + $(wc -l <"$2")))
	fi
}

# tap NAME LOG: adds up a cmocka binary's TAP results and names its skips; sets f (the failed
# results), results (all of them) and plan (empty without one)
tap() {
	p=$(grep -E '^ok [0-9]+( |$)' "$2" | grep -vEc '^ok [0-9]+ # SKIP')
	f=$(grep -E '^not ok [0-9]+( |$)' "$2" | grep -vEc '^not ok [0-9]+ # SKIP')
	s=$(grep -Ec '^(not )?ok [0-9]+ # SKIP' "$2")
	results=$((p + f + s))
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$2" | head -1)
	awk '/^(not )?ok [0-9]+ # SKIP/ { sub(/^(not )?ok [0-9]+ # SKIP */, ""); print "SKIP: " $0 }' "$2" >"$2.skips"
	[ -n "$no_skips" ] || sed "s|^SKIP: |SKIP: $1: |" "$2.skips"
	passed=$((passed + p))
	failed=$((failed + f))
	skips "$1" "$2.skips"
}

# corpus REPLAY: the seed corpus of tests/fuzz/replay_NAME, tests/fuzz/corpus/NAME
corpus() {
	echo "tests/fuzz/corpus/${1##*replay_}"
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
		grep '^SKIP: ' "$run/$1.log" >"$run/$1.skips"
		s=$(wc -l <"$run/$1.skips")
		passed=$((passed + p))
		failed=$((failed + f))
		skips "$name" "$run/$1.skips"
		plans=$(grep -Ec '^1\.\.[0-9]+$' "$run/$1.log")
		plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$run/$1.log" | head -1)
		ran=$((p + f + s))
		if [ "$plans" -eq 0 ]; then
			why="printed no plan (plan N, from tests/lib.sh; exit status $status)"
		elif [ "$plans" -gt 1 ]; then
			why="printed $plans plan lines"
		elif [ "$ran" -ne "$plan" ]; then
			why="ran $ran of $plan checks"
			[ "$status" -eq 0 ] || why="$why (exit status $status)"
		elif [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
			why="exited with status $status"
		fi
		;;
	*replay_*)
		corpus=$(corpus "$name")
		got=$(sed -n 's/^replayed \([0-9][0-9]*\) inputs$/\1/p' "$run/$1.log" | tail -1)
		want=$(find "$corpus" -mindepth 1 -maxdepth 1 ! -name '.*' 2>/dev/null | wc -l)
		if [ ! -d "$corpus" ]; then
			why="has no corpus: no directory $corpus"
		elif [ "$want" -eq 0 ]; then
			why="has an empty corpus, $corpus"
		elif [ "$status" -ne 0 ]; then
			why="exited with status $status"
		elif [ -z "$got" ]; then
			why="printed no \"replayed N inputs\" line"
		elif [ "$got" -ne "$want" ]; then
			why="replayed $got inputs of the $want in $corpus"
		else
			echo "PASS: $name ($got inputs of $corpus)"
			passed=$((passed + 1))
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

i=0
for t in "$@"; do
	i=$((i + 1))
	read -r slot <&3
	report_ready
	echo "$t" >"$run/$i.name"
	case $t in
	/*) exe=$t ;;
	*) exe=./$t ;;
	esac
	case $t in
	*.sh) job "$i" "$SCRIPT_TIMEOUT" bash "$t" & ;;
	*replay_*) job "$i" "$UNIT_TIMEOUT" "$exe" "$(corpus "$t")" & ;;
	*) job "$i" "$UNIT_TIMEOUT" env CMOCKA_MESSAGE_OUTPUT=TAP "$exe" & ;;
	esac
done
while [ "$next" -le "$i" ]; do
	read -r slot <&3
	report_ready
done
wait
# the skips again, by test and reason: "SKIP: NAME (WHY)" counted under WHY
if [ "$skipped" -ne 0 ]; then
	echo "== skipped, by reason (CENV_NO_SKIPS=1 makes each a failure)"
	sed 's/^\(.*\): SKIP: [^ ]* (\(.*\))$/\1: \2/; t; s/: SKIP: /: /' "$run/skips" |
		awk '!($0 in n) { order[++k] = $0 } { n[$0]++ } END { for (i = 1; i <= k; i++) print n[order[i]] " skipped in " order[i] }'
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
