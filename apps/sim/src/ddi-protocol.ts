import type { CancelAnswer, DeploymentAnswer, PollAnswer } from '@ucupdates/ddi-protocol';
import type { PhoneIdentity } from './identities';
import { ProtocolError } from './phone-protocol';

/**
 * The device's side of hawkBit's DDI API v1 (docs/ddi.md, docs/simulator.md) as SWUpdate's
 * suricatta speaks it, as plain functions: the controller ids, the requests (rendered once where
 * they do not change), the reading of the answers. The answers' shapes are the pool's own
 * (libs/ddi-protocol, types only: the simulator stays on Node's built-ins). Anything else is a
 * protocol error.
 */

/** `sim-<seed>-<index>`: unique per seed, a valid controller id (1-64 of letters, digits, `.`, `_`, `-`, `:`). */
export function controllerIdOf(seed: number, index: number): string {
  return `sim-${seed}-${String(index).padStart(7, '0')}`;
}

/** The attributes a device reports in configData: vendor, model, hwRevision and, unless Neutral, locale (docs/ddi.md). */
export function attributesOf(identity: PhoneIdentity): Record<string, string> {
  const attributes: Record<string, string> = { vendor: identity.brand, model: identity.model, hwRevision: identity.revision };
  if (identity.locale !== 'Neutral') attributes.locale = identity.locale;
  return attributes;
}

/** The device's resources: `<path prefix>/<tenant>/controller/v1/<controllerId>`. */
export function controllerPath(prefix: string, tenant: string, controllerId: string): string {
  return `${prefix}/${encodeURIComponent(tenant)}/controller/v1/${encodeURIComponent(controllerId)}`;
}

/**
 * A request's head (request line and headers, ending in the blank line), as one string: the
 * device's Authorization (empty for an anonymous one) and, for a body, its type and length.
 */
export function requestHead(method: string, path: string, host: string, authorization: string, body?: { length: number }, requestId?: string): string {
  return (
    `${method} ${path} HTTP/1.1\r\nHost: ${host}\r\nAccept: application/hal+json\r\n` +
    (authorization ? `Authorization: ${authorization}\r\n` : '') +
    (body ? `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n` : '') +
    (requestId ? `X-Request-Id: ${requestId}\r\n` : '') +
    '\r\n'
  );
}

/** The configData body: the device's attributes, merged (SWUpdate's `identify` entries). */
export function configDataBody(attributes: Record<string, string>): string {
  return JSON.stringify({ mode: 'merge', data: attributes });
}

/** A feedback body as SWUpdate sends it (the id a number when it is one, the device's local time). */
export function feedbackBody(actionId: string, execution: 'proceeding' | 'closed', finished: 'none' | 'success' | 'failure', details: string[] = []): string {
  const time = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
  return JSON.stringify({ id: Number(actionId), time, status: { execution, result: { finished }, details } });
}

export type PollAction = { kind: 'configData' } | { kind: 'deploy'; path: string; actionId: string } | { kind: 'cancel'; path: string; actionId: string } | { kind: 'nothing' };

function json(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ProtocolError(`${what}: not JSON`);
  }
}

/** The path of a link (the pool's links are absolute URLs) and the action id it ends in. */
function linkOf(href: unknown, what: string): { path: string; actionId: string } {
  if (typeof href !== 'string') throw new ProtocolError(`${what}: no href`);
  let path: string;
  try {
    path = new URL(href).pathname;
  } catch {
    throw new ProtocolError(`${what}: "${href.slice(0, 100)}" is not a URL`);
  }
  const actionId = /\/([1-9][0-9]*)$/.exec(path)?.[1];
  if (actionId === undefined) throw new ProtocolError(`${what}: no action id in "${path}"`);
  return { path, actionId };
}

/**
 * What a poll asks of the device, in SWUpdate's order: a cancellation first, then a deployment,
 * then its attributes. Every answer must carry `config.polling.sleep` (SWUpdate does nothing without it).
 */
export function readPoll(text: string): PollAction {
  const answer = json(text, 'poll') as Partial<PollAnswer>;
  if (typeof answer?.config?.polling?.sleep !== 'string' || !/^\d\d:\d\d:\d\d$/.test(answer.config.polling.sleep)) {
    throw new ProtocolError('poll: no config.polling.sleep');
  }
  const links = answer._links ?? {};
  if (links.cancelAction) return { kind: 'cancel', ...linkOf(links.cancelAction.href, 'cancelAction') };
  if (links.deploymentBase) return { kind: 'deploy', ...linkOf(links.deploymentBase.href, 'deploymentBase') };
  if (links.configData) return { kind: 'configData' };
  return { kind: 'nothing' };
}

export interface OfferedArtifact {
  fileName: string;
  size: number;
  sha1: string;
  sha256: string;
  url: string;
}

export interface OfferedDeployment {
  actionId: string;
  part: string;
  version: string;
  artifacts: OfferedArtifact[];
}

/** deploymentBase: its one chunk (the rule's update type and version) and the artifacts, each with size, SHA-1 and a link. */
export function readDeployment(text: string): OfferedDeployment {
  const answer = json(text, 'deploymentBase') as Partial<DeploymentAnswer>;
  const chunk = answer?.deployment?.chunks?.[0];
  if (typeof answer.id !== 'string' || !chunk || typeof chunk.part !== 'string' || typeof chunk.version !== 'string' || !Array.isArray(chunk.artifacts)) {
    throw new ProtocolError('deploymentBase: no id or chunk');
  }
  if (answer.deployment?.update !== 'forced' && answer.deployment?.update !== 'attempt') throw new ProtocolError('deploymentBase: no deployment.update');
  return {
    actionId: answer.id,
    part: chunk.part,
    version: chunk.version,
    artifacts: chunk.artifacts.map((artifact) => {
      const url = artifact?._links?.download?.href ?? artifact?._links?.['download-http']?.href;
      if (typeof url !== 'string' || typeof artifact.size !== 'number' || typeof artifact.hashes?.sha1 !== 'string') {
        throw new ProtocolError('deploymentBase: an artifact without a link, size or SHA-1');
      }
      return { fileName: artifact.filename, size: artifact.size, sha1: artifact.hashes.sha1, sha256: artifact.hashes.sha256, url };
    }),
  };
}

/** cancelAction: the action to stop. */
export function readCancel(text: string): string {
  const answer = json(text, 'cancelAction') as Partial<CancelAnswer>;
  const stopId = answer?.cancelAction?.stopId;
  if (typeof stopId !== 'string' && typeof stopId !== 'number') throw new ProtocolError('cancelAction: no stopId');
  return String(stopId);
}

/** The `errorCode` of a DDI refusal (`{"errorCode", "message"}`), or null. */
export function ddiErrorCode(text: string): string | null {
  try {
    const code = (JSON.parse(text) as { errorCode?: unknown })?.errorCode;
    return typeof code === 'string' && /^[A-Za-z]{1,64}$/.test(code) ? code : null;
  } catch {
    return null;
  }
}
