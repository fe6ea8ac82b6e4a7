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
  - Fills a gap, as amazon.aws and community.aws have no module for AWS DataSync.
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

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.dicoogle.aws.plugins.module_utils.datasync import ensure_location
from ansible_collections.dicoogle.aws.plugins.module_utils.datasync import fail_on_bad_role
from ansible_collections.dicoogle.aws.plugins.module_utils.datasync import fail_on_bad_subdirectory
from ansible_collections.dicoogle.aws.plugins.module_utils.datasync import fail_on_reserved_tags
from ansible_collections.dicoogle.aws.plugins.module_utils.datasync import locations_at
from ansible_collections.dicoogle.aws.plugins.module_utils.datasync import normalise_uri

BUCKET_ARN = re.compile(r"^arn:aws[a-z-]*:s3:::([a-zA-Z0-9._-]{3,255})$")


def wanted_uri(params):
    bucket = BUCKET_ARN.match(params["s3_bucket_arn"]).group(1)
    return normalise_uri("s3://%s/%s" % (bucket, params["subdirectory"]))


def role_of(location):
    return (location.get("S3Config") or {}).get("BucketAccessRoleArn")


def find(client, module, uri):
    params = module.params
    role = params["bucket_access_role_arn"]
    found = locations_at(client, uri, "s3")
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


def create_arguments(params):
    return dict(
        S3BucketArn=params["s3_bucket_arn"],
        Subdirectory=params["subdirectory"],
        S3StorageClass=params["s3_storage_class"],
        S3Config={"BucketAccessRoleArn": params["bucket_access_role_arn"]},
    )


def validate(module):
    params = module.params
    if not BUCKET_ARN.match(params["s3_bucket_arn"]):
        module.fail_json(msg="s3_bucket_arn %r is not the ARN of an S3 bucket (arn:aws:s3:::bucket-name)" % params["s3_bucket_arn"])
    fail_on_bad_subdirectory(module)
    if params["bucket_access_role_arn"] is None and params["state"] == "present":
        module.fail_json(msg="bucket_access_role_arn is required with state=present: the IAM role DataSync assumes to access the bucket")
    fail_on_bad_role(module, "bucket_access_role_arn")
    fail_on_reserved_tags(module)


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
    ensure_location(module, "s3", wanted_uri(module.params), find, differences, create_arguments)


if __name__ == "__main__":
    main()
