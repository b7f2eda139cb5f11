import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { ResponseAuditModule } from '@ucupdates/database';
import { CONFIG, type Config } from '@ucupdates/config';
import { Metrics } from '@ucupdates/observability';
import { isDdiDeviceType } from '@ucupdates/rules';
import {
  type FolderLocation,
  filePath,
  folderPath,
  ProtocolError,
  parseUpdateCheckRequest,
  renderUpdateCheckResponse,
  type ResponseModule,
  resolveModuleUpdateTypes,
  tokenSegment,
  type TypedRequestModule,
  type UpdateCheckRequest,
} from '@ucupdates/protocol';
import { DeviceError } from '../device-error';
import type { DeviceKind, DeviceRequest } from '../device-request';
import { type OfferedDevice, type PlannedModule, planCheck, updateTypeOfImage } from '../offers/offer-plan';
import { UpdateOffers } from '../offers/update-offers';
import { type CachedRule, PoolState } from '../pool-state/pool-state';
import { type DeviceAnswer, RequestAuditWriter } from '../request-audit/request-audit-writer';
import { DownloadTokens } from './download-tokens';
import { PHONE_ROUTES } from './phone-paths';

export interface CheckContext {
  listener: 'internal' | 'external';
  requestId: string;
  /** `<scheme>://<host>` of the request as the load balancer passed it: file URLs start with it. */
  baseUrl: string;
  address: string;
  /** The user the external listener authenticated; null on the internal listener. */
  authenticatedUser: string | null;
}

/**
 * A Lync update check (phone-protocol.md): parse the XML, ask the protocol-neutral offer, make the
 * answer with this protocol's file URLs, and hand it back only once its audit row is committed.
 */
@Injectable()
export class UpdateCheckService {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(UpdateOffers) private readonly offers: UpdateOffers,
    @Inject(RequestAuditWriter) private readonly audit: RequestAuditWriter,
    @Inject(DownloadTokens) private readonly tokens: DownloadTokens,
    @Inject(Metrics) private readonly metrics: Metrics,
  ) {}

  async answer(body: unknown, context: CheckContext): Promise<string> {
    try {
      const answer = await this.check(body, context);
      this.metrics.updateChecks.inc({ listener: context.listener, outcome: answer.outcome });
      return answer.xml;
    } catch (error) {
      const refused = error instanceof ProtocolError || error instanceof DeviceError;
      this.metrics.updateChecks.inc({ listener: context.listener, outcome: refused ? 'refused' : 'failed' });
      throw error;
    }
  }

  private async check(body: unknown, context: CheckContext): Promise<{ xml: string; outcome: string }> {
    const { device, answer, modules } = this.decide(body, context, this.offers);
    await this.audit.record(device, answer);
    const outcome =
      modules.length === 0 ? 'none' : modules.some((module) => module.action === 'Install') ? 'update' : 'restore';
    return { xml: renderUpdateCheckResponse(modules), outcome };
  }

  /**
   * Runs the check's own code `times` times before the node takes phones — parse, offer (against
   * a made-up pool state of one rule, so the answer has a module with files and URLs), the
   * answer's XML and the audit row's JSON — and throws everything away: nothing is recorded,
   * journaled, counted or logged. A node's first update checks otherwise run in V8's interpreter
   * and baseline code, at about 1.5 times a warm node's CPU each, and a node that starts into a
   * storm falls seconds behind (docs/performance.md, "The storm's cold start").
   */
  rehearse(listener: CheckContext['listener'], times: number): void {
    const state = rehearsalState();
    const offers = {
      plan: (device: OfferedDevice) => planCheck(state, device, undefined),
      updateTypeOfImage: (kind: DeviceKind, fileName: string) => updateTypeOfImage(state, kind, fileName),
    };
    const context: CheckContext = { listener, requestId: '', baseUrl: 'http://rehearsal.invalid', address: '192.0.2.1', authenticatedUser: null };
    for (let n = 0; n < times; n++) {
      const body = Buffer.from(rehearsalBody(n));
      const { device, answer, modules } = this.decide(body, { ...context, requestId: `rehearsal-${n}` }, offers);
      renderUpdateCheckResponse(modules);
      this.audit.rehearse(device, answer);
    }
  }

  /** The check's decision: the device as the services take it, its answer's modules and audit. */
  private decide(
    body: unknown,
    context: CheckContext,
    offers: Pick<UpdateOffers, 'plan' | 'updateTypeOfImage'>,
  ): { device: DeviceRequest; answer: DeviceAnswer; modules: ResponseModule[] } {
    if (typeof body !== 'string' && !Buffer.isBuffer(body)) {
      throw new ProtocolError(415, 'UnsupportedMediaType', 'an update check is XML: send it as text/xml or application/xml');
    }
    const request = parseUpdateCheckRequest(body);
    const kind = deviceKindOf(request);
    const installed = resolveModuleUpdateTypes(request.modules, (fileName) => offers.updateTypeOfImage(kind, fileName));
    const device = deviceRequest(request, installed, context);
    const plan = offers.plan(device);
    const now = new Date();
    // DDI's rules are for DDI devices (ddi.md): a phone that names the device type DDI is told
    // nothing, so the phone protocol answers exactly as it did before DDI.
    const planned = isDdiDeviceType(kind.deviceType) ? [] : plan.modules;
    const modules = planned.map((module) => this.responseModule(module, context, now));
    const answer: DeviceAnswer = {
      at: now,
      responseModules: modules.map(auditModule),
      status: HttpStatus.OK,
      isTestDevice: plan.isTestDevice,
    };
    return { device, answer, modules };
  }

  /**
   * One module of the answer. Its files' URLs start with the request's own scheme and host, so the
   * phone downloads through the load balancer it asked; BaseURL and ExternalBaseURL are the
   * folder on the configured internal and external addresses (UCU_INTERNAL_BASE_URL,
   * UCU_EXTERNAL_BASE_URL), else the listener's own for its own kind and empty for the other, as
   * phone-protocol.md says. Every external URL carries the folder's token in its path.
   */
  private responseModule({ rule, offer, files }: PlannedModule, context: CheckContext, now: Date): ResponseModule {
    const { deviceType, brand, model, revision, locale, updateType } = rule;
    const folder: FolderLocation = { deviceType, brand, model, revision, locale, updateType, version: offer.version };
    const internalBase = this.config.UCU_INTERNAL_BASE_URL ?? (context.listener === 'internal' ? context.baseUrl : null);
    const externalBase = this.config.UCU_EXTERNAL_BASE_URL ?? (context.listener === 'external' ? context.baseUrl : null);
    // The external store's prefix, token included; external always has a base on its own listener.
    const externalStore =
      externalBase === null ? null : `${PHONE_ROUTES.externalFiles}${tokenSegment(this.tokens.issue(folder, now))}`;
    const ownStore = context.listener === 'internal' ? PHONE_ROUTES.internalFiles : externalStore;
    return {
      updateType: rule.updateType,
      action: offer.action,
      version: offer.version,
      files: files.map((file) => ({
        name: file.name,
        url: `${context.baseUrl}${ownStore}${filePath({ ...folder, fileName: file.name })}`,
        size: file.size,
        sha256: file.sha256,
      })),
      baseUrl: internalBase === null ? '' : `${internalBase}${PHONE_ROUTES.internalFiles}${folderPath(folder)}`,
      externalBaseUrl: externalBase === null ? '' : `${externalBase}${externalStore}${folderPath(folder)}`,
      filename: files.find((file) => file.role === 'image')?.name ?? null,
      signatureFilename: files.find((file) => file.role === 'catalog')?.name ?? null,
      timestamp: now.toISOString(),
    };
  }
}

/**
 * The check as the protocol-neutral services take it. The signed-in user is the one the external
 * listener authenticated, else the one the phone names.
 */
function deviceRequest(request: UpdateCheckRequest, installed: TypedRequestModule[], context: CheckContext): DeviceRequest {
  return {
    kind: deviceKindOf(request),
    macAddress: request.macAddress,
    serialNumber: request.serialNumber,
    controllerId: null,
    installed,
    listener: context.listener,
    requestId: context.requestId,
    address: context.address,
    userId: context.authenticatedUser ?? request.userId,
  };
}

function deviceKindOf(request: UpdateCheckRequest): DeviceKind {
  return { deviceType: request.deviceType, brand: request.vendor, model: request.model, revision: request.revision, locale: request.locale };
}

/** Lync's audit "response module": the image file, its catalog, the version and when it was answered. */
function auditModule(module: ResponseModule): ResponseAuditModule {
  return {
    filename: module.filename ?? '',
    signatureFilename: module.signatureFilename,
    version: module.version,
    timestamp: module.timestamp,
  };
}

/** The made-up pool state a rehearsal is offered from: one approved CPE rule, its image and catalog. */
function rehearsalState(): PoolState {
  const file = (name: string, role: string) => ({ name, role, sha256: '0'.repeat(64), sha1: null, md5: null, size: 1 });
  const rule: CachedRule = {
    id: '00000000-0000-4000-8000-000000000000',
    deviceType: 'UCPhone', brand: 'Rehearsal', model: 'R1', revision: 'A', locale: 'ENU', updateType: 'CPE',
    approvedVersion: '2.0.0.0', pendingVersion: null, rolledBackVersion: null, restoreVersion: null, changedAt: 0,
    files: { '2.0.0.0': [file('CPE.nbt', 'image'), file('CPE.cat', 'catalog')] },
    servedUntil: {},
  };
  return new PoolState([rule], [], [], new Date(0));
}

/** A rehearsal's update check: a phone of rehearsalState's kind, its MAC from `n`, on an older CPE. */
function rehearsalBody(n: number): string {
  const mac = (0x0004f2000000 + n).toString(16).padStart(12, '0').match(/../g)!.join('-').toUpperCase();
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n<Request>\n  <DeviceType>UCPhone</DeviceType>\n  <MacAddress>${mac}</MacAddress>\n` +
    `  <SerialNumber></SerialNumber>\n  <Vendor>Rehearsal</Vendor>\n  <Model>R1</Model>\n  <Revision>A</Revision>\n  <Locale>ENU</Locale>\n` +
    `  <Modules>\n    <Module>\n      <UpdateType>CPE</UpdateType>\n      <Filename>CPE.nbt</Filename>\n      <Version>1.0.0.${n % 1000}</Version>\n` +
    `      <Timestamp>2026-01-01T00:00:00Z</Timestamp>\n    </Module>\n  </Modules>\n</Request>\n`
  );
}
