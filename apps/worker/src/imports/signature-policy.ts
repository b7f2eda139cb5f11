import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileHandleSource } from '@ucupdates/cab';
import { CatalogError, CatalogErrorCode, TrustStore, verifyCabAuthenticode, verifyUpdateCatalog } from '@ucupdates/catalog';
import type { Config } from '@ucupdates/config';
import { entryKey, PackageRefusal, PackageRefusalCode, type UpdateDescription } from '@ucupdates/update-package';
import type { ExtractedPackage } from './package-extraction';

/**
 * Failures that mean the bytes were changed after signing. They refuse a package even where
 * unsigned updates are allowed: a lab may skip trust, never integrity.
 */
const TAMPERING = new Set([CatalogErrorCode.HashMismatch, CatalogErrorCode.BadSignature]);

/**
 * The signature rules of update-package.md: every update's catalog must vouch for its image and
 * chain to the pool's trust store, and a cabinet's Authenticode signature, when it has one, must
 * verify too. With UCU_ALLOW_UNSIGNED_UPDATES=true, missing or untrusted signatures are accepted.
 */
export class SignaturePolicy {
  private constructor(
    private readonly trustStore: TrustStore | null,
    private readonly allowUnsigned: boolean,
  ) {}

  static fromConfig(config: Config): SignaturePolicy {
    const trustStore = config.UCU_TRUSTED_CA_FILE ? TrustStore.fromPem(readFileSync(config.UCU_TRUSTED_CA_FILE)) : null;
    return new SignaturePolicy(trustStore, config.UCU_ALLOW_UNSIGNED_UPDATES);
  }

  async check(extracted: ExtractedPackage, updates: UpdateDescription[]): Promise<void> {
    await this.checkCabinet(extracted);
    for (const update of updates) {
      await this.checkCatalog(extracted, update);
    }
  }

  private async checkCabinet(extracted: ExtractedPackage): Promise<void> {
    if (!extracted.header.signature) {
      return;
    }
    await this.verify('the cabinet', () =>
      verifyCabAuthenticode({
        source: fileHandleSource(extracted.packageFile, extracted.packageSize),
        header: extracted.header,
        trustStore: this.requireTrustStore(),
      }),
    );
  }

  private async checkCatalog(extracted: ExtractedPackage, update: UpdateDescription): Promise<void> {
    const image = extracted.files.get(entryKey(update.imageEntry))!;
    const catalog = extracted.files.get(entryKey(update.catalogEntry))!;
    const catalogBytes = await readFile(catalog.path);
    await this.verify(update.catalogEntry, async () =>
      verifyUpdateCatalog({ catalog: catalogBytes, imageDigests: image.digests, trustStore: this.requireTrustStore() }),
    );
  }

  private requireTrustStore(): TrustStore {
    if (!this.trustStore) {
      throw new CatalogError(CatalogErrorCode.UntrustedSigner, 'the pool trusts no signer (UCU_TRUSTED_CA_FILE is not set)');
    }
    return this.trustStore;
  }

  private async verify(what: string, check: () => Promise<unknown>): Promise<void> {
    try {
      await check();
    } catch (error) {
      if (!(error instanceof CatalogError)) {
        throw error;
      }
      if (this.allowUnsigned && !TAMPERING.has(error.code)) {
        return;
      }
      throw new PackageRefusal(PackageRefusalCode.BadSignature, what, `${error.code}: ${error.message}`);
    }
  }
}
