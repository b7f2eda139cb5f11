import autocannon from 'autocannon';
import type { Progress } from './progress';
import { postgresCpuSeconds, treeCpuSeconds } from './process-sampler';

export interface LoadSpec {
  /** Shown in the progress line: `node run 2/3`. */
  label: string;
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** For each request, its body (update checks from many device identities); none for GETs. */
  nextBody?: () => Buffer;
  /** For each request, its path and headers (DDI polls of many devices, each with its token). */
  nextRequest?: () => { path: string; headers: Record<string, string> };
  connections: number;
  durationSeconds: number;
  /** Per response; a 40 MB download over 50 connections takes seconds. */
  timeoutSeconds?: number;
  /** The server under load: its CPU time (with its children's, for nginx) is measured over the run. */
  serverPid: number;
}

export interface LoadRun {
  label: string;
  seconds: number;
  /** 2xx answers completed per second. */
  requestsPerSecond: number;
  /** Response bytes received per second, counted as they arrive (headers included). */
  bytesPerSecond: number;
  latencyMs: { p50: number; p99: number; average: number; max: number };
  answered2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** CPU seconds the server used during the run. */
  serverCpuSeconds: number;
  /** CPU seconds of the load generator (this process) during the run. */
  clientCpuSeconds: number;
  /** CPU seconds of the machine's Postgres processes during the run (other databases' work included). */
  postgresCpuSeconds: number;
}

/**
 * One closed-loop load run with autocannon (no pipelining: each connection waits for its answer).
 *
 * Two changes to autocannon's per-connection client, both through its `setupClient` hook:
 * - it keeps every response body as a string (`body += chunk`) for body checks, which decodes a
 *   40 MB download as UTF-8 piece by piece and holds it: with that, autocannon itself finished one
 *   40 MB download in 8 s on this machine. Nothing here checks bodies under load (each benchmark
 *   checks its endpoint's answers once beforehand), so bodies are dropped as they arrive;
 * - its throughput counts a response's bytes only once the response is complete, which for 40 MB
 *   answers leaves out whatever was in flight when the run stopped; bytes are counted here as
 *   they arrive instead.
 * Both reach into autocannon's internals (`pipelinedRequests`), which is why it is pinned exactly.
 */
export async function runLoad(spec: LoadSpec, progress: Progress): Promise<LoadRun> {
  let received = 0;
  let receivedThisSecond = 0;
  const cpuBefore = treeCpuSeconds(spec.serverPid);
  const clientBefore = process.cpuUsage();
  const postgresBefore = postgresCpuSeconds();
  const started = process.hrtime.bigint();
  const options = {
    url: spec.url,
    method: spec.method,
    headers: spec.headers,
    connections: spec.connections,
    pipelining: 1,
    duration: spec.durationSeconds,
    timeout: spec.timeoutSeconds ?? 10,
    setupClient: (client: unknown) => {
      const queue = (client as { pipelinedRequests: PipelinedRequests }).pipelinedRequests;
      const addByteCount = queue.addByteCount.bind(queue);
      queue.addBody = () => {};
      queue.addByteCount = (count: number) => {
        received += count;
        receivedThisSecond += count;
        addByteCount(count);
      };
    },
    requests:
      spec.nextBody || spec.nextRequest
        ? [
            {
              setupRequest: (request: { body?: Buffer; path?: string; headers?: Record<string, string> }) => {
                if (spec.nextBody) request.body = spec.nextBody();
                if (spec.nextRequest) Object.assign(request, spec.nextRequest());
                return request;
              },
            },
          ]
        : undefined,
  } as autocannon.Options;
  let elapsed = 0;
  const onTick = ({ counter }: { counter: number }) => {
    elapsed += 1;
    const rate = spec.method === 'GET' ? `${formatMegabytes(receivedThisSecond)} MB/s` : `${counter.toLocaleString('en')} req/s`;
    receivedThisSecond = 0;
    progress.update(`${spec.label} · ${Math.min(elapsed, spec.durationSeconds)}/${spec.durationSeconds} s · ${rate}`);
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (error, finished) => (error ? reject(error) : resolve(finished)));
    (instance as unknown as NodeJS.EventEmitter).on('tick', onTick);
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  progress.clear();
  return {
    label: spec.label,
    seconds,
    requestsPerSecond: result['2xx'] / seconds,
    bytesPerSecond: received / seconds,
    latencyMs: {
      p50: result.latency.p50,
      p99: result.latency.p99,
      average: result.latency.average,
      max: result.latency.max,
    },
    answered2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    serverCpuSeconds: treeCpuSeconds(spec.serverPid) - cpuBefore,
    clientCpuSeconds: cpuSecondsOf(process.cpuUsage(clientBefore)),
    postgresCpuSeconds: postgresCpuSeconds() - postgresBefore,
  };
}

function cpuSecondsOf(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1e6;
}

interface PipelinedRequests {
  addBody(data: unknown): void;
  addByteCount(count: number): void;
}

export function formatMegabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(0);
}

/** Whether a run's answers were all 2xx, without connection errors: a run with failures measures nothing. */
export function failuresOf(run: LoadRun): string | null {
  if (run.answered2xx === 0) return `${run.label}: no 2xx answer at all`;
  if (run.non2xx > 0 || run.errors > 0) {
    return `${run.label}: ${run.non2xx} non-2xx answers, ${run.errors} connection errors (${run.timeouts} timeouts)`;
  }
  return null;
}
