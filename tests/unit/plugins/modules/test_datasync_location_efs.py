from __future__ import annotations

import pytest

from ansible_collections.dicoogle.aws.plugins.modules import datasync_location_efs

FS = "arn:aws:elasticfilesystem:eu-west-1:123456789012:file-system/fs-0123abcd"
AP = "arn:aws:elasticfilesystem:eu-west-1:123456789012:access-point/fsap-0123456789abcdef0"
OTHER_AP = "arn:aws:elasticfilesystem:eu-west-1:123456789012:access-point/fsap-0fedcba987654321f"
SUBNET = "arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-0123abcd"
OTHER_SUBNET = "arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-0fed4321"
SG = "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0123abcd"
SG2 = "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0fed4321"
ROLE = "arn:aws:iam::123456789012:role/datasync-efs"
LOC = "arn:aws:datasync:eu-west-1:123456789012:location/loc-0123456789abcdef0"
LOC2 = "arn:aws:datasync:eu-west-1:123456789012:location/loc-0fedcba987654321f"
S3_LOC = "arn:aws:datasync:eu-west-1:123456789012:location/loc-00000000000000001"
URI = "efs://eu-west-1.fs-0123abcd/images/"
TAGS = {"dicoogle:deployment": "unit"}


@pytest.fixture(name="datasync")
def stubbed_datasync(datasync_stub):
    """moto 5.2.5 has no EFS locations (create_location_efs and describe_location_efs are not implemented),
    so every call of the module's DataSync client goes to botocore's Stubber, which checks the parameters
    of each call and fails any call that was not queued."""
    stubber = datasync_stub(everything=True)
    yield stubber
    stubber.assert_no_pending_responses()


def images(**extra):
    args = {"efs_filesystem_arn": FS, "subdirectory": "/images", "access_point_arn": AP, "subnet_arn": SUBNET,
            "security_group_arns": [SG, SG2], "file_system_access_role_arn": ROLE}
    args.update(extra)
    return args


def described(arn=LOC, uri=URI, access_point=AP, subnet=SUBNET, groups=(SG, SG2), role=ROLE, encryption="TLS1_2"):
    location = {"LocationArn": arn, "LocationUri": uri, "Ec2Config": {"SubnetArn": subnet, "SecurityGroupArns": list(groups)},
                "InTransitEncryption": encryption}
    if access_point:
        location["AccessPointArn"] = access_point
    if role:
        location["FileSystemAccessRoleArn"] = role
    return location


def listing(*locations):
    return {"Locations": [{"LocationArn": arn, "LocationUri": uri} for arn, uri in locations]}


def test_creates_the_location_with_its_network_access_point_and_role(datasync, run_module):
    datasync.add_response("list_locations", listing((S3_LOC, "s3://bucket/images/"), (LOC2, "efs://eu-west-1.fs-0123abcd/other/")))
    datasync.add_response("create_location_efs", {"LocationArn": LOC}, {
        "EfsFilesystemArn": FS, "Subdirectory": "/images", "AccessPointArn": AP, "FileSystemAccessRoleArn": ROLE,
        "Ec2Config": {"SubnetArn": SUBNET, "SecurityGroupArns": [SG, SG2]}, "InTransitEncryption": "TLS1_2",
        "Tags": [{"Key": "dicoogle:deployment", "Value": "unit"}]})
    datasync.add_response("describe_location_efs", described(), {"LocationArn": LOC})
    result = run_module(datasync_location_efs, images(tags=TAGS))
    assert result["changed"] is True, result
    location = result["location"]
    assert location["location_arn"] == LOC and location["access_point_arn"] == AP
    assert location["ec2_config"] == {"subnet_arn": SUBNET, "security_group_arns": [SG, SG2]}
    assert location["in_transit_encryption"] == "TLS1_2" and location["tags"] == TAGS
    assert result["diff"] == {"before": {}, "after": {"location_uri": "efs://eu-west-1.fs-0123abcd/images", "tags": TAGS}}


def test_second_run_finds_it_by_uri_and_access_point_and_changes_nothing(datasync, run_module):
    # moto's way of joining the URI, and the security groups in another order
    datasync.add_response("list_locations", listing((LOC, "efs://eu-west-1.fs-0123abcd//images")))
    datasync.add_response("describe_location_efs", described(uri="efs://eu-west-1.fs-0123abcd//images", groups=(SG2, SG)),
                          {"LocationArn": LOC})
    result = run_module(datasync_location_efs, images())
    assert result["changed"] is False, result
    assert result["location"]["location_arn"] == LOC and "tags" not in result["location"]


def test_another_access_point_is_another_location(datasync, run_module):
    datasync.add_response("list_locations", listing((LOC, URI)))
    datasync.add_response("describe_location_efs", described(access_point=OTHER_AP), {"LocationArn": LOC})
    datasync.add_response("create_location_efs", {"LocationArn": LOC2}, {
        "EfsFilesystemArn": FS, "Subdirectory": "/images", "AccessPointArn": AP, "FileSystemAccessRoleArn": ROLE,
        "Ec2Config": {"SubnetArn": SUBNET, "SecurityGroupArns": [SG, SG2]}, "InTransitEncryption": "TLS1_2"})
    datasync.add_response("describe_location_efs", described(arn=LOC2), {"LocationArn": LOC2})
    result = run_module(datasync_location_efs, images())
    assert result["changed"] is True and result["location"]["location_arn"] == LOC2, result


def test_check_mode_reports_a_change_and_makes_none(datasync, run_module):
    # nothing but the listing and the description is queued: a create or delete call would fail the module
    datasync.add_response("list_locations", listing())
    created = run_module(datasync_location_efs, images(), check_mode=True)
    assert created["changed"] is True and created["location"] == {}, created
    datasync.add_response("list_locations", listing((LOC, URI)))
    datasync.add_response("describe_location_efs", described(), {"LocationArn": LOC})
    deleted = run_module(datasync_location_efs, images(state="absent"), check_mode=True)
    assert deleted["changed"] is True and deleted["location"] == {}, deleted


@pytest.mark.parametrize("extra, named", [
    ({"subnet_arn": OTHER_SUBNET}, "subnet_arn"),
    ({"security_group_arns": [SG]}, "security_group_arns"),
    ({"file_system_access_role_arn": None}, "file_system_access_role_arn"),
])
def test_another_immutable_setting_is_refused_not_replaced(datasync, run_module, extra, named):
    datasync.add_response("list_locations", listing((LOC, URI)))
    datasync.add_response("describe_location_efs", described(), {"LocationArn": LOC})
    result = run_module(datasync_location_efs, images(**extra))
    assert result["failed"] is True, result
    assert named in result["msg"] and "state=absent" in result["msg"] and LOC in result["msg"]


def test_other_encryption_is_refused(datasync, run_module):
    datasync.add_response("list_locations", listing((LOC, "efs://eu-west-1.fs-0123abcd/")))
    datasync.add_response("describe_location_efs", described(uri="efs://eu-west-1.fs-0123abcd/", access_point=None, role=None,
                                                             encryption="NONE"), {"LocationArn": LOC})
    result = run_module(datasync_location_efs, {"efs_filesystem_arn": FS, "subnet_arn": SUBNET, "security_group_arns": [SG, SG2]})
    assert result["failed"] is True and "in_transit_encryption" in result["msg"], result


def test_absent_deletes_it_and_then_changes_nothing(datasync, run_module):
    datasync.add_response("list_locations", listing((LOC, URI), (LOC2, URI)))
    datasync.add_response("describe_location_efs", described(), {"LocationArn": LOC})
    datasync.add_response("describe_location_efs", described(arn=LOC2, access_point=OTHER_AP), {"LocationArn": LOC2})
    datasync.add_response("delete_location", {}, {"LocationArn": LOC})
    gone = run_module(datasync_location_efs, {"efs_filesystem_arn": FS, "subdirectory": "images", "access_point_arn": AP, "state": "absent"})
    assert gone["changed"] is True and gone["location"] == {}, gone
    datasync.add_response("list_locations", listing((LOC2, URI)))
    datasync.add_response("describe_location_efs", described(arn=LOC2, access_point=OTHER_AP), {"LocationArn": LOC2})
    again = run_module(datasync_location_efs, {"efs_filesystem_arn": FS, "subdirectory": "images", "access_point_arn": AP, "state": "absent"})
    assert again["changed"] is False, again


def test_tags_are_changed_in_place(datasync, run_module):
    datasync.add_response("list_locations", listing((LOC, URI)))
    datasync.add_response("describe_location_efs", described(), {"LocationArn": LOC})
    datasync.add_response("list_tags_for_resource", {"Tags": [{"Key": "old", "Value": "1"}]}, {"ResourceArn": LOC})
    datasync.add_response("tag_resource", {}, {"ResourceArn": LOC, "Tags": [{"Key": "dicoogle:deployment", "Value": "unit"}]})
    result = run_module(datasync_location_efs, images(tags=TAGS, purge_tags=False))
    assert result["changed"] is True, result
    assert result["location"]["tags"] == dict(TAGS, old="1")
    assert result["diff"]["before"]["tags"] == {"old": "1"}


@pytest.mark.usefixtures("aws")
def test_bad_input_is_named_before_any_call(run_module, monkeypatch):
    def no_client(*_args, **_kwargs):
        pytest.fail("the module made an AWS client before validating its input")

    monkeypatch.setattr(datasync_location_efs.AnsibleAWSModule, "client", no_client)
    for extra, named in (({"efs_filesystem_arn": "fs-0123abcd"}, "efs_filesystem_arn"),
                         ({"subdirectory": "/images;rm"}, "subdirectory"),
                         ({"access_point_arn": "fsap-0123456789abcdef0"}, "access_point_arn"),
                         ({"file_system_access_role_arn": "datasync"}, "file_system_access_role_arn"),
                         ({"in_transit_encryption": "NONE"}, "in_transit_encryption"),
                         ({"subnet_arn": "subnet-0123abcd"}, "subnet_arn"),
                         ({"subnet_arn": None}, "subnet_arn"),
                         ({"security_group_arns": ["sg-0123abcd"]}, "security_group_arns"),
                         ({"security_group_arns": [SG] * 6}, "security_group_arns"),
                         ({"security_group_arns": []}, "security_group_arns")):
        result = run_module(datasync_location_efs, images(**extra))
        assert result["failed"] is True and named in result["msg"], result
