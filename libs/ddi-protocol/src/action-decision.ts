import { type RuleKeyFields, ruleKey, sameVersion } from '@ucupdates/rules';

/**
 * An action's life (ddi.md): `open` from the poll that first offers its version, `cancelling` once
 * the rule stops offering it while it is open, then one of the closed states: `succeeded` and
 * `failed` from the device's closing feedback, `cancelled` from its acknowledgement of the
 * cancellation.
 */
export const ACTION_STATUSES = ['open', 'cancelling', 'succeeded', 'failed', 'cancelled'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

/** The statuses in which an action is still the device's business; at most one per device. */
export const ACTIVE_STATUSES: readonly ActionStatus[] = ['open', 'cancelling'];

/** One of a device's actions as a poll weighs it. */
export interface DeviceAction extends RuleKeyFields {
  id: string;
  version: string;
  status: ActionStatus;
  /** When it closed (ms since 1970), for a closed one. */
  closedAt: number | null;
  /** An administrator asked for a failed one to be tried again. */
  retried: boolean;
}

/** A version the offer decision has for the device now, from one rule. */
export interface OfferedUpdate extends RuleKeyFields {
  version: string;
  /** When the rule last changed (ms since 1970): a failure older than that no longer holds it back. */
  ruleChangedAt: number;
}

export type PollDecision =
  /** Link deploymentBase/{actionId}: the open action still offered. */
  | { kind: 'deploy'; actionId: string }
  /** Link cancelAction/{actionId}; `start` when the open action must first be marked cancelling. */
  | { kind: 'cancel'; actionId: string; start: boolean }
  /** Open a new action for this offer, then link it. */
  | { kind: 'create'; offer: OfferedUpdate }
  | { kind: 'none' };

const sameRule = (a: RuleKeyFields, b: RuleKeyFields) =>
  ruleKey(a.deviceType, a.brand, a.model, a.revision, a.locale, a.updateType) ===
  ruleKey(b.deviceType, b.brand, b.model, b.revision, b.locale, b.updateType);

const sameUpdate = (action: DeviceAction, offer: OfferedUpdate) => sameRule(action, offer) && sameVersion(action.version, offer.version);

/**
 * What a poll does about the device's actions, given what the rules offer it now. One action is
 * the device's business at a time (SWUpdate works on one): while one is open it is linked as long
 * as its version is still offered, and cancelled as soon as it is not; only with none open does an
 * offer become a new action, unless the same version failed on the device since its rule last
 * changed and no administrator asked for a retry.
 */
export function decidePoll(actions: readonly DeviceAction[], offers: readonly OfferedUpdate[]): PollDecision {
  const active = actions.find((action) => ACTIVE_STATUSES.includes(action.status));
  if (active !== undefined) {
    if (active.status === 'cancelling') return { kind: 'cancel', actionId: active.id, start: false };
    return offers.some((offer) => sameUpdate(active, offer))
      ? { kind: 'deploy', actionId: active.id }
      : { kind: 'cancel', actionId: active.id, start: true };
  }
  const offer = offers.find((candidate) => !heldBack(actions, candidate));
  return offer === undefined ? { kind: 'none' } : { kind: 'create', offer };
}

/** A failure of this very version since the rule last changed, not retried, holds the offer back. */
function heldBack(actions: readonly DeviceAction[], offer: OfferedUpdate): boolean {
  return actions.some(
    (action) =>
      action.status === 'failed' &&
      !action.retried &&
      action.closedAt !== null &&
      action.closedAt >= offer.ruleChangedAt &&
      sameUpdate(action, offer),
  );
}

/**
 * The versions the device runs, as its actions tell: per update type, the last one it installed
 * successfully. What the offer decision takes as the device's installed modules.
 */
export function installedVersions(actions: readonly DeviceAction[]): { updateType: string; version: string }[] {
  const latest = new Map<string, DeviceAction>();
  for (const action of actions) {
    if (action.status !== 'succeeded') continue;
    const key = action.updateType.toLowerCase();
    const current = latest.get(key);
    if (current === undefined || (action.closedAt ?? 0) > (current.closedAt ?? 0)) latest.set(key, action);
  }
  return [...latest.values()].map((action) => ({ updateType: action.updateType, version: action.version }));
}

/** Which resource a feedback was posted to. */
export type FeedbackTarget = 'deploymentBase' | 'cancelAction';

/**
 * The status an action takes from a device's feedback, or null when it keeps its own. A closing
 * deployment feedback settles an open action (and a cancelling one: the device finished before it
 * heard of the cancellation, so what it reports is what happened); a device that cancels or rejects
 * the deployment itself closes it as cancelled or failed. A cancellation acknowledged closes it as
 * cancelled. A closed action keeps its result whatever comes after.
 */
export function statusAfterFeedback(status: ActionStatus, target: FeedbackTarget, execution: string, finished: string): ActionStatus | null {
  if (!ACTIVE_STATUSES.includes(status)) return null;
  if (target === 'cancelAction') {
    return status === 'cancelling' && (execution === 'canceled' || (execution === 'closed' && finished !== 'failure')) ? 'cancelled' : null;
  }
  if (execution === 'closed' && finished === 'success') return 'succeeded';
  if (execution === 'closed' && finished === 'failure') return 'failed';
  if (execution === 'rejected') return 'failed';
  if (execution === 'canceled') return 'cancelled';
  return null;
}
