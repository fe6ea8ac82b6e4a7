#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: pacs_index
short_description: Make the PACS index a directory of DICOM files and wait until it is done
version_added: 0.1.0
description:
  - Dicoogle indexes O(path) on its own file system (such as the EFS access point that DataSync
    fills) with the lucene provider; the module waits for the index task to finish.
  - Orthanc watches no directory; the module uploads every file under O(path) on the host where
    it runs.
  - Reports a change when files were indexed. In check mode nothing is indexed.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  path:
    description: Directory to index (the PACS's path for Dicoogle, this host's for Orthanc).
    type: str
    required: true
  wait_timeout:
    description: Seconds to wait for the indexing to finish.
    type: int
    default: 600
extends_documentation_fragment:
  - dicoogle.aws.pacs
"""

EXAMPLES = r"""
- name: Index what DataSync copied to EFS
  dicoogle.aws.pacs_index:
    url: http://127.0.0.1:8080
    username: dicoogle
    password: "{{ pacs_admin_password }}"
    path: /var/dicoogle/images/froms3
"""

RETURN = r"""
indexed:
  description: Files indexed.
  returned: success
  type: int
errors:
  description: Files that could not be indexed.
  returned: success
  type: int
seconds:
  description: Wall time of the indexing.
  returned: always
  type: float
"""

import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.dicoogle.aws.plugins.module_utils.pacs import PACS_ARGUMENT_SPEC
from ansible_collections.dicoogle.aws.plugins.module_utils.pacs import PACS_REQUIRED_TOGETHER
from ansible_collections.dicoogle.aws.plugins.module_utils.pacs import PacsError
from ansible_collections.dicoogle.aws.plugins.module_utils.pacs import client


def main():
    spec = dict(PACS_ARGUMENT_SPEC)
    spec.update(path=dict(type="str", required=True), wait_timeout=dict(type="int", default=600))
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True, required_together=PACS_REQUIRED_TOGETHER)
    if not module.params["path"].startswith("/"):
        module.fail_json(msg="path must be absolute, got %r" % module.params["path"])
    if module.check_mode:
        module.exit_json(changed=True, indexed=0, errors=0, seconds=0.0)
    started = time.monotonic()
    try:
        report = client(module.params).index(module.params["path"], module.params["wait_timeout"])
    except PacsError as e:
        module.fail_json(msg="%s: %s" % (module.params["engine"], e), seconds=round(time.monotonic() - started, 3))
    result = dict(changed=report["indexed"] > 0, seconds=round(time.monotonic() - started, 3), **report)
    if report["errors"]:
        module.fail_json(msg="%d files could not be indexed" % report["errors"], **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
