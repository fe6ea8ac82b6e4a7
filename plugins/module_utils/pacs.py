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

from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.six.moves.urllib.parse import quote, urlencode
from ansible.module_utils.urls import open_url

# Connection options shared by the PACS modules.
PACS_ARGUMENT_SPEC = dict(
    engine=dict(type="str", choices=["dicoogle", "orthanc"], default="dicoogle"),
    url=dict(type="str", required=True),
    username=dict(type="str", required=True),
    password=dict(type="str", required=True, no_log=True),
    validate_certs=dict(type="bool", default=True),
    ca_path=dict(type="path"),
    request_timeout=dict(type="int", default=10),
)


class PacsError(Exception):
    """A request failed; the message says which and why."""


class _Client:
    def __init__(self, params):
        self.base = params["url"].rstrip("/")
        self.username = params["username"]
        self.password = params["password"]
        self.timeout = params["request_timeout"]
        self.tls = dict(validate_certs=params["validate_certs"], ca_path=params.get("ca_path"))

    def _request(self, method, path, body=None, headers=None):
        try:
            response = open_url(
                self.base + path, method=method, data=body, headers=headers or {}, timeout=self.timeout, **self.tls
            )
            text = response.read().decode("utf-8")
        except HTTPError as e:
            raise PacsError("%s %s answered HTTP %d: %s" % (method, path, e.code, e.read().decode("utf-8", "replace")[:200]))
        except (URLError, OSError) as e:
            raise PacsError("%s %s failed: %s" % (method, path, getattr(e, "reason", e)))
        return json.loads(text) if text.strip() else None


class DicoogleClient(_Client):
    """Dicoogle 3.x: POST /login gives a token sent raw in Authorization."""

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
        return self._request("GET", "/ext/version")["version"]

    def destinations(self):
        return {
            d["AETitle"]: {"host": d["ipAddrs"], "port": int(d["port"])}
            for d in self._request("GET", "/management/settings/storage/dicom", headers=self._auth()) or []
        }

    def _storage(self, kind, aetitle, host, port):
        form = {"type": kind, "aetitle": aetitle, "ip": host, "port": str(port)}
        headers = dict(self._auth(), **{"Content-Type": "application/x-www-form-urlencoded"})
        self._request("POST", "/management/settings/storage/dicom", urlencode(form), headers)

    def add_destination(self, aetitle, host, port):
        self._storage("add", aetitle, host, port)

    def remove_destination(self, aetitle, host, port):
        # Dicoogle wants the port even to remove.
        self._storage("remove", aetitle, host, port)


class OrthancClient(_Client):
    """Orthanc: HTTP Basic authentication; destinations are DICOM modalities."""

    def _auth(self):
        pair = ("%s:%s" % (self.username, self.password)).encode("utf-8")
        return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}

    def version(self):
        return self._request("GET", "/system", headers=self._auth())["Version"]

    def destinations(self):
        found = self._request("GET", "/modalities?expand", headers=self._auth()) or {}
        return {m["AET"]: {"host": m["Host"], "port": int(m["Port"])} for m in found.values()}

    def add_destination(self, aetitle, host, port):
        body = json.dumps({"AET": aetitle, "Host": host, "Port": port})
        self._request("PUT", "/modalities/" + quote(aetitle, safe=""), body, dict(self._auth(), **{"Content-Type": "application/json"}))

    def remove_destination(self, aetitle, host, port):
        self._request("DELETE", "/modalities/" + quote(aetitle, safe=""), headers=self._auth())


def client(params):
    return {"dicoogle": DicoogleClient, "orthanc": OrthancClient}[params["engine"]](params)
