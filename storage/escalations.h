// SQL for "is this safe?" cases and private events, kept apart from sqlite_store.cpp; the
// SqliteStore methods for cases are defined beside it, in escalations.cpp. Callers hold the
// store's lock and, where it matters, a transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bot/model/change.h"

namespace incident::sql {
class Connection;
}

namespace incident::escalations {

void insert_case(sql::Connection& db, const Escalation& e);
void anchor_case(sql::Connection& db, const change::CaseAnchored& c);
void close_case(sql::Connection& db, const change::CaseClosed& c);
// Links the event `key` (processed_events) to its case, so its replies go with it.
void record_private_event(sql::Connection& db, const std::string& key,
                          const change::PrivateEvent& p);

std::vector<OpenIncident> open_incidents(sql::Connection& db);
std::vector<Escalation> open_cases(sql::Connection& db, const std::string& platform,
                                   const std::string& dm_channel);
std::optional<Escalation> case_by_ref(sql::Connection& db, const std::string& platform,
                                      const std::string& security_ref);
int cases_since(sql::Connection& db, const std::string& platform, const std::string& dm_channel,
                TimePoint since);
// Store::purge_private, in one transaction of its own.
int purge_private(sql::Connection& db, TimePoint closed_before, TimePoint private_before);

}  // namespace incident::escalations
