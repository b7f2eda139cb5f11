import { DirectoryUnavailableError } from '@ucupdates/directory';
import { PhoneDirectory } from './phone-directory';
import { PhoneDirectoryChain } from './phone-directory-chain';

/** A directory that knows one user, or cannot answer at all. */
class OneUser extends PhoneDirectory {
  asked = 0;
  constructor(private readonly user: string | 'unavailable') {
    super();
  }
  async authenticate(userId: string, password: string): Promise<boolean> {
    this.asked++;
    if (this.user === 'unavailable') throw new DirectoryUnavailableError('no answer', 9);
    return userId === this.user && password === 'right';
  }
}

describe('PhoneDirectoryChain', () => {
  it('accepts what the first directory accepts, without asking the next', async () => {
    const [ldap, table] = [new OneUser('alice'), new OneUser('bob')];
    const chain = new PhoneDirectoryChain([ldap, table]);
    expect(await chain.authenticate('alice', 'right')).toBe(true);
    expect(table.asked).toBe(0);
    expect(await chain.authenticate('bob', 'right')).toBe(true);
    expect(await chain.authenticate('bob', 'wrong')).toBe(false);
    expect(await chain.authenticate('carol', 'right')).toBe(false);
  });

  it('passes over an unavailable directory when another accepts', async () => {
    const chain = new PhoneDirectoryChain([new OneUser('unavailable'), new OneUser('bob')]);
    expect(await chain.authenticate('bob', 'right')).toBe(true);
  });

  it('says unavailable, not wrong, when no directory accepts and one could not answer', async () => {
    const chain = new PhoneDirectoryChain([new OneUser('bob'), new OneUser('unavailable')]);
    const error = await chain.authenticate('alice', 'right').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DirectoryUnavailableError);
    expect((error as DirectoryUnavailableError).retryAfterSeconds).toBe(9);
  });

  it('lets other errors through', async () => {
    class Broken extends PhoneDirectory {
      authenticate(): Promise<boolean> {
        return Promise.reject(new TypeError('a bug'));
      }
    }
    await expect(new PhoneDirectoryChain([new Broken(), new OneUser('bob')]).authenticate('bob', 'right')).rejects.toThrow(TypeError);
  });
});
