"""route53_zone_purge: the hosted zones of a name (of one kind, with one comment) with every record in them."""

from __future__ import annotations

from ansible_collections.dicoogle.aws.plugins.modules import route53_zone_purge

DOMAIN = "dicoogle.internal"


def zone(aws, vpc=None, comment="d private names", name=DOMAIN):
    route53 = aws("route53")
    params = {"Name": name, "CallerReference": "%s-%s-%s" % (name, comment, vpc), "HostedZoneConfig": {"Comment": comment, "PrivateZone": bool(vpc)}}
    if vpc:
        params["VPC"] = {"VPCRegion": "eu-west-1", "VPCId": vpc}
    return route53.create_hosted_zone(**params)["HostedZone"]["Id"].split("/")[-1]


def add(aws, zone_id, name, kind, value):
    aws("route53").change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": {
        "Name": name, "Type": kind, "TTL": 60, "ResourceRecords": [{"Value": value}]}}]})


def zone_ids(aws):
    return sorted(z["Id"].split("/")[-1] for z in aws("route53").list_hosted_zones()["HostedZones"])


def test_the_private_zone_of_the_comment_goes_with_its_records_once(aws, run_module):
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.10.0.0/16")["Vpc"]["VpcId"]
    other_vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    ours = zone(aws, vpc)
    aws("route53").associate_vpc_with_hosted_zone(HostedZoneId=ours, VPC={"VPCRegion": "eu-west-1", "VPCId": other_vpc})
    add(aws, ours, "storage." + DOMAIN, "A", "10.30.1.10")
    add(aws, ours, "pacs." + DOMAIN, "CNAME", "vpce-1.example.com")
    theirs = zone(aws, other_vpc, comment="someone else's names")
    public = zone(aws, comment="d private names")
    unrelated = zone(aws, vpc, name="other.internal")
    args = {"name": DOMAIN + ".", "private_zone": True, "comment": "d private names"}

    preview = run_module(route53_zone_purge, args, check_mode=True)
    assert preview["changed"] is True
    assert [(z["id"], z["private_zone"], sorted(z["records"])) for z in preview["hosted_zones"]] == [
        (ours, True, ["pacs.dicoogle.internal. CNAME", "storage.dicoogle.internal. A"])]
    assert ours in zone_ids(aws)

    purged = run_module(route53_zone_purge, args)
    assert purged["changed"] is True and [z["id"] for z in purged["hosted_zones"]] == [ours]
    assert purged["hosted_zones"][0]["name"] == DOMAIN + "." and purged["hosted_zones"][0]["comment"] == "d private names"
    assert zone_ids(aws) == sorted([theirs, public, unrelated])

    again = run_module(route53_zone_purge, args)
    assert again["changed"] is False and again["hosted_zones"] == []


def test_without_a_comment_every_zone_of_the_name_and_kind_goes(aws, run_module):
    first, second = zone(aws, comment="one"), zone(aws, comment="two")
    add(aws, first, "www." + DOMAIN, "A", "192.0.2.1")
    vpc = aws("ec2").create_vpc(CidrBlock="10.10.0.0/16")["Vpc"]["VpcId"]
    private = zone(aws, vpc)
    purged = run_module(route53_zone_purge, {"name": DOMAIN.upper()})
    assert purged["changed"] is True and sorted(z["id"] for z in purged["hosted_zones"]) == sorted([first, second])
    assert zone_ids(aws) == [private]
