#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: deployment_resources_info
short_description: List the AWS resources that belong to one dicoogle.aws deployment
version_added: 0.1.0
description:
  - Finds every resource tagged with the deployment's name, service by service, so that the
    status report, teardown and the tests see the same truth.
  - KMS keys that are already scheduled for deletion are reported apart, in
    RV(kms_keys_pending_deletion), since they cost nothing and disappear by themselves.
  - Resources that are gone or on their way out, which AWS still lists for a while, are not listed
    either, namely NAT gateways other than C(pending) or C(available), VPC endpoints, VPC endpoint
    services, EFS file systems and EFS access points that are deleted or being deleted, VPC
    peering connections that are deleted, being deleted, rejected, failed or expired, and ECS
    clusters and services that are C(INACTIVE) (deleted).
  - EC2 resources are looked up with a tag filter, and their tags are checked again in the answer
    (some APIs, or their emulations, ignore the filter).
  - IAM roles are looked at only when their name starts with the deployment's name and a dash
    (C(<deployment>-)), as reading the tags of every role of the account is slow; the deployment
    names all its roles that way. The same holds for IAM instance profiles.
  - EC2 instances are listed while they exist (pending, running, stopping or stopped), not once
    they are shutting down or terminated.
  - DataSync tasks are found by name, as DataSync tags cannot be read everywhere; a task belongs
    to the deployment when its name starts with C(<deployment>-).
  - ECS task definitions are found by name too, as tags are optional on a task definition and a
    deregistered revision stays listed (as C(INACTIVE)) forever; the C(ACTIVE) revisions of the
    families whose name starts with C(<deployment>-) are the deployment's.
  - ECS services are looked for only in the deployment's ECS clusters, and must carry the
    deployment's tag themselves.
  - ACM certificates of every key type and status are listed, since a failed or expired
    certificate stays until it is deleted.
  - CloudWatch alarms are found by name, as C(amazon.aws.cloudwatch_metric_alarm) cannot tag them; an alarm belongs
    to the deployment when its name starts with C(<deployment>/), which no other deployment's name can.
  - EventBridge Scheduler schedule groups are found by their tags (schedules cannot be tagged; they go with their
    group); a group being deleted is not listed.
  - When AWS denies access to one of the services, the module fails with a message naming the
    resource type; leave that type out of O(resource_types) to list the others.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  resource_types:
    description:
      - Which resource types to look for. Default is all of them.
      - C(vpcs), C(flow_logs), C(subnets), C(internet_gateways), C(nat_gateways), C(elastic_ips), C(route_tables),
        C(security_groups), C(vpc_endpoints), C(vpc_peering_connections), C(network_interfaces) and
        C(vpc_endpoint_services) are EC2 (VPC) resources.
      - C(load_balancers) and C(target_groups) are Elastic Load Balancing (v2) ones.
      - C(ecs_clusters), C(ecs_services) and C(ecs_task_definitions) are Elastic Container Service ones.
    type: list
    elements: str
    choices:
      - kms_keys
      - ecr_repositories
      - ec2_key_pairs
      - s3_buckets
      - secrets
      - vpcs
      - flow_logs
      - subnets
      - internet_gateways
      - nat_gateways
      - elastic_ips
      - route_tables
      - security_groups
      - vpc_endpoints
      - vpc_peering_connections
      - network_interfaces
      - vpc_endpoint_services
      - load_balancers
      - target_groups
      - efs_file_systems
      - efs_access_points
      - iam_roles
      - iam_instance_profiles
      - ec2_instances
      - log_groups
      - hosted_zones
      - datasync_tasks
      - ecs_clusters
      - ecs_services
      - ecs_task_definitions
      - acm_certificates
      - cognito_user_pools
      - sns_topics
      - cloudwatch_alarms
      - schedule_groups
extends_documentation_fragment:
  - dicoogle.aws.deployment
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: What does the deployment own?
  dicoogle.aws.deployment_resources_info:
    deployment: dicoogle
  register: owned

- name: Nothing may be left after teardown
  ansible.builtin.assert:
    that: owned.count == 0

- name: Only the network, such as for an account without access to the other services
  dicoogle.aws.deployment_resources_info:
    deployment: dicoogle
    resource_types: [vpcs, subnets, nat_gateways, elastic_ips, vpc_endpoints]
  register: network
"""

RETURN = r"""
resources:
  description:
    - Identifiers of the live resources, by type (ARN, name or id as the type uses), each list sorted.
    - Only the types asked for in O(resource_types) are keys, all of them by default.
    - C(kms_keys) and C(acm_certificates) are ARNs (several certificates may share a domain name);
      C(ecr_repositories), C(ec2_key_pairs), C(s3_buckets), C(secrets), C(load_balancers), C(target_groups),
      C(iam_roles), C(iam_instance_profiles), C(log_groups), C(datasync_tasks), C(ecs_clusters), C(ecs_services), C(cognito_user_pools),
      C(sns_topics), C(cloudwatch_alarms) and C(schedule_groups) are names; C(ecs_task_definitions) are C(family:revision); C(elastic_ips) are allocation IDs;
      C(hosted_zones) are zone IDs without C(/hostedzone/); the other types are the resources' IDs.
  returned: always
  type: dict
  sample:
    kms_keys: ["arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
    ecr_repositories: ["dicoogle/nginx"]
    ec2_key_pairs: ["dicoogle"]
    s3_buckets: ["dicoogle-logs-123456789012-eu-west-1"]
    secrets: ["dicoogle/ca-cert"]
    vpcs: ["vpc-0123456789abcdef0"]
    flow_logs: ["fl-0123456789abcdef0"]
    subnets: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
    internet_gateways: ["igw-0123456789abcdef0"]
    nat_gateways: ["nat-0123456789abcdef0"]
    elastic_ips: ["eipalloc-0123456789abcdef0"]
    route_tables: ["rtb-0123456789abcdef0"]
    security_groups: ["sg-0123456789abcdef0"]
    vpc_endpoints: ["vpce-0123456789abcdef0"]
    vpc_peering_connections: ["pcx-0123456789abcdef0"]
    network_interfaces: ["eni-0123456789abcdef0"]
    vpc_endpoint_services: ["vpce-svc-0123456789abcdef0"]
    load_balancers: ["dicoogle-pacs"]
    target_groups: ["dicoogle-pacs-dicom"]
    efs_file_systems: ["fs-0123456789abcdef0"]
    efs_access_points: ["fsap-0123456789abcdef0"]
    iam_roles: ["dicoogle-datasync"]
    iam_instance_profiles: ["dicoogle-client-host"]
    ec2_instances: ["i-0123456789abcdef0"]
    log_groups: ["/dicoogle/dicoogle/datasync"]
    hosted_zones: ["Z0123456789ABCDEFGHIJ"]
    datasync_tasks: ["dicoogle-bulk-import"]
    ecs_clusters: ["dicoogle-pacs"]
    ecs_services: ["dicoogle-pacs"]
    ecs_task_definitions: ["dicoogle-pacs:3"]
    acm_certificates: ["arn:aws:acm:eu-west-1:123456789012:certificate/1234abcd-12ab-34cd-56ef-1234567890ab"]
    cognito_user_pools: ["dicoogle-users"]
    sns_topics: ["dicoogle-alerts"]
    cloudwatch_alarms: ["dicoogle/web-certificate-expiry"]
    schedule_groups: ["dicoogle-alerts"]
count:
  description: Number of live resources over all types.
  returned: always
  type: int
  sample: 30
kms_keys_pending_deletion:
  description: ARNs of the deployment's KMS keys already scheduled for deletion.
  returned: always
  type: list
  elements: str
secret_arns:
  description:
    - The full ARN of each of the deployment's secrets, by name (an ECS task definition reads a
      Secrets Manager secret by its full ARN).
  returned: when C(secrets) is among O(resource_types), or O(resource_types) is not given
  type: dict
  sample:
    dicoogle/ca-cert: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:dicoogle/ca-cert-AbCdEf"
secret_versions:
  description:
    - The id of the current (C(AWSCURRENT)) version of each of the deployment's secrets, by name.
  returned: when C(secrets) is among O(resource_types), or O(resource_types) is not given
  type: dict
  sample:
    dicoogle/ca-cert: "0e9c5b1e-4b6f-4c43-9a4c-2f4c8f1d2a11"
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.dicoogle.aws.plugins.module_utils import secretsmanager
from ansible_collections.dicoogle.aws.plugins.module_utils.deployment import deployment_name_error
from ansible_collections.dicoogle.aws.plugins.module_utils.deployment import tags_match

RETRY = AWSRetry.jittered_backoff()

# Instances in these states still exist (and cost); shutting-down and terminated ones are gone.
INSTANCE_LIVE_STATES = ["pending", "running", "stopping", "stopped"]

# Error codes with which AWS refuses a whole service to the caller.
ACCESS_DENIED = ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError")

NAT_GATEWAY_LIVE = ("pending", "available")
VPC_ENDPOINT_GONE = ("deleted", "deleting")
PEERING_GONE = ("deleted", "deleting", "rejected", "failed", "expired")
ENDPOINT_SERVICE_GONE = ("deleted", "deleting")
EFS_GONE = ("deleted", "deleting")
ELBV2_TAG_BATCH = 20  # most ARNs elbv2 DescribeTags takes at once
ECS_CLUSTER_BATCH = 100  # most clusters DescribeClusters takes at once
ECS_SERVICE_BATCH = 10  # most services DescribeServices takes at once
ECS_GONE = ("INACTIVE",)  # clusters and services AWS still lists for a while after deleting them
# list_certificates returns RSA_1024 and RSA_2048 certificates only unless asked for every key type
ACM_KEY_TYPES = ["RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"]
COGNITO_PAGE = 60  # most user pools ListUserPools gives at once
SCHEDULE_GROUP_GONE = ("DELETING",)  # a deleted group stays listed until its schedules are gone


def paginate(client, operation, key, **kwargs):
    paginator = client.get_paginator(operation)
    return paginator.paginate(**kwargs).build_full_result().get(key, [])


class Search:
    """What every lister needs: the module, the deployment and its tag, one client per service."""

    def __init__(self, module, report):
        self.module = module
        self.deployment = module.params["deployment"]
        self.tag_key = module.params["tag_key"]
        self.report = report
        self.clients = {}
        self.found = {}  # what more than one lister needs, looked up once

    def client(self, service):
        if service not in self.clients:
            self.clients[service] = self.module.client(service, retry_decorator=RETRY)
        return self.clients[service]

    def owns(self, tags):
        """True when an Ansible-style tag dict marks a resource as the deployment's."""
        return tags_match(tags, self.deployment, self.tag_key)

    def owns_list(self, tags):
        """The same for a boto3 tag list (Key/Value, or key/value)."""
        return self.owns(boto3_tag_list_to_ansible_dict(tags or []))

    def tag_filter(self):
        return [{"Name": "tag:" + self.tag_key, "Values": [self.deployment]}]

    def name_prefix(self):
        return self.deployment + "-"


# ---- the foundation ----------------------------------------------------------------------------


def kms_keys(search):
    client = search.client("kms")
    live, pending = [], []
    for key in RETRY(paginate)(client, "list_keys", "Keys"):
        try:
            meta = client.describe_key(aws_retry=True, KeyId=key["KeyId"])["KeyMetadata"]
            if meta.get("KeyManager") == "AWS":
                continue
            tags = client.list_resource_tags(aws_retry=True, KeyId=key["KeyId"])["Tags"]
        except is_boto3_error_code(["NotFoundException", "AccessDeniedException"]):
            continue  # deleted meanwhile, or a key of someone else we may not read
        if not search.owns(boto3_tag_list_to_ansible_dict(tags, "TagKey", "TagValue")):
            continue
        (pending if meta["KeyState"] == "PendingDeletion" else live).append(meta["Arn"])
    search.report["kms_keys_pending_deletion"] = pending
    return live


def ecr_repositories(search):
    client = search.client("ecr")
    found = []
    for repo in RETRY(paginate)(client, "describe_repositories", "repositories"):
        tags = client.list_tags_for_resource(aws_retry=True, resourceArn=repo["repositoryArn"])["tags"]
        if search.owns_list(tags):
            found.append(repo["repositoryName"])
    return found


def ec2_key_pairs(search):
    client = search.client("ec2")
    pairs = client.describe_key_pairs(aws_retry=True, Filters=search.tag_filter())
    return [pair["KeyName"] for pair in pairs["KeyPairs"]]


def s3_buckets(search):
    client = search.client("s3")
    found = []
    for bucket in client.list_buckets(aws_retry=True)["Buckets"]:
        try:
            tags = client.get_bucket_tagging(aws_retry=True, Bucket=bucket["Name"])["TagSet"]
        except is_boto3_error_code(["NoSuchTagSet", "NoSuchBucket", "AccessDenied", "PermanentRedirect"]):
            continue  # untagged, deleted meanwhile, or another account's or region's bucket
        if search.owns_list(tags):
            found.append(bucket["Name"])
    return found


def secrets(search):
    client = search.client("secretsmanager")
    found = []
    for secret in RETRY(paginate)(client, "list_secrets", "SecretList"):
        if search.owns_list(secret.get("Tags")):
            found.append(secret["Name"])
            search.report.setdefault("secret_arns", {})[secret["Name"]] = secret["ARN"]
            version = secretsmanager.current_version(secret)
            if version:
                search.report.setdefault("secret_versions", {})[secret["Name"]] = version
    return found


# ---- the network and PrivateLink (EC2) ---------------------------------------------------------


def ec2_instances(search):
    client = search.client("ec2")
    filters = search.tag_filter() + [{"Name": "instance-state-name", "Values": INSTANCE_LIVE_STATES}]
    reservations = RETRY(paginate)(client, "describe_instances", "Reservations", Filters=filters)
    return [instance["InstanceId"] for reservation in reservations for instance in reservation["Instances"]
            if search.owns_list(instance.get("Tags"))]


def ec2_tagged(search, operation, key, filter_name="Filters"):
    """The deployment's items of an EC2 describe call: filtered by tag on the server, checked here."""
    client = search.client("ec2")
    kwargs = {filter_name: search.tag_filter()}
    if client.can_paginate(operation):
        items = RETRY(paginate)(client, operation, key, **kwargs)
    else:
        items = getattr(client, operation)(aws_retry=True, **kwargs).get(key, [])
    # network interfaces carry their tags in TagSet, everything else in Tags
    return [item for item in items if search.owns_list(item.get("Tags", item.get("TagSet")))]


def vpcs(search):
    return [vpc["VpcId"] for vpc in ec2_tagged(search, "describe_vpcs", "Vpcs")]


def flow_logs(search):
    return [flow["FlowLogId"] for flow in ec2_tagged(search, "describe_flow_logs", "FlowLogs", filter_name="Filter")]


def subnets(search):
    return [subnet["SubnetId"] for subnet in ec2_tagged(search, "describe_subnets", "Subnets")]


def internet_gateways(search):
    return [igw["InternetGatewayId"] for igw in ec2_tagged(search, "describe_internet_gateways", "InternetGateways")]


def nat_gateways(search):
    # DescribeNatGateways spells its filters "Filter"
    return [nat["NatGatewayId"] for nat in ec2_tagged(search, "describe_nat_gateways", "NatGateways", filter_name="Filter")
            if nat.get("State") in NAT_GATEWAY_LIVE]


def elastic_ips(search):
    return [address["AllocationId"] for address in ec2_tagged(search, "describe_addresses", "Addresses")]


def route_tables(search):
    return [table["RouteTableId"] for table in ec2_tagged(search, "describe_route_tables", "RouteTables")]


def security_groups(search):
    return [group["GroupId"] for group in ec2_tagged(search, "describe_security_groups", "SecurityGroups")]


def vpc_endpoints(search):
    return [endpoint["VpcEndpointId"] for endpoint in ec2_tagged(search, "describe_vpc_endpoints", "VpcEndpoints")
            if str(endpoint.get("State", "")).lower() not in VPC_ENDPOINT_GONE]


def vpc_peering_connections(search):
    return [peering["VpcPeeringConnectionId"]
            for peering in ec2_tagged(search, "describe_vpc_peering_connections", "VpcPeeringConnections")
            if str(peering.get("Status", {}).get("Code", "")).lower() not in PEERING_GONE]


def network_interfaces(search):
    return [eni["NetworkInterfaceId"] for eni in ec2_tagged(search, "describe_network_interfaces", "NetworkInterfaces")]


def vpc_endpoint_services(search):
    return [service["ServiceId"]
            for service in ec2_tagged(search, "describe_vpc_endpoint_service_configurations", "ServiceConfigurations")
            if str(service.get("ServiceState", "")).lower() not in ENDPOINT_SERVICE_GONE]


# ---- load balancing (elbv2) --------------------------------------------------------------------


def elbv2_owned(search, operation, key, arn_key, name_key):
    """Names of the deployment's load balancers or target groups, whose tags DescribeTags gives, 20 ARNs at a time."""
    client = search.client("elbv2")
    names = {item[arn_key]: item[name_key] for item in RETRY(paginate)(client, operation, key)}
    arns = sorted(names)
    found = []
    for start in range(0, len(arns), ELBV2_TAG_BATCH):
        batch = arns[start:start + ELBV2_TAG_BATCH]
        for description in client.describe_tags(aws_retry=True, ResourceArns=batch)["TagDescriptions"]:
            if description["ResourceArn"] in names and search.owns_list(description.get("Tags")):
                found.append(names[description["ResourceArn"]])
    return found


def load_balancers(search):
    return elbv2_owned(search, "describe_load_balancers", "LoadBalancers", "LoadBalancerArn", "LoadBalancerName")


def target_groups(search):
    return elbv2_owned(search, "describe_target_groups", "TargetGroups", "TargetGroupArn", "TargetGroupName")


# ---- storage -----------------------------------------------------------------------------------


def efs_file_systems(search):
    client = search.client("efs")
    return [fs["FileSystemId"] for fs in RETRY(paginate)(client, "describe_file_systems", "FileSystems")
            if search.owns_list(fs.get("Tags")) and str(fs.get("LifeCycleState", "")).lower() not in EFS_GONE]


def efs_access_points(search):
    # all access points of the account in one call, so that those of an untagged file system count too
    client = search.client("efs")
    return [point["AccessPointId"] for point in RETRY(paginate)(client, "describe_access_points", "AccessPoints")
            if search.owns_list(point.get("Tags")) and str(point.get("LifeCycleState", "")).lower() not in EFS_GONE]


def iam_owned(search, operation, key, name_key, read_tags):
    """The deployment's items of an IAM list call: named <deployment>-..., and tagged as its own."""
    client = search.client("iam")
    found = []
    for item in RETRY(paginate)(client, operation, key):
        name = item[name_key]
        if not name.startswith(search.name_prefix()):
            continue  # reading every item's tags would be slow; the deployment names its roles and profiles so
        try:
            tags = read_tags(client, name)
        except is_boto3_error_code("NoSuchEntity"):
            continue  # deleted meanwhile
        if search.owns_list(tags):
            found.append(name)
    return found


def iam_roles(search):
    return iam_owned(search, "list_roles", "Roles", "RoleName",
                     lambda client, name: RETRY(paginate)(client, "list_role_tags", "Tags", RoleName=name))


def iam_instance_profiles(search):
    # GetInstanceProfile answers with the tags (ListInstanceProfiles does not)
    return iam_owned(search, "list_instance_profiles", "InstanceProfiles", "InstanceProfileName",
                     lambda client, name: client.get_instance_profile(aws_retry=True, InstanceProfileName=name)["InstanceProfile"].get("Tags"))


def log_groups(search):
    client = search.client("logs")
    found = []
    for group in RETRY(paginate)(client, "describe_log_groups", "logGroups"):
        # logGroupArn is the ARN without the trailing ":*" of arn, which ListTagsForResource refuses
        arn = group.get("logGroupArn") or group["arn"]
        if arn.endswith(":*"):
            arn = arn[:-2]
        try:
            tags = client.list_tags_for_resource(aws_retry=True, resourceArn=arn).get("tags", {})
        except is_boto3_error_code("ResourceNotFoundException"):
            continue  # deleted meanwhile
        if search.owns(tags):
            found.append(group["logGroupName"])
    return found


def hosted_zones(search):
    client = search.client("route53")
    found = []
    for zone in RETRY(paginate)(client, "list_hosted_zones", "HostedZones"):
        zone_id = zone["Id"].split("/")[-1]  # /hostedzone/Z... -> Z...
        try:
            tag_set = client.list_tags_for_resource(aws_retry=True, ResourceType="hostedzone", ResourceId=zone_id)
        except is_boto3_error_code("NoSuchHostedZone"):
            continue  # deleted meanwhile
        if search.owns_list(tag_set["ResourceTagSet"].get("Tags")):
            found.append(zone_id)
    return found


def datasync_tasks(search):
    # by name, as DataSync tags cannot be read everywhere (moto has no DataSync tag API)
    client = search.client("datasync")
    return [task["Name"] for task in RETRY(paginate)(client, "list_tasks", "Tasks")
            if (task.get("Name") or "").startswith(search.name_prefix())]


# ---- containers (ECS) --------------------------------------------------------------------------


def ecs_owned_clusters(search):
    """ARN to name of the deployment's live ECS clusters, looked up once for ecs_clusters and ecs_services alike."""
    if "ecs_clusters" not in search.found:
        client = search.client("ecs")
        arns = RETRY(paginate)(client, "list_clusters", "clusterArns")
        owned = {}
        for start in range(0, len(arns), ECS_CLUSTER_BATCH):
            batch = arns[start:start + ECS_CLUSTER_BATCH]
            # clusters deleted meanwhile come back as failures, or as INACTIVE
            for cluster in client.describe_clusters(aws_retry=True, clusters=batch, include=["TAGS"])["clusters"]:
                if search.owns_list(cluster.get("tags")) and cluster.get("status") not in ECS_GONE:
                    owned[cluster["clusterArn"]] = cluster["clusterName"]
        search.found["ecs_clusters"] = owned
    return search.found["ecs_clusters"]


def ecs_clusters(search):
    return list(ecs_owned_clusters(search).values())


def ecs_services(search):
    # only in the deployment's clusters; a service there must carry the tag too
    client = search.client("ecs")
    found = []
    for cluster in sorted(ecs_owned_clusters(search)):
        try:
            arns = RETRY(paginate)(client, "list_services", "serviceArns", cluster=cluster)
            for start in range(0, len(arns), ECS_SERVICE_BATCH):
                batch = arns[start:start + ECS_SERVICE_BATCH]
                for service in client.describe_services(aws_retry=True, cluster=cluster, services=batch, include=["TAGS"])["services"]:
                    if search.owns_list(service.get("tags")) and service.get("status") not in ECS_GONE:
                        found.append(service["serviceName"])
        except is_boto3_error_code("ClusterNotFoundException"):
            continue  # deleted meanwhile
    return found


def ecs_task_definitions(search):
    # by name, as tags are optional on task definitions and deregistered revisions stay listed (INACTIVE) forever.
    # ListTaskDefinitions takes a whole family name, so the families come first, by prefix.
    client = search.client("ecs")
    found = []
    families = RETRY(paginate)(client, "list_task_definition_families", "families", familyPrefix=search.name_prefix(), status="ACTIVE")
    for family in families:
        if not family.startswith(search.name_prefix()):
            continue
        for arn in RETRY(paginate)(client, "list_task_definitions", "taskDefinitionArns", familyPrefix=family, status="ACTIVE"):
            name = arn.split("/")[-1]  # arn:aws:ecs:...:task-definition/family:revision -> family:revision
            if name.rsplit(":", 1)[0] == family:
                found.append(name)
    return found


# ---- certificates and sign-in ------------------------------------------------------------------


def acm_certificates(search):
    # every status: a failed or expired certificate stays until it is deleted
    client = search.client("acm")
    found = []
    for summary in RETRY(paginate)(client, "list_certificates", "CertificateSummaryList", Includes={"keyTypes": ACM_KEY_TYPES}):
        try:
            tags = client.list_tags_for_certificate(aws_retry=True, CertificateArn=summary["CertificateArn"]).get("Tags")
        except is_boto3_error_code("ResourceNotFoundException"):
            continue  # deleted meanwhile
        if search.owns_list(tags):
            found.append(summary["CertificateArn"])
    return found


def cognito_user_pools(search):
    client = search.client("cognito-idp")
    found = []
    for pool in RETRY(paginate)(client, "list_user_pools", "UserPools", MaxResults=COGNITO_PAGE):
        try:
            tags = client.describe_user_pool(aws_retry=True, UserPoolId=pool["Id"])["UserPool"].get("UserPoolTags")
        except is_boto3_error_code("ResourceNotFoundException"):
            continue  # deleted meanwhile
        if search.owns(tags):
            found.append(pool["Name"])
    return found


# ---- alerts (SNS, CloudWatch, EventBridge Scheduler) ---------------------------------------------


def sns_topics(search):
    client = search.client("sns")
    found = []
    for topic in RETRY(paginate)(client, "list_topics", "Topics"):
        try:
            tags = client.list_tags_for_resource(aws_retry=True, ResourceArn=topic["TopicArn"]).get("Tags")
        except is_boto3_error_code(["NotFound", "ResourceNotFound"]):
            continue  # deleted meanwhile
        if search.owns_list(tags):
            found.append(topic["TopicArn"].split(":")[-1])
    return found


def cloudwatch_alarms(search):
    # by name: amazon.aws.cloudwatch_metric_alarm does not tag; the deployment names its alarms <deployment>/...
    client = search.client("cloudwatch")
    prefix = search.deployment + "/"
    return [alarm["AlarmName"] for alarm in RETRY(paginate)(client, "describe_alarms", "MetricAlarms", AlarmNamePrefix=prefix)]


def schedule_groups(search):
    client = search.client("scheduler")
    found = []
    for group in RETRY(paginate)(client, "list_schedule_groups", "ScheduleGroups"):
        if group.get("Name") == "default" or group.get("State") in SCHEDULE_GROUP_GONE:
            continue  # the account's own group, or one on its way out
        try:
            tags = client.list_tags_for_resource(aws_retry=True, ResourceArn=group["Arn"]).get("Tags")
        except is_boto3_error_code("ResourceNotFoundException"):
            continue  # deleted meanwhile
        if search.owns_list(tags):
            found.append(group["Name"])
    return found


LISTERS = {
    "kms_keys": kms_keys,
    "ecr_repositories": ecr_repositories,
    "ec2_key_pairs": ec2_key_pairs,
    "s3_buckets": s3_buckets,
    "secrets": secrets,
    "vpcs": vpcs,
    "flow_logs": flow_logs,
    "subnets": subnets,
    "internet_gateways": internet_gateways,
    "nat_gateways": nat_gateways,
    "elastic_ips": elastic_ips,
    "route_tables": route_tables,
    "security_groups": security_groups,
    "vpc_endpoints": vpc_endpoints,
    "vpc_peering_connections": vpc_peering_connections,
    "network_interfaces": network_interfaces,
    "vpc_endpoint_services": vpc_endpoint_services,
    "load_balancers": load_balancers,
    "target_groups": target_groups,
    "efs_file_systems": efs_file_systems,
    "efs_access_points": efs_access_points,
    "iam_roles": iam_roles,
    "iam_instance_profiles": iam_instance_profiles,
    "ec2_instances": ec2_instances,
    "log_groups": log_groups,
    "hosted_zones": hosted_zones,
    "datasync_tasks": datasync_tasks,
    "ecs_clusters": ecs_clusters,
    "ecs_services": ecs_services,
    "ecs_task_definitions": ecs_task_definitions,
    "acm_certificates": acm_certificates,
    "cognito_user_pools": cognito_user_pools,
    "sns_topics": sns_topics,
    "cloudwatch_alarms": cloudwatch_alarms,
    "schedule_groups": schedule_groups,
}


def main():
    argument_spec = dict(
        deployment=dict(type="str", required=True),
        tag_key=dict(type="str", default="dicoogle:deployment", no_log=False),
        resource_types=dict(type="list", elements="str", choices=list(LISTERS)),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    error = deployment_name_error(module.params["deployment"])
    if error:
        module.fail_json(msg=error)

    deployment = module.params["deployment"]
    report = {"kms_keys_pending_deletion": []}
    if "secrets" in (module.params["resource_types"] or LISTERS):
        report["secret_arns"], report["secret_versions"] = {}, {}
    search = Search(module, report)
    resources = {}
    for resource_type in module.params["resource_types"] or list(LISTERS):
        try:
            resources[resource_type] = sorted(LISTERS[resource_type](search))
        except is_boto3_error_code(ACCESS_DENIED) as e:
            module.fail_json_aws(e, msg="Failed to list %s of deployment %s: access denied; allow it, or leave %s out of resource_types"
                                 % (resource_type, deployment, resource_type))
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            module.fail_json_aws(e, msg="Failed to list %s of deployment %s" % (resource_type, deployment))

    module.exit_json(
        changed=False,
        resources=resources,
        count=sum(len(ids) for ids in resources.values()),
        **report,
    )


if __name__ == "__main__":
    main()
