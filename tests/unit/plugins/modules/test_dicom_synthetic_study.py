from __future__ import annotations

import shutil
import subprocess

import pydicom
import pytest

from ansible_collections.dicoogle.aws.plugins.modules import dicom_synthetic_study


def test_default_is_the_blogs_two_instance_study(tmp_path, run_module):
    result = run_module(dicom_synthetic_study, {"dest": str(tmp_path)})
    assert result["changed"] is True
    assert len(result["files"]) == 2 and len(result["series_instance_uids"]) == 1
    datasets = [pydicom.dcmread(path) for path in result["files"]]
    assert {ds.StudyInstanceUID for ds in datasets} == {result["study_instance_uid"]}
    assert {ds.SeriesInstanceUID for ds in datasets} == set(result["series_instance_uids"])
    assert [ds.SOPInstanceUID for ds in datasets] == result["sop_instance_uids"] and len(set(result["sop_instance_uids"])) == 2
    assert [ds.InstanceNumber for ds in datasets] == [1, 2]
    assert datasets[0].PatientID == "SYNTHETIC-1" and datasets[0].Rows == 64
    assert all(len(ds.SOPInstanceUID) <= 64 and ds.SOPInstanceUID.startswith("1.2.826.0.1.3680043.8.498.") for ds in datasets)


def test_same_seed_same_files_and_no_change(tmp_path, run_module):
    first = run_module(dicom_synthetic_study, {"dest": str(tmp_path / "a")})
    again = run_module(dicom_synthetic_study, {"dest": str(tmp_path / "a")})
    other_place = run_module(dicom_synthetic_study, {"dest": str(tmp_path / "b")})
    assert again["changed"] is False
    assert other_place["study_instance_uid"] == first["study_instance_uid"]
    for a, b in zip(first["files"], other_place["files"]):
        assert open(a, "rb").read() == open(b, "rb").read()


def test_another_seed_gives_other_uids(tmp_path, run_module):
    a = run_module(dicom_synthetic_study, {"dest": str(tmp_path / "a")})
    b = run_module(dicom_synthetic_study, {"dest": str(tmp_path / "b"), "seed": "other"})
    assert a["study_instance_uid"] != b["study_instance_uid"]


def test_count_and_size_are_configurable(tmp_path, run_module):
    result = run_module(dicom_synthetic_study, {"dest": str(tmp_path), "series": 2, "instances": 3, "rows": 128, "columns": 100})
    assert len(result["files"]) == 6 and len(result["series_instance_uids"]) == 2
    assert result["bytes"] > 6 * 128 * 100
    last = pydicom.dcmread(result["files"][-1])
    assert (last.Rows, last.Columns, len(last.PixelData)) == (128, 100, 128 * 100)


def test_check_mode_writes_nothing(tmp_path, run_module):
    result = run_module(dicom_synthetic_study, {"dest": str(tmp_path / "s")}, check_mode=True)
    assert result["changed"] is True and not (tmp_path / "s").exists()


def test_out_of_range_count_is_named(tmp_path, run_module):
    result = run_module(dicom_synthetic_study, {"dest": str(tmp_path), "instances": 0})
    assert result["failed"] is True and "instances must be" in result["msg"]


@pytest.mark.skipif(shutil.which("dcmftest") is None, reason="dcmtk is installed by scripts/setup.sh")
def test_dcmtk_accepts_the_files(tmp_path, run_module):
    result = run_module(dicom_synthetic_study, {"dest": str(tmp_path)})
    check = subprocess.run(["dcmftest"] + result["files"], capture_output=True, text=True, check=False)
    assert check.returncode == 0 and check.stdout.count("yes:") == 2, check.stdout
