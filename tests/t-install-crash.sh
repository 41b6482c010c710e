# t-install-crash.sh - cenv install killed with SIGKILL at every step of its commit (txn.c's test
# hook) and at a few moments picked by a timer. Each time: the kill happened (status 137); the
# next command recovers, saying so when it rolled back; right after it the tree is exactly one the
# test writes down from what it put in the archives (before or after the commit point); and an
# install then ends as a clean install's tree, also written down.
. "$(dirname "$0")/lib.sh"
plan 143
. "$(dirname "$0")/lib-install.sh"

umask 022 # the modes of the written-down trees
kill_fixture
ka2_fixture
kill_pieces
K="$TMP_ROOT/kill"
fresh=$(expected layout)
ka_only=$(expected layout ka1)
clean=$(expected layout ka1 slow)       # a clean install of kill.ini
replaced=$(expected layout ka2 slow)    # and then of kill2.ini

# crash_at K MANIFEST: install, killed by txn.c's test hook right before its K-th change;
# prints the exit status (137: killed by SIGKILL; sh, so that bash does not report the job)
crash_at() {
	sh -c 'cd "$1" && CENV_TEST_CRASH_AT=$2 "$3" install -e "$4" -f "$5" >/dev/null 2>&1; echo $?' \
		sh "$P" "$1" "$CENV_BIN" "$K" "$2"
}
# phase: what the journal says of the killed change: none (not written yet), pending, committed
phase() {
	if [ ! -e "$K/var/cenv/journal" ]; then echo none
	elif grep -qx committed "$K/var/cenv/journal"; then echo committed
	else echo pending; fi
}
# recovered NAME PHASE BEFORE AFTER: `cenv list` recovers: it says it rolled back when the change
# was pending (and nothing otherwise), and leaves the tree BEFORE (none, pending) or AFTER
recovered() {
	local want_err= want=$3 st
	[ "$2" != pending ] || want_err="cenv: rolled back a change that was interrupted"
	[ "$2" != committed ] || want=$4
	"$CENV_BIN" list -e "$K" >/dev/null 2>"$SCRATCH/list.err" && st=0 || st=$?
	check_eq "$1 ($2): list recovers, status 0, saying '$want_err'" "0 $want_err" "$st $(cat "$SCRATCH/list.err")"
	check_eq "$1 ($2): right after recovery, the tree $([ "$want" == "$3" ] && echo before || echo after) the commit point" \
		"$want" "$(listing "$K")"
}
# steps WHAT MANIFEST BEFORE AFTER END SETUP: kills the install of MANIFEST at step 1, 2, ... while
# it is killed (SETUP makes the tree BEFORE first); after each, recovery then an install of
# MANIFEST that ends as END. The first k not killed must be an install that completes (status 0),
# ending as END; the journal must have been seen pending, then committed (in that order).
steps() {
	local what=$1 manifest=$2 before=$3 after=$4 end=$5 setup=$6 k=1 st ph phases=
	while :; do
		$setup
		st=$(crash_at "$k" "$manifest")
		[ "$st" != 137 ] && [ "$k" -gt 1 ] && break
		check_eq "$what, SIGKILL at step $k: killed (status 137)" 137 "$st"
		ph=$(phase)
		phases="$phases${ph:0:1}"
		recovered "$what, SIGKILL at step $k" "$ph" "$before" "$after"
		(cd "$P" && "$CENV_BIN" install -e "$K" -f "$manifest") >/dev/null 2>"$SCRATCH/install.err"
		check_eq "$what, SIGKILL at step $k, then install: the tree of a clean install" "$end" "$(listing "$K")"
		k=$((k + 1))
		[ "$k" -le 60 ] || { fail "$what: still killed at step 60"; return; }
	done
	check_eq "$what, CENV_TEST_CRASH_AT=$k (one past the last step, $((k - 1))): not killed, status 0" 0 "$st"
	check_eq "$what, CENV_TEST_CRASH_AT=$k: the tree of a clean install" "$end" "$(listing "$K")"
	check "$what: the journal was missing or pending, then committed ($phases)" \
		grep -Eqx 'n*p+c+' <<<"$phases"
}

fresh_env() { "$CENV_BIN" create --clear "$K" >/dev/null; }
old_env() { fresh_env && (cd "$P" && "$CENV_BIN" install -e "$K" -f kill.ini) >/dev/null 2>&1; }

# the written-down trees are those of clean installs (else every check below would fail)
fresh_env
check_eq "a new environment: the layout written down here" "$fresh" "$(listing "$K")"
(cd "$P" && "$CENV_BIN" install -e "$K" -f kill.ini) >/dev/null 2>&1
check_eq "install kill.ini: the tree written down here" "$clean" "$(listing "$K")"
(cd "$P" && "$CENV_BIN" install -e "$K" -f kill2.ini) >/dev/null 2>&1
check_eq "then kill2.ini (ka 1.0 -> 2.0): the tree written down here" "$replaced" "$(listing "$K")"

# a fresh install (ka's commit is the one killed: slow comes after it)
steps "fresh install" kill.ini "$fresh" "$ka_only" "$clean" fresh_env
# a replacement of ka 1.0 by 2.0, slow staying
steps "replacing ka 1.0 by 2.0" kill2.ini "$clean" "$replaced" "$replaced" old_env

# killed after a delay: then it is one of the trees a run of whole commits leaves (none, ka, ka
# and slow), that last one only if it finished; recovery says so when it rolled back
for delay in 0.01 0.05 0.1 0.2 0.35 0.5; do
	fresh_env
	(cd "$P" && exec "$CENV_BIN" install -e "$K" -f kill.ini) >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null && st=0 || st=$?
	ph=$(phase)
	"$CENV_BIN" list -e "$K" >/dev/null 2>"$SCRATCH/list.err" && lst=0 || lst=$?
	want_err=
	[ "$ph" != pending ] || want_err="cenv: rolled back a change that was interrupted"
	check_eq "SIGKILL after ${delay}s ($ph): list recovers, status 0, saying '$want_err'" \
		"0 $want_err" "$lst $(cat "$SCRATCH/list.err")"
	tree=$(listing "$K")
	case $st:$tree in
	137:"$fresh") pass "SIGKILL after ${delay}s: right after recovery, a written-down tree (killed: no package)" ;;
	137:"$ka_only") pass "SIGKILL after ${delay}s: right after recovery, a written-down tree (killed: ka alone)" ;;
	137:"$clean" | 0:"$clean") pass "SIGKILL after ${delay}s: right after recovery, a written-down tree (status $st: ka and slow)" ;;
	*) fail "SIGKILL after ${delay}s: right after recovery, a written-down tree" "status $st (137 or 0 wanted; 0 only with ka and slow); the tree against ka and slow:" \
		"$(diff <(printf '%s\n' "$clean") <(printf '%s\n' "$tree") | head -20)" ;;
	esac
	(cd "$P" && "$CENV_BIN" install -e "$K" -f kill.ini) >/dev/null 2>&1
	check_eq "SIGKILL after ${delay}s, then install: the tree of a clean install" "$clean" "$(listing "$K")"
done
finish
