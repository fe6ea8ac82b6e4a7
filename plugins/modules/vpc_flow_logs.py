#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vpc_flow_logs
short_description: Record the IP traffic of several VPCs in an S3 bucket with VPC flow logs, in one call
version_added: 0.2.0
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
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.dicoogle.aws.plugins.module_utils import ec2
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import tag_changes


def matches(flow, params):
    """The flow log records what is asked (tags aside, which change in place)."""
    return (flow.get("TrafficType") == params["traffic_type"]
            and int(flow.get("MaxAggregationInterval", 600)) == params["max_aggregation_interval"]
            and (params["log_format"] is None or flow.get("LogFormat") == params["log_format"]))


def summary(flow):
    return {k: flow.get(k) for k in ("TrafficType", "MaxAggregationInterval", "LogFormat", "LogDestination")} if flow else {}


def converge(module, client, vpc_id, tags, flows):
    """One VPC's flow log, given the VPC's flow logs to the destination: (changed, its ID or None, diff before, after)."""
    params = module.params
    keep = [f for f in flows if params["state"] == "present" and matches(f, params)][:1]
    remove = [f["FlowLogId"] for f in flows if f not in keep]
    create = params["state"] == "present" and not keep
    # the tags of the flow log kept become the wanted ones, those of a new one are given at its creation
    to_add, to_remove = tag_changes(boto3_tag_list_to_ansible_dict(keep[0].get("Tags", [])), tags, True)[:2] if keep else ({}, [])
    changed = bool(remove) or create or bool(to_add or to_remove)
    before = summary(flows[0] if flows else None)
    after = {} if params["state"] == "absent" else summary(keep[0] if keep else {
        "TrafficType": params["traffic_type"], "MaxAggregationInterval": params["max_aggregation_interval"],
        "LogFormat": params["log_format"], "LogDestination": params["destination"]})
    flow_log_id = keep[0]["FlowLogId"] if keep else None
    if module.check_mode or not changed:
        return changed, flow_log_id, before, after
    if remove:
        ec2.delete_flow_logs(client, vpc_id, remove)
    if to_add or to_remove:
        ec2.retag(client, flow_log_id, to_add, to_remove)
    if create:
        request = dict(TrafficType=params["traffic_type"], LogDestinationType="s3", LogDestination=params["destination"],
                       MaxAggregationInterval=params["max_aggregation_interval"])
        if params["log_format"]:
            request["LogFormat"] = params["log_format"]
        if tags:
            request["TagSpecifications"] = [{"ResourceType": "vpc-flow-log", "Tags": ansible_dict_to_boto3_tag_list(tags)}]
        answer = ec2.create_flow_log(client, vpc_id, request)
        if answer.get("Unsuccessful"):
            module.fail_json(msg="AWS refused the flow log of %s: %s" % (vpc_id, answer["Unsuccessful"][0].get("Error")))
        flow_log_id = answer["FlowLogIds"][0]
    return True, flow_log_id, before, after


@fails_on_aws_errors
def run(module):
    params = module.params
    client = ec2.client_of(module)
    vpc_ids = [flow["vpc_id"] for flow in params["flow_logs"]]
    if len(set(vpc_ids)) != len(vpc_ids):
        module.fail_json(msg="flow_logs lists a VPC twice")
    ours = [f for f in ec2.flow_logs_of(client, vpc_ids)
            if f.get("LogDestination") == params["destination"] and f.get("LogDestinationType") == "s3"]
    changed, results, before, after = False, [], {}, {}
    for flow in params["flow_logs"]:
        vpc_id = flow["vpc_id"]
        tags = {str(k): str(v) for k, v in flow["tags"].items()}
        vpc_changed, flow_log_id, before[vpc_id], after[vpc_id] = converge(
            module, client, vpc_id, tags, [f for f in ours if f.get("ResourceId") == vpc_id])
        changed |= vpc_changed
        results.append(dict(vpc_id=vpc_id, **({"flow_log_id": flow_log_id} if flow_log_id and params["state"] == "present" else {})))
    module.exit_json(changed=changed, flow_logs=results, diff={"before": before, "after": after})


def main():
    argument_spec = dict(
        flow_logs=dict(type="list", elements="dict", required=True, options=dict(
            vpc_id=dict(type="str", required=True),
            tags=dict(type="dict", default={}),
        )),
        destination=dict(type="str", required=True),
        traffic_type=dict(type="str", choices=["ALL", "ACCEPT", "REJECT"], default="ALL"),
        max_aggregation_interval=dict(type="int", choices=[60, 600], default=60),
        log_format=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    if not params["destination"].startswith("arn:") or ":s3:::" not in params["destination"]:
        module.fail_json(msg="destination must be an S3 ARN such as arn:aws:s3:::bucket/prefix/ (got %s)" % params["destination"])
    run(module)


if __name__ == "__main__":
    main()
