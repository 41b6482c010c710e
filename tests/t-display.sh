# t-display.sh - issue 12: the live display of several packages (src/display.c), replayed from
# scripts by tests/tools/displaydemo: on a real pseudo-terminal a block redrawn in place within the
# width and the height, gone at the end with the cursor shown again, nothing for a run under
# 200 ms; plain lines without an escape code in a pipe, with TERM=dumb or -q; JSON events that
# parse, throttled, with the counts; -v's lines of every build, prefixed, printable, cut.
# The terminal checks are tests/termcheck.py's, which reads any pty transcript (cenv's too).
# Then the real cenv in a pty: five packages (two downloaded from tests/httpd.py, three built) with
# -j 2 on a 50x6 terminal; the same with --progress=json, in a pipe, and all up to date.
. "$(dirname "$0")/lib.sh"
plan 69

DEMO=${DISPLAY_DEMO:-$TOP/tests/tools/displaydemo}
# made here too (a no-op after make check): tests/mutate.sh rebuilds only cenv after a mutation
[ -n "${DISPLAY_DEMO:-}" ] || make -s -C "$TOP" tests/tools/displaydemo >/dev/null ||
	{ echo "t-display: cannot build $DEMO" >&2; exit 1; }
PTY="$TOP/tests/pty.py"
TERMCHECK="$TOP/tests/termcheck.py"
ESC=$(printf '\033')
CR=$(printf '\r')
LOGS="$TMP_ROOT/logs"
mkdir -p "$LOGS"
unset COLUMNS LINES

# frames FILE: every line a transcript drew, one per \r or \n, escape sequences taken out
frames() { tr '\r' '\n' <"$1" | sed "s/$ESC\[[0-9;?]*[A-Za-z]//g"; }
# report COLS ROWS FILE KEY: one value of termcheck's report
report() { python3 "$TERMCHECK" "$1" "$2" "$3" | sed -n "s/^$4: //p"; }
screen() { python3 "$TERMCHECK" "$1" "$2" "$3" | sed '1,/^screen:$/d'; }
ms() { date +%s%3N; }

# ---- a run on a terminal: downloads, waits, builds with -v, a failure ------------------------
cat >"$SCRATCH/run" <<'EOF'
add zlib 1.3.1
add libpng 1.6.43
add curl 8.5.0
state 0 downloading
state 1 waiting zlib
state 2 waiting zlib, libpng
bytes 0 1000 400000
sleep 250
bytes 0 200000 400000
sleep 250
EOF
# the bytes change every 5 ms for 0.75 s: the block still at most every 100 ms
for i in $(seq 1 150); do printf 'bytes 0 %s 400000\nsleep 5\n' $((200000 + i * 1000)); done >>"$SCRATCH/run"
cat >>"$SCRATCH/run" <<'EOF'
state 0 queued
sleep 250
state 0 building
step 0 configure
log 0 checking for gcc... gcc
log 0 tab\there esc\x1b[31m red
sleep 300
step 0 make
log 0 cc -c zlib.c
sleep 1100
state 0 installing
sleep 250
done 0 installed build=autotools files=12 bytes=413184
print zlib 1.3.1: installed (autotools, 12 files)
sleep 250
step 1 make
log 1 oops
done 1 failed error=make\x20failed
print libpng: failed
done 2 skipped because=libpng
sleep 250
finish
EOF
t0=$(ms)
check "terminal: the run replays" python3 "$PTY" 80 "$SCRATCH/tty" "$DEMO" -v "$LOGS" "$SCRATCH/run"
took=$(($(ms) - t0))
frames "$SCRATCH/tty" >"$SCRATCH/frames"
# the texts as display.h gives them; the name column as wide as the longest name (libpng)
check "terminal: a download with its bytes and a bar (200000 of 400000 bytes: 10 of 20)" \
	grep -qx 'zlib    downloading  195.3 KiB / 390.6 KiB \[==========>         \]' "$SCRATCH/frames"
check "terminal: a package waiting for two others" grep -qx 'curl    waiting for zlib, libpng' "$SCRATCH/frames"
check "terminal: one waiting for a job of the -j budget" grep -qx 'zlib    waiting for a job (-j)' "$SCRATCH/frames"
check "terminal: a build with its step and its time" grep -qx 'zlib    building (configure) 0:00' "$SCRATCH/frames"
check "terminal: the time goes on (make runs 1.1 s after 0.3 s of configure)" \
	grep -qx 'zlib    building (make) 0:01' "$SCRATCH/frames"
check "terminal: installing" grep -qx 'zlib    installing' "$SCRATCH/frames"
check "terminal: the total line" grep -qx '0/3 installed · 1 downloading · 2 waiting · 0:00' "$SCRATCH/frames"
check "terminal: the total line counts the installed and the failed" \
	grep -qx '1/3 installed · 1 failed · 1 skipped · 0:0[2-5]' "$SCRATCH/frames"
check_eq "terminal: the final screen: the permanent lines and -v's, no live block" \
	"zlib| checking for gcc... gcc
zlib| tab\\there esc\\x1b[31m red
zlib| cc -c zlib.c
zlib 1.3.1: installed (autotools, 12 files)
libpng| oops
libpng: failed
summary: 1 installed" "$(screen 80 24 "$SCRATCH/tty")"
check_eq "terminal: the cursor hidden once, shown again at the end" "1 1 shown" \
	"$(report 80 24 "$SCRATCH/tty" hides) $(report 80 24 "$SCRATCH/tty" shows) $(report 80 24 "$SCRATCH/tty" cursor)"
check_eq "terminal: only the sequences display.h names (cursor up, erase line, cursor)" "- 0" \
	"$(report 80 24 "$SCRATCH/tty" unknown) $(report 80 24 "$SCRATCH/tty" clamped)"
draws=$(grep -c ' installed · ' "$SCRATCH/frames")
check "terminal: redrawn in place ($draws times in $took ms: more than 5)" test "$draws" -gt 5
check "terminal: at most every 100 ms ($draws times in $took ms)" test "$draws" -le $((took / 100 + 1))
check_eq "terminal: -v's lines on the screen, whole, never drawn over" "3" \
	"$(grep -c -e '^zlib| checking for gcc... gcc$' -e '^zlib| cc -c zlib.c$' -e '^libpng| oops$' "$SCRATCH/frames")"

# ---- within the width and the height -------------------------------------------------------
{
	for i in 0 1 2 3 4 5 6 7 8 9; do echo "add package-with-a-long-name-$i 1.0"; done
	for i in 0 1 2 3 4 5 6 7 8 9; do echo "state $i downloading" && echo "bytes $i 123456 999999"; done
	echo "sleep 450"
	for i in 0 1 2 3 4 5 6 7 8 9; do echo "done $i installed"; done
	echo "finish"
} >"$SCRATCH/many"
COLUMNS=200 PTY_ROWS=8 python3 "$PTY" 30 "$SCRATCH/tty" "$DEMO" "$LOGS" "$SCRATCH/many"
frames "$SCRATCH/tty" >"$SCRATCH/frames"
check_eq "30 columns: every live line cut to 29 (the total line's · one column), the terminal's width over COLUMNS" \
	"29 0" "$(report 30 8 "$SCRATCH/tty" live) $(report 30 8 "$SCRATCH/tty" wrapped)"
check "30 columns: the total line cut by characters, not bytes" grep -qx '0/10 installed · 10 downloadi' "$SCRATCH/frames"
check "30 columns: a package line, its name cut to the name column (24), the line to 29" grep -qx 'package-with-a-long-name  dow' "$SCRATCH/frames"
check_eq "8 rows: at most 7 lines in the block (5 packages, the rest counted, the total)" "7 0" \
	"$(report 30 8 "$SCRATCH/tty" tallest) $(report 30 8 "$SCRATCH/tty" clamped)"
check "8 rows: the packages that do not fit, counted" grep -qx '… and 5 more' "$SCRATCH/frames"
check_eq "8 rows: nothing left on the screen but the summary" "summary: 10 installed" "$(screen 30 8 "$SCRATCH/tty")"
# a terminal that does not say its width: COLUMNS
COLUMNS=25 PTY_ROWS=8 python3 "$PTY" 0 "$SCRATCH/tty" "$DEMO" "$LOGS" "$SCRATCH/many"
check_eq "a terminal without a width: COLUMNS=25 (24 a line)" "24" "$(report 25 8 "$SCRATCH/tty" live)"

# ---- nothing for a run under 200 ms ----------------------------------------------------------
cat >"$SCRATCH/quick" <<'EOF'
add zlib 1.3.1
add png 1.6
state 0 downloading
bytes 0 5000 5000
state 1 waiting zlib
step 0 make
sleep 120
done 0 installed
print zlib 1.3.1: installed
done 1 up-to-date
finish
EOF
echo "elapsed $SCRATCH/elapsed" >>"$SCRATCH/quick"
python3 "$PTY" 80 "$SCRATCH/tty" "$DEMO" -v "$LOGS" "$SCRATCH/quick"
took=$(cat "$SCRATCH/elapsed")
# (the ticker looks every 100 ms: the run lasts past its first look, by the display's own clock)
if [ "$took" -ge 100 ] && [ "$took" -lt 190 ]; then
	check_eq "under 200 ms (120 ms and the start): nothing drawn, no escape code, only the permanent lines" "zlib 1.3.1: installed
summary: 1 installed" "$(cat "$SCRATCH/tty")"
else
	skip "under 200 ms: nothing drawn" "the display lasted $took ms, not 100 to 190: the machine is too busy to tell"
fi

# ---- no terminal: plain lines, no escape code ------------------------------------------------
"$DEMO" "$LOGS" "$SCRATCH/run" >"$SCRATCH/out" 2>"$SCRATCH/err"
check_eq "pipe: nothing of the display's own on stderr (the caller's lines are the events)" "" "$(cat "$SCRATCH/err")"
check_eq "pipe: stdout has the caller's lines" "zlib 1.3.1: installed (autotools, 12 files)
libpng: failed
summary: 1 installed" "$(cat "$SCRATCH/out")"
check "pipe: no escape code or carriage return" test "$(cat "$SCRATCH/out" "$SCRATCH/err" | grep -c "[$ESC$CR]")" = 0
TERM=dumb python3 "$PTY" 80 "$SCRATCH/tty" "$DEMO" "$LOGS" "$SCRATCH/run"
check_eq "TERM=dumb: the caller's lines, no escape code" "0 3" \
	"$(grep -c "$ESC" "$SCRATCH/tty") $(grep -c -e 'installed' -e 'failed' "$SCRATCH/tty")"
python3 "$PTY" 80 "$SCRATCH/tty" "$DEMO" -q "$LOGS" "$SCRATCH/run"
check_eq "-q: the caller's lines, no escape code" "0 3" \
	"$(grep -c "$ESC" "$SCRATCH/tty") $(grep -c -e 'installed' -e 'failed' "$SCRATCH/tty")"

# ---- -v: every build's lines, prefixed, printable, cut ---------------------------------------
cat >"$SCRATCH/verbose" <<'EOF'
add zlib 1.3.1
add png 1.6
state 0 building
log 0 unpacked (before the first step: not shown)
step 0 make
step 1 make
log 0 zlib one
log 1 png one
sleep 250
log 0 zlib two
log 1 png two\x07 bell \x1b[31m
sleep 250
long 0 20000
log 0 after the long one
log 1 png's last, written just before it ends
done 1 installed
print png 1.6: installed
sleep 250
done 0 installed
finish
EOF
"$DEMO" -v "$LOGS" "$SCRATCH/verbose" >"$SCRATCH/out" 2>"$SCRATCH/err"
check_eq "-v: both builds' lines as they come, each prefixed with its package" "zlib| zlib one
png| png one
zlib| zlib two
png| png two\\x07 bell \\x1b[31m" "$(grep -v -e '^zlib| é' "$SCRATCH/err" | head -4)"
check "-v: the log before the first step is not shown" test "$(grep -c 'unpacked' "$SCRATCH/err")" = 0
check "-v: control bytes shown escaped" grep -qx 'png| png two\\x07 bell \\x1b\[31m' "$SCRATCH/err"
check_eq "-v: a 20000-byte line cut at 8192 bytes (é is 2) with ..." "zlib| é$(printf 'x%.0s' $(seq 8190))..." \
	"$(grep '^zlib| é' "$SCRATCH/err")"
check "-v: the line after the long one whole" grep -qx 'zlib| after the long one' "$SCRATCH/err"
check "-v: nothing on stderr but the prefixed and the plain lines" \
	test "$(grep -v -c -e '^zlib| ' -e '^png| ' "$SCRATCH/err")" = 0
check "-v: in a pipe, no escape code" test "$(grep -c "[$ESC$CR]" "$SCRATCH/err")" = 0
# the same on a terminal: the lines above the block, never drawn over
python3 "$PTY" 80 "$SCRATCH/tty" "$DEMO" -v "$LOGS" "$SCRATCH/verbose"
check_eq "-v on a terminal: the final screen holds the lines in order, no live block" "zlib| zlib one
png| png one
zlib| zlib two
png| png two\\x07 bell \\x1b[31m" "$(screen 80 24 "$SCRATCH/tty" | grep -v '^zlib| é\|^x*\.\.\.$\|^x*$' | head -4)"
check_eq "-v on a terminal: a package's last lines shown when it ends, before the caller's line" "png| png's last, written just before it ends
png 1.6: installed" "$(screen 80 24 "$SCRATCH/tty" | grep -v '^zlib|' | grep -A1 "^png| png's last")"
# (zlib's lines and png's end come from two threads: their order between them is the scheduler's)
check_eq "-v on a terminal: the screen ends with the last lines and the summary" "zlib| after the long one
summary: 2 installed" "$(screen 80 24 "$SCRATCH/tty" | grep -x "zlib| after the long one\|summary: .*")"

# ---- --progress=json -------------------------------------------------------------------------
{
	echo "add zlib 1.3.1"
	echo "add png 1.6"
	echo "add x 1"
	echo "add up 2"
	echo "state 0 downloading"
	for i in $(seq 0 100 4900); do echo "bytes 0 $i 5000"; done
	echo "bytes 0 5000 5000"
	echo "state 1 waiting zlib"
	echo "state 0 building"
	echo "step 0 make"
	echo "state 0 installing"
	echo "done 0 installed build=autotools files=12 bytes=413184"
	echo "step 1 make"
	echo "done 1 failed log=$LOGS/png.log error=say\\x20\"no\"\\x01\\x20\\xff"
	echo "done 2 skipped because=png"
	echo "done 3 up-to-date"
	echo "print hello"
	echo "finish"
} >"$SCRATCH/json"
"$DEMO" --json "$LOGS" "$SCRATCH/json" >"$SCRATCH/out" 2>"$SCRATCH/err"
cat >"$SCRATCH/events.py" <<'EOF'
import json, sys
events = [json.loads(line) for line in open(sys.argv[1])]
key = sys.argv[2]
if key == "states":
    for e in events:
        if e["state"] != "downloading":
            print(" ".join(x for x in (e.get("package", "-"), e["state"], e.get("step", e.get("for"))) if x))
elif key == "downloads":
    d = [e for e in events if e["state"] == "downloading"]
    print(len(d), d[0]["bytes"], d[-1]["bytes"], d[-1]["total"], d[0]["package"])
elif key == "times":
    t = [e["time"] for e in events]
    print("ok" if all(isinstance(x, float) or isinstance(x, int) for x in t) and t == sorted(t) and t[0] >= 0 else t)
else:
    e = [e for e in events if e.get("package") == key or e["state"] == key][-1]
    print(json.dumps({k: v for k, v in e.items() if k != "time" and k != "seconds"}, sort_keys=True))
    if "seconds" in e:
        print("seconds" if e["seconds"] >= 0 else "negative")
EOF
jq_() { python3 "$SCRATCH/events.py" "$SCRATCH/err" "$1" 2>&1; }
check "json: every line on stderr is one JSON object" python3 -c '
import json, sys
for line in open(sys.argv[1]):
    assert isinstance(json.loads(line), dict), line
' "$SCRATCH/err"
check_eq "json: an event for every other state change, in order" "png waiting zlib
zlib building
zlib building make
zlib installing
zlib installed
png building make
png failed
x skipped
up up-to-date
- done" "$(jq_ states)"
check_eq "json: downloads throttled (51 calls in a few ms: the first and the last bytes)" "2 0 5000 5000 zlib" "$(jq_ downloads)"
check_eq "json: installed with its build, files and bytes" \
	'{"build": "autotools", "bytes": 413184, "files": 12, "package": "zlib", "state": "installed"}' "$(jq_ zlib)"
check_eq "json: failed with its log and the error, escaped into valid JSON" \
	"{\"error\": \"say \\\"no\\\"\\u0001 \\\\xff\", \"log\": \"$LOGS/png.log\", \"package\": \"png\", \"state\": \"failed\"}" "$(jq_ png)"
check_eq "json: skipped, because of the failed one" '{"because": "png", "package": "x", "state": "skipped"}' "$(jq_ x)"
check_eq "json: done with the counts" '{"failed": 1, "installed": 1, "skipped": 1, "state": "done", "up_to_date": 1}
seconds' "$(jq_ done)"
check_eq "json: the times since the start, in order" "ok" "$(jq_ times)"
check_eq "json: stdout keeps the caller's lines" "hello
summary: 1 installed" "$(cat "$SCRATCH/out")"

# ---- several threads at once -------------------------------------------------------------------
printf 'add a 1\nadd b 1\nadd c 1\nadd d 1\nstorm 1500 0 1 2 3\nfinish\n' >"$SCRATCH/storm"
check "threads: four downloading and printing at once" python3 "$PTY" 80 "$SCRATCH/tty" "$DEMO" "$LOGS" "$SCRATCH/storm"
lines=$(screen 80 24 "$SCRATCH/tty")
printed=$(grep -ac 'storm [0-3]: ' "$SCRATCH/tty")
check "threads: the run printed lines ($printed)" test "$printed" -gt 20
check_eq "threads: the final screen holds every printed line whole and the summary, no block" \
	"$((printed + 1)) $((printed + 1))" \
	"$(wc -l <<<"$lines") $(grep -Ec '^(storm [0-3]: [0-9]+|summary: 0 installed)$' <<<"$lines")"
live=$(report 80 24 "$SCRATCH/tty" live)
check "threads: a block was drawn, within the width ($live columns)" test "$live" -gt 0 -a "$live" -le 79
check_eq "threads: the cursor shown at the end" "shown" "$(report 80 24 "$SCRATCH/tty" cursor)"

# ---- the real cenv: five packages, two downloaded, three built, -j 2 ---------------------------
# dl1, dl2 served by tests/httpd.py after 600 ms of silence; b1, b2, b3 local, each building 1 s
. "$TOP/tests/lib-http.sh"
export XDG_CACHE_HOME="$TMP_ROOT/cache"
WWW="$TMP_ROOT/www"
R="$TMP_ROOT/real"
mkdir -p "$WWW" "$R/src"
trap 'stop_server; chmod -R u+w "$TMP_ROOT" 2>/dev/null; rm -rf "$TMP_ROOT" "$SCRATCH"' EXIT
start_server
for n in dl1 dl2 b1 b2 b3; do
	mkdir -p "$R/src/$n-1.0"
	case $n in dl*) secs=0.2 ;; *) secs=1 ;; esac
	printf 'all:\n\tsleep %s\ninstall:\n\tmkdir -p $(DESTDIR)$(PREFIX)/include\n\techo "int %s;" > $(DESTDIR)$(PREFIX)/include/%s.h\n' \
		"$secs" "$n" "$n" >"$R/src/$n-1.0/Makefile"
	bsdtar -czf "$R/$n-1.0.tar.gz" -C "$R/src" "$n-1.0"
done
cp "$R/dl1-1.0.tar.gz" "$R/dl2-1.0.tar.gz" "$WWW/"
for n in dl1 dl2 b1 b2 b3; do
	case $n in dl*) url="$URL/delay/600/$n-1.0.tar.gz" ;; *) url="$n-1.0.tar.gz" ;; esac
	printf '[%s]\nversion = 1.0\nurl = %s\nsha256 = %s\n\n' "$n" "$url" "$(sha256sum "$R/$n-1.0.tar.gz" | cut -d' ' -f1)"
done >"$R/cenv.ini"
# fresh: a new environment and no download cached
fresh() { rm -rf "$R/env" "$XDG_CACHE_HOME" && "$CENV_BIN" create "$R/env" >/dev/null; }
# blocks FILE: every block the transcript erased, its lines joined by " | " (an erase of N lines,
# \r ESC[K and N-1 times ESC[A ESC[K, takes the last N lines drawn before it)
blocks() {
	python3 - "$1" <<'PY'
import re, sys
data = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
parts = re.split(r"\r\x1b\[K((?:\x1b\[A\x1b\[K)*)", data)
for i in range(1, len(parts), 2):
    n = parts[i].count("\x1b[A") + 1
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", parts[i - 1])
    print(" | ".join(text.split("\n")[-n:]))
PY
}

fresh
check "cenv: five packages installed on a 50x6 terminal, -j 2" env COLUMNS=50 PTY_ROWS=6 \
	python3 "$PTY" 50 "$SCRATCH/tty" "$CENV_BIN" install -j 2 -e "$R/env" -f "$R/cenv.ini"
python3 "$TERMCHECK" 50 6 "$SCRATCH/tty" >"$SCRATCH/term"
blocks "$SCRATCH/tty" >"$SCRATCH/blocks"
live=$(sed -n 's/^live: //p' "$SCRATCH/term")
check "cenv: a block drawn, every line of it within the width ($live columns of 49)" test "$live" -gt 20 -a "$live" -le 49
check_eq "cenv: the block never taller than the screen's rows - 1 (5), never scrolled" "ok 0" \
	"$(test "$(sed -n 's/^tallest: //p' "$SCRATCH/term")" -le 5 && echo ok) $(sed -n 's/^clamped: //p' "$SCRATCH/term")"
check "cenv: every block ends with a total line (N/5 installed, cut to the width)" \
	test "$(grep -c -v -E ' ?[0-5]/5 installed( · .*)?$' "$SCRATCH/blocks")" = 0 -a -s "$SCRATCH/blocks"
most=$(awk -F' [|] ' '{ n = 0; for (i = 1; i <= NF; i++) if ($i ~ /^(dl[12]|b[123]) +(downloading|building|waiting|installing)/) n++; if (n > m) m = n } END { print m + 0 }' "$SCRATCH/blocks")
check "cenv: the block showed at least two packages at once ($most)" test "$most" -ge 2
check "cenv: two packages' lines building at once in a block (-j 2)" \
	awk -F' [|] ' '{ n = 0; for (i = 1; i <= NF; i++) if ($i ~ /^[a-z0-9]+ +building/) n++; if (n >= 2) ok = 1 } END { exit !ok }' "$SCRATCH/blocks"
check "cenv: the packages beyond the screen's room summed up (… and N more)" grep -qE '[|] … and [0-9]+ more [|]' "$SCRATCH/blocks"
sed '1,/^screen:$/d' "$SCRATCH/term" >"$SCRATCH/screen"
check "cenv: the final screen ends with the summary line" grep -qE '^5 installed, 0 up to date, 0 failed in [0-9]+\.[0-9] s$' <(tail -1 "$SCRATCH/screen")
check_eq "cenv: no line of the block left on the final screen" "0" \
	"$(grep -c -E '(downloading|building|waiting|installing)|/5 installed' "$SCRATCH/screen")"
check_eq "cenv: the cursor hidden while drawing, shown at the end" "shown" \
	"$(grep -q '^hides: [1-9]' "$SCRATCH/term" && sed -n 's/^cursor: //p' "$SCRATCH/term")"

fresh
"$CENV_BIN" install -j 2 --progress=json -e "$R/env" -f "$R/cenv.ini" >"$SCRATCH/out" 2>"$SCRATCH/err"
check "cenv --progress=json: installs" test $? = 0
cat >"$SCRATCH/real.py" <<'PY'
import json, sys
events = []
for line in open(sys.argv[1]):
    try:
        events.append(json.loads(line))
    except ValueError:
        print("not JSON: " + line.rstrip()); sys.exit()
what = sys.argv[2]
if what == "parse":
    print("ok %d" % len(events))
elif what == "order":
    for name in sys.argv[3:]:
        states = [e["state"] for e in events if e.get("package") == name]
        ok = "building" in states and "installed" in states and states.index("building") < states.index("installed") \
            and states[-1] == "installed"
        print(name, "ok" if ok else " ".join(states))
elif what == "done":
    done = [e for e in events if e["state"] == "done"]
    print(len(done), events[-1]["state"], " ".join("%s=%s" % (k, done[0][k]) for k in ("installed", "up_to_date", "failed", "skipped")))
PY
check "cenv --progress=json: every stderr line parses as JSON" grep -qE '^ok [0-9]+$' <(python3 "$SCRATCH/real.py" "$SCRATCH/err" parse)
check_eq "cenv --progress=json: each package building, then installed" "dl1 ok
dl2 ok
b1 ok
b2 ok
b3 ok" "$(python3 "$SCRATCH/real.py" "$SCRATCH/err" order dl1 dl2 b1 b2 b3)"
check_eq "cenv --progress=json: one done event, last, with the counts" "1 done installed=5 up_to_date=0 failed=0 skipped=0" \
	"$(python3 "$SCRATCH/real.py" "$SCRATCH/err" done)"

fresh
"$CENV_BIN" install -j 2 -e "$R/env" -f "$R/cenv.ini" >"$SCRATCH/out" 2>"$SCRATCH/err"
check "cenv in a pipe: no escape code, no carriage return" test "$(cat "$SCRATCH/out" "$SCRATCH/err" | grep -c "[$ESC$CR]")" = 0
check_eq "cenv in a pipe: a plain line per package, then the summary" "5 installed 1 summary" \
	"$(grep -c '^\(dl1\|dl2\|b1\|b2\|b3\) 1.0: installed (make, 1 file, ' "$SCRATCH/out") installed $(tail -1 "$SCRATCH/out" | grep -cE '^5 installed, 0 up to date, 0 failed in [0-9.]+ s$') summary"

t0=$(ms)
python3 "$PTY" 50 "$SCRATCH/tty" "$CENV_BIN" install -j 2 -e "$R/env" -f "$R/cenv.ini"
took=$(($(ms) - t0))
check_eq "cenv, all up to date: nothing drawn, the one line ($took ms)" "5 packages up to date in $R/env" "$(cat "$SCRATCH/tty")"
