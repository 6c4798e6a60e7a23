#include "emulator/triggers/sqs/sqs_store.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <set>
#include <thread>

#include "tests/support/temp_dir.hpp"

namespace stratus::triggers::sqs {
namespace {

using namespace std::chrono_literals;
using test_support::TempDir;

constexpr std::array<std::string_view, 2> kMigrations = {kSqsSchema, kSqsTagsSchema};

// A store on a database of its own, with a clock the test moves.
struct Fixture {
  TempDir dir;
  std::atomic<std::int64_t> clock{1'700'000'000'000};
  std::unique_ptr<store::Database> db = open();
  std::unique_ptr<SqsStore> sqs =
      std::make_unique<SqsStore>(*db, "eu-west-1", [this] { return clock.load(); });

  std::unique_ptr<store::Database> open() {
    return std::make_unique<store::Database>(dir.path() / "stratus.db", kMigrations);
  }
  void advance(std::int64_t ms) { clock += ms; }
  std::vector<Message> receive(const std::string& queue, int max = 10, std::optional<int> visibility = {}) {
    ReceiveRequest r;
    r.max_messages = max;
    r.visibility_timeout = visibility;
    r.wait = 0ms;
    return sqs->receive(queue, r);
  }
  SendResult send(const std::string& queue, std::string body, std::optional<std::string> group = {},
                  std::optional<std::string> dedup = {}) {
    SendRequest r;
    r.body = std::move(body);
    r.group_id = std::move(group);
    r.deduplication_id = std::move(dedup);
    return sqs->send(queue, r);
  }
};

std::string error_code(const std::function<void()>& f) {
  try {
    f();
  } catch (const SqsError& e) {
    return e.code() + "|" + e.query_code() + "|" + e.what();
  }
  return "no error";
}

TEST(SqsDigest, BodyAndAttributesAsSdksComputeThem) {
  EXPECT_EQ(md5_hex("hello"), "5d41402abc4b2a76b9719d911017c592");
  // Reference values from an independent implementation of AWS's documented algorithm.
  EXPECT_EQ(md5_of_attributes({{"k", {"String", "v", ""}}}), "0a77b0642718c3d9dd47090567d11e0d");
  MessageAttributes three = {{"city", {"String", "Any City", ""}},
                             {"count", {"Number", "3", ""}},
                             {"blob", {"Binary", "", std::string("\x00\x01\xff", 3)}}};
  EXPECT_EQ(md5_of_attributes(three), "506088df2109fba72cee845232c3e538");
  EXPECT_EQ(md5_of_attributes({}), "");
}

TEST(SqsStore, CreateIsIdempotentAndRejectsDifferentAttributes) {
  Fixture f;
  f.sqs->create_queue("jobs", {{"VisibilityTimeout", "5"}});
  f.sqs->create_queue("jobs", {{"VisibilityTimeout", "5"}});
  f.sqs->create_queue("jobs", {});
  EXPECT_EQ(
      error_code([&] {
        f.sqs->create_queue("jobs", {{"VisibilityTimeout", "6"}});
      }),
      "QueueNameExists|QueueAlreadyExists|A queue already exists with the same name and a different value "
      "for attribute VisibilityTimeout");
  EXPECT_EQ(f.sqs->queue("jobs").settings.visibility_timeout, 5);
  EXPECT_EQ(f.sqs->queue_arn("jobs"), "arn:aws:sqs:eu-west-1:000000000000:jobs");
}

TEST(SqsStore, RejectsBadNamesAndAttributes) {
  Fixture f;
  EXPECT_EQ(
      error_code([&] { f.sqs->create_queue("bad name", {}); }),
      "InvalidParameterValue|InvalidParameterValue|Can only include alphanumeric characters, hyphens, or "
      "underscores. 1 to 80 in length");
  EXPECT_EQ(error_code([&] { f.sqs->create_queue(std::string(81, 'a'), {}); }).substr(0, 21),
            "InvalidParameterValue");
  EXPECT_EQ(
      error_code([&] {
        f.sqs->create_queue("q", {{"FifoQueue", "true"}});
      }),
      "InvalidParameterValue|InvalidParameterValue|The name of a FIFO queue can only include alphanumeric "
      "characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.");
  EXPECT_EQ(error_code([&] { f.sqs->create_queue("q.fifo", {}); }).substr(0, 21), "InvalidParameterValue");
  EXPECT_EQ(error_code([&] {
              f.sqs->create_queue("q", {{"Colour", "red"}});
            }),
            "InvalidAttributeName|InvalidAttributeName|Unknown Attribute Colour.");
  EXPECT_EQ(error_code([&] {
              f.sqs->create_queue("q", {{"ContentBasedDeduplication", "true"}});
            }),
            "InvalidAttributeName|InvalidAttributeName|Unknown Attribute ContentBasedDeduplication.");
  EXPECT_EQ(error_code([&] {
              f.sqs->create_queue("q", {{"VisibilityTimeout", "43201"}});
            }),
            "InvalidAttributeValue|InvalidAttributeValue|Invalid value for the parameter VisibilityTimeout.");
  EXPECT_EQ(error_code([&] {
              f.sqs->create_queue("q", {{"DelaySeconds", "x"}});
            }),
            "InvalidAttributeValue|InvalidAttributeValue|Invalid value for the parameter DelaySeconds.");
  EXPECT_EQ(error_code([&] {
              f.sqs->create_queue("q", {{"RedrivePolicy", "{\"maxReceiveCount\":2}"}});
            }),
            "InvalidAttributeValue|InvalidAttributeValue|Invalid value for the parameter RedrivePolicy.");
  f.sqs->create_queue("q", {});
  EXPECT_EQ(error_code([&] {
              f.sqs->set_queue_attributes("q", {{"FifoQueue", "true"}});
            }),
            "InvalidAttributeName|InvalidAttributeName|Unknown Attribute FifoQueue.");
  EXPECT_EQ(error_code([&] { f.sqs->set_queue_attributes("nope", {}); }),
            "QueueDoesNotExist|AWS.SimpleQueueService.NonExistentQueue|The specified queue does not exist.");
}

TEST(SqsStore, SendReceiveDeleteWithVisibilityTimeout) {
  Fixture f;
  f.sqs->create_queue("q", {{"VisibilityTimeout", "10"}});
  const SendResult sent = f.send("q", "hello");
  EXPECT_EQ(sent.md5_of_body, "5d41402abc4b2a76b9719d911017c592");
  EXPECT_EQ(sent.message_id.size(), 36u);

  auto first = f.receive("q");
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].body, "hello");
  EXPECT_EQ(first[0].receive_count, 1);
  EXPECT_EQ(first[0].sent_ms, 1'700'000'000'000);
  EXPECT_EQ(first[0].first_receive_ms, 1'700'000'000'000);
  EXPECT_TRUE(f.receive("q").empty());
  EXPECT_EQ(f.sqs->counts("q").not_visible, 1);

  f.advance(10'000);  // the visibility timeout has passed: the message is back, with a new handle
  auto second = f.receive("q");
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].id, sent.message_id);
  EXPECT_EQ(second[0].receive_count, 2);
  EXPECT_EQ(second[0].first_receive_ms, 1'700'000'000'000);
  EXPECT_NE(second[0].receipt_handle, first[0].receipt_handle);

  // The older handle succeeds and deletes nothing; the latest one deletes.
  f.sqs->delete_message("q", first[0].receipt_handle);
  EXPECT_EQ(f.sqs->counts("q").not_visible, 1);
  f.sqs->delete_message("q", second[0].receipt_handle);
  EXPECT_EQ(f.sqs->counts("q").not_visible, 0);
  f.sqs->delete_message("q", second[0].receipt_handle);  // already gone: still fine
  EXPECT_EQ(
      error_code([&] { f.sqs->delete_message("q", "not-a-handle"); }),
      "ReceiptHandleIsInvalid|ReceiptHandleIsInvalid|The input receipt handle \"not-a-handle\" is not a "
      "valid receipt handle.");
}

TEST(SqsStore, ChangeVisibilityNeedsAMessageInFlight) {
  Fixture f;
  f.sqs->create_queue("q", {});
  f.send("q", "a");
  auto m = f.receive("q");
  ASSERT_EQ(m.size(), 1u);
  f.sqs->change_visibility("q", m[0].receipt_handle, 0);  // visible again at once
  EXPECT_EQ(error_code([&] { f.sqs->change_visibility("q", m[0].receipt_handle, 5); }),
            "MessageNotInflight|AWS.SimpleQueueService.MessageNotInflight|Message does not exist or is not "
            "available for visibility timeout change.");
  auto again = f.receive("q", 1, 60);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(error_code([&] { f.sqs->change_visibility("q", again[0].receipt_handle, 43201); }).substr(0, 21),
            "InvalidParameterValue");
  EXPECT_EQ(error_code([&] { f.sqs->change_visibility("q", "####", 5); }).substr(0, 22),
            "ReceiptHandleIsInvalid");
}

TEST(SqsStore, DelayedMessagesAreCountedAndWait) {
  Fixture f;
  f.sqs->create_queue("q", {{"DelaySeconds", "5"}});
  f.send("q", "queue-delay");
  SendRequest now;
  now.body = "no-delay";
  now.delay_seconds = 0;
  f.sqs->send("q", now);
  EXPECT_EQ(f.sqs->counts("q").delayed, 1);
  EXPECT_EQ(f.sqs->counts("q").visible, 1);
  auto m = f.receive("q");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].body, "no-delay");
  f.advance(5000);
  m = f.receive("q");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].body, "queue-delay");
}

TEST(SqsStore, RedriveMovesAMessageToTheDeadLetterQueue) {
  Fixture f;
  f.sqs->create_queue("dlq", {});
  f.sqs->create_queue("q",
                      {{"VisibilityTimeout", "1"},
                       {"RedrivePolicy", R"({"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:000000000000:dlq",)"
                                         R"("maxReceiveCount":"2"})"}});
  // Kept, and answered, with the count as a number; creating the queue again with the string form
  // is the same queue.
  const std::string canonical =
      R"({"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:000000000000:dlq","maxReceiveCount":2})";
  EXPECT_EQ(f.sqs->queue("q").settings.attributes.at("RedrivePolicy"), canonical);
  EXPECT_NO_THROW(f.sqs->create_queue(
      "q", {{"RedrivePolicy", R"({"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:000000000000:dlq",)"
                              R"("maxReceiveCount":"2"})"}}));
  f.sqs->set_queue_attributes("q", {{"RedrivePolicy", R"({"maxReceiveCount":"2","deadLetterTargetArn":)"
                                                      R"("arn:aws:sqs:eu-west-1:000000000000:dlq"})"}});
  EXPECT_EQ(f.sqs->queue("q").settings.attributes.at("RedrivePolicy"), canonical);
  const auto sent = f.send("q", "poison");
  for (int i = 1; i <= 2; ++i) {
    auto m = f.receive("q");
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].receive_count, i);
    f.advance(1000);
  }
  EXPECT_TRUE(f.receive("q").empty());  // the third receive moves it instead
  auto dead = f.receive("dlq");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].id, sent.message_id);
  EXPECT_EQ(dead[0].body, "poison");
  EXPECT_EQ(dead[0].dead_letter_source_arn, "arn:aws:sqs:eu-west-1:000000000000:q");
  EXPECT_EQ(f.sqs->counts("q").visible + f.sqs->counts("q").not_visible, 0);
}

TEST(SqsStore, WithoutItsDeadLetterQueueAMessageKeepsBeingDelivered) {
  Fixture f;
  f.sqs->create_queue(
      "q", {{"VisibilityTimeout", "1"},
            {"RedrivePolicy", R"({"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:000000000000:gone",)"
                              R"("maxReceiveCount":1})"}});
  f.send("q", "stays");
  for (int i = 1; i <= 3; ++i) {
    auto m = f.receive("q");
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].receive_count, i);
    f.advance(1000);
  }
}

TEST(SqsStore, FifoKeepsGroupOrderAndHoldsAGroupInFlight) {
  Fixture f;
  f.sqs->create_queue("o.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}});
  f.send("o.fifo", "a1", "a");
  f.send("o.fifo", "b1", "b");
  f.send("o.fifo", "a2", "a");
  f.send("o.fifo", "b2", "b");

  auto one = f.receive("o.fifo", 1);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].body, "a1");
  EXPECT_EQ(one[0].sequence_number.size(), 20u);
  // Group a is in flight: only group b comes next, in order.
  auto rest = f.receive("o.fifo", 10);
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].body, "b1");
  EXPECT_EQ(rest[1].body, "b2");
  EXPECT_TRUE(f.receive("o.fifo").empty());
  f.sqs->delete_message("o.fifo", one[0].receipt_handle);
  auto next = f.receive("o.fifo");
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].body, "a2");
}

// DeduplicationScope messageGroup: the same id in another group is another message; in the same
// group, a duplicate. The default scope, the queue, makes it a duplicate across groups.
TEST(SqsStore, FifoDeduplicationScopeMessageGroup) {
  Fixture f;
  f.sqs->create_queue("g.fifo", {{"FifoQueue", "true"},
                                 {"DeduplicationScope", "messageGroup"},
                                 {"FifoThroughputLimit", "perMessageGroupId"}});
  const auto a = f.send("g.fifo", "a", "g1", "same");
  EXPECT_NE(f.send("g.fifo", "b", "g2", "same").message_id, a.message_id);
  EXPECT_EQ(f.send("g.fifo", "c", "g1", "same").message_id, a.message_id);
  EXPECT_EQ(f.sqs->counts("g.fifo").visible, 2);
  f.sqs->create_queue("q.fifo", {{"FifoQueue", "true"}});
  const auto first = f.send("q.fifo", "a", "g1", "same");
  EXPECT_EQ(f.send("q.fifo", "b", "g2", "same").message_id, first.message_id);
}

TEST(SqsStore, FifoDeduplicatesForFiveMinutes) {
  Fixture f;
  f.sqs->create_queue("d.fifo", {{"FifoQueue", "true"}});
  const auto first = f.send("d.fifo", "x", "g", "id-1");
  const auto again = f.send("d.fifo", "other body", "g", "id-1");
  EXPECT_EQ(again.message_id, first.message_id);
  EXPECT_EQ(again.sequence_number, first.sequence_number);
  EXPECT_EQ(f.sqs->counts("d.fifo").visible, 1);
  f.advance(kDedupWindowMs);
  const auto later = f.send("d.fifo", "x", "g", "id-1");
  EXPECT_NE(later.message_id, first.message_id);
  EXPECT_EQ(f.sqs->counts("d.fifo").visible, 2);

  EXPECT_EQ(error_code([&] { f.send("d.fifo", "x"); }),
            "MissingParameter|MissingParameter|The request must contain the parameter MessageGroupId.");
  EXPECT_EQ(
      error_code([&] { f.send("d.fifo", "x", "g"); }),
      "InvalidParameterValue|InvalidParameterValue|The queue should either have ContentBasedDeduplication "
      "enabled or MessageDeduplicationId provided explicitly");
  SendRequest delayed;
  delayed.body = "x";
  delayed.group_id = "g";
  delayed.deduplication_id = "id-2";
  delayed.delay_seconds = 5;
  EXPECT_EQ(
      error_code([&] { f.sqs->send("d.fifo", delayed); }),
      "InvalidParameterValue|InvalidParameterValue|Value 5 for parameter DelaySeconds is invalid. Reason: "
      "The request include parameter that is not valid for this queue type.");
}

TEST(SqsStore, RejectsBadMessages) {
  Fixture f;
  f.sqs->create_queue("q", {{"MaximumMessageSize", "1024"}});
  EXPECT_EQ(
      error_code([&] { f.send("q", std::string(1025, 'x')); }),
      "InvalidParameterValue|InvalidParameterValue|One or more parameters are invalid. Reason: Message must "
      "be shorter than 1024 bytes.");
  EXPECT_EQ(error_code([&] { f.send("q", ""); }),
            "MissingParameter|MissingParameter|The request must contain the parameter MessageBody.");
  EXPECT_EQ(error_code([&] { f.send("q", std::string("a\x01", 2)); }).substr(0, 22),
            "InvalidMessageContents");
  EXPECT_EQ(error_code([&] { f.send("q", "\xff"); }).substr(0, 22), "InvalidMessageContents");
  EXPECT_EQ(error_code([&] { f.send("q", "x", std::nullopt, "dedup"); }).substr(0, 21),
            "InvalidParameterValue");
  SendRequest r;
  r.body = "x";
  r.attributes = {{"AWS.reserved", {"String", "v", ""}}};
  EXPECT_EQ(
      error_code([&] { f.sqs->send("q", r); }),
      "InvalidParameterValue|InvalidParameterValue|Message (user) attribute name 'AWS.reserved' is invalid.");
  r.attributes = {{"n", {"Number", "12x", ""}}};
  EXPECT_EQ(
      error_code([&] { f.sqs->send("q", r); }),
      "InvalidParameterValue|InvalidParameterValue|Could not cast message attribute 'n' value to number.");
  r.attributes = {{"n", {"Text", "v", ""}}};
  EXPECT_EQ(error_code([&] { f.sqs->send("q", r); }).substr(0, 81),
            "InvalidParameterValue|InvalidParameterValue|The type of message (user) attribute ");
  r.attributes = {{"n", {"String", "", ""}}};
  EXPECT_EQ(error_code([&] { f.sqs->send("q", r); }).substr(0, 21), "InvalidParameterValue");
  EXPECT_EQ(error_code([&] { f.send("missing", "x"); }).substr(0, 17), "QueueDoesNotExist");
}

TEST(SqsStore, RetentionDropsOldMessages) {
  Fixture f;
  f.sqs->create_queue("q", {{"MessageRetentionPeriod", "60"}});
  f.send("q", "old");
  f.advance(60'000);
  EXPECT_TRUE(f.receive("q").empty());
  EXPECT_EQ(f.sqs->counts("q").visible, 0);
}

TEST(SqsStore, PurgeListAndDelete) {
  Fixture f;
  f.sqs->create_queue("alpha", {});
  f.sqs->create_queue("alpine", {});
  f.sqs->create_queue("beta", {});
  EXPECT_EQ(f.sqs->list_queues("alp"), (std::vector<std::string>{"alpha", "alpine"}));
  f.send("alpha", "x");
  f.sqs->purge("alpha");
  EXPECT_EQ(f.sqs->counts("alpha").visible, 0);
  f.sqs->delete_queue("alpha");
  EXPECT_FALSE(f.sqs->find_queue("alpha"));
  EXPECT_EQ(error_code([&] { f.sqs->delete_queue("alpha"); }).substr(0, 17), "QueueDoesNotExist");
  EXPECT_EQ(error_code([&] { f.sqs->purge("alpha"); }).substr(0, 17), "QueueDoesNotExist");
}

TEST(SqsStore, AnAcceptedMessageSurvivesClosingAndReopeningTheFile) {
  Fixture f;
  f.sqs->create_queue("q", {});
  SendRequest r;
  r.body = "durable";
  r.attributes = {{"k", {"String", "v", ""}}, {"b", {"Binary", "", std::string("\0\1", 2)}}};
  const auto sent = f.sqs->send("q", r);
  f.sqs.reset();
  f.db.reset();
  f.db = f.open();
  f.sqs = std::make_unique<SqsStore>(*f.db, "eu-west-1", [&f] { return f.clock.load(); });
  auto m = f.receive("q");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].id, sent.message_id);
  EXPECT_EQ(m[0].body, "durable");
  EXPECT_EQ(m[0].attributes, r.attributes);
}

// kill -9 of the process that accepted messages: every message whose send() returned is in the
// file afterwards. The child reports each accepted id on a pipe right after send() returns.
TEST(SqsStore, NoAcceptedMessageIsLostToAKill) {
  TempDir dir;
  const auto path = dir.path() / "stratus.db";
  {
    store::Database db(path, kMigrations);
    SqsStore(db, "us-east-1").create_queue("q", {});
  }
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    store::Database db(path, kMigrations);
    SqsStore sqs(db, "us-east-1");
    for (int i = 0;; ++i) {
      SendRequest r;
      r.body = "m" + std::to_string(i);
      const std::string line = sqs.send("q", r).message_id + "\n";
      if (::write(fds[1], line.data(), line.size()) != static_cast<ssize_t>(line.size())) ::_exit(1);
    }
  }
  ::close(fds[1]);
  std::string received;
  char buf[4096];
  while (std::count(received.begin(), received.end(), '\n') < 300) {
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    ASSERT_GT(n, 0);
    received.append(buf, static_cast<std::size_t>(n));
  }
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;)
    received.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  received.resize(received.rfind('\n') + 1);  // a line cut by the kill names no accepted message

  store::Database db(path, kMigrations);
  std::set<std::string> stored;
  store::Statement s(db, "SELECT id FROM sqs_messages WHERE queue = 'q'");
  while (s.step()) stored.insert(s.column_text(0));
  std::size_t accepted = 0;
  for (std::size_t start = 0, end; (end = received.find('\n', start)) != std::string::npos; start = end + 1) {
    ++accepted;
    EXPECT_TRUE(stored.count(received.substr(start, end - start))) << received.substr(start, end - start);
  }
  EXPECT_GE(accepted, 300u);
}

// Senders and long-polling receivers at once: every message arrives once, nothing deadlocks.
TEST(SqsStore, ConcurrentSendersAndReceivers) {
  Fixture f;
  f.sqs->create_queue("q", {{"VisibilityTimeout", "600"}});
  constexpr int kSenders = 4, kEach = 100;
  std::mutex mutex;
  std::set<std::string> seen;
  std::atomic<int> received{0};
  std::vector<std::thread> threads;
  for (int r = 0; r < 2; ++r)
    threads.emplace_back([&] {
      ReceiveRequest req;
      req.max_messages = 10;
      req.wait = 200ms;
      while (received.load() < kSenders * kEach) {
        for (const Message& m : f.sqs->receive("q", req)) {
          f.sqs->delete_message("q", m.receipt_handle);
          std::lock_guard lock(mutex);
          EXPECT_TRUE(seen.insert(m.id).second);
          ++received;
        }
      }
    });
  for (int t = 0; t < kSenders; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) f.send("q", std::to_string(t) + "-" + std::to_string(i));
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kSenders * kEach));
  EXPECT_EQ(f.sqs->counts("q").visible + f.sqs->counts("q").not_visible, 0);
}

TEST(SqsStore, LongPollWakesOnSendAndEndsOnStop) {
  Fixture f;
  f.sqs->create_queue("q", {});
  std::thread sender([&] {
    std::this_thread::sleep_for(100ms);
    f.send("q", "late");
  });
  ReceiveRequest r;
  r.wait = 10s;
  const auto start = std::chrono::steady_clock::now();
  auto m = f.sqs->receive("q", r);
  const auto took = std::chrono::steady_clock::now() - start;
  sender.join();
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].body, "late");
  EXPECT_LT(took, 2s);

  std::stop_source stop;
  std::thread stopper([&] {
    std::this_thread::sleep_for(100ms);
    stop.request_stop();
  });
  const auto start2 = std::chrono::steady_clock::now();
  EXPECT_TRUE(f.sqs->receive("q", r, stop.get_token()).empty());
  EXPECT_LT(std::chrono::steady_clock::now() - start2, 2s);
  stopper.join();
}

TEST(SqsStore, LongPollIgnoresOtherQueuesAndEndsOnClose) {
  Fixture f;
  f.sqs->create_queue("a", {});
  f.sqs->create_queue("b", {});
  std::thread other([&] {
    std::this_thread::sleep_for(50ms);
    f.send("b", "not for a");
  });
  ReceiveRequest r;
  r.wait = 300ms;
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(f.sqs->receive("a", r).empty());
  EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);
  other.join();

  std::thread closer([&] {
    std::this_thread::sleep_for(100ms);
    f.sqs->close_waits();
  });
  r.wait = 10s;
  start = std::chrono::steady_clock::now();
  EXPECT_TRUE(f.sqs->receive("a", r).empty());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  closer.join();
  start = std::chrono::steady_clock::now();
  EXPECT_TRUE(f.sqs->receive("a", r).empty());  // closed: no more waiting
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST(SqsStore, LongPollReturnsAtItsDeadline) {
  Fixture f;
  f.sqs->create_queue("q", {});
  ReceiveRequest r;
  r.wait = 200ms;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(f.sqs->receive("q", r).empty());
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 200ms);
  EXPECT_LT(took, 1500ms);
}

}  // namespace
}  // namespace stratus::triggers::sqs
