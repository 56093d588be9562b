// Small helpers for containers: random IDs and names, signal names.

#include <signal.h>
#include <sys/random.h>

#include <array>
#include <cstring>
#include <ctime>

#include "base/signal.h"
#include "base/strings.h"
#include "engine/container_internal.h"

namespace berth::engine {

std::string randomHexId() {
  std::array<unsigned char, 32> b;
  size_t got = 0;
  while (got < b.size()) {
    ssize_t n = ::getrandom(b.data() + got, b.size() - got, 0);
    if (n > 0) got += static_cast<size_t>(n);
  }
  std::string out;
  for (unsigned char c : b) out += fmt::format("{:02x}", c);
  // Docker avoids IDs that look like numbers (they would be taken for a short-ID prefix of a
  // different kind in some tools); so do we.
  if (out.find_first_not_of("0123456789") >= 12) out[0] = 'a';
  return out;
}

namespace {

constexpr const char* kAdjectives[] = {
    "agile",    "amazing", "bold",     "brave",    "bright",  "busy",    "calm",     "careful",
    "cheerful", "clever",  "cool",     "crisp",    "curious", "daring",  "eager",    "elastic",
    "epic",     "fair",    "fancy",    "fearless", "festive", "focused", "friendly", "gallant",
    "gentle",   "glad",    "happy",    "hardy",    "honest",  "hopeful", "humble",   "jolly",
    "keen",     "kind",    "lively",   "loyal",    "lucid",   "merry",   "modest",   "nimble",
    "noble",    "patient", "peaceful", "plucky",   "polite",  "proud",   "quick",    "quiet",
    "rapid",    "relaxed", "robust",   "serene",   "sharp",   "sincere", "steady",   "sturdy",
    "swift",    "tender",  "tidy",     "upbeat",   "vibrant", "vivid",   "warm",     "wise",
    "witty",    "zealous"};

constexpr const char* kSurnames[] = {
    "agnesi",     "archimedes", "babbage",  "banach",     "bardeen",  "bell",     "bohr",
    "boole",      "cantor",     "cerf",     "curie",      "darwin",   "dijkstra", "dirac",
    "euclid",     "euler",      "faraday",  "fermat",     "fermi",    "feynman",  "franklin",
    "galileo",    "gauss",      "germain",  "goodall",    "hamilton", "hawking",  "heisenberg",
    "hertz",      "hilbert",    "hopper",   "hypatia",    "jackson",  "joule",    "kepler",
    "knuth",      "kowalevski", "lamarr",   "laplace",    "leavitt",  "leibniz",  "lovelace",
    "maxwell",    "meitner",    "mendel",   "mirzakhani", "newton",   "noether",  "pascal",
    "pasteur",    "planck",     "poincare", "ramanujan",  "riemann",  "ritchie",  "shannon",
    "somerville", "tesla",      "thompson", "torvalds",   "turing",   "volta",    "wiles",
    "wright",     "wu",         "yalow"};

}  // namespace

std::string generateName(const std::set<std::string>& taken) {
  for (int attempt = 0;; ++attempt) {
    uint32_t r[2];
    ssize_t n = ::getrandom(r, sizeof r, 0);
    (void)n;
    std::string name = fmt::format("{}_{}", kAdjectives[r[0] % std::size(kAdjectives)],
                                   kSurnames[r[1] % std::size(kSurnames)]);
    // After a few collisions add a digit, as Docker does.
    if (attempt >= 10) name += std::to_string(r[0] % 10);
    if (!taken.count("/" + name)) return name;
  }
}

Result<int> signalNumber(std::string_view s) {
  if (s.empty()) return SIGKILL;
  return parseSignal(s);
}

std::string stateStatus(const Json& state) {
  return state.value("Status", "created");
}

}  // namespace berth::engine
