from __future__ import annotations

from ansible_collections.dicoogle.aws.plugins.modules import ecr_repositories

TAGS = {"dicoogle:deployment": "unit"}


def make_key(aws):
    return aws("kms").create_key(Description="unit")["KeyMetadata"]["Arn"]


def test_creates_a_kms_encrypted_scanned_immutable_tagged_repository(aws, run_module):
    key_arn = make_key(aws)
    result = run_module(ecr_repositories, {"names": ["unit/nginx"], "kms_key": key_arn, "tags": TAGS})
    assert result["changed"] is True
    repo = aws("ecr").describe_repositories(repositoryNames=["unit/nginx"])["repositories"][0]
    assert repo["encryptionConfiguration"] == {"encryptionType": "KMS", "kmsKey": key_arn}
    assert repo["imageScanningConfiguration"]["scanOnPush"] is True
    assert repo["imageTagMutability"] == "IMMUTABLE"
    tags = aws("ecr").list_tags_for_resource(resourceArn=repo["repositoryArn"])["tags"]
    assert {t["Key"]: t["Value"] for t in tags} == TAGS
    assert result["repositories"][0]["tags"] == TAGS
    assert result["repositories"][0]["repository_uri"].endswith("/unit/nginx")


def test_second_run_changes_nothing(aws, run_module):
    key_arn = make_key(aws)
    args = {"names": ["unit/nginx"], "kms_key": key_arn, "tags": TAGS}
    run_module(ecr_repositories, args)
    assert run_module(ecr_repositories, args)["changed"] is False


def test_check_mode_reports_a_change_and_makes_none(aws, run_module):
    result = run_module(ecr_repositories, {"names": ["unit/dicoogle"], "encryption_type": "AES256"}, check_mode=True)
    assert result["changed"] is True
    assert aws("ecr").describe_repositories()["repositories"] == []


def test_updates_mutability_scanning_and_tags_in_place(aws, run_module):
    run_module(ecr_repositories, {"names": ["unit/ghostunnel"], "encryption_type": "AES256", "tags": TAGS})
    result = run_module(
        ecr_repositories,
        {
            "names": ["unit/ghostunnel"],
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
    assert result["repositories"][0]["tags"] == {"owner": "radiology"}


def test_check_mode_update_leaves_the_repository_as_it_was(aws, run_module):
    run_module(ecr_repositories, {"names": ["unit/a"], "encryption_type": "AES256"})
    result = run_module(
        ecr_repositories, {"names": ["unit/a"], "encryption_type": "AES256", "image_tag_mutability": "mutable"}, check_mode=True
    )
    assert result["changed"] is True
    repo = aws("ecr").describe_repositories(repositoryNames=["unit/a"])["repositories"][0]
    assert repo["imageTagMutability"] == "IMMUTABLE"


def test_refuses_to_pretend_it_changed_the_encryption(aws, run_module):
    run_module(ecr_repositories, {"names": ["unit/a"], "encryption_type": "AES256"})
    result = run_module(ecr_repositories, {"names": ["unit/a"], "kms_key": make_key(aws)})
    assert result["failed"] is True
    assert "cannot change the encryption" in result["msg"]


def test_an_alias_resolves_to_the_same_key(aws, run_module):
    key_arn = make_key(aws)
    aws("kms").create_alias(AliasName="alias/unit", TargetKeyId=key_arn)
    run_module(ecr_repositories, {"names": ["unit/a"], "kms_key": key_arn})
    assert run_module(ecr_repositories, {"names": ["unit/a"], "kms_key": "alias/unit"})["changed"] is False


def test_deletes_a_repository_with_images_only_when_forced(aws, run_module):
    run_module(ecr_repositories, {"names": ["unit/a"], "encryption_type": "AES256", "image_tag_mutability": "mutable"})
    manifest = '{"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json"}'
    aws("ecr").put_image(repositoryName="unit/a", imageManifest=manifest, imageTag="v1")
    refused = run_module(ecr_repositories, {"names": ["unit/a"], "state": "absent"})
    assert refused["failed"] is True and "force_delete=true" in refused["msg"]
    assert run_module(ecr_repositories, {"names": ["unit/a"], "state": "absent", "force_delete": True})["changed"] is True
    assert aws("ecr").describe_repositories()["repositories"] == []
    assert run_module(ecr_repositories, {"names": ["unit/a"], "state": "absent"})["changed"] is False


def test_invalid_name_fails_before_any_call(aws, run_module):
    result = run_module(ecr_repositories, {"names": ["Unit//Bad-"]})
    assert result["failed"] is True
    assert "not valid ECR repository names" in result["msg"]


def test_unknown_kms_key_is_named(aws, run_module):
    result = run_module(ecr_repositories, {"names": ["unit/a"], "kms_key": "alias/missing"})
    assert result["failed"] is True
    assert "alias/missing" in result["msg"]


def test_several_repositories_in_one_call_with_one_key_lookup(aws, run_module):
    key_arn = make_key(aws)
    args = {"names": ["unit/nginx", "unit/orthanc", "unit/ghostunnel"], "kms_key": key_arn, "tags": TAGS}
    result = run_module(ecr_repositories, args)
    assert result["changed"] is True
    assert [r["repository_name"] for r in result["repositories"]] == args["names"]
    assert sorted(r["repositoryName"] for r in aws("ecr").describe_repositories()["repositories"]) == sorted(args["names"])
    assert run_module(ecr_repositories, args)["changed"] is False
    gone = run_module(ecr_repositories, {"names": args["names"], "state": "absent"})
    assert gone["changed"] is True and gone["repositories"] == [{}, {}, {}]
    assert aws("ecr").describe_repositories()["repositories"] == []


def test_every_wrong_name_is_named(aws, run_module):
    result = run_module(ecr_repositories, {"names": ["Upper/Case", "ok/name", "-dash"], "encryption_type": "AES256"})
    assert result["failed"] is True and "'Upper/Case'" in result["msg"] and "'-dash'" in result["msg"] and "ok/name" not in result["msg"]
    twice = run_module(ecr_repositories, {"names": ["a/b", "a/b"], "encryption_type": "AES256"})
    assert twice["failed"] is True and "twice" in twice["msg"]
