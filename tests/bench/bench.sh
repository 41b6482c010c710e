#!/bin/sh
# tests/bench/bench.sh - `make bench`: cenv against its peers, measured in the same run.
# Medians of interleaved repetitions; ratios, never pass/fail.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cenv=$top/cenv
reps=${REPS:-21}
# in the build tree's file system by default: that is where environments are made
mkdir -p "$top/tests/tmp"
work=$(mktemp -d "${BENCH_DIR:-$top/tests/tmp}/cenv-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
cc -O2 -o "$work/timeit" "$top/tests/bench/timeit.c"
python=$(command -v python3)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }

echo "== cenv create vs python3 -m venv --without-pip ($reps interleaved runs, median)"
"$work/timeit" "$reps" \
	cenv ":" "$cenv create $work/c@N" \
	venv ":" "$python -m venv --without-pip $work/v@N" >"$work/create"
c=$(awk '$1 == "cenv" { print $2 }' "$work/create")
v=$(awk '$1 == "venv" { print $2 }' "$work/create")
printf '  cenv create            %8.3f ms\n  python3 -m venv        %8.3f ms\n  venv / cenv            %8sx   (goal: at least 30x)\n' \
	"$c" "$v" "$(ratio "$v" "$c")"

echo "== source activate + deactivate in bash, vs venv's ($reps runs, median)"
"$cenv" create "$work/ca" >/dev/null
"$python" -m venv --without-pip "$work/va"
printf '. %s/bin/activate; deactivate\n' "$work/ca" >"$work/ca.sh"
printf '. %s/bin/activate; deactivate\n' "$work/va" >"$work/va.sh"
: >"$work/empty.sh"
"$work/timeit" "$reps" \
	bash ":" "bash --norc --noprofile $work/empty.sh" \
	cenv ":" "bash --norc --noprofile $work/ca.sh" \
	venv ":" "bash --norc --noprofile $work/va.sh" >"$work/act"
b=$(awk '$1 == "bash" { print $2 }' "$work/act")
c=$(awk '$1 == "cenv" { print $2 }' "$work/act")
v=$(awk '$1 == "venv" { print $2 }' "$work/act")
cn=$(awk -v x="$c" -v y="$b" 'BEGIN { d = x - y; printf "%.3f", (d > 0.001 ? d : 0.001) }')
vn=$(awk -v x="$v" -v y="$b" 'BEGIN { d = x - y; printf "%.3f", (d > 0.001 ? d : 0.001) }')
printf '  bash start-up alone    %8.3f ms\n' "$b"
printf '  cenv activate+deact.   %8.3f ms  (%.3f ms over bash start-up)\n' "$c" "$cn"
printf '  venv activate+deact.   %8.3f ms  (%.3f ms over bash start-up)\n' "$v" "$vn"
printf '  cenv / venv (net)      %8sx\n' "$(ratio "$cn" "$vn")"
