#!/bin/sh
# tests/bench/bench.sh - `make bench`: cenv against its peers, measured in the same run.
# BENCH=parallel runs only the parallel installs' part (tests/bench/parallel.sh).
# Medians of interleaved repetitions; ratios, never pass/fail.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cenv=$top/cenv
reps=${REPS:-21}
# in the build tree's file system by default: that is where environments are made
mkdir -p "$top/tests/tmp"
work=$(mktemp -d "${BENCH_DIR:-$top/tests/tmp}/cenv-bench.XXXXXX")
trap '[ -z "${srv:-}" ] || kill -KILL "$srv" 2>/dev/null; rm -rf "$work"' EXIT
cc -O2 -o "$work/timeit" "$top/tests/bench/timeit.c"
python=$(command -v python3)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
median() { awk -v l="$1" '$1 == l { print $2 }' "$2"; } # LABEL FILE: a median timeit wrote
# BENCH=parallel: that part alone (it runs last otherwise)
if [ "${BENCH:-all}" = parallel ]; then
	. "$top/tests/bench/parallel.sh"
	exit 0
fi

echo "== cenv create vs python3 -m venv --without-pip ($reps interleaved runs, median)"
"$work/timeit" "$reps" \
	cenv ":" "$cenv create $work/c@N" \
	venv ":" "$python -m venv --without-pip $work/v@N" >"$work/create"
c=$(median cenv "$work/create")
v=$(median venv "$work/create")
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
b=$(median bash "$work/act")
c=$(median cenv "$work/act")
v=$(median venv "$work/act")
cn=$(awk -v x="$c" -v y="$b" 'BEGIN { d = x - y; printf "%.3f", (d > 0.001 ? d : 0.001) }')
vn=$(awk -v x="$v" -v y="$b" 'BEGIN { d = x - y; printf "%.3f", (d > 0.001 ? d : 0.001) }')
printf '  bash start-up alone    %8.3f ms\n' "$b"
printf '  cenv activate+deact.   %8.3f ms  (%.3f ms over bash start-up)\n' "$c" "$cn"
printf '  venv activate+deact.   %8.3f ms  (%.3f ms over bash start-up)\n' "$v" "$vn"
printf '  cenv / venv (net)      %8sx\n' "$(ratio "$cn" "$vn")"

echo "== cenv install of a prebuilt archive of 20,000 files vs bsdtar -xf of it (${REPS_BIG:=5} interleaved runs, median)"
mkdir -p "$work/big-1.0/include/big"
i=0
while [ $i -lt 100 ]; do
	mkdir "$work/big-1.0/include/big/d$i"
	j=0
	while [ $j -lt 200 ]; do
		printf '/* %d %d */\nint big_%d_%d;\n' $i $j $i $j >"$work/big-1.0/include/big/d$i/f$j.h"
		j=$((j + 1))
	done
	i=$((i + 1))
done
bsdtar -czf "$work/big.tar.gz" -C "$work" big-1.0
rm -rf "$work/big-1.0"
"$work/timeit" "$REPS_BIG" \
	bsdtar "mkdir $work/x@N" "bsdtar -xf $work/big.tar.gz -C $work/x@N" \
	cenv "$cenv create $work/ie@N" "$cenv install -e $work/ie@N $work/big.tar.gz" >"$work/big"
t=$(median bsdtar "$work/big")
c=$(median cenv "$work/big")
printf '  bsdtar -xf             %8.1f ms\n  cenv install           %8.1f ms  (unpack, checksum, stage, record, atomic commit)\n  cenv / bsdtar          %8sx   (goal: at most 1.15x)\n' \
	"$t" "$c" "$(ratio "$c" "$t")"

echo "== no-op re-install: unchanged manifest, 20,000 files installed ($reps runs, median)"
printf '[big]\nurl = %s\nsha256 = %s\nbuild = prebuilt\n' "$work/big.tar.gz" \
	"$(sha256sum "$work/big.tar.gz" | cut -d' ' -f1)" >"$work/big.ini"
"$cenv" create "$work/noop" >/dev/null
"$cenv" install -e "$work/noop" -f "$work/big.ini" >/dev/null
"$work/timeit" "$reps" noop ":" "$cenv install -e $work/noop -f $work/big.ini" >"$work/noop.t"
printf '  cenv install (no-op)   %8.1f ms   (goal: under 50 ms)\n' "$(awk '{ print $2 }' "$work/noop.t")"

# The sandbox's cost: the same builds installed with and without bwrap: the make fixture (a
# tiny build: two commands, so the cost of starting bwrap shows at its largest), on the build
# tree's file system and on tmpfs, and the cmake fixture (configure, build, install).
if command -v bwrap >/dev/null && bwrap --ro-bind / / --dev /dev --proc /proc true 2>/dev/null; then
	for fix in make cmake; do
		cp -R "$top/tests/fixtures/$fix" "$work/sb$fix-1.0"
		bsdtar -czf "$work/sb$fix.tar.gz" -C "$work" "sb$fix-1.0"
	done
	for case in make:disk make:tmpfs cmake:disk; do
		fix=${case%%:*} where=${case#*:}
		if [ "$where" = tmpfs ]; then
			dir=$(mktemp -d /dev/shm/cenv-bench.XXXXXX) || continue
		else
			dir=$work/sbdisk-$fix && mkdir -p "$dir"
		fi
		reps=${REPS_SB:-11}
		[ "$fix" = cmake ] && reps=${REPS_SB_CMAKE:-5}
		echo "== the $fix fixture's build with and without the sandbox, on $where ($reps interleaved runs, median)"
		"$work/timeit" "$reps" \
			off "$cenv create $dir/off@N" "$cenv install --sandbox=off -e $dir/off@N $work/sb$fix.tar.gz" \
			on "$cenv create $dir/on@N" "$cenv install --sandbox=on -e $dir/on@N $work/sb$fix.tar.gz" >"$work/sb.$case"
		off=$(median off "$work/sb.$case")
		on=$(median on "$work/sb.$case")
		printf '  install, no sandbox    %8.1f ms
  install, sandboxed     %8.1f ms  (%.1f ms more: the probe and one bwrap per command)
  sandboxed / not        %8sx
' \
			"$off" "$on" "$(awk -v a="$on" -v b="$off" 'BEGIN { print a - b }')" "$(ratio "$on" "$off")"
		[ "$where" = tmpfs ] && rm -rf "$dir"
	done
else
	echo "== the sandbox's cost: not measured, bwrap does not work here"
fi

# Downloads: one 200 MB file over loopback from tests/httpd.py, `cenv fetch` (hashing while it
# writes, into the download cache) against `curl -o` of the same URL; then a no-op install of a
# manifest whose packages come from http URLs, with the server stopped (no connection is opened).
if command -v curl >/dev/null; then
	www=$work/www
	mkdir -p "$www"
	head -c "${BENCH_FETCH_MB:-200}M" /dev/urandom >"$www/big.bin"
	bsha=$(sha256sum "$www/big.bin" | cut -d' ' -f1)
	# nginx where it is (sendfile: the server costs next to no CPU, which on 2 cores would
	# otherwise be taken from the client being measured), else tests/httpd.py
	ngx=$(command -v nginx || ls /usr/sbin/nginx 2>/dev/null || true)
	if [ -n "$ngx" ]; then
		port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
		mkdir -p "$work/ngx/logs"
		chmod 755 "$work" "$www" # nginx's worker runs as nobody when started by root
		printf 'daemon off; worker_processes 1; pid %s/ngx/pid; error_log %s/ngx/logs/error.log;\nevents { worker_connections 64; }\nhttp { access_log off; sendfile on; client_body_temp_path %s/ngx/b; proxy_temp_path %s/ngx/p; fastcgi_temp_path %s/ngx/f; uwsgi_temp_path %s/ngx/u; scgi_temp_path %s/ngx/s;\n server { listen 127.0.0.1:%s; root %s; } }\n' \
			"$work" "$work" "$work" "$work" "$work" "$work" "$work" "$port" "$www" >"$work/ngx/nginx.conf"
		"$ngx" -c "$work/ngx/nginx.conf" -p "$work/ngx" 2>/dev/null &
		srv=$!
		server="nginx"
		for _ in $(seq 200); do curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break; sleep 0.02; done
	else
		python3 "$top/tests/httpd.py" --port-file "$work/port" --root "$www" &
		srv=$!
		server="tests/httpd.py"
		for _ in $(seq 200); do [ -s "$work/port" ] && break; sleep 0.02; done
		port=$(cat "$work/port")
	fi
	burl="http://127.0.0.1:$port/big.bin"
	printf '[big]\nurl = %s\nsha256 = %s\n' "$burl" "$bsha" >"$work/fetch.ini"
	echo "== one ${BENCH_FETCH_MB:-200} MB file over loopback from $server: cenv fetch vs curl -o (${REPS_FETCH:=5} interleaved runs, median)"
	"$work/timeit" "$REPS_FETCH" \
		curl "rm -f $work/curl.out" "curl -s -o $work/curl.out $burl" \
		cenv "rm -rf $work/fc" "env XDG_CACHE_HOME=$work/fc $cenv fetch -q -f $work/fetch.ini" >"$work/fetch.t"
	cu=$(median curl "$work/fetch.t")
	ce=$(median cenv "$work/fetch.t")
	printf '  curl -o                %8.1f ms\n  cenv fetch             %8.1f ms  (sha256 while writing, into the cache, renamed when checked)\n  cenv / curl            %8sx   (goal: at most 1.25x)\n' \
		"$cu" "$ce" "$(ratio "$ce" "$cu")"
	# the no-op install: a small package from http, installed once, then the server stopped
	cp -R "$top/tests/fixtures/make" "$work/webpkg-1.0"
	bsdtar -czf "$www/webpkg-1.0.tar.gz" -C "$work" webpkg-1.0
	printf '[webpkg]\nurl = %s/webpkg-1.0.tar.gz\nsha256 = %s\n' "${burl%/big.bin}" \
		"$(sha256sum "$www/webpkg-1.0.tar.gz" | cut -d' ' -f1)" >"$work/web.ini"
	"$cenv" create "$work/webenv" >/dev/null
	XDG_CACHE_HOME=$work/fc2 "$cenv" install -e "$work/webenv" -f "$work/web.ini" >/dev/null
	kill "$srv" 2>/dev/null
	sleep 0.3
	kill -KILL "$srv" 2>/dev/null || true
	wait "$srv" 2>/dev/null || true
	srv=
	"$work/timeit" "$reps" noop ":" "env XDG_CACHE_HOME=$work/fc2 $cenv install -e $work/webenv -f $work/web.ini" >"$work/webnoop.t"
	printf '== no-op install of an http manifest, the server stopped (%s runs, median)\n  cenv install (no-op)   %8.1f ms   (goal: under 50 ms; no connection opened)\n' \
		"$reps" "$(awk '{ print $2 }' "$work/webnoop.t")"
else
	echo "== downloads: not measured, curl is not installed"
fi

. "$top/tests/bench/parallel.sh"
