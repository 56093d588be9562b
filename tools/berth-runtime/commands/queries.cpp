#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "base/strings.h"
#include "commands.h"

namespace berth::tool {
namespace {

void printTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> w;
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size(); ++i) {
      if (w.size() <= i) w.push_back(0);
      w[i] = std::max(w[i], r[i].size());
    }
  }
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(w[i] - r[i].size() + 4, ' ');
    }
    std::printf("%s\n", line.c_str());
  }
}

// `ps` table mode: the host's ps output filtered to the container's pids, as runc does.
Result<int> psTable(const std::vector<pid_t>& pids, const std::vector<std::string>& psArgs) {
  int fds[2];
  if (::pipe(fds) != 0) return Error::sys(errno, "pipe");
  pid_t child = ::fork();
  if (child == 0) {
    ::dup2(fds[1], 1);
    ::close(fds[0]);
    std::vector<std::string> args{"ps"};
    args.insert(args.end(), psArgs.begin(), psArgs.end());
    if (psArgs.empty()) args.push_back("-ef");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execvp("ps", argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  std::string out;
  char buf[8192];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return Error::internal("ps failed");
  auto lines = split(out, '\n', true);
  if (lines.empty()) return 0;
  auto header = split(lines[0], ' ', true);
  size_t pidCol = 0;
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == "PID") pidCol = i;
  }
  std::printf("%s\n", lines[0].c_str());
  for (size_t i = 1; i < lines.size(); ++i) {
    auto f = split(lines[i], ' ', true);
    if (f.size() <= pidCol) continue;
    for (pid_t p : pids) {
      if (f[pidCol] == std::to_string(p)) std::printf("%s\n", lines[i].c_str());
    }
  }
  return 0;
}

}  // namespace

void registerQueries(CLI::App& app, Context& ctx) {
  static std::string stateId;
  auto* s = app.add_subcommand("state", "print the OCI state of a container");
  s->add_option("id", stateId, "container id")->required();
  s->callback([&] {
    ctx.action = [&]() -> Result<int> {
      auto info = TRY(runtime::inspect(ctx.globals, stateId));
      std::printf("%s\n", dumpJson(runtime::ociState(info.state, info.status), 2).c_str());
      return 0;
    };
  });

  static std::string listFormat = "table";
  static bool quiet = false;
  auto* l = app.add_subcommand("list", "list containers");
  l->alias("ls");
  l->add_option("-f,--format", listFormat, "table or json")
      ->check(CLI::IsMember({"table", "json"}));
  l->add_flag("-q,--quiet", quiet, "print ids only");
  l->callback([&] {
    ctx.action = [&]() -> Result<int> {
      auto all = TRY(runtime::list(ctx.globals));
      if (quiet) {
        for (const auto& c : all) std::printf("%s\n", c.state.id.c_str());
      } else if (listFormat == "json") {
        Json arr = Json::array();
        for (const auto& c : all) arr.push_back(runtime::ociState(c.state, c.status));
        std::printf("%s\n", dumpJson(arr).c_str());
      } else {
        std::vector<std::vector<std::string>> rows{
            {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"}};
        for (const auto& c : all) {
          bool stopped = c.status == runtime::ContainerStatus::Stopped;
          rows.push_back({c.state.id, stopped ? "0" : std::to_string(c.state.pid),
                          runtime::statusName(c.status), c.state.bundle, c.state.created,
                          c.state.owner.empty() ? "root" : c.state.owner});
        }
        printTable(rows);
      }
      return 0;
    };
  });

  static std::string psId, psFormat = "table";
  static std::vector<std::string> psArgs;
  auto* p = app.add_subcommand("ps", "list the processes of a container");
  p->add_option("-f,--format", psFormat, "table or json")->check(CLI::IsMember({"table", "json"}));
  p->add_option("id", psId, "container id")->required();
  p->add_option("ps-args", psArgs, "arguments for ps(1)");
  p->callback([&] {
    ctx.action = [&]() -> Result<int> {
      auto pids = TRY(runtime::pids(ctx.globals, psId));
      if (psFormat == "json") {
        std::printf("%s\n", dumpJson(Json(pids)).c_str());
        return 0;
      }
      return psTable(pids, psArgs);
    };
  });

  static std::string evId;
  static bool once = false;
  static int interval = 5;
  auto* e = app.add_subcommand("events", "print container resource statistics");
  e->add_flag("--stats", once, "print statistics once and exit");
  e->add_option("--interval", interval, "seconds between statistics")->capture_default_str();
  e->add_option("id", evId, "container id")->required();
  e->callback([&] {
    ctx.action = [&]() -> Result<int> {
      while (true) {
        auto st = runtime::stats(ctx.globals, evId);
        if (!st) {
          if (!once && st.error().kind() == ErrorKind::FailedPrecondition) return 0;
          return std::move(st).error();
        }
        std::printf("%s\n", dumpJson(*st).c_str());
        std::fflush(stdout);
        if (once) return 0;
        std::this_thread::sleep_for(std::chrono::seconds(std::max(1, interval)));
      }
    };
  });
}

}  // namespace berth::tool
