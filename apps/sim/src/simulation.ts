import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { backoffDelayMs, isRetryable, parseRetryAfter } from './backoff';
import { type AnswerReceiver, CheckConnections, ConnectionError } from './check-connections';
import { generateIdentities, type PhoneIdentity } from './identities';
import { LatencyHistogram } from './latency-histogram';
import type { SimOptions } from './options';
import { type CheckReason, Phone } from './phone';
import {
  basicCredentials,
  type CheckAnswer,
  CheckAnswerReader,
  downloadUrlOf,
  errorCodeOf,
  logUploadHeaders,
  type OfferedModule,
  ProtocolError,
  updateCheckBody,
} from './phone-protocol';
import { Random } from './random';
import { bootTimes, EventHeap } from './scheduler';
import { type SimReport, versionCounts } from './sim-report';

/**
 * The simulation: N phones on one event heap, their requests over keep-alive agents (one per
 * phone group and listener, with a bounded number of sockets, as phones of a site share a
 * network path), the figures counted as the answers come.
 */

export interface Failure {
  kind: string;
  retryable: boolean;
  retryAfterMs: number | null;
}

export class RequestFailure extends Error {
  constructor(readonly failure: Failure) {
    super(failure.kind);
  }
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A downloaded file: its size and digests (SHA-1 only when asked for). */
export interface Downloaded {
  bytes: number;
  sha256: string;
  sha1: string | null;
}

export interface Progress {
  elapsedSeconds: number;
  phones: number;
  done: number;
  checksPerSecond: number;
  downloadsPerSecond: number;
  errors: number;
  inFlight: number;
}

/** When a phone's next event is, and why. */
export interface NextEvent {
  at: number;
  reason: CheckReason;
}

export class Simulation implements AnswerReceiver {
  readonly phones: Phone[];
  readonly checks = new LatencyHistogram();
  readonly downloadLatency = new LatencyHistogram();
  private readonly heap = new EventHeap<Phone>();
  private readonly generations: number[];
  private readonly reasons: CheckReason[];
  private readonly bootAt: number[];
  private readonly signedInDone: boolean[];
  private readonly settled: boolean[];
  protected readonly random: Random;
  private readonly agents = new Map<string, http.Agent>();
  /** Update checks go over these (one set per phone group and listener), downloads and log uploads over the agents. */
  private readonly checkConnections = new Map<string, CheckConnections>();
  /**
   * Each phone's whole update-check request (head and body, one buffer), rendered again only when
   * what it runs or its sign-in changed; its request id is written into it in place (at `idAt`)
   * before each send (a phone has one check in flight at most).
   */
  private readonly checkRequests: ({ changes: number; authenticated: boolean; request: Buffer; idAt: number } | undefined)[] = [];
  /** The check in flight of each phone: when it was sent, its request id, whether it went again after a stale connection. */
  private readonly checkStarted: Float64Array;
  private readonly checkIds: string[] = [];
  private readonly staleRetried: Uint8Array;
  private readonly answerReader = new CheckAnswerReader();
  private readonly requestIds: WriteStream | null;
  /** Answered checks' request ids not yet written: the file is written in blocks, not a write per check. */
  private pendingIds = '';
  private timer: NodeJS.Timeout | null = null;
  private started = 0;
  private stopped = false;
  private finish: (() => void) | null = null;
  private settledCount = 0;
  private checkedCount = 0;
  private currentCount = 0;
  private inFlight = 0;

  counters = { checks: 0, checkAttempts: 0, downloads: 0, bytes: 0, installs: 0, restores: 0, logUploads: 0, retries: 0, errors: 0 };
  readonly errorsByKind: Record<string, number> = {};
  fullRolloutMs: number | null = null;

  constructor(
    readonly options: SimOptions,
    identities: PhoneIdentity[] = generateIdentities({
      count: options.phones,
      seed: options.seed,
      mix: options.mix,
      installed: options.installed,
      signedInShare: options.signedInShare,
      externalShare: options.externalShare,
      testDeviceShare: options.testDeviceShare,
      serialOnlyShare: options.serialOnlyShare,
      sipDomain: options.sipDomain,
      deviceType: 'UCPhone',
    }),
  ) {
    this.phones = identities.map((identity) => new Phone(identity));
    const n = this.phones.length;
    this.generations = new Array<number>(n).fill(0);
    this.reasons = new Array<CheckReason>(n).fill('boot');
    this.bootAt = new Array<number>(n).fill(0);
    this.signedInDone = new Array<boolean>(n).fill(false);
    this.settled = new Array<boolean>(n).fill(false);
    this.checkStarted = new Float64Array(n);
    this.staleRetried = new Uint8Array(n);
    this.random = new Random(options.seed ^ 0x5eed);
    this.requestIds = options.requestIdsFile ? createWriteStream(options.requestIdsFile) : null;
  }

  /** Milliseconds since the start. */
  now(): number {
    return performance.now() - this.started;
  }

  /** How many phones are done: booted (storm), checked once (steady), current (rollout). */
  get done(): number {
    if (this.options.mode === 'storm') return this.settledCount;
    if (this.options.mode === 'steady') return this.checkedCount;
    return this.currentCount;
  }

  /**
   * A storm's boots, [phone, time]: the times drawn at random within `withinMs` and sorted, and
   * which phone boots when itself random (the sorted times shuffled onto the phones).
   */
  private bootSchedule(withinMs: number): [phoneIndex: number, at: number][] {
    const times = bootTimes(this.phones.length, withinMs, () => this.random.next());
    const order = this.phones.map((_, index) => index);
    for (let i = order.length - 1; i > 0; i--) {
      const j = this.random.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    return order.map((phoneIndex, k) => [phoneIndex, times[k]]);
  }

  /** Runs until the mode's end, or `stop()`. */
  async run(onProgress?: (progress: Progress) => void): Promise<SimReport> {
    const { options } = this;
    await this.prepare();
    const intervalMs = options.intervalSeconds * 1000;
    // Drawn before the clock starts: drawn after it, the phones due meanwhile (tens of
    // milliseconds of them) all went at once.
    const boots = options.mode === 'steady' ? [] : this.bootSchedule(options.withinSeconds * 1000);
    this.started = performance.now();
    const cpuBefore = process.cpuUsage();
    if (options.mode === 'steady') {
      // Phones already running: each at its own point of the interval.
      this.phones.forEach((phone, index) => {
        phone.booted = true;
        this.signedInDone[index] = true;
        this.schedule(index, this.random.next() * intervalMs, 'interval');
      });
    } else {
      for (const [phoneIndex, at] of boots) {
        this.bootAt[phoneIndex] = at;
        this.schedule(phoneIndex, at, 'boot');
      }
    }

    let last = { at: 0, checks: 0, downloads: 0 };
    const ticker = setInterval(() => {
      const at = this.now();
      const seconds = (at - last.at) / 1000;
      onProgress?.({
        elapsedSeconds: at / 1000,
        phones: this.phones.length,
        done: this.done,
        checksPerSecond: (this.counters.checks - last.checks) / seconds,
        downloadsPerSecond: (this.counters.downloads - last.downloads) / seconds,
        errors: this.counters.errors,
        inFlight: this.inFlight,
      });
      last = { at, checks: this.counters.checks, downloads: this.counters.downloads };
    }, 1000);
    const ended = new Promise<void>((resolve) => (this.finish = resolve));
    const limit = options.durationSeconds === null ? null : setTimeout(() => this.stop(), options.durationSeconds * 1000);
    this.arm();
    await ended;
    clearInterval(ticker);
    if (limit) clearTimeout(limit);
    const elapsedMs = this.now();
    // What is in flight finishes (and is counted); nothing new starts.
    const drainUntil = Date.now() + options.requestTimeoutMs;
    while (this.inFlight > 0 && Date.now() < drainUntil) await new Promise((resolve) => setTimeout(resolve, 20));
    for (const agent of this.agents.values()) agent.destroy();
    for (const connections of this.checkConnections.values()) connections.destroy();
    await new Promise<void>((resolve) => (this.requestIds ? this.requestIds.end(this.pendingIds, resolve) : resolve()));
    const cpu = process.cpuUsage(cpuBefore);
    return this.report(elapsedMs, (cpu.user + cpu.system) / 1e6);
  }

  /**
   * Before the clock starts: every phone's update check rendered, so the run spends its CPU on
   * sending (a phone renders it again only after what it runs changed).
   */
  protected async prepare(): Promise<void> {
    for (const phone of this.phones) this.checkRequest(phone);
  }

  /** Ends the run: no new request starts; `run()` returns once the ones in flight are answered. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.finish?.();
  }

  protected schedule(index: number, at: number, reason: CheckReason): void {
    this.generations[index] += 1;
    this.reasons[index] = reason;
    this.heap.push({ at, item: this.phones[index], generation: this.generations[index] });
    const head = this.heap.peek();
    if (head && head.item === this.phones[index] && !this.stopped) this.arm();
  }

  /** One timer, for the earliest event. */
  private arm(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    const head = this.heap.peek();
    if (!head) {
      this.timer = null;
      return;
    }
    this.timer = setTimeout(this.dispatcher, Math.max(0, head.at - this.now()));
  }

  private readonly dispatcher = (): void => this.dispatch();

  private dispatch(): void {
    this.timer = null;
    const now = this.now();
    for (let head = this.heap.peek(); head && head.at <= now && !this.stopped; head = this.heap.peek()) {
      this.heap.pop();
      const index = head.item.identity.index;
      if (head.generation !== this.generations[index] || head.item.busy) continue;
      this.operate(index, this.reasons[index]);
    }
    this.arm();
  }

  /**
   * A phone's operation: its update check, sent without a promise (the answer comes to onAnswer
   * or onFailure with the phone's index), then what the answer asks for; its end (succeeded() or
   * failed()) schedules the phone's next event.
   */
  protected operate(index: number, _reason: CheckReason): void {
    this.phones[index].busy = true;
    this.sendCheck(index);
  }

  /** An operation's end: the phone's next event. */
  protected succeeded(index: number, next: NextEvent): void {
    const phone = this.phones[index];
    phone.succeeded();
    phone.busy = false;
    if (!this.stopped) this.schedule(index, next.at, next.reason);
    this.checkEnd();
  }

  /** An operation failed: counted, and retried with backoff when it may be. */
  protected failed(index: number, reason: CheckReason, failure: Failure): void {
    const phone = this.phones[index];
    const { options } = this;
    this.countError(failure.kind);
    let next: NextEvent;
    if (failure.retryable) {
      this.counters.retries += 1;
      const attempt = phone.failed();
      if (reason !== 'retry') this.pendingRetry[index] = reason;
      next = { at: this.now() + backoffDelayMs(options.backoff, attempt, this.random.next(), failure.retryAfterMs), reason: 'retry' };
    } else {
      phone.failures = 0;
      next = this.afterSuccess(index, reason === 'retry' ? this.retryOf(index) : reason);
    }
    phone.busy = false;
    if (!this.stopped) this.schedule(index, next.at, next.reason);
    this.checkEnd();
  }

  /** An operation that is one promise (downloads, a log upload, the DDI mode's exchange): its end as above. */
  protected settle(index: number, reason: CheckReason, operation: Promise<NextEvent>): void {
    operation.then(
      (next) => this.succeeded(index, next),
      (error: unknown) => {
        if (!(error instanceof RequestFailure)) throw error;
        this.failed(index, reason, error.failure);
      },
    );
  }

  /** A check answered 200 and read: the phone's plan; downloads and a log upload go on as a promise. */
  private checked(index: number, reason: CheckReason, answer: CheckAnswer): void {
    const phone = this.phones[index];
    const { options } = this;
    this.afterAnswer(index);
    const plan = phone.plan(answer, this.now());
    if (plan.kind === 'update' && options.downloads) {
      this.settle(index, reason, this.install(index, reason, plan.installs, plan.restores));
      return;
    }
    this.noteCurrent(index);
    const next = this.afterSuccess(index, reason === 'retry' ? this.retryOf(index) : reason);
    if (options.logChance > 0 && this.random.chance(options.logChance)) this.settle(index, reason, this.uploadLog(phone).then(() => next));
    else this.succeeded(index, next);
  }

  /** What an answer offered: every file downloaded and verified, installed, restores; the reboot (and maybe a log upload) after. */
  private async install(index: number, reason: CheckReason, installs: OfferedModule[], restores: string[]): Promise<NextEvent> {
    const phone = this.phones[index];
    const { options } = this;
    for (const module of installs) {
      await this.fetchModule(phone, module);
      phone.install(module.updateType, module.version!);
      this.counters.installs += 1;
    }
    for (const updateType of restores) if (phone.restoreBackup(updateType)) this.counters.restores += 1;
    this.noteCurrent(index);
    if (reason === 'retry') this.retryOf(index);
    phone.reboot();
    const next: NextEvent = { at: this.now() + options.rebootSeconds * 1000, reason: 'boot' };
    if (options.logChance > 0 && this.random.chance(options.logChance)) await this.uploadLog(phone);
    return next;
  }

  /** What a retry stands for: the check it repeats (a boot check is retried as a boot check). */
  protected readonly pendingRetry: Record<number, CheckReason> = {};

  protected retryOf(index: number): CheckReason {
    const reason = this.pendingRetry[index] ?? 'interval';
    delete this.pendingRetry[index];
    return reason;
  }

  /** After a boot check with nothing to install: the sign-in check if the phone has a user, then intervals. */
  protected afterSuccess(index: number, reason: CheckReason): { at: number; reason: CheckReason } {
    const { options } = this;
    const phone = this.phones[index];
    const now = this.now();
    if (reason === 'boot') phone.booted = true;
    if (!this.signedInDone[index] && phone.identity.userId && options.signInDelaySeconds > 0 && reason === 'boot') {
      this.signedInDone[index] = true;
      return { at: Math.max(now, this.bootAt[index] + options.signInDelaySeconds * 1000), reason: 'sign-in' };
    }
    this.signedInDone[index] = true;
    if (!this.settled[index]) {
      this.settled[index] = true;
      this.settledCount += 1;
    }
    return { at: now + options.intervalSeconds * 1000 * (0.9 + 0.2 * this.random.next()), reason: 'interval' };
  }

  private readonly checkedOnce: boolean[] = [];
  private readonly wasCurrent: boolean[] = [];

  protected afterAnswer(index: number): void {
    if (!this.checkedOnce[index]) {
      this.checkedOnce[index] = true;
      this.checkedCount += 1;
    }
  }

  protected noteCurrent(index: number): void {
    const current = this.phones[index].current;
    if (current !== Boolean(this.wasCurrent[index])) {
      this.currentCount += current ? 1 : -1;
      this.wasCurrent[index] = current;
    }
    if (this.options.mode === 'rollout' && this.currentCount === this.phones.length && this.fullRolloutMs === null) {
      this.fullRolloutMs = this.now();
    }
  }

  protected checkEnd(): void {
    if (this.stopped) return;
    const { mode } = this.options;
    if (mode === 'storm' && this.settledCount === this.phones.length) this.stop();
    if (mode === 'rollout' && this.fullRolloutMs !== null) this.stop();
  }

  private agentFor(phone: Phone, url: URL): http.Agent {
    const group = phone.identity.index % this.options.groups;
    const key = `${url.protocol}//${url.host}#${group}`;
    let agent = this.agents.get(key);
    if (!agent) {
      const settings = { keepAlive: true, maxSockets: this.options.socketsPerGroup, maxFreeSockets: this.options.socketsPerGroup, scheduling: 'lifo' as const };
      agent = url.protocol === 'https:' ? new https.Agent({ ...settings, rejectUnauthorized: !this.options.insecure }) : new http.Agent(settings);
      this.agents.set(key, agent);
    }
    return agent;
  }

  protected connectionsFor(phone: Phone, base: string): CheckConnections {
    const group = phone.identity.index % this.options.groups;
    const key = `${base}#${group}`;
    let connections = this.checkConnections.get(key);
    if (!connections) {
      connections = new CheckConnections(new URL(base), this.options.socketsPerGroup, this.options.requestTimeoutMs, this.options.insecure);
      this.checkConnections.set(key, connections);
    }
    return connections;
  }

  private internalCheckTarget: { host: string; path: string } | null = null;
  private externalCheckTarget: { host: string; path: string } | null = null;

  /** Where a listener's update checks go: the Host header and the path, worked out once. */
  private checkTarget(external: boolean): { host: string; path: string } {
    const origin = new URL(external ? this.options.externalUrl! : this.options.url);
    const target = {
      host: origin.host,
      path: `${origin.pathname.replace(/\/$/, '')}${external ? '/RequestHandlerExt/ucdevice.upx' : '/RequestHandler/ucdevice.upx'}`,
    };
    if (external) this.externalCheckTarget = target;
    else this.internalCheckTarget = target;
    return target;
  }

  /** The phone's whole update-check request, rendered again only when what it runs or its sign-in changed. */
  private checkRequest(phone: Phone): { request: Buffer; idAt: number } {
    const { identity } = phone;
    const cached = this.checkRequests[identity.index];
    if (cached !== undefined && cached.changes === phone.changes && cached.authenticated === phone.authenticated) return cached;
    const external = identity.external;
    const { host, path } = (external ? this.externalCheckTarget : this.internalCheckTarget) ?? this.checkTarget(external);
    const body = Buffer.from(updateCheckBody(identity, phone.installed, new Date().toISOString().replace(/\.\d+Z$/, 'Z')));
    const authorization = external && phone.authenticated ? `Authorization: ${basicCredentials(identity.userId!, this.options.password!)}\r\n` : '';
    const before = `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: ${body.length}\r\nX-Request-Id: `;
    const head = Buffer.from(`${before}${'0'.repeat(36)}\r\n${authorization}\r\n`, 'latin1');
    const rendered = { changes: phone.changes, authenticated: phone.authenticated, request: Buffer.concat([head, body]), idAt: Buffer.byteLength(before, 'latin1') };
    this.checkRequests[identity.index] = rendered;
    return rendered;
  }

  /**
   * Sends a phone's update check (its pre-rendered request with a new request id) over its group's
   * connections. External phones meet the challenge as Lync phones do: anonymous first, then
   * credentials (onAnswer sends it again).
   */
  private sendCheck(index: number): void {
    const phone = this.phones[index];
    const { request, idAt } = this.checkRequest(phone);
    const requestId = randomUUID();
    request.write(requestId, idAt, 'latin1');
    this.checkIds[index] = requestId;
    this.staleRetried[index] = 0;
    this.counters.checkAttempts += 1;
    this.inFlight += 1;
    this.checkStarted[index] = performance.now();
    this.connectionsFor(phone, phone.identity.external ? this.options.externalUrl! : this.options.url).send(request, this, index);
  }

  /** A phone's check answered (AnswerReceiver): `bytes[start, end)` is the body, read before this returns. */
  onAnswer(index: number, status: number, retryAfter: string | undefined, bytes: Buffer, start: number, end: number): void {
    this.inFlight -= 1;
    const phone = this.phones[index];
    const reason = this.reasons[index];
    if (status === 200) {
      this.answered(this.checkStarted[index], this.checkIds[index]);
      let answer: CheckAnswer;
      try {
        answer = this.answerReader.read(bytes, start, end);
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
        return this.failed(index, reason, { kind: 'protocol', retryable: false, retryAfterMs: null });
      }
      return this.checked(index, reason, answer);
    }
    const body = bytes.toString('utf8', start, end);
    if (status === 401 && phone.identity.external && !phone.authenticated && errorCodeOf(body) === 'AnonymousAccessNotSupported') {
      phone.authenticated = true;
      return this.sendCheck(index);
    }
    this.failed(index, reason, this.httpFailure('check', { status, headers: { 'retry-after': retryAfter }, body }));
  }

  /** A phone's check failed before an answer; a stale keep-alive connection's failure goes again once on a new one. */
  onFailure(index: number, error: ConnectionError): void {
    const phone = this.phones[index];
    if (error.stale && this.staleRetried[index] === 0) {
      this.staleRetried[index] = 1;
      this.connectionsFor(phone, phone.identity.external ? this.options.externalUrl! : this.options.url).send(this.checkRequests[index]!.request, this, index);
      return;
    }
    this.inFlight -= 1;
    this.failed(index, this.reasons[index], connectionFailure(error).failure);
  }

  /** A check answered 200: its latency and count, its request id for --request-ids (written in 64 KiB blocks). */
  protected answered(started: number, requestId: string | null): void {
    this.checks.record(performance.now() - started);
    this.counters.checks += 1;
    if (this.requestIds !== null && requestId !== null) {
      this.pendingIds += `${requestId}\n`;
      if (this.pendingIds.length >= 64 * 1024) {
        this.requestIds.write(this.pendingIds);
        this.pendingIds = '';
      }
    }
  }

  /** One check's request; a stale keep-alive connection's failure goes again once on a new one. */
  protected async post(connections: CheckConnections, head: Buffer, body: Buffer): Promise<Answer> {
    this.inFlight += 1;
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          const answer = await connections.request(head, body);
          return { status: answer.status, headers: { 'retry-after': answer.retryAfter }, body: answer.body };
        } catch (error) {
          if (!(error instanceof ConnectionError)) throw error;
          if (error.stale && attempt === 0) continue;
          throw connectionFailure(error);
        }
      }
    } finally {
      this.inFlight -= 1;
    }
  }

  protected httpFailure(what: string, answer: Answer, code = errorCodeOf(answer.body)): Failure {
    return {
      kind: `${what}-http-${answer.status}${code ? `-${code}` : ''}`,
      retryable: isRetryable({ status: answer.status }),
      retryAfterMs: parseRetryAfter(answer.headers['retry-after'] as string | undefined, Date.now()),
    };
  }

  /**
   * Every file of an offered module, fetched as a real phone does (phone-protocol.md): the
   * module's BaseURL, or ExternalBaseURL for a phone outside, and `/<Name>`; verified against the
   * size and SHA-256 the answer gives; the security catalog among them.
   */
  private async fetchModule(phone: Phone, module: OfferedModule): Promise<void> {
    const { files, signatureFilename } = module;
    if (signatureFilename !== null && !files.some((file) => file.name === signatureFilename)) {
      throw new RequestFailure({ kind: 'protocol-no-catalog-file', retryable: false, retryAfterMs: null });
    }
    for (const file of files) {
      const url = downloadUrlOf(module, file, phone.identity.external);
      if (url === null) throw new RequestFailure({ kind: 'protocol-no-base-url', retryable: false, retryAfterMs: null });
      const started = performance.now();
      const { bytes, sha256 } = await this.download(phone, new URL(url));
      if (bytes !== file.size) throw new RequestFailure({ kind: 'integrity-size', retryable: true, retryAfterMs: null });
      if (sha256 !== file.sha256) throw new RequestFailure({ kind: 'integrity-sha256', retryable: true, retryAfterMs: null });
      this.downloadLatency.record(performance.now() - started);
      this.counters.downloads += 1;
      this.counters.bytes += bytes;
    }
  }

  private uploadLog(phone: Phone): Promise<void> {
    const { identity } = phone;
    const external = identity.external;
    const base = external ? this.options.externalUrl! : this.options.url;
    const name = `${(identity.mac ?? identity.serial).replace(/-/g, '')}-${Date.now()}.txt`;
    const url = new URL(`${base}${external ? '/RequestHandlerExt' : '/RequestHandler'}/Logs/${this.options.logType}/${name}`);
    const headers = logUploadHeaders(identity);
    if (external) headers.Authorization = basicCredentials(identity.userId!, this.options.password!);
    const body = Buffer.from(`${new Date().toISOString()} ${identity.brand} ${identity.model} simulated log\n`.repeat(20));
    return this.send(phone, url, 'PUT', headers, body).then(
      (answer) => {
        if (answer.status === 201) this.counters.logUploads += 1;
        else this.countError(this.httpFailure('log', answer).kind);
      },
      (error: unknown) => {
        if (!(error instanceof RequestFailure)) throw error;
        this.countError(`log-${error.failure.kind}`);
      },
    );
  }

  protected countError(kind: string): void {
    this.counters.errors += 1;
    this.errorsByKind[kind] = (this.errorsByKind[kind] ?? 0) + 1;
  }

  /**
   * One request. A keep-alive connection the server closed while it sat idle fails the next
   * request on it before any answer (ECONNRESET, EPIPE): that request goes again once on a new
   * connection, as every HTTP stack does, and is not a failure the phone sees.
   */
  private send(phone: Phone, url: URL, method: string, headers: Record<string, string>, body?: Buffer, staleRetry = true): Promise<Answer> {
    const transport = url.protocol === 'https:' ? https : http;
    if (body) headers['Content-Length'] = String(body.length);
    this.inFlight += 1;
    let stale = false;
    return new Promise<Answer>((resolve, reject) => {
      const request = transport.request(url, { method, headers, agent: this.agentFor(phone, url), timeout: this.options.requestTimeoutMs }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
        response.on('error', (error) => reject(connectionFailure(error)));
      });
      request.on('timeout', () => request.destroy(Object.assign(new Error('timed out'), { code: 'TIMEOUT' })));
      request.on('error', (error: NodeJS.ErrnoException) => {
        stale = staleRetry && request.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE');
        reject(connectionFailure(error));
      });
      request.end(body);
    })
      .catch((error: unknown) => {
        if (!stale) throw error;
        this.inFlight -= 1;
        return this.send(phone, url, method, headers, body, false).finally(() => (this.inFlight += 1));
      })
      .finally(() => (this.inFlight -= 1));
  }

  /** A GET whose body is hashed as it arrives, never held. */
  protected download(phone: Phone, url: URL, how: { headers?: Record<string, string>; sha1?: boolean } = {}, staleRetry = true): Promise<Downloaded> {
    const transport = url.protocol === 'https:' ? https : http;
    this.inFlight += 1;
    let stale = false;
    return new Promise<Downloaded>((resolve, reject) => {
      const request = transport.get(url, { agent: this.agentFor(phone, url), headers: how.headers, timeout: this.options.requestTimeoutMs }, (response) => {
        if (response.statusCode !== 200) {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => reject(new RequestFailure(this.httpFailure('download', { status: response.statusCode ?? 0, headers: response.headers, body: text }))));
          return;
        }
        const hash = createHash('sha256');
        const sha1 = how.sha1 ? createHash('sha1') : null;
        let bytes = 0;
        response.on('data', (chunk: Buffer) => {
          hash.update(chunk);
          sha1?.update(chunk);
          bytes += chunk.length;
        });
        response.on('end', () => resolve({ bytes, sha256: hash.digest('hex'), sha1: sha1?.digest('hex') ?? null }));
        response.on('error', (error) => reject(connectionFailure(error)));
      });
      request.on('timeout', () => request.destroy(Object.assign(new Error('timed out'), { code: 'TIMEOUT' })));
      request.on('error', (error: NodeJS.ErrnoException) => {
        stale = staleRetry && request.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE');
        reject(connectionFailure(error));
      });
    })
      .catch((error: unknown) => {
        if (!stale) throw error;
        this.inFlight -= 1;
        return this.download(phone, url, how, false).finally(() => (this.inFlight += 1));
      })
      .finally(() => (this.inFlight -= 1));
  }

  protected report(elapsedMs: number, cpuSeconds: number): SimReport {
    const { options, counters } = this;
    return {
      mode: options.mode,
      phones: this.phones.length,
      done: this.done,
      elapsedSeconds: Math.round(elapsedMs) / 1000,
      checks: counters.checks,
      checkAttempts: counters.checkAttempts,
      checksPerSecond: Math.round((counters.checks / (elapsedMs / 1000)) * 10) / 10,
      downloads: counters.downloads,
      bytes: counters.bytes,
      installs: counters.installs,
      restores: counters.restores,
      logUploads: counters.logUploads,
      retries: counters.retries,
      errors: counters.errors,
      errorsByKind: { ...this.errorsByKind },
      checkLatencyMs: this.checks.summary(),
      downloadLatencyMs: this.downloadLatency.summary(),
      fullRolloutSeconds: this.fullRolloutMs === null ? null : Math.round(this.fullRolloutMs) / 1000,
      installed: versionCounts(this.phones.map((phone) => phone.installed)),
      simulatorCpuSeconds: Math.round(cpuSeconds * 100) / 100,
      simulatorCpuMicrosecondsPerCheck: counters.checkAttempts === 0 ? 0 : Math.round((cpuSeconds / counters.checkAttempts) * 1e6),
    };
  }
}

export function connectionFailure(error: NodeJS.ErrnoException | ConnectionError): RequestFailure {
  if (error instanceof RequestFailure) return error;
  const kind = error.code === 'TIMEOUT' ? 'timeout' : `connection-${error.code ?? 'error'}`;
  return new RequestFailure({ kind, retryable: true, retryAfterMs: null });
}
