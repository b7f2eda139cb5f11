import { EventEmitter } from 'node:events';
import { requestContext, runInRequestContext } from './request-context';

describe('the request context', () => {
  it('reaches what a request starts, and is off once the last request in a context has closed', async () => {
    const first = new EventEmitter();
    const second = new EventEmitter();
    const seen: (string | undefined)[] = [];
    let resume!: () => void;
    const later = new Promise<void>((resolve) => (resume = resolve));
    runInRequestContext({ requestId: 'first-request' }, first, () => {
      void later.then(() => seen.push(requestContext.getStore()?.requestId));
    });
    runInRequestContext({ requestId: 'second-request' }, second, () => seen.push(requestContext.getStore()?.requestId));
    first.emit('close');
    resume();
    await later;
    await Promise.resolve();
    expect(seen).toEqual(['second-request', 'first-request']);
    expect(requestContext.getStore()).toBeUndefined();
    second.emit('close');
    // Off: Node 20's storage (its `enabled` flag, internal) propagates nothing and calls no promise hook.
    if ('enabled' in requestContext) expect(requestContext.enabled).toBe(false);
  });
});
