import type { PhoneIdentity } from './identities';
import type { CheckAnswer, OfferedModule } from './phone-protocol';

/**
 * One phone's state, as Lync Phone Edition keeps it: per update type the version it runs and the
 * one image it keeps as its backup. Pure: the simulation does the requests and tells the phone
 * what came back; the phone says what to do next.
 *
 * - It checks at boot, at sign-in and every interval.
 * - It installs what an answer offers (every file downloaded and verified first); the version it
 *   ran becomes its backup. An update is installed as the phone reboots, and it checks at boot.
 * - `RestoreBackup` sends it back to its backup image, which is then used up.
 * - It is *current* once a check answered after its last change offered nothing (NumOfFiles 0):
 *   it runs what the pool approves for it (the pending version, for a test device).
 */
export type CheckReason = 'boot' | 'sign-in' | 'interval' | 'retry';

export type PhonePlan =
  | { kind: 'nothing' }
  | { kind: 'update'; installs: OfferedModule[]; restores: string[] };

export class Phone {
  readonly installed: Record<string, string>;
  readonly backup: Record<string, string | null> = {};
  /** Consecutive failed attempts of the operation under way (the check or the downloads). */
  failures = 0;
  /** External phones: sent the credentials since the challenge; a reboot forgets it. */
  authenticated = false;
  /** The last answer offered nothing and nothing changed since. */
  current = false;
  /** When it became current (simulation clock, ms), for the time to full rollout. */
  currentSince: number | null = null;
  /** Booted, and has made its boot check. */
  booted = false;
  busy = false;
  installs = 0;
  restores = 0;
  /** Counts changes of what it runs: the simulation renders its update check again after one. */
  changes = 0;

  constructor(readonly identity: PhoneIdentity) {
    this.installed = { ...identity.installed };
    for (const updateType of Object.keys(this.installed)) this.backup[updateType] = null;
  }

  /** What to do about an answer: install the offered versions that differ, restore backups as told. */
  plan(answer: CheckAnswer, now: number): PhonePlan {
    const installs: OfferedModule[] = [];
    const restores: string[] = [];
    for (const module of answer.modules) {
      if (module.action === 'RestoreBackup') {
        restores.push(module.updateType);
      } else if (module.version !== null && module.version !== this.installed[module.updateType]) {
        installs.push(module);
      }
    }
    if (installs.length === 0 && restores.length === 0) {
      if (!this.current) this.currentSince = now;
      this.current = true;
      return { kind: 'nothing' };
    }
    this.current = false;
    this.currentSince = null;
    return { kind: 'update', installs, restores };
  }

  /** The files of `module` are downloaded and verified: it runs that version, the old one is its backup. */
  install(updateType: string, version: string): void {
    const running = this.installed[updateType];
    if (running === version) return;
    this.backup[updateType] = running ?? null;
    this.installed[updateType] = version;
    this.installs += 1;
    this.changes += 1;
    this.current = false;
  }

  /**
   * Back to the backup image. Without one (never updated, or restored already) the phone keeps
   * what it runs: there is nothing to go back to. Returns whether it changed.
   */
  restoreBackup(updateType: string): boolean {
    const backup = this.backup[updateType];
    this.current = false;
    if (backup === null || backup === undefined) return false;
    this.installed[updateType] = backup;
    this.backup[updateType] = null;
    this.restores += 1;
    this.changes += 1;
    return true;
  }

  /** A failed attempt: the retry number to wait for (1 for the first retry). */
  failed(): number {
    this.failures += 1;
    return this.failures;
  }

  /** The operation under way (a check and what it asked for) succeeded: the next failure is a first one. */
  succeeded(): void {
    this.failures = 0;
  }

  /** Rebooting forgets the sign-in state of the HTTP client, not the firmware. */
  reboot(): void {
    this.authenticated = false;
  }
}
