import type { z } from 'zod';
import { ApiError } from '../../errors/api-error';

/**
 * NUL and unpaired UTF-16 surrogates: text Postgres cannot store (`text` refuses NUL, `jsonb` a lone
 * surrogate escape), so it would fail as a 500 deep in a query or in the audit row.
 */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/** At most this many objects are looked into: parsed JSON is small, a stream's object graph is not. */
const WALK_BUDGET = 10_000;

/**
 * The path of the first string (key or value) in `input` that Postgres cannot store, or null.
 * Bounded: each object once, at most WALK_BUDGET of them, no byte arrays — a body that is not
 * parsed data (the request stream, when a client sent a JSON route another media type) is the
 * schema's to refuse, and walking its object graph would take for ever.
 */
function unstorableField(input: unknown): string[] | null {
  const seen = new Set<object>();
  let budget = WALK_BUDGET;
  const walk = (value: unknown, path: string[], depth: number): string[] | null => {
    if (typeof value === 'string') return isStorableText(value) ? null : path;
    if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || depth > 32 || seen.has(value)) return null;
    if (--budget < 0) return null;
    seen.add(value);
    for (const [key, child] of Object.entries(value)) {
      if (!isStorableText(key)) return [...path, key.replace(UNSTORABLE, '?')];
      const found = walk(child, [...path, key], depth + 1);
      if (found) return found;
    }
    return null;
  };
  return walk(input, [], 0);
}

/** Parses admin input with a schema; a refusal is a 400 naming the field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const unstorable = unstorableField(input);
  if (unstorable) {
    const field = unstorable.join('.') || '(body)';
    const message = 'must not contain NUL characters or unpaired surrogates';
    throw new ApiError('BadRequest', `${field}: ${message}`, { field, issues: [{ field, message }] });
  }
  const result = schema.safeParse(input);
  if (result.success) {
    return result.data;
  }
  const issue = result.error.issues[0];
  // An unknown field is named by itself, not by the object that holds it.
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
  const field = path.join('.') || '(body)';
  throw new ApiError('BadRequest', `${field}: ${issue.message}`, {
    field,
    issues: result.error.issues.map((each) => ({ field: each.path.join('.'), message: each.message })),
  });
}
