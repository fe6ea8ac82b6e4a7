"""ecs_tags: the tags of several ECS resources, each its own, in one call."""

from __future__ import annotations

from ansible_collections.dicoogle.aws.plugins.modules import ecs_tags


def tags_of(aws, arn):
    return {t["key"]: t["value"] for t in aws("ecs").list_tags_for_resource(resourceArn=arn)["tags"]}


def cluster_and_task_definition(aws):
    ecs = aws("ecs")
    cluster = ecs.create_cluster(clusterName="unit", tags=[{"key": "owner", "value": "someone"}])["cluster"]["clusterArn"]
    taskdef = ecs.register_task_definition(family="unit", containerDefinitions=[{"name": "c", "image": "busybox", "memory": 64}])
    return cluster, taskdef["taskDefinition"]["taskDefinitionArn"]


def test_each_resource_gets_its_own_tags_once(aws, run_module, sent):
    cluster, taskdef = cluster_and_task_definition(aws)
    wanted = [{"resource": cluster, "tags": {"deployment": "unit", "site": "pacs"}},
              {"resource": taskdef, "tags": {"deployment": "unit"}}]
    preview = run_module(ecs_tags, {"resources": wanted}, check_mode=True)
    assert preview["changed"] is True and tags_of(aws, taskdef) == {}
    assert preview["diff"]["after"][taskdef] == {"deployment": "unit"}
    first = run_module(ecs_tags, {"resources": wanted})
    assert first["changed"] is True
    assert tags_of(aws, cluster) == {"owner": "someone", "deployment": "unit", "site": "pacs"}  # purge_tags is false by default
    assert tags_of(aws, taskdef) == {"deployment": "unit"}
    calls = len(sent)
    again = run_module(ecs_tags, {"resources": wanted})
    assert again["changed"] is False
    assert [name for name, _params in sent[calls:]] == ["ListTagsForResource", "ListTagsForResource"]
    purged = run_module(ecs_tags, {"resources": [{"resource": cluster, "tags": {"site": "storage"}}], "purge_tags": True})
    assert purged["changed"] is True and tags_of(aws, cluster) == {"site": "storage"}
    assert purged["resources"] == [{"resource": cluster, "tags": {"site": "storage"}}]


def test_a_resource_listed_twice_or_unknown_is_refused_before_any_change(aws, run_module):
    cluster, taskdef = cluster_and_task_definition(aws)
    twice = run_module(ecs_tags, {"resources": [{"resource": taskdef, "tags": {"a": "1"}}, {"resource": taskdef, "tags": {"a": "2"}}]})
    assert twice["failed"] is True and "twice" in twice["msg"]
    gone = cluster.replace("cluster/unit", "cluster/gone")
    unknown = run_module(ecs_tags, {"resources": [{"resource": taskdef, "tags": {"a": "1"}}, {"resource": gone, "tags": {"a": "1"}}]})
    assert unknown["failed"] is True and unknown["msg"].startswith("Failed to read the tags of %s: " % gone)
    assert tags_of(aws, taskdef) == {}
