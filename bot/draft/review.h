// The post-mortem review thread: the questions the facilitator asks, and how each reply maps to
// one. A reply (or a line of it) that starts with a question's number ("4.", "4)", "Q4:") or tag
// ("factor:") answers that question; anything else is a discussion note.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "bot/model/incident.h"

namespace incident {

// In the order the thread asks them; the number is the position + 1. Each question's wording is
// the `review.<tag>` prompt.
// Where we got lucky came last, so the numbers of the first six stayed what they were. A
// security incident's review asks three more (kSecurityQuestions): what data and systems were
// affected, who must be notified and by when, and the indicators of compromise.
enum class ReviewQuestion {
  happened = 1,
  helped,
  hard,
  factor,
  prevent,
  learn,
  lucky,
  affected,
  notify,
  ioc
};
inline constexpr std::array<ReviewQuestion, 7> kQuestions{
    ReviewQuestion::happened, ReviewQuestion::helped, ReviewQuestion::hard, ReviewQuestion::factor,
    ReviewQuestion::prevent,  ReviewQuestion::learn,  ReviewQuestion::lucky};
inline constexpr std::array<ReviewQuestion, 3> kSecurityQuestions{
    ReviewQuestion::affected, ReviewQuestion::notify, ReviewQuestion::ioc};
inline constexpr int kLastQuestion = static_cast<int>(ReviewQuestion::ioc);

// The questions `incident`'s review asks, in order.
std::vector<ReviewQuestion> questions_for(const Incident& incident);

int number_of(ReviewQuestion q);
// The tag people type ("factor"), also the suffix of its prompt key ("review.factor").
std::string_view tag_of(ReviewQuestion q);

struct ReviewAnswer {
  bool note = false;  // no number or tag: a discussion note
  ReviewQuestion question = ReviewQuestion::happened;
  std::string text;                    // the answer without its number or tag
  const ReviewReply* reply = nullptr;  // where it came from (points into the incident)
};

// The answers in the live (not deleted) replies, in thread order. A reply with several numbered
// or tagged lines gives one answer per marker.
std::vector<ReviewAnswer> map_review(const std::vector<ReviewReply>& replies);

}  // namespace incident
