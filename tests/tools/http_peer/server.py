#!/usr/bin/env python3
"""A small HTTP(S) test peer for daoctl's e2e tests (standard library only).

Three modes, all printing "listening on http(s)://127.0.0.1:PORT" once ready:

  serve  --routes FILE  answers each request from a JSON table
         {"/path?query": {"status": 200, "body": "...", "headers": {...}}}
         (unlisted paths: 404 with a small JSON body, or what --unlisted
         gives: a JSON route {"status":..,"body":..,"headers":{..}}, e.g.
         a web server's HTML 404 page) and, with --record FILE, appends one JSON line
         per request (method, path, headers, status) - a header recorder: a
         listener that must receive nothing can prove it did. --etag honour
         sends an ETag (a hash of the body) and a Last-Modified (the routes
         file's mtime) with every 200 and answers 304 to a matching
         If-None-Match, or, without one, to an If-Modified-Since not older
         (RFC 9110 13.2.2); --etag ignore sends both and always answers 200,
         as many servers do.
  proxy  --upstream URL  forwards every request to an http upstream
         (daoctl-sim); a response whose path contains --stall-path is sent
         with its full Content-Length but only --stall-fraction of its body,
         and then the connection goes silent (the "half-body stall"), for the
         first --stall-count such responses (0: all of them). Requests with a
         Range header are stalled only with --stall-ranges. While the file
         --fail-writes-while names exists, every request but GET and HEAD is
         answered 503 without reaching the upstream (a platform failing
         mid-apply, switched on and off by the test). --record logs
         each request ({"method", "path", "range", "status", "length"}) and
         each stall ({"stalled": path, "range", "sent", "of"}).

  silent  reads each request, records it (--record) and never answers, with
         the connection open: a platform that accepts and hangs.

With --tls-cert/--tls-key the listener speaks HTTPS.
"""
import argparse
import email.utils
import hashlib
import http.client
import http.server
import json
import os
import socketserver
import ssl
import sys
import threading
import time
import urllib.parse


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["serve", "proxy", "silent"])
    ap.add_argument("--listen", default="127.0.0.1:0")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--record")
    ap.add_argument("--routes")
    ap.add_argument("--unlisted")
    ap.add_argument("--upstream")
    ap.add_argument("--stall-path", default="")
    ap.add_argument("--stall-fraction", type=float, default=0.5)
    ap.add_argument("--stall-count", type=int, default=1)
    ap.add_argument("--stall-ranges", action="store_true")
    ap.add_argument("--etag", choices=["none", "honour", "ignore"], default="none")
    ap.add_argument("--fail-writes-while")
    args = ap.parse_args()

    lock = threading.Lock()
    state = {"stalls": 0}

    def record(entry):
        if not args.record:
            return
        with lock, open(args.record, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")

    cache = {"key": None, "routes": {}}

    def load_routes():
        # Read again whenever the file changed (tests rewrite it between
        # requests); parsed once per version, so a 10k-employee table
        # (bench/watch_http.sh) costs the peer little per request.
        if not args.routes:
            return {}
        st = os.stat(args.routes)
        key = (st.st_mtime_ns, st.st_size, st.st_ino)
        with lock:
            if cache["key"] == key:
                return cache["routes"]
        with open(args.routes, encoding="utf-8") as f:
            text = f.read()
        routes = json.loads(text) if text.strip() else {}
        with lock:
            cache["key"], cache["routes"] = key, routes
        return routes

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *a):  # quiet
            pass

        def body_in(self):
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n else b""

        def answer(self, status, body, headers):
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def serve(self):
            self.body_in()
            self.log_request_status = lambda status: record(
                {"method": self.command, "path": self.path,
                 "headers": {k.lower(): v for k, v in self.headers.items()}, "status": status})
            route = load_routes().get(self.path)
            if route is None and args.unlisted:
                route = json.loads(args.unlisted)
            if route is None:
                self.log_request_status(404)
                self.answer(404, b'{"error":"not found"}', {"Content-Type": "application/json"})
                return
            body = route.get("body", "")
            if not isinstance(body, str):
                body = route["_dumped"] = route.get("_dumped") or json.dumps(body)
            headers = {"Content-Type": "application/json"}
            headers.update(route.get("headers", {}))
            status = route.get("status", 200)
            data = body.encode()
            if args.etag != "none" and status == 200:
                etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
                mtime = int(os.stat(args.routes).st_mtime)
                headers["ETag"] = etag
                headers["Last-Modified"] = email.utils.formatdate(mtime, usegmt=True)
                inm = self.headers.get("If-None-Match")
                ims = self.headers.get("If-Modified-Since")
                fresh = False
                if inm is not None:
                    fresh = inm.strip() == "*" or etag in [t.strip().removeprefix("W/") for t in inm.split(",")]
                elif ims is not None:
                    try:
                        fresh = email.utils.parsedate_to_datetime(ims).timestamp() >= mtime
                    except (TypeError, ValueError):
                        fresh = False
                if fresh and args.etag == "honour":
                    status, data = 304, b""
                    headers.pop("Content-Type")
            self.log_request_status(status)
            self.answer(status, data, headers)

        def proxy(self):
            body = self.body_in()
            if args.fail_writes_while and os.path.exists(args.fail_writes_while) \
                    and self.command not in ("GET", "HEAD"):
                record({"method": self.command, "path": self.path, "status": 503, "failed": True})
                self.answer(503, b'{"detail":"injected: writes fail"}', {"Content-Type": "application/json"})
                return
            up = urllib.parse.urlsplit(args.upstream)
            conn = http.client.HTTPConnection(up.hostname, up.port, timeout=60)
            headers = {k: v for k, v in self.headers.items()
                       if k.lower() not in ("host", "connection", "content-length", "accept-encoding")}
            conn.request(self.command, self.path, body=body or None, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            conn.close()
            has_range = self.headers.get("Range") is not None
            record({"method": self.command, "path": self.path, "range": self.headers.get("Range"),
                    "status": resp.status, "length": len(data)})
            stall = False
            if args.stall_path and args.stall_path in self.path and 200 <= resp.status < 300 \
                    and (args.stall_ranges or not has_range):
                with lock:
                    if args.stall_count == 0 or state["stalls"] < args.stall_count:
                        state["stalls"] += 1
                        stall = True
            self.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() not in ("transfer-encoding", "connection", "content-length", "keep-alive"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if not stall:
                self.wfile.write(data)
                return
            cut = int(len(data) * args.stall_fraction)
            self.wfile.write(data[:cut])
            self.wfile.flush()
            record({"stalled": self.path, "range": self.headers.get("Range"), "sent": cut, "of": len(data)})
            # Silent, with the connection open, until the client gives up.
            while True:
                time.sleep(3600)

        def handle_any(self):
            try:
                if args.mode == "silent":
                    self.body_in()
                    record({"method": self.command, "path": self.path, "silent": True})
                    while True:
                        time.sleep(3600)
                elif args.mode == "serve":
                    self.serve()
                else:
                    self.proxy()
            except (BrokenPipeError, ConnectionResetError):
                pass

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_any

    host, port = args.listen.rsplit(":", 1)
    httpd = Server((host, int(port)), Handler)
    scheme = "http"
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
        scheme = "https"
    print(f"listening on {scheme}://127.0.0.1:{httpd.server_address[1]}", flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
