#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: scheduler_schedules
short_description: Converge a set of EventBridge Scheduler schedules in one schedule group, in one call
version_added: 0.1.0
description:
  - Makes the schedule group O(group) exist with its tags, and in it each schedule of O(schedules) with exactly the
    settings given (expression, time zone, description, flexible time window, state, action after completion and
    target); with O(purge_schedules), deletes the group's other schedules.
  - With O(state=absent), deletes the schedules of O(names) from the group, or without O(names) every schedule of the
    group and the group itself, waiting until EventBridge Scheduler has removed it.
  - A schedule's target is a templated or universal target given by its ARN, its execution role and its input, such
    as an SNS topic whose C(Publish) gets O(schedules[].target.input) as the message.
  - Schedules cannot be tagged (only their group can); they are found by their name in their group.
  - Fills a gap, as amazon.aws and community.aws have no module for EventBridge Scheduler
    (C(community.aws.cloudwatchevent_rule) manages EventBridge rules, which have no one-time schedules).
  - Supports check mode and diff mode.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  group:
    description:
      - The schedule group's name, 1-64 letters, digits, C(.), C(_) or C(-).
      - With O(state=present) it is created when missing; a group that is being deleted is waited for first.
    type: str
    required: true
  tags:
    description: The group's tags (schedules have none); not given, the tags of an existing group are left as they are.
    type: dict
  purge_tags:
    description: Whether the group's tags not in O(tags) are removed (when O(tags) is given).
    type: bool
    default: true
  schedules:
    description: The schedules to make exist in the group. Required with O(state=present) (an empty list is allowed).
    type: list
    elements: dict
    suboptions:
      name:
        description: The schedule's name, unique in its group; 1-64 letters, digits, C(.), C(_) or C(-).
        type: str
        required: true
      schedule_expression:
        description:
          - C(at(yyyy-mm-ddThh:mm:ss)) for a one-time schedule, C(rate(value unit)) or C(cron(fields)) for a
            recurring one, evaluated in O(schedules[].timezone).
          - A one-time schedule whose time has come is handled as O(overdue_delay) says.
        type: str
        required: true
      timezone:
        description: The time zone the expression is evaluated in (an IANA name such as C(Europe/Lisbon)).
        type: str
        default: UTC
      description:
        description: The schedule's description, at most 512 characters.
        type: str
        default: ""
      target:
        description: What the schedule invokes.
        type: dict
        required: true
        suboptions:
          arn:
            description:
              - The target's ARN; for a templated target the resource itself (an SNS topic's ARN calls its C(Publish)).
            type: str
            required: true
          role_arn:
            description:
              - The execution role EventBridge Scheduler assumes to invoke the target. It must trust
                C(scheduler.amazonaws.com) and allow the target's action (and, for an encrypted target, its key).
              - A role IAM made moments ago, which Scheduler cannot assume yet, is tried again for about a minute.
            type: str
            required: true
          input:
            description: The text passed to the target (for an SNS topic, the message). Not given, none.
            type: str
          retry_policy:
            description: How long and how often a failed invocation is retried. Not given, it is not compared (AWS's
              default is 185 attempts over 24 hours).
            type: dict
            suboptions:
              maximum_event_age_in_seconds:
                description: 60 to 86400.
                type: int
                required: true
              maximum_retry_attempts:
                description: 0 to 185.
                type: int
                required: true
      flexible_window_minutes:
        description: The window (1-1440 minutes) within which the target may be invoked; C(0) invokes it at the time itself.
        type: int
        default: 0
      enabled:
        description: Whether the schedule is enabled.
        type: bool
        default: true
      action_after_completion:
        description:
          - What EventBridge Scheduler does with the schedule once it has invoked its target for the last time.
          - C(NONE) keeps it, as the record that it ran (and so that a re-run of the same settings changes nothing);
            C(DELETE) deletes it, after which a run would create it again.
        type: str
        choices: [NONE, DELETE]
        default: NONE
  purge_schedules:
    description: With O(state=present), whether the group's schedules not in O(schedules) are deleted.
    type: bool
    default: true
  names:
    description:
      - With O(state=absent), the schedules of the group to delete. Not given, every schedule and the group itself.
    type: list
    elements: str
  overdue_delay:
    description:
      - Minutes from now at which a one-time schedule whose time has come (not later than a minute from now) is set
        instead, once; 1 to 1440.
      - The reminder is sent then, not lost. A schedule that exists with the same settings but its time, which is
        already past or within these minutes (it fired, or is about to), is left as it is, so that a re-run changes
        nothing; changing any other setting (a renewed certificate's message, say) sets it to these minutes from
        now again.
    type: int
    default: 5
  wait_timeout:
    description: Seconds to wait for a group being deleted to be gone (before it is created again, or with O(state=absent)).
    type: int
    default: 300
  state:
    description: Whether the schedules (and, without O(names), the group) exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - The module never sends an C(at()) time in the past. AWS's documentation of one-time schedules
    (U(https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#one-time)) and of
    C(CreateSchedule) does not say what such a schedule does (run at once, never, or be refused), so a time that
    has come is moved to O(overdue_delay) minutes from now, which AWS runs within that minute.
  - A time in another zone than C(UTC) is compared with the present through the controller's Python time zone
    database (C(zoneinfo)); a zone it does not know is refused for C(at()) expressions.
"""

EXAMPLES = r"""
- name: Remind the team of each certificate's renewal, through an SNS topic
  dicoogle.aws.scheduler_schedules:
    group: dicoogle-alerts
    tags:
      "dicoogle:deployment": dicoogle
    schedules:
      - name: certificate-nginx
        schedule_expression: at(2027-05-01T09:30:00)
        description: "certificate nginx of dicoogle: not after 2027-05-31T09:30:00Z"
        target:
          arn: arn:aws:sns:eu-west-1:123456789012:dicoogle-alerts
          role_arn: arn:aws:iam::123456789012:role/dicoogle-alerts-scheduler
          input: "The certificate nginx of dicoogle expires on 2027-05-31: run playbooks/rotate.yml"
  register: reminders

- name: Delete one schedule
  dicoogle.aws.scheduler_schedules:
    group: dicoogle-alerts
    names: [certificate-nginx]
    state: absent

- name: Delete the group with every schedule in it
  dicoogle.aws.scheduler_schedules:
    group: dicoogle-alerts
    state: absent
"""

RETURN = r"""
group:
  description: The schedule group; empty when absent (or about to be deleted).
  returned: always
  type: dict
  contains:
    name:
      description: Its name.
      type: str
    arn:
      description: Its ARN; absent for a group that check mode would create.
      type: str
      sample: arn:aws:scheduler:eu-west-1:123456789012:schedule-group/dicoogle-alerts
    state:
      description: C(ACTIVE), or C(DELETING) while its deletion runs.
      type: str
    tags:
      description: Its tags after the run.
      type: dict
      returned: when O(tags) is given or the group was created
schedules:
  description: Each schedule of O(schedules), in order, as it is after the run.
  returned: with O(state=present)
  type: list
  elements: dict
  contains:
    name:
      description: Its name.
      type: str
    arn:
      description: Its ARN; absent for a schedule that check mode would create.
      type: str
      sample: arn:aws:scheduler:eu-west-1:123456789012:schedule/dicoogle-alerts/certificate-nginx
    schedule_expression:
      description: The expression it has, which differs from the one given for a one-time schedule whose time had come.
      type: str
      sample: at(2027-05-01T09:30:00)
    overdue:
      description: Whether its C(at()) time had come, so that it was set to (or kept at) a time near the present.
      type: bool
deleted:
  description: The names of the schedules deleted (or that check mode would delete).
  returned: always
  type: list
  elements: str
"""

import datetime
import re

try:
    from zoneinfo import ZoneInfo
except ImportError:  # Python < 3.9: UTC only
    ZoneInfo = None

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.dicoogle.aws.plugins.module_utils import scheduler
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import ROLE_ARN
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import Waiter
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import reconcile_tags
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import text_tags

NAME = re.compile(r"^[0-9a-zA-Z._-]{1,64}$")
AT = re.compile(r"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$")
RECURRING = re.compile(r"^(rate|cron)\(.+\)$")
AT_FORMAT = "%Y-%m-%dT%H:%M:%S"
# EventBridge Scheduler invokes a target within the minute of its time: a time closer than this has come.
DUE = datetime.timedelta(seconds=60)


def zone_of(name):
    """The tzinfo of a time zone name; ValueError when the controller's Python does not know it."""
    if name == "UTC":
        return datetime.timezone.utc
    if ZoneInfo is None:
        raise ValueError("this Python has no time zone database (zoneinfo); use UTC")
    try:
        return ZoneInfo(name)
    except Exception as e:  # ZoneInfoNotFoundError, or a malformed key
        raise ValueError("the time zone %r is unknown to the controller's Python (%s)" % (name, e)) from e


def at_time(expression, timezone):
    """The UTC moment of an at() expression in its time zone; None for a recurring expression."""
    match = AT.match(expression or "")
    if not match:
        return None
    local = datetime.datetime.strptime(match.group(1), AT_FORMAT)
    return local.replace(tzinfo=zone_of(timezone)).astimezone(datetime.timezone.utc)


def at_expression(moment, timezone):
    return "at(%s)" % moment.astimezone(zone_of(timezone)).strftime(AT_FORMAT)


def schedule_problems(index, item, seen):
    where = "schedules[%d] (%s)" % (index, item["name"])
    found = []
    if not NAME.match(item["name"]):
        found.append("%s: name must be 1-64 letters, digits, '.', '_' or '-'" % where)
    if item["name"] in seen:
        found.append("%s: the name is given twice" % where)
    seen.add(item["name"])
    expression = item["schedule_expression"]
    if AT.match(expression):
        try:
            at_time(expression, item["timezone"])
        except ValueError as e:
            found.append("%s: schedule_expression %r: %s" % (where, expression, e))
    elif not RECURRING.match(expression):
        found.append("%s: schedule_expression %r must be at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron(fields)"
                     % (where, expression))
    target = item["target"]
    if not target["arn"].startswith("arn:"):
        found.append("%s: target.arn %r is not an ARN" % (where, target["arn"]))
    if not ROLE_ARN.match(target["role_arn"]):
        found.append("%s: target.role_arn %r is not the ARN of an IAM role (arn:aws:iam::123456789012:role/name)"
                     % (where, target["role_arn"]))
    if target["input"] == "":
        found.append("%s: target.input may not be empty (leave it out for none)" % where)
    policy = target["retry_policy"]
    if policy and not 60 <= policy["maximum_event_age_in_seconds"] <= 86400:
        found.append("%s: target.retry_policy.maximum_event_age_in_seconds must be 60 to 86400" % where)
    if policy and not 0 <= policy["maximum_retry_attempts"] <= 185:
        found.append("%s: target.retry_policy.maximum_retry_attempts must be 0 to 185" % where)
    if not 0 <= item["flexible_window_minutes"] <= 1440:
        found.append("%s: flexible_window_minutes must be 0 (off) or 1 to 1440" % where)
    if len(item["description"]) > 512:
        found.append("%s: description is longer than 512 characters" % where)
    return found


def validate(module):
    """Fails naming every mistake of the input at once."""
    params = module.params
    found = []
    if not NAME.match(params["group"]):
        found.append("group %r must be 1-64 letters, digits, '.', '_' or '-'" % params["group"])
    if params["state"] == "present":
        if params["names"] is not None:
            found.append("names is for state=absent; with state=present, schedules lists the group's schedules")
        seen = set()
        for index, item in enumerate(params["schedules"]):
            found += schedule_problems(index, item, seen)
    else:
        if params["schedules"] is not None:
            found.append("schedules is for state=present; with state=absent, names lists the schedules to delete"
                         " (not given: every schedule and the group)")
        if params["group"] == "default" and params["names"] is None:
            found.append("the default group cannot be deleted: name the schedules to delete in names")
    if not 1 <= params["overdue_delay"] <= 1440:
        found.append("overdue_delay must be 1 to 1440 minutes")
    if found:
        module.fail_json(msg="; ".join(found))


def wanted_settings(item):
    """A schedule of the schedules option as UpdateSchedule takes it (every setting; it replaces them all)."""
    target = {"Arn": item["target"]["arn"], "RoleArn": item["target"]["role_arn"]}
    if item["target"]["input"] is not None:
        target["Input"] = item["target"]["input"]
    policy = item["target"]["retry_policy"]
    if policy:
        target["RetryPolicy"] = {"MaximumEventAgeInSeconds": policy["maximum_event_age_in_seconds"],
                                 "MaximumRetryAttempts": policy["maximum_retry_attempts"]}
    window = item["flexible_window_minutes"]
    return {
        "ScheduleExpression": item["schedule_expression"],
        "ScheduleExpressionTimezone": item["timezone"],
        "Description": item["description"],
        "FlexibleTimeWindow": {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": window} if window else {"Mode": "OFF"},
        "State": "ENABLED" if item["enabled"] else "DISABLED",
        "ActionAfterCompletion": item["action_after_completion"],
        "Target": target,
    }


def current_settings(described, wanted):
    """A schedule as GetSchedule describes it, in the shape of wanted_settings: the target's members the module
    manages (its retry policy only when one is asked for), AWS's defaults for what the answer leaves out."""
    target = described.get("Target") or {}
    members = ("Arn", "RoleArn", "Input") + (("RetryPolicy",) if "RetryPolicy" in wanted["Target"] else ())
    window = described.get("FlexibleTimeWindow") or {"Mode": "OFF"}
    return {
        "ScheduleExpression": described.get("ScheduleExpression"),
        "ScheduleExpressionTimezone": described.get("ScheduleExpressionTimezone") or "UTC",
        "Description": described.get("Description") or "",
        "FlexibleTimeWindow": ({"Mode": "OFF"} if window.get("Mode") == "OFF"
                               else {"Mode": window.get("Mode"), "MaximumWindowInMinutes": window.get("MaximumWindowInMinutes")}),
        "State": described.get("State") or "ENABLED",
        "ActionAfterCompletion": described.get("ActionAfterCompletion") or "NONE",
        "Target": {key: target[key] for key in members if key in target},
    }


def resolved_expression(wanted, current, now, delay):
    """The expression to send and whether the schedule is overdue: the one asked for, unless it is a one-time
    schedule whose time has come (see overdue_delay)."""
    expression, timezone = wanted["ScheduleExpression"], wanted["ScheduleExpressionTimezone"]
    moment = at_time(expression, timezone)
    if moment is None or moment > now + DUE:
        return expression, False
    if current is not None and dict(current, ScheduleExpression=None) == dict(wanted, ScheduleExpression=None):
        kept = at_time(current["ScheduleExpression"], timezone)
        if kept is not None and kept <= now + delay:
            return current["ScheduleExpression"], True
    return at_expression(now + delay, timezone), True


def wait_until_gone(module, client, group):
    """Waits until the group being deleted is gone; fails after wait_timeout."""
    Waiter(module.params["wait_timeout"], delay=2, max_delay=10).until(
        lambda: scheduler.get_group(client, group),
        lambda found: module.fail_json(msg="The schedule group %s is still %s after %d seconds"
                                           % (group, found.get("State"), module.params["wait_timeout"])),
        done=lambda found: found is None)


def group_result(group, tags):
    if not group:
        return {}
    result = {"name": group["Name"], "state": group.get("State", "ACTIVE")}
    if group.get("Arn"):
        result["arn"] = group["Arn"]
    if tags is not None:
        result["tags"] = tags
    return result


def absent(module, client, group):
    params = module.params
    name = params["group"]
    if group is None or group.get("State") == "DELETING":
        module.exit_json(changed=False, group=group_result(group, None), deleted=[], diff={"before": {}, "after": {}})
    listed = [summary["Name"] for summary in scheduler.list_schedules(client, name)]
    doomed = [schedule for schedule in listed if params["names"] is None or schedule in params["names"]]
    if not module.check_mode:
        for schedule in doomed:
            scheduler.delete_schedule(client, name, schedule)
    before = {"schedules": sorted(doomed)}
    after = {"schedules": []}
    if params["names"] is None:
        before["group"], after["group"] = name, None
        if not module.check_mode:
            scheduler.delete_group(client, name)
            wait_until_gone(module, client, name)
        group = None
    changed = bool(doomed) or params["names"] is None
    module.exit_json(changed=changed, group=group_result(group, None), deleted=doomed, diff={"before": before, "after": after})


def present(module, client, group):
    params = module.params
    name = params["group"]
    tags = text_tags(params["tags"])
    changed = False
    before, after = {"schedules": {}}, {"schedules": {}}

    if group is not None and group.get("State") == "DELETING":
        if not module.check_mode:
            wait_until_gone(module, client, name)
        group = None
    if group is None:
        changed = True
        before["group"], after["group"] = None, {"name": name, "tags": tags or {}}
        group = {"Name": name, "State": "ACTIVE"}
        if not module.check_mode:
            group["Arn"] = scheduler.create_group(client, name, tags)
        group_tags, existing = tags or {}, []
    else:
        group_tags = None
        if tags is not None:
            current_tags = scheduler.read_tags(client, group["Arn"])
            retagged, group_tags = reconcile_tags(module, current_tags, tags, params["purge_tags"],
                                                  lambda to_add, to_remove: scheduler.retag(client, group["Arn"], to_add, to_remove))
            if retagged:
                changed = True
                before["group"], after["group"] = {"name": name, "tags": current_tags}, {"name": name, "tags": group_tags}
        existing = scheduler.list_schedules(client, name)

    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    delay = datetime.timedelta(minutes=params["overdue_delay"])
    listed = {summary["Name"]: summary for summary in existing}
    results = []
    for item in params["schedules"]:
        wanted = wanted_settings(item)
        described = scheduler.get_schedule(client, name, item["name"]) if item["name"] in listed else None
        current = current_settings(described, wanted) if described else None
        wanted["ScheduleExpression"], overdue = resolved_expression(wanted, current, now, delay)
        result = {"name": item["name"], "schedule_expression": wanted["ScheduleExpression"], "overdue": overdue}
        if described:
            result["arn"] = described["Arn"]
        if current != wanted:
            changed = True
            before["schedules"][item["name"]], after["schedules"][item["name"]] = current, wanted
            if overdue:
                module.warn("The time of schedule %s (%s) has come: it is set to %s instead"
                            % (item["name"], item["schedule_expression"], wanted["ScheduleExpression"]))
            if not module.check_mode:
                if current is None:
                    result["arn"] = scheduler.create_schedule(client, name, item["name"], wanted)
                else:
                    scheduler.update_schedule(client, name, item["name"], wanted)
        results.append(result)

    deleted = []
    if params["purge_schedules"]:
        wanted_names = {item["name"] for item in params["schedules"]}
        deleted = [schedule for schedule in listed if schedule not in wanted_names]
        for schedule in deleted:
            changed = True
            before["schedules"][schedule], after["schedules"][schedule] = "exists", None
            if not module.check_mode:
                scheduler.delete_schedule(client, name, schedule)

    module.exit_json(changed=changed, group=group_result(group, group_tags), schedules=results, deleted=deleted,
                     diff={"before": before, "after": after})


@fails_on_aws_errors
def run(module):
    client = scheduler.client_of(module)
    group = scheduler.get_group(client, module.params["group"])
    if module.params["state"] == "absent":
        absent(module, client, group)
    else:
        present(module, client, group)


def main():
    target = dict(
        arn=dict(type="str", required=True),
        role_arn=dict(type="str", required=True),
        input=dict(type="str"),
        retry_policy=dict(type="dict", options=dict(
            maximum_event_age_in_seconds=dict(type="int", required=True),
            maximum_retry_attempts=dict(type="int", required=True),
        )),
    )
    argument_spec = dict(
        group=dict(type="str", required=True),
        tags=dict(type="dict"),
        purge_tags=dict(type="bool", default=True),
        schedules=dict(type="list", elements="dict", options=dict(
            name=dict(type="str", required=True),
            schedule_expression=dict(type="str", required=True),
            timezone=dict(type="str", default="UTC"),
            description=dict(type="str", default=""),
            target=dict(type="dict", required=True, options=target),
            flexible_window_minutes=dict(type="int", default=0),
            enabled=dict(type="bool", default=True),
            action_after_completion=dict(type="str", choices=["NONE", "DELETE"], default="NONE"),
        )),
        purge_schedules=dict(type="bool", default=True),
        names=dict(type="list", elements="str"),
        overdue_delay=dict(type="int", default=5),
        wait_timeout=dict(type="int", default=300),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True,
                              required_if=[("state", "present", ["schedules"])])
    validate(module)
    run(module)


if __name__ == "__main__":
    main()
