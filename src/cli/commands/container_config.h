#pragma once
// The options `run` and `create` share (docker's containerOptions) and the create request
// they turn into: Config, HostConfig and NetworkingConfig as the API's JSON. Also the create
// call itself, with docker's "Unable to find image" pull and its warnings.

#include <cstdint>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/json.h"
#include "cli/cli.h"
#include "cli/command.h"
#include "cli/flags.h"

namespace berth::cli {

struct ContainerOptions {
  const FlagSet* flags = nullptr;  // for "was this flag given"
  std::vector<std::string> attach, env, envFile, label, labelFile, volumes, mounts, publish, expose,
      tmpfs, devices, ulimits, capAdd, capDrop, securityOpt, dns, dnsSearch, dnsOption, addHost,
      groupAdd, sysctl, logOpt, volumesFrom, storageOpt;
  bool interactive = false, tty = false, publishAll = false, privileged = false, readOnly = false,
       init = false, oomKillDisable = false, autoRemove = false, noHealthcheck = false,
       quiet = false;
  std::string name, workdir, user, entrypoint, restart, network, hostname, domainname, runtime,
      memory, memorySwap, memoryReservation, shmSize, cpus, cpusetCpus, cpusetMems, stopSignal, ipc,
      pid, uts, userns, cgroupns, cgroupParent, logDriver, platform,
      pull = "missing", cidfile, gpus, isolation, healthCmd, healthInterval, healthTimeout,
      healthStartPeriod, macAddress;
  int64_t cpuShares = 0, cpuPeriod = 0, cpuQuota = 0, pidsLimit = 0, oomScoreAdj = 0,
          blkioWeight = 0;
  int stopTimeout = 0, healthRetries = 0;
};

void addContainerFlags(FlagSet& fs, ContainerOptions& o);

struct CreateRequest {
  Json body;
  std::string image;
};

/// Builds the create body from the options and IMAGE [COMMAND] [ARG...].
Result<CreateRequest> buildCreateRequest(const ContainerOptions& o, const Args& args);

/// POST /containers/create (pulling first when the image is missing and --pull allows);
/// prints the daemon's warnings and writes --cidfile. Returns the new container's ID.
Result<std::string> createContainer(Cli& cli, const ContainerOptions& o, const CreateRequest& req);

/// docker's exit status for a failed create or start: 127 when the command was not found,
/// 126 when it could not be run, else 125.
int startErrorCode(const Error& e);

}  // namespace berth::cli
