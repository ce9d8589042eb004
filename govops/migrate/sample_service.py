"""A small real department web service for migration rehearsals (stdlib only: it is copied to the hosts).

GET /health        {"status": "ok", "host": ..., "files": n, "frozen": bool}
GET /data/<name>   a file from the data directory
PUT /data/<name>   store a file; 503 while frozen (the migration's freeze step creates <root>/FROZEN)

    python3 sample_service.py --root /var/lib/govops-sample/doc-exchange --port 8080
"""

from __future__ import annotations

import argparse
import json
import socket
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server


def make_app(root: Path):
    data = root / "data"

    def app(environ, start_response):
        path, method = environ.get("PATH_INFO", "/"), environ["REQUEST_METHOD"]
        frozen = (root / "FROZEN").exists()
        if path == "/health":
            body = json.dumps({"status": "ok", "host": socket.gethostname(), "frozen": frozen,
                               "files": sum(1 for p in data.rglob("*") if p.is_file())}).encode()
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body]
        name = path.removeprefix("/data/")
        target = (data / name).resolve()
        if not path.startswith("/data/") or data.resolve() not in target.parents:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found\n"]
        if method == "PUT":
            if frozen:
                start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
                return [b"frozen for migration\n"]
            length = int(environ.get("CONTENT_LENGTH") or 0)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(environ["wsgi.input"].read(length))
            start_response("201 Created", [("Content-Type", "text/plain")])
            return [b"stored\n"]
        if not target.is_file():
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found\n"]
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return [target.read_bytes()]

    return app


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", type=Path, required=True)
    ap.add_argument("--port", type=int, default=8080)
    args = ap.parse_args()
    (args.root / "data").mkdir(parents=True, exist_ok=True)
    make_server("0.0.0.0", args.port, make_app(args.root), handler_class=QuietHandler).serve_forever()


if __name__ == "__main__":
    main()
