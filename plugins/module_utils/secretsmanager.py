# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secrets Manager's calls for secretsmanager_secrets (and cognito_users, which reads its passwords), each failing
with a message that names what failed (never a secret's value)."""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list

from ansible_collections.dicoogle.aws.plugins.module_utils.aws import ErrorHandler


class SecretsErrorHandler(ErrorHandler):
    pass


class SecretsGoneErrorHandler(ErrorHandler):
    MISSING = ("ResourceNotFoundException",)


def client_of(module):
    return module.client("secretsmanager", retry_decorator=AWSRetry.jittered_backoff())


def current_version(found):
    """The id of a described (or listed) secret's AWSCURRENT version, None when it has none."""
    return next((version for version, stages in (found.get("VersionIdsToStages") or found.get("SecretVersionsToStages") or {}).items()
                 if "AWSCURRENT" in stages), None)


@SecretsGoneErrorHandler.list_error_handler("describe the secret {name}")
def describe(client, name):
    """The secret's description (DescribeSecret), None when there is no such secret."""
    return client.describe_secret(aws_retry=True, SecretId=name)


@SecretsGoneErrorHandler.list_error_handler("read the value of the secret {name}")
def current_value(client, name):
    """The secret's current string, None when it has no value (or is gone)."""
    return client.get_secret_value(aws_retry=True, SecretId=name).get("SecretString")


@SecretsErrorHandler.common_error_handler("create the secret {name}")
def create(client, name, value, arguments):
    return client.create_secret(aws_retry=True, Name=name, SecretString=value, **arguments)


@SecretsErrorHandler.common_error_handler("restore the secret {name}, which was scheduled for deletion")
def restore(client, name):
    client.restore_secret(aws_retry=True, SecretId=name)


@SecretsErrorHandler.common_error_handler("update the description or key of the secret {name}")
def update(client, name, arguments):
    client.update_secret(aws_retry=True, SecretId=name, **arguments)


@SecretsErrorHandler.common_error_handler("store a new value of the secret {name}")
def put_value(client, name, value):
    """The new version's id (it becomes AWSCURRENT)."""
    return client.put_secret_value(aws_retry=True, SecretId=name, SecretString=value)["VersionId"]


@SecretsErrorHandler.common_error_handler("change the tags of the secret {name}")
def retag(client, name, to_add, to_remove):
    if to_remove:
        client.untag_resource(aws_retry=True, SecretId=name, TagKeys=list(to_remove))
    if to_add:
        client.tag_resource(aws_retry=True, SecretId=name, Tags=ansible_dict_to_boto3_tag_list(to_add))


@SecretsGoneErrorHandler.deletion_error_handler("delete the secret {name}")
def delete(client, name, recovery_window):
    """True once deleted (or scheduled); False when it was already gone."""
    if recovery_window == 0:
        client.delete_secret(aws_retry=True, SecretId=name, ForceDeleteWithoutRecovery=True)
    else:
        client.delete_secret(aws_retry=True, SecretId=name, RecoveryWindowInDays=recovery_window)
    return True
