import { createHmac, timingSafeEqual } from 'node:crypto';
import { FILE_LOCATION_FIELDS, type FileLocation } from './file-path';

/** `<expiresAtEpochSeconds>.<base64url HMAC-SHA256>`; no leading zeros, so each token has one spelling. */
const TOKEN = /^(0|[1-9][0-9]{0,11})\.([A-Za-z0-9_-]{43})$/;
/** Keeps these MACs apart from anything else the same secret might ever sign. */
const PURPOSE = 'ucupdates-download-v1';

/**
 * What the MAC covers: the purpose, the expiry and the eight segments lower-cased (paths match
 * case-insensitively, so `CPE.nbt` and `cpe.NBT` are one file). JSON keeps the segments apart
 * whatever they hold.
 */
function mac(secret: Buffer, location: FileLocation, expiresAtSeconds: number): string {
  const canonical = JSON.stringify([PURPOSE, expiresAtSeconds, ...FILE_LOCATION_FIELDS.map((field) => location[field].toLowerCase())]);
  return createHmac('sha256', secret).update(canonical, 'utf8').digest('base64url');
}

/**
 * A permission to download one file until `expiresAt` (cut to the second below), for the external
 * listener's URLs (`?t=<token>`). Throws an Error for an empty secret or an expiry that cannot be
 * written (a configuration or programming error).
 */
export function signDownloadToken(secret: Buffer, location: FileLocation, expiresAt: Date): string {
  if (secret.length === 0) {
    throw new Error('the download token secret is empty');
  }
  const expiresAtSeconds = Math.floor(expiresAt.getTime() / 1000);
  if (!Number.isSafeInteger(expiresAtSeconds) || expiresAtSeconds < 0 || String(expiresAtSeconds).length > 12) {
    throw new Error(`cannot sign a download token that expires at ${String(expiresAt)}`);
  }
  return `${expiresAtSeconds}.${mac(secret, location, expiresAtSeconds)}`;
}

/**
 * True only for a well-formed token that has not expired at `now` (it is void from its expiry
 * second on) and was made with `secret` for this very location. The MAC is compared in constant
 * time, as text, so that no other spelling of the same bytes passes. Never throws.
 */
export function verifyDownloadToken(secret: Buffer, location: FileLocation, token: string | undefined, now: Date): boolean {
  try {
    if (typeof token !== 'string' || secret.length === 0) return false;
    const match = TOKEN.exec(token);
    if (!match) return false;
    const expiresAtSeconds = Number(match[1]);
    if (!(now.getTime() < expiresAtSeconds * 1000)) return false;
    const expected = Buffer.from(mac(secret, location, expiresAtSeconds), 'latin1');
    const given = Buffer.from(match[2], 'latin1');
    return expected.length === given.length && timingSafeEqual(expected, given);
  } catch {
    return false;
  }
}
