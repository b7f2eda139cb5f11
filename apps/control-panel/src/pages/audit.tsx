import { useState } from 'preact/hooks';
import { type AdminAuditView, type Page, type RequestAuditView, ROUTES } from '@ucupdates/admin-api';
import { api, query } from '../api';
import type { PageProps } from '../app';
import { FilterForm, PageHeader, Pager, Refusal, TableScroller, time, useLoad, usePager, utcFromInput } from '../ui';

type Tab = 'admin' | 'requests';

/** The admin audit (who changed what) and the request audit (every update check). */
export function AuditPage(_props: PageProps) {
  const [tab, setTab] = useState<Tab>('admin');
  return (
    <section aria-labelledby="page-title">
      <PageHeader title="Audit" />
      <div class="tabs" role="tablist" aria-label="Audit logs">
        {(
          [
            ['admin', 'Admin changes'],
            ['requests', 'Update requests'],
          ] as const
        ).map(([id, label]) => (
          <button
            type="button"
            role="tab"
            key={id}
            id={`tab-${id}`}
            aria-selected={tab === id}
            aria-controls={`panel-${id}`}
            tabIndex={tab === id ? 0 : -1}
            onClick={() => setTab(id)}
            onKeyDown={(event) => {
              if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
                const next: Tab = tab === 'admin' ? 'requests' : 'admin';
                setTab(next);
                requestAnimationFrame(() => document.getElementById(`tab-${next}`)?.focus());
              }
            }}
          >
            {label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'admin' ? <AdminAudit /> : <RequestAudit />}
      </div>
    </section>
  );
}

function AdminAudit() {
  const [draft, setDraft] = useState({ actor: '', action: '', subject: '', target: '', since: '', until: '' });
  const [filters, setFilters] = useState(draft);
  const pager = usePager();
  const page = useLoad(
    () =>
      api<Page<AdminAuditView>>(
        'GET',
        `${ROUTES.adminAudit}${query({
          actor: filters.actor,
          action: filters.action,
          target: filters.target,
          subject: filters.subject,
          since: utcFromInput(filters.since),
          until: utcFromInput(filters.until),
          limit: 50,
          cursor: pager.cursor,
        })}`,
      ),
    [filters, pager.cursor],
  );
  const [open, setOpen] = useState<number | null>(null);
  return (
    <>
      <FilterForm
        onApply={() => {
          pager.reset();
          setFilters({ ...draft });
        }}
      >
        <label>
          Actor
          <input name="actor" value={draft.actor} onInput={(event) => setDraft({ ...draft, actor: (event.target as HTMLInputElement).value })} />
        </label>
        <label>
          Action
          <input
            name="action"
            value={draft.action}
            placeholder="rule.approve"
            list="audit-actions"
            onInput={(event) => setDraft({ ...draft, action: (event.target as HTMLInputElement).value })}
          />
          <datalist id="audit-actions">
            {['update.upload', 'rule.import', 'rule.approve', 'rule.reset', 'rule.restore', 'rule.remove', 'testDevice.create', 'testDevice.update',
              'testDevice.delete', 'configuration.set', 'configuration.remove', 'configuration.reset', 'token.create', 'token.delete', 'files.purge'].map(
              (action) => <option key={action} value={action} />,
            )}
          </datalist>
        </label>
        <label>
          Changed
          <input
            name="subject"
            value={draft.subject}
            placeholder="UCPhone/Polycom/CX600/A/ENU/CPE"
            onInput={(event) => setDraft({ ...draft, subject: (event.target as HTMLInputElement).value })}
          />
        </label>
        <label>
          Target
          <input name="target" value={draft.target} placeholder="rule/<id>" onInput={(event) => setDraft({ ...draft, target: (event.target as HTMLInputElement).value })} />
        </label>
        <label>
          Since (UTC)
          <input type="datetime-local" name="since" value={draft.since} onInput={(event) => setDraft({ ...draft, since: (event.target as HTMLInputElement).value })} />
        </label>
        <label>
          Until (UTC)
          <input type="datetime-local" name="until" value={draft.until} onInput={(event) => setDraft({ ...draft, until: (event.target as HTMLInputElement).value })} />
        </label>
        <button type="submit">Filter</button>
      </FilterForm>
      {page.error != null && <Refusal error={page.error} />}
      <TableScroller label="Admin changes">
        <table class="data">
          <thead>
            <tr>
              <th scope="col">At (UTC)</th>
              <th scope="col">Actor</th>
              <th scope="col">Role</th>
              <th scope="col">Action</th>
              <th scope="col">Changed</th>
              <th scope="col">Node</th>
              <th scope="col">Change</th>
            </tr>
          </thead>
          <tbody>
            {(page.data?.items ?? []).map((change, index) => (
              <tr key={`${change.at}-${index}`}>
                <td>{time(change.at)}</td>
                <td>{change.actor}</td>
                <td>{change.role}</td>
                <td>
                  <code>{change.action}</code>
                </td>
                <td class="wrap">
                  {change.subject ?? change.target}
                  {change.subject !== null && <div class="small"><code>{change.target}</code></div>}
                </td>
                <td>{change.nodeId}</td>
                <td>
                  <button type="button" aria-expanded={open === index} onClick={() => setOpen(open === index ? null : index)}>
                    {open === index ? 'Hide' : 'Show'}
                  </button>
                  {open === index && (
                    <div class="before-after">
                      <pre aria-label="Before">{JSON.stringify(change.before, null, 2)}</pre>
                      <pre aria-label="After">{JSON.stringify(change.after, null, 2)}</pre>
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroller>
      {!page.loading && page.data?.items.length === 0 && <p class="empty">No changes match.</p>}
      <Pager pager={pager} nextCursor={page.data?.nextCursor} />
    </>
  );
}

function RequestAudit() {
  const [draft, setDraft] = useState({ macAddress: '', serialNumber: '', nodeId: '', since: '', until: '' });
  const [filters, setFilters] = useState(draft);
  const pager = usePager();
  const page = useLoad(
    () =>
      api<Page<RequestAuditView>>(
        'GET',
        `${ROUTES.requestAudit}${query({
          macAddress: filters.macAddress,
          serialNumber: filters.serialNumber,
          nodeId: filters.nodeId,
          since: utcFromInput(filters.since),
          until: utcFromInput(filters.until),
          limit: 50,
          cursor: pager.cursor,
        })}`,
      ),
    [filters, pager.cursor],
  );
  const text = (name: 'macAddress' | 'serialNumber' | 'nodeId', label: string) => (
    <label>
      {label}
      <input name={name} value={draft[name]} onInput={(event) => setDraft({ ...draft, [name]: (event.target as HTMLInputElement).value })} />
    </label>
  );
  return (
    <>
      <FilterForm
        onApply={() => {
          pager.reset();
          setFilters({ ...draft });
        }}
      >
        {text('macAddress', 'MAC address')}
        {text('serialNumber', 'Serial number')}
        {text('nodeId', 'Node')}
        <label>
          Since (UTC)
          <input type="datetime-local" name="since" value={draft.since} onInput={(event) => setDraft({ ...draft, since: (event.target as HTMLInputElement).value })} />
        </label>
        <label>
          Until (UTC)
          <input type="datetime-local" name="until" value={draft.until} onInput={(event) => setDraft({ ...draft, until: (event.target as HTMLInputElement).value })} />
        </label>
        <button type="submit">Filter</button>
      </FilterForm>
      {page.error != null && <Refusal error={page.error} />}
      <TableScroller label="Update requests">
        <table class="data">
          <thead>
            <tr>
              <th scope="col">At (UTC)</th>
              <th scope="col">Node</th>
              <th scope="col">Address</th>
              <th scope="col">MAC address</th>
              <th scope="col">Serial</th>
              <th scope="col">Device</th>
              <th scope="col">Installed</th>
              <th scope="col">Offered</th>
              <th scope="col">User</th>
              <th scope="col">Listener</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {(page.data?.items ?? []).map((entry, index) => (
              <tr key={`${entry.at}-${index}`}>
                <td>{time(entry.at)}</td>
                <td>{entry.nodeId}</td>
                <td>{entry.address}</td>
                <td>
                  <code>{entry.macAddress ?? '—'}</code>
                </td>
                <td>{entry.serialNumber ?? '—'}</td>
                <td>
                  {entry.vendor} {entry.model}
                </td>
                <td class="wrap">{entry.requestModules.map((module) => `${module.filename} ${module.version}`).join(', ') || '—'}</td>
                <td class="wrap">{entry.responseModules.map((module) => `${module.filename} ${module.version}`).join(', ') || '—'}</td>
                <td>{entry.userId ?? '—'}</td>
                <td>{entry.external ? 'external' : 'internal'}</td>
                <td>{entry.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroller>
      {!page.loading && page.data?.items.length === 0 && <p class="empty">No update requests match.</p>}
      <Pager pager={pager} nextCursor={page.data?.nextCursor} />
    </>
  );
}
