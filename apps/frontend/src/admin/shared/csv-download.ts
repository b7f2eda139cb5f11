import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';

/**
 * Sends a CSV file made by `lines` (a generator pulled by the response stream, so it reads the
 * next batch only once the client has taken the previous one, and stops when the client goes
 * away). The first chunk is made before anything is sent, so a failure to read the first batch is
 * an ordinary JSON error. A later failure can only cut the download short: Fastify then destroys
 * the connection, which the client sees as a broken transfer, never as a complete file.
 */
export async function sendCsv(reply: FastifyReply, fileName: string, lines: AsyncGenerator<string>): Promise<void> {
  const first = await lines.next();
  const body = Readable.from(
    (async function* () {
      if (!first.done) {
        yield first.value;
      }
      yield* lines;
    })(),
    { objectMode: false },
  );
  void reply
    .header('Content-Type', 'text/csv; charset=utf-8; header=present')
    .header('Content-Disposition', `attachment; filename="${fileName}"`)
    .header('Cache-Control', 'no-store')
    .send(body);
}
