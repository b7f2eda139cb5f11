import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';

/** What a control-panel session holds: the admin token it stands for, and its CSRF token. */
export interface PanelSession {
  tokenId: string;
  csrfToken: string;
}

/** A session lasts at most this long after sign-in; then the panel asks for the token again. */
export const PANEL_SESSION_SECONDS = 8 * 60 * 60;

const KEY_PREFIX = 'ucupdates:panel-session:';

/**
 * The control panel's sign-in sessions, kept in Redis so that every node of the pool knows them
 * (the load balancer may send each request to another node). Only a hash of the session id is a
 * key, so reading Redis does not hand out sessions. The session names the admin token, not its
 * value: the guard loads the token on every request, so a revoked token ends its sessions too.
 */
@Injectable()
export class PanelSessions {
  constructor(@Inject(Redis) private readonly redis: Redis) {}

  async create(tokenId: string): Promise<{ sessionId: string; session: PanelSession }> {
    const sessionId = randomBytes(32).toString('base64url');
    const session: PanelSession = { tokenId, csrfToken: randomBytes(32).toString('base64url') };
    await this.redis.set(keyOf(sessionId), JSON.stringify(session), 'EX', PANEL_SESSION_SECONDS);
    return { sessionId, session };
  }

  async find(sessionId: string): Promise<PanelSession | null> {
    const stored = await this.redis.get(keyOf(sessionId));
    if (!stored) {
      return null;
    }
    const session = JSON.parse(stored) as Partial<PanelSession>;
    return typeof session.tokenId === 'string' && typeof session.csrfToken === 'string'
      ? { tokenId: session.tokenId, csrfToken: session.csrfToken }
      : null;
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
