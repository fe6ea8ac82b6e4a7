#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: secretsmanager_secrets
short_description: Create, update or delete a set of Secrets Manager secrets in one call
version_added: 0.1.0
description:
  - Makes each secret of O(secrets) exist with its string value, the key, description and tags given (which
    all of them share), or deletes each secret of O(names).
  - Fills a gap of amazon.aws.secretsmanager_secret, which manages one secret a call; a loop over it pays a
    module start per secret, the greater part of a no-change run of a dozen certificates and keys. Options are
    named as that module names them; rotation, replicas, resource policies and JSON values are that module's.
  - A secret scheduled for deletion is restored before it is updated, as a secret of that name cannot be
    created meanwhile.
  - Values are compared with the current ones and never returned, printed or put in a message.
  - Supports check mode and diff mode (the diff names the secrets and what changes, never a value).
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  secrets:
    description:
      - The secrets to make exist, each name with its string value. Required with O(state=present).
      - A value may instead be a dict with the keys C(value) (the string, required), C(description) and C(overwrite),
        which then stand for O(description) and O(overwrite) for that secret alone (version 0.3.0).
    type: dict
  names:
    description: The names (or ARNs) of the secrets to delete. Required with O(state=absent).
    type: list
    elements: str
  description:
    description: The description of every secret of O(secrets) that does not give its own.
    type: str
    default: ""
  kms_key_id:
    description:
      - The KMS key that encrypts every secret of O(secrets); not given, Secrets Manager's own.
      - Compared with the key DescribeSecret reports, as given at the secret's creation; give the key's ARN,
        as the key of a secret is compared by that string.
    type: str
  tags:
    description: The tags of every secret of O(secrets); not given, their tags are left as they are.
    type: dict
  purge_tags:
    description: Whether tags not in O(tags) are removed (when O(tags) is given).
    type: bool
    default: true
  overwrite:
    description:
      - Whether the value of a secret that exists is replaced when it differs, for every secret of O(secrets) that
        does not say. With C(false) a value is only written at the secret's creation, as for a generated password
        kept once made.
    type: bool
    default: true
  recovery_window:
    description:
      - Days Secrets Manager keeps a deleted secret recoverable, 7 to 30; C(0) deletes it at once, without recovery.
    type: int
    default: 30
  state:
    description: Whether the secrets exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Store the deployment's CA certificate and a leaf's key under its KMS key
  dicoogle.aws.secretsmanager_secrets:
    secrets:
      dicoogle/ca-cert: "{{ lookup('ansible.builtin.file', 'pki/ca.crt', rstrip=false) }}"
      dicoogle/nginx-key: "{{ lookup('ansible.builtin.file', 'pki/nginx.key', rstrip=false) }}"
    description: "dicoogle.aws dicoogle: PKI and key material"
    kms_key_id: alias/dicoogle
    tags: {"dicoogle:deployment": dicoogle}
  no_log: true

- name: Keep a generated password beside them, written only when its secret is created
  dicoogle.aws.secretsmanager_secrets:
    secrets:
      dicoogle/ca-cert: "{{ lookup('ansible.builtin.file', 'pki/ca.crt', rstrip=false) }}"
      dicoogle/pacs-admin-password:
        value: "{{ lookup('ansible.builtin.password', '/dev/null', length=24) }}"
        description: "dicoogle.aws dicoogle: the PACS administrator's password"
        overwrite: false
    description: "dicoogle.aws dicoogle: PKI and key material"
    kms_key_id: alias/dicoogle
  no_log: true

- name: Delete them at once
  dicoogle.aws.secretsmanager_secrets:
    names: [dicoogle/ca-cert, dicoogle/nginx-key]
    recovery_window: 0
    state: absent
"""

RETURN = r"""
secrets:
  description: Each secret of O(secrets) (or O(names)), in order, with its ARN; never its value.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The secret's name, as given.
      type: str
    arn:
      description: Its ARN; absent for a secret that check mode would create, or once deleted.
      type: str
      sample: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:dicoogle/ca-cert-AbCdEf"
    version_id:
      description:
        - The id of its current (C(AWSCURRENT)) version after the run; a new one when its value changed. An ECS task
          definition that names it (C(<arn>:::<version_id>)) changes with the value, so its service rolls onto it.
      returned: with O(state=present), for a secret that exists (not in check mode when its value would change)
      type: str
      sample: "0e9c5b1e-4b6f-4c43-9a4c-2f4c8f1d2a11"
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.dicoogle.aws.plugins.module_utils import secretsmanager
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import tag_changes


SECRET_KEYS = ("value", "description", "overwrite")


def wanted_secrets(module):
    """Each secret of the secrets option as (name, value, description, overwrite), or fails naming every one given wrong."""
    params, wanted, wrong = module.params, [], []
    for name, given in params["secrets"].items():
        if not isinstance(given, dict):
            wanted.append((name, str(given), params["description"], params["overwrite"]))
            continue
        unknown = sorted(set(given) - set(SECRET_KEYS))
        if unknown or given.get("value") is None:
            wrong.append("%s (%s)" % (name, "unknown keys " + ", ".join(unknown) if unknown else "no value"))
            continue
        try:
            overwrite = module.boolean(given.get("overwrite", params["overwrite"]))
        except TypeError:
            wrong.append("%s (overwrite is not a boolean)" % name)
            continue
        wanted.append((name, str(given["value"]), str(given.get("description", params["description"])), overwrite))
    if wrong:
        module.fail_json(msg="secrets: a secret given as a dict takes value (required), description and overwrite: " + "; ".join(wrong))
    return wanted


def converge(module, client, name, value, description, overwrite, tags):
    """Brings one secret to what is asked; returns (what changed, by name of the setting; the secret's ARN; the id of
    its current version, None in check mode when it would change)."""
    params = module.params
    found = secretsmanager.describe(client, name)
    if found is None:
        if module.check_mode:
            return ["created"], None, None
        arguments = {"Description": description}
        if params["kms_key_id"]:
            arguments["KmsKeyId"] = params["kms_key_id"]
        if tags:
            arguments["Tags"] = ansible_dict_to_boto3_tag_list(tags)
        created = secretsmanager.create(client, name, value, arguments)
        return ["created"], created["ARN"], created.get("VersionId")
    changes, version = [], secretsmanager.current_version(found)
    if found.get("DeletedDate"):
        changes.append("restored")
        if not module.check_mode:
            secretsmanager.restore(client, name)
    update = {}
    if (found.get("Description") or "") != description:
        update["Description"] = description
    if params["kms_key_id"] and found.get("KmsKeyId") != params["kms_key_id"]:
        update["KmsKeyId"] = params["kms_key_id"]
    if update:
        changes.extend(sorted({"Description": "description", "KmsKeyId": "kms_key_id"}[k] for k in update))
        if not module.check_mode:
            secretsmanager.update(client, name, update)
    # a restored secret's value is read once it is restored (check mode: it is compared as if it were)
    if overwrite and not (module.check_mode and "restored" in changes):
        if secretsmanager.current_value(client, name) != value:
            changes.append("value")
            version = None if module.check_mode else secretsmanager.put_value(client, name, value)
    to_add, to_remove = tag_changes(boto3_tag_list_to_ansible_dict(found.get("Tags") or []), tags, params["purge_tags"])[:2] \
        if tags is not None else ({}, [])
    if to_add or to_remove:
        changes.append("tags")
        if not module.check_mode:
            secretsmanager.retag(client, name, to_add, to_remove)
    return changes, found["ARN"], version


@fails_on_aws_errors
def run(module):
    params = module.params
    client = secretsmanager.client_of(module)
    results, before, after = [], {}, {}
    if params["state"] == "absent":
        for name in params["names"]:
            found = secretsmanager.describe(client, name)
            results.append({"name": name})
            # one already scheduled for deletion is gone unless it must go at once
            if found is None or (found.get("DeletedDate") and params["recovery_window"] != 0):
                continue
            before[name], after[name] = "exists", "deleted"
            if not module.check_mode:
                secretsmanager.delete(client, name, params["recovery_window"])
        module.exit_json(changed=bool(after), secrets=results, diff={"before": before, "after": after})
    tags = None if params["tags"] is None else {str(k): str(v) for k, v in params["tags"].items()}
    for name, value, description, overwrite in wanted_secrets(module):
        changes, arn, version = converge(module, client, name, value, description, overwrite, tags)
        results.append({"name": name, **({"arn": arn} if arn else {}), **({"version_id": version} if version else {})})
        if changes:
            before[name], after[name] = "absent" if changes == ["created"] else "as found", "changed: " + ", ".join(changes)
    module.exit_json(changed=bool(after), secrets=results, diff={"before": before, "after": after})


def main():
    argument_spec = dict(
        secrets=dict(type="dict", no_log=True),
        names=dict(type="list", elements="str"),
        description=dict(type="str", default=""),
        kms_key_id=dict(type="str"),
        tags=dict(type="dict"),
        purge_tags=dict(type="bool", default=True),
        overwrite=dict(type="bool", default=True),
        recovery_window=dict(type="int", default=30),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True,
                              required_if=[("state", "present", ["secrets"]), ("state", "absent", ["names"])])
    window = module.params["recovery_window"]
    if window != 0 and not 7 <= window <= 30:
        module.fail_json(msg="recovery_window must be 0 (at once) or 7 to 30 days; got %d" % window)
    run(module)


if __name__ == "__main__":
    main()
