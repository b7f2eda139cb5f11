import { type DeviceAction, decidePoll, installedVersions, type OfferedUpdate, statusAfterFeedback } from './action-decision';

const kind = { deviceType: 'DDI', brand: 'Contoso', model: 'Gateway-1', revision: '1.0', locale: 'Neutral', updateType: 'os' };
const offer = (version: string, ruleChangedAt = 1_000): OfferedUpdate => ({ ...kind, version, ruleChangedAt });
const action = (id: string, version: string, status: DeviceAction['status'], closedAt: number | null = null, retried = false): DeviceAction => ({
  ...kind,
  id,
  version,
  status,
  closedAt,
  retried,
});

describe('decidePoll', () => {
  it('opens an action for an offer when the device has none open', () => {
    expect(decidePoll([], [offer('2.4.1')])).toEqual({ kind: 'create', offer: offer('2.4.1') });
  });

  it('links the open action while its version is still offered (the same id on every poll)', () => {
    expect(decidePoll([action('7', '2.4.1', 'open')], [offer('2.4.1')])).toEqual({ kind: 'deploy', actionId: '7' });
  });

  it('cancels the open action once its version is not offered any more, and keeps linking the cancellation', () => {
    expect(decidePoll([action('7', '2.4.1', 'open')], [])).toEqual({ kind: 'cancel', actionId: '7', start: true });
    expect(decidePoll([action('7', '2.4.1', 'open')], [offer('2.4.0')])).toEqual({ kind: 'cancel', actionId: '7', start: true });
    expect(decidePoll([action('7', '2.4.1', 'cancelling')], [offer('2.4.1')])).toEqual({ kind: 'cancel', actionId: '7', start: false });
  });

  it('cancels an open action of another rule (the device changed kind)', () => {
    expect(decidePoll([action('7', '2.4.1', 'open')], [{ ...offer('2.4.1'), model: 'Gateway-2' }])).toMatchObject({ kind: 'cancel' });
  });

  it('holds back a version that failed since its rule last changed, until the rule changes or a retry', () => {
    const failed = action('7', '2.4.1', 'failed', 2_000);
    expect(decidePoll([failed], [offer('2.4.1', 1_000)])).toEqual({ kind: 'none' });
    expect(decidePoll([failed], [offer('2.4.1', 3_000)])).toMatchObject({ kind: 'create' });
    expect(decidePoll([{ ...failed, retried: true }], [offer('2.4.1', 1_000)])).toMatchObject({ kind: 'create' });
    expect(decidePoll([failed], [offer('2.4.2', 1_000)])).toMatchObject({ kind: 'create', offer: { version: '2.4.2' } });
  });

  it('offers a cancelled or succeeded version again as a new action (a restore)', () => {
    const history = [action('5', '2.4.0', 'succeeded', 500), action('6', '2.4.1', 'cancelled', 600)];
    expect(decidePoll(history, [offer('2.4.0')])).toMatchObject({ kind: 'create', offer: { version: '2.4.0' } });
  });
});

describe('installedVersions', () => {
  it('is the last successful version per update type', () => {
    const actions = [action('1', '1.0', 'succeeded', 10), action('2', '2.0', 'succeeded', 30), action('3', '3.0', 'failed', 40)];
    expect(installedVersions(actions)).toEqual([{ updateType: 'os', version: '2.0' }]);
    expect(installedVersions([])).toEqual([]);
  });
});

describe('statusAfterFeedback', () => {
  it('closes an open action with the result the device reports, and leaves it open while it proceeds', () => {
    expect(statusAfterFeedback('open', 'deploymentBase', 'closed', 'success')).toBe('succeeded');
    expect(statusAfterFeedback('open', 'deploymentBase', 'closed', 'failure')).toBe('failed');
    expect(statusAfterFeedback('open', 'deploymentBase', 'proceeding', 'none')).toBeNull();
    expect(statusAfterFeedback('open', 'deploymentBase', 'closed', 'none')).toBeNull();
    expect(statusAfterFeedback('cancelling', 'deploymentBase', 'closed', 'success')).toBe('succeeded');
  });

  it('closes a cancelling action on its acknowledgement', () => {
    expect(statusAfterFeedback('cancelling', 'cancelAction', 'closed', 'success')).toBe('cancelled');
    expect(statusAfterFeedback('cancelling', 'cancelAction', 'canceled', 'none')).toBe('cancelled');
    expect(statusAfterFeedback('open', 'cancelAction', 'closed', 'success')).toBeNull();
  });

  it('keeps a closed action\'s result', () => {
    for (const status of ['succeeded', 'failed', 'cancelled'] as const) {
      expect(statusAfterFeedback(status, 'deploymentBase', 'closed', 'failure')).toBeNull();
    }
  });
});
