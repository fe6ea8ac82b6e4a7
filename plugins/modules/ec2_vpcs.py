#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ec2_vpcs
short_description: Create or update a list of VPCs, each with its DNS settings, tags, internet gateway and flow log, in one call
version_added: 0.1.0
description:
  - Makes each VPC of the list exist, found by its C(Name) tag and CIDR block, with its DNS support and DNS
    hostnames settings and its tags, with an internet gateway attached and its traffic recorded by a flow log
    where asked, reading the VPCs, their gateways and their flow logs once for the whole list.
  - Fills a gap of amazon.aws.ec2_vpc_net and amazon.aws.ec2_vpc_igw, which converge one VPC or gateway per
    call; a loop over each pays a module start and the lookups per VPC. Options are named as those modules
    name them. A VPC's flow log is converged here, as M(dicoogle.aws.vpc_flow_logs) converges it, so that a VPC
    and the record of its traffic take one module start.
  - A VPC's CIDR block cannot change (another block is another VPC). VPCs and gateways not in the list are
    left alone; this module never detaches or deletes a gateway, which a VPC's teardown does.
  - Supports check mode and diff mode.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  vpcs:
    description: The VPCs.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The VPC's C(Name) tag, by which (with O(vpcs[].cidr_block)) it is found.
        type: str
        required: true
      cidr_block:
        description: The VPC's IPv4 CIDR block.
        type: str
        required: true
      dns_support:
        description: Whether the VPC resolves names through Amazon's DNS server.
        type: bool
        default: true
      dns_hostnames:
        description: Whether instances in the VPC get public DNS host names.
        type: bool
        default: true
      internet_gateway:
        description: Whether an internet gateway is attached to the VPC (tagged as the VPC is).
        type: bool
        default: false
      tags:
        description: The VPC's tags besides C(Name); not given, the tags of a VPC that exists are left as they are.
        type: dict
      internet_gateway_tags:
        description: The internet gateway's tags besides C(Name) (the VPC's name); not given, the VPC's tags.
        type: dict
      flow_log:
        description:
          - The flow log that records the VPC's IP traffic in an S3 bucket. At most one flow log delivers to this
            destination; one that records otherwise is replaced (a flow log cannot be changed), its tags change in place.
          - Not given, the VPC's flow logs are left as they are.
          - The destination needs a bucket policy that lets C(delivery.logs.amazonaws.com) put objects under
            C(<prefix>/AWSLogs/<account>/) and get the bucket's ACL.
        type: dict
        suboptions:
          destination:
            description: The S3 destination, C(arn:aws:s3:::<bucket>/<prefix>/).
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
          tags:
            description: The flow log's tags.
            type: dict
            default: {}
  purge_tags:
    description: Whether tags not in O(vpcs[].tags) are removed (for a VPC whose tags are given, and its gateway).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait, for all the VPCs together, until new VPCs are C(available).
    type: int
    default: 300
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Two VPCs, one with an internet gateway and its traffic recorded in a log bucket
  dicoogle.aws.ec2_vpcs:
    vpcs:
      - name: pacs
        cidr_block: 10.10.0.0/16
        internet_gateway: true
        tags: {site: pacs}
        flow_log: {destination: "arn:aws:s3:::dicoogle-logs-123456789012-eu-west-1/flow-logs/", tags: {Name: pacs}}
      - {name: storage, cidr_block: 10.30.0.0/16, tags: {site: storage}}
  register: vpcs
"""

RETURN = r"""
vpcs:
  description:
    - Each VPC of O(vpcs), in their order, as it is (or, in check mode, would be) after the call.
    - In check mode a VPC (or gateway) that would be created has no ID.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The VPC's ID.
      type: str
      sample: vpc-0123456789abcdef0
    name:
      description: Its C(Name) tag.
      type: str
    cidr_block:
      description: Its IPv4 CIDR block.
      type: str
    internet_gateway_id:
      description: The internet gateway attached to it, if any.
      type: str
      sample: igw-0123456789abcdef0
    tags:
      description: Its tags.
      type: dict
    flow_log_id:
      description: Its flow log (O(vpcs[].flow_log)), if any.
      type: str
      sample: fl-0123456789abcdef0
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.dicoogle.aws.plugins.module_utils import ec2
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import Waiter
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import text_tags


def tags_of(resource):
    return boto3_tag_list_to_ansible_dict(resource.get("Tags") or [])


def read_vpcs(module, client, names):
    found = ec2.describe(client, "describe_vpcs", "Vpcs", "list the VPCs named %s" % ", ".join(names),
                         Filters=[{"Name": "tag:Name", "Values": names}])
    vpcs = {}
    for vpc in found:
        key = (tags_of(vpc).get("Name"), vpc["CidrBlock"])
        if key in vpcs:
            module.fail_json(msg="two VPCs are named %s with the block %s (%s, %s): name one otherwise" % (
                key + (vpcs[key]["VpcId"], vpc["VpcId"])))
        vpcs[key] = vpc
    gateways = {}
    if found:
        for gateway in ec2.describe(client, "describe_internet_gateways", "InternetGateways", "list the VPCs' internet gateways",
                                    Filters=[{"Name": "attachment.vpc-id", "Values": [v["VpcId"] for v in found]}]):
            for attachment in gateway.get("Attachments") or []:
                gateways[attachment["VpcId"]] = gateway
    return vpcs, gateways


@fails_on_aws_errors
def run(module):
    params = module.params
    client = ec2.client_of(module)

    def named(tags, name):
        return None if tags is None else dict(text_tags(tags), Name=name)

    wanted_list = [dict(w, tags=named(w["tags"], w["name"]),
                        internet_gateway_tags=named(w["tags"] if w["internet_gateway_tags"] is None else w["internet_gateway_tags"], w["name"]))
                   for w in params["vpcs"]]
    keys = [(w["name"], w["cidr_block"]) for w in wanted_list]
    if len(set(keys)) != len(keys):
        module.fail_json(msg="vpcs lists a VPC (name and block) twice")
    existing, gateways = read_vpcs(module, client, sorted({w["name"] for w in wanted_list})) if wanted_list else ({}, {})
    flows = ec2.flow_logs_to(client, {existing[key]["VpcId"]: w["flow_log"]["destination"]
                                      for key, w in zip(keys, wanted_list) if w["flow_log"] and key in existing})

    changed, results, before, after, created = False, [], {}, {}, []
    for wanted in wanted_list:
        label = "%s %s" % (wanted["name"], wanted["cidr_block"])
        vpc = existing.get((wanted["name"], wanted["cidr_block"]))
        tags_wanted = wanted["tags"] or {"Name": wanted["name"]}
        if vpc is None:
            changed, dns, tags = True, (None, None), tags_wanted
            vpc_id = None if module.check_mode else ec2.create_vpc(client, wanted["cidr_block"], tags_wanted)["VpcId"]
            if vpc_id:
                created.append(vpc_id)
        else:
            vpc_id = vpc["VpcId"]
            dns = ec2.vpc_dns(client, vpc_id)
            retagged, tags = ec2.reconcile_tags(module, client, vpc_id, tags_of(vpc), wanted["tags"], params["purge_tags"])
            changed |= retagged
            before[label] = {"dns_support": dns[0], "dns_hostnames": dns[1], "tags": tags_of(vpc),
                             "internet_gateway_id": gateways.get(vpc_id, {}).get("InternetGatewayId")}
        if dns != (wanted["dns_support"], wanted["dns_hostnames"]):
            changed = True
            if vpc_id and not module.check_mode:
                ec2.set_vpc_dns(client, vpc_id, wanted["dns_support"], wanted["dns_hostnames"])
        gateway = gateways.get(vpc_id) if vpc_id else None
        gateway_id = gateway["InternetGatewayId"] if gateway else None
        if wanted["internet_gateway"] and gateway is None:
            changed = True
            if vpc_id and not module.check_mode:
                gateway_id = ec2.attach_new_internet_gateway(client, vpc_id, wanted["internet_gateway_tags"] or {"Name": wanted["name"]})
        elif gateway is not None and wanted["internet_gateway"]:
            changed |= ec2.reconcile_tags(module, client, gateway_id, tags_of(gateway), wanted["internet_gateway_tags"], params["purge_tags"])[0]
        result = {"id": vpc_id, "name": wanted["name"], "cidr_block": wanted["cidr_block"], "tags": tags,
                  "internet_gateway_id": gateway_id}
        after[label] = {"dns_support": wanted["dns_support"], "dns_hostnames": wanted["dns_hostnames"], "tags": tags,
                        "internet_gateway_id": gateway_id}
        if wanted["flow_log"] and vpc_id in flows:
            recorded, result["flow_log_id"], before[label]["flow_log"], after[label]["flow_log"] = ec2.converge_flow_log(
                module, client, vpc_id, wanted["flow_log"], flows[vpc_id])
            changed |= recorded
        elif wanted["flow_log"]:  # a new VPC's, once it is available
            changed, after[label]["flow_log"] = True, ec2.wanted_flow_log_summary(wanted["flow_log"])
        results.append(result)
    if created:  # the subnets and the rest are made in them next
        wait_available(module, client, created)
    for wanted, result in zip(wanted_list, results):
        if wanted["flow_log"] and result["id"] in created:
            result["flow_log_id"] = ec2.converge_flow_log(module, client, result["id"], wanted["flow_log"], [])[1]
    module.exit_json(changed=changed, vpcs=results, diff={"before": before, "after": after})


def wait_available(module, client, vpc_ids):
    def states():
        return {v["VpcId"]: v["State"] for v in ec2.describe(client, "describe_vpcs", "Vpcs", "read the new VPCs", VpcIds=vpc_ids)}

    def timed_out(last):
        module.fail_json(msg="VPCs %s were not available within %d s (states: %s)" % (", ".join(vpc_ids), module.params["wait_timeout"], last))

    Waiter(module.params["wait_timeout"], delay=1).until(
        states, timed_out, done=lambda found: len(found) == len(vpc_ids) and set(found.values()) == {"available"})


def main():
    argument_spec = dict(
        vpcs=dict(type="list", elements="dict", required=True, options=dict(
            name=dict(type="str", required=True),
            cidr_block=dict(type="str", required=True),
            dns_support=dict(type="bool", default=True),
            dns_hostnames=dict(type="bool", default=True),
            internet_gateway=dict(type="bool", default=False),
            tags=dict(type="dict"),
            internet_gateway_tags=dict(type="dict"),
            flow_log=dict(type="dict", options=dict(
                destination=dict(type="str", required=True),
                **ec2.FLOW_LOG_RECORDING,
                tags=dict(type="dict", default={}),
            )),
        )),
        purge_tags=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=300),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    for vpc in module.params["vpcs"]:
        if vpc["flow_log"]:
            ec2.refuse_a_destination_not_in_s3(module, vpc["flow_log"]["destination"], "vpcs[%s].flow_log.destination" % vpc["name"])
    run(module)


if __name__ == "__main__":
    main()
