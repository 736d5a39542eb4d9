// End-to-end tests run the real binary (INCIDENT_BOT_BINARY) in a fresh directory of their own,
// with nothing in its environment but PATH and what the test adds.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "support/test_dir.h"

namespace incident::testing {

struct Result {
  int status = -1;  // the exit status, -1 when killed by a signal
  std::string out;
  std::string err;
};

class BinaryTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = fresh_test_dir("incident-bot-e2e-"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Runs the binary with `args` in dir_, `input` on stdin, and `env` ("NAME='value' …") added
  // to the environment.
  Result run_binary(const std::string& args, const std::string& input, const std::string& env) {
    const auto in = dir_ / "stdin.txt";
    const auto out = dir_ / "stdout.txt";
    const auto err = dir_ / "stderr.txt";
    std::ofstream(in) << input;
    const std::string cmd = "cd '" + dir_.string() + "' && env -i PATH=/usr/bin:/bin " + env +
                            " '" + INCIDENT_BOT_BINARY + "' " + args + " <'" + in.string() +
                            "' >'" + out.string() + "' 2>'" + err.string() + "'";
    const int rc = std::system(cmd.c_str());
    Result r;
    r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    r.out = read(out);
    r.err = read(err);
    return r;
  }

  // As the console user "dana" with the database at db_path().
  Result run_console(const std::string& args, const std::string& input = "",
                     const std::string& env = "") {
    return run_binary(args, input, "USER=dana INCIDENT_BOT_DB='" + db_path() + "' " + env);
  }

  std::string db_path() const { return (dir_ / "bot.db").string(); }

  static std::string read(const std::filesystem::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
  }

  std::filesystem::path dir_;
};

}  // namespace incident::testing
