#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: region_services_info
short_description: Tell which AWS services a region offers, its availability zones, and who the caller is
version_added: 0.1.0
description:
  - Reads AWS's public Systems Manager parameters
    C(/aws/service/global-infrastructure/regions/<region>/services/<service>), which AWS publishes for each
    service a region offers, and returns which of the given services the region has.
  - With O(zones), also returns the names of the region's available zones, as amazon.aws.aws_az_info with the
    filter C(state=available) lists them, so that a run that checks the region first need not read them again.
  - With O(caller), also returns who the credentials are, as amazon.aws.aws_caller_info does (without the
    account alias, which needs IAM), so that a run's first read of AWS starts one module instead of two.
  - Fills a gap. The P(amazon.aws.ssm_parameter#lookup) lookup reads these parameters but takes no module defaults
    (endpoint, credentials) and fails on a service the region lacks instead of reporting it.
  - The caller needs the IAM permission C(ssm:GetParameters) on AWS's public parameters
    (C(arn:aws:ssm:<region>::parameter/aws/service/global-infrastructure/*)), with O(zones)
    C(ec2:DescribeAvailabilityZones); O(caller) needs none (C(sts:GetCallerIdentity) is always allowed).
  - Read-only; runs in check mode too and never reports a change.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  services:
    description: Service identifiers as AWS's parameters name them, such as C(fargate), C(datasync), C(cognito-idp).
    type: list
    elements: str
    required: true
  zones:
    description: Whether the names of the region's available zones are read too (RV(zones)).
    type: bool
    default: false
    version_added: 0.1.0
  caller:
    description: Whether who the credentials are is read too (RV(caller)).
    type: bool
    default: false
    version_added: 0.1.0
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Check that the region offers Fargate and DataSync
  dicoogle.aws.region_services_info:
    region: eu-west-1
    services: [fargate, datasync]
  register: services

- name: Check that the region offers Fargate, and read its zones
  dicoogle.aws.region_services_info:
    services: [fargate]
    zones: true
  register: region

- name: Read the caller too, in the same module start
  dicoogle.aws.region_services_info:
    services: [fargate]
    caller: true
  register: region

- name: Stop when one is missing
  ansible.builtin.assert:
    that: services.missing | length == 0
"""

RETURN = r"""
region:
  description: The region asked about.
  returned: always
  type: str
  sample: eu-west-1
offered:
  description: The services of O(services) that the region offers.
  returned: always
  type: list
  elements: str
  sample: [fargate, datasync]
missing:
  description: The services of O(services) that the region does not offer.
  returned: always
  type: list
  elements: str
  sample: []
zones:
  description: The names of the region's available zones, sorted.
  returned: when O(zones) is true
  type: list
  elements: str
  sample: [eu-west-1a, eu-west-1b, eu-west-1c]
caller:
  description: Who the credentials are, as STS GetCallerIdentity answers.
  returned: when O(caller) is true
  type: dict
  contains:
    account:
      description: The account's ID.
      type: str
      sample: "123456789012"
    arn:
      description: The ARN of the user or role.
      type: str
      sample: arn:aws:iam::123456789012:user/admin
    user_id:
      description: The unique ID of the user or role.
      type: str
      sample: AIDAEXAMPLE
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

PARAMETER = "/aws/service/global-infrastructure/regions/%s/services/%s"
BATCH = 10  # GetParameters takes at most 10 names


def offered_services(client, region, services):
    names = {PARAMETER % (region, service): service for service in services}
    found = set()
    keys = list(names)
    for start in range(0, len(keys), BATCH):
        answer = client.get_parameters(Names=keys[start:start + BATCH], aws_retry=True)
        found.update(names[p["Name"]] for p in answer.get("Parameters", []) if p["Name"] in names)
    return [s for s in services if s in found], [s for s in services if s not in found]


def available_zones(client):
    found = client.describe_availability_zones(aws_retry=True, Filters=[{"Name": "state", "Values": ["available"]}])
    return sorted(zone["ZoneName"] for zone in found["AvailabilityZones"])


def main():
    module = AnsibleAWSModule(argument_spec=dict(services=dict(type="list", elements="str", required=True),
                                                 zones=dict(type="bool", default=False),
                                                 caller=dict(type="bool", default=False)),
                              supports_check_mode=True)
    client = module.client("ssm", retry_decorator=AWSRetry.jittered_backoff())
    region = module.region
    try:
        offered, missing = offered_services(client, region, module.params["services"])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to read which services region %s offers" % region)
    result = dict(changed=False, region=region, offered=offered, missing=missing)
    if module.params["zones"]:
        try:
            result["zones"] = available_zones(module.client("ec2", retry_decorator=AWSRetry.jittered_backoff()))
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg="Failed to read the availability zones of region %s" % region)
    if module.params["caller"]:
        try:
            identity = module.client("sts", retry_decorator=AWSRetry.jittered_backoff()).get_caller_identity(aws_retry=True)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg="Failed to retrieve caller identity")
        result["caller"] = dict(account=identity["Account"], arn=identity["Arn"], user_id=identity["UserId"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
