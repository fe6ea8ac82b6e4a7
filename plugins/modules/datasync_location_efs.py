#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: datasync_location_efs
short_description: Manage an AWS DataSync location for an EFS file system, found by its URI
version_added: 0.1.0
description:
  - Creates, tags or deletes a DataSync transfer location for a folder of an EFS file system.
  - The location is found by its URI (C(efs://region.fs-id/subdirectory)) and its access point among
    the account's DataSync locations, so a re-run never creates a second one. Locations of the same
    folder through different access points are different locations.
  - This module does not change the subnet, security groups, IAM role or in-transit encryption of an
    existing location; asking for others fails with a message that says so, instead of replacing the
    location silently.
  - Supports check mode and diff of the tags.
  - Fills a gap, as amazon.aws and community.aws have no module for AWS DataSync.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  efs_filesystem_arn:
    description: ARN of the file system, such as C(arn:aws:elasticfilesystem:eu-west-1:123456789012:file-system/fs-0123abcd).
    type: str
    required: true
  subdirectory:
    description: Folder of the file system (of the access point's root when O(access_point_arn) is given) that DataSync reads or writes.
    type: str
    default: /
  subnet_arn:
    description:
      - ARN of the subnet where DataSync creates the network interfaces that mount the file system.
      - Required with O(state=present).
    type: str
  security_group_arns:
    description:
      - ARNs of the security groups (1 to 5) of those network interfaces; they must reach the mount target's NFS port.
      - Required with O(state=present).
    type: list
    elements: str
  access_point_arn:
    description:
      - ARN of the EFS access point DataSync mounts the file system through.
      - Part of the location's identity, with the URI.
    type: str
  file_system_access_role_arn:
    description: ARN of the IAM role DataSync assumes to mount the file system (when its policy requires IAM authorization).
    type: str
  in_transit_encryption:
    description:
      - Whether DataSync encrypts the traffic to the file system with TLS 1.2.
      - Must be V(TLS1_2) with O(access_point_arn) or O(file_system_access_role_arn).
    type: str
    choices: [NONE, TLS1_2]
    default: TLS1_2
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
- name: The PACS's images on EFS, as a DataSync source
  dicoogle.aws.datasync_location_efs:
    efs_filesystem_arn: "{{ efs.file_system_arn }}"
    access_point_arn: "{{ images_access_point.access_point.access_point_arn }}"
    subdirectory: /
    subnet_arn: "arn:aws:ec2:eu-west-1:{{ account_id }}:subnet/{{ subnet_id }}"
    security_group_arns:
      - "arn:aws:ec2:eu-west-1:{{ account_id }}:security-group/{{ datasync_sg_id }}"
    tags:
      "dicoogle:deployment": dicoogle
  register: images_location

- name: Remove it
  dicoogle.aws.datasync_location_efs:
    efs_filesystem_arn: "{{ efs.file_system_arn }}"
    access_point_arn: "{{ images_access_point.access_point.access_point_arn }}"
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
      description: URI of the file system folder.
      type: str
      sample: efs://eu-west-1.fs-0123abcd/
    ec2_config:
      description: Subnet and security groups (C(subnet_arn), C(security_group_arns)) of DataSync's network interfaces.
      type: dict
    access_point_arn:
      description: Access point DataSync mounts through.
      type: str
      returned: when there is one
    file_system_access_role_arn:
      description: IAM role DataSync mounts with.
      type: str
      returned: when there is one
    in_transit_encryption:
      description: C(NONE) or C(TLS1_2).
      type: str
    creation_time:
      description: When the location was created.
      type: str
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

FILESYSTEM_ARN = re.compile(r"^arn:aws[a-z-]*:elasticfilesystem:([a-z0-9-]+):\d{12}:file-system/(fs-[0-9a-f]{8,40})$")
ACCESS_POINT_ARN = re.compile(r"^arn:aws[a-z-]*:elasticfilesystem:[a-z0-9-]+:\d{12}:access-point/fsap-[0-9a-f]{8,40}$")
SUBNET_ARN = re.compile(r"^arn:aws[a-z-]*:ec2:[a-z0-9-]+:\d{12}:subnet/subnet-[0-9a-f]{8,17}$")
SECURITY_GROUP_ARN = re.compile(r"^arn:aws[a-z-]*:ec2:[a-z0-9-]+:\d{12}:security-group/sg-[0-9a-f]{8,17}$")


def wanted_uri(params):
    region, fs_id = FILESYSTEM_ARN.match(params["efs_filesystem_arn"]).groups()
    return normalise_uri("efs://%s.%s/%s" % (region, fs_id, params["subdirectory"]))


def find(client, module, uri):
    params = module.params
    found = [loc for loc in locations_at(client, uri, "efs") if loc.get("AccessPointArn") == params["access_point_arn"]]
    if len(found) > 1:
        module.fail_json(msg="%d DataSync locations have the URI %s and %s; remove the extra ones (%s)" % (
            len(found), uri, "the access point %s" % params["access_point_arn"] if params["access_point_arn"] else "no access point",
            ", ".join(loc["LocationArn"] for loc in found[1:])))
    return found[0] if found else None


def differences(current, params):
    found = []
    ec2 = current.get("Ec2Config") or {}
    if ec2.get("SubnetArn") != params["subnet_arn"]:
        found.append("subnet_arn")
    if sorted(ec2.get("SecurityGroupArns") or []) != sorted(params["security_group_arns"]):
        found.append("security_group_arns")
    if current.get("FileSystemAccessRoleArn") != params["file_system_access_role_arn"]:
        found.append("file_system_access_role_arn")
    if current.get("InTransitEncryption", "NONE") != params["in_transit_encryption"]:
        found.append("in_transit_encryption")
    return found


def create_arguments(params):
    kwargs = dict(
        EfsFilesystemArn=params["efs_filesystem_arn"],
        Subdirectory=params["subdirectory"],
        Ec2Config={"SubnetArn": params["subnet_arn"], "SecurityGroupArns": params["security_group_arns"]},
        InTransitEncryption=params["in_transit_encryption"],
    )
    if params["access_point_arn"]:
        kwargs["AccessPointArn"] = params["access_point_arn"]
    if params["file_system_access_role_arn"]:
        kwargs["FileSystemAccessRoleArn"] = params["file_system_access_role_arn"]
    return kwargs


def validate(module):
    params = module.params
    if not FILESYSTEM_ARN.match(params["efs_filesystem_arn"]):
        module.fail_json(msg="efs_filesystem_arn %r is not the ARN of an EFS file system "
                             "(arn:aws:elasticfilesystem:region:123456789012:file-system/fs-...)" % params["efs_filesystem_arn"])
    fail_on_bad_subdirectory(module)
    if params["access_point_arn"] is not None and not ACCESS_POINT_ARN.match(params["access_point_arn"]):
        module.fail_json(msg="access_point_arn %r is not the ARN of an EFS access point (...:access-point/fsap-...)" % params["access_point_arn"])
    fail_on_bad_role(module, "file_system_access_role_arn")
    if params["in_transit_encryption"] == "NONE" and (params["access_point_arn"] or params["file_system_access_role_arn"]):
        module.fail_json(msg="in_transit_encryption must be TLS1_2 with access_point_arn or file_system_access_role_arn")
    if params["state"] == "present":
        if not params["subnet_arn"]:
            module.fail_json(msg="subnet_arn is required with state=present: the subnet of DataSync's network interfaces")
        if not params["security_group_arns"] or len(params["security_group_arns"]) > 5:
            module.fail_json(msg="security_group_arns must list 1 to 5 security group ARNs with state=present")
    if params["subnet_arn"] is not None and not SUBNET_ARN.match(params["subnet_arn"]):
        module.fail_json(msg="subnet_arn %r is not the ARN of a subnet (arn:aws:ec2:region:123456789012:subnet/subnet-...)" % params["subnet_arn"])
    bad = [arn for arn in params["security_group_arns"] or [] if not SECURITY_GROUP_ARN.match(arn or "")]
    if bad:
        module.fail_json(msg="security_group_arns must be security group ARNs (arn:aws:ec2:region:123456789012:security-group/sg-...), "
                             "got %r" % bad)
    fail_on_reserved_tags(module)


def main():
    argument_spec = dict(
        efs_filesystem_arn=dict(type="str", required=True),
        subdirectory=dict(type="str", default="/"),
        subnet_arn=dict(type="str"),
        security_group_arns=dict(type="list", elements="str"),
        access_point_arn=dict(type="str"),
        file_system_access_role_arn=dict(type="str"),
        in_transit_encryption=dict(type="str", choices=["NONE", "TLS1_2"], default="TLS1_2"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[("state", "present", ("subnet_arn", "security_group_arns"))],
    )
    validate(module)
    ensure_location(module, "efs", wanted_uri(module.params), find, differences, create_arguments)


if __name__ == "__main__":
    main()
