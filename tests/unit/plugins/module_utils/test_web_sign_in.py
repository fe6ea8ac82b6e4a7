"""The sign-in through the ALB's Cognito action, against a stand-in of the two servers that follows the
documented flow (the ALB's authenticate-cognito redirects, Cognito's /oauth2/authorize and /login with
its XSRF-TOKEN cookie and _csrf field), over plain HTTP, so without the Secure flag AWS sets on its
cookies. moto has no hosted sign-in page, so this is the AWS-only part's test."""

from __future__ import annotations

import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import pytest

from ansible_collections.dicoogle.aws.plugins.module_utils.web_sign_in import SignInError, sign_in, sign_in_form

USERS = {"gate": ("Correct-Horse-9!", "CONFIRMED"), "new": ("Temp-Pass-123!", "FORCE_CHANGE_PASSWORD"),
         "mfa": ("Mfa-Pass-123!", "SOFTWARE_TOKEN_MFA")}


def login_page(query, error=""):
    action = "/login?" + urlencode(query, doseq=True).replace("&", "&amp;")
    message = '<p id="loginErrorMessage" class="errorMessage">%s</p>' % error if error else ""
    return ("<html><body>%s<form name=\"cognitoSignInForm\" method=\"post\" action=\"%s\" class=\"cognito-asf\">"
            "<input name=\"_csrf\" type=\"hidden\" value=\"\"/><input id=\"signInFormUsername\" name=\"username\" type=\"text\">"
            "<input id=\"signInFormPassword\" name=\"password\" type=\"password\"><input name=\"signInSubmitButton\" type=\"Submit\" value=\"Sign in\">"
            "</form></body></html>") % (message, action)


class Stand:
    """The ALB (a page behind authenticate-cognito) and Cognito's hosted sign-in, on two ports."""

    def __init__(self):
        self.states, self.codes, self.sessions, self.posts = {}, {}, set(), []
        self.refuse_codes = False  # the ALB answers 401 to every authorization code
        stand = self

        class Alb(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                url = urlparse(self.path)
                if url.path == "/oauth2/idpresponse":
                    query = parse_qs(url.query)
                    user = stand.codes.pop(query["code"][0], None)
                    if user is None or stand.refuse_codes:
                        return self.send_error(401)
                    session = uuid.uuid4().hex
                    stand.sessions.add(session)
                    self.send_response(302)
                    self.send_header("Set-Cookie", "AWSELBAuthSessionCookie-0=%s; Path=/; HttpOnly" % session)
                    self.send_header("Location", stand.states.pop(query["state"][0]))
                    return self.end_headers()
                cookies = dict(c.strip().split("=", 1) for c in (self.headers.get("Cookie") or "").split(";") if "=" in c)
                if cookies.get("AWSELBAuthSessionCookie-0") in stand.sessions:
                    if self.path == "/":  # as Orthanc, whose every page asks for its own login
                        return self.send_error(401)
                    body = b'{"page": "%s", "version": "behind-the-alb"}' % self.path.encode()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    return self.wfile.write(body)
                state = uuid.uuid4().hex
                stand.states[state] = self.path
                self.send_response(302)
                self.send_header("Location", "%s/oauth2/authorize?%s" % (stand.cognito_url, urlencode({
                    "client_id": "app", "redirect_uri": stand.alb_url + "/oauth2/idpresponse", "response_type": "code",
                    "scope": "openid", "state": state})))
                self.end_headers()

        class Cognito(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def page(self, html, cookie=None):
                body = html.encode()
                self.send_response(200)
                if cookie:
                    self.send_header("Set-Cookie", cookie)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                url = urlparse(self.path)
                if url.path == "/oauth2/authorize":
                    self.send_response(302)
                    self.send_header("Set-Cookie", "XSRF-TOKEN=%s; Path=/; HttpOnly" % uuid.uuid4().hex)
                    self.send_header("Location", "/login?" + url.query)
                    return self.end_headers()
                if url.path == "/login":
                    return self.page(login_page(parse_qs(url.query)))
                return self.page("<html><body>Welcome</body></html>")

            def do_POST(self):
                url, query = urlparse(self.path), parse_qs(urlparse(self.path).query)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode()).items()}
                stand.posts.append(form)
                cookies = dict(c.strip().split("=", 1) for c in (self.headers.get("Cookie") or "").split(";") if "=" in c)
                if not form.get("_csrf") or form["_csrf"] != cookies.get("XSRF-TOKEN"):
                    return self.send_error(403)
                password, status = USERS.get(form.get("username"), (None, None))
                if password != form.get("password"):
                    return self.page(login_page(query, "Incorrect username or password."))
                if status == "FORCE_CHANGE_PASSWORD":
                    return self.page('<form method="post" action="/forgotPassword"><input name="new_password" type="password"></form>')
                if status == "SOFTWARE_TOKEN_MFA":
                    return self.page('<form method="post" action="/mfa"><input name="totpCode" type="text"></form>')
                code = uuid.uuid4().hex
                stand.codes[code] = form["username"]
                self.send_response(302)
                self.send_header("Location", "%s?%s" % (query["redirect_uri"][0], urlencode({"code": code, "state": query["state"][0]})))
                self.end_headers()
                del url

        self.alb, self.cognito = ThreadingHTTPServer(("127.0.0.1", 0), Alb), ThreadingHTTPServer(("127.0.0.1", 0), Cognito)
        self.alb_url = "http://127.0.0.1:%d" % self.alb.server_address[1]
        self.cognito_url = "http://127.0.0.1:%d" % self.cognito.server_address[1]
        for server in (self.alb, self.cognito):
            threading.Thread(target=server.serve_forever, daemon=True).start()

    def close(self):
        for server in (self.alb, self.cognito):
            server.shutdown()
            server.server_close()


@pytest.fixture
def stand():
    made = Stand()
    yield made
    made.close()


def test_a_user_signs_in_and_the_session_opens_the_page(stand):
    from ansible.module_utils.urls import open_url

    jar = sign_in(stand.alb_url + "/ext/version", "gate", USERS["gate"][0])
    assert [c.name for c in jar if c.name.startswith("AWSELBAuthSessionCookie")] == ["AWSELBAuthSessionCookie-0"]
    # the form was posted with Cognito's XSRF token as _csrf, as a browser posts it
    assert stand.posts[0]["_csrf"] and stand.posts[0]["username"] == "gate"
    page = open_url(stand.alb_url + "/users", cookies=jar).read()
    assert page == b'{"page": "/users", "version": "behind-the-alb"}'


def test_the_pacs_client_signs_in_once_and_reaches_the_api(stand):
    from ansible_collections.dicoogle.aws.plugins.module_utils.pacs import client

    params = {"engine": "dicoogle", "url": stand.alb_url, "username": "dicoogle", "password": "x" * 12, "validate_certs": True,
              "ca_path": None, "request_timeout": 5, "web_username": "gate", "web_password": USERS["gate"][0]}
    pacs = client(params)
    assert pacs.version() == "behind-the-alb"
    assert pacs.version() == "behind-the-alb" and len(stand.posts) == 1  # one sign-in per client


def test_a_refused_web_sign_in_is_an_error_not_a_wrong_pacs_password(stand):
    from ansible_collections.dicoogle.aws.plugins.module_utils.pacs import PacsError, client

    params = {"engine": "dicoogle", "url": stand.alb_url, "username": "dicoogle", "password": "x" * 12, "validate_certs": True,
              "ca_path": None, "request_timeout": 5, "web_username": "gate", "web_password": "wrong"}
    with pytest.raises(PacsError, match="Incorrect username or password"):
        client(params).can_login()


def test_a_page_that_asks_for_its_own_login_after_the_sign_in_still_gives_the_session(stand):
    jar = sign_in(stand.alb_url + "/", "gate", USERS["gate"][0])
    assert any(c.name == "AWSELBAuthSessionCookie-0" for c in jar)


def test_the_deployments_ca_is_for_the_load_balancer_and_the_system_cas_for_cognito(stand, monkeypatch):
    from ansible_collections.dicoogle.aws.plugins.module_utils import web_sign_in

    seen = []
    real = web_sign_in.open_url

    def recording(url, **kwargs):
        seen.append((urlparse(url).port, kwargs.get("ca_path")))
        return real(url, **kwargs)

    import certifi  # a CA bundle file, standing for the deployment's CA

    monkeypatch.setattr(web_sign_in, "open_url", recording)
    sign_in(stand.alb_url + "/ext/version", "gate", USERS["gate"][0], ca_path=certifi.where())
    alb, cognito = stand.alb.server_address[1], stand.cognito.server_address[1]
    assert {ca for port, ca in seen if port == alb} == {certifi.where()}
    assert {ca for port, ca in seen if port == cognito} == {None}


def test_an_error_never_shows_the_authorization_code(stand):
    stand.refuse_codes = True
    with pytest.raises(SignInError) as error:
        sign_in(stand.alb_url + "/x", "gate", USERS["gate"][0])
    # the message names the page the ALB refused, without its query (the code)
    assert "idpresponse answered HTTP 401" in str(error.value) and "code=" not in str(error.value)


def test_a_wrong_password_is_reported_with_cognitos_words(stand):
    with pytest.raises(SignInError, match="refused the sign-in of gate: Incorrect username or password"):
        sign_in(stand.alb_url + "/", "gate", "wrong")


def test_a_temporary_password_says_what_to_do(stand):
    with pytest.raises(SignInError, match="permanent"):
        sign_in(stand.alb_url + "/", "new", USERS["new"][0])


def test_a_multi_factor_challenge_is_named(stand):
    with pytest.raises(SignInError, match="multi-factor"):
        sign_in(stand.alb_url + "/", "mfa", USERS["mfa"][0])


def test_a_url_that_is_not_behind_the_sign_in(stand):
    with pytest.raises(SignInError, match="no sign-in page"):
        sign_in(stand.cognito_url + "/welcome", "gate", "x")


def test_the_form_is_found_with_its_absolute_action():
    action, fields = sign_in_form(login_page({"state": ["s"], "client_id": ["a"]}), "https://x.auth.eu-west-1.amazoncognito.com/login?a=1")
    assert action == "https://x.auth.eu-west-1.amazoncognito.com/login?state=s&client_id=a"
    assert set(fields) == {"_csrf", "username", "password", "signInSubmitButton"}
    assert sign_in_form("<form action='/x'><input name='q'></form>", "https://h/") is None


def test_pacs_info_waits_for_the_pacs_behind_the_sign_in_not_for_the_sign_in_page(stand, run_module):
    """pacs_config's first task: behind the ALB, an answer is the PACS's only after the sign-in;
    without it the request ends on Cognito's page, which is not the PACS answering."""
    from ansible_collections.dicoogle.aws.plugins.modules import pacs_info

    args = {"engine": "dicoogle", "url": stand.alb_url, "username": "dicoogle", "password": "not-known-yet", "wait_for": "answer",
            "wait_timeout": 0}
    signed_in = run_module(pacs_info, dict(args, web_username="gate", web_password=USERS["gate"][0]))
    assert signed_in.get("failed") is not True and len(stand.posts) == 1, signed_in
    assert USERS["gate"][0] not in str(signed_in)
    plain = run_module(pacs_info, args)
    assert plain["failed"] is True and "not JSON" in plain["msg"], plain
