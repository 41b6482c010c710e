# t-harden-signal.sh - SIGTERM, SIGHUP or SIGINT to `cenv install` while a build runs (issue 8,
# item 9; SIGQUIT too, fixsig): cenv stops the build's whole process group (SIGKILL for one that ignores SIGTERM),
# removes the work area, releases the lock and dies by the signal, saying so in one line; nothing
# of the build outlives it, and the orphan's output never reaches the next install.  A daemon the
# build leaves (setsid, a double fork) is killed when its step ends, whether the step succeeded,
# failed or was interrupted: it never writes into the work area afterwards (fixsig).
. "$(dirname "$0")/lib.sh"
plan 58
. "$(dirname "$0")/lib-install.sh"

# These cases are about the process groups of builds run as they are (--sandbox=off): the builds
# write down their pids, which a sandbox's PID namespace would renumber, into the test's tree,
# which a sandbox's private /tmp would hide.  t-sandbox.sh has the sandboxed cases.
# The builds write down their processes here, one directory per case (the test's own tree).
PIDS="$TMP_ROOT/pids"
mkdir -p "$P/bad" "$P/good"

# hang_archive NAME TRAP [LAUNCH]: $P/bad/NAME-1.0.tar, a make build whose `make install` installs
# include/NAME.h, then starts an orphan that keeps writing share/orphan.txt into the stage and
# ORPHAN-OUTPUT to the log, writes down its processes (make, the recipe's shell, the orphan, the
# group) and a marker, and sleeps.  TRAP goes first in the recipe ("trap '' TERM": all of it
# ignores SIGTERM).  LAUNCH goes in front of the orphan ("setsid": out of the build's group).
hang_archive() {
	local name=$1 trap=$2 launch=${3:-} d="$P/src/bad/$1-1.0"
	mkdir -p "$d"
	cat >"$d/Makefile" <<MK
all:
	@echo built
install:
	mkdir -p \$(DESTDIR)\$(PREFIX)/include
	echo 'int $name;' > \$(DESTDIR)\$(PREFIX)/include/$name.h
	@$trap d='$PIDS/$name'; \\
	$launch sh -c 'i=0; while [ \$\$i -lt 3000 ]; do mkdir -p "\$\$1/share" && echo orphan > "\$\$1/share/orphan.txt"; echo ORPHAN-OUTPUT; sleep 0.02; i=\$\$((i+1)); done' orphan "\$(DESTDIR)\$(PREFIX)" & \\
	echo \$\$! > "\$\$d/orphan"; echo \$\$\$\$ > "\$\$d/sh"; ps -o ppid= -p \$\$\$\$ | tr -d ' ' > "\$\$d/make"; \\
	ps -o pgid= -p \$\$\$\$ | tr -d ' ' > "\$\$d/pgid"; touch "\$\$d/marker"; sleep 300
MK
	bsdtar -cf "$P/bad/$name-1.0.tar" -C "$P/src/bad" "$name-1.0"
}
# good_archive NAME: $P/good/NAME-1.0.tar, the same package built normally (in half a second):
# it installs include/NAME.h and nothing else
good_archive() {
	local name=$1 d="$P/src/good/$1-1.0"
	mkdir -p "$d"
	printf 'all:\n\tsleep 0.5\ninstall:\n\tmkdir -p $(DESTDIR)$(PREFIX)/include\n\techo '"'int %s;'"' > $(DESTDIR)$(PREFIX)/include/%s.h\n' \
		"$name" "$name" >"$d/Makefile"
	bsdtar -cf "$P/good/$name-1.0.tar" -C "$P/src/good" "$name-1.0"
}

# The processes a case wrote down, for the checks and the cleanup; and the recipe's sleep.
recorded_pids() {
	local p
	cat "$PIDS/$1/make" "$PIDS/$1/sh" "$PIDS/$1/orphan" 2>/dev/null
	for p in $(cat "$PIDS/$1/sh" 2>/dev/null); do pgrep -P "$p"; done
}
# alive PID...: the ones that still exist (a zombie included: it is not reaped)
alive() {
	local p
	for p in "$@"; do kill -0 "$p" 2>/dev/null && printf '%s ' "$p"; done
}
# watched BASE CMD...: runs CMD, its pid in BASE.pid, its output in BASE.out and BASE.err, and
# how it ended in BASE.status: "killed by signal N" or "exit N" (bash's $? cannot tell them
# apart).  SIGINT reaches the watcher too when sent to the job; it ignores it, CMD gets it at its
# default.  The watcher is a subreaper that never reaps what is not its child, as some inits and
# container runtimes: an orphan of the build that cenv does not adopt and reap stays a zombie.
watched() {
	python3 -c '
import ctypes, os, signal, subprocess, sys
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
base = sys.argv[1]
p = subprocess.Popen(sys.argv[2:], stdout=open(base + ".out", "w"), stderr=open(base + ".err", "w"),
                     preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
signal.signal(signal.SIGINT, signal.SIG_IGN)
with open(base + ".pid.tmp", "w") as f:
    f.write("%d\n" % p.pid)
os.rename(base + ".pid.tmp", base + ".pid")
st = p.wait()
with open(base + ".status.tmp", "w") as f:
    f.write("killed by signal %d" % -st if st < 0 else "exit %d" % st)
os.rename(base + ".status.tmp", base + ".status")
' "$@"
}
# The test's own process group: a build in it did not get a group of its own.
our_pgid=$(ps -o pgid= -p $$ | tr -d ' ')
leftovers=()

# signal_case LABEL NAME SIG HOW STATUS: installs $P/bad/NAME-1.0.tar into a fresh environment,
# sends SIG once the build runs, to cenv alone (HOW=pid: kill(1), a supervisor) or to cenv's
# process group (HOW=group: what a terminal's Ctrl-C does); cenv must die of it (re-raised after
# its cleanup) within 20 s.  Eight checks.
signal_case() {
	local label=$1 name=$2 sig=$3 how=$4 E="$TMP_ROOT/env-$2" pid job st i pgid left rec t0 ms
	"$CENV_BIN" create "$E" >/dev/null
	mkdir -p "$PIDS/$name"
	# job control: the job gets a group of its own and SIGINT at its default, as in a terminal
	set -m
	watched "$SCRATCH/$label" "$CENV_BIN" install --sandbox=off -e "$E" "$P/bad/$name-1.0.tar" &
	job=$!
	set +m
	for ((i = 0; i < 500; i++)); do [ -s "$SCRATCH/$label.pid" ] && break; sleep 0.01; done
	pid=$(cat "$SCRATCH/$label.pid")
	for ((i = 0; i < 1000; i++)); do
		[ -e "$PIDS/$name/marker" ] && break
		sleep 0.01
	done
	if [ ! -e "$PIDS/$name/marker" ]; then
		fail "$label: the build starts (fixture)" "no marker after 10 s" "$(cat "$SCRATCH/$label.err")"
	fi
	t0=$(date +%s%N)
	if [ "$how" = group ]; then kill -s "$sig" -- "-$job"; else kill -s "$sig" "$pid"; fi
	for ((i = 0; i < 2000; i++)); do
		[ -s "$SCRATCH/$label.status" ] && break
		sleep 0.01
	done
	ms=$((($(date +%s%N) - t0) / 1000000))
	[ -s "$SCRATCH/$label.status" ] || { kill -KILL "$pid"; echo "still running after 20 s" >"$SCRATCH/$label.status"; }
	wait "$job"
	# a build that obeys SIGTERM is gone well before the grace (3 s) ends; one that ignores it
	# is killed when it ends
	if [ "$sig" = TERM ] && [ "$name" = stubborn ]; then
		check_eq "$label: cenv ends after the grace of 3 s and before 9 s" "yes" \
			"$([ "$ms" -ge 2900 ] && [ "$ms" -lt 9000 ] && echo yes || echo "no: $ms ms")"
	else
		check_eq "$label: cenv ends before the grace of 3 s (every process of the build reaped)" "yes" \
			"$([ "$ms" -lt 2500 ] && echo yes || echo "no: $ms ms")"
	fi
	check_eq "$label: cenv dies of SIG$sig within 20 s, saying in one line that it stopped the build" \
		"killed by signal $(kill -l "$sig") cenv: install interrupted by SIG$sig: stopped the build of '$name'; nothing was changed" \
		"$(cat "$SCRATCH/$label.status") $(cat "$SCRATCH/$label.err")"
	pgid=$(cat "$PIDS/$name/pgid" 2>/dev/null)
	check_eq "$label: the build ran in a process group of its own, led by its make" \
		"$(cat "$PIDS/$name/make" 2>/dev/null) other than ours" \
		"$pgid $([ "$pgid" != "$our_pgid" ] && echo other than ours)"
	# nothing of the build is left: its recorded processes, and any other in its group
	left=$(alive $(recorded_pids "$name"))
	if [ -n "$pgid" ] && [ "$pgid" != "$our_pgid" ]; then
		left="$left$(pgrep -g "$pgid" | tr '\n' ' ')"
	fi
	check_eq "$label: no process of the build outlives cenv (kill -0, pgrep -g)" "" "$left"
	leftovers+=($(alive $(recorded_pids "$name")))
	check_eq "$label: the work area is gone" "absent" \
		"$(if [ -e "$E/var/cenv/work/$name" ]; then echo present; else echo absent; fi)"
	# the lock is free: a list does not wait (it would say so, and time out)
	out=$(timeout 5 "$CENV_BIN" list -e "$E" 2>&1) && st=0 || st=$?
	check_eq "$label: the lock is free and '$name' is not installed (timeout 5 cenv list)" \
		"0 no packages installed" "$st $out"
	# the next install of the same package, built normally: its own files and output only
	good_archive "$name"
	"$CENV_BIN" install --sandbox=off -e "$E" "$P/good/$name-1.0.tar" >"$SCRATCH/$label.out2" 2>"$SCRATCH/$label.err2" && st=0 || st=$?
	rec=$(sed -n 's/^[fl] [0-7]* [0-9]* [0-9a-f]* //p' "$E/var/cenv/records/$name" 2>/dev/null)
	check_eq "$label: the next install records only its own file (no orphan.txt), and it alone is there" \
		"0 include/$name.h absent" \
		"$st $rec $(if [ -e "$E/share/orphan.txt" ]; then echo present; else echo absent; fi)"
	check_eq "$label: the next install's log has none of the orphan's output" "0" \
		"$(grep -c ORPHAN-OUTPUT "$E/var/cenv/logs/$name.log")"
}

hang_archive term ''
hang_archive hup ''
hang_archive int ''
hang_archive stubborn "trap '' TERM;"
signal_case SIGTERM term TERM pid
signal_case SIGHUP hup HUP pid
signal_case SIGINT int INT group
signal_case "SIGTERM ignored" stubborn TERM pid
# the orphan in a session of its own: the group's SIGTERM and SIGKILL miss it, cenv kills it
hang_archive setsid '' setsid
signal_case "SIGTERM, setsid orphan" setsid TERM pid
# ^\ (SIGQUIT) stops cenv like the others; no core file in the test's tree
hang_archive quit ''
ulimit -c 0
signal_case SIGQUIT quit QUIT pid

# daemon_archive NAME FAIL: $P/bad/NAME-1.0.tar, whose `make install` installs include/NAME.h,
# then leaves a daemon (setsid, from a subshell: a double fork) that writes down its pid and, for
# 6 s, writes include/orphan.h into the stage whenever the stage is there; FAIL=1: the step then
# fails.
daemon_archive() {
	local name=$1 d="$P/src/bad/$1-1.0"
	mkdir -p "$d" "$PIDS/$name"
	cat >"$d/Makefile" <<MK
all:
	@echo built
install:
	mkdir -p \$(DESTDIR)\$(PREFIX)/include
	echo 'int $name;' > \$(DESTDIR)\$(PREFIX)/include/$name.h
	(setsid sh -c 'echo \$\$\$\$ > "\$\$1"; sleep 0.5; i=0; while [ \$\$i -lt 300 ]; do [ -d "\$(DESTDIR)" ] && mkdir -p "\$(DESTDIR)\$(PREFIX)/include" && echo orphan > "\$(DESTDIR)\$(PREFIX)/include/orphan.h"; sleep 0.02; i=\$\$((i+1)); done' daemon '$PIDS/$name/daemon' >/dev/null 2>&1 &)
	while [ ! -s '$PIDS/$name/daemon' ]; do sleep 0.01; done
	exit $2
MK
	bsdtar -cf "$P/bad/$name-1.0.tar" -C "$P/src/bad" "$name-1.0"
}
# daemon_case LABEL NAME FAIL: installs it; the daemon is gone when cenv returns, the log says
# it was killed, nothing re-creates the work area, and the next install (FAIL=1) or this one
# (FAIL=0) records include/NAME.h alone.  Four checks.
daemon_case() {
	local label=$1 name=$2 E="$TMP_ROOT/env-$2" st dpid rec want said
	"$CENV_BIN" create "$E" >/dev/null
	daemon_archive "$name" "$3"
	"$CENV_BIN" install --sandbox=off -e "$E" "$P/bad/$name-1.0.tar" >"$SCRATCH/$name.out" 2>"$SCRATCH/$name.err" && st=0 || st=$?
	dpid=$(cat "$PIDS/$name/daemon" 2>/dev/null)
	if [ "$3" = 1 ]; then
		want="1 cenv: build of '$name' failed at make install (exit status 2); log: $E/var/cenv/logs/$name.log"
		said=$(head -n1 "$SCRATCH/$name.err")
	else
		want="0 $name 1.0: installed (make, 1 file, 0.0 KiB)"
		said=$(untimed "$SCRATCH/$name.out")
	fi
	check_eq "$label: cenv returns (status, message) and its daemon is gone at once" "$want gone" \
		"$st $said $([ -n "$dpid" ] && ! kill -0 "$dpid" 2>/dev/null && echo gone || echo "alive: '$dpid'")"
	# the daemon, and its sleep if it was between two: one or two
	check_eq "$label: the log says cenv killed the processes the step left running" "1" \
		"$(grep -cEx 'cenv: killed (1 process|2 processes) that make install left running' "$E/var/cenv/logs/$name.log")"
	sleep 1
	check_eq "$label: nothing re-creates the work area afterwards" "absent" \
		"$(if [ -e "$E/var/cenv/work/$name" ]; then echo present; else echo absent; fi)"
	[ -n "$dpid" ] && leftovers+=("$dpid")
	if [ "$3" = 1 ]; then
		good_archive "$name"
		"$CENV_BIN" install --sandbox=off -e "$E" "$P/good/$name-1.0.tar" >/dev/null 2>&1 && st=0 || st=$?
	fi
	rec=$(sed -n 's/^[fl] [0-7]* [0-9]* [0-9a-f]* //p' "$E/var/cenv/records/$name" 2>/dev/null)
	check_eq "$label: the install records include/$name.h alone (no orphan.h), and orphan.h is not there" \
		"0 include/$name.h absent" "$st $rec $(if [ -e "$E/include/orphan.h" ]; then echo present; else echo absent; fi)"
}
daemon_case "a failed step's daemon" dmfail 1
daemon_case "a successful step's daemon" dmok 0

# A signal while cenv waits for another install's lock: it stops waiting and dies by it.
W="$TMP_ROOT/env-wait"
"$CENV_BIN" create "$W" >/dev/null
mkdir -p "$PIDS/wait"
hang_archive wait ''
"$CENV_BIN" install --sandbox=off -e "$W" "$P/bad/wait-1.0.tar" >/dev/null 2>&1 &
holder=$!
for ((i = 0; i < 1000; i++)); do [ -e "$PIDS/wait/marker" ] && break; sleep 0.01; done
good_archive other
"$CENV_BIN" install --sandbox=off -e "$W" "$P/good/other-1.0.tar" >"$SCRATCH/w.out" 2>"$SCRATCH/w.err" &
waiter=$!
for ((i = 0; i < 500; i++)); do grep -q waiting "$SCRATCH/w.err" && break; sleep 0.01; done
kill -TERM "$waiter"
for ((i = 0; i < 50 && i >= 0; i++)); do kill -0 "$waiter" 2>/dev/null || break; sleep 0.1; done
kill -0 "$waiter" 2>/dev/null && kill -KILL "$waiter"
wait "$waiter" && st=0 || st=$?
check_eq "a waiting install dies by SIGTERM at once, saying it stopped waiting" \
	"143 cenv: waiting for another cenv process to finish with $W
cenv: stopped waiting for the lock of '$W': interrupted by SIGTERM" "$st $(cat "$SCRATCH/w.err")"
kill -TERM "$holder"
wait "$holder"
leftovers+=($(alive $(recorded_pids wait)))
check_eq "and the environment has nothing of 'other'" "" "$(ls "$W/include")"

# On code that lets builds outlive it, they must not outlive the test: each one still running in
# this test's tree (a pid reused since is someone else's).
for p in "${leftovers[@]}"; do
	case $(readlink "/proc/$p/cwd" 2>/dev/null) in "$TMP_ROOT"/*) kill -KILL "$p" ;; esac
done
finish
