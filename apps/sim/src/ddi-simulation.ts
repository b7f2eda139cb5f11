import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { CheckConnections } from './check-connections';
import {
  attributesOf,
  configDataBody,
  controllerIdOf,
  controllerPath,
  ddiErrorCode,
  feedbackBody,
  type OfferedDeployment,
  type PollAction,
  readCancel,
  readDeployment,
  readPoll,
  requestHead,
} from './ddi-protocol';
import type { PhoneIdentity } from './identities';
import type { CheckReason } from './phone';
import { ProtocolError } from './phone-protocol';
import type { SimReport } from './sim-report';
import { type Answer, type NextEvent, RequestFailure, Simulation } from './simulation';

const EMPTY = Buffer.alloc(0);
/** Registrations (--admin-token) under way at once, before the clock starts. */
const REGISTERING = 8;

/**
 * `--ddi`: the simulated devices are Linux devices speaking hawkBit's DDI API v1 as SWUpdate's
 * suricatta does (docs/ddi.md, docs/simulator.md), on the phone modes' clock, backoff and report:
 * each poll is one pre-rendered request over the check connections; a device the pool asks for
 * its attributes sends configData; a deployment is fetched, `proceeding` reported, its artifacts
 * downloaded (size, SHA-1 and SHA-256 checked) unless --no-downloads, and after the reboot
 * `closed`/`success` reported; a cancellation is acknowledged `closed`/`success`.
 */
export class DdiSimulation extends Simulation {
  /** Each device's `Authorization` value ('' anonymous). */
  private readonly authorizations: string[];
  /** Each device's poll, rendered once (without --request-ids: SWUpdate sends no request id). */
  private readonly polls: Buffer[] = [];
  /** The action a device installed and reports as closed/success when it is back from its reboot. */
  private readonly confirm: (string | null)[];
  private readonly hosts: { internal: string; external: string | null };
  private readonly prefixes: { internal: string; external: string | null };
  ddiCounters = { configData: 0, deployments: 0, cancellations: 0, feedbacks: 0, registered: 0 };

  constructor(options: ConstructorParameters<typeof Simulation>[0], identities: PhoneIdentity[]) {
    super(options, identities);
    const gateway = options.ddi.gatewayToken === null ? '' : `GatewayToken ${options.ddi.gatewayToken}`;
    this.authorizations = identities.map(() => gateway);
    this.confirm = identities.map(() => null);
    const internal = new URL(options.url);
    const external = options.externalUrl === null ? null : new URL(options.externalUrl);
    this.hosts = { internal: internal.host, external: external?.host ?? null };
    this.prefixes = { internal: internal.pathname.replace(/\/$/, ''), external: external?.pathname.replace(/\/$/, '') ?? null };
  }

  /** The device's controller id (its identity's index and the seed). */
  controllerId(index: number): string {
    return controllerIdOf(this.options.seed, index);
  }

  /**
   * Before the clock starts: with --admin-token every device is registered with its attributes
   * and its target token kept (a device registered already gets a new token); then every poll is
   * rendered.
   */
  protected override async prepare(): Promise<void> {
    if (this.options.ddi.adminToken !== null) await this.register();
    this.phones.forEach((_, index) => (this.polls[index] = this.renderPoll(index)));
  }

  private renderPoll(index: number, requestId?: string): Buffer {
    const external = this.phones[index].identity.external;
    const path = controllerPath(external ? this.prefixes.external! : this.prefixes.internal, this.options.ddi.tenant, this.controllerId(index));
    return Buffer.from(requestHead('GET', path, external ? this.hosts.external! : this.hosts.internal, this.authorizations[index], undefined, requestId), 'latin1');
  }

  private async register(): Promise<void> {
    const agent = new (this.options.url.startsWith('https:') ? https : http).Agent({ keepAlive: true, maxSockets: REGISTERING, rejectUnauthorized: !this.options.insecure });
    let next = 0;
    const worker = async () => {
      for (let index = next++; index < this.phones.length; index = next++) {
        const controllerId = this.controllerId(index);
        let answer = await this.admin(agent, 'POST', '/api/v1/ddi/targets', { controllerId, attributes: attributesOf(this.phones[index].identity) });
        if (answer.status === 409) answer = await this.admin(agent, 'POST', `/api/v1/ddi/targets/${encodeURIComponent(controllerId)}/token`, {});
        if (answer.status !== 201 && answer.status !== 200) throw new Error(`registering ${controllerId}: ${answer.status} ${answer.body.slice(0, 300)}`);
        const token = (JSON.parse(answer.body) as { token?: unknown }).token;
        if (typeof token !== 'string') throw new Error(`registering ${controllerId}: the answer has no token`);
        this.authorizations[index] = `TargetToken ${token}`;
        this.ddiCounters.registered += 1;
      }
    };
    try {
      await Promise.all(Array.from({ length: REGISTERING }, worker));
    } finally {
      agent.destroy();
    }
  }

  private admin(agent: http.Agent, method: string, path: string, body: object): Promise<Answer> {
    const payload = Buffer.from(JSON.stringify(body));
    const url = new URL(`${this.options.url}${path}`);
    return new Promise<Answer>((resolve, reject) => {
      const request = (url.protocol === 'https:' ? https : http).request(
        url,
        {
          method,
          agent,
          headers: { Authorization: `Bearer ${this.options.ddi.adminToken}`, 'Content-Type': 'application/json', 'Content-Length': String(payload.length) },
          timeout: this.options.requestTimeoutMs,
        },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
        },
      );
      request.on('timeout', () => request.destroy(new Error(`${method} ${path} timed out`)));
      request.on('error', reject);
      request.end(payload);
    });
  }

  /** A device's operation: its exchange below, as one promise. */
  protected override operate(index: number, reason: CheckReason): void {
    this.phones[index].busy = true;
    this.settle(index, reason, this.exchange(index, reason));
  }

  /**
   * One poll and what it asks for. A device back from the reboot of an install first reports it
   * closed/success (SWUpdate's restart with `-c 2`).
   */
  private async exchange(index: number, reason: CheckReason): Promise<NextEvent> {
    const device = this.phones[index];
    const pending = this.confirm[index];
    if (pending !== null) {
      await this.feedback(index, `deploymentBase/${pending}/feedback`, feedbackBody(pending, 'closed', 'success'));
      this.confirm[index] = null;
    }
    let action = await this.poll(index);
    if (action.kind === 'configData') {
      await this.exchangeJson(index, 'PUT', 'configData', configDataBody(attributesOf(device.identity)), 'configData');
      this.ddiCounters.configData += 1;
      action = await this.poll(index);
    }
    if (action.kind === 'cancel') {
      const stopId = readOrProtocol(() => readCancel(this.linkedAnswer(index)));
      await this.feedback(index, `cancelAction/${stopId}/feedback`, feedbackBody(stopId, 'closed', 'success'));
      this.ddiCounters.cancellations += 1;
      device.current = false;
      this.noteCurrent(index);
      // It asks again at once, as it would on its next poll.
      return { at: this.now(), reason: reason === 'retry' ? this.retryOf(index) : reason };
    }
    if (action.kind === 'deploy') {
      const deployment = readOrProtocol(() => readDeployment(this.linkedAnswer(index)));
      await this.feedback(index, `deploymentBase/${deployment.actionId}/feedback`, feedbackBody(deployment.actionId, 'proceeding', 'none', ['Installation in progress']));
      if (this.options.downloads) await this.fetchArtifacts(index, deployment);
      this.ddiCounters.deployments += 1;
      device.install(deployment.part, deployment.version);
      this.counters.installs += 1;
      this.confirm[index] = deployment.actionId;
      this.noteCurrent(index);
      if (reason === 'retry') this.retryOf(index);
      return { at: this.now() + this.options.rebootSeconds * 1000, reason: 'boot' };
    }
    if (!device.current) device.currentSince = this.now();
    device.current = true;
    this.noteCurrent(index);
    return this.afterSuccess(index, reason === 'retry' ? this.retryOf(index) : reason);
  }

  /** The last deploymentBase or cancelAction answer fetched for a poll's link (see poll()). */
  private readonly linked: (string | null)[] = [];

  private linkedAnswer(index: number): string {
    const body = this.linked[index];
    this.linked[index] = null;
    if (body === null || body === undefined) throw new ProtocolError('no linked answer');
    return body;
  }

  /** The poll; a link it gives is fetched at once (deploymentBase, cancelAction), as SWUpdate does. */
  private async poll(index: number): Promise<PollAction> {
    const requestId = this.options.requestIdsFile === null ? null : randomUUID();
    const started = performance.now();
    this.counters.checkAttempts += 1;
    const answer = await this.sendDdi(index, requestId === null ? this.polls[index] : this.renderPoll(index, requestId), EMPTY);
    if (answer.status !== 200) throw new RequestFailure(this.httpFailure('poll', answer, ddiErrorCode(answer.body)));
    this.answered(started, requestId);
    this.afterAnswer(index);
    const action = readOrProtocol(() => readPoll(answer.body));
    if (action.kind === 'deploy' || action.kind === 'cancel') {
      this.linked[index] = await this.exchangeJson(index, 'GET', action.kind === 'deploy' ? `deploymentBase/${action.actionId}` : `cancelAction/${action.actionId}`, null, action.kind === 'deploy' ? 'deployment' : 'cancel');
    }
    return action;
  }

  private feedback(index: number, resource: string, body: string): Promise<string> {
    this.ddiCounters.feedbacks += 1;
    return this.exchangeJson(index, 'POST', resource, body, 'feedback');
  }

  /** A request to one of the device's resources (`resource` below its controller path); its body when answered 200. */
  private async exchangeJson(index: number, method: string, resource: string, body: string | null, what: string): Promise<string> {
    const external = this.phones[index].identity.external;
    const path = `${controllerPath(external ? this.prefixes.external! : this.prefixes.internal, this.options.ddi.tenant, this.controllerId(index))}/${resource}`;
    const payload = body === null ? EMPTY : Buffer.from(body);
    const head = Buffer.from(requestHead(method, path, external ? this.hosts.external! : this.hosts.internal, this.authorizations[index], body === null ? undefined : payload), 'latin1');
    const answer = await this.sendDdi(index, head, payload);
    if (answer.status !== 200) throw new RequestFailure(this.httpFailure(what, answer, ddiErrorCode(answer.body)));
    return answer.body;
  }

  private sendDdi(index: number, head: Buffer, body: Buffer): Promise<Answer> {
    const device = this.phones[index];
    const connections: CheckConnections = this.connectionsFor(device, device.identity.external ? this.options.externalUrl! : this.options.url);
    return this.post(connections, head, body);
  }

  /** Every artifact from its link with the device's token, its size, SHA-1 (what SWUpdate checks) and SHA-256 verified. */
  private async fetchArtifacts(index: number, deployment: OfferedDeployment): Promise<void> {
    const device = this.phones[index];
    const headers: Record<string, string> = this.authorizations[index] ? { Authorization: this.authorizations[index] } : {};
    for (const artifact of deployment.artifacts) {
      const started = performance.now();
      let url: URL;
      try {
        url = new URL(artifact.url);
      } catch {
        throw new RequestFailure({ kind: 'protocol-artifact-url', retryable: false, retryAfterMs: null });
      }
      const file = await this.download(device, url, { headers, sha1: true });
      if (file.bytes !== artifact.size) throw new RequestFailure({ kind: 'integrity-size', retryable: true, retryAfterMs: null });
      if (file.sha1 !== artifact.sha1) throw new RequestFailure({ kind: 'integrity-sha1', retryable: true, retryAfterMs: null });
      if (artifact.sha256 && file.sha256 !== artifact.sha256) throw new RequestFailure({ kind: 'integrity-sha256', retryable: true, retryAfterMs: null });
      this.downloadLatency.record(performance.now() - started);
      this.counters.downloads += 1;
      this.counters.bytes += file.bytes;
    }
  }

  protected override report(elapsedMs: number, cpuSeconds: number): SimReport {
    return { ...super.report(elapsedMs, cpuSeconds), ddi: { ...this.ddiCounters } };
  }
}

function readOrProtocol<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ProtocolError) throw new RequestFailure({ kind: 'protocol', retryable: false, retryAfterMs: null });
    throw error;
  }
}
