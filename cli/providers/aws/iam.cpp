#include "cli/providers/aws/iam.hpp"

#include "cli/errors.hpp"
#include "cli/providers/aws/call.hpp"
#include "cli/providers/aws/xml.hpp"

namespace stratus::aws {

namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

const Headers kForm = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};

// Sends one action; nullopt when IAM answers NoSuchEntity and `missing_ok`. `doing` reads after
// "cannot" in the error.
std::optional<XmlElement> call(Client& client, const std::string& action, const Params& params,
                               const std::string& doing, bool missing_ok = false) {
  const std::string what = doing + " (" + action + ")";
  Response response = client.call("iam", {"POST", "/", {}, kForm, iam_form(action, params)});
  if (!response.ok()) {
    if (missing_ok && response.error() && response.error()->code == "NoSuchEntity") return std::nullopt;
    throw_call_error(response, what);
  }
  try {
    return parse_xml(response.body);
  } catch (const std::runtime_error& e) {
    throw UserError("cannot " + what + ": the answer is XML that cannot be read: " + e.what(), kExitFailure);
  }
}

Params with_tags(Params params, const std::map<std::string, std::string>& tags) {
  int i = 1;
  for (const auto& [k, v] : tags) {
    params.emplace_back("Tags.member." + std::to_string(i) + ".Key", k);
    params.emplace_back("Tags.member." + std::to_string(i) + ".Value", v);
    ++i;
  }
  return params;
}

IamRole read_role(const XmlElement* role) {
  IamRole out;
  if (!role) return out;
  out.name = role->child_text("RoleName");
  out.arn = role->child_text("Arn");
  out.assume_role_policy = auth::percent_decode(role->child_text("AssumeRolePolicyDocument"));
  if (const XmlElement* tags = role->child("Tags"))
    for (const XmlElement* member : tags->children_named("member"))
      out.tags[member->child_text("Key")] = member->child_text("Value");
  return out;
}

}  // namespace

std::string iam_form(const std::string& action, const Params& params) {
  std::string body = "Action=" + auth::uri_encode(action) + "&Version=2010-05-08";
  for (const auto& [k, v] : params) body += "&" + auth::uri_encode(k) + "=" + auth::uri_encode(v);
  return body;
}

std::string lambda_trust_policy() {
  return R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["lambda.amazonaws.com"]},"Action":["sts:AssumeRole"]}]})";
}

std::optional<IamRole> IamApi::get_role(const std::string& name) {
  auto doc = call(m_client, "GetRole", {{"RoleName", name}}, "read role " + name, true);
  if (!doc) return std::nullopt;
  return read_role(doc->find({"GetRoleResult", "Role"}));
}

IamRole IamApi::create_role(const std::string& name, const std::string& trust_policy,
                            const std::map<std::string, std::string>& tags) {
  auto doc = call(m_client, "CreateRole",
                  with_tags({{"RoleName", name}, {"AssumeRolePolicyDocument", trust_policy}}, tags),
                  "create role " + name);
  IamRole role = read_role(doc->find({"CreateRoleResult", "Role"}));
  if (role.name.empty()) role.name = name;
  return role;
}

void IamApi::tag_role(const std::string& name, const std::map<std::string, std::string>& tags) {
  call(m_client, "TagRole", with_tags({{"RoleName", name}}, tags), "tag role " + name);
}

void IamApi::delete_role(const std::string& name) {
  call(m_client, "DeleteRole", {{"RoleName", name}}, "delete role " + name);
}

std::vector<std::string> IamApi::list_role_policies(const std::string& role) {
  std::vector<std::string> names;
  std::string marker;
  for (int page = 0; page < 100; ++page) {  // 100 pages of 100: IAM allows far fewer inline policies
    Params params = {{"RoleName", role}};
    if (!marker.empty()) params.emplace_back("Marker", marker);
    auto doc = call(m_client, "ListRolePolicies", params, "list the inline policies of role " + role);
    const XmlElement* result = doc->child("ListRolePoliciesResult");
    if (!result) break;
    if (const XmlElement* list = result->child("PolicyNames"))
      for (const XmlElement* member : list->children_named("member")) names.push_back(member->text);
    if (result->child_text("IsTruncated") != "true") break;
    marker = result->child_text("Marker");
  }
  return names;
}

std::optional<std::string> IamApi::get_role_policy(const std::string& role, const std::string& policy) {
  auto doc = call(m_client, "GetRolePolicy", {{"RoleName", role}, {"PolicyName", policy}},
                  "read policy " + policy + " of role " + role, true);
  if (!doc) return std::nullopt;
  const XmlElement* document = doc->find({"GetRolePolicyResult", "PolicyDocument"});
  return document ? auth::percent_decode(document->text) : std::string();
}

void IamApi::put_role_policy(const std::string& role, const std::string& policy,
                             const std::string& document) {
  call(m_client, "PutRolePolicy", {{"RoleName", role}, {"PolicyName", policy}, {"PolicyDocument", document}},
       "write policy " + policy + " of role " + role);
}

void IamApi::delete_role_policy(const std::string& role, const std::string& policy) {
  call(m_client, "DeleteRolePolicy", {{"RoleName", role}, {"PolicyName", policy}},
       "delete policy " + policy + " of role " + role);
}

}  // namespace stratus::aws
