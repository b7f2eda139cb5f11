import { createHmac, timingSafeEqual } from 'node:crypto';
import { FOLDER_LOCATION_FIELDS, type FolderLocation } from './file-path';

/** `<expiresAtEpochSeconds>.<base64url HMAC-SHA256>`; no leading zeros, so each token has one spelling. */
const TOKEN = /^(0|[1-9][0-9]{0,11})\.([A-Za-z0-9_-]{43})$/;
/**
 * Keeps these MACs apart from anything else the same secret might ever sign, the version 1 tokens
 * (one file each) included.
 */
const PURPOSE = 'ucupdates-download-folder-v2';

/**
 * What the MAC covers: the purpose, the expiry and the folder's seven segments lower-cased (paths
 * match case-insensitively, so `CPE` and `cpe` are one folder). JSON keeps the segments apart
 * whatever they hold. A file name is never part of it: a phone appends its own to ExternalBaseURL.
 */
function mac(secret: Buffer, folder: FolderLocation, expiresAtSeconds: number): string {
  const canonical = JSON.stringify([PURPOSE, expiresAtSeconds, ...FOLDER_LOCATION_FIELDS.map((field) => folder[field].toLowerCase())]);
  return createHmac('sha256', secret).update(canonical, 'utf8').digest('base64url');
}

/**
 * A permission to download the files of one folder (rule key, version) until `expiresAt` (cut to
 * the second below), for the external listener's URLs (`/DeviceUpdateFiles_Ext/~<token>/…`); a
 * FileLocation stands for its folder. Throws an Error for an empty secret or an expiry that
 * cannot be written (a configuration or programming error).
 */
export function signDownloadToken(secret: Buffer, folder: FolderLocation, expiresAt: Date): string {
  if (secret.length === 0) {
    throw new Error('the download token secret is empty');
  }
  const expiresAtSeconds = Math.floor(expiresAt.getTime() / 1000);
  if (!Number.isSafeInteger(expiresAtSeconds) || expiresAtSeconds < 0 || String(expiresAtSeconds).length > 12) {
    throw new Error(`cannot sign a download token that expires at ${String(expiresAt)}`);
  }
  return `${expiresAtSeconds}.${mac(secret, folder, expiresAtSeconds)}`;
}

/**
 * True only for a well-formed token that has not expired at `now` (it is void from its expiry
 * second on) and was made with `secret` for this very folder (a FileLocation: its folder). The MAC
 * is compared in constant time, as text, so that no other spelling of the same bytes passes.
 * Never throws.
 */
export function verifyDownloadToken(secret: Buffer, folder: FolderLocation, token: string | null | undefined, now: Date): boolean {
  try {
    if (typeof token !== 'string' || secret.length === 0) return false;
    const match = TOKEN.exec(token);
    if (!match) return false;
    const expiresAtSeconds = Number(match[1]);
    if (!(now.getTime() < expiresAtSeconds * 1000)) return false;
    const expected = Buffer.from(mac(secret, folder, expiresAtSeconds), 'latin1');
    const given = Buffer.from(match[2], 'latin1');
    return expected.length === given.length && timingSafeEqual(expected, given);
  } catch {
    return false;
  }
}
