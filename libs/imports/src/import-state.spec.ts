import {
  canApply,
  IMPORT_STATES,
  type ImportEvent,
  type ImportState,
  ImportTransitionRefused,
  INITIAL_IMPORT_STATE,
  isFinal,
  nextImportState,
} from './import-state';

const START: ImportEvent = { type: 'start' };
const SUCCEED: ImportEvent = { type: 'succeed' };
const FAIL: ImportEvent = { type: 'fail', code: 'InvalidPackage', message: 'no update description' };

describe('the life of an import', () => {
  it('is queued, processed, then succeeds', () => {
    let state = INITIAL_IMPORT_STATE;
    state = nextImportState(state, START);
    expect(state).toBe('processing');
    state = nextImportState(state, SUCCEED);
    expect(state).toBe('succeeded');
    expect(isFinal(state)).toBe(true);
  });

  it('is picked up again by a retried job', () => {
    expect(nextImportState('processing', START)).toBe('processing');
  });

  it('fails while queued or processing', () => {
    expect(nextImportState('queued', FAIL)).toBe('failed');
    expect(nextImportState('processing', FAIL)).toBe('failed');
    expect(isFinal('failed')).toBe(true);
  });

  it.each<[ImportState, ImportEvent]>([
    ['queued', SUCCEED],
    ['succeeded', START],
    ['succeeded', SUCCEED],
    ['succeeded', FAIL],
    ['failed', START],
    ['failed', SUCCEED],
    ['failed', FAIL],
  ])('refuses, when %s, to %j', (state, event) => {
    expect(canApply(state, event)).toBe(false);
    expect(() => nextImportState(state, event)).toThrow(ImportTransitionRefused);
    expect(() => nextImportState(state, event)).toThrow(`an import that is ${state} cannot ${event.type}`);
  });

  it('leaves no final state but by a refused transition', () => {
    for (const state of IMPORT_STATES.filter(isFinal)) {
      for (const event of [START, SUCCEED, FAIL]) {
        expect(canApply(state, event)).toBe(false);
      }
    }
    expect(IMPORT_STATES.filter((state) => !isFinal(state))).toEqual(['queued', 'processing']);
  });
});
