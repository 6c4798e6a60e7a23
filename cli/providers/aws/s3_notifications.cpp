#include "cli/providers/aws/s3_notifications.hpp"

#include "cli/providers/aws/call.hpp"
#include "emulator/auth/sigv4.hpp"
#include "emulator/common/xml_escape.hpp"

namespace stratus::aws {

namespace {

const Headers kXml = {{"Content-Type", "application/xml"}};

std::string bucket_path(const std::string& bucket) {
  return "/" + auth::uri_encode(bucket);
}

void write_element(const XmlElement& e, std::string& out) {
  out += "<" + e.name + ">" + xml_escape(e.text);
  for (const auto& c : e.children) write_element(c, out);
  out += "</" + e.name + ">";
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

LambdaNotification read_lambda(const XmlElement& e) {
  LambdaNotification n;
  n.id = e.child_text("Id");
  n.function_arn = e.child_text("CloudFunction");
  if (n.function_arn.empty()) n.function_arn = e.child_text("LambdaFunctionArn");
  for (const XmlElement* ev : e.children_named("Event")) n.events.push_back(ev->text);
  if (const XmlElement* key = e.find({"Filter", "S3Key"})) {
    for (const XmlElement* rule : key->children_named("FilterRule")) {
      std::string name = lower(rule->child_text("Name"));
      if (name == "prefix") n.prefix = rule->child_text("Value");
      if (name == "suffix") n.suffix = rule->child_text("Value");
    }
  }
  return n;
}

}  // namespace

std::string notification_xml(const NotificationConfiguration& configuration) {
  std::string out = R"(<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)";
  for (const auto& other : configuration.others) write_element(other, out);
  for (const auto& n : configuration.lambdas) {
    out += "<CloudFunctionConfiguration><Id>" + xml_escape(n.id) + "</Id><CloudFunction>" +
           xml_escape(n.function_arn) + "</CloudFunction>";
    for (const auto& ev : n.events) out += "<Event>" + xml_escape(ev) + "</Event>";
    if (!n.prefix.empty() || !n.suffix.empty()) {
      out += "<Filter><S3Key>";
      if (!n.prefix.empty())
        out += "<FilterRule><Name>prefix</Name><Value>" + xml_escape(n.prefix) + "</Value></FilterRule>";
      if (!n.suffix.empty())
        out += "<FilterRule><Name>suffix</Name><Value>" + xml_escape(n.suffix) + "</Value></FilterRule>";
      out += "</S3Key></Filter>";
    }
    out += "</CloudFunctionConfiguration>";
  }
  return out + "</NotificationConfiguration>";
}

NotificationConfiguration S3::notifications(const std::string& bucket) {
  Response r = call_checked(m_client, "s3", {"GET", bucket_path(bucket), {{"notification", ""}}, {}, ""},
                            "read the notification configuration of bucket " + bucket);
  NotificationConfiguration out;
  if (r.body.find('<') == std::string::npos) return out;
  XmlElement root;
  try {
    root = parse_xml(r.body);
  } catch (const std::exception& e) {
    throw UserError("cannot read the notification configuration of bucket " + bucket + ": " + e.what(),
                    kExitFailure);
  }
  for (const auto& child : root.children) {
    if (child.name == "CloudFunctionConfiguration" || child.name == "LambdaFunctionConfiguration") {
      out.lambdas.push_back(read_lambda(child));
    } else {
      out.others.push_back(child);
    }
  }
  return out;
}

void S3::put_notifications(const std::string& bucket, const NotificationConfiguration& configuration) {
  call_checked(m_client, "s3",
               {"PUT", bucket_path(bucket), {{"notification", ""}}, kXml, notification_xml(configuration)},
               "write the notification configuration of bucket " + bucket);
}

bool S3::bucket_exists(const std::string& bucket) {
  Request request{"HEAD", bucket_path(bucket), {}, {}, ""};
  Response r = m_client.call("s3", request);
  if (r.status == 404) return false;
  if (r.ok() || r.status == 403) return true;
  throw_call_error(r, "check whether bucket " + bucket + " exists");
}

void S3::create_bucket(const std::string& bucket, const std::string& region,
                       const std::map<std::string, std::string>& tags) {
  std::string body;
  if (region != "us-east-1") {
    body =
        R"(<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>)" +
        xml_escape(region) + "</LocationConstraint></CreateBucketConfiguration>";
  }
  call_checked(m_client, "s3", {"PUT", bucket_path(bucket), {}, body.empty() ? Headers{} : kXml, body},
               "create bucket " + bucket);
  std::string tagging = "<Tagging><TagSet>";
  for (const auto& [k, v] : tags)
    tagging += "<Tag><Key>" + xml_escape(k) + "</Key><Value>" + xml_escape(v) + "</Value></Tag>";
  tagging += "</TagSet></Tagging>";
  call_checked(m_client, "s3", {"PUT", bucket_path(bucket), {{"tagging", ""}}, kXml, tagging},
               "tag bucket " + bucket);
}

std::map<std::string, std::string> S3::bucket_tags(const std::string& bucket) {
  Request request{"GET", bucket_path(bucket), {{"tagging", ""}}, {}, ""};
  Response r = m_client.call("s3", request);
  std::map<std::string, std::string> out;
  if (r.status == 404) return out;  // NoSuchTagSet or NoSuchBucket
  if (!r.ok()) throw_call_error(r, "read the tags of bucket " + bucket);
  try {
    XmlElement root = parse_xml(r.body);
    if (const XmlElement* set = root.child("TagSet")) {
      for (const XmlElement* tag : set->children_named("Tag"))
        out[tag->child_text("Key")] = tag->child_text("Value");
    }
  } catch (const std::exception& e) {
    throw UserError("cannot read the tags of bucket " + bucket + ": " + e.what(), kExitFailure);
  }
  return out;
}

void S3::delete_bucket(const std::string& bucket) {
  Request request{"DELETE", bucket_path(bucket), {}, {}, ""};
  Response r = m_client.call("s3", request);
  if (r.ok() || r.status == 404) return;
  auto error = r.error();
  if (error && error->code == "BucketNotEmpty") {
    throw UserError("cannot delete bucket " + bucket + ": it is not empty; fix: empty it (aws s3 rm s3://" +
                        bucket + " --recursive) and run remove again",
                    kExitFailure);
  }
  throw_call_error(r, "delete bucket " + bucket);
}

}  // namespace stratus::aws
