# t-install-lock.sh - two installs into one environment never interleave: the second waits for
# the first's lock, and a reader does not wait at all.
. "$(dirname "$0")/lib.sh"
plan 5
. "$(dirname "$0")/lib-install.sh"

umask 022 # the modes of the written-down tree
kill_fixture
kill_pieces
clean=$(expected layout ka1 slow) # what a clean install of kill.ini leaves

C="$TMP_ROOT/conc"
"$CENV_BIN" create "$C" >/dev/null
(cd "$P" && "$CENV_BIN" install -e "$C" -f kill.ini) >"$SCRATCH/c1.out" 2>"$SCRATCH/c1.err" &
p1=$!
sleep 0.1
(cd "$P" && "$CENV_BIN" install -e "$C" -f kill.ini) >"$SCRATCH/c2.out" 2>"$SCRATCH/c2.err" &
p2=$!
sleep 0.2
# a reader does not wait for a long build: it sees the records as they are
out=$(timeout 2 "$CENV_BIN" list -e "$C" 2>&1); st=$?
check_eq "list during an install answers at once" "0" "$st"
wait "$p1"; s1=$?
wait "$p2"; s2=$?
check_eq "two concurrent installs both succeed" "0 0" "$s1 $s2"
check "the second waits for the first, saying so" grep -q "waiting for another cenv process" "$SCRATCH/c2.err"
check "the second then finds nothing to do" grep -q "up to date" "$SCRATCH/c2.out"
check_eq "two concurrent installs end as a clean install (the tree written down in lib-install.sh)" "$clean" "$(listing "$C")"
finish
