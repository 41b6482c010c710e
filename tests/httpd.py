#!/usr/bin/env python3
"""httpd.py - a test web server on 127.0.0.1 with fault modes, for the fetch tests (stdlib only).

    python3 tests/httpd.py --port-file F --root DIR [--port N] [--tls CERT KEY] [--log FILE]

Serves the files of DIR over HTTP/1.1 (keep-alive), or HTTPS with --tls, on
127.0.0.1 only.  --port 0 (the default) takes a free port; the port is written
to F atomically (F.tmp, then a rename), so a reader that sees F sees it whole.
Runs until killed (SIGTERM).

The log (--log) gets one line per request, written and flushed before any
reply, so a client that has its answer can count its requests:
    METHOD <tab> PATH?QUERY <tab> RANGE-HEADER or - <tab> USER-AGENT or -

A path is  /MODE/.../NAME  where NAME is a file of DIR; a plain /NAME serves
the file.  A request's query (?t=anything) is ignored for serving but is part
of the key of the "first request" state, so each test can use fresh state.
Every plain serve honours "Range: bytes=N-" and "bytes=N-M" (206 and
Content-Range; 416 past the end).

    /NAME                        the file (200, or 206 for a Range)
    /redirect?to=URL[&code=N]    N (default 302) with Location: URL
    /redirect-n/K/NAME           K chained redirects (302, relative), then /NAME
    /status/CODE/NAME            always CODE (a short text body), e.g. 404, 503, 500
    /status/CODE-then-200/NAME   the first request for this path+query gets CODE, later ones the file
                                 (a 429 or 503 carries Retry-After: 1; ?retry-after=S overrides)
    /cut/NAME                    the first request: the full Content-Length but half the body,
                                 then the connection is closed; later ones: the file, Range honoured
    /cut-norange/NAME            the same, but later requests ignore Range (200, the whole file)
    /cut-then/OTHER/NAME         the first request: NAME cut as above; later ones: the file OTHER,
                                 whole, Range ignored (a file that changed on the server)
    /stall/NAME                  the headers (with Content-Length), then nothing for 30 s
    /auth/NAME                   needs Basic auth user:pass, else 401 with WWW-Authenticate
    /wrong/NAME                  the same length as the file, other bytes (each byte inverted)
    /nolength/NAME               the file without Content-Length (HTTP/1.0-style, ends at close)
    /bigheader/N/NAME            claims Content-Length N, then sends the file (for a size limit)
    /delay/MS/NAME               the file (Range honoured) after MS milliseconds of silence; each
                                 request waits on its own thread, so N delayed requests take MS, not N*MS
"""
import argparse
import base64
import os
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = "."
LOG = None
LOG_LOCK = threading.Lock()
SEEN = set()  # path+query keys whose first request has been answered
SEEN_LOCK = threading.Lock()
REASONS = {200: "OK", 206: "Partial Content", 302: "Found", 401: "Unauthorized",
           404: "Not Found", 416: "Range Not Satisfiable", 429: "Too Many Requests",
           500: "Internal Server Error", 503: "Service Unavailable"}


def first_time(key):
    with SEEN_LOCK:
        if key in SEEN:
            return False
        SEEN.add(key)
        return True


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "cenv-test-httpd"

    def log_message(self, fmt, *args):  # quiet: the request log is ours
        pass

    def log_request_line(self):
        if LOG is None:
            return
        line = "%s\t%s\t%s\t%s\n" % (self.command, self.path, self.headers.get("Range", "-"),
                                      self.headers.get("User-Agent", "-"))
        with LOG_LOCK:
            LOG.write(line)
            LOG.flush()

    def simple(self, code, body=b"", headers=()):
        text = body or ("%d %s\n" % (code, REASONS.get(code, ""))).encode()
        self.send_response(code, REASONS.get(code))
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text)

    def read_file(self, name):
        path = os.path.join(ROOT, name)
        if not name or "/" in name or name.startswith(".") or not os.path.isfile(path):
            return None
        with open(path, "rb") as f:
            return f.read()

    def serve(self, data, ranges=True, length=None):
        rng = self.headers.get("Range") if ranges else None
        if rng and rng.startswith("bytes="):
            start_s, _, end_s = rng[6:].partition("-")
            try:
                start = int(start_s)
                end = int(end_s) if end_s else len(data) - 1
            except ValueError:
                start, end = 0, len(data) - 1
            if start >= len(data):
                self.simple(416, headers=[("Content-Range", "bytes */%d" % len(data))])
                return
            end = min(end, len(data) - 1)
            part = data[start:end + 1]
            self.send_response(206, "Partial Content")
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, end, len(data)))
            self.send_header("Content-Length", str(len(part)))
            self.send_header("Accept-Ranges", "bytes")
            self.end_headers()
            self.wfile.write(part)
            return
        self.send_response(200, "OK")
        self.send_header("Content-Length", str(len(data) if length is None else length))
        self.send_header("Accept-Ranges", "bytes" if ranges else "none")
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.log_request_line()
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        parts = url.path.lstrip("/").split("/")
        key = self.path
        mode = parts[0] if len(parts) > 1 or parts[0] == "redirect" else ""
        name = parts[-1]

        if mode == "redirect":
            to = query.get("to", ["/"])[0]
            code = int(query.get("code", ["302"])[0])
            self.simple(code, headers=[("Location", to)])
            return
        if mode == "redirect-n":
            k = int(parts[1])
            rest = ("/redirect-n/%d/%s" % (k - 1, name)) if k > 1 else ("/" + name)
            if url.query:
                rest += "?" + url.query
            self.simple(302, headers=[("Location", rest)])
            return
        if mode == "status":
            spec = parts[1]
            code = int(spec.split("-")[0])
            then = spec.endswith("-then-200")
            if not then or first_time(key):
                headers = []
                if code in (429, 503) and then:
                    headers.append(("Retry-After", query.get("retry-after", ["1"])[0]))
                self.simple(code, headers=headers)
                return
        if mode == "auth":
            want = "Basic " + base64.b64encode(b"user:pass").decode()
            if self.headers.get("Authorization") != want:
                self.simple(401, headers=[("WWW-Authenticate", 'Basic realm="cenv-test"')])
                return
        if mode == "delay":
            time.sleep(int(parts[1]) / 1000)
        data = self.read_file(name)
        if data is None:
            self.simple(404)
            return
        if mode == "delay":
            self.serve(data)
            return
        if mode == "cut-then" and not first_time(key):
            self.serve(self.read_file(parts[1]) or b"", ranges=False)
            return
        if mode == "cut-then" or (mode in ("cut", "cut-norange") and first_time(key)):
            self.send_response(200, "OK")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[:len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if mode == "stall":
            self.send_response(200, "OK")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.flush()
            time.sleep(30)
            self.close_connection = True
            return
        if mode == "wrong":
            self.serve(bytes(b ^ 0xff for b in data), ranges=False)
            return
        if mode == "nolength":
            self.send_response(200, "OK")
            self.end_headers()
            self.wfile.write(data)
            self.close_connection = True
            return
        if mode == "bigheader":
            self.serve(data, ranges=False, length=int(parts[1]))
            self.close_connection = True
            return
        self.serve(data, ranges=(mode != "cut-norange"))


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that hangs up (a cut, a refused certificate) is what the tests do


def main():
    global ROOT, LOG
    ap = argparse.ArgumentParser(description="a test web server with fault modes")
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    ap.add_argument("--log")
    args = ap.parse_args()
    ROOT = args.root
    if args.log:
        LOG = open(args.log, "a", encoding="utf-8")
    server = Server(("127.0.0.1", args.port), Handler)
    if args.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls[0], args.tls[1])
        server.socket = ctx.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
