#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: dicom_echo
short_description: Verify a DICOM peer with a C-ECHO (dcmtk echoscu)
version_added: 0.1.0
description:
  - Opens an association with the peer, over mutual TLS when O(tls) is given, and sends a C-ECHO.
  - Never changes anything, so it runs in check mode too.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
extends_documentation_fragment:
  - dicoogle.aws.dcmtk
"""

EXAMPLES = r"""
- name: C-ECHO the PACS through the endpoint
  dicoogle.aws.dicom_echo:
    host: pacs.example.internal
    port: 1045
    called_aet: DICOOGLE-STORAGE
"""

RETURN = r"""
status:
  description: C(success) when the peer answered the C-ECHO.
  returned: success
  type: str
  sample: success
seconds:
  description: Wall time of the exchange.
  returned: always
  type: float
dicom_status:
  description: DICOM status of a failed exchange, when the peer sent one.
  returned: failure
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.dicoogle.aws.plugins.module_utils.dcmtk import COMMON_ARGUMENT_SPEC
from ansible_collections.dicoogle.aws.plugins.module_utils.dcmtk import connection_args
from ansible_collections.dicoogle.aws.plugins.module_utils.dcmtk import run_tool
from ansible_collections.dicoogle.aws.plugins.module_utils.dcmtk import validate_common


def main():
    module = AnsibleModule(argument_spec=dict(COMMON_ARGUMENT_SPEC), supports_check_mode=True)
    error = validate_common(module.params)
    if error:
        module.fail_json(msg=error)
    args = ["-d"] + connection_args(module.params) + [module.params["host"], str(module.params["port"])]
    dummy, seconds = run_tool(module, "echoscu", args)
    module.exit_json(changed=False, status="success", seconds=seconds)


if __name__ == "__main__":
    main()
