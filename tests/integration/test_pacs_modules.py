"""The PACS modules against both engines: a real Orthanc (Debian package) and the Dicoogle
REST contract (tests/fakes/dicoogle_api.py, checked against Dicoogle 3.4.1's servlets)."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.parse
import urllib.request

import pytest

from ansible_collections.dicoogle.aws.plugins.modules import dicom_synthetic_study, pacs_admin_password, pacs_index, pacs_info
from ansible_collections.dicoogle.aws.plugins.modules import pacs_move_destination, pacs_search
from tests.fakes.dicoogle_api import VERSION as DICOOGLE_VERSION
from tests.fakes.dicoogle_api import FakeDicoogle
from tests.helpers import free_port

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def orthanc(tmp_path_factory):
    binary = shutil.which("Orthanc") or "/usr/sbin/Orthanc"
    if not shutil.which(binary):
        pytest.skip("Orthanc is installed by scripts/setup.sh")
    root = tmp_path_factory.mktemp("orthanc")
    http = free_port()
    (root / "orthanc.json").write_text(json.dumps({
        "Name": "dicoogle-aws-test", "StorageDirectory": str(root / "db"), "IndexDirectory": str(root / "db"),
        "HttpPort": http, "DicomPort": free_port(), "DicomAet": "ORTHANC", "RemoteAccessAllowed": False,
        "AuthenticationEnabled": True, "RegisteredUsers": {"admin": "orthanc-secret"}, "DicomModalities": {},
    }))
    proc = subprocess.Popen([binary, str(root / "orthanc.json")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = "http://127.0.0.1:%d" % http
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/system", timeout=1)
        except urllib.error.HTTPError:
            break  # 401: it answers
        except OSError:
            time.sleep(0.2)
    yield {"engine": "orthanc", "url": url, "username": "admin", "password": "orthanc-secret"}
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def dicoogle():
    with FakeDicoogle(users={"dicoogle": "rotated-secret"}) as fake:
        yield {"engine": "dicoogle", "url": fake.url, "username": "dicoogle", "password": "rotated-secret", "fake": fake}


@pytest.fixture(params=["orthanc", "dicoogle"])
def pacs(request):
    conn = dict(request.getfixturevalue(request.param))
    conn.pop("fake", None)
    return conn


def test_info_reads_the_version(pacs, run_module):
    result = run_module(pacs_info, dict(pacs, wait_timeout=5))
    assert result["changed"] is False
    # Dicoogle answers its release and build time, such as 3.4.1-20250310_1501
    assert result["version"] == {"orthanc": "1.10.1", "dicoogle": DICOOGLE_VERSION}[pacs["engine"]]


def test_info_with_wrong_credentials_fails_with_the_reason(pacs, run_module):
    result = run_module(pacs_info, dict(pacs, password="wrong", wait_timeout=0))
    assert result["failed"] is True and "401" in result["msg"], result


def test_info_waits_for_an_answer_without_knowing_the_password(pacs, run_module):
    """Before the first rotation the password in force is not known: the engine's answer is enough."""
    result = run_module(pacs_info, dict(pacs, password="not-in-force", wait_for="answer", wait_timeout=0))
    assert result["changed"] is False and "version" not in result, result
    nothing = run_module(pacs_info, dict(pacs, url="http://127.0.0.1:%d" % free_port(), wait_for="answer", wait_timeout=0))
    assert nothing["failed"] is True and "did not answer" in nothing["msg"]


def test_info_of_nothing_says_so_after_the_wait(pacs, run_module):
    result = run_module(pacs_info, dict(pacs, url="http://127.0.0.1:%d" % free_port(), wait_timeout=1))
    assert result["failed"] is True and "did not answer within 1s" in result["msg"]


def test_destination_lifecycle_is_idempotent(pacs, run_module):
    args = dict(pacs, aetitle="CONSUMER", host="127.0.0.1", port=17777)
    check = run_module(pacs_move_destination, args, check_mode=True)
    assert check["changed"] is True
    assert "CONSUMER" not in run_module(pacs_info, dict(pacs, wait_timeout=0))["destinations"]

    created = run_module(pacs_move_destination, args)
    assert created["changed"] is True
    assert created["destinations"]["CONSUMER"] == {"host": "127.0.0.1", "port": 17777}
    assert run_module(pacs_move_destination, args)["changed"] is False

    moved = run_module(pacs_move_destination, dict(args, port=17778))
    assert moved["changed"] is True and moved["destinations"]["CONSUMER"]["port"] == 17778
    assert run_module(pacs_info, dict(pacs, wait_timeout=0))["destinations"]["CONSUMER"]["port"] == 17778

    removed = run_module(pacs_move_destination, dict(pacs, aetitle="CONSUMER", state="absent"))
    assert removed["changed"] is True and "CONSUMER" not in removed["destinations"]
    assert run_module(pacs_move_destination, dict(pacs, aetitle="CONSUMER", state="absent"))["changed"] is False


def test_dicoogle_is_called_with_its_token(dicoogle, run_module):
    conn = {k: v for k, v in dicoogle.items() if k != "fake"}
    run_module(pacs_move_destination, dict(conn, aetitle="OTHER", host="10.0.0.9", port=104))
    tokens = dicoogle["fake"].tokens
    calls = [r for r in dicoogle["fake"].requests if r[1] == "/management/settings/storage/dicom"]
    # the raw token, no "Bearer" (Dicoogle 3.4.1 checks it nowhere the collection calls, but sending it costs nothing)
    assert calls and all(call[2] in tokens for call in calls)


def test_dicoogle_wrong_credentials_give_the_reason_not_html(dicoogle, run_module):
    conn = {k: v for k, v in dicoogle.items() if k != "fake"}
    result = run_module(pacs_info, dict(conn, password="wrong", wait_timeout=0))
    assert result["failed"] is True and "HTTP 401" in result["msg"] and "Login failed" in result["msg"], result
    assert "<" not in result["msg"], result  # Jetty's error page, stripped to its text


def test_dicoogle_moved_destination_has_one_entry(dicoogle, run_module):
    """Dicoogle's add appends even an AE title it has: the module removes the old entry first."""
    conn = {k: v for k, v in dicoogle.items() if k != "fake"}
    run_module(pacs_move_destination, dict(conn, aetitle="MOVER", host="10.0.0.7", port=11112))
    run_module(pacs_move_destination, dict(conn, aetitle="MOVER", host="10.0.0.8", port=11113))
    with urllib.request.urlopen(dicoogle["fake"].url + "/management/settings/storage/dicom") as answer:
        listed = [d for d in json.load(answer) if d["AETitle"] == "MOVER"]
    assert listed == [{"AETitle": "MOVER", "description": "", "ipAddrs": "10.0.0.8", "isPublic": False, "port": 11113, "public": False}]


def test_bad_aetitle_is_named(pacs, run_module):
    result = run_module(pacs_move_destination, dict(pacs, aetitle="A" * 17, host="h", port=1))
    assert result["failed"] is True and "aetitle must be" in result["msg"]


def test_index_then_search_shows_the_blogs_study(pacs, run_module, tmp_path):
    seed = "index-%s" % pacs["engine"]
    study = run_module(dicom_synthetic_study, {"dest": str(tmp_path / "images"), "seed": seed, "patient_id": seed.upper()})

    indexed = run_module(pacs_index, dict(pacs, path=str(tmp_path / "images"), wait_timeout=30))
    assert (indexed["changed"], indexed["indexed"], indexed["errors"]) == (True, 2, 0), indexed

    found = run_module(pacs_search, dict(pacs, query={"PatientID": seed.upper()}))
    assert found["counts"] == {"patients": 1, "studies": 1, "series": 1, "instances": 2}, found
    assert {i["StudyInstanceUID"] for i in found["instances"]} == {study["study_instance_uid"]}
    assert run_module(pacs_search, dict(pacs, query={"PatientID": "NOBODY"}))["counts"]["instances"] == 0


def test_search_keeps_spaces_in_values(pacs, run_module, tmp_path):
    seed = "spaced-%s" % pacs["engine"]
    run_module(dicom_synthetic_study, {"dest": str(tmp_path / "images"), "seed": seed, "patient_id": "SPACED ID " + pacs["engine"]})
    assert run_module(pacs_index, dict(pacs, path=str(tmp_path / "images"), wait_timeout=30))["indexed"] == 2
    found = run_module(pacs_search, dict(pacs, query={"PatientID": "SPACED ID " + pacs["engine"]}))
    assert found["counts"]["instances"] == 2, found


def test_dicoogle_search_returns_every_match(run_module):
    """Dicoogle pages only when asked (psize); numResults counts every match."""
    with FakeDicoogle() as fake:
        fake.index = [{"uri": "file:/i/%d" % n, "fields": {"PatientID": "P", "StudyInstanceUID": "1", "SeriesInstanceUID": "2",
                                                           "SOPInstanceUID": str(n)}} for n in range(100001)]
        conn = {"engine": "dicoogle", "url": fake.url, "username": "dicoogle", "password": "dicoogle", "request_timeout": 60}
        found = run_module(pacs_search, conn)
        assert found["counts"] == {"patients": 1, "studies": 1, "series": 1, "instances": 100001}, found["counts"]
        searches = [r[3] for r in fake.requests if r[1] == "/search"]
        assert [p["query"] for p in searches] == [["*:*"]] and "psize" not in searches[0]


def test_dicoogle_index_without_file_storage_fails_at_once(run_module, tmp_path):
    """Dicoogle answers {"tasks": []} when no storage plugin takes the file: scheme."""
    with FakeDicoogle(storage_schemes=()) as fake:
        conn = {"engine": "dicoogle", "url": fake.url, "username": "dicoogle", "password": "dicoogle"}
        started = time.monotonic()
        result = run_module(pacs_index, dict(conn, path=str(tmp_path), wait_timeout=5))
        assert result["failed"] is True and "started no index task" in result["msg"], result
        assert time.monotonic() - started < 4


def test_dicoogle_index_task_without_report_fails(run_module, tmp_path):
    """A task that ended with an exception is complete, without nIndexed: not an empty success."""
    with FakeDicoogle() as fake:
        fake.failing_index = True
        conn = {"engine": "dicoogle", "url": fake.url, "username": "dicoogle", "password": "dicoogle"}
        run_module(dicom_synthetic_study, {"dest": str(tmp_path / "images"), "seed": "failing"})
        result = run_module(pacs_index, dict(conn, path=str(tmp_path / "images"), wait_timeout=10))
        assert result["failed"] is True and "without a report" in result["msg"], result


def _call(fake, method, path, params=None, form=None):
    url = fake.url + path + ("?" + urllib.parse.urlencode(params, doseq=True) if params else "")
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if form is not None:
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(request) as answer:
            return answer.status, answer.headers.get_content_type(), answer.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get_content_type(), e.read().decode()


def test_fake_dicoogle_answers_and_refuses_as_dicoogle_does():
    with FakeDicoogle() as fake:
        # LoginServlet: sendError(401) is Jetty's HTML page; the token is the same at each login
        assert _call(fake, "POST", "/login", form={"username": "dicoogle", "password": "no"})[:2] == (401, "text/html")
        first = json.loads(_call(fake, "POST", "/login", form={"username": "dicoogle", "password": "dicoogle"})[2])
        assert set(first) == {"user", "admin", "roles", "token"} and first["admin"] is True and first["roles"] == []
        assert json.loads(_call(fake, "POST", "/login", params={"username": "dicoogle", "password": "dicoogle"})[2]) == first
        # UserServlet: no token needed; a missing password is a NullPointerException; the last administrator stays
        assert _call(fake, "POST", "/user", form={"username": "x"})[0] == 500
        assert _call(fake, "DELETE", "/user/dicoogle") == (200, "application/json", '{"success": false}')
        assert _call(fake, "DELETE", "/user")[:2] == (400, "application/json")
        assert json.loads(_call(fake, "POST", "/user", form={"username": "x", "password": "p"})[2]) == {"success": True}
        assert json.loads(_call(fake, "POST", "/user", form={"username": "x", "password": "p"})[2]) == {"success": False}
        assert "x" not in fake.admins and json.loads(_call(fake, "DELETE", "/user/x")[2]) == {"success": True}
        # ServerStorageServlet: the port is parsed before anything else, even to remove
        assert _call(fake, "POST", "/management/settings/storage/dicom", form={"type": "remove", "aetitle": "A"})[0] == 400
        assert _call(fake, "POST", "/management/settings/storage/dicom", form={"aetitle": "A", "port": "1"})[0] == 500
        assert _call(fake, "POST", "/management/settings/storage/dicom", form={"type": "edit", "port": "1"})[0] == 400
        # ForceIndexing: the uri is required, an unknown indexer is a NullPointerException
        assert _call(fake, "POST", "/management/tasks/index", form={"plugin": "lucene"})[:2] == (400, "text/html")
        assert _call(fake, "POST", "/management/tasks/index", form={"uri": "file:/nowhere/", "plugin": "nope"})[0] == 500
        # SearchServlet: the query is required, providers must be query providers
        assert json.loads(_call(fake, "GET", "/search", params={"provider": "lucene"})[2]) == {"results": [], "error": "No query supplied!"}
        assert _call(fake, "GET", "/search", params={"query": "*:*", "provider": "nope"})[0] == 400
        assert json.loads(_call(fake, "GET", "/search", params={"query": "*:*"})[2])["numResults"] == 0
        # methods the servlets do not implement
        assert _call(fake, "GET", "/management/tasks/index")[0] == 405
        assert _call(fake, "PUT", "/user", form={"username": "y", "password": "p"})[0] == 405


def test_index_of_a_relative_path_is_refused(pacs, run_module):
    result = run_module(pacs_index, dict(pacs, path="images"))
    assert result["failed"] is True and "path must be absolute" in result["msg"]


def test_dicoogle_default_password_is_rotated_once(run_module):
    with FakeDicoogle() as fake:
        conn = {"engine": "dicoogle", "url": fake.url, "username": "dicoogle", "password": "a-new-secret-1234"}
        check = run_module(pacs_admin_password, conn, check_mode=True)
        assert check["changed"] is True and fake.users == {"dicoogle": "dicoogle"}
        first = run_module(pacs_admin_password, conn)
        assert first["changed"] is True and first["rotated"] is True
        # the default no longer logs in, the new one does, the temporary admin is gone
        assert fake.users == {"dicoogle": "a-new-secret-1234"} and fake.admins == {"dicoogle"}
        again = run_module(pacs_admin_password, conn)
        assert again["changed"] is False
        assert "a-new-secret-1234" not in json.dumps(first)


def test_rotation_without_a_working_password_says_what_to_give(run_module):
    with FakeDicoogle(users={"dicoogle": "someone-else-changed-it"}) as fake:
        conn = {"engine": "dicoogle", "url": fake.url, "username": "dicoogle", "password": "a-new-secret-1234"}
        result = run_module(pacs_admin_password, conn)
        assert result["failed"] is True and "current_password" in result["msg"]
        assert fake.users == {"dicoogle": "someone-else-changed-it"}


def test_orthanc_password_comes_from_its_configuration(orthanc, run_module):
    conn = dict(orthanc)
    assert run_module(pacs_admin_password, dict(conn, password="orthanc-secret"))["changed"] is False
    refused = run_module(pacs_admin_password, dict(conn, password="a-new-secret-1234", current_password="orthanc-secret"))
    assert refused["failed"] is True and "RegisteredUsers" in refused["msg"]


def test_short_password_is_refused(run_module):
    result = run_module(pacs_admin_password, {"engine": "dicoogle", "url": "http://127.0.0.1:1", "username": "dicoogle", "password": "short"})
    assert result["failed"] is True and "12 characters" in result["msg"]
