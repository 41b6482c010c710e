# t-harden-stage.sh - issue 8, the staging side: no staged symlink leads out of the environment, a
# symlinked DESTDIR/PREFIX moves nothing, the build log and work area are never written through a
# planted symlink, a leftover work area deeper than PATH_MAX stops no command, and a prefix that
# build systems split is refused for builds (prebuilt packages still install there).
. "$(dirname "$0")/lib.sh"
plan 87
. "$(dirname "$0")/lib-install.sh"

E="$TMP_ROOT/env"
O="$TMP_ROOT/outside"
mkdir -p "$O"
echo "do not touch" >"$O/sentinel"
"$CENV_BIN" create "$E" >/dev/null || fail "create"

# The environment without cenv's logs and lock; the outside tree; both are compared before/after.
state() { env_state "$E"; }
outside() { tree_state "$O"; }

# mkpkg NAME: $P/NAME-1.0.tar.gz from the files under $P/src/NAME-1.0 (written by the caller)
mkpkg() { bsdtar -czf "$P/$1-1.0.tar.gz" -C "$P/src" "$1-1.0"; }
# makepkg NAME RECIPE: a plain-Makefile package whose install target runs RECIPE (one line each)
makepkg() {
	rm -rf "$P/src/$1-1.0" && mkdir -p "$P/src/$1-1.0" &&
		printf 'all:\ninstall:\n%s\n' "$(printf '%s\n' "$2" | sed 's/^/\t/')" >"$P/src/$1-1.0/Makefile" &&
		mkpkg "$1"
}
# refused NAME PATTERN PKG [KEY=VALUE...]: installing PKG fails with one line matching PATTERN,
# the environment and the outside tree unchanged (SANDBOX_OFF=1: with --sandbox=off)
refused() {
	local name=$1 pattern=$2 pkg=$3 before out
	shift 3
	entry "$pkg" "$@" >"$P/cenv.ini"
	before=$(state)
	out=$(outside)
	expect_fail "$name: refused" 1 "$pattern" "$CENV_BIN" install ${SANDBOX_OFF:+--sandbox=off} -e "$E" -f "$P/cenv.ini"
	check_eq "$name: environment unchanged" "$before" "$(state)"
	check_eq "$name: nothing changed outside" "$out" "$(outside)"
}
expect_ok() { # NAME CMD...: CMD exits 0
	local name=$1
	shift
	if "$@" >"$SCRATCH/out" 2>"$SCRATCH/err"; then pass "$name"; else fail "$name" "exit status $?" "$(head -c 300 "$SCRATCH/err")"; fi
}
re() { printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g'; } # a literal for a regexp

# ---- item 1: no staged symlink may lead outside, for every build system ------------------------
makepkg abs 'mkdir -p $(DESTDIR)$(PREFIX)/lib
echo x > $(DESTDIR)$(PREFIX)/lib/libabs.so.1
ln -s /etc/passwd $(DESTDIR)$(PREFIX)/lib/libabs.so'
refused "make: an absolute symlink out" "^cenv: abs: the build staged 'lib/libabs\.so' as a symlink to '/etc/passwd', which leads outside the environment$" abs
makepkg up 'mkdir -p $(DESTDIR)$(PREFIX)/include
ln -s ../../outside $(DESTDIR)$(PREFIX)/include/up'
refused "make: a relative symlink climbing out" "^cenv: up: the build staged 'include/up' as a symlink to '\.\./\.\./outside', which leads outside the environment$" up
# lexically "lib/a/../.." is the prefix, but a -> .. makes it the prefix's parent's parent
makepkg dd 'mkdir -p $(DESTDIR)$(PREFIX)/lib
ln -s .. $(DESTDIR)$(PREFIX)/lib/a
ln -s a/../.. $(DESTDIR)$(PREFIX)/lib/b'
refused "make: '..' after a name" "^cenv: dd: the build staged 'lib/b' as a symlink to 'a/\.\./\.\.', with '\.\.' after a name: cenv cannot tell where it leads$" dd
# an absolute symlink to the prefix's neighbour with the prefix's name as its start
makepkg near "mkdir -p \$(DESTDIR)\$(PREFIX)/lib
ln -s $E-other/lib \$(DESTDIR)\$(PREFIX)/lib/near"
refused "make: an absolute symlink to a neighbour of the prefix" "symlink to '$(re "$E")-other/lib', which leads outside" near

# symlinks that stay inside install, as they are
makepkg inside 'mkdir -p $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/inside
echo lib > $(DESTDIR)$(PREFIX)/lib/libinside.so.1
ln -s libinside.so.1 $(DESTDIR)$(PREFIX)/lib/libinside.so
ln -s ../../lib/libinside.so.1 $(DESTDIR)$(PREFIX)/include/inside/rel
ln -s $(PREFIX)/lib/libinside.so.1 $(DESTDIR)$(PREFIX)/include/inside/abs
ln -s ./../inside/. $(DESTDIR)$(PREFIX)/include/inside/self'
entry inside >"$P/cenv.ini"
expect_ok "make: symlinks inside the environment install" "$CENV_BIN" install -e "$E" -f "$P/cenv.ini"
check_eq "make: the inside symlinks are there, as staged" \
	"libinside.so.1 ../../lib/libinside.so.1 $E/lib/libinside.so.1 ./../inside/." \
	"$(readlink "$E/lib/libinside.so") $(readlink "$E/include/inside/rel") $(readlink "$E/include/inside/abs") $(readlink "$E/include/inside/self")"
"$CENV_BIN" uninstall -e "$E" inside >/dev/null || fail "uninstall inside"

# the same check after the other drivers: autotools (a hand-written configure), CMake, Meson
rm -rf "$P/src/auto-1.0" && mkdir -p "$P/src/auto-1.0"
cat >"$P/src/auto-1.0/configure" <<'SH'
#!/bin/sh
for a; do case $a in --prefix=*) echo "PREFIX = ${a#--prefix=}" >config.mk ;; esac; done
SH
chmod +x "$P/src/auto-1.0/configure"
printf 'include config.mk\nall:\ninstall:\n\tmkdir -p $(DESTDIR)$(PREFIX)/lib\n\tln -s /etc/passwd $(DESTDIR)$(PREFIX)/lib/libauto.so\n' >"$P/src/auto-1.0/Makefile"
mkpkg auto
refused "autotools: an absolute symlink out" "^cenv: auto: the build staged 'lib/libauto\.so' as a symlink to '/etc/passwd', which leads outside the environment$" auto
if command -v cmake >/dev/null; then
	rm -rf "$P/src/cm-1.0" && mkdir -p "$P/src/cm-1.0" && echo 'int cm;' >"$P/src/cm-1.0/cm.h"
	cat >"$P/src/cm-1.0/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.14)
project(cm NONE)
install(FILES cm.h DESTINATION include)
install(CODE "file(MAKE_DIRECTORY \"\$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/lib\")")
install(CODE "file(CREATE_LINK /etc/passwd \"\$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/lib/libcm.so\" SYMBOLIC)")
CM
	mkpkg cm
	refused "cmake: an absolute symlink out" "^cenv: cm: the build staged 'lib/libcm\.so' as a symlink to '/etc/passwd', which leads outside the environment$" cm
else
	for c in refused "environment unchanged" "nothing changed outside"; do skip "cmake: an absolute symlink out: $c" "cmake not installed"; done
fi
if command -v meson >/dev/null && command -v ninja >/dev/null; then
	rm -rf "$P/src/ms-1.0" && mkdir -p "$P/src/ms-1.0" && echo 'int ms;' >"$P/src/ms-1.0/ms.h"
	cat >"$P/src/ms-1.0/meson.build" <<'MS'
project('ms', meson_version: '>=0.61')
install_headers('ms.h')
# meson wants the target to exist in DESTDIR: a copy beside the staged prefix
install_data('ms.h', install_dir: get_option('prefix') / '..' / 'outside')
install_symlink('libms.so', pointing_to: '../../outside/ms.h', install_dir: get_option('libdir'))
MS
	mkpkg ms
	refused "meson: a relative symlink climbing out" "^cenv: ms: the build staged 'lib/libms\.so' as a symlink to '\.\./\.\./outside/ms\.h', which leads outside the environment$" ms
else
	for c in refused "environment unchanged" "nothing changed outside"; do skip "meson: a relative symlink climbing out: $c" "meson or ninja not installed"; done
fi

# ---- item 2: a symlinked DESTDIR/PREFIX, or a directory on the way to it -------------------------
V="$O/victim"
mkdir -p "$V/include" "$V/lib" && echo 'int victim;' >"$V/include/victim.h" && echo v >"$V/lib/victim.txt"
makepkg pfx "mkdir -p \$(DESTDIR)\$(dir \$(PREFIX)) && ln -s $V \$(DESTDIR)\$(PREFIX)"
refused "a symlink at DESTDIR/PREFIX" "^cenv: pfx: the build made '$(re "$E")/var/cenv/work/pfx/stage$(re "$E")' a symlink to '$(re "$V")': the staged prefix $(re "$E") and the directories on the way to it must be real directories$" pfx
check_eq "a symlink at DESTDIR/PREFIX: the other directory's files stay" "int victim; v" "$(cat "$V/include/victim.h" "$V/lib/victim.txt" 2>&1 | tr '\n' ' ' | sed 's/ $//')"
# the first directory of the prefix staged as a symlink to a tree holding the rest of the path
first=${E#/}
first=${first%%/*}
V2="$O/victim2"
mkdir -p "$V2/${E#/"$first"/}/include" && echo 'int v2;' >"$V2/${E#/"$first"/}/include/v2.h"
makepkg way "mkdir -p \$(DESTDIR) && ln -s $V2 \$(DESTDIR)/$first"
refused "a symlink on the way to DESTDIR/PREFIX" "^cenv: way: the build made '$(re "$E")/var/cenv/work/way/stage/$(re "$first")' a symlink to '$(re "$V2")': the staged prefix" way
check_eq "a symlink on the way: the other tree's file stays" "int v2;" "$(cat "$V2/${E#/"$first"/}/include/v2.h" 2>&1)"

# ---- item 3: the build log and the work area are never written through a symlink ----------------
makepkg ok 'mkdir -p $(DESTDIR)$(PREFIX)/include
echo "int ok;" > $(DESTDIR)$(PREFIX)/include/ok.h'
echo "keep me" >"$O/target.log"
mkdir -p "$E/var/cenv/logs"
ln -s "$O/target.log" "$E/var/cenv/logs/ok.log"
refused "a symlink at logs/NAME.log" "^cenv: ok: '$(re "$E")/var/cenv/logs/ok\.log' is a symbolic link; cenv will not write through it$" ok
check_eq "a symlink at logs/NAME.log: its target keeps its text" "keep me" "$(cat "$O/target.log")"
check "a symlink at logs/NAME.log: the build did not run" test ! -e "$E/include/ok.h"
rm "$E/var/cenv/logs/ok.log"
"$CENV_BIN" uninstall -e "$E" ok >/dev/null 2>&1 # (installed only where the check above failed)
mkdir -p "$O/logs"
mv "$E/var/cenv/logs" "$SCRATCH/logs.saved"
ln -s "$O/logs" "$E/var/cenv/logs"
refused "a symlinked var/cenv/logs" "^cenv: ok: '$(re "$E")/var/cenv/logs' is a symbolic link; cenv will not write through it$" ok
check_eq "a symlinked var/cenv/logs: nothing written there" "" "$(ls -A "$O/logs")"
rm "$E/var/cenv/logs" && mv "$SCRATCH/logs.saved" "$E/var/cenv/logs"
# a planted work/ symlink is an error naming it, never entered (and left for the user to look at)
mkdir -p "$O/work/ok"
ln -s "$O/work" "$E/var/cenv/work"
entry ok >"$P/cenv.ini"
out=$(outside)
refused "a symlinked var/cenv/work" "^cenv: '$(re "$E")/var/cenv/work' is a symbolic link; cenv will not write through it$" ok
check_eq "a symlinked var/cenv/work: nothing written through it" "$out" "$(outside)"
check "a symlinked var/cenv/work: left as it was, and nothing installed" test -L "$E/var/cenv/work" -a ! -e "$E/include/ok.h"
rm "$E/var/cenv/work"

# ---- item 7: a leftover work area deeper than PATH_MAX stops no command --------------------------
# plant NAME: var/cenv/work/NAME/a/a/... 3000 directories deep (6 KB of path), a file at the bottom
seg=$(printf 'a/%.0s' $(seq 1000))
seg=${seg%/}
plant() {
	(mkdir -p "$E/var/cenv/work/$1" && cd "$E/var/cenv/work/$1" &&
		for i in 1 2 3; do mkdir -p "$seg" && cd "$seg" || exit 1; done && echo x >bottom && chmod 555 .)
}
plant_check() { # NAME: the planted path is longer than PATH_MAX and its file is there
	[ $((${#E} + 15 + ${#1} + 3 * ${#seg})) -gt "$(getconf PATH_MAX /)" ] &&
		(cd "$E/var/cenv/work/$1" && for i in 1 2 3; do cd "$seg" || exit 1; done && [ -f bottom ])
}
gone() { test ! -e "$E/var/cenv/work"; }
plant deep
check "a work area deeper than PATH_MAX is planted" plant_check deep
expect_ok "deep work area: list succeeds" "$CENV_BIN" list -e "$E"
check "deep work area: list removed it" gone
entry ok >"$P/cenv.ini"
plant deep
expect_ok "deep work area: install of another package succeeds" "$CENV_BIN" install -e "$E" -f "$P/cenv.ini"
check "deep work area: install removed it, and installed ok" test ! -e "$E/var/cenv/work" -a -f "$E/include/ok.h"
plant deep
expect_ok "deep work area: uninstall succeeds" "$CENV_BIN" uninstall -e "$E" ok
check "deep work area: uninstall removed it and the package" test ! -e "$E/var/cenv/work" -a ! -e "$E/include/ok.h"
plant ok
expect_ok "deep work area of the package itself: its install succeeds" "$CENV_BIN" install -e "$E" -f "$P/cenv.ini"
check "deep work area of the package itself: removed, package installed" test ! -e "$E/var/cenv/work" -a -f "$E/include/ok.h"
plant deep
expect_ok "deep work area: create --clear succeeds" "$CENV_BIN" create --clear "$E"
check "deep work area: create --clear left a valid, empty environment" test ! -e "$E/var/cenv/work" -a -f "$E/cenv.cfg" -a ! -e "$E/include/ok.h"
expect_ok "deep work area: the cleared environment lists" "$CENV_BIN" list -e "$E"

# ---- item 17: a prefix that build systems split ------------------------------------------------
S="$TMP_ROOT/sp test/my env"
mkdir -p "$TMP_ROOT/sp test"
"$CENV_BIN" create "$S" >/dev/null || fail "create a spaced environment"
for f in autotools cmake meson make prebuilt; do pack "$f" "sp$f" || fail "pack $f"; done
msg() { # NAME PREFIX WHY: the refusal, as a regexp of the whole line
	printf '^cenv: %s$' "$(re "cannot build '$1' into '$2': $3; create the environment at a path of letters, digits and / . _ + - @ only (prebuilt packages install anywhere)")"
}
sstate() { env_state "$S"; }
for sys in autotools cmake meson make; do
	entry "sp$sys" >"$P/cenv.ini"
	before=$(sstate)
	expect_fail "spaced prefix, $sys (detected): refused" 1 "$(msg "sp$sys" "$S" "build systems split paths at spaces")" \
		"$CENV_BIN" install -e "$S" -f "$P/cenv.ini"
	check_eq "spaced prefix, $sys (detected): environment unchanged, no log" "$before" "$(sstate)$(ls "$S/var/cenv/logs" 2>/dev/null)"
done
# named in the manifest: refused before the archive is even read (garbage with the right digest)
head -c 300 /dev/urandom >"$P/spbad-1.0.tar.gz"
for sys in autotools cmake meson make; do
	entry spbad build=$sys >"$P/cenv.ini"
	expect_fail "spaced prefix, build = $sys: refused before unpacking" 1 "$(msg spbad "$S" "build systems split paths at spaces")" \
		"$CENV_BIN" install -e "$S" -f "$P/cenv.ini"
done
# the other characters, each with its reason
for c in '#:make reads '\''#'\'' as the start of a comment' '$:make and the shell expand '\''$'\''' \
	"':build systems take quotes out of paths" '":build systems take quotes out of paths' \
	'\:build systems read a backslash as an escape'; do
	ch=${c%%:*}
	C="$TMP_ROOT/c${ch}env"
	"$CENV_BIN" create "$C" >/dev/null || fail "create $C"
	entry spmake >"$P/cenv.ini"
	expect_fail "a prefix with $ch: refused" 1 "$(msg spmake "$C" "${c#*:}")" "$CENV_BIN" install -e "$C" -f "$P/cenv.ini"
done
# prebuilt packages install there
entry spprebuilt >"$P/cenv.ini"
expect_ok "spaced prefix: a prebuilt package installs" "$CENV_BIN" install -e "$S" -f "$P/cenv.ini"
check "spaced prefix: its files are there" cmp "$FIX/prebuilt/include/cenvfix_prebuilt.h" "$S/include/cenvfix_prebuilt.h"
check_eq "spaced prefix: its .pc names the prefix" "prefix=$S" "$(grep '^prefix=' "$S/lib/pkgconfig/cenvfix_prebuilt.pc")"
check "spaced prefix: list shows it" grep -q '^spprebuilt ' <("$CENV_BIN" list -e "$S")

# ---- fixstage: no setuid, setgid or sticky bit and no hard link out of the stage ----------------
makepkg su 'mkdir -p $(DESTDIR)$(PREFIX)/lib
echo u > $(DESTDIR)$(PREFIX)/lib/su && chmod 4755 $(DESTDIR)$(PREFIX)/lib/su
echo g > $(DESTDIR)$(PREFIX)/lib/sg && chmod 2750 $(DESTDIR)$(PREFIX)/lib/sg
echo t > $(DESTDIR)$(PREFIX)/lib/st && chmod 1644 $(DESTDIR)$(PREFIX)/lib/st'
entry su >"$P/cenv.ini"
expect_ok "make: files staged setuid, setgid, sticky install" "$CENV_BIN" install -e "$E" -f "$P/cenv.ini"
check_eq "make: installed without the setuid, setgid and sticky bits" "755 750 644" \
	"$(stat -c %a "$E/lib/su" "$E/lib/sg" "$E/lib/st" 2>&1 | tr '\n' ' ' | sed 's/ $//')"
check_eq "make: recorded without them" "0750 lib/sg 0644 lib/st 0755 lib/su" \
	"$(awk '$1 == "f" { printf "%s %s ", $2, $NF }' "$E/var/cenv/records/su" 2>&1 | sed 's/ $//')"
"$CENV_BIN" uninstall -e "$E" su >/dev/null || fail "uninstall su"
# a hard link to a file outside: refused, and the outside file (setuid: its bit stays) untouched
echo "secret" >"$O/secret" && chmod 4755 "$O/secret"
makepkg hard "mkdir -p \$(DESTDIR)\$(PREFIX)/lib
ln $O/secret \$(DESTDIR)\$(PREFIX)/lib/hard"
# (unsandboxed: in the sandbox, $O is hidden under its private /tmp, and a link across its mounts fails)
SANDBOX_OFF=1 refused "make: a hard link to a file outside" "^cenv: hard: the build staged 'lib/hard' as a hard link to a file outside its staging area$" hard
check_eq "a hard link outside: the outside file keeps its text, mode, and one link; no work area" \
	"secret 4755 1 absent" "$(cat "$O/secret") $(stat -c '%a %h' "$O/secret") $(test -e "$E/var/cenv/work/hard" && echo present || echo absent)"
# hard links between files of the stage (git and gzip install them) are fine
makepkg hin 'mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/libexec
echo "#!/bin/sh" > $(DESTDIR)$(PREFIX)/bin/gz && chmod 4755 $(DESTDIR)$(PREFIX)/bin/gz
ln $(DESTDIR)$(PREFIX)/bin/gz $(DESTDIR)$(PREFIX)/bin/gunzip
ln $(DESTDIR)$(PREFIX)/bin/gz $(DESTDIR)$(PREFIX)/libexec/gz'
entry hin >"$P/cenv.ini"
expect_ok "make: hard links inside the stage install" "$CENV_BIN" install -e "$E" -f "$P/cenv.ini"
check_eq "make: the three names installed as one file of three links, mode 755" "3 755 3 755 3 755 1" \
	"$(stat -c '%h %a' "$E/bin/gz" "$E/bin/gunzip" "$E/libexec/gz" 2>&1 | tr '\n' ' ')$(stat -c %i "$E/bin/gz" "$E/bin/gunzip" "$E/libexec/gz" | sort -u | wc -l)"
"$CENV_BIN" uninstall -e "$E" hin >/dev/null || fail "uninstall hin"

finish
