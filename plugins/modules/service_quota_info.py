#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: service_quota_info
short_description: Read the account's AWS service quotas from Service Quotas
version_added: 0.1.0
description:
  - Reads the value each given quota has for the account and region (GetServiceQuota, the applied value,
    raised or not), falling back to AWS's default (GetAWSDefaultServiceQuota) when Service Quotas keeps no
    applied value for it.
  - Fills a gap, as amazon.aws and community.aws have no module for Service Quotas.
  - With O(usage), also reads what the region already holds against those quotas (VPCs, internet
    gateways, Elastic IPs, NAT gateways with their zones), in the same module run, one module start
    instead of one per resource kind (M(amazon.aws.ec2_vpc_net_info), M(amazon.aws.ec2_vpc_igw_info),
    M(amazon.aws.ec2_eip_info), M(amazon.aws.ec2_vpc_nat_gateway_info) and
    M(amazon.aws.ec2_vpc_subnet_info) read the same).
  - The caller needs C(servicequotas:GetServiceQuota) and C(servicequotas:GetAWSDefaultServiceQuota),
    and with O(usage) the matching C(ec2:Describe*) calls.
  - Read-only; runs in check mode too and never reports a change.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  quotas:
    description: The quotas to read.
    type: list
    elements: dict
    required: true
    suboptions:
      service_code:
        description: The service's code in Service Quotas, such as C(vpc) or C(ec2).
        type: str
        required: true
      quota_code:
        description: The quota's code, such as C(L-F678F1CE) (VPCs per Region).
        type: str
        required: true
  usage:
    description: The kinds of resources of the region to read as well, returned in RV(usage).
    type: list
    elements: str
    choices: [vpc, internet_gateway, elastic_ip, nat_gateway]
    default: []
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the Elastic IP and VPC quotas of the region
  dicoogle.aws.service_quota_info:
    quotas:
      - {service_code: ec2, quota_code: L-0263D0A3}
      - {service_code: vpc, quota_code: L-F678F1CE}
    usage: [elastic_ip, vpc]
  register: quotas
"""

RETURN = r"""
quotas:
  description: Each quota asked for, in the order asked.
  returned: always
  type: list
  elements: dict
  contains:
    service_code:
      description: The service's code.
      type: str
      sample: vpc
    quota_code:
      description: The quota's code.
      type: str
      sample: L-F678F1CE
    name:
      description: The quota's name.
      type: str
      sample: VPCs per Region
    value:
      description: The quota's value for the account (a count for the quotas this collection reads).
      type: float
      sample: 5.0
    source:
      description: C(applied) (the account's value) or C(default) (AWS's default, when no applied value exists).
      type: str
      sample: applied
usage:
  description:
    - Each kind of O(usage) with the region's resources of that kind, by ID with their tags. NAT
      gateways are those pending or available, each with its subnet's availability zone.
  returned: always
  type: dict
  sample:
    vpc: [{id: vpc-0abc, tags: {Name: pacs}}]
    nat_gateway: [{id: nat-0abc, availability_zone: eu-west-1a, tags: {}}]
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.dicoogle.aws.plugins.module_utils import ec2
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors


def read_quota(client, service_code, quota_code):
    """The applied quota, or AWS's default where Service Quotas has none applied."""
    try:
        quota, source = client.get_service_quota(ServiceCode=service_code, QuotaCode=quota_code, aws_retry=True)["Quota"], "applied"
    except is_boto3_error_code("NoSuchResourceException"):
        quota, source = client.get_aws_default_service_quota(ServiceCode=service_code, QuotaCode=quota_code, aws_retry=True)["Quota"], "default"
    return {"service_code": service_code, "quota_code": quota_code, "name": quota.get("QuotaName", quota_code),
            "value": quota["Value"], "source": source}


def _resources(client, operation, key, id_key, **kwargs):
    return [{"id": r[id_key], "tags": boto3_tag_list_to_ansible_dict(r.get("Tags", []))}
            for r in ec2.describe(client, operation, key, "read the region's %s" % key, **kwargs)]


def read_usage(client, kinds):
    """The region's resources of each kind, {kind: [{id, tags}]}; NAT gateways with their zone."""
    usage = {}
    if "vpc" in kinds:
        usage["vpc"] = _resources(client, "describe_vpcs", "Vpcs", "VpcId")
    if "internet_gateway" in kinds:
        usage["internet_gateway"] = _resources(client, "describe_internet_gateways", "InternetGateways", "InternetGatewayId")
    if "elastic_ip" in kinds:
        usage["elastic_ip"] = _resources(client, "describe_addresses", "Addresses", "AllocationId")
    if "nat_gateway" in kinds:
        nats = ec2.describe(client, "describe_nat_gateways", "NatGateways", "read the region's NAT gateways",
                            Filters=[{"Name": "state", "Values": ["pending", "available"]}])
        subnet_ids = sorted({n["SubnetId"] for n in nats})
        zones = {s["SubnetId"]: s["AvailabilityZone"] for s in ec2.describe(
            client, "describe_subnets", "Subnets", "read the subnets of the NAT gateways", SubnetIds=subnet_ids)} if subnet_ids else {}
        usage["nat_gateway"] = [{"id": n["NatGatewayId"], "availability_zone": zones.get(n["SubnetId"]),
                                 "tags": boto3_tag_list_to_ansible_dict(n.get("Tags", []))} for n in nats]
    return usage


@fails_on_aws_errors
def read_region_usage(module):
    return read_usage(ec2.client_of(module), module.params["usage"]) if module.params["usage"] else {}


def main():
    argument_spec = dict(
        quotas=dict(type="list", elements="dict", required=True, options=dict(
            service_code=dict(type="str", required=True),
            quota_code=dict(type="str", required=True),
        )),
        usage=dict(type="list", elements="str", default=[], choices=["vpc", "internet_gateway", "elastic_ip", "nat_gateway"]),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    client = module.client("service-quotas", retry_decorator=AWSRetry.jittered_backoff())
    found = []
    for wanted in module.params["quotas"]:
        try:
            found.append(read_quota(client, wanted["service_code"], wanted["quota_code"]))
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            module.fail_json_aws(e, msg="Failed to read quota %s of %s" % (wanted["quota_code"], wanted["service_code"]))
    module.exit_json(changed=False, quotas=found, usage=read_region_usage(module))


if __name__ == "__main__":
    main()
