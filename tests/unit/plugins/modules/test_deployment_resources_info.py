from __future__ import annotations

import botocore.client
import botocore.exceptions

from ansible_collections.dicoogle.aws.plugins.modules import deployment_resources_info

TAG = {"dicoogle:deployment": "unit"}
OTHER = {"dicoogle:deployment": "other"}
REGION = "eu-west-1"


def kms_tags(tags):
    return [{"TagKey": k, "TagValue": v} for k, v in tags.items()]


def tag_list(tags):
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def ec2_tags(resource_type, tags=None):
    return [{"ResourceType": resource_type, "Tags": tag_list(tags or TAG)}]


def populate(aws):
    kms = aws("kms")
    live = kms.create_key(Tags=kms_tags(TAG))["KeyMetadata"]["Arn"]
    doomed = kms.create_key(Tags=kms_tags(TAG))["KeyMetadata"]["KeyId"]
    kms.schedule_key_deletion(KeyId=doomed, PendingWindowInDays=7)
    kms.create_key(Tags=kms_tags(OTHER))
    ecr = aws("ecr")
    ecr.create_repository(repositoryName="unit/nginx", tags=tag_list(TAG))
    ecr.create_repository(repositoryName="other/nginx", tags=tag_list(OTHER))
    ec2 = aws("ec2")
    ec2.create_key_pair(KeyName="unit", TagSpecifications=[{"ResourceType": "key-pair", "Tags": tag_list(TAG)}])
    ec2.create_key_pair(KeyName="untagged")
    s3 = aws("s3")
    for name, tags in (("unit-logs", TAG), ("other-logs", OTHER), ("untagged-logs", None)):
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        if tags:
            s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tag_list(tags)})
    sm = aws("secretsmanager")
    sm.create_secret(Name="unit/ca-cert", SecretString="x", Tags=tag_list(TAG))
    sm.create_secret(Name="other/ca-cert", SecretString="x", Tags=tag_list(OTHER))
    return live


def populate_network(aws):
    """The deployment's VPC with one resource of each kind, and twins of another deployment, untagged or gone."""
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=ec2_tags("vpc"))["Vpc"]["VpcId"]
    peer = ec2.create_vpc(CidrBlock="10.1.0.0/16", TagSpecifications=ec2_tags("vpc"))["Vpc"]["VpcId"]
    other_vpc = ec2.create_vpc(CidrBlock="10.2.0.0/16", TagSpecifications=ec2_tags("vpc", OTHER))["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24", TagSpecifications=ec2_tags("subnet"))["Subnet"]["SubnetId"]
    other_subnet = ec2.create_subnet(VpcId=other_vpc, CidrBlock="10.2.0.0/24",
                                     TagSpecifications=ec2_tags("subnet", OTHER))["Subnet"]["SubnetId"]

    aws("s3").create_bucket(Bucket="unit-flow-logs", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    flow_log = ec2.create_flow_logs(ResourceIds=[vpc], ResourceType="VPC", TrafficType="ALL", LogDestinationType="s3",
                                    LogDestination="arn:aws:s3:::unit-flow-logs", TagSpecifications=ec2_tags("vpc-flow-log"))["FlowLogIds"][0]
    ec2.create_flow_logs(ResourceIds=[other_vpc], ResourceType="VPC", TrafficType="ALL", LogDestinationType="s3",
                         LogDestination="arn:aws:s3:::unit-flow-logs", TagSpecifications=ec2_tags("vpc-flow-log", OTHER))

    igw = ec2.create_internet_gateway(TagSpecifications=ec2_tags("internet-gateway"))["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ec2.create_internet_gateway()

    eip = ec2.allocate_address(Domain="vpc", TagSpecifications=ec2_tags("elastic-ip"))["AllocationId"]
    ec2.allocate_address(Domain="vpc", TagSpecifications=ec2_tags("elastic-ip", OTHER))
    nat = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=eip, TagSpecifications=ec2_tags("natgateway"))
    gone_nat = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=ec2.allocate_address(Domain="vpc")["AllocationId"],
                                      TagSpecifications=ec2_tags("natgateway"))
    ec2.delete_nat_gateway(NatGatewayId=gone_nat["NatGateway"]["NatGatewayId"])  # moto lists it as deleted

    route_table = ec2.create_route_table(VpcId=vpc, TagSpecifications=ec2_tags("route-table"))["RouteTable"]["RouteTableId"]
    ec2.create_route_table(VpcId=other_vpc)
    group = ec2.create_security_group(GroupName="unit", Description="unit", VpcId=vpc,
                                      TagSpecifications=ec2_tags("security-group"))["GroupId"]
    ec2.create_security_group(GroupName="other", Description="other", VpcId=other_vpc,
                              TagSpecifications=ec2_tags("security-group", OTHER))

    def gateway_endpoint(**kwargs):
        # moto needs the type to delete an endpoint
        return ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.%s.s3" % REGION, VpcEndpointType="Gateway",
                                       RouteTableIds=[route_table], **kwargs)["VpcEndpoint"]["VpcEndpointId"]

    endpoint = gateway_endpoint(TagSpecifications=ec2_tags("vpc-endpoint"))
    ec2.delete_vpc_endpoints(VpcEndpointIds=[gateway_endpoint(TagSpecifications=ec2_tags("vpc-endpoint"))])
    gateway_endpoint()

    peering = ec2.create_vpc_peering_connection(VpcId=vpc, PeerVpcId=peer, TagSpecifications=ec2_tags("vpc-peering-connection"))
    ec2.create_vpc_peering_connection(VpcId=vpc, PeerVpcId=other_vpc)
    rejected = ec2.create_vpc_peering_connection(VpcId=vpc, PeerVpcId=peer, TagSpecifications=ec2_tags("vpc-peering-connection"))
    ec2.reject_vpc_peering_connection(VpcPeeringConnectionId=rejected["VpcPeeringConnection"]["VpcPeeringConnectionId"])

    eni = ec2.create_network_interface(SubnetId=subnet, TagSpecifications=ec2_tags("network-interface"))
    ec2.create_network_interface(SubnetId=other_subnet)

    elb = aws("elbv2")
    nlb = elb.create_load_balancer(Name="unit-pacs", Type="network", Scheme="internal", Subnets=[subnet],
                                   Tags=tag_list(TAG))["LoadBalancers"][0]["LoadBalancerArn"]
    other_nlb = elb.create_load_balancer(Name="other-pacs", Type="network", Scheme="internal", Subnets=[other_subnet],
                                         Tags=tag_list(OTHER))["LoadBalancers"][0]["LoadBalancerArn"]
    elb.create_target_group(Name="unit-dicom", Protocol="TCP", Port=11112, VpcId=vpc, TargetType="ip", Tags=tag_list(TAG))
    elb.create_target_group(Name="untagged-dicom", Protocol="TCP", Port=11112, VpcId=other_vpc, TargetType="ip")
    service = ec2.create_vpc_endpoint_service_configuration(
        NetworkLoadBalancerArns=[nlb], AcceptanceRequired=True, TagSpecifications=ec2_tags("vpc-endpoint-service"))
    ec2.create_vpc_endpoint_service_configuration(NetworkLoadBalancerArns=[other_nlb], AcceptanceRequired=True)

    return vpc, {
        "vpcs": sorted([vpc, peer]),
        "flow_logs": [flow_log],
        "subnets": [subnet],
        "internet_gateways": [igw],
        "nat_gateways": [nat["NatGateway"]["NatGatewayId"]],
        "elastic_ips": [eip],
        "route_tables": [route_table],
        "security_groups": [group],
        "vpc_endpoints": [endpoint],
        "vpc_peering_connections": [peering["VpcPeeringConnection"]["VpcPeeringConnectionId"]],
        "network_interfaces": [eni["NetworkInterface"]["NetworkInterfaceId"]],
        "vpc_endpoint_services": [service["ServiceConfiguration"]["ServiceId"]],
        "load_balancers": ["unit-pacs"],
        "target_groups": ["unit-dicom"],
    }


def populate_storage(aws, vpc):
    """EFS, IAM, CloudWatch Logs, Route 53 and DataSync resources of the deployment, and twins that are not."""
    efs = aws("efs")
    file_system = efs.create_file_system(CreationToken="unit-images", Tags=tag_list(TAG))["FileSystemId"]
    other_file_system = efs.create_file_system(CreationToken="other-images", Tags=tag_list(OTHER))["FileSystemId"]
    efs.create_file_system(CreationToken="untagged")
    access_point = efs.create_access_point(FileSystemId=file_system, Tags=tag_list(TAG))["AccessPointId"]
    efs.create_access_point(FileSystemId=file_system, Tags=tag_list(OTHER))
    efs.create_access_point(FileSystemId=other_file_system, Tags=tag_list(OTHER))

    iam = aws("iam")
    for name, tags in (("unit-x", TAG), ("unit-untagged", None), ("other-x", OTHER), ("x-unit", TAG)):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument="{}", **({"Tags": tag_list(tags)} if tags else {}))

    logs = aws("logs")
    logs.create_log_group(logGroupName="/dicoogle/unit/datasync", tags=TAG)
    logs.create_log_group(logGroupName="/dicoogle/other/datasync", tags=OTHER)
    logs.create_log_group(logGroupName="/dicoogle/untagged")

    route53 = aws("route53")
    zones = {}
    for name, tags in (("unit.internal", TAG), ("other.internal", OTHER), ("untagged.internal", None)):
        zone_id = route53.create_hosted_zone(Name=name, CallerReference=name, HostedZoneConfig={"PrivateZone": True},
                                             VPC={"VPCRegion": REGION, "VPCId": vpc})["HostedZone"]["Id"].split("/")[-1]
        if tags:
            route53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=zone_id, AddTags=tag_list(tags))
        zones[name] = zone_id

    aws("s3").create_bucket(Bucket="unit-images", CreateBucketConfiguration={"LocationConstraint": REGION})
    datasync = aws("datasync")
    source, destination = (
        datasync.create_location_s3(S3BucketArn="arn:aws:s3:::unit-images", Subdirectory=prefix,
                                    S3Config={"BucketAccessRoleArn": "arn:aws:iam::123456789012:role/unit-x"})["LocationArn"]
        for prefix in ("/bulk", "/copy")
    )
    for name in ("unit-t", "other-t", "unitary-t"):
        datasync.create_task(SourceLocationArn=source, DestinationLocationArn=destination, Name=name)

    return {
        "efs_file_systems": [file_system],
        "efs_access_points": [access_point],
        "iam_roles": ["unit-x"],
        "log_groups": ["/dicoogle/unit/datasync"],
        "hosted_zones": [zones["unit.internal"]],
        "datasync_tasks": ["unit-t"],
    }


def ecs_tags(tags=None):
    return [{"key": k, "value": v} for k, v in (tags or TAG).items()]


def populate_containers(aws):
    """ECS clusters, services and task definitions, ACM certificates and Cognito user pools of the deployment, and twins that are not."""
    ecs = aws("ecs")
    ecs.create_cluster(clusterName="unit-pacs", tags=ecs_tags())
    ecs.create_cluster(clusterName="other-pacs", tags=ecs_tags(OTHER))
    ecs.create_cluster(clusterName="untagged-pacs")
    ecs.create_cluster(clusterName="unit-gone", tags=ecs_tags())
    ecs.delete_cluster(cluster="unit-gone")  # listed as INACTIVE for a while

    def register(family, **kwargs):
        return ecs.register_task_definition(family=family, containerDefinitions=[{"name": "web", "image": "nginx", "memory": 128}],
                                            **kwargs)["taskDefinition"]["taskDefinitionArn"]

    register("unit-pacs", tags=ecs_tags())
    register("unit-pacs", tags=ecs_tags())
    ecs.deregister_task_definition(taskDefinition="unit-pacs:1")  # stays listed as INACTIVE
    register("unit-dcmtk")  # untagged, but named as the deployment's
    register("unit-old", tags=ecs_tags())
    ecs.deregister_task_definition(taskDefinition="unit-old:1")
    register("other-pacs", tags=ecs_tags(OTHER))
    register("unitary-pacs", tags=ecs_tags())

    for cluster, name, tags in (("unit-pacs", "unit-pacs", TAG), ("unit-pacs", "other-pacs", OTHER), ("unit-pacs", "untagged", None),
                                ("unit-pacs", "unit-gone", TAG), ("other-pacs", "unit-stray", TAG)):
        ecs.create_service(cluster=cluster, serviceName=name, taskDefinition="unit-pacs:2", desiredCount=0,
                           **({"tags": ecs_tags(tags)} if tags else {}))
    ecs.delete_service(cluster="unit-pacs", service="unit-gone", force=True)  # listed as INACTIVE for a while

    acm = aws("acm")
    certificates = {}
    for name, tags in (("unit", TAG), ("other", OTHER), ("untagged", None)):
        certificates[name] = acm.request_certificate(DomainName="pacs.example.org", IdempotencyToken=name,
                                                     **({"Tags": tag_list(tags)} if tags else {}))["CertificateArn"]

    cognito = aws("cognito-idp")
    for name, tags in (("unit-users", TAG), ("other-users", OTHER), ("unit-untagged", None)):
        cognito.create_user_pool(PoolName=name, **({"UserPoolTags": tags} if tags else {}))

    return {
        "ecs_clusters": ["unit-pacs"],
        "ecs_services": ["unit-pacs"],
        "ecs_task_definitions": ["unit-dcmtk:1", "unit-pacs:2"],
        "acm_certificates": [certificates["unit"]],
        "cognito_user_pools": ["unit-users"],
    }


def populate_hosts(aws, subnet):
    """The deployment's instance and instance profile, a terminated instance, and twins that are not the deployment's."""
    ec2 = aws("ec2")
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]

    def launch(tags):
        specs = [{"ResourceType": "instance", "Tags": tag_list(tags)}] if tags else []
        return ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, SubnetId=subnet,
                                 TagSpecifications=specs)["Instances"][0]["InstanceId"]

    live = launch(TAG)
    ec2.terminate_instances(InstanceIds=[launch(TAG)])
    launch(OTHER)
    launch(None)
    iam = aws("iam")
    for name, tags in (("unit-client-host", TAG), ("other-client-host", OTHER), ("unit-untagged", None),
                       ("unitary-client-host", TAG)):
        iam.create_instance_profile(InstanceProfileName=name, **({"Tags": tag_list(tags)} if tags else {}))
    return {"ec2_instances": [live], "iam_instance_profiles": ["unit-client-host"]}


def populate_alerts(aws):
    """The deployment's alert topic, alarm (found by its name: <deployment>/...) and schedule group, and twins that are not."""
    sns = aws("sns")
    for name, tags in (("unit-alerts", TAG), ("other-alerts", OTHER), ("unit-untagged", None)):
        sns.create_topic(Name=name, **({"Tags": tag_list(tags)} if tags else {}))
    cloudwatch = aws("cloudwatch")
    # another deployment whose name begins with the deployment's (unit-x), and names that only look alike
    for name in ("unit/web-certificate-expiry", "unit-x/web-certificate-expiry", "unitary/web-certificate-expiry", "unit-web"):
        cloudwatch.put_metric_alarm(AlarmName=name, Namespace="AWS/CertificateManager", MetricName="DaysToExpiry", Statistic="Minimum",
                                    Period=86400, EvaluationPeriods=1, Threshold=30, ComparisonOperator="LessThanThreshold")
    scheduler = aws("scheduler")
    for name, tags in (("unit-alerts", TAG), ("other-alerts", OTHER), ("unit-untagged", None)):
        scheduler.create_schedule_group(Name=name, **({"Tags": tag_list(tags)} if tags else {}))
    return {"sns_topics": ["unit-alerts"], "cloudwatch_alarms": ["unit/web-certificate-expiry"], "schedule_groups": ["unit-alerts"]}


def test_lists_only_the_deployments_live_resources(aws, run_module):
    live_key = populate(aws)
    vpc, network = populate_network(aws)
    storage = populate_storage(aws, vpc)
    containers = populate_containers(aws)
    hosts = populate_hosts(aws, network["subnets"][0])
    alerts = populate_alerts(aws)
    result = run_module(deployment_resources_info, {"deployment": "unit"})
    assert result["changed"] is False
    expected = {
        "kms_keys": [live_key],
        "ecr_repositories": ["unit/nginx"],
        "ec2_key_pairs": ["unit"],
        "s3_buckets": ["unit-logs"],
        "secrets": ["unit/ca-cert"],
    }
    expected.update(network)
    expected.update(storage)
    expected.update(containers)
    expected.update(hosts)
    expected.update(alerts)
    assert set(expected) == set(deployment_resources_info.LISTERS)
    assert result["resources"] == expected
    assert result["count"] == 5 + 15 + 6 + 6 + 2 + 3
    assert len(result["kms_keys_pending_deletion"]) == 1


def test_resource_types_limits_the_search(aws, run_module):
    populate(aws)
    result = run_module(deployment_resources_info, {"deployment": "unit", "resource_types": ["secrets"]})
    assert result["resources"] == {"secrets": ["unit/ca-cert"]}
    assert result["count"] == 1
    # the full ARN (an ECS task definition needs it), the deployment's secrets only
    arn = aws("secretsmanager").describe_secret(SecretId="unit/ca-cert")["ARN"]
    assert result["secret_arns"] == {"unit/ca-cert": arn}
    # and its current version (the PACS task definition names it): a new value is a new version
    sm = aws("secretsmanager")
    assert result["secret_versions"] == {"unit/ca-cert": sm.get_secret_value(SecretId="unit/ca-cert")["VersionId"]}
    sm.put_secret_value(SecretId="unit/ca-cert", SecretString="renewed")
    renewed = run_module(deployment_resources_info, {"deployment": "unit", "resource_types": ["secrets"]})
    assert renewed["secret_versions"] == {"unit/ca-cert": sm.get_secret_value(SecretId="unit/ca-cert")["VersionId"]}
    assert renewed["secret_versions"] != result["secret_versions"]


def test_secret_arns_only_when_secrets_are_searched(aws, run_module):
    populate(aws)
    result = run_module(deployment_resources_info, {"deployment": "unit", "resource_types": ["kms_keys"]})
    assert "secret_arns" not in result and "secret_versions" not in result


def test_resource_types_limits_the_search_to_new_types(aws, run_module):
    vpc, network = populate_network(aws)
    storage = populate_storage(aws, vpc)
    wanted = ["vpc_peering_connections", "load_balancers", "datasync_tasks", "hosted_zones"]
    result = run_module(deployment_resources_info, {"deployment": "unit", "resource_types": wanted})
    assert result["resources"] == {
        "vpc_peering_connections": network["vpc_peering_connections"],
        "load_balancers": ["unit-pacs"],
        "datasync_tasks": ["unit-t"],
        "hosted_zones": storage["hosted_zones"],
    }
    assert result["count"] == 4


def test_resource_types_limits_the_search_to_containers_certificates_and_pools(aws, run_module):
    expected = populate_containers(aws)
    for resource_type, names in expected.items():
        result = run_module(deployment_resources_info, {"deployment": "unit", "resource_types": [resource_type]})
        assert result["resources"] == {resource_type: names}
        assert result["count"] == len(names)


def test_resource_types_limits_the_search_to_alerts(aws, run_module):
    expected = populate_alerts(aws)
    result = run_module(deployment_resources_info, {"deployment": "unit", "resource_types": list(expected)})
    assert result["resources"] == expected and result["count"] == 3
    # a schedule group on its way out is gone (moto deletes at once: AWS lists it as DELETING meanwhile)
    aws("scheduler").delete_schedule_group(Name="unit-alerts")
    assert run_module(deployment_resources_info, {"deployment": "unit", "resource_types": ["schedule_groups"]})["count"] == 0


def test_ecs_clusters_are_looked_up_once(aws, run_module, monkeypatch):
    populate_containers(aws)
    make_api_call = botocore.client.BaseClient._make_api_call
    calls = []

    def count(client, operation_name, api_params):
        calls.append(operation_name)
        return make_api_call(client, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", count)
    result = run_module(deployment_resources_info, {"deployment": "unit", "resource_types": ["ecs_clusters", "ecs_services"]})
    assert result["resources"] == {"ecs_clusters": ["unit-pacs"], "ecs_services": ["unit-pacs"]}
    assert calls.count("ListClusters") == 1 and calls.count("DescribeClusters") == 1
    assert calls.count("ListServices") == 1  # in the deployment's cluster only


def test_other_tag_key(aws, run_module):
    ec2 = aws("ec2")
    ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=ec2_tags("vpc"))
    mine = ec2.create_vpc(CidrBlock="10.1.0.0/16", TagSpecifications=ec2_tags("vpc", {"owner": "unit"}))["Vpc"]["VpcId"]
    result = run_module(deployment_resources_info, {"deployment": "unit", "tag_key": "owner", "resource_types": ["vpcs"]})
    assert result["resources"] == {"vpcs": [mine]}


def test_empty_account_counts_zero(aws, run_module):
    result = run_module(deployment_resources_info, {"deployment": "unit"})
    assert result["count"] == 0
    assert result["resources"] == {resource_type: [] for resource_type in deployment_resources_info.LISTERS}


def test_access_denied_names_the_type(aws, run_module, monkeypatch):
    make_api_call = botocore.client.BaseClient._make_api_call

    def deny_load_balancers(client, operation_name, api_params):
        if operation_name == "DescribeLoadBalancers":
            raise botocore.exceptions.ClientError({"Error": {"Code": "AccessDenied", "Message": "not for you"}}, operation_name)
        return make_api_call(client, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", deny_load_balancers)
    result = run_module(deployment_resources_info, {"deployment": "unit", "resource_types": ["vpcs", "load_balancers"]})
    assert result["failed"] is True
    assert "load_balancers" in result["msg"] and "resource_types" in result["msg"]
    assert result["error"]["code"] == "AccessDenied"
    result = run_module(deployment_resources_info, {"deployment": "unit", "resource_types": ["vpcs", "target_groups"]})
    assert result["resources"] == {"vpcs": [], "target_groups": []}


def test_access_denied_names_the_new_types(aws, run_module, monkeypatch):
    make_api_call = botocore.client.BaseClient._make_api_call
    denied = {"ListServices", "ListCertificates", "ListUserPools"}

    def deny(client, operation_name, api_params):
        if operation_name in denied:
            raise botocore.exceptions.ClientError({"Error": {"Code": "AccessDeniedException", "Message": "not for you"}}, operation_name)
        return make_api_call(client, operation_name, api_params)

    aws("ecs").create_cluster(clusterName="unit-pacs", tags=ecs_tags())  # ListServices is only called for the deployment's clusters
    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", deny)
    for resource_type in ("ecs_services", "acm_certificates", "cognito_user_pools"):
        result = run_module(deployment_resources_info, {"deployment": "unit", "resource_types": ["ecs_clusters", resource_type]})
        assert result["failed"] is True
        assert resource_type in result["msg"] and "access denied" in result["msg"] and "resource_types" in result["msg"]
        assert result["error"]["code"] == "AccessDeniedException"
    result = run_module(deployment_resources_info, {"deployment": "unit", "resource_types": ["ecs_clusters", "ecs_task_definitions"]})
    assert result["resources"] == {"ecs_clusters": ["unit-pacs"], "ecs_task_definitions": []}


def test_bad_deployment_name_is_explained(aws, run_module):
    result = run_module(deployment_resources_info, {"deployment": "Bad_Name"})
    assert result["failed"] is True
    assert "deployment must be" in result["msg"]
