"""secretsmanager_secrets: a set of secrets converged in one call, as a loop over amazon.aws.secretsmanager_secret
did; values compared, never returned."""

from __future__ import annotations

import json

from ansible_collections.dicoogle.aws.plugins.modules import secretsmanager_secrets

TAGS = {"dicoogle:deployment": "unit"}
VALUES = {"unit/ca-cert": "-----BEGIN CERTIFICATE-----\nCA\n", "unit/nginx-key": "-----BEGIN PRIVATE KEY-----\nK\n"}


def key(aws):
    return aws("kms").create_key()["KeyMetadata"]["Arn"]


def args(kms, **extra):
    return dict({"secrets": dict(VALUES), "description": "unit: PKI", "kms_key_id": kms, "tags": TAGS}, **extra)


def value(aws, name):
    return aws("secretsmanager").get_secret_value(SecretId=name)["SecretString"]


def current(aws, name):
    """The secret's ARN and the id of its AWSCURRENT version, as the module reports them."""
    found = aws("secretsmanager").get_secret_value(SecretId=name)
    return {"name": name, "arn": found["ARN"], "version_id": found["VersionId"]}


def test_creates_the_secrets_once_and_never_returns_a_value(aws, run_module):
    kms = key(aws)
    first = run_module(secretsmanager_secrets, args(kms))
    assert first["changed"] is True
    sm = aws("secretsmanager")
    for name, secret in VALUES.items():
        described = sm.describe_secret(SecretId=name)
        assert value(aws, name) == secret and described["KmsKeyId"] == kms and described["Description"] == "unit: PKI"
        assert {t["Key"]: t["Value"] for t in described["Tags"]} == TAGS
    assert first["secrets"] == [current(aws, n) for n in VALUES]
    assert "PRIVATE KEY" not in json.dumps(first)
    again = run_module(secretsmanager_secrets, args(kms))
    assert again["changed"] is False and again["secrets"] == first["secrets"]


def test_a_changed_value_tag_or_description_is_updated_in_place_and_check_mode_changes_nothing(aws, run_module):
    kms = key(aws)
    first = run_module(secretsmanager_secrets, args(kms))
    changed = dict(VALUES, **{"unit/nginx-key": "-----BEGIN PRIVATE KEY-----\nNEW\n"})
    check = run_module(secretsmanager_secrets, args(kms, secrets=changed), check_mode=True)
    assert check["changed"] is True and check["diff"]["after"] == {"unit/nginx-key": "changed: value"}
    assert value(aws, "unit/nginx-key") == VALUES["unit/nginx-key"]
    done = run_module(secretsmanager_secrets, args(kms, secrets=changed, tags={"other": "x"}, description="new"))
    assert done["changed"] is True and value(aws, "unit/nginx-key") == changed["unit/nginx-key"]
    assert done["diff"]["after"]["unit/ca-cert"] == "changed: description, tags"
    described = aws("secretsmanager").describe_secret(SecretId="unit/ca-cert")
    assert described["Description"] == "new" and {t["Key"]: t["Value"] for t in described["Tags"]} == {"other": "x"}
    # the same secrets, not new ones; the changed value is a new current version, which the module names
    assert [s["arn"] for s in done["secrets"]] == [s["arn"] for s in first["secrets"]]
    assert done["secrets"] == [current(aws, n) for n in VALUES]
    assert done["secrets"][0]["version_id"] == first["secrets"][0]["version_id"]
    assert done["secrets"][1]["version_id"] != first["secrets"][1]["version_id"]


def test_without_overwrite_a_value_is_only_written_at_creation(aws, run_module):
    kms = key(aws)
    run_module(secretsmanager_secrets, args(kms))
    kept = run_module(secretsmanager_secrets, args(kms, secrets={"unit/ca-cert": "other"}, overwrite=False))
    assert kept["changed"] is False and value(aws, "unit/ca-cert") == VALUES["unit/ca-cert"]


def test_check_mode_on_new_secrets_creates_none(aws, run_module):
    check = run_module(secretsmanager_secrets, args(key(aws)), check_mode=True)
    assert check["changed"] is True and check["secrets"] == [{"name": n} for n in VALUES]
    assert aws("secretsmanager").list_secrets()["SecretList"] == []


def test_a_secret_scheduled_for_deletion_is_restored_and_deleted_at_once_on_request(aws, run_module):
    kms = key(aws)
    run_module(secretsmanager_secrets, args(kms))
    sm = aws("secretsmanager")
    sm.delete_secret(SecretId="unit/ca-cert", RecoveryWindowInDays=7)
    restored = run_module(secretsmanager_secrets, args(kms))
    assert restored["changed"] is True and restored["diff"]["after"] == {"unit/ca-cert": "changed: restored"}
    assert "DeletedDate" not in sm.describe_secret(SecretId="unit/ca-cert") and value(aws, "unit/ca-cert") == VALUES["unit/ca-cert"]
    gone = run_module(secretsmanager_secrets, {"names": list(VALUES) + ["unit/never-made"], "recovery_window": 0, "state": "absent"})
    assert gone["changed"] is True and sorted(gone["diff"]["after"]) == sorted(VALUES)
    assert sm.list_secrets()["SecretList"] == []
    again = run_module(secretsmanager_secrets, {"names": list(VALUES), "recovery_window": 0, "state": "absent"})
    assert again["changed"] is False


def test_a_recovery_window_aws_refuses_is_refused_first(aws, run_module):
    result = run_module(secretsmanager_secrets, {"names": ["unit/x"], "recovery_window": 3, "state": "absent"})
    assert result["failed"] is True and "recovery_window must be 0 (at once) or 7 to 30 days; got 3" in result["msg"]


def test_another_key_re_encrypts_and_without_tags_the_tags_stay(aws, run_module):
    first_key, second_key = key(aws), key(aws)
    run_module(secretsmanager_secrets, args(first_key))
    moved = run_module(secretsmanager_secrets, {"secrets": dict(VALUES), "description": "unit: PKI", "kms_key_id": second_key})
    assert moved["changed"] is True and moved["diff"]["after"]["unit/ca-cert"] == "changed: kms_key_id"
    described = aws("secretsmanager").describe_secret(SecretId="unit/ca-cert")
    assert described["KmsKeyId"] == second_key and {t["Key"]: t["Value"] for t in described["Tags"]} == TAGS
    assert run_module(secretsmanager_secrets, {"secrets": dict(VALUES), "description": "unit: PKI", "kms_key_id": second_key})["changed"] is False


def test_a_secret_scheduled_for_deletion_is_left_to_go_unless_it_must_go_at_once(aws, run_module):
    run_module(secretsmanager_secrets, args(key(aws)))
    sm = aws("secretsmanager")
    sm.delete_secret(SecretId="unit/ca-cert", RecoveryWindowInDays=7)
    scheduled = run_module(secretsmanager_secrets, {"names": ["unit/ca-cert"], "recovery_window": 7, "state": "absent"})
    assert scheduled["changed"] is False and "DeletedDate" in sm.describe_secret(SecretId="unit/ca-cert")
    at_once = run_module(secretsmanager_secrets, {"names": ["unit/ca-cert"], "recovery_window": 0, "state": "absent"})
    assert at_once["changed"] is True and [s["Name"] for s in sm.list_secrets()["SecretList"]] == ["unit/nginx-key"]


def test_a_secret_given_as_a_dict_has_its_own_description_and_overwrite(aws, run_module):
    kms = key(aws)
    secrets = dict(VALUES, **{"unit/admin-password": {"value": "first", "description": "unit: admin", "overwrite": False}})
    first = run_module(secretsmanager_secrets, args(kms, secrets=secrets))
    assert first["changed"] is True
    sm = aws("secretsmanager")
    assert sm.describe_secret(SecretId="unit/admin-password")["Description"] == "unit: admin"
    assert sm.describe_secret(SecretId="unit/ca-cert")["Description"] == "unit: PKI"
    assert value(aws, "unit/admin-password") == "first" and "first" not in json.dumps(first)
    # a new value is not written to that secret alone; the others are overwritten
    secrets = {"unit/ca-cert": "new CA", "unit/admin-password": {"value": "second", "description": "unit: admin", "overwrite": "false"}}
    again = run_module(secretsmanager_secrets, args(kms, secrets=secrets))
    assert again["diff"]["after"] == {"unit/ca-cert": "changed: value"}
    assert value(aws, "unit/admin-password") == "first" and value(aws, "unit/ca-cert") == "new CA"
    wrong_secrets = {"unit/ca-cert": "x", "unit/a": {"description": "unit: described only"}, "unit/b": {"value": "the-value-of-b", "owner": "me"}}
    wrong = run_module(secretsmanager_secrets, args(kms, secrets=wrong_secrets))
    assert wrong["failed"] is True
    assert wrong["msg"] == ("secrets: a secret given as a dict takes value (required), description and overwrite: "
                            "unit/a (no value); unit/b (unknown keys owner)")
    assert value(aws, "unit/ca-cert") == "new CA"
