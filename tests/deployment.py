"""What a deployment owns in (moto's) AWS, found with boto3 alone, independently of the
collection's own deployment_resources_info: the tests' reference for "created once" and "left
nothing behind"."""

from __future__ import annotations

from collections import Counter

TAG_KEY = "dicoogle:deployment"
# The deployments that several test files share (tests/conftest.py's site and lab fixtures).
SITE_DEPLOYMENT = "it-site"
LAB_DEPLOYMENT = "it-lab"
# The web user inventories/lab signs up (front_door_users), whose password is a secret of the deployment.
WEB_USER = "radiologist@lab.dicoogle.test"
# What one deployment owns, by type: the foundation; the network, PrivateLink and storage (from "vpc" on); the PACS
# service and the front door (ECS, ACM, Cognito, the ALB and its target group, the public zone, two roles, a log group,
# the web user's and the automation user's secrets); the client and storage instances, their roles and instance
# profiles, and Session Manager's transfer bucket; the CA's key and the lab's web leaf's certificate and key, which a
# controller with an empty state directory finds again, and the CAs trusted; the alerts' topic, web certificate alarm, reminders' schedule
# group and the role EventBridge Scheduler assumes.
EXPECTED = {
    "kms": 1, "ecr": 3, "key-pair": 1, "s3": 3, "secret": 17,
    "vpc": 3, "flow-log": 3, "subnet": 12, "internet-gateway": 3, "nat-gateway": 2, "elastic-ip": 2, "route-table": 9,
    "security-group": 8, "vpc-endpoint": 7, "vpc-peering": 1, "network-interface": 1, "endpoint-service": 1,
    "load-balancer": 2, "target-group": 3, "efs": 1, "efs-access-point": 4, "iam-role": 6, "log-group": 2,
    "hosted-zone": 2, "datasync-task": 1, "datasync-location": 2,
    "ecs-cluster": 1, "ecs-service": 1, "ecs-task-definition": 1, "acm-certificate": 1, "cognito-user-pool": 1,
    "ec2-instance": 2, "instance-profile": 2,
    "sns-topic": 1, "cloudwatch-alarm": 1, "schedule-group": 1,
}


def as_dict(tags, key="Key", value="Value"):
    return {t[key]: t[value] for t in tags}


def key_arn(aws_client, deployment=SITE_DEPLOYMENT):
    """The ARN of the deployment's KMS key (alias/<deployment>)."""
    return aws_client("kms").describe_key(KeyId="alias/" + deployment)["KeyMetadata"]["Arn"]


def tagged_resources(aws_client, deployment=SITE_DEPLOYMENT):
    """Every live resource of the deployment (the shared site's unless named), found with boto3 alone."""
    found = []
    kms = aws_client("kms")
    for key in kms.list_keys()["Keys"]:
        meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
        tags = as_dict(kms.list_resource_tags(KeyId=key["KeyId"])["Tags"], "TagKey", "TagValue")
        if tags.get(TAG_KEY) == deployment and meta["KeyState"] != "PendingDeletion":
            found.append(("kms", key["KeyId"]))
    ecr = aws_client("ecr")
    for repo in ecr.describe_repositories()["repositories"]:
        if as_dict(ecr.list_tags_for_resource(resourceArn=repo["repositoryArn"])["tags"]).get(TAG_KEY) == deployment:
            found.append(("ecr", repo["repositoryName"]))
    for pair in aws_client("ec2").describe_key_pairs()["KeyPairs"]:
        if as_dict(pair.get("Tags", [])).get(TAG_KEY) == deployment:
            found.append(("key-pair", pair["KeyName"]))
    s3 = aws_client("s3")
    for bucket in s3.list_buckets()["Buckets"]:
        if bucket["Name"].startswith(deployment + "-"):
            found.append(("s3", bucket["Name"]))
    for secret in aws_client("secretsmanager").list_secrets()["SecretList"]:
        if as_dict(secret.get("Tags", [])).get(TAG_KEY) == deployment or secret["Name"].startswith(deployment + "/"):
            found.append(("secret", secret["Name"]))
    return (found + network_resources(aws_client, deployment) + storage_plane_resources(aws_client, deployment)
            + service_resources(aws_client, deployment) + host_resources(aws_client, deployment) + alert_resources(aws_client, deployment))


def ours(tags, deployment):
    return as_dict(tags or []).get(TAG_KEY) == deployment


def network_resources(aws_client, deployment):
    """The VPCs and what they hold: by the deployment tag, and by type inside the tagged VPCs."""
    ec2 = aws_client("ec2")
    found = []
    vpcs = [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if ours(v.get("Tags"), deployment)]
    found += [("vpc", v) for v in vpcs]
    found += [("flow-log", f["FlowLogId"]) for f in ec2.describe_flow_logs()["FlowLogs"] if ours(f.get("Tags"), deployment)]
    in_vpcs = [{"Name": "vpc-id", "Values": vpcs}] if vpcs else None
    if in_vpcs:
        found += [("subnet", s["SubnetId"]) for s in ec2.describe_subnets(Filters=in_vpcs)["Subnets"]]
        found += [("route-table", r["RouteTableId"]) for r in ec2.describe_route_tables(Filters=in_vpcs)["RouteTables"]
                  if not any(a.get("Main") for a in r.get("Associations", []))]
        found += [("security-group", g["GroupId"]) for g in ec2.describe_security_groups(Filters=in_vpcs)["SecurityGroups"]
                  if g["GroupName"] != "default"]
        found += [("network-interface", n["NetworkInterfaceId"]) for n in ec2.describe_network_interfaces(Filters=in_vpcs)["NetworkInterfaces"]
                  if ours(n.get("TagSet"), deployment)]
    found += [("internet-gateway", i["InternetGatewayId"]) for i in ec2.describe_internet_gateways()["InternetGateways"]
              if ours(i.get("Tags"), deployment)]
    found += [("nat-gateway", n["NatGatewayId"]) for n in ec2.describe_nat_gateways()["NatGateways"]
              if ours(n.get("Tags"), deployment) and n["State"] in ("pending", "available")]
    found += [("elastic-ip", a["AllocationId"]) for a in ec2.describe_addresses()["Addresses"] if ours(a.get("Tags"), deployment)]
    found += [("vpc-endpoint", e["VpcEndpointId"]) for e in ec2.describe_vpc_endpoints()["VpcEndpoints"]
              if e["State"].lower() not in ("deleted", "deleting") and (e["VpcId"] in vpcs or ours(e.get("Tags"), deployment))]
    found += [("vpc-peering", p["VpcPeeringConnectionId"]) for p in ec2.describe_vpc_peering_connections()["VpcPeeringConnections"]
              if ours(p.get("Tags"), deployment) and p["Status"]["Code"] not in ("deleted", "rejected", "failed")]
    found += [("endpoint-service", c["ServiceId"]) for c in ec2.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"]
              if ours(c.get("Tags"), deployment)]
    elb = aws_client("elbv2")
    for kind, items, key in (("load-balancer", elb.describe_load_balancers()["LoadBalancers"], "LoadBalancerArn"),
                             ("target-group", elb.describe_target_groups()["TargetGroups"], "TargetGroupArn")):
        for item in items:
            if ours(elb.describe_tags(ResourceArns=[item[key]])["TagDescriptions"][0]["Tags"], deployment):
                found.append((kind, item[key]))
    route53 = aws_client("route53")
    for zone in route53.list_hosted_zones()["HostedZones"]:
        zone_id = zone["Id"].split("/")[-1]
        if ours(route53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=zone_id)["ResourceTagSet"]["Tags"], deployment):
            found.append(("hosted-zone", zone_id))
    return found


def storage_plane_resources(aws_client, deployment):
    """EFS and its access points by tag; DataSync by type (moto has no DataSync tag API)."""
    efs = aws_client("efs")
    found = []
    for fs in efs.describe_file_systems()["FileSystems"]:
        if ours(fs.get("Tags"), deployment):
            found.append(("efs", fs["FileSystemId"]))
            found += [("efs-access-point", ap["AccessPointId"])
                      for ap in efs.describe_access_points(FileSystemId=fs["FileSystemId"])["AccessPoints"]]
    iam = aws_client("iam")
    found += [("iam-role", r["RoleName"]) for r in iam.list_roles()["Roles"]
              if r["RoleName"].startswith(deployment + "-") and ours(iam.list_role_tags(RoleName=r["RoleName"])["Tags"], deployment)]
    logs = aws_client("logs")
    found += [("log-group", g["logGroupName"]) for g in logs.describe_log_groups()["logGroups"]
              if logs.list_tags_log_group(logGroupName=g["logGroupName"]).get("tags", {}).get(TAG_KEY) == deployment]
    datasync = aws_client("datasync")
    tasks = [t for t in datasync.list_tasks()["Tasks"] if t["Name"].startswith(deployment + "-")]
    found += [("datasync-task", t["Name"]) for t in tasks]
    bucket = "s3://%s-images-" % deployment
    found += [("datasync-location", loc["LocationArn"]) for loc in datasync.list_locations()["Locations"]
              if loc["LocationUri"].startswith(bucket)
              or any(loc["LocationArn"] == datasync.describe_task(TaskArn=t["TaskArn"])["DestinationLocationArn"] for t in tasks)]
    return found


def service_resources(aws_client, deployment):
    """ECS by tag (task definitions: the active revisions of the deployment's families), the
    certificate and the user pool by tag."""
    ecs = aws_client("ecs")
    found = []
    arns = ecs.list_clusters()["clusterArns"]
    clusters = ecs.describe_clusters(clusters=arns, include=["TAGS"])["clusters"] if arns else []
    for cluster in clusters:
        if cluster["status"] == "ACTIVE" and ours([{"Key": t["key"], "Value": t["value"]} for t in cluster.get("tags", [])], deployment):
            found.append(("ecs-cluster", cluster["clusterName"]))
            services = ecs.list_services(cluster=cluster["clusterArn"])["serviceArns"]
            for service in ecs.describe_services(cluster=cluster["clusterArn"], services=services, include=["TAGS"])["services"] if services else []:
                if service["status"] != "INACTIVE" and ours([{"Key": t["key"], "Value": t["value"]} for t in service.get("tags", [])], deployment):
                    found.append(("ecs-service", service["serviceName"]))
    found += [("ecs-task-definition", arn.split("/")[-1]) for arn in ecs.list_task_definitions(status="ACTIVE")["taskDefinitionArns"]
              if arn.split("/")[-1].startswith(deployment + "-")]
    acm = aws_client("acm")
    found += [("acm-certificate", c["CertificateArn"]) for c in acm.list_certificates()["CertificateSummaryList"]
              if ours(acm.list_tags_for_certificate(CertificateArn=c["CertificateArn"]).get("Tags"), deployment)]
    cognito = aws_client("cognito-idp")
    for pool in cognito.list_user_pools(MaxResults=60)["UserPools"]:
        tags = cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"].get("UserPoolTags", {})
        if tags.get(TAG_KEY) == deployment:
            found.append(("cognito-user-pool", pool["Name"]))
    return found


def host_resources(aws_client, deployment):
    """Instances that still exist (not terminated), and instance profiles, by tag."""
    found = []
    for reservation in aws_client("ec2").describe_instances()["Reservations"]:
        found += [("ec2-instance", i["InstanceId"]) for i in reservation["Instances"]
                  if ours(i.get("Tags"), deployment) and i["State"]["Name"] not in ("shutting-down", "terminated")]
    iam = aws_client("iam")
    for profile in iam.list_instance_profiles()["InstanceProfiles"]:
        name = profile["InstanceProfileName"]
        if ours(iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"].get("Tags"), deployment):
            found.append(("instance-profile", name))
    return found


def alert_resources(aws_client, deployment):
    """The topics and schedule groups by tag (a group's schedules go with it), the alarms by name (<deployment>/...)."""
    sns = aws_client("sns")
    found = [("sns-topic", t["TopicArn"]) for t in sns.list_topics()["Topics"]
             if ours(sns.list_tags_for_resource(ResourceArn=t["TopicArn"])["Tags"], deployment)]
    found += [("cloudwatch-alarm", a["AlarmName"]) for a in aws_client("cloudwatch").describe_alarms(AlarmNamePrefix=deployment + "/")["MetricAlarms"]]
    scheduler = aws_client("scheduler")
    found += [("schedule-group", g["Name"]) for g in scheduler.list_schedule_groups()["ScheduleGroups"]
              if g["Name"] != "default" and ours(scheduler.list_tags_for_resource(ResourceArn=g["Arn"])["Tags"], deployment)]
    return found


def by_type(found):
    return dict(Counter(item[0] for item in found))


def running_instances(aws_client, deployment):
    """The deployment's running instances by the node they run (tag dicoogle:node; the default nodes
    are named after their site, dicoogle:role)."""
    found = {}
    for reservation in aws_client("ec2").describe_instances(Filters=[{"Name": "tag:" + TAG_KEY, "Values": [deployment]}])["Reservations"]:
        for instance in reservation["Instances"]:
            if instance["State"]["Name"] == "running":
                tags = as_dict(instance["Tags"])
                found[tags.get("dicoogle:node", tags["dicoogle:role"])] = instance
    return found
