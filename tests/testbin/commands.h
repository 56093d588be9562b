#pragma once
// The subcommands of berth-testbin. Each takes the arguments after its own name, prints one JSON
// line (console-recv copies raw pty output instead) and returns the process exit status.
#include <string>

namespace testbin {

using Args = char**;  // null-terminated, like argv

// process.cpp: what the process itself is.
int cmdIds(Args args);
int cmdCaps(Args args);
int cmdRlimits(Args args);
int cmdOomScore(Args args);
int cmdPid(Args args);
int cmdEnv(Args args);
int cmdCwd(Args args);
int cmdHostname(Args args);
int cmdCgroup(Args args);
int cmdNs(Args args);
int cmdTty(Args args);
int cmdIdMap(Args args);
int cmdCpus(Args args);

// files.cpp: what the filesystem looks like.
int cmdMounts(Args args);
int cmdStat(Args args);
int cmdWrite(Args args);
int cmdRead(Args args);
int cmdLs(Args args);
int cmdNetdevs(Args args);

// actions.cpp: things the process does.
int cmdSleep(Args args);
int cmdExit(Args args);
int cmdSig(Args args);
int cmdForkZombies(Args args);
int cmdForks(Args args);
int cmdSyscall(Args args);
int cmdCpu(Args args);
int cmdAlloc(Args args);

// console_recv.cpp: the receiving end of --console-socket.
int cmdConsoleRecv(Args args);

// Helpers shared by the command files.
std::string errnoName(int err);
bool readFile(const std::string& path, std::string* out);

}  // namespace testbin
