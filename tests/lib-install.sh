# tests/lib-install.sh - fixtures of the t-install*.sh scripts, sourced after lib.sh (bash):
# packages packed from tests/fixtures, and the two small packages of the SIGKILL and lock tests.

MK="$TOP/tests/tools/mkarchive"
FIX="$TOP/tests/fixtures"
P="$TMP_ROOT/proj"
mkdir -p "$P/src"

# pack FIXTURE NAME: $P/NAME-1.0.tar.gz from a copy of tests/fixtures/FIXTURE
pack() {
	rm -rf "$P/src/$2-1.0" && cp -R "$FIX/$1" "$P/src/$2-1.0" &&
		bsdtar -czf "$P/$2-1.0.tar.gz" -C "$P/src" "$2-1.0"
}
entry() { # NAME [KEY=VALUE...]: a manifest section for $P/NAME-1.0.tar.gz
	local name=$1 kv
	shift
	printf '[%s]\nversion = 1.0\nurl = %s-1.0.tar.gz\nsha256 = %s\n' "$name" "$name" \
		"$(sha256sum "$P/$name-1.0.tar.gz" | cut -d' ' -f1)"
	for kv in "$@"; do printf '%s = %s\n' "${kv%%=*}" "${kv#*=}"; done
	echo
}
# inst [OPTION...]: cenv install of $P/cenv.ini into $E; $st its status, $SCRATCH/out and err
# (without the notes on the packages installed before that the manifest no longer names)
inst() {
	"$CENV_BIN" install -e "$E" -f "$P/cenv.ini" "$@" >"$SCRATCH/out" 2>"$SCRATCH/err.all" && st=0 || st=$?
	grep -v "' is installed but not in $P/cenv.ini (cenv install --prune removes it)\$" "$SCRATCH/err.all" >"$SCRATCH/err"
}
env_state() { # the tree without cenv's own logs, lock and configuration times
	tree_state "$1" | grep -v -E '\./var/cenv/(logs|lock)|cenv\.cfg|bin/activate'
}

# kill_fixture: $P/kill.ini installs ka (prebuilt, from $P/ka.tar) and slow (a make build that
# sleeps 0.3 s, from $P/slow.tar, depending on ka)
kill_fixture() {
	"$MK" "$P/ka.tar" tar 'd:ka-1.0/' 'd:ka-1.0/include/' 'd:ka-1.0/include/ka/' 'f:ka-1.0/include/ka/a.h:int a;' 'f:ka-1.0/include/ka/b.h:int b;' 'd:ka-1.0/lib/' 'f:ka-1.0/lib/ka.txt:a'
	cat >"$P/slow.mk" <<'MK'
all:
	sleep 0.3
install:
	mkdir -p $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/share/doc/slow
	echo 'int slow;' > $(DESTDIR)$(PREFIX)/include/slow.h
	echo doc > $(DESTDIR)$(PREFIX)/share/doc/slow/README
MK
	mkdir -p "$P/src/slow-1.0" && cp "$P/slow.mk" "$P/src/slow-1.0/Makefile" && bsdtar -cf "$P/slow.tar" -C "$P/src" slow-1.0
	printf '[ka]\nurl = ka.tar\nsha256 = %s\nbuild = prebuilt\n\n[slow]\nurl = slow.tar\nsha256 = %s\ndepends = ka\n' \
		"$(sha256sum "$P/ka.tar" | cut -d' ' -f1)" "$(sha256sum "$P/slow.tar" | cut -d' ' -f1)" >"$P/kill.ini"
}

# ---- trees written down in the test (the crash and lock tests) -------------------------------
# listing DIR: an environment's tree as the test can know it without cenv: each entry but cenv's
# logs and lock as "TYPE MODE PATH" (a package file: "f MODE SIZE PATH = CONTENT"), sorted; then
# each record's text after a "record NAME:" line
listing() {
	local y m s p r
	(cd "$1" && find . -mindepth 1 \( -path ./var/cenv/logs -o -path ./var/cenv/lock \) -prune -o \
		-printf '%y %m %s %P\n' | LC_ALL=C sort -k4) | while read -r y m s p; do
		case $y:$p in
		f:include/* | f:lib/* | f:share/*) printf 'f %s %s %s = %s\n' "$m" "$s" "$p" "$(cat "$1/$p")" ;;
		*) printf '%s %s %s\n' "$y" "$m" "$p" ;;
		esac
	done
	for r in "$1"/var/cenv/records/*; do
		[ -f "$r" ] && printf 'record %s:\n%s\n' "${r##*/}" "$(cat "$r")"
	done
}
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
# The pieces of the expected trees, from what kill_fixture (and ka2) put in the archives:
# NAME_entries (its lines of a listing) and NAME_record (its record's text).
kill_pieces() {
	layout_entries='d 755 bin
f 755 bin/activate
f 644 bin/activate.csh
f 644 bin/activate.fish
f 644 cenv.cfg
d 755 include
d 755 lib
d 755 lib/pkgconfig
d 755 share
d 755 share/aclocal
d 755 share/man
d 755 share/pkgconfig
d 755 var
d 755 var/cenv'
	ka1_entries='d 755 include/ka
f 644 6 include/ka/a.h = int a;
f 644 6 include/ka/b.h = int b;
f 644 1 lib/ka.txt = a
d 755 var/cenv/records
f 644 var/cenv/records/ka'
	ka1_record="cenv-record 1
name ka
url $P/ka.tar
sha256 $(sha256sum <"$P/ka.tar" | cut -d' ' -f1)
build prebuilt
f 0644 6 $(sha 'int a;') include/ka/a.h
f 0644 6 $(sha 'int b;') include/ka/b.h
f 0644 1 $(sha 'a') lib/ka.txt"
	slow_entries='f 644 10 include/slow.h = int slow;
d 755 share/doc
d 755 share/doc/slow
f 644 4 share/doc/slow/README = doc
d 755 var/cenv/records
f 644 var/cenv/records/slow'
	slow_record="cenv-record 1
name slow
url $P/slow.tar
sha256 $(sha256sum <"$P/slow.tar" | cut -d' ' -f1)
build make
depends ka
f 0644 10 $(sha 'int slow;
') include/slow.h
f 0644 4 $(sha 'doc
') share/doc/slow/README"
}
# ka2_fixture: $P/ka2.tar, version 2.0 of ka (a.h changed, b.h and lib/ka.txt gone, c.h new),
# and $P/kill2.ini, kill.ini with ka 2.0
ka2_fixture() {
	"$MK" "$P/ka2.tar" tar 'd:ka-2.0/' 'd:ka-2.0/include/' 'd:ka-2.0/include/ka/' 'f:ka-2.0/include/ka/a.h:int a2;' 'f:ka-2.0/include/ka/c.h:int c;'
	sed -e "s/^url = ka.tar/url = ka2.tar/" -e "s/^sha256 = $(sha256sum "$P/ka.tar" | cut -d' ' -f1)/sha256 = $(sha256sum "$P/ka2.tar" | cut -d' ' -f1)/" "$P/kill.ini" >"$P/kill2.ini"
	ka2_entries='d 755 include/ka
f 644 7 include/ka/a.h = int a2;
f 644 6 include/ka/c.h = int c;
d 755 var/cenv/records
f 644 var/cenv/records/ka'
	ka2_record="cenv-record 1
name ka
url $P/ka2.tar
sha256 $(sha256sum <"$P/ka2.tar" | cut -d' ' -f1)
build prebuilt
f 0644 7 $(sha 'int a2;') include/ka/a.h
f 0644 6 $(sha 'int c;') include/ka/c.h"
}
# expected PIECE...: the listing of a tree of exactly these pieces (layout first; records in
# name order)
expected() {
	local piece rec
	for piece in "$@"; do
		eval "printf '%s\n' \"\$${piece}_entries\""
	done | while read -r y m rest; do # sorted by path, as listing does
		case $rest in *' = '*) set -- $rest; printf '%s\t%s %s %s\n' "$2" "$y" "$m" "$rest" ;;
		*) printf '%s\t%s %s %s\n' "$rest" "$y" "$m" "$rest" ;; esac
	done | LC_ALL=C sort -u | cut -f2-
	for piece in "$@"; do
		eval "rec=\${${piece}_record-}"
		[ -z "$rec" ] || printf 'record %s:\n%s\n' "$(sed -n 's/^name //p' <<<"$rec")" "$rec"
	done
}

# recipe_pkg NAME ALL INSTALL: $P/NAME-1.0.tar.gz, a plain-Makefile package whose all and install
# targets run the recipe lines ALL and INSTALL ('\n' between lines; printf's escapes apply)
recipe_pkg() {
	rm -rf "$P/src/$1-1.0" && mkdir -p "$P/src/$1-1.0" &&
		printf 'all:\n%s\ninstall:\n%s\n' "$(printf "$2" | sed 's/^/\t/')" \
			"$(printf "$3" | sed 's/^/\t/')" >"$P/src/$1-1.0/Makefile" &&
		bsdtar -czf "$P/$1-1.0.tar.gz" -C "$P/src" "$1-1.0"
}
# good_recipe NAME: the install recipe of a well-behaved package, include/NAME.h into DESTDIR+PREFIX
good_recipe() { printf 'mkdir -p $(DESTDIR)$(PREFIX)/include\\necho "int ok;" > $(DESTDIR)$(PREFIX)/include/%s.h' "$1"; }

# ---- the -j budget's evidence (t-jobs.sh, t-red12.sh) -----------------------------------------
# compile_recorder WRAPPER RECORDS: WRAPPER, a compiler used as CC that records, in
# RECORDS/$JOBS_PKG, "START END" for each compile of a fixture's own sources (w*.c), each taking
# 0.3 s at least; a configure's probes of the compiler neither wait nor count
compile_recorder() {
	mkdir -p "$2" "$(dirname "$1")"
	cat >"$1" <<EOF2
#!/bin/sh
case "\$*" in
*w[0-9]*.c*) ;;
*) exec cc "\$@" ;;
esac
s=\$(date +%s.%N)
sleep 0.3
cc "\$@"
rc=\$?
echo "\$s \$(date +%s.%N)" >>"$2/\${JOBS_PKG:-unknown}"
exit \$rc
EOF2
	chmod +x "$1"
}
# most FILE...: the most records of FILEs that overlap in time (an end before a start at a tie)
most() {
	cat "$@" | awk '{ print $1, 1; print $2, 0 }' | sort -k1,1g -k2,2n |
		awk '$2 == 1 { n++; if (n > m) m = n } $2 == 0 { n-- } END { print m + 0 }'
}

