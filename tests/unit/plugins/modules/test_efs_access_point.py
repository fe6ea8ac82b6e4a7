from __future__ import annotations

from ansible_collections.dicoogle.aws.plugins.modules import efs_access_point

TAGS = {"dicoogle:deployment": "unit"}


def file_system(aws):
    return aws("efs").create_file_system(CreationToken="unit", Encrypted=True)["FileSystemId"]


def images(fs, **extra):
    args = {"file_system_id": fs, "name": "images", "path": "/images", "owner_uid": 1001, "owner_gid": 1001,
            "permissions": "0750", "posix_uid": 1001, "posix_gid": 1001, "tags": TAGS}
    args.update(extra)
    return args


def listed(aws, fs):
    return aws("efs").describe_access_points(FileSystemId=fs)["AccessPoints"]


def test_creates_the_access_point_with_owner_user_and_tags(aws, run_module):
    fs = file_system(aws)
    result = run_module(efs_access_point, images(fs))
    assert result["changed"] is True
    [ap] = listed(aws, fs)
    assert ap["RootDirectory"] == {"Path": "/images", "CreationInfo": {"OwnerUid": 1001, "OwnerGid": 1001, "Permissions": "0750"}}
    assert ap["PosixUser"]["Uid"] == 1001 and ap["PosixUser"]["Gid"] == 1001
    tags = {t["Key"]: t["Value"] for t in aws("efs").list_tags_for_resource(ResourceId=ap["AccessPointId"])["Tags"]}
    assert tags == dict(TAGS, Name="images")
    assert result["access_point"]["access_point_id"] == ap["AccessPointId"]
    assert result["access_point"]["tags"] == dict(TAGS, Name="images")


def test_second_run_finds_it_by_name_and_changes_nothing(aws, run_module):
    fs = file_system(aws)
    run_module(efs_access_point, images(fs))
    again = run_module(efs_access_point, images(fs))
    assert again["changed"] is False
    assert len(listed(aws, fs)) == 1


def test_check_mode_reports_a_change_and_makes_none(aws, run_module):
    fs = file_system(aws)
    result = run_module(efs_access_point, images(fs), check_mode=True)
    assert result["changed"] is True and listed(aws, fs) == []
    run_module(efs_access_point, images(fs))
    retag = run_module(efs_access_point, images(fs, tags={"owner": "pacs"}), check_mode=True)
    assert retag["changed"] is True
    ap = listed(aws, fs)[0]
    tags = {t["Key"]: t["Value"] for t in aws("efs").list_tags_for_resource(ResourceId=ap["AccessPointId"])["Tags"]}
    assert tags == dict(TAGS, Name="images")
    gone = run_module(efs_access_point, images(fs, state="absent"), check_mode=True)
    assert gone["changed"] is True and len(listed(aws, fs)) == 1


def test_tags_are_updated_in_place_and_the_name_is_kept(aws, run_module):
    fs = file_system(aws)
    first = run_module(efs_access_point, images(fs))
    result = run_module(efs_access_point, images(fs, tags={"owner": "pacs"}))
    assert result["changed"] is True
    assert result["access_point"]["access_point_id"] == first["access_point"]["access_point_id"]
    tags = {t["Key"]: t["Value"] for t in aws("efs").list_tags_for_resource(ResourceId=result["access_point"]["access_point_id"])["Tags"]}
    assert tags == {"owner": "pacs", "Name": "images"}
    assert result["diff"]["before"]["tags"] != result["diff"]["after"]["tags"]


def test_a_changed_root_directory_is_refused_not_replaced(aws, run_module):
    fs = file_system(aws)
    run_module(efs_access_point, images(fs))
    result = run_module(efs_access_point, images(fs, path="/other"))
    assert result["failed"] is True and "path" in result["msg"] and "state=absent" in result["msg"]
    assert [ap["RootDirectory"]["Path"] for ap in listed(aws, fs)] == ["/images"]


def test_absent_deletes_it_and_then_changes_nothing(aws, run_module):
    fs = file_system(aws)
    run_module(efs_access_point, images(fs))
    gone = run_module(efs_access_point, images(fs, state="absent"))
    assert gone["changed"] is True and listed(aws, fs) == []
    assert run_module(efs_access_point, images(fs, state="absent"))["changed"] is False


def test_bad_input_is_named_before_any_call(aws, run_module):
    fs = file_system(aws)
    for extra, named in (({"path": "images"}, "path"), ({"permissions": "rwx"}, "permissions"),
                         ({"name": "no spaces"}, "name"), ({"file_system_id": "vol-1"}, "file_system_id")):
        result = run_module(efs_access_point, images(fs, **extra))
        assert result["failed"] is True and named in result["msg"], result
    missing = run_module(efs_access_point, {"file_system_id": fs, "name": "x", "owner_uid": 1})
    assert missing["failed"] is True and "owner_gid" in missing["msg"]
    assert listed(aws, fs) == []
