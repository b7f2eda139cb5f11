import { useState } from 'preact/hooks';
import { ApiFailure, type IdentifierType, type Page, pathOf, ROUTES, type TestDeviceView } from '@ucupdates/admin-api';
import { api, query } from '../api';
import type { PageProps } from '../app';
import { fieldOf } from '../errors';
import { Confirm, Dialog, PageHeader, ReadOnlyNote, Refusal, TableScroller, useLoad } from '../ui';

type Draft = Omit<TestDeviceView, 'id'>;

const EMPTY: Draft = { scope: 'global', name: '', identifierType: 'MACAddress', identifier: '' };

const IDENTIFIER_LABELS: Record<IdentifierType, string> = {
  MACAddress: 'MAC address',
  SerialNumber: 'Serial number',
  ControllerId: 'Controller id',
};

const IDENTIFIER_HINTS: Record<IdentifierType, string> = {
  MACAddress: 'six or more hex pairs, joined or separated by - or : (00-04-F2-12-34-56)',
  SerialNumber: 'letters, digits, - and _',
  ControllerId: "a DDI device's controller id: 1-64 letters, digits, ., _, - and :",
};

/** Lync's test devices (phones, and DDI devices by controller id): they get a pending version before everyone else gets it approved. */
export function TestDevicesPage({ session }: PageProps) {
  const mayChange = session.role !== 'viewer';
  const devices = useLoad(async () => {
    const items: TestDeviceView[] = [];
    let cursor: string | null = null;
    do {
      const answer: Page<TestDeviceView> = await api('GET', `${ROUTES.testDevices}${query({ limit: 1000, cursor })}`);
      items.push(...answer.items);
      cursor = answer.nextCursor;
    } while (cursor && items.length < 10_000);
    return items;
  });
  const [editing, setEditing] = useState<{ device: TestDeviceView | null } | null>(null);
  const [deleting, setDeleting] = useState<TestDeviceView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const remove = async (device: TestDeviceView) => {
    setDeleting(null);
    setError(null);
    try {
      await api('DELETE', pathOf(ROUTES.testDevice, { id: device.id }));
      setNotice(`Test device "${device.name}" deleted.`);
    } catch (failure) {
      setError(failure);
    }
    devices.reload();
  };

  return (
    <section aria-labelledby="page-title">
      <PageHeader title="Test Devices">
        <p class="lede">Devices that are offered a pending version before it is approved, by MAC address or serial number.</p>
      </PageHeader>
      {mayChange ? (
        <div class="toolbar">
          <button type="button" class="primary" onClick={() => setEditing({ device: null })}>
            New test device…
          </button>
        </div>
      ) : (
        <ReadOnlyNote role={session.role} needs="operator or admin" />
      )}
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {error != null && <Refusal error={error} />}
      {devices.error != null && <Refusal error={devices.error} />}
      <TableScroller label="Test devices">
        <table class="data">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Scope</th>
              <th scope="col">Identified by</th>
              <th scope="col">Identifier</th>
              {mayChange && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {(devices.data ?? []).map((device) => (
              <tr key={device.id}>
                <td>{device.name}</td>
                <td>{device.scope}</td>
                <td>{IDENTIFIER_LABELS[device.identifierType]}</td>
                <td>
                  <code>{device.identifier}</code>
                </td>
                {mayChange && (
                  <td class="row-actions">
                    <button type="button" onClick={() => setEditing({ device })} aria-label={`Edit ${device.name}`}>
                      Edit
                    </button>
                    <button type="button" class="danger" onClick={() => setDeleting(device)} aria-label={`Delete ${device.name}`}>
                      Delete
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroller>
      {!devices.loading && devices.data?.length === 0 && <p class="empty">No test devices.</p>}

      {editing && (
        <TestDeviceForm
          device={editing.device}
          onClose={() => setEditing(null)}
          onSaved={(saved) => {
            setEditing(null);
            setNotice(`Test device "${saved.name}" ${editing.device ? 'saved' : 'created'}.`);
            devices.reload();
          }}
        />
      )}
      {deleting && (
        <Confirm title={`Delete test device "${deleting.name}"?`} confirmLabel="Delete" danger onCancel={() => setDeleting(null)} onConfirm={() => void remove(deleting)}>
          <p>
            {IDENTIFIER_LABELS[deleting.identifierType]} <code>{deleting.identifier}</code> in scope{' '}
            {deleting.scope} will be offered approved versions only.
          </p>
        </Confirm>
      )}
    </section>
  );
}

function TestDeviceForm(props: { device: TestDeviceView | null; onClose: () => void; onSaved: (device: TestDeviceView) => void }) {
  const [draft, setDraft] = useState<Draft>(props.device ? { ...props.device } : EMPTY);
  const [error, setError] = useState<ApiFailure | null>(null);
  const [busy, setBusy] = useState(false);
  const field = error ? fieldOf(error) : null;
  const set = (name: keyof Draft) => (event: Event) => setDraft({ ...draft, [name]: (event.target as HTMLInputElement).value });
  const messageFor = (name: string) =>
    field === name && error ? (
      <span class="field-error" id={`${name}-error`}>
        {error.message}
      </span>
    ) : null;

  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const saved = props.device
        ? await api<TestDeviceView>('PATCH', pathOf(ROUTES.testDevice, { id: props.device.id }), changedFields(props.device, draft))
        : await api<TestDeviceView>('POST', ROUTES.testDevices, draft);
      props.onSaved(saved);
    } catch (failure) {
      setError(failure instanceof ApiFailure ? failure : new ApiFailure(0, 'Error', String(failure)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={props.device ? `Edit test device "${props.device.name}"` : 'New test device'} onClose={props.onClose}>
      <form onSubmit={save} class="form" noValidate>
        <label>
          Name
          <input name="name" value={draft.name} onInput={set('name')} required aria-invalid={field === 'name'} aria-describedby="name-error" autofocus />
          {messageFor('name')}
        </label>
        <label>
          Scope
          <input name="scope" value={draft.scope} onInput={set('scope')} aria-invalid={field === 'scope'} aria-describedby="scope-error scope-hint" />
          <span class="hint" id="scope-hint">
            global, or site:NAME
          </span>
          {messageFor('scope')}
        </label>
        <label>
          Identified by
          <select name="identifierType" value={draft.identifierType} onChange={set('identifierType')}>
            <option value="MACAddress">MAC address</option>
            <option value="SerialNumber">Serial number</option>
            <option value="ControllerId">Controller id (DDI)</option>
          </select>
        </label>
        <label>
          {IDENTIFIER_LABELS[draft.identifierType]}
          <input
            name="identifier"
            value={draft.identifier}
            onInput={set('identifier')}
            aria-invalid={field === 'identifier'}
            aria-describedby="identifier-error identifier-hint"
          />
          <span class="hint" id="identifier-hint">
            {IDENTIFIER_HINTS[draft.identifierType]}
          </span>
          {messageFor('identifier')}
        </label>
        {error && !field && <Refusal error={error} />}
        {error && field && <p class="sr-only" role="alert">{error.message}</p>}
        <div class="actions">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {props.device ? 'Save' : 'Create'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function changedFields(before: TestDeviceView, after: Draft): Partial<Draft> {
  const changed: Partial<Draft> = {};
  for (const name of ['scope', 'name', 'identifierType', 'identifier'] as const) {
    if (before[name] !== after[name]) {
      (changed as Record<string, string>)[name] = after[name];
    }
  }
  // An identifier is checked against its type, so a new type goes with its identifier and back.
  if (changed.identifierType !== undefined || changed.identifier !== undefined) {
    changed.identifierType = after.identifierType;
    changed.identifier = after.identifier;
  }
  return changed;
}
