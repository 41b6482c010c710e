# t-harden-state.sh - cenv's own files are never written through a planted symlink; two creates
# of one directory give one environment; the lock survives create --clear; list and freeze work
# read-only, for another user (issue 8, items 3, 5, 6 and 14).
. "$(dirname "$0")/lib.sh"
plan 22
. "$(dirname "$0")/lib-install.sh"

umask 022 # the modes of the written-down trees
kill_fixture
kill_pieces
sed -n '/^\[ka\]/,/^$/p' "$P/kill.ini" >"$P/ka.ini" # ka alone: prebuilt, quick
empty() { [ -d "$1" ] && [ -z "$(ls -A "$1")" ]; }

# ---- item 3: a symlink where cenv writes its own files is an error naming it ------------------
msg="is a symbolic link; cenv will not write through it"

E="$TMP_ROOT/e-bin" O="$TMP_ROOT/out-bin"
"$CENV_BIN" create "$E" >/dev/null && mkdir "$O" && rm -rf "$E/bin" && ln -s "$O" "$E/bin"
expect_fail "symlinked bin/: create --upgrade refuses it by name" 1 "^cenv: '$E/bin' $msg\$" \
	"$CENV_BIN" create --upgrade "$E"
check "symlinked bin/: no script written at its target" empty "$O"

E="$TMP_ROOT/e-state" O="$TMP_ROOT/out-state"
"$CENV_BIN" create "$E" >/dev/null && mv "$E/var/cenv" "$O" && ln -s "$O" "$E/var/cenv"
before=$(tree_state "$O")
expect_fail "symlinked var/cenv: list refuses it by name" 1 "^cenv: '$E/var/cenv' $msg\$" \
	"$CENV_BIN" list -e "$E"
check_eq "symlinked var/cenv: no lock made at its target" "$before" "$(tree_state "$O")"

E="$TMP_ROOT/e-rec" O="$TMP_ROOT/out-rec"
"$CENV_BIN" create "$E" >/dev/null && mkdir "$O" && ln -s "$O" "$E/var/cenv/records"
expect_fail "symlinked var/cenv/records: install refuses it by name" 1 \
	"^cenv: '$E/var/cenv/records' $msg\$" sh -c 'cd "$1" && "$2" install -e "$3" -f ka.ini' sh "$P" "$CENV_BIN" "$E"
check "symlinked var/cenv/records: no record at its target, no package file installed" \
	sh -c 'rmdir "$1" && [ ! -e "$2/include/ka" ] && [ ! -e "$2/lib/ka.txt" ]' sh "$O" "$E"

E="$TMP_ROOT/e-cfg" O="$TMP_ROOT/out-cfg"
"$CENV_BIN" create "$E" >/dev/null && mkdir "$O" && mv "$E/cenv.cfg" "$O/cenv.cfg" && ln -s "$O/cenv.cfg" "$E/cenv.cfg"
before=$(tree_state "$O")
expect_fail "symlinked cenv.cfg: create --upgrade refuses it by name" 1 "^cenv: '$E/cenv.cfg' $msg\$" \
	"$CENV_BIN" create --upgrade "$E"
check_eq "symlinked cenv.cfg: its target unchanged" "$before" "$(tree_state "$O")"

# ---- item 5: two creates of one DIR at once: exactly one environment --------------------------
# Rounds 1-200 with DIR absent, 201-300 with DIR an empty directory made beforehand.
loser_msg="already an environment|is not empty and is not a cenv environment|another process (made it meanwhile|is making an environment there)"
bad_count="" bad_env="" bad_msg=""
for i in $(seq 1 300); do
	X="$TMP_ROOT/race/$i"
	[ "$i" -le 200 ] || mkdir -p "$X"
	"$CENV_BIN" create "$X" >"$SCRATCH/a.out" 2>"$SCRATCH/a.err" &
	pa=$!
	"$CENV_BIN" create "$X" >"$SCRATCH/b.out" 2>"$SCRATCH/b.err" &
	pb=$!
	wait "$pa" && sa=0 || sa=$?
	wait "$pb" && sb=0 || sb=$?
	case "$sa $sb" in
	"0 1") loser=b ;;
	"1 0") loser=a ;;
	*) bad_count="$bad_count $i:$sa/$sb" loser="" ;;
	esac
	if ! "$CENV_BIN" list -e "$X" >/dev/null 2>&1 || [ ! -x "$X/bin/activate" ] || [ ! -f "$X/var/cenv/lock" ]; then
		bad_env="$bad_env $i"
	fi
	if [ -n "$loser" ] && { [ "$(wc -l <"$SCRATCH/$loser.err")" -ne 1 ] ||
		! grep -Eq "^cenv: .*'$X'.*($loser_msg)" "$SCRATCH/$loser.err"; }; then
		bad_msg="$bad_msg $i:$(cat "$SCRATCH/$loser.err")"
	fi
	rm -rf "$X"
done
check_eq "300 rounds of two creates at once: exactly one exits 0 every time" "" "$bad_count"
check_eq "300 rounds: DIR is then an environment (list works, bin/activate, its lock)" "" "$bad_env"
check_eq "300 rounds: the loser says why in one line naming DIR" "" "$bad_msg"
check "no temporary or stray directory left beside DIR" empty "$TMP_ROOT/race"

# ---- item 6: the lock survives create --clear ------------------------------------------------
C="$TMP_ROOT/mixed"
"$CENV_BIN" create "$C" >/dev/null
records_entries='d 755 var/cenv/records'
with_ka=$(expected layout ka1) without_ka=$(expected layout) emptied=$(expected layout records)
bad_state="" bad_list=""
lock_ino=$(stat -c %i "$C/var/cenv/lock" 2>/dev/null || echo none)
loop() { local i; for i in $(seq 1 100); do "$@" >/dev/null 2>&1; done; }
# five runs, each of four loops at once: 100 installs, 100 uninstalls, 100 create --clear, 100 lists
for run in 1 2 3 4 5; do
	(cd "$P" && loop "$CENV_BIN" install -e "$C" -f ka.ini) &
	loop "$CENV_BIN" uninstall -e "$C" ka &
	loop "$CENV_BIN" create --clear "$C" &
	loop "$CENV_BIN" list -e "$C" &
	wait
	"$CENV_BIN" list -e "$C" >/dev/null 2>"$SCRATCH/list.err" || bad_list="$bad_list $run:$(cat "$SCRATCH/list.err")"
	now=$(listing "$C")
	[ "$now" = "$with_ka" ] || [ "$now" = "$without_ka" ] || [ "$now" = "$emptied" ] || {
		bad_state="$bad_state $run"
		printf 'run %s:\n%s\n' "$run" "$now" >>"$SCRATCH/mixed.states"
	}
done
check_eq "5 runs of 100 installs, uninstalls, create --clears and lists at once: list works after each" "" "$bad_list"
check_eq "5 runs: after each, cenv.cfg and the layout there, the records matching the files" "" \
	"$bad_state${bad_state:+ $(head -40 "$SCRATCH/mixed.states")}"
check_eq "5 runs: the lock is the same file throughout (never removed)" "$lock_ino" \
	"$(stat -c %i "$C/var/cenv/lock" 2>/dev/null || echo gone)"

# ---- item 14: list and freeze read-only, as another user -------------------------------------
R="$TMP_ROOT/shared/env"
mkdir -p "$TMP_ROOT/shared" && chmod 755 "$TMP_ROOT" "$TMP_ROOT/shared"
"$CENV_BIN" create "$R" >/dev/null && (cd "$P" && "$CENV_BIN" install -e "$R" -f ka.ini >/dev/null 2>&1)
BIN="$TMP_ROOT/shared/cenv" # /root may be mode 700: the other user runs a copy
cp "$CENV_BIN" "$BIN" && chmod 755 "$BIN"
as_other() { setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; }
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null || ! id nobody >/dev/null 2>&1 ||
	! as_other "$BIN" --version >/dev/null 2>&1; then
	why="no unprivileged user can run (needs root, setpriv and the user nobody)"
	for n in "list as another user" "freeze as another user" "nothing written" \
		"no lock file: note" "no lock file: nothing written" "read-only view, interrupted change: note" \
		"read-only view: nothing written"; do skip "read-only: $n" "$why"; done
else
	before=$(tree_state "$R")
	as_other "$BIN" list -e "$R" >"$SCRATCH/ro.out" 2>"$SCRATCH/ro.err" && st=0 || st=$?
	check_eq "read-only: list as another user works, saying nothing" "0|ka|" \
		"$st|$(sed 1d "$SCRATCH/ro.out" | cut -d' ' -f1)|$(cat "$SCRATCH/ro.err")"
	as_other "$BIN" freeze -e "$R" >"$SCRATCH/ro.out" 2>"$SCRATCH/ro.err" && st=0 || st=$?
	check_eq "read-only: freeze as another user works" "0|[ka]|" \
		"$st|$(grep -x '\[ka\]' "$SCRATCH/ro.out")|$(cat "$SCRATCH/ro.err")"
	check_eq "read-only: the other user wrote nothing" "$before" "$(tree_state "$R")"

	rm "$R/var/cenv/lock"
	before=$(tree_state "$R")
	as_other "$BIN" list -e "$R" >"$SCRATCH/ro.out" 2>"$SCRATCH/ro.err" && st=0 || st=$?
	check_eq "read-only: no lock file, none can be made: list reads as is and says so once" \
		"0|ka|cenv: note: cannot lock '$R/var/cenv/lock' (read-only): reading as is" \
		"$st|$(sed 1d "$SCRATCH/ro.out" | cut -d' ' -f1)|$(cat "$SCRATCH/ro.err")"
	check_eq "read-only: no lock file: nothing written" "$before" "$(tree_state "$R")"

	# the other user's view of a read-only mount: nothing writable; a change was interrupted
	(cd "$P" && "$CENV_BIN" install -e "$R" -f ka.ini >/dev/null 2>&1) # the lock file back
	: >"$R/var/cenv/journal"
	chmod -R a-w "$R"
	before=$(tree_state "$R")
	as_other "$BIN" freeze -e "$R" >"$SCRATCH/ro.out" 2>"$SCRATCH/ro.err" && st=0 || st=$?
	check_eq "read-only: an interrupted change it cannot roll back: freeze reads as is and says so once" \
		"0|[ka]|cenv: note: cannot roll back the interrupted change in '$R' (read-only): reading as is" \
		"$st|$(grep -x '\[ka\]' "$SCRATCH/ro.out")|$(cat "$SCRATCH/ro.err")"
	check_eq "read-only view: nothing written, the journal left for its owner" "$before" "$(tree_state "$R")"
	chmod -R u+w "$R"
fi
finish
