#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "oci/image.h"

namespace berth::oci {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

// busybox's config as `docker save` (Docker 20.10) writes it: container_config, docker_version,
// every key of Docker's container.Config in "config", nulls for unset slices and maps.
constexpr const char* kDockerSaveConfig = R"json({
  "architecture": "amd64",
  "config": {
    "Hostname": "", "Domainname": "", "User": "",
    "AttachStdin": false, "AttachStdout": false, "AttachStderr": false,
    "Tty": false, "OpenStdin": false, "StdinOnce": false,
    "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
    "Cmd": ["sh"],
    "Image": "sha256:2c4b4f6d0a2a8b3f43d45b0cd4fd6f5a6c5bbdf4a9a7f8c3e5e0b8e6ad2d8c8e",
    "Volumes": null, "WorkingDir": "", "Entrypoint": null, "OnBuild": null, "Labels": null
  },
  "container": "ba6fa8d3e07da8d3c8ba3d6d7e6ff2fbd4c4f1d9b7a6f5f1f3e2d9b1c7a8e6f4",
  "container_config": {
    "Hostname": "ba6fa8d3e07d", "Domainname": "", "User": "",
    "AttachStdin": false, "AttachStdout": false, "AttachStderr": false,
    "Tty": false, "OpenStdin": false, "StdinOnce": false,
    "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
    "Cmd": ["/bin/sh", "-c", "#(nop) ", "CMD [\"sh\"]"],
    "Image": "sha256:2c4b4f6d0a2a8b3f43d45b0cd4fd6f5a6c5bbdf4a9a7f8c3e5e0b8e6ad2d8c8e",
    "Volumes": null, "WorkingDir": "", "Entrypoint": null, "OnBuild": null, "Labels": {}
  },
  "created": "2023-07-18T23:19:33.655005962Z",
  "docker_version": "20.10.23",
  "history": [
    {"created": "2023-07-18T23:19:33.538571854Z",
     "created_by": "/bin/sh -c #(nop) ADD file:7e9002edaafd4e4579b65c8f0aaabde1aeb7fd3f8d95579f7fd3443cef785fd1 in / "},
    {"created": "2023-07-18T23:19:33.655005962Z",
     "created_by": "/bin/sh -c #(nop)  CMD [\"sh\"]", "empty_layer": true}
  ],
  "os": "linux",
  "rootfs": {
    "type": "layers",
    "diff_ids": ["sha256:3d24ee258efc3bfe4066a1a9fb83febf6dc0b1548dfe896161533668281c9f4f"]
  }
})json";

// A config with every modelled field of "config" set, as `docker build` writes one for a
// Dockerfile with EXPOSE, VOLUME, HEALTHCHECK, ENTRYPOINT, LABEL, STOPSIGNAL, ONBUILD, SHELL.
constexpr const char* kDockerBuildConfig = R"json({
  "architecture": "arm",
  "variant": "v7",
  "author": "Jane Doe <jane@example.com>",
  "comment": "buildkit.dockerfile.v0",
  "config": {
    "User": "app:app",
    "ExposedPorts": {"443/tcp": {}, "53/udp": {}, "80/tcp": {}},
    "Env": ["PATH=/usr/bin:/bin", "APP_ENV=prod"],
    "Entrypoint": ["/docker-entrypoint.sh"],
    "Cmd": ["nginx", "-g", "daemon off;"],
    "Volumes": {"/data": {}, "/var/log": {}},
    "WorkingDir": "/srv",
    "Labels": {"maintainer": "jane", "org.opencontainers.image.version": "1.2.3"},
    "StopSignal": "SIGQUIT",
    "ArgsEscaped": true,
    "Healthcheck": {
      "Test": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"],
      "Interval": 30000000000, "Timeout": 5000000000, "StartPeriod": 10000000000,
      "StartInterval": 2000000000, "Retries": 3
    },
    "OnBuild": ["COPY . /srv"],
    "Shell": ["/bin/bash", "-c"]
  },
  "created": "2024-03-05T12:00:00+01:00",
  "history": [
    {"created": "2024-03-05T11:59:00Z", "created_by": "ADD rootfs.tar.gz / # buildkit",
     "comment": "buildkit.dockerfile.v0", "author": "jane"},
    {"created": "2024-03-05T12:00:00Z", "created_by": "EXPOSE map[80/tcp:{}]",
     "comment": "buildkit.dockerfile.v0", "empty_layer": true}
  ],
  "os": "linux",
  "os.version": "6.1",
  "os.features": ["x"],
  "rootfs": {
    "type": "layers",
    "diff_ids": [
      "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
    ]
  }
})json";

// An OCI image config as the image-spec's example gives it (omitempty everywhere).
constexpr const char* kOciConfig = R"json({
  "created": "2015-10-31T22:22:56.015925234Z",
  "author": "Alyssa P. Hacker <alyspdev@example.com>",
  "architecture": "amd64",
  "os": "linux",
  "config": {
    "User": "alice",
    "ExposedPorts": {"8080/tcp": {}},
    "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "FOO=oci_is_a",
            "BAR=well_written_spec"],
    "Entrypoint": ["/bin/my-app-binary"],
    "Cmd": ["--foreground", "--config", "/etc/my-app.d/default.cfg"],
    "Volumes": {"/var/job-result-data": {}, "/var/log/my-app-logs": {}},
    "WorkingDir": "/home/alice",
    "Labels": {"com.example.project.git.url": "https://example.com/project.git",
               "com.example.project.git.commit": "45a939b2999782a3f005621a8d0f29aa387e1d6b"}
  },
  "rootfs": {
    "diff_ids": [
      "sha256:c6f988f4874bb0add23a778f753c65efe992244e148a1d2ec2a8b664fb66bbd1",
      "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"
    ],
    "type": "layers"
  },
  "history": [
    {"created": "2015-10-31T22:22:54.690851953Z",
     "created_by": "/bin/sh -c #(nop) ADD file:a3bc1e842b69636f9df5256c49c5374fb4eef1e281fe3f282c65fb853ee171c5 in /"},
    {"created": "2015-10-31T22:22:55.613815829Z",
     "created_by": "/bin/sh -c #(nop) CMD [\"sh\"]", "empty_layer": true}
  ]
})json";

Json parsed(std::string_view text) {
  return Json::parse(text);
}

std::string configError(const std::string& text) {
  auto c = parseImageConfig(text);
  if (c) return "<parsed>";
  EXPECT_EQ(c.error().kind(), ErrorKind::InvalidArgument);
  return c.error().what();
}

const std::string kRootfs = R"("rootfs":{"type":"layers","diff_ids":[]})";

TEST(ImageConfig, ParsesADockerSaveConfig) {
  auto c = parseImageConfig(kDockerSaveConfig);
  ASSERT_TRUE(c) << c.error().what();
  EXPECT_EQ(c->architecture, "amd64");
  EXPECT_EQ(c->os, "linux");
  EXPECT_EQ(c->created, "2023-07-18T23:19:33.655005962Z");
  EXPECT_THAT(c->config.env,
              ElementsAre("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
  ASSERT_TRUE(c->config.cmd);
  EXPECT_THAT(*c->config.cmd, ElementsAre("sh"));
  EXPECT_FALSE(c->config.entrypoint);
  EXPECT_TRUE(c->config.labels.empty());
  EXPECT_EQ(c->rootfsType, "layers");
  ASSERT_EQ(c->diffIds.size(), 1u);
  EXPECT_EQ(c->diffIds[0].hex(),
            "3d24ee258efc3bfe4066a1a9fb83febf6dc0b1548dfe896161533668281c9f4f");
  ASSERT_EQ(c->history.size(), 2u);
  EXPECT_FALSE(c->history[0].emptyLayer);
  EXPECT_TRUE(c->history[1].emptyLayer);
  EXPECT_EQ(c->history[1].createdBy, "/bin/sh -c #(nop)  CMD [\"sh\"]");
  // Docker-only fields stay in extra, modelled ones do not.
  EXPECT_EQ(c->extra["docker_version"], "20.10.23");
  EXPECT_EQ(c->extra["container"],
            "ba6fa8d3e07da8d3c8ba3d6d7e6ff2fbd4c4f1d9b7a6f5f1f3e2d9b1c7a8e6f4");
  EXPECT_EQ(c->extra["container_config"]["Hostname"], "ba6fa8d3e07d");
  EXPECT_FALSE(c->extra.contains("architecture"));
  EXPECT_FALSE(c->extra.contains("rootfs"));
  EXPECT_EQ(c->config.extra["Image"],
            "sha256:2c4b4f6d0a2a8b3f43d45b0cd4fd6f5a6c5bbdf4a9a7f8c3e5e0b8e6ad2d8c8e");
  EXPECT_TRUE(c->config.extra["Entrypoint"].is_null());
  EXPECT_FALSE(c->config.extra.contains("Cmd"));
  EXPECT_FALSE(c->config.extra.contains("Env"));
}

TEST(ImageConfig, RoundTripsADockerSaveConfigWithNullsAndEmptyStrings) {
  auto c = parseImageConfig(kDockerSaveConfig);
  ASSERT_TRUE(c) << c.error().what();
  std::string rendered = renderImageConfig(*c);
  EXPECT_EQ(parsed(rendered), parsed(kDockerSaveConfig));
  // A second trip gives the same bytes.
  EXPECT_EQ(renderImageConfig(*parseImageConfig(rendered)), rendered);
}

TEST(ImageConfig, ParsesEveryContainerConfigField) {
  auto c = parseImageConfig(kDockerBuildConfig);
  ASSERT_TRUE(c) << c.error().what();
  EXPECT_EQ(c->variant, "v7");
  EXPECT_EQ(c->author, "Jane Doe <jane@example.com>");
  EXPECT_EQ(c->osVersion, "6.1");
  EXPECT_EQ(c->extra["os.features"], Json::parse(R"(["x"])"));
  EXPECT_EQ(c->extra["comment"], "buildkit.dockerfile.v0");
  const ContainerConfig& cc = c->config;
  EXPECT_EQ(cc.user, "app:app");
  EXPECT_THAT(cc.exposedPorts, ElementsAre("443/tcp", "53/udp", "80/tcp"));
  EXPECT_THAT(cc.env, ElementsAre("PATH=/usr/bin:/bin", "APP_ENV=prod"));
  EXPECT_THAT(*cc.entrypoint, ElementsAre("/docker-entrypoint.sh"));
  EXPECT_THAT(*cc.cmd, ElementsAre("nginx", "-g", "daemon off;"));
  EXPECT_THAT(cc.volumes, ElementsAre("/data", "/var/log"));
  EXPECT_EQ(cc.workingDir, "/srv");
  EXPECT_THAT(cc.labels, ElementsAre(Pair("maintainer", "jane"),
                                     Pair("org.opencontainers.image.version", "1.2.3")));
  EXPECT_EQ(cc.stopSignal, "SIGQUIT");
  EXPECT_TRUE(cc.argsEscaped);
  ASSERT_TRUE(cc.healthcheck);
  EXPECT_THAT(cc.healthcheck->test,
              ElementsAre("CMD-SHELL", "curl -f http://localhost/ || exit 1"));
  EXPECT_EQ(cc.healthcheck->intervalNs, 30000000000);
  EXPECT_EQ(cc.healthcheck->timeoutNs, 5000000000);
  EXPECT_EQ(cc.healthcheck->startPeriodNs, 10000000000);
  EXPECT_EQ(cc.healthcheck->startIntervalNs, 2000000000);
  EXPECT_EQ(cc.healthcheck->retries, 3);
  EXPECT_THAT(cc.onBuild, ElementsAre("COPY . /srv"));
  EXPECT_THAT(cc.shell, ElementsAre("/bin/bash", "-c"));
  EXPECT_TRUE(cc.extra.empty());
  ASSERT_EQ(c->diffIds.size(), 2u);
  EXPECT_EQ(c->history[0].author, "jane");
  EXPECT_EQ(c->history[0].comment, "buildkit.dockerfile.v0");
  EXPECT_EQ(parsed(renderImageConfig(*c)), parsed(kDockerBuildConfig));
}

TEST(ImageConfig, RoundTripsTheOciSpecExample) {
  auto c = parseImageConfig(kOciConfig);
  ASSERT_TRUE(c) << c.error().what();
  EXPECT_EQ(c->config.user, "alice");
  EXPECT_THAT(c->config.exposedPorts, ElementsAre("8080/tcp"));
  EXPECT_EQ(c->diffIds[1].hex(),
            "5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef");
  EXPECT_TRUE(c->extra.empty());
  EXPECT_EQ(parsed(renderImageConfig(*c)), parsed(kOciConfig));
}

std::string withCmd(const std::string& cmd) {
  std::string config = cmd.empty() ? "{}" : "{" + cmd + "}";
  return R"({"architecture":"amd64","os":"linux","config":)" + config + "," + kRootfs + "}";
}

TEST(ImageConfig, KeepsNullAbsentAndEmptyCmdApart) {
  auto absent = parseImageConfig(withCmd(R"("Env":["A=1"])"));
  auto null = parseImageConfig(withCmd(R"("Env":["A=1"],"Cmd":null,"Entrypoint":null)"));
  auto empty = parseImageConfig(withCmd(R"("Env":["A=1"],"Cmd":[],"Entrypoint":[])"));
  ASSERT_TRUE(absent && null && empty);
  EXPECT_FALSE(absent->config.cmd);
  EXPECT_FALSE(null->config.cmd);
  ASSERT_TRUE(empty->config.cmd);
  EXPECT_TRUE(empty->config.cmd->empty());
  EXPECT_TRUE(empty->config.entrypoint && empty->config.entrypoint->empty());

  Json a = parsed(renderImageConfig(*absent))["config"];
  Json n = parsed(renderImageConfig(*null))["config"];
  Json e = parsed(renderImageConfig(*empty))["config"];
  EXPECT_FALSE(a.contains("Cmd"));
  EXPECT_FALSE(a.contains("Entrypoint"));
  ASSERT_TRUE(n.contains("Cmd"));
  EXPECT_TRUE(n["Cmd"].is_null());
  EXPECT_TRUE(n["Entrypoint"].is_null());
  EXPECT_EQ(e["Cmd"], Json::array());
  EXPECT_EQ(e["Entrypoint"], Json::array());
}

TEST(ImageConfig, AValueSetAfterParsingReplacesTheSourceNull) {
  auto c = parseImageConfig(kDockerSaveConfig);
  ASSERT_TRUE(c);
  c->config.entrypoint = std::vector<std::string>{"/init"};
  c->config.cmd.reset();
  c->config.labels["a"] = "b";
  Json config = parsed(renderImageConfig(*c))["config"];
  EXPECT_EQ(config["Entrypoint"], Json::parse(R"(["/init"])"));
  EXPECT_FALSE(config.contains("Cmd"));  // it was ["sh"], not null, in the source
  EXPECT_EQ(config["Labels"], Json::parse(R"({"a":"b"})"));
  EXPECT_EQ(config["Hostname"], "");
}

TEST(ImageConfig, ReadsAStringCmdAsDockersStrSliceDoes) {
  auto c = parseImageConfig(withCmd(R"("Cmd":"sh","Entrypoint":"/init","Shell":"/bin/ash")"));
  ASSERT_TRUE(c) << c.error().what();
  EXPECT_THAT(*c->config.cmd, ElementsAre("sh"));
  EXPECT_THAT(*c->config.entrypoint, ElementsAre("/init"));
  EXPECT_THAT(c->config.shell, ElementsAre("/bin/ash"));
}

TEST(ImageConfig, RendersAFreshConfigDeterministically) {
  ImageConfig c;
  c.created = "2024-01-02T03:04:05Z";
  c.architecture = "amd64";
  c.os = "linux";
  c.config.env = {"PATH=/bin"};
  c.config.cmd = std::vector<std::string>{"sh"};
  c.config.exposedPorts = {"80/tcp"};
  c.config.volumes = {"/data"};
  c.config.healthcheck = HealthConfig{{"NONE"}, 0, 0, 0, 0, 0};
  c.diffIds = {*Digest::fromHex(std::string(64, 'a'))};
  c.history = {HistoryEntry{"2024-01-02T03:04:05Z", "ADD x /", "", "", false},
               HistoryEntry{"2024-01-02T03:04:05Z", "CMD [\"sh\"]", "", "", true}};
  EXPECT_EQ(renderImageConfig(c),
            R"({"architecture":"amd64","config":{"Cmd":["sh"],"Env":["PATH=/bin"],)"
            R"("ExposedPorts":{"80/tcp":{}},"Healthcheck":{"Test":["NONE"]},)"
            R"("Volumes":{"/data":{}}},"created":"2024-01-02T03:04:05Z",)"
            R"("history":[{"created":"2024-01-02T03:04:05Z","created_by":"ADD x /"},)"
            R"({"created":"2024-01-02T03:04:05Z","created_by":"CMD [\"sh\"]","empty_layer":true}],)"
            R"("os":"linux","rootfs":{"diff_ids":["sha256:)" +
                std::string(64, 'a') + R"("],"type":"layers"}})");

  // Labels inserted in another order give the same bytes.
  ImageConfig a = c, b = c;
  a.config.labels = {{"x", "1"}, {"y", "2"}};
  b.config.labels["y"] = "2";
  b.config.labels["x"] = "1";
  EXPECT_EQ(renderImageConfig(a), renderImageConfig(b));
}

TEST(ImageConfig, RendersAnEmptyConfigWithRootfsOnly) {
  EXPECT_EQ(renderImageConfig(ImageConfig{}), R"({"rootfs":{"diff_ids":[],"type":"layers"}})");
  // Docker's spelling of a layerless rootfs (no diff_ids) survives a round trip.
  auto c = parseImageConfig(R"({"os":"linux","rootfs":{"type":"layers"}})");
  ASSERT_TRUE(c) << c.error().what();
  EXPECT_EQ(renderImageConfig(*c), R"({"os":"linux","rootfs":{"type":"layers"}})");
  c->diffIds.push_back(*Digest::fromHex(std::string(64, 'b')));
  EXPECT_THAT(renderImageConfig(*c), HasSubstr(R"("diff_ids":["sha256:bbbb)"));
}

TEST(ImageConfig, RefusesBadFieldsNamingTheirPath) {
  const std::string a64(64, 'a');
  struct Case {
    std::string json;
    std::string error;
  };
  for (const Case& c : {
           Case{R"({"rootfs":{"type":"layers","diff_ids":["sha256:)" + a64 + R"(","sha256:zz"]}})",
                "image config: rootfs.diff_ids[1]: invalid sha256 digest \"zz\": want 64 "
                "lowercase hex digits"},
           Case{R"({"os":"linux"})", "image config: rootfs: missing"},
           Case{R"({"rootfs":{"diff_ids":[]}})", "image config: rootfs.type: missing"},
           Case{R"({"rootfs":{"type":"layers+base","diff_ids":[]}})",
                "image config: rootfs.type: unsupported type \"layers+base\", want \"layers\""},
           Case{R"({"rootfs":{"type":"layers","diff_ids":"x"}})",
                "image config: rootfs.diff_ids: expected array, got string"},
           Case{R"({"created":"yesterday",)" + kRootfs + "}",
                "image config: created: \"yesterday\" is not an RFC 3339 time"},
           Case{R"({"created":"2024-13-01T00:00:00Z",)" + kRootfs + "}",
                "image config: created: \"2024-13-01T00:00:00Z\" is not an RFC 3339 time"},
           Case{R"({"architecture":5,)" + kRootfs + "}",
                "image config: architecture: expected string, got 5"},
           Case{R"({"config":[],)" + kRootfs + "}",
                "image config: config: expected object, got array"},
           Case{R"({"config":{"Env":["A=1",5]},)" + kRootfs + "}",
                "image config: config.Env[1]: expected string, got 5"},
           Case{R"({"config":{"ExposedPorts":{"80/tcp":1}},)" + kRootfs + "}",
                "image config: config.ExposedPorts.80/tcp: expected object, got 1"},
           Case{R"({"config":{"Volumes":["/data"]},)" + kRootfs + "}",
                "image config: config.Volumes: expected object, got array"},
           Case{R"({"config":{"Healthcheck":{"Interval":"30s"}},)" + kRootfs + "}",
                "image config: config.Healthcheck.Interval: expected integer, got string"},
           Case{R"({"config":{"Cmd":[1]},)" + kRootfs + "}",
                "image config: config.Cmd[0]: expected string, got 1"},
           Case{R"({"config":{"Labels":{"a":null}},)" + kRootfs + "}",
                "image config: config.Labels.a: expected string, got null"},
           Case{R"({"history":[{},{"created":"2024-01-01 00:00:00"}],)" + kRootfs + "}",
                "image config: history[1].created: \"2024-01-01 00:00:00\" is not an RFC 3339 "
                "time"},
           Case{R"({"history":[{"empty_layer":"yes"}],)" + kRootfs + "}",
                "image config: history[0].empty_layer: expected boolean, got string"},
           Case{"[]", "image config: expected a JSON object, got array"},
       }) {
    EXPECT_EQ(configError(c.json), c.error) << c.json;
  }
  EXPECT_THAT(configError("{"), ::testing::StartsWith("parse image config: "));
}

TEST(ImageConfig, AcceptsRfc3339TimesAsGoWritesThem) {
  for (std::string t :
       {"2024-01-01T00:00:00Z", "2024-01-01T00:00:00.123456789Z", "2024-01-01T23:59:59+05:30",
        "2024-01-01T00:00:00.5-08:00", "0001-01-01T00:00:00Z"}) {
    auto c = parseImageConfig(R"({"created":")" + t + "\"," + kRootfs + "}");
    ASSERT_TRUE(c) << t << ": " << c.error().what();
    EXPECT_EQ(c->created, t);
  }
}

TEST(ContainerConfig, ConvertsToAndFromJsonKeepingUnknownKeys) {
  Json j = Json::parse(R"({"Hostname":"h","Tty":true,"Env":null,"User":"",
                           "Cmd":["a"],"StopTimeout":10,"Labels":{}})");
  auto c = containerConfigFromJson(j);
  ASSERT_TRUE(c) << c.error().what();
  EXPECT_THAT(*c->cmd, ElementsAre("a"));
  EXPECT_TRUE(c->env.empty());
  EXPECT_EQ(c->extra["StopTimeout"], 10);
  EXPECT_EQ(containerConfigToJson(*c), j);

  ContainerConfig fresh;
  EXPECT_EQ(containerConfigToJson(fresh), Json::object());
  fresh.argsEscaped = true;
  fresh.workingDir = "/w";
  EXPECT_EQ(containerConfigToJson(fresh), Json::parse(R"({"ArgsEscaped":true,"WorkingDir":"/w"})"));
  auto bad = containerConfigFromJson(Json::parse(R"({"User":1})"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().what(), "config.User: expected string, got 1");
}

}  // namespace
}  // namespace berth::oci
