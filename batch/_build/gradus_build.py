"""A PEP 517 build backend that needs only the standard library.

The client has no dependencies, and building it should not need any either: with this backend
``pip install ./batch`` works offline (no setuptools or wheel to fetch). It builds a pure-Python wheel of
``gradus_reward/`` and an sdist of this folder, with the metadata of pyproject.toml's ``[project]`` table.
"""

import base64
import hashlib
import io
import os
import tarfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "gradus_reward"


def _project():
    """The plain ``key = "value"`` lines of pyproject.toml's [project] table (all this project uses)."""
    fields = {}
    section = None
    with open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8") as f:
        for raw in f:
            line = raw.strip()
            if line.startswith("["):
                section = line.strip("[]")
            elif section == "project" and "=" in line and not line.startswith("#"):
                key, value = (part.strip() for part in line.split("=", 1))
                if value.startswith('"') and value.endswith('"'):
                    fields[key] = value[1:-1]
    return fields


def _metadata():
    p = _project()
    with open(os.path.join(ROOT, p.get("readme", "README.md")), encoding="utf-8") as f:
        readme = f.read()
    return (
        "Metadata-Version: 2.1\n"
        f"Name: {p['name']}\n"
        f"Version: {p['version']}\n"
        f"Summary: {p.get('description', '')}\n"
        f"Requires-Python: {p.get('requires-python', '>=3.9')}\n"
        "Description-Content-Type: text/markdown\n\n" + readme
    )


def _names():
    p = _project()
    return p["name"].replace("-", "_"), p["version"]


def _package_files():
    for directory, _, files in os.walk(os.path.join(ROOT, PACKAGE)):
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(directory, name)
                yield path, os.path.relpath(path, ROOT).replace(os.sep, "/")


def _record_line(arcname, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{arcname},sha256={digest},{len(data)}"


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    dist, version = _names()
    info = f"{dist}-{version}.dist-info"
    filename = f"{dist}-{version}-py3-none-any.whl"
    records = []
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w", zipfile.ZIP_DEFLATED) as wheel:

        def add(arcname, data):
            wheel.writestr(arcname, data)
            records.append(_record_line(arcname, data))

        for path, arcname in _package_files():
            with open(path, "rb") as f:
                add(arcname, f.read())
        add(f"{info}/METADATA", _metadata().encode())
        add(
            f"{info}/WHEEL",
            b"Wheel-Version: 1.0\nGenerator: gradus_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
        records.append(f"{info}/RECORD,,")
        wheel.writestr(f"{info}/RECORD", "\n".join(records) + "\n")
    return filename


def build_sdist(sdist_directory, config_settings=None):
    dist, version = _names()
    base = f"{dist}-{version}"
    filename = f"{base}.tar.gz"
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz") as sdist:
        for name in ("pyproject.toml", "README.md", os.path.join("_build", "gradus_build.py")):
            sdist.add(os.path.join(ROOT, name), f"{base}/{name}")
        for path, arcname in _package_files():
            sdist.add(path, f"{base}/{arcname}")
        pkg_info = _metadata().encode()
        entry = tarfile.TarInfo(f"{base}/PKG-INFO")
        entry.size = len(pkg_info)
        sdist.addfile(entry, io.BytesIO(pkg_info))
    return filename
