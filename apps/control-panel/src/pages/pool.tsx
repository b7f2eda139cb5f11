import { useEffect, useState } from 'preact/hooks';
import { type NodeActivityView, type NodeView, type Page, type PoolActivityView, ROUTES } from '@ucupdates/admin-api';
import { figure, sparkline } from '../activity-chart';
import { api } from '../api';
import type { PageProps } from '../app';
import { PageHeader, Refusal, TableScroller, time, useLoad } from '../ui';

function age(at: string | null, now: number): string {
  if (!at) {
    return 'never';
  }
  const seconds = Math.max(0, Math.round((now - Date.parse(at)) / 1000));
  return seconds < 120 ? `${seconds} s ago` : seconds < 7200 ? `${Math.round(seconds / 60)} min ago` : `${Math.round(seconds / 3600)} h ago`;
}

/** The pool's nodes, refreshed every five seconds, and their last hour (each node writes its minutes every five seconds). */
export function PoolPage(_props: PageProps) {
  const nodes = useLoad(() => api<Page<NodeView>>('GET', ROUTES.nodes));
  const activity = useLoad(() => api<PoolActivityView>('GET', ROUTES.nodeActivity));
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => {
      setNow(Date.now());
      nodes.reload();
      activity.reload();
    }, 5000);
    return () => window.clearInterval(timer);
  }, []);
  const items = nodes.data?.items ?? [];
  const active = items.filter((node) => node.status === 'active').length;
  return (
    <section aria-labelledby="page-title">
      <PageHeader title="Pool">
        <p class="lede">
          {items.length} node{items.length === 1 ? '' : 's'}, {active} active. A node is down when its frontend has not beaten for a while.
        </p>
      </PageHeader>
      {nodes.error != null && <Refusal error={nodes.error} />}
      <TableScroller label="Nodes">
        <table class="data">
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">Status</th>
              <th scope="col">Heartbeat</th>
              <th scope="col">Worker</th>
              <th scope="col">Files ready</th>
              <th scope="col">Files missing</th>
              <th scope="col">Scrub</th>
              <th scope="col">Version</th>
              <th scope="col">URL</th>
            </tr>
          </thead>
          <tbody>
            {items.map((node) => (
              <tr key={node.id}>
                <th scope="row">{node.id}</th>
                <td>
                  <span class={`badge ${node.status === 'active' ? 'good' : 'bad'}`}>{node.status}</span>
                </td>
                <td title={time(node.lastHeartbeatAt)}>{age(node.lastHeartbeatAt, now)}</td>
                <td>{node.worker ? <span class={`badge ${node.worker.status === 'active' ? 'good' : 'bad'}`}>{node.worker.status}</span> : '—'}</td>
                <td>{node.replicas.ready}</td>
                <td>{node.replicas.missing > 0 ? <strong class="warn-text">{node.replicas.missing}</strong> : 0}</td>
                <td title={node.scrub.lastMismatch ? `last: ${node.scrub.lastMismatch.sha256} at ${time(node.scrub.lastMismatch.at)}` : undefined}>
                  {node.scrub.passCompletedAt ? `pass done ${age(node.scrub.passCompletedAt, now)}` : 'no pass done yet'}
                  {node.scrub.mismatches > 0 && <strong class="warn-text">, {node.scrub.mismatches} corrupt file(s) replaced</strong>}
                </td>
                <td>{node.appVersion ?? '—'}</td>
                <td>
                  <code>{node.url}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroller>
      <h2 id="activity-title">Last hour</h2>
      <p class="hint">Per minute, from each node's own counts; the last point is the current minute so far. A gap: the node did not run.</p>
      {activity.error != null && <Refusal error={activity.error} />}
      <TableScroller label="Last hour per node">
        <table class="data activity" aria-labelledby="activity-title">
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">Update checks / s</th>
              <th scope="col">Downloads / s</th>
              <th scope="col">Check latency, 95th percentile (ms)</th>
            </tr>
          </thead>
          <tbody>
            {(activity.data?.nodes ?? []).map((node) => (
              <tr key={node.id}>
                <th scope="row">{node.id}</th>
                <td>
                  <Spark node={node} what="update checks per second" values={node.checksPerSecond} />
                </td>
                <td>
                  <Spark node={node} what="downloads per second" values={node.downloadsPerSecond} />
                </td>
                <td>
                  <Spark node={node} what="check latency, 95th percentile, ms" values={node.checkLatencyMs.p95} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroller>
    </section>
  );
}

const SPARK_WIDTH = 180;
const SPARK_HEIGHT = 36;

/** One small chart of a node's last hour: its line, its latest figure and its peak, said in words to screen readers. */
function Spark(props: { node: NodeActivityView; what: string; values: ReadonlyArray<number | null> }) {
  const line = sparkline(props.values, SPARK_WIDTH, SPARK_HEIGHT);
  const words =
    line.latest === null
      ? `${props.node.id}, ${props.what}, last hour: no figures`
      : `${props.node.id}, ${props.what}, last hour: now ${figure(line.latest)}, peak ${figure(line.peak)}`;
  return (
    <figure class="spark">
      <svg role="img" aria-label={words} viewBox={`0 0 ${SPARK_WIDTH} ${SPARK_HEIGHT}`} width={SPARK_WIDTH} height={SPARK_HEIGHT}>
        <line class="spark-base" x1="0" y1={SPARK_HEIGHT - 1} x2={SPARK_WIDTH} y2={SPARK_HEIGHT - 1} />
        {line.path && <path class="spark-line" d={line.path} />}
      </svg>
      <figcaption aria-hidden="true">
        {figure(line.latest)} <span class="small">peak {figure(line.peak)}</span>
      </figcaption>
    </figure>
  );
}
