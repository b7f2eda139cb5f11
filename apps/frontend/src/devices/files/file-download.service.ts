import { Readable } from 'node:stream';
import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { CONFIG, type Config } from '@ucupdates/config';
import { Metrics } from '@ucupdates/observability';
import { parseRange } from '@ucupdates/protocol';
import { ReplicationScheduler } from '@ucupdates/replication';
import { ruleKey, type RuleKeyFields } from '@ucupdates/rules';
import { ObjectKeys, ObjectStorage, ReplicaStore } from '@ucupdates/storage';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DeviceError, nodeStarting } from '../device-error';
import type { CachedFile } from '../pool-state/pool-state';
import { PoolStateService } from '../pool-state/pool-state.service';

/** A file of one version of a rule, named by the rule's key, the version and the file's name. */
export interface VersionFile extends RuleKeyFields {
  version: string;
  fileName: string;
}

/**
 * Read size of replica files. Measured (bench:check, 50 clients of a 40 MiB file): 1 MiB reads
 * cost ~150 MB of buffers in flight and more CPU per GB than 256 KiB, which held memory growth
 * near 20 MB; 64 KiB took more system calls for no memory gain worth having.
 */
const READ_CHUNK = 256 * 1024;

/** A repair asked for a file is not asked again for this long (its job is queued, or running). */
const REPAIR_QUIET_MS = 60_000;

const notFound = () => new DeviceError('NotFound', 'no such file', HttpStatus.NOT_FOUND);

/**
 * File downloads for every device protocol (phone-protocol.md, "File download"): only files of
 * the versions the pool state knows, from the node's replica store, or streamed from the object
 * store while the replica store lacks them (a device never gets a 404 for a file an answer named).
 * ETag is the SHA-256; If-None-Match, single ranges and HEAD as HTTP says. Where the file's name
 * comes from (a path, a token, an artifact id) is the protocol adapter's business.
 */
@Injectable()
export class FileDownloadService {
  private readonly logger = new Logger(FileDownloadService.name);
  private readonly replicas: ReplicaStore;
  private readonly repairsAsked = new Map<string, number>();

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(PoolStateService) private readonly poolState: PoolStateService,
    @Inject(ObjectStorage) private readonly storage: ObjectStorage,
    @Inject(ReplicationScheduler) private readonly replication: ReplicationScheduler,
    @Inject(Metrics) private readonly metrics: Metrics,
  ) {
    this.replicas = new ReplicaStore(config.UCU_REPLICA_DIR);
  }

  /** The catalogued file, or 404 (also for null: a name the adapter could not read). */
  find(location: VersionFile | null): CachedFile {
    const state = this.poolState.current;
    if (state === null) throw nodeStarting();
    if (location === null) throw notFound();
    const { deviceType, brand, model, revision, locale, updateType } = location;
    const rule = state.rulesByKey.get(ruleKey(deviceType, brand, model, revision, locale, updateType));
    const version = rule && Object.keys(rule.files).find((known) => known.toLowerCase() === location.version.toLowerCase());
    const name = location.fileName.toLowerCase();
    const file = version === undefined ? undefined : rule!.files[version].find((known) => known.name.toLowerCase() === name);
    // A retired version's files are served until its grace period ends (the state is not reloaded for that).
    if (!file || (rule!.servedUntil[version!] ?? Infinity) <= Date.now()) throw notFound();
    return file;
  }

  async send(file: CachedFile, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const etag = `"${file.sha256}"`;
    void reply.headers({ ETag: etag, 'Accept-Ranges': 'bytes', 'Cache-Control': 'public, max-age=86400, immutable' });
    if (matchesEtag(request.headers['if-none-match'], etag)) {
      await reply.status(HttpStatus.NOT_MODIFIED).send();
      return;
    }
    const range = parseRange(request.headers.range, file.size);
    if (range.kind === 'unsatisfiable') {
      throw new DeviceError('RangeNotSatisfiable', `the file has ${file.size} bytes`, HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE, {
        'Content-Range': `bytes */${file.size}`,
      });
    }
    const start = range.kind === 'partial' ? range.start : 0;
    const end = range.kind === 'partial' ? range.end : file.size - 1;
    const length = end - start + 1;
    void reply.status(range.kind === 'partial' ? HttpStatus.PARTIAL_CONTENT : HttpStatus.OK).headers({
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(length),
      ...(range.kind === 'partial' ? { 'Content-Range': `bytes ${start}-${end}/${file.size}` } : {}),
    });
    if (request.method === 'HEAD' || length === 0) {
      // An empty stream, not an empty body: Fastify would reset Content-Length to 0 for that.
      await reply.send(Readable.from([]));
      return;
    }
    const { body, source } = await this.open(file, start, length);
    this.metrics.bytesServed.inc({ source }, length);
    this.metrics.activity.download();
    await reply.send(body);
  }

  /** The bytes from the replica store when it holds the file whole, else from the object store. */
  private async open(file: CachedFile, start: number, length: number): Promise<{ body: Readable; source: string }> {
    const handle = await this.replicas.openVerifiedSize(file.sha256, file.size);
    if (handle !== null) {
      return {
        body: handle.createReadStream({ start, end: start + length - 1, highWaterMark: READ_CHUNK, autoClose: true }),
        source: 'replica',
      };
    }
    this.askRepair(file);
    return { body: await this.storage.getRange(ObjectKeys.file(file.sha256), start, length), source: 'object-store' };
  }

  /**
   * The replica store should hold every file of a known version: one that lacks it gets a repair
   * job on this node's queue (once a minute at most; the job id dedupes across requests anyway).
   * A failure to ask is logged, never the device's problem: it gets the bytes from the object store.
   */
  private askRepair(file: CachedFile): void {
    const now = Date.now();
    if ((this.repairsAsked.get(file.sha256) ?? 0) > now) return;
    if (this.repairsAsked.size > 10_000) this.repairsAsked.clear();
    this.repairsAsked.set(file.sha256, now + REPAIR_QUIET_MS);
    this.replication.scheduleRepair(this.config.UCU_NODE_ID, file.sha256, file.size).catch((error: unknown) => {
      this.repairsAsked.delete(file.sha256);
      this.logger.warn(`could not schedule a repair of ${file.sha256}: ${(error as Error).message}`);
    });
  }
}

/** If-None-Match: `*` or a list of entity tags (weak ones compare equal too, as RFC 9110 says for this header). */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tag === etag);
}
