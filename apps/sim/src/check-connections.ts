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

interface Pending {
  head: Buffer;
  body: Buffer;
  startedAt: number;
  resolve: (answer: RawAnswer) => void;
  reject: (error: ConnectionError) => void;
}

const CRLF_CRLF = Buffer.from('\r\n\r\n');

/**
 * One keep-alive HTTP/1.1 connection: one request at a time, its answer read by Content-Length
 * or chunked encoding. Plain event handlers bound once per connection, no per-request closures on
 * the socket, no per-request timers (CheckConnections sweeps for timeouts).
 */
class Connection {
  readonly socket: net.Socket;
  pending: Pending | null = null;
  /** Requests answered on this connection: a failure on a used one may be a stale keep-alive. */
  used = 0;
  private received = false;
  private buffer: Buffer | null = null;
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
    this.socket =
      origin.protocol === 'https:'
        ? tls.connect({ host: origin.hostname, port, servername: net.isIP(origin.hostname) ? undefined : origin.hostname, rejectUnauthorized: !insecure })
        : net.connect({ host: origin.hostname, port });
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (error: NodeJS.ErrnoException) => this.fail(error.code ?? 'ECONNRESET'));
    this.socket.on('close', () => this.fail('ECONNRESET'));
  }

  send(pending: Pending): void {
    this.pending = pending;
    this.received = false;
    this.buffer = null;
    this.bodyStart = -1;
    // One write, one system call: head and body in one buffer.
    const request = Buffer.allocUnsafe(pending.head.length + pending.body.length);
    pending.head.copy(request, 0);
    pending.body.copy(request, pending.head.length);
    this.socket.write(request);
  }

  /** Ends the connection; what is in flight fails with `code`. */
  fail(code: string): void {
    const wasClosed = this.closed;
    if (!wasClosed) {
      this.closed = true;
      this.socket.destroy();
    }
    const pending = this.pending;
    this.pending = null;
    if (!wasClosed) this.pool.released(this, false);
    pending?.reject(new ConnectionError(code, this.used > 0 && !this.received));
  }

  private onData(chunk: Buffer): void {
    this.received = true;
    const buffer = this.buffer === null ? chunk : Buffer.concat([this.buffer, chunk]);
    this.buffer = buffer;
    if (this.bodyStart === -1) {
      const end = buffer.indexOf(CRLF_CRLF);
      if (end === -1) return;
      this.readHead(buffer.toString('latin1', 0, end));
      this.bodyStart = end + 4;
    }
    const body = this.complete(buffer);
    if (body === null) return;
    const pending = this.pending;
    this.pending = null;
    this.buffer = null;
    this.used += 1;
    const answer: RawAnswer = { status: this.status, retryAfter: this.retryAfter, body };
    if (this.close) {
      this.closed = true;
      this.socket.end();
    }
    this.pool.released(this, !this.close);
    pending?.resolve(answer);
  }

  private readHead(head: string): void {
    const lines = head.split('\r\n');
    this.status = Number(lines[0].slice(9, 12));
    this.retryAfter = undefined;
    this.contentLength = -1;
    this.chunked = false;
    this.close = false;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i];
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).toLowerCase();
      if (name === 'content-length') this.contentLength = Number(line.slice(colon + 1));
      else if (name === 'transfer-encoding') this.chunked = /chunked/i.test(line);
      else if (name === 'connection') this.close = /close/i.test(line);
      else if (name === 'retry-after') this.retryAfter = line.slice(colon + 1).trim();
    }
  }

  /** The whole body once it is in, else null. */
  private complete(buffer: Buffer): string | null {
    if (!this.chunked) {
      const length = this.contentLength === -1 ? 0 : this.contentLength;
      return buffer.length - this.bodyStart >= length ? buffer.toString('utf8', this.bodyStart, this.bodyStart + length) : null;
    }
    const parts: Buffer[] = [];
    let at = this.bodyStart;
    for (;;) {
      const lineEnd = buffer.indexOf('\r\n', at);
      if (lineEnd === -1) return null;
      const size = parseInt(buffer.toString('latin1', at, lineEnd), 16);
      if (size === 0) return buffer.indexOf(CRLF_CRLF, lineEnd) === -1 && !buffer.subarray(lineEnd).equals(CRLF_CRLF) ? null : Buffer.concat(parts).toString('utf8');
      if (buffer.length < lineEnd + 2 + size + 2) return null;
      parts.push(buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
  }
}

/**
 * Keep-alive connections to one origin for the simulator's update checks, at most `maxSockets`,
 * requests queued beyond (as a site's phones share a network path). A request is one pre-rendered
 * head and body; a connection the server closed while idle fails its next request as `stale`, and
 * the caller sends it again. Timeouts are found by one sweep a second, not a timer per request.
 */
export class CheckConnections {
  private readonly idle: Connection[] = [];
  private readonly busy = new Set<Connection>();
  private readonly queue: Pending[] = [];
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    private readonly origin: URL,
    private readonly maxSockets: number,
    private readonly timeoutMs: number,
    private readonly insecure = false,
  ) {}

  /** Sends `head` (request line and headers, ending in a blank line) and `body`. */
  request(head: Buffer, body: Buffer): Promise<RawAnswer> {
    return new Promise<RawAnswer>((resolve, reject) => {
      const pending: Pending = { head, body, startedAt: performance.now(), resolve, reject };
      const connection = this.idle.pop() ?? (this.busy.size < this.maxSockets ? new Connection(this, this.origin, this.insecure) : null);
      if (connection === null) {
        this.queue.push(pending);
      } else {
        this.busy.add(connection);
        connection.send(pending);
      }
      this.sweeper ??= setInterval(() => this.sweep(), 1_000).unref();
    });
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
    free.send(next);
  }

  /** Closes every connection. */
  destroy(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    for (const connection of [...this.idle, ...this.busy]) connection.fail('ECONNRESET');
    for (const pending of this.queue.splice(0)) pending.reject(new ConnectionError('ECONNRESET', false));
  }

  private sweep(): void {
    const now = performance.now();
    for (const connection of [...this.busy]) {
      if (connection.pending !== null && now - connection.pending.startedAt > this.timeoutMs) connection.fail('TIMEOUT');
    }
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (now - this.queue[i].startedAt > this.timeoutMs) this.queue.splice(i, 1)[0].reject(new ConnectionError('TIMEOUT', false));
    }
  }
}
