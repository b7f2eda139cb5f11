import { z } from 'zod';
import { ApiError } from '../../errors/api-error';
import { decodeCursor, encodeCursor } from './pagination';
import { isStorableText, parseInput } from './request-input';

function refusal(run: () => unknown): ApiError {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('not refused');
}

describe('admin input that Postgres cannot store', () => {
  const schema = z.strictObject({ name: z.string(), tags: z.array(z.string()).optional() });

  it('tells NUL and unpaired surrogates from ordinary text, paired surrogates included', () => {
    expect(isStorableText('plain ☎ 😀 text')).toBe(true);
    expect(isStorableText('a\u0000b')).toBe(false);
    expect(isStorableText('a\ud800b')).toBe(false);
    expect(isStorableText('\udc00')).toBe(false);
    expect(isStorableText('\ud83d')).toBe(false);
  });

  // Found by the hostile-input suite: these reached Postgres and came back as 500s.
  it.each([
    ['a NUL in a field', { name: 'a\u0000b' }, 'name'],
    ['a lone surrogate in a field', { name: '\ud800' }, 'name'],
    ['a NUL in an array item', { name: 'x', tags: ['ok', '\u0000'] }, 'tags.1'],
    ['a NUL in a key', { name: 'x', ['k\u0000']: 1 }, 'k?'],
  ])('refuses %s with a 400 naming the field', (_name, input, field) => {
    const error = refusal(() => parseInput(schema, input));
    expect(error.getStatus()).toBe(400);
    expect(error.details).toMatchObject({ field });
  });

  it('refuses at once a body that is not plain data (a JSON route sent a stream), without walking it', () => {
    // An object graph with a cycle and a fan-out that a walk to depth 32 would never finish.
    const node: Record<string, unknown> = {};
    for (let i = 0; i < 8; i++) node[`k${i}`] = node;
    class Stream {
      readonly graph = node;
    }
    const started = Date.now();
    const error = refusal(() => parseInput(schema, new Stream()));
    expect(error.getStatus()).toBe(400);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('looks into query objects whatever their prototype (Fastify makes them without Object.prototype)', () => {
    class Query {
      constructor(readonly name: string) {}
    }
    const error = refusal(() => parseInput(schema, Object.assign(Object.create({}), new Query('a\u0000b'))));
    expect(error.details).toMatchObject({ field: 'name' });
    expect(refusal(() => parseInput(schema, new Query('\ud800'))).details).toMatchObject({ field: 'name' });
  });

  it('refuses a cursor whose parts hold such text', () => {
    expect(() => decodeCursor(encodeCursor(['\u0000', 'x']), 2)).toThrow(ApiError);
    expect(decodeCursor(encodeCursor(['a', 'b']), 2)).toEqual(['a', 'b']);
  });
});
