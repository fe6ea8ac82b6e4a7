from __future__ import annotations

import pytest

from ansible_collections.dicoogle.aws.plugins.modules import datasync_location_s3

BUCKET = "arn:aws:s3:::dicoogle-archive"
ROLE = "arn:aws:iam::123456789012:role/datasync"
OTHER_ROLE = "arn:aws:iam::123456789012:role/other"
TAGS = {"dicoogle:deployment": "unit"}


def studies(**extra):
    args = {"s3_bucket_arn": BUCKET, "subdirectory": "/studies", "bucket_access_role_arn": ROLE,
            "s3_storage_class": "STANDARD_IA"}
    args.update(extra)
    return args


def listed(aws):
    return aws("datasync").list_locations()["Locations"]


# The stubbed calls (datasync_stub, in conftest.py): moto 5.2.5 lacks list_tags_for_resource, tag_resource
# and untag_resource for DataSync, and its describe_location_s3 leaves out S3StorageClass: only those calls
# are stubbed.


def test_the_uris_of_moto_and_aws_are_the_same_location():
    assert datasync_location_s3.normalise_uri("s3://bucket//studies") == datasync_location_s3.normalise_uri("s3://bucket/studies/")
    assert datasync_location_s3.normalise_uri("s3://bucket//") == "s3://bucket"
    assert datasync_location_s3.normalise_uri("s3://bucket/a") != datasync_location_s3.normalise_uri("s3://bucket/b")


def test_creates_the_location_with_role_and_folder(aws, run_module):
    result = run_module(datasync_location_s3, studies())
    assert result["changed"] is True, result
    [location] = listed(aws)
    described = aws("datasync").describe_location_s3(LocationArn=location["LocationArn"])
    assert described["S3Config"] == {"BucketAccessRoleArn": ROLE}
    assert datasync_location_s3.normalise_uri(described["LocationUri"]) == "s3://dicoogle-archive/studies"
    assert result["location"]["location_arn"] == location["LocationArn"]
    assert result["location"]["s3_config"] == {"bucket_access_role_arn": ROLE}
    assert result["location"]["tags"] == {}


def test_create_passes_the_storage_class_and_tags(run_module, datasync_stub):
    # moto stores neither the storage class nor the tags: the create call itself is checked
    arn = "arn:aws:datasync:eu-west-1:123456789012:location/loc-0123456789abcdef0"
    stubber = datasync_stub("create_location_s3", "describe_location_s3")
    stubber.add_response("create_location_s3", {"LocationArn": arn}, {
        "S3BucketArn": BUCKET, "Subdirectory": "/studies", "S3StorageClass": "STANDARD_IA",
        "S3Config": {"BucketAccessRoleArn": ROLE}, "Tags": [{"Key": "dicoogle:deployment", "Value": "unit"}]})
    stubber.add_response("describe_location_s3", {"LocationArn": arn, "LocationUri": "s3://dicoogle-archive/studies/",
                                                  "S3StorageClass": "STANDARD_IA", "S3Config": {"BucketAccessRoleArn": ROLE}},
                         {"LocationArn": arn})
    result = run_module(datasync_location_s3, studies(tags=TAGS))
    assert result["changed"] is True, result
    stubber.assert_no_pending_responses()
    assert result["location"]["s3_storage_class"] == "STANDARD_IA" and result["location"]["tags"] == TAGS


def test_second_run_finds_it_by_uri_and_changes_nothing(aws, run_module):
    first = run_module(datasync_location_s3, studies())
    again = run_module(datasync_location_s3, studies(subdirectory="studies/"))
    assert again["changed"] is False, again
    assert again["location"]["location_arn"] == first["location"]["location_arn"]
    assert len(listed(aws)) == 1


def test_check_mode_reports_a_change_and_makes_none(aws, run_module):
    result = run_module(datasync_location_s3, studies(), check_mode=True)
    assert result["changed"] is True and result["location"] == {}
    assert listed(aws) == []
    run_module(datasync_location_s3, studies())
    gone = run_module(datasync_location_s3, studies(state="absent"), check_mode=True)
    assert gone["changed"] is True and len(listed(aws)) == 1


def test_another_role_is_refused_not_replaced(aws, run_module):
    run_module(datasync_location_s3, studies())
    result = run_module(datasync_location_s3, studies(bucket_access_role_arn=OTHER_ROLE))
    assert result["failed"] is True
    assert "bucket_access_role_arn" in result["msg"] and "state=absent" in result["msg"]
    [location] = listed(aws)
    assert aws("datasync").describe_location_s3(LocationArn=location["LocationArn"])["S3Config"]["BucketAccessRoleArn"] == ROLE


def test_another_storage_class_is_refused(aws, run_module, datasync_stub):
    arn = aws("datasync").create_location_s3(S3BucketArn=BUCKET, Subdirectory="/studies",
                                             S3Config={"BucketAccessRoleArn": ROLE})["LocationArn"]
    # moto's describe_location_s3 does not report the storage class; AWS's does
    stubber = datasync_stub("describe_location_s3")
    stubber.add_response("describe_location_s3", {"LocationArn": arn, "LocationUri": "s3://dicoogle-archive/studies/",
                                                  "S3StorageClass": "STANDARD", "S3Config": {"BucketAccessRoleArn": ROLE}})
    result = run_module(datasync_location_s3, studies(s3_storage_class="GLACIER"))
    assert result["failed"] is True
    assert "s3_storage_class" in result["msg"] and "state=absent" in result["msg"] and arn in result["msg"]
    assert len(listed(aws)) == 1


def test_of_several_locations_with_the_uri_the_one_with_the_role_is_used(aws, run_module):
    datasync = aws("datasync")
    first = datasync.create_location_s3(S3BucketArn=BUCKET, Subdirectory="/studies", S3Config={"BucketAccessRoleArn": OTHER_ROLE})
    second = datasync.create_location_s3(S3BucketArn=BUCKET, Subdirectory="/studies", S3Config={"BucketAccessRoleArn": ROLE})
    result = run_module(datasync_location_s3, studies())
    assert result["changed"] is False, result
    assert result["location"]["location_arn"] == second["LocationArn"]
    gone = run_module(datasync_location_s3, studies(state="absent", bucket_access_role_arn=OTHER_ROLE))
    assert gone["changed"] is True
    assert [loc["LocationArn"] for loc in listed(aws)] == [second["LocationArn"]]
    assert first["LocationArn"] != second["LocationArn"]


def test_absent_without_role_refuses_to_pick_one_of_several(aws, run_module):
    datasync = aws("datasync")
    for role in (ROLE, OTHER_ROLE):
        datasync.create_location_s3(S3BucketArn=BUCKET, Subdirectory="/studies", S3Config={"BucketAccessRoleArn": role})
    result = run_module(datasync_location_s3, {"s3_bucket_arn": BUCKET, "subdirectory": "/studies", "state": "absent"})
    assert result["failed"] is True and "bucket_access_role_arn" in result["msg"]
    assert len(listed(aws)) == 2


def test_absent_deletes_it_and_then_changes_nothing(aws, run_module):
    run_module(datasync_location_s3, studies())
    run_module(datasync_location_s3, studies(subdirectory="/other"))
    gone = run_module(datasync_location_s3, {"s3_bucket_arn": BUCKET, "subdirectory": "/studies", "state": "absent"})
    assert gone["changed"] is True and gone["location"] == {}
    assert [datasync_location_s3.normalise_uri(loc["LocationUri"]) for loc in listed(aws)] == ["s3://dicoogle-archive/other"]
    assert run_module(datasync_location_s3, studies(state="absent"))["changed"] is False


def test_tags_are_changed_in_place(aws, run_module, datasync_stub):
    arn = aws("datasync").create_location_s3(S3BucketArn=BUCKET, Subdirectory="/studies", S3StorageClass="STANDARD_IA",
                                             S3Config={"BucketAccessRoleArn": ROLE})["LocationArn"]
    # moto lacks the DataSync tag calls
    stubber = datasync_stub("list_tags_for_resource", "untag_resource", "tag_resource")
    stubber.add_response("list_tags_for_resource", {"Tags": [{"Key": "old", "Value": "1"}, {"Key": "dicoogle:deployment", "Value": "x"}]},
                         {"ResourceArn": arn})
    stubber.add_response("untag_resource", {}, {"ResourceArn": arn, "Keys": ["old"]})
    stubber.add_response("tag_resource", {}, {"ResourceArn": arn, "Tags": [{"Key": "dicoogle:deployment", "Value": "unit"}]})
    result = run_module(datasync_location_s3, studies(tags=TAGS))
    assert result["changed"] is True, result
    stubber.assert_no_pending_responses()
    assert result["location"]["tags"] == TAGS
    assert result["diff"]["before"]["tags"] == {"old": "1", "dicoogle:deployment": "x"}
    assert result["diff"]["after"]["tags"] == TAGS


def test_tags_in_check_mode_are_read_not_changed(aws, run_module, datasync_stub):
    arn = aws("datasync").create_location_s3(S3BucketArn=BUCKET, Subdirectory="/studies",
                                             S3Config={"BucketAccessRoleArn": ROLE})["LocationArn"]
    stubber = datasync_stub("list_tags_for_resource", "untag_resource", "tag_resource")
    stubber.add_response("list_tags_for_resource", {"Tags": []}, {"ResourceArn": arn})
    result = run_module(datasync_location_s3, studies(tags=TAGS), check_mode=True)
    assert result["changed"] is True, result
    # no tag_resource was queued: a call would have failed the module
    stubber.assert_no_pending_responses()


def test_same_tags_change_nothing(aws, run_module, datasync_stub):
    arn = aws("datasync").create_location_s3(S3BucketArn=BUCKET, Subdirectory="/studies",
                                             S3Config={"BucketAccessRoleArn": ROLE})["LocationArn"]
    stubber = datasync_stub("list_tags_for_resource", "untag_resource", "tag_resource")
    stubber.add_response("list_tags_for_resource", {"Tags": [{"Key": "dicoogle:deployment", "Value": "unit"}]}, {"ResourceArn": arn})
    result = run_module(datasync_location_s3, studies(tags=TAGS))
    assert result["changed"] is False, result
    stubber.assert_no_pending_responses()


def test_without_tags_no_tag_call_is_made(aws, run_module):
    # moto raises NotImplementedError for any DataSync tag call, so any would break the run
    run_module(datasync_location_s3, studies())
    result = run_module(datasync_location_s3, studies())
    assert result["changed"] is False and "tags" not in result["location"]
    assert len(listed(aws)) == 1


def test_bad_input_is_named_before_any_call(aws, run_module, monkeypatch):
    def no_client(*_args, **_kwargs):
        pytest.fail("the module made an AWS client before validating its input")

    monkeypatch.setattr(datasync_location_s3.AnsibleAWSModule, "client", no_client)
    for extra, named in (({"s3_bucket_arn": "dicoogle-archive"}, "s3_bucket_arn"),
                         ({"subdirectory": "/studies;rm"}, "subdirectory"),
                         ({"bucket_access_role_arn": "datasync"}, "bucket_access_role_arn"),
                         ({"bucket_access_role_arn": None}, "bucket_access_role_arn"),
                         ({"s3_storage_class": "COLD"}, "s3_storage_class"),
                         ({"tags": {"aws:owner": "x"}}, "tags")):
        result = run_module(datasync_location_s3, studies(**extra))
        assert result["failed"] is True and named in result["msg"], result
    assert listed(aws) == []
