"""The foundation of the shared site deployment (`make lab` against moto, tests/conftest.py's
site fixture): its KMS key, ECR repositories, key pair, log bucket and secrets."""

from __future__ import annotations

import json
import stat

import pytest

from tests.deployment import SITE_DEPLOYMENT as DEPLOYMENT
from tests.deployment import TAG_KEY, WEB_USER, as_dict, key_arn

# The deployment (tests/conftest.py's site fixture) is shared with the other test_site_*.py files and
# tests/security/test_security_aws.py.
pytestmark = pytest.mark.integration


def test_kms_key_rotates_and_is_tagged(site, aws_client):
    kms = aws_client("kms")
    arn = key_arn(aws_client)
    assert kms.get_key_rotation_status(KeyId=arn)["KeyRotationEnabled"] is True
    assert as_dict(kms.list_resource_tags(KeyId=arn)["Tags"], "TagKey", "TagValue")[TAG_KEY] == DEPLOYMENT
    policy = json.loads(kms.get_key_policy(KeyId=arn, PolicyName="default")["Policy"])
    principals = [s["Principal"] for s in policy["Statement"]]
    assert {"Service": "logs.eu-west-1.amazonaws.com"} in principals


def test_ecr_repositories(site, aws_client):
    repos = aws_client("ecr").describe_repositories()["repositories"]
    ours = {r["repositoryName"]: r for r in repos if r["repositoryName"].startswith(DEPLOYMENT + "/")}
    # one per image of the PACS task: the lab's engines are orthanc and ghostunnel
    assert sorted(ours) == [DEPLOYMENT + "/ghostunnel", DEPLOYMENT + "/nginx", DEPLOYMENT + "/orthanc"]
    for repo in ours.values():
        assert repo["encryptionConfiguration"] == {"encryptionType": "KMS", "kmsKey": key_arn(aws_client)}
        assert repo["imageScanningConfiguration"]["scanOnPush"] is True
        assert repo["imageTagMutability"] == "IMMUTABLE"


def test_key_pair_matches_the_private_key_kept_0600(site, aws_client):
    state = site.state
    private = state / "ssh" / DEPLOYMENT
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    pair = aws_client("ec2").describe_key_pairs(KeyNames=[DEPLOYMENT], IncludePublicKey=True)["KeyPairs"][0]
    assert as_dict(pair["Tags"])[TAG_KEY] == DEPLOYMENT
    assert pair["PublicKey"].split()[1] == (state / "ssh" / (DEPLOYMENT + ".pub")).read_text().split()[1]


def test_log_bucket_is_sse_s3_encrypted_private_and_accepts_log_delivery(site, aws_client):
    s3 = aws_client("s3")
    bucket = "%s-logs-123456789012-eu-west-1" % DEPLOYMENT
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    # the ALB and S3's server access logging write only to SSE-S3 buckets
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4
    statements = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]
    assert {"S3ServerAccessLogs", "LoadBalancerAccessLogs", "LogDeliveryChecksTheBucket"} <= {s["Sid"] for s in statements}
    assert as_dict(s3.get_bucket_tagging(Bucket=bucket)["TagSet"])[TAG_KEY] == DEPLOYMENT


def test_secrets_hold_the_pki_under_the_kms_key(site, aws_client):
    state = site.state
    sm = aws_client("secretsmanager")
    secrets = {s["Name"]: s for s in sm.list_secrets()["SecretList"] if s["Name"].startswith(DEPLOYMENT + "/")}
    # the pki role's leaves and the lab's extra one (web, which the front door imports)
    leaves = ["nginx", "ghostunnel", "client", "storage", "web"]
    # everything a controller with an empty state directory finds again: the CA's key too
    expected = {"ca-cert": "pki/ca.crt", "ca-key": "pki/ca.key", "ca-trust": "pki/trust.crt", "ec2-key": "ssh/" + DEPLOYMENT}
    expected.update({"%s-cert" % leaf: "pki/%s.crt" % leaf for leaf in leaves})
    expected.update({"%s-key" % leaf: "pki/%s.key" % leaf for leaf in leaves})
    assert sorted(secrets) == sorted(DEPLOYMENT + "/" + name for name in list(expected) + ["pacs-admin-password", "web-users/" + WEB_USER, "web-automation"])
    for name, path in expected.items():
        secret = secrets[DEPLOYMENT + "/" + name]
        assert secret["KmsKeyId"] == key_arn(aws_client)
        assert as_dict(secret["Tags"])[TAG_KEY] == DEPLOYMENT
        value = sm.get_secret_value(SecretId=secret["ARN"])["SecretString"]
        assert value == (state / path).read_text()


def test_pacs_admin_password_is_generated_once_under_the_kms_key(site, aws_client):
    sm = aws_client("secretsmanager")
    name = DEPLOYMENT + "/pacs-admin-password"
    secret = sm.describe_secret(SecretId=name)
    assert secret["KmsKeyId"] == key_arn(aws_client)
    value = sm.get_secret_value(SecretId=name)["SecretString"]
    assert len(value) == 32 and value.isalnum() and value != "dicoogle"
    again = site.second()
    assert again.rc == 0 and sm.get_secret_value(SecretId=name)["SecretString"] == value
    assert value not in site.first.output and value not in again.output
