#pragma once
// From the service's `schedule` events to the emulator's schedule rules: one rule per expression
// (a `rate:` list makes several, as Serverless compiles one AWS::Events::Rule per expression).
//
// Rule names: `name:` when the event sets one (with -2, -3 ... for the further expressions of a
// list; Serverless refuses a name on a list). Otherwise what CloudFormation would name Serverless's
// rule, without the random suffix CloudFormation appends: "<service>-<stage>-<Fn>EventsRuleSchedule<n>",
// <Fn> the function's key with its first letter upper-cased, '-' spelled "Dash" and '_' "Underscore"
// (Serverless's logical id), n counting the function's schedule expressions from 1.
//   service svc, stage dev, function send-report -> svc-dev-SendDashreportEventsRuleSchedule1
//
// Inputs as Serverless passes them to EventBridge: `input` an object -> its JSON (a `body` string in it
// parsed first, as Serverless does), a string -> that JSON text; `inputPath`; `inputTransformer`
// {inputTemplate, inputPathsMap}.
#include <string>
#include <vector>

#include "emulator/triggers/schedule/scheduler.hpp"

namespace stratus::manifest {
struct Service;
}

namespace stratus::run {

struct ScheduleRules {
  std::vector<triggers::schedule::Rule> rules;
  std::vector<std::string> warnings;  // inputs EventBridge would not take as written
};

ScheduleRules schedule_rules(const manifest::Service& service);

// "<Fn>EventsRuleSchedule<n>" as above.
std::string schedule_logical_id(const std::string& function_key, int n);

}  // namespace stratus::run
