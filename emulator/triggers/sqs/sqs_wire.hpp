#pragma once
// The two wire protocols of SQS (spec 8.1) around one JSON-shaped model of requests and results:
// Query parameters are read into the shapes the JSON 1.0 protocol uses, and a JSON-shaped result
// is written back either as JSON or as the Query protocol's XML.
#include <nlohmann/json.hpp>
#include <string>

#include "emulator/net/http_wire.hpp"
#include "emulator/triggers/sqs/sqs_model.hpp"

namespace stratus::triggers::sqs {

using Json = nlohmann::ordered_json;

enum class Protocol { json, query };

// "Attribute.1.Name=a&Attribute.1.Value=b&MessageAttribute.1.Value.DataType=String..." ->
// {"Attributes":{"a":"b"},"MessageAttributes":{...}}: numbered lists become arrays, Name/Value
// lists become maps, under the member names of the JSON protocol. Scalars stay strings.
Json form_to_json(const net::wire::Fields& fields);

// A result as the protocol answers it: JSON 1.0 as is, or <OpResponse><OpResult>...</OpResult>
// <ResponseMetadata/></OpResponse> with lists and maps flattened as the Query model names them.
net::wire::Response success(Protocol protocol, const std::string& op, const Json& result,
                            const std::string& request_id);

// JSON: {"__type":"com.amazonaws.sqs#<code>","message":...} + x-amzn-query-error: <query code>;Sender.
// Query: <ErrorResponse><Error><Type/><Code/><Message/><Detail/></Error><RequestId/></ErrorResponse>.
net::wire::Response failure(Protocol protocol, const SqsError& error, const std::string& request_id);

}  // namespace stratus::triggers::sqs
