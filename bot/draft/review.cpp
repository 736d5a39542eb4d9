#include "bot/draft/review.h"

#include <cctype>
#include <optional>

namespace incident {
namespace {

struct Tag {
  ReviewQuestion question;
  std::string_view word;
};
// Longer words first where one starts another ("contributing factor" before "contributing").
constexpr std::array<Tag, 27> kTags{{
    {ReviewQuestion::happened, "what happened"},
    {ReviewQuestion::happened, "happened"},
    {ReviewQuestion::happened, "timeline"},
    {ReviewQuestion::happened, "detection"},
    {ReviewQuestion::helped, "helped"},
    {ReviewQuestion::helped, "went well"},
    {ReviewQuestion::helped, "well"},
    {ReviewQuestion::hard, "hard"},
    {ReviewQuestion::hard, "difficult"},
    {ReviewQuestion::factor, "contributing factor"},
    {ReviewQuestion::factor, "contributing"},
    {ReviewQuestion::factor, "factors"},
    {ReviewQuestion::factor, "factor"},
    {ReviewQuestion::prevent, "prevention"},
    {ReviewQuestion::prevent, "prevent"},
    {ReviewQuestion::learn, "learned"},
    {ReviewQuestion::learn, "lessons"},
    {ReviewQuestion::learn, "lesson"},
    {ReviewQuestion::learn, "learn"},
    {ReviewQuestion::lucky, "got lucky"},
    {ReviewQuestion::lucky, "lucky"},
    {ReviewQuestion::affected, "affected"},
    {ReviewQuestion::notify, "notification"},
    {ReviewQuestion::notify, "notify"},
    {ReviewQuestion::ioc, "indicators"},
    {ReviewQuestion::ioc, "iocs"},
    {ReviewQuestion::ioc, "ioc"},
}};

struct Marker {
  ReviewQuestion question;
  std::size_t length;  // bytes up to the answer text
};

bool space(char c) {
  return c == ' ' || c == '\t';
}

std::optional<Marker> number_marker(std::string_view line) {
  std::size_t i = 0;
  const bool q = i < line.size() && (line[i] == 'Q' || line[i] == 'q' || line[i] == '#');
  if (q) ++i;
  if (i >= line.size() || !std::isdigit(static_cast<unsigned char>(line[i]))) return std::nullopt;
  int n = line[i] - '0';
  ++i;
  if (n == 1 && i < line.size() && line[i] == '0') {  // "10."
    n = 10;
    ++i;
  }
  if (i < line.size() && std::isdigit(static_cast<unsigned char>(line[i]))) return std::nullopt;
  if (n < 1 || n > kLastQuestion) return std::nullopt;
  // "4. …", "4) …", "4: …", "Q4 …"; never "4 replicas …" or "4.5% …".
  const bool punct = i < line.size() && (line[i] == '.' || line[i] == ')' || line[i] == ':');
  if (punct) ++i;
  if (!punct && !q) return std::nullopt;
  if (i < line.size() && !space(line[i])) return std::nullopt;
  return Marker{static_cast<ReviewQuestion>(n), i};
}

std::optional<Marker> tag_marker(std::string_view line) {
  for (const Tag& tag : kTags) {
    if (line.size() <= tag.word.size()) continue;
    bool match = true;
    for (std::size_t k = 0; k < tag.word.size() && match; ++k) {
      match = std::tolower(static_cast<unsigned char>(line[k])) == tag.word[k];
    }
    if (!match) continue;
    std::size_t i = tag.word.size();
    while (i < line.size() && space(line[i])) ++i;
    if (i < line.size() && line[i] == ':') return Marker{tag.question, i + 1};
  }
  return std::nullopt;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

int number_of(ReviewQuestion q) {
  return static_cast<int>(q);
}

std::string_view tag_of(ReviewQuestion q) {
  switch (q) {
    case ReviewQuestion::happened:
      return "happened";
    case ReviewQuestion::helped:
      return "helped";
    case ReviewQuestion::hard:
      return "hard";
    case ReviewQuestion::factor:
      return "factor";
    case ReviewQuestion::prevent:
      return "prevent";
    case ReviewQuestion::learn:
      return "learn";
    case ReviewQuestion::lucky:
      return "lucky";
    case ReviewQuestion::affected:
      return "affected";
    case ReviewQuestion::notify:
      return "notify";
    case ReviewQuestion::ioc:
      return "ioc";
  }
  return "happened";
}

std::vector<ReviewQuestion> questions_for(const Incident& incident) {
  std::vector<ReviewQuestion> questions(kQuestions.begin(), kQuestions.end());
  if (incident.is_security) {
    questions.insert(questions.end(), kSecurityQuestions.begin(), kSecurityQuestions.end());
  }
  return questions;
}

std::vector<ReviewAnswer> map_review(const std::vector<ReviewReply>& replies) {
  std::vector<ReviewAnswer> answers;
  auto keep = [&](ReviewAnswer& answer) {
    if (!answer.text.empty()) answers.push_back(std::move(answer));
  };
  for (const auto& reply : replies) {
    if (reply.deleted) continue;
    // Text before the first marker is a discussion note.
    ReviewAnswer current{true, ReviewQuestion::happened, {}, &reply};
    std::string_view text = reply.text;
    while (!text.empty()) {
      const std::size_t nl = text.find('\n');
      std::string_view line = trim(text.substr(0, nl));
      text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
      // A list bullet in front of the marker ("- 4. …") is just formatting.
      if (line.size() > 2 && (line[0] == '-' || line[0] == '*') && line[1] == ' ') {
        line = trim(line.substr(2));
      }
      auto marker = number_marker(line);
      if (!marker) marker = tag_marker(line);
      if (marker) {
        keep(current);
        current = ReviewAnswer{false, marker->question, {}, &reply};
        line = trim(line.substr(marker->length));
      }
      // Answers show as one list item each: their lines join with spaces.
      if (!line.empty()) current.text += (current.text.empty() ? "" : " ") + std::string(line);
    }
    keep(current);
  }
  return answers;
}

}  // namespace incident
