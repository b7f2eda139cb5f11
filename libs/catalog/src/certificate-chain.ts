import { CatalogError, CatalogErrorCode } from './catalog-error';
import { Certificate, KeyUsageBit } from './certificate';
import { TrustStore } from './trust-store';

/** Longest chain looked for, signer and trusted certificate included; real ones have 2 to 4. */
const MAX_CHAIN_LENGTH = 8;
/**
 * Most certificate signature checks spent looking for chains, so a catalog stuffed with
 * look-alike certificates cannot make the search exponential.
 */
const MAX_LINK_CHECKS = 64;
/** Chains examined at most; the first acceptable one wins. */
const MAX_CHAINS = 4;

/**
 * Builds the chains from `signer` to a certificate of the trust store, through the certificates
 * the signature carries, and returns the first one every certificate of which is acceptable at
 * `now` (see checkChain). Throws UntrustedSigner when no chain reaches the trust store, else the
 * reason the first chain found was refused.
 */
export function validateChain(
  signer: Certificate,
  carried: readonly Certificate[],
  trustStore: TrustStore,
  now: Date,
  what: string,
): Certificate[] {
  const chains = findChains(signer, carried, trustStore);
  if (chains.length === 0) {
    throw new CatalogError(
      CatalogErrorCode.UntrustedSigner,
      `${what}'s certificate ${signer.describe()} does not chain to a trusted certificate ` +
        `(${describeDeadEnd(signer, carried)})`,
    );
  }
  const refusals: CatalogError[] = [];
  for (const chain of chains) {
    const refusal = checkChain(chain, trustStore, now, what);
    if (refusal === undefined) return chain;
    refusals.push(refusal);
  }
  throw refusals[0];
}

function findChains(signer: Certificate, carried: readonly Certificate[], trustStore: TrustStore): Certificate[][] {
  // Trusted certificates first, so the shortest chain to the trust store is found first.
  const candidates = [
    ...trustStore.certificates,
    ...carried.filter((certificate) => !trustStore.contains(certificate)),
  ];
  const chains: Certificate[][] = [];
  let checks = MAX_LINK_CHECKS;
  const walk = (chain: Certificate[]): void => {
    const last = chain[chain.length - 1];
    if (trustStore.contains(last)) {
      chains.push(chain);
      return;
    }
    if (chain.length >= MAX_CHAIN_LENGTH) return;
    for (const issuer of candidates) {
      if (chains.length >= MAX_CHAINS || checks <= 0) return;
      if (chain.some((certificate) => certificate.equals(issuer)) || !namesIssuer(last, issuer)) continue;
      checks--;
      if (isSignedBy(last, issuer)) walk([...chain, issuer]);
    }
  };
  walk([signer]);
  return chains;
}

/**
 * Whether `issuer` is named as the issuer of `certificate`: the same Name bytes, which is what
 * every real chain has, or what OpenSSL's own issuer check accepts (equivalent encodings, key
 * identifiers). Whether the issuer may issue at all is checked on the chain, for a clear reason.
 */
function namesIssuer(certificate: Certificate, issuer: Certificate): boolean {
  return certificate.issuerDer.equals(issuer.subjectDer) || certificate.x509.checkIssued(issuer.x509);
}

function isSignedBy(certificate: Certificate, issuer: Certificate): boolean {
  try {
    return certificate.x509.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/**
 * The reason a chain is refused, or undefined: each certificate within its validity at `now` and
 * without unknown critical extensions; each issuer a CA allowed to sign certificates with a path
 * length that allows the certificates below it; the signer's key allowed to sign.
 *
 * A trusted certificate without any basic constraints extension (an X.509 v1 root) may issue: it
 * is trusted by configuration, as OpenSSL and Windows also accept such roots.
 */
function checkChain(
  chain: readonly Certificate[],
  trustStore: TrustStore,
  now: Date,
  what: string,
): CatalogError | undefined {
  for (const [position, certificate] of chain.entries()) {
    const role = position === 0 ? `${what}'s certificate` : `the issuing certificate`;
    if (now.getTime() < certificate.notBefore.getTime()) {
      return new CatalogError(
        CatalogErrorCode.CertificateNotYetValid,
        `${role} ${certificate.describe()} is not valid before ${certificate.notBefore.toISOString()} ` +
          `(now ${now.toISOString()})`,
      );
    }
    if (now.getTime() > certificate.notAfter.getTime()) {
      return new CatalogError(
        CatalogErrorCode.CertificateExpired,
        `${role} ${certificate.describe()} expired on ${certificate.notAfter.toISOString()} (now ${now.toISOString()})`,
      );
    }
    if (certificate.unknownCriticalExtensions.length > 0) {
      return new CatalogError(
        CatalogErrorCode.CertificateNotAllowed,
        `${role} ${certificate.describe()} has critical extensions that are not understood here ` +
          `(${certificate.unknownCriticalExtensions.join(', ')})`,
      );
    }
    if (position === 0) {
      if (
        !certificate.allowsKeyUsage(KeyUsageBit.DigitalSignature) &&
        !certificate.allowsKeyUsage(KeyUsageBit.NonRepudiation)
      ) {
        return new CatalogError(
          CatalogErrorCode.CertificateNotAllowed,
          `${role} ${certificate.describe()} has a key usage that does not allow signatures`,
        );
      }
      continue;
    }
    const v1Root = certificate.basicConstraints === undefined && trustStore.contains(certificate);
    if (!v1Root && certificate.basicConstraints?.ca !== true) {
      return new CatalogError(
        CatalogErrorCode.CertificateNotAllowed,
        `${certificate.describe()} issued ${chain[position - 1].describe()} but is not a CA (basic constraints)`,
      );
    }
    if (!certificate.allowsKeyUsage(KeyUsageBit.KeyCertSign)) {
      return new CatalogError(
        CatalogErrorCode.CertificateNotAllowed,
        `${certificate.describe()} issued ${chain[position - 1].describe()} ` +
          'but its key usage does not allow signing certificates',
      );
    }
    // RFC 5280 4.2.1.9: how many intermediate CA certificates may follow this one.
    const pathLength = certificate.basicConstraints?.pathLength;
    if (pathLength !== undefined && position - 1 > pathLength) {
      return new CatalogError(
        CatalogErrorCode.CertificateNotAllowed,
        `${certificate.describe()} allows ${pathLength} intermediate CA certificates below it, ` +
          `the chain has ${position - 1}`,
      );
    }
  }
  return undefined;
}

/** Where the chain stops when it does not reach the trust store, following the first issuer found. */
function describeDeadEnd(signer: Certificate, carried: readonly Certificate[]): string {
  let last = signer;
  const seen = [signer];
  for (;;) {
    const issuer = carried.find(
      (candidate) =>
        !seen.some((certificate) => certificate.equals(candidate)) &&
        namesIssuer(last, candidate) &&
        isSignedBy(last, candidate),
    );
    if (issuer === undefined || seen.length >= MAX_CHAIN_LENGTH) break;
    seen.push(issuer);
    last = issuer;
  }
  if (last.issuerDer.equals(last.subjectDer))
    return `it ends at the self-signed "${last.subject}", which is not trusted`;
  return `it ends at "${last.subject}", whose issuer "${last.issuer}" is neither trusted nor included`;
}
