#pragma once
// The daemon's event stream (docker events): a bounded history for --since plus live
// subscribers, each with its own queue so a slow reader never blocks the publisher.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "base/json.h"

namespace berth::engine {

struct Event {
  std::string type;    // "container", "image", "volume", "network", "daemon"
  std::string action;  // "create", "start", "die", "destroy", "exec_start: sh"...
  std::string id;
  std::map<std::string, std::string> attributes;
  int64_t timeNano = 0;
  /// Docker's Message JSON, with the legacy status/id/from fields for containers and images.
  Json toJson() const;
};

class EventBus {
 public:
  class Subscription {
   public:
    /// Waits up to timeoutMs for the next event; false when none came.
    bool next(Event& out, int timeoutMs);

   private:
    friend class EventBus;
    std::mutex mu;
    std::condition_variable cv;
    std::deque<Event> queue;
    bool overflowed = false;
  };

  void publish(Event e);
  /// Subscribes; history receives the recorded events with time >= sinceNano (when > 0).
  std::shared_ptr<Subscription> subscribe(int64_t sinceNano, std::vector<Event>& history);
  void unsubscribe(const std::shared_ptr<Subscription>& s);

 private:
  std::mutex mu_;
  std::deque<Event> history_;
  std::vector<std::shared_ptr<Subscription>> subs_;
};

}  // namespace berth::engine
