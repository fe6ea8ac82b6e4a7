# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ACM's calls for acm_certificate_request, each failing with a message that names what failed."""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list

from ansible_collections.dicoogle.aws.plugins.module_utils.aws import ErrorHandler

# list_certificates returns RSA_2048 certificates only unless asked for every key type
KEY_TYPES = ["RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"]
LIVE_STATUSES = ["PENDING_VALIDATION", "ISSUED", "INACTIVE"]


class ACMErrorHandler(ErrorHandler):
    pass


def client_of(module):
    # ACM answers RequestInProgressException while it is still making a certificate just requested
    return module.client("acm", retry_decorator=AWSRetry.jittered_backoff(catch_extra_error_codes=["RequestInProgressException"]))


@ACMErrorHandler.common_error_handler("list the ACM certificates")
@AWSRetry.jittered_backoff()
def live_certificates(client):
    """The summaries of the certificates that are pending validation, issued or inactive, of every key type."""
    pages = client.get_paginator("list_certificates").paginate(CertificateStatuses=LIVE_STATUSES, Includes={"keyTypes": KEY_TYPES})
    return pages.build_full_result().get("CertificateSummaryList", [])


@ACMErrorHandler.common_error_handler("read the tags of certificate {arn}")
def certificate_tags(client, arn):
    return {t["Key"]: t.get("Value", "") for t in client.list_tags_for_certificate(aws_retry=True, CertificateArn=arn).get("Tags", [])}


@ACMErrorHandler.common_error_handler("describe certificate {arn}")
def describe_certificate(client, arn):
    return client.describe_certificate(aws_retry=True, CertificateArn=arn)["Certificate"]


@ACMErrorHandler.common_error_handler("request a certificate for {domain_name}")
def request_certificate(client, domain_name, arguments):
    """Requests it, validated through DNS; returns its ARN."""
    return client.request_certificate(aws_retry=True, DomainName=domain_name, ValidationMethod="DNS", **arguments)["CertificateArn"]


@ACMErrorHandler.common_error_handler("tag certificate {arn}")
def retag_certificate(client, arn, current_tags, to_add, to_remove):
    # RemoveTagsFromCertificate removes a tag that has the value it is given
    if to_remove:
        client.remove_tags_from_certificate(aws_retry=True, CertificateArn=arn, Tags=[{"Key": k, "Value": current_tags[k]} for k in to_remove])
    if to_add:
        client.add_tags_to_certificate(aws_retry=True, CertificateArn=arn, Tags=ansible_dict_to_boto3_tag_list(to_add))


@ACMErrorHandler.common_error_handler("delete certificate {arn}")
def delete_certificate(client, arn):
    client.delete_certificate(aws_retry=True, CertificateArn=arn)
