#!/usr/bin/env python3
"""A small RFC 3161 time-stamp authority for the tests (issue 22).

Each POST body is a TimeStampReq (application/timestamp-query); the reply is
made by OpenSSL's own TSA code (`openssl ts -reply`, TS_RESP_CTX inside)
with the signer certificate and key given, and sent as
application/timestamp-reply. Prints "tsa: listening on http://127.0.0.1:PORT/"
once it accepts connections. The test makes its CA and the TSA certificate
at test time with `openssl req` (tests/e2e/backup_timestamp.sh).

  server.py --cert tsa.pem --key tsa.key [--chain ca.pem] --workdir DIR
"""
import argparse
import http.server
import os
import subprocess
import sys
import tempfile
import threading

CONFIG = """
[ tsa ]
default_tsa = tsa_config1
[ tsa_config1 ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_digest = sha256
default_policy = 1.3.6.1.4.1.55555.1.1
other_policies = 1.3.6.1.4.1.55555.1.2
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--chain")
    p.add_argument("--workdir", required=True)
    args = p.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    config = os.path.join(args.workdir, "tsa.cnf")
    with open(config, "w") as f:
        f.write(CONFIG.format(dir=args.workdir))
    with open(os.path.join(args.workdir, "serial"), "w") as f:
        f.write("01\n")
    lock = threading.Lock()
    requests = {"count": 0}

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, fmt, *a):
            sys.stderr.write("tsa: " + (fmt % a) + "\n")

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            query = self.rfile.read(length)
            with lock, tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
                requests["count"] += 1
                qf, rf = os.path.join(tmp, "q.tsq"), os.path.join(tmp, "r.tsr")
                with open(qf, "wb") as f:
                    f.write(query)
                cmd = ["openssl", "ts", "-reply", "-config", config, "-queryfile", qf, "-signer", args.cert,
                       "-inkey", args.key, "-out", rf]
                if args.chain:
                    cmd += ["-chain", args.chain]
                done = subprocess.run(cmd, capture_output=True)
                if done.returncode != 0 or not os.path.exists(rf):
                    body = done.stderr or b"openssl ts -reply failed"
                    self.send_response(400)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                with open(rf, "rb") as f:
                    reply = f.read()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(f"tsa: listening on http://127.0.0.1:{server.server_port}/", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
