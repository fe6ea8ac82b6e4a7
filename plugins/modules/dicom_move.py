#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: dicom_move
short_description: Ask a DICOM peer to send instances to a destination with a C-MOVE (dcmtk movescu)
version_added: 0.1.0
description:
  - Sends one C-MOVE and returns the sub-operation counts of the final response.
  - dcmtk's movescu has no TLS; over a network it goes through a tunnel (role C(dicoogle.aws.tunnel)).
  - A C-MOVE that matches nothing succeeds with zero sub-operations; check RV(completed).
  - In check mode nothing is sent and a change is reported.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  destination:
    description: AE title of the move destination, known to the peer.
    type: str
    required: true
  keys:
    description: Identifying keys by DICOM keyword, for example C(StudyInstanceUID).
    type: dict
    required: true
extends_documentation_fragment:
  - dicoogle.aws.dcmtk
  - dicoogle.aws.dcmtk.query
"""

EXAMPLES = r"""
- name: Move the study to the storage site
  dicoogle.aws.dicom_move:
    host: pacs.example.internal
    port: 1045
    called_aet: DICOOGLE-STORAGE
    destination: CONSUMER
    keys:
      StudyInstanceUID: 1.2.826.0.1.3680043.8.498.1
  register: moved
"""

RETURN = r"""
completed:
  description: Sub-operations completed.
  returned: success
  type: int
failed:
  description: Sub-operations failed.
  returned: success
  type: int
warning:
  description: Sub-operations with a warning.
  returned: success
  type: int
seconds:
  description: Wall time of the move.
  returned: always
  type: float
dicom_status:
  description: DICOM status of a refused or failed move.
  returned: failure
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.dicoogle.aws.plugins.module_utils.dcmtk import AE_TITLE
from ansible_collections.dicoogle.aws.plugins.module_utils.dcmtk import COMMON_ARGUMENT_SPEC
from ansible_collections.dicoogle.aws.plugins.module_utils.dcmtk import QUERY_ARGUMENT_SPEC
from ansible_collections.dicoogle.aws.plugins.module_utils.dcmtk import connection_args
from ansible_collections.dicoogle.aws.plugins.module_utils.dcmtk import parse_suboperations
from ansible_collections.dicoogle.aws.plugins.module_utils.dcmtk import query_args
from ansible_collections.dicoogle.aws.plugins.module_utils.dcmtk import run_tool
from ansible_collections.dicoogle.aws.plugins.module_utils.dcmtk import validate_common


def main():
    spec = dict(COMMON_ARGUMENT_SPEC, **QUERY_ARGUMENT_SPEC)
    spec.update(
        destination=dict(type="str", required=True),
        keys=dict(type="dict", required=True, no_log=False),
    )
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    params = module.params
    error = validate_common(params)
    if params["tls"]:
        error = "dcmtk's movescu has no TLS: reach the peer through a tunnel and leave tls out"
    if not AE_TITLE.match(params["destination"]):
        error = "destination must be an AE title of 1-16 characters, got %r" % params["destination"]
    if not params["keys"]:
        error = "keys must identify what to move, for example StudyInstanceUID"
    if error:
        module.fail_json(msg=error)
    if module.check_mode:
        module.exit_json(changed=True, completed=0, failed=0, warning=0, seconds=0.0)

    args = ["-d", "-aem", params["destination"]] + connection_args(params) + query_args(params)
    for key, value in params["keys"].items():
        args += ["-k", "%s=%s" % (key, value)]
    output, seconds = run_tool(module, "movescu", args + [params["host"], str(params["port"])], parse_suboperations)
    counts = parse_suboperations(output)
    result = dict(changed=counts["completed"] > 0, seconds=seconds, **counts)
    if counts["failed"]:
        module.fail_json(msg="movescu: %d of %d sub-operations failed" % (counts["failed"], counts["failed"] + counts["completed"]), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
