import type { ApiFailure, FailureCode } from '@ucupdates/admin-api';

/** A refusal of the API in words a person acts on, with the API's own message beside it. */
export interface Explained {
  title: string;
  message: string;
  /** For NotReplicated: each node and the files it still lacks. */
  missing?: { nodeId: string; files: string[] }[];
}

const TITLES: Partial<Record<FailureCode, string>> = {
  NoPendingVersion: 'Nothing is pending',
  NothingToRestore: 'Nothing to restore',
  NotReplicated: 'Not on every node yet',
  NotFound: 'Not found',
  DuplicateName: 'That name is taken',
  DuplicateTarget: 'That device is registered already',
  NotRetriable: 'Not a failure to retry',
  BadRequest: 'Not accepted',
  Forbidden: 'Your role may not do this',
  Unauthorized: 'Signed out',
  CsrfRefused: 'Refused: the page is out of date',
  PayloadTooLarge: 'Too large',
  UnsupportedMediaType: 'Not a package',
  Unprocessable: 'Refused',
  Unreachable: 'No answer',
  InternalError: 'The pool failed',
};

const HINTS: Partial<Record<FailureCode, string>> = {
  NoPendingVersion: 'This rule has no pending version to approve or cancel; upload a package first.',
  NothingToRestore: 'No version of this rule is approved, so there is nothing to roll back.',
  NotReplicated: 'Approval waits until every active node holds every file of the version. Try again in a moment.',
  CsrfRefused: 'Reload the page and try again.',
  NotRetriable: 'Only a failed action not retried yet can be retried; the list may be out of date.',
  Forbidden: 'Ask an administrator for a token with a higher role.',
};

export function explain(failure: Pick<ApiFailure, 'code' | 'message' | 'details'>): Explained {
  const hint = HINTS[failure.code];
  const explained: Explained = {
    title: TITLES[failure.code] ?? failure.code,
    message: hint ? `${hint} (${failure.message})` : failure.message,
  };
  const nodes = failure.details?.nodes;
  if (failure.code === 'NotReplicated' && nodes && typeof nodes === 'object') {
    explained.missing = Object.entries(nodes as Record<string, unknown>).map(([nodeId, files]) => ({
      nodeId,
      files: Array.isArray(files) ? files.map(String) : [],
    }));
  }
  return explained;
}

/** The field a 400 names (`details.field`), so a form can show the message beside it. */
export function fieldOf(failure: Pick<ApiFailure, 'details'>): string | null {
  const field = failure.details?.field;
  return typeof field === 'string' ? field : null;
}
