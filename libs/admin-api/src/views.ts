import type { ImportState } from '../../imports/src/import-state';
import type { RuleKeyFields } from '../../rules/src/rule-key';
import type { Role } from './roles';

/**
 * What the admin API answers, resource by resource (admin-api.md): the frontend's services return
 * these, the CLI and the control panel read them. Times are ISO 8601 in UTC, ids UUIDs.
 */

/**
 * The six fields that key a rule (Lync's update rule): a device kind and an update type. Declared
 * once, in libs/rules (a file with no imports, so the control panel's bundle takes it as it is).
 */
export type RuleKey = RuleKeyFields;

/** Whether every active node holds every file of a version ready. */
export type ReplicationState = 'complete' | 'partial';

export interface RuleView extends RuleKey {
  id: string;
  /** Lync's identity: `service:WebServer:<pool fqdn>/<id>`. */
  identity: string;
  approvedVersion: string | null;
  pendingVersion: string | null;
  restoreVersion: string | null;
  approvedAt: string | null;
  pendingAt: string | null;
  /** Null for a version the rule does not have. */
  replication: { pending: ReplicationState | null; approved: ReplicationState | null };
}

/** An import's state: libs/imports' state machine's (a file with no imports, as rule-key.ts). */
export type ImportStatus = ImportState;

/** A file of a version, with every hash the pool keeps of it (DDI devices are told SHA-1 and MD5 too). */
export interface ImportedFileView {
  /** The name devices download it under. */
  name: string;
  role: 'image' | 'catalog';
  size: number;
  sha256: string;
  /** Null for a file stored before the pool kept them, until a package brings it again. */
  sha1: string | null;
  md5: string | null;
}

/** A rule version an import brought, and its files. */
export interface ImportedUpdateView extends RuleKey {
  ruleId: string;
  version: string;
  files: ImportedFileView[];
}

/** For each active node, how many of an import's files it holds ready and how many it lacks. */
export interface ImportReplicationView {
  state: 'pending' | 'complete';
  nodes: Record<string, { ready: number; missing: number }>;
}

export interface ImportView {
  importId: string;
  sha256: string;
  fileName: string;
  status: ImportStatus;
  error: { code: string; message: string } | null;
  updates: ImportedUpdateView[];
  replication: ImportReplicationView;
  createdAt: string;
  finishedAt: string | null;
}

/** `POST /api/v1/updates`: 202 for a new import, 200 with the first one when the bytes came before. */
export interface UploadView {
  importId: string;
  sha256: string;
  status: ImportStatus;
}

/** `POST /api/v1/files/purge`. */
export interface PurgeView {
  removed: number;
}

export type NodeStatus = 'active' | 'down';

/** A node's id (UCU_NODE_ID): a DNS label's letters, so a pod's or a host's name fits. */
export const NODE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
export const NODE_ID_FORM = '1-63 letters, digits, ".", "_" or "-"';

/**
 * Every node's last hour, per minute (decision 65): `minutes` are the minutes' starts, oldest first,
 * the current (partial) minute last; each node's arrays line up with them.
 */
export interface PoolActivityView {
  minutes: string[];
  nodes: NodeActivityView[];
}

/**
 * One node's minutes. `null` where the node recorded nothing (it was not running, or could not
 * reach Redis); latency `null` also where it answered no check. Rates are per second over the
 * seconds of the minute the node counted (`seconds`: 60, less in its first and the current minute).
 */
export interface NodeActivityView {
  id: string;
  seconds: Array<number | null>;
  /** Update checks answered (Lync's, both listeners). */
  checks: Array<number | null>;
  /** Update files sent (GET answered 200 or 206; not HEAD, 304 or refusals). */
  downloads: Array<number | null>;
  checksPerSecond: Array<number | null>;
  downloadsPerSecond: Array<number | null>;
  /** The checks' answer time in ms: mean, and the 95th percentile as the upper bound of its bucket (1 ms … 5 s). */
  checkLatencyMs: { mean: Array<number | null>; p95: Array<number | null> };
}

export interface NodeView {
  id: string;
  url: string;
  status: NodeStatus;
  lastHeartbeatAt: string | null;
  worker: { status: NodeStatus; lastHeartbeatAt: string | null };
  appVersion: string;
  replicas: { ready: number; missing: number };
  scrub: NodeScrubView;
}

/**
 * A node's scrub of its replica store (docs/replication.md, "The scrub"): its passes, the bytes it
 * has re-hashed, and the files it found corrupt (each replaced), the last one named.
 */
export interface NodeScrubView {
  passStartedAt: string | null;
  passCompletedAt: string | null;
  checkedBytes: number;
  mismatches: number;
  lastMismatch: { sha256: string; at: string } | null;
}

/** An update type a device reported and its version. */
export interface DeviceModuleView {
  updateType: string;
  version: string;
}

/** A device of the inventory. */
export interface DeviceView {
  id: string;
  macAddress: string | null;
  serialNumber: string | null;
  /** A DDI device's controller id; null for phones. */
  controllerId: string | null;
  deviceType: string;
  brand: string;
  model: string;
  revision: string;
  locale: string;
  modules: DeviceModuleView[];
  isTestDevice: boolean;
  firstSeenAt: string;
  lastSeenAt: string;
  lastNodeId: string;
  lastAddress: string;
  lastUserId: string | null;
}

/** How many devices share one value of a field (a brand, a model, a locale, …). */
export interface DeviceCountView {
  value: string;
  devices: number;
}

/** How many devices report one version of an update type. */
export interface VersionCountView {
  updateType: string;
  version: string;
  devices: number;
}

/** How many devices of one model report one version of an update type (the Inventory page's chart). */
export interface ModelVersionCountView extends VersionCountView {
  brand: string;
  model: string;
}

/**
 * Where the devices of a rule's kind are: on its approved version, on its pending one, on another
 * one, or on none (no module of the rule's update type, or a blank version); versions compared as
 * the update check compares them (`1.2` is `1.2.0`). `testDevices` counts the test devices among
 * `devices`; the four shares add up to `devices`.
 */
export interface RuleAdoptionView extends RuleKey {
  ruleId: string;
  approvedVersion: string | null;
  pendingVersion: string | null;
  devices: number;
  onApproved: number;
  onPending: number;
  onOther: number;
  onNone: number;
  testDevices: number;
}

/**
 * `GET /api/v1/devices/summary`: the inventory counted by Postgres (true totals whatever its
 * size), under the same filters as the device list. A device counts once per field; per update
 * type and version, once per module it reports.
 */
export interface DeviceSummaryView {
  devices: number;
  testDevices: number;
  brands: DeviceCountView[];
  models: DeviceCountView[];
  revisions: DeviceCountView[];
  locales: DeviceCountView[];
  updateTypes: DeviceCountView[];
  versions: VersionCountView[];
  modelVersions: ModelVersionCountView[];
  rules: RuleAdoptionView[];
}

/** One rule a device is behind on: what it runs (null for none) and what the rule offers it. */
export interface BehindModuleView {
  ruleId: string;
  updateType: string;
  installedVersion: string | null;
  offeredVersion: string;
}

/**
 * `GET /api/v1/devices/compliance`: a device not on the version one of its rules offers it (the
 * approved one; the pending one, if any, for a test device), with every rule it is behind on.
 */
export interface DeviceComplianceView extends DeviceView {
  behind: BehindModuleView[];
}

/** How a test device is identified: a phone by its MAC address or serial number, a DDI device by its controller id. */
export const IDENTIFIER_TYPES = ['MACAddress', 'SerialNumber', 'ControllerId'] as const;

export type IdentifierType = (typeof IDENTIFIER_TYPES)[number];

export interface TestDeviceView {
  id: string;
  /** `global` or `site:<name>`. */
  scope: string;
  name: string;
  identifierType: IdentifierType;
  identifier: string;
}

export interface TokenView {
  id: string;
  name: string;
  role: Role;
  createdBy: string | null;
  createdAt: string;
  lastUsedAt: string | null;
}

/** `POST /api/v1/tokens`: the token itself, shown this once. */
export interface NewTokenView extends TokenView {
  token: string;
}

/**
 * A device that speaks hawkBit's DDI API (ddi.md: a target). Its attributes (`vendor`, `model`,
 * `hwRevision`, optional `locale`, and whatever else its configData reports) choose its rules; its
 * target token is shown once, when issued (NewDdiTargetView), and only its hash is kept.
 */
export interface DdiTargetView {
  controllerId: string;
  attributes: Record<string, string>;
  /** Who registered it: the administrator, or `gateway` for a device a gateway announced. */
  registeredBy: string;
  /** When its target token was issued; null for a device without one. */
  tokenIssuedAt: string | null;
  createdAt: string;
  /** What it runs, per update type, as the inventory holds it (from its `closed`/`success` feedback); empty until it installed one. */
  installed: DeviceModuleView[];
  /** Its last request of any kind (poll, configData, feedback), as the inventory holds it; null before its first. */
  lastSeenAt: string | null;
  /** Its newest poll in the request audit: when, which node answered, from which address; null before its first (or after the audit's retention). */
  lastPoll: DdiPollView | null;
  /** Its open action (`cancelling` while it has not acknowledged a cancellation), or null. */
  openAction: DdiOpenActionView | null;
}

/** Where and when a DDI device last polled. */
export interface DdiPollView {
  at: string;
  nodeId: string;
  address: string;
}

/** A DDI device's open action: its id (the one the device sees), the version and update type offered, its status. */
export interface DdiOpenActionView {
  id: string;
  updateType: string;
  version: string;
  status: DdiActionStatus;
  createdAt: string;
}

/** A result a DDI device reported: an action of it and the last feedback it sent on that action. */
export interface DdiResultView {
  actionId: string;
  updateType: string;
  version: string;
  /** The action's status after that feedback. */
  status: DdiActionStatus;
  execution: string;
  finished: string;
  details: string[];
  /** The device's own time in the feedback (`YYYYMMDDThhmmss`, its local time), if it sent one. */
  time: string | null;
  /** When the pool received it. */
  at: string;
}

/** `GET /api/v1/ddi/targets/{controllerId}`: the device as listed, and its last results, newest first. */
export interface DdiTargetDetailView extends DdiTargetView {
  results: DdiResultView[];
}

/** `POST /api/v1/ddi/targets` and `POST /api/v1/ddi/targets/{controllerId}/token`: the target token, shown this once. */
export interface NewDdiTargetView extends DdiTargetView {
  token: string;
}

/** A DDI action's status (ddi.md): `open` (`cancelling` while the device has not acknowledged its cancellation), then closed. */
export const DDI_ACTION_STATUSES = ['open', 'cancelling', 'succeeded', 'failed', 'cancelled'] as const;
export type DdiActionStatus = (typeof DDI_ACTION_STATUSES)[number];

/**
 * A DDI action (`GET /api/v1/ddi/actions`): one version offered to one device, under the rule key
 * it was offered by; its id is the action id the device sees. A failed one is not offered again
 * until its rule changes or it is retried (`retriedAt`).
 */
export interface DdiActionView extends RuleKey {
  id: string;
  controllerId: string;
  version: string;
  status: DdiActionStatus;
  /** What the device last reported about it: execution, result, progress, details, its own time, when it came. */
  lastFeedback: {
    execution: string;
    finished: string;
    progress: { cnt: number; of: number } | null;
    details: string[];
    time: string | null;
    at: string;
  } | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  retriedAt: string | null;
}

export interface PhoneUserView {
  id: string;
  userId: string;
  createdAt: string;
}

/** One administrative change (`GET /api/v1/audit/admin`). */
export interface AdminAuditView {
  at: string;
  actor: string;
  role: string;
  action: string;
  /** `<kind>/<id>`. */
  target: string;
  /**
   * The target as administrators know it, recorded with the change (so it stays after the thing
   * is gone): a rule's key `UCPhone/Polycom/CX600/A/ENU/CPE`, a test device's `<scope>/<name>`, a
   * token's name, a phone user's SIP URI, a DDI target's controller id, a node's `<id> (<url>)`, a
   * configuration's scope, an upload's file name. `null` on older rows that could not be named.
   */
  subject: string | null;
  before: unknown;
  after: unknown;
  nodeId: string;
}

export interface RequestModuleView {
  filename: string;
  version: string;
  timestamp: string | null;
}

export interface ResponseModuleView extends RequestModuleView {
  signatureFilename: string | null;
}

export const AUDIT_OPERATIONS = ['UpdateCheck', 'DdiPoll', 'DdiConfigData', 'DdiFeedback', 'DdiCancelFeedback'] as const;
export type AuditOperation = (typeof AUDIT_OPERATIONS)[number];

export interface DdiAuditView {
  actionId: string | null;
  link?: 'deploymentBase' | 'cancelAction';
  execution?: string;
  finished?: string;
}

/** One answered update check (`GET /api/v1/audit/requests`): the fields of Lync's audit log. */
export interface RequestAuditView {
  id: string;
  requestId: string;
  at: string;
  nodeId: string;
  address: string;
  deviceType: string;
  macAddress: string | null;
  serialNumber: string | null;
  /** A DDI device's controller id; null for phones. */
  controllerId: string | null;
  /** Which request: a phone's `UpdateCheck`, or a DDI device's poll, configData or feedback. */
  operation: AuditOperation;
  /** A DDI request's action: the one a poll linked (as a deployment or a cancellation), or the one a feedback was about. */
  ddi: DdiAuditView | null;
  vendor: string;
  model: string;
  revision: string;
  locale: string;
  requestModules: RequestModuleView[];
  responseModules: ResponseModuleView[];
  userId: string | null;
  external: boolean;
  /** The HTTP status the device was answered with. */
  status: number;
}

/** A log a device uploaded (its metadata; the bytes are `…/content`). */
export interface DeviceLogView {
  id: string;
  deviceType: string;
  macAddress: string | null;
  serialNumber: string | null;
  logType: string;
  fileName: string;
  size: number;
  sha256: string;
  nodeId: string;
  address: string;
  userId: string | null;
  external: boolean;
  createdAt: string;
}

/** Lync's device update configuration of one scope. */
export interface ConfigurationView {
  scope: string;
  /** A TimeSpan, `d.hh:mm:ss`. */
  logCleanUpInterval: string;
  logFlushInterval: string;
  maxLogCacheLimit: number;
  maxLogFileSize: number;
  /** `HH:MM`, or null. */
  logCleanUpTimeOfDay: string | null;
  validLogFileTypes: string[];
  validLogFileExtensions: string[];
  /** How long a DDI device sleeps between polls (ddi.md), a TimeSpan from 30 s to 24 h. */
  ddiPollingInterval: string;
}

/** Lync's defaults, as the API shows them: a scope never set (and a new site scope) starts from these. */
export const DEFAULT_CONFIGURATION: Readonly<Omit<ConfigurationView, 'scope'>> = Object.freeze({
  logCleanUpInterval: '10.00:00:00',
  logFlushInterval: '00:05:00',
  maxLogCacheLimit: 512_000,
  maxLogFileSize: 1_024_000,
  logCleanUpTimeOfDay: '03:00',
  validLogFileTypes: ['Watson', 'CELog'],
  validLogFileExtensions: ['.dmp', '.clg', '.clg1', '.clg2', '.bak', '.kdmp', '.dat', '.bin', '.cat', '.xml', '.txt', '.hex'],
  ddiPollingInterval: '00:05:00',
});

/** Who is calling, and how: what the control panel shows and which actions it offers. */
export interface SessionView {
  name: string;
  role: Role;
  /** `session` for the control panel's cookie, `bearer` for an Authorization header. */
  via: 'session' | 'bearer';
  /** The CSRF token the panel sends in `X-CSRF-Token` with every change (only for `session`). */
  csrfToken: string | null;
}
