from __future__ import annotations

import pytest

from ansible_collections.dicoogle.aws.plugins.modules import datasync_task

ROLE = "arn:aws:iam::123456789012:role/datasync"
LOG_GROUP = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/datasync:*"
OPTIONS = {"VerifyMode": "ONLY_FILES_TRANSFERRED", "LogLevel": "TRANSFER", "OverwriteMode": "ALWAYS", "TransferMode": "CHANGED"}
# what AWS reports for a task created with OPTIONS: every option, with its default when not given
AWS_OPTIONS = dict(OPTIONS, Atime="BEST_EFFORT", Mtime="PRESERVE", Uid="INT_VALUE", Gid="INT_VALUE", PreserveDeletedFiles="PRESERVE",
                   PreserveDevices="NONE", PosixPermissions="PRESERVE", BytesPerSecond=-1, TaskQueueing="ENABLED",
                   SecurityDescriptorCopyFlags="NONE", ObjectTags="PRESERVE")
EXCLUDES = [{"FilterType": "SIMPLE_PATTERN", "Value": "*.part|/tmp"}]
TAGS = {"dicoogle:deployment": "unit"}


def locations(aws):
    datasync = aws("datasync")
    return [datasync.create_location_s3(S3BucketArn="arn:aws:s3:::%s" % bucket, Subdirectory="/",
                                        S3Config={"BucketAccessRoleArn": ROLE})["LocationArn"]
            for bucket in ("dicoogle-images", "dicoogle-archive", "dicoogle-other")]


def archive(source, destination, **extra):
    args = {"name": "images-archive", "source_location_arn": source, "destination_location_arn": destination,
            "cloudwatch_log_group_arn": LOG_GROUP, "options": OPTIONS, "excludes": EXCLUDES}
    args.update(extra)
    return args


def tasks(aws):
    return aws("datasync").list_tasks()["Tasks"]


# The stubbed calls (datasync_stub, in conftest.py): moto 5.2.5 lacks list_tags_for_resource, tag_resource
# and untag_resource for DataSync, and keeps the tags of create_task where they cannot be read: only those
# calls are stubbed.


def test_creates_the_task_with_its_locations_options_filter_and_log_group(aws, run_module):
    source, destination = locations(aws)[:2]
    result = run_module(datasync_task, archive(source, destination, options=dict(OPTIONS, BytesPerSecond="1048576")))
    assert result["changed"] is True, result
    [listed] = tasks(aws)
    task = aws("datasync").describe_task(TaskArn=listed["TaskArn"])
    assert task["Name"] == "images-archive"
    assert task["SourceLocationArn"] == source and task["DestinationLocationArn"] == destination
    assert task["Options"] == dict(OPTIONS, BytesPerSecond=1048576)
    assert task["Excludes"] == EXCLUDES and task["CloudWatchLogGroupArn"] == LOG_GROUP
    returned = result["task"]
    assert returned["task_arn"] == listed["TaskArn"] and returned["status"] == "AVAILABLE"
    assert returned["options"] == dict(OPTIONS, BytesPerSecond=1048576) and returned["excludes"] == EXCLUDES
    assert returned["source_location_arn"] == source and returned["cloudwatch_log_group_arn"] == LOG_GROUP
    assert returned["tags"] == {}


def test_create_passes_the_tags(aws, run_module, datasync_stub):
    source, destination = locations(aws)[:2]
    arn = "arn:aws:datasync:eu-west-1:123456789012:task/task-0123456789abcdef0"
    stubber = datasync_stub("create_task", "describe_task")
    stubber.add_response("create_task", {"TaskArn": arn}, {
        "Name": "images-archive", "SourceLocationArn": source, "DestinationLocationArn": destination,
        "CloudWatchLogGroupArn": LOG_GROUP, "Options": OPTIONS, "Excludes": EXCLUDES,
        "Tags": [{"Key": "dicoogle:deployment", "Value": "unit"}]})
    stubber.add_response("describe_task", {"TaskArn": arn, "Name": "images-archive", "Status": "AVAILABLE"}, {"TaskArn": arn})
    result = run_module(datasync_task, archive(source, destination, tags=TAGS))
    assert result["changed"] is True and result["task"]["tags"] == TAGS, result
    stubber.assert_no_pending_responses()


def test_second_run_finds_it_by_name_and_changes_nothing(aws, run_module):
    source, destination, other = locations(aws)
    aws("datasync").create_task(SourceLocationArn=source, DestinationLocationArn=other, Name="another")
    first = run_module(datasync_task, archive(source, destination))
    again = run_module(datasync_task, archive(source, destination))
    assert again["changed"] is False, again
    assert again["task"]["task_arn"] == first["task"]["task_arn"]
    assert sorted(t["Name"] for t in tasks(aws)) == ["another", "images-archive"]
    assert again["diff"]["before"] == again["diff"]["after"]


def test_the_defaults_aws_reports_for_options_not_given_are_no_change(aws, run_module):
    source, destination = locations(aws)[:2]
    arn = run_module(datasync_task, archive(source, destination))["task"]["task_arn"]
    aws("datasync").update_task(TaskArn=arn, Name="images-archive", Options=AWS_OPTIONS, Excludes=EXCLUDES,
                                CloudWatchLogGroupArn="arn:aws:logs:eu-west-1:123456789012:log-group:/aws/datasync")
    result = run_module(datasync_task, archive(source, destination, options={"LogLevel": "TRANSFER", "VerifyMode": "ONLY_FILES_TRANSFERRED"}))
    assert result["changed"] is False, result


def test_check_mode_reports_changes_and_makes_none(aws, run_module):
    source, destination = locations(aws)[:2]
    created = run_module(datasync_task, archive(source, destination), check_mode=True)
    assert created["changed"] is True and created["task"] == {}
    assert tasks(aws) == []
    run_module(datasync_task, archive(source, destination))
    arn = tasks(aws)[0]["TaskArn"]
    updated = run_module(datasync_task, archive(source, destination, options={"LogLevel": "BASIC"}, excludes=[]), check_mode=True)
    assert updated["changed"] is True and updated["task"]["options"]["LogLevel"] == "BASIC"
    task = aws("datasync").describe_task(TaskArn=arn)
    assert task["Options"] == OPTIONS and task["Excludes"] == EXCLUDES
    deleted = run_module(datasync_task, {"name": "images-archive", "state": "absent"}, check_mode=True)
    assert deleted["changed"] is True and len(tasks(aws)) == 1


def test_options_log_group_and_filter_are_updated_in_place(aws, run_module):
    source, destination = locations(aws)[:2]
    arn = run_module(datasync_task, archive(source, destination))["task"]["task_arn"]
    other_group = "arn:aws:logs:eu-west-1:123456789012:log-group:/dicoogle/datasync:*"
    result = run_module(datasync_task, archive(source, destination, options={"LogLevel": "BASIC", "TransferMode": "ALL"},
                                               cloudwatch_log_group_arn=other_group, excludes=[{"Value": "/tmp"}]))
    assert result["changed"] is True, result
    assert [t["TaskArn"] for t in tasks(aws)] == [arn]
    task = aws("datasync").describe_task(TaskArn=arn)
    assert task["Name"] == "images-archive"
    assert task["Options"] == dict(OPTIONS, LogLevel="BASIC", TransferMode="ALL")
    assert task["CloudWatchLogGroupArn"] == other_group
    assert task["Excludes"] == [{"FilterType": "SIMPLE_PATTERN", "Value": "/tmp"}]
    assert result["task"]["options"]["LogLevel"] == "BASIC"
    assert result["diff"]["before"]["options"]["LogLevel"] == "TRANSFER" and result["diff"]["after"]["options"]["LogLevel"] == "BASIC"
    # a run that gives neither options nor filter leaves them as they are
    kept = run_module(datasync_task, {"name": "images-archive", "source_location_arn": source, "destination_location_arn": destination})
    assert kept["changed"] is False, kept
    assert aws("datasync").describe_task(TaskArn=arn)["CloudWatchLogGroupArn"] == other_group


def test_the_filter_is_removed_with_an_empty_list(aws, run_module):
    source, destination = locations(aws)[:2]
    arn = run_module(datasync_task, archive(source, destination))["task"]["task_arn"]
    result = run_module(datasync_task, archive(source, destination, excludes=[]))
    assert result["changed"] is True
    assert not aws("datasync").describe_task(TaskArn=arn)["Excludes"]
    assert run_module(datasync_task, archive(source, destination, excludes=[]))["changed"] is False


@pytest.mark.parametrize("moved", ["source_location_arn", "destination_location_arn"])
def test_another_source_or_destination_is_refused_not_replaced(aws, run_module, moved):
    source, destination, other = locations(aws)
    arn = run_module(datasync_task, archive(source, destination))["task"]["task_arn"]
    result = run_module(datasync_task, archive(source, destination, **{moved: other, "options": {"LogLevel": "OFF"}}))
    assert result["failed"] is True, result
    assert moved in result["msg"] and "state=absent" in result["msg"] and arn in result["msg"]
    task = aws("datasync").describe_task(TaskArn=arn)
    assert (task["SourceLocationArn"], task["DestinationLocationArn"]) == (source, destination)
    assert task["Options"] == OPTIONS


def test_absent_deletes_it_and_then_changes_nothing(aws, run_module):
    source, destination, other = locations(aws)
    run_module(datasync_task, archive(source, destination))
    run_module(datasync_task, archive(source, other, name="other"))
    gone = run_module(datasync_task, {"name": "images-archive", "state": "absent"})
    assert gone["changed"] is True and gone["task"] == {} and gone["diff"]["after"] == {}
    assert [t["Name"] for t in tasks(aws)] == ["other"]
    assert run_module(datasync_task, {"name": "images-archive", "state": "absent"})["changed"] is False


def test_absent_with_delete_locations_removes_the_task_and_its_locations_only(aws, run_module):
    source, destination, other = locations(aws)
    run_module(datasync_task, archive(source, destination))
    aws("datasync").delete_location(LocationArn=destination)  # a partial teardown removed it already
    gone = run_module(datasync_task, {"name": "images-archive", "state": "absent", "delete_locations": True})
    assert gone["changed"] is True and tasks(aws) == []
    assert [loc["LocationArn"] for loc in aws("datasync").list_locations()["Locations"]] == [other]


def test_tags_are_changed_in_place(aws, run_module, datasync_stub):
    source, destination = locations(aws)[:2]
    arn = aws("datasync").create_task(SourceLocationArn=source, DestinationLocationArn=destination, Name="images-archive",
                                      CloudWatchLogGroupArn=LOG_GROUP, Options=OPTIONS, Excludes=EXCLUDES)["TaskArn"]
    # moto lacks the DataSync tag calls
    stubber = datasync_stub("list_tags_for_resource", "untag_resource", "tag_resource")
    stubber.add_response("list_tags_for_resource", {"Tags": [{"Key": "old", "Value": "1"}]}, {"ResourceArn": arn})
    stubber.add_response("untag_resource", {}, {"ResourceArn": arn, "Keys": ["old"]})
    stubber.add_response("tag_resource", {}, {"ResourceArn": arn, "Tags": [{"Key": "dicoogle:deployment", "Value": "unit"}]})
    result = run_module(datasync_task, archive(source, destination, tags=TAGS))
    assert result["changed"] is True, result
    stubber.assert_no_pending_responses()
    assert result["task"]["tags"] == TAGS
    assert result["diff"]["before"]["tags"] == {"old": "1"} and result["diff"]["after"]["tags"] == TAGS
    assert aws("datasync").describe_task(TaskArn=arn)["Options"] == OPTIONS


def test_bad_input_is_named_before_any_call(aws, run_module, monkeypatch):
    source, destination = locations(aws)[:2]

    def no_client(*_args, **_kwargs):
        pytest.fail("the module made an AWS client before validating its input")

    monkeypatch.setattr(datasync_task.AnsibleAWSModule, "client", no_client)
    for extra, named in (({"name": "images;archive"}, "name"),
                         ({"source_location_arn": "loc-0123"}, "source_location_arn"),
                         ({"destination_location_arn": None}, "destination_location_arn"),
                         ({"cloudwatch_log_group_arn": "/aws/datasync"}, "cloudwatch_log_group_arn"),
                         ({"options": {"verify_mode": "NONE"}}, "verify_mode"),
                         ({"options": {"VerifyMode": "SOMETIMES"}}, "VerifyMode"),
                         ({"options": {"BytesPerSecond": "fast"}}, "BytesPerSecond"),
                         ({"excludes": EXCLUDES * 2}, "excludes"),
                         ({"includes": [{"FilterType": "REGEX", "Value": ".*"}]}, "includes"),
                         ({"excludes": [{"Pattern": "/tmp"}]}, "excludes"),
                         ({"tags": {"aws:owner": "x"}}, "tags")):
        result = run_module(datasync_task, archive(source, destination, **extra))
        assert result["failed"] is True and named in result["msg"], result
    assert tasks(aws) == []
