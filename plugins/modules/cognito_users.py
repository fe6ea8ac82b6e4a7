#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cognito_users
short_description: Manage several users of an Amazon Cognito user pool, created by an administrator, in one call
version_added: 0.1.0
description:
  - Creates, updates or deletes each user of O(users) in one Cognito user pool, as an administrator does
    (C(AdminCreateUser)); a user signs in first with a temporary password and must choose their own (status
    C(FORCE_CHANGE_PASSWORD)).
  - Fills a gap of amazon.aws and community.aws, which have no module for Cognito users. Replaces
    C(dicoogle.aws.cognito_user), which managed one user a call, so that a loop over it paid a module start per
    user; the options of a user are that module's, in O(users).
  - Updates in place the attributes given (others are left as they are) and whether the user is enabled.
  - Never changes the password of an existing user. O(users[].temporary_password) is used only when the user is
    created; once the user exists, changing it changes nothing (reset a password with
    C(aws cognito-idp admin-set-user-password), or remove the user and create it again).
  - With O(users[].password) instead, the user gets a permanent password (C(AdminSetUserPassword) with
    C(Permanent)) and no invitation, for an account that signs in unattended, such as the playbooks' own. It is
    set when the user is created, and on an existing user only while the user still waits for a first sign-in
    (status C(FORCE_CHANGE_PASSWORD)), so that a second run changes nothing.
  - Either password may instead be read by the module from Secrets Manager (O(users[].temporary_password_secret),
    O(users[].password_secret)), so that it never passes through Ansible's variables. A secret is read only when its
    password is used, when the user is created or confirmed, never in check mode; that needs
    C(secretsmanager:GetSecretValue) on the secret and C(kms:Decrypt) on the KMS key that encrypts it (Secrets
    Manager's own key, C(aws/secretsmanager), allows it to the account's principals).
  - Every user is checked, and every user and password needed is read, before any change; a list with one
    invalid user, or one missing secret, changes nothing.
  - A password is never returned nor put in a message.
  - Supports check mode and diff of the attributes given and of O(users[].enabled), by username.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  user_pool_id:
    description: ID of the user pool, such as C(eu-west-1_AbCdEf123).
    type: str
    required: true
  users:
    description:
      - The users, each at most once. With O(state=absent), only O(users[].username) matters.
    type: list
    elements: dict
    required: true
    suboptions:
      username:
        description:
          - Name of the user (1-128 characters, no spaces). In a pool whose users sign in with their email
            address or phone number, that address or number.
        type: str
        required: true
      attributes:
        description:
          - Attributes of the user, name to value, such as C(email) and C(email_verified). Custom attributes
            are named C(custom:<name>).
          - Values are strings; a boolean is sent as C("true") or C("false").
          - Only the attributes given are compared and updated; the others are left as they are.
          - Changing C(email) or C(phone_number) makes Cognito mark it unverified unless C(email_verified) or
            C(phone_number_verified) is given as C("true") with it.
        type: dict
        default: {}
      temporary_password:
        description:
          - Password of the user's first sign-in (8-256 characters, no spaces, and whatever more the pool's
            password policy asks), after which the user must choose their own.
          - Used only when the user is created; never compared with, nor sent to, an existing user.
          - Given none of the four password options, Cognito generates one and sends it to the user by
            O(users[].desired_delivery_mediums).
          - At most one of O(users[].temporary_password), O(users[].password),
            O(users[].temporary_password_secret) and O(users[].password_secret) is given.
        type: str
      password:
        description:
          - Permanent password of the user (8-256 characters, no spaces, and whatever more the pool's password
            policy asks). The user is created with it, without an invitation, and never asked to change it
            (status C(CONFIRMED)).
          - Set when the user is created or still has status C(FORCE_CHANGE_PASSWORD); never compared with the
            password of a confirmed user.
        type: str
      temporary_password_secret:
        description:
          - Name or ARN of a Secrets Manager secret whose string value is O(users[].temporary_password).
          - Read by the module when it creates the user, and only then (not in check mode).
          - Needs C(secretsmanager:GetSecretValue) on the secret and C(kms:Decrypt) on its KMS key.
        type: str
      password_secret:
        description:
          - Name or ARN of a Secrets Manager secret whose string value is O(users[].password).
          - Read by the module when it creates the user or confirms a user still in status
            C(FORCE_CHANGE_PASSWORD), and only then (not in check mode).
          - Needs C(secretsmanager:GetSecretValue) on the secret and C(kms:Decrypt) on its KMS key.
        type: str
      desired_delivery_mediums:
        description:
          - How Cognito sends the invitation and temporary password when it creates the user. C(EMAIL) needs
            the C(email) attribute, C(SMS) the C(phone_number) attribute.
        type: list
        elements: str
        choices: [EMAIL, SMS]
        default: [EMAIL]
      suppress_message:
        description:
          - Whether Cognito sends no invitation when it creates the user (C(MessageAction=SUPPRESS)).
          - With no password option, the user then cannot learn the one Cognito generates.
        type: bool
        default: false
      enabled:
        description: Whether the user may sign in.
        type: bool
        default: true
  state:
    description: Whether the users should exist; C(absent) deletes each user of O(users).
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The PACS administrator, invited by email, and the playbooks' own account, its password in Secrets Manager
  dicoogle.aws.cognito_users:
    user_pool_id: "{{ pool.user_pool.id }}"
    users:
      - username: radiology-admin
        attributes:
          email: admin@hospital.example.org
          email_verified: "true"
      - username: pacs-automation
        password_secret: pacs/web-automation

- name: A test user, with a temporary password from the vault and no invitation
  dicoogle.aws.cognito_users:
    user_pool_id: "{{ pool.user_pool.id }}"
    users:
      - username: tester
        temporary_password: "{{ vault_tester_password }}"
        suppress_message: true
        attributes:
          email: tester@example.org
  no_log: true

- name: Lock the test user out, keeping it
  dicoogle.aws.cognito_users:
    user_pool_id: "{{ pool.user_pool.id }}"
    users:
      - username: tester
        enabled: false

- name: Remove both
  dicoogle.aws.cognito_users:
    user_pool_id: "{{ pool.user_pool.id }}"
    users:
      - username: tester
      - username: radiology-admin
    state: absent
"""

RETURN = r"""
users:
  description:
    - Each user of O(users), in their order, never with a password; empty when absent, or when check mode would
      create it.
  returned: always
  type: list
  elements: dict
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

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.dicoogle.aws.plugins.module_utils import cognito
from ansible_collections.dicoogle.aws.plugins.module_utils import secretsmanager
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors
from ansible_collections.dicoogle.aws.plugins.module_utils.cognito import POOL_ID

PASSWORDS = ("temporary_password", "password")
SECRETS = ("temporary_password_secret", "password_secret")
PASSWORD_OPTIONS = PASSWORDS + SECRETS
PASSWORD_RULE = "must be 8-256 characters without spaces (and meet the pool's password policy)"


def label(index, user):
    return "users[%d] (username %s)" % (index, user["username"])


def bad_password(password):
    return not 8 <= len(password) <= 256 or re.search(r"\s", password)


def problems_of(user, state):
    """What is wrong with one element of users, each problem a message naming options, never a value."""
    if not 1 <= len(user["username"]) <= 128 or re.search(r"\s", user["username"]):
        return ["username must be 1-128 characters without spaces"]
    if state == "absent":
        return []
    given = [option for option in PASSWORD_OPTIONS if user[option] is not None]
    if len(given) > 1:
        return ["%s are mutually exclusive: give at most one of %s" % (", ".join(given), ", ".join(PASSWORD_OPTIONS))]
    found = ["%s %s" % (option, PASSWORD_RULE) for option in PASSWORDS if user[option] is not None and bad_password(user[option])]
    found += ["%s must name a secret (its name or ARN)" % option for option in SECRETS if user[option] is not None and not user[option].strip()]
    attributes = user["attributes"] or {}
    empty = sorted(name for name, value in attributes.items() if value is None)
    if empty:
        found.append("attributes %r have no value: give each one a string" % empty)
    if "sub" in attributes:
        found.append("attributes cannot set sub: Cognito gives each user its own, which never changes")
    bad = sorted(name for name in attributes if not 1 <= len(name) <= 32)
    if bad:
        found.append("attributes names must be 1-32 characters, got %r" % bad)
    too_long = sorted(name for name, value in cognito.wanted_attributes(attributes).items() if len(value) > 2048)
    if too_long:
        found.append("attributes values must be 2048 characters at most, not those of %r" % too_long)
    return found


def validate(module):
    params = module.params
    if not POOL_ID.match(params["user_pool_id"]) or len(params["user_pool_id"]) > 55:
        module.fail_json(msg="user_pool_id %r is not a Cognito user pool ID (such as eu-west-1_AbCdEf123)" % params["user_pool_id"])
    names = [user["username"] for user in params["users"]]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        module.fail_json(msg="users lists a username twice: %s" % ", ".join(twice))
    problems = ["%s: %s" % (label(i, user), problem) for i, user in enumerate(params["users"])
                for problem in problems_of(user, params["state"])]
    if problems:
        module.fail_json(msg="; ".join(problems))
    if params["state"] == "present":
        for i, user in enumerate(params["users"]):
            if user["suppress_message"] and not any(user[option] is not None for option in PASSWORD_OPTIONS):
                module.warn("%s: suppress_message without temporary_password (or another password option): nobody learns the password Cognito "
                            "generates for a new user" % label(i, user))


class Passwords:
    """The passwords the changes need, each read from its secret (once, through one client) when given so."""

    def __init__(self, module):
        self.module = module
        self.client = None

    def of(self, index, user):
        """The user's password (None when Cognito generates it); a secret's is read and checked."""
        for option in PASSWORDS:
            if user[option] is not None:
                return user[option]
        for option in SECRETS:
            if user[option] is not None:
                return self.read(index, user, option)
        return None

    def read(self, index, user, option):
        if self.client is None:
            self.client = secretsmanager.client_of(self.module)
        name = user[option]
        try:
            value = secretsmanager.current_value(self.client, name)
        except AnsibleAWSError as e:
            raise AnsibleAWSError(message="%s: %s (%s)" % (label(index, user), e.message, option), exception=e.exception) from e
        if value is None:
            self.module.fail_json(msg="%s: %s names the secret %s, which does not exist or holds no string"
                                  % (label(index, user), option, name))
        self.module.no_log_values.add(value)  # whatever might print it prints a mask
        if bad_password(value):
            self.module.fail_json(msg="%s: the value of the secret %s (%s) %s" % (label(index, user), name, option, PASSWORD_RULE))
        return value


def before_of(current, user):
    if current is None:
        return {}
    have = cognito.attributes_of(current)
    given = sorted(cognito.wanted_attributes(user["attributes"]))
    return {"attributes": {k: have[k] for k in given if k in have}, "enabled": bool(current.get("Enabled", True))}


def remove(module, client, pool_id, users, found):
    changed, results, before, after = False, [], {}, {}
    for user, current in zip(users, found):
        before[user["username"]], after[user["username"]] = before_of(current, user), {}
        results.append({})
        if current is not None and (module.check_mode or cognito.delete_user(client, pool_id, user["username"])):
            changed = True  # unless it went meanwhile
    module.exit_json(changed=changed, users=results, diff={"before": before, "after": after})


@fails_on_aws_errors
def run(module):
    params = module.params
    pool_id = params["user_pool_id"]
    client = cognito.client_of(module)
    found = [cognito.get_user(client, pool_id, user["username"]) for user in params["users"]]
    if params["state"] == "absent":
        remove(module, client, pool_id, params["users"], found)
        return

    # what changes, and the passwords it needs, before any change
    plans, passwords = [], Passwords(module)
    for i, (user, current) in enumerate(zip(params["users"], found)):
        changes = None if current is None else cognito.user_changes(current, user)
        needed = current is None or changes["confirm"]
        password = passwords.of(i, user) if needed and not module.check_mode else None
        plans.append((changes, password))

    changed, results, before, after = False, [], {}, {}
    for user, current, (changes, password) in zip(params["users"], found, plans):
        before[user["username"]] = before_of(current, user)
        after[user["username"]] = {"attributes": cognito.wanted_attributes(user["attributes"]), "enabled": user["enabled"]}
        if current is None:
            changed = True
            results.append({} if module.check_mode else cognito.user_view(cognito.create_wanted_user(client, pool_id, user, password), pool_id))
        elif not any(changes.values()):
            results.append(cognito.user_view(current, pool_id))
        elif module.check_mode:
            changed = True
            results.append(cognito.predicted_user(current, pool_id, user, changes))
        else:
            changed = True
            results.append(cognito.user_view(cognito.change_user(client, pool_id, user, changes, password), pool_id))
    module.exit_json(changed=changed, users=results, diff={"before": before, "after": after})


def main():
    argument_spec = dict(
        user_pool_id=dict(type="str", required=True),
        users=dict(type="list", elements="dict", required=True, options=dict(
            username=dict(type="str", required=True),
            attributes=dict(type="dict", default={}),
            temporary_password=dict(type="str", no_log=True),
            password=dict(type="str", no_log=True),
            temporary_password_secret=dict(type="str", no_log=False),
            password_secret=dict(type="str", no_log=False),
            desired_delivery_mediums=dict(type="list", elements="str", choices=["EMAIL", "SMS"], default=["EMAIL"]),
            suppress_message=dict(type="bool", default=False),
            enabled=dict(type="bool", default=True),
        )),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    run(module)


if __name__ == "__main__":
    main()
