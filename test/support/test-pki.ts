import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * The one test PKI (docs/testing.md): a throw-away PKI made with the openssl command line
 * (Debian's `openssl`) — keys, certificates with chosen validity dates and profiles (`openssl ca`
 * is the one openssl 3.0 command that sets notBefore), and CMS signatures — in one directory.
 * `TestPki` is the whole kit (the catalog verifier's specs); `createPoolPki` is the PKI a pool under
 * test trusts, made with it (the packages the suites and benchmarks upload, slapd's TLS).
 */

export type KeyKind = 'ec' | 'rsa';

/** Certificate profiles, as sections of the generated openssl configuration. */
export enum Profile {
  /** CA:TRUE, keyCertSign. */
  Ca = 'v3_ca',
  /** CA:TRUE with pathlen:0: may issue end-entity certificates only. */
  CaNoIntermediates = 'v3_ca_pathlen0',
  /** An end entity that signs code: CA:FALSE, digitalSignature, codeSigning. */
  Signer = 'v3_signer',
  /** A signer SWUpdate accepts too (ddi.md): codeSigning and emailProtection. */
  SmimeSigner = 'v3_smime_signer',
  /** An end entity that may only encrypt: keyUsage keyEncipherment. */
  EncryptionOnly = 'v3_encryption',
  /** A signer with a critical extension nobody knows. */
  UnknownCritical = 'v3_unknown_critical',
  /** A TLS server on this machine: serverAuth, for localhost and 127.0.0.1. */
  Server = 'v3_server',
  /** An X.509 v1 certificate: no extensions at all. */
  V1 = 'v1',
}

export interface Issued {
  readonly name: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly pem: string;
}

export interface IssueOptions {
  readonly subject: string;
  /** The issuing CA; self-signed when absent. */
  readonly issuer?: Issued;
  readonly profile: Profile;
  /** Validity, YYYYMMDDHHMMSSZ. */
  readonly notBefore: string;
  readonly notAfter: string;
  readonly key?: KeyKind;
}

const CONFIG = `
[ca]
default_ca = test_ca
[test_ca]
database = DIR/index.txt
new_certs_dir = DIR/issued
rand_serial = yes
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[policy_any]
commonName = supplied
organizationName = optional
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
[v3_ca_pathlen0]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
[v3_signer]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
[v3_smime_signer]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning, emailProtection
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
[v3_encryption]
basicConstraints = critical, CA:FALSE
keyUsage = critical, keyEncipherment
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
[v3_unknown_critical]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
1.3.6.1.4.1.55555.1 = critical, ASN1:NULL
[v3_server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
`;

export class TestPki {
  private constructor(readonly dir: string) {}

  /** In `dir` (made if missing), or in a new temporary directory. */
  static create(dir = mkdtempSync(path.join(tmpdir(), 'ucupdates-pki-'))): TestPki {
    mkdirSync(path.join(dir, 'issued'), { recursive: true });
    writeFileSync(path.join(dir, 'index.txt'), '');
    writeFileSync(path.join(dir, 'ca.cnf'), CONFIG.replaceAll('DIR', dir));
    return new TestPki(dir);
  }

  path(name: string): string {
    return path.join(this.dir, name);
  }

  write(name: string, bytes: Buffer | string): string {
    writeFileSync(this.path(name), bytes);
    return this.path(name);
  }

  read(name: string): Buffer {
    return readFileSync(this.path(name));
  }

  /** Runs a command, in the directory unless told `cwd`; a failure shows its output. */
  run(command: string, args: string[], cwd = this.dir): Buffer {
    try {
      return execFileSync(command, args, { cwd, stdio: 'pipe' });
    } catch (error) {
      const failed = error as { stdout?: Buffer; stderr?: Buffer };
      const output = `${failed.stdout?.toString() ?? ''}${failed.stderr?.toString() ?? String(error)}`;
      throw new Error(
        `${command} ${args.join(' ')} failed (are openssl, osslsigncode and gcab installed?):\n${output}`,
      );
    }
  }

  /** Like run, but returns whether it succeeded and its output instead of throwing. */
  tryRun(command: string, args: string[]): { ok: boolean; output: string } {
    try {
      return { ok: true, output: execFileSync(command, args, { cwd: this.dir, stdio: 'pipe' }).toString() };
    } catch (error) {
      const failed = error as { stdout?: Buffer; stderr?: Buffer };
      return { ok: false, output: `${failed.stdout?.toString() ?? ''}${failed.stderr?.toString() ?? ''}` };
    }
  }

  issue(name: string, options: IssueOptions): Issued {
    const keyPath = this.path(`${name}.key`);
    const certPath = this.path(`${name}.pem`);
    const csrPath = this.path(`${name}.csr`);
    const keyArgs = {
      ec: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
      rsa: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
    }[options.key ?? 'ec'];
    this.run('openssl', ['genpkey', ...keyArgs, '-out', keyPath]);
    this.run('openssl', ['req', '-new', '-key', keyPath, '-subj', options.subject, '-out', csrPath]);
    const signing = options.issuer
      ? ['-cert', options.issuer.certPath, '-keyfile', options.issuer.keyPath]
      : ['-selfsign', '-keyfile', keyPath];
    this.run('openssl', [
      'ca',
      '-batch',
      '-notext',
      '-config',
      this.path('ca.cnf'),
      ...signing,
      '-in',
      csrPath,
      '-out',
      certPath,
      '-startdate',
      options.notBefore,
      '-enddate',
      options.notAfter,
      ...(options.profile === Profile.V1 ? [] : ['-extensions', options.profile]),
    ]);
    return { name, certPath, keyPath, pem: readFileSync(certPath, 'utf8') };
  }

  /** Concatenates certificates into a PEM bundle file. */
  bundle(name: string, certificates: readonly Issued[]): string {
    return this.write(name, certificates.map((certificate) => certificate.pem).join(''));
  }

  /**
   * `openssl cms -sign`, DER out. `extra` adds options: `-md sha1`, `-certfile chain.pem`,
   * `-nodetach -econtent_type <oid>`, `-keyopt rsa_padding_mode:pss`, `-keyid`, `-noattr`…
   */
  cmsSign(input: string, signer: Issued, output: string, extra: string[] = []): Buffer {
    this.run('openssl', [
      'cms',
      '-sign',
      '-binary',
      '-outform',
      'DER',
      '-in',
      this.path(input),
      '-signer',
      signer.certPath,
      '-inkey',
      signer.keyPath,
      '-out',
      this.path(output),
      ...extra,
    ]);
    return this.read(output);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** openssl's validity form (YYYYMMDDHHMMSSZ) of a time `days` from now. */
export function opensslTime(days: number): string {
  return `${new Date(Date.now() + days * 86_400_000).toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

/** The PKI a pool under test trusts (UCU_TRUSTED_CA_FILE) and the signers of the packages uploaded to it. */
export interface PoolPki {
  readonly pki: TestPki;
  readonly dir: string;
  /** PEM of the CA the pool trusts. */
  readonly caFile: string;
  readonly ca: Issued;
  /**
   * Signs code under that CA. Its extended key usage is codeSigning and emailProtection, so it
   * signs SWUpdate images too (docs/ddi.md: SWUpdate 2022.12 refuses a signer with codeSigning alone).
   */
  readonly signer: Issued;
  /** Signs code under a CA the pool does not trust. */
  readonly rogue: Issued;
  /** Signs code under the pool's CA with codeSigning alone: good for catalogs, refused for .swu images. */
  readonly codeSigningOnly: Issued;
}

/** RSA, as the packages Lync's administrators sign are; valid from a day ago for 30 days. */
export function createPoolPki(dir: string): PoolPki {
  const pki = TestPki.create(dir);
  const validity = { notBefore: opensslTime(-1), notAfter: opensslTime(30), key: 'rsa' as const };
  const ca = pki.issue('pool-ca', { subject: '/CN=pool test CA', profile: Profile.Ca, ...validity });
  const rogueCa = pki.issue('rogue-ca', { subject: '/CN=rogue test CA', profile: Profile.Ca, ...validity });
  return {
    pki,
    dir,
    caFile: ca.certPath,
    ca,
    signer: pki.issue('signer', { subject: '/CN=signer', issuer: ca, profile: Profile.SmimeSigner, ...validity }),
    rogue: pki.issue('rogue-signer', { subject: '/CN=rogue-signer', issuer: rogueCa, profile: Profile.SmimeSigner, ...validity }),
    codeSigningOnly: pki.issue('code-signer', { subject: '/CN=code-signer', issuer: ca, profile: Profile.Signer, ...validity }),
  };
}
