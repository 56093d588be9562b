#include "image/reference.h"

#include "base/strings.h"

// The grammar and the error wording follow github.com/distribution/reference (the version Docker
// 28 vendors): regexp.go for the grammar, normalize.go for ParseNormalizedNamed, reference.go for
// Parse. The regular expression is matched by hand: every optional part of it is delimited by a
// character the others cannot contain ('@' before the digest, the first ':' after the last '/'
// before the tag, the first '/' after the domain), so one left-to-right split gives the same
// captures as Go's leftmost-first match without a regex engine.

namespace berth::image {
namespace {

constexpr std::string_view kDefaultDomain = "docker.io";
constexpr std::string_view kLegacyDefaultDomain = "index.docker.io";
constexpr std::string_view kLocalhost = "localhost";
constexpr std::string_view kOfficialRepoPrefix = "library/";
constexpr std::string_view kDefaultTag = "latest";
constexpr size_t kRepositoryNameTotalLengthMax = 255;

bool isLowerAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool isAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool isDigit(char c) {
  return c >= '0' && c <= '9';
}
bool isAlnum(char c) {
  return isAlpha(c) || isDigit(c);
}
bool isWord(char c) {
  return isAlnum(c) || c == '_';
}
bool isXDigit(char c) {
  return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool isLowerHex(char c) {
  return isDigit(c) || (c >= 'a' && c <= 'f');
}

// path-component := [a-z0-9]+ (separator [a-z0-9]+)*   separator := [._] | __ | [-]+
bool isPathComponent(std::string_view s) {
  size_t i = 0;
  auto alnumRun = [&] {
    size_t start = i;
    while (i < s.size() && isLowerAlnum(s[i])) ++i;
    return i > start;
  };
  if (!alnumRun()) return false;
  while (i < s.size()) {
    if (s[i] == '.') {
      ++i;
    } else if (s[i] == '_') {
      ++i;
      if (i < s.size() && s[i] == '_') ++i;
    } else if (s[i] == '-') {
      while (i < s.size() && s[i] == '-') ++i;
    } else {
      return false;
    }
    if (!alnumRun()) return false;
  }
  return true;
}

// remote-name := path-component ('/' path-component)*
bool isRemoteName(std::string_view s) {
  for (;;) {
    size_t slash = s.find('/');
    if (!isPathComponent(s.substr(0, slash))) return false;
    if (slash == std::string_view::npos) return true;
    s.remove_prefix(slash + 1);
  }
}

// domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
bool isDomainComponent(std::string_view s) {
  if (s.empty() || !isAlnum(s.front()) || !isAlnum(s.back())) return false;
  for (char c : s)
    if (!isAlnum(c) && c != '-') return false;
  return true;
}

bool isDomainName(std::string_view s) {
  for (;;) {
    size_t dot = s.find('.');
    if (!isDomainComponent(s.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    s.remove_prefix(dot + 1);
  }
}

// domain := (domain-name | '[' [a-fA-F0-9:]+ ']') (':' [0-9]+)?
bool isDomainAndPort(std::string_view s) {
  std::string_view port;
  if (!s.empty() && s.front() == '[') {
    size_t close = s.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    for (char c : s.substr(1, close - 1))
      if (!isXDigit(c) && c != ':') return false;
    std::string_view rest = s.substr(close + 1);
    if (rest.empty()) return true;
    if (rest.front() != ':') return false;
    port = rest.substr(1);
  } else {
    size_t colon = s.find(':');
    if (!isDomainName(s.substr(0, colon))) return false;
    if (colon == std::string_view::npos) return true;
    port = s.substr(colon + 1);
  }
  if (port.empty()) return false;
  for (char c : port)
    if (!isDigit(c)) return false;
  return true;
}

// tag := [\w][\w.-]{0,127}
bool isTag(std::string_view s) {
  if (s.empty() || s.size() > 128 || !isWord(s.front())) return false;
  for (char c : s)
    if (!isWord(c) && c != '.' && c != '-') return false;
  return true;
}

// digest := [A-Za-z][A-Za-z0-9]* ([-_+.][A-Za-z][A-Za-z0-9]*)* ':' [0-9a-fA-F]{32,}
bool isDigestPattern(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view algo = s.substr(0, colon), hex = s.substr(colon + 1);
  bool componentStart = true;
  for (char c : algo) {
    if (componentStart) {
      if (!isAlpha(c)) return false;
      componentStart = false;
    } else if (c == '-' || c == '_' || c == '+' || c == '.') {
      componentStart = true;
    } else if (!isAlnum(c)) {
      return false;
    }
  }
  if (componentStart) return false;  // empty algorithm or a trailing separator
  if (hex.size() < 32) return false;
  for (char c : hex)
    if (!isXDigit(c)) return false;
  return true;
}

struct Parts {
  std::string_view domain, path, tag, digest;
};

// ^(name)(?::(tag))?(?:@(digest))?$ with name := (?:(domain)/)?(remote-name).
std::optional<Parts> matchReference(std::string_view s) {
  Parts p;
  std::string_view left = s;
  if (size_t at = s.find('@'); at != std::string_view::npos) {
    left = s.substr(0, at);
    p.digest = s.substr(at + 1);
    if (!isDigestPattern(p.digest)) return std::nullopt;
  }
  size_t slash = left.rfind('/');
  size_t colon = left.find(':', slash == std::string_view::npos ? 0 : slash + 1);
  std::string_view name = left;
  if (colon != std::string_view::npos) {
    name = left.substr(0, colon);
    p.tag = left.substr(colon + 1);
    if (!isTag(p.tag)) return std::nullopt;
  }
  // The optional domain is greedy: the first component is the domain whenever it can be.
  if (size_t first = name.find('/'); first != std::string_view::npos &&
                                     isDomainAndPort(name.substr(0, first)) &&
                                     isRemoteName(name.substr(first + 1))) {
    p.domain = name.substr(0, first);
    p.path = name.substr(first + 1);
    return p;
  }
  if (!isRemoteName(name)) return std::nullopt;
  p.path = name;
  return p;
}

// go-digest's Digest.Validate for the algorithms Docker registers (sha256, sha384, sha512);
// only sha256 can be held in a Digest, the other two are refused as unsupported.
Result<Digest> parseDigest(std::string_view s) {
  size_t colon = s.find(':');
  std::string_view algo = s.substr(0, colon), encoded = s.substr(colon + 1);
  size_t want = algo == "sha256" ? 64 : algo == "sha384" ? 96 : algo == "sha512" ? 128 : 0;
  if (want == 0) {
    // DigestRegexpAnchored: [a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+
    bool wellFormed = !algo.empty() && isLowerAlnum(algo.front()) && isLowerAlnum(algo.back());
    for (size_t i = 0; wellFormed && i < algo.size(); ++i) {
      char c = algo[i];
      bool sep = c == '.' || c == '+' || c == '_' || c == '-';
      if (sep && !isLowerAlnum(algo[i - 1])) wellFormed = false;
      if (!sep && !isLowerAlnum(c)) wellFormed = false;
    }
    if (!wellFormed) return Error::invalid("invalid checksum digest format");
    return Error::invalid("unsupported digest algorithm");
  }
  if (encoded.size() != want) return Error::invalid("invalid checksum digest length");
  for (char c : encoded)
    if (!isLowerHex(c)) return Error::invalid("invalid checksum digest format");
  if (algo != "sha256") return Error::invalid("unsupported digest algorithm");
  return Digest::fromHex(encoded);
}

// reference.Parse.
Result<Reference> parse(std::string_view s) {
  if (s.empty()) return Error::invalid("repository name must have at least one component");
  std::optional<Parts> parts = matchReference(s);
  if (!parts) {
    std::string lower = toLower(s);
    if (lower != s && matchReference(lower))
      return Error::invalid("repository name must be lowercase");
    return Error::invalid("invalid reference format");
  }
  // Only the path counts, as in distribution/reference v0.6: a long registry host is allowed.
  if (parts->path.size() > kRepositoryNameTotalLengthMax)
    return Error::invalid("repository name must not be more than {} characters",
                          kRepositoryNameTotalLengthMax);
  Reference ref;
  ref.domain = std::string(parts->domain);
  ref.path = std::string(parts->path);
  ref.tag = std::string(parts->tag);
  if (!parts->digest.empty()) ref.digest = TRY(parseDigest(parts->digest));
  return ref;
}

// splitDockerDomain: the default registry unless the first component looks like a host.
std::pair<std::string, std::string> splitDockerDomain(std::string_view name) {
  std::string domain, remainder;
  size_t slash = name.find('/');
  if (slash == std::string_view::npos) {
    // A single component is never a host, so "localhost" and "host:5000" are repositories on
    // Docker Hub ("host:5000" being repository "host", tag "5000").
    return {std::string(kDefaultDomain), std::string(kOfficialRepoPrefix) + std::string(name)};
  }
  std::string_view maybeDomain = name.substr(0, slash);
  std::string_view maybeRemote = name.substr(slash + 1);
  if (maybeDomain == kLocalhost || maybeDomain.find_first_of(".:") != std::string_view::npos ||
      toLower(maybeDomain) != maybeDomain) {
    // Uppercase is never valid in a namespace, so an uppercase first component is taken for a
    // host ("Docker/docker"), as Docker does.
    domain = std::string(maybeDomain);
    remainder = std::string(maybeRemote);
  } else {
    domain = std::string(kDefaultDomain);
    remainder = std::string(name);
  }
  if (domain == kLegacyDefaultDomain) domain = std::string(kDefaultDomain);  // the old "Index"
  if (domain == kDefaultDomain && remainder.find('/') == std::string::npos)
    remainder = std::string(kOfficialRepoPrefix) + remainder;
  return {std::move(domain), std::move(remainder)};
}

std::string familiarPath(const Reference& r) {
  if (r.domain != kDefaultDomain) return r.name();
  if (startsWith(r.path, kOfficialRepoPrefix)) {
    std::string_view rest = std::string_view(r.path).substr(kOfficialRepoPrefix.size());
    if (rest.find('/') == std::string_view::npos) return std::string(rest);
  }
  return r.path;
}

std::string withSuffix(std::string name, const Reference& r) {
  if (!r.tag.empty()) name += ":" + r.tag;
  if (r.digest) name += "@" + r.digest->str();
  return name;
}

}  // namespace

std::string Reference::name() const {
  if (domain.empty()) return path;
  return domain + "/" + path;
}

std::string Reference::familiarName() const {
  return familiarPath(*this);
}

std::string Reference::str() const {
  return withSuffix(name(), *this);
}

std::string Reference::familiarString() const {
  return withSuffix(familiarName(), *this);
}

Result<Reference> parseNormalizedNamed(std::string_view s) {
  if (isSha256Hex(s))
    return Error::invalid(
        "invalid repository name ({}), cannot specify 64-byte hexadecimal strings", s);
  auto [domain, remainder] = splitDockerDomain(s);
  std::string_view remote = remainder;
  remote = remote.substr(0, remote.find(':'));
  if (toLower(remote) != remote)
    return Error::invalid("invalid reference format: repository name ({}) must be lowercase",
                          remote);
  return parse(domain + "/" + remainder);
}

Result<Reference> parseReference(std::string_view s) {
  Reference ref = TRY(parseNormalizedNamed(s));
  if (ref.tag.empty() && !ref.digest) ref.tag = std::string(kDefaultTag);
  return ref;
}

Status validateTag(std::string_view tag) {
  if (!isTag(tag)) return Error::invalid("invalid tag format");
  return ok();
}

bool isFullImageId(std::string_view s) {
  if (startsWith(s, "sha256:")) s.remove_prefix(7);
  return isSha256Hex(s);
}

}  // namespace berth::image
