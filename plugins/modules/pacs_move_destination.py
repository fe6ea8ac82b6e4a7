#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: pacs_move_destination
short_description: Register a C-MOVE destination in the PACS (Dicoogle or Orthanc)
version_added: 0.1.0
description:
  - Makes the PACS know an AE title with its address, so that a C-MOVE to it reaches it (an
    unknown destination makes Dicoogle send to the caller's ephemeral port and fail).
  - Idempotent; a destination whose address changed is replaced. Supports check mode and diff.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  aetitle:
    description: AE title of the destination (1-16 characters).
    type: str
    required: true
  host:
    description: Its host or address, as the PACS reaches it (such as 127.0.0.1 for a tunnel).
    type: str
  port:
    description: Its port (1-65535).
    type: int
  state:
    description: Whether the destination is registered.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - dicoogle.aws.pacs
"""

EXAMPLES = r"""
- name: CONSUMER is reached through the PACS task's tunnel client
  dicoogle.aws.pacs_move_destination:
    url: http://127.0.0.1:8080
    username: dicoogle
    password: "{{ pacs_admin_password }}"
    aetitle: CONSUMER
    host: 127.0.0.1
    port: 17777
"""

RETURN = r"""
destinations:
  description: The registered destinations after the change, by AE title.
  returned: always
  type: dict
  sample: {"CONSUMER": {"host": "127.0.0.1", "port": 17777}}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.dicoogle.aws.plugins.module_utils.dcmtk import AE_TITLE
from ansible_collections.dicoogle.aws.plugins.module_utils.pacs import PACS_ARGUMENT_SPEC
from ansible_collections.dicoogle.aws.plugins.module_utils.pacs import PACS_REQUIRED_TOGETHER
from ansible_collections.dicoogle.aws.plugins.module_utils.pacs import PacsError
from ansible_collections.dicoogle.aws.plugins.module_utils.pacs import client


def main():
    spec = dict(PACS_ARGUMENT_SPEC)
    spec.update(
        aetitle=dict(type="str", required=True),
        host=dict(type="str"),
        port=dict(type="int"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = AnsibleModule(
        argument_spec=spec, supports_check_mode=True, required_if=[("state", "present", ("host", "port"))],
        required_together=PACS_REQUIRED_TOGETHER,
    )
    params = module.params
    if not AE_TITLE.match(params["aetitle"]):
        module.fail_json(msg="aetitle must be 1-16 printable characters without a backslash, got %r" % params["aetitle"])
    if params["port"] is not None and not 1 <= params["port"] <= 65535:
        module.fail_json(msg="port must be 1-65535, got %d" % params["port"])

    pacs = client(params)
    try:
        before = pacs.destinations()
        current = before.get(params["aetitle"])
        wanted = {"host": params["host"], "port": params["port"]} if params["state"] == "present" else None
        changed = current != wanted
        if changed and not module.check_mode:
            if current is not None:
                pacs.remove_destination(params["aetitle"], current["host"], current["port"])
            if wanted is not None:
                pacs.add_destination(params["aetitle"], wanted["host"], wanted["port"])
        after = dict(before)
        after.pop(params["aetitle"], None)
        if wanted is not None:
            after[params["aetitle"]] = wanted
        if changed and not module.check_mode:
            after = pacs.destinations()
    except PacsError as e:
        module.fail_json(msg="%s: %s" % (params["engine"], e))
    module.exit_json(changed=changed, destinations=after, diff=dict(before=before, after=after))


if __name__ == "__main__":
    main()
