import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import {
  type DeviceComplianceView,
  type DeviceCountView,
  type DeviceSummaryView,
  type DeviceView,
  type Page,
  ROUTES,
  type RuleAdoptionView,
} from '@ucupdates/admin-api';
import { api, query } from '../api';
import type { PageProps } from '../app';
import { type Distribution, PALETTE, percent, versionDistribution } from '../inventory-chart';
import { count, FilterForm, PageHeader, Pager, Refusal, ShareBar, TableScroller, time, useLoad, usePager, utcFromInput } from '../ui';

/** The inventory's filters, as the API takes them (the device list's). */
interface Filters {
  brand: string;
  model: string;
  version: string;
  seenSince: string;
}

const EMPTY: Filters = { brand: '', model: '', version: '', seenSince: '' };

/** What the page draws after the totals, one part a frame: the adoption table, the chart, the counts per field. */
const DETAIL_PARTS = 3;

const ruleName = (rule: RuleAdoptionView) => `${rule.brand} ${rule.model} ${rule.revision} ${rule.locale} ${rule.updateType}`;

/**
 * The devices that checked for updates, counted by the pool's database (GET /api/v1/devices/summary:
 * true totals, whatever the inventory's size): per rule the share on its approved version, the
 * versions per model and update type as a chart, the counts per field; the devices themselves and
 * those behind on their rules page by page, on demand; the inventory as CSV.
 */
export function InventoryPage(_props: PageProps) {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const apiFilters = { ...filters, seenSince: utcFromInput(filters.seenSince) };
  const summary = useLoad(() => api<DeviceSummaryView>('GET', `${ROUTES.devicesSummary}${query(apiFilters)}`), [filters]);
  const data = summary.data;
  // The totals are drawn first, then the adoption table, the chart and the counts per field of the
  // same answer, each after the browser has painted what came before: one long task for all of
  // them held the totals off the screen for a fifth of a second (docs/performance.md).
  const [drawn, setDrawn] = useState<{ data: DeviceSummaryView | undefined; parts: number }>({ data: undefined, parts: 0 });
  useEffect(() => {
    if (drawn.data === data && drawn.parts >= DETAIL_PARTS) return undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A callback of requestAnimationFrame runs before that frame's paint; the timer after it.
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => setDrawn((now) => (now.data === data ? { data, parts: now.parts + 1 } : { data, parts: 1 })), 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [data, drawn]);
  const details = (part: number) => (drawn.data === data && drawn.parts >= part ? data : undefined);
  const [adoption, chart, counts] = [details(1), details(2), details(3)];
  return (
    <section aria-labelledby="page-title">
      <PageHeader title="Inventory">
        <p class="lede" aria-live="polite">
          {data ? (
            <span class="totals">
              <strong>{count(data.devices)}</strong> device{data.devices === 1 ? '' : 's'} seen, {count(data.testDevices)} of them test
              device{data.testDevices === 1 ? '' : 's'}, and the versions they run.
            </span>
          ) : (
            'The devices that checked for updates, and the versions they run.'
          )}
        </p>
      </PageHeader>
      <FilterForm
        onApply={() => {
          setFilters({ ...draft });
        }}
      >
        {(['brand', 'model', 'version'] as const).map((name) => (
          <label key={name}>
            {name[0].toUpperCase() + name.slice(1)}
            <input name={name} value={draft[name]} placeholder="any" onInput={(event) => setDraft({ ...draft, [name]: (event.target as HTMLInputElement).value })} />
          </label>
        ))}
        <label>
          Seen since (UTC)
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
            setDraft(EMPTY);
            setFilters(EMPTY);
          }}
        >
          Clear
        </button>
        <a class="button-link" href={`${ROUTES.devicesExport}${query(apiFilters)}`} download>
          Export CSV
        </a>
      </FilterForm>
      {summary.error != null && <Refusal error={summary.error} />}
      {summary.loading && !data && <p class="loading">Counting the inventory…</p>}
      {data && data.devices === 0 && !summary.error && <p class="empty">No device has checked for updates yet.</p>}
      {adoption && adoption.rules.length > 0 && <Adoption rules={adoption.rules} />}
      {chart && chart.modelVersions.length > 0 && <VersionChart distribution={versionDistribution(chart.modelVersions)} />}
      {counts && counts.devices > 0 && <FieldCounts summary={counts} />}
      <OnDemand title="Devices behind their rules" note="Devices not on the version their rule offers them (test devices: the pending one).">
        <BehindList filters={apiFilters} />
      </OnDemand>
      <OnDemand title="Devices" note="Most recently seen first, 100 a page.">
        <DeviceList filters={apiFilters} />
      </OnDemand>
    </section>
  );
}

/** A section whose content is loaded only once asked for (a page of 100,000 devices is nobody's first question). */
function OnDemand(props: { title: string; note: string; children: ComponentChildren }) {
  const [shown, setShown] = useState(false);
  const id = `section-${props.title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>
        {props.title}{' '}
        <button type="button" aria-expanded={shown} onClick={() => setShown(!shown)}>
          {shown ? 'Hide' : 'Show'}
        </button>
      </h2>
      {shown ? props.children : <p class="small">{props.note}</p>}
    </section>
  );
}

/** Per rule: how many devices of its kind run its approved version (a bar and a share), its pending one, another, none. */
function Adoption({ rules }: { rules: RuleAdoptionView[] }) {
  return (
    <>
      <h2>Adoption per rule</h2>
      <TableScroller label="Adoption per rule">
        <table class="data adoption">
          <thead>
            <tr>
              <th scope="col">Rule</th>
              <th scope="col">Approved</th>
              <th scope="col">On approved</th>
              <th scope="col">Pending</th>
              <th scope="col">On pending</th>
              <th scope="col">Other</th>
              <th scope="col">None</th>
              <th scope="col">Devices</th>
              <th scope="col">Test devices</th>
            </tr>
          </thead>
          <tbody>
            {rules.map((rule) => (
              <tr key={rule.ruleId} data-rule={rule.ruleId}>
                <td>{ruleName(rule)}</td>
                <td>{rule.approvedVersion ?? <span class="none">—</span>}</td>
                <td class="share">
                  <ShareBar part={rule.onApproved} whole={rule.devices} /> {percent(rule.onApproved, rule.devices)}{' '}
                  <span class="small">({count(rule.onApproved)})</span>
                </td>
                <td>{rule.pendingVersion ?? <span class="none">—</span>}</td>
                <td>{count(rule.onPending)}</td>
                <td>{count(rule.onOther)}</td>
                <td>{count(rule.onNone)}</td>
                <td>{count(rule.devices)}</td>
                <td>{count(rule.testDevices)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroller>
    </>
  );
}

/** The counts per field, each a small table. */
function FieldCounts({ summary }: { summary: DeviceSummaryView }) {
  const tables: [string, DeviceCountView[]][] = [
    ['Brand', summary.brands],
    ['Model', summary.models],
    ['Revision', summary.revisions],
    ['Locale', summary.locales],
    ['Update type', summary.updateTypes],
  ];
  return (
    <>
      <h2>Devices per field</h2>
      <div class="cards counts">
        {tables.map(([field, counts]) => (
          <CountTable key={field} caption={field} rows={counts.map((each) => [each.value, each.devices])} />
        ))}
        <CountTable caption="Version" rows={summary.versions.map((each) => [`${each.updateType} ${each.version}`, each.devices])} />
      </div>
    </>
  );
}

function CountTable(props: { caption: string; rows: [string, number][] }) {
  return (
    <div class="card">
      <TableScroller label={`Devices per ${props.caption.toLowerCase()}`}>
        <table class="data">
          <caption>{props.caption}</caption>
          <thead>
            <tr>
              <th scope="col">{props.caption}</th>
              <th scope="col">Devices</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map(([value, devices]) => (
              <tr key={value}>
                <td>{value || <span class="none">(blank)</span>}</td>
                <td>{count(devices)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroller>
    </div>
  );
}

type ListFilters = Record<string, string | undefined>;

function DeviceList({ filters }: { filters: ListFilters }) {
  return (
    <DevicePages<DeviceView>
      route={ROUTES.devices}
      filters={filters}
      label="Devices"
      column="Installed"
      cell={(device) => device.modules.map((module) => `${module.updateType} ${module.version}`).join(', ')}
    />
  );
}

function BehindList({ filters }: { filters: ListFilters }) {
  return (
    <>
      <p>
        <a class="button-link" href={`${ROUTES.devicesComplianceExport}${query(filters)}`} download>
          Export CSV
        </a>
      </p>
      <DevicePages<DeviceComplianceView>
        route={ROUTES.devicesCompliance}
        filters={filters}
        label="Devices behind their rules"
        column="Behind on"
        cell={(device) =>
          device.behind.map((module) => `${module.updateType}: ${module.installedVersion ?? 'none'} → ${module.offeredVersion}`).join('; ')
        }
        empty="Every device runs the version its rules offer it."
      />
    </>
  );
}

/** A list of devices page by page (100 a page, most recently seen first), with one column of its own. */
function DevicePages<T extends DeviceView>(props: {
  route: typeof ROUTES.devices | typeof ROUTES.devicesCompliance;
  filters: ListFilters;
  label: string;
  column: string;
  cell: (device: T) => string;
  empty?: string;
}) {
  const pager = usePager();
  const page = useLoad(
    () => api<Page<T>>('GET', `${props.route}${query({ ...props.filters, cursor: pager.cursor })}`),
    [JSON.stringify(props.filters), pager.cursor],
  );
  const items = page.data?.items ?? [];
  return (
    <>
      {page.error != null && <Refusal error={page.error} />}
      <TableScroller label={props.label}>
        <table class="data devices">
          <thead>
            <tr>
              <th scope="col">MAC address</th>
              <th scope="col">Serial number</th>
              <th scope="col">Brand</th>
              <th scope="col">Model</th>
              <th scope="col">Revision</th>
              <th scope="col">Locale</th>
              <th scope="col">{props.column}</th>
              <th scope="col">Test device</th>
              <th scope="col">Last seen</th>
            </tr>
          </thead>
          <tbody>
            {items.map((device) => (
              <tr key={device.id}>
                <td>
                  <code>{device.macAddress ?? '—'}</code>
                </td>
                <td>{device.serialNumber ?? '—'}</td>
                <td>{device.brand}</td>
                <td>{device.model}</td>
                <td>{device.revision}</td>
                <td>{device.locale}</td>
                <td class="wrap">{props.cell(device)}</td>
                <td>{device.isTestDevice ? 'yes' : 'no'}</td>
                <td>{time(device.lastSeenAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroller>
      {page.loading && <p class="loading">Loading devices…</p>}
      {!page.loading && items.length === 0 && !page.error && props.empty && <p class="empty">{props.empty}</p>}
      <Pager pager={pager} nextCursor={page.data?.nextCursor} />
    </>
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
      <figcaption>
        Installed versions per model and update type{distribution.length > rows.length ? ` (the ${rows.length} largest of ${distribution.length})` : ''}
      </figcaption>
      <svg viewBox={`0 0 ${width} ${rows.length * rowHeight}`} role="img" aria-label={summary} preserveAspectRatio="xMinYMin meet">
        {rows.map((row, index) => {
          let x = 0;
          const y = index * rowHeight;
          return (
            <g key={row.label}>
              <text x="0" y={y + 14} class="chart-label">
                {row.label} ({count(row.total)})
              </text>
              {row.versions.map((each) => {
                const segment = (each.count / row.total) * width;
                const rect = (
                  <rect key={each.version} x={x} y={y + 20} width={Math.max(segment, 1)} height="18" fill={colour(each.version)}>
                    <title>
                      {row.label}: {count(each.count)} on {each.version}
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
            {version || '(blank)'}
          </li>
        ))}
      </ul>
    </figure>
  );
}
