import { resolve } from 'node:path';
import { DirectoryUnavailableError, LdapDirectory, type LdapSettings } from '@ucupdates/directory';
import { createPoolPki } from '../support/test-pki';
import { TEST_DIRECTORY, TestDirectory } from '../support/test-directory';
import { suiteResources, testServices } from '../support/test-environment';

const { users } = TEST_DIRECTORY;

jest.setTimeout(60_000);

/** libs/directory against Debian's slapd with TLS on: sign-in, roles, escaping, outages, the pool. */
describe('LdapDirectory against slapd', () => {
  let slapd: TestDirectory;
  const opened: LdapDirectory[] = [];

  const directoryWith = (overrides: Partial<LdapSettings> = {}): LdapDirectory => {
    const directory = new LdapDirectory({
      url: slapd.ldapsUrl,
      startTls: false,
      caFile: slapd.pki.caFile,
      bindDn: TEST_DIRECTORY.service.dn,
      bindPassword: TEST_DIRECTORY.service.password,
      baseDn: TEST_DIRECTORY.baseDn,
      userFilter: '(&(objectClass=inetOrgPerson)(mail={user}))',
      adminUserFilter: '(&(objectClass=inetOrgPerson)(uid={user}))',
      groups: TEST_DIRECTORY.groups,
      poolSize: 4,
      connectTimeoutMs: 1_000,
      timeoutMs: 2_000,
      retryAfterSeconds: 7,
      ...overrides,
    });
    opened.push(directory);
    return directory;
  };

  beforeAll(async () => {
    slapd = new TestDirectory(resolve(testServices.stateDir, 'ldap-directory-int'), suiteResources(__filename).port(190));
    await slapd.start();
  });

  afterAll(async () => {
    for (const directory of opened) directory.close();
    await slapd?.stop();
  });

  it.each(['LDAPS', 'StartTLS'])('signs a phone user in over %s with the right password only', async (name) => {
    const directory = directoryWith(name === 'StartTLS' ? { url: slapd.startTlsUrl, startTls: true } : {});
    expect(await directory.authenticatePhoneUser(users.alice.userId, users.alice.password)).toBe(true);
    expect(await directory.authenticatePhoneUser(users.alice.userId, users.bob.password)).toBe(false);
    expect(await directory.authenticatePhoneUser('sip:nobody@ucupdates.test', users.alice.password)).toBe(false);
    expect(await directory.authenticatePhoneUser(users.alice.userId, '')).toBe(false);
    expect(directory.status.state).toBe('up');
  });

  it('refuses a directory whose certificate its CA file does not vouch for', async () => {
    const stranger = createPoolPki(resolve(testServices.stateDir, 'ldap-directory-int-stranger'));
    const directory = directoryWith({ caFile: stranger.caFile });
    await expect(directory.authenticatePhoneUser(users.alice.userId, users.alice.password)).rejects.toThrow(DirectoryUnavailableError);
    expect(directory.status).toMatchObject({ state: 'unavailable', error: expect.stringMatching(/certificate/i) });
  });

  it.each([
    ['a wildcard that would match alice', 'sip:al*@ucupdates.test'],
    ['a bare wildcard', 'sip:*'],
    ['a closing parenthesis and a second condition', 'sip:alice@ucupdates.test)(mail=*'],
    ['an OR that would match anyone', '*)(|(mail=*'],
    ['a backslash escape of its own', 'sip:alice\\40ucupdates.test'],
    ['a NUL cutting the value short', 'sip:alice@ucupdates.test\u0000'],
    ['non-ASCII lookalike', 'sip:al\u0131ce@ucupdates.test'],
  ])('never widens the search: %s with alice\'s password is refused', async (_name, userId) => {
    const directory = directoryWith();
    expect(await directory.authenticatePhoneUser(userId, users.alice.password)).toBe(false);
    expect(directory.status.state).toBe('up');
  });

  it('finds a user whose id holds the special characters, by exactly that id', async () => {
    const directory = directoryWith();
    expect(await directory.authenticatePhoneUser(users.obrien.userId, users.obrien.password)).toBe(true);
    expect(await directory.authenticatePhoneUser('sip:o(brien)@ucupdates.test', users.obrien.password)).toBe(false);
  });

  it('gives administrators the role of their highest group, and none outside the groups', async () => {
    const directory = directoryWith();
    const roleOf = async (uid: string, password: string) => (await directory.authenticateAdministrator(uid, password))?.role;
    expect(await roleOf(users.adam.uid, users.adam.password)).toBe('admin');
    expect(await roleOf(users.olga.uid, users.olga.password)).toBe('operator');
    expect(await roleOf(users.vera.uid, users.vera.password)).toBe('viewer');
    expect(await roleOf(users.jose.uid, users.jose.password)).toBe('operator');
    expect(await directory.authenticateAdministrator(users.alice.uid, users.alice.password)).toEqual({
      dn: 'uid=alice,ou=people,dc=ucupdates,dc=test',
      role: null,
    });
    expect(await directory.authenticateAdministrator(users.olga.uid, users.adam.password)).toBeNull();
    expect(await directory.authenticateAdministrator('*', users.olga.password)).toBeNull();
    expect(await directory.administratorRole(users.olga.uid, 'uid=olga,ou=people,dc=ucupdates,dc=test')).toBe('operator');
    // Another user's entry under this name, or a name that finds nothing: no role.
    expect(await directory.administratorRole(users.olga.uid, 'uid=adam,ou=people,dc=ucupdates,dc=test')).toBeNull();
    expect(await directory.administratorRole('ol*', 'uid=olga,ou=people,dc=ucupdates,dc=test')).toBeNull();
  });

  it('keeps to its pool size under many sign-ins at once', async () => {
    const directory = directoryWith({ poolSize: 3 });
    let most = 0;
    const results = await Promise.all(
      Array.from({ length: 60 }, async (_, index) => {
        const user = [users.alice, users.bob, users.olga][index % 3];
        const accepted = await directory.authenticatePhoneUser(user.userId, index % 5 === 0 ? 'wrong' : user.password);
        most = Math.max(most, directory.connections);
        return accepted;
      }),
    );
    expect(results.filter(Boolean)).toHaveLength(48);
    expect(most).toBeLessThanOrEqual(3);
    expect(most).toBeGreaterThan(0);
  });

  it('says unavailable while slapd is stopped, fast, and is used again once it is back', async () => {
    const directory = directoryWith();
    expect(await directory.authenticatePhoneUser(users.alice.userId, users.alice.password)).toBe(true);
    await slapd.stop();
    try {
      const error = await directory.authenticatePhoneUser(users.alice.userId, users.alice.password).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DirectoryUnavailableError);
      expect((error as DirectoryUnavailableError).retryAfterSeconds).toBe(7);
      expect(directory.status.state).toBe('unavailable');
      const started = Date.now();
      await expect(directory.authenticatePhoneUser(users.alice.userId, users.alice.password)).rejects.toThrow(DirectoryUnavailableError);
      expect(Date.now() - started).toBeLessThan(500);
      expect((await directory.probe()).state).toBe('unavailable');
    } finally {
      await slapd.start();
    }
    await new Promise((done) => setTimeout(done, 1_100));
    expect(await directory.authenticatePhoneUser(users.alice.userId, users.alice.password)).toBe(true);
    expect(directory.status.state).toBe('up');
  });
});
