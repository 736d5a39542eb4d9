// A fresh, empty directory per test, named after the running test (GoogleTest), so that what a
// failed test leaves behind says whose it was.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace incident::testing {

// `prefix` + pid + a counter + "Suite.Test", under the system's temporary directory.
inline std::filesystem::path fresh_test_dir(const std::string& prefix) {
  static int n = 0;
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string name = info ? std::string(info->test_suite_name()) + "." + info->name() : "t";
  auto dir = std::filesystem::temp_directory_path() /
             (prefix + std::to_string(::getpid()) + "-" + std::to_string(++n) + "-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace incident::testing
