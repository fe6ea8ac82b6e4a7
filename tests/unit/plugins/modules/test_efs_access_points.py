"""efs_access_points: the access points of a file system, each found by its name, in one call."""

from __future__ import annotations

from ansible_collections.dicoogle.aws.plugins.modules import efs_access_points

TAGS = {"dicoogle:deployment": "unit"}


def file_system(aws):
    return aws("efs").create_file_system(CreationToken="unit", Encrypted=True)["FileSystemId"]


def point(name="images", **extra):
    args = {"name": name, "path": "/" + name, "owner_uid": 1001, "owner_gid": 1001, "permissions": "0750",
            "posix_uid": 1001, "posix_gid": 1001, "tags": TAGS}
    args.update(extra)
    return args


def points(fs, *wanted, **extra):
    return dict({"file_system_id": fs, "access_points": list(wanted) or [point()]}, **extra)


def listed(aws, fs):
    return aws("efs").describe_access_points(FileSystemId=fs)["AccessPoints"]


def tags_of(aws, point_id):
    return {t["Key"]: t["Value"] for t in aws("efs").list_tags_for_resource(ResourceId=point_id)["Tags"]}


def test_creates_each_access_point_with_owner_user_and_tags(aws, run_module):
    fs = file_system(aws)
    result = run_module(efs_access_points, points(fs, point("images"), point("index")))
    assert result["changed"] is True
    found = {tags_of(aws, ap["AccessPointId"])["Name"]: ap for ap in listed(aws, fs)}
    assert sorted(found) == ["images", "index"]
    ap = found["images"]
    assert ap["RootDirectory"] == {"Path": "/images", "CreationInfo": {"OwnerUid": 1001, "OwnerGid": 1001, "Permissions": "0750"}}
    assert ap["PosixUser"]["Uid"] == 1001 and ap["PosixUser"]["Gid"] == 1001
    assert tags_of(aws, ap["AccessPointId"]) == dict(TAGS, Name="images")
    assert [r["access_point_id"] for r in result["access_points"]] == [found["images"]["AccessPointId"], found["index"]["AccessPointId"]]
    assert result["access_points"][0]["tags"] == dict(TAGS, Name="images")


def test_second_run_finds_them_by_name_and_changes_nothing(aws, run_module):
    fs = file_system(aws)
    first = run_module(efs_access_points, points(fs, point("images"), point("index")))
    again = run_module(efs_access_points, points(fs, point("images"), point("index")))
    assert again["changed"] is False
    assert len(listed(aws, fs)) == 2
    assert [r["access_point_id"] for r in again["access_points"]] == [r["access_point_id"] for r in first["access_points"]]


def test_check_mode_reports_a_change_and_makes_none(aws, run_module):
    fs = file_system(aws)
    result = run_module(efs_access_points, points(fs), check_mode=True)
    assert result["changed"] is True and listed(aws, fs) == [] and result["access_points"] == [{}]
    run_module(efs_access_points, points(fs))
    retag = run_module(efs_access_points, points(fs, point(tags={"owner": "pacs"})), check_mode=True)
    assert retag["changed"] is True
    assert tags_of(aws, listed(aws, fs)[0]["AccessPointId"]) == dict(TAGS, Name="images")
    gone = run_module(efs_access_points, points(fs, state="absent"), check_mode=True)
    assert gone["changed"] is True and len(listed(aws, fs)) == 1


def test_tags_are_updated_in_place_and_the_name_is_kept(aws, run_module):
    fs = file_system(aws)
    first = run_module(efs_access_points, points(fs))
    result = run_module(efs_access_points, dict(points(fs, point(tags={"owner": "pacs"})), _ansible_diff=True))
    assert result["changed"] is True
    point_id = result["access_points"][0]["access_point_id"]
    assert point_id == first["access_points"][0]["access_point_id"]
    assert tags_of(aws, point_id) == {"owner": "pacs", "Name": "images"}
    assert result["diff"]["before"]["images"]["tags"] != result["diff"]["after"]["images"]["tags"]


def test_a_changed_root_directory_is_refused_not_replaced(aws, run_module):
    fs = file_system(aws)
    run_module(efs_access_points, points(fs))
    result = run_module(efs_access_points, points(fs, point(path="/other")))
    assert result["failed"] is True and "path" in result["msg"] and "state=absent" in result["msg"]
    assert [ap["RootDirectory"]["Path"] for ap in listed(aws, fs)] == ["/images"]


def test_absent_deletes_them_and_then_changes_nothing(aws, run_module):
    fs = file_system(aws)
    run_module(efs_access_points, points(fs, point("images"), point("index")))
    gone = run_module(efs_access_points, points(fs, point("images"), point("index"), state="absent"))
    assert gone["changed"] is True and listed(aws, fs) == []
    assert run_module(efs_access_points, points(fs, point("images"), state="absent"))["changed"] is False


def test_every_bad_input_is_named_before_any_call(aws, run_module):
    fs = file_system(aws)
    for extra, named in (({"path": "images"}, "access_points[0].path"), ({"permissions": "rwx"}, "access_points[0].permissions"),
                         ({"name": "no spaces"}, "access_points[0].name")):
        result = run_module(efs_access_points, points(fs, point(**extra)))
        assert result["failed"] is True and named in result["msg"], result
    result = run_module(efs_access_points, points("vol-1", point(), point("images", path="x")))
    assert "file_system_id" in result["msg"] and "images twice" in result["msg"] and "access_points[1].path" in result["msg"], result
    missing = run_module(efs_access_points, points(fs, {"name": "x", "owner_uid": 1}))
    assert missing["failed"] is True and "owner_gid" in missing["msg"]
    assert listed(aws, fs) == []
