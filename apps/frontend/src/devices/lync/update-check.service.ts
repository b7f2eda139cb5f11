import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { ResponseAuditModule } from '@ucupdates/database';
import { Metrics } from '@ucupdates/observability';
import {
  type FileLocation,
  filePath,
  ProtocolError,
  parseUpdateCheckRequest,
  renderUpdateCheckResponse,
  type ResponseModule,
  type UpdateCheckRequest,
} from '@ucupdates/protocol';
import type { RuleKeyFields } from '@ucupdates/rules';
import { DeviceError } from '../device-error';
import type { DeviceRequest } from '../device-request';
import type { PlannedModule } from '../offers/offer-plan';
import { UpdateOffers } from '../offers/update-offers';
import { RequestAuditWriter } from '../request-audit/request-audit-writer';
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
    if (typeof body !== 'string' && !Buffer.isBuffer(body)) {
      throw new ProtocolError(415, 'UnsupportedMediaType', 'an update check is XML: send it as text/xml or application/xml');
    }
    const device = deviceRequest(parseUpdateCheckRequest(body), context);
    const plan = this.offers.plan(device);
    const now = new Date();
    const modules = plan.modules.map((module) => this.responseModule(module, context, now));
    await this.audit.record(device, {
      at: now,
      responseModules: modules.map(auditModule),
      status: HttpStatus.OK,
      isTestDevice: plan.isTestDevice,
    });
    const outcome =
      modules.length === 0 ? 'none' : modules.some((module) => module.action === 'Install') ? 'update' : 'restore';
    return { xml: renderUpdateCheckResponse(modules), outcome };
  }

  private responseModule({ rule, offer, files }: PlannedModule, context: CheckContext, now: Date): ResponseModule {
    const prefix = context.listener === 'internal' ? PHONE_ROUTES.internalFiles : PHONE_ROUTES.externalFiles;
    return {
      updateType: rule.updateType,
      action: offer.action,
      version: offer.version,
      files: files.map((file) => {
        const location: FileLocation = { ...ruleLocation(rule), version: offer.version, fileName: file.name };
        const url = `${context.baseUrl}${prefix}${filePath(location)}`;
        return {
          name: file.name,
          url: context.listener === 'external' ? `${url}?t=${this.tokens.issue(location, now)}` : url,
          size: file.size,
          sha256: file.sha256,
        };
      }),
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
function deviceRequest(request: UpdateCheckRequest, context: CheckContext): DeviceRequest {
  return {
    kind: { deviceType: request.deviceType, brand: request.vendor, model: request.model, revision: request.revision, locale: request.locale },
    macAddress: request.macAddress,
    serialNumber: request.serialNumber,
    installed: request.modules,
    listener: context.listener,
    requestId: context.requestId,
    address: context.address,
    userId: context.authenticatedUser ?? request.userId,
  };
}

function ruleLocation(rule: PlannedModule['rule']): RuleKeyFields {
  const { deviceType, brand, model, revision, locale, updateType } = rule;
  return { deviceType, brand, model, revision, locale, updateType };
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
