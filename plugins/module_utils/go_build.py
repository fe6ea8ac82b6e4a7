# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Building a Go module's command at an exact version, as its own go.sum pins it.

`go install module@version` asks the module proxy for the module's version list (to report a
deprecation), which a proxy or mirror may refuse; `go mod download module@version` fetches the one
version, checked against Go's checksum database, and the build then runs in that module's own
directory, so its dependencies are the ones its go.sum names. The result is cached: a binary whose
recipe file (<dest>.build.json) matches the request, and whose content matches the recipe's sha256,
is not built again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import struct
import tempfile

EXACT_VERSION = re.compile(r"^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+incompatible)?$")
MODULE_PATH = re.compile(r"^[a-z0-9.-]+\.[a-z]{2,}(/[A-Za-z0-9._~-]+)+$")
PT_INTERP = 3
# ELF e_machine of the Linux architectures a build may target
ELF_MACHINE = {"amd64": 62, "arm64": 183}

ARGUMENT_SPEC = dict(
    module=dict(type="str", required=True),
    version=dict(type="str", required=True),
    package=dict(type="str", default="."),
    dest=dict(type="path", required=True),
    cgo=dict(type="bool", default=False),
    static=dict(type="bool", default=True),
    tags=dict(type="list", elements="str", default=[]),
    ldflags=dict(type="list", elements="str", default=[]),
    goos=dict(type="str", choices=["linux"], default="linux"),
    goarch=dict(type="str", choices=sorted(ELF_MACHINE), default="amd64"),
    go=dict(type="path"),
)


class GoBuildError(Exception):
    """The build cannot be done; the message says why and what to do."""


def check(params):
    """Errors in the request, before anything runs: a list of messages naming the option."""
    errors = []
    if not MODULE_PATH.match(params["module"]):
        errors.append("module must be a Go module path such as github.com/owner/name (got %r)" % params["module"])
    if not EXACT_VERSION.match(params["version"]):
        errors.append("version must be an exact semantic version such as v1.8.4, not a query (got %r)" % params["version"])
    if params["package"] != "." and not re.match(r"^\./[A-Za-z0-9._/-]+$", params["package"]):
        errors.append("package must be . or ./path inside the module (got %r)" % params["package"])
    return errors


def recipe(params):
    """What decides the binary's content: the stamp that a cached binary must match."""
    return {key: params[key] for key in ("module", "version", "package", "goos", "goarch", "cgo", "static", "tags", "ldflags")}


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def stamp_path(dest):
    return dest + ".build.json"


def cached(params):
    """The stamp of a cached binary built from this recipe, or None."""
    dest = params["dest"]
    try:
        with open(stamp_path(dest)) as handle:
            stamp = json.load(handle)
    except (OSError, ValueError):
        return None
    if stamp.get("recipe") != recipe(params) or not os.path.isfile(dest) or sha256(dest) != stamp.get("sha256"):
        return None
    return stamp


def elf_facts(path):
    """(e_machine, static) of a 64-bit ELF executable: static when no program header names a
    program interpreter (no dynamic loader, no shared C library)."""
    with open(path, "rb") as handle:
        header = handle.read(64)
        if len(header) < 64 or header[:4] != b"\x7fELF" or header[4] != 2:
            raise GoBuildError("%s is not a 64-bit ELF executable" % path)
        endian = "<" if header[5] == 1 else ">"
        machine, = struct.unpack(endian + "H", header[18:20])
        phoff, = struct.unpack(endian + "Q", header[32:40])
        phentsize, phnum = struct.unpack(endian + "HH", header[54:58])
        for index in range(phnum):
            handle.seek(phoff + index * phentsize)
            entry = handle.read(4)
            if len(entry) < 4:
                raise GoBuildError("%s is a truncated ELF file" % path)
            if struct.unpack(endian + "I", entry)[0] == PT_INTERP:
                return machine, False
    return machine, True


class GoBuild:
    """Runs the go command through the module's run_command (so its output is never lost)."""

    def __init__(self, module, params):
        self.module = module
        self.params = params
        self.go = params.get("go") or module.get_bin_path("go")
        if not self.go:
            raise GoBuildError(
                "the go command was not found on this host: building %s %s needs Go (1.21 or newer, which "
                "fetches the toolchain the module asks for)" % (params["module"], params["version"])
            )

    def _run(self, args, cwd, env=None):
        rc, out, err = self.module.run_command([self.go] + args, cwd=cwd, environ_update=env or {})
        if rc != 0:
            raise GoBuildError("go %s failed (rc=%d): %s" % (" ".join(args[:2]), rc, (err or out).strip()[-2000:]))
        return out

    def version(self, cwd="/"):
        """`go version` where the build runs: a module may ask for a newer toolchain there."""
        return self._run(["version"], cwd=cwd, env={"GO111MODULE": "on"}).strip()

    def download(self):
        """Fetch the exact module version (checked against the checksum database); its directory and sum."""
        with tempfile.TemporaryDirectory() as outside_any_module:
            out = self._run(["mod", "download", "-json", "%s@%s" % (self.params["module"], self.params["version"])],
                            cwd=outside_any_module, env={"GO111MODULE": "on"})
        try:
            info = json.loads(out)
        except ValueError:
            raise GoBuildError("go mod download %s@%s printed no JSON: %s" % (self.params["module"], self.params["version"], out[:500]))
        if info.get("Error"):
            raise GoBuildError("go mod download %s@%s: %s" % (self.params["module"], self.params["version"], info["Error"]))
        return info["Dir"], info["Sum"]

    def build(self, source_dir, output):
        params = self.params
        ldflags = ["-s", "-w"] + list(params["ldflags"])
        if params["static"] and params["cgo"]:
            ldflags += ["-linkmode", "external", "-extldflags", "-static"]
        tags = list(params["tags"])
        if params["static"]:
            # the pure-Go resolver and user lookups: no glibc NSS modules to load at run time
            tags += [tag for tag in ("netgo", "osusergo") if tag not in tags]
        # -mod=readonly: exactly the module's go.mod and go.sum (a module zip may carry a vendor
        # directory without the vendored code, which the default -mod=vendor would read)
        args = ["build", "-mod=readonly", "-trimpath", "-o", output, "-ldflags", " ".join(ldflags)]
        if tags:
            args += ["-tags", ",".join(tags)]
        # the module cache is read-only: build there, write the binary elsewhere
        self._run(args + [params["package"]], cwd=source_dir,
                  env={"CGO_ENABLED": "1" if params["cgo"] else "0", "GO111MODULE": "on",
                       "GOOS": params["goos"], "GOARCH": params["goarch"]})


def write_atomically(path, text):
    """Replace path's content in one step (a parallel reader never sees half a file)."""
    handle, partial = tempfile.mkstemp(dir=os.path.dirname(path) or ".", prefix=".%s." % os.path.basename(path))
    with os.fdopen(handle, "w") as out:
        out.write(text)
    os.replace(partial, path)


def ensure(module, params):
    """Build unless the cache holds this recipe's binary. Returns the module's result dict."""
    dest = params["dest"]
    stamp = cached(params)
    if stamp:
        return dict(changed=False, path=dest, sha256=stamp["sha256"], module_sum=stamp["module_sum"],
                    go_version=stamp["go_version"], static=stamp["static"])
    builder = GoBuild(module, params)
    if module.check_mode:
        return dict(changed=True, path=dest, go_version=builder.version())
    source_dir, module_sum = builder.download()
    go_version = builder.version(cwd=source_dir)
    directory = os.path.dirname(dest) or "."
    os.makedirs(directory, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=directory, prefix=".%s." % os.path.basename(dest))
    os.close(handle)
    try:
        builder.build(source_dir, partial)
        machine, static = elf_facts(partial)
        if machine != ELF_MACHINE[params["goarch"]]:
            raise GoBuildError("the build of %s is not a %s executable (ELF machine %d)" % (params["module"], params["goarch"], machine))
        if params["static"] and not static:
            raise GoBuildError("the build of %s is not static (it names a dynamic loader)" % params["module"])
        os.chmod(partial, 0o755)
        digest = sha256(partial)
        os.replace(partial, dest)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    stamp = dict(recipe=recipe(params), sha256=digest, module_sum=module_sum, go_version=go_version, static=static)
    write_atomically(stamp_path(dest), json.dumps(stamp, indent=2, sort_keys=True))
    return dict(changed=True, path=dest, sha256=digest, module_sum=module_sum, go_version=go_version, static=static)
