#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: service_quota_info
short_description: Read the account's AWS service quotas from Service Quotas
version_added: 0.2.0
description:
  - Reads the value each given quota has for the account and region (GetServiceQuota, the applied value,
    raised or not), falling back to AWS's default (GetAWSDefaultServiceQuota) when Service Quotas keeps no
    applied value for it.
  - Fills a gap, as amazon.aws and community.aws have no module for Service Quotas.
  - The caller needs C(servicequotas:GetServiceQuota) and C(servicequotas:GetAWSDefaultServiceQuota).
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
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry


def read_quota(client, service_code, quota_code):
    """The applied quota, or AWS's default where Service Quotas has none applied."""
    try:
        quota, source = client.get_service_quota(ServiceCode=service_code, QuotaCode=quota_code, aws_retry=True)["Quota"], "applied"
    except is_boto3_error_code("NoSuchResourceException"):
        quota, source = client.get_aws_default_service_quota(ServiceCode=service_code, QuotaCode=quota_code, aws_retry=True)["Quota"], "default"
    return {"service_code": service_code, "quota_code": quota_code, "name": quota.get("QuotaName", quota_code),
            "value": quota["Value"], "source": source}


def main():
    argument_spec = dict(
        quotas=dict(type="list", elements="dict", required=True, options=dict(
            service_code=dict(type="str", required=True),
            quota_code=dict(type="str", required=True),
        )),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    client = module.client("service-quotas", retry_decorator=AWSRetry.jittered_backoff())
    found = []
    for wanted in module.params["quotas"]:
        try:
            found.append(read_quota(client, wanted["service_code"], wanted["quota_code"]))
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            module.fail_json_aws(e, msg="Failed to read quota %s of %s" % (wanted["quota_code"], wanted["service_code"]))
    module.exit_json(changed=False, quotas=found)


if __name__ == "__main__":
    main()
