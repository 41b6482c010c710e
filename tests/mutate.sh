#!/bin/bash
# tests/mutate.sh [--check] [N...]: plants the bugs of tests/mutations.txt one at a time in a scratch
# copy of the tree, builds each mutant and runs the tests listed for it; prints "caught" or
# "NOT CAUGHT" for each and ends with "mutations: N caught, M not caught" (exit status 1 when any
# is not caught or does not compile, 2 when the run itself cannot go on).  `make mutate`; not part of
# `make check` (it takes minutes).
#
#   N...      only these mutations (their numbers, as the report shows them)
#   --check   only check that every mutation applies to the tree as it is (no build, no tests)
# Environment: MUTATIONS (the list, default tests/mutations.txt), MUTATE_TIMEOUT (seconds for one
# test, default 300; a test that times out counts as catching the bug), MUTATE_KEEP=1 (keep the
# scratch copy and the logs), MUTATE_BASELINE=0 (skip running the tests on the unmutated copy first).
#
# Each mutant's tests run under bubblewrap where it works (MUTATE_SANDBOX=0: never): the file
# system read-only but the scratch directory, a private /tmp and /var/tmp for each test, so that a
# planted bug in path handling cannot remove files outside (one removed /tmp once, unconfined).
# Without bwrap they run as you, unconfined: then use a machine or a container you can lose.
#
# The copy is the working tree's files (tracked, and untracked but not ignored: a test being written
# counts), never the tree itself.  It is built once; each mutant changes one file, which is put back
# afterwards, so each build is incremental (the objects depend on their headers through -MMD).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
list=${MUTATIONS:-$top/tests/mutations.txt}
timeout_s=${MUTATE_TIMEOUT:-300}
make_jobs=${JOBS:-2}
# as tests/run.sh: a make that runs this exports its flags, which the tests' own builds must not get
unset CFLAGS CPPFLAGS LDFLAGS LDLIBS MAKEFLAGS MFLAGS MAKELEVEL CENV_BIN

die() {
	printf 'mutate: %s\n' "$*" >&2
	exit 2
}

check_only=0
selected=()
for a in "$@"; do
	case $a in
	--check) check_only=1 ;;
	-h | --help)
		sed -n '2,17s/^# \{0,1\}//p' "$0"
		exit 0
		;;
	*[!0-9]* | '') die "not a mutation number: '$a'" ;;
	*) selected+=("$a") ;;
	esac
done

# ---- the list ----
desc=() file=() kind=() pat=() repl=() tests=() every=()
n=0
in_block=0
flush() {
	[ "$in_block" = 1 ] || return 0
	local i=$n
	[ -n "${desc[i]-}" ] || die "$list: mutation $i (ending at line $lineno) has no 'mutation:' line"
	[ -n "${file[i]-}" ] || die "$list: mutation $i has no 'file:'"
	[ -n "${kind[i]-}" ] || die "$list: mutation $i has no 'find:' or 'regex:'"
	[ -n "${repl[i]+x}" ] || die "$list: mutation $i has no 'replace:'"
	[ -n "${tests[i]-}" ] || die "$list: mutation $i lists no tests"
	in_block=0
}
[ -f "$list" ] || die "no list of mutations: $list"
lineno=0
while IFS= read -r line || [ -n "$line" ]; do
	lineno=$((lineno + 1))
	case $line in
	'#'*) continue ;;
	'')
		flush
		continue
		;;
	esac
	key=${line%%:*}
	[ "$key" != "$line" ] || die "$list:$lineno: not a 'key: value' line: $line"
	value=${line#*:}
	value=${value# }
	if [ "$in_block" = 0 ]; then
		n=$((n + 1))
		in_block=1
	fi
	case $key in
	mutation) desc[n]=$value ;;
	file) file[n]=$value ;;
	find | regex)
		[ -z "${kind[n]-}" ] || die "$list:$lineno: mutation $n has both 'find:' and 'regex:'"
		kind[n]=$key
		pat[n]=$value
		[ -n "$value" ] || die "$list:$lineno: an empty $key"
		;;
	replace) repl[n]=$value ;;
	tests) tests[n]=$value ;;
	catch)
		case $value in
		any) every[n]=0 ;;
		every) every[n]=1 ;;
		*) die "$list:$lineno: 'catch:' is 'any' or 'every', not '$value'" ;;
		esac
		;;
	*) die "$list:$lineno: unknown key '$key'" ;;
	esac
done <"$list"
flush
[ "$n" -gt 0 ] || die "$list holds no mutations"
if [ ${#selected[@]} -eq 0 ]; then
	selected=($(seq 1 "$n"))
fi
for i in "${selected[@]}"; do
	[ "$i" -ge 1 ] && [ "$i" -le "$n" ] || die "there is no mutation $i (the list has 1 to $n)"
done

# ---- the scratch copy ----
work=$(mktemp -d "${TMPDIR:-/tmp}/cenv-mutate.XXXXXX") || die "cannot make a scratch directory"
tree=$work/tree
# (mktemp's 0700 would keep out the unprivileged user t-create.sh runs cenv as, when run as root)
chmod 755 "$work"
stop() {
	if [ "${MUTATE_KEEP:-0}" = 1 ]; then
		echo "mutate: the scratch copy and the logs stay in $work" >&2
	else
		chmod -R u+w "$work" 2>/dev/null
		rm -rf "$work"
	fi
}
trap stop EXIT
trap 'exit 130' INT TERM
mkdir -p "$tree" "$work/logs" "$work/orig" || die "cannot fill $work"
git -C "$top" rev-parse --git-dir >/dev/null 2>&1 || die "$top is not a git work tree"
# (a tracked file deleted in the work tree is left out: the copy is the tree as it is)
(cd "$top" && git ls-files -z --cached --others --exclude-standard |
	while IFS= read -r -d '' f; do
		if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
	done | tar --null -T - -cf -) | tar -xf - -C "$tree" || die "cannot copy the tree into $tree"

# count_matches I: how many lines of mutation I's file its pattern matches
count_matches() {
	F=${pat[$1]} K=${kind[$1]} awk '
		(ENVIRON["K"] == "find" && index($0, ENVIRON["F"]) > 0) ||
		(ENVIRON["K"] == "regex" && $0 ~ ENVIRON["F"]) { n++ }
		END { print n + 0 }' "$tree/${file[$1]}"
}

# apply I: writes mutation I into its file (its content only: the mode stays, the time is now)
apply() {
	local f=$tree/${file[$1]}
	F=${pat[$1]} K=${kind[$1]} R=${repl[$1]} awk '
		{
			line = $0
			if (ENVIRON["K"] == "find") {
				at = index(line, ENVIRON["F"]); len = length(ENVIRON["F"])
			} else if (match(line, ENVIRON["F"])) {
				at = RSTART; len = RLENGTH
			} else {
				at = 0
			}
			if (at > 0)
				line = substr(line, 1, at - 1) ENVIRON["R"] substr(line, at + len)
			print line
		}' "$f" >"$work/mutant" && cat "$work/mutant" >"$f"
}

# the line a mutation changes, as "FILE:LINE"
where() {
	F=${pat[$1]} K=${kind[$1]} awk -v name="${file[$1]}" '
		(ENVIRON["K"] == "find" && index($0, ENVIRON["F"]) > 0) ||
		(ENVIRON["K"] == "regex" && $0 ~ ENVIRON["F"]) { print name ":" NR; exit }' "$tree/${file[$1]}"
}

bad=0
for i in "${selected[@]}"; do
	if [ ! -f "$tree/${file[i]}" ]; then
		printf 'mutate: mutation %s does not apply: there is no file %s\n' "$i" "${file[i]}" >&2
		bad=$((bad + 1))
		continue
	fi
	c=$(count_matches "$i")
	if [ "$c" != 1 ]; then
		printf 'mutate: mutation %s does not apply: its %s pattern matches %s lines of %s (wanted 1): %s\n' \
			"$i" "${kind[i]}" "$c" "${file[i]}" "${pat[i]}" >&2
		bad=$((bad + 1))
	fi
	for t in ${tests[i]}; do
		case $t in
		test_*) src=tests/unit/$t.c ;;
		t-*.sh) src=tests/$t ;;
		*) src= ;;
		esac
		if [ -z "$src" ] || [ ! -f "$tree/$src" ]; then
			printf 'mutate: mutation %s names a test that does not exist: %s\n' "$i" "$t" >&2
			bad=$((bad + 1))
		fi
	done
done
[ "$bad" -eq 0 ] || die "$bad problem(s) in $list; fix them first"
if [ "$check_only" = 1 ]; then
	echo "mutate: all ${#selected[@]} mutations apply, each to exactly one line"
	exit 0
fi

# ---- build, and the tests on the unmutated copy ----
unit_targets() { # the unit tests among the tests of the mutations given
	local i t
	for i in "$@"; do
		for t in ${tests[i]}; do
			case $t in test_*) echo "tests/unit/$t" ;; esac
		done
	done | sort -u
}
all_units=$(unit_targets "${selected[@]}")
start=$(date +%s)
echo "mutate: ${#selected[@]} mutations, in a copy of $top at $tree"
# shellcheck disable=SC2086
if ! make -C "$tree" -j"$make_jobs" cenv tests/tools/mkarchive examples/dist/libgreet-1.0.tar.gz \
	$all_units >"$work/logs/build.log" 2>&1; then
	tail -30 "$work/logs/build.log" >&2
	die "the unmutated copy does not build"
fi

# confined CMD...: CMD in a bwrap sandbox where only $work (the copy and its logs) is writable,
# with a /tmp and /var/tmp of its own (the tests' scratch directories) and a PID namespace that
# ends with it; as it is when bwrap does not work here.  The network is shared: the tests' servers
# listen on 127.0.0.1, and the tests' own sandboxed builds start bwrap again inside.
confine=()
if [ "${MUTATE_SANDBOX:-1}" != 0 ] && command -v bwrap >/dev/null &&
	bwrap --ro-bind / / --dev /dev --proc /proc --tmpfs /tmp true 2>/dev/null; then
	confine=(bwrap --ro-bind / / --dev /dev --proc /proc --tmpfs /tmp --tmpfs /var/tmp
		--bind "$work" "$work" --unshare-pid --die-with-parent --)
	echo "mutate: the tests run under bwrap: only $work is writable"
else
	echo "mutate: bwrap does not work here: the mutants' tests run unconfined"
fi

# run_test NAME LOG: 0 when the test passes, else 1 (a failure, a crash or a time-out)
run_test() {
	local t=$1 log=$2 status
	case $t in
	test_*)
		(cd "$tree" && CMOCKA_MESSAGE_OUTPUT=TAP timeout -k 10 "$timeout_s" "${confine[@]}" "./tests/unit/$t") \
			</dev/null >"$log" 2>&1
		status=$?
		[ "$status" != 0 ] || ! grep -q '^not ok ' "$log" || status=1
		;;
	*)
		(cd "$tree" && timeout -k 10 "$timeout_s" "${confine[@]}" bash "tests/$t") </dev/null >"$log" 2>&1
		status=$?
		[ "$status" != 0 ] || ! grep -q '^FAIL: ' "$log" || status=1
		;;
	esac
	[ "$status" = 124 ] || [ "$status" = 137 ] && echo "(timed out after $timeout_s s)" >>"$log"
	return $((status != 0))
}

if [ "${MUTATE_BASELINE:-1}" != 0 ]; then
	baseline=$(for i in "${selected[@]}"; do printf '%s\n' ${tests[i]}; done | awk '!seen[$0]++')
	for t in $baseline; do
		if ! run_test "$t" "$work/logs/baseline-$t.log"; then
			grep -E '^(FAIL: |not ok )' "$work/logs/baseline-$t.log" | head -10 >&2
			die "$t fails on the unmutated copy: no mutation could be judged by it"
		fi
	done
	echo "mutate: the unmutated copy passes its $(echo $baseline | wc -w) tests ($(($(date +%s) - start)) s)"
fi

# ---- the mutants ----
caught=0 missed=0 broken=0
for i in "${selected[@]}"; do
	t0=$(date +%s)
	f=${file[i]}
	at=$(where "$i")
	cp -p "$tree/$f" "$work/orig/file"
	apply "$i"
	if cmp -s "$tree/$f" "$work/orig/file"; then
		die "mutation $i does not apply: it changes nothing in $f"
	fi
	log=$work/logs/$i.log
	# shellcheck disable=SC2046
	if ! make -C "$tree" -j"$make_jobs" cenv $(unit_targets "$i") >"$log" 2>&1; then
		printf 'DOES NOT COMPILE  %2d  %s: %s\n' "$i" "$at" "${desc[i]}"
		grep -E 'error' "$log" | head -3 | sed 's/^/        /'
		broken=$((broken + 1))
	else
		by= not=
		for t in ${tests[i]}; do
			if ! run_test "$t" "$work/logs/$i-$t.log"; then
				by="$by $t"
				[ "${every[i]:-0}" = 1 ] || break
			else
				not="$not $t"
			fi
		done
		secs=$(($(date +%s) - t0))
		if [ -n "$by" ] && { [ "${every[i]:-0}" = 0 ] || [ -z "$not" ]; }; then
			printf 'caught            %2d  %s: %s (by%s, %d s)\n' "$i" "$at" "${desc[i]}" "$by" "$secs"
			caught=$((caught + 1))
		elif [ -n "$by" ]; then
			printf 'NOT CAUGHT        %2d  %s: %s (by%s but not by%s, which must too; %d s)\n' \
				"$i" "$at" "${desc[i]}" "$by" "$not" "$secs"
			missed=$((missed + 1))
		else
			printf 'NOT CAUGHT        %2d  %s: %s (ran %s, %d s)\n' "$i" "$at" "${desc[i]}" "${tests[i]}" "$secs"
			missed=$((missed + 1))
		fi
	fi
	# put back, with a new time: the next build remakes what the mutant made
	cat "$work/orig/file" >"$tree/$f" && cmp -s "$work/orig/file" "$tree/$f" ||
		die "cannot put $f back after mutation $i"
done

secs=$(($(date +%s) - start))
[ "$broken" -eq 0 ] || echo "mutate: $broken mutation(s) do not compile: fix them in $list"
echo "mutate: $((secs / 60)) min $((secs % 60)) s"
echo "mutations: $caught caught, $((missed + broken)) not caught"
[ $((missed + broken)) -eq 0 ]
