# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""CloudWatch Logs' calls for logs_resource_policy, each failing with a message that names what failed."""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.dicoogle.aws.plugins.module_utils.aws import ErrorHandler


class LogsErrorHandler(ErrorHandler):
    pass


class LogsPolicyErrorHandler(ErrorHandler):
    MISSING = ("ResourceNotFoundException",)


def client_of(module):
    return module.client("logs", retry_decorator=AWSRetry.jittered_backoff())


@LogsErrorHandler.common_error_handler("list the CloudWatch Logs resource policies")
@AWSRetry.jittered_backoff()
def account_resource_policies(client):
    """Every account-level resource policy of the region (not those of a single log group)."""
    found = client.get_paginator("describe_resource_policies").paginate().build_full_result().get("resourcePolicies", [])
    return [p for p in found if not p.get("resourceArn")]


@LogsErrorHandler.common_error_handler("{action} CloudWatch Logs resource policy {name}")
def put_resource_policy(client, name, document, action):
    """Creates or replaces the policy (action: "create" or "replace", for a failure's message); returns it as written."""
    return client.put_resource_policy(aws_retry=True, policyName=name, policyDocument=document).get("resourcePolicy")


@LogsPolicyErrorHandler.deletion_error_handler("delete CloudWatch Logs resource policy {name}")
def delete_resource_policy(client, name):
    """True once deleted; False when it was already gone."""
    client.delete_resource_policy(aws_retry=True, policyName=name)
    return True
