import { z } from 'zod';

/** A body a device sent that the API cannot take: answered 400 with the reason. */
export class DdiBodyError extends Error {}

/** hawkBit's execution states; SWUpdate 2022.12 sends the first six. */
export const EXECUTIONS = ['closed', 'proceeding', 'canceled', 'scheduled', 'rejected', 'resumed', 'downloaded', 'download'] as const;
export type Execution = (typeof EXECUTIONS)[number];

export const FINISHED = ['success', 'failure', 'none'] as const;
export type Finished = (typeof FINISHED)[number];

/** The most details lines kept; SWUpdate sends up to 48. More are accepted and dropped. */
export const MAX_DETAILS = 48;
const MAX_DETAIL_LENGTH = 1024;

/**
 * A device's feedback on an action, as it matters to the pool. `progress` counts may exceed
 * their total (SWUpdate's do); `time` is the device's local `YYYYMMDDThhmmss`, kept as given.
 */
export interface DdiFeedback {
  execution: Execution;
  finished: Finished;
  progress: { cnt: number; of: number } | null;
  details: string[];
  time: string | null;
}

// SWUpdate sends `id` as a number, hawkBit's own clients as a string, newer ones not at all: the
// id that counts is the path's. Unknown fields are ignored, as hawkBit's server does.
const actionId = z.union([z.number(), z.string().max(64)]).optional();
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const feedbackSchema = z.object({
  id: actionId,
  time: z.string().max(64).optional(),
  status: z.object({
    execution: z.enum(EXECUTIONS),
    result: z
      .object({
        finished: z.enum(FINISHED).optional(),
        progress: z.object({ cnt: count, of: count }).optional(),
      })
      .optional(),
    details: z.array(z.string()).max(10_000).optional(),
    code: z.number().int().optional(),
  }),
});

/** The feedback body of deploymentBase and cancelAction; DdiBodyError when it is not one. */
export function parseFeedback(body: unknown): DdiFeedback {
  const parsed = feedbackSchema.safeParse(body);
  if (!parsed.success) throw new DdiBodyError(`not a feedback: ${describe(parsed.error)}`);
  const { status, time } = parsed.data;
  return {
    execution: status.execution,
    finished: status.result?.finished ?? 'none',
    progress: status.result?.progress ?? null,
    details: (status.details ?? []).slice(0, MAX_DETAILS).map((line) => line.slice(0, MAX_DETAIL_LENGTH)),
    time: time ?? null,
  };
}

/** A device's attributes (configData `data`): at most 64, keys and values at most 128 characters. */
export type ReportedAttributes = Record<string, string>;

const attributesSchema = z
  .record(z.string().min(1).max(128), z.string().max(128))
  .refine((data) => Object.keys(data).length <= 64, 'at most 64 attributes');

const configDataSchema = z.object({
  id: actionId,
  time: z.string().max(64).optional(),
  mode: z.enum(['merge', 'replace', 'remove']).optional(),
  data: attributesSchema,
});

export interface DdiConfigData {
  mode: 'merge' | 'replace' | 'remove';
  data: ReportedAttributes;
}

/** The configData body; DdiBodyError when it is not one. */
export function parseConfigData(body: unknown): DdiConfigData {
  const parsed = configDataSchema.safeParse(body);
  if (!parsed.success) throw new DdiBodyError(`not a configData: ${describe(parsed.error)}`);
  return { mode: parsed.data.mode ?? 'merge', data: parsed.data.data };
}

/** The attributes after a configData in its mode (hawkBit's merge, replace, remove). */
export function applyConfigData(current: ReportedAttributes, change: DdiConfigData): ReportedAttributes {
  switch (change.mode) {
    case 'replace':
      return { ...change.data };
    case 'remove':
      return Object.fromEntries(Object.entries(current).filter(([key]) => !(key in change.data)));
    case 'merge':
      return { ...current, ...change.data };
  }
}

function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid';
}
