import { figure, sparkline } from './activity-chart';

describe('sparkline', () => {
  it('draws the minutes left to right, the peak at the top, breaking where a minute has no figure', () => {
    const line = sparkline([0, 2, null, 4, 1], 40, 10);
    expect(line.path).toBe('M0 9 L10 5 M30 1 L40 7');
    expect(line).toMatchObject({ top: 4, latest: 1, peak: 4 });
  });

  it('draws nothing for a node that recorded nothing, and a flat line for an idle one', () => {
    expect(sparkline([null, null], 10, 10)).toEqual({ path: '', top: 1, latest: null, peak: null });
    expect(sparkline([0, 0], 10, 10).path).toBe('M0 9 L10 9');
  });
});

describe('figure', () => {
  it('keeps at most two decimals', () => {
    expect([figure(2.346), figure(12), figure(0.5), figure(null)]).toEqual(['2.35', '12', '0.5', '—']);
  });
});
