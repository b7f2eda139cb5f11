import { RuleError, RuleErrorCode } from './rule-error';
import {
  approve,
  emptyRuleState,
  ImportOutcome,
  importVersion,
  referencedVersions,
  remove,
  reset,
  restore,
  RuleState,
} from './rule-state';

const t1 = new Date('2026-01-01T00:00:00Z');
const t2 = new Date('2026-02-01T00:00:00Z');
const t3 = new Date('2026-03-01T00:00:00Z');

function state(overrides: Partial<RuleState> = {}): RuleState {
  return { ...emptyRuleState(), ...overrides };
}

/** The state frozen, so a transition that mutated its input would throw. */
function frozen(overrides: Partial<RuleState> = {}): Readonly<RuleState> {
  return Object.freeze(state(overrides));
}

function refusal(action: () => unknown): RuleErrorCode {
  try {
    action();
  } catch (error) {
    if (error instanceof RuleError) return error.code;
    throw error;
  }
  throw new Error('expected a RuleError');
}

const versions = (s: RuleState) => ({
  approved: s.approvedVersion,
  pending: s.pendingVersion,
  restore: s.restoreVersion,
  rolledBack: s.rolledBackVersion,
});

describe('importVersion', () => {
  it('makes a new version pending on a new rule', () => {
    const { state: after, changes, outcome } = importVersion(frozen(), '1.0', t1);
    expect(outcome).toBe(ImportOutcome.Pending);
    expect(after).toEqual(state({ pendingVersion: '1.0', pendingAt: t1 }));
    expect(changes).toEqual([
      { field: 'pendingVersion', before: null, after: '1.0' },
      { field: 'pendingAt', before: null, after: t1 },
    ]);
  });

  it.each([
    ['a newer', '1.2'],
    ['an older', '1.0'],
  ])('replaces the pending version with %s one', (_, version) => {
    const before = frozen({ approvedVersion: '0.9', approvedAt: t1, pendingVersion: '1.1', pendingAt: t1 });
    const { state: after, changes, outcome } = importVersion(before, version, t2);
    expect(outcome).toBe(ImportOutcome.ReplacedPending);
    expect(after).toEqual({ ...before, pendingVersion: version, pendingAt: t2 });
    expect(changes).toEqual([
      { field: 'pendingVersion', before: '1.1', after: version },
      { field: 'pendingAt', before: t1, after: t2 },
    ]);
  });

  it.each([
    ['the approved version', '1.0', ImportOutcome.AlreadyApproved],
    ['the approved version spelt longer', '1.0.0', ImportOutcome.AlreadyApproved],
    ['the pending version', '1.1', ImportOutcome.AlreadyPending],
    ['the pending version with leading zeros', '01.01', ImportOutcome.AlreadyPending],
  ])('changes nothing for %s', (_, version, outcome) => {
    const before = frozen({ approvedVersion: '1.0', approvedAt: t1, pendingVersion: '1.1', pendingAt: t1 });
    const result = importVersion(before, version, t2);
    expect(result.outcome).toBe(outcome);
    expect(result.state).toEqual(before);
    expect(result.state).not.toBe(before);
    expect(result.changes).toEqual([]);
  });

  it('makes the restore version pending again like any other version', () => {
    const before = frozen({ approvedVersion: '2.0', approvedAt: t1, restoreVersion: '1.0' });
    const { state: after, outcome } = importVersion(before, '1.0', t2);
    expect(outcome).toBe(ImportOutcome.Pending);
    expect(after).toEqual({ ...before, pendingVersion: '1.0', pendingAt: t2 });
  });

  it('makes the rolled-back version pending again and keeps the rollback until approval', () => {
    const before = frozen({ rolledBackVersion: '2.0' });
    const { state: after } = importVersion(before, '2.0', t2);
    expect(versions(after)).toEqual({ approved: null, pending: '2.0', restore: null, rolledBack: '2.0' });
  });

  it('stores the version normalised', () => {
    expect(importVersion(frozen(), '4.0.07577.04372', t1).state.pendingVersion).toBe('4.0.7577.4372');
  });

  it.each(['', '1..2', '1.2.3.4.5', '-1', '2147483648'])('refuses %j with InvalidVersion', (version) => {
    expect(refusal(() => importVersion(frozen(), version, t1))).toBe(RuleErrorCode.InvalidVersion);
  });
});

describe('approve', () => {
  it('approves the first version: no restore version', () => {
    const before = frozen({ pendingVersion: '1.0', pendingAt: t1 });
    const { state: after, changes } = approve(before, t2);
    expect(after).toEqual(state({ approvedVersion: '1.0', approvedAt: t2 }));
    expect(changes).toEqual([
      { field: 'approvedVersion', before: null, after: '1.0' },
      { field: 'pendingVersion', before: '1.0', after: null },
      { field: 'approvedAt', before: null, after: t2 },
      { field: 'pendingAt', before: t1, after: null },
    ]);
  });

  it('makes the previous approved version the restore version, dropping the older restore version', () => {
    const before = frozen({
      approvedVersion: '2.0',
      restoreVersion: '1.0',
      pendingVersion: '3.0',
      approvedAt: t1,
      pendingAt: t2,
    });
    expect(approve(before, t3).state).toEqual(
      state({ approvedVersion: '3.0', restoreVersion: '2.0', approvedAt: t3 }),
    );
  });

  it('ends a rollback: the rolled-back version is forgotten', () => {
    const before = frozen({ rolledBackVersion: '2.0', pendingVersion: '3.0', pendingAt: t2 });
    const { state: after, changes } = approve(before, t3);
    expect(after.rolledBackVersion).toBeNull();
    expect(changes).toContainEqual({ field: 'rolledBackVersion', before: '2.0', after: null });
  });

  it('never makes the approved version its own restore version', () => {
    // Not reachable through importVersion; a stored state could still hold it.
    const before = frozen({ approvedVersion: '2.0', restoreVersion: '1.0', approvedAt: t1 });
    const pendingSame = { ...before, pendingVersion: '2.0.0', pendingAt: t2 };
    expect(versions(approve(pendingSame, t3).state)).toEqual({
      approved: '2.0.0',
      pending: null,
      restore: '1.0',
      rolledBack: null,
    });
  });

  it.each([
    ['a new rule', state()],
    ['an approved rule', state({ approvedVersion: '1.0', approvedAt: t1 })],
    ['a rolled-back rule', state({ rolledBackVersion: '1.0' })],
  ])('refuses %s with NoPendingVersion', (_, before) => {
    expect(refusal(() => approve(before, t2))).toBe(RuleErrorCode.NoPendingVersion);
  });
});

describe('reset', () => {
  it('cancels the pending version and keeps the rest', () => {
    const before = frozen({
      approvedVersion: '2.0',
      restoreVersion: '1.0',
      rolledBackVersion: '3.0',
      pendingVersion: '4.0',
      approvedAt: t1,
      pendingAt: t2,
    });
    const { state: after, changes } = reset(before);
    expect(after).toEqual({ ...before, pendingVersion: null, pendingAt: null });
    expect(changes).toEqual([
      { field: 'pendingVersion', before: '4.0', after: null },
      { field: 'pendingAt', before: t2, after: null },
    ]);
  });

  it.each([
    ['a new rule', state()],
    ['an approved rule', state({ approvedVersion: '1.0', approvedAt: t1 })],
  ])('refuses %s with NoPendingVersion', (_, before) => {
    expect(refusal(() => reset(before))).toBe(RuleErrorCode.NoPendingVersion);
  });
});

describe('restore', () => {
  it('rolls back to the restore version and remembers the rolled-back one', () => {
    const before = frozen({ approvedVersion: '2.0', restoreVersion: '1.0', approvedAt: t1 });
    const { state: after, changes } = restore(before, t2);
    expect(after).toEqual(state({ approvedVersion: '1.0', rolledBackVersion: '2.0', approvedAt: t2 }));
    expect(changes).toEqual([
      { field: 'approvedVersion', before: '2.0', after: '1.0' },
      { field: 'restoreVersion', before: '1.0', after: null },
      { field: 'rolledBackVersion', before: null, after: '2.0' },
      { field: 'approvedAt', before: t1, after: t2 },
    ]);
  });

  it('rolls back to none when there is no restore version', () => {
    const before = frozen({ approvedVersion: '1.0', approvedAt: t1 });
    expect(restore(before, t2).state).toEqual(state({ rolledBackVersion: '1.0' }));
  });

  it('leaves the pending version alone', () => {
    const before = frozen({
      approvedVersion: '2.0',
      restoreVersion: '1.0',
      pendingVersion: '3.0',
      approvedAt: t1,
      pendingAt: t1,
    });
    const after = restore(before, t2).state;
    expect(after.pendingVersion).toBe('3.0');
    expect(after.pendingAt).toBe(t1);
  });

  it.each([
    ['a new rule', state()],
    ['a rule with only a pending version', state({ pendingVersion: '1.0', pendingAt: t1 })],
    ['a rule rolled back to none', state({ rolledBackVersion: '1.0' })],
  ])('refuses %s with NothingToRestore', (_, before) => {
    expect(refusal(() => restore(before, t2))).toBe(RuleErrorCode.NothingToRestore);
  });
});

describe('remove', () => {
  it('lists every version going to none, and is never refused', () => {
    const before = frozen({ approvedVersion: '2.0', restoreVersion: '1.0', approvedAt: t1 });
    const { state: after, changes } = remove(before);
    expect(after).toEqual(emptyRuleState());
    expect(changes).toEqual([
      { field: 'approvedVersion', before: '2.0', after: null },
      { field: 'restoreVersion', before: '1.0', after: null },
      { field: 'approvedAt', before: t1, after: null },
    ]);
    expect(remove(frozen()).changes).toEqual([]);
  });
});

describe('referencedVersions', () => {
  it.each([
    ['a new rule: none', state(), []],
    [
      'approved, pending and restore',
      state({ approvedVersion: '2.0', pendingVersion: '3.0', restoreVersion: '1.0' }),
      ['2.0', '3.0', '1.0'],
    ],
    ['not the rolled-back version', state({ approvedVersion: '1.0', rolledBackVersion: '2.0' }), ['1.0']],
    ['a version once however often it appears', state({ approvedVersion: '1.0', pendingVersion: '1.0' }), ['1.0']],
  ])('keeps %s', (_, s, expected) => {
    expect(referencedVersions(s)).toEqual(expected);
  });
});

describe('sequences', () => {
  it('import, approve, import, approve, restore, restore, restore', () => {
    let s: RuleState = emptyRuleState();
    s = importVersion(s, '1.0', t1).state;
    s = approve(s, t1).state;
    expect(versions(s)).toEqual({ approved: '1.0', pending: null, restore: null, rolledBack: null });

    s = importVersion(s, '2.0', t2).state;
    expect(versions(s)).toEqual({ approved: '1.0', pending: '2.0', restore: null, rolledBack: null });
    s = approve(s, t2).state;
    expect(versions(s)).toEqual({ approved: '2.0', pending: null, restore: '1.0', rolledBack: null });

    s = restore(s, t3).state;
    expect(versions(s)).toEqual({ approved: '1.0', pending: null, restore: null, rolledBack: '2.0' });
    expect(s.approvedAt).toEqual(t3);

    s = restore(s, t3).state;
    expect(versions(s)).toEqual({ approved: null, pending: null, restore: null, rolledBack: '1.0' });
    expect(s.approvedAt).toBeNull();

    expect(refusal(() => restore(s, t3))).toBe(RuleErrorCode.NothingToRestore);
  });

  it('approve after a restore: the restored version becomes the restore version, the rollback ends', () => {
    let s: RuleState = state({ approvedVersion: '2.0', restoreVersion: '1.0', approvedAt: t1 });
    s = restore(s, t2).state;
    s = importVersion(s, '3.0', t2).state;
    s = approve(s, t3).state;
    expect(versions(s)).toEqual({ approved: '3.0', pending: null, restore: '1.0', rolledBack: null });
  });

  it('approve after a restore to none: no restore version', () => {
    let s: RuleState = state({ approvedVersion: '1.0', approvedAt: t1 });
    s = restore(s, t2).state;
    s = importVersion(s, '1.1', t2).state;
    s = approve(s, t3).state;
    expect(versions(s)).toEqual({ approved: '1.1', pending: null, restore: null, rolledBack: null });
  });

  it('reset, then approve is refused; a new import can be approved', () => {
    let s: RuleState = state({ approvedVersion: '1.0', approvedAt: t1 });
    s = importVersion(s, '2.0', t2).state;
    s = reset(s).state;
    expect(versions(s)).toEqual({ approved: '1.0', pending: null, restore: null, rolledBack: null });
    expect(refusal(() => approve(s, t3))).toBe(RuleErrorCode.NoPendingVersion);
    expect(refusal(() => reset(s))).toBe(RuleErrorCode.NoPendingVersion);
    s = importVersion(s, '2.1', t3).state;
    s = approve(s, t3).state;
    expect(versions(s)).toEqual({ approved: '2.1', pending: null, restore: '1.0', rolledBack: null });
  });

  it('keeps the invariants over a long mixed run', () => {
    const steps: ((s: RuleState) => RuleState)[] = [
      (s) => importVersion(s, '1.0', t1).state,
      (s) => approve(s, t1).state,
      (s) => importVersion(s, '1.0', t1).state,
      (s) => importVersion(s, '2.0', t1).state,
      (s) => importVersion(s, '1.5', t1).state,
      (s) => approve(s, t2).state,
      (s) => importVersion(s, '3.0', t2).state,
      (s) => restore(s, t2).state,
      (s) => approve(s, t3).state,
      (s) => restore(s, t3).state,
      (s) => restore(s, t3).state,
      (s) => importVersion(s, '4.0', t3).state,
      (s) => reset(s).state,
    ];
    let s = emptyRuleState();
    for (const step of steps) {
      s = step(s);
      if (s.restoreVersion !== null) expect(s.approvedVersion).not.toBeNull();
      expect(s.restoreVersion === null || s.restoreVersion !== s.approvedVersion).toBe(true);
      expect(s.approvedAt === null).toBe(s.approvedVersion === null);
      expect(s.pendingAt === null).toBe(s.pendingVersion === null);
    }
    expect(versions(s)).toEqual({ approved: null, pending: null, restore: null, rolledBack: '1.0' });
  });
});
