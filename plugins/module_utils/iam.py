# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""IAM's calls for iam_roles, each failing with a message that names what failed, the convergence of one
role: its trust policy, description, inline policies (exactly), no managed policy, tags, and optionally the
instance profile of its name; and the removal of one role with all that, from any partial state."""

from __future__ import annotations

import json

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.dicoogle.aws.plugins.module_utils.aws import ErrorHandler
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import reconcile_tags


class IAMErrorHandler(ErrorHandler):
    MISSING = ("NoSuchEntity",)


def client_of(module, missing_is_final=False):
    # IAM is eventually consistent: a role just made may be unknown for a moment to the next call. A removal
    # (missing_is_final) takes "no such entity" as done at once, instead of retrying it.
    if missing_is_final:
        return module.client("iam", retry_decorator=AWSRetry.jittered_backoff())
    return module.client("iam", retry_decorator=AWSRetry.jittered_backoff(catch_extra_error_codes=["NoSuchEntity"]))


@IAMErrorHandler.list_error_handler("read IAM role {name}")
def get_role(client, name):
    return client.get_role(RoleName=name)["Role"]


@IAMErrorHandler.common_error_handler("create IAM role {name}")
def create_role(client, name, trust, description, tags):
    role = client.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust), Description=description,
                              Tags=ansible_dict_to_boto3_tag_list(tags))["Role"]
    client.get_waiter("role_exists").wait(RoleName=name)
    return role


@IAMErrorHandler.common_error_handler("update the trust policy of IAM role {name}")
def update_trust(client, name, trust):
    client.update_assume_role_policy(aws_retry=True, RoleName=name, PolicyDocument=json.dumps(trust))


@IAMErrorHandler.common_error_handler("update the description of IAM role {name}")
def update_description(client, name, description):
    client.update_role(aws_retry=True, RoleName=name, Description=description)


@IAMErrorHandler.common_error_handler("list the policies of IAM role {name}")
def inline_policy_names(client, name):
    return client.get_paginator("list_role_policies").paginate(RoleName=name).build_full_result()["PolicyNames"]


@IAMErrorHandler.common_error_handler("read the policies of IAM role {name}")
def inline_policies(client, name):
    return {policy: client.get_role_policy(aws_retry=True, RoleName=name, PolicyName=policy)["PolicyDocument"]
            for policy in inline_policy_names(client, name)}


@IAMErrorHandler.common_error_handler("put policy {policy} on IAM role {name}")
def put_policy(client, name, policy, document):
    client.put_role_policy(aws_retry=True, RoleName=name, PolicyName=policy, PolicyDocument=json.dumps(document))


@IAMErrorHandler.deletion_error_handler("delete policy {policy} of IAM role {name}")
def delete_policy(client, name, policy):
    client.delete_role_policy(aws_retry=True, RoleName=name, PolicyName=policy)
    return True


@IAMErrorHandler.common_error_handler("list the managed policies attached to IAM role {name}")
def attached_policies(client, name):
    pages = client.get_paginator("list_attached_role_policies").paginate(RoleName=name).build_full_result()
    return [policy["PolicyArn"] for policy in pages["AttachedPolicies"]]


@IAMErrorHandler.deletion_error_handler("detach {arn} from IAM role {name}")
def detach_policy(client, name, arn):
    client.detach_role_policy(aws_retry=True, RoleName=name, PolicyArn=arn)
    return True


@IAMErrorHandler.deletion_error_handler("delete IAM role {name}")
def delete_role(client, name):
    client.delete_role(aws_retry=True, RoleName=name)
    return True


# Roles and instance profiles are tagged alike: the calls and the name's parameter per kind.
_TAGGING = {
    "IAM role": ("tag_role", "untag_role", "RoleName"),
    "instance profile": ("tag_instance_profile", "untag_instance_profile", "InstanceProfileName"),
}


@IAMErrorHandler.common_error_handler("tag {kind} {name}")
def retag(client, kind, name, to_add, to_remove):
    tag, untag, key = _TAGGING[kind]
    if to_add:
        getattr(client, tag)(aws_retry=True, Tags=ansible_dict_to_boto3_tag_list(to_add), **{key: name})
    if to_remove:
        getattr(client, untag)(aws_retry=True, TagKeys=to_remove, **{key: name})


@IAMErrorHandler.list_error_handler("read instance profile {name}")
def get_instance_profile(client, name):
    return client.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]


@IAMErrorHandler.common_error_handler("create instance profile {name}")
def create_instance_profile(client, name, tags):
    profile = client.create_instance_profile(InstanceProfileName=name, Tags=ansible_dict_to_boto3_tag_list(tags))["InstanceProfile"]
    client.get_waiter("instance_profile_exists").wait(InstanceProfileName=name)
    return profile


@IAMErrorHandler.common_error_handler("put IAM role {role} in instance profile {name}")
def add_role_to_profile(client, name, role):
    client.add_role_to_instance_profile(aws_retry=True, InstanceProfileName=name, RoleName=role)


@IAMErrorHandler.deletion_error_handler("take IAM role {role} out of instance profile {name}")
def remove_role_from_profile(client, name, role):
    client.remove_role_from_instance_profile(aws_retry=True, InstanceProfileName=name, RoleName=role)
    return True


@IAMErrorHandler.common_error_handler("list the instance profiles of IAM role {name}")
def profiles_of_role(client, name):
    pages = client.get_paginator("list_instance_profiles_for_role").paginate(RoleName=name).build_full_result()
    return [profile["InstanceProfileName"] for profile in pages["InstanceProfiles"]]


@IAMErrorHandler.deletion_error_handler("delete instance profile {name}")
def delete_instance_profile(client, name):
    client.delete_instance_profile(aws_retry=True, InstanceProfileName=name)
    return True


def document(value):
    """A policy document given as JSON text or as a mapping, as a mapping."""
    return json.loads(value) if isinstance(value, str) else value


def ensure_role(module, client, wanted, purge_tags):
    """Brings one role (an element of iam_roles' roles option) to what is asked. Returns (changed, before, after),
    before and after describing the role as the module returns it (before is None for a new role)."""
    name = wanted["name"]
    trust = document(wanted["assume_role_policy_document"])
    policies = {policy: document(text) for policy, text in (wanted["inline_policies"] or {}).items()}
    tags = {str(k): str(v) for k, v in (wanted["tags"] or {}).items()}
    description = wanted["description"] or ""
    role = get_role(client, name)
    if role is None:
        after = {"role_name": name, "arn": None, "role_id": None, "description": description, "tags": tags,
                 "inline_policies": sorted(policies)}
        if wanted["instance_profile"]:
            after["instance_profile_arn"] = None
        if module.check_mode:
            return True, None, after
        role = create_role(client, name, trust, description, tags)
        for policy, text in policies.items():
            put_policy(client, name, policy, text)
        after.update(arn=role["Arn"], role_id=role["RoleId"])
        if wanted["instance_profile"]:
            after["instance_profile_arn"] = ensure_instance_profile(module, client, name, tags, purge_tags)[1]
        return True, None, after

    changed = False
    current_policies = inline_policies(client, name)
    before = describe(role, current_policies)
    if compare_policies(role["AssumeRolePolicyDocument"], trust):
        changed = True
        if not module.check_mode:
            update_trust(client, name, trust)
    if before["description"] != description:
        changed = True
        if not module.check_mode:
            update_description(client, name, description)
    for policy, text in policies.items():
        if policy not in current_policies or compare_policies(current_policies[policy], text):
            changed = True
            if not module.check_mode:
                put_policy(client, name, policy, text)
    for policy in sorted(set(current_policies) - set(policies)):
        changed = True
        if not module.check_mode:
            delete_policy(client, name, policy)
    for arn in attached_policies(client, name):
        changed = True
        if not module.check_mode:
            detach_policy(client, name, arn)
    retagged, tags_after = reconcile_tags(module, before["tags"], tags, purge_tags,
                                          lambda to_add, to_remove: retag(client, "IAM role", name, to_add, to_remove))
    after = dict(before, description=description, tags=tags_after, inline_policies=sorted(policies))
    changed |= retagged
    if wanted["instance_profile"]:
        profile_changed, after["instance_profile_arn"] = ensure_instance_profile(module, client, name, tags, purge_tags)
        changed |= profile_changed
    return changed, before, after


def describe(role, policy_names):
    """A role as the module returns it (read from IAM), with the names of its inline policies."""
    return {"role_name": role["RoleName"], "arn": role["Arn"], "role_id": role["RoleId"], "description": role.get("Description", ""),
            "tags": boto3_tag_list_to_ansible_dict(role.get("Tags", [])), "inline_policies": sorted(policy_names)}


def remove_role(module, client, name, instance_profile):
    """Removes the role `name` from any partial state: takes it out of every instance profile that holds it, detaches
    its managed policies, deletes its inline policies, then the role; with `instance_profile`, deletes the instance
    profile of its name too (emptied first), even when the role is gone already. Returns (the role as it was, or
    None when there was none; whether there was an instance profile to delete). `client` is client_of(module, missing_is_final=True):
    what vanishes meanwhile counts as removed."""
    role = get_role(client, name)
    before = None if role is None else describe(role, inline_policy_names(client, name))
    if role is not None and not module.check_mode:
        for profile in profiles_of_role(client, name):
            remove_role_from_profile(client, profile, name)
        for arn in attached_policies(client, name):
            detach_policy(client, name, arn)
        for policy in before["inline_policies"]:
            delete_policy(client, name, policy)
        delete_role(client, name)
    profile = get_instance_profile(client, name) if instance_profile else None
    if profile is not None and not module.check_mode:
        for held in profile.get("Roles", []):
            remove_role_from_profile(client, name, held["RoleName"])
        delete_instance_profile(client, name)
    return before, profile is not None


def ensure_instance_profile(module, client, name, tags, purge_tags):
    """The instance profile `name` holding the role `name` only, with the tags: (changed, its ARN or None in check
    mode for a new one)."""
    profile = get_instance_profile(client, name)
    if profile is None:
        if module.check_mode:
            return True, None
        profile = create_instance_profile(client, name, tags)
        add_role_to_profile(client, name, name)
        return True, profile["Arn"]
    changed = False
    held = [role["RoleName"] for role in profile.get("Roles", [])]
    for other in held:
        if other != name:
            changed = True
            if not module.check_mode:
                remove_role_from_profile(client, name, other)
    if name not in held:
        changed = True
        if not module.check_mode:
            add_role_to_profile(client, name, name)
    retagged, _after = reconcile_tags(module, boto3_tag_list_to_ansible_dict(profile.get("Tags", [])), tags, purge_tags,
                                      lambda to_add, to_remove: retag(client, "instance profile", name, to_add, to_remove))
    return changed or retagged, profile["Arn"]
