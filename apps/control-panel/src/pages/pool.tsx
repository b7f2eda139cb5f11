import { useEffect, useState } from 'preact/hooks';
import { type NodeView, type Page, ROUTES } from '@ucupdates/admin-api';
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

/** The pool's nodes, refreshed every five seconds. */
export function PoolPage(_props: PageProps) {
  const nodes = useLoad(() => api<Page<NodeView>>('GET', ROUTES.nodes));
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => {
      setNow(Date.now());
      nodes.reload();
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
    </section>
  );
}
