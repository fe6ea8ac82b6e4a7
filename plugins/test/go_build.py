# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether this controller can build a static cgo binary for a target (dicoogle.aws.go_module_binary
as the tunnel and images roles run it for ghostunnel): the roles' validation asks before any change."""

from __future__ import annotations

import platform
import shutil

# platform.machine() of the Linux hosts that can build each GOARCH without a cross compiler
NATIVE = {"amd64": ("x86_64", "amd64"), "arm64": ("aarch64", "arm64")}


def go_cgo_buildable(target):
    """True when `go` and `gcc` are on the PATH and this host is the target ("linux/amd64")."""
    goos, _sep, goarch = str(target).partition("/")
    native = platform.system().lower() == goos and platform.machine().lower() in NATIVE.get(goarch, ())
    return native and shutil.which("go") is not None and shutil.which("gcc") is not None


class TestModule:
    def tests(self):
        return {"go_cgo_buildable": go_cgo_buildable}
