import { useState } from 'preact/hooks';
import { type DeviceLogView, type Page, pathOf, ROUTES } from '@ucupdates/admin-api';
import { api, query } from '../api';
import type { PageProps } from '../app';
import { bytes, FilterForm, PageHeader, Pager, Refusal, TableScroller, time, useLoad, usePager, utcFromInput } from '../ui';

/** The logs phones uploaded, in one place for the whole pool; each downloads as the phone sent it. */
export function DeviceLogsPage(_props: PageProps) {
  const [draft, setDraft] = useState({ macAddress: '', serialNumber: '', logType: '', since: '', until: '' });
  const [filters, setFilters] = useState(draft);
  const pager = usePager();
  const page = useLoad(
    () =>
      api<Page<DeviceLogView>>(
        'GET',
        `${ROUTES.deviceLogs}${query({
          macAddress: filters.macAddress,
          serialNumber: filters.serialNumber,
          logType: filters.logType,
          since: utcFromInput(filters.since),
          until: utcFromInput(filters.until),
          limit: 50,
          cursor: pager.cursor,
        })}`,
      ),
    [filters, pager.cursor],
  );
  const onInput = (name: keyof typeof draft) => (event: Event) => setDraft({ ...draft, [name]: (event.target as HTMLInputElement).value });
  const input = (name: keyof typeof draft, label: string) => (
    <label>
      {label}
      <input name={name} value={draft[name]} onInput={onInput(name)} />
    </label>
  );
  const when = (name: 'since' | 'until', label: string) => (
    <label>
      {label}
      <input type="datetime-local" name={name} value={draft[name]} onInput={onInput(name)} />
    </label>
  );
  return (
    <section aria-labelledby="page-title">
      <PageHeader title="Device Logs">
        <p class="lede">Log files uploaded by phones, kept as long as the log configuration says.</p>
      </PageHeader>
      <FilterForm
        onApply={() => {
          pager.reset();
          setFilters({ ...draft });
        }}
      >
        {input('macAddress', 'MAC address')}
        {input('serialNumber', 'Serial number')}
        {input('logType', 'Log type')}
        {when('since', 'Since (UTC)')}
        {when('until', 'Until (UTC)')}
        <button type="submit">Filter</button>
      </FilterForm>
      {page.error != null && <Refusal error={page.error} />}
      <TableScroller label="Device logs">
        <table class="data">
          <thead>
            <tr>
              <th scope="col">Uploaded (UTC)</th>
              <th scope="col">Device</th>
              <th scope="col">MAC address</th>
              <th scope="col">Serial</th>
              <th scope="col">Type</th>
              <th scope="col">File</th>
              <th scope="col">Size</th>
              <th scope="col">Node</th>
              <th scope="col">Download</th>
            </tr>
          </thead>
          <tbody>
            {(page.data?.items ?? []).map((log) => (
              <tr key={log.id}>
                <td>{time(log.createdAt)}</td>
                <td>{log.deviceType}</td>
                <td>
                  <code>{log.macAddress ?? '—'}</code>
                </td>
                <td>{log.serialNumber ?? '—'}</td>
                <td>{log.logType}</td>
                <td class="wrap">{log.fileName}</td>
                <td>{bytes(log.size)}</td>
                <td>{log.nodeId}</td>
                <td>
                  <a href={pathOf(ROUTES.deviceLogContent, { id: log.id })} download={log.fileName} aria-label={`Download ${log.fileName}`}>
                    Download
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroller>
      {!page.loading && page.data?.items.length === 0 && <p class="empty">No device logs match.</p>}
      <Pager pager={pager} nextCursor={page.data?.nextCursor} />
    </section>
  );
}
