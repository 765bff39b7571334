// Batch files (-file, windows-cli.md §1.8) and Windows command-line words.
#include "support.h"

using namespace ipsecpol_test;

namespace {
using Args = std::vector<std::string>;
}

TEST_CASE("batch: lines split like ipseccmd -file") {
  const std::string text =
      "ipseccmd -w REG -p Corp -r Web -f *=0:80:TCP -n BLOCK\r\n"
      "\r\n"
      "   \t  \n"
      "IPSECPOL\t-f 0+*   -a PRESHARE:\"two words\"\n"
      "-f [*=0:1434:UDP]\n"
      "ipseccmd\n"
      "show filters";  // no newline at the end
  auto lines = split_batch_file(text);
  REQUIRE(lines.size() == 5);
  CHECK(lines[0] == BatchLine{1, Args{"-w", "REG", "-p", "Corp", "-r", "Web", "-f", "*=0:80:TCP", "-n", "BLOCK"}});
  // no quote handling: the key splits at the blank
  CHECK(lines[1] == BatchLine{4, Args{"-f", "0+*", "-a", "PRESHARE:\"two", "words\""}});
  CHECK(lines[2] == BatchLine{5, Args{"-f", "[*=0:1434:UDP]"}});
  CHECK(lines[3] == BatchLine{6, Args{}});  // ipseccmd prints its usage for this line
  CHECK(lines[4] == BatchLine{7, Args{"show", "filters"}});
}

TEST_CASE("batch: CR/LF, NUL bytes, only the first word is a program name") {
  static const char raw[] = "-f 0+*\r\r\n-f 1.2.3.4+*\0 ignored\n-n ipseccmd\n";
  auto lines = split_batch_file(std::string(raw, sizeof raw - 1));
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].args == Args{"-f", "0+*"});
  CHECK(lines[1].args == Args{"-f", "1.2.3.4+*"});
  CHECK(lines[2].args == Args{"-n", "ipseccmd"});
  CHECK(split_batch_file("").empty());
  CHECK(split_batch_file("\n\n\r\n").empty());
  // a stray CR inside a line is part of the word (only the end of the line is trimmed)
  CHECK(split_batch_file("-f a\rb\n")[0].args == Args{"-f", "a\rb"});
}

TEST_CASE("batch lines parse as commands") {
  auto lines = split_batch_file("ipseccmd -w REG -p Corp -r Web -f *=0:80:TCP -n BLOCK\n-f 0+* -a PRESHARE:\"k\"\n");
  REQUIRE(lines.size() == 2);
  auto c = parse_ipsecpol_command(lines[0].args, no_dns());
  REQUIRE(c);
  CHECK(c->policy_name == "Corp");
  auto d = parse_ipsecpol_command(lines[1].args, no_dns());
  REQUIRE(d);
  CHECK(d->auth == std::vector<AuthMethod>{psk("k")});  // text2pol strips the quotes itself
}

TEST_CASE("Windows command-line words") {
  CHECK(split_command_line("ipsecpol -p \"Branch:60\" -r l2tp") == Args{"ipsecpol", "-p", "Branch:60", "-r", "l2tp"});
  CHECK(split_command_line("-a PRESHARE:\"s3cret\" CERT:\"C=US, O=Org\"") ==
        Args{"-a", "PRESHARE:s3cret", "CERT:C=US, O=Org"});
  CHECK(split_command_line("  a\t\tb  ") == Args{"a", "b"});
  CHECK(split_command_line("\"\"") == Args{""});
  CHECK(split_command_line("a\\\\b") == Args{"a\\\\b"});         // backslashes alone are literal
  CHECK(split_command_line("\"a\\\"b\"") == Args{"a\"b"});       // \" is a quote
  CHECK(split_command_line("\"a\\\\\" b") == Args{"a\\", "b"});  // \\" is a backslash, then the quote acts
  CHECK(split_command_line("\"unterminated arg") == Args{"unterminated arg"});
  for (const std::string w :
       {"plain", "two words", "", "quote\"inside", "trail\\", "trail\\\\", "\\\"", "tab\there", "\"", "back\\slash"}) {
    INFO(w);
    auto q = quote_command_arg(w);
    CHECK(split_command_line(q) == Args{w});
    CHECK(split_command_line(q + " " + quote_command_arg(w, true)) == Args{w, w});
  }
  CHECK(quote_command_arg("plain") == "plain");
  CHECK(quote_command_arg("plain", true) == "\"plain\"");
  CHECK(quote_command_arg("two words") == "\"two words\"");
}

TEST_CASE("exported scripts: REM and blank lines skipped, quotes honoured") {
  auto lines = split_script(
      "REM a comment with \"quotes\n"
      "rem another\n"
      "\n"
      "ipsecpol -w REG -p \"Branch Office:60\" -r \"l2tp\" -f 0+*::UDP -a PRESHARE:\"s 3\"\n"
      "ipsecpol.exe -w REG -p x -x\n");
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == BatchLine{4, Args{"-w", "REG", "-p", "Branch Office:60", "-r", "l2tp", "-f", "0+*::UDP", "-a",
                                      "PRESHARE:s 3"}});
  CHECK(lines[1] == BatchLine{5, Args{"-w", "REG", "-p", "x", "-x"}});
}
