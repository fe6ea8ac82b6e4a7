#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: logs_resource_policy
short_description: Manage a CloudWatch Logs resource policy, found by its name
version_added: 0.1.0
description:
  - Creates, replaces or deletes one CloudWatch Logs resource policy, the account- and region-level
    policy that lets AWS services such as DataSync, Route 53 or EventBridge write to log groups.
  - The policy is compared with the one AWS has semantically, so key order, whitespace and a single
    value given as a one-element list cause no change; a different policy replaces the current one.
  - AWS allows at most 10 such policies per account and region; creating one more fails with a
    message that says so, and names the policies that exist.
  - Supports check mode and diff of the policy document.
  - Fills a gap, as amazon.aws and community.aws have no module for CloudWatch Logs resource policies.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  name:
    description: Name of the resource policy (1-255 characters), unique within the account and region.
    type: str
    required: true
  policy:
    description:
      - The policy document, as a dictionary or a JSON string of an object. Required with O(state=present).
      - It is sent as compact JSON, which must be 5120 characters at most; a longer one is refused
        before any call to AWS.
    type: json
  state:
    description: Whether the resource policy should exist.
    type: str
    choices: [present, absent]
    default: present
notes:
  - Needs C(logs:DescribeResourcePolicies), and C(logs:PutResourcePolicy) or C(logs:DeleteResourcePolicy)
    to make changes.
  - Only account-level policies are managed; policies attached to one log group (C(resourceArn)) are not.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Let DataSync write the task logs of the deployment to its log group
  dicoogle.aws.logs_resource_policy:
    name: "{{ dicoogle_deployment }}-datasync"
    policy:
      Version: "2012-10-17"
      Statement:
        - Sid: DataSyncLogsToCloudWatchLogs
          Effect: Allow
          Principal:
            Service: datasync.amazonaws.com
          Action:
            - logs:PutLogEvents
            - logs:CreateLogStream
          Resource: "arn:aws:logs:{{ dicoogle_aws_region }}:{{ account_id }}:log-group:/dicoogle/{{ dicoogle_deployment }}/datasync:*"
          Condition:
            ArnLike:
              aws:SourceArn: "arn:aws:datasync:{{ dicoogle_aws_region }}:{{ account_id }}:task/*"
            StringEquals:
              aws:SourceAccount: "{{ account_id }}"
  register: datasync_logs_policy

- name: The same policy from a file
  dicoogle.aws.logs_resource_policy:
    name: "{{ dicoogle_deployment }}-datasync"
    policy: "{{ lookup('ansible.builtin.template', 'datasync-logs-policy.json.j2') }}"

- name: Remove it
  dicoogle.aws.logs_resource_policy:
    name: "{{ dicoogle_deployment }}-datasync"
    state: absent
"""

RETURN = r"""
resource_policy:
  description: The resource policy as CloudWatch Logs describes it; empty when absent.
  returned: always
  type: dict
  contains:
    policy_name:
      description: Name.
      type: str
      sample: dicoogle-datasync
    policy_document:
      description: The policy document, parsed.
      type: dict
      sample:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: datasync.amazonaws.com
            Action: [logs:PutLogEvents, logs:CreateLogStream]
            Resource: "arn:aws:logs:eu-west-1:123456789012:log-group:/dicoogle/dicoogle/datasync:*"
    last_updated_time:
      description:
        - When the policy was last written, in milliseconds since the epoch.
        - V(null) in check mode when the policy would be created or replaced.
      type: int
      sample: 1735689600000
"""

import json

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import is_ansible_aws_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies

from ansible_collections.dicoogle.aws.plugins.module_utils import logs
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors

MAX_POLICIES_PER_REGION = 10
MAX_DOCUMENT_LENGTH = 5120
MAX_NAME_LENGTH = 255


def parse_document(text):
    """A policy document as AWS returns it (a JSON string), parsed; None when it is not JSON."""
    if isinstance(text, dict):
        return text
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return None


def validate(module):
    """Check the input before any call to AWS; return the wanted document and its compact JSON."""
    params = module.params
    if not 1 <= len(params["name"]) <= MAX_NAME_LENGTH:
        module.fail_json(msg="name must be 1-%d characters, got %d" % (MAX_NAME_LENGTH, len(params["name"])))
    if params["state"] != "present":
        return None, None
    if params["policy"] is None:
        module.fail_json(msg="policy is required with state=present")
    try:
        document = json.loads(params["policy"])
    except ValueError as e:
        module.fail_json(msg="policy is not valid JSON: %s" % e)
    if not isinstance(document, dict):
        module.fail_json(msg="policy must be a JSON object (a policy document with a Statement), got a JSON %s"
                             % type(document).__name__)
    if not document.get("Statement"):
        module.fail_json(msg="policy has no Statement")
    text = json.dumps(document, separators=(",", ":"))
    if len(text) > MAX_DOCUMENT_LENGTH:
        module.fail_json(msg="policy is %d characters as compact JSON; CloudWatch Logs accepts %d at most"
                             % (len(text), MAX_DOCUMENT_LENGTH))
    return document, text


def view(policy):
    """The resource_policy result of a policy as AWS describes it."""
    if policy is None:
        return {}
    return {
        "policy_name": policy["policyName"],
        "policy_document": parse_document(policy.get("policyDocument")),
        "last_updated_time": policy.get("lastUpdatedTime"),
    }


def ensure_present(client, module, current, others, document, text):
    name = module.params["name"]
    if current is not None:
        current_document = parse_document(current.get("policyDocument"))
        if current_document is not None and not compare_policies(current_document, document):
            return False, view(current)
    if module.check_mode:
        if current is None and len(others) >= MAX_POLICIES_PER_REGION:
            module.warn("%s already has %d CloudWatch Logs resource policies, the most AWS allows; creating %s would fail"
                        % (module.region, len(others), name))
        return True, {"policy_name": name, "policy_document": document, "last_updated_time": None}
    try:
        written = logs.put_resource_policy(client, name, text, "create" if current is None else "replace")
    except is_ansible_aws_error_code("LimitExceededException") as e:
        module.fail_json_aws(
            e.exception, msg="Failed to create CloudWatch Logs resource policy %s: AWS allows at most %d resource policies per region, "
                             "and %s has %d (%s); delete one, or merge this policy into one of them"
                             % (name, MAX_POLICIES_PER_REGION, module.region, len(others), ", ".join(sorted(p["policyName"] for p in others))))
    policy = written or {"policyName": name, "policyDocument": text}
    return True, view(policy)


def ensure_absent(client, module, current):
    if current is None:
        return False
    if not module.check_mode and not logs.delete_resource_policy(client, current["policyName"]):
        return False  # deleted meanwhile
    return True


@fails_on_aws_errors
def run(module, document, text):
    client = logs.client_of(module)
    policies = logs.account_resource_policies(client)
    current = next((p for p in policies if p["policyName"] == module.params["name"]), None)
    others = [p for p in policies if p["policyName"] != module.params["name"]]
    before = view(current)
    if module.params["state"] == "present":
        changed, resource_policy = ensure_present(client, module, current, others, document, text)
    else:
        changed, resource_policy = ensure_absent(client, module, current), {}

    module.exit_json(changed=changed, resource_policy=resource_policy,
                     diff=dict(before={"policy_document": before.get("policy_document", {})},
                               after={"policy_document": resource_policy.get("policy_document", {})}))


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        policy=dict(type="json"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    document, text = validate(module)
    run(module, document, text)


if __name__ == "__main__":
    main()
