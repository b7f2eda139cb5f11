import { useEffect, useState } from 'preact/hooks';
import {
  ApiFailure,
  type DdiTargetDetailView,
  type DdiTargetView,
  type NewDdiTargetView,
  type Page,
  pathOf,
  ROUTES,
} from '@ucupdates/admin-api';
import { api, query } from '../api';
import type { PageProps } from '../app';
import { fieldOf } from '../errors';
import { Confirm, Dialog, FilterForm, ListEnd, Notice, PageHeader, ReadOnlyNote, Refusal, TableScroller, time, useLoad, usePager, utcFromInput } from '../ui';

/** The list's filters, as the API takes them (GET /api/v1/ddi/targets). */
interface Filters {
  vendor: string;
  model: string;
  hwRevision: string;
  installedVersion: string;
  seenSince: string;
}

const EMPTY: Filters = { vendor: '', model: '', hwRevision: '', installedVersion: '', seenSince: '' };

const FILTER_LABELS: Record<keyof Filters, string> = {
  vendor: 'Vendor',
  model: 'Model',
  hwRevision: 'HW revision',
  installedVersion: 'Installed version',
  seenSince: 'Seen since (UTC)',
};

/** The device a `#/ddi-targets?device=ID` address names, if any. */
function deviceOfHash(): string | null {
  const search = location.hash.split('?')[1];
  return search ? new URLSearchParams(search).get('device') : null;
}

export const ddiTargetHref = (controllerId: string) => `#/ddi-targets?device=${encodeURIComponent(controllerId)}`;
export const ddiActionsHref = (controllerId: string) => `#/ddi-actions?controllerId=${encodeURIComponent(controllerId)}`;

const installed = (target: DdiTargetView) =>
  target.installed.length === 0 ? <span class="none">none yet</span> : target.installed.map((module) => `${module.updateType} ${module.version}`).join(', ');

/**
 * The devices that update through hawkBit's DDI API (docs/ddi.md), beside the phones: page by page
 * with the filters of the API, each with what it installed, its open action and its last poll; one
 * device in full (its last results) from the list or an address of its own; registering a device,
 * issuing its token (shown once) and removing it for operators.
 */
export function DdiTargetsPage({ session }: PageProps) {
  const [device, setDevice] = useState<string | null>(deviceOfHash());
  useEffect(() => {
    const onHash = () => setDevice(deviceOfHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return device === null ? <TargetList session={session} /> : <TargetDetail key={device} session={session} controllerId={device} />;
}

function TargetList({ session }: PageProps) {
  const mayChange = session.role !== 'viewer';
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [registering, setRegistering] = useState(false);
  const [issued, setIssued] = useState<NewDdiTargetView | null>(null);
  const pager = usePager();
  const page = useLoad(
    () => api<Page<DdiTargetView>>('GET', `${ROUTES.ddiTargets}${query({ ...filters, seenSince: utcFromInput(filters.seenSince), limit: 50, cursor: pager.cursor })}`),
    [filters, pager.cursor],
  );
  return (
    <section aria-labelledby="page-title">
      <PageHeader title="DDI Devices">
        <p class="lede">Linux devices that update through hawkBit's DDI API (SWUpdate), by controller id: what they installed, their open action and last poll.</p>
      </PageHeader>
      {mayChange ? (
        <div class="toolbar">
          <button type="button" class="primary" onClick={() => setRegistering(true)}>
            Register device…
          </button>
        </div>
      ) : (
        <ReadOnlyNote role={session.role} needs="operator or admin" />
      )}
      {issued && <TokenShown issued={issued} onClose={() => setIssued(null)} />}
      <FilterForm
        onApply={() => {
          pager.reset();
          setFilters({ ...draft });
        }}
      >
        {(['vendor', 'model', 'hwRevision', 'installedVersion'] as const).map((name) => (
          <label key={name}>
            {FILTER_LABELS[name]}
            <input name={name} value={draft[name]} placeholder="any" onInput={(event) => setDraft({ ...draft, [name]: (event.target as HTMLInputElement).value })} />
          </label>
        ))}
        <label>
          {FILTER_LABELS.seenSince}
          <input
            type="datetime-local"
            name="seenSince"
            value={draft.seenSince}
            onInput={(event) => setDraft({ ...draft, seenSince: (event.target as HTMLInputElement).value })}
          />
        </label>
        <button type="submit">Filter</button>
        <button
          type="button"
          onClick={() => {
            pager.reset();
            setDraft(EMPTY);
            setFilters(EMPTY);
          }}
        >
          Clear
        </button>
      </FilterForm>
      {page.error != null && <Refusal error={page.error} />}
      <TableScroller label="DDI devices">
        <table class="data ddi-targets">
          <thead>
            <tr>
              <th scope="col">Controller id</th>
              <th scope="col">Vendor</th>
              <th scope="col">Model</th>
              <th scope="col">HW revision</th>
              <th scope="col">Installed</th>
              <th scope="col">Open action</th>
              <th scope="col">Last poll (UTC)</th>
              <th scope="col">Node</th>
            </tr>
          </thead>
          <tbody>
            {(page.data?.items ?? []).map((target) => (
              <tr key={target.controllerId} data-controller-id={target.controllerId}>
                <td>
                  <a href={ddiTargetHref(target.controllerId)}>
                    <code>{target.controllerId}</code>
                  </a>
                </td>
                <td>{target.attributes.vendor ?? '—'}</td>
                <td>{target.attributes.model ?? '—'}</td>
                <td>{target.attributes.hwRevision ?? '—'}</td>
                <td>{installed(target)}</td>
                <td>{target.openAction ? `${target.openAction.version} (${target.openAction.status})` : <span class="none">none</span>}</td>
                <td>{time(target.lastPoll?.at)}</td>
                <td>{target.lastPoll?.nodeId ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroller>
      <ListEnd list={page} pager={pager} empty="No DDI devices match." />
      {registering && (
        <RegisterForm
          onClose={() => setRegistering(false)}
          onRegistered={(created) => {
            setRegistering(false);
            setIssued(created);
            page.reload();
          }}
        />
      )}
    </section>
  );
}

function TargetDetail({ session, controllerId }: PageProps & { controllerId: string }) {
  const mayChange = session.role !== 'viewer';
  const target = useLoad(() => api<DdiTargetDetailView>('GET', pathOf(ROUTES.ddiTarget, { controllerId })), [controllerId]);
  const [confirming, setConfirming] = useState<'token' | 'remove' | null>(null);
  const [issued, setIssued] = useState<NewDdiTargetView | null>(null);
  const [removed, setRemoved] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const issueToken = async () => {
    setConfirming(null);
    setError(null);
    try {
      setIssued(await api<NewDdiTargetView>('POST', pathOf(ROUTES.ddiTargetToken, { controllerId })));
      target.reload();
    } catch (failure) {
      setError(failure);
    }
  };
  const remove = async () => {
    setConfirming(null);
    setError(null);
    try {
      await api('DELETE', pathOf(ROUTES.ddiTarget, { controllerId }));
      setRemoved(true);
    } catch (failure) {
      setError(failure);
    }
  };

  const data = target.data;
  return (
    <section aria-labelledby="page-title">
      <PageHeader title={`DDI device ${controllerId}`}>
        <p class="lede">
          <a href="#/ddi-targets">← All DDI devices</a> · <a href={ddiActionsHref(controllerId)}>Every action of this device</a>
        </p>
      </PageHeader>
      {removed ? (
        <Notice text={`DDI device ${controllerId} removed: its token no longer works; what it did stays in the request audit.`} />
      ) : (
        <>
          {mayChange && data && (
            <div class="toolbar">
              <button type="button" onClick={() => setConfirming('token')}>
                Issue new token…
              </button>
              <button type="button" class="danger" onClick={() => setConfirming('remove')}>
                Remove device…
              </button>
            </div>
          )}
          {!mayChange && <ReadOnlyNote role={session.role} needs="operator or admin" />}
          {issued && <TokenShown issued={issued} onClose={() => setIssued(null)} />}
          {error != null && <Refusal error={error} />}
          {target.error != null && <Refusal error={target.error} />}
          {target.loading && !data && <p class="loading">Loading…</p>}
          {data && <TargetFacts target={data} />}
        </>
      )}
      {confirming === 'token' && (
        <Confirm title={`Issue a new token for ${controllerId}?`} confirmLabel="Issue new token" onCancel={() => setConfirming(null)} onConfirm={() => void issueToken()}>
          <p>The device's current target token stops working at once; the new one is shown once.</p>
        </Confirm>
      )}
      {confirming === 'remove' && (
        <Confirm title={`Remove DDI device ${controllerId}?`} confirmLabel="Remove" danger onCancel={() => setConfirming(null)} onConfirm={() => void remove()}>
          <p>Its target token stops working and the pool forgets its attributes; what it did stays in the request audit.</p>
        </Confirm>
      )}
    </section>
  );
}

function TargetFacts({ target }: { target: DdiTargetDetailView }) {
  const open = target.openAction;
  return (
    <>
      <div class="cards ddi-facts">
        <div class="card">
          <h2>Device</h2>
          <dl class="facts">
            {Object.entries(target.attributes).map(([name, value]) => (
              <div key={name}>
                <dt>{name}</dt>
                <dd>{value}</dd>
              </div>
            ))}
            <div>
              <dt>Registered by</dt>
              <dd>{target.registeredBy}</dd>
            </div>
            <div>
              <dt>Token issued (UTC)</dt>
              <dd>{target.tokenIssuedAt ? time(target.tokenIssuedAt) : 'no token (a gateway speaks for it)'}</dd>
            </div>
          </dl>
        </div>
        <div class="card">
          <h2>Update</h2>
          <dl class="facts">
            <div>
              <dt>Installed</dt>
              <dd class="installed">{installed(target)}</dd>
            </div>
            <div>
              <dt>Open action</dt>
              <dd class="open-action">{open ? `${open.id}: ${open.updateType} ${open.version} (${open.status}) since ${time(open.createdAt)}` : 'none'}</dd>
            </div>
            <div>
              <dt>Last poll (UTC)</dt>
              <dd class="last-poll">{target.lastPoll ? `${time(target.lastPoll.at)} by ${target.lastPoll.nodeId} from ${target.lastPoll.address}` : 'never'}</dd>
            </div>
            <div>
              <dt>Last seen (UTC)</dt>
              <dd>{time(target.lastSeenAt)}</dd>
            </div>
          </dl>
        </div>
      </div>
      <h2 id="ddi-results">Last results</h2>
      {target.results.length === 0 ? (
        <p class="empty">The device has reported on no action yet.</p>
      ) : (
        <TableScroller label="Last results">
          <table class="data ddi-results" aria-labelledby="ddi-results">
            <thead>
              <tr>
                <th scope="col">Action</th>
                <th scope="col">Update type</th>
                <th scope="col">Version</th>
                <th scope="col">Status</th>
                <th scope="col">Execution</th>
                <th scope="col">Result</th>
                <th scope="col">Received (UTC)</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {target.results.map((result) => (
                <tr key={result.actionId}>
                  <td>{result.actionId}</td>
                  <td>{result.updateType}</td>
                  <td>{result.version}</td>
                  <td>{result.status}</td>
                  <td>{result.execution}</td>
                  <td>{result.finished}</td>
                  <td>{time(result.at)}</td>
                  <td class="wrap">{result.details.join(' · ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroller>
      )}
    </>
  );
}

/** A target token, shown this once: nothing keeps it after the dialog closes. */
function TokenShown({ issued, onClose }: { issued: NewDdiTargetView; onClose: () => void }) {
  return (
    <Dialog title={`Target token for ${issued.controllerId}`} onClose={onClose}>
      <div class="dialog-body">
        <p>
          <strong>Copy it now: it is shown this once.</strong> The pool keeps only its hash. The device sends it as{' '}
          <code>Authorization: TargetToken &lt;token&gt;</code> (SWUpdate's <code>targettoken</code>).
        </p>
        <label class="form">
          Target token
          <input class="issued-token" readOnly value={issued.token} onFocus={(event) => (event.target as HTMLInputElement).select()} />
        </label>
      </div>
      <div class="actions">
        <button type="button" class="primary" autofocus onClick={onClose}>
          Done
        </button>
      </div>
    </Dialog>
  );
}

interface Registration {
  controllerId: string;
  vendor: string;
  model: string;
  hwRevision: string;
  locale: string;
}

function RegisterForm(props: { onClose: () => void; onRegistered: (created: NewDdiTargetView) => void }) {
  const [draft, setDraft] = useState<Registration>({ controllerId: '', vendor: '', model: '', hwRevision: '', locale: '' });
  const [error, setError] = useState<ApiFailure | null>(null);
  const [busy, setBusy] = useState(false);
  const field = error ? fieldOf(error) : null;
  const register = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const { controllerId, locale, ...attributes } = draft;
    try {
      props.onRegistered(
        await api<NewDdiTargetView>('POST', ROUTES.ddiTargets, { controllerId, attributes: { ...attributes, ...(locale ? { locale } : {}) } }),
      );
    } catch (failure) {
      setError(failure instanceof ApiFailure ? failure : new ApiFailure(0, 'Error', String(failure)));
    } finally {
      setBusy(false);
    }
  };
  // The API names attribute fields `attributes.vendor`, …
  const input = (name: keyof Registration, label: string, apiField: string, hint?: string) => (
    <label>
      {label}
      <input
        name={name}
        value={draft[name]}
        onInput={(event) => setDraft({ ...draft, [name]: (event.target as HTMLInputElement).value })}
        aria-invalid={field === apiField}
        aria-describedby={`${name}-error${hint ? ` ${name}-hint` : ''}`}
        autofocus={name === 'controllerId'}
      />
      {hint && (
        <span class="hint" id={`${name}-hint`}>
          {hint}
        </span>
      )}
      {field === apiField && error && (
        <span class="field-error" id={`${name}-error`}>
          {error.message}
        </span>
      )}
    </label>
  );
  return (
    <Dialog title="Register a DDI device" onClose={props.onClose}>
      <form onSubmit={register} class="form" noValidate>
        {input('controllerId', 'Controller id', 'controllerId', '1-64 letters, digits, ., _, - and :')}
        {input('vendor', 'Vendor', 'attributes.vendor', "the rule's Brand")}
        {input('model', 'Model', 'attributes.model', "the rule's Model")}
        {input('hwRevision', 'HW revision', 'attributes.hwRevision', "the rule's Revision")}
        {input('locale', 'Locale (optional)', 'attributes.locale', "the rule's Locale; Neutral when empty")}
        {error && !field && <Refusal error={error} />}
        {error && field && (
          <p class="sr-only" role="alert">
            {error.message}
          </p>
        )}
        <div class="actions">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy}>
            Register and issue token
          </button>
        </div>
      </form>
    </Dialog>
  );
}
