# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ECR's calls for ecr_repositories and ecr_authorization_info, each failing with a message that names what failed."""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.dicoogle.aws.plugins.module_utils.aws import ErrorHandler

PERMISSION_HINT = "the AWS credentials need the IAM permission ecr:GetAuthorizationToken (on resource *)"


class ECRErrorHandler(ErrorHandler):
    pass


class ECRRepositoryErrorHandler(ErrorHandler):
    MISSING = ("RepositoryNotFoundException",)


class ECRImageErrorHandler(ErrorHandler):
    MISSING = ("ImageNotFoundException", "RepositoryNotFoundException")


class KMSKeyErrorHandler(ErrorHandler):
    MISSING = ("NotFoundException",)


def client_of(module):
    return module.client("ecr", retry_decorator=AWSRetry.jittered_backoff())


@ECRRepositoryErrorHandler.list_error_handler("describe ECR repository {name}")
def _repository(client, name):
    return client.describe_repositories(aws_retry=True, repositoryNames=[name])["repositories"][0]


@ECRErrorHandler.common_error_handler("list tags of ECR repository {name}")
def _repository_tags(client, name, arn):
    return boto3_tag_list_to_ansible_dict(client.list_tags_for_resource(aws_retry=True, resourceArn=arn)["tags"])


def describe_repository(client, name):
    """The repository with its tags (as a dict), or None."""
    repo = _repository(client, name)
    if repo is not None:
        repo["tags"] = _repository_tags(client, name, repo["repositoryArn"])
    return repo


@KMSKeyErrorHandler.list_error_handler("look up kms_key {key}")
def kms_key_arn(module, key):
    """The ARN of the KMS key (given as ID, alias or ARN), or None when there is no such key."""
    kms = module.client("kms", retry_decorator=AWSRetry.jittered_backoff())
    return kms.describe_key(aws_retry=True, KeyId=key)["KeyMetadata"]["Arn"]


@ECRErrorHandler.common_error_handler("create ECR repository {name}")
def create_repository(client, name, arguments):
    client.create_repository(aws_retry=True, repositoryName=name, **arguments)


@ECRErrorHandler.common_error_handler("set tag mutability of ECR repository {name}")
def set_tag_mutability(client, name, mutability):
    client.put_image_tag_mutability(aws_retry=True, repositoryName=name, imageTagMutability=mutability)


@ECRErrorHandler.common_error_handler("set scan on push of ECR repository {name}")
def set_scan_on_push(client, name, scan_on_push):
    client.put_image_scanning_configuration(aws_retry=True, repositoryName=name, imageScanningConfiguration={"scanOnPush": scan_on_push})


@ECRErrorHandler.common_error_handler("tag ECR repository {name}")
def retag_repository(client, name, arn, to_add, to_remove):
    if to_remove:
        client.untag_resource(aws_retry=True, resourceArn=arn, tagKeys=to_remove)
    if to_add:
        client.tag_resource(aws_retry=True, resourceArn=arn, tags=ansible_dict_to_boto3_tag_list(to_add, "Key", "Value"))


@ECRErrorHandler.common_error_handler("delete ECR repository {name}")
def delete_repository(client, name, force):
    client.delete_repository(aws_retry=True, repositoryName=name, force=force)


@ECRErrorHandler.common_error_handler("get an ECR authorization token: " + PERMISSION_HINT)
def authorization_data(client, registry_ids):
    """The registries' authorization data: their endpoints and base64 user:password tokens."""
    kwargs = {"registryIds": registry_ids} if registry_ids else {}
    return client.get_authorization_token(aws_retry=True, **kwargs)["authorizationData"]


@ECRImageErrorHandler.list_error_handler("describe ECR image {repository}:{tag}", default_value=False)
def image_tag_exists(client, repository, tag):
    """Whether the repository holds an image tagged ``tag`` (a missing repository holds none)."""
    client.describe_images(aws_retry=True, repositoryName=repository, imageIds=[{"imageTag": tag}])
    return True
