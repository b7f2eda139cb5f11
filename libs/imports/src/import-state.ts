/**
 * The life of an import (update-package.md; docs/architecture.md, flow 1), as a pure state machine:
 * no Nest, no I/O. The imports repository persists a transition only from the states this table
 * allows, so two workers (or a retried job) cannot take an import backwards.
 *
 *     queued ──start──▶ processing ──succeed──▶ succeeded
 *        │                │  ▲ start (a retried job)
 *        └──── fail ──────┴──┴──────────────▶ failed
 *
 * `succeeded` and `failed` are final: the same bytes uploaded again are the same import.
 */
export type ImportState = 'queued' | 'processing' | 'succeeded' | 'failed';

export const IMPORT_STATES: readonly ImportState[] = ['queued', 'processing', 'succeeded', 'failed'];

/** An upload makes its import `queued`. */
export const INITIAL_IMPORT_STATE: ImportState = 'queued';

/** What happens to an import. `fail` carries the reason the import then shows (an error code and message). */
export type ImportEvent =
  | { type: 'start' }
  | { type: 'succeed' }
  | { type: 'fail'; code: string; message: string };

export type ImportEventType = ImportEvent['type'];

/** For each event, the states it may happen in and the state it leads to. */
export const IMPORT_TRANSITIONS: Readonly<Record<ImportEventType, { from: readonly ImportState[]; to: ImportState }>> = {
  // A job picks the import up; a retried job (the worker died, Postgres was away) picks it up again.
  start: { from: ['queued', 'processing'], to: 'processing' },
  succeed: { from: ['processing'], to: 'succeeded' },
  // Refused or given up on; an import still queued may fail too (its job could not run at all).
  fail: { from: ['queued', 'processing'], to: 'failed' },
};

export class ImportTransitionRefused extends Error {
  constructor(
    readonly state: ImportState,
    readonly event: ImportEventType,
  ) {
    super(`an import that is ${state} cannot ${event}`);
    this.name = 'ImportTransitionRefused';
  }
}

export function isFinal(state: ImportState): boolean {
  return state === 'succeeded' || state === 'failed';
}

export function canApply(state: ImportState, event: ImportEvent | ImportEventType): boolean {
  return IMPORT_TRANSITIONS[typeof event === 'string' ? event : event.type].from.includes(state);
}

/** The state after `event`; throws ImportTransitionRefused when the event cannot happen in `state`. */
export function nextImportState(state: ImportState, event: ImportEvent): ImportState {
  if (!canApply(state, event)) {
    throw new ImportTransitionRefused(state, event.type);
  }
  return IMPORT_TRANSITIONS[event.type].to;
}

/** The longest error message an import keeps. */
export const MAX_IMPORT_ERROR_MESSAGE = 2000;
