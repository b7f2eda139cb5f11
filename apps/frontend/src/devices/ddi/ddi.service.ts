import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '@ucupdates/config';
import {
  type AuditOperation,
  type DdiActionFeedback,
  type DdiActionRow,
  DdiActionsRepository,
  type DdiAuditDetail,
  DdiTargetsRepository,
  type ResponseAuditModule,
} from '@ucupdates/database';
import {
  cancelAnswer,
  type CancelAnswer,
  controllerBase,
  type DdiFeedback,
  decidePoll,
  type DeploymentAnswer,
  deploymentAnswer,
  type DeviceAction,
  type FeedbackTarget,
  installedVersions,
  isSwuImage,
  type OfferedUpdate,
  parseConfigData,
  applyConfigData,
  parseFeedback,
  type PollAnswer,
  pollAnswer,
  type PollDecision,
  statusAfterFeedback,
  type ActionStatus,
} from '@ucupdates/ddi-protocol';
import { effectiveConfiguration } from '@ucupdates/device-config';
import { ddiDeviceKind, isRuleKeyField, ruleKey } from '@ucupdates/rules';
import type { ListenerName } from '../../http/create-http-app';
import { DeviceError, nodeStarting } from '../device-error';
import type { DeviceKind, DeviceRequest } from '../device-request';
import { FileDownloadService, type VersionFile } from '../files/file-download.service';
import type { CheckPlan } from '../offers/offer-plan';
import { UpdateOffers } from '../offers/update-offers';
import type { CachedFile } from '../pool-state/pool-state';
import { PoolStateService } from '../pool-state/pool-state.service';
import { RequestAuditWriter } from '../request-audit/request-audit-writer';
import type { DdiCaller } from './ddi-auth.guard';

/** One DDI request: the device it speaks for, and where it came from. */
export interface DdiContext {
  caller: DdiCaller;
  listener: ListenerName;
  requestId: string;
  address: string;
  /** `<scheme>://<host>` as the load balancer passed it: links start with it. */
  baseUrl: string;
}

const notFound = (what: string) => new DeviceError('NotFound', what, HttpStatus.NOT_FOUND);

/** The kind an unknown device is audited with until its attributes are known. */
const UNKNOWN_KIND: DeviceKind = { deviceType: 'DDI', brand: '', model: '', revision: '', locale: '' };

/**
 * hawkBit's DDI API over the protocol-neutral services (docs/devices.md): a poll asks the same
 * offer decision a phone's update check does (`UpdateOffers`), with the device's kind from its
 * attributes and its installed versions from its successful actions; actions live in Postgres
 * (`DdiActionsRepository`) so every node gives a device the same action id; every poll and every
 * feedback is a request audit row and an inventory update (`RequestAuditWriter`), answered once
 * durable; artifacts are served by `FileDownloadService` like a phone's files.
 */
@Injectable()
export class DdiService {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(UpdateOffers) private readonly offers: UpdateOffers,
    @Inject(PoolStateService) private readonly poolState: PoolStateService,
    @Inject(RequestAuditWriter) private readonly audit: RequestAuditWriter,
    @Inject(DdiActionsRepository) private readonly actions: DdiActionsRepository,
    @Inject(DdiTargetsRepository) private readonly targets: DdiTargetsRepository,
    @Inject(FileDownloadService) private readonly downloads: FileDownloadService,
  ) {}

  /**
   * The poll: the sleep, and a link to the device's deployment or cancellation when it has one;
   * a device whose kind is not known yet is asked for its attributes (configData) instead.
   */
  async poll(context: DdiContext): Promise<PollAnswer> {
    const base = this.base(context);
    const sleep = this.pollingInterval();
    const kind = this.kindOf(context.caller);
    const now = new Date();
    if (kind === null) {
      await this.record(context, UNKNOWN_KIND, [], now, 'DdiPoll', { actionId: null });
      return pollAnswer(sleep, { configData: `${base}/configData` });
    }
    const { decision, device, plan, history } = await this.decide(context, kind);
    let detail: DdiAuditDetail = { actionId: null };
    const links: { deploymentBase?: string; cancelAction?: string } = {};
    if (decision.kind === 'deploy') {
      links.deploymentBase = `${base}/deploymentBase/${decision.actionId}`;
      detail = { actionId: decision.actionId, link: 'deploymentBase' };
    } else if (decision.kind === 'cancel') {
      links.cancelAction = `${base}/cancelAction/${decision.actionId}`;
      detail = { actionId: decision.actionId, link: 'cancelAction' };
    }
    const linked = history.find((action) => action.id === detail.actionId);
    const responseModules: ResponseAuditModule[] =
      linked === undefined ? [] : [{ filename: this.imageNames(linked).join(','), version: linked.version, timestamp: null, signatureFilename: null }];
    await this.audit.record(device, { at: now, responseModules, status: HttpStatus.OK, isTestDevice: plan.isTestDevice, operation: 'DdiPoll', ddi: detail });
    return pollAnswer(sleep, links);
  }

  /** deploymentBase/{actionId}: the device's own action, its version's `.swu` images with their hashes and links. */
  async deployment(context: DdiContext, actionId: string): Promise<DeploymentAnswer> {
    const action = await this.ownAction(context, actionId);
    return this.deploymentOf(context, action);
  }

  /** installedBase/{actionId}: an action the device installed. */
  async installed(context: DdiContext, actionId: string): Promise<DeploymentAnswer> {
    const action = await this.ownAction(context, actionId);
    if (action.status !== 'succeeded') throw notFound(`action ${actionId} is not an installed one`);
    return this.deploymentOf(context, action);
  }

  /** cancelAction/{actionId}: an action being cancelled (or cancelled). */
  async cancellation(context: DdiContext, actionId: string): Promise<CancelAnswer> {
    const action = await this.ownAction(context, actionId);
    if (action.status !== 'cancelling' && action.status !== 'cancelled') throw notFound(`action ${actionId} is not being cancelled`);
    return cancelAnswer(action.id);
  }

  /**
   * Feedback on a deployment or a cancellation: kept on the action, which it may close
   * (statusAfterFeedback); audited with the device's installed versions after it. Answered 200
   * whatever it changed (SWUpdate takes any other success as an error).
   */
  async feedback(context: DdiContext, target: FeedbackTarget, actionId: string, body: unknown): Promise<void> {
    const feedback = parseFeedback(body);
    const action = await this.ownAction(context, actionId);
    const to = statusAfterFeedback(action.status as ActionStatus, target, feedback.execution, feedback.finished);
    await this.actions.feedback(action.id, action.status, to, stored(feedback));
    const history = await this.actions.ofDevice(context.caller.controllerId);
    const kind = this.kindOf(context.caller) ?? UNKNOWN_KIND;
    await this.record(context, kind, history.map(deviceAction), new Date(), target === 'deploymentBase' ? 'DdiFeedback' : 'DdiCancelFeedback', {
      actionId: action.id,
      execution: feedback.execution,
      finished: feedback.finished,
    });
  }

  /**
   * configData: the device's attributes, merged, replaced or removed as it says. A device a gateway
   * (or an anonymous poll) speaks for that the pool does not know is registered by it (ddi.md).
   */
  async configData(context: DdiContext, body: unknown): Promise<void> {
    const change = parseConfigData(body);
    const { caller } = context;
    let attributes: Record<string, string>;
    if (caller.target === null) {
      attributes = applyConfigData({}, change);
      const created = await this.targets.create({ controllerId: caller.controllerId, attributes, tokenHash: null, registeredBy: caller.credential });
      // Registered by another node a moment ago: its attributes are updated like a known device's.
      if (created === null) await this.targets.setAttributes(caller.controllerId, attributes);
    } else {
      attributes = applyConfigData(caller.target.attributes, change);
      await this.targets.setAttributes(caller.controllerId, attributes);
    }
    const kind = kindOfAttributes(attributes) ?? UNKNOWN_KIND;
    const history = await this.actions.ofDevice(caller.controllerId);
    await this.record(context, kind, history.map(deviceAction), new Date(), 'DdiConfigData', { actionId: null });
  }

  /** An artifact of one of the device's actions (`softwaremodules/{actionId}/artifacts/{fileName}`): the file, as VersionFile. */
  async artifact(context: DdiContext, moduleId: string, fileName: string): Promise<CachedFile> {
    const action = await this.ownAction(context, moduleId);
    const location: VersionFile = { ...ruleKeyOf(action), version: action.version, fileName };
    const file = this.downloads.find(location);
    if (file.role !== 'image' || !isSwuImage(file.name)) throw notFound('no such artifact');
    return file;
  }

  /** The poll's decision, made once more when another node opened an action at the same moment. */
  private async decide(
    context: DdiContext,
    kind: DeviceKind,
  ): Promise<{ decision: PollDecision; device: DeviceRequest; plan: CheckPlan; history: DdiActionRow[] }> {
    const { controllerId } = context.caller;
    for (let attempt = 0; ; attempt++) {
      const history = await this.actions.ofDevice(controllerId);
      const actions = history.map(deviceAction);
      const device = this.deviceRequest(context, kind, actions);
      const plan = this.offers.plan(device);
      const decision = decidePoll(actions, offeredUpdates(plan));
      if (decision.kind === 'cancel' && decision.start) {
        await this.actions.startCancelling(decision.actionId);
      }
      if (decision.kind !== 'create') return { decision, device, plan, history };
      const id = await this.actions.open(controllerId, decision.offer);
      if (id !== null) {
        const opened = await this.actions.get(controllerId, id);
        return { decision: { kind: 'deploy', actionId: id }, device, plan, history: opened === null ? history : [...history, opened] };
      }
      if (attempt > 0) throw nodeStarting();
    }
  }

  private deviceRequest(context: DdiContext, kind: DeviceKind, actions: readonly DeviceAction[]): DeviceRequest {
    return {
      kind,
      macAddress: null,
      serialNumber: null,
      controllerId: context.caller.controllerId,
      installed: installedVersions(actions).map(({ updateType, version }) => ({ updateType, version, filename: '', timestamp: null })),
      listener: context.listener,
      requestId: context.requestId,
      address: context.address,
      userId: null,
    };
  }

  /** An audit row (and inventory entry) for a DDI request other than a poll with an offer. */
  private async record(
    context: DdiContext,
    kind: DeviceKind,
    actions: readonly DeviceAction[],
    at: Date,
    operation: AuditOperation,
    ddi: DdiAuditDetail,
  ): Promise<void> {
    const device = this.deviceRequest(context, kind, actions);
    const isTestDevice = this.poolState.current?.isTestController(context.caller.controllerId, this.config.UCU_SITE) ?? false;
    await this.audit.record(device, { at, responseModules: [], status: HttpStatus.OK, isTestDevice, operation, ddi });
  }

  private async ownAction(context: DdiContext, actionId: string): Promise<DdiActionRow> {
    // Another device's action is as unknown to this one as an action that does not exist.
    const action = await this.actions.get(context.caller.controllerId, actionId);
    if (action === null) throw notFound(`no action ${actionId} for this controller`);
    return action;
  }

  private deploymentOf(context: DdiContext, action: DdiActionRow): DeploymentAnswer {
    const base = this.base(context);
    const files = this.imagesOf(action);
    if (files.length === 0) throw notFound(`the version of action ${action.id} is not served any more`);
    return deploymentAnswer({
      actionId: action.id,
      part: action.updateType,
      version: action.version,
      name: `${action.brand} ${action.model} ${action.updateType}`,
      artifacts: files.map((file) => ({
        fileName: file.name,
        size: file.size,
        sha1: file.sha1,
        md5: file.md5,
        sha256: file.sha256,
        url: `${base}/softwaremodules/${action.id}/artifacts/${encodeURIComponent(file.name)}`,
      })),
    });
  }

  /**
   * The `.swu` images of the action's version the pool state holds (retired ones within their
   * grace period), with the hashes an artifact needs.
   */
  private imagesOf(action: DdiActionRow): (CachedFile & { sha1: string; md5: string })[] {
    const state = this.poolState.current;
    if (state === null) throw nodeStarting();
    const rule = state.rulesByKey.get(ruleKeyString(action));
    if (rule === undefined) return [];
    const version = Object.keys(rule.files).find((known) => known.toLowerCase() === action.version.toLowerCase());
    if (version === undefined || (rule.servedUntil[version] ?? Infinity) <= Date.now()) return [];
    return rule.files[version].filter(
      (file): file is CachedFile & { sha1: string; md5: string } =>
        file.role === 'image' && isSwuImage(file.name) && file.sha1 !== null && file.md5 !== null,
    );
  }

  private imageNames(action: DdiActionRow): string[] {
    return this.imagesOf(action).map((file) => file.name);
  }

  private kindOf(caller: DdiCaller): DeviceKind | null {
    return caller.target === null ? null : kindOfAttributes(caller.target.attributes);
  }

  private pollingInterval(): number {
    const state = this.poolState.current;
    if (state === null) throw nodeStarting();
    return effectiveConfiguration(state.configurations, this.config.UCU_SITE).ddiPollingIntervalSeconds;
  }

  private base(context: DdiContext): string {
    return controllerBase(context.baseUrl, this.config.UCU_DDI_TENANT, context.caller.controllerId);
  }
}

/** The rule kind the attributes name; null until vendor, model and hwRevision are there, each a rule key field. */
function kindOfAttributes(attributes: Record<string, string>): DeviceKind | null {
  const { vendor, model, hwRevision, locale } = attributes;
  if (![vendor, model, hwRevision].every((field) => typeof field === 'string' && isRuleKeyField(field))) return null;
  if (locale && !isRuleKeyField(locale)) return null;
  return ddiDeviceKind({ vendor, model, hwRevision, locale });
}

/** What the offer has for the device: Installs of versions with a `.swu` image (SWUpdate installs nothing else). */
function offeredUpdates(plan: CheckPlan): OfferedUpdate[] {
  return plan.modules
    .filter(({ offer, files }) => offer.action === 'Install' && files.some((file) => file.role === 'image' && isSwuImage(file.name)))
    .map(({ rule, offer }) => ({ ...ruleKeyOf(rule), version: offer.version, ruleChangedAt: rule.changedAt }));
}

function deviceAction(row: DdiActionRow): DeviceAction {
  return {
    ...ruleKeyOf(row),
    id: row.id,
    version: row.version,
    status: row.status as ActionStatus,
    closedAt: row.closedAt === null ? null : new Date(row.closedAt).getTime(),
    retried: row.retriedAt !== null,
  };
}

function ruleKeyOf<T extends DeviceKind & { updateType: string }>(row: T) {
  const { deviceType, brand, model, revision, locale, updateType } = row;
  return { deviceType, brand, model, revision, locale, updateType };
}

function ruleKeyString(row: DdiActionRow): string {
  return ruleKey(row.deviceType, row.brand, row.model, row.revision, row.locale, row.updateType);
}

function stored(feedback: DdiFeedback): DdiActionFeedback {
  return { ...feedback, at: new Date().toISOString() };
}
