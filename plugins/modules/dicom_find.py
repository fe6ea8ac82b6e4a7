#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: dicom_find
short_description: Query a DICOM peer with a C-FIND (dcmtk findscu) and return the matches
version_added: 0.1.0
description:
  - Sends one C-FIND and returns every match as a dict of the requested keys.
  - Never changes anything, so it runs in check mode too.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  keys:
    description:
      - Matching keys, by DICOM keyword, with their values (C(*) wildcards allowed).
    type: dict
    default: {}
  return_keys:
    description: Keys to return without matching on them, by DICOM keyword.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - dicoogle.aws.dcmtk
  - dicoogle.aws.dcmtk.query
"""

EXAMPLES = r"""
- name: Find the studies of every patient, as the sample's findscu does
  dicoogle.aws.dicom_find:
    host: pacs.example.internal
    port: 1045
    called_aet: DICOOGLE-STORAGE
    keys:
      PatientID: "*"
    return_keys: [StudyInstanceUID, PatientName]
  register: studies
"""

RETURN = r"""
matches:
  description: One dict a match, of the keys in O(keys) and O(return_keys).
  returned: success
  type: list
  elements: dict
  sample: [{"PatientID": "P-1", "StudyInstanceUID": "1.2.826.0.1.3680043.8.498.1", "PatientName": "Synthetic^One"}]
count:
  description: Number of matches.
  returned: success
  type: int
seconds:
  description: Wall time of the query.
  returned: always
  type: float
"""

import os
import re
import tempfile

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.dicoogle.aws.plugins.module_utils.dcmtk import COMMON_ARGUMENT_SPEC
from ansible_collections.dicoogle.aws.plugins.module_utils.dcmtk import QUERY_ARGUMENT_SPEC
from ansible_collections.dicoogle.aws.plugins.module_utils.dcmtk import connection_args
from ansible_collections.dicoogle.aws.plugins.module_utils.dcmtk import parse_find_xml
from ansible_collections.dicoogle.aws.plugins.module_utils.dcmtk import query_args
from ansible_collections.dicoogle.aws.plugins.module_utils.dcmtk import run_tool
from ansible_collections.dicoogle.aws.plugins.module_utils.dcmtk import validate_common

KEYWORD = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")


def main():
    spec = dict(COMMON_ARGUMENT_SPEC, **QUERY_ARGUMENT_SPEC)
    spec.update(
        keys=dict(type="dict", default={}, no_log=False),
        return_keys=dict(type="list", elements="str", default=[], no_log=False),
    )
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    params = module.params
    error = validate_common(params)
    bad = [k for k in list(params["keys"]) + params["return_keys"] if not KEYWORD.match(k)]
    if bad:
        error = "keys and return_keys take DICOM keywords such as PatientID; not %s" % ", ".join(bad)
    if error:
        module.fail_json(msg=error)

    wanted = list(params["keys"]) + [k for k in params["return_keys"] if k not in params["keys"]]
    query = query_args(params)
    for key, value in params["keys"].items():
        query += ["-k", "%s=%s" % (key, "" if value is None else value)]
    for key in params["return_keys"]:
        if key not in params["keys"]:
            query += ["-k", key]
    fd, xml_path = tempfile.mkstemp(suffix=".xml")
    os.close(fd)
    try:
        args = ["-d"] + connection_args(params) + query + ["-Xs", xml_path, params["host"], str(params["port"])]
        dummy, seconds = run_tool(module, "findscu", args)
        with open(xml_path) as handle:
            text = handle.read()
        matches = parse_find_xml(text, wanted) if text.strip() else []
    finally:
        os.unlink(xml_path)
    module.exit_json(changed=False, matches=matches, count=len(matches), seconds=seconds)


if __name__ == "__main__":
    main()
