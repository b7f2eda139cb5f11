import { connect } from 'node:net';

/**
 * HTTP/1.1 over a plain socket, one request per connection, for requests a well-behaved client
 * library refuses to send: NUL bytes and raw `%` sequences in the path, duplicate or oversized
 * headers, lying Content-Length, bodies written while the server is already answering.
 */
export interface RawRequest {
  method: string;
  /** Sent exactly as given (no encoding). */
  path: string;
  headers?: [string, string][];
  body?: Buffer | string;
  /** Skip the Content-Length header that is otherwise added for a body. */
  noContentLength?: boolean;
  /** Close our side after writing (the server sees end of input). */
  halfClose?: boolean;
  timeoutMs?: number;
}

export interface RawResponse {
  /** 0 when nothing came back. */
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** Why there was no (complete) answer: 'timeout', 'closed', a socket error. */
  failure?: string;
}

export function rawRequest(host: string, port: number, request: RawRequest): Promise<RawResponse> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (failure?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const parsed = parseResponse(Buffer.concat(chunks));
      resolve(parsed ?? { status: 0, headers: {}, body: Buffer.alloc(0), failure: failure ?? 'closed' });
    };
    const timer = setTimeout(() => finish('timeout'), request.timeoutMs ?? 15_000);
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      // One request per connection with Connection: close, but a server may keep it open anyway:
      // stop as soon as a complete answer is in.
      const parsed = parseResponse(Buffer.concat(chunks), true);
      if (parsed) finish();
    });
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    // A server that answers early and closes makes our write fail (EPIPE, ECONNRESET): its answer counts.
    socket.on('error', (error) => finish((error as NodeJS.ErrnoException).code ?? error.message));
    socket.on('connect', () => {
      const body = request.body === undefined ? undefined : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body, 'utf8');
      const headers = [...(request.headers ?? [])];
      if (!headers.some(([name]) => name.toLowerCase() === 'host')) headers.unshift(['Host', `${host}:${port}`]);
      if (!headers.some(([name]) => name.toLowerCase() === 'connection')) headers.push(['Connection', 'close']);
      if (body && !request.noContentLength) headers.push(['Content-Length', String(body.length)]);
      const head = `${request.method} ${request.path} HTTP/1.1\r\n${headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`;
      socket.write(Buffer.from(head, 'latin1'));
      if (body) writeInPieces(socket, body);
      if (request.halfClose) socket.end();
    });
  });
}

/** Large bodies in 64 KiB pieces, stopping when the server has closed. */
function writeInPieces(socket: import('node:net').Socket, body: Buffer): void {
  let at = 0;
  const next = (): void => {
    while (at < body.length && !socket.destroyed) {
      const piece = body.subarray(at, at + 65536);
      at += piece.length;
      if (!socket.write(piece)) {
        socket.once('drain', next);
        return;
      }
    }
  };
  next();
}

/** A complete response in `bytes`, or null. With `needComplete`, null until the body has all arrived. */
function parseResponse(bytes: Buffer, needComplete = false): RawResponse | null {
  const end = bytes.indexOf('\r\n\r\n');
  if (end === -1) return null;
  const lines = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
  if (!status) return null;
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = bytes.subarray(end + 4);
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
    const decoded = dechunk(body);
    if (decoded === null) return needComplete ? null : { status: Number(status[1]), headers, body };
    body = decoded;
  } else if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length']);
    if (body.length < length) return needComplete ? null : { status: Number(status[1]), headers, body };
    body = body.subarray(0, length);
  } else if (needComplete) {
    return null;
  }
  return { status: Number(status[1]), headers, body };
}

function dechunk(bytes: Buffer): Buffer | null {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', at);
    if (lineEnd === -1) return null;
    const size = parseInt(bytes.subarray(at, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) return null;
    if (size === 0) return Buffer.concat(parts);
    if (bytes.length < lineEnd + 2 + size + 2) return null;
    parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}
