#pragma once
// A config.json shaped like the one dockerd writes for `docker run -it --memory 512m busybox sh`
// (trimmed seccomp profile), used by the parse and round-trip tests.

namespace berth::oci::testdata {

inline constexpr const char* kDockerConfig = R"json({
  "ociVersion": "1.2.0",
  "process": {
    "terminal": true,
    "consoleSize": {"height": 40, "width": 120},
    "user": {"uid": 1000, "gid": 1000, "umask": 18, "additionalGids": [10, 1000]},
    "args": ["sh", "-c", "echo hi"],
    "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOSTNAME=3f2a", "TERM=xterm"],
    "cwd": "/home/user",
    "capabilities": {
      "bounding": ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"],
      "effective": ["CAP_CHOWN", "CAP_KILL"],
      "inheritable": [],
      "permitted": ["CAP_CHOWN", "CAP_KILL"],
      "ambient": ["CAP_KILL"]
    },
    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1048576, "soft": 1024}, {"type": "RLIMIT_NPROC", "hard": 4096, "soft": 4096}],
    "noNewPrivileges": true,
    "apparmorProfile": "docker-default",
    "selinuxLabel": "system_u:system_r:container_t:s0",
    "oomScoreAdj": -500,
    "scheduler": {"policy": "SCHED_OTHER"},
    "ioPriority": {"class": "IOPRIO_CLASS_IDLE"}
  },
  "root": {"path": "/var/lib/berth/overlay/3f2a/merged", "readonly": false},
  "hostname": "3f2a",
  "domainname": "example.org",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc", "options": ["nosuid", "noexec", "nodev"]},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
    {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["ro", "nosuid", "noexec", "nodev"]},
    {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]},
    {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=67108864"]},
    {"destination": "/etc/resolv.conf", "type": "bind", "source": "/var/lib/berth/containers/3f2a/resolv.conf", "options": ["rbind", "rprivate"]},
    {"destination": "/data", "type": "bind", "source": "/srv/data", "options": ["rbind", "ro", "rprivate"], "uidMappings": []}
  ],
  "hooks": {
    "prestart": [{"path": "/usr/bin/berth-netns", "args": ["berth-netns", "setup"], "env": ["A=1"], "timeout": 10}],
    "createRuntime": [{"path": "/usr/bin/hook1"}],
    "createContainer": [{"path": "/usr/bin/hook2"}],
    "startContainer": [{"path": "/usr/bin/hook3"}],
    "poststart": [{"path": "/usr/bin/hook4"}],
    "poststop": [{"path": "/usr/bin/hook5", "args": ["hook5", "cleanup"]}]
  },
  "annotations": {"com.example.key": "value", "org.opencontainers.image.ref.name": "busybox"},
  "linux": {
    "namespaces": [
      {"type": "mount"}, {"type": "network", "path": "/var/run/netns/berth-3f2a"}, {"type": "uts"},
      {"type": "pid"}, {"type": "ipc"}, {"type": "cgroup"}, {"type": "user"}, {"type": "time"}
    ],
    "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
    "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
    "timeOffsets": {"monotonic": {"secs": 1}},
    "devices": [
      {"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438, "uid": 0, "gid": 0},
      {"path": "/dev/myfifo", "type": "p"}
    ],
    "cgroupsPath": "system.slice:berth:3f2a",
    "resources": {
      "devices": [
        {"allow": false, "access": "rwm"},
        {"allow": true, "type": "c", "major": 1, "minor": 5, "access": "rwm"},
        {"allow": true, "type": "c", "major": 136, "access": "rwm"},
        {"allow": true, "type": "b", "minor": 3, "access": "r"}
      ],
      "memory": {"limit": 536870912, "reservation": 268435456, "swap": 1073741824, "kernel": -1, "kernelTCP": 1048576, "swappiness": 60, "disableOOMKiller": false},
      "cpu": {"shares": 512, "quota": 50000, "period": 100000, "realtimeRuntime": 950000, "realtimePeriod": 1000000, "cpus": "0-1", "mems": "0", "burst": 10},
      "pids": {"limit": -1},
      "blockIO": {"weight": 10},
      "hugepageLimits": [],
      "unified": {"memory.high": "400000000", "io.weight": "default 100"}
    },
    "rootfsPropagation": "rslave",
    "seccomp": {
      "defaultAction": "SCMP_ACT_ERRNO",
      "defaultErrnoRet": 1,
      "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
      "flags": ["SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
      "listenerPath": "/run/seccomp-agent.sock",
      "listenerMetadata": "meta",
      "syscalls": [
        {"names": ["accept", "accept4", "read", "write"], "action": "SCMP_ACT_ALLOW"},
        {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 131080, "op": "SCMP_CMP_EQ"}]},
        {"names": ["clone"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]},
        {"names": ["ptrace"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
        {"names": ["mount"], "action": "SCMP_ACT_NOTIFY"},
        {"names": ["kill"], "action": "SCMP_ACT_LOG", "args": [{"index": 1, "value": 9, "op": "SCMP_CMP_NE"}, {"index": 2, "value": 18446744073709551615, "op": "SCMP_CMP_LE"}]}
      ]
    },
    "maskedPaths": ["/proc/acpi", "/proc/kcore", "/sys/firmware"],
    "readonlyPaths": ["/proc/bus", "/proc/sys"],
    "sysctl": {"net.ipv4.ip_forward": "1", "kernel.shmmax": "68719476736", "kernel.domainname": "example.org"},
    "mountLabel": "system_u:object_r:container_file_t:s0",
    "intelRdt": {"closID": "x"},
    "personality": {"domain": "LINUX"}
  },
  "vm": {"hypervisor": {"path": "/usr/bin/qemu"}}
})json";

}  // namespace berth::oci::testdata
