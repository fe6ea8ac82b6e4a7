#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ecr_repositories
short_description: Manage Amazon ECR repositories with encryption, scanning, tag immutability and tags, in one call
version_added: 0.1.0
description:
  - Creates, updates or deletes Amazon ECR private repositories, all with the same settings.
  - Unlike M(community.aws.ecs_ecr) it manages resource tags, which dicoogle.aws uses to find and
    remove everything a deployment created, and converges several repositories in one call (a loop over
    a one-repository module pays a module start and a KMS key lookup per repository).
  - Encryption is fixed by ECR when a repository is created; asking for other encryption on an
    existing repository fails with a message instead of changing it silently.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  names:
    description:
      - Repository names, for example C(dicoogle/nginx).
    type: list
    elements: str
    required: true
  state:
    description:
      - Whether the repositories should exist.
    type: str
    choices: [present, absent]
    default: present
  encryption_type:
    description:
      - Server-side encryption of the images.
    type: str
    choices: [AES256, KMS]
    default: KMS
  kms_key:
    description:
      - KMS key id, ARN or alias used when O(encryption_type=KMS).
      - Without it ECR uses the AWS managed key C(aws/ecr).
    type: str
  scan_on_push:
    description:
      - Scan each image for vulnerabilities when it is pushed.
    type: bool
    default: true
  image_tag_mutability:
    description:
      - Whether a tag may be moved to another image.
    type: str
    choices: [mutable, immutable]
    default: immutable
  force_delete:
    description:
      - With O(state=absent), delete a repository even when it still holds images.
    type: bool
    default: false
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Create the nginx and tunnel repositories, KMS-encrypted, scanned on push, immutable tags
  dicoogle.aws.ecr_repositories:
    names: [dicoogle/nginx, dicoogle/ghostunnel]
    kms_key: alias/dicoogle
    tags:
      "dicoogle:deployment": dicoogle

- name: Remove them with their images
  dicoogle.aws.ecr_repositories:
    names: [dicoogle/nginx, dicoogle/ghostunnel]
    state: absent
    force_delete: true
"""

RETURN = r"""
repositories:
  description: Each repository of O(names), in their order, as ECR describes it with its tags; empty when absent (or new, in check mode).
  returned: always
  type: list
  elements: dict
  contains:
    repository_name:
      description: Name.
      type: str
      sample: dicoogle/nginx
    repository_arn:
      description: ARN.
      type: str
      sample: arn:aws:ecr:eu-west-1:123456789012:repository/dicoogle/nginx
    repository_uri:
      description: URI to tag and push images with.
      type: str
      sample: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/dicoogle/nginx
    image_tag_mutability:
      description: MUTABLE or IMMUTABLE.
      type: str
    image_scanning_configuration:
      description: Scan on push setting.
      type: dict
    encryption_configuration:
      description: Encryption type and KMS key.
      type: dict
    tags:
      description: Resource tags.
      type: dict
"""

import re

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import is_ansible_aws_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list

from ansible_collections.dicoogle.aws.plugins.module_utils import ecr
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import reconcile_tags

# ECR's documented repository name syntax.
NAME_PATTERN = re.compile(r"^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$")


def wanted_encryption(module, kms_key_arn):
    config = {"encryptionType": module.params["encryption_type"]}
    if kms_key_arn:
        config["kmsKey"] = kms_key_arn
    return config


def resolve_kms_key_arn(module):
    """ECR stores the key ARN: resolve an id, alias or ARN so that comparisons are exact."""
    key = module.params["kms_key"]
    if not key:
        return None
    arn = ecr.kms_key_arn(module, key)
    if arn is None:
        module.fail_json(msg="kms_key %s does not exist in this account and region" % key)
    return arn


def encryption_differs(current, wanted):
    if current.get("encryptionType") != wanted["encryptionType"]:
        return True
    return "kmsKey" in wanted and current.get("kmsKey") != wanted["kmsKey"]


def ensure_present(client, module, name, repo, encryption):
    params = module.params
    mutability = params["image_tag_mutability"].upper()
    changed = False

    if repo is None:
        if module.check_mode:
            return True, None
        kwargs = dict(
            imageTagMutability=mutability,
            imageScanningConfiguration={"scanOnPush": params["scan_on_push"]},
            encryptionConfiguration=encryption,
        )
        if params["tags"]:
            kwargs["tags"] = ansible_dict_to_boto3_tag_list(params["tags"], "Key", "Value")
        ecr.create_repository(client, name, kwargs)
        return True, ecr.describe_repository(client, name)

    if encryption_differs(repo.get("encryptionConfiguration", {}), encryption):
        module.fail_json(
            msg=(
                "ECR repository %s exists with encryption %s; ECR cannot change the encryption of a "
                "repository. Delete it (state=absent, force_delete=true) or set encryption_type and "
                "kms_key to match." % (name, repo.get("encryptionConfiguration"))
            )
        )

    if repo["imageTagMutability"] != mutability:
        changed = True
        if not module.check_mode:
            ecr.set_tag_mutability(client, name, mutability)

    if repo.get("imageScanningConfiguration", {}).get("scanOnPush") != params["scan_on_push"]:
        changed = True
        if not module.check_mode:
            ecr.set_scan_on_push(client, name, params["scan_on_push"])

    if params["tags"] is not None:
        changed |= reconcile_tags(module, repo["tags"], params["tags"], params["purge_tags"],
                                  lambda to_add, to_remove: ecr.retag_repository(client, name, repo["repositoryArn"], to_add, to_remove))[0]

    if changed and not module.check_mode:
        repo = ecr.describe_repository(client, name)
    return changed, repo


def ensure_absent(client, module, name, repo):
    if repo is None:
        return False, None
    if module.check_mode:
        return True, None
    try:
        ecr.delete_repository(client, name, module.params["force_delete"])
    except is_ansible_aws_error_code("RepositoryNotEmptyException"):
        module.fail_json(
            msg="ECR repository %s still holds images; set force_delete=true to delete them too" % name
        )
    return True, None


@fails_on_aws_errors
def run(module):
    client = ecr.client_of(module)
    # one key lookup for every repository
    encryption = wanted_encryption(module, resolve_kms_key_arn(module)) if module.params["state"] == "present" else None
    changed, results = False, []
    for name in module.params["names"]:
        repo = ecr.describe_repository(client, name)
        if encryption is not None:
            repo_changed, repo = ensure_present(client, module, name, repo, encryption)
        else:
            repo_changed, repo = ensure_absent(client, module, name, repo)
        changed |= repo_changed
        result = {}
        if repo:
            tags = repo.pop("tags", {})
            result = camel_dict_to_snake_dict(repo)
            result["tags"] = tags
        results.append(result)
    module.exit_json(changed=changed, repositories=results)


def main():
    argument_spec = dict(
        names=dict(type="list", elements="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        encryption_type=dict(type="str", choices=["AES256", "KMS"], default="KMS"),
        kms_key=dict(type="str", no_log=False),
        scan_on_push=dict(type="bool", default=True),
        image_tag_mutability=dict(type="str", choices=["mutable", "immutable"], default="immutable"),
        force_delete=dict(type="bool", default=False),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)

    wrong = [name for name in module.params["names"] if not 2 <= len(name) <= 256 or not NAME_PATTERN.match(name)]
    if wrong:
        module.fail_json(
            msg="names %s: not valid ECR repository names: 2-256 lowercase letters, digits and . _ - "
            "separated by single '/', starting and ending with a letter or digit" % ", ".join(repr(name) for name in wrong)
        )
    if len(set(module.params["names"])) != len(module.params["names"]):
        module.fail_json(msg="names lists a repository twice")
    if module.params["kms_key"] and module.params["encryption_type"] != "KMS":
        module.fail_json(msg="kms_key is only used with encryption_type=KMS")

    run(module)


if __name__ == "__main__":
    main()
