#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: dicom_synthetic_study
short_description: Write a synthetic DICOM study with deterministic UIDs (no patient data)
version_added: 0.1.0
description:
  - Writes one study of Secondary Capture instances with pydicom, for tests and benchmarks.
    Every UID derives from O(seed), so the same options always give the same files and a second
    run reports no change.
  - The default is the two-instance study of the sample's blog (one patient, one study, one
    series, two instances).
  - Files are named C(<series>/<instance>.dcm) under O(dest).
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
requirements:
  - pydicom 3
options:
  dest:
    description: Directory to write the study into (created if missing).
    type: path
    required: true
  seed:
    description: Seed of every UID and of the pixel pattern.
    type: str
    default: dicoogle-aws
  patient_id:
    description: Patient ID.
    type: str
    default: SYNTHETIC-1
  patient_name:
    description: Patient name (synthetic).
    type: str
    default: Synthetic^Patient
  series:
    description: Number of series.
    type: int
    default: 1
  instances:
    description: Instances a series.
    type: int
    default: 2
  rows:
    description: Image rows (instance size is about rows x columns bytes).
    type: int
    default: 64
  columns:
    description: Image columns.
    type: int
    default: 64
"""

EXAMPLES = r"""
- name: The blog's study, on the controller
  dicoogle.aws.dicom_synthetic_study:
    dest: /tmp/study
  delegate_to: localhost
  register: study

- name: A 100-instance study of 512x512 images for a benchmark
  dicoogle.aws.dicom_synthetic_study:
    dest: /tmp/bench
    seed: bench
    instances: 100
    rows: 512
    columns: 512
"""

RETURN = r"""
study_instance_uid:
  description: Study Instance UID.
  returned: always
  type: str
series_instance_uids:
  description: Series Instance UIDs, in order.
  returned: always
  type: list
  elements: str
sop_instance_uids:
  description: SOP Instance UIDs of the instances, in the order of RV(files).
  returned: always
  type: list
  elements: str
files:
  description: Paths of the instances, in order.
  returned: always
  type: list
  elements: str
bytes:
  description: Total size of the files.
  returned: always
  type: int
"""

import hashlib
import io
import os

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

try:
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, SecondaryCaptureImageStorage

    HAS_PYDICOM = True
except ImportError:
    HAS_PYDICOM = False

# pydicom's UID root for examples and tests; the rest of every UID derives from the seed.
UID_ROOT = "1.2.826.0.1.3680043.8.498."


def derived_uid(seed, *parts):
    digest = hashlib.sha256(("/".join([seed] + [str(p) for p in parts])).encode()).hexdigest()
    return (UID_ROOT + str(int(digest, 16)))[:64]


def build_instance(params, series_number, instance_number):
    seed = params["seed"]
    study_uid = derived_uid(seed, "study")
    series_uid = derived_uid(seed, "series", series_number)
    sop_uid = derived_uid(seed, "instance", series_number, instance_number)

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
    meta.MediaStorageSOPInstanceUID = sop_uid
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = UID_ROOT + "1"

    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = SecondaryCaptureImageStorage
    ds.SOPInstanceUID = sop_uid
    ds.StudyInstanceUID = study_uid
    ds.SeriesInstanceUID = series_uid
    ds.PatientID = params["patient_id"]
    ds.PatientName = params["patient_name"]
    ds.PatientBirthDate = ""
    ds.PatientSex = "O"
    ds.StudyDate = "20260101"
    ds.StudyTime = "120000"
    ds.StudyID = "1"
    ds.AccessionNumber = ""
    ds.ReferringPhysicianName = ""
    ds.StudyDescription = "dicoogle.aws synthetic study"
    ds.Modality = "OT"
    ds.ConversionType = "SYN"
    ds.SeriesNumber = series_number
    ds.InstanceNumber = instance_number
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows = params["rows"]
    ds.Columns = params["columns"]
    ds.BitsAllocated = 8
    ds.BitsStored = 8
    ds.HighBit = 7
    ds.PixelRepresentation = 0
    shift = series_number * 31 + instance_number * 7
    ds.PixelData = bytes((x + y + shift) % 256 for y in range(params["rows"]) for x in range(params["columns"]))

    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return series_uid, sop_uid, buffer.getvalue()


def main():
    module = AnsibleModule(
        argument_spec=dict(
            dest=dict(type="path", required=True),
            seed=dict(type="str", default="dicoogle-aws"),
            patient_id=dict(type="str", default="SYNTHETIC-1"),
            patient_name=dict(type="str", default="Synthetic^Patient"),
            series=dict(type="int", default=1),
            instances=dict(type="int", default=2),
            rows=dict(type="int", default=64),
            columns=dict(type="int", default=64),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if not HAS_PYDICOM:
        module.fail_json(msg=missing_required_lib("pydicom"))
    for key, low, high in (("series", 1, 1000), ("instances", 1, 100000), ("rows", 1, 4096), ("columns", 1, 4096)):
        if not low <= params[key] <= high:
            module.fail_json(msg="%s must be %d-%d, got %d" % (key, low, high, params[key]))
    if len(params["patient_id"]) > 64:
        module.fail_json(msg="patient_id may have 64 characters at most")

    changed = False
    files, series_uids, sop_uids, total = [], [], [], 0
    for series_number in range(1, params["series"] + 1):
        for instance_number in range(1, params["instances"] + 1):
            series_uid, sop_uid, content = build_instance(params, series_number, instance_number)
            sop_uids.append(sop_uid)
            if instance_number == 1:
                series_uids.append(series_uid)
            path = os.path.join(params["dest"], "series-%03d" % series_number, "%05d.dcm" % instance_number)
            files.append(path)
            total += len(content)
            current = None
            if os.path.exists(path):
                with open(path, "rb") as handle:
                    current = handle.read()
            if current == content:
                continue
            changed = True
            if not module.check_mode:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "wb") as handle:
                    handle.write(content)

    module.exit_json(
        changed=changed,
        study_instance_uid=derived_uid(params["seed"], "study"),
        series_instance_uids=series_uids,
        sop_instance_uids=sop_uids,
        files=files,
        bytes=total,
    )


if __name__ == "__main__":
    main()
