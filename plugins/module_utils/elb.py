# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Elastic Load Balancing's calls for elb_load_balancer_attributes, each failing with a message that names what failed."""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.dicoogle.aws.plugins.module_utils.aws import ErrorHandler


class ELBErrorHandler(ErrorHandler):
    MISSING = ("LoadBalancerNotFound",)


def client_of(module):
    return module.client("elbv2", retry_decorator=AWSRetry.jittered_backoff())


@ELBErrorHandler.list_error_handler("look up load balancer {name}", ())
def load_balancers_named(client, name):
    return client.describe_load_balancers(aws_retry=True, Names=[name])["LoadBalancers"]


@ELBErrorHandler.list_error_handler("read the attributes of load balancer {arn}")
def attributes_of(client, arn):
    """The attributes as a dict, or None when there is no such load balancer."""
    listed = client.describe_load_balancer_attributes(aws_retry=True, LoadBalancerArn=arn)["Attributes"]
    return {item["Key"]: item.get("Value", "") for item in listed}


@ELBErrorHandler.common_error_handler("set attributes {attributes} of load balancer {arn}; check that the keys exist for this type "
                                      "of load balancer and, for access logs, that the bucket's policy lets Elastic Load Balancing "
                                      "write to it")
def set_attributes(client, arn, attributes):
    client.modify_load_balancer_attributes(aws_retry=True, LoadBalancerArn=arn,
                                           Attributes=[{"Key": key, "Value": value} for key, value in sorted(attributes.items())])
