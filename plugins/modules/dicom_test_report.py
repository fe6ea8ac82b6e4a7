#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: dicom_test_report
short_description: Write the report of a DICOM flow test as JUnit XML and a readable table
version_added: 0.1.0
description:
  - Takes the steps of a test run (name, result, seconds, details) and writes C(junit.xml),
    which CI systems read, and C(summary.txt), a table of step, result and seconds.
  - Fails when a step failed and O(fail_on_failure) is true, after writing the report.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  dest:
    description: Directory of the report (created if missing).
    type: path
    required: true
  suite:
    description: Name of the test suite.
    type: str
    default: dicom_tests
  steps:
    description: The steps, in the order they ran.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: What the step checks.
        type: str
        required: true
      result:
        description: Its outcome.
        type: str
        choices: [passed, failed, skipped]
        required: true
      seconds:
        description: How long it took.
        type: float
        default: 0
      details:
        description: What happened, such as the failure's message or what was skipped and why.
        type: str
        default: ""
  stand_ins:
    description:
      - What ran instead of the real path, one sentence each (such as the lab's copy for DataSync's
        bytes). Written under the table and as C(stand-in) properties of the JUnit suite, so that a
        run with a stand-in never reads as a run of the whole path.
    type: list
    elements: str
    default: []
    version_added: 0.1.0
  fail_on_failure:
    description: Fail when a step failed.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Report the flows
  dicoogle.aws.dicom_test_report:
    dest: "{{ dicoogle_state_dir }}/reports"
    steps:
      - {name: C-ECHO, result: passed, seconds: 0.21}
      - {name: C-FIND, result: failed, seconds: 1.02, details: "no study matched"}
  delegate_to: localhost
"""

RETURN = r"""
junit:
  description: Path of the JUnit XML file.
  returned: always
  type: str
summary:
  description: The readable table, as written to C(summary.txt).
  returned: always
  type: str
passed:
  description: Steps that passed.
  returned: always
  type: int
failed:
  description: Steps that failed.
  returned: always
  type: int
skipped:
  description: Steps that were skipped.
  returned: always
  type: int
"""

import os
import xml.etree.ElementTree as ET

from ansible.module_utils.basic import AnsibleModule


def junit_xml(suite, steps, stand_ins=()):
    root = ET.Element(
        "testsuite",
        name=suite,
        tests=str(len(steps)),
        failures=str(sum(s["result"] == "failed" for s in steps)),
        skipped=str(sum(s["result"] == "skipped" for s in steps)),
        time="%.3f" % sum(s["seconds"] for s in steps),
    )
    if stand_ins:
        properties = ET.SubElement(root, "properties")
        for stand_in in stand_ins:
            ET.SubElement(properties, "property", name="stand-in", value=stand_in)
    for step in steps:
        case = ET.SubElement(root, "testcase", classname=suite, name=step["name"], time="%.3f" % step["seconds"])
        if step["result"] == "failed":
            ET.SubElement(case, "failure", message=step["details"] or "failed").text = step["details"]
        elif step["result"] == "skipped":
            ET.SubElement(case, "skipped", message=step["details"])
        elif step["details"]:
            ET.SubElement(case, "system-out").text = step["details"]
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def table(steps, stand_ins=()):
    width = max([len("step")] + [len(s["name"]) for s in steps])
    lines = [("%-*s  %-7s  %8s  %s" % (width, "step", "result", "seconds", "details")).rstrip(), "-" * (width + 40)]
    for step in steps:
        lines.append(("%-*s  %-7s  %8.2f  %s" % (width, step["name"], step["result"], step["seconds"], step["details"])).rstrip())
    lines.append("-" * (width + 40))
    passed = "%d/%d" % (sum(s["result"] == "passed" for s in steps), len(steps))
    lines.append("%-*s  %-7s  %8.2f" % (width, "total", passed, sum(s["seconds"] for s in steps)))
    lines.extend("stand-in: %s" % stand_in for stand_in in stand_ins)
    return "\n".join(lines) + "\n"


def write_if_changed(module, path, content):
    if os.path.exists(path):
        with open(path) as handle:
            if handle.read() == content:
                return False
    if not module.check_mode:
        with open(path, "w") as handle:
            handle.write(content)
    return True


def main():
    module = AnsibleModule(
        argument_spec=dict(
            dest=dict(type="path", required=True),
            suite=dict(type="str", default="dicom_tests"),
            steps=dict(
                type="list",
                elements="dict",
                required=True,
                options=dict(
                    name=dict(type="str", required=True),
                    result=dict(type="str", choices=["passed", "failed", "skipped"], required=True),
                    seconds=dict(type="float", default=0),
                    details=dict(type="str", default=""),
                ),
            ),
            stand_ins=dict(type="list", elements="str", default=[]),
            fail_on_failure=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    steps = module.params["steps"]
    if not steps:
        module.fail_json(msg="steps is empty: a report needs at least one step")
    if not module.check_mode:
        os.makedirs(module.params["dest"], exist_ok=True)
    junit = os.path.join(module.params["dest"], "junit.xml")
    stand_ins = module.params["stand_ins"]
    summary = table(steps, stand_ins)
    changed = write_if_changed(module, junit, junit_xml(module.params["suite"], steps, stand_ins))
    changed = write_if_changed(module, os.path.join(module.params["dest"], "summary.txt"), summary) or changed
    counts = {key: sum(s["result"] == key for s in steps) for key in ("passed", "failed", "skipped")}
    result = dict(changed=changed, junit=junit, summary=summary, **counts)
    if counts["failed"] and module.params["fail_on_failure"]:
        failed = ", ".join(s["name"] for s in steps if s["result"] == "failed")
        module.fail_json(msg="%d of %d steps failed: %s" % (counts["failed"], len(steps), failed), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
