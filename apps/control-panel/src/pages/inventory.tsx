import { useState } from 'preact/hooks';
import { type DeviceView, type Page, ROUTES } from '@ucupdates/admin-api';
import { api, query } from '../api';
import type { PageProps } from '../app';
import { type Distribution, type InventoryDevice, PALETTE, versionDistribution } from '../inventory-chart';
import { PageHeader, Refusal, TableScroller, time, useLoad } from '../ui';

/** How many devices the chart counts at most (pages of 1000); the filters narrow it down. */
const MAX_DEVICES = 10_000;

/** The devices that checked for updates: by model and installed version, as a chart and a table. */
export function InventoryPage(_props: PageProps) {
  const [draft, setDraft] = useState({ brand: '', model: '', version: '' });
  const [filters, setFilters] = useState(draft);
  const devices = useLoad(async () => {
    const items: DeviceView[] = [];
    let cursor: string | null = null;
    do {
      const answer: Page<DeviceView> = await api('GET', `${ROUTES.devices}${query({ ...filters, limit: 1000, cursor })}`);
      items.push(...answer.items);
      cursor = answer.nextCursor;
    } while (cursor && items.length < MAX_DEVICES);
    return { items, truncated: Boolean(cursor) };
  }, [filters]);
  const items = devices.data?.items ?? [];
  const distribution = versionDistribution(items);
  return (
    <section aria-labelledby="page-title">
      <PageHeader title="Inventory">
        <p class="lede">
          {items.length}
          {devices.data?.truncated ? '+' : ''} device{items.length === 1 ? '' : 's'} seen, and the versions they run.
        </p>
      </PageHeader>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          setFilters({ ...draft });
        }}
      >
        {(['brand', 'model', 'version'] as const).map((name) => (
          <label key={name}>
            {name[0].toUpperCase() + name.slice(1)}
            <input name={name} value={draft[name]} placeholder="any" onInput={(event) => setDraft({ ...draft, [name]: (event.target as HTMLInputElement).value })} />
          </label>
        ))}
        <button type="submit">Filter</button>
      </form>
      {devices.error != null && <Refusal error={devices.error} />}
      {distribution.length > 0 && <VersionChart distribution={distribution} />}
      {!devices.loading && items.length === 0 && !devices.error && <p class="empty">No device has checked for updates yet.</p>}
      <h2>Devices</h2>
      <TableScroller label="Devices">
        <table class="data">
          <thead>
            <tr>
              <th scope="col">MAC address</th>
              <th scope="col">Serial number</th>
              <th scope="col">Brand</th>
              <th scope="col">Model</th>
              <th scope="col">Revision</th>
              <th scope="col">Locale</th>
              <th scope="col">Installed</th>
              <th scope="col">Test device</th>
              <th scope="col">Last seen</th>
            </tr>
          </thead>
          <tbody>
            {items.slice(0, 500).map((device) => (
              <tr key={device.id}>
                <td>
                  <code>{device.macAddress ?? '—'}</code>
                </td>
                <td>{device.serialNumber ?? '—'}</td>
                <td>{device.brand}</td>
                <td>{device.model}</td>
                <td>{device.revision}</td>
                <td>{device.locale}</td>
                <td>{device.modules.map((module) => `${module.updateType} ${module.version}`).join(', ')}</td>
                <td>{device.isTestDevice ? 'yes' : 'no'}</td>
                <td>{time(device.lastSeenAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroller>
      {items.length > 500 && <p class="note">The table shows the 500 most recently seen; the chart counts all {items.length}.</p>}
    </section>
  );
}

/** One stacked bar per model and update type; each segment a version, widths by share. Inline SVG. */
function VersionChart({ distribution }: { distribution: Distribution[] }) {
  const rows = distribution.slice(0, 20);
  const versions = [...new Set(rows.flatMap((row) => row.versions.map((each) => each.version)))];
  const colour = (version: string) => PALETTE[versions.indexOf(version) % PALETTE.length];
  const rowHeight = 44;
  const width = 1000;
  const summary = rows
    .map((row) => `${row.label}: ${row.versions.map((each) => `${each.count} on ${each.version}`).join(', ')}`)
    .join('; ');
  return (
    <figure class="chart">
      <figcaption>Installed versions per model and update type</figcaption>
      <svg viewBox={`0 0 ${width} ${rows.length * rowHeight}`} role="img" aria-label={summary} preserveAspectRatio="xMinYMin meet">
        {rows.map((row, index) => {
          let x = 0;
          const y = index * rowHeight;
          return (
            <g key={row.label}>
              <text x="0" y={y + 14} class="chart-label">
                {row.label} ({row.total})
              </text>
              {row.versions.map((each) => {
                const segment = (each.count / row.total) * width;
                const rect = (
                  <rect key={each.version} x={x} y={y + 20} width={Math.max(segment, 1)} height="18" fill={colour(each.version)}>
                    <title>
                      {row.label}: {each.count} on {each.version}
                    </title>
                  </rect>
                );
                x += segment;
                return rect;
              })}
            </g>
          );
        })}
      </svg>
      <ul class="legend">
        {versions.map((version) => (
          <li key={version}>
            <svg width="14" height="14" aria-hidden="true">
              <rect width="14" height="14" fill={colour(version)} />
            </svg>{' '}
            {version}
          </li>
        ))}
      </ul>
    </figure>
  );
}
