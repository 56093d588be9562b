#pragma once
// One registration function per command file; registerAll (all.cpp) calls each.

#include "cli/command.h"

namespace berth::cli {

void registerContainerRun(Registry& r);
void registerContainerCreate(Registry& r);
void registerContainerStart(Registry& r);
void registerContainerStop(Registry& r);
void registerContainerRestart(Registry& r);
void registerContainerKill(Registry& r);
void registerContainerPause(Registry& r);
void registerContainerRm(Registry& r);
void registerContainerLs(Registry& r);
void registerContainerLogs(Registry& r);
void registerContainerAttach(Registry& r);
void registerContainerExec(Registry& r);
void registerContainerInspect(Registry& r);
void registerContainerWait(Registry& r);
void registerContainerRename(Registry& r);
void registerContainerTop(Registry& r);
void registerContainerDiff(Registry& r);
void registerContainerExport(Registry& r);
void registerContainerCp(Registry& r);
void registerContainerCommit(Registry& r);
void registerContainerPort(Registry& r);
void registerContainerPrune(Registry& r);
void registerContainerStats(Registry& r);
void registerImageLs(Registry& r);
void registerImageTag(Registry& r);
void registerImageRm(Registry& r);
void registerImageHistory(Registry& r);
void registerImageSave(Registry& r);
void registerImageLoad(Registry& r);
void registerImageImport(Registry& r);
void registerImagePrune(Registry& r);
void registerImageInspect(Registry& r);
void registerImagePull(Registry& r);
void registerVolumeCommands(Registry& r);
void registerSystemInspect(Registry& r);
void registerSystemDf(Registry& r);
void registerSystemPrune(Registry& r);
void registerSystemEvents(Registry& r);
void registerSystemVersion(Registry& r);
void registerSystemInfo(Registry& r);

}  // namespace berth::cli
