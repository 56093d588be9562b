#include "cli/format/tabwriter.h"

#include <algorithm>

#include "cli/format/utf8.h"

namespace berth::cli {

namespace {
constexpr char kEscape = '\xff';
}

TabWriter::TabWriter(int minWidth, int tabWidth, int padding, char padChar)
    : minWidth_(std::max(minWidth, 0)),
      tabWidth_(std::max(tabWidth, 0)),
      padding_(std::max(padding, 0)),
      padChar_(padChar) {
  reset();
}

void TabWriter::addLine() {
  lines_.emplace_back();
}

void TabWriter::reset() {
  buf_.clear();
  pos_ = 0;
  cell_ = Cell{};
  inEscape_ = false;
  lines_.clear();
  widths_.clear();
  addLine();
}

void TabWriter::updateWidth() {
  cell_.width += utf8::stringWidth(std::string_view(buf_).substr(pos_));
  pos_ = buf_.size();
}

void TabWriter::terminateCell(bool htab) {
  cell_.htab = htab;
  lines_.back().push_back(cell_);
  cell_ = Cell{};
}

void TabWriter::endEscape() {
  updateWidth();
  cell_.width -= 2;  // the Escape bytes themselves take no room
  pos_ = buf_.size();
  inEscape_ = false;
}

void TabWriter::write(std::string_view text) {
  size_t n = 0;
  auto append = [&](size_t end) {
    buf_.append(text.substr(n, end - n));
    cell_.size += end - n;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (!inEscape_) {
      if (ch == '\t' || ch == '\v' || ch == '\n' || ch == '\f') {
        append(i);
        updateWidth();
        n = i + 1;
        terminateCell(ch == '\t');
        if (ch == '\n' || ch == '\f') {
          size_t ncells = lines_.back().size();
          addLine();
          // A line of one cell cannot affect the columns after it: flush what we have.
          if (ch == '\f' || ncells == 1) flushInternal();
        }
      } else if (ch == kEscape) {
        append(i);
        updateWidth();
        n = i;
        inEscape_ = true;
      }
    } else if (ch == kEscape) {
      append(i + 1);
      n = i + 1;
      endEscape();
    }
  }
  append(text.size());
}

std::string TabWriter::flush() {
  flushInternal();
  std::string out = std::move(out_);
  out_.clear();
  return out;
}

void TabWriter::flushInternal() {
  if (cell_.size > 0) {
    if (inEscape_) endEscape();
    terminateCell(false);
  }
  format(0, 0, lines_.size());
  reset();
}

void TabWriter::writePadding(size_t textWidth, size_t cellWidth) {
  if (padChar_ == '\t') {
    if (tabWidth_ == 0) return;
    size_t tw = static_cast<size_t>(tabWidth_);
    cellWidth = (cellWidth + tw - 1) / tw * tw;
    size_t n = cellWidth - textWidth;
    out_.append((n + tw - 1) / tw, '\t');
    return;
  }
  if (cellWidth > textWidth) out_.append(cellWidth - textWidth, padChar_);
}

size_t TabWriter::writeLines(size_t pos, size_t line0, size_t line1) {
  for (size_t i = line0; i < line1; ++i) {
    const auto& line = lines_[i];
    for (size_t j = 0; j < line.size(); ++j) {
      const Cell& c = line[j];
      if (c.size > 0) {
        out_.append(buf_, pos, c.size);
        pos += c.size;
      }
      if (j < widths_.size()) writePadding(c.width, widths_[j]);
    }
    if (i + 1 == lines_.size()) {
      // The last buffered line has no newline yet: write what is left of its text.
      out_.append(buf_, pos, cell_.size);
      pos += cell_.size;
    } else {
      out_ += '\n';
    }
  }
  return pos;
}

// Go's recursive column-block layout: find the first line that has a cell in the next column,
// size that column over the block of lines that share it, and recurse for the columns right of
// it within the block.
size_t TabWriter::format(size_t pos, size_t line0, size_t line1) {
  size_t column = widths_.size();
  for (size_t cur = line0; cur < line1; ++cur) {
    if (column + 1 >= lines_[cur].size()) continue;
    pos = writeLines(pos, line0, cur);
    line0 = cur;
    size_t width = static_cast<size_t>(minWidth_);
    for (; cur < line1; ++cur) {
      const auto& line = lines_[cur];
      if (column + 1 >= line.size()) break;
      width = std::max(width, line[column].width + static_cast<size_t>(padding_));
    }
    widths_.push_back(width);
    pos = format(pos, line0, cur);
    widths_.pop_back();
    // cur is the first line past the block; it has no cell in this column, so the loop's
    // increment may step over it, as Go's does.
    line0 = cur;
  }
  return writeLines(pos, line0, line1);
}

}  // namespace berth::cli
