# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sign in through an Application Load Balancer whose listener authenticates with Cognito.

The PACS's web API sits behind the ALB's authenticate-cognito action, as a radiologist reaches it:
a request without the ALB's session cookie is sent to Cognito's authorize endpoint, which sends it
on to the hosted sign-in page (/login, with an XSRF-TOKEN cookie). The form is posted back with
that token as _csrf, the user's name and password; Cognito answers with a redirect to the ALB's
/oauth2/idpresponse carrying the code, and the ALB exchanges it, sets its AWSELBAuthSessionCookie
cookies and sends the browser back to the page first asked for. Later requests carry the cookies.
https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html
https://docs.aws.amazon.com/cognito/latest/developerguide/login-endpoint.html

No new network path: the session goes where a browser goes, through the ALB on 443.
"""

from __future__ import annotations

import re

from ansible.module_utils.six.moves import http_cookiejar
from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.six.moves.urllib.parse import urlencode, urljoin, urlsplit

from ansible.module_utils.urls import open_url

SESSION_COOKIE = "AWSELBAuthSessionCookie"
REDIRECTS = (301, 302, 303, 307, 308)
MAX_REDIRECTS = 10
FORM = re.compile(r"<form\b[^>]*\baction=[\"']([^\"']*)[\"'][^>]*>(.*?)</form>", re.S | re.I)
INPUT = re.compile(r"<input\b[^>]*>", re.I)
ATTRIBUTE = re.compile(r"\b(name|value|type)=[\"']([^\"']*)[\"']", re.I)
ERROR_TEXT = re.compile(r"<p[^>]*\bid=[\"']loginErrorMessage[\"'][^>]*>(.*?)</p>", re.S | re.I)


class SignInError(Exception):
    """The sign-in did not give a session; the message says why and what to do."""


def _inputs(form_html):
    fields = {}
    for tag in INPUT.findall(form_html):
        attributes = {k.lower(): v for k, v in ATTRIBUTE.findall(tag)}
        if "name" in attributes:
            fields[attributes["name"]] = attributes.get("value", "")
    return fields


def sign_in_form(html, page_url):
    """The hosted page's password form: (absolute action URL, its fields). None when there is none."""
    for action, body in FORM.findall(html):
        fields = _inputs(body)
        if "username" in fields and "password" in fields:
            return urljoin(page_url, action.replace("&amp;", "&")), fields
    return None


def session_cookies(jar):
    return [c for c in jar if c.name.startswith(SESSION_COOKIE)]


def _without_query(url):
    """A URL fit for a message: the query may hold an authorization code."""
    return urlsplit(url)._replace(query="", fragment="").geturl()


class _Browser:
    """Follows redirects itself, so that each host gets its own trust: the deployment's CA (ca_path)
    for the load balancer's host, the system's CAs for Cognito's, whose certificate is Amazon's."""

    def __init__(self, url, timeout, validate_certs, ca_path):
        self.host = urlsplit(url).netloc
        self.jar = http_cookiejar.CookieJar()
        self.timeout, self.validate_certs, self.ca_path = timeout, validate_certs, ca_path

    def open(self, url, method="GET", data=None, headers=None):
        for _hop in range(MAX_REDIRECTS):
            ca_path = self.ca_path if urlsplit(url).netloc == self.host else None
            try:
                return open_url(url, method=method, data=data, headers=headers, cookies=self.jar, timeout=self.timeout,
                                follow_redirects="none", validate_certs=self.validate_certs, ca_path=ca_path), url
            except HTTPError as e:
                location = e.headers.get("Location") if e.headers else None
                if e.code not in REDIRECTS or not location:
                    raise
                url = urljoin(url, location)
                if e.code in (301, 302, 303):  # as browsers do: the next request is a GET
                    method, data, headers = "GET", None, None
        raise SignInError("more than %d redirects from %s" % (MAX_REDIRECTS, _without_query(url)))


def sign_in(url, username, password, timeout=10, validate_certs=True, ca_path=None):
    """Sign in at url (a page behind the ALB) and return the cookie jar holding the ALB's session."""
    browser = _Browser(url, timeout, validate_certs, ca_path)
    jar = browser.jar
    try:
        page, page_url = browser.open(url)
        if session_cookies(jar):
            return jar  # already signed in (or the page is not behind the sign-in)
        html = page.read().decode("utf-8", "replace")
        form = sign_in_form(html, page_url)
        if form is None:
            raise SignInError("%s led to %s, which is no sign-in page: is the URL the ALB's, with the "
                              "authenticate-cognito action?" % (_without_query(url), _without_query(page_url)))
        action, fields = form
        csrf = fields.get("_csrf") or next((c.value for c in jar if c.name == "XSRF-TOKEN"), "")
        fields.update(_csrf=csrf, username=username, password=password)
        answer, answer_url = browser.open(action, method="POST", data=urlencode(fields),
                                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    except HTTPError as e:
        if session_cookies(jar):
            return jar  # signed in; the page asked for first answers on its own terms (Orthanc: 401)
        raise SignInError("signing in at %s: %s answered HTTP %d" % (_without_query(url), _without_query(e.geturl()), e.code))
    except (URLError, OSError) as e:
        raise SignInError("signing in at %s failed: %s" % (_without_query(url), getattr(e, "reason", e)))
    if session_cookies(jar):
        return jar
    html = answer.read().decode("utf-8", "replace")
    refused = ERROR_TEXT.search(html)
    if refused:
        raise SignInError("Cognito refused the sign-in of %s: %s" % (username, " ".join(re.sub(r"<[^>]*>", " ", refused.group(1)).split())))
    if re.search(r"name=[\"'](new_?password|newPassword)[\"']", html, re.I):
        raise SignInError("%s must set a new password first (its password is temporary): give it a permanent one "
                          "(AdminSetUserPassword with Permanent)" % username)
    if re.search(r"name=[\"'](totpCode|authentication_code|mfaCode)[\"']", html, re.I):
        raise SignInError("%s must answer a multi-factor challenge, which a script cannot: use a user without MFA" % username)
    raise SignInError("signing in %s ended at %s without the ALB's session cookie" % (username, _without_query(answer_url)))
