"""The DICOM modules run the real dcmtk tools against real peers on 127.0.0.1: dcmqrscp (dcmtk's
query/retrieve SCP) as the PACS, storescp as the move destination CONSUMER."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from ansible_collections.dicoogle.aws.plugins.modules import dicom_echo, dicom_find, dicom_move, dicom_send
from tests.helpers import free_port, wait_for_port

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("dcmqrscp") is None, reason="dcmtk is installed by scripts/setup.sh"),
]

STUDY = "1.2.826.0.1.3680043.8.498.7.1"


def instance(directory, number):
    dump = directory / ("i%d.dump" % number)
    dump.write_text(
        "(0008,0016) UI =SecondaryCaptureImageStorage\n"
        "(0008,0018) UI [%s.1.%d]\n(0008,0060) CS [OT]\n(0010,0010) PN [Synthetic^One]\n"
        "(0010,0020) LO [P-7]\n(0020,000d) UI [%s]\n(0020,000e) UI [%s.1]\n(0020,0013) IS [%d]\n"
        % (STUDY, number, STUDY, STUDY, number)
    )
    path = directory / ("i%d.dcm" % number)
    subprocess.run(["dump2dcm", "+te", str(dump), str(path)], check=True)
    return path


@pytest.fixture(scope="module")
def peers(tmp_path_factory):
    root = tmp_path_factory.mktemp("dicom")
    (root / "db").mkdir()
    (root / "consumer").mkdir()
    pacs, consumer = free_port(), free_port()
    (root / "dcmqrscp.cfg").write_text(
        "NetworkTCPPort = %d\nMaxPDUSize = 16384\nMaxAssociations = 16\n"
        "HostTable BEGIN\nconsumer = (CONSUMER, localhost, %d)\nHostTable END\n"
        "VendorTable BEGIN\nVendorTable END\n"
        "AETable BEGIN\nPACS %s RW (200, 1024mb) ANY\nAETable END\n" % (pacs, consumer, root / "db")
    )
    procs = [
        subprocess.Popen(["dcmqrscp", "-c", str(root / "dcmqrscp.cfg")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        subprocess.Popen(
            ["storescp", "-aet", "CONSUMER", "-od", str(root / "consumer"), "-su", "study", "-fe", ".dcm", "+xa", str(consumer)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ),
    ]
    wait_for_port(pacs)
    wait_for_port(consumer)
    yield {"root": root, "pacs": pacs, "consumer": consumer, "files": [instance(root, 1), instance(root, 2)]}
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=10)


def pacs_args(peers, **more):
    return dict({"host": "127.0.0.1", "port": peers["pacs"], "called_aet": "PACS"}, **more)


def test_echo_succeeds_and_reports_time(peers, run_module):
    result = run_module(dicom_echo, pacs_args(peers))
    assert result["status"] == "success" and result["changed"] is False
    assert result["seconds"] >= 0


def test_echo_to_nothing_explains_the_failure(peers, run_module):
    result = run_module(dicom_echo, pacs_args(peers, port=free_port()))
    assert result["failed"] is True
    assert "echoscu failed" in result["msg"] and "Connection refused" in result["msg"]


def test_send_stores_both_instances(peers, run_module):
    result = run_module(dicom_send, pacs_args(peers, paths=[str(p) for p in peers["files"]]))
    assert (result["changed"], result["instances"], result["sent"], result["failed"]) == (True, 2, 2, 0), result


def test_send_in_check_mode_sends_nothing(peers, run_module):
    result = run_module(dicom_send, pacs_args(peers, paths=[str(peers["files"][0])]), check_mode=True)
    assert result["changed"] is True and result["sent"] == 0


def test_find_returns_the_study_with_the_requested_keys(peers, run_module):
    run_module(dicom_send, pacs_args(peers, paths=[str(p) for p in peers["files"]]))
    result = run_module(
        dicom_find, pacs_args(peers, keys={"PatientID": "*"}, return_keys=["StudyInstanceUID", "PatientName"])
    )
    assert result["count"] == 1
    assert result["matches"] == [{"PatientID": "P-7", "StudyInstanceUID": STUDY, "PatientName": "Synthetic^One"}]


def test_find_without_a_match_returns_nothing(peers, run_module):
    result = run_module(dicom_find, pacs_args(peers, keys={"PatientID": "NOBODY"}))
    assert result["count"] == 0 and result["matches"] == []


def test_move_sends_the_study_to_the_destination(peers, run_module):
    run_module(dicom_send, pacs_args(peers, paths=[str(p) for p in peers["files"]]))
    result = run_module(dicom_move, pacs_args(peers, destination="CONSUMER", keys={"StudyInstanceUID": STUDY}))
    assert (result["changed"], result["completed"], result["failed"], result["warning"]) == (True, 2, 0, 0), result
    arrived = sorted(p.name for p in (peers["root"] / "consumer" / ("study_" + STUDY)).glob("*.dcm"))
    assert len(arrived) == 2


def test_move_to_an_unknown_destination_gives_the_dicom_status(peers, run_module):
    result = run_module(dicom_move, pacs_args(peers, destination="NOWHERE", keys={"StudyInstanceUID": STUDY}))
    assert result["failed"] is True
    assert result["dicom_status"] == "0xa801"
    assert "Move Destination unknown" in result["msg"]


def test_move_of_nothing_completes_nothing(peers, run_module):
    result = run_module(dicom_move, pacs_args(peers, destination="CONSUMER", keys={"StudyInstanceUID": "1.2.3.4"}))
    assert result["changed"] is False and result["completed"] == 0


@pytest.mark.parametrize(
    "module, args, message",
    [
        (dicom_echo, {"called_aet": "A" * 17}, "called_aet must be"),
        (dicom_echo, {"port": 70000}, "port must be"),
        (dicom_find, {"keys": {"Patient ID": "*"}}, "DICOM keywords"),
        (dicom_move, {"destination": "CONSUMER", "keys": {}}, "keys must identify"),
        (dicom_move, {"destination": "CONSUMER", "keys": {"StudyInstanceUID": STUDY},
                      "tls": {"cert": "/c", "key": "/k", "ca": "/a"}}, "no TLS"),
        (dicom_send, {"paths": ["/nonexistent.dcm"]}, "paths not found"),
    ],
)
def test_bad_parameters_are_explained_before_any_traffic(peers, run_module, module, args, message):
    result = run_module(module, pacs_args(peers, **args))
    assert result["failed"] is True and message in result["msg"], result
