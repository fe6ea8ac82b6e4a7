#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: datasync_location_s3
short_description: Manage an AWS DataSync location for an S3 bucket, found by its URI
version_added: 0.1.0
description:
  - Creates, tags or deletes a DataSync transfer location for a folder of an S3 bucket.
  - The location is found by its URI (C(s3://bucket/subdirectory)) among the account's DataSync
    locations, so a re-run never creates a second one. When several locations have that URI, the
    one with the wanted O(bucket_access_role_arn) is used.
  - This module does not change the IAM role or the storage class of an existing location; asking
    for others fails with a message that says so, instead of replacing the location silently.
  - Supports check mode and diff of the tags.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  s3_bucket_arn:
    description: ARN of the bucket, such as C(arn:aws:s3:::dicoogle-images).
    type: str
    required: true
  subdirectory:
    description: Folder of the bucket that DataSync reads from or writes to.
    type: str
    default: /
  bucket_access_role_arn:
    description:
      - ARN of the IAM role that DataSync assumes to access the bucket.
      - Required with O(state=present). With O(state=absent), only a location with this role is deleted
        when it is given.
    type: str
  s3_storage_class:
    description: Storage class of the objects DataSync writes to the bucket.
    type: str
    default: STANDARD
    choices: [STANDARD, STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER, DEEP_ARCHIVE, OUTPOSTS, GLACIER_INSTANT_RETRIEVAL]
  state:
    description: Whether the location should exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
notes:
  - Tags are read and changed only when O(tags) is given.
"""

EXAMPLES = r"""
- name: The archive bucket's studies folder, as a DataSync destination
  dicoogle.aws.datasync_location_s3:
    s3_bucket_arn: arn:aws:s3:::dicoogle-archive
    subdirectory: /studies
    bucket_access_role_arn: "{{ datasync_role.iam_role.arn }}"
    s3_storage_class: STANDARD_IA
    tags:
      "dicoogle:deployment": dicoogle
  register: archive_location

- name: Remove it
  dicoogle.aws.datasync_location_s3:
    s3_bucket_arn: arn:aws:s3:::dicoogle-archive
    subdirectory: /studies
    state: absent
"""

RETURN = r"""
location:
  description: The location as DataSync describes it; empty when absent or about to be created in check mode.
  returned: always
  type: dict
  contains:
    location_arn:
      description: ARN, for the source or destination of a task.
      type: str
      sample: arn:aws:datasync:eu-west-1:123456789012:location/loc-0123456789abcdef0
    location_uri:
      description: URI of the bucket folder.
      type: str
      sample: s3://dicoogle-archive/studies/
    s3_config:
      description: The IAM role DataSync assumes (C(bucket_access_role_arn)).
      type: dict
    s3_storage_class:
      description: Storage class of the objects written.
      type: str
      sample: STANDARD
    tags:
      description: Resource tags.
      type: dict
      returned: when O(tags) is given or the location was created
"""

import re

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import normalize_boto3_result
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

BUCKET_ARN = re.compile(r"^arn:aws[a-z-]*:s3:::([a-zA-Z0-9._-]{3,255})$")
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
SUBDIRECTORY = re.compile(r"^[a-zA-Z0-9_\-+./() ]{0,4096}$")


def normalise_uri(uri):
    """s3://bucket//sub (moto) and s3://bucket/sub/ (AWS) are the same location."""
    scheme, sep, rest = (uri or "").partition("://")
    return scheme.lower() + sep + re.sub(r"/+", "/", rest).rstrip("/")


def wanted_uri(params):
    bucket = BUCKET_ARN.match(params["s3_bucket_arn"]).group(1)
    return normalise_uri("s3://%s/%s" % (bucket, params["subdirectory"]))


@AWSRetry.jittered_backoff()
def list_locations(client):
    return client.get_paginator("list_locations").paginate().build_full_result().get("Locations", [])


def role_of(location):
    return (location.get("S3Config") or {}).get("BucketAccessRoleArn")


def describe(client, module, arn):
    try:
        location = client.describe_location_s3(aws_retry=True, LocationArn=arn)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to describe DataSync location %s" % arn)
    location.pop("ResponseMetadata", None)
    return location


def find(client, module):
    params = module.params
    uri = wanted_uri(params)
    role = params["bucket_access_role_arn"]
    try:
        listed = list_locations(client)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to list the DataSync locations")
    found = [describe(client, module, loc["LocationArn"]) for loc in listed if normalise_uri(loc.get("LocationUri")) == uri]
    if params["state"] == "absent":
        if role:
            found = [loc for loc in found if role_of(loc) == role]
        if len(found) > 1:
            module.fail_json(msg="%d DataSync locations have the URI %s; give bucket_access_role_arn to choose the one to delete"
                                 % (len(found), uri))
        return found[0] if found else None
    if len(found) > 1:
        same_role = [loc for loc in found if role_of(loc) == role]
        if not same_role:
            module.fail_json(
                msg="%d DataSync locations have the URI %s, none with bucket_access_role_arn %s, which this module does not "
                    "change: remove them (state=absent with their bucket_access_role_arn) and create it again"
                    % (len(found), uri, role))
        if len(same_role) > 1:
            module.fail_json(msg="%d DataSync locations have the URI %s and the role %s; remove the extra ones (%s)"
                                 % (len(same_role), uri, role, ", ".join(loc["LocationArn"] for loc in same_role[1:])))
        found = same_role
    return found[0] if found else None


def differences(current, params):
    found = []
    if role_of(current) != params["bucket_access_role_arn"]:
        found.append("bucket_access_role_arn")
    # moto does not report the storage class; AWS always does
    if current.get("S3StorageClass") and current["S3StorageClass"] != params["s3_storage_class"]:
        found.append("s3_storage_class")
    return found


def read_tags(client, module, arn):
    try:
        tags = client.get_paginator("list_tags_for_resource").paginate(ResourceArn=arn).build_full_result().get("Tags", [])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to read the tags of DataSync location %s" % arn)
    return boto3_tag_list_to_ansible_dict(tags)


def ensure_tags(client, module, arn):
    """Returns (changed, tags before, tags after)."""
    params = module.params
    before = read_tags(client, module, arn)
    to_add, to_remove = compare_aws_tags(before, params["tags"], purge_tags=params["purge_tags"])
    after = {k: v for k, v in dict(before, **to_add).items() if k not in to_remove}
    if not (to_add or to_remove):
        return False, before, after
    if not module.check_mode:
        try:
            if to_remove:
                client.untag_resource(aws_retry=True, ResourceArn=arn, Keys=to_remove)
            if to_add:
                client.tag_resource(aws_retry=True, ResourceArn=arn, Tags=ansible_dict_to_boto3_tag_list(to_add))
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg="Failed to tag DataSync location %s" % arn)
    return True, before, after


def create(client, module):
    params = module.params
    kwargs = dict(
        S3BucketArn=params["s3_bucket_arn"],
        Subdirectory=params["subdirectory"],
        S3StorageClass=params["s3_storage_class"],
        S3Config={"BucketAccessRoleArn": params["bucket_access_role_arn"]},
    )
    if params["tags"]:
        kwargs["Tags"] = ansible_dict_to_boto3_tag_list(params["tags"])
    try:
        arn = client.create_location_s3(aws_retry=True, **kwargs)["LocationArn"]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to create the DataSync location for %s" % wanted_uri(params))
    return describe(client, module, arn)


def diff_of(module, current, tags_before, tags_after):
    """The location's URI and, when they were read, its tags; {} for a location that does not (or will not) exist."""
    before, after = {}, {}
    if current is not None:
        before["location_uri"] = current["LocationUri"]
        if tags_before is not None:
            before["tags"] = tags_before
    if module.params["state"] == "present":
        after["location_uri"] = current["LocationUri"] if current else wanted_uri(module.params)
        if tags_after is not None:
            after["tags"] = tags_after
    return dict(before=before, after=after)


def validate(module):
    params = module.params
    if not BUCKET_ARN.match(params["s3_bucket_arn"]):
        module.fail_json(msg="s3_bucket_arn %r is not the ARN of an S3 bucket (arn:aws:s3:::bucket-name)" % params["s3_bucket_arn"])
    if not SUBDIRECTORY.match(params["subdirectory"]):
        module.fail_json(msg="subdirectory %r may only hold letters, digits, spaces and _-+./()" % params["subdirectory"])
    role = params["bucket_access_role_arn"]
    if role is None and params["state"] == "present":
        module.fail_json(msg="bucket_access_role_arn is required with state=present: the IAM role DataSync assumes to access the bucket")
    if role is not None and not ROLE_ARN.match(role):
        module.fail_json(msg="bucket_access_role_arn %r is not the ARN of an IAM role (arn:aws:iam::123456789012:role/name)" % role)
    for key in params["tags"] or {}:
        if key.startswith("aws:"):
            module.fail_json(msg="tags: the key %r is reserved by AWS; use another prefix" % key)


def main():
    argument_spec = dict(
        s3_bucket_arn=dict(type="str", required=True),
        subdirectory=dict(type="str", default="/"),
        bucket_access_role_arn=dict(type="str"),
        s3_storage_class=dict(type="str", default="STANDARD", choices=[
            "STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE", "OUTPOSTS",
            "GLACIER_INSTANT_RETRIEVAL"]),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[("state", "present", ("bucket_access_role_arn",))],
    )
    validate(module)
    params = module.params
    client = module.client("datasync", retry_decorator=AWSRetry.jittered_backoff())
    current = find(client, module)

    changed = False
    location = current
    tags_before, tags_after = None, None
    if params["state"] == "present":
        if current is None:
            changed = True
            location = None if module.check_mode else create(client, module)
            tags_before, tags_after = {}, params["tags"] or {}
        else:
            different = differences(current, params)
            if different:
                module.fail_json(
                    msg="DataSync location %s (%s) exists with another %s, which this module does not change: remove it "
                        "(state=absent) and create it again" % (current["LocationUri"], current["LocationArn"], ", ".join(different)))
            if params["tags"] is not None:
                changed, tags_before, tags_after = ensure_tags(client, module, current["LocationArn"])
    elif current is not None:
        changed = True
        location = None
        if not module.check_mode:
            try:
                client.delete_location(aws_retry=True, LocationArn=current["LocationArn"])
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
                module.fail_json_aws(e, msg="Failed to delete DataSync location %s" % current["LocationArn"])

    result = {}
    if location:
        result = camel_dict_to_snake_dict(normalize_boto3_result(location))
        if tags_after is not None:
            result["tags"] = tags_after
    module.exit_json(changed=changed, location=result, diff=diff_of(module, current, tags_before, tags_after))


if __name__ == "__main__":
    main()
