# t-jobs.sh - the -j N budget, proved by a compiler wrapper used as CC that records when each
# compiler process starts and ends: make really runs N jobs and no more, cmake and meson builds
# stay within it, tokens lost to a make killed by SIGKILL come back for the next package; -j's
# values.  The overlap is measured from inside each compiler process (its record starts after it
# started and ends before it exits), so it can only fall short of what ran: no slack is needed
# but for the many-package check, which allows the documented slack of 1.
. "$(dirname "$0")/lib.sh"
plan 18
. "$(dirname "$0")/lib-install.sh"

E="$TMP_ROOT/env"
R="$TMP_ROOT/records" # the wrapper's records, one file per package: "START END" lines
W="$TMP_ROOT/tools/cc-wrap"
mkdir -p "$R" "$TMP_ROOT/tools"
compile_recorder "$W" "$R"

# src_files DIR N: w1.c .. wN.c, each with a function of its own
src_files() {
	local i
	for i in $(seq 1 "$2"); do printf 'int w%s(int x) { return x * %s; }\n' "$i" "$i" >"$1/w$i.c"; done
}

# make_pkg NAME N: a plain-Makefile package of N objects, $P/NAME-1.0.tar.gz
make_pkg() {
	local d="$P/src/$1-1.0"
	rm -rf "$d" && mkdir -p "$d" && src_files "$d" "$2"
	cat >"$d/Makefile" <<'MK'
OBJS = $(patsubst %.c,%.o,$(wildcard w*.c))
all: libw.a
libw.a: $(OBJS)
	ar rcs $@ $(OBJS)
%.o: %.c
	$(CC) -c $< -o $@
install:
	mkdir -p $(DESTDIR)$(PREFIX)/lib
	cp libw.a $(DESTDIR)$(PREFIX)/lib/lib$(NAME).a
MK
	bsdtar -czf "$P/$1-1.0.tar.gz" -C "$P/src" "$1-1.0"
}
# section NAME [KEY=VALUE...]: its entry, built with the wrapper as CC, recording into $R/NAME
section() {
	local name=$1
	shift
	entry "$name" "env=CC=$W JOBS_PKG=$name" "make_args=NAME=$name" "$@"
}
# manifest JOBS SECTION...: $P/cenv.ini, its [cenv] letting the builds write the records and see
# the wrapper (the sandbox's /tmp is a private one)
manifest() {
	local jobs=$1
	shift
	{ printf '[cenv]\nsandbox-writable = %s %s\njobs = %s\n\n' "$R" "${W%/*}" "$jobs"; cat "$@"; } >"$P/cenv.ini"
}
fresh() { rm -rf "$E" "$R"/* && "$CENV_BIN" create "$E" >/dev/null; }

# ---- one make package, -j 4 and -j 1, in the sandbox and out of it ---------------------------
make_pkg par 12
section par >"$SCRATCH/par.ini"
# the manifest's jobs = 1 is what -j replaces
manifest 1 "$SCRATCH/par.ini"
fresh
inst -j 4
check_eq "-j 4: the make package installs" 0 "$st"
check_eq "-j 4: 12 compiles recorded" 12 "$(cat "$R/par" 2>/dev/null | wc -l)"
check_eq "-j 4: make really runs 4 compilers at once, not more" 4 "$(most "$R/par")"
if grep -q '^cenv: in a sandbox (bwrap)' "$E/var/cenv/logs/par.log"; then
	pass "-j 4: the build ran in the sandbox (its jobserver passed through bwrap)"
else
	skip "-j 4: the build ran in the sandbox (its jobserver passed through bwrap)" "no working sandbox here"
fi
check "-j 4: make ran under the jobserver, without a -j of its own" \
	grep -Eq "MAKEFLAGS=' -j4 --jobserver-auth=[0-9]+,[0-9]+' make PREFIX=" "$E/var/cenv/logs/par.log"

fresh
inst -j 4 --sandbox=off
check_eq "-j 4 --sandbox=off: make runs 4 at once" "0 4" "$st $(most "$R/par")"

fresh
inst --jobs=1
check_eq "--jobs=1: one compiler at a time" "0 1" "$st $(most "$R/par")"

# without -j the manifest's jobs = 3
manifest 3 "$SCRATCH/par.ini"
fresh
inst
check_eq "[cenv] jobs = 3 without -j: 3 at once" "0 3" "$st $(most "$R/par")"

# ---- cmake and meson at -j 2 ------------------------------------------------------------------
d="$P/src/cm-1.0"
mkdir -p "$d" && src_files "$d" 6
cat >"$d/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.13)
project(cm C)
add_library(cm STATIC w1.c w2.c w3.c w4.c w5.c w6.c)
install(TARGETS cm)
CM
bsdtar -czf "$P/cm-1.0.tar.gz" -C "$P/src" cm-1.0
d="$P/src/ms-1.0"
mkdir -p "$d" && src_files "$d" 6
cat >"$d/meson.build" <<'MS'
project('ms', 'c')
static_library('ms', 'w1.c', 'w2.c', 'w3.c', 'w4.c', 'w5.c', 'w6.c', install: true)
MS
bsdtar -czf "$P/ms-1.0.tar.gz" -C "$P/src" ms-1.0
# (ms after cm: each alone has the whole budget; side by side they would share it)
{ entry cm "env=CC=$W JOBS_PKG=cm"; entry ms "env=CC=$W JOBS_PKG=ms" depends=cm; } >"$SCRATCH/cmms.ini"
manifest 8 "$SCRATCH/cmms.ini"
fresh
inst -j 2
check_eq "-j 2: the cmake and meson packages install, 6 compiles each" "0 6 6" \
	"$st $(cat "$R/cm" 2>/dev/null | wc -l) $(cat "$R/ms" 2>/dev/null | wc -l)"
check_eq "-j 2: cmake runs 2 compilers at once, not more" 2 "$(most "$R/cm")"
check_eq "-j 2: meson (ninja) runs 2 compilers at once, not more" 2 "$(most "$R/ms")"
check "-j 2: cmake built with make under the jobserver" grep -Eq "MAKEFLAGS=' -j2 --jobserver-auth=[0-9]+,[0-9]+' cmake --build " "$E/var/cenv/logs/cm.log"

# ---- a make killed by SIGKILL takes its tokens along; the next package has them all again -----
d="$P/src/killer-1.0"
mkdir -p "$d"
cat >"$d/Makefile" <<'MK'
all: k1 k2 k3
k1 k2:
	sleep 2
k3:
	sleep 0.5; kill -KILL $$PPID
install:
MK
bsdtar -czf "$P/killer-1.0.tar.gz" -C "$P/src" killer-1.0
# (gate holds one of the 3 tokens from the start: killer's make runs k1 on its own job, k2 and k3
# on the other two, and is killed holding them)
# gate outlasts killer, and par waits for gate: par starts when no build runs (cenv tops the budget
# up at such a point; while other builds run, tokens a killed make took stay lost, never doubled)
d="$P/src/gate-1.0"
mkdir -p "$d"
printf 'all:
	sleep 2.5
install:
	mkdir -p $(DESTDIR)$(PREFIX)/share
	touch $(DESTDIR)$(PREFIX)/share/gate
' >"$d/Makefile"
bsdtar -czf "$P/gate-1.0.tar.gz" -C "$P/src" gate-1.0
{ entry killer; entry gate; section par depends=gate; } >"$SCRATCH/kill.ini"
manifest 8 "$SCRATCH/kill.ini"
fresh
inst -j 4
# (in the sandbox, bwrap's monitor tells the signal as an exit status of 128 + 9)
check "the make killed by SIGKILL fails" grep -Eq "build of 'killer' failed at make \((killed by signal 9|exit status 137)\)" "$SCRATCH/err"
check_eq "the package after it still runs 4 compilers at once" "par 4" \
	"$(ls "$E/var/cenv/records" 2>/dev/null | grep -v gate | tr '\n' ' ' | sed 's/ $//') $(most "$R/par")"

# ---- -j 3 and 6 packages: never more than 3 (+1 slack) compilers at once ----------------------
# (the packages build one after another until the scheduler builds them side by side: until then
# this holds as each one's make holds -j 3; it is the check that the scheduler keeps the budget)
: >"$SCRATCH/six.ini"
for n in s1 s2 s3 s4 s5 s6; do
	make_pkg "$n" 4
	section "$n" >>"$SCRATCH/six.ini"
done
manifest 8 "$SCRATCH/six.ini"
fresh
inst -j 3
check_eq "-j 3, 6 packages: all installed, 24 compiles" "0 24" "$st $(cat "$R"/s? 2>/dev/null | wc -l)"
m=$(most "$R"/s?)
if [ "$m" -le 4 ] && [ "$m" -ge 3 ]; then
	pass "-j 3, 6 packages: at most 3 (+1) compilers at once ($m)"
else
	fail "-j 3, 6 packages: at most 3 (+1) compilers at once" "$m at once"
fi

# ---- -j's values -------------------------------------------------------------------------------
for v in 0 x; do
	"$CENV_BIN" install -e "$E" -f "$P/cenv.ini" -j "$v" >"$SCRATCH/out" 2>"$SCRATCH/err" && st=0 || st=$?
	check_eq "-j $v refused: a usage error, one line of it, before anything" \
		"2 1 cenv: '$v' is not a number of jobs (a positive integer, at most 4096)" \
		"$st $(grep -c '^cenv:' "$SCRATCH/err") $(head -1 "$SCRATCH/err")"
done
finish
