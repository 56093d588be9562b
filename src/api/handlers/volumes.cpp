// /volumes/*: create, list, inspect, delete, prune.

#include "api/api.h"
#include "apitypes/filters.h"

namespace berth::api {

void registerVolumeRoutes(Router& r, Services& s) {
  auto& cs = s.containers;
  r.add("POST", "/volumes/create", [&cs](Exchange& ex) -> Status {
    Json b = TRY(ex.jsonBody());
    std::map<std::string, std::string> labels;
    if (b.contains("Labels") && b["Labels"].is_object()) {
      for (const auto& [k, v] : b["Labels"].items())
        labels[k] = v.is_string() ? v.get<std::string>() : "";
    }
    return ex.reply(201, TRY(cs.volumeCreate(b.value("Name", ""), labels, b.value("Driver", ""))));
  });
  r.add("GET", "/volumes", [&cs](Exchange& ex) -> Status {
    auto f = TRY(apitypes::Filters::parse(ex.request().queryValue("filters"),
                                          {"dangling", "driver", "label", "name"}));
    return ex.reply(200, Json{{"Volumes", TRY(cs.volumeList(f))}, {"Warnings", nullptr}});
  });
  r.add("GET", "/volumes/{name}", [&cs](Exchange& ex) -> Status {
    return ex.reply(200, TRY(cs.volumeInspect(ex.request().params[0])));
  });
  r.add("DELETE", "/volumes/{name}", [&cs](Exchange& ex) -> Status {
    TRY(cs.volumeRemove(ex.request().params[0], ex.request().queryBool("force")));
    return ex.replyEmpty(204);
  });
  r.add("POST", "/volumes/prune", [&cs](Exchange& ex) -> Status {
    auto f = TRY(
        apitypes::Filters::parse(ex.request().queryValue("filters"), {"all", "label", "label!"}));
    return ex.reply(200, TRY(cs.volumePrune(f)));
  });
}

}  // namespace berth::api
