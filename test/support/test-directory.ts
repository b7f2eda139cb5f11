import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { createPoolPki, opensslTime, type PoolPki, Profile } from './test-pki';
import { ROOT } from './test-environment';

/** The tree test/fixtures/directory/directory.ldif loads. */
export const TEST_DIRECTORY = {
  baseDn: 'dc=ucupdates,dc=test',
  service: { dn: 'cn=ucupdates,ou=services,dc=ucupdates,dc=test', password: 'service-password' },
  /** slapd's rootdn, for the tests' own changes (TestDirectory.modify): no entry, no ACL applies. */
  manager: { dn: 'cn=manager,dc=ucupdates,dc=test', password: 'manager-password' },
  groups: {
    admin: 'cn=ucu-admins,ou=groups,dc=ucupdates,dc=test',
    operator: 'cn=ucu-operators,ou=groups,dc=ucupdates,dc=test',
    viewer: 'cn=ucu-viewers,ou=groups,dc=ucupdates,dc=test',
  },
  /** uid, the phone's SIP user id (mail with sip:), the password; the groups are in the LDIF. */
  users: {
    alice: { uid: 'alice', userId: 'sip:alice@ucupdates.test', password: 'alice-password' },
    bob: { uid: 'bob', userId: 'sip:bob@ucupdates.test', password: 'bob-password' },
    olga: { uid: 'olga', userId: 'sip:olga@ucupdates.test', password: 'olga-password' },
    adam: { uid: 'adam', userId: 'sip:adam@ucupdates.test', password: 'adam-password' },
    vera: { uid: 'vera', userId: 'sip:vera@ucupdates.test', password: 'vera-password' },
    /** A mail address with the filter's special characters in it, which must match only itself. */
    obrien: { uid: 'obrien', userId: 'sip:o(brien)*@ucupdates.test', password: 'obrien-password' },
    /** A uid that is not ASCII (an operator). */
    jose: { uid: 'jos\u00e9', userId: 'sip:jose@ucupdates.test', password: 'jose-password' },
  },
} as const;

const FIXTURE = resolve(ROOT, 'test', 'fixtures', 'directory', 'directory.ldif');

/**
 * Debian's slapd, started by a test: its own ports (StartTLS on `ldap://`, and `ldaps://`), its
 * own directory and database made for the run from the LDIF fixture, TLS with a certificate of the
 * test PKI (its CA file is what the apps get as UCU_LDAP_CA_FILE). The suite stops and starts it
 * to play a directory that goes away and comes back; the database survives a stop.
 */
export class TestDirectory {
  readonly pki: PoolPki;
  private server: ChildProcess | null = null;
  private readonly config: string;

  constructor(
    readonly dir: string,
    /** `ldap://` (StartTLS) listens here, `ldaps://` on the next port. */
    readonly port: number,
  ) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'db'), { recursive: true });
    this.pki = createPoolPki(join(dir, 'pki'));
    // slapd's certificate, of the test PKI's CA, for localhost and 127.0.0.1 (pki/server.pem, .key).
    this.pki.pki.issue('server', { subject: '/CN=localhost', issuer: this.pki.ca, profile: Profile.Server, notBefore: opensslTime(-1), notAfter: opensslTime(10), key: 'rsa' });
    this.config = join(dir, 'slapd.conf');
    writeFileSync(this.config, slapdConfig(dir));
    // Loaded offline, before the server runs: quicker than adding entries over the wire.
    execFileSync(slapBinary('slapadd'), ['-q', '-f', this.config, '-l', FIXTURE], { stdio: 'pipe' });
  }

  get startTlsUrl(): string {
    return `ldap://localhost:${this.port}`;
  }

  get ldapsUrl(): string {
    return `ldaps://localhost:${this.port + 1}`;
  }

  /** The UCU_LDAP_* variables for an app signing in against this directory. */
  environment(overrides: Record<string, string> = {}): Record<string, string> {
    return {
      UCU_LDAP_URL: this.ldapsUrl,
      UCU_LDAP_CA_FILE: this.pki.caFile,
      UCU_LDAP_BIND_DN: TEST_DIRECTORY.service.dn,
      UCU_LDAP_BIND_PASSWORD: TEST_DIRECTORY.service.password,
      UCU_LDAP_BASE_DN: TEST_DIRECTORY.baseDn,
      UCU_LDAP_USER_FILTER: '(&(objectClass=inetOrgPerson)(mail={user}))',
      UCU_LDAP_ADMIN_USER_FILTER: '(&(objectClass=inetOrgPerson)(uid={user}))',
      UCU_LDAP_ADMIN_GROUP_DN: TEST_DIRECTORY.groups.admin,
      UCU_LDAP_OPERATOR_GROUP_DN: TEST_DIRECTORY.groups.operator,
      UCU_LDAP_VIEWER_GROUP_DN: TEST_DIRECTORY.groups.viewer,
      ...overrides,
    };
  }

  async start(): Promise<void> {
    if (this.server && this.server.exitCode === null) return;
    const log = openSync(join(this.dir, 'slapd.log'), 'a');
    // -d 0: stays in the foreground (a child the test can stop), logging nothing but errors.
    this.server = spawn(
      slapBinary('slapd'),
      ['-d', '0', '-f', this.config, '-h', `ldap://127.0.0.1:${this.port}/ ldaps://127.0.0.1:${this.port + 1}/`],
      { stdio: ['ignore', log, log] },
    );
    const deadline = Date.now() + 15_000;
    while (!(await portOpen(this.port + 1))) {
      if (this.server.exitCode !== null) {
        throw new Error(`slapd exited (${this.server.exitCode}): ${readFileSync(join(this.dir, 'slapd.log'), 'utf8').slice(-2000)}`);
      }
      if (Date.now() > deadline) throw new Error(`slapd did not listen on port ${this.port + 1} within 15 s`);
      await new Promise((done) => setTimeout(done, 50));
    }
  }

  /**
   * Changes the running directory as an administrator would: `ldapmodify` (Debian's ldap-utils)
   * over LDAPS as the manager, with the LDIF given (changetype records). By address: libldap
   * checks the certificate against the name 127.0.0.1 turns back into (the machine's), not
   * against `localhost`.
   */
  modify(ldif: string): Promise<void> {
    return new Promise((done, fail) => {
      const child = execFile(
        'ldapmodify',
        ['-H', `ldaps://127.0.0.1:${this.port + 1}`, '-x', '-D', TEST_DIRECTORY.manager.dn, '-w', TEST_DIRECTORY.manager.password],
        { env: { ...process.env, LDAPTLS_CACERT: this.pki.caFile } },
        (error, _stdout, stderr) => (error ? fail(new Error(`ldapmodify failed: ${stderr || error.message}`)) : done()),
      );
      child.stdin?.end(ldif);
    });
  }

  async stop(): Promise<void> {
    const running = this.server;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((done) => running.once('exit', done));
    running.kill('SIGTERM');
    await exited;
    this.server = null;
  }
}

/** slapd and slapadd: on PATH or in /usr/sbin, where Debian puts them (npm test installs the package). */
function slapBinary(name: string): string {
  const found = ['/usr/sbin', '/usr/bin'].map((dir) => join(dir, name)).find((path) => existsSync(path));
  return found ?? name;
}

function slapdConfig(dir: string): string {
  const schema = (name: string) => `include /etc/ldap/schema/${name}.schema`;
  return [
    schema('core'),
    schema('cosine'),
    schema('inetorgperson'),
    `pidfile ${join(dir, 'slapd.pid')}`,
    `argsfile ${join(dir, 'slapd.args')}`,
    'modulepath /usr/lib/ldap',
    'moduleload back_mdb',
    `TLSCACertificateFile ${join(dir, 'pki', 'pool-ca.pem')}`,
    `TLSCertificateFile ${join(dir, 'pki', 'server.pem')}`,
    `TLSCertificateKeyFile ${join(dir, 'pki', 'server.key')}`,
    // Nothing but TLS may carry a bind: a client that forgot StartTLS is refused.
    'security simple_bind=128',
    'database mdb',
    `suffix "${TEST_DIRECTORY.baseDn}"`,
    `rootdn "${TEST_DIRECTORY.manager.dn}"`,
    `rootpw ${TEST_DIRECTORY.manager.password}`,
    `directory ${join(dir, 'db')}`,
    'maxsize 104857600',
    // The service account reads the tree; users may only bind; anonymous sees nothing.
    'access to attrs=userPassword by anonymous auth by * none',
    `access to * by dn.exact="${TEST_DIRECTORY.service.dn}" read by * none`,
    '',
  ].join('\n');
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}
