# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One interface to the PACS engines' REST APIs: Dicoogle (the default) and Orthanc.

Each client offers version() and the move destinations (list, add, remove); the modules hold
no engine-specific code.
"""

from __future__ import annotations

import base64
import json
import os
import re
import time

from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.six.moves.urllib.parse import quote, urlencode

from ansible.module_utils.urls import open_url

from ansible_collections.dicoogle.aws.plugins.module_utils.web_sign_in import SignInError, sign_in

LEVEL_KEYS = ("PatientID", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID")

# Connection options shared by the PACS modules.
PACS_ARGUMENT_SPEC = dict(
    engine=dict(type="str", choices=["dicoogle", "orthanc"], default="dicoogle"),
    url=dict(type="str", required=True),
    username=dict(type="str", required=True),
    password=dict(type="str", required=True, no_log=True),
    validate_certs=dict(type="bool", default=True),
    ca_path=dict(type="path"),
    request_timeout=dict(type="int", default=10),
    web_username=dict(type="str"),
    web_password=dict(type="str", no_log=True),
)
PACS_REQUIRED_TOGETHER = [("web_username", "web_password")]


class PacsError(Exception):
    """A request failed; the message says which and why (status: the HTTP code, when there was one)."""

    def __init__(self, message, status=None):
        super(PacsError, self).__init__(message)
        self.status = status


class _Client:
    def __init__(self, params):
        self.params = params
        self.base = params["url"].rstrip("/")
        self.username = params["username"]
        self.password = params["password"]
        self.timeout = params["request_timeout"]
        self.tls = dict(validate_certs=params["validate_certs"], ca_path=params.get("ca_path"))
        self.cookies = None

    def _session(self):
        """Behind the ALB's Cognito action: sign in once, as a browser does; the requests then send its cookie."""
        if self.params.get("web_username") and self.cookies is None:
            try:
                self.cookies = sign_in(self.base + "/", self.params["web_username"], self.params["web_password"],
                                       timeout=self.timeout, **self.tls)
            except SignInError as e:
                raise PacsError(str(e))
        return self.cookies

    def _request(self, method, path, body=None, headers=None):
        cookies = self._session()
        try:
            response = open_url(
                self.base + path, method=method, data=body, headers=headers or {}, timeout=self.timeout,
                cookies=cookies, **self.tls
            )
            text = response.read().decode("utf-8")
        except HTTPError as e:
            # Dicoogle's servlet container (Jetty) words its errors as an HTML page: keep the text.
            reason = " ".join(re.sub(r"<[^>]*>", " ", e.read().decode("utf-8", "replace")).split())
            raise PacsError("%s %s answered HTTP %d: %s" % (method, path, e.code, reason[:200]), status=e.code)
        except (URLError, OSError) as e:
            raise PacsError("%s %s failed: %s" % (method, path, getattr(e, "reason", e)))
        try:
            return json.loads(text) if text.strip() else None
        except ValueError:
            raise PacsError("%s %s answered something that is not JSON: %s" % (method, path, " ".join(text.split())[:200]))


class DicoogleClient(_Client):
    """Dicoogle 3 (checked against bioinformatics-ua/dicoogle 3.4.1): POST /login gives a token, sent raw
    in Authorization. Dicoogle 3.4.1 checks it on none of the endpoints used here (only the login
    proves the credentials); it is sent all the same, as Dicoogle's own web client does."""

    _token = None

    def _auth(self):
        if self._token is None:
            answer = self._request(
                "POST", "/login", urlencode({"username": self.username, "password": self.password}),
                {"Content-Type": "application/x-www-form-urlencoded"},
            )
            if not answer or "token" not in answer:
                raise PacsError("POST /login: Dicoogle refused the credentials of %s" % self.username)
            self._token = answer["token"]
        return {"Authorization": self._token}

    def version(self):
        # "<release>-<build timestamp>", such as 3.4.1-20250310_1501 (Dicoogle's version.txt)
        return self._request("GET", "/ext/version")["version"]

    def answers(self):
        """Up, whatever the administrator's password: /ext/version asks for none."""
        self.version()

    def can_login(self):
        self._session()  # a refused web sign-in is an error, not a wrong password
        try:
            self._auth()
        except PacsError:
            return False
        return True

    def _user(self, method, name, password=None):
        headers = dict(self._auth(), **{"Content-Type": "application/x-www-form-urlencoded"})
        if method == "POST":
            form = urlencode({"username": name, "password": password, "admin": "true"})
            answer = self._request("POST", "/user", form, headers)
        else:
            answer = self._request("DELETE", "/user/" + quote(name, safe=""), headers=headers)
        if not (answer or {}).get("success"):
            raise PacsError("%s /user for %s: Dicoogle answered %r" % (method, name, answer))

    def set_password(self, new_password):
        """Dicoogle has no password change: through a temporary admin, recreate the user."""
        helper = DicoogleClient(dict(self.params, username="rotate-" + os.urandom(4).hex(),
                                     password=base64.b64encode(os.urandom(24)).decode("ascii")))
        self._user("POST", helper.username, helper.password)
        helper._user("DELETE", self.username)
        helper._user("POST", self.username, new_password)
        rotated = DicoogleClient(dict(self.params, password=new_password))
        if not rotated.can_login():
            raise PacsError("the new password of %s does not log in" % self.username)
        rotated._user("DELETE", helper.username)

    def destinations(self):
        return {
            d["AETitle"]: {"host": d["ipAddrs"], "port": int(d["port"])}
            for d in self._request("GET", "/management/settings/storage/dicom", headers=self._auth()) or []
        }

    def _storage(self, kind, aetitle, host, port):
        form = {"type": kind, "aetitle": aetitle, "ip": host, "port": str(port), "description": "", "public": "false"}
        headers = dict(self._auth(), **{"Content-Type": "application/x-www-form-urlencoded"})
        self._request("POST", "/management/settings/storage/dicom", urlencode(form), headers)

    def add_destination(self, aetitle, host, port):
        self._storage("add", aetitle, host, port)

    def remove_destination(self, aetitle, host, port):
        # Dicoogle parses the port even to remove (400 without it), then removes every entry of the AE title.
        self._storage("remove", aetitle, host, port)

    def _tasks(self):
        return (self._request("GET", "/index/task", headers=self._auth()) or {}).get("results", [])

    def index(self, path, timeout):
        """Index a directory of the PACS's file system with the lucene provider and wait for it."""
        before = {t["taskUid"] for t in self._tasks()}
        uri = "file:" + path.rstrip("/") + "/"
        headers = dict(self._auth(), **{"Content-Type": "application/x-www-form-urlencoded"})
        started = self._request("POST", "/management/tasks/index", urlencode({"uri": uri, "plugin": "lucene"}), headers)
        if not (started or {}).get("tasks"):
            # Dicoogle answers 200 with no task when no storage plugin handles the URI's scheme.
            raise PacsError("Dicoogle started no index task for %s: is its file storage plugin installed?" % uri)
        deadline = time.monotonic() + timeout
        while True:
            ours = [t for t in self._tasks() if t["taskUid"] not in before]
            if ours and all(t.get("complete") or t.get("canceled") for t in ours):
                if any(t.get("canceled") for t in ours):
                    raise PacsError("the index task of %s was cancelled" % uri)
                if any("nIndexed" not in t for t in ours):
                    # Dicoogle gives the counts of a done task only when it ended with an index report.
                    raise PacsError("the index task of %s failed without a report (see Dicoogle's log)" % uri)
                return {"indexed": sum(int(t.get("nIndexed", 0)) for t in ours),
                        "errors": sum(int(t.get("nErrors", 0)) for t in ours)}
            if time.monotonic() > deadline:
                raise PacsError("indexing %s did not finish within %ds" % (uri, timeout))
            time.sleep(0.5)

    @staticmethod
    def _phrase(value):
        return '"%s"' % value.replace("\\", "\\\\").replace('"', '\\"')

    def search(self, query):
        # Lucene syntax, each value a quoted phrase (as Dicoogle's UnindexServlet queries UIDs), so that
        # spaces and special characters stay in the value; *:* matches everything (Dicoogle's web app).
        terms = " AND ".join("%s:%s" % (key, self._phrase(value)) for key, value in sorted(query.items())) or "*:*"
        # No psize: Dicoogle's default page is every match; numResults counts them all.
        params = [("query", terms), ("provider", "lucene")] + [("field", k) for k in LEVEL_KEYS]
        answer = self._request("GET", "/search?" + urlencode(params), headers=self._auth()) or {}
        results = answer.get("results", [])
        if int(answer.get("numResults", len(results))) != len(results):
            raise PacsError("GET /search answered %d of %s matches" % (len(results), answer.get("numResults")))
        return [{k: (r.get("fields") or {}).get(k, "") for k in LEVEL_KEYS} for r in results]


class OrthancClient(_Client):
    """Orthanc: HTTP Basic authentication; destinations are DICOM modalities."""

    def _auth(self):
        pair = ("%s:%s" % (self.username, self.password)).encode("utf-8")
        return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}

    def version(self):
        return self._request("GET", "/system", headers=self._auth())["Version"]

    def answers(self):
        """Up, whatever the administrator's password: a 401 to /system is Orthanc's answer."""
        try:
            self._request("GET", "/system")
        except PacsError as e:
            if e.status != 401:
                raise

    def can_login(self):
        self._session()  # a refused web sign-in is an error, not a wrong password
        try:
            self._request("GET", "/system", headers=self._auth())
        except PacsError:
            return False
        return True

    def set_password(self, new_password):
        raise PacsError(
            "Orthanc takes its users from its configuration: put the new password of %s in "
            "RegisteredUsers and restart it (the lab's PACS task does so from Secrets Manager)" % self.username
        )

    def destinations(self):
        found = self._request("GET", "/modalities?expand", headers=self._auth()) or {}
        return {m["AET"]: {"host": m["Host"], "port": int(m["Port"])} for m in found.values()}

    def add_destination(self, aetitle, host, port):
        body = json.dumps({"AET": aetitle, "Host": host, "Port": port})
        self._request("PUT", "/modalities/" + quote(aetitle, safe=""), body, dict(self._auth(), **{"Content-Type": "application/json"}))

    def remove_destination(self, aetitle, host, port):
        self._request("DELETE", "/modalities/" + quote(aetitle, safe=""), headers=self._auth())

    def index(self, path, timeout):
        """Orthanc does not watch directories: upload each file under path (on this host)."""
        indexed = errors = 0
        deadline = time.monotonic() + timeout
        for folder, _dirs, files in sorted(os.walk(path)):
            for name in sorted(files):
                if time.monotonic() > deadline:
                    raise PacsError("uploading %s did not finish within %ds" % (path, timeout))
                with open(os.path.join(folder, name), "rb") as handle:
                    body = handle.read()
                try:
                    self._request("POST", "/instances", body, dict(self._auth(), **{"Content-Type": "application/dicom"}))
                    indexed += 1
                except PacsError:
                    errors += 1
        return {"indexed": indexed, "errors": errors}

    def search(self, query):
        found = self._request(
            "POST", "/tools/find", json.dumps({"Level": "Instance", "Query": query, "Expand": True}),
            dict(self._auth(), **{"Content-Type": "application/json"}),
        ) or []
        results = []
        for instance in found:
            series = self._request("GET", "/series/" + instance["ParentSeries"], headers=self._auth())
            study = self._request("GET", "/studies/" + series["ParentStudy"], headers=self._auth())
            results.append({
                "PatientID": study.get("PatientMainDicomTags", {}).get("PatientID", ""),
                "StudyInstanceUID": study["MainDicomTags"].get("StudyInstanceUID", ""),
                "SeriesInstanceUID": series["MainDicomTags"].get("SeriesInstanceUID", ""),
                "SOPInstanceUID": instance["MainDicomTags"].get("SOPInstanceUID", ""),
            })
        return results


def client(params):
    return {"dicoogle": DicoogleClient, "orthanc": OrthancClient}[params["engine"]](params)
