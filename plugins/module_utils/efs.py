# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""EFS's calls for efs_file_system and efs_access_points, each failing with a message that names what failed,
and the waits of a file system and its mount targets."""

from __future__ import annotations

import json

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list

from ansible_collections.dicoogle.aws.plugins.module_utils.aws import ErrorHandler
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import Waiter

GONE = ("deleting", "deleted")
MAX_POLL_DELAY = 15


class EFSErrorHandler(ErrorHandler):
    MISSING = ("FileSystemNotFound",)


class EFSPolicyErrorHandler(ErrorHandler):
    MISSING = ("PolicyNotFound",)


class KMSErrorHandler(ErrorHandler):
    pass


def client_of(module):
    return module.client("efs", retry_decorator=AWSRetry.jittered_backoff())


def _not_deleted(items):
    return [item for item in items if item.get("LifeCycleState") != "deleted"]


# File systems


@AWSRetry.jittered_backoff()
def _file_systems(client, **filters):
    return _not_deleted(client.get_paginator("describe_file_systems").paginate(**filters).build_full_result().get("FileSystems", []))


@EFSErrorHandler.common_error_handler("look up the EFS file system with creation token {name}")
def file_system_named(client, name):
    """The file system whose creation token is `name`, or None."""
    return next(iter(_file_systems(client, CreationToken=name)), None)


@EFSErrorHandler.list_error_handler("describe EFS file system {file_system_id}")
def describe_file_system(client, file_system_id):
    """The file system, or None once it is deleted."""
    return next(iter(_file_systems(client, FileSystemId=file_system_id)), None)


@EFSErrorHandler.common_error_handler("create EFS file system {name}")
def create_file_system(client, name, arguments):
    return client.create_file_system(aws_retry=True, CreationToken=name, **arguments)


@EFSErrorHandler.common_error_handler("change the throughput_mode of EFS file system {file_system_id} to {mode}")
def update_throughput(client, file_system_id, mode, mibps=None):
    kwargs = {"ProvisionedThroughputInMibps": mibps} if mode == "provisioned" else {}
    client.update_file_system(aws_retry=True, FileSystemId=file_system_id, ThroughputMode=mode, **kwargs)


@EFSErrorHandler.common_error_handler("delete EFS file system {name} ({file_system_id})")
def delete_file_system(client, name, file_system_id):
    client.delete_file_system(aws_retry=True, FileSystemId=file_system_id)


@EFSErrorHandler.common_error_handler("read the lifecycle configuration of EFS file system {file_system_id}")
def lifecycle_policies(client, file_system_id):
    return client.describe_lifecycle_configuration(aws_retry=True, FileSystemId=file_system_id).get("LifecyclePolicies", [])


@EFSErrorHandler.common_error_handler("set transition_to_ia={transition} on EFS file system {file_system_id}")
def put_lifecycle_policies(client, file_system_id, transition, policies):
    client.put_lifecycle_configuration(aws_retry=True, FileSystemId=file_system_id, LifecyclePolicies=policies)


@EFSPolicyErrorHandler.list_error_handler("read the policy of EFS file system {file_system_id}")
def file_system_policy(client, file_system_id):
    """The resource policy, parsed, or None."""
    policy = client.describe_file_system_policy(aws_retry=True, FileSystemId=file_system_id).get("Policy")
    return json.loads(policy) if policy else None


@EFSErrorHandler.common_error_handler("put the file_system_policy of EFS file system {file_system_id}")
def put_file_system_policy(client, file_system_id, policy):
    client.put_file_system_policy(aws_retry=True, FileSystemId=file_system_id, Policy=policy)


@KMSErrorHandler.common_error_handler("resolve kms_key_id {key} to compare it with the key of the file system")
def describe_key(module, key):
    return module.client("kms", retry_decorator=AWSRetry.jittered_backoff()).describe_key(aws_retry=True, KeyId=key)["KeyMetadata"]


# Mount targets


@EFSErrorHandler.common_error_handler("list the mount targets of EFS file system {file_system_id}")
@AWSRetry.jittered_backoff()
def _mount_targets(client, file_system_id):
    return _not_deleted(client.get_paginator("describe_mount_targets").paginate(
        FileSystemId=file_system_id).build_full_result().get("MountTargets", []))


@EFSErrorHandler.common_error_handler("read the security groups of mount target {mount_target[MountTargetId]} "
                                      "(subnet {mount_target[SubnetId]}) of {file_system_id}")
def _security_groups(client, file_system_id, mount_target):
    return client.describe_mount_target_security_groups(aws_retry=True, MountTargetId=mount_target["MountTargetId"]).get("SecurityGroups") or []


def mount_targets_of(client, file_system_id, with_security_groups=True):
    """The file system's mount targets by subnet, with the security groups of those that are not going away."""
    found = _mount_targets(client, file_system_id)
    if with_security_groups:
        for mt in found:
            mt["SecurityGroups"] = [] if mt.get("LifeCycleState") in GONE else _security_groups(client, file_system_id, mt)
    return sorted(found, key=lambda mt: mt["SubnetId"])


@EFSErrorHandler.common_error_handler("create a mount target of {file_system_id} in subnet {subnet_id} (one a zone, all in one VPC)")
def create_mount_target(client, file_system_id, subnet_id, security_groups=None):
    kwargs = {"SecurityGroups": security_groups} if security_groups is not None else {}
    client.create_mount_target(aws_retry=True, FileSystemId=file_system_id, SubnetId=subnet_id, **kwargs)


@EFSErrorHandler.common_error_handler("set the security groups {security_groups} on mount target {mount_target[MountTargetId]} "
                                      "(subnet {mount_target[SubnetId]}) of {file_system_id}")
def set_security_groups(client, file_system_id, mount_target, security_groups):
    client.modify_mount_target_security_groups(aws_retry=True, MountTargetId=mount_target["MountTargetId"], SecurityGroups=security_groups)


@EFSErrorHandler.common_error_handler("delete mount target {mount_target[MountTargetId]} (subnet {mount_target[SubnetId]}{why}) of {owner}")
def delete_mount_target(client, mount_target, owner, why=""):
    """Deletes the mount target of `owner` (as the message names the file system); `why` follows its subnet."""
    client.delete_mount_target(aws_retry=True, MountTargetId=mount_target["MountTargetId"])


# Access points


@EFSErrorHandler.common_error_handler("list the access points of {file_system_id}")
@AWSRetry.jittered_backoff()
def access_points_of(client, file_system_id):
    return client.get_paginator("describe_access_points").paginate(FileSystemId=file_system_id).build_full_result().get("AccessPoints", [])


@EFSErrorHandler.common_error_handler("create access point {name} of {file_system_id}")
def create_access_point(client, file_system_id, name, arguments):
    return client.create_access_point(aws_retry=True, FileSystemId=file_system_id, **arguments)


@EFSErrorHandler.common_error_handler("delete access point {access_point_id}")
def delete_access_point(client, access_point_id):
    client.delete_access_point(aws_retry=True, AccessPointId=access_point_id)


@EFSErrorHandler.common_error_handler("delete the access points of EFS file system {name} ({file_system_id})")
def delete_access_points(client, name, file_system_id):
    for point in client.describe_access_points(aws_retry=True, FileSystemId=file_system_id)["AccessPoints"]:
        client.delete_access_point(aws_retry=True, AccessPointId=point["AccessPointId"])


# Tags: EFS's TagResource/UntagResource API, for file systems and access points alike


@EFSErrorHandler.common_error_handler("tag {what}")
def retag(client, resource_id, what, to_add, to_remove):
    """Adds the tags to_add and removes the keys to_remove of the resource; `what` names it in a failure."""
    if to_remove:
        client.untag_resource(aws_retry=True, ResourceId=resource_id, TagKeys=to_remove)
    if to_add:
        client.tag_resource(aws_retry=True, ResourceId=resource_id, Tags=ansible_dict_to_boto3_tag_list(to_add))


class Waits:
    """The waits of a file system and its mount targets, all within one deadline (wait_timeout) for the run."""

    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.waiter = Waiter(module.params["wait_timeout"], 1, MAX_POLL_DELAY)

    def until(self, what, done):
        def timed_out(_done):
            self.module.fail_json(msg="Timed out after wait_timeout=%ds waiting for %s; raise wait_timeout "
                                      "or look at it in the EFS console" % (self.module.params["wait_timeout"], what))
        self.waiter.until(done, timed_out)

    def file_system_available(self, file_system_id):
        def available():
            fs = describe_file_system(self.client, file_system_id)
            if fs is None or fs["LifeCycleState"] in GONE + ("error",):
                self.module.fail_json(msg="EFS file system %s is %s instead of becoming available"
                                          % (file_system_id, fs["LifeCycleState"] if fs else "deleted"))
            return fs["LifeCycleState"] == "available"
        self.until("EFS file system %s to be available" % file_system_id, available)

    def file_system_gone(self, file_system_id):
        self.until("EFS file system %s to be deleted" % file_system_id,
                   lambda: describe_file_system(self.client, file_system_id) is None)

    def mount_targets_available(self, file_system_id):
        def available():
            targets = mount_targets_of(self.client, file_system_id, with_security_groups=False)
            failed = [mt["MountTargetId"] for mt in targets if mt["LifeCycleState"] == "error"]
            if failed:
                self.module.fail_json(msg="Mount targets %s of %s are in state error; delete them (state=absent or "
                                          "drop their subnets from mount_targets) and try again" % (", ".join(failed), file_system_id))
            return all(mt["LifeCycleState"] == "available" for mt in targets)
        self.until("the mount targets of %s to be available" % file_system_id, available)

    def mount_targets_gone(self, file_system_id, ids):
        def gone():
            left = [mt["MountTargetId"] for mt in mount_targets_of(self.client, file_system_id, with_security_groups=False)]
            return not set(ids) & set(left)
        self.until("mount targets %s of %s to be deleted" % (", ".join(sorted(ids)), file_system_id), gone)
