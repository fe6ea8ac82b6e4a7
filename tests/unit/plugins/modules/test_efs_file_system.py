from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.dicoogle.aws.plugins.module_utils import aws as shared
from ansible_collections.dicoogle.aws.plugins.module_utils import efs
from ansible_collections.dicoogle.aws.plugins.modules import efs_file_system

TAGS = {"dicoogle:deployment": "unit"}
POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "DenyUnencryptedTransport", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "*",
                   "Condition": {"Bool": {"aws:SecureTransport": "false"}}}],
}


@pytest.fixture(autouse=True)
def no_sleeping(monkeypatch):
    """moto's states are final at once: the module checks before it pauses, so it never has to."""

    def refuse(seconds):
        raise AssertionError("the module slept %ss on moto" % seconds)

    monkeypatch.setattr(shared.time, "sleep", refuse)  # the time of the shared Waiter


@pytest.fixture
def network(aws):
    """A VPC with a subnet in each of two zones, two security groups and a KMS key."""
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.%d.0/24" % i, AvailabilityZone="eu-west-1" + zone)["Subnet"]["SubnetId"]
               for i, zone in ((1, "a"), (2, "b"))]
    sg = ec2.create_security_group(GroupName="efs", Description="NFS from the PACS", VpcId=vpc)["GroupId"]
    other_sg = ec2.create_security_group(GroupName="efs-other", Description="NFS from elsewhere", VpcId=vpc)["GroupId"]
    key = aws("kms").create_key(Description="pacs storage")["KeyMetadata"]
    return SimpleNamespace(vpc=vpc, subnets=subnets, sg=sg, other_sg=other_sg, key_id=key["KeyId"], key_arn=key["Arn"])


def storage(net, **extra):
    args = {"name": "pacs-storage", "kms_key_id": net.key_arn, "tags": TAGS,
            "mount_targets": [{"subnet_id": subnet, "security_groups": [net.sg]} for subnet in net.subnets]}
    args.update(extra)
    return args


def file_systems(aws):
    return aws("efs").describe_file_systems()["FileSystems"]


def mount_targets(aws, fs_id):
    efs = aws("efs")
    found = efs.describe_mount_targets(FileSystemId=fs_id)["MountTargets"]
    return {mt["SubnetId"]: (mt["MountTargetId"], efs.describe_mount_target_security_groups(MountTargetId=mt["MountTargetId"])["SecurityGroups"])
            for mt in found}


def tags_of(aws, fs_id):
    return {t["Key"]: t["Value"] for t in aws("efs").list_tags_for_resource(ResourceId=fs_id)["Tags"]}


def test_creates_it_encrypted_with_the_key_tags_and_a_mount_target_in_each_subnet(aws, run_module, network):
    result = run_module(efs_file_system, storage(network))
    assert result["changed"] is True, result
    [fs] = file_systems(aws)
    assert fs["CreationToken"] == "pacs-storage"
    assert fs["Encrypted"] is True and fs["KmsKeyId"] == network.key_arn
    assert fs["PerformanceMode"] == "generalPurpose" and fs["ThroughputMode"] == "elastic"
    assert tags_of(aws, fs["FileSystemId"]) == dict(TAGS, Name="pacs-storage")
    targets = mount_targets(aws, fs["FileSystemId"])
    assert sorted(targets) == sorted(network.subnets)
    assert [groups for mount_target_id, groups in targets.values()] == [[network.sg], [network.sg]]
    returned = result["file_system"]
    assert returned["file_system_id"] == fs["FileSystemId"] and returned["name"] == "pacs-storage"
    assert returned["encrypted"] is True and returned["kms_key_id"] == network.key_arn
    assert returned["life_cycle_state"] == "available"
    assert returned["tags"] == dict(TAGS, Name="pacs-storage")
    assert sorted(mt["subnet_id"] for mt in returned["mount_targets"]) == sorted(network.subnets)
    for mt in returned["mount_targets"]:
        assert mt["security_groups"] == [network.sg] and mt["life_cycle_state"] == "available"
        assert mt["mount_target_id"].startswith("fsmt-") and mt["ip_address"] and mt["availability_zone_name"]
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["mount_targets"] == {subnet: [network.sg] for subnet in network.subnets}


def test_second_run_finds_it_by_name_and_changes_nothing(aws, run_module, network):
    first = run_module(efs_file_system, storage(network))
    again = run_module(efs_file_system, storage(network))
    assert again["changed"] is False, again["diff"]
    assert again["diff"]["before"] == again["diff"]["after"]
    [fs] = file_systems(aws)
    assert again["file_system"]["file_system_id"] == first["file_system"]["file_system_id"] == fs["FileSystemId"]
    assert len(mount_targets(aws, fs["FileSystemId"])) == 2
    assert len(again["file_system"]["mount_targets"]) == 2


def test_the_key_given_by_its_alias_is_the_same_key(aws, run_module, network):
    aws("kms").create_alias(AliasName="alias/pacs-storage", TargetKeyId=network.key_id)
    run_module(efs_file_system, storage(network))
    assert run_module(efs_file_system, storage(network, kms_key_id="alias/pacs-storage"))["changed"] is False
    assert run_module(efs_file_system, storage(network, kms_key_id=network.key_id))["changed"] is False


def test_check_mode_reports_a_change_and_makes_none(aws, run_module, network):
    created = run_module(efs_file_system, storage(network), check_mode=True)
    assert created["changed"] is True and created["file_system"] == {}
    assert created["diff"]["after"]["tags"] == dict(TAGS, Name="pacs-storage")
    assert file_systems(aws) == []

    run_module(efs_file_system, storage(network))
    [fs] = file_systems(aws)
    retag = run_module(efs_file_system, storage(network, tags={"owner": "pacs"}, mount_targets=[{"subnet_id": network.subnets[0]}]),
                       check_mode=True)
    assert retag["changed"] is True
    assert tags_of(aws, fs["FileSystemId"]) == dict(TAGS, Name="pacs-storage")
    assert len(mount_targets(aws, fs["FileSystemId"])) == 2

    gone = run_module(efs_file_system, storage(network, state="absent"), check_mode=True)
    assert gone["changed"] is True and gone["diff"]["after"] == {}
    assert len(file_systems(aws)) == 1 and len(mount_targets(aws, fs["FileSystemId"])) == 2


def test_tags_are_updated_in_place_and_the_name_is_kept(aws, run_module, network):
    first = run_module(efs_file_system, storage(network))
    fs_id = first["file_system"]["file_system_id"]
    result = run_module(efs_file_system, storage(network, tags={"owner": "pacs", "Name": "other"}))
    assert result["changed"] is True
    assert result["file_system"]["file_system_id"] == fs_id and len(file_systems(aws)) == 1
    assert tags_of(aws, fs_id) == {"owner": "pacs", "Name": "pacs-storage"}
    assert result["file_system"]["tags"] == {"owner": "pacs", "Name": "pacs-storage"}
    assert result["diff"]["before"]["tags"] == dict(TAGS, Name="pacs-storage")
    assert result["diff"]["after"]["tags"] == {"owner": "pacs", "Name": "pacs-storage"}
    kept = run_module(efs_file_system, storage(network, tags={"extra": "1"}, purge_tags=False))
    assert kept["changed"] is True and tags_of(aws, fs_id) == {"owner": "pacs", "extra": "1", "Name": "pacs-storage"}
    untouched = run_module(efs_file_system, storage(network, tags=None))
    assert untouched["changed"] is False and tags_of(aws, fs_id) == {"owner": "pacs", "extra": "1", "Name": "pacs-storage"}


def test_throughput_mode_is_changed_in_place(aws, run_module, network, monkeypatch):
    first = run_module(efs_file_system, storage(network))
    fs_id = first["file_system"]["file_system_id"]
    wanted = storage(network, throughput_mode="provisioned", provisioned_throughput_in_mibps=128)
    # moto would raise NotImplementedError for UpdateFileSystem: check mode must not call it
    checked = run_module(efs_file_system, wanted, check_mode=True)
    assert checked["changed"] is True and checked["diff"]["after"]["throughput_mode"] == "provisioned"

    # moto 5.2.5 does not implement UpdateFileSystem, so a Stubber answers that one call of the
    # module's EFS client; every other call still goes to moto.
    described = {k: v for k, v in aws("efs").describe_file_systems(FileSystemId=fs_id)["FileSystems"][0].items()
                 if k != "ResponseMetadata"}
    stubbed = aws("efs")
    stubber = Stubber(stubbed)
    stubber.add_response(
        "update_file_system",
        dict(described, ThroughputMode="provisioned", ProvisionedThroughputInMibps=128.0, LifeCycleState="updating"),
        {"FileSystemId": fs_id, "ThroughputMode": "provisioned", "ProvisionedThroughputInMibps": 128.0},
    )
    real_client = AnsibleAWSModule.client

    def update_file_system(**params):
        params.pop("aws_retry", None)
        return stubbed.update_file_system(**params)

    def client(self, service, retry_decorator=None, **extra):
        conn = real_client(self, service, retry_decorator=retry_decorator, **extra)
        if service == "efs":
            conn.update_file_system = update_file_system
        return conn

    monkeypatch.setattr(AnsibleAWSModule, "client", client)
    with stubber:
        result = run_module(efs_file_system, wanted)
    stubber.assert_no_pending_responses()
    assert result["changed"] is True, result
    assert result["file_system"]["file_system_id"] == fs_id and len(file_systems(aws)) == 1
    assert result["diff"]["before"]["throughput_mode"] == "elastic"
    assert result["diff"]["after"]["throughput_mode"] == "provisioned"
    assert result["diff"]["after"]["provisioned_throughput_in_mibps"] == 128.0


def test_security_groups_of_a_mount_target_are_changed_in_place(aws, run_module, network):
    first = run_module(efs_file_system, storage(network))
    fs_id = first["file_system"]["file_system_id"]
    before = mount_targets(aws, fs_id)
    wanted = [{"subnet_id": network.subnets[0], "security_groups": [network.other_sg]},
              {"subnet_id": network.subnets[1], "security_groups": [network.sg]}]
    result = run_module(efs_file_system, storage(network, mount_targets=wanted))
    assert result["changed"] is True
    after = mount_targets(aws, fs_id)
    assert after[network.subnets[0]] == (before[network.subnets[0]][0], [network.other_sg])
    assert after[network.subnets[1]] == before[network.subnets[1]]
    assert run_module(efs_file_system, storage(network, mount_targets=wanted))["changed"] is False
    # without security_groups an existing mount target keeps its groups
    kept = [{"subnet_id": subnet} for subnet in network.subnets]
    assert run_module(efs_file_system, storage(network, mount_targets=kept))["changed"] is False
    assert mount_targets(aws, fs_id) == after


def test_a_subnet_dropped_from_mount_targets_loses_its_mount_target(aws, run_module, network):
    first = run_module(efs_file_system, storage(network))
    fs_id = first["file_system"]["file_system_id"]
    before = mount_targets(aws, fs_id)
    result = run_module(efs_file_system, storage(network, mount_targets=[{"subnet_id": network.subnets[0], "security_groups": [network.sg]}]))
    assert result["changed"] is True
    assert mount_targets(aws, fs_id) == {network.subnets[0]: before[network.subnets[0]]}
    assert [mt["subnet_id"] for mt in result["file_system"]["mount_targets"]] == [network.subnets[0]]
    # without mount_targets they are left alone
    assert run_module(efs_file_system, storage(network, mount_targets=None))["changed"] is False
    assert len(mount_targets(aws, fs_id)) == 1


def test_a_mount_target_moves_to_another_subnet_of_its_zone(aws, run_module, network):
    # EFS allows one mount target a zone: the old one must be gone before the new one is created
    moved = aws("ec2").create_subnet(VpcId=network.vpc, CidrBlock="10.20.3.0/24", AvailabilityZone="eu-west-1a")["Subnet"]["SubnetId"]
    first = run_module(efs_file_system, storage(network))
    fs_id = first["file_system"]["file_system_id"]
    wanted = [{"subnet_id": moved, "security_groups": [network.sg]}, {"subnet_id": network.subnets[1], "security_groups": [network.sg]}]
    result = run_module(efs_file_system, storage(network, mount_targets=wanted))
    assert result["changed"] is True, result
    assert sorted(mount_targets(aws, fs_id)) == sorted([moved, network.subnets[1]])


def test_a_wait_that_cannot_end_in_time_fails_naming_wait_timeout(clock):
    failures = []

    def fail_json(**result):
        failures.append(result["msg"])
        raise SystemExit(1)

    def never():
        return False

    module = SimpleNamespace(params={"wait_timeout": 1}, fail_json=fail_json)
    with pytest.raises(SystemExit):
        efs.Waits(module, client=None).until("fs-0123456789abcdef0 to be available", never)
    assert "wait_timeout=1" in failures[0] and "fs-0123456789abcdef0" in failures[0]
    assert clock.slept == [1]  # one pause, up to the deadline and not past it


@pytest.mark.parametrize("extra, named", [
    ({"performance_mode": "maxIO", "throughput_mode": "bursting"}, "performance_mode"),
    ({"kms_key_id": "another"}, "kms_key_id"),
    ({"encrypted": False, "kms_key_id": None}, "encrypted"),
])
def test_an_immutable_setting_is_refused_not_replaced(aws, run_module, network, extra, named):
    if extra.get("kms_key_id") == "another":
        extra = dict(extra, kms_key_id=aws("kms").create_key()["KeyMetadata"]["Arn"])
    first = run_module(efs_file_system, storage(network))
    result = run_module(efs_file_system, storage(network, **extra))
    assert result["failed"] is True and named in result["msg"] and "state=absent" in result["msg"], result
    [fs] = file_systems(aws)
    assert fs["FileSystemId"] == first["file_system"]["file_system_id"]
    assert fs["PerformanceMode"] == "generalPurpose" and fs["KmsKeyId"] == network.key_arn


def test_file_system_policy_is_put_once(aws, run_module, network):
    first = run_module(efs_file_system, storage(network, file_system_policy=POLICY))
    fs_id = first["file_system"]["file_system_id"]
    assert json.loads(aws("efs").describe_file_system_policy(FileSystemId=fs_id)["Policy"]) == POLICY
    assert run_module(efs_file_system, storage(network, file_system_policy=POLICY))["changed"] is False
    # the same document as a JSON string, keys in another order, is the same policy
    reordered = json.dumps(dict(reversed(list(POLICY.items()))), indent=2)
    assert run_module(efs_file_system, storage(network, file_system_policy=reordered))["changed"] is False
    other = dict(POLICY, Statement=[dict(POLICY["Statement"][0], Sid="Other")])
    changed = run_module(efs_file_system, storage(network, file_system_policy=other))
    assert changed["changed"] is True and changed["diff"]["before"]["file_system_policy"] == POLICY
    assert json.loads(aws("efs").describe_file_system_policy(FileSystemId=fs_id)["Policy"]) == other


def test_transition_to_ia_is_set_and_other_lifecycle_policies_kept(aws, run_module, network):
    first = run_module(efs_file_system, storage(network, transition_to_ia="AFTER_30_DAYS"))
    fs_id = first["file_system"]["file_system_id"]
    efs = aws("efs")
    assert efs.describe_lifecycle_configuration(FileSystemId=fs_id)["LifecyclePolicies"] == [{"TransitionToIA": "AFTER_30_DAYS"}]
    assert run_module(efs_file_system, storage(network, transition_to_ia="AFTER_30_DAYS"))["changed"] is False
    efs.put_lifecycle_configuration(FileSystemId=fs_id, LifecyclePolicies=[{"TransitionToIA": "AFTER_30_DAYS"},
                                                                           {"TransitionToPrimaryStorageClass": "AFTER_1_ACCESS"}])
    assert run_module(efs_file_system, storage(network, transition_to_ia="AFTER_90_DAYS"))["changed"] is True
    assert efs.describe_lifecycle_configuration(FileSystemId=fs_id)["LifecyclePolicies"] == [
        {"TransitionToPrimaryStorageClass": "AFTER_1_ACCESS"}, {"TransitionToIA": "AFTER_90_DAYS"}]
    assert run_module(efs_file_system, storage(network))["changed"] is False


def test_absent_deletes_the_mount_targets_then_the_file_system(aws, run_module, network):
    first = run_module(efs_file_system, storage(network))
    interfaces = aws("ec2").describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [network.vpc]}])["NetworkInterfaces"]
    assert len(interfaces) == 2
    aws("efs").create_access_point(FileSystemId=first["file_system"]["file_system_id"], RootDirectory={"Path": "/images"})
    gone = run_module(efs_file_system, storage(network, state="absent"))
    assert gone["changed"] is True and gone["file_system"] == {}
    assert gone["diff"]["before"]["mount_targets"] and gone["diff"]["after"] == {}
    assert file_systems(aws) == []
    assert aws("efs").describe_access_points()["AccessPoints"] == []
    interfaces = aws("ec2").describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [network.vpc]}])["NetworkInterfaces"]
    assert interfaces == []
    again = run_module(efs_file_system, storage(network, state="absent"))
    assert again["changed"] is False
    # the name is free again: a new file system, not the old one
    created = run_module(efs_file_system, storage(network))
    assert created["file_system"]["file_system_id"] != first["file_system"]["file_system_id"]


@pytest.mark.parametrize("extra, named", [
    ({"throughput_mode": "provisioned"}, "provisioned_throughput_in_mibps"),
    ({"provisioned_throughput_in_mibps": 64.0}, "provisioned_throughput_in_mibps"),
    ({"performance_mode": "maxIO"}, "throughput_mode"),
    ({"mount_targets": [{"security_groups": ["sg-0123456789abcdef0"]}]}, "subnet_id"),
    ({"mount_targets": [{"subnet_id": "sn-1"}]}, "subnet_id"),
    ({"mount_targets": [{"subnet_id": "subnet-0123456789abcdef0", "security_groups": ["default"]}]}, "security_groups"),
    ({"mount_targets": [{"subnet_id": "subnet-0123456789abcdef0", "security_groups": []}]}, "security_groups"),
    ({"mount_targets": [{"subnet_id": "subnet-0123456789abcdef0"}, {"subnet_id": "subnet-0123456789abcdef0"}]}, "twice"),
    ({"transition_to_ia": "AFTER_2_DAYS"}, "transition_to_ia"),
    ({"encrypted": False}, "kms_key_id"),
    ({"kms_key_id": "my key"}, "kms_key_id"),
    ({"file_system_policy": "{not json"}, "file_system_policy"),
    ({"file_system_policy": ["a list"]}, "file_system_policy"),
    ({"name": "x" * 65}, "name"),
])
def test_bad_input_is_named_before_any_call(aws, run_module, network, extra, named):
    result = run_module(efs_file_system, storage(network, **extra))
    assert result["failed"] is True and named in result["msg"], result
    assert file_systems(aws) == []
