"""ec2_instances: a list of EC2 instances, each found by its name, run and converged in one call."""

from __future__ import annotations

import base64
import datetime
import json
import re

import pytest
from botocore.stub import Stubber
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ec2.models import ec2_backends

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.dicoogle.aws.plugins.module_utils import aws as aws_utils
from ansible_collections.dicoogle.aws.plugins.module_utils import ec2 as ec2_utils
from ansible_collections.dicoogle.aws.plugins.modules import ec2_instances

REGION = "eu-west-1"
IMAGE = "ami-12c6146b"
KMS_KEY = "arn:aws:kms:eu-west-1:123456789012:key/01234567-89ab-cdef-0123-456789abcdef"
MATCH = {"dicoogle:deployment": "unit"}
READS = ("Describe",)
NOT_FOUND_PROFILE = "Value (edge-client) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name"


@pytest.fixture
def network(aws):
    """A subnet, a security group, an interface of its own for the storage host and the hosts' instance profiles."""
    ec2, iam = aws("ec2"), aws("iam")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="client", Description="client", VpcId=vpc)["GroupId"]
    interface = ec2.create_network_interface(SubnetId=subnet, Groups=[group])["NetworkInterface"]["NetworkInterfaceId"]
    for name in ("edge-client", "edge-storage", "edge-other"):
        iam.create_instance_profile(InstanceProfileName=name)
    return {"subnet": subnet, "group": group, "interface": interface}


def hosts(network, **changes):
    """The edge hosts as the role asks for them; changes: {instance name: {option: value}}."""
    common = {"image_id": IMAGE, "instance_type": "t3.micro", "key_name": "edge",
              "volumes": [{"device_name": "/dev/xvda", "volume_size": 8, "kms_key_id": KMS_KEY}],
              "metadata_options": {"http_endpoint": "enabled", "http_tokens": "required", "http_put_response_hop_limit": 1}}
    listed = [
        dict(common, name="edge-client", iam_instance_profile="edge-client", subnet_id=network["subnet"],
             security_group_ids=[network["group"]], user_data="#!/bin/sh\necho client\n", tags=dict(MATCH, role="client")),
        dict(common, name="edge-storage", iam_instance_profile="edge-storage", network_interface_id=network["interface"],
             tags=dict(MATCH, role="storage")),
    ]
    for instance in listed:
        instance.update(changes.get(instance["name"], {}))
    return {"instances": listed, "match_tags": MATCH}


def live(aws):
    """{Name tag: instance} of the instances not terminated."""
    found = aws("ec2").describe_instances(Filters=[{"Name": "instance-state-name", "Values": ["pending", "running", "stopping", "stopped"]}])
    instances = [i for r in found["Reservations"] for i in r["Instances"]]
    return {tags_of(i).get("Name"): i for i in instances}


def tags_of(resource):
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}


def operations(calls):
    return [name for name, _params in calls]


def changes(calls):
    return [name for name, _params in calls if not name.startswith(READS)]


def moto_instance(instance_id):
    return ec2_backends[DEFAULT_ACCOUNT_ID][REGION].get_instance(instance_id)


@pytest.fixture
def no_sleep(monkeypatch):
    """The Waiter's pauses, recorded instead of slept."""
    slept = []
    monkeypatch.setattr(aws_utils.time, "sleep", slept.append)
    return slept


@pytest.fixture
def ec2_stub(monkeypatch, aws):
    """stub(*operations) sends these EC2 operations of the module to botocore's Stubber, which it returns, and every
    other call to moto; the requests of both are recorded in stub.calls. Each test says which of moto's gaps its
    stubbed calls cover."""
    calls = []

    def stub(*stubbed_operations):
        stubbed, real = aws("ec2"), aws("ec2")
        for client in (stubbed, real):
            client.meta.events.register("provide-client-params", lambda params, model, **_kw: calls.append((model.name, dict(params))))
        stubber = Stubber(stubbed)
        stubber.activate()

        class Routed:
            def __getattr__(self, name):
                return getattr(stubbed if name in stubbed_operations else real, name)

            def get_paginator(self, name):
                return (stubbed if name in stubbed_operations else real).get_paginator(name)

            def can_paginate(self, name):
                return real.can_paginate(name)

        def client(_self, service, retry_decorator=None, **_kwargs):
            assert service == "ec2"
            return RetryingBotoClientWrapper(Routed(), retry_decorator)

        monkeypatch.setattr(AnsibleAWSModule, "client", client)
        return stubber

    stub.calls = calls
    return stub


def an_instance(instance_id, state, name="edge-client"):
    """RunInstances' answer (the part the module reads) for one instance."""
    return {"ReservationId": "r-0123456789abcdef0", "OwnerId": "123456789012",
            "Instances": [{"InstanceId": instance_id, "ImageId": IMAGE, "InstanceType": "t3.micro", "PrivateIpAddress": "10.0.1.9",
                           "State": {"Code": 48 if state == "terminated" else 0, "Name": state},
                           "Tags": [{"Key": "Name", "Value": name}]}]}


def test_runs_each_host_with_its_interface_tags_metadata_profile_and_encrypted_volume(aws, network, run_module, sent):
    result = run_module(ec2_instances, hosts(network))
    assert result["changed"] is True, result
    made = live(aws)
    assert sorted(made) == ["edge-client", "edge-storage"]
    client, storage = made["edge-client"], made["edge-storage"]
    assert [(r["name"], r["instance_id"], r["changed"]) for r in result["instances"]] == [
        ("edge-client", client["InstanceId"], True), ("edge-storage", storage["InstanceId"], True)]
    assert result["instances"][0]["private_ip_address"] == client["PrivateIpAddress"]
    assert result["instances"][0]["tags"] == {"Name": "edge-client", "dicoogle:deployment": "unit", "role": "client"}
    ec2 = aws("ec2")
    for instance, role in ((client, "client"), (storage, "storage")):
        name = "edge-" + role
        assert tags_of(instance) == {"Name": name, "dicoogle:deployment": "unit", "role": role}
        assert instance["ImageId"] == IMAGE and instance["InstanceType"] == "t3.micro" and instance["KeyName"] == "edge"
        assert instance["IamInstanceProfile"]["Arn"].endswith("/" + name)
        options = instance["MetadataOptions"]
        assert (options["HttpEndpoint"], options["HttpTokens"], options["HttpPutResponseHopLimit"]) == ("enabled", "required", 1)
        [volume] = ec2.describe_volumes(Filters=[{"Name": "attachment.instance-id", "Values": [instance["InstanceId"]]}])["Volumes"]
        assert (volume["Size"], volume["VolumeType"], volume["Encrypted"], volume["KmsKeyId"]) == (8, "gp3", True, KMS_KEY)
        [mapping] = instance["BlockDeviceMappings"]
        assert mapping["DeviceName"] == "/dev/xvda" and mapping["Ebs"]["DeleteOnTermination"] is True
        assert tags_of(volume) == tags_of(instance)
    # the client on a new interface in the subnet, with its group and no public address; the storage host on its own
    [interface] = client["NetworkInterfaces"]
    assert interface["SubnetId"] == network["subnet"] and [g["GroupId"] for g in interface["Groups"]] == [network["group"]]
    assert interface["NetworkInterfaceId"] != network["interface"] and not client.get("PublicIpAddress")
    assert [i["NetworkInterfaceId"] for i in storage["NetworkInterfaces"]] == [network["interface"]]
    user_data = ec2.describe_instance_attribute(InstanceId=client["InstanceId"], Attribute="userData")["UserData"]["Value"]
    assert base64.b64decode(user_data) == b"#!/bin/sh\necho client\n"
    # one read for both, then one RunInstances each, with a client token and one instance
    assert operations(sent) == ["DescribeInstances", "RunInstances", "RunInstances"]
    read = sent[0][1]["Filters"]
    assert {"Name": "tag:Name", "Values": ["edge-client", "edge-storage"]} in read and {"Name": "tag:dicoogle:deployment", "Values": ["unit"]} in read
    assert {"Name": "instance-state-name", "Values": ["pending", "running", "stopping", "stopped"]} in read
    for _name, params in sent[1:]:
        assert (params["MinCount"], params["MaxCount"]) == (1, 1) and re.fullmatch(r"[0-9a-f]{64}", params["ClientToken"])
        assert sorted(spec["ResourceType"] for spec in params["TagSpecifications"]) == ["instance", "volume"]


def test_a_second_run_changes_nothing_and_only_reads_the_instances_once(aws, network, run_module, sent):
    first = run_module(ec2_instances, hosts(network))
    del sent[:]
    again = run_module(ec2_instances, dict(hosts(network), _ansible_diff=True))
    assert again["changed"] is False, again
    assert [r["instance_id"] for r in again["instances"]] == [r["instance_id"] for r in first["instances"]]
    assert [r["changed"] for r in again["instances"]] == [False, False]
    assert [(r["state"], r["image_id"], r["instance_type"]) for r in again["instances"]] == [("running", IMAGE, "t3.micro")] * 2
    assert operations(sent) == ["DescribeInstances"]
    assert again["diff"]["before"] == again["diff"]["after"]
    assert len(live(aws)) == 2


def test_a_stopped_host_is_started_and_waited_for(aws, network, run_module, sent):
    first = run_module(ec2_instances, hosts(network))
    storage = first["instances"][1]["instance_id"]
    aws("ec2").stop_instances(InstanceIds=[storage])
    del sent[:]
    result = run_module(ec2_instances, dict(hosts(network), wait=True, wait_timeout=10, _ansible_diff=True))
    assert result["changed"] is True and [r["changed"] for r in result["instances"]] == [False, True]
    assert [r["state"] for r in result["instances"]] == ["running", "running"]
    assert live(aws)["edge-storage"]["State"]["Name"] == "running"
    assert ("StartInstances", {"InstanceIds": [storage]}) in sent and changes(sent) == ["StartInstances"]
    assert result["diff"]["before"]["edge-storage"]["state"] == "stopped" and result["diff"]["after"]["edge-storage"]["state"] == "running"


def test_a_stopping_host_is_started_once_it_has_stopped(aws, network, run_module, sent, no_sleep, monkeypatch):
    """moto stops an instance at once: its state is set to stopping in moto's backend, and to stopped at the
    module's first pause."""
    storage = run_module(ec2_instances, hosts(network))["instances"][1]["instance_id"]
    aws("ec2").stop_instances(InstanceIds=[storage])
    moto_instance(storage)._state.name, moto_instance(storage)._state.code = "stopping", 64

    def stopped_at_the_first_pause(seconds):
        no_sleep.append(seconds)
        moto_instance(storage)._state.name, moto_instance(storage)._state.code = "stopped", 80

    monkeypatch.setattr(aws_utils.time, "sleep", stopped_at_the_first_pause)
    del sent[:]
    result = run_module(ec2_instances, hosts(network))
    assert result["changed"] is True and result["instances"][1]["state"] == "pending", result
    assert no_sleep and changes(sent) == ["StartInstances"]
    assert live(aws)["edge-storage"]["State"]["Name"] == "running"


def test_tags_are_changed_and_others_purged_unless_kept(aws, network, run_module, sent):
    first = run_module(ec2_instances, hosts(network))
    client = first["instances"][0]["instance_id"]
    aws("ec2").create_tags(Resources=[client], Tags=[{"Key": "stray", "Value": "1"}, {"Key": "role", "Value": "old"}])
    kept = run_module(ec2_instances, dict(hosts(network), purge_tags=False))
    assert kept["changed"] is True and tags_of(live(aws)["edge-client"])["stray"] == "1"
    assert tags_of(live(aws)["edge-client"])["role"] == "client"
    del sent[:]
    result = run_module(ec2_instances, dict(hosts(network, **{"edge-client": {"tags": dict(MATCH, role="client", owner="pacs")}}), _ansible_diff=True))
    assert result["changed"] is True and [r["changed"] for r in result["instances"]] == [True, False]
    expected = {"Name": "edge-client", "dicoogle:deployment": "unit", "role": "client", "owner": "pacs"}
    assert tags_of(live(aws)["edge-client"]) == expected and result["instances"][0]["tags"] == expected
    assert result["diff"]["before"]["edge-client"]["tags"]["stray"] == "1" and result["diff"]["after"]["edge-client"]["tags"] == expected
    assert sorted(changes(sent)) == ["CreateTags", "DeleteTags"]


def test_metadata_options_are_brought_back(aws, network, run_module, sent):
    client = run_module(ec2_instances, hosts(network))["instances"][0]["instance_id"]
    aws("ec2").modify_instance_metadata_options(InstanceId=client, HttpTokens="optional", HttpPutResponseHopLimit=2, HttpEndpoint="enabled")
    del sent[:]
    result = run_module(ec2_instances, hosts(network))
    assert result["changed"] is True and [r["changed"] for r in result["instances"]] == [True, False]
    options = live(aws)["edge-client"]["MetadataOptions"]
    assert (options["HttpTokens"], options["HttpPutResponseHopLimit"]) == ("required", 1)
    assert changes(sent) == ["ModifyInstanceMetadataOptions"]
    assert sent[-1][1] == {"InstanceId": client, "HttpEndpoint": "enabled", "HttpTokens": "required", "HttpPutResponseHopLimit": 1}


def test_another_instance_profile_replaces_the_association_or_is_associated(aws, network, run_module, sent):
    """moto's ReplaceIamInstanceProfileAssociation leaves the instance's IamInstanceProfile (DescribeInstances) as it
    was: the profile is read back from DescribeIamInstanceProfileAssociations."""
    made = run_module(ec2_instances, hosts(network))["instances"]
    client, storage = made[0]["instance_id"], made[1]["instance_id"]
    ec2 = aws("ec2")
    [association] = ec2.describe_iam_instance_profile_associations(Filters=[{"Name": "instance-id", "Values": [storage]}])[
        "IamInstanceProfileAssociations"]
    ec2.disassociate_iam_instance_profile(AssociationId=association["AssociationId"])
    del sent[:]
    result = run_module(ec2_instances, hosts(network, **{"edge-client": {"iam_instance_profile": "edge-other"}}))
    assert result["changed"] is True and [r["changed"] for r in result["instances"]] == [True, True]
    assert changes(sent) == ["ReplaceIamInstanceProfileAssociation", "AssociateIamInstanceProfile"]
    profiles = {a["InstanceId"]: a["IamInstanceProfile"]["Arn"].rsplit("/", 1)[-1]
                for a in ec2.describe_iam_instance_profile_associations()["IamInstanceProfileAssociations"] if a["State"] == "associated"}
    assert profiles == {client: "edge-other", storage: "edge-storage"}


def test_another_instance_type_is_kept_with_a_warning(aws, network, run_module, sent):
    run_module(ec2_instances, hosts(network))
    del sent[:]
    result = run_module(ec2_instances, hosts(network, **{"edge-storage": {"instance_type": "t3.large", "image_id": "ami-0fedcba9876543210"}}))
    assert result["changed"] is False and operations(sent) == ["DescribeInstances"]
    assert len(result["warnings"]) == 1
    warning = json.dumps(result["warnings"])
    assert "edge-storage" in warning and "t3.micro" in warning and "t3.large" in warning
    assert live(aws)["edge-storage"]["InstanceType"] == "t3.micro" and live(aws)["edge-storage"]["ImageId"] == IMAGE


def test_check_mode_predicts_and_changes_nothing(aws, network, run_module, sent):
    preview = run_module(ec2_instances, dict(hosts(network), _ansible_diff=True), check_mode=True)
    assert preview["changed"] is True and live(aws) == {}
    assert [(r["name"], r["instance_id"], r["state"], r["changed"]) for r in preview["instances"]] == [
        ("edge-client", None, "pending", True), ("edge-storage", None, "pending", True)]
    assert preview["diff"]["before"] == {"edge-client": {}, "edge-storage": {}}
    made = run_module(ec2_instances, hosts(network))["instances"]
    client, storage = made[0]["instance_id"], made[1]["instance_id"]
    ec2 = aws("ec2")
    ec2.stop_instances(InstanceIds=[storage])
    ec2.modify_instance_metadata_options(InstanceId=client, HttpTokens="optional", HttpPutResponseHopLimit=1, HttpEndpoint="enabled")
    del sent[:]
    wanted = hosts(network, **{"edge-client": {"tags": {"role": "other"}, "iam_instance_profile": "edge-other"}})
    result = run_module(ec2_instances, dict(wanted, _ansible_diff=True), check_mode=True)
    assert result["changed"] is True and [r["changed"] for r in result["instances"]] == [True, True]
    assert changes(sent) == [] and operations(sent) == ["DescribeInstances"]
    assert result["diff"]["after"]["edge-client"]["tags"]["role"] == "other" and result["diff"]["after"]["edge-storage"]["state"] == "pending"
    assert result["diff"]["after"]["edge-client"]["iam_instance_profile"] == "edge-other"
    assert live(aws)["edge-storage"]["State"]["Name"] == "stopped" and tags_of(live(aws)["edge-client"])["role"] == "client"


def test_bad_input_is_refused_before_any_call_naming_the_instance(aws, network, run_module, sent):
    both = {"network_interface_id": network["interface"]}
    neither = {"subnet_id": None, "security_group_ids": None}
    for args, named in (
        (dict(hosts(network), instances=hosts(network)["instances"] + [hosts(network)["instances"][0]]), "edge-client twice"),
        (hosts(network, **{"edge-client": both}), "edge-client: give subnet_id"),
        (hosts(network, **{"edge-client": neither}), "edge-client: give subnet_id"),
        (hosts(network, **{"edge-storage": {"security_group_ids": [network["group"]]}}), "edge-storage: security_group_ids"),
        (hosts(network, **{"edge-storage": {"tags": {"Name": "other"}}}), "edge-storage: tags give Name"),
        (hosts(network, **{"edge-storage": {"tags": {"dicoogle:deployment": "other"}}}), "edge-storage: tags give dicoogle:deployment"),
        (dict(hosts(network), match_tags={"Name": "edge-client"}), "match_tags cannot hold Name"),
        (hosts(network, **{"edge-client": {"image": {"owner": "123456789012", "name": "edge-*"}}}), "edge-client: give image_id or image"),
        (hosts(network, **{"edge-client": {"image_id": None}}), "edge-client: give image_id or image"),
    ):
        result = run_module(ec2_instances, args)
        assert result["failed"] is True and named in result["msg"], (named, result)
    assert sent == [] and live(aws) == {}


def published(aws, *names_and_dates):
    """Images of this account (moto's owner), each (name, year of creation); their IDs in that order."""
    ec2, ids = aws("ec2"), []
    for name, created in names_and_dates:
        image_id = ec2.register_image(Name=name, RootDeviceName="/dev/sda1", Architecture="x86_64", VirtualizationType="hvm",
                                      BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 8}}])["ImageId"]
        # moto's RegisterImage keeps neither architecture nor virtualization type, and calls the root device "standard"
        image = ec2_backends[DEFAULT_ACCOUNT_ID][REGION].amis[image_id]
        image.architecture, image.virtualization_type, image.root_device_type = "x86_64", "hvm", "ebs"
        image.creation_date = datetime.datetime(created, 6, 1, tzinfo=datetime.timezone.utc)
        ids.append(image_id)
    return ids


def by_name(network, image):
    """The hosts on the newest image named `image` of this account, their root volume mapped to its root device."""
    root = {"image_id": None, "image": {"owner": DEFAULT_ACCOUNT_ID, "name": image}, "volumes": [],
            "root_volume": {"volume_size": 8, "kms_key_id": KMS_KEY}}
    return hosts(network, **{"edge-client": root, "edge-storage": root})


def test_an_image_by_name_is_the_newest_read_once_and_only_when_a_host_is_run(aws, network, run_module, sent):
    _older, newest, _other = published(aws, ("edge-os-2025", 2025), ("edge-os-2026", 2026),
                                       ("other-os-2027", 2027))
    first = run_module(ec2_instances, by_name(network, "edge-os-*"))
    assert first["changed"] is True, first
    assert [r["image_id"] for r in first["instances"]] == [newest, newest]
    assert operations(sent).count("DescribeImages") == 1 and operations(sent).index("DescribeImages") < operations(sent).index("RunInstances")
    for _name, params in (call for call in sent if call[0] == "RunInstances"):
        assert params["ImageId"] == newest
        assert params["BlockDeviceMappings"] == [{"DeviceName": "/dev/sda1", "Ebs": {
            "VolumeType": "gp3", "Encrypted": True, "DeleteOnTermination": True, "VolumeSize": 8, "KmsKeyId": KMS_KEY}}]
    assert {i["ImageId"] for i in live(aws).values()} == {newest}
    del sent[:]
    published(aws, ("edge-os-2028", 2028))
    again = run_module(ec2_instances, by_name(network, "edge-os-*"))
    assert again["changed"] is False and operations(sent) == ["DescribeInstances"], again
    assert [r["image_id"] for r in again["instances"]] == [newest, newest]


def test_no_image_of_that_name_fails_naming_the_host_before_any_is_run(aws, network, run_module, sent):
    published(aws, ("edge-os-2026", 2026))
    result = run_module(ec2_instances, by_name(network, "no-such-os-*"))
    assert result["failed"] is True
    assert result["msg"] == "instance edge-client: no available image of account %s is named no-such-os-* (architecture x86_64) in %s" % (
        DEFAULT_ACCOUNT_ID, REGION)
    assert changes(sent) == [] and live(aws) == {}


def test_an_image_id_with_a_root_volume_maps_its_root_device_and_an_unknown_one_fails(aws, network, run_module, sent):
    [image] = published(aws, ("edge-os-2026", 2026))
    root = {"volumes": [], "root_volume": {"volume_size": 8, "kms_key_id": KMS_KEY}}
    unknown = run_module(ec2_instances, hosts(network, **{"edge-client": dict(root, image_id="ami-0123456789abcdef0")}))
    assert unknown["failed"] is True and unknown["msg"] == "instance edge-client: the image ami-0123456789abcdef0 does not exist in %s" % REGION
    assert changes(sent) == [] and live(aws) == {}
    result = run_module(ec2_instances, hosts(network, **{"edge-client": dict(root, image_id=image)}))
    assert result["changed"] is True, result
    [client] = [params for name, params in sent if name == "RunInstances" and params["ImageId"] == image]
    assert [m["DeviceName"] for m in client["BlockDeviceMappings"]] == ["/dev/sda1"]


def test_two_instances_of_one_name_fail_naming_both(aws, network, run_module, sent):
    ec2 = aws("ec2")
    tags = [{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "edge-storage"}, {"Key": "dicoogle:deployment", "Value": "unit"}]}]
    twins = [ec2.run_instances(ImageId=IMAGE, MinCount=1, MaxCount=1, SubnetId=network["subnet"], TagSpecifications=tags)["Instances"][0]["InstanceId"]
             for _twin in range(2)]
    result = run_module(ec2_instances, hosts(network))
    assert result["failed"] is True and "edge-storage" in result["msg"], result
    assert all(twin in result["msg"] for twin in twins)
    assert operations(sent) == ["DescribeInstances"]
    # the same name in another deployment (match_tags) is not this one's
    ec2.create_tags(Resources=twins[:1], Tags=[{"Key": "dicoogle:deployment", "Value": "other"}])
    assert run_module(ec2_instances, hosts(network))["instances"][1]["instance_id"] == twins[1]


def test_the_client_token_follows_the_request(aws, network, run_module, sent):
    """moto ignores client tokens (it runs an instance for each call): the tokens sent are compared."""
    def terminated(result):
        aws("ec2").terminate_instances(InstanceIds=[r["instance_id"] for r in result["instances"]])

    terminated(run_module(ec2_instances, hosts(network)))
    terminated(run_module(ec2_instances, hosts(network)))
    run_module(ec2_instances, hosts(network, **{"edge-client": {"instance_type": "t3.small"}, "edge-storage": {"instance_type": "t3.small"}}))
    tokens = [params["ClientToken"] for name, params in sent if name == "RunInstances"]
    assert len(tokens) == 6 and tokens[0:2] == tokens[2:4] and tokens[0] != tokens[1]
    assert not set(tokens[4:]) & set(tokens[:4])


def test_a_token_ec2_answers_with_a_terminated_instance_is_followed_by_another(aws, network, run_module, ec2_stub):
    """moto ignores client tokens: the Stubber answers RunInstances as EC2 does a token whose instance was terminated
    (within a day), then with a new instance for the next token."""
    stubber = ec2_stub("run_instances")
    stubber.add_response("run_instances", an_instance("i-0aaaaaaaaaaaaaaa0", "terminated"))
    stubber.add_response("run_instances", an_instance("i-0bbbbbbbbbbbbbbb0", "pending"))
    result = run_module(ec2_instances, dict(hosts(network), instances=hosts(network)["instances"][:1]))
    assert result["changed"] is True and result["instances"][0]["instance_id"] == "i-0bbbbbbbbbbbbbbb0", result
    stubber.assert_no_pending_responses()
    tokens = [params["ClientToken"] for name, params in ec2_stub.calls if name == "RunInstances"]
    assert len(tokens) == 2 and tokens[0] != tokens[1]


def test_an_instance_profile_ec2_does_not_know_yet_is_tried_again(aws, network, run_module, ec2_stub, no_sleep):
    """moto answers an unknown instance profile with IAM's NoSuchEntity: the Stubber answers RunInstances as EC2 does
    while a new profile has not reached it (InvalidParameterValue), then runs the instance."""
    stubber = ec2_stub("run_instances")
    stubber.add_client_error("run_instances", service_error_code="InvalidParameterValue", service_message=NOT_FOUND_PROFILE)
    stubber.add_response("run_instances", an_instance("i-0ccccccccccccccc0", "pending"))
    result = run_module(ec2_instances, dict(hosts(network), instances=hosts(network)["instances"][:1]))
    assert result["changed"] is True and result["instances"][0]["instance_id"] == "i-0ccccccccccccccc0", result
    stubber.assert_no_pending_responses()
    assert len(no_sleep) == 1
    tokens = [params["ClientToken"] for name, params in ec2_stub.calls if name == "RunInstances"]
    assert len(tokens) == 2 and tokens[0] == tokens[1]


def test_other_refusals_and_a_profile_never_known_fail_with_the_context(aws, network, run_module, ec2_stub, no_sleep, monkeypatch):
    """The Stubber answers RunInstances with EC2's errors (see above)."""
    stubber = ec2_stub("run_instances")
    stubber.add_client_error("run_instances", service_error_code="InvalidParameterValue", service_message="Invalid value 'x' for instanceType.")
    single = dict(hosts(network), instances=hosts(network)["instances"][:1])
    result = run_module(ec2_instances, single)
    assert result["failed"] is True and "Failed to run the instance edge-client" in result["msg"] and "instanceType" in result["msg"], result
    assert no_sleep == []
    monkeypatch.setattr(ec2_utils, "PROFILE_WAIT", 0)
    stubber.add_client_error("run_instances", service_error_code="InvalidParameterValue", service_message=NOT_FOUND_PROFILE)
    result = run_module(ec2_instances, single)
    assert result["failed"] is True and "Failed to run the instance edge-client" in result["msg"] and "Invalid IAM Instance Profile" in result["msg"]
    stubber.assert_no_pending_responses()
