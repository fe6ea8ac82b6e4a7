#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: iam_roles
short_description: Create or remove several IAM roles, each with exactly its inline policies and optionally its instance profile, in one call
version_added: 0.1.0
description:
  - Brings each IAM role of the list to its trust policy, description, inline policies (exactly those given;
    others are deleted) and tags; managed policies are detached, so that a role holds only what its inline
    policies say. With O(roles[].instance_profile), the instance profile of the role's name holds that role
    only and carries the role's tags.
  - Fills a gap of amazon.aws.iam_role, amazon.aws.iam_policy and amazon.aws.iam_instance_profile, which
    converge one role, one policy or one profile per call; a role with its policy and profile costs three
    module starts, each of which reads the role again.
  - With O(state=absent), removes each role of the list from any partial state - takes it out of every instance
    profile that holds it, detaches its managed policies, deletes its inline policies, then the role - and, with
    O(roles[].instance_profile), the instance profile of its name too (even when the role is gone already). What
    is already gone is not an error. It stands for M(amazon.aws.iam_role) with O(amazon.aws.iam_role#module:state=absent),
    which removes one role per call and warns of deprecations at every call.
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
        description:
          - Who may assume the role (the trust policy), as JSON text or a mapping.
          - Required with O(state=present); ignored with O(state=absent).
        type: raw
      description:
        description: The role's description. Ignored with O(state=absent).
        type: str
        default: ""
      inline_policies:
        description: The role's inline policies, name -> document (JSON text or a mapping). Exactly these. Ignored with O(state=absent).
        type: dict
        default: {}
      instance_profile:
        description:
          - Whether the instance profile of the role's name holds the role (EC2 instances assume it through it).
          - With O(state=absent), whether the instance profile of the role's name is deleted too. The role is taken out
            of every instance profile that holds it either way.
        type: bool
        default: false
      tags:
        description: The role's tags (and its instance profile's). Ignored with O(state=absent).
        type: dict
        default: {}
  purge_tags:
    description: Whether tags not in O(roles[].tags) are removed.
    type: bool
    default: true
  state:
    description:
      - V(present) creates or updates the roles, V(absent) removes them with their policies (and their instance
        profiles, with O(roles[].instance_profile)).
    type: str
    choices: [present, absent]
    default: present
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

- name: Remove them with their policies and instance profiles
  dicoogle.aws.iam_roles:
    roles:
      - name: pacs-client
        instance_profile: true
      - name: pacs-storage
        instance_profile: true
    state: absent
"""

RETURN = r"""
roles:
  description: Each role of O(roles), in their order, after the call (in check mode, a new role has no ARN or ID).
  returned: when O(state=present)
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
removed:
  description: The names of the roles of O(roles) that existed and were removed (in check mode, would be), in their order.
  returned: when O(state=absent)
  type: list
  elements: str
  sample: [pacs-client]
removed_instance_profiles:
  description: The names of the instance profiles that existed and were deleted (in check mode, would be), in their order.
  returned: when O(state=absent)
  type: list
  elements: str
  sample: [pacs-client]
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
    if module.params["state"] == "absent":
        return remove(module, wanted)
    untrusted = [role["name"] for role in wanted if role["assume_role_policy_document"] is None]
    if untrusted:
        module.fail_json(msg="state is present but these roles have no assume_role_policy_document: %s" % ", ".join(untrusted))
    client = iam.client_of(module)
    changed, results, before, after = False, [], {}, {}
    for role in wanted:
        role_changed, before[role["name"]], after[role["name"]] = iam.ensure_role(module, client, role, module.params["purge_tags"])
        changed |= role_changed
        results.append(after[role["name"]])
    module.exit_json(changed=changed, roles=results, diff={"before": before, "after": after})


def remove(module, wanted):
    client = iam.client_of(module, missing_is_final=True)
    removed, profiles, before = [], [], {}
    for role in wanted:
        before[role["name"]], profile_removed = iam.remove_role(module, client, role["name"], role["instance_profile"])
        if before[role["name"]] is not None:
            removed.append(role["name"])
        if profile_removed:
            profiles.append(role["name"])
    module.exit_json(changed=bool(removed or profiles), removed=removed, removed_instance_profiles=profiles,
                     diff={"before": before, "after": dict.fromkeys(before)})


def main():
    argument_spec = dict(
        roles=dict(type="list", elements="dict", required=True, options=dict(
            name=dict(type="str", required=True),
            assume_role_policy_document=dict(type="raw"),
            description=dict(type="str", default=""),
            inline_policies=dict(type="dict", default={}),
            instance_profile=dict(type="bool", default=False),
            tags=dict(type="dict", default={}),
        )),
        purge_tags=dict(type="bool", default=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    run(module)


if __name__ == "__main__":
    main()
