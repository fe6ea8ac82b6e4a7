# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Amazon ECS's calls for ecs_tags, each failing with a message that names what failed."""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.dicoogle.aws.plugins.module_utils.aws import ErrorHandler


class ECSErrorHandler(ErrorHandler):
    pass


def client_of(module):
    return module.client("ecs", retry_decorator=AWSRetry.jittered_backoff())


@ECSErrorHandler.common_error_handler("read the tags of {arn}")
def tags_of(client, arn):
    """The resource's tags as a dict (ECS's ClusterNotFoundException, say, fails with the ARN named)."""
    listed = client.list_tags_for_resource(aws_retry=True, resourceArn=arn)["tags"]
    return {tag["key"]: tag.get("value", "") for tag in listed}


@ECSErrorHandler.common_error_handler("change the tags of {arn}")
def retag(client, arn, to_add, to_remove):
    if to_remove:
        client.untag_resource(aws_retry=True, resourceArn=arn, tagKeys=list(to_remove))
    if to_add:
        client.tag_resource(aws_retry=True, resourceArn=arn, tags=[{"key": key, "value": value} for key, value in sorted(to_add.items())])
