#include "image/config_changes.h"

#include <algorithm>

#include "base/json.h"
#include "base/strings.h"

namespace berth::image {
namespace {

// Exec form (a JSON array of strings) or shell form (wrapped in the shell).
std::vector<std::string> commandForm(std::string_view args, const oci::ContainerConfig& cfg) {
  auto t = trim(args);
  if (!t.empty() && t.front() == '[') {
    auto j = parseJson(t, "instruction");
    if (j && j->is_array() &&
        std::all_of(j->begin(), j->end(), [](const Json& e) { return e.is_string(); }))
      return j->get<std::vector<std::string>>();
  }
  std::vector<std::string> shell =
      cfg.shell.empty() ? std::vector<std::string>{"/bin/sh", "-c"} : cfg.shell;
  shell.emplace_back(t);
  return shell;
}

void setEnv(std::vector<std::string>& env, const std::string& key, const std::string& value) {
  for (auto& e : env)
    if (e.compare(0, key.size() + 1, key + "=") == 0 || e == key) {
      e = key + "=" + value;
      return;
    }
  env.push_back(key + "=" + value);
}

// "K=V K2=V2" or the legacy "K V with spaces" form; returns key/value pairs.
Result<std::vector<std::pair<std::string, std::string>>> keyValues(std::string_view args,
                                                                   std::string_view what) {
  std::vector<std::pair<std::string, std::string>> out;
  auto words = TRY(splitWords(args));
  if (words.empty()) return Error::invalid("{} requires at least one argument", what);
  if (words[0].find('=') == std::string::npos) {
    // Legacy form: the first word is the key, the rest of the line (as written) is the value.
    auto t = trim(args);
    auto sp = t.find_first_of(" \t");
    if (sp == std::string_view::npos) return Error::invalid("{} {}: missing value", what, t);
    auto rest = TRY(splitWords(t.substr(sp + 1)));
    out.emplace_back(words[0], join(rest, " "));
    return out;
  }
  for (auto& w : words) {
    auto eq = w.find('=');
    if (eq == std::string::npos || eq == 0)
      return Error::invalid("{}: {:?} is not of the form key=value", what, w);
    out.emplace_back(w.substr(0, eq), w.substr(eq + 1));
  }
  return out;
}

Result<std::string> portSpec(const std::string& word) {
  auto slash = word.find('/');
  std::string port = word.substr(0, slash);
  std::string proto = slash == std::string::npos ? "tcp" : toLower(word.substr(slash + 1));
  if (proto != "tcp" && proto != "udp" && proto != "sctp")
    return Error::invalid("EXPOSE: invalid protocol in {:?}", word);
  auto dash = port.find('-');
  auto lo = parseUint(port.substr(0, dash), "port");
  if (!lo || *lo == 0 || *lo > 65535) return Error::invalid("EXPOSE: invalid port {:?}", word);
  if (dash != std::string::npos) {
    auto hi = parseUint(port.substr(dash + 1), "port");
    if (!hi || *hi < *lo || *hi > 65535)
      return Error::invalid("EXPOSE: invalid port range {:?}", word);
  }
  return port + "/" + proto;
}

}  // namespace

Result<std::vector<std::string>> splitWords(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  bool inWord = false;
  char quote = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quote) {
      if (c == quote) {
        quote = 0;
      } else if (c == '\\' && quote == '"' && i + 1 < s.size()) {
        cur.push_back(s[++i]);
      } else {
        cur.push_back(c);
      }
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n') {
      if (inWord) out.push_back(std::move(cur)), cur.clear(), inWord = false;
      continue;
    }
    inWord = true;
    if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '\\' && i + 1 < s.size()) {
      cur.push_back(s[++i]);
    } else {
      cur.push_back(c);
    }
  }
  if (quote) return Error::invalid("unterminated quote in {:?}", s);
  if (inWord) out.push_back(std::move(cur));
  return out;
}

Status applyConfigChange(oci::ContainerConfig& cfg, std::string_view instruction) {
  auto t = trim(instruction);
  auto sp = t.find_first_of(" \t");
  std::string verb = toUpper(t.substr(0, sp));
  std::string_view args =
      sp == std::string_view::npos ? std::string_view() : trim(t.substr(sp + 1));
  if (verb.empty()) return Error::invalid("empty change instruction");
  if (args.empty()) return Error::invalid("{} requires at least one argument", verb);

  if (verb == "CMD") {
    cfg.cmd = commandForm(args, cfg);
  } else if (verb == "ENTRYPOINT") {
    cfg.entrypoint = commandForm(args, cfg);
    // As in a Dockerfile: a new ENTRYPOINT resets a CMD inherited from the base image.
    cfg.cmd.reset();
  } else if (verb == "ENV") {
    for (auto& [k, v] : TRY(keyValues(args, "ENV"))) setEnv(cfg.env, k, v);
  } else if (verb == "LABEL") {
    for (auto& [k, v] : TRY(keyValues(args, "LABEL"))) cfg.labels[k] = v;
  } else if (verb == "EXPOSE") {
    for (auto& w : TRY(splitWords(args))) cfg.exposedPorts.insert(TRY(portSpec(w)));
  } else if (verb == "VOLUME") {
    std::vector<std::string> vols;
    if (args.front() == '[') {
      auto j = TRY(parseJson(args, "VOLUME"));
      if (!j.is_array()) return Error::invalid("VOLUME: want a JSON array of strings");
      for (auto& e : j) {
        if (!e.is_string()) return Error::invalid("VOLUME: want a JSON array of strings");
        vols.push_back(e.get<std::string>());
      }
    } else {
      vols = TRY(splitWords(args));
    }
    for (auto& v : vols) {
      if (v.empty()) return Error::invalid("VOLUME: empty path");
      cfg.volumes.insert(v);
    }
  } else if (verb == "USER") {
    cfg.user = std::string(args);
  } else if (verb == "WORKDIR") {
    std::string dir(args);
    if (dir.front() != '/') dir = (cfg.workingDir.empty() ? "/" : cfg.workingDir + "/") + dir;
    cfg.workingDir = dir;
  } else if (verb == "STOPSIGNAL") {
    cfg.stopSignal = std::string(args);
  } else if (verb == "ONBUILD") {
    cfg.onBuild.emplace_back(args);
  } else {
    return Error::invalid(
        "{} is not a valid change command (want one of CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, "
        "ONBUILD, "
        "STOPSIGNAL, USER, VOLUME, WORKDIR)",
        verb);
  }
  return ok();
}

Status applyConfigChanges(oci::ContainerConfig& cfg, const std::vector<std::string>& instructions) {
  for (auto& i : instructions) TRY_CTX(applyConfigChange(cfg, i), "change {:?}", i);
  return ok();
}

}  // namespace berth::image
