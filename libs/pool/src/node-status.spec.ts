import { nodeStatus } from './node-status';

describe('nodeStatus', () => {
  const now = new Date('2026-11-27T10:00:00.000Z');

  it('is active while the last heartbeat is younger than the timeout', () => {
    expect(nodeStatus(new Date('2026-11-27T09:59:50.001Z'), now, 10_000)).toBe('active');
  });

  it('is down once the heartbeat is as old as the timeout', () => {
    expect(nodeStatus(new Date('2026-11-27T09:59:50.000Z'), now, 10_000)).toBe('down');
  });

  it('is down when the frontend stopped gracefully (no heartbeat)', () => {
    expect(nodeStatus(null, now, 10_000)).toBe('down');
  });
});
