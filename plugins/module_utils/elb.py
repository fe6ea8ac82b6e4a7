# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Elastic Load Balancing's (ELBv2's) calls for elb_target_groups, each failing with a message that names what failed."""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.dicoogle.aws.plugins.module_utils.aws import ErrorHandler

# The most ARNs one DescribeTags call takes (ELBv2's rule).
TAGS_PER_CALL = 20

DEREGISTRATION_DELAY = "deregistration_delay.timeout_seconds"


class ELBErrorHandler(ErrorHandler):
    # DescribeTargetGroups with Names answers this when any one of them is missing
    MISSING = ("TargetGroupNotFound",)


# A target group just created may not be known yet to the next call (ELBv2's eventual consistency).
_NEW_GROUP_RETRY = AWSRetry.jittered_backoff(catch_extra_error_codes=["TargetGroupNotFound"])


def client_of(module):
    return module.client("elbv2", retry_decorator=AWSRetry.jittered_backoff())


@AWSRetry.jittered_backoff()
def _paginate(client, operation, **kwargs):
    return client.get_paginator(operation).paginate(**kwargs).build_full_result()


def target_groups_named(client, names):
    """The target groups of these names that exist, by name: one DescribeTargetGroups call when all exist. As
    ELBv2 refuses the whole call when one of the names is missing, it then reads every target group of the region
    (every page) and keeps those named."""
    found = _named(client, names)
    if found is None:
        found = [group for group in _every_target_group(client, names) if group["TargetGroupName"] in names]
    return {group["TargetGroupName"]: group for group in found}


@ELBErrorHandler.list_error_handler("read the target groups {names}")
def _named(client, names):
    """The target groups named, or None when one of them is missing."""
    return _paginate(client, "describe_target_groups", Names=list(names)).get("TargetGroups", [])


@ELBErrorHandler.common_error_handler("look up the target groups {names} among the region's")
def _every_target_group(client, names):
    return _paginate(client, "describe_target_groups").get("TargetGroups", [])


def tags_of(client, arns):
    """The tags of each resource (a dict by ARN), read 20 ARNs a call."""
    tags = {}
    for start in range(0, len(arns), TAGS_PER_CALL):
        tags.update(_tags_of(client, arns[start:start + TAGS_PER_CALL]))
    return tags


@ELBErrorHandler.common_error_handler("read the tags of {arns}")
def _tags_of(client, arns):
    described = client.describe_tags(aws_retry=True, ResourceArns=list(arns))["TagDescriptions"]
    return {item["ResourceArn"]: boto3_tag_list_to_ansible_dict(item.get("Tags", [])) for item in described}


@ELBErrorHandler.common_error_handler("read the attributes of the target group {name}")
def target_group_attributes(client, name, arn):
    """The target group's attributes as a dict of strings."""
    listed = client.describe_target_group_attributes(aws_retry=True, TargetGroupArn=arn)["Attributes"]
    return {item["Key"]: item.get("Value", "") for item in listed}


@ELBErrorHandler.common_error_handler("create the target group {name}")
def create_target_group(client, name, arguments, tags):
    """Creates it (with its tags, if any); returns it as DescribeTargetGroups describes it."""
    if tags:
        arguments = dict(arguments, Tags=ansible_dict_to_boto3_tag_list(tags))
    return client.create_target_group(aws_retry=True, Name=name, **arguments)["TargetGroups"][0]


@ELBErrorHandler.common_error_handler("change the health check of the target group {name}")
def modify_target_group(client, name, arn, changes):
    """Returns the target group after the change."""
    return client.modify_target_group(aws_retry=True, TargetGroupArn=arn, **changes)["TargetGroups"][0]


@ELBErrorHandler.common_error_handler("set the attributes {attributes} of the target group {name}")
def set_target_group_attributes(client, name, arn, attributes, new=False):
    """attributes: a dict of strings. `new`: the group was just created (the call is retried while ELBv2 does not
    know it yet)."""
    listed = [{"Key": key, "Value": value} for key, value in sorted(attributes.items())]
    if new:
        _NEW_GROUP_RETRY(client.modify_target_group_attributes)(TargetGroupArn=arn, Attributes=listed)
    else:
        client.modify_target_group_attributes(aws_retry=True, TargetGroupArn=arn, Attributes=listed)


@ELBErrorHandler.common_error_handler("change the tags of the target group {name}")
def retag(client, name, arn, to_add, to_remove):
    if to_remove:
        client.remove_tags(aws_retry=True, ResourceArns=[arn], TagKeys=list(to_remove))
    if to_add:
        client.add_tags(aws_retry=True, ResourceArns=[arn], Tags=ansible_dict_to_boto3_tag_list(to_add))
