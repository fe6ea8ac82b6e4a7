#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: pacs_admin_password
short_description: Rotate the PACS administrator's password away from its default
version_added: 0.1.0
description:
  - Makes O(password) the password of O(username). When O(password) already logs in nothing
    changes; otherwise the module logs in with O(current_password) (the engine's default unless
    given) and sets the new one.
  - Dicoogle has no password change in its REST API; the module creates a temporary
    administrator, recreates O(username) with the new password, checks that it logs in and
    removes the temporary administrator.
  - Orthanc reads its users from its configuration; for it the module only checks that
    O(password) logs in and fails with what to do when it does not.
  - Supports check mode. Passwords are never logged.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  password:
    description:
      - The password O(username) must have, such as one kept in Secrets Manager (12 characters
        or more).
    type: str
    required: true
  current_password:
    description:
      - The password in force before the rotation. Default, the engine's default password
        (C(dicoogle) for Dicoogle).
    type: str
extends_documentation_fragment:
  - dicoogle.aws.pacs
"""

EXAMPLES = r"""
- name: The default dicoogle/dicoogle stops working
  dicoogle.aws.pacs_admin_password:
    url: http://127.0.0.1:8080
    username: dicoogle
    password: "{{ lookup('amazon.aws.secretsmanager_secret', 'my-pacs/pacs-admin-password') }}"
"""

RETURN = r"""
rotated:
  description: Whether the password was (or, in check mode, would be) changed.
  returned: always
  type: bool
  sample: true
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.dicoogle.aws.plugins.module_utils.pacs import PACS_ARGUMENT_SPEC
from ansible_collections.dicoogle.aws.plugins.module_utils.pacs import PACS_REQUIRED_TOGETHER
from ansible_collections.dicoogle.aws.plugins.module_utils.pacs import PacsError
from ansible_collections.dicoogle.aws.plugins.module_utils.pacs import client

DEFAULT_PASSWORDS = {"dicoogle": "dicoogle"}


def main():
    spec = dict(PACS_ARGUMENT_SPEC)
    spec.update(current_password=dict(type="str", no_log=True))
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True, required_together=PACS_REQUIRED_TOGETHER)
    params = module.params
    if len(params["password"]) < 12:
        module.fail_json(msg="password must have at least 12 characters")
    current = params["current_password"] or DEFAULT_PASSWORDS.get(params["engine"])
    try:
        if client(params).can_login():
            module.exit_json(changed=False, rotated=False)
        if current is None or not client(dict(params, password=current)).can_login():
            module.fail_json(msg="%s at %s: neither the new password nor the current one logs %s in; "
                                 "give the password in force as current_password" % (params["engine"], params["url"], params["username"]))
        if not module.check_mode:
            client(dict(params, password=current)).set_password(params["password"])
    except PacsError as e:
        module.fail_json(msg="%s: rotating the password of %s failed: %s" % (params["engine"], params["username"], e))
    module.exit_json(changed=True, rotated=True)


if __name__ == "__main__":
    main()
