import json


def hello(event, context):
    """Answers GET /hello; the event is an HTTP API payload (format 2.0)."""
    name = (event.get("queryStringParameters") or {}).get("name", "world")
    body = {
        "message": f"Hello, {name}!",
        "path": event.get("rawPath"),
        "requestId": context.aws_request_id,
    }
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        "body": json.dumps(body),
    }
