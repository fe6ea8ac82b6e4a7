#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: datasync_task
short_description: Manage an AWS DataSync task, found by its name
version_added: 0.1.0
description:
  - Creates, updates or deletes a DataSync task, which copies from a source location to a
    destination location (see M(dicoogle.aws.datasync_location_s3) and M(dicoogle.aws.datasync_location_efs)).
  - The task is found by its name among the account's tasks, so a re-run never creates a second one.
  - Updates in place the log group, the options, the filters and the tags. DataSync cannot change
    the source or destination of a task; asking for others fails with a message that says so,
    instead of replacing the task silently.
  - Supports check mode and diff.
  - Use M(dicoogle.aws.datasync_task_execution) to run the task.
  - Fills a gap, as amazon.aws and community.aws have no module for AWS DataSync.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  name:
    description: Name of the task, unique among the account's tasks in the region.
    type: str
    required: true
  state:
    description: Whether the task should exist.
    type: str
    choices: [present, absent]
    default: present
  delete_locations:
    description:
      - With O(state=absent), also delete the task's source and destination locations (a
        teardown does not need to know them). Locations already gone count as deleted.
    type: bool
    default: false
  source_location_arn:
    description: ARN of the location DataSync copies from. Required with O(state=present).
    type: str
  destination_location_arn:
    description: ARN of the location DataSync copies to. Required with O(state=present).
    type: str
  cloudwatch_log_group_arn:
    description:
      - ARN of the CloudWatch log group DataSync logs to, such as C(arn:aws:logs:eu-west-1:123456789012:log-group:/aws/datasync:*).
      - Not given, the task's log group is left as it is.
    type: str
  options:
    description:
      - 'Task options in the shape of the DataSync API (C(Options) of C(CreateTask)), such as
        C({VerifyMode: ONLY_FILES_TRANSFERRED, LogLevel: TRANSFER, OverwriteMode: ALWAYS, TransferMode: CHANGED}).'
      - Only the options given are compared and changed; the others keep their values (DataSync's defaults on a new task).
    type: dict
  excludes:
    description:
      - 'Filter of the files DataSync leaves out, in the shape of the DataSync API, such as
        C([{FilterType: SIMPLE_PATTERN, Value: "/tmp|*.part"}]); at most one filter, patterns separated by C(|).'
      - C(FilterType) defaults to C(SIMPLE_PATTERN). An empty list removes the filter; not given, it is left as it is.
    type: list
    elements: dict
  includes:
    description:
      - Filter of the files DataSync copies (the others are left out), in the same shape as O(excludes).
      - An empty list removes the filter; not given, it is left as it is.
    type: list
    elements: dict
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
notes:
  - Tags are read and changed only when O(tags) is given.
"""

EXAMPLES = r"""
- name: Copy the PACS's images to the archive bucket
  dicoogle.aws.datasync_task:
    name: dicoogle-images-archive
    source_location_arn: "{{ images_location.location.location_arn }}"
    destination_location_arn: "{{ archive_location.location.location_arn }}"
    cloudwatch_log_group_arn: "arn:aws:logs:eu-west-1:{{ account_id }}:log-group:/aws/datasync:*"
    options:
      VerifyMode: ONLY_FILES_TRANSFERRED
      LogLevel: TRANSFER
      OverwriteMode: ALWAYS
      TransferMode: CHANGED
    excludes:
      - FilterType: SIMPLE_PATTERN
        Value: "*.part|/tmp"
    tags:
      "dicoogle:deployment": dicoogle
  register: archive_task

- name: Remove it
  dicoogle.aws.datasync_task:
    name: dicoogle-images-archive
    state: absent
"""

RETURN = r"""
task:
  description: The task as DataSync describes it; empty when absent or about to be created in check mode.
  returned: always
  type: dict
  contains:
    task_arn:
      description: ARN, to run the task.
      type: str
      sample: arn:aws:datasync:eu-west-1:123456789012:task/task-0123456789abcdef0
    name:
      description: Name.
      type: str
    status:
      description: Status, such as C(AVAILABLE) or C(RUNNING).
      type: str
    source_location_arn:
      description: Location copied from.
      type: str
    destination_location_arn:
      description: Location copied to.
      type: str
    cloudwatch_log_group_arn:
      description: Log group, if any.
      type: str
    options:
      description: Task options, in the shape of the DataSync API (C(VerifyMode), C(LogLevel)...).
      type: dict
    excludes:
      description: Exclude filter, in the shape of the DataSync API.
      type: list
      elements: dict
    includes:
      description: Include filter, in the shape of the DataSync API.
      type: list
      elements: dict
    current_task_execution_arn:
      description: The execution running, if any.
      type: str
    tags:
      description: Resource tags.
      type: dict
      returned: when O(tags) is given or the task was created
"""

import re

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors
from ansible_collections.dicoogle.aws.plugins.module_utils import datasync
from ansible_collections.dicoogle.aws.plugins.module_utils.datasync import api_result
from ansible_collections.dicoogle.aws.plugins.module_utils.datasync import client_of
from ansible_collections.dicoogle.aws.plugins.module_utils.datasync import ensure_tags
from ansible_collections.dicoogle.aws.plugins.module_utils.datasync import fail_on_reserved_tags
from ansible_collections.dicoogle.aws.plugins.module_utils.datasync import immutable_refusal
from ansible_collections.dicoogle.aws.plugins.module_utils.datasync import list_locations
from ansible_collections.dicoogle.aws.plugins.module_utils.datasync import list_tasks
from ansible_collections.dicoogle.aws.plugins.module_utils.datasync import option_problem
from ansible_collections.dicoogle.aws.plugins.module_utils.datasync import tag_arguments

NAME = re.compile(r"^[a-zA-Z0-9\s+=._:@/-]{1,256}$")
LOCATION_ARN = re.compile(r"^arn:aws[a-z-]*:datasync:[a-z0-9-]+:\d{12}:location/loc-[0-9a-z]{17}$")
LOG_GROUP_ARN = re.compile(r"^arn:aws[a-z-]*:logs:[a-z0-9-]+:\d{12}:log-group:[^:*]+(:\*)?$")


def filters(rules):
    """The API's filter list, FilterType defaulted, or [] for none."""
    return [{"FilterType": rule.get("FilterType") or "SIMPLE_PATTERN", "Value": rule.get("Value")} for rule in rules or []]


def same_log_group(a, b):
    return (a or "").rstrip("*").rstrip(":") == (b or "").rstrip("*").rstrip(":")


def find(client, module):
    name = module.params["name"]
    found = [task for task in list_tasks(client) if task.get("Name") == name]
    if len(found) > 1:
        module.fail_json(msg="%d DataSync tasks are named %s; remove the extra ones (%s)"
                             % (len(found), name, ", ".join(task["TaskArn"] for task in found[1:])))
    return datasync.describe_task(client, found[0]["TaskArn"]) if found else None


def settings(task):
    """What the module manages of a task (in the API's shape), for comparison and diff."""
    return {
        "name": task.get("Name"),
        "source_location_arn": task.get("SourceLocationArn"),
        "destination_location_arn": task.get("DestinationLocationArn"),
        "cloudwatch_log_group_arn": task.get("CloudWatchLogGroupArn"),
        "options": dict(task.get("Options") or {}),
        "excludes": filters(task.get("Excludes")),
        "includes": filters(task.get("Includes")),
    }


def wanted_settings(params, current):
    """The task's settings once the module is done: the current ones (if any) overlaid with those given."""
    wanted = dict(current or {"cloudwatch_log_group_arn": None, "options": {}, "excludes": [], "includes": []})
    wanted["name"] = params["name"]
    for key in ("source_location_arn", "destination_location_arn"):
        if params[key] is not None:
            wanted[key] = params[key]
    if params["cloudwatch_log_group_arn"] is not None and not same_log_group(params["cloudwatch_log_group_arn"], wanted["cloudwatch_log_group_arn"]):
        wanted["cloudwatch_log_group_arn"] = params["cloudwatch_log_group_arn"]
    wanted["options"] = dict(wanted["options"], **(params["options"] or {}))
    for key in ("excludes", "includes"):
        if params[key] is not None:
            wanted[key] = filters(params[key])
    return wanted


def api_arguments(wanted):
    """The arguments of create_task/update_task for these settings but the name. update_task gets them all,
    so that an endpoint that replaces rather than merges (moto) keeps what is not being changed."""
    kwargs = {}
    if wanted["cloudwatch_log_group_arn"]:
        kwargs["CloudWatchLogGroupArn"] = wanted["cloudwatch_log_group_arn"]
    if wanted["options"]:
        kwargs["Options"] = wanted["options"]
    for key in ("excludes", "includes"):
        if wanted[key]:
            kwargs[key.capitalize()] = wanted[key]
    return kwargs


def create(client, module, wanted):
    kwargs = api_arguments(wanted)
    kwargs.update(SourceLocationArn=wanted["source_location_arn"], DestinationLocationArn=wanted["destination_location_arn"])
    kwargs.update(tag_arguments(module.params["tags"]))
    return datasync.create_task(client, wanted["name"], kwargs)


def update(client, current, before, wanted):
    kwargs = api_arguments(wanted)
    for key in ("excludes", "includes"):
        if before[key] and not wanted[key]:
            kwargs[key.capitalize()] = []
    datasync.update_task(client, wanted["name"], current["TaskArn"], kwargs)


def delete_locations(client, module, task):
    for key in ("SourceLocationArn", "DestinationLocationArn"):
        arn = task.get(key)
        if not arn:
            continue
        try:
            datasync.delete_location(client, arn)
        except AnsibleAWSError as e:
            # DataSync answers InvalidRequestException for a location that is already gone.
            if any(location["LocationArn"] == arn for location in list_locations(client)):
                module.fail_json_aws(e.exception, msg="Failed to delete the DataSync location %s of task %s" % (arn, task.get("Name")))


def validate(module):
    params = module.params
    if not NAME.match(params["name"]):
        module.fail_json(msg="name %r must be 1-256 letters, digits, spaces or +=._:@/-" % params["name"])
    for key in ("source_location_arn", "destination_location_arn"):
        if params[key] is None and params["state"] == "present":
            module.fail_json(msg="%s is required with state=present" % key)
        if params[key] is not None and not LOCATION_ARN.match(params[key]):
            module.fail_json(msg="%s %r is not the ARN of a DataSync location (arn:aws:datasync:region:123456789012:location/loc-...)"
                                 % (key, params[key]))
    log_group = params["cloudwatch_log_group_arn"]
    if log_group is not None and not LOG_GROUP_ARN.match(log_group):
        module.fail_json(msg="cloudwatch_log_group_arn %r is not the ARN of a log group (arn:aws:logs:region:123456789012:log-group:name)"
                             % log_group)
    problem = option_problem(params["options"] or {})
    if problem:
        module.fail_json(msg=problem)
    for key in ("excludes", "includes"):
        rules = params[key] or []
        if len(rules) > 1:
            module.fail_json(msg="%s takes one filter at most; join its patterns with '|', such as '/tmp|*.part'" % key)
        for rule in rules:
            if set(rule) - {"FilterType", "Value"} or not isinstance(rule.get("Value"), str) or not rule["Value"]:
                module.fail_json(msg="%s: a filter is {FilterType: SIMPLE_PATTERN, Value: 'pattern|pattern'}, got %r" % (key, rule))
            if rule.get("FilterType", "SIMPLE_PATTERN") != "SIMPLE_PATTERN":
                module.fail_json(msg="%s: FilterType must be SIMPLE_PATTERN, got %r" % (key, rule["FilterType"]))
    fail_on_reserved_tags(module)


def result_of(task, tags):
    if not task:
        return {}
    result = api_result(task)
    result["cloudwatch_log_group_arn"] = result.pop("cloud_watch_log_group_arn", None)
    result["options"] = result.get("options") or {}
    result["excludes"] = result.get("excludes") or []
    result["includes"] = result.get("includes") or []
    if tags is not None:
        result["tags"] = tags
    return result


@fails_on_aws_errors
def run(module):
    params = module.params
    client = client_of(module)
    current = find(client, module)
    before = settings(current) if current else {}

    changed = False
    task = current
    tags_before, tags_after = None, None
    if params["state"] == "absent":
        after = {}
        if current is not None:
            changed = True
            task = None
            if not module.check_mode:
                datasync.delete_task(client, params["name"], current["TaskArn"])
                if params["delete_locations"]:
                    delete_locations(client, module, current)
    else:
        after = wanted_settings(params, before)
        if current is None:
            changed = True
            tags_before, tags_after = {}, params["tags"] or {}
            if not module.check_mode:
                task = datasync.describe_task(client, create(client, module, after))
        else:
            immutable = [key for key in ("source_location_arn", "destination_location_arn") if after[key] != before[key]]
            if immutable:
                module.fail_json(msg=immutable_refusal("task", params["name"], current["TaskArn"], immutable,
                                                       cannot="DataSync cannot change", joined_by=" and "))
            if after != before:
                changed = True
                if module.check_mode:
                    task = dict(current, Name=after["name"], CloudWatchLogGroupArn=after["cloudwatch_log_group_arn"],
                                Options=after["options"], Excludes=after["excludes"], Includes=after["includes"])
                else:
                    update(client, current, before, after)
                    task = datasync.describe_task(client, current["TaskArn"])
            tags_changed, tags_before, tags_after = ensure_tags(client, module, current["TaskArn"], "task")
            changed |= tags_changed

    if tags_before is not None:
        before = dict(before, tags=tags_before)
    if tags_after is not None:
        after = dict(after, tags=tags_after)
    module.exit_json(changed=changed, task=result_of(task, tags_after), diff=dict(before=before, after=after))


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        delete_locations=dict(type="bool", default=False),
        source_location_arn=dict(type="str"),
        destination_location_arn=dict(type="str"),
        cloudwatch_log_group_arn=dict(type="str"),
        options=dict(type="dict"),
        excludes=dict(type="list", elements="dict"),
        includes=dict(type="list", elements="dict"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[("state", "present", ("source_location_arn", "destination_location_arn"))],
    )
    validate(module)
    run(module)


if __name__ == "__main__":
    main()
