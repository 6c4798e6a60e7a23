// Answers GET /hello; the event is an HTTP API payload (format 2.0).
export const hello = async (event, context) => {
  const name = event.queryStringParameters?.name ?? 'world';
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      message: `Hello, ${name}!`,
      path: event.rawPath,
      requestId: context.awsRequestId,
    }),
  };
};
