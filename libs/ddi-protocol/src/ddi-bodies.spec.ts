import { applyConfigData, DdiBodyError, parseConfigData, parseFeedback } from './ddi-bodies';

describe('parseFeedback', () => {
  it('takes SWUpdate 2022.12 feedback: a numeric id, local time, progress past its total, 48 details', () => {
    const details = Array.from({ length: 60 }, (_, index) => `line ${index}`);
    const feedback = parseFeedback({
      id: 1042,
      time: '20261203T041500',
      status: { result: { progress: { cnt: 3, of: 2 }, finished: 'none' }, execution: 'proceeding', details },
    });
    expect(feedback).toEqual({ execution: 'proceeding', finished: 'none', progress: { cnt: 3, of: 2 }, details: details.slice(0, 48), time: '20261203T041500' });
  });

  it('takes a cancellation acknowledgement (id the stopId, no progress)', () => {
    expect(parseFeedback({ id: 7, time: 'x', status: { result: { finished: 'success' }, execution: 'closed', details: ['ok'] } })).toMatchObject({
      execution: 'closed',
      finished: 'success',
      progress: null,
    });
  });

  it.each([
    ['no status', { id: 1 }],
    ['an unknown execution', { status: { execution: 'exploded' } }],
    ['an unknown result', { status: { execution: 'closed', result: { finished: 'maybe' } } }],
    ['details that are not strings', { status: { execution: 'closed', details: [1] } }],
    ['a negative count', { status: { execution: 'closed', result: { progress: { cnt: -1, of: 1 } } } }],
    ['not an object', 'closed'],
    ['nothing', undefined],
  ])('refuses %s', (_, body) => {
    expect(() => parseFeedback(body)).toThrow(DdiBodyError);
  });
});

describe('configData', () => {
  it('takes SWUpdate\'s body (empty id, status, data) and merges by default', () => {
    const change = parseConfigData({ id: '', time: '20261203T041500', status: { result: { finished: 'success' }, execution: 'closed', details: [''] }, data: { vendor: 'Contoso', model: 'Gateway-1', hwRevision: '1.0' } });
    expect(applyConfigData({ locale: 'ENU', model: 'old' }, change)).toEqual({ locale: 'ENU', vendor: 'Contoso', model: 'Gateway-1', hwRevision: '1.0' });
  });

  it('replaces and removes in those modes', () => {
    expect(applyConfigData({ a: '1', b: '2' }, parseConfigData({ mode: 'replace', data: { c: '3' } }))).toEqual({ c: '3' });
    expect(applyConfigData({ a: '1', b: '2' }, parseConfigData({ mode: 'remove', data: { a: '' } }))).toEqual({ b: '2' });
  });

  it('refuses data that are not short strings', () => {
    expect(() => parseConfigData({ data: { vendor: 1 } })).toThrow(DdiBodyError);
    expect(() => parseConfigData({ data: { vendor: 'x'.repeat(129) } })).toThrow(DdiBodyError);
    expect(() => parseConfigData({})).toThrow(DdiBodyError);
  });
});
