#pragma once
// Base images made from the host, for machines with no registry: a busybox image from Debian's
// static busybox, a Debian image from debootstrap. Every time in the tree and the image's
// created time are pinned (to the busybox binary's mtime; to /etc/debian_version's), so the
// busybox image is reproducible: bootstrapping twice gives the same image ID. Debian's is as
// reproducible as debootstrap's output (package versions and caches it generates may differ).

#include <string>

#include "engine/image_service.h"

namespace berth::engine {

struct BootstrapOptions {
  std::string reference;  // default busybox:latest / debian:<suite>
  std::string busybox = "/bin/busybox";
  std::string suite = "bookworm";
  std::string mirror = "http://deb.debian.org/debian";
  std::string variant = "minbase";
};

/// Builds the busybox image: /bin/busybox with every applet as a hardlink, /etc/passwd and
/// /etc/group, the usual empty directories; CMD ["sh"].
Result<Digest> bootstrapBusybox(ImageService& images, const BootstrapOptions& opts);
/// Runs debootstrap into a temp dir and imports the result; CMD ["bash"].
Result<Digest> bootstrapDebian(ImageService& images, const BootstrapOptions& opts);

}  // namespace berth::engine
