import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Role } from '@ucupdates/database';
import { Redis } from 'ioredis';

/**
 * A directory user signed in to the panel (docs/directory.md): the entry, the name typed, and the
 * role its groups granted when last asked.
 */
export interface PanelDirectoryUser {
  dn: string;
  name: string;
  role: Role;
  /** When the groups were last asked (ms since the epoch). */
  checkedAt: number;
}

/** Whom a session stands for: an admin token, or a directory user. */
export type PanelSessionOwner = { tokenId: string } | { directoryUser: PanelDirectoryUser };

/** What a control-panel session holds: whom it stands for, and its CSRF token. */
export type PanelSession = PanelSessionOwner & { csrfToken: string };

/** A session lasts at most this long after sign-in; then the panel asks for the token again. */
export const PANEL_SESSION_SECONDS = 8 * 60 * 60;

const KEY_PREFIX = 'ucupdates:panel-session:';

/**
 * The control panel's sign-in sessions, kept in Redis so that every node of the pool knows them
 * (the load balancer may send each request to another node). Only a hash of the session id is a
 * key, so reading Redis does not hand out sessions. The session names the admin token, not its
 * value: the guard loads the token on every request, so a revoked token ends its sessions too. A
 * directory user's session holds the entry and role, which the guard asks the directory about again
 * from time to time (update).
 */
@Injectable()
export class PanelSessions {
  constructor(@Inject(Redis) private readonly redis: Redis) {}

  async create(owner: PanelSessionOwner): Promise<{ sessionId: string; session: PanelSession }> {
    const sessionId = randomBytes(32).toString('base64url');
    const session: PanelSession = { ...owner, csrfToken: randomBytes(32).toString('base64url') };
    await this.redis.set(keyOf(sessionId), JSON.stringify(session), 'EX', PANEL_SESSION_SECONDS);
    return { sessionId, session };
  }

  async find(sessionId: string): Promise<PanelSession | null> {
    const stored = await this.redis.get(keyOf(sessionId));
    if (!stored) {
      return null;
    }
    const session = JSON.parse(stored) as { tokenId?: unknown; csrfToken?: unknown; directoryUser?: Partial<PanelDirectoryUser> };
    if (typeof session.csrfToken !== 'string') return null;
    if (typeof session.tokenId === 'string') return { tokenId: session.tokenId, csrfToken: session.csrfToken };
    const user = session.directoryUser;
    if (
      user &&
      typeof user.dn === 'string' &&
      typeof user.name === 'string' &&
      Object.values(Role).includes(user.role as Role) &&
      typeof user.checkedAt === 'number'
    ) {
      return { directoryUser: user as PanelDirectoryUser, csrfToken: session.csrfToken };
    }
    return null;
  }

  /** A directory user's session with its role asked again; its lifetime is not extended. */
  async update(sessionId: string, session: PanelSession): Promise<void> {
    await this.redis.set(keyOf(sessionId), JSON.stringify(session), 'KEEPTTL', 'XX');
  }

  async remove(sessionId: string): Promise<void> {
    await this.redis.del(keyOf(sessionId));
  }
}

function keyOf(sessionId: string): string {
  return KEY_PREFIX + createHash('sha256').update(sessionId, 'utf8').digest('hex');
}

/** Compares a CSRF token sent by the panel with the session's, in constant time. */
export function csrfTokenMatches(sent: string | undefined, expected: string): boolean {
  if (typeof sent !== 'string') {
    return false;
  }
  const a = Buffer.from(sent, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
