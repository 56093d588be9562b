#pragma once
// Elastic tabstops as Go's text/tabwriter computes them (docker/cli vendors a copy that measures
// cells with go-runewidth; so does this). Cells are terminated by '\t' (or '\v'); '\n' and '\f'
// end a line. A column is a run of consecutive lines that all have a tab-terminated cell at
// that index; its width is the widest cell plus padding, at least minWidth. A line's last,
// unterminated cell takes no part in alignment. Only flags 0 is supported (no AlignRight,
// DiscardEmptyColumns, FilterHTML or Debug); text between 0xff Escape bytes is kept verbatim.

#include <string>
#include <string_view>
#include <vector>

namespace berth::cli {

class TabWriter {
 public:
  // docker's tables: TabWriter(10, 1, 3) with ' ' padding (cli/command/formatter).
  TabWriter(int minWidth, int tabWidth, int padding, char padChar = ' ');

  void write(std::string_view text);
  // Formats everything written so far (an unterminated last line included) and returns the
  // output produced since the previous flush.
  std::string flush();

 private:
  struct Cell {
    size_t size = 0;   // bytes
    size_t width = 0;  // terminal columns
    bool htab = false;
  };

  void addLine();
  void reset();
  void updateWidth();
  void terminateCell(bool htab);
  void endEscape();
  void flushInternal();
  size_t format(size_t pos, size_t line0, size_t line1);
  size_t writeLines(size_t pos, size_t line0, size_t line1);
  void writePadding(size_t textWidth, size_t cellWidth);

  int minWidth_;
  int tabWidth_;
  int padding_;
  char padChar_;

  std::string buf_;  // cell text without tabs and line breaks
  size_t pos_ = 0;   // buf_ offset up to which cell_.width is computed
  Cell cell_;        // the incomplete cell at the end of buf_
  bool inEscape_ = false;
  std::vector<std::vector<Cell>> lines_;
  std::vector<size_t> widths_;
  std::string out_;
};

}  // namespace berth::cli
