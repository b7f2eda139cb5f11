import { useState } from 'preact/hooks';
import { ApiFailure, type ConfigurationView, DEFAULT_CONFIGURATION, type Page, pathOf, ROUTES } from '@ucupdates/admin-api';
import { api } from '../api';
import type { PageProps } from '../app';
import { fieldOf } from '../errors';
import { Confirm, PageHeader, ReadOnlyNote, Refusal, useLoad } from '../ui';

/** Lync's defaults (Get-CsDeviceUpdateConfiguration of a new pool) and the API's ranges. */
const FIELDS: { name: keyof Omit<ConfigurationView, 'scope'>; label: string; hint: string }[] = [
  { name: 'logCleanUpInterval', label: 'Log clean-up interval', hint: 'how long logs are kept, d.hh:mm:ss from 1 to 365 days; default 10.00:00:00' },
  { name: 'logFlushInterval', label: 'Log flush interval', hint: 'hh:mm:ss from 1 to 60 minutes; default 00:05:00' },
  { name: 'maxLogCacheLimit', label: 'Maximum log cache (bytes)', hint: 'a whole number of bytes; default 512000' },
  { name: 'maxLogFileSize', label: 'Maximum log file size (bytes)', hint: 'a whole number of bytes; default 1024000' },
  { name: 'logCleanUpTimeOfDay', label: 'Clean-up time of day', hint: 'HH:MM (UTC), empty for no fixed time; default 03:00' },
  { name: 'validLogFileTypes', label: 'Valid log file types', hint: 'comma-separated; default Watson, CELog' },
  {
    name: 'validLogFileExtensions',
    label: 'Valid log file extensions',
    hint: 'comma-separated; default .dmp, .clg, .clg1, .clg2, .bak, .kdmp, .dat, .bin, .cat, .xml, .txt, .hex',
  },
  { name: 'ddiPollingInterval', label: 'DDI polling interval', hint: 'how long DDI devices sleep between polls, hh:mm:ss from 30 seconds to 24 hours; default 00:05:00' },
];

type Draft = Record<keyof Omit<ConfigurationView, 'scope'>, string>;

function draftOf(configuration: ConfigurationView): Draft {
  return {
    logCleanUpInterval: configuration.logCleanUpInterval,
    logFlushInterval: configuration.logFlushInterval,
    maxLogCacheLimit: String(configuration.maxLogCacheLimit),
    maxLogFileSize: String(configuration.maxLogFileSize),
    logCleanUpTimeOfDay: configuration.logCleanUpTimeOfDay ?? '',
    validLogFileTypes: configuration.validLogFileTypes.join(', '),
    validLogFileExtensions: configuration.validLogFileExtensions.join(', '),
    ddiPollingInterval: configuration.ddiPollingInterval,
  };
}

const list = (text: string) =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** A whole number as a number; anything else as typed, for the API to refuse in its words. */
const wholeNumber = (text: string): number | string => (/^\s*\d+\s*$/.test(text) ? Number(text) : text);

/** Device Log Configuration: the global scope and site scopes (Lync's *-CsDeviceUpdateConfiguration). */
export function ConfigurationPage({ session }: PageProps) {
  const mayChange = session.role === 'admin';
  const scopes = useLoad(() => api<Page<ConfigurationView>>('GET', ROUTES.configurations));
  const [newSite, setNewSite] = useState('');
  const [adding, setAdding] = useState<string | null>(null);
  return (
    <section aria-labelledby="page-title">
      <PageHeader title="Device Log Configuration">
        <p class="lede">
          How the pool takes and keeps device logs. A site's configuration applies to a pool of that site (UCU_SITE); otherwise the
          global one does.
        </p>
      </PageHeader>
      {!mayChange && <ReadOnlyNote role={session.role} needs="admin" />}
      {scopes.error != null && <Refusal error={scopes.error} />}
      <div class="cards">
        {(scopes.data?.items ?? []).map((configuration) => (
          <ScopeForm key={configuration.scope} configuration={configuration} mayChange={mayChange} onChanged={scopes.reload} />
        ))}
        {adding && (
          <ScopeForm
            key={adding}
            configuration={{ scope: adding, ...DEFAULT_CONFIGURATION }}
            isNew
            mayChange={mayChange}
            onChanged={() => {
              setAdding(null);
              scopes.reload();
            }}
            onDiscard={() => setAdding(null)}
          />
        )}
      </div>
      {mayChange && !adding && (
        <form
          class="filters"
          onSubmit={(event) => {
            event.preventDefault();
            if (newSite.trim()) {
              setAdding(`site:${newSite.trim()}`);
              setNewSite('');
            }
          }}
        >
          <label>
            New site scope
            <input name="site" value={newSite} placeholder="site name" onInput={(event) => setNewSite((event.target as HTMLInputElement).value)} />
          </label>
          <button type="submit">Add site configuration</button>
        </form>
      )}
    </section>
  );
}

function ScopeForm(props: { configuration: ConfigurationView; mayChange: boolean; isNew?: boolean; onChanged: () => void; onDiscard?: () => void }) {
  const { scope } = props.configuration;
  const [draft, setDraft] = useState<Draft>(draftOf(props.configuration));
  const [error, setError] = useState<ApiFailure | null>(null);
  const [saved, setSaved] = useState(false);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const field = error ? fieldOf(error) : null;
  const id = (name: string) => `${scope.replace(/[^A-Za-z0-9]/g, '-')}-${name}`;

  const save = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setSaved(false);
    try {
      await api('PUT', pathOf(ROUTES.configuration, { scope }), {
        logCleanUpInterval: draft.logCleanUpInterval.trim(),
        logFlushInterval: draft.logFlushInterval.trim(),
        maxLogCacheLimit: wholeNumber(draft.maxLogCacheLimit),
        maxLogFileSize: wholeNumber(draft.maxLogFileSize),
        logCleanUpTimeOfDay: draft.logCleanUpTimeOfDay.trim() || null,
        validLogFileTypes: list(draft.validLogFileTypes),
        validLogFileExtensions: list(draft.validLogFileExtensions),
        ddiPollingInterval: draft.ddiPollingInterval.trim(),
      });
      setSaved(true);
      props.onChanged();
    } catch (failure) {
      setError(failure instanceof ApiFailure ? failure : new ApiFailure(0, 'Error', String(failure)));
    }
  };
  const remove = async () => {
    setConfirmRemove(false);
    try {
      await api('DELETE', pathOf(ROUTES.configuration, { scope }));
      props.onChanged();
    } catch (failure) {
      setError(failure instanceof ApiFailure ? failure : new ApiFailure(0, 'Error', String(failure)));
    }
  };

  return (
    <form class="card form" onSubmit={save} aria-labelledby={id('title')} data-scope={scope}>
      <h2 id={id('title')}>
        {scope === 'global' ? 'Global' : `Site ${scope.slice(5)}`}
        {props.isNew && ' (new)'}
      </h2>
      {FIELDS.map(({ name, label, hint }) => (
        <label key={name}>
          {label}
          <input
            name={name}
            value={draft[name]}
            readOnly={!props.mayChange}
            aria-invalid={field === name}
            aria-describedby={`${id(name)}-hint ${id(name)}-error`}
            onInput={(event) => {
              setSaved(false);
              setDraft({ ...draft, [name]: (event.target as HTMLInputElement).value });
            }}
          />
          <span class="hint" id={`${id(name)}-hint`}>
            {hint}
          </span>
          {field === name && error && (
            <span class="field-error" id={`${id(name)}-error`} role="alert">
              {error.message}
            </span>
          )}
        </label>
      ))}
      {error && !field && <Refusal error={error} />}
      {saved && (
        <p class="notice" role="status">
          Saved.
        </p>
      )}
      {props.mayChange && (
        <div class="actions">
          {props.isNew ? (
            <button type="button" onClick={props.onDiscard}>
              Discard
            </button>
          ) : (
            <button type="button" class="danger" onClick={() => setConfirmRemove(true)}>
              {scope === 'global' ? 'Reset to defaults' : 'Delete'}
            </button>
          )}
          <button type="submit" class="primary">
            {props.isNew ? 'Create' : 'Save'}
          </button>
        </div>
      )}
      {confirmRemove && (
        <Confirm
          title={scope === 'global' ? 'Reset the global configuration?' : `Delete the configuration of ${scope}?`}
          confirmLabel={scope === 'global' ? 'Reset' : 'Delete'}
          danger
          onCancel={() => setConfirmRemove(false)}
          onConfirm={() => void remove()}
        >
          <p>
            {scope === 'global'
              ? "Every setting of the global scope goes back to Lync's default."
              : 'A pool of this site falls back to the global configuration.'}
          </p>
        </Confirm>
      )}
    </form>
  );
}
