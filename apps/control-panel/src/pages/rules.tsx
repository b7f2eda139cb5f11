import { useState } from 'preact/hooks';
import { ApiFailure, type DeviceSummaryView, type Page, pathOf, ROUTES, type RuleAdoptionView, type RuleView } from '@ucupdates/admin-api';
import { api, query } from '../api';
import type { PageProps } from '../app';
import { percent } from '../inventory-chart';
import { Confirm, count, FilterForm, PageHeader, ReadOnlyNote, Refusal, ShareBar, TableScroller, time, useLoad } from '../ui';

type Action = 'approve' | 'reset' | 'restore' | 'delete';

type RuleRoute = (typeof ROUTES)['rule' | 'ruleApprove' | 'ruleReset' | 'ruleRestore'];

/** Lync's names for the four actions, and what each does, for the confirmation. */
const ACTIONS: Record<Action, { route: RuleRoute; label: string; done: string; explain: string; danger?: boolean }> = {
  approve: {
    route: ROUTES.ruleApprove,
    label: 'Approve',
    done: 'approved',
    explain: 'The pending version becomes the approved one and is offered to every phone of the kind; the approved version becomes the restore version.',
  },
  reset: {
    route: ROUTES.ruleReset,
    label: 'Cancel pending',
    done: 'pending version cancelled',
    explain: 'The pending version is cancelled; test devices go back to the approved version.',
  },
  restore: {
    route: ROUTES.ruleRestore,
    label: 'Restore',
    done: 'restored',
    explain: 'Rolls back: the approved version goes back to the restore version (or to none).',
  },
  delete: {
    route: ROUTES.rule,
    label: 'Delete',
    done: 'deleted',
    explain: 'The rules and their versions are removed; phones of the kind are offered nothing. Their files stay until purged.',
    danger: true,
  },
};

interface Outcome {
  rule: RuleView;
  error?: unknown;
}

const ruleName = (rule: RuleView) => `${rule.brand} ${rule.model} ${rule.revision} ${rule.locale} ${rule.updateType}`;

/** The rules, Lync's Device Update page: filter, select, approve, cancel, restore, delete. */
export function RulesPage({ session }: PageProps) {
  const mayChange = session.role !== 'viewer';
  const [draft, setDraft] = useState({ brand: '', model: '', locale: '' });
  const [filters, setFilters] = useState(draft);
  const [limitPages, setLimitPages] = useState(1);
  const rules = useLoad(async () => {
    const items: RuleView[] = [];
    let cursor: string | null | undefined;
    for (let page = 0; page < limitPages; page += 1) {
      const answer = await api<Page<RuleView>>('GET', `${ROUTES.rules}${query({ ...filters, limit: 500, cursor })}`);
      items.push(...answer.items);
      cursor = answer.nextCursor;
      if (!cursor) {
        break;
      }
    }
    return { items, more: Boolean(cursor) };
  }, [filters, limitPages]);
  // Each rule's adoption, counted by the pool's database; the rules show without it if it fails.
  // Pool-wide, so asked once when the page opens and again after each action, not per filter.
  const summary = useLoad(() => api<DeviceSummaryView>('GET', ROUTES.devicesSummary));
  const adoption = new Map((summary.data?.rules ?? []).map((each) => [each.ruleId, each]));
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirming, setConfirming] = useState<{ action: Action; rules: RuleView[]; force?: boolean } | null>(null);
  const [outcomes, setOutcomes] = useState<{ action: Action; force: boolean; list: Outcome[] } | null>(null);
  const [busy, setBusy] = useState(false);

  const items = rules.data?.items ?? [];
  const chosen = items.filter((rule) => selected.has(rule.id));
  const toggle = (id: string) =>
    setSelected((previous) => {
      const next = new Set(previous);
      if (!next.delete(id)) {
        next.add(id);
      }
      return next;
    });

  const run = async (action: Action, targets: RuleView[], force: boolean) => {
    setConfirming(null);
    setBusy(true);
    const list: Outcome[] = [];
    for (const rule of targets) {
      try {
        if (action === 'delete') {
          await api('DELETE', pathOf(ACTIONS.delete.route, { id: rule.id }));
        } else {
          await api('POST', `${pathOf(ACTIONS[action].route, { id: rule.id })}${force && action === 'approve' ? '?force=true' : ''}`);
        }
        list.push({ rule });
      } catch (error) {
        list.push({ rule, error });
      }
    }
    setOutcomes({ action, force, list });
    setSelected(new Set(list.filter((outcome) => outcome.error).map((outcome) => outcome.rule.id)));
    setBusy(false);
    rules.reload();
    summary.reload();
  };

  const notReplicated = (outcomes?.list ?? []).filter(
    (outcome) => outcome.error instanceof ApiFailure && outcome.error.code === 'NotReplicated',
  );

  return (
    <section aria-labelledby="page-title">
      <PageHeader title="Device Update">
        <p class="lede">The update rules: one per kind of device and update type, with its approved, pending and restore versions.</p>
      </PageHeader>
      <FilterForm
        onApply={() => {
          setSelected(new Set());
          setFilters({ ...draft });
        }}
      >
        {(['brand', 'model', 'locale'] as const).map((name) => (
          <label key={name}>
            {name[0].toUpperCase() + name.slice(1)}
            <input
              name={name}
              value={draft[name]}
              placeholder="any (* wildcard)"
              onInput={(event) => setDraft({ ...draft, [name]: (event.target as HTMLInputElement).value })}
            />
          </label>
        ))}
        <button type="submit">Filter</button>
        <button
          type="button"
          onClick={() => {
            const empty = { brand: '', model: '', locale: '' };
            setDraft(empty);
            setFilters(empty);
          }}
        >
          Clear
        </button>
      </FilterForm>

      {mayChange ? (
        <div class="toolbar" role="toolbar" aria-label="Actions on the selected rules">
          <span class="count" aria-live="polite">
            {chosen.length} selected
          </span>
          {(Object.keys(ACTIONS) as Action[]).map((action) => (
            <button
              type="button"
              key={action}
              class={ACTIONS[action].danger ? 'danger' : undefined}
              disabled={chosen.length === 0 || busy}
              onClick={() => setConfirming({ action, rules: chosen })}
            >
              {ACTIONS[action].label}
            </button>
          ))}
          <button type="button" onClick={rules.reload} disabled={busy}>
            Refresh
          </button>
        </div>
      ) : (
        <ReadOnlyNote role={session.role} needs="operator or admin" />
      )}

      {outcomes && (
        <div class="outcomes" aria-live="polite">
          <h2>
            {ACTIONS[outcomes.action].label}
            {outcomes.force ? ' (forced)' : ''}: {outcomes.list.filter((outcome) => !outcome.error).length} of {outcomes.list.length} done
          </h2>
          <ul>
            {outcomes.list.map((outcome) => (
              <li key={outcome.rule.id}>
                {outcome.error ? (
                  <Refusal error={outcome.error} subject={ruleName(outcome.rule)} />
                ) : (
                  <span class="ok">
                    ✓ {ruleName(outcome.rule)}: {ACTIONS[outcomes.action].done}
                  </span>
                )}
              </li>
            ))}
          </ul>
          {notReplicated.length > 0 && mayChange && (
            <p>
              <button
                type="button"
                class="danger"
                onClick={() => setConfirming({ action: 'approve', rules: notReplicated.map((outcome) => outcome.rule), force: true })}
              >
                Approve anyway (force) …
              </button>{' '}
              Phones may be offered a file that a node must fetch from the object store first.
            </p>
          )}
          <button type="button" onClick={() => setOutcomes(null)}>
            Dismiss
          </button>
        </div>
      )}

      {rules.error != null && <Refusal error={rules.error} />}
      <TableScroller label="Rules">
        <table class="data rules">
          <caption class="sr-only">Update rules</caption>
          <thead>
            <tr>
              {mayChange && (
                <th scope="col">
                  <input
                    type="checkbox"
                    aria-label="Select all rules shown"
                    checked={items.length > 0 && chosen.length === items.length}
                    onChange={(event) =>
                      setSelected((event.target as HTMLInputElement).checked ? new Set(items.map((rule) => rule.id)) : new Set())
                    }
                  />
                </th>
              )}
              <th scope="col">Device type</th>
              <th scope="col">Brand</th>
              <th scope="col">Model</th>
              <th scope="col">Revision</th>
              <th scope="col">Locale</th>
              <th scope="col">Update type</th>
              <th scope="col">Approved</th>
              <th scope="col">Pending</th>
              <th scope="col">Restore</th>
              <th scope="col">Adoption</th>
            </tr>
          </thead>
          <tbody>
            {items.map((rule) => (
              <tr key={rule.id} class={selected.has(rule.id) ? 'selected' : undefined}>
                {mayChange && (
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select ${ruleName(rule)}`}
                      checked={selected.has(rule.id)}
                      onChange={() => toggle(rule.id)}
                    />
                  </td>
                )}
                <td>{rule.deviceType}</td>
                <td>{rule.brand}</td>
                <td>{rule.model}</td>
                <td>{rule.revision}</td>
                <td>{rule.locale}</td>
                <td>{rule.updateType}</td>
                <td>
                  <Version version={rule.approvedVersion} replication={rule.replication.approved} at={rule.approvedAt} />
                </td>
                <td>
                  <Version version={rule.pendingVersion} replication={rule.replication.pending} at={rule.pendingAt} />
                </td>
                <td>{rule.restoreVersion ?? '—'}</td>
                <td class="share">
                  <RuleAdoption adoption={adoption.get(rule.id)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroller>
      {rules.loading && <p class="loading">Loading rules…</p>}
      {!rules.loading && items.length === 0 && !rules.error && <p class="empty">No rules match. Upload a package to make some.</p>}
      {rules.data?.more && (
        <button type="button" onClick={() => setLimitPages((pages) => pages + 1)}>
          Show more rules
        </button>
      )}

      {confirming && (
        <Confirm
          title={`${ACTIONS[confirming.action].label}${confirming.force ? ' (force)' : ''}: ${confirming.rules.length} rule${confirming.rules.length === 1 ? '' : 's'}`}
          confirmLabel={`${ACTIONS[confirming.action].label}${confirming.force ? ' anyway' : ''}`}
          danger={ACTIONS[confirming.action].danger || confirming.force}
          onCancel={() => setConfirming(null)}
          onConfirm={() => void run(confirming.action, confirming.rules, Boolean(confirming.force))}
        >
          <p>{ACTIONS[confirming.action].explain}</p>
          {confirming.force && (
            <p class="warning">
              Forcing approves although some active nodes do not hold the files yet. Phones those nodes answer get the files
              from the object store, slower, until replication catches up.
            </p>
          )}
          <ul class="rule-list">
            {confirming.rules.map((rule) => (
              <li key={rule.id}>
                {ruleName(rule)} — pending {rule.pendingVersion ?? 'none'}, approved {rule.approvedVersion ?? 'none'}
              </li>
            ))}
          </ul>
        </Confirm>
      )}
    </section>
  );
}

function Version(props: { version: string | null; replication: 'complete' | 'partial' | null; at: string | null }) {
  if (!props.version) {
    return <span class="none">—</span>;
  }
  return (
    <span class="version" title={props.at ? `since ${time(props.at)}` : undefined}>
      {props.version}
      {props.replication && (
        <span class={`badge ${props.replication === 'complete' ? 'good' : 'warn'}`}>
          {props.replication === 'complete' ? 'on every node' : 'replicating'}
        </span>
      )}
    </span>
  );
}

/** How many devices of the rule's kind run its approved version (and its pending one), from the inventory's summary. */
function RuleAdoption({ adoption }: { adoption: RuleAdoptionView | undefined }) {
  if (!adoption) {
    return <span class="none">—</span>;
  }
  return (
    <span class="adoption" title={`${count(adoption.onOther)} on another version, ${count(adoption.onNone)} on none`}>
      <ShareBar part={adoption.onApproved} whole={adoption.devices} /> {percent(adoption.onApproved, adoption.devices)} on approved{' '}
      <span class="small">
        ({count(adoption.onApproved)} of {count(adoption.devices)}
        {adoption.pendingVersion ? `; ${count(adoption.onPending)} on pending` : ''})
      </span>
    </span>
  );
}
