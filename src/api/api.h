#pragma once
// The Docker Engine API's routes, bound to the engine's services.

#include <chrono>
#include <mutex>
#include <string>

#include "api/server.h"
#include "engine/container_service.h"
#include "engine/image_service.h"

namespace berth::api {

struct Services {
  engine::ImageService& images;
  std::mutex& imageMu;  // ImageService wants one caller at a time
  engine::ContainerService& containers;
  engine::EventBus& events;
  std::string dataRoot, execRoot;
  std::string runtimePath;
  std::chrono::system_clock::time_point started;
  std::string seccompProfile = "builtin";  // berthd --seccomp-profile, as /info shows it
};

void registerSystemRoutes(Router& r, Services& s);
void registerImageRoutes(Router& r, Services& s);
void registerContainerRoutes(Router& r, Services& s);
void registerExecRoutes(Router& r, Services& s);
void registerVolumeRoutes(Router& r, Services& s);
void registerNetworkRoutes(Router& r, Services& s);
void registerArchiveRoutes(Router& r, Services& s);

inline void registerRoutes(Router& r, Services& s) {
  registerSystemRoutes(r, s);
  registerImageRoutes(r, s);
  registerContainerRoutes(r, s);
  registerExecRoutes(r, s);
  registerVolumeRoutes(r, s);
  registerNetworkRoutes(r, s);
  registerArchiveRoutes(r, s);
}

}  // namespace berth::api
