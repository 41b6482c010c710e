# tests/lib-http.sh - the test web server of the download tests, sourced after lib.sh (bash).
# start_server: tests/httpd.py on 127.0.0.1 serving $WWW, its pid in $SERVER, its root URL in $URL,
# one line per request in $SCRATCH/requests; stop_server; requests PATH: how many GETs of PATH.
start_server() {
	rm -f "$SCRATCH/port"
	python3 "$TOP/tests/httpd.py" --port-file "$SCRATCH/port" --root "$WWW" --log "$SCRATCH/requests" &
	SERVER=$!
	for _ in $(seq 200); do [ -s "$SCRATCH/port" ] && break; sleep 0.02; done
	URL="http://127.0.0.1:$(cat "$SCRATCH/port")"
}
stop_server() { kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; }
requests() { grep -c "	$1	" "$SCRATCH/requests" 2>/dev/null || true; }
