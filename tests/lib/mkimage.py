#!/usr/bin/env python3
"""Test images made without Docker.

mkimage.py archive OUT.tar [--tag NAME:TAG] [--cmd ARG]... LAYER...
    A docker-save archive (the legacy layout: <n>/layer.tar, <config>.json, manifest.json) whose
    layers are LAYER arguments: a directory (tarred with sorted names, numeric owners) or a tar.
mkimage.py hostile OUT.tar KIND
    A layer tar that tries to write outside the directory it is unpacked into (see KINDS).
mkimage.py tree DIR N
    N numbered layer directories DIR/1..DIR/N, each adding /layers/<i>.
"""
import hashlib
import io
import json
import os
import sys
import tarfile


def tar_dir(path):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for root, dirs, files in os.walk(path):
            dirs.sort()
            for name in sorted(dirs + files):
                full = os.path.join(root, name)
                arc = os.path.relpath(full, path)
                info = t.gettarinfo(full, arc)
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                if info.isfile():
                    with open(full, "rb") as f:
                        t.addfile(info, f)
                else:
                    t.addfile(info)
    return buf.getvalue()


def add_bytes(t, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    t.addfile(info, io.BytesIO(data))


def archive(argv):
    out, tag, cmd, layers = argv[0], None, [], []
    i = 1
    while i < len(argv):
        if argv[i] == "--tag":
            tag = argv[i + 1]
            i += 2
        elif argv[i] == "--cmd":
            cmd.append(argv[i + 1])
            i += 2
        else:
            layers.append(argv[i])
            i += 1
    blobs = []
    for l in layers:
        if os.path.isdir(l):
            blobs.append(tar_dir(l))
        else:
            with open(l, "rb") as f:
                blobs.append(f.read())
    diff_ids = ["sha256:" + hashlib.sha256(b).hexdigest() for b in blobs]
    config = {
        "architecture": "amd64",
        "os": "linux",
        "created": "2024-01-02T03:04:05Z",
        "config": {"Cmd": cmd or ["sh"], "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created": "2024-01-02T03:04:05Z", "created_by": "layer %d" % n} for n in range(len(blobs))],
    }
    cfg = json.dumps(config, separators=(",", ":")).encode()
    cfg_name = hashlib.sha256(cfg).hexdigest() + ".json"
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
        paths = []
        for n, b in enumerate(blobs):
            d = "%03d" % n
            info = tarfile.TarInfo(d)
            info.type = tarfile.DIRTYPE
            info.mode = 0o755
            t.addfile(info)
            add_bytes(t, d + "/layer.tar", b)
            paths.append(d + "/layer.tar")
        add_bytes(t, cfg_name, cfg)
        manifest = [{"Config": cfg_name, "RepoTags": [tag] if tag else None, "Layers": paths}]
        add_bytes(t, "manifest.json", json.dumps(manifest).encode())


def entry(t, name, kind="file", data=b"x", link=""):
    info = tarfile.TarInfo(name)
    info.mode = 0o644
    if kind == "file":
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
        return
    info.type = {"dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE}[kind]
    if kind == "dir":
        info.mode = 0o755
    info.linkname = link
    t.addfile(info)


KINDS = {
    "dotdot": lambda t: entry(t, "../evil"),
    "dotdot-inner": lambda t: (entry(t, "a", "dir"), entry(t, "a/../../evil")),
    "absolute": lambda t: entry(t, "/tmp/berth-hostile-abs/evil"),
    "through-symlink": lambda t: (entry(t, "a", "symlink", link="/"), entry(t, "a/evil")),
    "through-relative-symlink": lambda t: (entry(t, "b", "symlink", link=".."), entry(t, "b/evil")),
    "symlink-breakout": lambda t: entry(t, "up", "symlink", link="../../../../../../.."),
    "hardlink-dotdot": lambda t: entry(t, "h", "hardlink", link="../../../../etc/passwd"),
    "hardlink-absolute": lambda t: entry(t, "h", "hardlink", link="/etc/passwd"),
    "hardlink-missing": lambda t: entry(t, "h", "hardlink", link="nonexistent"),
    "hardlink-through-symlink": lambda t: (entry(t, "s", "symlink", link="/etc"), entry(t, "h", "hardlink", link="s/passwd")),
    "whiteout-dotdot": lambda t: (entry(t, "d", "dir"), entry(t, "d/.wh...", data=b"")),
}


def hostile(argv):
    out, kind = argv
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
        entry(t, "ok-before")
        KINDS[kind](t)
        entry(t, "ok-after")


def tree(argv):
    base, n = argv[0], int(argv[1])
    for i in range(1, n + 1):
        d = os.path.join(base, str(i), "layers")
        os.makedirs(d)
        with open(os.path.join(d, str(i)), "w") as f:
            f.write("layer %d\n" % i)


if __name__ == "__main__":
    cmd, rest = sys.argv[1], sys.argv[2:]
    if cmd == "kinds":
        print("\n".join(KINDS))
    else:
        {"archive": archive, "hostile": hostile, "tree": tree}[cmd](rest)
