from __future__ import annotations

import pytest

from ansible_collections.dicoogle.aws.plugins.modules import datasync_task_execution

ROLE = "arn:aws:iam::123456789012:role/datasync"
COUNTERS = ("estimated_files_to_transfer", "estimated_bytes_to_transfer", "files_transferred", "files_verified", "files_deleted",
            "files_skipped", "bytes_transferred", "bytes_written")


def task(aws):
    datasync = aws("datasync")
    source, destination = [datasync.create_location_s3(S3BucketArn="arn:aws:s3:::%s" % bucket, Subdirectory="/",
                                                       S3Config={"BucketAccessRoleArn": ROLE})["LocationArn"]
                           for bucket in ("dicoogle-images", "dicoogle-archive")]
    return datasync.create_task(SourceLocationArn=source, DestinationLocationArn=destination, Name="images-archive")["TaskArn"]


# The stubbed calls (datasync_stub, in conftest.py): moto 5.2.5's executions always succeed and count
# nothing, and it ignores OverrideOptions: the calls that need a failure, counters or a check of their
# parameters are stubbed.


def test_starts_an_execution_and_waits_for_its_success(aws, run_module, clock):
    arn = task(aws)
    result = run_module(datasync_task_execution, {"task_arn": arn})
    assert result["changed"] is True and result["started"] is True, result
    execution = result["execution"]
    assert execution["status"] == "SUCCESS" and execution["task_execution_arn"].startswith(arn + "/execution/")
    assert all(execution[counter] == 0 for counter in COUNTERS), execution
    assert execution["result"] == {}
    # moto moves an execution on one status per read: INITIALIZING, PREPARING, TRANSFERRING, VERIFYING, SUCCESS
    assert clock.slept == [10, 10, 10, 10]
    described = aws("datasync").describe_task(TaskArn=arn)
    assert described["Status"] == "AVAILABLE" and described["CurrentTaskExecutionArn"] == execution["task_execution_arn"]


@pytest.mark.usefixtures("clock")
def test_the_task_is_found_by_its_name(aws, run_module):
    arn = task(aws)
    result = run_module(datasync_task_execution, {"task_name": "images-archive", "poll_interval": 0})
    assert result["changed"] is True and result["execution"]["task_execution_arn"].startswith(arn + "/execution/")
    assert result["execution"]["status"] == "SUCCESS"
    missing = run_module(datasync_task_execution, {"task_name": "no-such-task"})
    assert missing["failed"] is True and "No DataSync task is named no-such-task" in missing["msg"]
    both = run_module(datasync_task_execution, {"task_name": "images-archive", "task_arn": arn})
    assert both["failed"] is True and "mutually exclusive" in both["msg"]


def test_each_run_starts_another_execution(aws, run_module, clock):
    arn = task(aws)
    first = run_module(datasync_task_execution, {"task_arn": arn, "poll_interval": 0})
    second = run_module(datasync_task_execution, {"task_arn": arn, "poll_interval": 0})
    assert second["changed"] is True and second["started"] is True
    assert second["execution"]["task_execution_arn"] != first["execution"]["task_execution_arn"]
    assert clock.slept == [0] * 8


def test_counters_are_returned_as_numbers(aws, run_module, clock, datasync_stub):
    arn = task(aws)
    # moto's executions count nothing
    stubber = datasync_stub("describe_task_execution")
    stubber.add_response("describe_task_execution", {"TaskExecutionArn": arn + "/execution/exec-0123456789abcdef0", "Status": "TRANSFERRING",
                                                     "EstimatedFilesToTransfer": 12, "FilesTransferred": 5})
    stubber.add_response("describe_task_execution", {
        "TaskExecutionArn": arn + "/execution/exec-0123456789abcdef0", "Status": "SUCCESS", "EstimatedFilesToTransfer": 12,
        "EstimatedBytesToTransfer": 4096, "FilesTransferred": 12, "FilesVerified": 12, "BytesTransferred": 4096, "BytesWritten": 4096,
        "FilesSkipped": 1, "Result": {"TransferStatus": "SUCCESS", "VerifyStatus": "SUCCESS", "TotalDuration": 42}})
    result = run_module(datasync_task_execution, {"task_arn": arn, "poll_interval": 3})
    stubber.assert_no_pending_responses()
    execution = result["execution"]
    assert (execution["files_transferred"], execution["files_verified"], execution["bytes_written"], execution["files_skipped"],
            execution["files_deleted"]) == (12, 12, 4096, 1, 0)
    assert execution["result"] == {"transfer_status": "SUCCESS", "verify_status": "SUCCESS", "total_duration": 42}
    assert clock.slept == [3]


def test_a_failed_execution_fails_with_its_error(aws, run_module, clock, datasync_stub):
    arn = task(aws)
    # moto's executions never fail by themselves
    stubber = datasync_stub("describe_task_execution")
    stubber.add_response("describe_task_execution", {"TaskExecutionArn": arn + "/execution/exec-0123456789abcdef0", "Status": "PREPARING"})
    stubber.add_response("describe_task_execution", {
        "TaskExecutionArn": arn + "/execution/exec-0123456789abcdef0", "Status": "ERROR", "FilesTransferred": 3,
        "Result": {"ErrorCode": "OpNotSupp", "ErrorDetail": "The destination does not support the operation", "TransferStatus": "ERROR"}})
    result = run_module(datasync_task_execution, {"task_arn": arn, "poll_interval": 1})
    assert result["failed"] is True and result["changed"] is True and result["started"] is True, result
    assert "OpNotSupp" in result["msg"] and "does not support the operation" in result["msg"]
    assert aws("datasync").describe_task(TaskArn=arn)["CurrentTaskExecutionArn"] in result["msg"]
    assert result["execution"]["status"] == "ERROR" and result["execution"]["files_transferred"] == 3
    assert result["execution"]["result"]["error_code"] == "OpNotSupp"
    stubber.assert_no_pending_responses()
    assert len(clock.slept) == 1


def test_timeout_names_the_execution_and_its_status_and_a_rerun_waits_for_it(aws, run_module, clock):
    arn = task(aws)
    result = run_module(datasync_task_execution, {"task_arn": arn, "wait_timeout": 20, "poll_interval": 10})
    assert result["failed"] is True and result["changed"] is True, result
    running = aws("datasync").describe_task(TaskArn=arn)
    assert running["Status"] == "RUNNING"
    execution_arn = running["CurrentTaskExecutionArn"]
    assert execution_arn in result["msg"] and "TRANSFERRING" in result["msg"] and "20 seconds" in result["msg"]
    assert "keeps running" in result["msg"]
    assert clock.slept == [10, 10]
    again = run_module(datasync_task_execution, {"task_arn": arn, "poll_interval": 0})
    assert again["changed"] is False and again["started"] is False, again
    assert again["execution"]["task_execution_arn"] == execution_arn and again["execution"]["status"] == "SUCCESS"


def test_the_wait_is_cut_short_at_the_timeout(aws, run_module, clock):
    arn = task(aws)
    result = run_module(datasync_task_execution, {"task_arn": arn, "wait_timeout": 15, "poll_interval": 10})
    assert result["failed"] is True and "TRANSFERRING" in result["msg"], result
    assert clock.slept == [10, 5]


def test_check_mode_reports_a_change_and_starts_nothing(aws, run_module, clock):
    arn = task(aws)
    result = run_module(datasync_task_execution, {"task_arn": arn}, check_mode=True)
    assert result["changed"] is True and result["started"] is True and result["execution"] == {}, result
    described = aws("datasync").describe_task(TaskArn=arn)
    assert described["Status"] == "AVAILABLE" and not described.get("CurrentTaskExecutionArn")
    assert clock.slept == []


def test_without_wait_it_returns_once_started(aws, run_module, clock):
    arn = task(aws)
    result = run_module(datasync_task_execution, {"task_arn": arn, "wait": False})
    assert result["changed"] is True and result["started"] is True, result
    assert result["execution"]["status"] not in ("SUCCESS", "ERROR")
    assert aws("datasync").describe_task(TaskArn=arn)["Status"] == "RUNNING"
    assert clock.slept == []


def test_override_options_are_passed_to_the_execution(aws, run_module, clock, datasync_stub):
    arn = task(aws)
    execution_arn = arn + "/execution/exec-0123456789abcdef0"
    # moto ignores OverrideOptions: the start call itself is checked
    stubber = datasync_stub("start_task_execution", "describe_task_execution")
    stubber.add_response("start_task_execution", {"TaskExecutionArn": execution_arn},
                         {"TaskArn": arn, "OverrideOptions": {"LogLevel": "TRANSFER", "BytesPerSecond": 1048576}})
    stubber.add_response("describe_task_execution", {"TaskExecutionArn": execution_arn, "Status": "QUEUED"},
                         {"TaskExecutionArn": execution_arn})
    result = run_module(datasync_task_execution, {"task_arn": arn, "wait": False,
                                                  "override_options": {"LogLevel": "TRANSFER", "BytesPerSecond": "1048576"}})
    assert result["changed"] is True and result["execution"]["status"] == "QUEUED", result
    stubber.assert_no_pending_responses()
    assert clock.slept == []


def test_an_unknown_task_fails_with_a_message(aws, run_module, clock):
    task(aws)
    result = run_module(datasync_task_execution, {"task_arn": "arn:aws:datasync:eu-west-1:111222333444:task/task-0000000000000000f"})
    assert result["failed"] is True and "task-0000000000000000f" in result["msg"], result
    assert clock.slept == []


def test_bad_input_is_named_before_any_call(aws, run_module, monkeypatch):
    arn = task(aws)

    def no_client(*_args, **_kwargs):
        pytest.fail("the module made an AWS client before validating its input")

    monkeypatch.setattr(datasync_task_execution.AnsibleAWSModule, "client", no_client)
    for args, named in (({"task_arn": "task-0123"}, "task_arn"),
                        ({"task_arn": arn, "wait_timeout": 0}, "wait_timeout"),
                        ({"task_arn": arn, "poll_interval": -1}, "poll_interval"),
                        ({"task_arn": arn, "override_options": {"LogLevel": "LOUD"}}, "LogLevel"),
                        ({"task_arn": arn, "override_options": {"log_level": "BASIC"}}, "log_level")):
        result = run_module(datasync_task_execution, args)
        assert result["failed"] is True and named in result["msg"], result
    assert aws("datasync").describe_task(TaskArn=arn)["Status"] == "AVAILABLE"
