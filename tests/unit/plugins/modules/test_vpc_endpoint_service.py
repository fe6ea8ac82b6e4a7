from __future__ import annotations

from ansible_collections.dicoogle.aws.plugins.modules import vpc_endpoint_service

TAGS = {"dicoogle:deployment": "unit"}
ACCOUNT = "arn:aws:iam::123456789012:root"


def nlb(aws, name="nlb"):
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="eu-west-1a")["Subnet"]["SubnetId"]
    return aws("elbv2").create_load_balancer(Name=name, Subnets=[subnet], Type="network", Scheme="internal")["LoadBalancers"][0]["LoadBalancerArn"]


def services(aws):
    return aws("ec2").describe_vpc_endpoint_service_configurations()["ServiceConfigurations"]


def test_creates_the_service_with_acceptance_principals_and_tags(aws, run_module):
    arn = nlb(aws)
    result = run_module(vpc_endpoint_service, {"name": "pacs", "network_load_balancer_arns": [arn],
                                               "acceptance_required": False, "allowed_principals": [ACCOUNT], "tags": TAGS})
    assert result["changed"] is True
    [service] = services(aws)
    assert service["NetworkLoadBalancerArns"] == [arn] and service["AcceptanceRequired"] is False
    assert {t["Key"]: t["Value"] for t in service["Tags"]} == dict(TAGS, Name="pacs")
    allowed = aws("ec2").describe_vpc_endpoint_service_permissions(ServiceId=service["ServiceId"])["AllowedPrincipals"]
    assert [p["Principal"] for p in allowed] == [ACCOUNT]
    assert result["service"]["service_name"] == service["ServiceName"]
    assert result["service"]["allowed_principals"] == [ACCOUNT]


def test_second_run_changes_nothing(aws, run_module):
    args = {"name": "pacs", "network_load_balancer_arns": [nlb(aws)], "allowed_principals": [ACCOUNT], "tags": TAGS}
    run_module(vpc_endpoint_service, args)
    assert run_module(vpc_endpoint_service, args)["changed"] is False
    assert len(services(aws)) == 1


def test_check_mode_reports_changes_and_makes_none(aws, run_module):
    args = {"name": "pacs", "network_load_balancer_arns": [nlb(aws)], "tags": TAGS}
    assert run_module(vpc_endpoint_service, args, check_mode=True)["changed"] is True
    assert services(aws) == []
    run_module(vpc_endpoint_service, args)
    flip = run_module(vpc_endpoint_service, dict(args, acceptance_required=False, allowed_principals=[ACCOUNT]), check_mode=True)
    assert flip["changed"] is True
    [service] = services(aws)
    assert service["AcceptanceRequired"] is True
    assert aws("ec2").describe_vpc_endpoint_service_permissions(ServiceId=service["ServiceId"])["AllowedPrincipals"] == []
    assert run_module(vpc_endpoint_service, dict(args, state="absent"), check_mode=True)["changed"] is True
    assert len(services(aws)) == 1


def test_updates_in_place(aws, run_module):
    args = {"name": "pacs", "network_load_balancer_arns": [nlb(aws)], "allowed_principals": [ACCOUNT], "tags": TAGS}
    first = run_module(vpc_endpoint_service, args)
    other = "arn:aws:iam::210987654321:root"
    result = run_module(vpc_endpoint_service, dict(args, acceptance_required=False, allowed_principals=[other], tags={"owner": "pacs"}))
    assert result["changed"] is True
    [service] = services(aws)
    assert service["ServiceId"] == first["service"]["service_id"] and service["AcceptanceRequired"] is False
    assert result["service"]["allowed_principals"] == [other]
    assert result["service"]["tags"] == {"owner": "pacs", "Name": "pacs"}


def test_absent_deletes_it_then_changes_nothing(aws, run_module):
    run_module(vpc_endpoint_service, {"name": "pacs", "network_load_balancer_arns": [nlb(aws)]})
    gone = run_module(vpc_endpoint_service, {"name": "pacs", "state": "absent"})
    assert gone["changed"] is True and services(aws) == [] and gone["service"] == {}
    assert run_module(vpc_endpoint_service, {"name": "pacs", "state": "absent"})["changed"] is False


def test_bad_input_is_named_before_any_change(aws, run_module):
    arn = nlb(aws)
    for args, named in (({"name": "pacs", "network_load_balancer_arns": ["nlb-1"]}, "network_load_balancer_arns"),
                        ({"name": "pacs", "network_load_balancer_arns": [arn], "allowed_principals": ["everyone"]}, "allowed_principals"),
                        ({"name": "pacs"}, "network_load_balancer_arns")):
        result = run_module(vpc_endpoint_service, args)
        assert result["failed"] is True and named in result["msg"], result
    assert services(aws) == []
