# t-signal2.sh - issue 12: a second Ctrl-C skips the grace.  The first SIGINT to `cenv install`
# sends SIGTERM to the build's process group and gives it SPAWN_GRACE_MS (3 s) before SIGKILL; a
# build that ignores SIGTERM holds cenv that long (the control case).  A second signal during the
# grace kills it at once: cenv ends well within the grace, dies of the first signal (exit 130
# for SIGINT), the work area gone, no process of the build left, the lock free.  Run as it is
# (--sandbox=off: the build writes down its pids in the test's tree); in the sandbox, the
# first signal is enough (bwrap's PID namespace goes with it), which the last case shows.
. "$(dirname "$0")/lib.sh"
plan 17
. "$(dirname "$0")/lib-install.sh"

PIDS="$TMP_ROOT/pids"
mkdir -p "$P/bad"

# stubborn_archive NAME SECS: $P/bad/NAME-1.0.tar, a make build whose `make install` ignores
# SIGTERM (the recipe's shell, its background sleep and its sleep SECS), writes down its
# processes in $PIDS/NAME (unless the sandbox hides that tree) and a marker in its stage.
stubborn_archive() {
	local name=$1 d="$P/src/bad/$1-1.0"
	mkdir -p "$d"
	cat >"$d/Makefile" <<MK
all:
	@echo built
install:
	@trap '' TERM; mkdir -p \$(DESTDIR)\$(PREFIX); d='$PIDS/$name'; sleep $2 & \\
	if mkdir -p "\$\$d" 2>/dev/null; then echo \$\$! > "\$\$d/bg"; echo \$\$\$\$ > "\$\$d/sh"; \\
	ps -o pgid= -p \$\$\$\$ | tr -d ' ' > "\$\$d/pgid"; fi; \\
	touch \$(DESTDIR)\$(PREFIX)/marker; sleep $2
MK
	bsdtar -cf "$P/bad/$name-1.0.tar" -C "$P/src/bad" "$name-1.0"
}

# run_case LABEL NAME SANDBOX SIGS...: installs $P/bad/NAME-1.0.tar into a fresh environment in
# a job of its own (as a terminal runs it); once the build's marker is there, sends each of SIGS
# to the job's group (what Ctrl-C does), 0.5 s apart.  Sets $status (cenv's exit status), $ms
# (from the last signal to cenv's end), $E, $err.
run_case() {
	local label=$1 name=$2 sandbox=$3 job i sig first=1
	shift 3
	E="$TMP_ROOT/env-$name"
	"$CENV_BIN" create "$E" >/dev/null
	set -m
	"$CENV_BIN" install --sandbox="$sandbox" -e "$E" "$P/bad/$name-1.0.tar" >"$SCRATCH/$name.out" 2>"$SCRATCH/$name.err" &
	job=$!
	set +m
	for ((i = 0; i < 2000; i++)); do
		[ -n "$(find "$E/var/cenv/work" -name marker 2>/dev/null)" ] && break
		sleep 0.01
	done
	[ -n "$(find "$E/var/cenv/work" -name marker 2>/dev/null)" ] ||
		fail "$label: the build starts (fixture)" "no marker after 20 s" "$(cat "$SCRATCH/$name.err")"
	for sig in "$@"; do
		[ "$first" = 1 ] || sleep 0.5
		first=0
		t0=$(date +%s%N)
		kill -s "$sig" -- "-$job"
	done
	for ((i = 0; i < 2000; i++)); do kill -0 "$job" 2>/dev/null || break; sleep 0.005; done
	ms=$((($(date +%s%N) - t0) / 1000000))
	kill -0 "$job" 2>/dev/null && kill -KILL "$job"
	wait "$job" && status=0 || status=$?
	err=$(cat "$SCRATCH/$name.err")
}

# after_checks LABEL NAME: the work area gone, the lock free and nothing installed.  Two checks.
after_checks() {
	local out st
	check_eq "$1: the work area is gone" "absent" \
		"$(if [ -e "$E/var/cenv/work/$2" ]; then echo present; else echo absent; fi)"
	out=$(timeout 5 "$CENV_BIN" list -e "$E" 2>&1) && st=0 || st=$?
	check_eq "$1: the lock is free and '$2' is not installed (timeout 5 cenv list)" \
		"0 no packages installed" "$st $out"
}
# no_process_left NAME: the build's recorded processes and any other in its group (one check)
no_process_left() {
	local left="" p pgid
	for p in $(cat "$PIDS/$2/sh" "$PIDS/$2/bg" 2>/dev/null); do kill -0 "$p" 2>/dev/null && left="$left$p "; done
	pgid=$(cat "$PIDS/$2/pgid" 2>/dev/null)
	[ -n "$pgid" ] && left="$left$(pgrep -g "$pgid" | tr '\n' ' ')"
	check_eq "$1: no process of the build outlives cenv (kill -0, pgrep -g $pgid)" "recorded " \
		"$([ -n "$pgid" ] && echo recorded) $left"
}
said="cenv: install interrupted by SIGINT: stopped the build of"

# The control: one SIGINT, the build ignores SIGTERM: cenv waits out the grace, then kills it.
stubborn_archive once 300
run_case "one SIGINT" once off INT
check_eq "one SIGINT: cenv ends after the grace of 3 s (and before 9 s)" "yes" \
	"$([ "$ms" -ge 2900 ] && [ "$ms" -lt 9000 ] && echo yes || echo "no: $ms ms")"
check_eq "one SIGINT: exit 130, saying so in one line" "130 $said 'once'; nothing was changed" "$status $err"

# Two: the second, 0.5 s into the grace, ends it at once.
stubborn_archive twice 301
run_case "a second SIGINT" twice off INT INT
check_eq "a second SIGINT: cenv ends well within the grace (under 1 s after it)" "yes" \
	"$([ "$ms" -lt 1000 ] && echo yes || echo "no: $ms ms")"
check_eq "a second SIGINT: exit 130, saying so in one line" "130 $said 'twice'; nothing was changed" "$status $err"
no_process_left "a second SIGINT" twice
after_checks "a second SIGINT" twice

# SIGINT then SIGTERM (kill(1) after the Ctrl-C): any second signal hurries, cenv dies of the first.
stubborn_archive mixed 302
run_case "SIGINT then SIGTERM" mixed off INT TERM
check_eq "SIGINT then SIGTERM: cenv ends well within the grace, exit 130 (the first one's)" \
	"yes 130" "$([ "$ms" -lt 1000 ] && echo yes || echo "no: $ms ms") $status"
no_process_left "SIGINT then SIGTERM" mixed
after_checks "SIGINT then SIGTERM" mixed

# In the sandbox the group is bwrap's, and bwrap ends at SIGTERM, taking its PID namespace (the
# build that ignores SIGTERM included) with it: one SIGINT already ends cenv before the grace, and
# a second has no grace left to skip.  The build's processes are found by their command line (a
# sleep of a length no other test uses): the test's tree is hidden from it.
stubborn_archive boxed 313
if command -v bwrap >/dev/null && bwrap --ro-bind / / --unshare-pid true 2>/dev/null; then
	run_case "in the sandbox" boxed on INT
	check "in the sandbox: the log says the build ran in it" grep -q "^cenv: in a sandbox (bwrap)" "$E/var/cenv/logs/boxed.log"
	check_eq "in the sandbox: one SIGINT ends cenv before the grace of 3 s, exit 130" "yes 130" \
		"$([ "$ms" -lt 2500 ] && echo yes || echo "no: $ms ms") $status"
	check_eq "in the sandbox: saying so in one line" "$said 'boxed'; nothing was changed" "$err"
	check_eq "in the sandbox: no process of the build is left (pgrep -f '^sleep 313$')" "" \
		"$(pgrep -f '^sleep 313$')"
	after_checks "in the sandbox" boxed
else
	for c in "ran in it" "ends before the grace" "says so" "no process left" "the work area is gone" "the lock is free"; do
		skip "in the sandbox: $c" "bwrap does not work here"
	done
fi
finish
