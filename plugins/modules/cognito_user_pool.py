#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cognito_user_pool
short_description: Manage an Amazon Cognito user pool, found by its name
version_added: 0.1.0
description:
  - Creates, updates or deletes an Amazon Cognito user pool. The pool is found by its name, so a
    re-run never creates a second one; more than one pool with the name is an error that names them.
  - Updates in place the password policy, who may create users, the MFA setting, the attributes
    Cognito verifies, deletion protection and the tags. The settings the module does not manage
    (Lambda triggers, messages, e-mail and SMS configuration...) are sent back as they are, since
    Cognito resets to its default any setting an update leaves out.
  - Cognito cannot change the attributes users sign in with; asking for others on an existing pool
    fails with a message that says so, instead of replacing the pool and its users.
  - With O(domain), the pool gets that hosted UI prefix domain, as dicoogle.aws.cognito_user_pool_domain
    gives it, in the same call (DescribeUserPool already tells the pool's domain).
  - With O(state=absent) the pool's hosted UI domains are deleted first, as Cognito does not delete
    a pool that has one.
  - Supports check mode and diff of the managed settings.
  - Fills a gap, as amazon.aws and community.aws have no module for Cognito user pools.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  name:
    description: Name of the user pool, unique in the account and region.
    type: str
    required: true
  state:
    description: Whether the user pool should exist.
    type: str
    choices: [present, absent]
    default: present
  admin_create_user_only:
    description: Whether only administrators may create users (no self sign-up).
    type: bool
    default: true
  temporary_password_validity_days:
    description: Days a temporary password given by an administrator stays valid (1-365).
    type: int
    default: 3
  password_policy:
    description: What a user's password must be made of.
    type: dict
    default: {}
    suboptions:
      minimum_length:
        description: Minimum length of a password (8-99).
        type: int
        default: 14
      require_uppercase:
        description: Whether a password needs an uppercase letter.
        type: bool
        default: true
      require_lowercase:
        description: Whether a password needs a lowercase letter.
        type: bool
        default: true
      require_numbers:
        description: Whether a password needs a digit.
        type: bool
        default: true
      require_symbols:
        description: Whether a password needs a symbol.
        type: bool
        default: true
  mfa:
    description:
      - Multi-factor authentication. V(optional) lets each user set one up, V(on) requires it of every user.
      - V(optional) and V(on) enable the software token (TOTP) factor; the SMS and e-mail factors are left as they are.
    type: str
    choices: ["off", optional, "on"]
    default: optional
  username_attributes:
    description:
      - Attributes users may sign in with instead of a user name. Empty, users sign in with their user name.
      - Cognito cannot change them once the pool exists; to change them, remove the pool (O(state=absent)) and create it again.
    type: list
    elements: str
    choices: [email, phone_number]
    default: [email]
  auto_verified_attributes:
    description:
      - Attributes Cognito verifies by sending a code. V(phone_number) needs the pool's SMS configuration, which this module does not manage.
    type: list
    elements: str
    choices: [email, phone_number]
    default: [email]
  deletion_protection:
    description: Whether Cognito refuses to delete the pool. The module then refuses O(state=absent) too.
    type: bool
    default: false
  domain:
    description:
      - The prefix of the pool's hosted UI domain, C(<domain>.auth.<region>.amazoncognito.com), unique in the region,
        of 1-63 lowercase letters, digits and hyphens, neither first nor last a hyphen, without the words C(aws),
        C(amazon) and C(cognito), which AWS reserves.
      - Created when the pool has none. A pool with another prefix domain, or a prefix another pool has, fails with a
        message that says which; the module replaces no domain (remove one with dicoogle.aws.cognito_user_pool_domain).
      - Not given, the pool's domain is left as it is.
    type: str
    version_added: 0.1.0
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The users of the PACS web viewer, created by an administrator, with TOTP offered
  dicoogle.aws.cognito_user_pool:
    name: dicoogle-viewer
    password_policy:
      minimum_length: 16
    mfa: optional
    deletion_protection: true
    tags:
      "dicoogle:deployment": dicoogle
  register: pool

- name: With its hosted UI's prefix domain
  dicoogle.aws.cognito_user_pool:
    name: dicoogle-viewer
    deletion_protection: true
    domain: dicoogle-viewer-login

- name: Require MFA of every user
  dicoogle.aws.cognito_user_pool:
    name: dicoogle-viewer
    mfa: "on"
    deletion_protection: true

- name: Turn deletion protection off, which state=absent needs first
  dicoogle.aws.cognito_user_pool:
    name: dicoogle-viewer
    deletion_protection: false

- name: Remove it, with its hosted UI domain
  dicoogle.aws.cognito_user_pool:
    name: dicoogle-viewer
    state: absent
"""

RETURN = r"""
user_pool:
  description: The user pool's managed settings; empty when absent. In check mode, a pool to create has no ID nor ARN.
  returned: always
  type: dict
  contains:
    id:
      description: ID.
      type: str
      sample: eu-west-1_AbCdEf123
    arn:
      description: ARN.
      type: str
      sample: arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123
    name:
      description: Name.
      type: str
    mfa:
      description: MFA setting, V(off), V(optional) or V(on).
      type: str
    password_policy:
      description: Password policy, with the keys of O(password_policy).
      type: dict
    temporary_password_validity_days:
      description: Days a temporary password stays valid.
      type: int
    admin_create_user_only:
      description: Whether only administrators may create users.
      type: bool
    username_attributes:
      description: Attributes users sign in with.
      type: list
      elements: str
    auto_verified_attributes:
      description: Attributes Cognito verifies.
      type: list
      elements: str
    deletion_protection:
      description: Whether deletion protection is on.
      type: bool
    domain:
      description: Prefix of the pool's hosted UI domain, if it has one.
      type: str
    tags:
      description: Resource tags.
      type: dict
"""

import re

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.dicoogle.aws.plugins.module_utils import cognito
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import reconcile_tags
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import tag_changes

POOL_NAME = re.compile(r"^[\w\s+=,.@-]{1,128}$")
# Settings the module manages and sends itself in UpdateUserPool; the legacy message settings are
# left out of the ones sent back as they are, as VerificationMessageTemplate carries them.
MANAGED = ("Policies", "AutoVerifiedAttributes", "AdminCreateUserConfig", "DeletionProtection", "MfaConfiguration", "UserPoolTags")
NOT_SENT_BACK = MANAGED + ("UserPoolId", "PoolName", "SmsVerificationMessage", "EmailVerificationMessage", "EmailVerificationSubject")
PASSWORD_KEYS = (("minimum_length", "MinimumLength"), ("require_uppercase", "RequireUppercase"),
                 ("require_lowercase", "RequireLowercase"), ("require_numbers", "RequireNumbers"),
                 ("require_symbols", "RequireSymbols"))


def find(client, module):
    name = module.params["name"]
    ours = cognito.user_pool_ids_named(client, name)
    if len(ours) > 1:
        module.fail_json(msg="%d user pools are named %s (%s); remove the extra ones or rename them"
                             % (len(ours), name, ", ".join(sorted(ours))))
    if not ours:
        return None
    return cognito.describe_user_pool(client, ours[0], with_mfa=True)


def wanted_settings(params, current):
    policy = params["password_policy"]
    settings = {
        "password_policy": {key: policy[key] for key, _aws in PASSWORD_KEYS},
        "temporary_password_validity_days": params["temporary_password_validity_days"],
        "admin_create_user_only": params["admin_create_user_only"],
        "mfa": params["mfa"],
        "username_attributes": sorted(set(params["username_attributes"])),
        "auto_verified_attributes": sorted(set(params["auto_verified_attributes"])),
        "deletion_protection": params["deletion_protection"],
    }
    current_tags = current["tags"] if current else {}
    if params["tags"] is None:
        settings["tags"] = current_tags
    else:
        settings["tags"] = tag_changes(current_tags, params["tags"], params["purge_tags"])[2]
    return settings


def current_settings(pool):
    policy = pool.get("Policies", {}).get("PasswordPolicy", {})
    return {
        "password_policy": {key: policy.get(aws) for key, aws in PASSWORD_KEYS},
        "temporary_password_validity_days": policy.get("TemporaryPasswordValidityDays"),
        "admin_create_user_only": pool.get("AdminCreateUserConfig", {}).get("AllowAdminCreateUserOnly", False),
        "mfa": pool.get("MfaConfiguration", "OFF").lower(),
        "username_attributes": sorted(pool.get("UsernameAttributes") or []),
        "auto_verified_attributes": sorted(pool.get("AutoVerifiedAttributes") or []),
        "deletion_protection": pool.get("DeletionProtection") == "ACTIVE",
        "tags": pool.get("UserPoolTags") or {},
    }


def password_policy(settings, current_policy=None):
    policy = dict(current_policy or {})
    policy.update({aws: settings["password_policy"][key] for key, aws in PASSWORD_KEYS})
    policy["TemporaryPasswordValidityDays"] = settings["temporary_password_validity_days"]
    return policy


def set_mfa(client, pool_id, mfa, current_config):
    # Cognito turns MFA on only with a factor enabled, which UpdateUserPool cannot do: the software
    # token factor is enabled here, before UpdateUserPool repeats the setting. The SMS and e-mail
    # factors (and passkeys) are sent back as they are, so that this call leaves them alone.
    args = {}
    if mfa != "off":
        args["SoftwareTokenMfaConfiguration"] = {"Enabled": True}
        accepted = cognito.accepted_arguments(client, "SetUserPoolMfaConfig")
        for factor in ("SmsMfaConfiguration", "EmailMfaConfiguration", "WebAuthnConfiguration"):
            if factor in accepted and current_config.get(factor):
                args[factor] = current_config[factor]
    cognito.set_user_pool_mfa(client, pool_id, mfa, args)


def mfa_differs(pool, wanted):
    if current_settings(pool)["mfa"] != wanted["mfa"]:
        return True
    token = (pool["MfaConfig"].get("SoftwareTokenMfaConfiguration") or {}).get("Enabled", False)
    return wanted["mfa"] != "off" and not token


def create(client, module, wanted):
    params = module.params
    args = dict(
        Policies={"PasswordPolicy": password_policy(wanted)},
        AutoVerifiedAttributes=wanted["auto_verified_attributes"],
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": wanted["admin_create_user_only"]},
        DeletionProtection="ACTIVE" if wanted["deletion_protection"] else "INACTIVE",
    )
    if wanted["username_attributes"]:
        args["UsernameAttributes"] = wanted["username_attributes"]
    if wanted["tags"]:
        args["UserPoolTags"] = wanted["tags"]
    pool = cognito.create_user_pool(client, params["name"], args)
    if wanted["mfa"] != "off":
        set_mfa(client, pool["Id"], wanted["mfa"], {})
    return pool["Id"]


def update(client, module, pool, wanted):
    """Bring an existing pool to the wanted settings; returns whether anything changed."""
    current = current_settings(pool)
    if current["username_attributes"] != wanted["username_attributes"]:
        module.fail_json(
            msg="user pool %s (%s) exists with username_attributes %s, which Cognito cannot change to %s: remove it "
                "(state=absent) and create it again" % (pool["Name"], pool["Id"], current["username_attributes"] or "[]",
                                                        wanted["username_attributes"] or "[]"))
    settings = ("password_policy", "temporary_password_validity_days", "admin_create_user_only", "mfa",
                "auto_verified_attributes", "deletion_protection")
    update_needed = any(current[key] != wanted[key] for key in settings) or mfa_differs(pool, wanted)
    to_add, to_remove, _after = tag_changes(current["tags"], wanted["tags"], True)
    if not (update_needed or to_add or to_remove):
        return False
    if module.check_mode:
        return True
    if mfa_differs(pool, wanted):
        set_mfa(client, pool["Id"], wanted["mfa"], pool["MfaConfig"])
    if update_needed:
        # UpdateUserPool resets to its default every setting it is not given: the managed ones are
        # all sent (Policies, AutoVerifiedAttributes, AdminCreateUserConfig, DeletionProtection,
        # MfaConfiguration, UserPoolTags) and the others are sent back as DescribeUserPool gave them.
        accepted = cognito.accepted_arguments(client, "UpdateUserPool")
        args = {key: value for key, value in pool.items() if key in accepted and key not in NOT_SENT_BACK}
        policies = dict(pool.get("Policies", {}))
        policies["PasswordPolicy"] = password_policy(wanted, policies.get("PasswordPolicy"))
        admin = {k: v for k, v in pool.get("AdminCreateUserConfig", {}).items() if k != "UnusedAccountValidityDays"}
        admin["AllowAdminCreateUserOnly"] = wanted["admin_create_user_only"]
        args.update(
            Policies=policies,
            AutoVerifiedAttributes=wanted["auto_verified_attributes"],
            AdminCreateUserConfig=admin,
            DeletionProtection="ACTIVE" if wanted["deletion_protection"] else "INACTIVE",
            MfaConfiguration=wanted["mfa"].upper(),
            UserPoolTags=wanted["tags"],
        )
        cognito.update_user_pool(client, pool, args)
    reconcile_tags(module, current["tags"], wanted["tags"], True,
                   lambda to_add, to_remove: cognito.retag_user_pool(client, pool, to_add, to_remove))
    return True


def converge_domain(client, module, pool):
    """Gives the pool the prefix domain asked, unless it has it; returns whether it changed (check mode: would)."""
    domain, pool_id = module.params["domain"], pool.get("Id")
    if pool.get("Domain") == domain:
        return False
    if pool.get("Domain"):
        module.fail_json(msg="user pool %s already has the domain %s, and a pool has one prefix domain; remove it "
                             "(dicoogle.aws.cognito_user_pool_domain, state=absent) first" % (pool_id, pool["Domain"]))
    holder = cognito.describe_domain(client, domain)
    if holder and holder["UserPoolId"] != pool_id:
        module.fail_json(msg="domain %s belongs to user pool %s, not %s; remove it from that pool first or choose another prefix"
                             % (domain, holder["UserPoolId"], pool_id))
    if not module.check_mode:
        cognito.create_domain(client, pool_id, domain)
    return True


def delete(client, module, pool):
    if pool.get("DeletionProtection") == "ACTIVE":
        module.fail_json(msg="user pool %s (%s) has deletion protection: set deletion_protection: false (state=present) "
                             "first, then remove it" % (pool["Name"], pool["Id"]))
    if not module.check_mode:
        cognito.delete_user_pool(client, pool)


def validate(module):
    params = module.params
    if not POOL_NAME.match(params["name"]):
        module.fail_json(msg="name %r must be 1-128 letters, digits, spaces or +=,.@_-" % params["name"])
    if params["state"] == "absent":
        return
    length = params["password_policy"]["minimum_length"]
    if not 8 <= length <= 99:
        module.fail_json(msg="password_policy.minimum_length must be 8-99, got %d" % length)
    days = params["temporary_password_validity_days"]
    if not 1 <= days <= 365:
        module.fail_json(msg="temporary_password_validity_days must be 1-365, got %d" % days)
    problem = cognito.domain_problem(params["domain"]) if params["domain"] is not None else None
    if problem:
        module.fail_json(msg=problem)


def returned(pool, settings):
    result = dict(settings)
    result.update(id=pool.get("Id"), arn=pool.get("Arn"), name=pool.get("Name"), domain=pool.get("Domain"))
    return result


@fails_on_aws_errors
def run(module):
    params = module.params
    client = cognito.client_of(module)
    pool = find(client, module)
    before = {}
    if pool:
        before = current_settings(pool)

    if params["state"] == "absent":
        changed = pool is not None
        if pool:
            delete(client, module, pool)
        module.exit_json(changed=changed, user_pool={}, diff=dict(before=before, after={}))

    wanted = wanted_settings(params, before or None)
    if pool is None:
        changed = True
        if module.check_mode:
            module.exit_json(changed=True, user_pool=returned({"Name": params["name"], "Domain": params["domain"]}, wanted),
                             diff=dict(before={}, after=wanted))
        pool = cognito.describe_user_pool(client, create(client, module, wanted), with_mfa=True)
    else:
        changed = update(client, module, pool, wanted)
    if params["domain"] is not None:
        if before:
            before["domain"] = pool.get("Domain")
        changed |= converge_domain(client, module, pool)
    if changed and not module.check_mode:
        pool = cognito.describe_user_pool(client, pool["Id"], with_mfa=True)
    settings = wanted if module.check_mode else current_settings(pool)
    if params["domain"] is not None:
        settings["domain"] = params["domain"]
    # The tags just set are the ones returned, whatever the lag of DescribeUserPool.
    settings["tags"] = wanted["tags"]
    module.exit_json(changed=changed, user_pool=returned(pool, settings), diff=dict(before=before, after=settings))


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        admin_create_user_only=dict(type="bool", default=True),
        temporary_password_validity_days=dict(type="int", default=3, no_log=False),
        password_policy=dict(
            type="dict",
            default={},
            no_log=False,
            options=dict(
                minimum_length=dict(type="int", default=14),
                require_uppercase=dict(type="bool", default=True),
                require_lowercase=dict(type="bool", default=True),
                require_numbers=dict(type="bool", default=True),
                require_symbols=dict(type="bool", default=True),
            ),
        ),
        mfa=dict(type="str", choices=["off", "optional", "on"], default="optional"),
        username_attributes=dict(type="list", elements="str", choices=["email", "phone_number"], default=["email"]),
        auto_verified_attributes=dict(type="list", elements="str", choices=["email", "phone_number"], default=["email"]),
        deletion_protection=dict(type="bool", default=False),
        domain=dict(type="str"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    run(module)


if __name__ == "__main__":
    main()
