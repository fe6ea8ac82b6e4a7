# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Running dcmtk's network tools and turning what they print into structured results.

The parsers are pure functions of the tools' output (dcmtk 3.6.7 and later), so they are unit
tested on captured output; the modules run the real tools.
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET

AE_TITLE = re.compile(r"^[ -\[\]-~]{1,16}$")  # printable, no backslash, 1-16 characters

# Arguments shared by every dcmtk network module.
COMMON_ARGUMENT_SPEC = dict(
    host=dict(type="str", required=True),
    port=dict(type="int", required=True),
    called_aet=dict(type="str", default="ANY-SCP"),
    calling_aet=dict(type="str", default="DICOOGLE-AWS"),
    timeout=dict(type="int", default=30),
    tls=dict(
        type="dict",
        options=dict(
            cert=dict(type="path", required=True),
            key=dict(type="path", required=True, no_log=False),
            ca=dict(type="path", required=True),
        ),
    ),
)

# Options of the modules that query or retrieve.
QUERY_ARGUMENT_SPEC = dict(
    model=dict(type="str", choices=["study", "patient"], default="study"),
    level=dict(type="str", choices=["PATIENT", "STUDY", "SERIES", "IMAGE"], default="STUDY"),
)

STATUS = re.compile(r"DIMSE Status\s*:\s*(0x[0-9a-fA-F]{4})(?::\s*(.*))?")
SUBOPS = re.compile(r"^D:\s+(Remaining|Completed|Failed|Warning) Suboperations\s*:\s*(\S+)", re.M)


class DcmtkFailure(Exception):
    """A tool failed: carries what the user needs, never just an exit code."""

    def __init__(self, tool, rc, message, dicom_status=None):
        super().__init__(message)
        self.tool = tool
        self.rc = rc
        self.message = message
        self.dicom_status = dicom_status

    def as_result(self):
        return dict(msg="%s failed: %s" % (self.tool, self.message), rc=self.rc, dicom_status=self.dicom_status)


def validate_common(params):
    """Return an error message for bad common parameters, or None."""
    for key in ("called_aet", "calling_aet"):
        if not AE_TITLE.match(params[key] or ""):
            return "%s must be 1-16 printable characters without a backslash, got %r" % (key, params[key])
    if not 1 <= params["port"] <= 65535:
        return "port must be 1-65535, got %d" % params["port"]
    if params["timeout"] < 1:
        return "timeout must be at least 1 second, got %d" % params["timeout"]
    return None


def connection_args(params):
    """Options every tool takes: AE titles, timeouts, TLS."""
    args = ["-aet", params["calling_aet"], "-aec", params["called_aet"], "-to", str(params["timeout"]),
            "-ta", str(params["timeout"]), "-td", str(params["timeout"])]
    tls = params.get("tls")
    if tls:
        args += ["+tls", tls["key"], tls["cert"], "+cf", tls["ca"]]
    return args


def tool_message(output):
    """The tool's own explanation: its fatal, error and warning lines, in order."""
    lines = [line[3:].strip() for line in output.splitlines() if line[:3] in ("F: ", "E: ", "W: ")]
    if lines:
        return "; ".join(lines)
    rest = output.strip().splitlines()
    return rest[-1] if rest else "no output"


def last_status(output):
    """(code, meaning) of the last DIMSE status the tool printed at debug level, or (None, None)."""
    found = STATUS.findall(output)
    if not found:
        return None, None
    code, meaning = found[-1]
    return code.lower(), meaning.strip() or None


def check(tool, rc, output):
    """Raise DcmtkFailure unless the tool succeeded."""
    code, meaning = last_status(output)
    if rc != 0:
        message = tool_message(output)
        if code and code not in ("0x0000", "0xff00"):
            message = "DICOM status %s (%s): %s" % (code, meaning, message)
        raise DcmtkFailure(tool, rc, message, code)


def query_args(params):
    """Information model and level of a C-FIND or C-MOVE."""
    return ["-S" if params["model"] == "study" else "-P", "-k", "QueryRetrieveLevel=%s" % params["level"]]


def run_tool(module, name, args, failure_details=None):
    """Run a dcmtk tool; on failure, fail the module with the DICOM status and the tool's message
    (plus failure_details(output), if given). Returns the tool's output and its wall time."""
    tool = module.get_bin_path(name, required=True)
    started = time.monotonic()
    rc, out, err = module.run_command([tool] + args)
    seconds = round(time.monotonic() - started, 3)
    output = out + err
    try:
        check(name, rc, output)
    except DcmtkFailure as failure:
        details = failure_details(output) if failure_details else {}
        module.fail_json(seconds=seconds, **dict(details, **failure.as_result()))
    return output, seconds


def parse_suboperations(output):
    """C-MOVE sub-operation counts of the final response (movescu at debug level)."""
    counts = {}
    for name, value in SUBOPS.findall(output):
        counts[name.lower()] = int(value) if value.isdigit() else 0
    return {key: counts.get(key, 0) for key in ("completed", "failed", "warning", "remaining")}


def parse_find_xml(text, keys):
    """C-FIND responses (findscu --extract-xml-single) as dicts of the requested keys."""
    matches = []
    root = ET.fromstring(text)
    for data_set in root.findall("data-set"):
        values = {}
        for element in data_set.findall("element"):
            values[element.get("name")] = (element.text or "").strip()
        matches.append({key: values.get(key, "") for key in keys})
    return matches


SEND_SUMMARY = {
    "instances": re.compile(r"Number of SOP instances\s*:\s*(\d+)"),
    "sent": re.compile(r"- sent to the peer\s*:\s*(\d+)"),
    "success": re.compile(r"\* with status SUCCESS\s*:\s*(\d+)"),
    "warning": re.compile(r"\* with status WARNING\s*:\s*(\d+)"),
    "failed": re.compile(r"\* with status FAILURE\s*:\s*(\d+)"),
    "not_sent": re.compile(r"- NOT sent to the peer\s*:\s*(\d+)"),
}


def parse_send_summary(output):
    """dcmsend's status summary (at verbose level) as counts."""
    counts = {}
    for key, pattern in SEND_SUMMARY.items():
        found = pattern.search(output)
        counts[key] = int(found.group(1)) if found else 0
    return counts
