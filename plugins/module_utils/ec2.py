# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""EC2's calls for vpc_purge, vpc_endpoint_service, vpc_flow_logs and the ec2_* list modules, each failing with a message
that names what failed."""

from __future__ import annotations

import hashlib
import json

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.dicoogle.aws.plugins.module_utils.aws import ErrorHandler
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import Waiter
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import reconcile_tags as _reconcile_tags
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import tag_changes
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import text_tags

# What EC2 answers for something that is already gone (or was never there).
NOT_FOUND = (
    "InvalidVpcID.NotFound",
    "InvalidVpcEndpointId.NotFound",
    "InvalidNatGatewayID.NotFound",
    "NatGatewayNotFound",
    "InvalidAllocationID.NotFound",
    "InvalidAddress.NotFound",
    "InvalidVpcPeeringConnectionID.NotFound",
    "InvalidVpcPeeringConnectionId.NotFound",
    "InvalidNetworkInterfaceID.NotFound",
    "InvalidInternetGatewayID.NotFound",
    "InvalidGatewayID.NotFound",
    "Gateway.NotAttached",
    "InvalidSubnetID.NotFound",
    "InvalidRouteTableID.NotFound",
    "InvalidAssociationID.NotFound",
    "InvalidGroup.NotFound",
    "InvalidPermission.NotFound",
    "InvalidNetworkAclID.NotFound",
    "InvalidAMIID.NotFound",
)


class EC2ErrorHandler(ErrorHandler):
    pass


class EC2GoneErrorHandler(ErrorHandler):
    MISSING = NOT_FOUND


def client_of(module):
    return module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())


@AWSRetry.jittered_backoff()
def _paginate(client, operation, **kwargs):
    return client.get_paginator(operation).paginate(**kwargs).build_full_result()


@EC2GoneErrorHandler.list_error_handler("{context}", ())
def describe(client, operation, key, context, **kwargs):
    """The items under `key` of the describe call `operation` (every page); none when what it filters by is gone.
    `context` says what it does, for a failure ("list the subnets of vpc-...")."""
    if client.can_paginate(operation):
        return _paginate(client, operation, **kwargs).get(key, [])
    return getattr(client, operation)(aws_retry=True, **kwargs).get(key, [])


@EC2GoneErrorHandler.deletion_error_handler("{context}")
def change(client, operation, context, **kwargs):
    """Makes the call `operation`: True once made, False when what it changes is already gone."""
    getattr(client, operation)(aws_retry=True, **kwargs)
    return True


@EC2ErrorHandler.common_error_handler("delete the VPC endpoints {endpoint_ids} of {vpc_id}")
def delete_vpc_endpoints(client, vpc_id, endpoint_ids):
    """The endpoints EC2 did not delete, with their errors."""
    return client.delete_vpc_endpoints(aws_retry=True, VpcEndpointIds=endpoint_ids).get("Unsuccessful", [])


# Endpoint services (PrivateLink)


@EC2ErrorHandler.common_error_handler("look up the endpoint service {name}")
def endpoint_services_named(client, name):
    return client.describe_vpc_endpoint_service_configurations(
        aws_retry=True, Filters=[{"Name": "tag:Name", "Values": [name]}])["ServiceConfigurations"]


@EC2ErrorHandler.common_error_handler("read the permissions of {service_id}")
def endpoint_service_principals(client, service_id):
    allowed = client.describe_vpc_endpoint_service_permissions(aws_retry=True, ServiceId=service_id)["AllowedPrincipals"]
    return sorted(p["Principal"] for p in allowed)


@EC2ErrorHandler.common_error_handler("create the endpoint service {name}")
def create_endpoint_service(client, name, arguments, principals):
    """Creates it, allowing `principals` (if any); returns its ID."""
    service = client.create_vpc_endpoint_service_configuration(aws_retry=True, **arguments)["ServiceConfiguration"]
    if principals:
        client.modify_vpc_endpoint_service_permissions(aws_retry=True, ServiceId=service["ServiceId"], AddAllowedPrincipals=principals)
    return service["ServiceId"]


@EC2ErrorHandler.common_error_handler("update the endpoint service {service_id}")
def modify_endpoint_service(client, service_id, configuration=None, permissions=None):
    if configuration:
        client.modify_vpc_endpoint_service_configuration(aws_retry=True, ServiceId=service_id, **configuration)
    if permissions:
        client.modify_vpc_endpoint_service_permissions(aws_retry=True, ServiceId=service_id, **permissions)


@EC2ErrorHandler.common_error_handler("delete the endpoint service {service_id}")
def delete_endpoint_service(client, service_id):
    client.delete_vpc_endpoint_service_configurations(aws_retry=True, ServiceIds=[service_id])


# Flow logs: one message for every call, as a flow log is one thing to manage


@EC2ErrorHandler.common_error_handler("manage the flow logs of {vpc_ids}")
def flow_logs_of(client, vpc_ids):
    pages = client.get_paginator("describe_flow_logs").paginate(Filters=[{"Name": "resource-id", "Values": vpc_ids}])
    return pages.build_full_result().get("FlowLogs", [])


@EC2ErrorHandler.common_error_handler("manage the flow log of {vpc_id}")
def delete_flow_logs(client, vpc_id, flow_log_ids):
    client.delete_flow_logs(aws_retry=True, FlowLogIds=flow_log_ids)


@EC2ErrorHandler.common_error_handler("manage the flow log of {vpc_id}")
def create_flow_log(client, vpc_id, arguments):
    """The answer of CreateFlowLogs: FlowLogIds, and Unsuccessful when EC2 refused."""
    return client.create_flow_logs(aws_retry=True, ResourceIds=[vpc_id], ResourceType="VPC", **arguments)


# What a flow log records, as vpc_flow_logs and ec2_vpcs (vpcs[].flow_log) take it.
FLOW_LOG_RECORDING = dict(
    traffic_type=dict(type="str", choices=["ALL", "ACCEPT", "REJECT"], default="ALL"),
    max_aggregation_interval=dict(type="int", choices=[60, 600], default=60),
    log_format=dict(type="str"),
)


def refuse_a_destination_not_in_s3(module, destination, option):
    """Fails before any call when a flow log's destination is not an S3 ARN."""
    if not destination.startswith("arn:") or ":s3:::" not in destination:
        module.fail_json(msg="%s must be an S3 ARN such as arn:aws:s3:::bucket/prefix/ (got %s)" % (option, destination))


def flow_log_summary(flow):
    return {k: flow.get(k) for k in ("TrafficType", "MaxAggregationInterval", "LogFormat", "LogDestination")} if flow else {}


def wanted_flow_log_summary(wanted):
    return {"TrafficType": wanted["traffic_type"], "MaxAggregationInterval": wanted["max_aggregation_interval"],
            "LogFormat": wanted.get("log_format"), "LogDestination": wanted["destination"]}


def _flow_log_matches(flow, wanted):
    """The flow log records what is asked (tags aside, which change in place)."""
    return (flow.get("TrafficType") == wanted["traffic_type"]
            and int(flow.get("MaxAggregationInterval", 600)) == wanted["max_aggregation_interval"]
            and (wanted.get("log_format") is None or flow.get("LogFormat") == wanted["log_format"]))


def converge_flow_log(module, client, vpc_id, wanted, flows):
    """Brings a VPC's flow log to `wanted` (destination, traffic_type, max_aggregation_interval, log_format, tags; None:
    no flow log), given the VPC's flow logs to that destination: (changed, the ID of its flow log or None, diff before,
    after). A flow log cannot be changed: another traffic type, interval or format replaces it; tags change in place.
    Nothing changes in check mode."""
    keep = [f for f in flows if wanted is not None and _flow_log_matches(f, wanted)][:1]
    remove = [f["FlowLogId"] for f in flows if f not in keep]
    create = wanted is not None and not keep
    tags = text_tags((wanted or {}).get("tags", {}))
    # the tags of the flow log kept become the wanted ones, those of a new one are given at its creation
    to_add, to_remove = tag_changes(boto3_tag_list_to_ansible_dict(keep[0].get("Tags", [])), tags, True)[:2] if keep else ({}, [])
    changed = bool(remove) or create or bool(to_add or to_remove)
    before = flow_log_summary(flows[0] if flows else None)
    after = {} if wanted is None else flow_log_summary(keep[0]) if keep else wanted_flow_log_summary(wanted)
    flow_log_id = keep[0]["FlowLogId"] if keep else None
    if module.check_mode or not changed:
        return changed, flow_log_id, before, after
    if remove:
        delete_flow_logs(client, vpc_id, remove)
    if to_add or to_remove:
        retag(client, flow_log_id, to_add, to_remove)
    if create:
        request = dict(TrafficType=wanted["traffic_type"], LogDestinationType="s3", LogDestination=wanted["destination"],
                       MaxAggregationInterval=wanted["max_aggregation_interval"])
        if wanted.get("log_format"):
            request["LogFormat"] = wanted["log_format"]
        if tags:
            request["TagSpecifications"] = [{"ResourceType": "vpc-flow-log", "Tags": ansible_dict_to_boto3_tag_list(tags)}]
        answer = create_flow_log(client, vpc_id, request)
        if answer.get("Unsuccessful"):
            module.fail_json(msg="AWS refused the flow log of %s: %s" % (vpc_id, answer["Unsuccessful"][0].get("Error")))
        flow_log_id = answer["FlowLogIds"][0]
    return True, flow_log_id, before, after


def flow_logs_to(client, destinations):
    """The flow logs of each VPC of `destinations` ({VPC ID: S3 destination}) that deliver to its destination
    (one read for all)."""
    found = {vpc_id: [] for vpc_id in destinations}
    for flow in flow_logs_of(client, list(destinations)) if destinations else []:
        vpc_id = flow.get("ResourceId")
        if vpc_id in found and flow.get("LogDestinationType") == "s3" and flow.get("LogDestination") == destinations[vpc_id]:
            found[vpc_id].append(flow)
    return found


# Subnets, converged as a list in one call (ec2_vpc_subnets); tags of any EC2 resource


@EC2ErrorHandler.common_error_handler("create the subnet {cidr} in {vpc_id}")
def create_subnet(client, vpc_id, cidr, arguments):
    return client.create_subnet(aws_retry=True, VpcId=vpc_id, CidrBlock=cidr, **arguments)["Subnet"]


@EC2ErrorHandler.common_error_handler("set whether the subnet {subnet_id} maps public addresses on launch")
def set_map_public_ip(client, subnet_id, value):
    client.modify_subnet_attribute(aws_retry=True, SubnetId=subnet_id, MapPublicIpOnLaunch={"Value": value})


def reconcile_tags(module, client, resource_id, current, wanted, purge_tags):
    """(changed, tags after) of bringing an EC2 resource's tags `current` to `wanted` (None: left as they
    are); never in check mode."""
    if wanted is None:
        return False, current
    return _reconcile_tags(module, current, wanted, purge_tags, lambda to_add, to_remove: retag(client, resource_id, to_add, to_remove))


@EC2ErrorHandler.common_error_handler("change the tags of {resource_id}")
def retag(client, resource_id, to_add, to_remove):
    if to_remove:
        client.delete_tags(aws_retry=True, Resources=[resource_id], Tags=[{"Key": k} for k in to_remove])
    if to_add:
        client.create_tags(aws_retry=True, Resources=[resource_id], Tags=ansible_dict_to_boto3_tag_list(to_add))


# NAT gateways with their Elastic IPs, converged as a list in one call (ec2_nat_gateways)


@EC2ErrorHandler.common_error_handler("allocate an Elastic IP for the NAT gateway of {subnet_id}")
def allocate_address(client, subnet_id, tags):
    return client.allocate_address(aws_retry=True, Domain="vpc",
                                   TagSpecifications=[{"ResourceType": "elastic-ip", "Tags": ansible_dict_to_boto3_tag_list(tags)}])


@EC2ErrorHandler.common_error_handler("release the Elastic IP {allocation_id}")
def release_address(client, allocation_id):
    client.release_address(aws_retry=True, AllocationId=allocation_id)


@EC2ErrorHandler.common_error_handler("create the NAT gateway of {subnet_id}")
def create_nat_gateway(client, subnet_id, allocation_id, token, tags):
    return client.create_nat_gateway(aws_retry=True, SubnetId=subnet_id, AllocationId=allocation_id, ClientToken=token,
                                     TagSpecifications=[{"ResourceType": "natgateway", "Tags": ansible_dict_to_boto3_tag_list(tags)}])["NatGateway"]


# Security groups, converged as a list in one call (ec2_security_groups)

# A group just created may not be known yet to the next call (EC2's eventual consistency).
_NEW_GROUP_RETRY = AWSRetry.jittered_backoff(catch_extra_error_codes=["InvalidGroup.NotFound"])


@EC2ErrorHandler.common_error_handler("create the security group {name} in {vpc_id}")
def create_security_group(client, name, description, vpc_id, tags):
    arguments = {"TagSpecifications": [{"ResourceType": "security-group", "Tags": ansible_dict_to_boto3_tag_list(tags)}]} if tags else {}
    return client.create_security_group(aws_retry=True, GroupName=name, Description=description, VpcId=vpc_id, **arguments)["GroupId"]


@EC2ErrorHandler.common_error_handler("{action} the {direction} rules of {group_id}")
def change_rules(client, action, direction, group_id, permissions):
    """action: authorize, revoke or update (their descriptions); direction: ingress or egress."""
    operation = {"authorize": "authorize_security_group_%s", "revoke": "revoke_security_group_%s",
                 "update": "update_security_group_rule_descriptions_%s"}[action] % direction
    _NEW_GROUP_RETRY(getattr(client, operation))(GroupId=group_id, IpPermissions=permissions)


# VPC endpoints of AWS services, converged as a list in one call (ec2_vpc_endpoints)


@EC2ErrorHandler.common_error_handler("create the endpoint of {service} in {vpc_id}")
def create_vpc_endpoint(client, vpc_id, service, arguments):
    return client.create_vpc_endpoint(aws_retry=True, VpcId=vpc_id, ServiceName=service, **arguments)["VpcEndpoint"]


@EC2ErrorHandler.common_error_handler("change the endpoint {endpoint_id}")
def modify_vpc_endpoint(client, endpoint_id, changes):
    client.modify_vpc_endpoint(aws_retry=True, VpcEndpointId=endpoint_id, **changes)


# Route tables, converged as a list in one call (ec2_vpc_route_tables)

# A table just created may not be known yet to the next call (EC2's eventual consistency).
_NEW_TABLE_RETRY = AWSRetry.jittered_backoff(catch_extra_error_codes=["InvalidRouteTableID.NotFound"])


@EC2ErrorHandler.common_error_handler("create the route table {name} in {vpc_id}")
def create_route_table(client, vpc_id, name, tags):
    return client.create_route_table(aws_retry=True, VpcId=vpc_id, TagSpecifications=[
        {"ResourceType": "route-table", "Tags": ansible_dict_to_boto3_tag_list(tags)}])["RouteTable"]


@EC2ErrorHandler.common_error_handler("{action} the route to {destination} in {table_id}")
def change_route(client, action, table_id, destination, target):
    """action: create, replace or delete; target: {"GatewayId": ...} or another target key (none to delete)."""
    operation = {"create": "create_route", "replace": "replace_route", "delete": "delete_route"}[action]
    _NEW_TABLE_RETRY(getattr(client, operation))(RouteTableId=table_id, DestinationCidrBlock=destination, **target)


@EC2ErrorHandler.common_error_handler("associate the subnet {subnet_id} with {table_id}")
def associate_subnet(client, table_id, subnet_id, association_id=None):
    """Associates the subnet, moving it from the table it is in (association_id) if any; the new association's ID."""
    if association_id:
        return client.replace_route_table_association(aws_retry=True, AssociationId=association_id, RouteTableId=table_id)["NewAssociationId"]
    return _NEW_TABLE_RETRY(client.associate_route_table)(RouteTableId=table_id, SubnetId=subnet_id)["AssociationId"]


@EC2ErrorHandler.common_error_handler("disassociate {association_id} from its route table")
def disassociate_subnet(client, association_id):
    client.disassociate_route_table(aws_retry=True, AssociationId=association_id)


# VPCs with their internet gateways, converged as a list in one call (ec2_vpcs)

# A VPC just created may not be known yet to the next call (EC2's eventual consistency).
_NEW_VPC_RETRY = AWSRetry.jittered_backoff(catch_extra_error_codes=["InvalidVpcID.NotFound"])


@EC2ErrorHandler.common_error_handler("create the VPC {cidr_block}")
def create_vpc(client, cidr_block, tags):
    return client.create_vpc(aws_retry=True, CidrBlock=cidr_block, TagSpecifications=[
        {"ResourceType": "vpc", "Tags": ansible_dict_to_boto3_tag_list(tags)}])["Vpc"]


@EC2ErrorHandler.common_error_handler("read the DNS attributes of {vpc_id}")
def vpc_dns(client, vpc_id):
    """(EnableDnsSupport, EnableDnsHostnames) of the VPC."""
    return tuple(_NEW_VPC_RETRY(client.describe_vpc_attribute)(VpcId=vpc_id, Attribute=attribute)[key]["Value"]
                 for attribute, key in (("enableDnsSupport", "EnableDnsSupport"), ("enableDnsHostnames", "EnableDnsHostnames")))


@EC2ErrorHandler.common_error_handler("set the DNS attributes of {vpc_id}")
def set_vpc_dns(client, vpc_id, support, hostnames):
    # one attribute per call (EC2's rule); support first, as hostnames need it
    _NEW_VPC_RETRY(client.modify_vpc_attribute)(VpcId=vpc_id, EnableDnsSupport={"Value": support})
    _NEW_VPC_RETRY(client.modify_vpc_attribute)(VpcId=vpc_id, EnableDnsHostnames={"Value": hostnames})


@EC2ErrorHandler.common_error_handler("attach an internet gateway to {vpc_id}")
def attach_new_internet_gateway(client, vpc_id, tags):
    gateway = client.create_internet_gateway(aws_retry=True, TagSpecifications=[
        {"ResourceType": "internet-gateway", "Tags": ansible_dict_to_boto3_tag_list(tags)}])["InternetGateway"]["InternetGatewayId"]
    _NEW_VPC_RETRY(client.attach_internet_gateway)(InternetGatewayId=gateway, VpcId=vpc_id)
    return gateway


# Instances, converged as a list in one call (ec2_instances)

# A new instance profile takes a few seconds to reach EC2 (IAM is eventually consistent), which meanwhile refuses its
# name with InvalidParameterValue: the calls that name one try again for up to this many seconds.
PROFILE_WAIT = 60

# The states of an instance that is gone or going.
INSTANCE_GONE = ("shutting-down", "terminated")


def _profile_unknown_yet(error):
    """EC2's answer to an instance profile it does not know (yet): "Value (name) for parameter iamInstanceProfile.name
    is invalid. Invalid IAM Instance Profile name"."""
    message = error.response.get("Error", {}).get("Message", "")
    return "iamInstanceProfile" in message or "IAM Instance Profile" in message


def _while_profile_unknown(call):
    """call()'s answer, called again for up to PROFILE_WAIT seconds while EC2 does not know the instance profile it names."""

    def attempt():
        try:
            return call(), None
        except is_boto3_error_code("InvalidParameterValue") as e:
            if not _profile_unknown_yet(e):
                raise
            return None, e

    def give_up(last):
        raise last[1]

    return Waiter(PROFILE_WAIT, delay=2, max_delay=10).until(attempt, give_up, done=lambda answer: answer[1] is None)[0]


def _client_token(*parts):
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


@EC2ErrorHandler.common_error_handler("run the instance {name}")
def run_instance(client, name, request):
    """Runs one instance as `request` says (RunInstances' arguments but MinCount, MaxCount and ClientToken) and returns
    it as RunInstances describes it. Its client token follows from the name and the request, so that the call made
    again (its answer lost, the module run again before DescribeInstances lists the instance) runs no second one.
    EC2 answers a token with its instance until a day or so after that instance is terminated: a terminated one is
    followed by another token, made from the last and that instance's ID (the same again for a call made again)."""
    token = _client_token(name, request)
    for _attempt in range(10):
        def call(token=token):
            return client.run_instances(aws_retry=True, MinCount=1, MaxCount=1, ClientToken=token, **request)["Instances"][0]

        instance = _while_profile_unknown(call)
        if instance["State"]["Name"] not in INSTANCE_GONE:
            return instance
        token = _client_token(token, instance["InstanceId"])
    raise AnsibleAWSError(message="Failed to run the instance %s: EC2 answered 10 client tokens in a row with a terminated instance, "
                                  "the last %s" % (name, instance["InstanceId"]))


IMAGE_FILTERS = {"state": "available", "root-device-type": "ebs", "virtualization-type": "hvm"}


def newest_image(client, owner, name, architecture):
    """The newest available EBS-backed HVM image of `owner` whose name matches `name` (wildcards allowed), or None."""
    filters = [{"Name": key, "Values": [value]} for key, value in sorted(dict(IMAGE_FILTERS, name=name, architecture=architecture).items())]
    images = describe(client, "describe_images", "Images", "find the images of %s named %s" % (owner, name), Owners=[owner], Filters=filters)
    return max(images, key=lambda image: image.get("CreationDate", ""), default=None)


def image_of(client, image_id):
    """The image `image_id`, or None when EC2 does not know it."""
    images = describe(client, "describe_images", "Images", "read the image %s" % image_id, ImageIds=[image_id])
    return images[0] if images else None


@EC2ErrorHandler.common_error_handler("start the instances {instance_ids}")
def start_instances(client, instance_ids):
    """{instance ID: its state after the call}."""
    answer = client.start_instances(aws_retry=True, InstanceIds=instance_ids)
    return {i["InstanceId"]: i["CurrentState"]["Name"] for i in answer.get("StartingInstances", [])}


@EC2ErrorHandler.common_error_handler("set the metadata options of {instance_id}")
def set_metadata_options(client, instance_id, options):
    """options: HttpEndpoint, HttpTokens, HttpPutResponseHopLimit."""
    client.modify_instance_metadata_options(aws_retry=True, InstanceId=instance_id, **options)


def instance_profile_associations(client, instance_ids):
    """{instance ID: the ID of its instance profile's association} of those of `instance_ids` that have one."""
    found = describe(client, "describe_iam_instance_profile_associations", "IamInstanceProfileAssociations",
                     "read the instance profiles of %s" % ", ".join(instance_ids),
                     Filters=[{"Name": "instance-id", "Values": instance_ids}, {"Name": "state", "Values": ["associating", "associated"]}])
    return {a["InstanceId"]: a["AssociationId"] for a in found}


@EC2ErrorHandler.common_error_handler("give {instance_id} the instance profile {profile}")
def set_instance_profile(client, instance_id, profile, association_id=None):
    """Replaces the instance's profile (its association `association_id`), or gives it one if it has none."""

    def call():
        if association_id:
            return client.replace_iam_instance_profile_association(aws_retry=True, AssociationId=association_id,
                                                                   IamInstanceProfile={"Name": profile})
        return client.associate_iam_instance_profile(aws_retry=True, InstanceId=instance_id, IamInstanceProfile={"Name": profile})

    _while_profile_unknown(call)
