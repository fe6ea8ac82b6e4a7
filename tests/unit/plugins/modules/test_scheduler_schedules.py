"""scheduler_schedules: a set of EventBridge Scheduler schedules converged in one group, in one call (amazon.aws and
community.aws have no Scheduler module); a one-time schedule whose time has come is sent soon, once."""

from __future__ import annotations

import datetime
import json

import botocore.exceptions
import pytest

from ansible_collections.dicoogle.aws.plugins.module_utils import scheduler
from ansible_collections.dicoogle.aws.plugins.modules import scheduler_schedules

GROUP = "unit-alerts"
TAGS = {"dicoogle:deployment": "unit"}
TOPIC = "arn:aws:sns:eu-west-1:123456789012:unit-alerts"
ROLE = "arn:aws:iam::123456789012:role/unit-alerts-scheduler"


def at(days=0, minutes=0):
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=days, minutes=minutes)
    return "at(%s)" % moment.strftime("%Y-%m-%dT%H:%M:%S")


def moment_of(expression):
    return datetime.datetime.strptime(expression[3:-1], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)


def schedule(name, expression, message=None):
    return {"name": name, "schedule_expression": expression, "description": "certificate %s of unit" % name,
            "target": {"arn": TOPIC, "role_arn": ROLE, "input": message or "the certificate %s of unit expires" % name}}


# Two reminders a year ahead, as the alerts role asks for them.
CA = schedule("certificate-ca", at(days=3000))
NGINX = schedule("certificate-nginx", at(days=300))


def args(*schedules, **extra):
    return dict({"group": GROUP, "tags": TAGS, "schedules": list(schedules)}, **extra)


def described(aws, name):
    return aws("scheduler").get_schedule(GroupName=GROUP, Name=name)


def names(aws):
    return sorted(s["Name"] for s in aws("scheduler").list_schedules(GroupName=GROUP)["Schedules"])


def group_tags(aws):
    client = aws("scheduler")
    arn = client.get_schedule_group(Name=GROUP)["Arn"]
    return {t["Key"]: t["Value"] for t in client.list_tags_for_resource(ResourceArn=arn)["Tags"]}


def test_creates_the_tagged_group_and_its_schedules_once(aws, run_module):
    first = run_module(scheduler_schedules, args(CA, NGINX))
    assert first["changed"] is True and first["deleted"] == []
    assert first["group"]["name"] == GROUP and first["group"]["tags"] == TAGS
    assert first["group"]["arn"].endswith(":schedule-group/" + GROUP)
    assert group_tags(aws) == TAGS
    assert names(aws) == ["certificate-ca", "certificate-nginx"]
    nginx = described(aws, "certificate-nginx")
    assert nginx["ScheduleExpression"] == NGINX["schedule_expression"] and nginx["ScheduleExpressionTimezone"] == "UTC"
    assert nginx["Target"]["Arn"] == TOPIC and nginx["Target"]["RoleArn"] == ROLE
    assert nginx["Target"]["Input"] == NGINX["target"]["input"]
    assert nginx["FlexibleTimeWindow"] == {"Mode": "OFF"} and nginx["State"] == "ENABLED"
    assert nginx["ActionAfterCompletion"] == "NONE" and nginx["Description"] == NGINX["description"]
    assert [(s["name"], s["schedule_expression"], s["overdue"]) for s in first["schedules"]] == [
        ("certificate-ca", CA["schedule_expression"], False), ("certificate-nginx", NGINX["schedule_expression"], False)]
    assert first["schedules"][1]["arn"] == nginx["Arn"]
    again = run_module(scheduler_schedules, args(CA, NGINX))
    assert again["changed"] is False and again["diff"] == {"before": {"schedules": {}}, "after": {"schedules": {}}}
    assert again["schedules"] == first["schedules"]


def test_a_renewed_certificate_moves_its_schedule_only(aws, run_module):
    run_module(scheduler_schedules, args(CA, NGINX))
    renewed = schedule("certificate-nginx", at(days=397), "the certificate nginx of unit expires later")
    moved = run_module(scheduler_schedules, args(CA, renewed))
    assert moved["changed"] is True
    assert list(moved["diff"]["after"]["schedules"]) == ["certificate-nginx"]
    assert moved["diff"]["before"]["schedules"]["certificate-nginx"]["ScheduleExpression"] == NGINX["schedule_expression"]
    nginx = described(aws, "certificate-nginx")
    assert nginx["ScheduleExpression"] == renewed["schedule_expression"] and nginx["Target"]["Input"] == renewed["target"]["input"]
    assert described(aws, "certificate-ca")["ScheduleExpression"] == CA["schedule_expression"]
    assert run_module(scheduler_schedules, args(CA, renewed))["changed"] is False


def test_a_schedule_no_longer_asked_for_is_deleted_unless_purge_is_off(aws, run_module):
    run_module(scheduler_schedules, args(CA, NGINX))
    kept = run_module(scheduler_schedules, args(CA, purge_schedules=False))
    assert kept["changed"] is False and names(aws) == ["certificate-ca", "certificate-nginx"]
    removed = run_module(scheduler_schedules, args(CA))
    assert removed["changed"] is True and removed["deleted"] == ["certificate-nginx"]
    assert removed["diff"]["after"]["schedules"] == {"certificate-nginx": None}
    assert names(aws) == ["certificate-ca"]
    assert run_module(scheduler_schedules, args(CA))["changed"] is False


def test_check_mode_reports_the_changes_and_makes_none(aws, run_module):
    new = run_module(scheduler_schedules, args(CA, NGINX), check_mode=True)
    assert new["changed"] is True and "arn" not in new["group"] and all("arn" not in s for s in new["schedules"])
    assert new["diff"]["after"]["group"] == {"name": GROUP, "tags": TAGS}
    assert [g["Name"] for g in aws("scheduler").list_schedule_groups()["ScheduleGroups"]] == ["default"]
    run_module(scheduler_schedules, args(CA, NGINX))
    renewed = schedule("certificate-nginx", at(days=397))
    check = run_module(scheduler_schedules, args(CA, renewed, tags={"other": "x"}), check_mode=True)
    assert check["changed"] is True and list(check["diff"]["after"]["schedules"]) == ["certificate-nginx"]
    assert check["group"]["tags"] == {"other": "x"}
    assert described(aws, "certificate-nginx")["ScheduleExpression"] == NGINX["schedule_expression"]
    assert group_tags(aws) == TAGS
    assert run_module(scheduler_schedules, args(CA), check_mode=True)["deleted"] == ["certificate-nginx"]
    assert names(aws) == ["certificate-ca", "certificate-nginx"]
    assert run_module(scheduler_schedules, args(CA, NGINX), check_mode=True)["changed"] is False


def test_the_group_is_retagged_in_place(aws, run_module):
    run_module(scheduler_schedules, args(CA))
    retagged = run_module(scheduler_schedules, args(CA, tags={"dicoogle:deployment": "unit", "owner": "radiology"}))
    assert retagged["changed"] is True and group_tags(aws) == {"dicoogle:deployment": "unit", "owner": "radiology"}
    untouched = run_module(scheduler_schedules, {"group": GROUP, "schedules": [CA]})
    assert untouched["changed"] is False and "tags" not in untouched["group"]


def test_absent_deletes_named_schedules_or_the_whole_group(aws, run_module):
    run_module(scheduler_schedules, args(CA, NGINX))
    one = run_module(scheduler_schedules, {"group": GROUP, "names": ["certificate-nginx", "never-made"], "state": "absent"})
    assert one["changed"] is True and one["deleted"] == ["certificate-nginx"] and names(aws) == ["certificate-ca"]
    check = run_module(scheduler_schedules, {"group": GROUP, "state": "absent"}, check_mode=True)
    assert check["changed"] is True and check["deleted"] == ["certificate-ca"] and names(aws) == ["certificate-ca"]
    whole = run_module(scheduler_schedules, {"group": GROUP, "state": "absent"})
    assert whole["changed"] is True and whole["deleted"] == ["certificate-ca"] and whole["group"] == {}
    with pytest.raises(botocore.exceptions.ClientError, match="ResourceNotFoundException"):
        aws("scheduler").get_schedule_group(Name=GROUP)
    again = run_module(scheduler_schedules, {"group": GROUP, "state": "absent"})
    assert again["changed"] is False and again["deleted"] == []


def test_an_overdue_reminder_is_sent_soon_once_and_again_when_it_changes(aws, run_module):
    """A certificate already within its renewal window: at() in the past is never sent; the schedule is set a few
    minutes from now, and left there (it fired, or is about to) by the next runs."""
    late = schedule("certificate-client", at(days=-3))
    first = run_module(scheduler_schedules, args(late, overdue_delay=5))
    [result] = first["schedules"]
    assert first["changed"] is True and result["overdue"] is True and result["schedule_expression"] != late["schedule_expression"]
    soon = moment_of(result["schedule_expression"]) - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(minutes=4) < soon <= datetime.timedelta(minutes=5)
    assert described(aws, "certificate-client")["ScheduleExpression"] == result["schedule_expression"]
    assert "has come" in json.dumps(first["warnings"])
    again = run_module(scheduler_schedules, args(late, overdue_delay=5))
    assert again["changed"] is False and again["schedules"][0]["schedule_expression"] == result["schedule_expression"]
    assert again["schedules"][0]["overdue"] is True
    # re-issued, but still within the window: a new reminder, soon again
    reissued = schedule("certificate-client", at(days=-2), "the certificate client of unit was re-issued")
    moved = run_module(scheduler_schedules, args(reissued, overdue_delay=5))
    assert moved["changed"] is True and moved["schedules"][0]["overdue"] is True
    assert described(aws, "certificate-client")["Target"]["Input"] == reissued["target"]["input"]
    # renewed out of the window: back to its own date
    renewed = schedule("certificate-client", at(days=300))
    back = run_module(scheduler_schedules, args(renewed))
    assert back["changed"] is True and back["schedules"][0]["overdue"] is False
    assert back["schedules"][0]["schedule_expression"] == renewed["schedule_expression"]


def test_a_time_further_than_the_delay_is_brought_forward(aws, run_module):
    """An overdue reminder whose existing schedule lies later than the delay (a widened window) is brought forward."""
    run_module(scheduler_schedules, args(schedule("certificate-client", at(days=10))))
    widened = run_module(scheduler_schedules, args(schedule("certificate-client", at(days=-1))))
    expression = widened["schedules"][0]["schedule_expression"]
    assert widened["changed"] is True and moment_of(expression) - datetime.datetime.now(datetime.timezone.utc) < datetime.timedelta(minutes=6)


def test_other_settings_are_compared_and_updated(aws, run_module):
    run_module(scheduler_schedules, args(CA))
    daily = dict(schedule("daily-check", "rate(1 day)"), flexible_window_minutes=15, enabled=False,
                 target=dict(CA["target"], retry_policy={"maximum_event_age_in_seconds": 3600, "maximum_retry_attempts": 3}))
    made = run_module(scheduler_schedules, args(CA, daily))
    assert made["changed"] is True
    found = described(aws, "daily-check")
    assert found["FlexibleTimeWindow"] == {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15} and found["State"] == "DISABLED"
    assert found["Target"]["RetryPolicy"] == {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 3}
    assert run_module(scheduler_schedules, args(CA, daily))["changed"] is False
    enabled = run_module(scheduler_schedules, args(CA, dict(daily, enabled=True)))
    assert enabled["changed"] is True and described(aws, "daily-check")["State"] == "ENABLED"


def test_bad_input_is_refused_naming_every_mistake(aws, run_module):
    bad = [
        schedule("ca cert", at(days=1)),
        dict(schedule("nginx", "at(2027-02-30T00:00:00)")),
        schedule("client", "every day"),
        dict(schedule("client", at(days=1)), target={"arn": "sns-topic", "role_arn": "scheduler-role"}),
        dict(schedule("storage", at(days=1)), timezone="Mars/Olympus_Mons"),
    ]
    result = run_module(scheduler_schedules, args(*bad))
    assert result["failed"] is True
    message = result["msg"]
    for expected in ("schedules[0] (ca cert): name must be", "schedules[1] (nginx): schedule_expression 'at(2027-02-30T00:00:00)'",
                     "schedules[2] (client): schedule_expression 'every day' must be", "schedules[3] (client): the name is given twice",
                     "target.arn 'sns-topic' is not an ARN", "target.role_arn 'scheduler-role' is not the ARN of an IAM role",
                     "schedules[4] (storage): schedule_expression", "Mars/Olympus_Mons"):
        assert expected in message, message
    assert aws("scheduler").list_schedule_groups()["ScheduleGroups"][1:] == []
    assert "names is for state=absent" in run_module(scheduler_schedules, args(CA, names=["x"]))["msg"]
    assert "default group cannot be deleted" in run_module(scheduler_schedules, {"group": "default", "state": "absent"})["msg"]
    assert "group 'unit alerts'" in run_module(scheduler_schedules, dict(args(CA), group="unit alerts"))["msg"]
    assert "overdue_delay must be 1 to 1440" in run_module(scheduler_schedules, args(CA, overdue_delay=0))["msg"]


def test_a_role_scheduler_cannot_assume_yet_is_tried_again(monkeypatch):
    """IAM answers for a new role at once; Scheduler may refuse it for some seconds, which is tried again."""
    monkeypatch.setattr(scheduler, "NEW_ROLE_PAUSES", (0, 0))
    calls = []

    def create():
        calls.append(1)
        if len(calls) < 3:
            raise botocore.exceptions.ClientError({"Error": {"Code": "ValidationException", "Message":
                                                   "The execution role you provide must allow AWS EventBridge Scheduler to assume the role."}},
                                                  "CreateSchedule")
        return {"ScheduleArn": "arn"}

    assert scheduler._trying_a_new_role_again(create) == {"ScheduleArn": "arn"} and len(calls) == 3
    calls.clear()

    def refused():
        calls.append(1)
        raise botocore.exceptions.ClientError({"Error": {"Code": "ValidationException", "Message": "Invalid Schedule Expression"}},
                                              "CreateSchedule")

    with pytest.raises(botocore.exceptions.ClientError, match="Invalid Schedule Expression"):
        scheduler._trying_a_new_role_again(refused)
    assert len(calls) == 1
