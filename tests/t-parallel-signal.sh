# t-parallel-signal.sh - issue 12: Ctrl-C (SIGINT to cenv's process group, as a terminal sends
# it) and SIGTERM during a parallel install.  Ten rounds interrupt a run of downloads (from
# tests/httpd.py on 127.0.0.1, slowed by its 503-then-200 and cut modes) and builds at random
# moments, one in each tenth of 0.05..2 s; each round must leave a clean install of the packages
# committed so far, no work directory, no .part, no process of a build, exit status 130, and the
# next install must complete.  Then a build that sleeps beside one that forks children into the
# background: after Ctrl-C nothing of either is left; SIGTERM: 143; a second Ctrl-C skips the grace.
. "$(dirname "$0")/lib.sh"
plan 75
. "$(dirname "$0")/lib-install.sh"
. "$(dirname "$0")/lib-http.sh"

# The builds run in the sandbox where it works (side by side: without it cenv builds one at a
# time), each manifest making the markers' directory writable in it (sandbox-writable; its
# private /tmp would hide them).  Their processes are known by MARK:
# in their environment (the Makefile exports it: every child inherits it, a daemon in a session
# of its own too), in the recipe's command line, or by a working directory in an environment of
# the test; never by a pid written down (pid_max may be 32768: a pid is soon someone else's).
export XDG_CACHE_HOME="$TMP_ROOT/cache"
WWW="$TMP_ROOT/www"
MARK="cenv-psig-$$-$RANDOM"
ON="$TMP_ROOT/on" # the markers of the builds that run
mkdir -p "$WWW" "$ON"
trap 'stop_server; kill_leftovers; chmod -R u+w "$TMP_ROOT" 2>/dev/null; rm -rf "$TMP_ROOT" "$SCRATCH"' EXIT
start_server

# sig_pkg NAME SECONDS [LINE]: $P/NAME-1.0.tar.gz, a make build (MARK in its environment and its
# command line) that runs LINE, sleeps SECONDS and installs include/NAME.h ("int NAME;") and
# share/NAME/built ("NAME"); a padding of 256 KiB that is not installed makes its download last
sig_pkg() {
	local d="$P/src/$1-1.0"
	rm -rf "$d" && mkdir -p "$d"
	head -c 262144 /dev/urandom >"$d/padding"
	printf 'export CENV_TEST_MARK := %s
all:
	: %s; %s sleep %s
install:
	mkdir -p $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/share/%s
	echo "int %s;" > $(DESTDIR)$(PREFIX)/include/%s.h
	echo %s > $(DESTDIR)$(PREFIX)/share/%s/built
' \
		"$MARK" "$MARK" "${3:+$3;}" "$2" "$1" "$1" "$1" "$1" "$1" >"$d/Makefile"
	bsdtar -czf "$P/$1-1.0.tar.gz" -C "$P/src" "$1-1.0"
}
# DAEMON: a recipe's words that leave a child in the background in the build's group, and a
# daemon in a session of its own (a double fork: setsid from a subshell), out of the work area
DAEMON="sleep 1000 & (cd / && setsid sh -c ': $MARK; sleep 1000; :' >/dev/null 2>&1 &)"

# in_envs: the processes whose working directory is in an environment of the test (a build's
# work area), one pid a line (find reads the links, without a process for each)
in_envs() {
	find /proc/[0-9]*/cwd -maxdepth 0 -lname "$TMP_ROOT/env*" 2>/dev/null | sed 's|^/proc/||; s|/cwd$||'
}
# kill_leftovers: on code that lets builds outlive it, they must not outlive the test
kill_leftovers() {
	pkill -KILL -f -- "$MARK" 2>/dev/null
	{ survivors | xargs -n1; in_envs; } | xargs -r kill -KILL 2>/dev/null
}
# survivors: every process of a build still there: MARK in its environment or its command
# line, or its working directory in an environment of the test
survivors() {
	{
		grep -l -a -F "CENV_TEST_MARK=$MARK" /proc/[0-9]*/environ 2>/dev/null | sed 's|^/proc/||; s|/environ$||'
		pgrep -f -- "$MARK"
		in_envs
	} | sort -un | xargs
}
# watched BASE CMD...: runs CMD, its pid in BASE.pid and its exit status, as a shell gives it
# (128 + N for a death by signal N), in BASE.status.  A subreaper that reaps its child only, as
# some inits and container runtimes: an orphan of a build that cenv leaves behind stays there.
# SIGINT reaches the watcher too when sent to the job; it ignores it, CMD gets it at its default.
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
    f.write("%d" % (128 - st if st < 0 else st))
os.rename(base + ".status.tmp", base + ".status")
' "$@"
}
# start_install BASE E MANIFEST: cenv install -j 4 in the background, in a process group of its
# own (job control, as a terminal runs it); $job the group, $pid cenv's pid
start_install() {
	rm -f "$SCRATCH/$1".*
	set -m
	watched "$SCRATCH/$1" "$CENV_BIN" install -j 4 -e "$2" -f "$3" &
	job=$!
	set +m
	for ((i = 0; i < 500; i++)); do [ -s "$SCRATCH/$1.pid" ] && break; sleep 0.01; done
	pid=$(cat "$SCRATCH/$1.pid")
}
# end_install BASE: waits for it (20 s at most, then SIGKILL); $st its status, $ms the time
# from $t0 to its end
end_install() {
	for ((i = 0; i < 2000; i++)); do [ -s "$SCRATCH/$1.status" ] && break; sleep 0.01; done
	ms=$((($(date +%s%N) - t0) / 1000000))
	[ -s "$SCRATCH/$1.status" ] || { kill -KILL "$pid"; sleep 0.1; }
	wait "$job"
	st=$(cat "$SCRATCH/$1.status" 2>/dev/null || echo "still running after 20 s")
}
no_part() { find "$XDG_CACHE_HOME" -name '*.part' 2>/dev/null | xargs; }
no_work() { ls -A "$1/var/cenv/work" 2>/dev/null | xargs; }
# clean E: "clean N" when E holds exactly the packages it has records of, N of them: cenv list
# names those, each one's files are there with their contents, nothing else is in include/ and
# share/ (but the layout's empty directories), cenv check passes, and the lock is free (timeout 5)
clean() {
	local e=$1 names want got
	names=$(ls "$e/var/cenv/records" 2>/dev/null | LC_ALL=C sort | xargs)
	want=$(for n in $names; do printf 'include/%s.h = int %s;\nshare/%s/built = %s\n' "$n" "$n" "$n" "$n"; done | LC_ALL=C sort)
	got=$(cd "$e" && find include share -type f | LC_ALL=C sort | while read -r f; do printf '%s = %s\n' "$f" "$(cat "$f")"; done)
	if [ "$names" != "$(timeout 5 "$CENV_BIN" list -e "$e" 2>&1 | awk 'NR > 1 { print $1 }' | LC_ALL=C sort | xargs)" ]; then
		echo "cenv list: $(timeout 5 "$CENV_BIN" list -e "$e" 2>&1 | xargs) records: $names"
	elif [ "$want" != "$got" ]; then
		echo "files: $(diff <(echo "$want") <(echo "$got") | grep '^[<>]' | xargs)"
	elif ! timeout 5 "$CENV_BIN" check -e "$e" >"$SCRATCH/check" 2>&1; then
		echo "cenv check: $(xargs <"$SCRATCH/check")"
	else
		echo "clean $(wc -w <<<"$names")"
	fi
}

# ---- ten rounds: downloads and builds, SIGINT at a random moment ---------------------------
# h1: its first request answered 503 with Retry-After: 1; h2 (after h1): cut half-way, resumed
# after the backoff; h3 (after h2): served at once; l1, l2 (after l1, leaves children behind), l3
# (after l2 and h3) are local archives.  The whole takes about 3 s with -j 4
# (1 s + 4 builds one after another, 2.5 s), more than the longest delay (2 s).
sig_pkg h1 0.3
sig_pkg h2 0.3
sig_pkg h3 0.3
sig_pkg l1 0.4
sig_pkg l2 0.4 "$DAEMON"
sig_pkg l3 0.6
cp "$P"/h[123]-1.0.tar.gz "$WWW/"
all6="clean 6"
# web_entry NAME URL [KEY=VALUE...]: the section of $P/NAME-1.0.tar.gz served at URL
web_entry() { entry "$1" "${@:3}" | sed "s|^url = .*|url = $2|"; }
round_manifest() { # R: the manifest of round R (its own keys for the server's first-request modes)
	{
		printf '[cenv]\nsandbox-writable = %s\n\n' "$ON"
		web_entry h1 "$URL/status/503-then-200/h1-1.0.tar.gz?t=$1\&retry-after=1"
		web_entry h2 "$URL/cut/h2-1.0.tar.gz?t=$1" depends=h1
		web_entry h3 "$URL/h3-1.0.tar.gz?t=$1" depends=h2
		entry l1
		entry l2 depends=l1
		entry l3 "depends=l2, h3"
	} >"$P/round$1.ini"
}
partial=0 during_part=0 during_build=0 bad_said=
for r in 0 1 2 3 4 5 6 7 8 9; do
	E="$TMP_ROOT/env$r"
	"$CENV_BIN" create "$E" >/dev/null || fail "create"
	rm -rf "$XDG_CACHE_HOME"
	round_manifest "$r"
	delay=$(awk -v r="$r" -v x="$RANDOM" 'BEGIN { printf "%.3f", 0.05 + 0.195 * (r + x / 32768) }')
	start_install "r$r" "$E" "$P/round$r.ini"
	t0=$(date +%s%N)
	sleep "$delay"
	[ -n "$(no_part)" ] && during_part=$((during_part + 1))
	[ -n "$(no_work "$E")" ] && during_build=$((during_build + 1))
	kill -INT -- "-$job" 2>/dev/null
	end_install "r$r"
	# what cenv left, before any other cenv command (one would recover a work area left behind)
	work=$(no_work "$E") part=$(no_part) left=$(survivors)
	check_eq "round $r (SIGINT after $delay s): cenv ends with status 130" "130" "$st"
	got=$(clean "$E")
	case $got in "clean "[1-5]) partial=$((partial + 1)) ;; esac
	# its line says how many changes stay: the packages committed, from their records
	n=$(ls "$E/var/cenv/records" 2>/dev/null | wc -l)
	case $n in 0) want="nothing was changed" ;; 1) want="the 1 change made before it stays" ;; *) want="the $n changes made before it stay" ;; esac
	grep "^cenv: install interrupted by SIGINT" "$SCRATCH/r$r.err" | grep -qF "; $want" || bad_said="$bad_said round $r ($n committed): $(grep "interrupted" "$SCRATCH/r$r.err")"
	check "round $r: the environment is a clean install of the packages committed ($got)" \
		eval 'case $got in "clean "[0-6]) true ;; *) false ;; esac'
	check_eq "round $r: no work directory is left" "" "$work"
	check_eq "round $r: no .part is left in the download cache" "" "$part"
	check_eq "round $r: no process of a build survives cenv" "" "$left"
	kill_leftovers
	"$CENV_BIN" install -j 4 -e "$E" -f "$P/round$r.ini" >"$SCRATCH/next.out" 2>&1 && st=0 || st=$?
	check_eq "round $r: the next install completes: all six installed, clean, no work, no .part, no process" \
		"0 .. $all6" "$st $(no_work "$E").$(no_part).$(survivors) $(clean "$E")"
	kill_leftovers
done
check_eq "every round's line of the interrupt counts the changes that stay as the packages committed" "" "$bad_said"
# the rounds reached the stages they are about (the moments are random, one in each tenth of
# the span, so these hold on a scheduler that overlaps downloads and builds)
check "some rounds were interrupted while a download's .part was in the cache ($during_part)" test "$during_part" -ge 1
check "some rounds were interrupted while a build's work directory was there ($during_build)" test "$during_build" -ge 2
check "some rounds were interrupted with some packages committed and others not ($partial)" test "$partial" -ge 2

# ---- a build that sleeps beside one that forks children into the background ----------------
sig_pkg sleeper 300 "touch $ON/sleeper.on"
sig_pkg forker 300 "$DAEMON; touch $ON/forker.on"
sig_pkg stubborn 300 "trap '' TERM; touch $ON/stubborn.on"
{ printf '[cenv]\nsandbox-writable = %s\n\n' "$ON"; entry sleeper; entry forker; } >"$P/two.ini"
# interrupt LABEL MANIFEST WAIT... SIGNAL: installs MANIFEST into a fresh environment, waits for
# the markers WAIT (their builds run), sends SIGNAL: INT to the group, TERM to cenv alone,
# INT2 twice to the group, 0.3 s apart
interrupt() {
	local label=$1 ini=$2 sig=${!#} m i
	E="$TMP_ROOT/env-$label"
	"$CENV_BIN" create "$E" >/dev/null || fail "create"
	start_install "$label" "$E" "$ini"
	for ((i = 0; i < 1000; i++)); do
		m=0
		for w in "${@:3:$#-3}"; do [ -e "$ON/$w.on" ] && m=$((m + 1)); done
		[ "$m" = $(($# - 3)) ] || [ -s "$SCRATCH/$label.status" ] && break
		sleep 0.01
	done
	started="$m of $(($# - 3)) builds running"
	t0=$(date +%s%N)
	case $sig in
	INT) kill -INT -- "-$job" 2>/dev/null ;;
	TERM) kill -TERM "$pid" 2>/dev/null ;;
	INT2) kill -INT -- "-$job" 2>/dev/null; sleep 0.3; kill -INT -- "-$job" 2>/dev/null ;;
	esac
	end_install "$label"
	work=$(no_work "$E") left=$(survivors)
	rm -f "$ON"/*.on
}
interrupt ctrlc "$P/two.ini" sleeper forker INT
check_eq "Ctrl-C with a sleeping and a forking build, both running: status 130" "2 of 2 builds running: 130" "$started: $st"
check "... cenv ends within a few seconds (${ms} ms)" test "$st" = 130 -a "$ms" -lt 5000
check_eq "... no process of either build is left (the background child and the daemon included)" \
	"2 of 2 builds running, none left" "$started, ${left:-none left}"
check_eq "... no work directory, and the environment holds nothing" " clean 0" "$work $(clean "$E")"
check_eq "... it says which builds it stopped, and that nothing was changed" \
	"cenv: install interrupted by SIGINT: stopped the builds of 'sleeper', 'forker'; nothing was changed" \
	"$(grep interrupted "$SCRATCH/ctrlc.err")"
kill_leftovers
interrupt term "$P/two.ini" sleeper forker TERM
check_eq "SIGTERM once to cenv, both builds running: status 143" "2 of 2 builds running: 143" "$started: $st"
check_eq "... no process of either build is left, nothing installed, no work directory" \
	"2 of 2 builds running, none left,  clean 0" "$started, ${left:-none left}, $work $(clean "$E")"
check_eq "... it says SIGTERM stopped both builds" \
	"cenv: install interrupted by SIGTERM: stopped the builds of 'sleeper', 'forker'; nothing was changed" \
	"$(grep interrupted "$SCRATCH/term.err")"
kill_leftovers
# a build that ignores SIGTERM: the first Ctrl-C waits the grace (3 s) before SIGKILL, a second
# one skips the wait
{ printf '[cenv]\nsandbox-writable = %s\n\n' "$ON"; entry stubborn; entry sleeper; } >"$P/stubborn.ini"
interrupt twice "$P/stubborn.ini" stubborn sleeper INT2
check_eq "a second Ctrl-C, with a build that ignores SIGTERM running: status 130" "2 of 2 builds running: 130" "$started: $st"
check "... cenv ends well before the 3 s grace is over (${ms} ms)" test "$st" = 130 -a "$ms" -lt 2500
check_eq "... nothing of the builds is left, nothing installed" "2 of 2 builds running, none left clean 0" \
	"$started, ${left:-none left} $(clean "$E")"
finish
