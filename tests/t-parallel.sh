# t-parallel.sh - issue 12: cenv install builds a manifest's packages side by side over the
# dependency graph.  The fixture builds write the start and end of their build (date +%s.%N) into
# the files they install; from those, and from the records' mtimes (the commits), the checks
# prove that no package started before every package it depends on had ended and been committed,
# that independent packages overlapped with -j 4 and never with -j 1; a failure stops its
# dependents only and ends with a summary of every failed package and its log.
. "$(dirname "$0")/lib.sh"
plan 40
. "$(dirname "$0")/lib-install.sh"

# timed_pkg NAME SECONDS: $P/NAME-1.0.tar.gz, a plain make package whose build says
# "NAME-build-started" (into its log), records its start,
# sleeps SECONDS and records its end; make install puts both under share/NAME/
timed_pkg() {
	recipe_pkg "$1" "echo $1-build-started\ndate +%%s.%%N > start\nsleep $2\ndate +%%s.%%N > end" \
		"mkdir -p \$(DESTDIR)\$(PREFIX)/share/$1\ncp start end \$(DESTDIR)\$(PREFIX)/share/$1/"
}
# failing_pkg NAME SECONDS: a build that sleeps SECONDS, says "NAME-fails-at TIME" and fails
failing_pkg() {
	recipe_pkg "$1" "sleep $2\necho $1-fails-at \$\$(date +%%s.%%N)\nexit 3" "true"
}
# t E NAME start|end: a time its build wrote down (empty when it was not installed)
t() { cat "$1/share/$2/$3" 2>/dev/null; }
# committed E NAME: the mtime of NAME's record, written when its commit happened
committed() { stat -c %.9Y "$1/var/cenv/records/$2" 2>/dev/null; }
# lt A B: A < B, both times (an empty one is never less)
lt() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
# overlap E A B: the builds of A and B ran at the same time for a while
overlap() {
	lt "$(t "$1" "$2" start)" "$(t "$1" "$3" end)" && lt "$(t "$1" "$3" start)" "$(t "$1" "$2" end)"
}
# installed_names E: the names cenv list shows, one a line, sorted
installed_names() { "$CENV_BIN" list -e "$1" | awk 'NR > 1 { print $1 }' | LC_ALL=C sort; }
# run_install E MANIFEST OPTION...: cenv install, stdout and stderr together in $SCRATCH/all
# (in the order written), its status in $st
run_install() {
	local e=$1 f=$2
	shift 2
	"$CENV_BIN" install -e "$e" -f "$f" "$@" >"$SCRATCH/all" 2>&1 && st=0 || st=$?
}
# line_of NAME: the first line of $SCRATCH/all saying NAME was installed (0: none)
line_of() { grep -n -m1 -E "^$1 1\.0: installed" "$SCRATCH/all" | cut -d: -f1 | grep . || echo 0; }

# ---- a chain c -> b -> a and a diamond top -> left, right -> base, with -j 4 -----------------
for n in a b c base left right top; do timed_pkg "$n" 0.8; done
# listed dependents first: the order of the manifest is not the order of the builds
{
	entry top "depends=left, right"
	entry c depends=b
	entry right depends=base
	entry left depends=base
	entry b depends=a
	entry a
	entry base
} >"$P/graph.ini"
edges="a:b b:c base:left base:right left:top right:top"

E="$TMP_ROOT/env"
"$CENV_BIN" create "$E" >/dev/null || fail "create"
run_install "$E" "$P/graph.ini" -j 4
check_eq "-j 4: the chain and the diamond install (status 0)" "0" "$st"
check_eq "-j 4: the environment holds the seven packages" "a b base c left right top" "$(installed_names "$E" | xargs)"
check_eq "-j 4: every build wrote down its start and end (fixture)" "14" \
	"$(cat "$E"/share/{a,b,c,base,left,right,top}/{start,end} 2>/dev/null | grep -c '^[0-9]*\.[0-9]*$')"
for e in $edges; do
	dep=${e%:*} pkg=${e#*:}
	check "-j 4: $pkg started after $dep had ended and been committed (its record's mtime)" \
		eval 'lt "$(t "$E" $dep end)" "$(committed "$E" $dep)" && lt "$(committed "$E" $dep)" "$(t "$E" $pkg start)"'
done
bad=
for e in $edges; do
	dep=${e%:*} pkg=${e#*:}
	[ "$(line_of "$dep")" -gt 0 ] && [ "$(line_of "$dep")" -lt "$(line_of "$pkg")" ] || bad="$bad $dep<$pkg"
done
check_eq "-j 4: each package's 'installed' line comes after those of the packages it depends on" "" "$bad"
check "-j 4: left and right overlapped (independent packages build side by side)" overlap "$E" left right
check "-j 4: the chain and the diamond overlapped (a with base)" overlap "$E" a base
# the whole took less than the sum of its builds: the deepest path is 3 builds of 0.8 s
span=$(cat "$E"/share/{a,b,c,base,left,right,top}/{start,end} 2>/dev/null | sort -n |
	awk '{ v[NR] = $1 } END { if (NR == 14) printf "%.1f", v[NR] - v[1]; else print "unknown" }')
check "-j 4: the seven builds of 0.8 s spanned less than 4 s (recorded times: $span s)" lt "$span" 4

# ---- a second run with nothing changed installs nothing and says so --------------------------
before=$(env_state "$E")
run_install "$E" "$P/graph.ini" -j 4
check_eq "a second run succeeds and installs nothing" "0 0" "$st $(grep -Ec '^[a-z0-9]+ 1\.0: installed' "$SCRATCH/all")"
check "... it says the seven packages are up to date" grep -Eiq '(^|[^0-9])7 (packages )?(are )?up to date|up to date:? 7([^0-9]|$)' "$SCRATCH/all"
check_eq "... and changes nothing in the environment" "$before" "$(env_state "$E")"

# ---- -j 1: one build at a time, in the order of the graph ----------------------------------
{
	entry top "depends=left, right"
	entry right depends=base
	entry left depends=base
	entry base
} >"$P/diamond.ini"
E1="$TMP_ROOT/env-j1"
"$CENV_BIN" create "$E1" >/dev/null || fail "create"
run_install "$E1" "$P/diamond.ini" -j 1
check_eq "-j 1: the diamond installs" "0 base left right top" "$st $(installed_names "$E1" | xargs)"
# each build's start after the end of the one before it, sorted by start
iv=$(for n in base left right top; do printf '%s %s\n' "$(t "$E1" $n start)" "$(t "$E1" $n end)"; done | sort -n)
check_eq "-j 1: four intervals were written down (fixture)" "4" "$(grep -Ec '^[0-9]+\.[0-9]+ [0-9]+\.[0-9]+$' <<<"$iv")"
check "-j 1: no two builds overlapped" awk 'NF != 2 || (NR > 1 && $1 < prev) { exit 1 } { prev = $2 } END { exit NR != 4 }' <<<"$iv"
check "-j 1: top started after left and right were committed" \
	eval 'lt "$(committed "$E1" left)" "$(t "$E1" top start)" && lt "$(committed "$E1" right)" "$(t "$E1" top start)"'

# ---- a failure in the diamond: right fails, top is not built, the rest goes on ---------------
# base 0.8 s, then left (0.8 s) and right (fails after 0.3 s); broken fails at once, beside them;
# solo, independent, builds for 2.5 s: long after both failures
timed_pkg base 0.8
timed_pkg left 0.8
failing_pkg right 0.3
failing_pkg broken 0
timed_pkg solo 2.5
timed_pkg top 0.2
{
	entry top "depends=left, right"
	entry right depends=base
	entry left depends=base
	entry base
	entry broken
	entry solo
} >"$P/fail.ini"
F="$TMP_ROOT/env-fail"
"$CENV_BIN" create "$F" >/dev/null || fail "create"
run_install "$F" "$P/fail.ini" -j 4
work=$(ls -A "$F/var/cenv/work" 2>/dev/null) # before any other cenv command, which would recover it
check_eq "a failure: the run ends with status 1" "1" "$st"
check_eq "a failure: the environment holds exactly base, left and solo" "base left solo" "$(installed_names "$F" | xargs)"
check_eq "a failure: nothing of right, broken or top was installed (share/)" "aclocal base left man pkgconfig solo" \
	"$(ls "$F/share" | xargs)"
check_eq "a failure: top's build never started (its first words are in no log, nor in the output; left's are in its log)" \
	"0 yes" "$(cat "$F/var/cenv/logs/top.log" "$SCRATCH/all" 2>/dev/null | grep -c top-build-started) $(grep -qx left-build-started "$F/var/cenv/logs/left.log" && echo yes)"
check "a failure: top is said to be left out because a package it depends on failed" \
	grep -Eiq "top.*(depend|because|skipp|not (built|installed)).*" "$SCRATCH/all"
check_eq "a failure: no work directory is left under var/cenv/work" "" "$work"
check "a failure: the logs of right and broken hold their builds' failure" \
	eval 'grep -q "^right-fails-at " "$F/var/cenv/logs/right.log" && grep -q "^broken-fails-at " "$F/var/cenv/logs/broken.log"'
# the summary at the end: the last lines of the output name each failed package with its log
tail -n 8 "$SCRATCH/all" >"$SCRATCH/tail"
# names_log NAME: a line of the tail names NAME besides the path of its log
names_log() { grep -F "$F/var/cenv/logs/$1.log" "$SCRATCH/tail" | sed "s|$F/var/cenv/logs/$1\.log||" | grep -q "$1"; }
check "a failure: the summary at the end names right with its log" names_log right
check "a failure: ... and broken with its log" names_log broken
check "a failure: ... and not the packages that were installed" \
	sh -c '! grep -Eq "logs/(base|left|solo)\.log" "$1"' sh "$SCRATCH/tail"
# the independent work went on: solo was building when right failed, and ended after it
right_failed=$(sed -n 's/^right-fails-at //p' "$F/var/cenv/logs/right.log" 2>/dev/null)
check "a failure: solo was building when right failed and was installed all the same" \
	eval 'lt "$(t "$F" solo start)" "$right_failed" && lt "$right_failed" "$(t "$F" solo end)"'
check "a failure: left (building beside right) was installed after right failed" \
	eval 'lt "$right_failed" "$(t "$F" left end)"'
check "a failure: left and solo overlapped" overlap "$F" left solo
# fixed, the next run installs right and top only
timed_pkg right 0.2
sed -i "/^\[right\]/,/^\$/s/^sha256 = .*/sha256 = $(sha256sum "$P/right-1.0.tar.gz" | cut -d' ' -f1)/" "$P/fail.ini"
sed -i '/^\[broken\]/,/^$/d' "$P/fail.ini"
run_install "$F" "$P/fail.ini" -j 4
check_eq "a failure fixed: the next run installs right and top, and only them" "0 right top" \
	"$st $(grep -Eo '^[a-z]+ 1\.0: installed' "$SCRATCH/all" | cut -d' ' -f1 | sort | xargs)"
check "... top after right's commit" eval 'lt "$(committed "$F" right)" "$(t "$F" top start)"'

# ---- 4 independent builds of 1 s with -j 4 all run at once -------------------------------
for n in w1 w2 w3 w4; do timed_pkg "$n" 1; done
{ for n in w1 w2 w3 w4; do entry "$n"; done; } >"$P/wide.ini"
W="$TMP_ROOT/env-wide"
"$CENV_BIN" create "$W" >/dev/null || fail "create"
run_install "$W" "$P/wide.ini" -j 4
check_eq "4 independent builds with -j 4 install" "0 w1 w2 w3 w4" "$st $(installed_names "$W" | xargs)"
times=$(for n in w1 w2 w3 w4; do printf '%s %s\n' "$(t "$W" $n start)" "$(t "$W" $n end)"; done)
check "... each build took its second (fixture)" \
	awk 'NF != 2 || $2 - $1 < 1 { exit 1 } END { exit NR != 4 }' <<<"$times"
# all four were running at one moment: the last start came before the first end
check "... the four ran at once (the last start before the first end)" \
	awk 'NF == 2 { n++; s = (n == 1 || $1 > s) ? $1 : s; e = (n == 1 || $2 < e) ? $2 : e } END { exit !(n == 4 && s < e) }' <<<"$times"
span=$(awk 'NF == 2 { n++; s = (n == 1 || $1 < s) ? $1 : s; e = (n == 1 || $2 > e) ? $2 : e }
	END { if (n == 4) printf "%.2f", e - s; else print "unknown" }' <<<"$times")
check "... from the first start to the last end clearly less than 4 s ($span s)" lt "$span" 2.5

# ---- 4 more with -j 2: two at a time, never three -----------------------------------------
W2="$TMP_ROOT/env-wide2"
"$CENV_BIN" create "$W2" >/dev/null || fail "create"
run_install "$W2" "$P/wide.ini" -j 2
times=$(for n in w1 w2 w3 w4; do printf '%s %s\n' "$(t "$W2" $n start)" "$(t "$W2" $n end)"; done)
# at each start, how many builds were running (itself included): the most of these
most=$(awk 'NF == 2 { s[NR] = $1; e[NR] = $2 } END { for (i = 1; i <= NR; i++) { n = 0; for (j = 1; j <= NR; j++) if (s[j] <= s[i] && s[i] < e[j]) n++; if (n > m) m = n } print m + 0 }' <<<"$times")
check_eq "-j 2: four builds installed, at most two at once, and two at once for a while" "0 4 2" \
	"$st $(grep -Ec '^[0-9]+\.[0-9]+ [0-9]+\.[0-9]+$' <<<"$times") $most"
finish
