import { createHash, randomBytes } from 'node:crypto';

/**
 * Tokens are 256 random bits, so a fast hash is enough to store them safely (a slow one only
 * defends guessable secrets like passwords).
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function generateToken(): string {
  return `ucu_${randomBytes(32).toString('base64url')}`;
}
