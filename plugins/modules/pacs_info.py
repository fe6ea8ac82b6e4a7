#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: pacs_info
short_description: Wait until the PACS (Dicoogle or Orthanc) answers, and read its version and destinations
version_added: 0.1.0
description:
  - Polls the engine's REST API until it answers with valid credentials or O(wait_timeout) runs out.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  wait_timeout:
    description: Seconds to keep trying; 0 tries once.
    type: int
    default: 120
  wait_for:
    description:
      - V(api) waits until the API answers with the administrator's credentials, and returns the
        version and destinations.
      - V(answer) waits only until the engine answers at all (Dicoogle's open C(/ext/version),
        Orthanc's 401 to C(/system)), for before the first rotation, when the administrator's
        password in force is not known; behind the web front door, after the sign-in of
        O(web_username) (a plain HTTP check would take the sign-in page for the PACS).
    type: str
    choices: [api, answer]
    default: api
    version_added: 0.1.0
extends_documentation_fragment:
  - dicoogle.aws.pacs
"""

EXAMPLES = r"""
- name: Wait for Dicoogle
  dicoogle.aws.pacs_info:
    url: http://127.0.0.1:8080
    username: dicoogle
    password: "{{ pacs_admin_password }}"
"""

RETURN = r"""
version:
  description: Version of the engine, as it reports it (Dicoogle adds its build time to the release).
  returned: success, with O(wait_for=api)
  type: str
  sample: 3.4.1-20250310_1501
destinations:
  description: Registered move destinations, by AE title.
  returned: success, with O(wait_for=api)
  type: dict
seconds:
  description: How long it took to answer.
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
    spec.update(wait_timeout=dict(type="int", default=120), wait_for=dict(type="str", choices=["api", "answer"], default="api"))
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True, required_together=PACS_REQUIRED_TOGETHER)
    started = time.monotonic()
    deadline = started + max(module.params["wait_timeout"], 0)
    while True:
        try:
            pacs = client(module.params)
            if module.params["wait_for"] == "answer":
                pacs.answers()
                version, destinations = None, None
            else:
                version = pacs.version()
                destinations = pacs.destinations()
            break
        except PacsError as e:
            if time.monotonic() >= deadline:
                module.fail_json(
                    msg="%s at %s did not answer within %ds: %s"
                    % (module.params["engine"], module.params["url"], module.params["wait_timeout"], e),
                    seconds=round(time.monotonic() - started, 3),
                )
            time.sleep(1)
    answer = dict(changed=False, seconds=round(time.monotonic() - started, 3))
    if version is not None:
        answer.update(version=version, destinations=destinations)
    module.exit_json(**answer)


if __name__ == "__main__":
    main()
