import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess, waitForPort } from '../tools/local-pool/processes';
import { BENCH, type BenchEnvironment } from './support/bench-environment';
import { readCheckAnswer } from './support/check-answer';
import { download, request } from './support/http-client';
import { failuresOf, type LoadRun, runLoad } from './support/load-generator';
import { MemorySampler, residentBytes } from './support/process-sampler';
import type { Benchmark } from './support/benchmark';
import { round, type Series, seriesOf } from './support/series';
import { int, plainRow, ratioSpread, spread } from './support/table';
import type { LoadSettings } from './support/versus-baseline';

export const DOWNLOAD_GOAL = 0.8;
export const MEMORY_GROWTH_GOAL_MB = 100;
const CONNECTIONS = 50;
const NGINX_PATH = '/big.img';

export interface DownloadTargetFigures {
  /** Megabytes (10^6 bytes) per second received by the clients. */
  megabytesPerSecond: Series;
  /** Server CPU time per gigabyte sent, over all measured runs (nginx: master and workers). */
  cpuSecondsPerGigabyte: number;
  runs: LoadRun[];
}

export interface DownloadFigures {
  benchmark: 'download';
  settings: LoadSettings & { connections: number; fileBytes: number };
  node: DownloadTargetFigures;
  nginx: DownloadTargetFigures & { server: string };
  /** Median node MB/s over median nginx MB/s. */
  ratio: number;
  /** The node's resident memory (VmRSS) before the first download and at its highest while serving. */
  memory: { beforeMB: number; peakMB: number; afterMB: number; growthMB: number };
  goals: {
    minRatio: number;
    ratioMet: boolean;
    maxMemoryGrowthMB: number;
    memoryMet: boolean;
  };
  verification: { url: string; sha256: string; bytes: number };
}

/**
 * Download throughput of one frontend node serving a 40 MiB image from its replica store, against
 * nginx (the machine's, `sendfile on`) serving the very same file, 50 clients each downloading it
 * over and over; and how much the node's resident memory grows while it does.
 */
export async function runDownloadBenchmark(environment: BenchEnvironment, settings: LoadSettings): Promise<DownloadFigures> {
  const { progress, catalog } = environment;
  const { bigFile } = catalog;

  // The URL a phone would get: from an update check that offers the file.
  const answer = await request(`${environment.nodeUrl}/RequestHandler/ucdevice.upx`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/xml' },
    body: bigFile.checkBody,
  });
  if (answer.status !== 200) throw new Error(`the node answered the update check ${answer.status}: ${answer.body.toString().slice(0, 300)}`);
  const offered = readCheckAnswer(answer.body.toString('utf8')).files.find((file) => file.sha256 === bigFile.sha256);
  if (!offered) throw new Error(`the update check for the 40 MiB image was not offered it:\n${answer.body.toString()}`);
  if (offered.size !== bigFile.size) throw new Error(`the answer gives the image ${offered.size} bytes, not ${bigFile.size}`);
  const nodeFileUrl = offered.url;

  const nginx = environment.track(startNginx(environment, bigFile.replicaPath));
  try {
    const nginxFileUrl = `http://${BENCH.host}:${BENCH.ports.nginx}${NGINX_PATH}`;
    await environment.whileRunning(nginx, waitForPort(BENCH.host, BENCH.ports.nginx, 10_000));
    for (const [server, url] of [
      ['node', nodeFileUrl],
      ['nginx', nginxFileUrl],
    ] as const) {
      progress.step(`checking ${server === 'node' ? "the node's" : "nginx's"} download of the 40 MiB image (size and SHA-256)…`);
      const fetched = await download(url);
      if (fetched.status !== 200 || fetched.bytes !== bigFile.size || fetched.sha256 !== bigFile.sha256) {
        throw new Error(
          `${server} served ${url} as ${fetched.status}, ${fetched.bytes} bytes, SHA-256 ${fetched.sha256}; ` +
            `expected 200, ${bigFile.size} bytes, ${bigFile.sha256}`,
        );
      }
      if (Number(fetched.headers['content-length']) !== bigFile.size) {
        throw new Error(`${server} sent Content-Length ${fetched.headers['content-length']} for ${bigFile.size} bytes`);
      }
    }

    const targets = {
      node: { url: nodeFileUrl, pid: environment.nodePid },
      nginx: { url: nginxFileUrl, pid: nginx.pid! },
    };
    const load = (target: keyof typeof targets, label: string, seconds: number) =>
      runLoad(
        {
          label: `downloads · ${label}`,
          url: targets[target].url,
          method: 'GET',
          connections: CONNECTIONS,
          durationSeconds: seconds,
          timeoutSeconds: 120,
          serverPid: targets[target].pid,
        },
        progress,
      );

    const beforeBytes = residentBytes(environment.nodePid) ?? 0;
    const memory = new MemorySampler(environment.nodePid).start();
    const measured = { node: [] as LoadRun[], nginx: [] as LoadRun[] };
    try {
      for (const target of ['nginx', 'node'] as const) {
        const warmup = await load(target, `${target} warm-up`, settings.warmupSeconds);
        progress.step(`warm-up ${target}: ${megabytes(warmup.bytesPerSecond)} MB/s`);
      }
      for (let run = 1; run <= settings.runs; run++) {
        for (const target of ['nginx', 'node'] as const) {
          const result = await load(target, `${target} run ${run}/${settings.runs}`, settings.durationSeconds);
          const failure = failuresOf(result);
          if (failure) throw new Error(`download run failed: ${failure}; see ${environment.logDir}`);
          measured[target].push(result);
          progress.step(
            `${target} run ${run}/${settings.runs}: ${megabytes(result.bytesPerSecond)} MB/s` +
              (target === 'node' ? `, node RSS peak so far ${megabytes(memory.peakBytes)} MB` : ''),
          );
        }
      }
    } finally {
      memory.stop();
    }
    const afterBytes = residentBytes(environment.nodePid) ?? 0;

    const node = figuresOf(measured.node);
    const bare = figuresOf(measured.nginx);
    const ratio = node.megabytesPerSecond.median / bare.megabytesPerSecond.median;
    const growthMB = (memory.peakBytes - beforeBytes) / 1e6;
    return {
      benchmark: 'download',
      settings: { runs: settings.runs, warmupSeconds: settings.warmupSeconds, durationSeconds: settings.durationSeconds, connections: CONNECTIONS, fileBytes: bigFile.size },
      node,
      nginx: { ...bare, server: 'nginx (Debian), sendfile on, one worker process' },
      ratio: round(ratio, 3),
      memory: {
        beforeMB: round(beforeBytes / 1e6, 1),
        peakMB: round(memory.peakBytes / 1e6, 1),
        afterMB: round(afterBytes / 1e6, 1),
        growthMB: round(growthMB, 1),
      },
      goals: {
        minRatio: DOWNLOAD_GOAL,
        ratioMet: ratio >= DOWNLOAD_GOAL,
        maxMemoryGrowthMB: MEMORY_GROWTH_GOAL_MB,
        memoryMet: growthMB <= MEMORY_GROWTH_GOAL_MB,
      },
      verification: { url: nodeFileUrl, sha256: bigFile.sha256, bytes: bigFile.size },
    };
  } finally {
    await nginx.stop();
  }
}

/**
 * nginx in the foreground with a minimal configuration of its own (bench state directory): one
 * worker process — the node under test is one process with one JavaScript thread, and the load
 * generator needs the other core — `sendfile on`, no access log, the one file at NGINX_PATH.
 */
function startNginx(environment: BenchEnvironment, file: string): ManagedProcess {
  const dir = join(BENCH.stateDir, 'nginx');
  mkdirSync(join(dir, 'temp'), { recursive: true });
  const config = join(dir, 'nginx.conf');
  const errorLog = join(environment.logDir, 'nginx-error.log');
  writeFileSync(
    config,
    [
      'daemon off;',
      'worker_processes 1;',
      // As root, nginx would run its worker as `nobody`, who may not reach the repository's files.
      ...(process.getuid?.() === 0 ? ['user root;'] : []),
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${errorLog} warn;`,
      'events { worker_connections 1024; }',
      'http {',
      '  access_log off;',
      '  sendfile on;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${join(dir, 'temp', kind)};`),
      '  server {',
      `    listen ${BENCH.host}:${BENCH.ports.nginx};`,
      `    location = ${NGINX_PATH} { alias ${file}; default_type application/octet-stream; }`,
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  return new ManagedProcess({
    name: 'nginx',
    command: environment.nginxBinary,
    args: ['-p', dir, '-c', config, '-e', errorLog],
    logFile: join(environment.logDir, 'nginx.log'),
  });
}

function figuresOf(runs: LoadRun[]): DownloadTargetFigures {
  const bytes = runs.reduce((sum, run) => sum + run.bytesPerSecond * run.seconds, 0);
  const cpu = runs.reduce((sum, run) => sum + run.serverCpuSeconds, 0);
  const series = seriesOf(runs.map((run) => run.bytesPerSecond / 1e6));
  return {
    megabytesPerSecond: {
      runs: series.runs.map((value) => round(value, 0)),
      min: round(series.min, 0),
      median: round(series.median, 0),
      max: round(series.max, 0),
    },
    cpuSecondsPerGigabyte: round(cpu / (bytes / 1e9), 2),
    runs,
  };
}

function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(0);
}

/** `download` in the registry (bench/registry.ts): one node's downloads against nginx. */
export const downloadBenchmark: Benchmark<'node', DownloadFigures> = {
  name: 'download',
  about: '40 MiB downloads from one node against nginx (sendfile), and the node\'s memory',
  environment: 'node',
  run: runDownloadBenchmark,
  rows(download) {
    const { node, nginx, memory, goals } = download;
    const ratios = seriesOf(node.runs.map((run, i) => run.bytesPerSecond / nginx.runs[i].bytesPerSecond));
    return [
      {
        figure: `download MB/s, ${download.settings.fileBytes / 1024 / 1024} MiB image, ${download.settings.connections} clients [${node.runs.length} runs]`,
        value: spread(node.megabytesPerSecond),
        baseline: `nginx sendfile ${spread(nginx.megabytesPerSecond)}`,
        ratio: ratioSpread(ratios),
        goal: `≥ ${goals.minRatio}`,
        met: ratios.median >= goals.minRatio,
      },
      plainRow('  server CPU s per GB', String(node.cpuSecondsPerGigabyte), String(nginx.cpuSecondsPerGigabyte)),
      {
        ...plainRow('  node memory growth while serving (MB)', `${memory.growthMB} (${int(memory.beforeMB)} → ${int(memory.peakMB)})`),
        goal: `≤ ${goals.maxMemoryGrowthMB}`,
        met: goals.memoryMet,
      },
    ];
  },
};
