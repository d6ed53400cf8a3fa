"""A PEP 517 build backend in the standard library alone: it packs ``vectorflow/`` into a wheel.

pip runs it in place of setuptools, so installing this client needs no package index.
"""
import base64
import hashlib
import io
import os
import tarfile
import zipfile

NAME = "vectorflow"
VERSION = "0.1.0"
TAG = "py3-none-any"
HERE = os.path.dirname(os.path.abspath(__file__))


def _metadata():
    return (
        "Metadata-Version: 2.1\n"
        f"Name: {NAME}\n"
        f"Version: {VERSION}\n"
        "Summary: Python client for the VectorFlow vector database\n"
        "Requires-Python: >=3.9\n"
        "License: Apache-2.0\n"
    )


def _files():
    root = os.path.join(HERE, NAME)
    for folder, _, names in os.walk(root):
        for name in sorted(names):
            if name.endswith((".py", ".typed")):
                path = os.path.join(folder, name)
                yield path, os.path.relpath(path, HERE).replace(os.sep, "/")


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    info = os.path.join(metadata_directory, f"{NAME}-{VERSION}.dist-info")
    os.makedirs(info, exist_ok=True)
    with open(os.path.join(info, "METADATA"), "w", encoding="utf-8") as f:
        f.write(_metadata())
    return os.path.basename(info)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    wheel = f"{NAME}-{VERSION}-{TAG}.whl"
    info = f"{NAME}-{VERSION}.dist-info"
    record = []

    def add(zf, arcname, data):
        zf.writestr(arcname, data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{arcname},sha256={digest},{len(data)}")

    with zipfile.ZipFile(os.path.join(wheel_directory, wheel), "w", zipfile.ZIP_DEFLATED) as zf:
        for path, arcname in _files():
            with open(path, "rb") as f:
                add(zf, arcname, f.read())
        add(zf, f"{info}/METADATA", _metadata().encode())
        add(zf, f"{info}/WHEEL", f"Wheel-Version: 1.0\nGenerator: vf_build\nRoot-Is-Purelib: true\nTag: {TAG}\n".encode())
        record.append(f"{info}/RECORD,,")
        zf.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return wheel


def build_sdist(sdist_directory, config_settings=None):
    sdist = f"{NAME}-{VERSION}.tar.gz"
    with tarfile.open(os.path.join(sdist_directory, sdist), "w:gz") as tar:
        for name in ["pyproject.toml", "vf_build.py"]:
            tar.add(os.path.join(HERE, name), arcname=f"{NAME}-{VERSION}/{name}")
        for path, arcname in _files():
            tar.add(path, arcname=f"{NAME}-{VERSION}/{arcname}")
        data = _metadata().encode()
        pkg = tarfile.TarInfo(f"{NAME}-{VERSION}/PKG-INFO")
        pkg.size = len(data)
        tar.addfile(pkg, io.BytesIO(data))
    return sdist
