#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: sns_topic_encryption
short_description: Encrypt an existing SNS topic with a KMS key (server-side encryption)
version_added: 0.1.0
description:
  - Sets the KMS key (C(KmsMasterKeyId)) with which Amazon SNS encrypts the messages of an existing topic, or removes
    it with O(kms_key_id=""). The key is compared as given with the one the topic reports, so give it the same way
    on every run (its ARN is best).
  - Fills a gap of C(community.aws.sns_topic) (10.0), which creates a topic with its tags, policies and subscriptions
    but cannot set its key. Run it right after that module, before anything publishes to the topic.
  - CloudWatch alarms deliver to a topic encrypted with a customer managed key only when the key's policy lets
    C(cloudwatch.amazonaws.com) use it (U(https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html)); a
    publisher such as EventBridge Scheduler's execution role needs C(kms:GenerateDataKey*) and C(kms:Decrypt) on it.
  - Supports check mode and diff mode. In check mode a topic that does not exist yet (one that
    C(community.aws.sns_topic) would create) is reported as a change, not as an error.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  topic:
    description: The topic's name (in the account and region of the call) or ARN.
    type: str
    required: true
  kms_key_id:
    description:
      - The KMS key's ARN (or id, or C(alias/...) name); an empty string removes the encryption.
      - The AWS managed key C(alias/aws/sns) cannot serve CloudWatch alarms (its policy cannot be changed).
    type: str
    required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Create the alert topic
  community.aws.sns_topic:
    name: dicoogle-alerts
    tags:
      "dicoogle:deployment": dicoogle

- name: Encrypt it with the deployment's key
  dicoogle.aws.sns_topic_encryption:
    topic: dicoogle-alerts
    kms_key_id: arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
"""

RETURN = r"""
topic_arn:
  description: The topic's ARN; absent for a topic that does not exist yet (check mode).
  returned: when the topic exists
  type: str
  sample: arn:aws:sns:eu-west-1:123456789012:dicoogle-alerts
kms_master_key_id:
  description: The key the topic is encrypted with after the run (empty when none).
  returned: always
  type: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.dicoogle.aws.plugins.module_utils import sns
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors


@fails_on_aws_errors
def run(module):
    topic, wanted = module.params["topic"], module.params["kms_key_id"]
    client = sns.client_of(module)
    arn = topic if topic.startswith("arn:") else sns.topic_arn(client, topic)
    found = sns.attributes(client, arn) if arn else None
    if found is None:
        if module.check_mode:
            module.exit_json(changed=True, kms_master_key_id=wanted,
                             diff={"before": {}, "after": {"topic": topic, "kms_master_key_id": wanted}})
        module.fail_json(msg="The SNS topic %s does not exist: create it first (community.aws.sns_topic)" % topic)
    current = found.get("KmsMasterKeyId") or ""
    changed = current != wanted
    if changed and not module.check_mode:
        sns.set_kms_key(client, arn, wanted)
    module.exit_json(changed=changed, topic_arn=arn, kms_master_key_id=wanted,
                     diff={"before": {"topic": arn, "kms_master_key_id": current}, "after": {"topic": arn, "kms_master_key_id": wanted}})


def main():
    module = AnsibleAWSModule(argument_spec=dict(topic=dict(type="str", required=True), kms_key_id=dict(type="str", required=True, no_log=False)),
                              supports_check_mode=True)
    run(module)


if __name__ == "__main__":
    main()
