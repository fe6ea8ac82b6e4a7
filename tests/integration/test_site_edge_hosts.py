"""The edge hosts of the shared site deployment (the client and storage instances), the AWS
inventory that finds them, and the role on its own with Ubuntu and SSH in the site's network."""

from __future__ import annotations

import base64
import json
import subprocess

import pytest

from tests.deployment import SITE_DEPLOYMENT as DEPLOYMENT
from tests.deployment import TAG_KEY, as_dict, key_arn, running_instances, tagged_resources
from tests.helpers import ROOT, VENV_BIN

# The deployment (tests/conftest.py's site fixture) is shared with the other test_site_*.py files and
# tests/security/test_security_aws.py.
pytestmark = pytest.mark.integration


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
        # its part (the inventory's group) and its DICOM node (the default nodes are named after their sites)
        assert (tags["dicoogle:role"], tags["dicoogle:node"]) == (role, role)
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
