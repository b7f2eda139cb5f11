import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Client, InvalidCredentialsError, NoSuchObjectError } from 'ldapts';
import { ConnectionPool, PoolExhaustedError } from './connection-pool';
import { DirectoryUnavailableError } from './directory-unavailable.error';
import { escapeFilterValue, userFilter } from './ldap-filter';

/** The roles a directory group can grant, highest first (as admin API tokens have them). */
export type DirectoryRole = 'admin' | 'operator' | 'viewer';

export interface LdapSettings {
  url: string;
  startTls: boolean;
  /** PEM of the CA the directory's certificate must chain to; the system's CAs when absent. */
  caFile?: string;
  bindDn: string;
  bindPassword: string;
  baseDn: string;
  /** Finds a phone user's entry from its user id (`{userId}`, `{user}`: ldap-filter.ts). */
  userFilter: string;
  /** Finds an administrator's entry from the name typed into the control panel. */
  adminUserFilter: string;
  /** The group whose members get each role; a role without a group is granted to nobody. */
  groups: Partial<Record<DirectoryRole, string>>;
  poolSize: number;
  connectTimeoutMs: number;
  timeoutMs: number;
  retryAfterSeconds: number;
}

export type DirectoryState = 'up' | 'unavailable';

export interface DirectoryStatus {
  state: DirectoryState;
  /** When the state last changed. */
  since: Date;
  /** Why it is unavailable (never a password: these are ldapts' and the socket's messages). */
  error?: string;
}

/** A signed-in directory user: the entry found, and for administrators the role its groups grant. */
export interface DirectoryUser {
  dn: string;
  role: DirectoryRole | null;
}

const ROLES_BY_RANK: readonly DirectoryRole[] = ['admin', 'operator', 'viewer'];

/**
 * While the directory is unavailable, at most one sign-in per this interval asks it again; the
 * others are answered "unavailable" at once instead of each waiting out the timeouts. The first
 * one that gets an answer makes it `up` again: no restart needed.
 */
const RETRY_INTERVAL_MS = 1_000;

/**
 * An LDAP directory (Active Directory, OpenLDAP) checked by simple bind (docs/directory.md):
 *
 * 1. a pooled connection, over LDAPS or StartTLS, binds as the service account;
 * 2. searches the base DN with the configured filter, the user's id escaped into it (RFC 4515),
 *    and expects exactly one entry;
 * 3. for an administrator, asks each configured group whether the entry is a member;
 * 4. binds as the entry found, with the password given. "Invalid credentials" is a refusal; every
 *    other failure (no connection, a timeout, a busy server) is DirectoryUnavailableError.
 *
 * Each sequence starts with the service bind, so a connection left bound as a user by the one
 * before is never used to search. Passwords are sent only over TLS, are not logged, and are not
 * kept after the bind.
 */
export class LdapDirectory {
  private readonly pool: ConnectionPool<Client>;
  private readonly tls: ConnectionOptions;
  private current: DirectoryStatus = { state: 'up', since: new Date() };
  private lastAttempt = 0;

  constructor(
    private readonly settings: LdapSettings,
    /** Told when the state changes (to log it). */
    private readonly onStateChange: (status: DirectoryStatus) => void = () => undefined,
  ) {
    const host = new URL(settings.url).hostname.replace(/^\[|\]$/g, '');
    this.tls = {
      ca: settings.caFile ? readFileSync(settings.caFile) : undefined,
      host,
      servername: isIP(host) ? undefined : host,
      minVersion: 'TLSv1.2',
    };
    this.pool = new ConnectionPool<Client>({
      size: settings.poolSize,
      acquireTimeoutMs: settings.timeoutMs,
      maxWaiting: settings.poolSize * 250,
      create: () => this.connect(),
      usable: (client) => client.isConnected,
      destroy: (client) => void client.unbind().catch(() => undefined),
    });
  }

  get status(): DirectoryStatus {
    return this.current;
  }

  /** Connections open to the directory now (never more than the pool's size). */
  get connections(): number {
    return this.pool.size;
  }

  /** A phone user: true for the right password, false for a wrong one or an unknown user. */
  async authenticatePhoneUser(userId: string, password: string): Promise<boolean> {
    return (await this.authenticate(this.settings.userFilter, userId, password, false)) !== null;
  }

  /** An administrator: the entry and its role, or null for a wrong password or an unknown user. */
  authenticateAdministrator(userName: string, password: string): Promise<DirectoryUser | null> {
    return this.authenticate(this.settings.adminUserFilter, userName, password, true);
  }

  /**
   * The role a signed-in administrator's groups grant now (a session asks again from time to
   * time): null when the user name no longer finds the entry signed in as (deleted, renamed, or
   * left out by the filter now, as a disabled account is by AD's userAccountControl term) or the
   * entry is in no group. No password: the session was signed in with one.
   */
  administratorRole(userName: string, dn: string): Promise<DirectoryRole | null> {
    if (!isDirectoryName(userName)) return Promise.resolve(null);
    return this.attempt(async (client) => {
      await this.bindAsService(client);
      const found = await this.findEntry(client, userFilter(this.settings.adminUserFilter, userName));
      if (found === null || found.toLowerCase() !== dn.toLowerCase()) return null;
      return this.groupRole(client, found);
    });
  }

  /** Binds as the service account: what the readiness check asks. */
  async probe(): Promise<DirectoryStatus> {
    try {
      await this.attempt((client) => this.bindAsService(client));
    } catch (error) {
      if (!(error instanceof DirectoryUnavailableError)) throw error;
    }
    return this.current;
  }

  close(): void {
    this.pool.close();
  }

  private authenticate(template: string, login: string, password: string, withRole: boolean): Promise<DirectoryUser | null> {
    // An empty password would be an unauthenticated bind, which succeeds (RFC 4513, 5.1.2).
    if (password === '' || !isDirectoryName(login)) {
      return Promise.resolve(null);
    }
    return this.attempt(async (client) => {
      await this.bindAsService(client);
      const dn = await this.findEntry(client, userFilter(template, login));
      if (dn === null) return null;
      const role = withRole ? await this.groupRole(client, dn) : null;
      try {
        await this.checked(client).bind(dn, password);
      } catch (error) {
        if (error instanceof InvalidCredentialsError) return null;
        throw error;
      }
      return { dn, role };
    });
  }

  /** The one entry the filter finds, or null for none or several (a filter that is not unique). */
  private async findEntry(client: Client, filter: string): Promise<string | null> {
    const { searchEntries } = await this.checked(client).search(this.settings.baseDn, {
      scope: 'sub',
      filter,
      attributes: ['1.1'], // no attributes: the DN is all that is needed
      sizeLimit: 2,
      timeLimit: Math.ceil(this.settings.timeoutMs / 1000),
    });
    return searchEntries.length === 1 ? searchEntries[0].dn : null;
  }

  /** The highest role among the configured groups that list the entry as a member. */
  private async groupRole(client: Client, dn: string): Promise<DirectoryRole | null> {
    const member = escapeFilterValue(dn);
    for (const role of ROLES_BY_RANK) {
      const group = this.settings.groups[role];
      if (!group) continue;
      try {
        // groupOfNames and AD groups list `member`, groupOfUniqueNames `uniqueMember`.
        const { searchEntries } = await this.checked(client).search(group, {
          scope: 'base',
          filter: `(|(member=${member})(uniqueMember=${member}))`,
          attributes: ['1.1'],
        });
        if (searchEntries.length > 0) return role;
      } catch (error) {
        if (!(error instanceof NoSuchObjectError)) throw error; // a group that does not exist has no members
      }
    }
    return null;
  }

  private async bindAsService(client: Client): Promise<void> {
    await this.checked(client).bind(this.settings.bindDn, this.settings.bindPassword);
  }

  /**
   * The client, once more known to be connected. ldapts reconnects by itself when a socket has
   * closed, without StartTLS and anonymously: a bind would then send its password in clear, a
   * search would see what anonymous may see. Checked right before each call, in the same tick,
   * so no close can come between; a closed connection fails the sequence instead.
   */
  private checked(client: Client): Client {
    if (!client.isConnected) throw new Error('the directory closed the connection');
    return client;
  }

  private async connect(): Promise<Client> {
    const client = new Client({
      url: this.settings.url,
      connectTimeout: this.settings.connectTimeoutMs,
      timeout: this.settings.timeoutMs,
      // Only for ldaps://: given to an ldap:// client, ldapts breaks the StartTLS handshake.
      tlsOptions: this.settings.startTls ? undefined : this.tls,
      strictDN: false,
    });
    try {
      if (this.settings.startTls) {
        // The TLS handshake has no timeout of its own in ldapts.
        await withTimeout(client.startTLS({ ...this.tls }), this.settings.timeoutMs, 'StartTLS');
      }
      // ldapts connects on the first operation: this one (over ldaps:// or the upgraded connection).
      await client.bind(this.settings.bindDn, this.settings.bindPassword);
      return client;
    } catch (error) {
      void client.unbind().catch(() => undefined);
      throw error;
    }
  }

  /** Runs a sequence on a pooled connection; maps every failure but a refusal to DirectoryUnavailableError. */
  private async attempt<R>(work: (client: Client) => Promise<R>): Promise<R> {
    const now = Date.now();
    if (this.current.state === 'unavailable' && now - this.lastAttempt < RETRY_INTERVAL_MS) {
      throw this.unavailable(this.current.error ?? 'unavailable');
    }
    this.lastAttempt = now;
    try {
      const result = await this.pool.use(work);
      this.setState({ state: 'up', since: new Date() });
      return result;
    } catch (error) {
      const reason = describe(error);
      this.setState({ state: 'unavailable', since: new Date(), error: reason });
      throw this.unavailable(reason);
    }
  }

  private unavailable(reason: string): DirectoryUnavailableError {
    return new DirectoryUnavailableError(`the directory is unavailable: ${reason}`, this.settings.retryAfterSeconds);
  }

  private setState(next: DirectoryStatus): void {
    const changed = next.state !== this.current.state;
    if (changed || next.error !== this.current.error) {
      this.current = changed ? next : { ...next, since: this.current.since };
    }
    if (changed) this.onStateChange(this.current);
  }
}

/**
 * Whether a login could be a name in a directory. No directory name holds a control character or
 * half a surrogate pair, and OpenLDAP ignores a trailing NUL when it compares (`alice\0` finds
 * alice): such names are simply unknown.
 */
function isDirectoryName(login: string): boolean {
  return login !== '' && !/[\u0000-\u001f\u007f]/.test(login) && Buffer.from(login).toString() === login;
}

function describe(error: unknown): string {
  if (error instanceof PoolExhaustedError) return error.message;
  const { message, code } = error as { message?: string; code?: string | number };
  const text = (message || String(code ?? error)).slice(0, 200);
  return code !== undefined && !text.includes(String(code)) ? `${text} (${code})` : text;
}

async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
