#include "engine/events.h"

#include <algorithm>
#include <ctime>

namespace berth::engine {

namespace {
constexpr size_t kHistory = 1024;
constexpr size_t kQueueLimit = 4096;
}  // namespace

Json Event::toJson() const {
  Json j = {{"Type", type},
            {"Action", action},
            {"Actor", {{"ID", id}, {"Attributes", attributes}}},
            {"scope", "local"},
            {"time", timeNano / 1000000000},
            {"timeNano", timeNano}};
  if (type == "container" || type == "image") {
    j["status"] = action;
    j["id"] = id;
    if (auto it = attributes.find("image"); it != attributes.end() && type == "container")
      j["from"] = it->second;
  }
  return j;
}

void EventBus::publish(Event e) {
  if (e.timeNano == 0) {
    struct timespec ts;
    ::clock_gettime(CLOCK_REALTIME, &ts);
    e.timeNano = ts.tv_sec * 1000000000LL + ts.tv_nsec;
  }
  std::lock_guard g(mu_);
  history_.push_back(e);
  if (history_.size() > kHistory) history_.pop_front();
  for (auto& s : subs_) {
    std::lock_guard sg(s->mu);
    if (s->queue.size() >= kQueueLimit) {
      s->overflowed = true;
      continue;
    }
    s->queue.push_back(e);
    s->cv.notify_one();
  }
}

std::shared_ptr<EventBus::Subscription> EventBus::subscribe(int64_t sinceNano,
                                                            std::vector<Event>& history) {
  auto s = std::make_shared<Subscription>();
  std::lock_guard g(mu_);
  if (sinceNano > 0) {
    for (const Event& e : history_) {
      if (e.timeNano >= sinceNano) history.push_back(e);
    }
  }
  subs_.push_back(s);
  return s;
}

void EventBus::unsubscribe(const std::shared_ptr<Subscription>& s) {
  std::lock_guard g(mu_);
  subs_.erase(std::remove(subs_.begin(), subs_.end(), s), subs_.end());
}

bool EventBus::Subscription::next(Event& out, int timeoutMs) {
  std::unique_lock lk(mu);
  if (!cv.wait_for(lk, std::chrono::milliseconds(timeoutMs), [&] { return !queue.empty(); }))
    return false;
  out = std::move(queue.front());
  queue.pop_front();
  return true;
}

}  // namespace berth::engine
