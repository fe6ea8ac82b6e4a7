#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: dicom_send
short_description: Send DICOM files to a peer with C-STORE (dcmtk dcmsend)
version_added: 0.1.0
description:
  - Sends files, and the DICOM files found in directories (recursively), and reports how many
    the peer stored.
  - dcmtk's dcmsend has no TLS; over a network it goes through a tunnel (role C(dicoogle.aws.tunnel)).
  - In check mode nothing is sent and a change is reported.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  paths:
    description: Files and directories on the managed host.
    type: list
    elements: path
    required: true
extends_documentation_fragment:
  - dicoogle.aws.dcmtk
"""

EXAMPLES = r"""
- name: Store an instance through the client's tunnel
  dicoogle.aws.dicom_send:
    host: 127.0.0.1
    port: 16666
    paths: [/var/lib/dicom-tests/instance-2.dcm]
"""

RETURN = r"""
instances:
  description: SOP instances found in O(paths).
  returned: always
  type: int
sent:
  description: Instances the peer stored (success or warning).
  returned: always
  type: int
failed:
  description: Instances the peer refused, or that were not sent.
  returned: always
  type: int
seconds:
  description: Wall time of the transfer.
  returned: always
  type: float
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.dicoogle.aws.plugins.module_utils.dcmtk import COMMON_ARGUMENT_SPEC
from ansible_collections.dicoogle.aws.plugins.module_utils.dcmtk import connection_args
from ansible_collections.dicoogle.aws.plugins.module_utils.dcmtk import parse_send_summary
from ansible_collections.dicoogle.aws.plugins.module_utils.dcmtk import run_tool
from ansible_collections.dicoogle.aws.plugins.module_utils.dcmtk import validate_common


def send_counts(output):
    counts = parse_send_summary(output)
    return dict(
        instances=counts["instances"],
        sent=counts["success"] + counts["warning"],
        failed=counts["failed"] + counts["not_sent"],
    )


def main():
    spec = dict(COMMON_ARGUMENT_SPEC)
    spec.update(paths=dict(type="list", elements="path", required=True))
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    params = module.params
    error = validate_common(params)
    if params["tls"]:
        error = "dcmtk's dcmsend has no TLS: send through a tunnel and leave tls out"
    missing = [p for p in params["paths"] if not os.path.exists(p)]
    if missing:
        error = "paths not found on the host: %s" % ", ".join(missing)
    if error:
        module.fail_json(msg=error)
    if module.check_mode:
        module.exit_json(changed=True, instances=0, sent=0, failed=0, seconds=0.0)

    args = ["-v", "+sd", "+r"] + connection_args(params) + [params["host"], str(params["port"])] + params["paths"]
    output, seconds = run_tool(module, "dcmsend", args, send_counts)
    result = dict(send_counts(output), seconds=seconds)
    if result["failed"] or result["sent"] == 0:
        module.fail_json(msg="dcmsend stored %(sent)d of %(instances)d instances" % result, **result)
    module.exit_json(changed=True, **result)


if __name__ == "__main__":
    main()
