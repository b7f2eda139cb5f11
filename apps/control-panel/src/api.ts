/**
 * The admin API as the panel uses it: same origin, the session cookie (sent by the browser, never
 * seen here), and the session's CSRF token on every change. Errors are the API's own
 * `{error: {code, message, details}}` (libs/admin-api), kept whole so pages can say what was
 * refused and why.
 */
import { ApiFailure, failureOf, ROUTES, type UploadView } from '@ucupdates/admin-api';

let csrfToken: string | null = null;
let onSignedOut: () => void = () => {};

export function useCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when the API says the session has ended (401), so the panel shows the sign-in again. */
export function whenSignedOut(callback: () => void): void {
  onSignedOut = callback;
}

const SAFE = new Set(['GET', 'HEAD']);

/** How long an answer asked for ahead (prefetch) stays good for the page that asks for it. */
const PREFETCH_MS = 10_000;

const prefetched = new Map<string, { at: number; answer: Promise<{ status: number; text: string } | null> }>();

/**
 * Asks for `path` now, before the page that shows it is drawn: main.tsx asks for the page's data
 * while the panel still asks who is signed in, so the two round trips overlap instead of
 * following each other (the Inventory page's totals, docs/performance.md). The first `api('GET',
 * path)` within PREFETCH_MS takes the answer; a refusal (no session yet: the sign-in comes first)
 * or an answer that was not asked for in time is dropped and asked for again.
 */
export function prefetch(path: string): void {
  const answer = fetch(path, { headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' }).then(
    async (response) => ({ status: response.status, text: await response.text() }),
    () => null,
  );
  prefetched.set(path, { at: Date.now(), answer });
}

async function takePrefetched(path: string): Promise<{ status: number; text: string } | null> {
  const early = prefetched.get(path);
  prefetched.delete(path);
  if (!early || Date.now() - early.at > PREFETCH_MS) {
    return null;
  }
  const answer = await early.answer;
  return answer && answer.status >= 200 && answer.status < 300 ? answer : null;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  if (method === 'GET') {
    const early = await takePrefetched(path);
    if (early) {
      return answerOf<T>(early.status, early.text, path);
    }
  }
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  if (!SAFE.has(method) && csrfToken) {
    headers['X-CSRF-Token'] = csrfToken;
  }
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiFailure(0, 'Unreachable', 'the pool did not answer; check the connection and try again');
  }
  return answerOf<T>(response.status, await response.text(), path);
}

function answerOf<T>(status: number, text: string, path: string): T {
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ApiFailure(status, 'NotAdminApi', `the pool answered ${status} with something that is not the admin API's JSON`);
    }
  }
  if (status >= 200 && status < 300) {
    return parsed as T;
  }
  const failure = failureOf(status, '', text);
  if (status === 401 && path !== ROUTES.session) {
    onSignedOut();
  }
  throw failure;
}

/** Query string of the filters that have a value. */
export function query(filters: Record<string, string | number | boolean | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) {
    if (value !== undefined && value !== null && value !== '') {
      params.set(name, String(value));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * Uploads a package with XMLHttpRequest, the one browser API that reports upload progress.
 * The body is the file itself (not multipart), named in Content-Disposition.
 */
export function uploadPackage(
  file: File,
  onProgress: (sent: number, total: number) => void,
): { done: Promise<UploadView & { again: boolean }>; abort: () => void } {
  const request = new XMLHttpRequest();
  const done = new Promise<UploadView & { again: boolean }>((resolve, reject) => {
    request.open('POST', ROUTES.updates);
    request.setRequestHeader('Content-Type', 'application/vnd.ms-cab-compressed');
    request.setRequestHeader('Content-Disposition', `attachment; filename="${file.name.replace(/["\\\r\n]/g, '_')}"`);
    request.setRequestHeader('Accept', 'application/json');
    if (csrfToken) {
      request.setRequestHeader('X-CSRF-Token', csrfToken);
    }
    request.upload.addEventListener('progress', (event) => onProgress(event.loaded, event.lengthComputable ? event.total : file.size));
    request.addEventListener('load', () => {
      try {
        const answer = answerOf<UploadView>(request.status, request.responseText, ROUTES.updates);
        resolve({ ...answer, again: request.status === 200 });
      } catch (error) {
        reject(error);
      }
    });
    request.addEventListener('error', () => reject(new ApiFailure(0, 'Interrupted', 'the upload broke off; try again')));
    request.addEventListener('abort', () => reject(new ApiFailure(0, 'Aborted', 'the upload was cancelled')));
    request.send(file);
  });
  return { done, abort: () => request.abort() };
}
