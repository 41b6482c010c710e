# t-install-crash.sh - cenv install killed with SIGKILL at many points, and at every step of
# its commit (txn.c's test hook), then run again: it ends as a clean install does.
. "$(dirname "$0")/lib.sh"
plan 35
. "$(dirname "$0")/lib-install.sh"

kill_fixture
K="$TMP_ROOT/kill"
clean=$(clean_state "$K") || fail "clean install for the SIGKILL tests"
for delay in 0.01 0.05 0.1 0.2 0.35 0.5; do
	"$CENV_BIN" create --clear "$K" >/dev/null
	(cd "$P" && exec "$CENV_BIN" install -e "$K" -f kill.ini) >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	(cd "$P" && "$CENV_BIN" install -e "$K" -f kill.ini) >/dev/null 2>"$SCRATCH/kill.err"
	check_eq "SIGKILL after ${delay}s, then install: same tree as a clean install" "$clean" "$(env_state "$K")"
done
# crash_at K MANIFEST: install, killed by txn.c's test hook before its K-th change.
# (through sh, so that bash does not report the killed job)
crash_at() {
	sh -c 'cd "$1" && CENV_TEST_CRASH_AT=$2 "$3" install -e "$4" -f "$5"; exit 0' sh "$P" "$1" "$CENV_BIN" "$K" "$2" >/dev/null 2>&1
}
# inside the commit itself, at every file-system step (test hook of txn.c)
for k in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
	"$CENV_BIN" create --clear "$K" >/dev/null
	crash_at "$k" kill.ini
	(cd "$P" && "$CENV_BIN" install -e "$K" -f kill.ini) >/dev/null 2>&1
	check_eq "SIGKILL at commit step $k, then install: same tree as a clean install" "$clean" "$(env_state "$K")"
done
# and while replacing an installed version
"$MK" "$P/ka2.tar" tar 'd:ka-2.0/' 'd:ka-2.0/include/' 'd:ka-2.0/include/ka/' 'f:ka-2.0/include/ka/a.h:int a2;' 'f:ka-2.0/include/ka/c.h:int c;'
"$CENV_BIN" create --clear "$K" >/dev/null
(cd "$P" && "$CENV_BIN" install -e "$K" -f kill.ini) >/dev/null 2>&1
old=$(env_state "$K")
for k in 1 2 3 4 5 6 7 8 9 10 11 12; do
	sed -e "s/^url = ka.tar/url = ka2.tar/" -e "s/^sha256 = $(sha256sum "$P/ka.tar" | cut -d' ' -f1)/sha256 = $(sha256sum "$P/ka2.tar" | cut -d' ' -f1)/" "$P/kill.ini" >"$P/kill2.ini"
	crash_at "$k" kill2.ini
	(cd "$P" && "$CENV_BIN" list -e "$K") >/dev/null 2>&1 # any command recovers under the lock
	(cd "$P" && "$CENV_BIN" install -e "$K" -f kill.ini) >/dev/null 2>&1
	check_eq "SIGKILL at step $k of a replacement, then install: same tree as before" "$old" "$(env_state "$K")"
done

# an interrupted change is rolled back by list too, which says so
"$CENV_BIN" create --clear "$K" >/dev/null
crash_at 6 kill.ini
"$CENV_BIN" list -e "$K" >/dev/null 2>"$SCRATCH/list.err"
check "list rolls back an interrupted change and says so" grep -q "rolled back a change that was interrupted" "$SCRATCH/list.err"
finish
