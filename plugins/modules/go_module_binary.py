#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: go_module_binary
short_description: Build a Go module's command at an exact version, statically, into a cache
version_added: 0.1.0
description:
  - Fetches one exact version of a Go module with C(go mod download) (checked against Go's checksum
    database, as the go command always does) and builds the command in that module's own directory,
    so that its dependencies are exactly those its C(go.sum) pins.
  - The binary is written to O(dest) with a recipe file beside it (O(dest) plus C(.build.json)) that holds
    the module, version, flags, the binary's sha256 and the module's checksum. A later run whose request
    matches the recipe, and whose binary still has that sha256, builds nothing and reports no change.
  - The binary is for O(goos)/O(goarch) (by default linux/amd64, what the collection's EC2 hosts and Fargate
    tasks run), checked in its ELF header; by default static (no shared C library), so it runs on any such
    host or image whatever the builder's C library.
  - Check mode reports whether a build would happen, after checking that the go command runs.
  - Fills a gap upstream. C(community.general.golang_package) (community.general 13.1 and later, newer
    than the collections this one is tested with) runs C(go install module@version), which asks the module
    proxy for the module's version list and fails where a proxy serves exact versions only; it also has no
    static or C(-ldflags) build and no cache keyed by the recipe.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
requirements:
  - Go 1.21 or newer on the host that runs the module (newer toolchains that a module asks for are fetched
    by the go command itself).
  - With O(cgo), a C compiler for the target (on a Linux amd64 controller building for linux/amd64, Debian's
    C(gcc)), and with O(static) the static C library too (Debian C(libc6-dev)).
options:
  module:
    description: The Go module's path.
    type: str
    required: true
  version:
    description: Exact version (a tag such as C(v1.8.4)); queries such as C(latest) are refused.
    type: str
    required: true
  package:
    description: The main package inside the module, C(.) or C(./path).
    type: str
    default: .
  dest:
    description: File the binary is written to; its directory is created.
    type: path
    required: true
  cgo:
    description: Build with cgo (C(CGO_ENABLED=1)).
    type: bool
    default: false
  static:
    description:
      - Link statically (with O(cgo), through the external linker with C(-static)); the build adds the
        C(netgo) and C(osusergo) tags. The module fails if the result still names a dynamic loader.
    type: bool
    default: true
  tags:
    description: Build tags.
    type: list
    elements: str
    default: []
  ldflags:
    description: Linker flags added after C(-s -w), for example C(-X main.version=v1.8.4).
    type: list
    elements: str
    default: []
  goos:
    description: Target operating system (C(GOOS)).
    type: str
    choices: [linux]
    default: linux
  goarch:
    description: Target architecture (C(GOARCH)).
    type: str
    choices: [amd64, arm64]
    default: amd64
  go:
    description: The go command; by default the one found on the PATH.
    type: path
"""

EXAMPLES = r"""
- name: Build ghostunnel v1.8.4 on the controller, once
  dicoogle.aws.go_module_binary:
    module: github.com/ghostunnel/ghostunnel
    version: v1.8.4
    dest: ~/.cache/dicoogle.aws/ghostunnel/v1.8.4/ghostunnel
    cgo: true
    ldflags: ["-X main.version=v1.8.4"]
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
path:
  description: The binary.
  returned: always
  type: str
sha256:
  description: The binary's sha256.
  returned: success, not in check mode when a build would happen
  type: str
module_sum:
  description: The module version's checksum (C(h1:...)), as Go's checksum database vouches for it.
  returned: success, not in check mode when a build would happen
  type: str
  sample: h1:vC35ek8ii/fcEJUoxFhAQIKqBZi3FTDsU58X+lToOSQ=
go_version:
  description: What C(go version) printed for the build.
  returned: always
  type: str
static:
  description: Whether the binary has no dynamic loader.
  returned: success, not in check mode when a build would happen
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.dicoogle.aws.plugins.module_utils.go_build import ARGUMENT_SPEC
from ansible_collections.dicoogle.aws.plugins.module_utils.go_build import GoBuildError
from ansible_collections.dicoogle.aws.plugins.module_utils.go_build import check
from ansible_collections.dicoogle.aws.plugins.module_utils.go_build import ensure


def main():
    module = AnsibleModule(argument_spec=dict(ARGUMENT_SPEC), supports_check_mode=True)
    errors = check(module.params)
    if errors:
        module.fail_json(msg="; ".join(errors))
    try:
        result = ensure(module, module.params)
    except GoBuildError as e:
        module.fail_json(msg=str(e))
    except OSError as e:
        module.fail_json(msg="building %s %s into %s: %s" % (module.params["module"], module.params["version"], module.params["dest"], e))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
