import net from 'node:net';
import tls from 'node:tls';

/** An HTTP answer as the simulator reads it. */
export interface RawAnswer {
  status: number;
  /** Lower-case names; only the ones the simulator reads (Retry-After). */
  retryAfter: string | undefined;
  body: string;
}

/** A request that failed before an answer: `code` as Node names socket errors, or TIMEOUT. */
export class ConnectionError extends Error {
  constructor(
    readonly code: string,
    /** Failed on a connection reused from an earlier request before any byte came back: safe to send again. */
    readonly stale: boolean,
  ) {
    super(code);
  }
}

/**
 * Who hears about a request's end: one object for many requests (the simulation), told which by
 * `token`, so a request costs no closure and no promise. `body` is `[start, end)` of `bytes`, a
 * view on the connection's read buffer valid only during the call: copy or decode what is kept.
 */
export interface AnswerReceiver {
  onAnswer(token: number, status: number, retryAfter: string | undefined, bytes: Buffer, start: number, end: number): void;
  onFailure(token: number, error: ConnectionError): void;
}

interface Queued {
  request: Buffer;
  receiver: AnswerReceiver;
  token: number;
  startedAt: number;
}

const CRLF_CRLF = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');
/** One read buffer for every plain connection (`onread`): an answer is handled before the next read. */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/**
 * One keep-alive HTTP/1.1 connection: one request at a time, its answer read by Content-Length
 * or chunked encoding. Plain connections read into one shared buffer (`onread`: no Buffer and no
 * stream event per read); an answer that comes in one read is handled where it lies, one that
 * spans reads is gathered in the connection's own buffer. No per-request closures on the socket,
 * no per-request timers (CheckConnections sweeps for timeouts).
 */
class Connection {
  readonly socket: net.Socket;
  /** The request in flight: who is told, with which token, since when. */
  receiver: AnswerReceiver | null = null;
  token = 0;
  startedAt = 0;
  /** Requests answered on this connection: a failure on a used one may be a stale keep-alive. */
  used = 0;
  private received = false;
  /** The answer's bytes so far when it spans reads (else null: it is read where it lies). */
  private gathered: Buffer | null = null;
  private gatheredLength = 0;
  private status = 0;
  private retryAfter: string | undefined;
  private bodyStart = -1;
  private contentLength = -1;
  private chunked = false;
  private close = false;
  closed = false;

  constructor(
    private readonly pool: CheckConnections,
    origin: URL,
    insecure: boolean,
  ) {
    const port = Number(origin.port || (origin.protocol === 'https:' ? 443 : 80));
    if (origin.protocol === 'https:') {
      this.socket = tls.connect({ host: origin.hostname, port, servername: net.isIP(origin.hostname) ? undefined : origin.hostname, rejectUnauthorized: !insecure });
      this.socket.on('data', (chunk: Buffer) => this.onBytes(chunk, chunk.length));
    } else {
      this.socket = net.connect({
        host: origin.hostname,
        port,
        onread: {
          buffer: READ_BUFFER,
          callback: (length: number, buffer: Uint8Array) => {
            this.onBytes(buffer as Buffer, length);
            return true;
          },
        },
      });
    }
    this.socket.setNoDelay(true);
    this.socket.on('error', (error: NodeJS.ErrnoException) => this.fail(error.code ?? 'ECONNRESET'));
    this.socket.on('close', () => this.fail('ECONNRESET'));
    // With onread the readable side still ends on EOF: the server closed (an answer cut short fails).
    this.socket.on('end', () => this.fail('ECONNRESET'));
  }

  /** Sends one request (head and body in one buffer: one write, one system call). */
  send(request: Buffer, receiver: AnswerReceiver, token: number, startedAt: number): void {
    this.receiver = receiver;
    this.token = token;
    this.startedAt = startedAt;
    this.received = false;
    this.gathered = null;
    this.gatheredLength = 0;
    this.bodyStart = -1;
    this.socket.write(request);
  }

  /** Ends the connection; what is in flight fails with `code`. */
  fail(code: string): void {
    const wasClosed = this.closed;
    if (!wasClosed) {
      this.closed = true;
      this.socket.destroy();
    }
    const { receiver, token } = this;
    this.receiver = null;
    if (!wasClosed) this.pool.released(this, false);
    receiver?.onFailure(token, new ConnectionError(code, this.used > 0 && !this.received));
  }

  private onBytes(chunk: Buffer, length: number): void {
    if (this.receiver === null) return;
    this.received = true;
    let bytes: Buffer;
    let end: number;
    if (this.gathered === null) {
      bytes = chunk;
      end = length;
    } else {
      this.gather(chunk, length);
      bytes = this.gathered;
      end = this.gatheredLength;
    }
    if (this.bodyStart === -1) {
      const headEnd = bytes.indexOf(CRLF_CRLF);
      if (headEnd === -1 || headEnd + 4 > end) return this.keep(bytes, end);
      this.readHead(bytes.toString('latin1', 0, headEnd));
      this.bodyStart = headEnd + 4;
    }
    if (this.chunked) {
      const body = this.dechunk(bytes, end);
      if (body === null) return this.keep(bytes, end);
      this.complete(body, 0, body.length);
      return;
    }
    const length_ = this.contentLength === -1 ? 0 : this.contentLength;
    if (end - this.bodyStart < length_) return this.keep(bytes, end);
    this.complete(bytes, this.bodyStart, this.bodyStart + length_);
  }

  /** The answer is not all in: what came so far is kept (copied out of the shared read buffer). */
  private keep(bytes: Buffer, end: number): void {
    if (this.gathered === null) this.gather(bytes, end);
  }

  private gather(chunk: Buffer, length: number): void {
    const needed = this.gatheredLength + length;
    if (this.gathered === null || this.gathered.length < needed) {
      const grown = Buffer.allocUnsafe(Math.max(needed, 4096, (this.gathered?.length ?? 0) * 2));
      if (this.gathered !== null) this.gathered.copy(grown, 0, 0, this.gatheredLength);
      this.gathered = grown;
    }
    chunk.copy(this.gathered, this.gatheredLength, 0, length);
    this.gatheredLength = needed;
  }

  private complete(bytes: Buffer, start: number, end: number): void {
    // Read before released(): it may hand this connection the next queued request.
    const { token, status, retryAfter } = this;
    const receiver = this.receiver!;
    this.receiver = null;
    this.gathered = null;
    this.used += 1;
    if (this.close) {
      this.closed = true;
      this.socket.end();
    }
    this.pool.released(this, !this.close);
    receiver.onAnswer(token, status, retryAfter, bytes, start, end);
  }

  /** The status line and the headers the simulator reads; one lower-casing of the head, no split. */
  private readHead(head: string): void {
    this.status = head.startsWith('HTTP/1.') ? Number(head.slice(9, 12)) : 0;
    const lower = head.toLowerCase();
    this.contentLength = -1;
    this.chunked = false;
    this.close = false;
    this.retryAfter = undefined;
    const length = headerAt(lower, '\r\ncontent-length:');
    if (length !== -1) this.contentLength = Number(lower.slice(length, lineEnd(lower, length)));
    const encoding = headerAt(lower, '\r\ntransfer-encoding:');
    if (encoding !== -1) this.chunked = lower.slice(encoding, lineEnd(lower, encoding)).includes('chunked');
    const connection = headerAt(lower, '\r\nconnection:');
    if (connection !== -1) this.close = lower.slice(connection, lineEnd(lower, connection)).includes('close');
    const retryAfter = headerAt(lower, '\r\nretry-after:');
    if (retryAfter !== -1) this.retryAfter = head.slice(retryAfter, lineEnd(lower, retryAfter)).trim();
  }

  /** A chunked body once it is all in (its chunks joined), else null. */
  private dechunk(buffer: Buffer, end: number): Buffer | null {
    const parts: Buffer[] = [];
    let at = this.bodyStart;
    for (;;) {
      const sizeEnd = buffer.indexOf(CRLF, at);
      if (sizeEnd === -1 || sizeEnd + 2 > end) return null;
      const size = parseInt(buffer.toString('latin1', at, sizeEnd), 16);
      if (size === 0) {
        // The last chunk, trailers (none expected) and the final blank line.
        const close = buffer.indexOf(CRLF, sizeEnd + 2);
        if (close === -1 || close + 2 > end) return null;
        return Buffer.concat(parts);
      }
      if (end < sizeEnd + 2 + size + 2) return null;
      parts.push(buffer.subarray(sizeEnd + 2, sizeEnd + 2 + size));
      at = sizeEnd + 2 + size + 2;
    }
  }
}

/** Where a header's value starts in the lower-cased head, or -1. */
function headerAt(lower: string, name: string): number {
  const at = lower.indexOf(name);
  return at === -1 ? -1 : at + name.length;
}

function lineEnd(head: string, from: number): number {
  const end = head.indexOf('\r\n', from);
  return end === -1 ? head.length : end;
}

/** The Promise form's receiver: one per request (the DDI mode's requests, not the phones' checks). */
class PromisedAnswer implements AnswerReceiver {
  constructor(
    private readonly resolve: (answer: RawAnswer) => void,
    private readonly reject: (error: ConnectionError) => void,
  ) {}

  onAnswer(_token: number, status: number, retryAfter: string | undefined, bytes: Buffer, start: number, end: number): void {
    this.resolve({ status, retryAfter, body: bytes.toString('utf8', start, end) });
  }

  onFailure(_token: number, error: ConnectionError): void {
    this.reject(error);
  }
}

/**
 * Keep-alive connections to one origin for the simulator's update checks, at most `maxSockets`,
 * requests queued beyond (as a site's phones share a network path). A request is one pre-rendered
 * buffer (head and body); a connection the server closed while idle fails its next request as
 * `stale`, and the caller sends it again. Timeouts are found by one sweep a second, not a timer
 * per request.
 */
export class CheckConnections {
  private readonly idle: Connection[] = [];
  private readonly busy = new Set<Connection>();
  private readonly queue: Queued[] = [];
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    private readonly origin: URL,
    private readonly maxSockets: number,
    private readonly timeoutMs: number,
    private readonly insecure = false,
  ) {}

  /**
   * Sends `request` (request line, headers, blank line and body, in one buffer, not changed until
   * the answer or the failure); `receiver` is told with `token`.
   */
  send(request: Buffer, receiver: AnswerReceiver, token: number): void {
    const startedAt = performance.now();
    const connection = this.idle.pop() ?? (this.busy.size < this.maxSockets ? new Connection(this, this.origin, this.insecure) : null);
    if (connection === null) {
      this.queue.push({ request, receiver, token, startedAt });
    } else {
      this.busy.add(connection);
      connection.send(request, receiver, token, startedAt);
    }
    this.sweeper ??= setInterval(() => this.sweep(), 1_000).unref();
  }

  /** Sends `head` (request line and headers, ending in a blank line) and `body`; the answer's body as text. */
  request(head: Buffer, body: Buffer): Promise<RawAnswer> {
    return new Promise<RawAnswer>((resolve, reject) => this.send(body.length === 0 ? head : Buffer.concat([head, body]), new PromisedAnswer(resolve, reject), 0));
  }

  /** A connection is free again (`reusable`) or gone; the next queued request takes a connection. */
  released(connection: Connection, reusable: boolean): void {
    this.busy.delete(connection);
    if (reusable) this.idle.push(connection);
    else {
      const at = this.idle.indexOf(connection);
      if (at !== -1) this.idle.splice(at, 1);
    }
    const next = this.queue.shift();
    if (next === undefined) return;
    const free = this.idle.pop() ?? new Connection(this, this.origin, this.insecure);
    this.busy.add(free);
    free.send(next.request, next.receiver, next.token, next.startedAt);
  }

  /** Closes every connection. */
  destroy(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    for (const connection of [...this.idle, ...this.busy]) connection.fail('ECONNRESET');
    for (const queued of this.queue.splice(0)) queued.receiver.onFailure(queued.token, new ConnectionError('ECONNRESET', false));
  }

  private sweep(): void {
    const now = performance.now();
    for (const connection of [...this.busy]) {
      if (connection.receiver !== null && now - connection.startedAt > this.timeoutMs) connection.fail('TIMEOUT');
    }
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (now - this.queue[i].startedAt > this.timeoutMs) {
        const [queued] = this.queue.splice(i, 1);
        queued.receiver.onFailure(queued.token, new ConnectionError('TIMEOUT', false));
      }
    }
  }
}
