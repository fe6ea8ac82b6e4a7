"""sns_topic_encryption: the KMS key of a topic community.aws.sns_topic made (it cannot set one)."""

from __future__ import annotations

from ansible_collections.dicoogle.aws.plugins.modules import sns_topic_encryption


def topic(aws, name="unit-alerts"):
    return aws("sns").create_topic(Name=name)["TopicArn"]


def key_of(aws, arn):
    return aws("sns").get_topic_attributes(TopicArn=arn)["Attributes"].get("KmsMasterKeyId", "")


def test_encrypts_the_topic_found_by_name_once(aws, run_module):
    arn = topic(aws)
    key = aws("kms").create_key()["KeyMetadata"]["Arn"]
    first = run_module(sns_topic_encryption, {"topic": "unit-alerts", "kms_key_id": key})
    assert first["changed"] is True and first["topic_arn"] == arn and key_of(aws, arn) == key
    assert first["diff"] == {"before": {"topic": arn, "kms_master_key_id": ""}, "after": {"topic": arn, "kms_master_key_id": key}}
    again = run_module(sns_topic_encryption, {"topic": arn, "kms_key_id": key})
    assert again["changed"] is False


def test_another_key_replaces_it_and_an_empty_one_removes_it(aws, run_module):
    arn = topic(aws)
    first, second = (aws("kms").create_key()["KeyMetadata"]["Arn"] for _n in range(2))
    run_module(sns_topic_encryption, {"topic": arn, "kms_key_id": first})
    check = run_module(sns_topic_encryption, {"topic": arn, "kms_key_id": second}, check_mode=True)
    assert check["changed"] is True and key_of(aws, arn) == first
    assert run_module(sns_topic_encryption, {"topic": arn, "kms_key_id": second})["changed"] is True and key_of(aws, arn) == second
    assert run_module(sns_topic_encryption, {"topic": arn, "kms_key_id": ""})["changed"] is True and key_of(aws, arn) == ""


def test_a_missing_topic_is_a_change_in_check_mode_and_an_error_otherwise(aws, run_module):
    topic(aws, "other")
    check = run_module(sns_topic_encryption, {"topic": "unit-alerts", "kms_key_id": "alias/unit"}, check_mode=True)
    assert check["changed"] is True and "topic_arn" not in check
    failed = run_module(sns_topic_encryption, {"topic": "unit-alerts", "kms_key_id": "alias/unit"})
    assert failed["failed"] is True and "unit-alerts does not exist" in failed["msg"]
