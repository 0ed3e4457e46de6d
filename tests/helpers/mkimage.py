#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Image fixtures for tests/integration/test-images.sh, made from a root
filesystem directory with nothing but the standard library (tarfile,
hashlib, json), so that what each fixture holds is plain to see.

  mkimage.py oci ROOTFS DIR            an OCI image layout (two layers)
  mkimage.py oci-archive ROOTFS FILE   the same layout, in a tar
  mkimage.py docker-save ROOTFS FILE   a `docker save` archive (manifest.json)
  mkimage.py evil KIND FILE            a hostile tarball (KIND: see evil())

The two layers: layer 1 (plain tar) is ROOTFS plus /data/keep, /data/gone
and /opq/lower; layer 2 (gzip) whites out /data/gone (.wh.gone), makes /opq
opaque (.wh..wh..opq, written after /opq/upper of the same layer, which
must survive it), adds /etc/image-release, /bin/capprobe (the probe with
the file capability cap_net_raw+ep), /data/noted and /data/xdir (user.*
attributes, and on xdir overlayfs's opaque markers).  The config sets Env,
Entrypoint, Cmd, WorkingDir and User.
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

CONFIG = {
    "Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "IMG_VAR=from-image"],
    "Entrypoint": ["/bin/sh", "-c"],
    "Cmd": ['echo "cmd-default $IMG_VAR $(pwd) $(id -u)"'],
    "WorkingDir": "/data",
    "User": "alice",
}


def add_bytes(tar, name, data, mode=0o644, **kw):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    info.mtime = 1700000000
    for k, v in kw.items():
        setattr(info, k, v)
    tar.addfile(info, io.BytesIO(data))


def add_entry(tar, name, type_, **kw):
    info = tarfile.TarInfo(name)
    info.type = type_
    info.mode = kw.pop("mode", 0o755)
    info.mtime = 1700000000
    for k, v in kw.items():
        setattr(info, k, v)
    tar.addfile(info)


def layer1(rootfs):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        tar.add(rootfs, arcname=".", recursive=True)
        add_entry(tar, "data", tarfile.DIRTYPE)
        add_bytes(tar, "data/keep", b"keep\n")
        add_bytes(tar, "data/gone", b"gone\n")
        add_entry(tar, "opq", tarfile.DIRTYPE)
        add_bytes(tar, "opq/lower", b"lower\n")
    return buf.getvalue()


# security.capability as `setcap cap_net_raw+ep` writes it (VFS_CAP_REVISION_2,
# effective, permitted bit 13); every byte below 0x80, so the pax record's
# UTF-8 is the bytes themselves.
CAP_NET_RAW_EP = "\x01\x00\x00\x02\x00\x20" + "\x00" * 14


def xattrs(**kw):
    return {"SCHILY.xattr." + k.replace("__", "."): v for k, v in kw.items()}


def layer2(rootfs):
    buf = io.BytesIO()
    with open(os.path.join(rootfs, "probe"), "rb") as f:
        probe = f.read()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        add_entry(tar, "data", tarfile.DIRTYPE)
        add_bytes(tar, "data/.wh.gone", b"")
        add_entry(tar, "opq", tarfile.DIRTYPE)
        add_bytes(tar, "opq/upper", b"upper\n")
        add_bytes(tar, "opq/.wh..wh..opq", b"")
        add_bytes(tar, "etc/image-release", b"layer 2\n")
        # What podman writes for a file with capabilities and user
        # attributes; and two that overlayfs would act on: never restored.
        add_bytes(tar, "bin/capprobe", probe, mode=0o755,
                  pax_headers=xattrs(security__capability=CAP_NET_RAW_EP))
        add_bytes(tar, "data/noted", b"noted\n", pax_headers=xattrs(user__note="hello"))
        add_entry(tar, "data/xdir", tarfile.DIRTYPE,
                  pax_headers=xattrs(user__mark="d", trusted__overlay__opaque="y",
                                     user__overlay__opaque="y"))
    return buf.getvalue()


def config_json(diff_ids):
    return json.dumps({
        "architecture": "amd64",
        "os": "linux",
        "config": CONFIG,
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }, sort_keys=True).encode()


def sha(data):
    return hashlib.sha256(data).hexdigest()


def oci_files(rootfs):
    """{path: bytes} of an OCI image layout."""
    l1 = layer1(rootfs)
    l2_raw = layer2(rootfs)
    l2 = gzip.compress(l2_raw, mtime=0)
    cfg = config_json(["sha256:" + sha(l1), "sha256:" + sha(l2_raw)])
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": "sha256:" + sha(cfg), "size": len(cfg)},
        "layers": [
            {"mediaType": "application/vnd.oci.image.layer.v1.tar",
             "digest": "sha256:" + sha(l1), "size": len(l1)},
            {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
             "digest": "sha256:" + sha(l2), "size": len(l2)},
        ],
    }).encode()
    index = json.dumps({
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "digest": "sha256:" + sha(manifest), "size": len(manifest),
                       "platform": {"os": "linux", "architecture": "amd64"}}],
    }).encode()
    files = {"oci-layout": b'{"imageLayoutVersion": "1.0.0"}', "index.json": index}
    for blob in (l1, l2, cfg, manifest):
        files["blobs/sha256/" + sha(blob)] = blob
    return files


def write_tar(path, files):
    with tarfile.open(path, "w") as tar:
        for name, data in files.items():
            add_bytes(tar, name, data)


def docker_save(rootfs, path):
    l1, l2 = layer1(rootfs), layer2(rootfs)
    cfg = config_json(["sha256:" + sha(l1), "sha256:" + sha(l2)])
    files = {
        sha(l1) + "/layer.tar": l1,
        sha(l2) + "/layer.tar": l2,
        sha(cfg) + ".json": cfg,
        "manifest.json": json.dumps([{
            "Config": sha(cfg) + ".json",
            "RepoTags": ["minirun-test:latest"],
            "Layers": [sha(l1) + "/layer.tar", sha(l2) + "/layer.tar"],
        }]).encode(),
    }
    write_tar(path, files)


# Hostile tarballs: each tries to write the file named by its CANARY
# argument's directory (the test passes a host path) and must be refused.
# A name 250 directories deep: "a/a/.../a".
DEEP = "/".join(["a"] * 250)


def names_image(path):
    """A docker save archive whose second layer names 600 paths 250 levels
    deep, each through its own symlink to the same directory: few entries,
    few files, but 150,000 distinct parent paths of up to 4 KiB each."""
    comp = "/".join(["c" * 15] * 250)
    buf1, buf2 = io.BytesIO(), io.BytesIO()
    with tarfile.open(fileobj=buf1, mode="w", format=tarfile.PAX_FORMAT) as tar:
        add_bytes(tar, "d/" + comp + "/f", b"")
        for j in range(600):
            add_entry(tar, "s%d" % j, tarfile.SYMTYPE, linkname="d")
    with tarfile.open(fileobj=buf2, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for j in range(600):
            add_bytes(tar, "s%d/%s/f" % (j, comp), b"")
    l1, l2 = buf1.getvalue(), buf2.getvalue()
    cfg = config_json(["sha256:" + sha(l1), "sha256:" + sha(l2)])
    write_tar(path, {
        "l1.tar": l1, "l2.tar": l2, "config.json": cfg,
        "manifest.json": json.dumps([{"Config": "config.json",
                                      "Layers": ["l1.tar", "l2.tar"]}]).encode(),
    })


def evil(kind, path, canary_dir):
    if kind == "names":
        names_image(path)
        return
    with tarfile.open(path, "w") as tar:
        add_bytes(tar, "bin/ok", b"fine\n")
        if kind == "dotdot":
            depth = "../" * 32
            add_bytes(tar, depth + canary_dir.lstrip("/") + "/dotdot", b"evil\n")
        elif kind == "abs":
            add_bytes(tar, canary_dir + "/abs", b"evil\n")
        elif kind == "symlink-parent":
            add_entry(tar, "escape", tarfile.SYMTYPE, linkname="/")
            add_bytes(tar, "escape" + canary_dir + "/through-symlink", b"evil\n")
        elif kind == "symlink-relative":
            add_entry(tar, "up", tarfile.SYMTYPE, linkname="../../../../../../../..")
            add_bytes(tar, "up" + canary_dir + "/through-relative", b"evil\n")
        elif kind == "hardlink-abs":
            add_entry(tar, "shadow", tarfile.LNKTYPE, linkname="/etc/shadow", mode=0o644)
        elif kind == "hardlink-dotdot":
            add_entry(tar, "passwd", tarfile.LNKTYPE, linkname="../../../../etc/passwd")
        elif kind == "hardlink-via-symlink":
            add_entry(tar, "etcdir", tarfile.SYMTYPE, linkname="/etc")
            add_entry(tar, "shadow", tarfile.LNKTYPE, linkname="etcdir/shadow")
        elif kind == "deep-symlinks":
            # Each name is 251 levels deep, but s1 starts 250 levels down
            # and s2 below s1's own 250: 1000 levels, one descriptor each
            # to remove.
            add_entry(tar, "d0/" + DEEP, tarfile.DIRTYPE)
            prev = "d0/" + DEEP
            for k in range(1, 4):
                add_entry(tar, "s%d" % k, tarfile.SYMTYPE, linkname=prev)
                add_entry(tar, "s%d/%s" % (k, DEEP), tarfile.DIRTYPE)
                prev = "s%d/%s" % (k, DEEP)
        elif kind == "implicit-dirs":
            # Two entries, 500 directories made for their names.
            add_bytes(tar, "x/" + DEEP + "/f", b"")
            add_bytes(tar, "y/" + DEEP + "/f", b"")
        elif kind == "bomb":
            # 64 MiB of zeros (a few KiB compressed by the caller).
            add_bytes(tar, "zeros", b"\0" * (64 << 20))
        else:
            raise SystemExit("unknown kind " + kind)


def main(argv):
    cmd = argv[1]
    if cmd == "oci":
        for name, data in oci_files(argv[2]).items():
            os.makedirs(os.path.dirname(os.path.join(argv[3], name)), exist_ok=True)
            with open(os.path.join(argv[3], name), "wb") as f:
                f.write(data)
    elif cmd == "oci-archive":
        write_tar(argv[3], oci_files(argv[2]))
    elif cmd == "docker-save":
        docker_save(argv[2], argv[3])
    elif cmd == "evil":
        evil(argv[2], argv[3], argv[4] if len(argv) > 4 else "/tmp")
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
