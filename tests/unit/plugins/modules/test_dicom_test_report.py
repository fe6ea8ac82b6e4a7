from __future__ import annotations

import xml.etree.ElementTree as ET

from ansible_collections.dicoogle.aws.plugins.modules import dicom_test_report

STEPS = [
    {"name": "C-ECHO", "result": "passed", "seconds": 0.25},
    {"name": "C-FIND study", "result": "failed", "seconds": 1.5, "details": "no study matched P-1"},
    {"name": "Web search", "result": "skipped", "details": "engine has no web API here"},
]


def test_junit_and_table_describe_every_step(tmp_path, run_module):
    result = run_module(dicom_test_report, {"dest": str(tmp_path), "steps": STEPS, "fail_on_failure": False})
    assert (result["passed"], result["failed"], result["skipped"]) == (1, 1, 1)
    suite = ET.parse(result["junit"]).getroot()
    assert suite.tag == "testsuite" and suite.get("tests") == "3" and suite.get("failures") == "1" and suite.get("skipped") == "1"
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["C-ECHO", "C-FIND study", "Web search"]
    assert cases[1].find("failure").get("message") == "no study matched P-1"
    assert cases[2].find("skipped") is not None and cases[0].find("failure") is None
    summary = (tmp_path / "summary.txt").read_text()
    assert summary == result["summary"]
    assert "C-FIND study  failed       1.50" in summary and "total" in summary and "1/3" in summary


def test_a_failed_step_fails_the_task_after_writing(tmp_path, run_module):
    result = run_module(dicom_test_report, {"dest": str(tmp_path), "steps": STEPS})
    assert result["failed"] is True and "C-FIND study" in result["msg"]
    assert (tmp_path / "junit.xml").exists()


def test_same_report_twice_changes_nothing(tmp_path, run_module):
    steps = [STEPS[0]]
    assert run_module(dicom_test_report, {"dest": str(tmp_path), "steps": steps})["changed"] is True
    assert run_module(dicom_test_report, {"dest": str(tmp_path), "steps": steps})["changed"] is False


def test_check_mode_writes_nothing(tmp_path, run_module):
    result = run_module(dicom_test_report, {"dest": str(tmp_path / "r"), "steps": [STEPS[0]]}, check_mode=True)
    assert result["changed"] is True and not (tmp_path / "r").exists()


def test_unknown_result_is_refused(tmp_path, run_module):
    result = run_module(dicom_test_report, {"dest": str(tmp_path), "steps": [{"name": "x", "result": "ok"}]})
    assert result["failed"] is True and "result" in result["msg"]


def test_stand_ins_are_named_under_the_table_and_in_the_suite(tmp_path, run_module):
    stand_ins = ["sync: the controller copied the objects", "web API: without the sign-in"]
    result = run_module(dicom_test_report, {"dest": str(tmp_path), "steps": STEPS[:1], "stand_ins": stand_ins})
    assert result["summary"].splitlines()[-2:] == ["stand-in: " + s for s in stand_ins]
    suite = ET.parse(result["junit"]).getroot()
    assert [p.get("value") for p in suite.findall("properties/property[@name='stand-in']")] == stand_ins
    plain = run_module(dicom_test_report, {"dest": str(tmp_path / "plain"), "steps": STEPS[:1]})
    assert "stand-in" not in plain["summary"] and ET.parse(plain["junit"]).getroot().find("properties") is None
