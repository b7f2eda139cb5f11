// @ts-check
'use strict';

/**
 * The update-check and DDI poll benchmarks' baseline: the same Fastify as the node's, a POST route
 * that reads the XML body as the node does (a buffer parser for text/xml, 64 KiB at most) and
 * answers a constant answer of the node's size (BENCH_ANSWER_FILE), and a GET route of the DDI
 * poll's path answering the node's poll answer (BENCH_DDI_ANSWER_FILE); no parsing, no logging,
 * nothing else. What a node can do at best on this machine with this HTTP stack.
 *
 *   BENCH_PORT=19712 BENCH_ANSWER_FILE=answer.xml node bench/baseline/bare-fastify-server.js
 */

const fs = require('node:fs');
const Fastify = require('fastify');

const port = Number(process.env.BENCH_PORT ?? 19712);
const host = process.env.BENCH_HOST ?? '127.0.0.1';
const answerFile = process.env.BENCH_ANSWER_FILE;
const ddiAnswerFile = process.env.BENCH_DDI_ANSWER_FILE;

const app = Fastify({ logger: false, keepAliveTimeout: 75_000 });
app.addContentTypeParser(['text/xml', 'application/xml'], { parseAs: 'buffer', bodyLimit: 64 * 1024 }, (_request, body, done) =>
  done(null, body),
);
if (answerFile) {
  const answer = fs.readFileSync(answerFile, 'utf8');
  app.post('/RequestHandler/ucdevice.upx', async (_request, reply) => {
    void reply.header('Content-Type', 'text/xml; charset=utf-8');
    return answer;
  });
}
if (ddiAnswerFile) {
  const ddiAnswer = fs.readFileSync(ddiAnswerFile, 'utf8');
  app.get('/:tenant/controller/v1/:controllerId', async (_request, reply) => {
    void reply.header('Content-Type', 'application/hal+json;charset=UTF-8');
    return ddiAnswer;
  });
}

app.listen({ port, host }).catch((error) => {
  process.stderr.write(`bare Fastify could not listen on ${host}:${port}: ${error.message}\n`);
  process.exit(1);
});
for (const signal of /** @type {const} */ (['SIGTERM', 'SIGINT'])) {
  process.once(signal, () => void app.close().then(() => process.exit(0)));
}
