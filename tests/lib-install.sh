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

# clean_state DIR: creates an environment at DIR, installs $P/kill.ini into it and prints its
# env_state, the tree every interrupted or concurrent install must end as
clean_state() {
	"$CENV_BIN" create "$1" >/dev/null &&
		(cd "$P" && "$CENV_BIN" install -e "$1" -f kill.ini) >/dev/null 2>&1 &&
		env_state "$1"
}
