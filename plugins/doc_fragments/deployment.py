# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Options of modules that find the resources of one deployment by its tag.
    DOCUMENTATION = r"""
options:
  deployment:
    description:
      - Name of the dicoogle.aws deployment (the play variable C(dicoogle_deployment)).
      - Resources belong to a deployment when their tag O(tag_key) has this value.
      - 1-24 lowercase letters, digits or dashes, starting with a letter.
    type: str
    required: true
  tag_key:
    description:
      - Tag key that carries the deployment name.
    type: str
    default: "dicoogle:deployment"
"""
