import { DirectoryUnavailableError } from '@ucupdates/directory';
import { PhoneDirectory } from './phone-directory';

/**
 * Several directories asked in the configured order (UCU_PHONE_DIRECTORIES, e.g. `ldap,table`):
 * the first that accepts the credentials signs the device in. One that is unavailable is passed
 * over, but when no other accepts, the answer is "unavailable", not "wrong password": the one
 * that could not answer might have said yes.
 */
export class PhoneDirectoryChain extends PhoneDirectory {
  constructor(private readonly directories: readonly PhoneDirectory[]) {
    super();
    if (directories.length === 0) throw new Error('a phone directory chain needs one directory at least');
  }

  async authenticate(userId: string, password: string): Promise<boolean> {
    let unavailable: DirectoryUnavailableError | null = null;
    for (const directory of this.directories) {
      try {
        if (await directory.authenticate(userId, password)) return true;
      } catch (error) {
        if (!(error instanceof DirectoryUnavailableError)) throw error;
        unavailable ??= error;
      }
    }
    if (unavailable) throw unavailable;
    return false;
  }
}
