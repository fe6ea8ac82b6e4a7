from __future__ import annotations

from ansible_collections.dicoogle.aws.plugins.modules import ecr_repository

TAGS = {"dicoogle:deployment": "unit"}


def make_key(aws):
    return aws("kms").create_key(Description="unit")["KeyMetadata"]["Arn"]


def test_creates_a_kms_encrypted_scanned_immutable_tagged_repository(aws, run_module):
    key_arn = make_key(aws)
    result = run_module(ecr_repository, {"name": "unit/nginx", "kms_key": key_arn, "tags": TAGS})
    assert result["changed"] is True
    repo = aws("ecr").describe_repositories(repositoryNames=["unit/nginx"])["repositories"][0]
    assert repo["encryptionConfiguration"] == {"encryptionType": "KMS", "kmsKey": key_arn}
    assert repo["imageScanningConfiguration"]["scanOnPush"] is True
    assert repo["imageTagMutability"] == "IMMUTABLE"
    tags = aws("ecr").list_tags_for_resource(resourceArn=repo["repositoryArn"])["tags"]
    assert {t["Key"]: t["Value"] for t in tags} == TAGS
    assert result["repository"]["tags"] == TAGS
    assert result["repository"]["repository_uri"].endswith("/unit/nginx")


def test_second_run_changes_nothing(aws, run_module):
    key_arn = make_key(aws)
    args = {"name": "unit/nginx", "kms_key": key_arn, "tags": TAGS}
    run_module(ecr_repository, args)
    assert run_module(ecr_repository, args)["changed"] is False


def test_check_mode_reports_a_change_and_makes_none(aws, run_module):
    result = run_module(ecr_repository, {"name": "unit/dicoogle", "encryption_type": "AES256"}, check_mode=True)
    assert result["changed"] is True
    assert aws("ecr").describe_repositories()["repositories"] == []


def test_updates_mutability_scanning_and_tags_in_place(aws, run_module):
    run_module(ecr_repository, {"name": "unit/ghostunnel", "encryption_type": "AES256", "tags": TAGS})
    result = run_module(
        ecr_repository,
        {
            "name": "unit/ghostunnel",
            "encryption_type": "AES256",
            "image_tag_mutability": "mutable",
            "scan_on_push": False,
            "tags": {"owner": "radiology"},
        },
    )
    assert result["changed"] is True
    repo = aws("ecr").describe_repositories(repositoryNames=["unit/ghostunnel"])["repositories"][0]
    assert repo["imageTagMutability"] == "MUTABLE"
    assert repo["imageScanningConfiguration"]["scanOnPush"] is False
    assert result["repository"]["tags"] == {"owner": "radiology"}


def test_check_mode_update_leaves_the_repository_as_it_was(aws, run_module):
    run_module(ecr_repository, {"name": "unit/a", "encryption_type": "AES256"})
    result = run_module(
        ecr_repository, {"name": "unit/a", "encryption_type": "AES256", "image_tag_mutability": "mutable"}, check_mode=True
    )
    assert result["changed"] is True
    repo = aws("ecr").describe_repositories(repositoryNames=["unit/a"])["repositories"][0]
    assert repo["imageTagMutability"] == "IMMUTABLE"


def test_refuses_to_pretend_it_changed_the_encryption(aws, run_module):
    run_module(ecr_repository, {"name": "unit/a", "encryption_type": "AES256"})
    result = run_module(ecr_repository, {"name": "unit/a", "kms_key": make_key(aws)})
    assert result["failed"] is True
    assert "cannot change the encryption" in result["msg"]


def test_an_alias_resolves_to_the_same_key(aws, run_module):
    key_arn = make_key(aws)
    aws("kms").create_alias(AliasName="alias/unit", TargetKeyId=key_arn)
    run_module(ecr_repository, {"name": "unit/a", "kms_key": key_arn})
    assert run_module(ecr_repository, {"name": "unit/a", "kms_key": "alias/unit"})["changed"] is False


def test_deletes_a_repository_with_images_only_when_forced(aws, run_module):
    run_module(ecr_repository, {"name": "unit/a", "encryption_type": "AES256", "image_tag_mutability": "mutable"})
    manifest = '{"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json"}'
    aws("ecr").put_image(repositoryName="unit/a", imageManifest=manifest, imageTag="v1")
    refused = run_module(ecr_repository, {"name": "unit/a", "state": "absent"})
    assert refused["failed"] is True and "force_delete=true" in refused["msg"]
    assert run_module(ecr_repository, {"name": "unit/a", "state": "absent", "force_delete": True})["changed"] is True
    assert aws("ecr").describe_repositories()["repositories"] == []
    assert run_module(ecr_repository, {"name": "unit/a", "state": "absent"})["changed"] is False


def test_invalid_name_fails_before_any_call(aws, run_module):
    result = run_module(ecr_repository, {"name": "Unit//Bad-"})
    assert result["failed"] is True
    assert "not a valid ECR repository name" in result["msg"]


def test_unknown_kms_key_is_named(aws, run_module):
    result = run_module(ecr_repository, {"name": "unit/a", "kms_key": "alias/missing"})
    assert result["failed"] is True
    assert "alias/missing" in result["msg"]
