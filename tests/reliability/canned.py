# canned.py: a tiny Immich imitation on 127.0.0.1 whose answers a test overrides
#
# Copyright 2026 The PhotoBooth Immich Sync authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Good 3.1.0-shaped answers for what the tool asks, unless the test set
another answer for a route: malformed or hostile bodies (wrong types,
missing fields, 10 MB, deep nesting, invalid UTF-8) the fake does not make."""

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def _good(method, path, body):
    if path == "/.well-known/immich":
        return 200, {"api": {"endpoint": "/api"}}
    if path == "/api/server/ping":
        return 200, {"res": "pong"}
    if path == "/api/server/version":
        return 200, {"major": 3, "minor": 1, "patch": 0}
    if path == "/api/users/me":
        return 200, {"id": "11111111-1111-4111-8111-111111111111", "email": "a@example.com",
                     "name": "A", "isAdmin": True}
    if path == "/api/api-keys/me":
        return 200, {"id": "k", "name": "k", "permissions": ["all"]}
    if path == "/api/server/media-types":
        return 200, {"image": [".jpg", ".jpeg", ".png"], "video": [".mp4"], "sidecar": [".xmp"]}
    if path.startswith("/api/albums") and method == "GET":
        return 200, []
    if path == "/api/albums" and method == "POST":
        name = json.loads(body or b"{}").get("albumName", "")
        return 201, {"id": str(uuid.uuid4()), "albumName": name, "assetCount": 0,
                     "albumUsers": [], "shared": False}
    if path == "/api/assets/bulk-upload-check":
        items = json.loads(body or b"{}").get("assets", [])
        return 200, {"results": [{"id": i["id"], "action": "accept"} for i in items]}
    if path == "/api/assets" and method == "POST":
        return 201, {"id": str(uuid.uuid4()), "status": "created"}
    if path.startswith("/api/albums/") and path.endswith("/assets") and method == "PUT":
        ids = json.loads(body or b"{}").get("ids", [])
        return 200, [{"id": i, "success": True} for i in ids]
    return 404, {"message": "Cannot %s %s" % (method, path)}


class Canned:
    """overrides: {(METHOD, PATH): (status, bytes, content_type)}"""

    def __init__(self, overrides=None):
        self.overrides = dict(overrides or {})
        self.requests = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _serve(self, method):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path.split("?", 1)[0]
                outer.requests.append((method, path))
                key = (method, path)
                if key in outer.overrides:
                    status, data, ctype = outer.overrides[key]
                else:
                    status, obj = _good(method, path, body)
                    data, ctype = json.dumps(obj).encode(), "application/json"
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_GET(self):
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

            def do_PUT(self):
                self._serve("PUT")

            def do_DELETE(self):
                self._serve("DELETE")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
