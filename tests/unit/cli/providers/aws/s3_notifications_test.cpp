// The notification configuration S3 is sent: entries that are not ours go back as they were read.
#include "cli/providers/aws/s3_notifications.hpp"

#include <gtest/gtest.h>

namespace stratus::aws {
namespace {

TEST(S3NotificationXml, KeepsOtherEntriesAndWritesOursWithFilters) {
  XmlElement queue = parse_xml(
      "<QueueConfiguration><Id>q&amp;1</Id><Queue>arn:aws:sqs:eu-west-1:1:audit</Queue>"
      "<Event>s3:ObjectRemoved:*</Event></QueueConfiguration>");
  NotificationConfiguration c;
  c.others.push_back(queue);
  c.lambdas.push_back({"stratus-svc-dev-up-1",
                       "arn:aws:lambda:eu-west-1:1:function:f",
                       {"s3:ObjectCreated:*"},
                       "in/",
                       ".jpg"});
  c.lambdas.push_back({"plain", "arn:aws:lambda:eu-west-1:1:function:g", {"s3:ObjectCreated:Put"}, "", ""});
  EXPECT_EQ(
      notification_xml(c),
      R"(<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)"
      "<QueueConfiguration><Id>q&amp;1</Id><Queue>arn:aws:sqs:eu-west-1:1:audit</Queue>"
      "<Event>s3:ObjectRemoved:*</Event></QueueConfiguration>"
      "<CloudFunctionConfiguration><Id>stratus-svc-dev-up-1</Id>"
      "<CloudFunction>arn:aws:lambda:eu-west-1:1:function:f</CloudFunction><Event>s3:ObjectCreated:*</Event>"
      "<Filter><S3Key><FilterRule><Name>prefix</Name><Value>in/</Value></FilterRule>"
      "<FilterRule><Name>suffix</Name><Value>.jpg</Value></FilterRule></S3Key></Filter>"
      "</CloudFunctionConfiguration>"
      "<CloudFunctionConfiguration><Id>plain</Id><CloudFunction>arn:aws:lambda:eu-west-1:1:function:g"
      "</CloudFunction><Event>s3:ObjectCreated:Put</Event></CloudFunctionConfiguration>"
      "</NotificationConfiguration>");
}

TEST(S3NotificationXml, EmptyConfigurationClearsEverything) {
  EXPECT_EQ(
      notification_xml({}),
      R"(<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></NotificationConfiguration>)");
}

}  // namespace
}  // namespace stratus::aws
