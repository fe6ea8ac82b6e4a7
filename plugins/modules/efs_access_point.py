#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: efs_access_point
short_description: Manage an Amazon EFS access point, found by its name
version_added: 0.1.0
description:
  - Creates, tags or deletes one access point of an EFS file system. The access point is found by
    its C(Name) tag within the file system, so a re-run never creates a second one.
  - EFS cannot change an access point's POSIX user or root directory; asking for others on an
    existing access point fails with a message that says so, instead of replacing it silently.
  - Supports check mode and diff of the tags.
  - Fills a gap of community.aws, whose M(community.aws.efs) manages file systems only and whose
    M(community.aws.efs_tag) tags an access point but cannot create, find or delete one.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  file_system_id:
    description: ID of the file system, such as C(fs-0123abcd).
    type: str
    required: true
  name:
    description: Name of the access point (its C(Name) tag), unique within the file system.
    type: str
    required: true
  state:
    description: Whether the access point should exist.
    type: str
    choices: [present, absent]
    default: present
  path:
    description: Root directory of the access point in the file system (absolute, up to 100 characters).
    type: str
    default: /
  owner_uid:
    description: Owner of the root directory when EFS creates it. Given with O(owner_gid) and O(permissions).
    type: int
  owner_gid:
    description: Group of the root directory when EFS creates it.
    type: int
  permissions:
    description: Octal mode of the root directory when EFS creates it, such as C("0750").
    type: str
  posix_uid:
    description: User ID every client of the access point acts as. Given with O(posix_gid).
    type: int
  posix_gid:
    description: Group ID every client of the access point acts as.
    type: int
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The PACS's images, owned by the container's user
  dicoogle.aws.efs_access_point:
    file_system_id: "{{ efs.file_system_id }}"
    name: images
    path: /images
    owner_uid: 1001
    owner_gid: 1001
    permissions: "0750"
    posix_uid: 1001
    posix_gid: 1001
    tags:
      "dicoogle:deployment": dicoogle

- name: Remove it
  dicoogle.aws.efs_access_point:
    file_system_id: "{{ efs.file_system_id }}"
    name: images
    state: absent
"""

RETURN = r"""
access_point:
  description: The access point as EFS describes it, with its tags; empty when absent.
  returned: always
  type: dict
  contains:
    access_point_id:
      description: ID.
      type: str
      sample: fsap-0123456789abcdef0
    access_point_arn:
      description: ARN (for IAM policies and ECS volumes).
      type: str
    file_system_id:
      description: File system.
      type: str
    root_directory:
      description: Path and creation info.
      type: dict
    posix_user:
      description: UID and GID the clients act as.
      type: dict
    life_cycle_state:
      description: State, such as C(available).
      type: str
    tags:
      description: Resource tags, C(Name) included.
      type: dict
"""

import re
import uuid

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.dicoogle.aws.plugins.module_utils import efs
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import reconcile_tags


def find(client, module):
    params = module.params
    ours = [ap for ap in efs.access_points_of(client, params["file_system_id"])
            if boto3_tag_list_to_ansible_dict(ap.get("Tags", [])).get("Name") == params["name"]
            and ap.get("LifeCycleState") not in ("deleting", "deleted")]
    if len(ours) > 1:
        module.fail_json(msg="%d access points of %s are named %s; remove the extra ones"
                             % (len(ours), params["file_system_id"], params["name"]))
    return ours[0] if ours else None


def wanted_shape(params):
    root = {"Path": params["path"]}
    if params["owner_uid"] is not None:
        root["CreationInfo"] = {"OwnerUid": params["owner_uid"], "OwnerGid": params["owner_gid"],
                                "Permissions": params["permissions"]}
    shape = {"RootDirectory": root}
    if params["posix_uid"] is not None:
        shape["PosixUser"] = {"Uid": params["posix_uid"], "Gid": params["posix_gid"]}
    return shape


def differences(current, wanted):
    found = []
    if current.get("RootDirectory", {}).get("Path", "/") != wanted["RootDirectory"]["Path"]:
        found.append("path")
    if "CreationInfo" in wanted["RootDirectory"] and \
            current.get("RootDirectory", {}).get("CreationInfo") != wanted["RootDirectory"]["CreationInfo"]:
        found.append("owner_uid/owner_gid/permissions")
    current_user = {k: v for k, v in current.get("PosixUser", {}).items() if k in ("Uid", "Gid")}
    if "PosixUser" in wanted and current_user != wanted["PosixUser"]:
        found.append("posix_uid/posix_gid")
    return found


def validate(module):
    params = module.params
    if not re.match(r"^[a-zA-Z0-9._-]{1,128}$", params["name"]):
        module.fail_json(msg="name %r must be 1-128 letters, digits, '.', '_' or '-'" % params["name"])
    if not re.match(r"^fs-[0-9a-f]{8,40}$", params["file_system_id"]):
        module.fail_json(msg="file_system_id %r is not an EFS file system ID (fs-...)" % params["file_system_id"])
    if not params["path"].startswith("/") or len(params["path"]) > 100:
        module.fail_json(msg="path %r must be absolute and 100 characters at most" % params["path"])
    if params["permissions"] is not None and not re.match(r"^0?[0-7]{3,4}$", params["permissions"]):
        module.fail_json(msg="permissions %r must be an octal mode such as '0750'" % params["permissions"])
    for uid in ("owner_uid", "owner_gid", "posix_uid", "posix_gid"):
        if params[uid] is not None and not 0 <= params[uid] <= 4294967295:
            module.fail_json(msg="%s must be 0-4294967295, got %d" % (uid, params[uid]))


def ensure_present(client, module, current):
    params = module.params
    wanted = wanted_shape(params)
    tags = dict(params["tags"] or {}, Name=params["name"])
    if current is None:
        if module.check_mode:
            return True, None
        created = efs.create_access_point(client, params["file_system_id"], params["name"],
                                          dict(wanted, ClientToken=str(uuid.uuid4()), Tags=ansible_dict_to_boto3_tag_list(tags)))
        return True, created
    changed = differences(current, wanted)
    if changed:
        module.fail_json(
            msg="access point %s (%s) exists with another %s, which EFS cannot change: remove it "
                "(state=absent) and create it again" % (params["name"], current["AccessPointId"], ", ".join(changed))
        )
    point_id = current["AccessPointId"]
    changed, after = reconcile_tags(module, boto3_tag_list_to_ansible_dict(current.get("Tags", [])), tags, params["purge_tags"],
                                    lambda to_add, to_remove: efs.retag(client, point_id, "access point %s" % point_id, to_add, to_remove),
                                    keep=("Name",))
    return changed, dict(current, Tags=ansible_dict_to_boto3_tag_list(after)) if changed else current


def ensure_absent(client, module, current):
    if current is None:
        return False, None
    if not module.check_mode:
        efs.delete_access_point(client, current["AccessPointId"])
    return True, None


@fails_on_aws_errors
def run(module):
    client = efs.client_of(module)
    current = find(client, module)
    before = boto3_tag_list_to_ansible_dict(current.get("Tags", [])) if current else {}
    if module.params["state"] == "present":
        changed, access_point = ensure_present(client, module, current)
    else:
        changed, access_point = ensure_absent(client, module, current)

    result = {}
    if access_point:
        access_point = {k: v for k, v in access_point.items() if k != "ResponseMetadata"}
        tags = boto3_tag_list_to_ansible_dict(access_point.pop("Tags", []))
        result = camel_dict_to_snake_dict(access_point)
        result["tags"] = tags
    module.exit_json(changed=changed, access_point=result,
                     diff=dict(before={"tags": before}, after={"tags": result.get("tags", {})}))


def main():
    argument_spec = dict(
        file_system_id=dict(type="str", required=True),
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        path=dict(type="str", default="/"),
        owner_uid=dict(type="int"),
        owner_gid=dict(type="int"),
        permissions=dict(type="str"),
        posix_uid=dict(type="int"),
        posix_gid=dict(type="int"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_together=[("owner_uid", "owner_gid", "permissions"), ("posix_uid", "posix_gid")],
    )
    validate(module)
    run(module)


if __name__ == "__main__":
    main()
