"""A stand-in for Dicoogle 3's REST API, for the endpoints the collection uses. It is the one
allowed fake: Dicoogle's release cannot run here. Replace it with a real Dicoogle when one runs.

Checked against the source of bioinformatics-ua/dicoogle at tag 3.4.1 (commit
347692ad9a08ddfd81be3cff3ab360184bcd7e7e, its newest release tag; the dev branch at c55f72c8,
3.4.2-SNAPSHOT, has the same code for these endpoints). The repository has no tag 3.5.1. Each
handler names the source file it follows; DicoogleWeb.java maps the paths. What the source shows:

- No endpoint below checks the Authorization header: in 3.4.1 only GET /login, /logout,
  /presets and /webui read it (raw token, no "Bearer"). The fake records the header, checks nothing.
- Parameters are servlet parameters: the query string, or for POST a form body.
- POST /login (username, password) -> {"user", "admin", "roles", "token"}; one token a user,
  the same at each login. Failed: 401 with Jetty's HTML error page ("Login failed").
- GET /ext/version -> {"version": "<project.version>-<build timestamp>"} (version.txt, filtered by Maven).
- POST /user (username, password, admin) -> {"success": false when the user exists};
  DELETE /user/{name} -> {"success": false when unknown or the last administrator}. No password change.
- GET/POST /management/settings/storage/dicom: the move destinations as json-lib writes
  MoveDestination beans; POST type=add|remove, aetitle, ip, port (required even to remove),
  description, public. "add" appends, even an AE title already there; "remove" drops every entry of it.
- POST /management/tasks/index (uri, plugin) -> {"tasks": [...]} ([] when no storage handles the
  URI's scheme); GET /index/task -> {"results": [{"taskUid", "taskName", "taskProgress",
  "taskTimeCreated", and once done "complete", "elapsedTime", "nIndexed", "nErrors"}], "count": running}.
  A task here completes on the second poll, as a real one takes time; it reads the DICOM files under
  the directory with pydicom (the index is in memory).
- GET /search (query required, provider, field, psize, offset) -> {"results": [{"uri", "fields"}],
  "elapsedTime", "numResults": all matches}. The fake understands the Lucene subset the collection
  needs: *:*, Field:term and Field:"phrase" joined by AND; exact values. A bare term searches
  Lucene's default field, where none of these values are: it matches nothing.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

VERSION = "3.4.1-20250310_1501"  # what version.txt of a 3.4.1 build holds: ${project.version}-${buildNumber}
LEVEL_FIELDS = ("PatientID", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID")
# SearchServlet.DEFAULT_FIELDS: the fields answered when the request names none.
DEFAULT_FIELDS = ("SOPInstanceUID", "StudyInstanceUID", "SeriesInstanceUID", "PatientID", "PatientName", "PatientSex", "Modality",
                  "StudyDate", "StudyID", "StudyDescription", "SeriesNumber", "SeriesDescription", "InstitutionName", "InstanceNumber")
CLAUSE = re.compile(r'\s*(?:(AND)\b|(\*:\*)|([A-Za-z][A-Za-z0-9]*):(?:"((?:[^"\\]|\\.)*)"|([^\s"]+))|("[^"]*$)|(\S+))')


class QueryParseError(ValueError):
    pass


def parse_query(text):
    """Lucene's subset: a list of (field, value) that must all match, or None for *:*."""
    clauses, everything = [], False
    for match in CLAUSE.finditer(text):
        conj, star, field, phrase, term, unbalanced, bare = match.groups()
        if unbalanced is not None:
            raise QueryParseError("Cannot parse '%s': Lexical error: unterminated phrase" % text)
        if conj:
            continue
        if star:
            everything = True
        elif field:
            clauses.append((field, re.sub(r"\\(.)", r"\1", phrase) if phrase is not None else term))
        elif bare:
            clauses.append((None, bare))  # Lucene's default field
    return None if everything and not clauses else clauses


def jetty_error_page(code, path, reason):
    # HttpServletResponse.sendError and uncaught exceptions: Jetty 9.0's ErrorHandler writes an HTML page.
    return ("<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html;charset=ISO-8859-1\"/>\n"
            "<title>Error %d %s</title>\n</head>\n<body><h2>HTTP ERROR %d</h2>\n<p>Problem accessing %s. Reason:\n"
            "<pre>    %s</pre></p><hr /><i><small>Powered by Jetty://</small></i>\n</body>\n</html>\n"
            % (code, reason, code, path, reason))


class FakeDicoogle:
    def __init__(self, users=None, version=VERSION, storage_schemes=("file",), indexers=("lucene",), query_providers=("lucene",)):
        self.users = dict(users or {"dicoogle": "dicoogle"})  # name -> password
        self.admins = set(self.users)  # UsersStruct.getDefaults: dicoogle is an administrator
        self.version = version
        self.storage_schemes = tuple(storage_schemes)
        self.indexers = tuple(indexers)
        self.query_providers = tuple(query_providers)
        self.destinations = []
        self.tokens = {}  # token -> user name (Authentication.tokenUsers)
        self.requests = []  # (method, path, Authorization, parameters)
        self.tasks = {}
        self.index = []
        self.failing_index = False  # index tasks end with an exception: done, no report
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _write(self, code, data, content_type):
                self.send_response(code)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _json(self, code, body):
                self._write(code, json.dumps(body).encode(), "application/json")

            def _send_error(self, code, reason):
                self._write(code, jetty_error_page(code, self._path, reason).encode("latin-1", "replace"), "text/html;charset=ISO-8859-1")

            def _param(self, name):
                # ServletRequest.getParameter: the first value, None when absent.
                return (self._params.get(name) or [None])[0]

            def _dispatch(self, method):
                url = urlsplit(self.path)
                self._path = url.path
                self._params = parse_qs(url.query, keep_blank_values=True)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                if method == "POST" and "application/x-www-form-urlencoded" in (self.headers.get("Content-Type") or ""):
                    for key, values in parse_qs(body, keep_blank_values=True).items():
                        self._params.setdefault(key, []).extend(values)
                fake.requests.append((method, self._path, self.headers.get("Authorization"), self._params))
                route = ROUTES.get(self._path) or (ROUTES["/user/*"] if self._path.startswith("/user/") else None)
                if route is None:
                    return self._send_error(404, "Not Found")
                handler = route.get(method)
                if handler is None:
                    return self._send_error(405, "HTTP method %s is not supported by this URL" % method)
                try:
                    return handler(self)
                except Exception as e:  # pylint: disable=broad-except
                    return self._send_error(500, "Server Error: %s" % type(e).__name__)

            def do_GET(self):
                return self._dispatch("GET")

            def do_POST(self):
                return self._dispatch("POST")

            def do_DELETE(self):
                return self._dispatch("DELETE")

            def do_PUT(self):
                return self._dispatch("PUT")

            # dicoogle/src/main/java/pt/ua/dicoogle/server/web/servlets/accounts/LoginServlet.java (doPost), with
            # auth/Session.java (webappLogin) and auth/Authentication.java (login), at bioinformatics-ua/dicoogle@3.4.1.
            def login(self):
                name, password = self._param("username"), self._param("password")
                if name is None or password is None or fake.users.get(name) != password:
                    return self._send_error(401, "Login failed")
                token = next((t for t, user in fake.tokens.items() if user == name), None) or str(uuid.uuid4())
                fake.tokens[token] = name
                return self._json(200, {"user": name, "admin": name in fake.admins, "roles": [], "token": token})

            # dicoogle/src/main/java/pt/ua/dicoogle/server/web/rest/VersionResource.java, attached under /ext/* by
            # DicoogleWeb.java; core/Version.java reads dicoogle/src/main/resources/version.txt; bioinformatics-ua/dicoogle@3.4.1.
            def version(self):
                return self._json(200, {"version": fake.version})

            # dicoogle/src/main/java/pt/ua/dicoogle/server/web/servlets/accounts/UserServlet.java (doGet),
            # bioinformatics-ua/dicoogle@3.4.1.
            def list_users(self):
                return self._json(200, {"users": [{"username": name} for name in fake.users]})

            # dicoogle/src/main/java/pt/ua/dicoogle/server/web/servlets/accounts/UserServlet.java (doPost), with
            # server/users/UsersStruct.java (addUser) and User.java (create), bioinformatics-ua/dicoogle@3.4.1.
            def add_user(self):
                name, password = self._param("username"), self._param("password")
                if password is None:
                    raise TypeError("User.create calls password.toCharArray(): NullPointerException")
                if name is None:
                    raise TypeError("no username: the real servlet does not check it, the fake refuses it")
                if name in fake.users:
                    return self._json(200, {"success": False})
                fake.users[name] = password
                if (self._param("admin") or "").lower() == "true":  # Boolean.parseBoolean
                    fake.admins.add(name)
                return self._json(200, {"success": True})

            # dicoogle/src/main/java/pt/ua/dicoogle/server/web/servlets/accounts/UserServlet.java (doDelete), with
            # server/users/UsersStruct.java (removeUser: never the last administrator), bioinformatics-ua/dicoogle@3.4.1.
            def remove_user(self):
                if self._path == "/user":
                    return self._json(400, {"error": "Username not provided"})
                name = unquote(self._path[len("/user/"):].split("/")[0])
                removed = name in fake.users and not (name in fake.admins and len(fake.admins) == 1)
                if removed:
                    del fake.users[name]
                    fake.admins.discard(name)
                return self._json(200, {"success": removed})

            # dicoogle/src/main/java/pt/ua/dicoogle/server/web/servlets/management/ServerStorageServlet.java (doGet), the
            # beans of sdk/src/main/java/pt/ua/dicoogle/sdk/datastructs/MoveDestination.java as json-lib 2.4 writes them
            # (getters in name order; isIsPublic and isPublic give both "isPublic" and "public"), bioinformatics-ua/dicoogle@3.4.1.
            def list_destinations(self):
                return self._json(200, [
                    {"AETitle": d["aetitle"] or "", "description": d["description"] or "", "ipAddrs": d["ip"] or "",
                     "isPublic": d["public"], "port": d["port"], "public": d["public"]}
                    for d in fake.destinations
                ])

            # dicoogle/src/main/java/pt/ua/dicoogle/server/web/servlets/management/ServerStorageServlet.java (doPost), with
            # core/settings/part/DicomServicesImpl.java (addMoveDestination, removeMoveDestination), bioinformatics-ua/dicoogle@3.4.1.
            def change_destinations(self):
                kind, public = self._param("type"), self._param("public")
                try:
                    port = int(self._param("port"))  # Integer.parseInt, before the type is looked at
                    if not 0 < port <= 65535:
                        raise ValueError(port)
                except (TypeError, ValueError):
                    return self._json(400, {"error": "Illegal port parameter: must be a valid TCP port"})
                if kind is None:
                    raise TypeError("switch on a null type: NullPointerException")
                if kind == "add":
                    fake.destinations.append({"aetitle": self._param("aetitle"), "ip": self._param("ip"), "port": port,
                                              "description": self._param("description"),
                                              "public": public is not None and (public == "" or public.lower() == "true")})
                    return self._json(200, {"added": True})
                if kind == "remove":
                    before = len(fake.destinations)
                    fake.destinations = [d for d in fake.destinations if d["aetitle"] != self._param("aetitle")]
                    return self._json(200, {"removed": len(fake.destinations) != before})
                return self._json(400, {"error": 'Illegal type parameter: must be either "add" or "remove"'})

            # dicoogle/src/main/java/pt/ua/dicoogle/server/web/servlets/management/ForceIndexing.java (doPost), with
            # plugins/PluginController.java (index: no task without a storage for the URI's scheme; an unknown
            # plugin is a NullPointerException) and the Task beans of sdk/.../sdk/task/Task.java, bioinformatics-ua/dicoogle@3.4.1.
            def start_index(self):
                uris, plugins = self._params.get("uri"), self._params.get("plugin")
                if uris is None:
                    return self._send_error(400, "No uri provided")
                tasks = []
                for uri in uris:
                    scheme = urlsplit(uri.replace(" ", "%20")).scheme
                    if scheme not in fake.storage_schemes:
                        continue
                    for plugin in plugins or fake.indexers:
                        if plugin.lower() not in fake.indexers:
                            raise TypeError("getIndexerByName(%r) is null: NullPointerException" % plugin)
                        tasks.append(fake.start_task(plugin, uri))
                return self._json(200, {"tasks": [
                    {"cancelled": False, "done": False, "name": t["taskName"], "progress": 0.0,
                     "timeCreated": {k: v for k, v in t["created"].items() if k != "iso"}, "uid": t["taskUid"]} for t in tasks
                ]})

            # dicoogle/src/main/java/pt/ua/dicoogle/server/web/servlets/management/RunningTasksServlet.java (doGet), with
            # taskManager/RunningIndexTasks.java (toJson, asJSON) and sdk/.../sdk/task/Task.java (getProgress is -1 once
            # done: done() drops the callable), bioinformatics-ua/dicoogle@3.4.1.
            def list_tasks(self):
                results = []
                for task in fake.tasks.values():
                    task["polls"] += 1
                    entry = {"taskUid": task["taskUid"], "taskName": task["taskName"],
                             "taskProgress": -1 if task["polls"] >= 2 else 0.0,
                             "taskTimeCreated": task["created"]["iso"]}
                    if task["polls"] >= 2:
                        entry["complete"] = True
                        if not task["failed"]:  # task.get() threw: asJSON logs it and leaves the report out
                            entry.update(elapsedTime=task["elapsedTime"], nIndexed=task["nIndexed"], nErrors=task["nErrors"])
                    results.append(entry)
                return self._json(200, {"results": results, "count": sum(not r.get("complete") for r in results)})

            # dicoogle/src/main/java/pt/ua/dicoogle/server/web/servlets/search/SearchServlet.java (doGet, writeResponse,
            # sendError), with plugins/PluginController.java (filterDicomQueryProviders), bioinformatics-ua/dicoogle@3.4.1.
            def search(self):
                def error(code, message):
                    return self._json(code, {"results": [], "error": message})

                started = time.monotonic()
                try:
                    psize = int(self._param("psize") if self._param("psize") is not None else 2 ** 31 - 1)
                    if psize < 0:
                        raise ValueError(psize)
                except ValueError:
                    return error(400, "Invalid parameter psize: must be a non-negative integer")
                try:
                    offset = int(self._param("offset") or 0)
                    if offset < 0:
                        raise ValueError(offset)
                except ValueError:
                    return error(400, "Invalid parameter offset: must be a non-negative integer")
                if self._param("depth") is not None:
                    return error(400, "Parameter depth is only applicable to /searchDIM endpoint")
                query = self._param("query")
                if not query:
                    return error(400, "No query supplied!")
                providers = self._params.get("provider") or []
                if not [p for p in fake.query_providers if not providers or p in providers]:
                    return error(400, "No valid DIM providers supplied.")
                for provider in providers:
                    if provider not in fake.query_providers:
                        return self._json(400, {"error": "%s is not a valid query provider" % provider})
                try:
                    clauses = parse_query(query)
                except QueryParseError as e:
                    return error(400, str(e))
                fields = self._params.get("field") or DEFAULT_FIELDS
                hits = [e for e in fake.index if clauses is None or all(f is not None and e["fields"].get(f) == v for f, v in clauses)]
                page = hits[offset:offset + psize]
                return self._json(200, {
                    "results": [{"uri": e["uri"], "fields": {f: str(e["fields"][f]).strip() for f in fields if f in e["fields"]}} for e in page],
                    "elapsedTime": int((time.monotonic() - started) * 1000), "numResults": len(hits),
                })

        # DicoogleWeb.java: the paths the servlets are mapped to.
        ROUTES = {
            "/login": {"POST": Handler.login},
            "/ext/version": {"GET": Handler.version},
            "/user": {"GET": Handler.list_users, "POST": Handler.add_user, "DELETE": Handler.remove_user},
            "/user/*": {"GET": Handler.list_users, "POST": Handler.add_user, "DELETE": Handler.remove_user},
            "/management/settings/storage/dicom": {"GET": Handler.list_destinations, "POST": Handler.change_destinations},
            "/management/tasks/index": {"POST": Handler.start_index},
            "/index/task": {"GET": Handler.list_tasks},
            "/search": {"GET": Handler.search},
        }

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start_task(self, plugin, uri):
        """What the index task will have found once done; the file storage reads the URI's path."""
        import pydicom  # the fake's own dependency: the tests' venv has it

        started = time.monotonic()
        indexed = errors = 0
        root = unquote(urlsplit(uri.replace(" ", "%20")).path)
        for folder, _dirs, files in os.walk(root):
            for name in files:
                try:
                    ds = pydicom.dcmread(os.path.join(folder, name), stop_before_pixels=True)
                except Exception:  # pylint: disable=broad-except
                    errors += 1
                    continue
                fields = {k: str(ds.get(k, "")) for k in LEVEL_FIELDS + ("PatientName", "Modality")}
                self.index = [e for e in self.index if e["fields"]["SOPInstanceUID"] != fields["SOPInstanceUID"]]
                self.index.append({"uri": "file:" + os.path.join(folder, name), "fields": fields})
                indexed += 1
        now = datetime.datetime.now()
        uid = str(uuid.uuid4())
        self.tasks[uid] = {
            "taskUid": uid, "taskName": "[%s]index %s" % (plugin, uri), "polls": 0,
            "created": {"iso": now.isoformat(), "year": now.year, "monthValue": now.month, "dayOfMonth": now.day,
                        "hour": now.hour, "minute": now.minute, "second": now.second, "nano": now.microsecond * 1000},
            "elapsedTime": int((time.monotonic() - started) * 1000), "nIndexed": indexed, "nErrors": errors,
            "failed": self.failing_index,
        }
        return self.tasks[uid]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
