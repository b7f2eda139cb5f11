import { RuleError, RuleErrorCode } from './rule-error';
import { normaliseVersion, sameVersion } from './version';

/**
 * The versions of one rule, as stored in `rules` (a `RuleEntity` fits this type as it is).
 *
 * Invariants the transitions keep: a restore version exists only beside an approved version, and
 * it is never the approved version; `approvedAt` is set exactly when there is an approved version,
 * `pendingAt` exactly when there is a pending one.
 */
export interface RuleState {
  approvedVersion: string | null;
  pendingVersion: string | null;
  restoreVersion: string | null;
  /** The version the last restore took away; devices still reporting it may be told RestoreBackup. */
  rolledBackVersion: string | null;
  approvedAt: Date | null;
  pendingAt: Date | null;
}

export type RuleField = keyof RuleState;

/** One field a transition changed, with its value before and after: what the admin audit records. */
export type RuleChange = { [K in RuleField]: { field: K; before: RuleState[K]; after: RuleState[K] } }[RuleField];

/** A transition's result: the new state and the fields that differ from the old one (none: no-op). */
export interface RuleTransition {
  state: RuleState;
  changes: RuleChange[];
}

/** What importing a version did to a rule, for the import's report. */
export enum ImportOutcome {
  /** The version became pending; nothing was pending before. */
  Pending = 'Pending',
  /** The version became pending in place of another pending version (whose files are now orphans). */
  ReplacedPending = 'ReplacedPending',
  /** The version was already pending: nothing changed. */
  AlreadyPending = 'AlreadyPending',
  /** The version is the approved one: nothing changed. */
  AlreadyApproved = 'AlreadyApproved',
}

export interface ImportTransition extends RuleTransition {
  outcome: ImportOutcome;
}

const FIELDS: readonly RuleField[] = [
  'approvedVersion',
  'pendingVersion',
  'restoreVersion',
  'rolledBackVersion',
  'approvedAt',
  'pendingAt',
];

/** The state of a rule that an import has just created, before the version is applied to it. */
export function emptyRuleState(): RuleState {
  return {
    approvedVersion: null,
    pendingVersion: null,
    restoreVersion: null,
    rolledBackVersion: null,
    approvedAt: null,
    pendingAt: null,
  };
}

/** The versions of anything shaped like a rule (a RuleEntity, a row), and nothing else: a copy. */
export function ruleStateOf(state: Readonly<RuleState>): RuleState {
  const { approvedVersion, pendingVersion, restoreVersion, rolledBackVersion, approvedAt, pendingAt } = state;
  return { approvedVersion, pendingVersion, restoreVersion, rolledBackVersion, approvedAt, pendingAt };
}

function sameValue(a: string | Date | null, b: string | Date | null): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return a === b;
}

function transition(before: Readonly<RuleState>, after: RuleState): RuleTransition {
  const changes: RuleChange[] = [];
  for (const field of FIELDS) {
    if (!sameValue(before[field], after[field])) {
      // The field and its two values come from the same key, which TypeScript cannot correlate.
      changes.push({ field, before: before[field], after: after[field] } as RuleChange);
    }
  }
  return { state: after, changes };
}

/**
 * An import brought `version` for this rule. It becomes pending, replacing any other pending
 * version whether older or newer (the last import wins, as in Lync), unless it is already the
 * approved or the pending version: then nothing changes (not even the pending version). A version
 * equal to the restore or rolled-back version is imported like any other. The version is stored
 * normalised; throws `RuleError(InvalidVersion)` when it is not a version.
 */
export function importVersion(state: Readonly<RuleState>, version: string, now: Date): ImportTransition {
  const normalised = normaliseVersion(version);
  if (sameVersion(state.approvedVersion, normalised)) {
    return { ...transition(state, ruleStateOf(state)), outcome: ImportOutcome.AlreadyApproved };
  }
  if (sameVersion(state.pendingVersion, normalised)) {
    return { ...transition(state, ruleStateOf(state)), outcome: ImportOutcome.AlreadyPending };
  }
  const outcome = state.pendingVersion === null ? ImportOutcome.Pending : ImportOutcome.ReplacedPending;
  return { ...transition(state, { ...ruleStateOf(state), pendingVersion: normalised, pendingAt: now }), outcome };
}

/**
 * Approve-CsDeviceUpdateRule: the pending version becomes the approved one, the previously approved
 * version becomes the restore version (none if nothing was approved), nothing is pending. A new
 * approval ends a rollback, so the rolled-back version is forgotten: its devices differ from the
 * new approved version and are offered it. Throws `RuleError(NoPendingVersion)`.
 */
export function approve(state: Readonly<RuleState>, now: Date): RuleTransition {
  const pending = state.pendingVersion;
  if (pending === null) {
    throw new RuleError(RuleErrorCode.NoPendingVersion, 'The rule has no pending version to approve.');
  }
  // Imports never make the approved version pending; should a stored state have it anyway, keep
  // the restore version rather than make it equal to the approved one.
  const restoreVersion = sameVersion(state.approvedVersion, pending) ? state.restoreVersion : state.approvedVersion;
  return transition(state, {
    approvedVersion: pending,
    pendingVersion: null,
    restoreVersion,
    rolledBackVersion: null,
    approvedAt: now,
    pendingAt: null,
  });
}

/**
 * Reset-CsDeviceUpdateRule: the pending version is cancelled; test devices go back to the approved
 * version. The approved, restore and rolled-back versions stay. Throws `RuleError(NoPendingVersion)`.
 */
export function reset(state: Readonly<RuleState>): RuleTransition {
  if (state.pendingVersion === null) {
    throw new RuleError(RuleErrorCode.NoPendingVersion, 'The rule has no pending version to reset.');
  }
  return transition(state, { ...ruleStateOf(state), pendingVersion: null, pendingAt: null });
}

/**
 * Restore-CsDeviceUpdateRule: roll back. The restore version (or none) becomes the approved one,
 * the restore version is used up, and the version taken away is remembered as rolled back so that
 * devices still on it can be told RestoreBackup when nothing is approved any more. `approvedAt`
 * becomes the time of the restore (the version is approved again from now), or none. The pending
 * version is untouched. Restoring again rolls back the restored version too, down to none; only
 * the last rolled-back version is remembered. Throws `RuleError(NothingToRestore)`.
 */
export function restore(state: Readonly<RuleState>, now: Date): RuleTransition {
  const approved = state.approvedVersion;
  if (approved === null) {
    throw new RuleError(RuleErrorCode.NothingToRestore, 'The rule has no approved version to roll back.');
  }
  const restored = state.restoreVersion;
  return transition(state, {
    ...ruleStateOf(state),
    approvedVersion: restored,
    restoreVersion: null,
    rolledBackVersion: approved,
    approvedAt: restored === null ? null : now,
  });
}

/**
 * Remove-CsDeviceUpdateRule deletes the rule; it is never refused. This gives the audit its
 * before and after: every version the rule held, going to none.
 */
export function remove(state: Readonly<RuleState>): RuleTransition {
  return transition(state, emptyRuleState());
}

/**
 * The versions whose files the rule still needs: approved, pending and restore. A rolled-back
 * version needs none (RestoreBackup sends no files), so like a reset pending version its files
 * may be purged (Clear-CsDeviceUpdateFile).
 */
export function referencedVersions(state: Readonly<RuleState>): string[] {
  const versions: string[] = [];
  for (const version of [state.approvedVersion, state.pendingVersion, state.restoreVersion]) {
    // Exact strings, not sameVersion: files are stored under the version's spelling.
    if (version !== null && !versions.includes(version)) versions.push(version);
  }
  return versions;
}
