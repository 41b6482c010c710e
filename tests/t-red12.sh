# t-red12.sh - red team of issue 12 (parallel installs): a hostile manifest, build, archive or
# server, or an unlucky user, against the scheduler, the -j budget, the looks of unsandboxed builds
# told of each other's commits, Ctrl-C and SIGTERM, the live display and --progress=json.  A check
# named "F<N>: ..." fails on the red branch: finding N of the red team's report, to be fixed; the
# others pass and stay as regression checks.
. "$(dirname "$0")/lib.sh"
plan 27
. "$(dirname "$0")/lib-install.sh"
. "$(dirname "$0")/lib-http.sh"

export XDG_CACHE_HOME="$TMP_ROOT/cache"
WWW="$TMP_ROOT/www"
mkdir -p "$WWW"
MARK="cenv-red12-$$-$RANDOM"
# survivors: the processes of this script's builds still there (MARK on their command line)
survivors() { pgrep -f -- "$MARK" | tr '\n' ' '; }
trap 'stop_server; for p in $(pgrep -f -- "$MARK"); do kill -KILL "$p" 2>/dev/null; done; chmod -R u+w "$TMP_ROOT" 2>/dev/null; rm -rf "$TMP_ROOT" "$SCRATCH"' EXIT
start_server

E="$TMP_ROOT/env"
fresh() { rm -rf "$E" && "$CENV_BIN" create "$E" >/dev/null; }
# run MANIFEST OPTION...: cenv install into $E (unsandboxed: the builds write where the test
# sees), stdout in $SCRATCH/out, stderr in $SCRATCH/err, the status in $st
run() {
	local f=$1
	shift
	"$CENV_BIN" install -e "$E" -f "$f" --sandbox=off "$@" >"$SCRATCH/out" 2>"$SCRATCH/err" && st=0 || st=$?
}
names() { "$CENV_BIN" list -e "$E" 2>/dev/null | awk 'NR > 1 { print $1 }' | LC_ALL=C sort | tr '\n' ' '; }
good() { good_recipe "$1"; }
# bpkg VERSION INSTALL-RECIPE: $P/b-VERSION.tar.gz, a make package "b" whose build sleeps 0.3 s
bpkg() {
	rm -rf "$P/src/b-$1" && mkdir -p "$P/src/b-$1" &&
		printf 'all:\n\tsleep 0.3\ninstall:\n\t%s\n' "$2" >"$P/src/b-$1/Makefile" &&
		bsdtar -czf "$P/b-$1.tar.gz" -C "$P/src" "b-$1"
}
bentry() { printf '[b]\nversion = %s\nurl = b-%s.tar.gz\nsha256 = %s\n\n' "$1" "$1" "$(sha256sum "$P/b-$1.tar.gz" | cut -d' ' -f1)"; }
# no_controls FILE: no ESC, BEL, CR or U+202E in FILE
no_controls() { ! LC_ALL=C grep -q -P '[\x1b\x07\r]|\xe2\x80\xae' "$1"; }
# json_ok FILE: every line of FILE that starts with '{' is one whole JSON object
json_ok() {
	python3 -c '
import json, sys
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    if line.startswith("{"):
        try:
            assert isinstance(json.loads(line), dict)
        except Exception:
            print("not an object:", repr(line)); sys.exit(1)
' "$1"
}

# ---- F1: a stray write of one unsandboxed build blamed on another that ends first ----------
# a (2 s) writes include/evil.h into the environment itself early; b (0.5 s, well-behaved)
# would end first.  Side by side, b's look, begun before the write, found the file, b was refused
# and a, the writer, installed.  Without the sandbox builds now run one at a time.
B_RECIPE='mkdir -p $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/share/b; echo "int b;" > $(DESTDIR)$(PREFIX)/include/b.h; echo b > $(DESTDIR)$(PREFIX)/share/b/b.txt'
bpkg 1.0 "$B_RECIPE"
recipe_pkg a 'sleep 0.2\necho x > $(PREFIX)/include/evil.h\nsleep 1.8' "$(good a)"
{ entry a; bentry 1.0; } >"$P/s1.ini"
fresh
run "$P/s1.ini" -j 4
check_eq "F1: a stray write by a's build (b ends first, innocent): b installed, a refused" "b " "$(names)"
check "F1: the refusal names a, the build that wrote include/evil.h" \
	grep -q "^cenv: a: the build wrote into the environment outside its staging area: include/evil.h" "$SCRATCH/err"
# the same with the writer making the directory b's commit later uses (share/b/)
recipe_pkg a 'mkdir -p $(PREFIX)/share/b\necho x > $(PREFIX)/share/b/evil.txt\nsleep 1.5' "$(good a)"
{ entry a; bentry 1.0; } >"$P/s3.ini"
fresh
run "$P/s3.ini" -j 4
check_eq "F1: a stray share/b/evil.txt by a, before b commits share/b/b.txt: b installed, a refused" "b " "$(names)"

# held: a stray write into b's directory after b's commit is a's, and b stays installed
recipe_pkg a 'sleep 1.2\necho x > $(PREFIX)/share/b/evil.txt\nsleep 0.3' "$(good a)"
{ entry a; bentry 1.0; } >"$P/s2.ini"
fresh
run "$P/s2.ini" -j 4
check_eq "a stray write after b's commit, into b's directory: a refused, b installed, the file gone" \
	"1 b  no" "$st $(names) $([ -e "$E/share/b/evil.txt" ] && echo yes || echo no)"
# held: a's build changing b's committed file is a's, not taken for b's commit (a after b: builds
# without the sandbox run one at a time)
recipe_pkg a 'sleep 1.2\necho hacked > $(PREFIX)/include/b.h\nsleep 0.3' "$(good a)"
{ entry a depends=b; bentry 1.0; } >"$P/s4.ini"
fresh
run "$P/s4.ini" -j 4
check "a's build changing include/b.h after b's commit: said of a, owned by b" \
	grep -q "^cenv: a: the build changed files of other packages: include/b.h (b)" "$SCRATCH/err"

# ---- F2: an upgrade's commit that turns a directory into a file, taken for a's stray write ----
# b 1.0 has share/b/deep/old.txt; b 2.0 has share/b/deep as a file.  b's upgrade commits while a
# (well-behaved, 1.5 s) builds; a's look, told of the commit, still finds old.txt "disappeared".
# (in the sandbox: without it the two would build one after the other)
recipe_pkg a 'sleep 1.5' "$(good a)"
bpkg 1.0 'mkdir -p $(DESTDIR)$(PREFIX)/share/b/deep; echo o > $(DESTDIR)$(PREFIX)/share/b/deep/old.txt'
bpkg 2.0 'mkdir -p $(DESTDIR)$(PREFIX)/share/b; echo 2 > $(DESTDIR)$(PREFIX)/share/b/deep'
bentry 1.0 >"$P/b1.ini"
{ entry a; bentry 2.0; } >"$P/b2.ini"
fresh
run "$P/b1.ini"
run "$P/b2.ini" -j 4 --sandbox=auto
check_eq "F2: b's upgrade (share/b/deep: a directory, then a file) during a's build: both installed" \
	"0 a b " "$st $(names)"
check "F2: no stray write said of a" sh -c "! grep -q '^cenv: a: ' '$SCRATCH/err'"
# held: an upgrade that only drops files and directories, during a's build
bpkg 2.0 'mkdir -p $(DESTDIR)$(PREFIX)/include; echo 2 > $(DESTDIR)$(PREFIX)/include/b.h'
{ entry a; bentry 2.0; } >"$P/b2.ini"
fresh
run "$P/b1.ini"
run "$P/b2.ini" -j 4 --sandbox=auto
check_eq "b's upgrade dropping share/b/deep/ during a's build: both installed" "0 a b " "$st $(names)"

# ---- F3: --progress=json: a failed build's log tail forges an event -------------------------
# The failure report prints the log's last lines raw on stderr, beside the events: a build that
# prints a JSON line makes a CI reader see "installed" for a package that failed.
recipe_pkg spoof 'echo "{\\"time\\":0.1,\\"package\\":\\"spoof\\",\\"state\\":\\"installed\\"}"\nexit 2' 'true'
entry spoof >"$P/spoof.ini"
fresh
run "$P/spoof.ini" --progress=json
check_eq "the spoofing build fails" 1 "$st"
check "F3: no line of the build's log on stderr reads as an event (a line starting with '{')" \
	sh -c "! grep -q '^{\"time\":0.1,\"package\":\"spoof\",\"state\":\"installed\"}' '$SCRATCH/err'"

# held: escape codes and bidi controls of a build's output stay out of -v, the report and JSON
recipe_pkg loud 'printf "\\033]0;pwn\\007 \\342\\200\\256 evil\\r\\n"\nexit 2' 'true'
entry loud >"$P/loud.ini"
fresh
run "$P/loud.ini" --progress=json -v
check "a loud failed build with -v and JSON: no ESC, BEL, CR or U+202E on stderr" \
	no_controls "$SCRATCH/err"
check "... and its events are whole JSON objects" json_ok "$SCRATCH/err"

# ---- F4: the JSON failed event of a download names a log that was never written -------------
printf '[gone]\nversion = 1.0\nurl = %s/status/404/gone-1.0.tar.gz\nsha256 = %064d\n' "$URL" 0 >"$P/gone.ini"
fresh
run "$P/gone.ini" --progress=json --retries 0
log=$(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    if line.startswith("{"):
        e = json.loads(line)
        if e.get("state") == "failed":
            print(e.get("log") or "")
' "$SCRATCH/err")
check_eq "the 404 download fails" 1 "$st"
if [ -z "$log" ] || [ -f "$log" ]; then
	pass "F4: a failed download's event names no log, or one that exists"
else
	fail "F4: a failed download's event names no log, or one that exists" "it names $log, absent" \
		"cause: display.c:display_done falls back to the package's log path when the failure has none"
fi

# held: hostile bytes in URLs keep the events valid JSON
printf '[q]\nversion = 1.0\nurl = %s/st"a\\\\tus/404/%%1b]0;x%%07q.tar.gz\nsha256 = %064d\n' "$URL" 0 >"$P/q.ini"
fresh
run "$P/q.ini" --progress=json --retries 0
check "quotes, backslashes and %1b in a URL: the events stay JSON, no ESC on stderr" \
	no_controls "$SCRATCH/err"
check "... one object a line" json_ok "$SCRATCH/err"

# ---- F5: two sections of one archive (subdir) told to wait for "another cenv process" --------
rm -rf "$P/src/mono-1.0" && mkdir -p "$P/src/mono-1.0/x" "$P/src/mono-1.0/y"
for s in x y; do
	printf 'all:\n\ttrue\ninstall:\n\tmkdir -p $(DESTDIR)$(PREFIX)/include\n\techo "int %s;" > $(DESTDIR)$(PREFIX)/include/%s.h\n' \
		"$s" "$s" >"$P/src/mono-1.0/$s/Makefile"
done
bsdtar -czf "$WWW/mono-1.0.tar.gz" -C "$P/src" mono-1.0
sum=$(sha256sum "$WWW/mono-1.0.tar.gz" | cut -d' ' -f1)
printf '[mx]\nversion = 1.0\nurl = %s/delay/1000/mono-1.0.tar.gz\nsha256 = %s\nsubdir = x\n\n[my]\nversion = 1.0\nurl = %s/delay/1000/mono-1.0.tar.gz\nsha256 = %s\nsubdir = y\n' \
	"$URL" "$sum" "$URL" "$sum" >"$P/mono.ini"
rm -rf "$XDG_CACHE_HOME"
fresh
run "$P/mono.ini" -j 4
check_eq "two sections of one archive: both installed" "0 mx my " "$st $(names)"
check "F5: no message of 'another cenv process' when the other download is this run's own" \
	sh -c "! grep -q 'another cenv process' '$SCRATCH/err'"

# ---- held: a wide and deep graph of 120 packages at -j 4096 ----------------------------------
for i in $(seq 1 120); do recipe_pkg "p$i" 'true' "$(good "p$i")"; done
for i in $(seq 1 120); do
	if [ "$i" -gt 10 ]; then entry "p$i" "depends=p$((i - 10)), p$((i % 10 + 1))"; else entry "p$i"; fi
done >"$P/wide.ini"
fresh
run "$P/wide.ini" -j 4096
check_eq "120 packages, -j 4096: all installed" "0 120" "$st $(ls "$E/var/cenv/records" | wc -l)"
bad=$(awk '/: installed \(/ { n = $1; sub(/^p/, "", n); pos[n] = NR }
	END { for (i = 11; i <= 120; i++) if (!(pos[i] > pos[i - 10] && pos[i] > pos[i % 10 + 1])) print i }' "$SCRATCH/out" | tr '\n' ' ')
check_eq "... each after both of its dependencies" "" "$bad"

# ---- held: make and meson side by side stay within -j 3 --------------------------------------
R="$TMP_ROOT/rec"
W="$TMP_ROOT/ccw"
compile_recorder "$W" "$R"
if command -v meson >/dev/null && command -v ninja >/dev/null && command -v cc >/dev/null; then
	for n in ma mb sa sb; do
		d="$P/src/$n-1.0"
		rm -rf "$d" && mkdir -p "$d"
		for i in 1 2 3 4 5 6; do printf 'int w%s(int x) { return x * %s; }\n' "$i" "$i" >"$d/w$i.c"; done
		case $n in
		m*) printf 'OBJS = w1.o w2.o w3.o w4.o w5.o w6.o\nall: $(OBJS)\n%%.o: %%.c\n\t$(CC) -c $< -o $@\ninstall:\n\tmkdir -p $(DESTDIR)$(PREFIX)/lib\n\tcp w1.o $(DESTDIR)$(PREFIX)/lib/%s.o\n' "$n" >"$d/Makefile" ;;
		s*) printf "project('%s', 'c')\nstatic_library('%s', 'w1.c', 'w2.c', 'w3.c', 'w4.c', 'w5.c', 'w6.c', install: true)\n" "$n" "$n" >"$d/meson.build" ;;
		esac
		bsdtar -czf "$P/$n-1.0.tar.gz" -C "$P/src" "$n-1.0"
	done
	for n in sa ma sb mb; do entry "$n" "env=CC=$W JOBS_PKG=$n"; done >"$P/mix.ini"
	fresh
	run "$P/mix.ini" -j 3
	check_eq "2 make and 2 meson packages at -j 3: installed, 24 compiles, at most 3 (+1 slack) at once" \
		"0 24 yes" "$st $(cat "$R"/* | wc -l) $([ "$(most "$R"/*)" -le 4 ] && echo yes || echo no)"
else
	skip "2 make and 2 meson packages at -j 3: installed, 24 compiles, at most 3 (+1 slack) at once" "meson, ninja or cc missing"
fi

# ---- F8: make_args = -j8 in the manifest: the build runs 8 where the run's budget is -j 2 -------
# (make 4.3: "-j8 forced in submake: resetting jobserver mode"); refused or kept to the budget
if [ -f "$P/ma-1.0.tar.gz" ]; then # made above (with cc, meson and ninja)
	entry ma "env=CC=$W JOBS_PKG=ma" make_args=-j8 >"$P/mj.ini"
	rm -f "$R"/*
	fresh
	run "$P/mj.ini" -j 2
	n=$(most "$R"/* 2>/dev/null)
	if [ "$st" -ne 0 ] || [ "${n:-0}" -le 3 ]; then
		pass "F8: make_args = -j8 under -j 2: refused, or at most 2 (+1 slack) compilers at once"
	else
		fail "F8: make_args = -j8 under -j 2: refused, or at most 2 (+1 slack) compilers at once" \
			"installed with $n compilers at once" "cause: build.c passes the manifest's make_args (-j8) after MAKEFLAGS' jobserver: make leaves the jobserver"
	fi
	# held: the manifest's env cannot lift it (MAKEFLAGS and GNUMAKEFLAGS)
	entry ma "env=CC=$W JOBS_PKG=ma GNUMAKEFLAGS=-j8 MAKEFLAGS=-j8" >"$P/mj.ini"
	rm -f "$R"/*
	fresh
	run "$P/mj.ini" -j 2
	check_eq "env = MAKEFLAGS=-j8 GNUMAKEFLAGS=-j8 under -j 2: installed, 2 at once" "0 2" "$st $(most "$R"/*)"
else
	skip "F8: make_args = -j8 under -j 2: refused, or at most 2 (+1 slack) compilers at once" "cc, meson or ninja missing"
	skip "env = MAKEFLAGS=-j8 GNUMAKEFLAGS=-j8 under -j 2: installed, 2 at once" "cc, meson or ninja missing"
fi

# ---- held: SIGTERM, twice, with a build that ignores it and one that leaves a daemon ---------
recipe_pkg stub "trap '' TERM INT; : $MARK; sleep 60 & wait; sleep 60" "$(good stub)"
recipe_pkg dmn "(setsid sh -c ': $MARK; sleep 60' </dev/null >/dev/null 2>&1 &); sleep 60" "$(good dmn)"
{ entry stub; entry dmn; } >"$P/sig.ini"
fresh
"$CENV_BIN" install -e "$E" -f "$P/sig.ini" --sandbox=off -j 4 >"$SCRATCH/out" 2>"$SCRATCH/err" &
pid=$!
sleep 1.5
kill -TERM "$pid"
sleep 0.3
kill -TERM "$pid"
t0=$(date +%s.%N)
wait "$pid" && st=0 || st=$?
took=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print (b - a < 2) ? "fast" : "slow" }')
sleep 0.2
check_eq "two SIGTERMs: 143, the second skips the grace wait" "143 fast" "$st $took"
check_eq "... no process of either build left (the TERM-proof one, the daemon)" "" "$(survivors)"
check_eq "... no work area, no package" "no " "$([ -e "$E/var/cenv/work" ] && echo yes || echo no) $(names)"

# ---- held: the live block in a 12x3 terminal stays within it, the cursor comes back ----------
for i in $(seq 1 12); do recipe_pkg "w$i" 'sleep 0.8' "$(good "w$i")"; done
for i in $(seq 1 12); do entry "w$i"; done >"$P/w.ini"
fresh
PTY_ROWS=3 python3 "$TOP/tests/pty.py" 12 "$SCRATCH/tr" "$CENV_BIN" install -e "$E" -f "$P/w.ini" --sandbox=off -j 12 >/dev/null 2>&1
python3 "$TOP/tests/termcheck.py" 12 3 "$SCRATCH/tr" >"$SCRATCH/tc"
check_eq "12x3 terminal: the live block within 12 columns and 3 rows, cursor shown, no unknown codes" \
	"ok 0 shown -" "$(awk -F': ' '$1 == "live" { l = ($2 <= 12) ? "ok" : "wide " $2 } $1 == "clamped" { c = $2 } $1 == "cursor" { u = $2 } $1 == "unknown" { k = $2 } END { print l, c, u, k }' "$SCRATCH/tc")"

finish
