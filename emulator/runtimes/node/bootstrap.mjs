// Stratus Lambda runtime client for nodejs: speaks the Lambda Runtime API (2018-06-01).
// No npm dependencies. Reads AWS_LAMBDA_RUNTIME_API, _HANDLER and LAMBDA_TASK_ROOT, loads the handler
// once (CommonJS or ESM), then loops on /next. Error payloads follow AWS's Node runtime interface client.
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import util from 'node:util';

const API_PREFIX = '/2018-06-01/runtime';
const ERROR_TYPE_HEADER = 'Lambda-Runtime-Function-Error-Type';
const [apiHost, apiPort] = (() => {
  const addr = process.env.AWS_LAMBDA_RUNTIME_API || '127.0.0.1:9001';
  const i = addr.lastIndexOf(':');
  return [addr.slice(0, i) || '127.0.0.1', Number(addr.slice(i + 1))];
})();

// HTTP/1.1 over one keep-alive socket: each write carries whole requests with Nagle off, and responses are
// parsed here in order (the Runtime API always answers with Content-Length). node:http costs several times
// more per call. An invocation's answer and the next /next leave in one write (pipelining). Reads land in
// one reusable buffer (`onread`: no stream machinery, no allocation per read) and are copied into
// `client.input`, which grows by doubling (a 6 MB event arriving in many reads costs O(size)) and goes
// back to its first size once emptied, so one large event does not hold memory for the instance's life.
const hostHeader = `Host: ${apiHost}:${apiPort}\r\n`;
const NEXT_REQUEST = `GET ${API_PREFIX}/invocation/next HTTP/1.1\r\n${hostHeader}\r\n`;
const INPUT_SIZE = 64 * 1024;
const readBuffer = Buffer.allocUnsafe(INPUT_SIZE);
const client = { socket: null, input: Buffer.allocUnsafe(INPUT_SIZE), used: 0, pending: [] };

// A connection to the Runtime API the engine passed down (a Unix socket: half the kernel work of loopback
// TCP per request), used first; once it ends, the client connects to AWS_LAMBDA_RUNTIME_API by TCP. The
// variable is the engine's, not the function's: it goes before the handler loads.
let passedFd = /^\d+$/.test(process.env._STRATUS_RUNTIME_API_FD || '') ? Number(process.env._STRATUS_RUNTIME_API_FD) : null;
delete process.env._STRATUS_RUNTIME_API_FD;

function openSocket() {
  const onread = { buffer: readBuffer, callback: (n, buf) => { receive(buf, n); } };
  if (passedFd !== null) {
    const fd = passedFd;
    passedFd = null;
    try {
      return new net.Socket({ fd, readable: true, writable: true, onread });
    } catch {
      // not an open socket: TCP below
    }
  }
  const socket = net.createConnection({ host: apiHost, port: apiPort, onread });
  socket.setNoDelay(true);
  return socket;
}

function connect() {
  const socket = openSocket();
  const fail = (err) => {
    if (client.socket !== socket) return;
    client.socket = null;
    const pending = client.pending;
    client.pending = [];
    for (const p of pending) p.reject(err || new Error('Runtime API connection closed'));
  };
  socket.on('error', fail);
  socket.on('close', () => fail(null));
  client.socket = socket;
  client.used = 0;
}

function receive(buf, n) {
  if (client.used + n > client.input.length) {
    const grown = Buffer.allocUnsafe(Math.max(client.input.length * 2, client.used + n));
    client.input.copy(grown, 0, 0, client.used);
    client.input = grown;
  }
  buf.copy(client.input, client.used, 0, n);
  client.used += n;
  let consumed = 0;
  while (client.pending.length) {
    const end = client.input.indexOf('\r\n\r\n', consumed);
    if (end < 0 || end + 4 > client.used) break;  // bytes past `used` are stale
    const lines = client.input.toString('latin1', consumed, end).split('\r\n');
    const status = Number(lines[0].split(' ')[1]);
    const headers = {};
    for (let i = 1; i < lines.length; i++) {
      const colon = lines[i].indexOf(':');
      if (colon > 0) headers[lines[i].slice(0, colon).trim().toLowerCase()] = lines[i].slice(colon + 1).trim();
    }
    const bodyEnd = end + 4 + Number(headers['content-length'] || 0);
    if (client.used < bodyEnd) break;
    const body = client.input.toString('utf8', end + 4, bodyEnd);
    consumed = bodyEnd;
    client.pending.shift().resolve({ status, headers, body });
  }
  if (consumed) {
    client.input.copy(client.input, 0, consumed, client.used);
    client.used -= consumed;
    if (client.used === 0 && client.input.length > INPUT_SIZE) client.input = Buffer.allocUnsafe(INPUT_SIZE);
  }
}

// One request as a string; `body` is a string (JSON) or undefined.
function encode(method, urlPath, body, headers = {}) {
  let head = `${method} ${API_PREFIX}${urlPath} HTTP/1.1\r\n${hostHeader}`;
  for (const k in headers) head += `${k}: ${headers[k]}\r\n`;
  if (body !== undefined || method !== 'GET') head += `Content-Length: ${body === undefined ? 0 : Buffer.byteLength(body)}\r\n`;
  return body === undefined ? head + '\r\n' : head + '\r\n' + body;
}

// Writes `data` (`count` requests) and resolves with their responses, in order.
function send(data, count) {
  if (!client.socket) connect();
  else client.socket.ref();
  const answers = [];
  for (let i = 0; i < count; i++) answers.push(new Promise((resolve, reject) => client.pending.push({ resolve, reject })));
  client.socket.write(data, 'utf8');
  return answers;
}

function request(method, urlPath, body, headers = {}) {
  return send(encode(method, urlPath, body, headers), 1)[0];
}

// Posts an invocation's answer and asks for the next event in the same write. A server that closes the
// connection after the answer instead of reading on gets the /next again, alone.
async function answerAndNext(urlPath, body, headers) {
  const [answered, next] = send(encode('POST', urlPath, body, headers) + NEXT_REQUEST, 2);
  next.catch(() => {});  // observed below; a rejection must not be reported as unhandled meanwhile
  await answered;
  try {
    return await next;
  } catch {
    return request('GET', '/invocation/next');
  }
}

function errorBody(err) {
  if (err instanceof Error || (err && typeof err === 'object' && err.name && err.message !== undefined)) {
    return {
      errorType: err.name,
      errorMessage: err.message,
      trace: typeof err.stack === 'string' ? err.stack.split('\n') : [],
    };
  }
  return { errorType: typeof err, errorMessage: String(err), trace: [] };
}

function errorRequest(err) {
  const body = errorBody(err);
  logError(body);
  return [JSON.stringify(body), { 'Content-Type': 'application/json', [ERROR_TYPE_HEADER]: body.errorType }];
}

function postError(urlPath, err) {
  return request('POST', urlPath, ...errorRequest(err));
}

// The error answer for an invocation, then the next event.
function errorAndNext(requestId, err) {
  return answerAndNext(`/invocation/${requestId}/error`, ...errorRequest(err));
}

function logError(body) {
  // AWS logs the failure as one JSON record on stderr; we keep the same fields.
  process.stderr.write(`${new Date().toISOString()}\t${currentRequestId || 'undefined'}\tERROR\t` +
    `${JSON.stringify(body)}\n`);
}

class RuntimeError extends Error {
  constructor(name, message) { super(message); this.name = name; }
}

function isSyntaxError(e) { return e instanceof SyntaxError || (e && e.name === 'SyntaxError'); }

async function loadModule(appRoot, moduleRoot, moduleName) {
  const base = path.resolve(appRoot, moduleRoot, moduleName);
  // Lambda's order: .js, then .mjs, then .cjs; a .js file that is ESM (package type module) is imported.
  for (const ext of ['.js', '.mjs', '.cjs']) {
    const file = base + ext;
    if (!fs.existsSync(file)) continue;
    if (ext === '.mjs') return import(pathToFileURL(file).href);
    const req = createRequire(file);
    try {
      return req(file);
    } catch (e) {
      if (e && (e.code === 'ERR_REQUIRE_ESM' || e.code === 'ERR_REQUIRE_ASYNC_MODULE')) {
        return import(pathToFileURL(file).href);
      }
      throw e;
    }
  }
  // No file: Node module resolution from the task root (e.g. a package in node_modules).
  const req = createRequire(path.join(appRoot, 'noop.js'));
  return req(path.join(moduleRoot, moduleName).replace(/^\.\//, ''));
}

async function loadHandler(appRoot, handlerString) {
  const m = /^([^.]*?\/)?([^/]*?)\.(.*)$/.exec(handlerString || '');
  if (!m) throw new RuntimeError('Runtime.MalformedHandlerName', `Bad handler ${handlerString}`);
  const moduleRoot = m[1] || '';
  const moduleName = m[2];
  const handlerPath = m[3];
  let mod;
  try {
    mod = await loadModule(appRoot, moduleRoot, moduleName);
  } catch (e) {
    if (isSyntaxError(e)) throw new RuntimeError('Runtime.UserCodeSyntaxError', String(e));
    if (e && e.code === 'MODULE_NOT_FOUND') throw new RuntimeError('Runtime.ImportModuleError', String(e));
    throw e;
  }
  let fn = mod;
  for (const part of handlerPath.split('.')) fn = fn == null ? undefined : fn[part];
  if (fn === undefined && mod && mod.default) {
    let d = mod.default;
    for (const part of handlerPath.split('.')) d = d == null ? undefined : d[part];
    fn = d;
  }
  if (fn === undefined) {
    throw new RuntimeError('Runtime.HandlerNotFound', `${moduleName}.${handlerPath} is undefined or not exported`);
  }
  if (typeof fn !== 'function') {
    throw new RuntimeError('Runtime.HandlerNotFound', `${moduleName}.${handlerPath} is not a function`);
  }
  return fn;
}

let currentRequestId;

// console.* as the Lambda Node runtime prints it: "<ISO time>\t<request id>\t<LEVEL>\t<message>", to stdout.
function patchConsole() {
  const levels = { log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG', trace: 'TRACE' };
  for (const [method, level] of Object.entries(levels)) {
    console[method] = (...args) => {
      let message = util.format(...args);
      if (method === 'trace') message += '\n' + new Error().stack.split('\n').slice(2).join('\n');
      process.stdout.write(`${new Date().toISOString()}\t${currentRequestId || 'undefined'}\t${level}\t${message}\n`);
    };
  }
}

// The instance's fixed context fields, read once: each process.env read is a call into C++.
const instanceEnv = {
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
  memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
  logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
  logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
};

function makeContext(headers, onDone) {
  const deadline = Number(headers['lambda-runtime-deadline-ms'] || 0);
  const ctx = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: instanceEnv.functionName,
    functionVersion: instanceEnv.functionVersion,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: instanceEnv.memoryLimitInMB,
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    logGroupName: instanceEnv.logGroupName,
    logStreamName: instanceEnv.logStreamName,
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
    // The legacy completion methods Lambda still offers.
    succeed: (result) => onDone(null, result),
    fail: (err) => onDone(err == null ? new Error('handled') : err),
    done: (err, result) => onDone(err, result),
  };
  for (const [header, key] of [['lambda-runtime-client-context', 'clientContext'],
    ['lambda-runtime-cognito-identity', 'identity']]) {
    if (headers[header]) {
      try { ctx[key] = JSON.parse(headers[header]); } catch { /* AWS ignores a malformed header too */ }
    }
  }
  return ctx;
}

// Runs the handler to one outcome: [error, result]. As in Lambda: a returned promise settles the call at
// once; callback(err, result) settles it when the event loop has emptied (unless the handler cleared
// context.callbackWaitsForEmptyEventLoop); a handler that does neither ends with null once the loop is
// empty, its plain return value ignored.
// One 'beforeExit' listener for the instance's life (not one added and removed per invocation): it
// tells the invocation in flight, if any, that the event loop is empty. The Runtime API socket is
// unref'd while the handler runs (send() refs it again), or its keep-alive connection alone would keep
// the loop from ever emptying.
let onLoopEmpty = null;
process.on('beforeExit', () => { if (onLoopEmpty) onLoopEmpty(); });

function runHandler(fn, event, headers) {
  return new Promise((resolve) => {
    let settled = false;
    let onEmpty = () => finish(null, null);
    const finish = (err, result) => {
      if (settled) return;
      settled = true;
      onLoopEmpty = null;
      resolve([err == null ? null : err, result]);
    };
    onLoopEmpty = () => onEmpty();
    let ctx;
    const viaCallback = (err, result) => {
      if (ctx.callbackWaitsForEmptyEventLoop) onEmpty = () => finish(err, result);
      else finish(err, result);
    };
    ctx = makeContext(headers, viaCallback);
    if (client.socket) client.socket.unref();
    try {
      const out = fn(event, ctx, viaCallback);
      if (out && typeof out.then === 'function') {
        out.then((r) => finish(null, r), (e) => finish(e == null ? new Error('null') : e));
      }
    } catch (e) {
      finish(e);
    }
  });
}

async function main() {
  patchConsole();
  const appRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
  let fn;
  try {
    fn = await loadHandler(appRoot, process.env._HANDLER);
  } catch (e) {
    await postError('/init/error', e);
    process.exit(1);
  }
  let next = await request('GET', '/invocation/next');
  for (;;) {
    if (next.status !== 200) {
      process.stderr.write(`stratus bootstrap: /next answered ${next.status}\n`);
      process.exit(1);
    }
    const requestId = next.headers['lambda-runtime-aws-request-id'];
    currentRequestId = requestId;
    if (next.headers['lambda-runtime-trace-id']) process.env._X_AMZN_TRACE_ID = next.headers['lambda-runtime-trace-id'];
    else delete process.env._X_AMZN_TRACE_ID;
    let event;
    try {
      event = JSON.parse(next.body || 'null');
    } catch (e) {
      next = await errorAndNext(requestId, new RuntimeError('Runtime.UnmarshalError', String(e)));
      continue;
    }
    const [err, result] = await runHandler(fn, event, next.headers);
    if (err) {
      next = await errorAndNext(requestId, err);
      continue;
    }
    let body;
    try {
      body = JSON.stringify(result === undefined ? null : result);
    } catch (e) {
      next = await errorAndNext(requestId,
        new RuntimeError('Runtime.MarshalError', `Unable to stringify response body as json: ${e.message}`));
      continue;
    }
    next = await answerAndNext(`/invocation/${requestId}/response`, body, { 'Content-Type': 'application/json' });
  }
}

main();
