"""ec2_vpc_subnets: a list of subnets converged in one call, as a loop over amazon.aws.ec2_vpc_subnet did."""

from __future__ import annotations

from ansible_collections.dicoogle.aws.plugins.modules import ec2_vpc_subnets

TAGS = {"dicoogle:deployment": "unit"}


def vpc(aws, cidr="10.0.0.0/16"):
    return aws("ec2").create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]


def subnets_of(aws, vpc_id):
    found = aws("ec2").describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    return {s["CidrBlock"]: s for s in found}


def layout(vpc_a, vpc_b):
    return [
        {"vpc_id": vpc_a, "cidr": "10.0.0.0/24", "az": "eu-west-1a", "tags": dict(TAGS, Name="a-public-a")},
        {"vpc_id": vpc_a, "cidr": "10.0.10.0/24", "az": "eu-west-1b", "tags": dict(TAGS, Name="a-private-b")},
        {"vpc_id": vpc_b, "cidr": "10.1.0.0/24", "az": "eu-west-1a", "map_public": True, "tags": dict(TAGS, Name="b-public-a")},
    ]


def test_creates_the_subnets_once_in_their_order(aws, run_module):
    a, b = vpc(aws), vpc(aws, "10.1.0.0/16")
    first = run_module(ec2_vpc_subnets, {"subnets": layout(a, b)})
    assert first["changed"] is True, first
    made = {**subnets_of(aws, a), **subnets_of(aws, b)}
    assert [s["cidr_block"] for s in first["subnets"]] == ["10.0.0.0/24", "10.0.10.0/24", "10.1.0.0/24"]
    assert [s["id"] for s in first["subnets"]] == [made[c]["SubnetId"] for c in ("10.0.0.0/24", "10.0.10.0/24", "10.1.0.0/24")]
    assert made["10.0.10.0/24"]["AvailabilityZone"] == "eu-west-1b" and first["subnets"][1]["availability_zone"] == "eu-west-1b"
    assert {t["Key"]: t["Value"] for t in made["10.1.0.0/24"]["Tags"]} == dict(TAGS, Name="b-public-a")
    assert made["10.1.0.0/24"]["MapPublicIpOnLaunch"] is True and made["10.0.0.0/24"]["MapPublicIpOnLaunch"] is False
    assert [s["state"] for s in first["subnets"]] == ["available"] * 3
    again = run_module(ec2_vpc_subnets, {"subnets": layout(a, b)})
    assert again["changed"] is False and again["subnets"] == first["subnets"]
    assert len(subnets_of(aws, a)) == 2 and len(subnets_of(aws, b)) == 1


def test_check_mode_reports_what_it_would_create_and_creates_nothing(aws, run_module):
    a, b = vpc(aws), vpc(aws, "10.1.0.0/16")
    run_module(ec2_vpc_subnets, {"subnets": layout(a, b)[:1]})
    check = run_module(ec2_vpc_subnets, {"subnets": layout(a, b)}, check_mode=True)
    assert check["changed"] is True
    assert "id" in check["subnets"][0] and "id" not in check["subnets"][1] and "id" not in check["subnets"][2]
    assert sorted(check["diff"]["after"]) == sorted("%s %s" % (s["vpc_id"], s["cidr"]) for s in layout(a, b))
    assert list(check["diff"]["before"]) == ["%s 10.0.0.0/24" % a]
    assert len(subnets_of(aws, a)) == 1 and subnets_of(aws, b) == {}


def test_tags_and_public_mapping_change_in_place(aws, run_module):
    a, b = vpc(aws), vpc(aws, "10.1.0.0/16")
    first = run_module(ec2_vpc_subnets, {"subnets": layout(a, b)})
    aws("ec2").create_tags(Resources=[first["subnets"][0]["id"]], Tags=[{"Key": "extra", "Value": "x"}])
    wanted = layout(a, b)
    wanted[2]["map_public"] = False
    check = run_module(ec2_vpc_subnets, {"subnets": wanted}, check_mode=True)
    assert check["changed"] is True and "extra" not in check["subnets"][0]["tags"]
    # check mode changed nothing
    assert "extra" in {t["Key"] for t in subnets_of(aws, a)["10.0.0.0/24"]["Tags"]}
    assert subnets_of(aws, b)["10.1.0.0/24"]["MapPublicIpOnLaunch"] is True
    kept = run_module(ec2_vpc_subnets, {"subnets": wanted, "purge_tags": False})
    assert "extra" in {t["Key"] for t in subnets_of(aws, a)["10.0.0.0/24"]["Tags"]}
    assert kept["changed"] is True and subnets_of(aws, b)["10.1.0.0/24"]["MapPublicIpOnLaunch"] is False
    purged = run_module(ec2_vpc_subnets, {"subnets": wanted})
    assert purged["changed"] is True and purged["subnets"][0]["tags"] == dict(TAGS, Name="a-public-a")
    assert {t["Key"]: t["Value"] for t in subnets_of(aws, a)["10.0.0.0/24"]["Tags"]} == dict(TAGS, Name="a-public-a")
    assert [s["id"] for s in purged["subnets"]] == [s["id"] for s in first["subnets"]]


def test_a_subnet_asked_in_another_zone_or_twice_is_refused_before_any_change(aws, run_module):
    a, b = vpc(aws), vpc(aws, "10.1.0.0/16")
    run_module(ec2_vpc_subnets, {"subnets": layout(a, b)[:1]})
    moved = layout(a, b)
    moved[0]["az"] = "eu-west-1c"
    result = run_module(ec2_vpc_subnets, {"subnets": moved})
    assert result["failed"] is True and "is in eu-west-1a, not eu-west-1c" in result["msg"]
    assert len(subnets_of(aws, a)) == 1 and subnets_of(aws, b) == {}
    twice = run_module(ec2_vpc_subnets, {"subnets": layout(a, b) + layout(a, b)[1:2]})
    assert twice["failed"] is True and "lists 10.0.10.0/24 in %s twice" % a in twice["msg"]
    assert len(subnets_of(aws, a)) == 1


def test_without_tags_a_subnets_tags_are_left_as_they_are(aws, run_module):
    a, b = vpc(aws), vpc(aws, "10.1.0.0/16")
    run_module(ec2_vpc_subnets, {"subnets": layout(a, b)})
    untagged = [{k: v for k, v in s.items() if k != "tags"} for s in layout(a, b)]
    again = run_module(ec2_vpc_subnets, {"subnets": untagged})
    assert again["changed"] is False and again["subnets"][0]["tags"] == dict(TAGS, Name="a-public-a")
    assert {t["Key"] for t in subnets_of(aws, a)["10.0.0.0/24"]["Tags"]} == {"dicoogle:deployment", "Name"}
