// @ts-check
'use strict';

/**
 * The update-check benchmark's baseline: the same Fastify as the node's, one POST route that reads
 * the XML body as the node does (a buffer parser for text/xml, 64 KiB at most) and answers a
 * constant answer of the node's size, no parsing, no logging, nothing else. What a node can do at
 * best on this machine with this HTTP stack.
 *
 *   BENCH_PORT=19712 BENCH_ANSWER_FILE=answer.xml node bench/baseline/bare-fastify-server.js
 */

const fs = require('node:fs');
const Fastify = require('fastify');

const port = Number(process.env.BENCH_PORT ?? 19712);
const host = process.env.BENCH_HOST ?? '127.0.0.1';
const answer = fs.readFileSync(/** @type {string} */ (process.env.BENCH_ANSWER_FILE), 'utf8');

const app = Fastify({ logger: false, keepAliveTimeout: 75_000 });
app.addContentTypeParser(['text/xml', 'application/xml'], { parseAs: 'buffer', bodyLimit: 64 * 1024 }, (_request, body, done) =>
  done(null, body),
);
app.post('/RequestHandler/ucdevice.upx', async (_request, reply) => {
  void reply.header('Content-Type', 'text/xml; charset=utf-8');
  return answer;
});

app.listen({ port, host }).catch((error) => {
  process.stderr.write(`bare Fastify could not listen on ${host}:${port}: ${error.message}\n`);
  process.exit(1);
});
for (const signal of /** @type {const} */ (['SIGTERM', 'SIGINT'])) {
  process.once(signal, () => void app.close().then(() => process.exit(0)));
}
