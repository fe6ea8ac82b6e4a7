#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: deployment_resources_info
short_description: List the AWS resources that belong to one dicoogle.aws deployment
version_added: 0.1.0
description:
  - Finds every resource tagged with the deployment's name, service by service, so that the
    status report, teardown and the tests see the same truth.
  - KMS keys that are already scheduled for deletion are reported apart, in
    RV(kms_keys_pending_deletion), since they cost nothing and disappear by themselves.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  resource_types:
    description:
      - Which resource types to look for. Default is all of them.
    type: list
    elements: str
    choices: [kms_keys, ecr_repositories, ec2_key_pairs, s3_buckets, secrets]
extends_documentation_fragment:
  - dicoogle.aws.deployment
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: What does the deployment own?
  dicoogle.aws.deployment_resources_info:
    deployment: dicoogle
  register: owned

- name: Nothing may be left after teardown
  ansible.builtin.assert:
    that: owned.count == 0
"""

RETURN = r"""
resources:
  description: Identifiers of the live resources, by type (ARN, name or id as the type uses).
  returned: always
  type: dict
  sample:
    kms_keys: ["arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
    ecr_repositories: ["dicoogle/nginx"]
    ec2_key_pairs: ["dicoogle"]
    s3_buckets: ["dicoogle-logs-123456789012-eu-west-1"]
    secrets: ["dicoogle/ca-cert"]
count:
  description: Number of live resources over all types.
  returned: always
  type: int
  sample: 9
kms_keys_pending_deletion:
  description: ARNs of the deployment's KMS keys already scheduled for deletion.
  returned: always
  type: list
  elements: str
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.dicoogle.aws.plugins.module_utils.deployment import deployment_name_error
from ansible_collections.dicoogle.aws.plugins.module_utils.deployment import tags_match

RETRY = AWSRetry.jittered_backoff()


def paginate(client, operation, key, **kwargs):
    paginator = client.get_paginator(operation)
    return paginator.paginate(**kwargs).build_full_result().get(key, [])


def kms_keys(module, deployment, tag_key, report):
    client = module.client("kms", retry_decorator=RETRY)
    live, pending = [], []
    for key in RETRY(paginate)(client, "list_keys", "Keys"):
        try:
            meta = client.describe_key(aws_retry=True, KeyId=key["KeyId"])["KeyMetadata"]
            if meta.get("KeyManager") == "AWS":
                continue
            tags = client.list_resource_tags(aws_retry=True, KeyId=key["KeyId"])["Tags"]
        except is_boto3_error_code(["NotFoundException", "AccessDeniedException"]):
            continue  # deleted meanwhile, or a key of someone else we may not read
        if not tags_match(boto3_tag_list_to_ansible_dict(tags, "TagKey", "TagValue"), deployment, tag_key):
            continue
        (pending if meta["KeyState"] == "PendingDeletion" else live).append(meta["Arn"])
    report["kms_keys_pending_deletion"] = pending
    return live


def ecr_repositories(module, deployment, tag_key, report):
    client = module.client("ecr", retry_decorator=RETRY)
    found = []
    for repo in RETRY(paginate)(client, "describe_repositories", "repositories"):
        tags = client.list_tags_for_resource(aws_retry=True, resourceArn=repo["repositoryArn"])["tags"]
        if tags_match(boto3_tag_list_to_ansible_dict(tags), deployment, tag_key):
            found.append(repo["repositoryName"])
    return found


def ec2_key_pairs(module, deployment, tag_key, report):
    client = module.client("ec2", retry_decorator=RETRY)
    pairs = client.describe_key_pairs(aws_retry=True, Filters=[{"Name": "tag:" + tag_key, "Values": [deployment]}])
    return [pair["KeyName"] for pair in pairs["KeyPairs"]]


def s3_buckets(module, deployment, tag_key, report):
    client = module.client("s3", retry_decorator=RETRY)
    found = []
    for bucket in client.list_buckets(aws_retry=True)["Buckets"]:
        try:
            tags = client.get_bucket_tagging(aws_retry=True, Bucket=bucket["Name"])["TagSet"]
        except is_boto3_error_code(["NoSuchTagSet", "NoSuchBucket", "AccessDenied", "PermanentRedirect"]):
            continue  # untagged, deleted meanwhile, or another account's or region's bucket
        if tags_match(boto3_tag_list_to_ansible_dict(tags), deployment, tag_key):
            found.append(bucket["Name"])
    return found


def secrets(module, deployment, tag_key, report):
    client = module.client("secretsmanager", retry_decorator=RETRY)
    found = []
    for secret in RETRY(paginate)(client, "list_secrets", "SecretList"):
        if tags_match(boto3_tag_list_to_ansible_dict(secret.get("Tags", [])), deployment, tag_key):
            found.append(secret["Name"])
    return found


LISTERS = {
    "kms_keys": kms_keys,
    "ecr_repositories": ecr_repositories,
    "ec2_key_pairs": ec2_key_pairs,
    "s3_buckets": s3_buckets,
    "secrets": secrets,
}


def main():
    argument_spec = dict(
        deployment=dict(type="str", required=True),
        tag_key=dict(type="str", default="dicoogle:deployment", no_log=False),
        resource_types=dict(type="list", elements="str", choices=list(LISTERS)),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    error = deployment_name_error(module.params["deployment"])
    if error:
        module.fail_json(msg=error)

    report = {"kms_keys_pending_deletion": []}
    resources = {}
    for resource_type in module.params["resource_types"] or list(LISTERS):
        try:
            resources[resource_type] = sorted(
                LISTERS[resource_type](module, module.params["deployment"], module.params["tag_key"], report)
            )
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg="Failed to list %s of deployment %s" % (resource_type, module.params["deployment"]))

    module.exit_json(
        changed=False,
        resources=resources,
        count=sum(len(ids) for ids in resources.values()),
        **report,
    )


if __name__ == "__main__":
    main()
