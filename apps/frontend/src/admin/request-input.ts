import { HttpStatus } from '@nestjs/common';
import type { z } from 'zod';
import { ApiError } from '../errors/api-error';

/** Parses admin input with a schema; a refusal is a 400 naming the field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) {
    return result.data;
  }
  const issue = result.error.issues[0];
  // An unknown field is named by itself, not by the object that holds it.
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
  const field = path.join('.') || '(body)';
  throw new ApiError('BadRequest', `${field}: ${issue.message}`, HttpStatus.BAD_REQUEST, {
    field,
    issues: result.error.issues.map((each) => ({ field: each.path.join('.'), message: each.message })),
  });
}
