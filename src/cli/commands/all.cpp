#include "cli/commands/commands.h"

namespace berth::cli {

void registerAll(Registry& r) {
  r.group("container", "Manage containers");
  r.group("image", "Manage images");
  r.group("system", "Manage berth");
  r.group("volume", "Manage volumes");
  registerContainerRun(r);
  registerContainerCreate(r);
  registerContainerStart(r);
  registerContainerStop(r);
  registerContainerRestart(r);
  registerContainerKill(r);
  registerContainerPause(r);
  registerContainerRm(r);
  registerContainerLs(r);
  registerContainerLogs(r);
  registerContainerAttach(r);
  registerContainerExec(r);
  registerContainerInspect(r);
  registerContainerWait(r);
  registerContainerRename(r);
  registerContainerTop(r);
  registerContainerDiff(r);
  registerContainerExport(r);
  registerContainerCp(r);
  registerContainerCommit(r);
  registerContainerPort(r);
  registerContainerPrune(r);
  registerContainerStats(r);
  registerImageLs(r);
  registerImageTag(r);
  registerImageRm(r);
  registerImageHistory(r);
  registerImageSave(r);
  registerImageLoad(r);
  registerImageImport(r);
  registerImagePrune(r);
  registerImageInspect(r);
  registerImagePull(r);
  registerVolumeCommands(r);
  registerSystemInspect(r);
  registerSystemDf(r);
  registerSystemPrune(r);
  registerSystemEvents(r);
  registerSystemVersion(r);
  registerSystemInfo(r);
}

}  // namespace berth::cli
