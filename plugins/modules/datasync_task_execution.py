#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: datasync_task_execution
short_description: Run an AWS DataSync task and wait for the execution to finish
version_added: 0.1.0
description:
  - Starts an execution of a DataSync task (see M(dicoogle.aws.datasync_task)) and, by default, waits
    until it succeeds or fails. A failed execution fails the module with DataSync's error code and detail.
  - When the task is already running, waits for that execution instead of starting a second one
    (and reports no change).
  - Each run starts an execution, so the module always reports a change when it starts one.
  - In check mode, reports the change and starts nothing.
  - Fills a gap, as amazon.aws and community.aws have no module for AWS DataSync.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  task_arn:
    description: ARN of the task to run. One of O(task_arn) and O(task_name) is required.
    type: str
  task_name:
    description: Name of the task to run, when its ARN is not at hand (a playbook that did not create it).
    type: str
  wait:
    description: Whether to wait for the execution to succeed or fail.
    type: bool
    default: true
  wait_timeout:
    description:
      - How long to wait, in seconds. Once it has passed the module fails, and the execution keeps running.
    type: int
    default: 1800
  poll_interval:
    description: Seconds between two reads of the execution's status while waiting.
    type: int
    default: 10
  override_options:
    description:
      - 'Task options for this execution only, in the shape of the DataSync API (C(Options) of C(CreateTask)),
        such as C({LogLevel: TRANSFER, VerifyMode: POINT_IN_TIME_CONSISTENT}).'
    type: dict
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Copy the images to the archive now, and wait for it
  dicoogle.aws.datasync_task_execution:
    task_arn: "{{ archive_task.task.task_arn }}"
    wait_timeout: 3600
    poll_interval: 30
  register: archive_run

- name: Report what was copied
  ansible.builtin.debug:
    msg: "{{ archive_run.execution.files_transferred }} files, {{ archive_run.execution.bytes_transferred }} bytes"

- name: Run the bulk import task of a deployment, found by its name
  dicoogle.aws.datasync_task_execution:
    task_name: dicoogle-bulk-import

- name: Start a full verification and do not wait
  dicoogle.aws.datasync_task_execution:
    task_arn: "{{ archive_task.task.task_arn }}"
    wait: false
    override_options:
      VerifyMode: POINT_IN_TIME_CONSISTENT
"""

RETURN = r"""
started:
  description: Whether an execution was started (in check mode, whether one would be); false when one was already running.
  returned: always
  type: bool
execution:
  description: The execution as DataSync last described it; empty in check mode when one would be started.
  returned: always
  type: dict
  contains:
    task_execution_arn:
      description: ARN of the execution.
      type: str
      sample: arn:aws:datasync:eu-west-1:123456789012:task/task-0123456789abcdef0/execution/exec-0123456789abcdef0
    status:
      description: C(QUEUED), C(LAUNCHING), C(PREPARING), C(TRANSFERRING), C(VERIFYING), C(SUCCESS) or C(ERROR).
      type: str
      sample: SUCCESS
    estimated_files_to_transfer:
      description: Files DataSync expects to transfer (0 until known).
      type: int
    estimated_bytes_to_transfer:
      description: Bytes DataSync expects to transfer (0 until known).
      type: int
    files_transferred:
      description: Files transferred.
      type: int
    files_verified:
      description: Files verified.
      type: int
    files_deleted:
      description: Files deleted at the destination.
      type: int
    files_skipped:
      description: Files skipped.
      type: int
    bytes_transferred:
      description: Bytes transferred over the network.
      type: int
    bytes_written:
      description: Bytes written to the destination.
      type: int
    result:
      description: Durations and statuses of the phases, with C(error_code) and C(error_detail) of a failure.
      type: dict
"""

import re

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.dicoogle.aws.plugins.module_utils.aws import Waiter
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors
from ansible_collections.dicoogle.aws.plugins.module_utils.datasync import api_result
from ansible_collections.dicoogle.aws.plugins.module_utils.datasync import client_of
from ansible_collections.dicoogle.aws.plugins.module_utils.datasync import describe_task
from ansible_collections.dicoogle.aws.plugins.module_utils.datasync import describe_task_execution
from ansible_collections.dicoogle.aws.plugins.module_utils.datasync import list_tasks
from ansible_collections.dicoogle.aws.plugins.module_utils.datasync import start_task_execution
from ansible_collections.dicoogle.aws.plugins.module_utils.datasync import option_problem

TASK_ARN = re.compile(r"^arn:aws[a-z-]*:datasync:[a-z0-9-]+:\d{12}:task/task-[0-9a-f]{17}$")
FINAL = ("SUCCESS", "ERROR")
COUNTERS = {
    "EstimatedFilesToTransfer": "estimated_files_to_transfer",
    "EstimatedBytesToTransfer": "estimated_bytes_to_transfer",
    "FilesTransferred": "files_transferred",
    "FilesVerified": "files_verified",
    "FilesDeleted": "files_deleted",
    "FilesSkipped": "files_skipped",
    "BytesTransferred": "bytes_transferred",
    "BytesWritten": "bytes_written",
}


def running_execution(client, module):
    """The task's current execution if it has not finished, else None."""
    task = describe_task(client, module.params["task_arn"])
    if not task.get("CurrentTaskExecutionArn"):
        return None
    execution = describe_task_execution(client, task["CurrentTaskExecutionArn"])
    return None if execution.get("Status") in FINAL else execution


def result_of(execution):
    if not execution:
        return {}
    result = api_result(execution)
    for counter, key in COUNTERS.items():
        result[key] = int(execution.get(counter) or 0)
    result["result"] = result.get("result") or {}
    return result


def wait_for(client, module, arn, execution, started):
    """Polls the execution until it succeeds; fails on an error or when wait_timeout has passed."""
    params = module.params

    def succeeded(execution):
        if execution.get("Status") == "ERROR":
            detail = execution.get("Result") or {}
            module.fail_json(
                msg="DataSync execution %s of task %s failed: %s: %s" % (
                    arn, params["task_arn"], detail.get("ErrorCode", "no error code"), detail.get("ErrorDetail", "no detail")),
                changed=started, started=started, execution=result_of(execution))
        return execution.get("Status") == "SUCCESS"

    def timed_out(execution):
        module.fail_json(
            msg="DataSync execution %s of task %s did not finish within %d seconds; its last status was %s. It keeps "
                "running: run this again to wait for it (no second execution is started) or cancel it"
                % (arn, params["task_arn"], params["wait_timeout"], execution.get("Status")),
            changed=started, started=started, execution=result_of(execution))

    return Waiter(params["wait_timeout"], params["poll_interval"]).until(
        lambda: describe_task_execution(client, arn), timed_out, done=succeeded, current=execution)


def task_by_name(client, module):
    name = module.params["task_name"]
    arns = [task["TaskArn"] for task in list_tasks(client, " to find %s" % name) if task.get("Name") == name]
    if len(arns) != 1:
        module.fail_json(msg="task_name %s names %d DataSync tasks in this region; give task_arn instead" % (name, len(arns))
                         if arns else "No DataSync task is named %s in this region: check task_name and the region" % name)
    return arns[0]


def validate(module):
    params = module.params
    if params["task_name"] is not None and not params["task_name"].strip():
        module.fail_json(msg="task_name must not be empty")
    if params["task_arn"] is not None and not TASK_ARN.match(params["task_arn"]):
        module.fail_json(msg="task_arn %r is not the ARN of a DataSync task (arn:aws:datasync:region:123456789012:task/task-...)"
                             % params["task_arn"])
    if params["wait_timeout"] <= 0:
        module.fail_json(msg="wait_timeout must be more than 0 seconds, got %d" % params["wait_timeout"])
    if params["poll_interval"] < 0:
        module.fail_json(msg="poll_interval must be 0 seconds or more, got %d" % params["poll_interval"])
    problem = option_problem(params["override_options"] or {}, "override_options")
    if problem:
        module.fail_json(msg=problem)


@fails_on_aws_errors
def run(module):
    client = client_of(module)
    if module.params["task_name"] is not None:
        module.params["task_arn"] = task_by_name(client, module)

    execution = running_execution(client, module)
    started = execution is None
    if module.check_mode:
        module.exit_json(changed=started, started=started, execution=result_of(execution))
    if started:
        arn = start_task_execution(client, module.params["task_arn"], module.params["override_options"])
    else:
        arn = execution["TaskExecutionArn"]
    if module.params["wait"]:
        execution = wait_for(client, module, arn, execution, started)
    elif execution is None:
        execution = describe_task_execution(client, arn)
    module.exit_json(changed=started, started=started, execution=result_of(execution))


def main():
    argument_spec = dict(
        task_arn=dict(type="str"),
        task_name=dict(type="str"),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1800),
        poll_interval=dict(type="int", default=10),
        override_options=dict(type="dict"),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True,
                              required_one_of=[("task_arn", "task_name")], mutually_exclusive=[("task_arn", "task_name")])
    validate(module)
    run(module)


if __name__ == "__main__":
    main()
