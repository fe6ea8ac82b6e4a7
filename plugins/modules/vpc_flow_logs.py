#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vpc_flow_logs
short_description: Record the IP traffic of several VPCs in an S3 bucket with VPC flow logs, in one call
version_added: 0.1.0
description:
  - Creates, keeps or deletes the flow log that delivers each VPC's IP traffic records (all traffic, accepted and
    rejected) to an S3 bucket. A VPC has at most one flow log with this module's destination. The VPCs' flow logs
    are read in one request.
  - A flow log cannot be changed; a different traffic type, format or aggregation interval replaces it
    (deleted, then created). Tags are changed in place.
  - Fills a gap, as amazon.aws and community.aws have no module for VPC flow logs.
  - The S3 destination needs a bucket policy that lets C(delivery.logs.amazonaws.com) put objects under
    C(<prefix>/AWSLogs/<account>/) and get the bucket's ACL; SSE-S3 and SSE-KMS buckets both work.
  - Supports check mode and diff mode.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  flow_logs:
    description: The VPCs whose traffic is recorded, each with the tags of its flow log.
    type: list
    elements: dict
    required: true
    suboptions:
      vpc_id:
        description: The VPC.
        type: str
        required: true
      tags:
        description: Tags of its flow log.
        type: dict
        default: {}
  destination:
    description: The S3 destination of every flow log, C(arn:aws:s3:::<bucket>/<prefix>/).
    type: str
    required: true
  traffic_type:
    description: Which traffic is recorded.
    type: str
    choices: [ALL, ACCEPT, REJECT]
    default: ALL
  max_aggregation_interval:
    description: Seconds over which a flow is aggregated into one record, 60 or 600.
    type: int
    choices: [60, 600]
    default: 60
  log_format:
    description: The record's fields; not given, AWS's default format (version 2 fields).
    type: str
  state:
    description: Whether the flow logs exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Record the PACS and the storage VPCs' traffic in the log bucket
  dicoogle.aws.vpc_flow_logs:
    flow_logs:
      - {vpc_id: vpc-0123456789abcdef0, tags: {Name: pacs}}
      - {vpc_id: vpc-0123456789abcdef1, tags: {Name: storage}}
    destination: arn:aws:s3:::dicoogle-logs-123456789012-eu-west-1/flow-logs/
"""

RETURN = r"""
flow_logs:
  description: Each VPC of O(flow_logs), in their order, with its flow log's ID (none after O(state=absent), or before creation in check mode).
  returned: always
  type: list
  elements: dict
  contains:
    vpc_id:
      description: The VPC.
      type: str
      sample: vpc-0123456789abcdef0
    flow_log_id:
      description: Its flow log.
      type: str
      sample: fl-0123456789abcdef0
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.dicoogle.aws.plugins.module_utils import ec2
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors


@fails_on_aws_errors
def run(module):
    params = module.params
    client = ec2.client_of(module)
    vpc_ids = [flow["vpc_id"] for flow in params["flow_logs"]]
    if len(set(vpc_ids)) != len(vpc_ids):
        module.fail_json(msg="flow_logs lists a VPC twice")
    ours = ec2.flow_logs_to(client, dict.fromkeys(vpc_ids, params["destination"]))
    changed, results, before, after = False, [], {}, {}
    for flow in params["flow_logs"]:
        vpc_id = flow["vpc_id"]
        wanted = None if params["state"] == "absent" else dict(
            {k: params[k] for k in ("destination", "traffic_type", "max_aggregation_interval", "log_format")}, tags=flow["tags"])
        vpc_changed, flow_log_id, before[vpc_id], after[vpc_id] = ec2.converge_flow_log(module, client, vpc_id, wanted, ours[vpc_id])
        changed |= vpc_changed
        results.append(dict(vpc_id=vpc_id, **({"flow_log_id": flow_log_id} if flow_log_id and wanted else {})))
    module.exit_json(changed=changed, flow_logs=results, diff={"before": before, "after": after})


def main():
    argument_spec = dict(
        flow_logs=dict(type="list", elements="dict", required=True, options=dict(
            vpc_id=dict(type="str", required=True),
            tags=dict(type="dict", default={}),
        )),
        destination=dict(type="str", required=True),
        **ec2.FLOW_LOG_RECORDING,
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    ec2.refuse_a_destination_not_in_s3(module, module.params["destination"], "destination")
    run(module)


if __name__ == "__main__":
    main()
