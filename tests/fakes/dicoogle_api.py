"""A stand-in for Dicoogle 3.x's REST API, built from its documented contract (FACTS.md and the
Dicoogle sources' servlets), for the endpoints the collection uses. It is the one allowed fake:
Dicoogle's release cannot be downloaded here. Replace it with a real Dicoogle when one runs.

- POST /login (form username, password) -> {"token", "user", "admin", "roles"}; 401 otherwise
- GET /ext/version -> {"version": "3.5.1"}
- GET /management/settings/storage/dicom -> [{"AETitle", "ipAddrs", "port", "description", "isPublic"}]
- POST /management/settings/storage/dicom (form type=add|remove, aetitle, ip, port) -> {"added"|"removed": bool};
  the port is required even to remove, as in Dicoogle (Integer.parseInt of the parameter).
- POST /management/tasks/index (form uri=file:/dir/, plugin) -> 200 with no body; the task shows in
  GET /index/task -> {"results": [{"taskUid", "taskName", "taskProgress", "complete", "nIndexed",
  "nErrors"}], "count": running}; it completes on the second poll, as a real task takes time.
  Indexing reads the DICOM files under the directory with pydicom (the index is in memory).
- POST /user (form username, password, admin) -> {"success": bool} (false when the user exists);
  DELETE /user/{name} -> {"success": bool}: Dicoogle 3.x's UserServlet, the only way to change a
  password; both need a valid token here (the real one checks it from 3.6).
- GET /search (query: lucene terms "Key:value AND ..." or "*:*", provider, field...) ->
  {"results": [{"uri", "fields": {...}}], "numResults"}
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


class FakeDicoogle:
    def __init__(self, users=None):
        self.users = dict(users or {"dicoogle": "dicoogle"})
        self.destinations = []
        self.tokens = set()
        self.requests = []
        self.tasks = {}
        self.index = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, code, body):
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _form(self):
                length = int(self.headers.get("Content-Length") or 0)
                return {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}

            def do_GET(self):
                fake.requests.append(("GET", self.path, self.headers.get("Authorization")))
                if self.path == "/ext/version":
                    return self._send(200, {"version": "3.5.1"})
                if self.path == "/management/settings/storage/dicom":
                    return self._send(200, fake.destinations)
                if self.path == "/index/task":
                    for task in fake.tasks.values():
                        task["polls"] += 1
                        if task["polls"] >= 2:
                            task.update(complete=True, taskProgress=1.0)
                    results = [{k: v for k, v in t.items() if k != "polls"} for t in fake.tasks.values()]
                    return self._send(200, {"results": results, "count": sum(not t.get("complete") for t in results)})
                if self.path.startswith("/search?"):
                    args = parse_qs(self.path.split("?", 1)[1])
                    terms = args.get("query", ["*:*"])[0]
                    wanted = {} if terms == "*:*" else dict(t.split(":", 1) for t in terms.split(" AND "))
                    hits = [e for e in fake.index if all(e["fields"].get(k) == v for k, v in wanted.items())]
                    return self._send(200, {"results": hits, "numResults": len(hits)})
                return self._send(404, {"error": "not found"})

            def do_POST(self):
                form = self._form()
                fake.requests.append(("POST", self.path, self.headers.get("Authorization")))
                if self.path == "/login":
                    if fake.users.get(form.get("username")) != form.get("password"):
                        return self._send(401, {"error": "bad credentials"})
                    token = str(uuid.uuid4())
                    fake.tokens.add(token)
                    return self._send(200, {"token": token, "user": form["username"], "admin": True, "roles": []})
                if self.path == "/user":
                    if self.headers.get("Authorization") not in fake.tokens:
                        return self._send(401, {"error": "not logged in"})
                    added = form.get("username") not in fake.users
                    if added:
                        fake.users[form["username"]] = form.get("password", "")
                    return self._send(200, {"success": added})
                if self.path == "/management/tasks/index":
                    fake.start_index(form.get("uri", ""))
                    self.send_response(200)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                if self.path == "/management/settings/storage/dicom":
                    try:
                        port = int(form["port"])
                    except (KeyError, ValueError):
                        return self._send(500, {"error": "NumberFormatException"})
                    if form.get("type") == "add":
                        entry = {"AETitle": form["aetitle"], "ipAddrs": form["ip"], "port": port,
                                 "description": "", "isPublic": False}
                        if entry not in fake.destinations:
                            fake.destinations.append(entry)
                        return self._send(200, {"added": True})
                    if form.get("type") == "remove":
                        before = len(fake.destinations)
                        fake.destinations = [d for d in fake.destinations if d["AETitle"] != form["aetitle"]]
                        return self._send(200, {"removed": len(fake.destinations) != before})
                return self._send(404, {"error": "not found"})

            def do_DELETE(self):
                fake.requests.append(("DELETE", self.path, self.headers.get("Authorization")))
                if self.path.startswith("/user/"):
                    if self.headers.get("Authorization") not in fake.tokens:
                        return self._send(401, {"error": "not logged in"})
                    removed = fake.users.pop(self.path[len("/user/"):], None) is not None
                    return self._send(200, {"success": removed})
                return self._send(404, {"error": "not found"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start_index(self, uri):
        import pydicom  # the fake's own dependency: the tests' venv has it

        indexed = errors = 0
        root = uri[len("file:"):]
        for folder, _dirs, files in os.walk(root):
            for name in files:
                try:
                    ds = pydicom.dcmread(os.path.join(folder, name), stop_before_pixels=True)
                except Exception:  # pylint: disable=broad-except
                    errors += 1
                    continue
                fields = {k: str(ds.get(k, "")) for k in ("PatientID", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID")}
                self.index = [e for e in self.index if e["fields"]["SOPInstanceUID"] != fields["SOPInstanceUID"]]
                self.index.append({"uri": "file:" + os.path.join(folder, name), "fields": fields})
                indexed += 1
        uid = str(uuid.uuid4())
        self.tasks[uid] = {"taskUid": uid, "taskName": "Index " + uri, "taskProgress": 0.0, "complete": False,
                           "nIndexed": indexed, "nErrors": errors, "polls": 0}

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
