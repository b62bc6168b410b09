// std::string: SSO and heap strings, append growth, find/rfind/substr/replace, comparison,
// std::stringstream formatting and parsing, std::to_string/stoi, string_view.
#include <sstream>
#include <string>
#include <string_view>
#include <vector>
#include "check.hpp"

static std::string repeat(const std::string &s, int n) {
  std::string out;
  for (int i = 0; i < n; i++) out += s;
  return out;
}

int main() {
  std::string small = "hi";
  std::string big = repeat("abcdefghij", 1000);
  std::printf("sizes %zu %zu\n", small.size(), big.size());
  size_t pos = big.find("jab", 5000);
  std::printf("find=%zu rfind=%zu\n", pos, big.rfind("cde"));
  std::string mid = big.substr(9995, 12);
  std::printf("substr=%s\n", mid.c_str());
  big.replace(0, 10, "XYZ");
  big.insert(3, "--");
  big.erase(big.size() - 5);
  std::printf("edited size=%zu head=%s tail=%s\n", big.size(), big.substr(0, 8).c_str(), big.substr(big.size() - 6).c_str());
  std::vector<std::string> parts;
  std::string csv = "alpha,beta,,gamma,delta epsilon,zeta";
  std::stringstream in(csv);
  for (std::string tok; std::getline(in, tok, ',');) parts.push_back(tok);
  std::ostringstream out;
  for (size_t i = 0; i < parts.size(); i++) out << i << '=' << parts[i] << (i + 1 < parts.size() ? ";" : "");
  std::printf("split: %s\n", out.str().c_str());
  std::istringstream nums("12 -7 3.5 word 99");
  int a, b; double c; std::string w; int d;
  nums >> a >> b >> c >> w >> d;
  std::printf("parsed %d %d %.1f %s %d\n", a, b, c, w.c_str(), d);
  std::string n = std::to_string(123456789) + std::to_string(-42);
  std::printf("to_string %s stoi=%d stol=%ld\n", n.c_str(), std::stoi("-17"), std::stol("1234567890123"));
  std::string_view sv(big);
  sv.remove_prefix(5);
  std::printf("view starts %.4s len=%zu\n", std::string(sv.substr(0, 4)).c_str(), sv.size());
  std::string upper;
  for (char ch : std::string("Mixed Case 123")) upper.push_back(char(ch >= 'a' && ch <= 'z' ? ch - 32 : ch));
  CHECK(upper == "MIXED CASE 123");
  CHECK(std::string("apple") < std::string("banana") && small != big);
  std::string acc;
  for (int i = 0; i < 5000; i++) { acc += char('a' + i % 26); if (acc.size() > 100) acc = acc.substr(50); }
  std::printf("rolling acc=%s\n", acc.substr(0, 10).c_str());
  return 0;
}
