"""`make lab` / `make lab-down` (scripts/lab.sh) against moto: every foundation resource as
specified, changed=0 on the second run, teardown leaves zero tagged resources (listed
independently of our own module), and a second teardown changes nothing."""

from __future__ import annotations

import json
import stat
from collections import Counter
from types import SimpleNamespace

import pytest

pytestmark = pytest.mark.integration

DEPLOYMENT = "it-site"
TAG_KEY = "dicoogle:deployment"
# What one deployment owns, by type (issue 5 added everything from "vpc" on).
EXPECTED = {
    "kms": 1, "ecr": 3, "key-pair": 1, "s3": 2, "secret": 11,
    "vpc": 3, "subnet": 12, "internet-gateway": 3, "nat-gateway": 6, "elastic-ip": 6, "route-table": 9,
    "security-group": 8, "vpc-endpoint": 7, "vpc-peering": 1, "network-interface": 1, "endpoint-service": 1,
    "load-balancer": 1, "target-group": 2, "efs": 1, "efs-access-point": 4, "iam-role": 1, "log-group": 1,
    "hosted-zone": 1, "datasync-task": 1, "datasync-location": 2,
}
# What the lab's status report counts: all of it but DataSync's locations (it lists the task).
RESOURCES = sum(EXPECTED.values()) - EXPECTED["datasync-location"]


def as_dict(tags, key="Key", value="Value"):
    return {t[key]: t[value] for t in tags}


def tagged_resources(aws_client, deployment=DEPLOYMENT):
    """Every live resource of the deployment, found with boto3 alone."""
    found = []
    kms = aws_client("kms")
    for key in kms.list_keys()["Keys"]:
        meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
        tags = as_dict(kms.list_resource_tags(KeyId=key["KeyId"])["Tags"], "TagKey", "TagValue")
        if tags.get(TAG_KEY) == deployment and meta["KeyState"] != "PendingDeletion":
            found.append(("kms", key["KeyId"]))
    ecr = aws_client("ecr")
    for repo in ecr.describe_repositories()["repositories"]:
        if as_dict(ecr.list_tags_for_resource(resourceArn=repo["repositoryArn"])["tags"]).get(TAG_KEY) == deployment:
            found.append(("ecr", repo["repositoryName"]))
    for pair in aws_client("ec2").describe_key_pairs()["KeyPairs"]:
        if as_dict(pair.get("Tags", [])).get(TAG_KEY) == deployment:
            found.append(("key-pair", pair["KeyName"]))
    s3 = aws_client("s3")
    for bucket in s3.list_buckets()["Buckets"]:
        if bucket["Name"].startswith(deployment + "-"):
            found.append(("s3", bucket["Name"]))
    for secret in aws_client("secretsmanager").list_secrets()["SecretList"]:
        if as_dict(secret.get("Tags", [])).get(TAG_KEY) == deployment or secret["Name"].startswith(deployment + "/"):
            found.append(("secret", secret["Name"]))
    return found + network_resources(aws_client, deployment) + storage_plane_resources(aws_client, deployment)


def ours(tags, deployment):
    return as_dict(tags or []).get(TAG_KEY) == deployment


def network_resources(aws_client, deployment):
    """The VPCs and what they hold: by the deployment tag, and by type inside the tagged VPCs."""
    ec2 = aws_client("ec2")
    found = []
    vpcs = [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if ours(v.get("Tags"), deployment)]
    found += [("vpc", v) for v in vpcs]
    in_vpcs = [{"Name": "vpc-id", "Values": vpcs}] if vpcs else None
    if in_vpcs:
        found += [("subnet", s["SubnetId"]) for s in ec2.describe_subnets(Filters=in_vpcs)["Subnets"]]
        found += [("route-table", r["RouteTableId"]) for r in ec2.describe_route_tables(Filters=in_vpcs)["RouteTables"]
                  if not any(a.get("Main") for a in r.get("Associations", []))]
        found += [("security-group", g["GroupId"]) for g in ec2.describe_security_groups(Filters=in_vpcs)["SecurityGroups"]
                  if g["GroupName"] != "default"]
        found += [("network-interface", n["NetworkInterfaceId"]) for n in ec2.describe_network_interfaces(Filters=in_vpcs)["NetworkInterfaces"]
                  if ours(n.get("TagSet"), deployment)]
    found += [("internet-gateway", i["InternetGatewayId"]) for i in ec2.describe_internet_gateways()["InternetGateways"]
              if ours(i.get("Tags"), deployment)]
    found += [("nat-gateway", n["NatGatewayId"]) for n in ec2.describe_nat_gateways()["NatGateways"]
              if ours(n.get("Tags"), deployment) and n["State"] in ("pending", "available")]
    found += [("elastic-ip", a["AllocationId"]) for a in ec2.describe_addresses()["Addresses"] if ours(a.get("Tags"), deployment)]
    found += [("vpc-endpoint", e["VpcEndpointId"]) for e in ec2.describe_vpc_endpoints()["VpcEndpoints"]
              if e["State"].lower() not in ("deleted", "deleting") and (e["VpcId"] in vpcs or ours(e.get("Tags"), deployment))]
    found += [("vpc-peering", p["VpcPeeringConnectionId"]) for p in ec2.describe_vpc_peering_connections()["VpcPeeringConnections"]
              if ours(p.get("Tags"), deployment) and p["Status"]["Code"] not in ("deleted", "rejected", "failed")]
    found += [("endpoint-service", c["ServiceId"]) for c in ec2.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"]
              if ours(c.get("Tags"), deployment)]
    elb = aws_client("elbv2")
    for kind, items, key in (("load-balancer", elb.describe_load_balancers()["LoadBalancers"], "LoadBalancerArn"),
                             ("target-group", elb.describe_target_groups()["TargetGroups"], "TargetGroupArn")):
        for item in items:
            if ours(elb.describe_tags(ResourceArns=[item[key]])["TagDescriptions"][0]["Tags"], deployment):
                found.append((kind, item[key]))
    route53 = aws_client("route53")
    for zone in route53.list_hosted_zones()["HostedZones"]:
        zone_id = zone["Id"].split("/")[-1]
        if ours(route53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=zone_id)["ResourceTagSet"]["Tags"], deployment):
            found.append(("hosted-zone", zone_id))
    return found


def storage_plane_resources(aws_client, deployment):
    """EFS and its access points by tag; DataSync by type (moto has no DataSync tag API)."""
    efs = aws_client("efs")
    found = []
    for fs in efs.describe_file_systems()["FileSystems"]:
        if ours(fs.get("Tags"), deployment):
            found.append(("efs", fs["FileSystemId"]))
            found += [("efs-access-point", ap["AccessPointId"])
                      for ap in efs.describe_access_points(FileSystemId=fs["FileSystemId"])["AccessPoints"]]
    iam = aws_client("iam")
    found += [("iam-role", r["RoleName"]) for r in iam.list_roles()["Roles"]
              if r["RoleName"].startswith(deployment + "-") and ours(iam.list_role_tags(RoleName=r["RoleName"])["Tags"], deployment)]
    logs = aws_client("logs")
    found += [("log-group", g["logGroupName"]) for g in logs.describe_log_groups()["logGroups"]
              if logs.list_tags_log_group(logGroupName=g["logGroupName"]).get("tags", {}).get(TAG_KEY) == deployment]
    datasync = aws_client("datasync")
    tasks = [t for t in datasync.list_tasks()["Tasks"] if t["Name"].startswith(deployment + "-")]
    found += [("datasync-task", t["Name"]) for t in tasks]
    bucket = "s3://%s-images-" % deployment
    found += [("datasync-location", loc["LocationArn"]) for loc in datasync.list_locations()["Locations"]
              if loc["LocationUri"].startswith(bucket)
              or any(loc["LocationArn"] == datasync.describe_task(TaskArn=t["TaskArn"])["DestinationLocationArn"] for t in tasks)]
    return found


def by_type(found):
    return dict(Counter(item[0] for item in found))


@pytest.fixture(scope="module")
def site(tmp_path_factory, run_lab, run_playbook):
    state = tmp_path_factory.mktemp("site") / "state"
    extra = {"dicoogle_deployment": DEPLOYMENT, "dicoogle_state_dir": str(state)}

    # The AWS side only: the lab's Docker hosts and the DICOM flows are test_lab_flows.py's.
    def lab(action, *args):
        return run_lab(action, "--limit", "localhost", *args, extra_vars=extra, env={"DICOOGLE_LAB_FLOWS": "0"})

    def play(playbook, *args):
        return run_playbook(playbook, "--limit", "localhost", *args, extra_vars=extra)

    first = lab("up")
    assert first.rc == 0, first
    return SimpleNamespace(state=state, lab=lab, play=play, first=first)


def key_arn(aws_client):
    return aws_client("kms").describe_key(KeyId="alias/" + DEPLOYMENT)["KeyMetadata"]["Arn"]


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
    assert sorted(ours) == [DEPLOYMENT + "/dicoogle", DEPLOYMENT + "/ghostunnel", DEPLOYMENT + "/nginx"]
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


def test_log_bucket_is_kms_encrypted_private_and_accepts_log_delivery(site, aws_client):
    s3 = aws_client("s3")
    bucket = "%s-logs-123456789012-eu-west-1" % DEPLOYMENT
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn(aws_client)}
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4
    statements = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]
    assert {"S3ServerAccessLogs", "LoadBalancerAccessLogs", "LogDeliveryChecksTheBucket"} <= {s["Sid"] for s in statements}
    assert as_dict(s3.get_bucket_tagging(Bucket=bucket)["TagSet"])[TAG_KEY] == DEPLOYMENT


def test_secrets_hold_the_pki_under_the_kms_key(site, aws_client):
    state = site.state
    sm = aws_client("secretsmanager")
    secrets = {s["Name"]: s for s in sm.list_secrets()["SecretList"] if s["Name"].startswith(DEPLOYMENT + "/")}
    leaves = ["nginx", "ghostunnel", "client", "storage"]
    expected = {"ca-cert": "pki/ca.crt", "ec2-key": "ssh/" + DEPLOYMENT}
    expected.update({"%s-cert" % leaf: "pki/%s.crt" % leaf for leaf in leaves})
    expected.update({"%s-key" % leaf: "pki/%s.key" % leaf for leaf in leaves})
    assert sorted(secrets) == sorted(DEPLOYMENT + "/" + name for name in list(expected) + ["pacs-admin-password"])
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
    again = site.play("playbooks/site.yml")
    assert again.rc == 0 and sm.get_secret_value(SecretId=name)["SecretString"] == value
    assert value not in site.first.output and value not in again.output


def test_images_bucket_is_encrypted_versioned_and_private(site, aws_client):
    s3 = aws_client("s3")
    bucket = DEPLOYMENT + "-images-123456789012-eu-west-1"
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn(aws_client)}
    assert rule["BucketKeyEnabled"] is True
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
    assert as_dict(s3.get_bucket_tagging(Bucket=bucket)["TagSet"])[TAG_KEY] == DEPLOYMENT


def test_network_sites_routes_and_least_privilege_groups(site, aws_client):
    ec2 = aws_client("ec2")
    tagged = [{"Name": "tag:" + TAG_KEY, "Values": [DEPLOYMENT]}]
    vpcs = {as_dict(v["Tags"])["Name"]: v for v in ec2.describe_vpcs(Filters=tagged)["Vpcs"]}
    assert {name: v["CidrBlock"] for name, v in vpcs.items()} == {
        DEPLOYMENT + "-pacs": "10.10.0.0/16", DEPLOYMENT + "-client": "10.20.0.0/16", DEPLOYMENT + "-storage": "10.30.0.0/16"}
    pacs, storage = vpcs[DEPLOYMENT + "-pacs"]["VpcId"], vpcs[DEPLOYMENT + "-storage"]["VpcId"]
    # each private subnet routes to its own zone's NAT gateway, and PACS <-> storage through the peering
    nats = {n["SubnetId"]: n for n in ec2.describe_nat_gateways()["NatGateways"] if n["State"] == "available"}
    subnets = {s["SubnetId"]: s for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [pacs]}])["Subnets"]}
    zone_nat = {subnets[subnet]["AvailabilityZone"]: nat["NatGatewayId"] for subnet, nat in nats.items() if subnet in subnets}
    assert len(zone_nat) == 2
    [peering] = [p for p in ec2.describe_vpc_peering_connections()["VpcPeeringConnections"] if as_dict(p.get("Tags", [])).get(TAG_KEY) == DEPLOYMENT]
    assert peering["Status"]["Code"] == "active"
    assert {peering["RequesterVpcInfo"]["VpcId"], peering["AccepterVpcInfo"]["VpcId"]} == {pacs, storage}
    private = [s for s in subnets.values() if as_dict(s["Tags"])["dicoogle:tier"] == "private"]
    for subnet in private:
        [table] = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [subnet["SubnetId"]]}])["RouteTables"]
        routes = {r.get("DestinationCidrBlock"): r for r in table["Routes"]}
        assert routes["0.0.0.0/0"]["NatGatewayId"] == zone_nat[subnet["AvailabilityZone"]]
        assert routes["10.30.0.0/16"]["VpcPeeringConnectionId"] == peering["VpcPeeringConnectionId"]
    endpoints = {e["ServiceName"].split(".", 3)[-1] for e in ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [pacs]}])["VpcEndpoints"]}
    assert endpoints == {"s3", "ecr.api", "ecr.dkr", "logs", "secretsmanager"}
    # nothing but the ALB admits the internet, and only on 443
    groups = ec2.describe_security_groups(Filters=tagged)["SecurityGroups"]
    open_to_all = [(g["GroupName"], p.get("FromPort")) for g in groups for p in g["IpPermissions"]
                   if any(r["CidrIp"] == "0.0.0.0/0" for r in p.get("IpRanges", []))]
    assert open_to_all == [(DEPLOYMENT + "-alb", 443)]
    storage_host = next(g for g in groups if g["GroupName"] == DEPLOYMENT + "-storage-host")
    assert [(p["FromPort"], p["ToPort"]) for p in storage_host["IpPermissions"]] == [(7777, 7777)]
    # storage.<domain> names the storage host's reserved interface, for the PACS VPC
    route53 = aws_client("route53")
    [zone] = [z for z in route53.list_hosted_zones()["HostedZones"] if z["Config"].get("Comment") == DEPLOYMENT + " private names"]
    records = {r["Name"]: r for r in route53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"]}
    [eni] = ec2.describe_network_interfaces(Filters=tagged)["NetworkInterfaces"]
    assert records["storage.dicoogle.internal."]["ResourceRecords"] == [{"Value": eni["PrivateIpAddress"]}]
    assert records["pacs.dicoogle.internal."]["Type"] == "CNAME"


def test_privatelink_offers_the_nlb_to_the_client_vpc(site, aws_client):
    elb = aws_client("elbv2")
    [nlb] = elb.describe_load_balancers(Names=[DEPLOYMENT + "-pacs"])["LoadBalancers"]
    assert nlb["Scheme"] == "internal"
    attributes = {a["Key"]: a["Value"] for a in elb.describe_load_balancer_attributes(LoadBalancerArn=nlb["LoadBalancerArn"])["Attributes"]}
    assert attributes["access_logs.s3.enabled"] == "true"
    assert attributes["access_logs.s3.bucket"] == DEPLOYMENT + "-logs-123456789012-eu-west-1"
    listeners = elb.describe_listeners(LoadBalancerArn=nlb["LoadBalancerArn"])["Listeners"]
    assert sorted((l["Protocol"], l["Port"]) for l in listeners) == [("TCP", 1045), ("TCP", 16666)]
    groups = elb.describe_target_groups(LoadBalancerArn=nlb["LoadBalancerArn"])["TargetGroups"]
    assert sorted((g["Port"], g["TargetType"]) for g in groups) == [(1045, "ip"), (16666, "ip")]
    ec2 = aws_client("ec2")
    [service] = [c for c in ec2.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"]
                 if as_dict(c.get("Tags", [])).get("Name") == DEPLOYMENT + "-pacs"]
    assert service["NetworkLoadBalancerArns"] == [nlb["LoadBalancerArn"]]
    [endpoint] = [e for e in ec2.describe_vpc_endpoints()["VpcEndpoints"] if e["ServiceName"] == service["ServiceName"]]
    [group] = ec2.describe_security_groups(GroupIds=[g["GroupId"] for g in endpoint["Groups"]])["SecurityGroups"]
    [client_host] = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [DEPLOYMENT + "-client-host"]}])["SecurityGroups"]
    assert sorted(p["FromPort"] for p in group["IpPermissions"]) == [1045, 16666]
    assert all(p["UserIdGroupPairs"][0]["GroupId"] == client_host["GroupId"] and not p["IpRanges"] for p in group["IpPermissions"])


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


def test_secrets_are_never_printed(site):
    first = site.first
    assert "PRIVATE KEY" not in first.output


def test_lab_reports_what_exists(site):
    assert "%s in eu-west-1: %d resources" % (DEPLOYMENT, RESOURCES) in site.first.output, site.first


def test_check_mode_on_the_converged_deployment_reports_no_change(site):
    check = site.play("playbooks/site.yml", "--check")
    assert check.rc == 0 and check.changed == 0, check


def test_check_mode_on_a_new_deployment_reports_changes_and_makes_none(tmp_path, run_playbook, aws_client):
    before = tagged_resources(aws_client, "it-check")
    check = run_playbook(
        "playbooks/site.yml", "--check", "--limit", "localhost", extra_vars={"dicoogle_deployment": "it-check", "dicoogle_state_dir": str(tmp_path / "s")}
    )
    assert check.rc == 0 and check.changed > 0, check
    assert before == tagged_resources(aws_client, "it-check") == []
    assert not (tmp_path / "s").exists()


def test_second_run_changes_nothing_and_prints_no_secret_even_at_vvv(site):
    again = site.lab("up", "-vvv")
    assert again.rc == 0 and again.changed == 0, again
    assert "PRIVATE KEY" not in again.output
    assert "secretsmanager_secret" in again.output  # the secrets task did run at -vvv


def test_every_resource_of_the_deployment_exists_once(site, aws_client):
    assert by_type(tagged_resources(aws_client)) == EXPECTED


def test_teardown_leaves_nothing_and_is_idempotent(site, aws_client):
    before = tagged_resources(aws_client)
    assert by_type(before) == EXPECTED
    down = site.lab("down")
    assert down.rc == 0, down
    assert tagged_resources(aws_client) == []
    # by type: nothing of what existed is left, whether or not it carried tags
    vpcs = [ident for kind, ident in before if kind == "vpc"]
    ec2 = aws_client("ec2")
    assert ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": vpcs}])["Subnets"] == []
    assert ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": vpcs}])["NetworkInterfaces"] == []
    assert not [n for n in ec2.describe_nat_gateways()["NatGateways"] if n["VpcId"] in vpcs and n["State"] != "deleted"]
    policies = aws_client("logs").describe_resource_policies()["resourcePolicies"]
    assert DEPLOYMENT + "-datasync-logs" not in [p["policyName"] for p in policies]
    locations = {loc["LocationArn"] for loc in aws_client("datasync").list_locations()["Locations"]}
    assert not locations & {ident for kind, ident in before if kind == "datasync-location"}
    status = site.play("playbooks/status.yml")
    assert status.rc == 0 and "%s in eu-west-1: 0 resources" % DEPLOYMENT in status.output, status
    again = site.lab("down")
    assert again.rc == 0 and again.changed == 0, again
    # the key is only scheduled for deletion, as AWS requires
    meta = aws_client("kms").describe_key(KeyId="alias/" + DEPLOYMENT)["KeyMetadata"]
    assert meta["KeyState"] == "PendingDeletion"


def test_rebuild_after_teardown_converges_and_tears_down_again(site, aws_client):
    """Runs after the teardown test: the KMS key pending deletion is restored, not duplicated."""
    again = site.lab("up")
    assert again.rc == 0, again
    assert by_type(tagged_resources(aws_client)) == EXPECTED
    assert len([k for k in aws_client("kms").list_aliases()["Aliases"] if k["AliasName"] == "alias/" + DEPLOYMENT]) == 1
    down = site.lab("down")
    assert down.rc == 0 and tagged_resources(aws_client) == [], down
