#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: iam_roles
short_description: Create several IAM roles, each with exactly its inline policies and optionally its instance profile, in one call
version_added: 0.2.0
description:
  - Brings each IAM role of the list to its trust policy, description, inline policies (exactly those given;
    others are deleted) and tags; managed policies are detached, so that a role holds only what its inline
    policies say. With O(roles[].instance_profile), the instance profile of the role's name holds that role
    only and carries the role's tags.
  - Fills a gap of amazon.aws.iam_role, amazon.aws.iam_policy and amazon.aws.iam_instance_profile, which
    converge one role, one policy or one profile per call; a role with its policy and profile costs three
    module starts, each of which reads the role again. Roles are removed with amazon.aws.iam_role.
  - A new role or instance profile is waited for until IAM knows it, as amazon.aws.iam_role does.
  - Supports check mode and diff mode.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  roles:
    description: The roles.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The role's name.
        type: str
        required: true
      assume_role_policy_document:
        description: Who may assume the role (the trust policy), as JSON text or a mapping.
        type: raw
        required: true
      description:
        description: The role's description.
        type: str
        default: ""
      inline_policies:
        description: The role's inline policies, name -> document (JSON text or a mapping). Exactly these.
        type: dict
        default: {}
      instance_profile:
        description: Whether the instance profile of the role's name holds the role (EC2 instances assume it through it).
        type: bool
        default: false
      tags:
        description: The role's tags (and its instance profile's).
        type: dict
        default: {}
  purge_tags:
    description: Whether tags not in O(roles[].tags) are removed.
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Two EC2 hosts' roles, each with its policy and instance profile
  dicoogle.aws.iam_roles:
    roles:
      - name: pacs-client
        assume_role_policy_document: "{{ lookup('ansible.builtin.template', 'ec2_trust.json.j2') }}"
        description: The client host
        inline_policies:
          host: "{{ lookup('ansible.builtin.template', 'host_policy.json.j2') }}"
        instance_profile: true
        tags: {"dicoogle:deployment": pacs}
      - name: pacs-storage
        assume_role_policy_document: "{{ lookup('ansible.builtin.template', 'ec2_trust.json.j2') }}"
        instance_profile: true
"""

RETURN = r"""
roles:
  description: Each role of O(roles), in their order, after the call (in check mode, a new role has no ARN or ID).
  returned: always
  type: list
  elements: dict
  contains:
    role_name:
      description: The role's name.
      type: str
      sample: pacs-client
    arn:
      description: The role's ARN.
      type: str
      sample: arn:aws:iam::123456789012:role/pacs-client
    role_id:
      description: The role's ID.
      type: str
    description:
      description: The role's description.
      type: str
    inline_policies:
      description: The names of its inline policies.
      type: list
      elements: str
    tags:
      description: Its tags.
      type: dict
    instance_profile_arn:
      description: The ARN of its instance profile.
      type: str
      returned: when O(roles[].instance_profile) is true
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.dicoogle.aws.plugins.module_utils import iam
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors


@fails_on_aws_errors
def run(module):
    wanted = module.params["roles"]
    names = [role["name"] for role in wanted]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        module.fail_json(msg="roles names a role twice: %s" % ", ".join(twice))
    client = iam.client_of(module)
    changed, results, before, after = False, [], {}, {}
    for role in wanted:
        role_changed, before[role["name"]], after[role["name"]] = iam.ensure_role(module, client, role, module.params["purge_tags"])
        changed |= role_changed
        results.append(after[role["name"]])
    module.exit_json(changed=changed, roles=results, diff={"before": before, "after": after})


def main():
    argument_spec = dict(
        roles=dict(type="list", elements="dict", required=True, options=dict(
            name=dict(type="str", required=True),
            assume_role_policy_document=dict(type="raw", required=True),
            description=dict(type="str", default=""),
            inline_policies=dict(type="dict", default={}),
            instance_profile=dict(type="bool", default=False),
            tags=dict(type="dict", default={}),
        )),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    run(module)


if __name__ == "__main__":
    main()
