# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""EventBridge Scheduler's calls for scheduler_schedules, each failing with a message that names what failed."""

from __future__ import annotations

import time

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.dicoogle.aws.plugins.module_utils.aws import ErrorHandler
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import described
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import tag_arguments

# A new execution role: IAM answers for it at once, but EventBridge Scheduler may not be able to assume it for some
# seconds, and refuses the schedule meanwhile ("The execution role you provide must allow AWS EventBridge Scheduler
# to assume the role"). Such a refusal is tried again, after these pauses (seconds); any other is not.
NEW_ROLE_PAUSES = (2, 4, 8, 16, 30)


class SchedulerErrorHandler(ErrorHandler):
    pass


class SchedulerGoneErrorHandler(ErrorHandler):
    MISSING = ("ResourceNotFoundException",)


def client_of(module):
    return module.client("scheduler", retry_decorator=AWSRetry.jittered_backoff())


def _role_not_assumable_yet(error):
    return (error.response.get("Error", {}).get("Code") == "ValidationException"
            and "execution role" in error.response.get("Error", {}).get("Message", ""))


def _trying_a_new_role_again(call):
    for pause in NEW_ROLE_PAUSES + (None,):
        try:
            return call()
        except botocore.exceptions.ClientError as e:
            if pause is None or not _role_not_assumable_yet(e):
                raise
            time.sleep(pause)


# Groups


@SchedulerGoneErrorHandler.list_error_handler("read the schedule group {name}")
def get_group(client, name):
    """The group (Arn, Name, State...), None when there is no such group."""
    return described(client.get_schedule_group(aws_retry=True, Name=name))


@SchedulerErrorHandler.common_error_handler("create the schedule group {name}")
def create_group(client, name, tags):
    """Creates the group with its tags; returns its ARN."""
    return client.create_schedule_group(aws_retry=True, Name=name, **tag_arguments(tags))["ScheduleGroupArn"]


@SchedulerGoneErrorHandler.deletion_error_handler("delete the schedule group {name}")
def delete_group(client, name):
    """True once its deletion started (the group is DELETING until its schedules are gone); False when it was gone."""
    client.delete_schedule_group(aws_retry=True, Name=name)
    return True


@SchedulerGoneErrorHandler.list_error_handler("read the tags of the schedule group {arn}", default_value={})
def read_tags(client, arn):
    return boto3_tag_list_to_ansible_dict(client.list_tags_for_resource(aws_retry=True, ResourceArn=arn).get("Tags") or [])


@SchedulerErrorHandler.common_error_handler("change the tags of the schedule group {arn}")
def retag(client, arn, to_add, to_remove):
    if to_remove:
        client.untag_resource(aws_retry=True, ResourceArn=arn, TagKeys=list(to_remove))
    if to_add:
        client.tag_resource(aws_retry=True, ResourceArn=arn, Tags=ansible_dict_to_boto3_tag_list(to_add))


# Schedules


@SchedulerGoneErrorHandler.list_error_handler("list the schedules of group {group}", default_value=[])
@AWSRetry.jittered_backoff()
def list_schedules(client, group):
    """The group's schedules as ListSchedules summarises them (Name, Arn, State, Target's Arn); [] without the group."""
    return client.get_paginator("list_schedules").paginate(GroupName=group).build_full_result().get("Schedules", [])


@SchedulerGoneErrorHandler.list_error_handler("read the schedule {name} of group {group}")
def get_schedule(client, group, name):
    """The schedule as GetSchedule describes it, None when there is no such schedule."""
    return described(client.get_schedule(aws_retry=True, GroupName=group, Name=name))


@SchedulerErrorHandler.common_error_handler("create the schedule {name} in group {group}")
def create_schedule(client, group, name, arguments):
    """Creates the schedule with CreateSchedule(**arguments); returns its ARN."""
    return _trying_a_new_role_again(
        lambda: client.create_schedule(aws_retry=True, GroupName=group, Name=name, **arguments))["ScheduleArn"]


@SchedulerErrorHandler.common_error_handler("update the schedule {name} of group {group}")
def update_schedule(client, group, name, arguments):
    """UpdateSchedule replaces every setting: `arguments` are all of them."""
    return _trying_a_new_role_again(
        lambda: client.update_schedule(aws_retry=True, GroupName=group, Name=name, **arguments))["ScheduleArn"]


@SchedulerGoneErrorHandler.deletion_error_handler("delete the schedule {name} of group {group}")
def delete_schedule(client, group, name):
    """True once deleted; False when it was already gone."""
    client.delete_schedule(aws_retry=True, GroupName=group, Name=name)
    return True
