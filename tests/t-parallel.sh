# t-parallel.sh - issue 12: cenv install builds a manifest's packages side by side over the
# dependency graph.  The fixture builds write the start and end of their build (date +%s.%N) into
# the files they install; from those, and from the records' mtimes (the commits), the checks
# prove that no package started before every package it depends on had ended and been committed,
# that independent packages overlapped with -j 4 and never with -j 1; a failure stops its
# dependents only and ends with a summary of every failed package and its log.
. "$(dirname "$0")/lib.sh"
plan 54
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
# base, left and solo in; right and broken failed, top not built: the two count as failed
check_eq "a failure: the summary line counts 3 installed and 3 failed (top, not built, with them)" \
	"3 installed, 0 up to date, 3 failed" "$(grep -E "$SUMMARY_RE" "$SCRATCH/all" | sed -E 's/ in [0-9]+\.[0-9] s$//')"
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

# ---- -j 2: a token given back when its build ends beside the run's own job ------------------
# long builds on the run's own job; short1 takes the one token, ends, and gives it back: short2
# starts on it long before long ends
timed_pkg long 2.5
timed_pkg short1 0.2
timed_pkg short2 0.2
# (all three wait for z: they become ready in one pass of the scheduler, which gives the jobs in
# the manifest's order; without it the order in which their archives are found would decide)
timed_pkg z 0.1
{ entry z; entry long depends=z; entry short1 depends=z; entry short2 depends=z; } >"$P/token.ini"
T="$TMP_ROOT/env-token"
"$CENV_BIN" create "$T" >/dev/null || fail "create"
run_install "$T" "$P/token.ini" -j 2
check_eq "-j 2, a long build and two short ones: all three install" "0 long short1 short2 z" "$st $(installed_names "$T" | xargs)"
times=$(for n in short1 long short2; do printf '%s %s-%s ' "$n" "$(t "$T" $n start)" "$(t "$T" $n end)"; done)
check "... the second short one started after the first ended, and before the long one ended ($times)" \
	eval 'lt "$(t "$T" short1 end)" "$(t "$T" short2 start)" && lt "$(t "$T" short2 start)" "$(t "$T" long end)"'
# the other way round: short1 on the run's own job, long on the token; when short1 ends, long
# moves onto the run's own job and gives its token back: short2 starts on it at once
{ entry z; entry short1 depends=z; entry long depends=z; entry short2 depends=z; } >"$P/token2.ini"
T2="$TMP_ROOT/env-token2"
"$CENV_BIN" create "$T2" >/dev/null || fail "create"
run_install "$T2" "$P/token2.ini" -j 2
check_eq "-j 2, a short build, a long one, a short one: all three install" "0 long short1 short2 z" "$st $(installed_names "$T2" | xargs)"
times=$(for n in short1 long short2; do printf '%s %s-%s ' "$n" "$(t "$T2" $n start)" "$(t "$T2" $n end)"; done)
check "... the second short one started after the first ended, and before the long one ended ($times)" \
	eval 'lt "$(t "$T2" short1 end)" "$(t "$T2" short2 start)" && lt "$(t "$T2" short2 start)" "$(t "$T2" long end)"'

# ---- two archives of one package on the command line: the later replaces the earlier, in turn --
# dup 1.0 and dup 2.0 (--sandbox=off: their builds write their times into the test's tree)
for v in 1.0 2.0; do
	rm -rf "$P/src/dup-$v" && mkdir -p "$P/src/dup-$v"
	printf 'all:\n\tdate +%%s.%%N > %s/dup-%s.start; sleep 0.6; date +%%s.%%N > %s/dup-%s.end\ninstall:\n\tmkdir -p $(DESTDIR)$(PREFIX)/share/dup\n\techo %s > $(DESTDIR)$(PREFIX)/share/dup/version\n' \
		"$SCRATCH" "$v" "$SCRATCH" "$v" "$v" >"$P/src/dup-$v/Makefile"
	bsdtar -czf "$P/dup-$v.tar.gz" -C "$P/src" "dup-$v"
done
D="$TMP_ROOT/env-dup"
"$CENV_BIN" create "$D" >/dev/null || fail "create"
"$CENV_BIN" install -j 4 --sandbox=off -e "$D" "$P/dup-1.0.tar.gz" "$P/dup-2.0.tar.gz" >"$SCRATCH/all" 2>&1 && st=0 || st=$?
check_eq "two archives of dup: both install, 2.0 last, and it stays" "0 2 dup 2.0 2.0" \
	"$st $(grep -c '^dup [12]\.0: installed' "$SCRATCH/all") $("$CENV_BIN" list -e "$D" | awk 'NR > 1 { print $1, $2 }') $(cat "$D/share/dup/version" 2>/dev/null)"
check "... never at once: 2.0's build started after 1.0's ended" lt "$(cat "$SCRATCH/dup-1.0.end" 2>/dev/null)" "$(cat "$SCRATCH/dup-2.0.start" 2>/dev/null)"

# ---- downloads: at most 4 at once from one host, 8 in all, one at a time with -j 1 ----------
# three servers (three hosts: a host is its name and port) answer each request after a delay;
# a request is written to its server's log as it comes, so the logs read 0.6 s after the first
# request hold the first wave of downloads (the next comes when the delay is over)
export XDG_CACHE_HOME="$TMP_ROOT/cache"
WWW="$TMP_ROOT/www"
mkdir -p "$WWW"
servers=()
trap 'for s in "${servers[@]}"; do kill "$s" 2>/dev/null; wait "$s" 2>/dev/null; done; chmod -R u+w "$TMP_ROOT" 2>/dev/null; rm -rf "$TMP_ROOT" "$SCRATCH"' EXIT
port=()
for k in 1 2 3; do
	python3 "$TOP/tests/httpd.py" --port-file "$SCRATCH/port$k" --root "$WWW" --log "$SCRATCH/req$k" &
	servers+=($!)
done
for k in 1 2 3; do
	for _ in $(seq 250); do [ -s "$SCRATCH/port$k" ] && break; sleep 0.02; done
	port[k]=$(cat "$SCRATCH/port$k")
done
for i in $(seq 1 12); do
	recipe_pkg "d$i" "true" "$(good_recipe "d$i")"
	cp "$P/d$i-1.0.tar.gz" "$WWW/"
done
# web_entry NAME K DELAY_MS: the section of NAME, served by server K after DELAY_MS
web_entry() {
	printf '[%s]\nversion = 1.0\nurl = http://127.0.0.1:%s/delay/%s/%s-1.0.tar.gz\nsha256 = %s\n\n' \
		"$1" "${port[$2]}" "$3" "$1" "$(sha256sum "$WWW/$1-1.0.tar.gz" | cut -d' ' -f1)"
}
# first_wave E MANIFEST OPTION...: cenv install into E (created), the download cache empty;
# $wave: the requests each server had ("N1 N2 N3") 0.6 s after the first came; $st its status,
# its stderr in $SCRATCH/web.err
first_wave() {
	local e=$1 f=$2 pid i
	shift 2
	rm -rf "$XDG_CACHE_HOME"
	: >"$SCRATCH/req1" && : >"$SCRATCH/req2" && : >"$SCRATCH/req3"
	"$CENV_BIN" create "$e" >/dev/null || fail "create"
	"$CENV_BIN" install --sandbox=off -e "$e" -f "$f" "$@" >"$SCRATCH/web.out" 2>"$SCRATCH/web.err" &
	pid=$!
	for ((i = 0; i < 1000; i++)); do
		[ -n "$(cat "$SCRATCH"/req?)" ] && break
		sleep 0.01
	done
	sleep 0.6
	wave="$(grep -c . "$SCRATCH/req1") $(grep -c . "$SCRATCH/req2") $(grep -c . "$SCRATCH/req3")"
	wait "$pid" && st=0 || st=$?
}
# in the manifest's order: six from server 1, three from 2, three from 3
{
	for i in 1 2 3 4 5 6; do web_entry "d$i" 1 2000; done
	for i in 7 8 9; do web_entry "d$i" 2 2000; done
	for i in 10 11 12; do web_entry "d$i" 3 2000; done
} >"$P/web.ini"
first_wave "$TMP_ROOT/env-web" "$P/web.ini" -j 4 --progress=json
check_eq "12 downloads from 3 hosts, -j 4: all installed" "0 12" "$st $(grep -c '^d[0-9]* 1\.0: installed' "$SCRATCH/web.out")"
check_eq "... the first wave: 4 from the first host (of its 6), 3 from the second, 1 from the third (8 in all)" \
	"4 3 1" "$wave"
check_eq "... 12 requests in all, one for each" "12" "$(cat "$SCRATCH"/req? | grep -c .)"
# --progress=json: each package's download event with its whole size
sizes=$(for i in $(seq 1 12); do printf 'd%s %s\n' "$i" "$(stat -c %s "$WWW/d$i-1.0.tar.gz")"; done)
got=$(python3 -c '
import json, sys
seen = {}
for line in open(sys.argv[1]):
    try:
        e = json.loads(line)
    except ValueError:
        print("not JSON: %r" % line)
        continue
    if e.get("state") == "downloading" and e.get("bytes") is not None:
        seen[e["package"]] = max(seen.get(e["package"], 0), e["bytes"])
for i in range(1, 13):
    print("d%d %s" % (i, seen.get("d%d" % i, "none")))
' "$SCRATCH/web.err" 2>&1)
check_eq "... --progress=json: every line of stderr an event; each download told with its size" "$sizes" "$got"
check_eq "... the records keep the URLs" "12" "$(grep -l "^url http://127.0.0.1:" "$TMP_ROOT"/env-web/var/cenv/records/* 2>/dev/null | wc -l)"
# -j 1: one download at a time, as cenv always did
{ web_entry d1 1 1500; web_entry d2 1 1500; } >"$P/web1.ini"
first_wave "$TMP_ROOT/env-web1" "$P/web1.ini" -j 1
check_eq "-j 1, two downloads from one host: both installed, the first wave one download" "0 2 1 0 0" \
	"$st $(grep -c '^d[12] 1\.0: installed' "$SCRATCH/web.out") $wave"
# a URL operand: recorded by its URL, not by the cache's path
"$CENV_BIN" install --sandbox=off -e "$TMP_ROOT/env-web1" "http://127.0.0.1:${port[2]}/d7-1.0.tar.gz" >"$SCRATCH/all" 2>&1 && st=0 || st=$?
check_eq "a URL operand installs and its record keeps the URL" "0 url http://127.0.0.1:${port[2]}/d7-1.0.tar.gz" \
	"$st $(grep "^url " "$TMP_ROOT/env-web1/var/cenv/records/d7" 2>/dev/null)"
finish
