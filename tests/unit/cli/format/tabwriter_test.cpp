#include "cli/format/tabwriter.h"

#include <gtest/gtest.h>

namespace berth::cli {
namespace {

std::string format(std::string_view in, int minWidth = 10, int tabWidth = 1, int padding = 3,
                   char padChar = ' ') {
  TabWriter tw(minWidth, tabWidth, padding, padChar);
  tw.write(in);
  return tw.flush();
}

TEST(TabWriter, PrintsDockersEmptyPsAndImagesHeaders) {
  EXPECT_EQ(format("CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tPORTS\tNAMES\n"),
            "CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n");
  EXPECT_EQ(format("REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\n"),
            "REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n");
}

TEST(TabWriter, AlignsDockerPsRowsUnderTheHeader) {
  std::string in =
      "CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tPORTS\tNAMES\n"
      "3f2a1b0c9d8e\tbusybox\t\"sh\"\t2 minutes ago\tUp 2 minutes\t\tweb\n"
      "9b8c7d6e5f4a\tnginx:latest\t\"/docker-entrypoint.\xe2\x80\xa6\"\t3 hours ago\t"
      "Exited (0) 2 hours ago\t0.0.0.0:8080->80/tcp\tproxy\n";
  EXPECT_EQ(format(in),
            "CONTAINER ID   IMAGE          COMMAND                  CREATED         STATUS      "
            "             PORTS                  NAMES\n"
            "3f2a1b0c9d8e   busybox        \"sh\"                     2 minutes ago   Up 2 "
            "minutes                                    web\n"
            "9b8c7d6e5f4a   nginx:latest   \"/docker-entrypoint.\xe2\x80\xa6\"   3 hours ago     "
            "Exited (0) 2 hours ago   0.0.0.0:8080->80/tcp   proxy\n");
}

TEST(TabWriter, AlignsColumnsPerBlockOfConsecutiveLines) {
  // Go's doc example: b and c are distinct columns, d and e are in none.
  EXPECT_EQ(format("aaaa\tbbb\td\naa\tb\tdd\na\t\naa\tcccc\teee\n", 0, 8, 1),
            "aaaa bbb d\n"
            "aa   b   dd\n"
            "a    \n"
            "aa   cccc eee\n");
  // An empty line ends every column.
  EXPECT_EQ(format("a\tb\tc\naa\tbbb\tcccc\n\nx\ty\n", 0, 8, 1, '.'),
            "a..b...c\naa.bbb.cccc\n\nx.y\n");
}

TEST(TabWriter, KeepsMinimumWidthAndPadsEmptyCells) {
  EXPECT_EQ(format("a\t\tc\nbb\tx\td\n", 4, 8, 1), "a       c\nbb  x   d\n");
}

TEST(TabWriter, MeasuresWideRunesAsTwoColumns) {
  EXPECT_EQ(format("\xe6\x97\xa5\xe6\x9c\xac\tx\nab\ty\n", 0, 8, 1),
            "\xe6\x97\xa5\xe6\x9c\xac x\nab   y\n");
  EXPECT_EQ(format("\xc3\xa9t\xc3\xa9\tx\nab\ty\n", 0, 8, 1), "\xc3\xa9t\xc3\xa9 x\nab  y\n");
}

TEST(TabWriter, FlushWritesAnUnterminatedLastLine) {
  TabWriter tw(0, 8, 1);
  tw.write("a\tb");
  EXPECT_EQ(tw.flush(), "a b");
  tw.write("x\n");
  EXPECT_EQ(tw.flush(), "x\n");
  EXPECT_EQ(tw.flush(), "");
}

TEST(TabWriter, AcceptsTextInPieces) {
  TabWriter tw(0, 8, 1);
  tw.write("na");
  tw.write("me\tva");
  tw.write("lue\nx\ty\n");
  EXPECT_EQ(tw.flush(), "name value\nx    y\n");
}

TEST(TabWriter, PassesEscapedTextThrough) {
  // The escaped tab is text; as go-runewidth measures, it takes no column.
  EXPECT_EQ(format("\xff"
                   "a\tb\xff\tc\nabcd\te\n",
                   0, 8, 1),
            "\xff"
            "a\tb\xff   c\nabcd e\n");
}

TEST(TabWriter, PadsWithTabsWhenPadCharIsTab) {
  EXPECT_EQ(format("a\tb\nabcdefghi\tc\n", 0, 8, 1, '\t'), "a\t\tb\nabcdefghi\tc\n");
}

}  // namespace
}  // namespace berth::cli
