#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: pacs_search
short_description: Search the PACS's index through its web API and count patients, studies, series and instances
version_added: 0.1.0
description:
  - Dicoogle is searched with a lucene query on its index; Orthanc with C(/tools/find).
  - Returns the matching instances with their patient, study and series, and the counts at each
    level (the sample's last step checks one patient, one study, one series, two instances).
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  query:
    description: DICOM keyword and value pairs that instances must match; empty matches all.
    type: dict
    default: {}
extends_documentation_fragment:
  - dicoogle.aws.pacs
"""

EXAMPLES = r"""
- name: What does the PACS hold for the synthetic patient?
  dicoogle.aws.pacs_search:
    url: http://127.0.0.1:8080
    username: dicoogle
    password: "{{ pacs_admin_password }}"
    query:
      PatientID: SYNTHETIC-1
  register: found
"""

RETURN = r"""
instances:
  description: Matching instances with PatientID, StudyInstanceUID, SeriesInstanceUID, SOPInstanceUID.
  returned: success
  type: list
  elements: dict
counts:
  description: Distinct patients, studies, series and instances among the matches.
  returned: success
  type: dict
  sample: {"patients": 1, "studies": 1, "series": 1, "instances": 2}
"""

import re

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.dicoogle.aws.plugins.module_utils.pacs import PACS_ARGUMENT_SPEC
from ansible_collections.dicoogle.aws.plugins.module_utils.pacs import PACS_REQUIRED_TOGETHER
from ansible_collections.dicoogle.aws.plugins.module_utils.pacs import PacsError
from ansible_collections.dicoogle.aws.plugins.module_utils.pacs import client

KEYWORD = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")


def main():
    spec = dict(PACS_ARGUMENT_SPEC)
    spec.update(query=dict(type="dict", default={}))
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True, required_together=PACS_REQUIRED_TOGETHER)
    bad = [key for key in module.params["query"] if not KEYWORD.match(key)]
    if bad:
        module.fail_json(msg="query takes DICOM keywords such as PatientID; not %s" % ", ".join(bad))
    try:
        instances = client(module.params).search({k: str(v) for k, v in module.params["query"].items()})
    except PacsError as e:
        module.fail_json(msg="%s: %s" % (module.params["engine"], e))
    counts = {
        "patients": len({i["PatientID"] for i in instances}),
        "studies": len({i["StudyInstanceUID"] for i in instances}),
        "series": len({i["SeriesInstanceUID"] for i in instances}),
        "instances": len({i["SOPInstanceUID"] for i in instances}),
    }
    module.exit_json(changed=False, instances=instances, counts=counts)


if __name__ == "__main__":
    main()
