#pragma once
// Creation split in two so `run` can reuse it: prepare (parse, validate, plan: no side
// effects) and launch (claim the id, cgroup, clone, save state).

#include "base/json.h"
#include "base/unique_fd.h"
#include "oci/spec.h"
#include "runtime/cgroups/cgroups.h"
#include "runtime/container.h"
#include "runtime/plan.h"
#include "runtime/process/launch.h"
#include "runtime/state.h"

namespace berth::runtime {

struct Prepared {
  oci::Spec spec;
  std::string specJson;  // config.json's text, which spec was parsed from
  // Where linux.seccomp lies in specJson when it was cut out before the parse (spec then has
  // none): see parseConfig.
  std::optional<JsonSpan> seccomp;
  cgroups::Layout layout;
  InitPlan plan;
  IdMaps maps;
  UniqueFd console, seccompListener, lock;
  std::unique_ptr<cgroups::Manager> cgroup;
  ContainerState state;
  Launched launched;
};

Result<Prepared> prepareCreate(const Globals& g, const CreateOptions& o, bool withFifo);
Status launchPrepared(const Globals& g, const CreateOptions& o, Prepared& p, bool withFifo);

}  // namespace berth::runtime
