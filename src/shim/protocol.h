#pragma once
// The contract between berthd and berth-shim, one shim per container. berthd starts the shim
// (in a session of its own, so it outlives berthd; init adopts it then), the shim runs the OCI
// runtime, owns the container's stdio, writes its json log and records its exit. Everything
// berthd needs from a running container goes through the shim's unix socket, so berthd can be
// killed and restarted (live restore) and pick the container up again from the files below.
//
// Command line (all paths absolute):
//   berth-shim --id ID --bundle DIR --state-dir DIR --runtime PATH [--runtime-root DIR]
//              --log FILE [--log-max-size BYTES] [--log-max-file N]
//              [--tty] [--stdin] [--stdin-once] [--ready-fd N] [--oom-file FILE]
//              [--runtime-linked]
// --runtime-linked: RUNTIME is berth-runtime, whose library the shim links; its command lines
// below run in a forked child of the shim instead of an exec of RUNTIME (the same commands,
// without a second program's start, which costs a millisecond of CPU on this machine kind).
// Launcher: `berth-shim --launcher [PADDING]`, started once by berthd with a SOCK_SEQPACKET
// socket on fd 3, forks shims instead (without an exec: see src/shim/launcher.h). A request is
// one message, the shim's arguments after argv[0] each ending in a NUL, carrying one fd
// (SCM_RIGHTS) that becomes the shim's fd 3 (so --ready-fd 3). The answer is one message:
// "ok <pid>" carrying a pidfd of the shim, whose poll says when it has ended (the launcher
// reaps it), or "error <message>", after which berthd starts that shim itself. The shim's
// command line (/proc/PID/cmdline) is written over the launcher's argv area, PADDING making
// room for it. The launcher exits when berthd closes its end; the shims it forked go on.
// Files in --state-dir (berthd creates the dir, the shim the files):
//   shim.sock   the control socket (SOCK_STREAM), bound before readiness is reported
//   shim.pid    the shim's pid
//   init.pid    the container init's pid (written by the runtime's --pid-file)
//   exit        {"exitCode":N,"exitedAt":"<RFC 3339 nano, UTC>","pid":P,"oomKilled":B},
//               written atomically (temp + fsync + rename) once the init has exited and its
//               output is drained; oomKilled: --oom-file (the container's memory.oom_control
//               on cgroup v1, memory.events on v2) counted an OOM kill, read before the runtime
//               deletes the cgroup
// Startup: the shim binds shim.sock, opens the log and makes the container's stdio, then
// writes one line to --ready-fd and closes it: "ok\n", or "error <message>\n" and exits 1 after
// removing what it created. Attachers connect now; the container starts at "start", which runs
// `RUNTIME [--root R] run --detach --bundle B --pid-file init.pid [--console-socket S] ID` with
// that stdio: one runtime process, where create and start would be two. Stdin that attachers
// send before start waits (the first bytes in the shim, the rest in their sockets). A start that
// fails answers the runtime's error (one line), lets every client go and ends the shim, its
// files removed (a runtime that got as far as creating the container is made to delete it).
// After the init exits: drain the output, write `exit`, run `RUNTIME delete --force ID`, answer
// waiters, close every stream, remove shim.sock and exit 0.
//
// Socket protocol: the client sends one request line (words separated by single spaces, ending
// in '\n'); the shim answers with one line "ok[ ...]\n" or "error <message>\n", and for stream
// requests the connection then carries the stream.
//   start                     run `RUNTIME run --detach ... ID`   -> "ok <init pid>"
//   status                    -> "ok created" | "ok running <pid>" | "ok exited <code>"
//   wait                      -> "ok <exit code>\n" once the init has exited (held open until)
//   resize <rows> <cols>      the container's pty                 -> "ok"
//   attach <streams>          streams: comma list of stdin,stdout,stderr -> "ok", then a stream
//   exec <exec-id> <process.json> <flags>   flags: comma list of tty,stdin or "-"
//                             runs `RUNTIME exec --detach --pid-file ... --process P
//                             [--console-socket ...] ID`          -> "ok <pid>", then a stream
//   exec-resize <exec-id> <rows> <cols>                           -> "ok"
// Streams: shim -> client frames in Docker's multiplexed format (8-byte header: stream byte,
// three zero bytes, big-endian uint32 length; 1 stdout, 2 stderr; with a tty everything is 1),
// and for exec a last frame of type kFrameExit whose payload is the decimal exit code. Client ->
// shim: raw bytes for the process's stdin; the client's shutdown(SHUT_WR) is stdin's EOF (the
// container's stdin closes on it only with --stdin-once; an exec's always). Output produced
// while nobody is attached goes only to the log.
// Log: Docker's json-file format, one object per line of output ({"log":"..\n","stream":
// "stdout","time":"<RFC 3339 nano>"}), lines longer than 16 KiB split; rotated by size:
// FILE -> FILE.1 -> ... -> FILE.<max-file - 1>.

#include <cstdint>

namespace berth::shim {

inline constexpr uint8_t kFrameStdin = 0;
inline constexpr uint8_t kFrameStdout = 1;
inline constexpr uint8_t kFrameStderr = 2;
inline constexpr uint8_t kFrameExit = 0xff;
inline constexpr int kFrameHeaderSize = 8;

inline constexpr const char* kSocketName = "shim.sock";
inline constexpr const char* kPidFileName = "shim.pid";
inline constexpr const char* kInitPidFileName = "init.pid";
inline constexpr const char* kExitFileName = "exit";

}  // namespace berth::shim
