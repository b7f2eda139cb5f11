import { hkdfSync } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '@ucupdates/config';
import { type FolderLocation, signDownloadToken, verifyDownloadToken } from '@ucupdates/protocol';

/**
 * The external listener's download permissions: each external URL of an answer (its files' URLs,
 * its ExternalBaseURL) carries a token in the path that allows the files of that one folder until
 * it expires (phone-protocol.md). Every node must use the same key: it
 * is UCU_DOWNLOAD_TOKEN_SECRET, or else derived from the S3 secret key, which every node of a pool
 * shares already and phones never see.
 */
@Injectable()
export class DownloadTokens {
  private readonly secret: Buffer;
  private readonly ttlMs: number;

  constructor(@Inject(CONFIG) config: Config) {
    this.secret = config.UCU_DOWNLOAD_TOKEN_SECRET
      ? Buffer.from(config.UCU_DOWNLOAD_TOKEN_SECRET, 'utf8')
      : Buffer.from(hkdfSync('sha256', config.S3_SECRET_KEY, 'ucupdates', 'download tokens v1', 32));
    this.ttlMs = config.UCU_DOWNLOAD_TOKEN_TTL_SECONDS * 1000;
  }

  issue(folder: FolderLocation, now: Date): string {
    return signDownloadToken(this.secret, folder, new Date(now.getTime() + this.ttlMs));
  }

  /** Whether the token allows the folder (a FileLocation: its folder) now. */
  allows(folder: FolderLocation, token: string | null, now: Date): boolean {
    return verifyDownloadToken(this.secret, folder, token, now);
  }
}
