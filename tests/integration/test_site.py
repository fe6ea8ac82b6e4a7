"""`make lab` / `make lab-down` (scripts/lab.sh) against moto: every foundation resource as
specified, changed=0 on the second run, teardown leaves zero tagged resources (listed
independently of our own module), and a second teardown changes nothing."""

from __future__ import annotations

import base64
import json
import stat
import subprocess

import pytest

from tests.deployment import EXPECTED, SITE_DEPLOYMENT, TAG_KEY, as_dict, by_type, running_instances
from tests.deployment import tagged_resources as deployment_resources
from tests.helpers import ROOT, VENV_BIN

# The deployment (tests/conftest.py's site fixture) is shared with tests/security/test_security_aws.py.
pytestmark = pytest.mark.integration

DEPLOYMENT = SITE_DEPLOYMENT
WEB_USER = "radiologist@lab.dicoogle.test"
AUTOMATION_USER = "pacs-automation@lab.dicoogle.test"
# What the lab's status report counts: all of it but DataSync's locations (it lists the task).
RESOURCES = sum(EXPECTED.values()) - EXPECTED["datasync-location"]


def tagged_resources(aws_client, deployment=DEPLOYMENT):
    return deployment_resources(aws_client, deployment)


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
    leaves = ["nginx", "ghostunnel", "client", "storage"]
    expected = {"ca-cert": "pki/ca.crt", "ec2-key": "ssh/" + DEPLOYMENT}
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
    # NAT only where a host needs the internet (client, storage: one gateway each); the PACS VPC
    # has no way out but its endpoints; PACS <-> storage through the peering
    nats = [n for n in ec2.describe_nat_gateways()["NatGateways"] if n["State"] == "available"]
    assert sorted(n["VpcId"] for n in nats if n["VpcId"] in [v["VpcId"] for v in vpcs.values()]) == sorted(
        [vpcs[DEPLOYMENT + "-client"]["VpcId"], vpcs[DEPLOYMENT + "-storage"]["VpcId"]])
    subnets = {s["SubnetId"]: s for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [pacs]}])["Subnets"]}
    [peering] = [p for p in ec2.describe_vpc_peering_connections()["VpcPeeringConnections"] if as_dict(p.get("Tags", [])).get(TAG_KEY) == DEPLOYMENT]
    assert peering["Status"]["Code"] == "active"
    assert {peering["RequesterVpcInfo"]["VpcId"], peering["AccepterVpcInfo"]["VpcId"]} == {pacs, storage}
    private = [s for s in subnets.values() if as_dict(s["Tags"])["dicoogle:tier"] == "private"]
    assert len(private) == 2
    for subnet in private:
        [table] = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [subnet["SubnetId"]]}])["RouteTables"]
        routes = {r.get("DestinationCidrBlock"): r for r in table["Routes"]}
        assert "0.0.0.0/0" not in routes, routes
        assert routes["10.30.0.0/16"]["VpcPeeringConnectionId"] == peering["VpcPeeringConnectionId"]
    # every site's traffic is recorded in the log bucket: the DICOM path's audit trail
    flows = {f["ResourceId"]: f for f in ec2.describe_flow_logs()["FlowLogs"] if f["ResourceId"] in [v["VpcId"] for v in vpcs.values()]}
    assert sorted(flows) == sorted(v["VpcId"] for v in vpcs.values())
    assert {(f["LogDestination"], f["TrafficType"], f["MaxAggregationInterval"]) for f in flows.values()} == {
        ("arn:aws:s3:::%s-logs-123456789012-eu-west-1/flow-logs/" % DEPLOYMENT, "ALL", 60)}
    storage_nat = [n["NatGatewayId"] for n in nats if n["VpcId"] == storage]
    for subnet in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [storage]}, {"Name": "tag:dicoogle:tier", "Values": ["private"]}])["Subnets"]:
        [table] = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [subnet["SubnetId"]]}])["RouteTables"]
        routes = {r.get("DestinationCidrBlock"): r for r in table["Routes"]}
        assert [routes["0.0.0.0/0"]["NatGatewayId"]] == storage_nat
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


def test_edge_hosts_are_private_and_least_privileged(site, aws_client):
    ec2, iam = aws_client("ec2"), aws_client("iam")
    found = running_instances(aws_client, DEPLOYMENT)
    assert set(found) == {"client", "storage"}
    [image] = ec2.describe_images(Owners=["136693071363"], Filters=[{"Name": "name", "Values": ["debian-12-amd64-*"]}])["Images"]
    tagged = [{"Name": "tag:" + TAG_KEY, "Values": [DEPLOYMENT]}]
    groups = {g["GroupName"]: g["GroupId"] for g in ec2.describe_security_groups(Filters=tagged)["SecurityGroups"]}
    vpcs = {as_dict(v["Tags"])["Name"]: v["VpcId"] for v in ec2.describe_vpcs(Filters=tagged)["Vpcs"]}
    [reserved] = ec2.describe_network_interfaces(Filters=[{"Name": "tag:Name", "Values": [DEPLOYMENT + "-storage-host"]}])["NetworkInterfaces"]
    for role, instance in found.items():
        tags = as_dict(instance["Tags"])
        assert tags["Name"] == "%s-%s" % (DEPLOYMENT, role)
        assert tags["dicoogle:ssm-bucket"] == "%s-ssm-123456789012-eu-west-1" % DEPLOYMENT
        assert tags["dicoogle:login-user"] == "admin"
        assert instance["ImageId"] == image["ImageId"] and instance["InstanceType"] == "t3.small"
        assert "PublicIpAddress" not in instance or not instance["PublicIpAddress"]
        assert all(not n.get("Association", {}).get("PublicIp") for n in instance["NetworkInterfaces"])
        assert instance["VpcId"] == vpcs["%s-%s" % (DEPLOYMENT, role)]
        assert [g["GroupId"] for n in instance["NetworkInterfaces"] for g in n["Groups"]] == [groups["%s-%s-host" % (DEPLOYMENT, role)]]
        assert instance["IamInstanceProfile"]["Arn"].endswith(":instance-profile/%s-%s-host" % (DEPLOYMENT, role))
        assert instance["KeyName"] == DEPLOYMENT
        [volume] = ec2.describe_volumes(Filters=[{"Name": "attachment.instance-id", "Values": [instance["InstanceId"]]}])["Volumes"]
        # IMDSv2 and the volume's key: tests/security/test_security_aws.py
        assert (volume["Size"], volume["VolumeType"]) == (16, "gp3")
        # Debian's image has no SSM agent: the first boot installs it
        user_data = ec2.describe_instance_attribute(InstanceId=instance["InstanceId"], Attribute="userData")["UserData"]["Value"]
        assert "amazon-ssm-agent" in base64.b64decode(user_data).decode()
        # the profile's role: trusted by EC2 only, inline policies only
        role_name = "%s-%s-host" % (DEPLOYMENT, role)
        profile = iam.get_instance_profile(InstanceProfileName=role_name)["InstanceProfile"]
        assert [r["RoleName"] for r in profile["Roles"]] == [role_name]
        assert as_dict(profile["Tags"])[TAG_KEY] == DEPLOYMENT
        trust = iam.get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"]
        assert [s["Principal"] for s in trust["Statement"]] == [{"Service": "ec2.amazonaws.com"}]
        assert iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"] == []
        policy = iam.get_role_policy(RoleName=role_name, PolicyName="host")["PolicyDocument"]
        statements = {s["Sid"]: s for s in policy["Statement"]}
        assert "ssmmessages:OpenDataChannel" in statements["SessionManager"]["Action"]
        assert not any(a == "*" or a.endswith(":*") for s in policy["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"]))
        if role == "client":
            images = "arn:aws:s3:::%s-images-123456789012-eu-west-1" % DEPLOYMENT
            assert statements["BulkUploadObjects"]["Resource"] == images + "/*"
            assert statements["BulkUploadKey"]["Resource"] == key_arn(aws_client)
        else:
            assert set(statements) == {"SessionManager"}
    # the storage host runs on the interface storage.<domain> names
    assert found["storage"]["NetworkInterfaces"][0]["NetworkInterfaceId"] == reserved["NetworkInterfaceId"]
    assert found["storage"]["PrivateIpAddress"] == reserved["PrivateIpAddress"]
    # Session Manager's transfer bucket: the deployment's key, private, objects expire after a day
    s3 = aws_client("s3")
    bucket = "%s-ssm-123456789012-eu-west-1" % DEPLOYMENT
    [rule] = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] == key_arn(aws_client)
    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
    [expiry] = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert expiry["Expiration"]["Days"] == 1


def test_aws_inventory_groups_the_hosts_by_their_role_tag(site, aws_client, ansible_env, moto_port):
    """inventories/aws (amazon.aws.aws_ec2) pointed at moto: only this deployment's hosts, in
    dicoogle_client and dicoogle_storage, reached by Session Manager through the transfer bucket."""
    env = dict(ansible_env, AWS_ENDPOINT_URL="http://127.0.0.1:%d" % moto_port, AWS_ACCESS_KEY_ID="testing",
               AWS_SECRET_ACCESS_KEY="testing", AWS_REGION="eu-west-1", DICOOGLE_DEPLOYMENT=DEPLOYMENT)

    def run(*args):
        proc = subprocess.run([str(VENV_BIN / args[0])] + list(args[1:]), cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=300, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc.stdout

    graph = run("ansible-inventory", "-i", "inventories/aws", "--graph")
    assert "@dicoogle_client:\n  |  |--%s-client" % DEPLOYMENT in graph, graph
    assert "@dicoogle_storage:\n  |  |--%s-storage" % DEPLOYMENT in graph, graph
    groups = json.loads(run("ansible-inventory", "-i", "inventories/aws", "--list"))
    assert groups["dicoogle_client"]["hosts"] == [DEPLOYMENT + "-client"]
    assert groups["dicoogle_storage"]["hosts"] == [DEPLOYMENT + "-storage"]
    # the connection variables resolve from the instances' tags and facts
    shown = run("ansible", "-i", "inventories/aws", "dicoogle_hosts", "-m", "ansible.builtin.debug", "-a",
                "msg={{ ansible_connection }},{{ ansible_host }},{{ ansible_aws_ssm_bucket_name }},{{ ansible_aws_ssm_region }}")
    bucket = "%s-ssm-123456789012-eu-west-1" % DEPLOYMENT
    for instance in running_instances(aws_client, DEPLOYMENT).values():
        assert "amazon.aws.aws_ssm,%s,%s,eu-west-1" % (instance["InstanceId"], bucket) in shown, shown
    # another deployment's inventory sees none of them
    env["DICOOGLE_DEPLOYMENT"] = "it-nobody"
    assert "dicoogle_client" not in json.loads(run("ansible-inventory", "-i", "inventories/aws", "--list"))


def test_edge_hosts_on_ubuntu_reached_by_ssh(site, aws_client, run_playbook, tmp_path):
    """The role on its own as another deployment (it-ssh) in the site's network: Ubuntu's image
    (SSM agent included: no user data), SSH access (no transfer bucket), idempotent, torn down."""
    ec2 = aws_client("ec2")

    def subnet(name):
        return ec2.describe_subnets(Filters=[{"Name": "tag:Name", "Values": [name]}])["Subnets"][0]["SubnetId"]

    def group(name):
        return ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [name]}])["SecurityGroups"][0]["GroupId"]

    eni_tags = [{"Key": "Name", "Value": "it-ssh-storage-host"}, {"Key": TAG_KEY, "Value": "it-ssh"}]
    eni = ec2.create_network_interface(
        SubnetId=subnet(DEPLOYMENT + "-storage-private-a"), Groups=[group(DEPLOYMENT + "-storage-host")],
        TagSpecifications=[{"ResourceType": "network-interface", "Tags": eni_tags}])["NetworkInterface"]
    extra = {
        "dicoogle_deployment": "it-ssh", "dicoogle_state_dir": str(tmp_path), "role_state": "present",
        "edge_hosts_os": "ubuntu2404", "dicoogle_edge_access": "ssh", "dicoogle_admin_ssh_cidrs": ["192.0.2.0/24"],
        "edge_hosts_kms_alias": "alias/" + DEPLOYMENT, "edge_hosts_key_pair_name": DEPLOYMENT,
        "edge_hosts_client_subnet_id": subnet(DEPLOYMENT + "-client-private-a"),
        "edge_hosts_client_security_group_id": group(DEPLOYMENT + "-client-host"),
        "edge_hosts_images_bucket": "%s-images-123456789012-eu-west-1" % DEPLOYMENT,
    }
    try:
        up = run_playbook("tests/integration/playbooks/edge_hosts.yml", extra_vars=extra)
        assert up.rc == 0, up
        found = running_instances(aws_client, "it-ssh")
        noble = [{"Name": "name", "Values": ["ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-*"]}]
        [image] = ec2.describe_images(Owners=["099720109477"], Filters=noble)["Images"]
        assert {role: i["ImageId"] for role, i in found.items()} == {"client": image["ImageId"], "storage": image["ImageId"]}
        for instance in found.values():
            assert as_dict(instance["Tags"])["dicoogle:login-user"] == "ubuntu"
            assert "dicoogle:ssm-bucket" not in as_dict(instance["Tags"])
            assert "Value" not in ec2.describe_instance_attribute(InstanceId=instance["InstanceId"], Attribute="userData")["UserData"]
            assert instance["BlockDeviceMappings"][0]["DeviceName"] == "/dev/sda1"
        assert found["storage"]["NetworkInterfaces"][0]["NetworkInterfaceId"] == eni["NetworkInterfaceId"]
        assert not [b for b in aws_client("s3").list_buckets()["Buckets"] if b["Name"].startswith("it-ssh-")]
        again = run_playbook("tests/integration/playbooks/edge_hosts.yml", extra_vars=extra)
        assert again.rc == 0 and again.changed == 0, again
    finally:
        down = run_playbook("tests/integration/playbooks/edge_hosts.yml", extra_vars=dict(extra, role_state="absent"))
        ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])
    assert down.rc == 0, down
    assert running_instances(aws_client, "it-ssh") == {}
    assert tagged_resources(aws_client, "it-ssh") == []
    again = run_playbook("tests/integration/playbooks/edge_hosts.yml", extra_vars=dict(extra, role_state="absent"))
    assert again.rc == 0 and again.changed == 0, again


def test_privatelink_offers_the_nlb_to_the_client_vpc(site, aws_client):
    elb = aws_client("elbv2")
    [nlb] = elb.describe_load_balancers(Names=[DEPLOYMENT + "-pacs"])["LoadBalancers"]
    assert nlb["Scheme"] == "internal"
    attributes = {a["Key"]: a["Value"] for a in elb.describe_load_balancer_attributes(LoadBalancerArn=nlb["LoadBalancerArn"])["Attributes"]}
    # TCP listeners: an NLB would write no access log, so none is configured
    assert attributes["access_logs.s3.enabled"] == "false"
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


def web_user_password(aws_client):
    return aws_client("secretsmanager").get_secret_value(SecretId="%s/web-users/%s" % (DEPLOYMENT, WEB_USER))["SecretString"]


def automation_password(aws_client):
    return aws_client("secretsmanager").get_secret_value(SecretId=DEPLOYMENT + "/web-automation")["SecretString"]


def pacs_admin_password(aws_client):
    return aws_client("secretsmanager").get_secret_value(SecretId="%s/pacs-admin-password" % DEPLOYMENT)["SecretString"]


def task_definition(aws_client, family):
    return aws_client("ecs").describe_task_definition(taskDefinition=family)["taskDefinition"]


def containers_of(definition):
    return {c["name"]: c for c in definition["containerDefinitions"]}


def test_pacs_service_runs_the_task_in_the_private_subnets_behind_both_load_balancers(site, aws_client):
    ecs, elb, ec2 = aws_client("ecs"), aws_client("elbv2"), aws_client("ec2")
    [service] = ecs.describe_services(cluster=DEPLOYMENT, services=[DEPLOYMENT + "-pacs"])["services"]
    assert service["launchType"] == "FARGATE" and service["desiredCount"] == 1
    assert service["taskDefinition"].endswith("/%s-pacs:1" % DEPLOYMENT)
    # one writer on the Lucene index: the old task stops before a new one starts; failed deployments roll back
    assert service["deploymentConfiguration"] == {"maximumPercent": 100, "minimumHealthyPercent": 0,
                                                  "deploymentCircuitBreaker": {"enable": True, "rollback": True}}
    network = service["networkConfiguration"]["awsvpcConfiguration"]
    assert network["assignPublicIp"] == "DISABLED"
    subnets = ec2.describe_subnets(SubnetIds=network["subnets"])["Subnets"]
    assert len(subnets) == 2 and not any(s["MapPublicIpOnLaunch"] for s in subnets)
    assert {as_dict(s["Tags"])["Name"].split("-")[-2] for s in subnets} == {"private"}
    [group] = ec2.describe_security_groups(GroupIds=network["securityGroups"])["SecurityGroups"]
    assert group["GroupName"] == DEPLOYMENT + "-pacs-task"
    groups = {g["TargetGroupArn"]: g["TargetGroupName"] for g in elb.describe_target_groups()["TargetGroups"]}
    assert sorted((groups[lb["targetGroupArn"]], lb["containerName"], lb["containerPort"]) for lb in service["loadBalancers"]) == [
        (DEPLOYMENT + "-qr", "pacs", 1045), (DEPLOYMENT + "-store", "tunnel-server", 16666), (DEPLOYMENT + "-web", "nginx", 8443)]


def ghostunnel_commands(store_port):
    """The task's tunnel server (mTLS 16666 -> the engine's C-STORE port, the client's name only) and
    tunnel client (127.0.0.1:17777 -> the storage site, checking its name), as ghostunnel runs them."""
    files = ["--cert=/run/secrets/tunnel-cert.pem", "--key=/run/secrets/tunnel-key.pem", "--cacert=/run/secrets/tunnel-ca.pem"]
    return [["/usr/local/bin/ghostunnel", "server", "--listen=0.0.0.0:16666", "--target=127.0.0.1:%d" % store_port, *files,
             "--allow-cn=client.dicoogle.internal"],
            ["/usr/local/bin/ghostunnel", "client", "--listen=127.0.0.1:17777", "--target=storage.dicoogle.internal:7777", *files,
             "--override-server-name=storage.dicoogle.internal"]]


def test_task_definition_of_the_lab_engines(site, aws_client):
    """The lab's engines (orthanc, ghostunnel): containers, ports, secrets, EFS volumes, logs, roles."""
    definition = task_definition(aws_client, DEPLOYMENT + "-pacs")
    assert (definition["cpu"], definition["memory"], definition["networkMode"]) == ("1024", "2048", "awsvpc")
    assert definition["requiresCompatibilities"] == ["FARGATE"]
    containers = containers_of(definition)
    assert sorted(containers) == ["nginx", "pacs", "tunnel-client", "tunnel-server"]
    registry = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/%s/" % DEPLOYMENT
    images = {name: c["image"] for name, c in containers.items()}
    assert images["pacs"].startswith(registry + "orthanc:sha-") and images["nginx"].startswith(registry + "nginx:sha-")
    assert images["tunnel-server"] == images["tunnel-client"] and images["tunnel-server"].startswith(registry + "ghostunnel:sha-")
    assert {name: sorted(p["containerPort"] for p in c.get("portMappings", [])) for name, c in containers.items()} == {
        "pacs": [1045, 8042], "nginx": [8443], "tunnel-server": [16666], "tunnel-client": []}
    secrets = {name: {s["name"]: s["valueFrom"] for s in c.get("secrets", [])} for name, c in containers.items()}
    tunnel = {"TUNNEL_CERT_PEM": DEPLOYMENT + "/ghostunnel-cert", "TUNNEL_KEY_PEM": DEPLOYMENT + "/ghostunnel-key",
              "TUNNEL_CA_PEM": DEPLOYMENT + "/ca-cert"}
    assert secrets == {"pacs": {"PACS_ADMIN_PASSWORD": DEPLOYMENT + "/pacs-admin-password"},
                       "nginx": {"NGINX_CERT_PEM": DEPLOYMENT + "/nginx-cert", "NGINX_KEY_PEM": DEPLOYMENT + "/nginx-key"},
                       "tunnel-server": tunnel, "tunnel-client": tunnel}
    env = {name: {e["name"]: e["value"] for e in c.get("environment", [])} for name, c in containers.items()}
    orthanc = json.loads(env["pacs"]["ORTHANC_CONF"])
    # the password is not in the task definition: Orthanc expands it from the secret
    assert orthanc["RegisteredUsers"] == {"admin": "${PACS_ADMIN_PASSWORD}"} and orthanc["DicomPort"] == 1045
    assert orthanc["DicomModalities"]["CONSUMER"] == ["CONSUMER", "127.0.0.1", 17777]
    assert "proxy_pass http://127.0.0.1:8042;" in env["nginx"]["NGINX_CONF"]
    assert [containers[name]["command"] for name in ("tunnel-server", "tunnel-client")] == ghostunnel_commands(1045)
    assert env["tunnel-server"] == env["tunnel-client"] == {}
    efs = aws_client("efs")
    [fs] = [f for f in efs.describe_file_systems()["FileSystems"] if f.get("Name") == DEPLOYMENT + "-pacs"]
    points = {ap["Name"]: ap["AccessPointId"] for ap in efs.describe_access_points(FileSystemId=fs["FileSystemId"])["AccessPoints"]}
    volumes = {v["name"]: v["efsVolumeConfiguration"] for v in definition["volumes"]}
    assert volumes == {name: {"fileSystemId": fs["FileSystemId"], "rootDirectory": "/", "transitEncryption": "ENABLED",
                              "authorizationConfig": {"accessPointId": points[name], "iam": "ENABLED"}} for name in ("images", "index")}
    assert sorted((m["sourceVolume"], m["containerPath"]) for m in containers["pacs"]["mountPoints"]) == [
        ("images", "/var/lib/pacs/images"), ("index", "/var/lib/pacs/db")]
    for container in containers.values():
        options = container["logConfiguration"]["options"]
        assert container["logConfiguration"]["logDriver"] == "awslogs" and options["awslogs-group"] == "/dicoogle/%s/pacs" % DEPLOYMENT
    [group] = aws_client("logs").describe_log_groups(logGroupNamePrefix="/dicoogle/%s/pacs" % DEPLOYMENT)["logGroups"]
    assert group["retentionInDays"] == 30 and group["kmsKeyId"] == key_arn(aws_client)
    iam = aws_client("iam")
    for role, policy in (("execution", "execution_policy"), ("task", "task_policy")):
        name = "%s-pacs-%s" % (DEPLOYMENT, role)
        assert definition[role + "RoleArn"].endswith(":role/" + name)
        assert iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"] == []
        assert iam.list_role_policies(RoleName=name)["PolicyNames"] == [policy]
    task_policy = iam.get_role_policy(RoleName=DEPLOYMENT + "-pacs-task", PolicyName="task_policy")["PolicyDocument"]
    condition = task_policy["Statement"][0]["Condition"]["StringEquals"]["elasticfilesystem:AccessPointArn"]
    assert sorted(arn.split("/")[-1] for arn in condition) == sorted([points["images"], points["index"]])
    execution = iam.get_role_policy(RoleName=DEPLOYMENT + "-pacs-execution", PolicyName="execution_policy")["PolicyDocument"]
    [read] = [s for s in execution["Statement"] if s["Sid"] == "ReadTheTasksSecrets"]
    assert sorted(r.split(":secret:")[1] for r in read["Resource"]) == sorted(
        "%s/%s-*" % (DEPLOYMENT, n) for n in ("nginx-cert", "nginx-key", "ghostunnel-cert", "ghostunnel-key", "ca-cert", "pacs-admin-password"))


def test_task_definition_of_dicoogle_and_ghostunnel_has_the_exact_tunnel_command_lines(site, aws_client, run_playbook, tmp_path):
    """The AWS default engines, registered by the role on its own as another deployment (it-ecs) on
    the site's network, file system and target groups; then removed by the role's teardown."""
    ec2, efs = aws_client("ec2"), aws_client("efs")
    [fs] = [f for f in efs.describe_file_systems()["FileSystems"] if f.get("Name") == DEPLOYMENT + "-pacs"]
    points = {ap["Name"]: ap["AccessPointId"] for ap in efs.describe_access_points(FileSystemId=fs["FileSystemId"])["AccessPoints"]}
    subnets = [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "tag:Name", "Values": [DEPLOYMENT + "-pacs-private-*"]}])["Subnets"]]
    [group] = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [DEPLOYMENT + "-pacs-task"]}])["SecurityGroups"]
    extra = {
        "dicoogle_deployment": "it-ecs", "dicoogle_state_dir": str(tmp_path), "role_state": "present",
        "pacs_service_engine": "dicoogle", "pacs_service_tunnel_engine": "ghostunnel", "pacs_service_kms_alias": "alias/" + DEPLOYMENT,
        "pacs_service_image_tags": {"dicoogle": "sha-000000000001", "nginx": "sha-000000000002", "ghostunnel": "sha-000000000003"},
        "pacs_service_subnet_ids": subnets, "pacs_service_security_group_id": group["GroupId"],
        "pacs_service_efs_id": fs["FileSystemId"], "pacs_service_access_point_ids": points,
        "pacs_service_web_target_group": DEPLOYMENT + "-web", "pacs_service_store_target_group": DEPLOYMENT + "-store",
        "pacs_service_qr_target_group": DEPLOYMENT + "-qr",
    }
    up = run_playbook("tests/integration/playbooks/pacs_service.yml", extra_vars=extra)
    assert up.rc == 0, up
    try:
        containers = containers_of(task_definition(aws_client, "it-ecs-pacs"))
        assert [containers[name]["command"] for name in ("tunnel-server", "tunnel-client")] == ghostunnel_commands(6666)
        assert "--allow-all" not in containers["tunnel-server"]["command"]
        registry = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/it-ecs/"
        assert containers["pacs"]["image"] == registry + "dicoogle:sha-000000000001"
        assert containers["tunnel-client"]["image"] == registry + "ghostunnel:sha-000000000003"
        assert sorted(p["containerPort"] for p in containers["pacs"]["portMappings"]) == [1045, 6666, 8080]
        assert sorted((m["sourceVolume"], m["containerPath"]) for m in containers["pacs"]["mountPoints"]) == [
            ("confs", "/opt/dicoogle/confs"), ("images", "/var/lib/pacs/images"), ("index", "/var/lib/pacs/index")]
        assert containers["pacs"]["healthCheck"]["command"] == ["CMD-SHELL", "curl -fsS http://127.0.0.1:8080/ext/version || exit 1"]
        assert "secrets" not in containers["pacs"]  # Dicoogle's password is rotated through its API
        assert "proxy_pass http://127.0.0.1:8080;" in {e["name"]: e["value"] for e in containers["nginx"]["environment"]}["NGINX_CONF"]
        again = run_playbook("tests/integration/playbooks/pacs_service.yml", extra_vars=extra)
        assert again.rc == 0 and again.changed == 0, again
    finally:
        down = run_playbook("tests/integration/playbooks/pacs_service.yml", extra_vars=dict(extra, role_state="absent"))
    assert down.rc == 0, down
    assert tagged_resources(aws_client, "it-ecs") == []
    assert aws_client("ecs").list_task_definitions(familyPrefix="it-ecs-pacs", status="ACTIVE")["taskDefinitionArns"] == []


def test_front_door_signs_users_in_with_cognito_before_nginx(site, aws_client):
    elb, cognito, route53 = aws_client("elbv2"), aws_client("cognito-idp"), aws_client("route53")
    [alb] = elb.describe_load_balancers(Names=[DEPLOYMENT + "-web"])["LoadBalancers"]
    assert alb["Scheme"] == "internet-facing" and alb["Type"] == "application"
    attributes = {a["Key"]: a["Value"] for a in elb.describe_load_balancer_attributes(LoadBalancerArn=alb["LoadBalancerArn"])["Attributes"]}
    assert attributes["access_logs.s3.enabled"] == "true" and attributes["access_logs.s3.prefix"] == "alb"
    assert attributes["access_logs.s3.bucket"] == "%s-logs-123456789012-eu-west-1" % DEPLOYMENT
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"
    [listener] = elb.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"]
    assert (listener["Protocol"], listener["Port"], listener["SslPolicy"]) == ("HTTPS", 443, "ELBSecurityPolicy-TLS13-1-2-2021-06")
    assert listener["DefaultActions"][0]["Type"] == "fixed-response"
    [certificate] = listener["Certificates"]
    cert = aws_client("acm").describe_certificate(CertificateArn=certificate["CertificateArn"])["Certificate"]
    hostname = "dicoogle-eu-west-1.lab.dicoogle.test"
    assert cert["DomainName"] == hostname
    [rule] = [r for r in elb.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"] if not r["IsDefault"]]
    assert rule["Conditions"][0]["Values"] == ["/*"]
    auth, forward = sorted(rule["Actions"], key=lambda a: a["Order"])
    assert auth["Type"] == "authenticate-cognito" and forward["Type"] == "forward"
    [group] = elb.describe_target_groups(TargetGroupArns=[forward["TargetGroupArn"]])["TargetGroups"]
    assert (group["TargetGroupName"], group["Protocol"], group["Port"], group["TargetType"]) == (DEPLOYMENT + "-web", "HTTPS", 8443, "ip")
    config = auth["AuthenticateCognitoConfig"]
    pool_id = config["UserPoolArn"].split("/")[-1]
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["Name"] == DEPLOYMENT + "-users" and pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 14 and pool["MfaConfiguration"] == "OPTIONAL"
    assert config["OnUnauthenticatedRequest"] == "authenticate" and config["UserPoolDomain"] == pool["Domain"]
    client = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=config["UserPoolClientId"])["UserPoolClient"]
    assert client["AllowedOAuthFlows"] == ["code"] and client["ClientSecret"]
    assert client["CallbackURLs"] == ["https://%s/oauth2/idpresponse" % hostname]
    user = cognito.admin_get_user(UserPoolId=pool_id, Username=WEB_USER)
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    # the playbooks' own user signs in unattended: a permanent password, kept under the deployment's key
    automation = cognito.admin_get_user(UserPoolId=pool_id, Username=AUTOMATION_USER)
    assert automation["UserStatus"] == "CONFIRMED" and automation["Enabled"] is True
    secret = aws_client("secretsmanager").describe_secret(SecretId=DEPLOYMENT + "/web-automation")
    # kept as the role names the key (its alias): the key it resolves to is the deployment's
    assert aws_client("kms").describe_key(KeyId=secret["KmsKeyId"])["KeyMetadata"]["Arn"] == key_arn(aws_client)
    [zone] = [z for z in route53.list_hosted_zones()["HostedZones"] if z["Name"] == "lab.dicoogle.test." and not z["Config"]["PrivateZone"]]
    [record] = [r for r in route53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"] if r["Name"] == hostname + "."]
    assert record["Type"] == "A" and record["AliasTarget"]["DNSName"].rstrip(".").lower() == alb["DNSName"].lower()


def test_front_door_requests_and_validates_its_certificate_through_dns(site, aws_client, run_playbook, tmp_path):
    """The AWS default (front_door_certificate: acm), as another deployment (it-acm) on the site's
    network: ACM's validation record is published in the public zone, the run waits for ISSUED
    (moto issues after its validation wait), the listener uses it; teardown removes record and
    certificate."""
    ec2 = aws_client("ec2")
    subnets = [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "tag:Name", "Values": [DEPLOYMENT + "-pacs-public-*"]}])["Subnets"]]
    [group] = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [DEPLOYMENT + "-alb"]}])["SecurityGroups"]
    [vpc] = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [DEPLOYMENT + "-pacs"]}])["Vpcs"]
    extra = {
        "dicoogle_deployment": "it-acm", "dicoogle_state_dir": str(tmp_path), "role_state": "present",
        "dicoogle_public_domain": "acm.dicoogle.test", "front_door_create_public_zone": True, "front_door_certificate": "acm",
        "front_door_vpc_id": vpc["VpcId"], "front_door_subnet_ids": subnets, "front_door_security_group_id": group["GroupId"],
        "front_door_log_bucket_name": "%s-logs-123456789012-eu-west-1" % DEPLOYMENT, "front_door_kms_alias": "alias/" + DEPLOYMENT,
        "front_door_users": [], "front_door_certificate_wait_timeout": 180,
    }
    up = run_playbook("tests/integration/playbooks/front_door.yml", extra_vars=extra)
    try:
        assert up.rc == 0, up
        acm, route53, elb = aws_client("acm"), aws_client("route53"), aws_client("elbv2")
        [summary] = [c for c in acm.list_certificates()["CertificateSummaryList"] if c["DomainName"] == "dicoogle-eu-west-1.acm.dicoogle.test"]
        cert = acm.describe_certificate(CertificateArn=summary["CertificateArn"])["Certificate"]
        assert cert["Type"] == "AMAZON_ISSUED" and cert["Status"] == "ISSUED"
        record = cert["DomainValidationOptions"][0]["ResourceRecord"]
        [zone] = [z for z in route53.list_hosted_zones()["HostedZones"] if z["Name"] == "acm.dicoogle.test."]
        sets = route53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"]
        assert any(r["Name"] == record["Name"] and r["Type"] == "CNAME" and r["ResourceRecords"][0]["Value"] == record["Value"] for r in sets)
        [alb] = elb.describe_load_balancers(Names=["it-acm-web"])["LoadBalancers"]
        [listener] = elb.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"]
        assert listener["Certificates"][0]["CertificateArn"] == cert["CertificateArn"]
    finally:
        down = run_playbook("tests/integration/playbooks/front_door.yml", extra_vars=dict(extra, role_state="absent"))
    assert down.rc == 0, down
    assert tagged_resources(aws_client, "it-acm") == []
    assert "acm.dicoogle.test." not in [z["Name"] for z in aws_client("route53").list_hosted_zones()["HostedZones"]]


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


def test_second_run_changes_nothing_and_prints_no_secret(site, aws_client):
    again = site.lab("up")
    assert again.rc == 0 and again.changed == 0, again
    assert "PRIVATE KEY" not in again.output
    assert web_user_password(aws_client) not in again.output
    assert automation_password(aws_client) not in again.output
    assert pacs_admin_password(aws_client) not in again.output


def test_every_resource_of_the_deployment_exists_once(site, aws_client):
    assert by_type(tagged_resources(aws_client)) == EXPECTED


@pytest.mark.ends_deployment
def test_teardown_leaves_nothing_and_is_idempotent(site, aws_client):
    before = tagged_resources(aws_client)
    assert by_type(before) == EXPECTED
    instances = [ident for kind, ident in before if kind == "ec2-instance"]
    volumes = [v["VolumeId"] for v in aws_client("ec2").describe_volumes(
        Filters=[{"Name": "attachment.instance-id", "Values": instances}])["Volumes"]]
    assert len(volumes) == 2
    down = site.lab("down")
    assert down.rc == 0, down
    assert tagged_resources(aws_client) == []
    # by type: nothing of what existed is left, whether or not it carried tags
    vpcs = [ident for kind, ident in before if kind == "vpc"]
    ec2 = aws_client("ec2")
    assert ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": vpcs}])["Subnets"] == []
    assert ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": vpcs}])["NetworkInterfaces"] == []
    # the hosts' root volumes went with them
    assert ec2.describe_volumes(Filters=[{"Name": "volume-id", "Values": volumes}])["Volumes"] == []
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


@pytest.mark.ends_deployment
def test_rebuild_after_teardown_converges_and_tears_down_again(site, aws_client):
    """Runs after the teardown test: the KMS key pending deletion is restored, not duplicated."""
    again = site.lab("up")
    assert again.rc == 0, again
    assert by_type(tagged_resources(aws_client)) == EXPECTED
    assert len([k for k in aws_client("kms").list_aliases()["Aliases"] if k["AliasName"] == "alias/" + DEPLOYMENT]) == 1
    assert site.state.is_dir()
    down = site.lab("down", "-e", "dicoogle_teardown_local_state=true")
    assert down.rc == 0 and tagged_resources(aws_client) == [], down
    assert not site.state.exists()  # the local PKI and key went too, when asked
