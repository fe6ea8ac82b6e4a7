#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cognito_user
short_description: Manage a user of an Amazon Cognito user pool, created by an administrator
version_added: 0.1.0
description:
  - Creates, updates or deletes one user of a Cognito user pool, as an administrator does
    (C(AdminCreateUser)); the user signs in first with a temporary password and must choose their
    own (status C(FORCE_CHANGE_PASSWORD)).
  - Updates in place the attributes given (others are left as they are) and whether the user is
    enabled.
  - Never changes the password of an existing user. O(temporary_password) is used only when the
    user is created; once the user exists, changing it changes nothing (reset a password with
    C(aws cognito-idp admin-set-user-password), or remove the user and create it again).
  - With O(password) instead, the user gets a permanent password (C(AdminSetUserPassword) with
    C(Permanent)) and no invitation, for an account that signs in unattended, such as the
    playbooks' own. It is set when the user is created, and on an existing user only while the
    user still waits for a first sign-in (status C(FORCE_CHANGE_PASSWORD)), so that a second run
    changes nothing.
  - Fills a gap of amazon.aws and community.aws, which have no module for Cognito users.
  - The password is never returned.
  - Supports check mode and diff of the attributes given and of O(enabled).
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  user_pool_id:
    description: ID of the user pool, such as C(eu-west-1_AbCdEf123).
    type: str
    required: true
  username:
    description:
      - Name of the user (1-128 characters, no spaces). In a pool whose users sign in with their
        email address or phone number, that address or number.
    type: str
    required: true
  state:
    description: Whether the user should exist.
    type: str
    choices: [present, absent]
    default: present
  attributes:
    description:
      - Attributes of the user, name to value, such as C(email) and C(email_verified). Custom
        attributes are named C(custom:<name>).
      - Values are strings; a boolean is sent as C("true") or C("false").
      - Only the attributes given are compared and updated; the others are left as they are.
      - Changing C(email) or C(phone_number) makes Cognito mark it unverified unless
        C(email_verified) or C(phone_number_verified) is given as C("true") with it.
    type: dict
    default: {}
  temporary_password:
    description:
      - Password of the user's first sign-in (8-256 characters, no spaces, and whatever more the
        pool's password policy asks), after which the user must choose their own.
      - Used only when the user is created; never compared with, nor sent to, an existing user.
      - Not given, Cognito generates one and sends it to the user by O(desired_delivery_mediums).
    type: str
  password:
    description:
      - Permanent password of the user (8-256 characters, no spaces, and whatever more the pool's
        password policy asks). The user is created with it, without an invitation, and never asked
        to change it (status C(CONFIRMED)).
      - Set when the user is created or still has status C(FORCE_CHANGE_PASSWORD); never compared
        with the password of a confirmed user.
      - Mutually exclusive with O(temporary_password).
    type: str
    version_added: 0.2.0
  desired_delivery_mediums:
    description:
      - How Cognito sends the invitation and temporary password when it creates the user. C(EMAIL)
        needs the C(email) attribute, C(SMS) the C(phone_number) attribute.
    type: list
    elements: str
    choices: [EMAIL, SMS]
    default: [EMAIL]
  suppress_message:
    description:
      - Whether Cognito sends no invitation when it creates the user (C(MessageAction=SUPPRESS)).
      - With no O(temporary_password), the user then cannot learn the one Cognito generates.
    type: bool
    default: false
  enabled:
    description: Whether the user may sign in.
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The PACS administrator, invited by email (Cognito generates and sends the temporary password)
  dicoogle.aws.cognito_user:
    user_pool_id: "{{ pool.user_pool.id }}"
    username: radiology-admin
    attributes:
      email: admin@hospital.example.org
      email_verified: "true"

- name: A test user, with a temporary password from the vault and no invitation
  dicoogle.aws.cognito_user:
    user_pool_id: "{{ pool.user_pool.id }}"
    username: tester
    temporary_password: "{{ vault_tester_password }}"
    suppress_message: true
    attributes:
      email: tester@example.org
  no_log: true

- name: The playbooks' own account, with a permanent password kept in Secrets Manager
  dicoogle.aws.cognito_user:
    user_pool_id: "{{ pool.user_pool.id }}"
    username: pacs-automation
    password: "{{ lookup('amazon.aws.secretsmanager_secret', 'pacs/web-automation') }}"
  no_log: true

- name: Lock the account out, keeping it
  dicoogle.aws.cognito_user:
    user_pool_id: "{{ pool.user_pool.id }}"
    username: tester
    enabled: false

- name: Remove it
  dicoogle.aws.cognito_user:
    user_pool_id: "{{ pool.user_pool.id }}"
    username: tester
    state: absent
"""

RETURN = r"""
user:
  description: The user, never with a password; empty when absent, or when check mode would create it.
  returned: always
  type: dict
  contains:
    username:
      description: Name of the user in the pool (a generated ID in a pool whose users sign in with their email address).
      type: str
      sample: radiology-admin
    user_pool_id:
      description: User pool.
      type: str
      sample: eu-west-1_AbCdEf123
    status:
      description: Status, such as C(FORCE_CHANGE_PASSWORD) until the first sign-in, then C(CONFIRMED).
      type: str
      sample: FORCE_CHANGE_PASSWORD
    enabled:
      description: Whether the user may sign in.
      type: bool
    attributes:
      description: All the attributes of the user, C(sub) (its unique ID) included.
      type: dict
      sample: {"email": "admin@hospital.example.org", "email_verified": "true", "sub": "0123abcd-..."}
"""

import re

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.dicoogle.aws.plugins.module_utils import cognito
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors
from ansible_collections.dicoogle.aws.plugins.module_utils.cognito import POOL_ID


def wanted_attributes(params):
    """The attributes given, as the strings Cognito keeps (YAML's true is "true", not "True")."""
    return {name: (("true" if value else "false") if isinstance(value, bool) else str(value))
            for name, value in (params["attributes"] or {}).items()}


def validate(module):
    params = module.params
    if not POOL_ID.match(params["user_pool_id"]) or len(params["user_pool_id"]) > 55:
        module.fail_json(msg="user_pool_id %r is not a Cognito user pool ID (such as eu-west-1_AbCdEf123)" % params["user_pool_id"])
    if not 1 <= len(params["username"]) <= 128 or re.search(r"\s", params["username"]):
        module.fail_json(msg="username %r must be 1-128 characters without spaces" % params["username"])
    if params["state"] == "absent":
        return
    # the messages name the option, never the value (no_log hides it anyway)
    for option in ("temporary_password", "password"):
        password = params[option]
        if password is not None and (not 8 <= len(password) <= 256 or re.search(r"\s", password)):
            module.fail_json(msg="%s must be 8-256 characters without spaces (and meet the pool's password policy)" % option)
    attributes = params["attributes"] or {}
    empty = sorted(name for name, value in attributes.items() if value is None)
    if empty:
        module.fail_json(msg="attributes %r have no value: give each one a string" % empty)
    if "sub" in attributes:
        module.fail_json(msg="attributes cannot set sub: Cognito gives each user its own, which never changes")
    bad = sorted(name for name in attributes if not 1 <= len(name) <= 32)
    if bad:
        module.fail_json(msg="attributes names must be 1-32 characters, got %r" % bad)
    too_long = sorted(name for name, value in wanted_attributes(params).items() if len(value) > 2048)
    if too_long:
        module.fail_json(msg="attributes values must be 2048 characters at most, not those of %r" % too_long)
    if params["temporary_password"] is None and params["password"] is None and params["suppress_message"]:
        module.warn("suppress_message without temporary_password: nobody learns the password Cognito generates for a new user")


def attributes_of(user):
    # AdminGetUser says UserAttributes, AdminCreateUser Attributes
    return {a["Name"]: a.get("Value", "") for a in user.get("UserAttributes", user.get("Attributes", []))}


def view(user, user_pool_id):
    """The user as the module returns it: never a password (Cognito returns none either)."""
    return {
        "username": user["Username"],
        "user_pool_id": user_pool_id,
        "status": user.get("UserStatus"),
        "enabled": bool(user.get("Enabled", True)),
        "attributes": attributes_of(user),
    }


def set_enabled(client, module, enabled):
    params = module.params
    cognito.set_user_enabled(client, params["user_pool_id"], params["username"], "enable" if enabled else "disable")


def set_permanent_password(client, module):
    params = module.params
    cognito.set_permanent_password(client, params["user_pool_id"], params["username"], params["password"])


def waits_for_first_sign_in(user):
    return user.get("UserStatus") == "FORCE_CHANGE_PASSWORD"


def create(client, module):
    params = module.params
    request = dict(
        UserAttributes=[{"Name": k, "Value": v} for k, v in sorted(wanted_attributes(params).items())],
    )
    if params["desired_delivery_mediums"]:
        request["DesiredDeliveryMediums"] = params["desired_delivery_mediums"]
    # a permanent password is first the temporary one, which AdminSetUserPassword then confirms
    password = params["password"] if params["password"] is not None else params["temporary_password"]
    if password is not None:
        request["TemporaryPassword"] = password
    if params["suppress_message"] or params["password"] is not None:
        request["MessageAction"] = "SUPPRESS"
    user = cognito.create_user(client, params["user_pool_id"], params["username"], request)
    if params["password"] is not None:
        set_permanent_password(client, module)
        user["UserStatus"] = "CONFIRMED"
    if not params["enabled"]:
        set_enabled(client, module, False)
        user["Enabled"] = False
    return user


def ensure_present(client, module, current):
    params = module.params
    if current is None:
        if module.check_mode:
            return True, {}
        return True, view(create(client, module), params["user_pool_id"])

    have = attributes_of(current)
    # only the attributes given are compared; the password of an existing user is never touched
    differing = {k: v for k, v in wanted_attributes(params).items() if have.get(k) != v}
    enable = bool(current.get("Enabled", True)) != params["enabled"]
    confirm = params["password"] is not None and waits_for_first_sign_in(current)
    if not (differing or enable or confirm):
        return False, view(current, params["user_pool_id"])
    if module.check_mode:
        predicted = view(current, params["user_pool_id"])
        predicted["attributes"].update(differing)
        predicted["enabled"] = params["enabled"]
        if confirm:
            predicted["status"] = "CONFIRMED"
        return True, predicted
    if differing:
        cognito.update_user_attributes(client, params["user_pool_id"], params["username"], differing)
    if enable:
        set_enabled(client, module, params["enabled"])
    if confirm:
        set_permanent_password(client, module)
    return True, view(cognito.get_user(client, params["user_pool_id"], params["username"]), params["user_pool_id"])


def ensure_absent(client, module, current):
    params = module.params
    if current is None:
        return False, {}
    if not module.check_mode and not cognito.delete_user(client, params["user_pool_id"], params["username"]):
        return False, {}  # deleted meanwhile
    return True, {}


@fails_on_aws_errors
def run(module):
    client = cognito.client_of(module)
    current = cognito.get_user(client, module.params["user_pool_id"], module.params["username"])
    given = sorted(wanted_attributes(module.params))
    before = {}
    if current:
        have = attributes_of(current)
        before = {"attributes": {k: have[k] for k in given if k in have}, "enabled": bool(current.get("Enabled", True))}
    if module.params["state"] == "present":
        changed, user = ensure_present(client, module, current)
        after = {"attributes": wanted_attributes(module.params), "enabled": module.params["enabled"]}
    else:
        changed, user = ensure_absent(client, module, current)
        after = {}
    module.exit_json(changed=changed, user=user, diff=dict(before=before, after=after))


def main():
    argument_spec = dict(
        user_pool_id=dict(type="str", required=True),
        username=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        attributes=dict(type="dict", default={}),
        temporary_password=dict(type="str", no_log=True),
        password=dict(type="str", no_log=True),
        desired_delivery_mediums=dict(type="list", elements="str", choices=["EMAIL", "SMS"], default=["EMAIL"]),
        suppress_message=dict(type="bool", default=False),
        enabled=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True,
                              mutually_exclusive=[("temporary_password", "password")])
    validate(module)
    run(module)


if __name__ == "__main__":
    main()
