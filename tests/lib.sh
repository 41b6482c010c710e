# tests/lib.sh - helpers sourced by every tests/t-*.sh script (bash).
# Each check prints "PASS: name", "FAIL: name" and a reason, or "SKIP: name (why)"; tests/run.sh
# counts them and holds their number against the script's plan (plan N, right after sourcing this).

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CENV_BIN=${CENV_BIN:-$TOP/cenv}
# This script's own scratch directories (mktemp): tests/run.sh runs scripts at once.
TMP_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/cenv-test.XXXXXX")
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/cenv-scratch.XXXXXX") # the harness's own files, apart from the test trees
trap 'chmod -R u+w "$TMP_ROOT" 2>/dev/null; rm -rf "$TMP_ROOT" "$SCRATCH"' EXIT
failures=0

# plan N: this script runs N checks (PASS:, FAIL: and SKIP: lines). Prints TAP's plan line "1..N";
# called once, on a line of its own right after lib.sh is sourced. tests/run.sh fails a script
# with no plan, or that ran another number of checks (a loop that ran zero times, an early exit).
plan() { printf '1..%s\n' "$1"; }

pass() { printf 'PASS: %s\n' "$1"; }
# skip NAME WHY: the check NAME was not run; WHY names what is missing ("zsh not installed").
# Counted apart by tests/run.sh, and a failure there under CENV_NO_SKIPS=1.
skip() { printf 'SKIP: %s (%s)\n' "$1" "$2"; }
fail() {
	printf 'FAIL: %s\n' "$1"
	shift
	[ $# -eq 0 ] || printf '    %s\n' "$@"
	failures=$((failures + 1))
}

# check NAME CMD...: passes when CMD succeeds.
check() {
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name" "command failed: $*"; fi
}

# check_eq NAME EXPECTED ACTUAL
check_eq() {
	if [ "$2" == "$3" ]; then
		pass "$1"
	elif [ "$(printf '%s' "$2$3" | wc -l)" -gt 2 ]; then
		fail "$1" "$(diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | head -20)"
	else
		fail "$1" "expected: $(printf '%q' "$2")" "actual:   $(printf '%q' "$3")"
	fi
}

# check_file_eq NAME FILE1 FILE2
check_file_eq() {
	if diff -u "$2" "$3" >"$SCRATCH/diff.out" 2>&1; then
		pass "$1"
	else
		fail "$1" "$(head -20 "$SCRATCH/diff.out")"
	fi
}

# A listing of a tree with types, modes, sizes and content hashes: equal listings, equal trees.
tree_state() {
	if [ -e "$1" ] || [ -L "$1" ]; then
		# (a directory's size is left out: it follows its entries, logs/ included)
		(cd "$1" 2>/dev/null && find . \( -type d -printf '%y %m %p\n' \) -o -printf '%y %m %s %p -> %l\n' |
			LC_ALL=C sort &&
			find . -type f -exec md5sum {} + | LC_ALL=C sort) 2>/dev/null || ls -ld "$1"
	else
		echo "absent"
	fi
}

# expect_fail NAME STATUS PATTERN CMD...: CMD exits with STATUS and prints exactly one
# line on stderr that matches PATTERN (an extended regexp).
expect_fail() {
	local name=$1 want=$2 pattern=$3 status
	shift 3
	"$@" >"$SCRATCH/out" 2>"$SCRATCH/err" && status=0 || status=$?
	if [ "$status" != "$want" ]; then
		fail "$name" "exit status $status, wanted $want" "$(cat "$SCRATCH/err")"
	elif ! grep -Eq -- "$pattern" "$SCRATCH/err"; then
		fail "$name" "stderr does not match /$pattern/:" "$(cat "$SCRATCH/err")"
	elif [ "$want" = 1 ] && [ "$(wc -l <"$SCRATCH/err")" -ne 1 ]; then
		fail "$name" "wanted one line on stderr:" "$(cat "$SCRATCH/err")"
	else
		pass "$name"
	fi
}

# untimed [FILE...]: the files (or stdin) with the time at the end of each install line taken out,
# "zlib 1.3.1: installed (autotools, 12 files, 403.5 KiB, 4.1 s)" made "... 403.5 KiB)", for checks
# of the exact text. Only a line that has the time is changed: one without it stays as it is, so
# such a check still fails on it.
untimed() {
	sed -E 's/^(.*: installed \(.*), [0-9]+\.[0-9] s\)$/\1)/' "$@"
}

# The line that ends a run of several packages that installed or failed something:
# "N installed, M up to date, K failed in T s".
SUMMARY_RE='^[0-9]+ installed, [0-9]+ up to date, [0-9]+ failed in [0-9]+\.[0-9] s$'
# unsummed [FILE...]: the files (or stdin) without that line (the line itself is checked apart).
unsummed() {
	grep -Ev "$SUMMARY_RE" "$@" || true
}

finish() {
	[ "$failures" -eq 0 ]
}
