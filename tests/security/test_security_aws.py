"""The security promises on the AWS side, checked on tests/conftest.py's it-site deployment (built
at -vvv with production's TLS-only bucket policies): nothing secret in the build's output, key
files 0600, only the ALB's 443 open to the internet, IMDSv2 on every instance, everything at rest
under the deployment's KMS key (the access-log bucket under S3's own key, the only one log delivery
writes to), bucket and file system policies that refuse requests without TLS."""

from __future__ import annotations

import json
import re
import stat
from collections import Counter

import pytest

from tests.deployment import SITE_DEPLOYMENT, TAG_KEY, as_dict, running_instances
from tests.security.leaks import CENSORED, leaked, secret_values

pytestmark = [pytest.mark.integration]

DEPLOYMENT = SITE_DEPLOYMENT
TAGGED = [{"Name": "tag:" + TAG_KEY, "Values": [DEPLOYMENT]}]


def key_arn(aws_client):
    return aws_client("kms").describe_key(KeyId="alias/" + DEPLOYMENT)["KeyMetadata"]["Arn"]


def test_the_build_at_vvv_prints_no_secret(site, aws_client):
    output = site.first.output
    secrets = secret_values(aws_client, DEPLOYMENT, site.state)
    kinds = Counter(name.split(":")[0] for name in secrets)
    # the CA's key + 5 leaf keys (the lab's web leaf among them) + the EC2 key + the PACS password +
    # the web user's and the automation user's passwords; the app client's secret; the 6 private key
    # files (CA, 4 leaves and the web leaf) and the SSH key
    assert kinds["secretsmanager"] == 10 and kinds["cognito"] == 1 and kinds["file"] >= 6, sorted(secrets)
    assert leaked(output, secrets) == []
    assert "PRIVATE KEY" not in output
    # the run was verbose, and the tasks that handle secrets ran and were hidden (each one call
    # for all the secrets it stores; the web users' task reads their passwords itself)
    assert "ESTABLISH LOCAL CONNECTION" in output and "<localhost> EXEC" in output
    for task in ("foundation : Store the PKI, the EC2 key and the PACS administrator's generated password in Secrets Manager",
                 "front_door : Keep each web user's password in Secrets Manager"):
        shown = output.split("TASK [dicoogle.aws.%s" % task, 1)[1].split("\nTASK [", 1)[0]
        assert re.search(CENSORED, shown), task
    assert len(re.findall(CENSORED, output)) >= 3


def test_private_key_files_are_0600(site):
    keys = [p for p in site.state.rglob("*") if p.is_file() and "PRIVATE KEY-----" in p.read_text(errors="replace")]
    assert len(keys) >= 6
    assert {str(p.relative_to(site.state)): oct(stat.S_IMODE(p.stat().st_mode)) for p in keys
            if stat.S_IMODE(p.stat().st_mode) != 0o600} == {}


def test_only_the_alb_admits_the_internet_and_only_on_443(site, aws_client):
    groups = aws_client("ec2").describe_security_groups(Filters=TAGGED)["SecurityGroups"]
    assert len(groups) == 8
    open_to_all = sorted(
        (g["GroupName"], p["IpProtocol"], p.get("FromPort"), p.get("ToPort"))
        for g in groups for p in g["IpPermissions"]
        if any(r["CidrIp"] == "0.0.0.0/0" for r in p.get("IpRanges", [])) or any(r["CidrIpv6"] == "::/0" for r in p.get("Ipv6Ranges", [])))
    assert open_to_all == [(DEPLOYMENT + "-alb", "tcp", 443, 443)]


def test_every_instance_requires_imdsv2(site, aws_client):
    instances = [i for r in aws_client("ec2").describe_instances(Filters=TAGGED)["Reservations"] for i in r["Instances"]
                 if i["State"]["Name"] != "terminated"]
    assert len(instances) == 2
    for instance in instances:
        options = instance["MetadataOptions"]
        assert (options["HttpTokens"], options["HttpEndpoint"], options["HttpPutResponseHopLimit"]) == ("required", "enabled", 1), instance["InstanceId"]


def test_everything_at_rest_is_under_the_deployments_key(site, aws_client):
    """Buckets, file system, log groups, secrets, image repositories and the hosts' volumes: each
    encrypted with the deployment's own KMS key, none with an AWS managed key or none at all. The one
    exception is the log bucket: ALB access logs and S3 server access logs are delivered only to
    buckets encrypted with SSE-S3, so it is, and it holds access and flow logs only."""
    key = key_arn(aws_client)
    ours_key = {key, key.split("/")[-1], "alias/" + DEPLOYMENT}
    encrypted = {}
    s3 = aws_client("s3")
    log_bucket = "%s-logs-123456789012-eu-west-1" % DEPLOYMENT
    for bucket in (b["Name"] for b in s3.list_buckets()["Buckets"] if b["Name"].startswith(DEPLOYMENT + "-")):
        [rule] = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
        if bucket == log_bucket:
            assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
            continue
        encrypted["s3:" + bucket] = rule["ApplyServerSideEncryptionByDefault"].get("KMSMasterKeyID")
    for fs in aws_client("efs").describe_file_systems()["FileSystems"]:
        if as_dict(fs.get("Tags", [])).get(TAG_KEY) == DEPLOYMENT:
            encrypted["efs:" + fs["FileSystemId"]] = fs.get("KmsKeyId") if fs.get("Encrypted") else None
    for group in aws_client("logs").describe_log_groups(logGroupNamePrefix="/dicoogle/" + DEPLOYMENT + "/")["logGroups"]:
        encrypted["log:" + group["logGroupName"]] = group.get("kmsKeyId")
    for secret in aws_client("secretsmanager").list_secrets()["SecretList"]:
        if secret["Name"].startswith(DEPLOYMENT + "/"):
            encrypted["secret:" + secret["Name"]] = secret.get("KmsKeyId")
    for repo in aws_client("ecr").describe_repositories()["repositories"]:
        if repo["repositoryName"].startswith(DEPLOYMENT + "/"):
            encrypted["ecr:" + repo["repositoryName"]] = repo["encryptionConfiguration"].get("kmsKey")
    instances = [i["InstanceId"] for i in running_instances(aws_client, DEPLOYMENT).values()]
    for volume in aws_client("ec2").describe_volumes(Filters=[{"Name": "attachment.instance-id", "Values": instances}])["Volumes"]:
        encrypted["ebs:" + volume["VolumeId"]] = volume.get("KmsKeyId") if volume["Encrypted"] else None
    kinds = Counter(name.split(":")[0] for name in encrypted)
    assert kinds == {"s3": 2, "efs": 1, "log": 2, "secret": 17, "ecr": 3, "ebs": 2}, kinds
    assert {name: k for name, k in encrypted.items() if k not in ours_key} == {}


def denies_without_tls(policy, resources):
    """Whether a statement denies every principal every action on these resources without TLS."""
    for statement in policy["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        covered = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        if (statement["Effect"] == "Deny" and statement["Principal"] in ("*", {"AWS": "*"})
                and any(a in ("*", "s3:*", "elasticfilesystem:*") for a in actions) and set(resources) <= set(covered)
                and statement.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}):
            return True
    return False


def test_bucket_and_file_system_policies_refuse_requests_without_tls(site, aws_client):
    s3 = aws_client("s3")
    buckets = [b["Name"] for b in s3.list_buckets()["Buckets"] if b["Name"].startswith(DEPLOYMENT + "-")]
    assert len(buckets) == 3
    refusing = {}
    for bucket in buckets:
        policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
        arn = "arn:aws:s3:::" + bucket
        refusing[bucket] = denies_without_tls(policy, [arn, arn + "/*"])
    efs = aws_client("efs")
    for fs in efs.describe_file_systems()["FileSystems"]:
        if as_dict(fs.get("Tags", [])).get(TAG_KEY) == DEPLOYMENT:
            policy = json.loads(efs.describe_file_system_policy(FileSystemId=fs["FileSystemId"])["Policy"])
            refusing[fs["FileSystemId"]] = denies_without_tls(policy, [])
    assert len(refusing) == 4 and all(refusing.values()), refusing


def listed(value):
    return value if isinstance(value, list) else [value]


def covers(pattern, value, case_sensitive=True):
    """Whether an IAM pattern (* and ? wildcards) covers the value: actions compare without case, ARNs with."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, 0 if case_sensitive else re.IGNORECASE) is not None


def allows(statement, action, resource):
    """Whether an IAM policy statement allows the action on the resource, by name or by a wildcard."""
    if statement.get("Effect") != "Allow":
        return False
    if "Action" in statement:
        action_ok = any(covers(p, action, False) for p in listed(statement["Action"]))
    else:
        action_ok = not any(covers(p, action, False) for p in listed(statement.get("NotAction", [])))
    if "Resource" in statement:
        resource_ok = any(covers(p, resource) for p in listed(statement["Resource"]))
    else:
        resource_ok = not any(covers(p, resource) for p in listed(statement.get("NotResource", [])))
    return action_ok and resource_ok


def document(value):
    return json.loads(value) if isinstance(value, str) else value


def role_statements(iam, role):
    """Every statement of the role's inline and attached policies."""
    documents = [document(iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"])
                 for name in iam.list_role_policies(RoleName=role)["PolicyNames"]]
    for attached in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
        version = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]["DefaultVersionId"]
        documents.append(document(iam.get_policy_version(PolicyArn=attached["PolicyArn"], VersionId=version)["PolicyVersion"]["Document"]))
    return [statement for doc in documents for statement in listed(doc["Statement"])]


def test_no_role_of_the_deployment_may_read_the_cas_key(site, aws_client):
    """The CA's private key is in Secrets Manager for the deployer alone (a controller with an empty
    state directory finds the PKI again from it): no policy of the deployment's roles allows reading
    it, neither by its name nor by a wildcard that covers it, and the secret has no resource policy.
    The PACS task reads the secrets it injects, each by its ARN."""
    sm = aws_client("secretsmanager")
    arn = {name: sm.describe_secret(SecretId="%s/%s" % (DEPLOYMENT, name))["ARN"] for name in ("ca-key", "ca-cert", "ca-trust")}
    assert "ResourcePolicy" not in sm.get_resource_policy(SecretId=arn["ca-key"])
    iam = aws_client("iam")
    roles = [r["RoleName"] for r in iam.list_roles()["Roles"]
             if as_dict(iam.list_role_tags(RoleName=r["RoleName"])["Tags"]).get(TAG_KEY) == DEPLOYMENT]
    assert len(roles) == 6, roles  # DataSync, the PACS task's two, the two hosts', EventBridge Scheduler's (alerts)
    readers = {name: sorted(role for role in roles if any(allows(s, "secretsmanager:GetSecretValue", secret) for s in role_statements(iam, role)))
               for name, secret in arn.items()}
    assert readers["ca-key"] == [], readers
    # the check sees a grant where there is one: the task's execution role reads the CAs trusted (the
    # tunnels' trust), and a prefix wildcard would cover the key
    assert len(readers["ca-trust"]) == 1, readers
    prefix = arn["ca-key"].split(":secret:")[0] + ":secret:" + DEPLOYMENT + "/*"
    assert allows({"Effect": "Allow", "Action": "secretsmanager:Get*", "Resource": prefix}, "secretsmanager:GetSecretValue", arn["ca-key"])
    assert not allows({"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": arn["ca-trust"]},
                      "secretsmanager:GetSecretValue", arn["ca-key"])
