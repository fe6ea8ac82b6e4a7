#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: efs_access_points
short_description: Manage the access points of an Amazon EFS file system, each found by its name, in one call
version_added: 0.1.0
description:
  - Creates, tags or deletes access points of one EFS file system. Each access point is found by its
    C(Name) tag within the file system, so a re-run never creates a second one; the file system's
    access points are read once for all of them.
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
  access_points:
    description: The access points.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Name of the access point (its C(Name) tag), unique within the file system.
        type: str
        required: true
      path:
        description: Root directory of the access point in the file system (absolute, up to 100 characters).
        type: str
        default: /
      owner_uid:
        description: Owner of the root directory when EFS creates it. Given with O(access_points[].owner_gid) and O(access_points[].permissions).
        type: int
      owner_gid:
        description: Group of the root directory when EFS creates it.
        type: int
      permissions:
        description: Octal mode of the root directory when EFS creates it, such as C("0750").
        type: str
      posix_uid:
        description: User ID every client of the access point acts as. Given with O(access_points[].posix_gid).
        type: int
      posix_gid:
        description: Group ID every client of the access point acts as.
        type: int
      tags:
        description: The access point's tags (its C(Name) tag is kept).
        type: dict
        aliases: [resource_tags]
  state:
    description: Whether the access points should exist.
    type: str
    choices: [present, absent]
    default: present
  purge_tags:
    description: Whether tags not in O(access_points[].tags) are removed (C(Name) never is).
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The PACS's images and index, owned by the container's user
  dicoogle.aws.efs_access_points:
    file_system_id: "{{ efs.file_system_id }}"
    access_points:
      - {name: images, path: /images, owner_uid: 1001, owner_gid: 1001, permissions: "0750", posix_uid: 1001, posix_gid: 1001}
      - {name: index, path: /index, owner_uid: 1001, owner_gid: 1001, permissions: "0750", posix_uid: 1001, posix_gid: 1001}

- name: Remove them
  dicoogle.aws.efs_access_points:
    file_system_id: "{{ efs.file_system_id }}"
    access_points: [{name: images}, {name: index}]
    state: absent
"""

RETURN = r"""
access_points:
  description: Each access point of O(access_points), in their order, as EFS describes it with its tags; empty when absent (or new, in check mode).
  returned: always
  type: list
  elements: dict
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


def by_name(module, points):
    """The file system's live access points by their Name tag; two of one asked name fail the module."""
    found = {}
    for point in points:
        name = boto3_tag_list_to_ansible_dict(point.get("Tags", [])).get("Name")
        if point.get("LifeCycleState") not in ("deleting", "deleted"):
            found.setdefault(name, []).append(point)
    for wanted in module.params["access_points"]:
        if len(found.get(wanted["name"], [])) > 1:
            module.fail_json(msg="%d access points of %s are named %s; remove the extra ones"
                                 % (len(found[wanted["name"]]), module.params["file_system_id"], wanted["name"]))
    return {name: points[0] for name, points in found.items()}


def wanted_shape(point):
    root = {"Path": point["path"]}
    if point["owner_uid"] is not None:
        root["CreationInfo"] = {"OwnerUid": point["owner_uid"], "OwnerGid": point["owner_gid"], "Permissions": point["permissions"]}
    shape = {"RootDirectory": root}
    if point["posix_uid"] is not None:
        shape["PosixUser"] = {"Uid": point["posix_uid"], "Gid": point["posix_gid"]}
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


def input_errors(params):
    """Every wrong input, each naming its option (access_points[i].x for an access point's)."""
    errors = []
    if not re.match(r"^fs-[0-9a-f]{8,40}$", params["file_system_id"]):
        errors.append("file_system_id %r is not an EFS file system ID (fs-...)" % params["file_system_id"])
    names = [point["name"] for point in params["access_points"]]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        errors.append("access_points names %s twice" % ", ".join(twice))
    for index, point in enumerate(params["access_points"]):
        at = "access_points[%d]." % index
        if not re.match(r"^[a-zA-Z0-9._-]{1,128}$", point["name"]):
            errors.append("%sname %r must be 1-128 letters, digits, '.', '_' or '-'" % (at, point["name"]))
        if not point["path"].startswith("/") or len(point["path"]) > 100:
            errors.append("%spath %r must be absolute and 100 characters at most" % (at, point["path"]))
        if point["permissions"] is not None and not re.match(r"^0?[0-7]{3,4}$", point["permissions"]):
            errors.append("%spermissions %r must be an octal mode such as '0750'" % (at, point["permissions"]))
        for uid in ("owner_uid", "owner_gid", "posix_uid", "posix_gid"):
            if point[uid] is not None and not 0 <= point[uid] <= 4294967295:
                errors.append("%s%s must be 0-4294967295, got %d" % (at, uid, point[uid]))
        given = [key for key in ("owner_uid", "owner_gid", "permissions") if point[key] is not None]
        if given and len(given) < 3:
            errors.append("%sowner_uid, owner_gid and permissions are given together" % at)
        if (point["posix_uid"] is None) != (point["posix_gid"] is None):
            errors.append("%sposix_uid and posix_gid are given together" % at)
    return errors


def ensure_present(client, module, point, current):
    wanted = wanted_shape(point)
    tags = dict(point["tags"] or {}, Name=point["name"])
    if current is None:
        if module.check_mode:
            return True, None
        created = efs.create_access_point(client, module.params["file_system_id"], point["name"],
                                          dict(wanted, ClientToken=str(uuid.uuid4()), Tags=ansible_dict_to_boto3_tag_list(tags)))
        return True, created
    changed = differences(current, wanted)
    if changed:
        module.fail_json(
            msg="access point %s (%s) exists with another %s, which EFS cannot change: remove it "
                "(state=absent) and create it again" % (point["name"], current["AccessPointId"], ", ".join(changed))
        )
    point_id = current["AccessPointId"]
    changed, after = reconcile_tags(module, boto3_tag_list_to_ansible_dict(current.get("Tags", [])), tags, module.params["purge_tags"],
                                    lambda to_add, to_remove: efs.retag(client, point_id, "access point %s" % point_id, to_add, to_remove),
                                    keep=("Name",))
    return changed, dict(current, Tags=ansible_dict_to_boto3_tag_list(after)) if changed else current


def ensure_absent(client, module, current):
    if current is None:
        return False, None
    if not module.check_mode:
        efs.delete_access_point(client, current["AccessPointId"])
    return True, None


def described(access_point):
    if not access_point:
        return {}
    access_point = {k: v for k, v in access_point.items() if k != "ResponseMetadata"}
    tags = boto3_tag_list_to_ansible_dict(access_point.pop("Tags", []))
    return dict(camel_dict_to_snake_dict(access_point), tags=tags)


@fails_on_aws_errors
def run(module):
    client = efs.client_of(module)
    existing = by_name(module, efs.access_points_of(client, module.params["file_system_id"]))
    changed, results, before, after = False, [], {}, {}
    for point in module.params["access_points"]:
        current = existing.get(point["name"])
        if module.params["state"] == "present":
            point_changed, access_point = ensure_present(client, module, point, current)
        else:
            point_changed, access_point = ensure_absent(client, module, current)
        changed |= point_changed
        results.append(described(access_point))
        before[point["name"]] = {"tags": boto3_tag_list_to_ansible_dict(current.get("Tags", [])) if current else {}}
        after[point["name"]] = {"tags": results[-1].get("tags", {})}
    module.exit_json(changed=changed, access_points=results, diff=dict(before=before, after=after))


def main():
    argument_spec = dict(
        file_system_id=dict(type="str", required=True),
        access_points=dict(type="list", elements="dict", required=True, options=dict(
            name=dict(type="str", required=True),
            path=dict(type="str", default="/"),
            owner_uid=dict(type="int"),
            owner_gid=dict(type="int"),
            permissions=dict(type="str"),
            posix_uid=dict(type="int"),
            posix_gid=dict(type="int"),
            tags=dict(type="dict", aliases=["resource_tags"]),
        )),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    errors = input_errors(module.params)
    if errors:
        module.fail_json(msg="; ".join(errors))
    run(module)


if __name__ == "__main__":
    main()
