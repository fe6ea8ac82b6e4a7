"""The storage of the shared site deployment: the images bucket, the PACS's file system with its
access points, and the DataSync task that fills it from the bucket."""

from __future__ import annotations

import json

import pytest

from tests.deployment import SITE_DEPLOYMENT as DEPLOYMENT
from tests.deployment import TAG_KEY, as_dict, key_arn

# The deployment (tests/conftest.py's site fixture) is shared with the other test_site_*.py files and
# tests/security/test_security_aws.py.
pytestmark = pytest.mark.integration


def test_images_bucket_is_encrypted_versioned_and_private(site, aws_client):
    s3 = aws_client("s3")
    bucket = DEPLOYMENT + "-images-123456789012-eu-west-1"
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn(aws_client)}
    assert rule["BucketKeyEnabled"] is True
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
    assert as_dict(s3.get_bucket_tagging(Bucket=bucket)["TagSet"])[TAG_KEY] == DEPLOYMENT


def test_file_system_access_points_and_the_datasync_task(site, aws_client, run_playbook):
    efs = aws_client("efs")
    [fs] = [f for f in efs.describe_file_systems()["FileSystems"] if f.get("Name") == DEPLOYMENT + "-pacs"]
    assert fs["Encrypted"] is True and fs["KmsKeyId"] in (key_arn(aws_client), key_arn(aws_client).split("/")[-1])
    assert len(efs.describe_mount_targets(FileSystemId=fs["FileSystemId"])["MountTargets"]) == 2
    points = {as_dict(p["Tags"])["Name"]: p for p in efs.describe_access_points(FileSystemId=fs["FileSystemId"])["AccessPoints"]}
    assert {name: p["RootDirectory"]["Path"] for name, p in points.items()} == {
        "images": "/images", "froms3": "/images/froms3", "index": "/index", "confs": "/confs"}
    assert all(p["PosixUser"]["Uid"] == 1001 for p in points.values())
    policy = json.loads(efs.describe_file_system_policy(FileSystemId=fs["FileSystemId"])["Policy"])
    assert any(s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in policy["Statement"])
    datasync = aws_client("datasync")
    [task] = [t for t in datasync.list_tasks()["Tasks"] if t["Name"] == DEPLOYMENT + "-bulk-import"]
    described = datasync.describe_task(TaskArn=task["TaskArn"])
    assert described["Options"]["VerifyMode"] == "ONLY_FILES_TRANSFERRED" and described["Options"]["TransferMode"] == "CHANGED"
    [policy] = [p for p in aws_client("logs").describe_resource_policies()["resourcePolicies"] if p["policyName"] == DEPLOYMENT + "-datasync-logs"]
    assert json.loads(policy["policyDocument"])["Statement"][0]["Principal"] == {"Service": "datasync.amazonaws.com"}
    assert described["CloudWatchLogGroupArn"].startswith("arn:aws:logs:eu-west-1:123456789012:log-group:/dicoogle/%s/datasync" % DEPLOYMENT)
    destination = datasync.describe_location_efs(LocationArn=described["DestinationLocationArn"])
    assert destination["AccessPointArn"] == points["froms3"]["AccessPointArn"] and destination["InTransitEncryption"] == "TLS1_2"
    source = datasync.describe_location_s3(LocationArn=described["SourceLocationArn"])
    assert source["LocationUri"].replace("//", "/").rstrip("/").endswith(DEPLOYMENT + "-images-123456789012-eu-west-1/bulk")
    # the task runs: the flow tests' DataSync method, against moto
    run = run_playbook("tests/integration/playbooks/datasync_run.yml", "--limit", "localhost", extra_vars={"dicoogle_deployment": DEPLOYMENT})
    assert run.rc == 0 and "execution SUCCESS" in run.output and run.changed == 1, run
