#include "cli/format/template_lex.h"

#include <fmt/format.h>

#include <algorithm>

#include "cli/format/go_fmt.h"
#include "cli/format/utf8.h"

namespace berth::cli::tmpl {

namespace {

constexpr std::string_view kLeftDelim = "{{";
constexpr std::string_view kRightDelim = "}}";
constexpr std::string_view kLeftComment = "/*";
constexpr std::string_view kRightComment = "*/";
constexpr std::string_view kSpaceChars = " \t\r\n";
constexpr char32_t kEof = static_cast<char32_t>(-1);

bool isSpace(char32_t r) {
  return r == ' ' || r == '\t' || r == '\r' || r == '\n';
}

bool isAlphaNumeric(char32_t r) {
  if (r == kEof) return false;
  if (r == '_' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')) {
    return true;
  }
  // Non-ASCII letters and digits, approximated as every non-ASCII rune but the invalid one.
  return r >= 0x80 && r != utf8::kRuneError;
}

// "- " right after "{{": trims the space before the action.
bool hasLeftTrimMarker(std::string_view s) {
  return s.size() >= 2 && s[0] == '-' && isSpace(static_cast<unsigned char>(s[1]));
}
// " -" right before "}}": trims the space after the action.
bool hasRightTrimMarker(std::string_view s) {
  return s.size() >= 2 && isSpace(static_cast<unsigned char>(s[0])) && s[1] == '-';
}

size_t rightTrimLength(std::string_view s) {
  size_t e = s.find_last_not_of(kSpaceChars);
  return e == std::string_view::npos ? s.size() : s.size() - e - 1;
}
size_t leftTrimLength(std::string_view s) {
  size_t b = s.find_first_not_of(kSpaceChars);
  return b == std::string_view::npos ? s.size() : b;
}

enum class State {
  Text,
  LeftDelim,
  Comment,
  RightDelim,
  InsideAction,
  Space,
  Identifier,
  Field,
  Variable,
  Char,
  Number,
  Quote,
  RawQuote,
  Done
};

class Lexer {
 public:
  explicit Lexer(std::string_view in) : in_(in) {
    for (size_t i = 0; i < in.size(); ++i) {
      if (in[i] == '\n') newlines_.push_back(i);
    }
  }

  std::vector<Item> run() {
    State s = State::Text;
    while (s != State::Done) s = step(s);
    return std::move(items_);
  }

 private:
  State step(State s) {
    switch (s) {
      case State::Text:
        return lexText();
      case State::LeftDelim:
        return lexLeftDelim();
      case State::Comment:
        return lexComment();
      case State::RightDelim:
        return lexRightDelim();
      case State::InsideAction:
        return lexInsideAction();
      case State::Space:
        return lexSpace();
      case State::Identifier:
        return lexIdentifier();
      case State::Field:
        return lexFieldOrVariable(ItemType::Field);
      case State::Variable:
        if (atTerminator()) {
          emit(ItemType::Variable);
          return State::InsideAction;
        }
        return lexFieldOrVariable(ItemType::Variable);
      case State::Char:
        return lexQuoted('\'', "unterminated character constant", ItemType::CharConstant);
      case State::Number:
        return lexNumber();
      case State::Quote:
        return lexQuoted('"', "unterminated quoted string", ItemType::String);
      case State::RawQuote:
        return lexRawQuote();
      case State::Done:
        break;
    }
    return State::Done;
  }

  int lineAt(size_t pos) const {
    return 1 + static_cast<int>(std::lower_bound(newlines_.begin(), newlines_.end(), pos) -
                                newlines_.begin());
  }

  char32_t next() {
    if (pos_ >= in_.size()) {
      width_ = 0;
      return kEof;
    }
    utf8::Rune r = utf8::decode(in_.substr(pos_));
    width_ = r.size;
    pos_ += r.size;
    return r.value;
  }
  char32_t peek() {
    char32_t r = next();
    backup();
    return r;
  }
  void backup() { pos_ -= width_; }
  bool accept(std::string_view valid) {
    char32_t r = next();
    if (r != kEof && r < 0x80 && valid.find(static_cast<char>(r)) != std::string_view::npos) {
      return true;
    }
    backup();
    return false;
  }
  void acceptRun(std::string_view valid) {
    while (accept(valid)) {
    }
  }

  void emit(ItemType t) {
    items_.push_back({t, start_, std::string(in_.substr(start_, pos_ - start_)), lineAt(start_)});
    start_ = pos_;
  }
  void ignore() { start_ = pos_; }
  State errorf(std::string msg) {
    items_.push_back({ItemType::Error, start_, std::move(msg), lineAt(start_)});
    return State::Done;
  }

  // Whether the input is at the right delimiter, possibly preceded by a trim marker.
  std::pair<bool, bool> atRightDelim() const {
    std::string_view rest = in_.substr(pos_);
    if (rest.starts_with(kRightDelim)) return {true, false};
    if (hasRightTrimMarker(rest) && rest.substr(2).starts_with(kRightDelim)) return {true, true};
    return {false, false};
  }

  State lexText() {
    width_ = 0;
    size_t x = in_.find(kLeftDelim, pos_);
    if (x == std::string_view::npos) {
      pos_ = in_.size();
      if (pos_ > start_) emit(ItemType::Text);
      emit(ItemType::Eof);
      return State::Done;
    }
    pos_ = x;
    size_t trim = 0;
    if (hasLeftTrimMarker(in_.substr(x + kLeftDelim.size()))) {
      trim = rightTrimLength(in_.substr(start_, x - start_));
    }
    pos_ -= trim;
    if (pos_ > start_) emit(ItemType::Text);
    pos_ += trim;
    ignore();
    return State::LeftDelim;
  }

  State lexLeftDelim() {
    pos_ += kLeftDelim.size();
    bool trim = hasLeftTrimMarker(in_.substr(pos_));
    size_t afterMarker = trim ? 2 : 0;
    if (in_.substr(pos_ + afterMarker).starts_with(kLeftComment)) {
      pos_ += afterMarker;
      ignore();
      return State::Comment;
    }
    emit(ItemType::LeftDelim);
    pos_ += afterMarker;
    ignore();
    parenDepth_ = 0;
    return State::InsideAction;
  }

  State lexComment() {
    pos_ += kLeftComment.size();
    size_t i = in_.find(kRightComment, pos_);
    if (i == std::string_view::npos) return errorf("unclosed comment");
    pos_ = i + kRightComment.size();
    auto [delim, trim] = atRightDelim();
    if (!delim) return errorf("comment ends before closing delimiter");
    if (trim) pos_ += 2;
    pos_ += kRightDelim.size();
    if (trim) pos_ += leftTrimLength(in_.substr(pos_));
    ignore();
    return State::Text;
  }

  State lexRightDelim() {
    auto [delim, trim] = atRightDelim();
    (void)delim;
    if (trim) {
      pos_ += 2;
      ignore();
    }
    pos_ += kRightDelim.size();
    emit(ItemType::RightDelim);
    if (trim) {
      pos_ += leftTrimLength(in_.substr(pos_));
      ignore();
    }
    return State::Text;
  }

  State lexInsideAction() {
    if (atRightDelim().first) {
      if (parenDepth_ == 0) return State::RightDelim;
      return errorf("unclosed left paren");
    }
    char32_t r = next();
    if (r == kEof) return errorf("unclosed action");
    if (isSpace(r)) {
      backup();
      return State::Space;
    }
    switch (r) {
      case '=':
        emit(ItemType::Assign);
        return State::InsideAction;
      case ':':
        if (next() != '=') return errorf("expected :=");
        emit(ItemType::Declare);
        return State::InsideAction;
      case '|':
        emit(ItemType::Pipe);
        return State::InsideAction;
      case '"':
        return State::Quote;
      case '`':
        return State::RawQuote;
      case '$':
        return State::Variable;
      case '\'':
        return State::Char;
      case '.':
        // ".field", unless a digit follows: ".5" is a number.
        if (pos_ < in_.size() && (in_[pos_] < '0' || in_[pos_] > '9')) return State::Field;
        backup();
        return State::Number;
      case '(':
        emit(ItemType::LeftParen);
        ++parenDepth_;
        return State::InsideAction;
      case ')':
        emit(ItemType::RightParen);
        if (--parenDepth_ < 0) return errorf("unexpected right paren");
        return State::InsideAction;
      default:
        break;
    }
    if (r == '+' || r == '-' || (r >= '0' && r <= '9')) {
      backup();
      return State::Number;
    }
    if (isAlphaNumeric(r)) {
      backup();
      return State::Identifier;
    }
    if (r < 0x7F && r >= 0x20) {
      emit(ItemType::Char);
      return State::InsideAction;
    }
    return errorf("unrecognized character in action: " + describeRune(r));
  }

  State lexSpace() {
    int numSpaces = 0;
    while (isSpace(peek())) {
      next();
      ++numSpaces;
    }
    // A trim-marked right delimiter starts with a space: leave that space to lexRightDelim.
    if (hasRightTrimMarker(in_.substr(pos_ - 1)) &&
        in_.substr(pos_ - 1 + 2).starts_with(kRightDelim)) {
      --pos_;
      if (numSpaces == 1) return State::RightDelim;
    }
    emit(ItemType::Space);
    return State::InsideAction;
  }

  State lexIdentifier() {
    char32_t r;
    while (isAlphaNumeric(r = next())) {
    }
    backup();
    if (!atTerminator()) return errorf("bad character " + describeRune(r));
    std::string_view word = in_.substr(start_, pos_ - start_);
    static const std::pair<std::string_view, ItemType> kKeywords[] = {
        {"block", ItemType::Block},
        {"break", ItemType::Break},
        {"continue", ItemType::Continue},
        {"define", ItemType::Define},
        {"else", ItemType::Else},
        {"end", ItemType::End},
        {"if", ItemType::If},
        {"nil", ItemType::Nil},
        {"range", ItemType::Range},
        {"template", ItemType::Template},
        {"with", ItemType::With},
    };
    for (const auto& [k, t] : kKeywords) {
      if (word == k) {
        emit(t);
        return State::InsideAction;
      }
    }
    emit(word == "true" || word == "false" ? ItemType::Bool : ItemType::Identifier);
    return State::InsideAction;
  }

  State lexFieldOrVariable(ItemType type) {
    if (atTerminator()) {
      emit(type == ItemType::Variable ? ItemType::Variable : ItemType::Dot);
      return State::InsideAction;
    }
    char32_t r;
    while (isAlphaNumeric(r = next())) {
    }
    backup();
    if (!atTerminator()) return errorf("bad character " + describeRune(r));
    emit(type);
    return State::InsideAction;
  }

  // Whether the next rune may follow an identifier: space, separating punctuation, the right
  // delimiter or the end.
  bool atTerminator() {
    char32_t r = peek();
    if (r == kEof || isSpace(r)) return true;
    switch (r) {
      case '.':
      case ',':
      case '|':
      case ':':
      case ')':
      case '(':
        return true;
      default:
        // The first rune of the right delimiter, as Go checks it.
        return r == static_cast<char32_t>(kRightDelim[0]);
    }
  }

  State lexQuoted(char quote, const char* unterminated, ItemType type) {
    for (;;) {
      char32_t r = next();
      if (r == '\\') {
        r = next();
        if (r != kEof && r != '\n') continue;
        return errorf(unterminated);
      }
      if (r == kEof || r == '\n') return errorf(unterminated);
      if (r == static_cast<char32_t>(quote)) break;
    }
    emit(type);
    return State::InsideAction;
  }

  State lexRawQuote() {
    size_t end = in_.find('`', pos_);
    if (end == std::string_view::npos) return errorf("unterminated raw quoted string");
    pos_ = end + 1;
    emit(ItemType::RawString);
    return State::InsideAction;
  }

  State lexNumber() {
    if (!scanNumber()) {
      return errorf(
          fmt::format("bad number syntax: {}", goQuote(in_.substr(start_, pos_ - start_))));
    }
    char32_t sign = peek();
    if (sign == '+' || sign == '-') {
      if (!scanNumber() || in_[pos_ - 1] != 'i') {
        return errorf(
            fmt::format("bad number syntax: {}", goQuote(in_.substr(start_, pos_ - start_))));
      }
      emit(ItemType::Complex);
      return State::InsideAction;
    }
    emit(ItemType::Number);
    return State::InsideAction;
  }

  bool scanNumber() {
    accept("+-");
    std::string_view digits = "0123456789_";
    if (accept("0")) {
      if (accept("xX")) {
        digits = "0123456789abcdefABCDEF_";
      } else if (accept("oO")) {
        digits = "01234567_";
      } else if (accept("bB")) {
        digits = "01_";
      }
    }
    acceptRun(digits);
    if (accept(".")) acceptRun(digits);
    if (digits.size() == 11 && accept("eE")) {
      accept("+-");
      acceptRun("0123456789_");
    }
    if (digits.size() == 23 && accept("pP")) {
      accept("+-");
      acceptRun("0123456789_");
    }
    accept("i");
    if (isAlphaNumeric(peek())) {
      next();
      return false;
    }
    return true;
  }

  std::string_view in_;
  std::vector<size_t> newlines_;
  size_t pos_ = 0;
  size_t start_ = 0;
  size_t width_ = 0;
  int parenDepth_ = 0;
  std::vector<Item> items_;
};

}  // namespace

std::vector<Item> lex(std::string_view input) {
  return Lexer(input).run();
}

std::string describeRune(char32_t r) {
  std::string out = fmt::format("U+{:04X}", static_cast<uint32_t>(r));
  if (r >= 0x20 && r != 0x7F && r != utf8::kRuneError) {
    out += " '";
    utf8::append(out, r);
    out += '\'';
  }
  return out;
}

std::string describe(const Item& item) {
  if (item.type == ItemType::Eof) return "EOF";
  if (item.type == ItemType::Error) return item.val;
  if (item.type > ItemType::Keyword) return "<" + item.val + ">";
  if (utf8::runeCount(item.val) > 10) return goQuote(utf8::prefixRunes(item.val, 10)) + "...";
  return goQuote(item.val);
}

}  // namespace berth::cli::tmpl
