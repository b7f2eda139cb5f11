import { useEffect, useState } from 'preact/hooks';
import { DDI_ACTION_STATUSES, type DdiActionView, type Page, pathOf, ROUTES } from '@ucupdates/admin-api';
import { api, query } from '../api';
import type { PageProps } from '../app';
import { Confirm, FilterForm, ListEnd, Notice, PageHeader, ReadOnlyNote, Refusal, TableScroller, time, useLoad, usePager } from '../ui';
import { ddiTargetHref } from './ddi-targets';

interface Filters {
  controllerId: string;
  status: string;
}

/** The filters a `#/ddi-actions?controllerId=ID` address gives (a device's page links there). */
function filtersOfHash(): Filters {
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  return { controllerId: params.get('controllerId') ?? '', status: params.get('status') ?? '' };
}

const retriable = (action: DdiActionView) => action.status === 'failed' && action.retriedAt === null;

/**
 * DDI devices' actions (GET /api/v1/ddi/actions), newest first: each version offered to one device,
 * its status and what the device last reported; a failed one retried by an operator, so the device's
 * next poll is offered its version again.
 */
export function DdiActionsPage({ session }: PageProps) {
  const mayChange = session.role !== 'viewer';
  const [draft, setDraft] = useState<Filters>(filtersOfHash());
  const [filters, setFilters] = useState<Filters>(draft);
  const [retrying, setRetrying] = useState<DdiActionView | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const pager = usePager();
  useEffect(() => {
    const onHash = () => {
      const next = filtersOfHash();
      pager.reset();
      setDraft(next);
      setFilters(next);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const page = useLoad(() => api<Page<DdiActionView>>('GET', `${ROUTES.ddiActions}${query({ ...filters, limit: 50, cursor: pager.cursor })}`), [filters, pager.cursor]);

  const retry = async (action: DdiActionView) => {
    setRetrying(null);
    setError(null);
    setNotice(null);
    try {
      await api<DdiActionView>('POST', pathOf(ROUTES.ddiActionRetry, { id: action.id }));
      setNotice(`Action ${action.id} retried: ${action.controllerId} is offered ${action.version} again at its next poll.`);
    } catch (failure) {
      setError(failure);
    }
    page.reload();
  };

  return (
    <section aria-labelledby="page-title">
      <PageHeader title="DDI Actions">
        <p class="lede">Each version offered to a DDI device, newest first: its status and what the device last reported. A failed one is not offered again until its rule changes or it is retried.</p>
      </PageHeader>
      {!mayChange && <ReadOnlyNote role={session.role} needs="operator or admin" />}
      <FilterForm
        onApply={() => {
          pager.reset();
          setFilters({ ...draft });
        }}
      >
        <label>
          Controller id
          <input name="controllerId" value={draft.controllerId} placeholder="any" onInput={(event) => setDraft({ ...draft, controllerId: (event.target as HTMLInputElement).value })} />
        </label>
        <label>
          Status
          <select name="status" value={draft.status} onChange={(event) => setDraft({ ...draft, status: (event.target as HTMLSelectElement).value })}>
            <option value="">any</option>
            {DDI_ACTION_STATUSES.map((status) => (
              <option key={status} value={status}>
                {status}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Filter</button>
      </FilterForm>
      <Notice text={notice} />
      {error != null && <Refusal error={error} />}
      {page.error != null && <Refusal error={page.error} />}
      <TableScroller label="DDI actions">
        <table class="data ddi-actions">
          <thead>
            <tr>
              <th scope="col">Action</th>
              <th scope="col">Device</th>
              <th scope="col">Rule</th>
              <th scope="col">Version</th>
              <th scope="col">Status</th>
              <th scope="col">Last feedback</th>
              <th scope="col">Updated (UTC)</th>
              {mayChange && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {(page.data?.items ?? []).map((action) => (
              <tr key={action.id} data-action-id={action.id}>
                <td>{action.id}</td>
                <td>
                  <a href={ddiTargetHref(action.controllerId)}>
                    <code>{action.controllerId}</code>
                  </a>
                </td>
                <td>{`${action.brand} ${action.model} ${action.revision} ${action.locale} ${action.updateType}`}</td>
                <td>{action.version}</td>
                <td class="status">
                  {action.status}
                  {action.retriedAt && <span class="badge warn">retried</span>}
                </td>
                <td>{action.lastFeedback ? `${action.lastFeedback.execution}/${action.lastFeedback.finished}` : <span class="none">none</span>}</td>
                <td>{time(action.updatedAt)}</td>
                {mayChange && (
                  <td class="row-actions">
                    {retriable(action) && (
                      <button type="button" onClick={() => setRetrying(action)} aria-label={`Retry action ${action.id}`}>
                        Retry
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroller>
      <ListEnd list={page} pager={pager} empty="No DDI actions match." />
      {retrying && (
        <Confirm title={`Retry action ${retrying.id}?`} confirmLabel="Retry" onCancel={() => setRetrying(null)} onConfirm={() => void retry(retrying)}>
          <p>
            {retrying.controllerId} reported a failure installing {retrying.version}. Its next poll opens a new action for that version.
          </p>
        </Confirm>
      )}
    </section>
  );
}
