from __future__ import annotations

from ansible_collections.dicoogle.aws.plugins.modules import deployment_resources_info

TAG = {"dicoogle:deployment": "unit"}
OTHER = {"dicoogle:deployment": "other"}


def kms_tags(tags):
    return [{"TagKey": k, "TagValue": v} for k, v in tags.items()]


def tag_list(tags):
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def populate(aws):
    kms = aws("kms")
    live = kms.create_key(Tags=kms_tags(TAG))["KeyMetadata"]["Arn"]
    doomed = kms.create_key(Tags=kms_tags(TAG))["KeyMetadata"]["KeyId"]
    kms.schedule_key_deletion(KeyId=doomed, PendingWindowInDays=7)
    kms.create_key(Tags=kms_tags(OTHER))
    ecr = aws("ecr")
    ecr.create_repository(repositoryName="unit/nginx", tags=tag_list(TAG))
    ecr.create_repository(repositoryName="other/nginx", tags=tag_list(OTHER))
    ec2 = aws("ec2")
    ec2.create_key_pair(KeyName="unit", TagSpecifications=[{"ResourceType": "key-pair", "Tags": tag_list(TAG)}])
    ec2.create_key_pair(KeyName="untagged")
    s3 = aws("s3")
    for name, tags in (("unit-logs", TAG), ("other-logs", OTHER), ("untagged-logs", None)):
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        if tags:
            s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tag_list(tags)})
    sm = aws("secretsmanager")
    sm.create_secret(Name="unit/ca-cert", SecretString="x", Tags=tag_list(TAG))
    sm.create_secret(Name="other/ca-cert", SecretString="x", Tags=tag_list(OTHER))
    return live


def test_lists_only_the_deployments_live_resources(aws, run_module):
    live_key = populate(aws)
    result = run_module(deployment_resources_info, {"deployment": "unit"})
    assert result["changed"] is False
    assert result["resources"] == {
        "kms_keys": [live_key],
        "ecr_repositories": ["unit/nginx"],
        "ec2_key_pairs": ["unit"],
        "s3_buckets": ["unit-logs"],
        "secrets": ["unit/ca-cert"],
    }
    assert result["count"] == 5
    assert len(result["kms_keys_pending_deletion"]) == 1


def test_resource_types_limits_the_search(aws, run_module):
    populate(aws)
    result = run_module(deployment_resources_info, {"deployment": "unit", "resource_types": ["secrets"]})
    assert result["resources"] == {"secrets": ["unit/ca-cert"]}
    assert result["count"] == 1


def test_empty_account_counts_zero(aws, run_module):
    assert run_module(deployment_resources_info, {"deployment": "unit"})["count"] == 0


def test_bad_deployment_name_is_explained(aws, run_module):
    result = run_module(deployment_resources_info, {"deployment": "Bad_Name"})
    assert result["failed"] is True
    assert "deployment must be" in result["msg"]
