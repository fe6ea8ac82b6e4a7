# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Connection options of the modules that run dcmtk's network tools on the managed host.
    DOCUMENTATION = r"""
options:
  host:
    description: Host name or address of the DICOM peer.
    type: str
    required: true
  port:
    description: TCP port of the DICOM peer (1-65535).
    type: int
    required: true
  called_aet:
    description: AE title of the peer (1-16 characters).
    type: str
    default: ANY-SCP
  calling_aet:
    description: Our AE title (1-16 characters).
    type: str
    default: DICOOGLE-AWS
  timeout:
    description: Seconds to wait for the connection, the association and each DIMSE message.
    type: int
    default: 30
  tls:
    description:
      - Mutual TLS with the peer, with paths on the managed host. Without it the association is
        plain TCP, as through a local tunnel.
    type: dict
    suboptions:
      cert:
        description: Our certificate (PEM).
        type: path
        required: true
      key:
        description: Our private key (PEM).
        type: path
        required: true
      ca:
        description: CA certificate (PEM) the peer must chain to.
        type: path
        required: true
requirements:
  - dcmtk 3.6.7 or later on the managed host (the role C(dicoogle.aws.dcmtk) installs it).
notes:
  - A failure reports the DICOM status and the tool's own message.
"""

    # Options of the modules that query or retrieve (C-FIND, C-MOVE).
    QUERY = r"""
options:
  model:
    description: Query/retrieve information model.
    type: str
    choices: [study, patient]
    default: study
  level:
    description: Query/retrieve level.
    type: str
    choices: [PATIENT, STUDY, SERIES, IMAGE]
    default: STUDY
"""
