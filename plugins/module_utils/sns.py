# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Amazon SNS's calls for sns_topic_encryption, each failing with a message that names what failed."""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.dicoogle.aws.plugins.module_utils.aws import ErrorHandler


class SnsErrorHandler(ErrorHandler):
    pass


class SnsGoneErrorHandler(ErrorHandler):
    MISSING = ("NotFound", "NotFoundException", "ResourceNotFound")


def client_of(module):
    return module.client("sns", retry_decorator=AWSRetry.jittered_backoff())


@SnsErrorHandler.common_error_handler("list the SNS topics to find {name}")
@AWSRetry.jittered_backoff()
def topic_arn(client, name):
    """The ARN of this account's topic of that name in the client's region; None when there is none."""
    for topic in client.get_paginator("list_topics").paginate().build_full_result().get("Topics", []):
        if topic["TopicArn"].split(":")[-1] == name:
            return topic["TopicArn"]
    return None


@SnsGoneErrorHandler.list_error_handler("read the attributes of SNS topic {arn}")
def attributes(client, arn):
    """The topic's attributes, None when there is no such topic."""
    return client.get_topic_attributes(aws_retry=True, TopicArn=arn)["Attributes"]


@SnsErrorHandler.common_error_handler("set the KMS key of SNS topic {arn}")
def set_kms_key(client, arn, key):
    client.set_topic_attributes(aws_retry=True, TopicArn=arn, AttributeName="KmsMasterKeyId", AttributeValue=key)
