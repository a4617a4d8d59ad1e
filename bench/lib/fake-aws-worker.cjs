'use strict';
// FAKE AWS ENDPOINT - benchmark use only, never a test of AWS behaviour.
// A tiny HTTP server on 127.0.0.1, run in a worker thread of the benchmark process, that answers
// the AWS JSON protocol at once (or after `delayMs`):
//   DynamoDB_20120810.PutItem / UpdateItem / DeleteItem -> {}
//   DynamoDB_20120810.GetItem                           -> {} (no item)
//   AmazonSQS.SendMessage                               -> {MessageId, MD5OfMessageBody} (the SDK checks the MD5)
// It counts requests per operation (DynamoDB: per table and operation) and the most requests it
// ever held at once. With a throttle share set (cmd 'throttle'), that share of DynamoDB calls,
// picked by a seeded pseudo-random sequence, is answered 400 ProvisionedThroughputExceededException
// (counted as `throttled:<table>:<op>`), as a table over its provisioned capacity answers.
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { createHash, randomUUID } = require('node:crypto');

let delayMs = workerData.delayMs || 0;
let counts = {};
let inFlight = 0;
let maxInFlight = 0;
let throttleShare = 0;
let seed = 1;

/** mulberry32: the same throttled calls every run, so runs compare. */
function nextRandom() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

function answer(target, body) {
  const op = target.split('.').pop();
  if (target.startsWith('AmazonSQS.')) {
    if (op !== 'SendMessage') return [400, { __type: 'com.amazon.coral.service#UnknownOperationException', message: `fake endpoint: ${op}` }];
    const input = JSON.parse(body);
    return [200, { MessageId: randomUUID(), MD5OfMessageBody: createHash('md5').update(input.MessageBody, 'utf8').digest('hex') }];
  }
  if (target.startsWith('DynamoDB_20120810.')) {
    if (['PutItem', 'UpdateItem', 'DeleteItem', 'GetItem'].includes(op)) return [200, {}];
    return [400, { __type: 'com.amazon.coral.service#UnknownOperationException', message: `fake endpoint: ${op}` }];
  }
  return [400, { __type: 'com.amazon.coral.service#UnknownOperationException', message: `fake endpoint: ${target}` }];
}

const server = http.createServer((req, res) => {
  const chunks = [];
  inFlight += 1;
  if (inFlight > maxInFlight) maxInFlight = inFlight;
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const target = String(req.headers['x-amz-target'] || '');
    const text = Buffer.concat(chunks).toString('utf8');
    let key = target.split('.').pop() || 'unknown';
    // DynamoDB calls are counted per table, so the idempotency table's calls show apart.
    if (target.startsWith('DynamoDB_20120810.')) {
      try {
        key = `${JSON.parse(text).TableName}:${key}`;
      } catch {
        // counted without a table
      }
    }
    counts[key] = (counts[key] || 0) + 1;
    let status;
    let payload;
    if (throttleShare > 0 && target.startsWith('DynamoDB_20120810.') && nextRandom() < throttleShare) {
      counts[`throttled:${key}`] = (counts[`throttled:${key}`] || 0) + 1;
      [status, payload] = [400, { __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', message: 'fake endpoint: throttled' }];
    } else {
      try {
        [status, payload] = answer(target, text);
      } catch (error) {
        [status, payload] = [400, { __type: 'SerializationException', message: String(error) }];
      }
    }
    const send = () => {
      inFlight -= 1;
      const text = JSON.stringify(payload);
      res.writeHead(status, {
        'content-type': 'application/x-amz-json-1.0',
        'content-length': Buffer.byteLength(text),
        'x-amzn-requestid': 'fake-endpoint',
      });
      res.end(text);
    };
    if (delayMs > 0) setTimeout(send, delayMs);
    else send();
  });
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 61_000;

parentPort.on('message', (message) => {
  if (message.cmd === 'stats') parentPort.postMessage({ type: 'stats', counts: { ...counts }, maxInFlight });
  else if (message.cmd === 'reset') {
    counts = {};
    maxInFlight = inFlight;
    parentPort.postMessage({ type: 'reset' });
  } else if (message.cmd === 'delay') {
    delayMs = message.delayMs;
    parentPort.postMessage({ type: 'delay' });
  } else if (message.cmd === 'throttle') {
    throttleShare = message.share;
    seed = 1;
    parentPort.postMessage({ type: 'throttle' });
  } else if (message.cmd === 'close') {
    server.closeAllConnections();
    server.close(() => parentPort.postMessage({ type: 'closed' }));
  }
});

server.listen(0, '127.0.0.1', () => parentPort.postMessage({ type: 'listening', port: server.address().port }));
