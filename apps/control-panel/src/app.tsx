import { useEffect, useState } from 'preact/hooks';
import { ApiFailure, ROUTES, type SessionView } from '@ucupdates/admin-api';
import { api, useCsrfToken, whenSignedOut } from './api';
import { AuditPage } from './pages/audit';
import { ConfigurationPage } from './pages/configuration';
import { DdiActionsPage } from './pages/ddi-actions';
import { DdiTargetsPage } from './pages/ddi-targets';
import { DeviceLogsPage } from './pages/device-logs';
import { InventoryPage } from './pages/inventory';
import { PoolPage } from './pages/pool';
import { RulesPage } from './pages/rules';
import { TestDevicesPage } from './pages/test-devices';
import { UploadPage } from './pages/upload';
import { Refusal } from './ui';

export interface PageProps {
  session: SessionView;
}

/** The pages, in the order of the navigation; the hash names the page (`#/rules`). */
const PAGES: { path: string; label: string; page: (props: PageProps) => preact.JSX.Element }[] = [
  { path: 'rules', label: 'Device Update', page: RulesPage },
  { path: 'upload', label: 'Upload', page: UploadPage },
  { path: 'test-devices', label: 'Test Devices', page: TestDevicesPage },
  { path: 'configuration', label: 'Log Configuration', page: ConfigurationPage },
  { path: 'pool', label: 'Pool', page: PoolPage },
  { path: 'inventory', label: 'Inventory', page: InventoryPage },
  { path: 'ddi-targets', label: 'DDI Devices', page: DdiTargetsPage },
  { path: 'ddi-actions', label: 'DDI Actions', page: DdiActionsPage },
  { path: 'audit', label: 'Audit', page: AuditPage },
  { path: 'device-logs', label: 'Device Logs', page: DeviceLogsPage },
];

function currentPath(): string {
  const path = location.hash.replace(/^#\/?/, '').split('?')[0];
  return PAGES.some((page) => page.path === path) ? path : 'rules';
}

export function App() {
  const [session, setSession] = useState<SessionView | null | undefined>(undefined);
  const [path, setPath] = useState(currentPath());

  useEffect(() => {
    whenSignedOut(() => {
      useCsrfToken(null);
      setSession(null);
    });
    api<SessionView>('GET', ROUTES.session).then(
      (found) => {
        useCsrfToken(found.csrfToken);
        setSession(found);
      },
      () => setSession(null),
    );
    const onHash = () => setPath(currentPath());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    const page = PAGES.find((each) => each.path === path);
    document.title = `${page?.label ?? 'ucupdates'} — ucupdates control panel`;
    // Move focus to the new page's heading, so keyboard and screen-reader users start there.
    requestAnimationFrame(() => document.getElementById('page-title')?.focus());
  }, [path, session]);

  if (session === undefined) {
    return <p class="loading">Loading…</p>;
  }
  if (session === null) {
    return (
      <SignIn
        onSignedIn={(signedIn) => {
          useCsrfToken(signedIn.csrfToken);
          setSession(signedIn);
        }}
      />
    );
  }
  const signOut = async () => {
    try {
      await api('DELETE', ROUTES.session);
    } finally {
      useCsrfToken(null);
      setSession(null);
    }
  };
  const Page = PAGES.find((page) => page.path === path)!.page;
  return (
    <div class="shell">
      <a class="skip" href="#main" onClick={(event) => {
        event.preventDefault();
        document.getElementById('page-title')?.focus();
      }}>
        Skip to the page
      </a>
      <header class="top">
        <span class="brand">ucupdates</span>
        <nav aria-label="Pages" class="nav">
          <ul>
            {PAGES.map((page) => (
              <li key={page.path}>
                <a href={`#/${page.path}`} aria-current={page.path === path ? 'page' : undefined}>
                  {page.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span>
            {session.name} <span class={`role role-${session.role}`}>{session.role}</span>
          </span>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main">
        <Page session={session} />
      </main>
    </div>
  );
}

function SignIn(props: { onSignedIn: (session: SessionView) => void }) {
  const [token, setToken] = useState('');
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<{ form: 'token' | 'directory'; failure: unknown } | null>(null);
  const [busy, setBusy] = useState(false);
  const signIn = async (form: 'token' | 'directory', body: Record<string, string>) => {
    setBusy(true);
    setError(null);
    try {
      props.onSignedIn(await api<SessionView>('POST', ROUTES.session, body));
    } catch (failure) {
      setError({ form, failure: inWords(form, failure) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="sign-in">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void signIn('directory', { user: user.trim(), password });
        }}
        aria-labelledby="sign-in-title"
      >
        <h1 id="sign-in-title">ucupdates control panel</h1>
        <p>Sign in with your directory account: your role comes from your administrators' group.</p>
        <label for="user">User name</label>
        <input
          id="user"
          name="user"
          autocomplete="username"
          required
          value={user}
          onInput={(event) => setUser((event.target as HTMLInputElement).value)}
          autofocus
        />
        <label for="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          value={password}
          onInput={(event) => setPassword((event.target as HTMLInputElement).value)}
        />
        {error?.form === 'directory' && <Refusal error={error.failure} />}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in with the directory'}
        </button>
      </form>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void signIn('token', { token: token.trim() });
        }}
        aria-label="Sign in with a token"
      >
        <p>Or sign in with an admin API token (the one <code>npm start</code> prints, or one made with <code>ucupdates new-token</code>).</p>
        <label for="token">Admin API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="off"
          required
          minLength={16}
          value={token}
          onInput={(event) => setToken((event.target as HTMLInputElement).value)}
        />
        {error?.form === 'token' && <Refusal error={error.failure} />}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p class="small">Either is exchanged for a session cookie that scripts cannot read; it ends when you sign out or after eight hours.</p>
      </form>
    </main>
  );
}

/** The API's refusals of a sign-in, said for the form they came from. */
function inWords(form: 'token' | 'directory', failure: unknown): unknown {
  if (!(failure instanceof ApiFailure)) return failure;
  if (form === 'token' && failure.status === 401) {
    return new ApiFailure(401, 'Unauthorized', 'This token is not known to the pool. Check it and try again.', null);
  }
  if (form === 'directory' && failure.status === 401) {
    return new ApiFailure(401, 'Unauthorized', 'The directory does not know this user name and password. Check them and try again.', null);
  }
  if (form === 'directory' && failure.status === 403) {
    return new ApiFailure(403, 'Forbidden', "You are in none of the administrators' groups: ask for a role in the directory.", null);
  }
  if (form === 'directory' && failure.status === 429) {
    const seconds = failure.details?.retryAfterSeconds;
    const when = typeof seconds !== 'number' ? 'later' : seconds > 90 ? `in ${Math.ceil(seconds / 60)} minutes` : `in ${seconds} seconds`;
    return new ApiFailure(429, 'TooManyRequests', `Too many wrong passwords for this user name or from this computer. Try again ${when}, or sign in with an admin API token.`, null);
  }
  if (failure.status === 503) {
    return new ApiFailure(503, failure.code, 'The directory is unavailable. Try again in a moment, or sign in with an admin API token.', null);
  }
  return failure;
}
