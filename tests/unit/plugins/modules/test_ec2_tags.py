"""ec2_tags: the tags of several EC2 resources, each its own, in one call."""

from __future__ import annotations

from ansible_collections.dicoogle.aws.plugins.modules import ec2_tags


def tags_of(aws, resource_id):
    found = aws("ec2").describe_tags(Filters=[{"Name": "resource-id", "Values": [resource_id]}])["Tags"]
    return {t["Key"]: t["Value"] for t in found}


def test_each_resource_gets_its_own_tags_once(aws, run_module):
    ec2 = aws("ec2")
    eips = [ec2.allocate_address(Domain="vpc")["AllocationId"] for _index in range(2)]
    ec2.create_tags(Resources=[eips[1]], Tags=[{"Key": "owner", "Value": "someone"}])
    wanted = [{"resource": eips[0], "tags": {"Name": "nat-a"}}, {"resource": eips[1], "tags": {"Name": "nat-b"}}]
    preview = run_module(ec2_tags, {"resources": wanted}, check_mode=True)
    assert preview["changed"] is True and tags_of(aws, eips[0]) == {}
    first = run_module(ec2_tags, {"resources": wanted})
    assert first["changed"] is True
    assert tags_of(aws, eips[0]) == {"Name": "nat-a"}
    assert tags_of(aws, eips[1]) == {"Name": "nat-b", "owner": "someone"}  # purge_tags is false by default
    assert run_module(ec2_tags, {"resources": wanted})["changed"] is False
    purged = run_module(ec2_tags, {"resources": wanted, "purge_tags": True})
    assert purged["changed"] is True and tags_of(aws, eips[1]) == {"Name": "nat-b"}
    assert purged["resources"][1] == {"resource": eips[1], "tags": {"Name": "nat-b"}}


def test_a_resource_listed_twice_is_refused(aws, run_module):
    eip = aws("ec2").allocate_address(Domain="vpc")["AllocationId"]
    result = run_module(ec2_tags, {"resources": [{"resource": eip, "tags": {"a": "1"}}, {"resource": eip, "tags": {"a": "2"}}]})
    assert result["failed"] is True and "twice" in result["msg"]
    assert tags_of(aws, eip) == {}
