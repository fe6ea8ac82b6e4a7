#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: efs_file_system
short_description: Manage an Amazon EFS file system and its mount targets, found by its name
version_added: 0.1.0
description:
  - Creates, updates or deletes one EFS file system. The file system is found by its creation token,
    which is O(name), so a re-run never creates a second one; it also carries O(name) as its C(Name) tag.
  - Manages the file system's tags with EFS's C(TagResource)/C(UntagResource) API, its throughput mode,
    the transition of its files to Infrequent Access, its resource policy and its mount targets.
  - EFS cannot change the encryption, the KMS key or the performance mode of a file system; asking for
    others on an existing file system fails with a message that says so, instead of replacing it (and
    its data) silently.
  - With O(state=absent) the access points and mount targets are deleted first, then the file system.
  - Supports check mode and diff.
  - Fills the gaps of M(community.aws.efs), which tags with EFS's deprecated C(CreateTags)/C(DescribeTags) API, has no
    resource policy and no diff, keeps an existing file system with another encryption, KMS key or performance mode without
    a word, and deletes a file system without its access points. M(community.aws.efs_tag) only tags.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  name:
    description:
      - Name of the file system. It is the file system's creation token, which identifies it, and its C(Name) tag.
      - Up to 64 letters, digits, spaces and C(_.:/=+@-).
    type: str
    required: true
  state:
    description: Whether the file system should exist.
    type: str
    choices: [present, absent]
    default: present
  encrypted:
    description:
      - Whether the data is encrypted at rest. Cannot be changed once the file system exists.
    type: bool
    default: true
  kms_key_id:
    description:
      - KMS key that encrypts the file system when O(encrypted=true), given as key ID, key ARN, alias
        name (C(alias/...)) or alias ARN.
      - When omitted, a new file system is encrypted with the AWS-managed key C(aws/elasticfilesystem),
        and the key of an existing one is not compared.
      - Cannot be changed once the file system exists. Comparing an alias with the key of an existing
        file system needs C(kms:DescribeKey).
    type: str
  performance_mode:
    description:
      - Performance mode. Cannot be changed once the file system exists.
      - V(maxIO) works only with O(throughput_mode=bursting) or O(throughput_mode=provisioned).
    type: str
    choices: [generalPurpose, maxIO]
    default: generalPurpose
  throughput_mode:
    description:
      - Throughput mode; changed in place on an existing file system (EFS allows a change once a day
        for some transitions).
    type: str
    choices: [bursting, elastic, provisioned]
    default: elastic
  provisioned_throughput_in_mibps:
    description:
      - Throughput in MiB/s that is provisioned for the file system. Required when, and only when,
        O(throughput_mode=provisioned).
    type: float
  transition_to_ia:
    description:
      - How long after their last access files move to the Infrequent Access storage class.
      - Other lifecycle policies of the file system are kept. When omitted, the lifecycle configuration is not changed.
    type: str
    choices: [AFTER_1_DAY, AFTER_7_DAYS, AFTER_14_DAYS, AFTER_30_DAYS, AFTER_60_DAYS, AFTER_90_DAYS, AFTER_180_DAYS, AFTER_270_DAYS, AFTER_365_DAYS]
  file_system_policy:
    description:
      - Resource policy of the file system, as a dictionary or a JSON string. It is put when it differs from
        the current one (compared as parsed JSON). When omitted, the policy is not changed.
    type: json
  mount_targets:
    description:
      - Mount targets of the file system, one a subnet (and at most one an availability zone).
      - Missing ones are created, the security groups of existing ones are updated in place, and mount
        targets in subnets that are not listed are deleted.
      - When omitted, the mount targets are not changed.
    type: list
    elements: dict
    suboptions:
      subnet_id:
        description: Subnet of the mount target, such as C(subnet-0123abcd).
        type: str
        required: true
      security_groups:
        description:
          - One to five security group IDs of the mount target's network interface.
          - When omitted, a new mount target gets the default security group of the VPC and an existing one keeps its groups.
        type: list
        elements: str
  wait:
    description:
      - Wait until the file system and each of its mount targets are available, or with O(state=absent)
        until the file system is deleted.
      - A new file system is always waited for before its mount targets, policy or lifecycle are set, and
        deleted mount targets are always waited for before the file system is deleted or another mount
        target is created in their zone.
    type: bool
    default: true
  wait_timeout:
    description: How many seconds to wait in all, for every wait of one run.
    type: int
    default: 600
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The PACS's storage, encrypted with our key, reachable from both private subnets
  dicoogle.aws.efs_file_system:
    name: dicoogle-storage
    kms_key_id: "{{ kms.key_arn }}"
    throughput_mode: elastic
    transition_to_ia: AFTER_30_DAYS
    mount_targets:
      - subnet_id: "{{ subnet_a.subnet.id }}"
        security_groups: ["{{ efs_sg.group_id }}"]
      - subnet_id: "{{ subnet_b.subnet.id }}"
        security_groups: ["{{ efs_sg.group_id }}"]
    file_system_policy:
      Version: "2012-10-17"
      Statement:
        - Sid: DenyUnencryptedTransport
          Effect: Deny
          Principal: {AWS: "*"}
          Action: "*"
          Condition: {Bool: {"aws:SecureTransport": "false"}}
    tags:
      "dicoogle:deployment": dicoogle
  register: efs

- name: Provisioned throughput, changed in place
  dicoogle.aws.efs_file_system:
    name: dicoogle-storage
    kms_key_id: "{{ kms.key_arn }}"
    throughput_mode: provisioned
    provisioned_throughput_in_mibps: 128

- name: Remove it, mount targets first
  dicoogle.aws.efs_file_system:
    name: dicoogle-storage
    state: absent
"""

RETURN = r"""
file_system:
  description:
    - The file system as EFS describes it, with its tags and mount targets; empty when absent, and
      when check mode would create it.
  returned: always
  type: dict
  contains:
    file_system_id:
      description: ID.
      type: str
      sample: fs-0123456789abcdef0
    file_system_arn:
      description: ARN (for IAM policies).
      type: str
    name:
      description: Name (its C(Name) tag, and its creation token).
      type: str
      sample: dicoogle-storage
    life_cycle_state:
      description: State, such as C(available).
      type: str
    encrypted:
      description: Whether the data is encrypted at rest.
      type: bool
    kms_key_id:
      description: KMS key that encrypts it.
      type: str
    performance_mode:
      description: Performance mode.
      type: str
      sample: generalPurpose
    throughput_mode:
      description: Throughput mode.
      type: str
      sample: elastic
    mount_targets:
      description: Mount targets.
      type: list
      elements: dict
      contains:
        mount_target_id:
          description: ID.
          type: str
          sample: fsmt-0123456789abcdef0
        subnet_id:
          description: Subnet.
          type: str
        ip_address:
          description: Address that clients mount.
          type: str
        availability_zone_name:
          description: Availability zone.
          type: str
        security_groups:
          description: Security groups of its network interface.
          type: list
          elements: str
        life_cycle_state:
          description: State, such as C(available).
          type: str
    tags:
      description: Resource tags, C(Name) included.
      type: dict
"""

import json
import re

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.dicoogle.aws.plugins.module_utils import efs
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import reconcile_tags
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import tag_changes
from ansible_collections.dicoogle.aws.plugins.module_utils.efs import GONE
from ansible_collections.dicoogle.aws.plugins.module_utils.efs import mount_targets_of

KMS_KEY = re.compile(
    r"^(?:(?:mrk-)?[0-9a-f-]{32,36}|alias/[a-zA-Z0-9/_-]+|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(?:key/(?:mrk-)?[0-9a-f-]{32,36}|alias/[a-zA-Z0-9/_-]+))$"
)
MOUNT_TARGET_FIELDS = ("MountTargetId", "SubnetId", "IpAddress", "AvailabilityZoneName", "SecurityGroups", "LifeCycleState")


def validate(module):
    params = module.params
    if not re.match(r"^[a-zA-Z0-9 _.:/=+@-]{1,64}$", params["name"]):
        module.fail_json(msg="name %r must be 1-64 letters, digits, spaces or '_.:/=+@-'" % params["name"])
    if params["kms_key_id"] is not None:
        if not params["encrypted"]:
            module.fail_json(msg="kms_key_id is given but encrypted=false; set encrypted=true or drop kms_key_id")
        if not KMS_KEY.match(params["kms_key_id"]):
            module.fail_json(msg="kms_key_id %r is not a KMS key ID, key ARN, alias name (alias/...) or alias ARN"
                                 % params["kms_key_id"])
    mibps = params["provisioned_throughput_in_mibps"]
    if params["throughput_mode"] == "provisioned":
        if mibps is None:
            module.fail_json(msg="provisioned_throughput_in_mibps is required when throughput_mode=provisioned")
        if mibps < 1:
            module.fail_json(msg="provisioned_throughput_in_mibps must be at least 1.0, got %s" % mibps)
    elif mibps is not None:
        module.fail_json(msg="provisioned_throughput_in_mibps is only for throughput_mode=provisioned, not %s; "
                             "drop it or set throughput_mode=provisioned" % params["throughput_mode"])
    if params["performance_mode"] == "maxIO" and params["throughput_mode"] == "elastic":
        module.fail_json(msg="performance_mode=maxIO does not work with throughput_mode=elastic; "
                             "use throughput_mode=bursting or provisioned, or performance_mode=generalPurpose")
    if params["file_system_policy"] is not None:
        try:
            policy = json.loads(params["file_system_policy"])
        except ValueError as e:
            module.fail_json(msg="file_system_policy is not valid JSON: %s" % e)
        if not isinstance(policy, dict) or "Statement" not in policy:
            module.fail_json(msg="file_system_policy must be a policy document, a dictionary with a Statement")
    seen = set()
    for index, target in enumerate(params["mount_targets"] or []):
        where = "mount_targets[%d]" % index
        if not re.match(r"^subnet-[0-9a-f]{8,40}$", target["subnet_id"]):
            module.fail_json(msg="%s.subnet_id %r is not a subnet ID (subnet-...)" % (where, target["subnet_id"]))
        if target["subnet_id"] in seen:
            module.fail_json(msg="%s.subnet_id %s is listed twice in mount_targets" % (where, target["subnet_id"]))
        seen.add(target["subnet_id"])
        groups = target["security_groups"]
        if groups is not None:
            if not 1 <= len(groups) <= 5:
                module.fail_json(msg="%s.security_groups must list 1 to 5 security group IDs, or be omitted "
                                     "for the VPC's default group; got %d" % (where, len(groups)))
            for group in groups:
                if not re.match(r"^sg-[0-9a-f]{8,40}$", group):
                    module.fail_json(msg="%s.security_groups: %r is not a security group ID (sg-...)" % (where, group))
    if params["wait_timeout"] < 1:
        module.fail_json(msg="wait_timeout must be a positive number of seconds, got %d" % params["wait_timeout"])


def same_kms_key(module, current, wanted):
    """Whether the key of the file system (an ARN on AWS) is the key the user named."""
    if not current:
        return False
    if current == wanted or current.endswith(":key/" + wanted) or wanted.endswith(":key/" + current):
        return True
    if ":alias/" in wanted or wanted.startswith("alias/"):
        key = efs.describe_key(module, wanted)
        return current in (key["KeyId"], key["Arn"]) or current.endswith(":key/" + key["KeyId"])
    return False


def immutable_differences(module, current):
    params = module.params
    found = []
    if bool(current.get("Encrypted")) != params["encrypted"]:
        found.append("encrypted (%s, not %s)" % (bool(current.get("Encrypted")), params["encrypted"]))
    elif params["kms_key_id"] is not None and not same_kms_key(module, current.get("KmsKeyId"), params["kms_key_id"]):
        found.append("kms_key_id (%s, not %s)" % (current.get("KmsKeyId"), params["kms_key_id"]))
    if current.get("PerformanceMode", "generalPurpose") != params["performance_mode"]:
        found.append("performance_mode (%s, not %s)" % (current.get("PerformanceMode"), params["performance_mode"]))
    return found


def wanted_tags(module):
    """The tags after this run and whether to purge the others; Name is always the name."""
    params = module.params
    if params["tags"] is None:
        return {"Name": params["name"]}, False
    return dict(params["tags"], Name=params["name"]), params["purge_tags"]


def throughput_of(fs):
    mode = fs.get("ThroughputMode", "bursting")
    mibps = fs.get("ProvisionedThroughputInMibps") if mode == "provisioned" else None
    return mode, (float(mibps) if mibps is not None else None)


def view(fs, mount_targets, transition_to_ia=None, policy=None, params=None):
    """What the diff shows of a file system: its settings, the managed extras, its mount targets and tags."""
    if fs is None:
        return {}
    mode, mibps = throughput_of(fs)
    shown = {
        "encrypted": bool(fs.get("Encrypted")),
        "kms_key_id": fs.get("KmsKeyId"),
        "performance_mode": fs.get("PerformanceMode"),
        "throughput_mode": mode,
        "provisioned_throughput_in_mibps": mibps,
        "mount_targets": {mt["SubnetId"]: sorted(mt.get("SecurityGroups", [])) for mt in mount_targets if mt["LifeCycleState"] not in GONE},
        "tags": boto3_tag_list_to_ansible_dict(fs.get("Tags", [])),
    }
    if params is not None and params["transition_to_ia"] is not None:
        shown["transition_to_ia"] = transition_to_ia
    if params is not None and params["file_system_policy"] is not None:
        shown["file_system_policy"] = policy
    return shown


def predicted(module, before):
    """The view after this run, from the view before (empty for a new file system) and the options."""
    params = module.params
    after = dict(before)
    after.update(encrypted=params["encrypted"], performance_mode=params["performance_mode"],
                 throughput_mode=params["throughput_mode"],
                 provisioned_throughput_in_mibps=params["provisioned_throughput_in_mibps"])
    if params["kms_key_id"] is not None and not before.get("kms_key_id"):
        after["kms_key_id"] = params["kms_key_id"]
    after.setdefault("kms_key_id", None)
    if params["transition_to_ia"] is not None:
        after["transition_to_ia"] = params["transition_to_ia"]
    if params["file_system_policy"] is not None:
        after["file_system_policy"] = json.loads(params["file_system_policy"])
    current_targets = before.get("mount_targets", {})
    if params["mount_targets"] is not None:
        after["mount_targets"] = {
            t["subnet_id"]: sorted(t["security_groups"]) if t["security_groups"] is not None else current_targets.get(t["subnet_id"], [])
            for t in params["mount_targets"]
        }
    else:
        after["mount_targets"] = current_targets
    wanted, purge = wanted_tags(module)
    after["tags"] = tag_changes(before.get("tags", {}), wanted, purge, keep=("Name",))[2]
    return after


def create(client, module, waits):
    params = module.params
    tags = dict(params["tags"] or {}, Name=params["name"])
    request = dict(Encrypted=params["encrypted"], PerformanceMode=params["performance_mode"],
                   ThroughputMode=params["throughput_mode"], Tags=ansible_dict_to_boto3_tag_list(tags))
    if params["kms_key_id"] is not None:
        request["KmsKeyId"] = params["kms_key_id"]
    if params["provisioned_throughput_in_mibps"] is not None:
        request["ProvisionedThroughputInMibps"] = params["provisioned_throughput_in_mibps"]
    created = efs.create_file_system(client, params["name"], request)
    if params["wait"] or params["mount_targets"] or params["transition_to_ia"] or params["file_system_policy"]:
        waits.file_system_available(created["FileSystemId"])
    return created


def apply_lifecycle(client, module, fs_id):
    wanted = module.params["transition_to_ia"]
    policies = efs.lifecycle_policies(client, fs_id)
    if transition_to_ia_in(policies) == wanted:
        return
    kept = [p for p in policies if "TransitionToIA" not in p]
    efs.put_lifecycle_policies(client, fs_id, wanted, kept + [{"TransitionToIA": wanted}])


def transition_to_ia_in(policies):
    current = [p["TransitionToIA"] for p in policies if "TransitionToIA" in p]
    return current[0] if current else None


def mount_target_plan(wanted, current):
    """Mount targets to delete, subnets to create them in, and (mount target, groups) to update."""
    by_subnet = {mt["SubnetId"]: mt for mt in current if mt["LifeCycleState"] not in GONE}
    wanted_subnets = {t["subnet_id"] for t in wanted}
    to_delete = [mt for subnet, mt in sorted(by_subnet.items()) if subnet not in wanted_subnets]
    to_create = [t for t in wanted if t["subnet_id"] not in by_subnet]
    to_update = [(by_subnet[t["subnet_id"]], t["security_groups"]) for t in wanted
                 if t["subnet_id"] in by_subnet and t["security_groups"] is not None
                 and set(t["security_groups"]) != set(by_subnet[t["subnet_id"]]["SecurityGroups"])]
    return to_delete, to_create, to_update


def apply_mount_targets(client, module, waits, fs_id, current):
    to_delete, to_create, to_update = mount_target_plan(module.params["mount_targets"], current)
    for mt in to_delete:
        efs.delete_mount_target(client, mt, fs_id, why=", not in mount_targets")
    # a mount target that is still going away holds its zone: wait before creating another there
    going = [mt["MountTargetId"] for mt in to_delete] + [mt["MountTargetId"] for mt in current if mt["LifeCycleState"] == "deleting"]
    if going and (to_create or module.params["wait"]):
        waits.mount_targets_gone(fs_id, going)
    for mt, groups in to_update:
        efs.set_security_groups(client, fs_id, mt, groups)
    for target in to_create:
        efs.create_mount_target(client, fs_id, target["subnet_id"], target["security_groups"])


def ensure_present(client, module, current, mount_targets, before):
    """Returns changed, the file system as it is now (None if check mode would create it) and the view after."""
    params = module.params
    waits = efs.Waits(module, client)
    after = predicted(module, before)
    if current is not None and current["LifeCycleState"] == "deleting":
        if module.check_mode:
            return True, None, after
        waits.file_system_gone(current["FileSystemId"])
        current = None
    if current is None:
        if module.check_mode:
            return True, None, after
        current = create(client, module, waits)
        fs_id = current["FileSystemId"]
        if params["transition_to_ia"] is not None:
            apply_lifecycle(client, module, fs_id)
        if params["file_system_policy"] is not None:
            efs.put_file_system_policy(client, fs_id, params["file_system_policy"])
        if params["mount_targets"]:
            apply_mount_targets(client, module, waits, fs_id, [])
        return True, finish(client, module, waits, fs_id), after

    refused = immutable_differences(module, current)
    if refused:
        module.fail_json(msg="EFS file system %s (%s) exists with another %s, which EFS cannot change: remove it "
                             "(state=absent) and create it again" % (params["name"], current["FileSystemId"], "; ".join(refused)))
    if after == before:
        settling = current["LifeCycleState"] != "available" or any(mt["LifeCycleState"] != "available" for mt in mount_targets)
        if settling and params["wait"] and not module.check_mode:
            return False, finish(client, module, waits, current["FileSystemId"]), after
        return False, current, after
    if module.check_mode:
        return True, current, after
    fs_id = current["FileSystemId"]
    if current["LifeCycleState"] != "available":
        waits.file_system_available(fs_id)
    if after["tags"] != before["tags"]:
        reconcile_tags(module, before["tags"], *wanted_tags(module), keep=("Name",),
                       apply=lambda to_add, to_remove: efs.retag(client, fs_id, "EFS file system %s" % fs_id, to_add, to_remove))
    if after.get("transition_to_ia") != before.get("transition_to_ia"):
        apply_lifecycle(client, module, fs_id)
    if after.get("file_system_policy") != before.get("file_system_policy"):
        efs.put_file_system_policy(client, fs_id, params["file_system_policy"])
    if after["mount_targets"] != before["mount_targets"]:
        apply_mount_targets(client, module, waits, fs_id, mount_targets_of(client, fs_id))
    if (after["throughput_mode"], after["provisioned_throughput_in_mibps"]) != \
            (before["throughput_mode"], before["provisioned_throughput_in_mibps"]):
        efs.update_throughput(client, fs_id, params["throughput_mode"], params["provisioned_throughput_in_mibps"])
    return True, finish(client, module, waits, fs_id), after


def finish(client, module, waits, fs_id):
    if module.params["wait"]:
        waits.file_system_available(fs_id)
        waits.mount_targets_available(fs_id)
    return efs.describe_file_system(client, fs_id)


def ensure_absent(client, module, current, mount_targets):
    if current is None:
        return False
    fs_id = current["FileSystemId"]
    waits = efs.Waits(module, client)
    if current["LifeCycleState"] == "deleting":
        if module.params["wait"] and not module.check_mode:
            waits.file_system_gone(fs_id)
        return False
    if module.check_mode:
        return True
    # Access points belong to the file system: they go first, like the mount targets.
    efs.delete_access_points(client, module.params["name"], fs_id)
    for mt in mount_targets:
        if mt["LifeCycleState"] not in GONE:
            efs.delete_mount_target(client, mt, "EFS file system %s" % fs_id)
    if mount_targets:
        waits.mount_targets_gone(fs_id, [mt["MountTargetId"] for mt in mount_targets])
    efs.delete_file_system(client, module.params["name"], fs_id)
    if module.params["wait"]:
        waits.file_system_gone(fs_id)
    return True


def result_of(fs, mount_targets):
    if not fs:
        return {}
    result = camel_dict_to_snake_dict({k: v for k, v in fs.items() if k not in ("ResponseMetadata", "Tags")})
    result["tags"] = boto3_tag_list_to_ansible_dict(fs.get("Tags", []))
    result["mount_targets"] = [camel_dict_to_snake_dict({k: mt[k] for k in MOUNT_TARGET_FIELDS if k in mt}) for mt in mount_targets]
    return result


@fails_on_aws_errors
def run(module):
    params = module.params
    client = efs.client_of(module)

    current = efs.file_system_named(client, params["name"])
    mount_targets, before = [], {}
    if current is not None and current["LifeCycleState"] != "deleting":
        fs_id = current["FileSystemId"]
        mount_targets = mount_targets_of(client, fs_id)
        transition_to_ia = policy = None
        if params["state"] == "present" and params["transition_to_ia"] is not None:
            transition_to_ia = transition_to_ia_in(efs.lifecycle_policies(client, fs_id))
        if params["state"] == "present" and params["file_system_policy"] is not None:
            policy = efs.file_system_policy(client, fs_id)
            wanted = json.loads(params["file_system_policy"])
            if policy is not None and not compare_policies(policy, wanted):
                policy = wanted  # the same policy as AWS wrote it back: no change
        before = view(current, mount_targets, transition_to_ia, policy, params if params["state"] == "present" else None)

    if params["state"] == "present":
        changed, fs, after = ensure_present(client, module, current, mount_targets, before)
        if fs is not None and fs is not current:  # described again after changes or a wait
            mount_targets = mount_targets_of(client, fs["FileSystemId"])
    else:
        changed, fs, after = ensure_absent(client, module, current, mount_targets), None, {}
    module.exit_json(changed=changed, file_system=result_of(fs, mount_targets if fs else []),
                     diff=dict(before=before, after=after))


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        encrypted=dict(type="bool", default=True),
        kms_key_id=dict(type="str"),
        performance_mode=dict(type="str", choices=["generalPurpose", "maxIO"], default="generalPurpose"),
        throughput_mode=dict(type="str", choices=["bursting", "elastic", "provisioned"], default="elastic"),
        provisioned_throughput_in_mibps=dict(type="float"),
        transition_to_ia=dict(type="str", choices=["AFTER_1_DAY", "AFTER_7_DAYS", "AFTER_14_DAYS", "AFTER_30_DAYS", "AFTER_60_DAYS",
                                                   "AFTER_90_DAYS", "AFTER_180_DAYS", "AFTER_270_DAYS", "AFTER_365_DAYS"]),
        file_system_policy=dict(type="json"),
        mount_targets=dict(type="list", elements="dict", options=dict(
            subnet_id=dict(type="str", required=True),
            security_groups=dict(type="list", elements="str"),
        )),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=600),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    run(module)


if __name__ == "__main__":
    main()
