import { type BackoffPolicy, DEFAULT_BACKOFF } from './backoff';
import { DEFAULT_DDI_INSTALLED, DEFAULT_DDI_MIX, DEFAULT_INSTALLED, DEFAULT_MIX, type DeviceKind, type InstalledChoice, parseInstalled, parseMix } from './identities';

export type Mode = 'steady' | 'storm' | 'rollout';

export interface SimOptions {
  mode: Mode;
  url: string;
  externalUrl: string | null;
  phones: number;
  seed: number;
  mix: DeviceKind[];
  installed: Record<string, InstalledChoice[]>;
  signedInShare: number;
  externalShare: number;
  testDeviceShare: number;
  serialOnlyShare: number;
  sipDomain: string;
  password: string | null;
  /** steady: checks per second across all phones (sets the interval). */
  rate: number | null;
  /** steady: how long to run; storm and rollout: an upper bound. */
  durationSeconds: number | null;
  /** storm and rollout: every phone boots within this many seconds. */
  withinSeconds: number;
  intervalSeconds: number;
  signInDelaySeconds: number;
  rebootSeconds: number;
  downloads: boolean;
  logChance: number;
  logType: string;
  groups: number;
  socketsPerGroup: number;
  requestTimeoutMs: number;
  backoff: BackoffPolicy;
  json: boolean;
  quiet: boolean;
  requestIdsFile: string | null;
  identitiesFile: string | null;
  insecure: boolean;
  /** --ddi: the devices speak hawkBit's DDI API (docs/ddi.md) instead of Lync's phone protocol. */
  ddi: DdiOptions;
}

export interface DdiOptions {
  enabled: boolean;
  /** The tenant of the devices' paths (the pool's UCU_DDI_TENANT). */
  tenant: string;
  /** Every device polls with `GatewayToken <token>` (the pool's UCU_DDI_GATEWAY_TOKEN). */
  gatewayToken: string | null;
  /** Registers every device with its attributes before the run and polls with its target token. */
  adminToken: string | null;
}

export const USAGE = `usage: ucupdates-sim <steady|storm|rollout> --url URL [options]   (docs/simulator.md)

modes
  steady                  every phone checks every interval; --rate sets the interval (phones / rate)
  storm                   every phone boots within --within seconds; ends when all have booted
  rollout                 phones boot within --within, check every --interval, download and
                          install; ends when every phone runs what the pool approves for it
where
  --url URL               the internal listener (the load balancer), e.g. http://127.0.0.1:8080
  --external-url URL      the external listener, for --external phones
DDI devices (docs/ddi.md)
  --ddi                   the devices speak hawkBit's DDI API as SWUpdate does: poll, configData,
                          deploymentBase, artifacts, feedback (default mix Contoso/Gateway-1/1.0/Neutral,
                          installed os=1.0.0, no users, every device with its controller id)
  --admin-token T         register every device (POST /api/v1/ddi/targets) and poll with its target token
  --gateway-token T       poll with the pool's gateway token instead (devices send configData)
  --tenant T              the tenant of the devices' paths (default DEFAULT)
                          neither token: anonymous polls (internal listener, UCU_DDI_ANONYMOUS_INTERNAL)
phones
  --phones N              how many (default 1000)
  --seed N                the same seed gives the same phones and timings (default 1)
  --mix SPEC              Brand/Model/Revision/Locale[:weight],… (default: Lync Phone Edition devices)
  --installed SPEC        UpdateType=Version[:weight][|…],… (default CPE=4.0.7577.4000:80|4.0.7577.3800:20)
  --signed-in SHARE       share with a signed-in user (default 0.5)
  --external SHARE        share outside, on the external listener with credentials (default 0)
  --password P            the password of every simulated user sip:phone<NNNNNNN>@<domain>
  --sip-domain D          (default contoso.com)
  --test-devices SHARE    share marked as test devices in --identities (default 0.01)
  --serial-only SHARE     share reporting no MAC address (default 0.02)
  --identities FILE       write every phone's identity there (JSON lines), to register test devices and users
timing
  --rate R                steady: checks per second of all phones together
  --duration S            steady: how long (default 60); storm, rollout: give up after S seconds
  --within S              storm, rollout: boot times spread over S seconds (default 60; rollout 10)
  --interval S            between a phone's regular checks (default 3600; rollout 60)
  --sign-in-delay S       the sign-in check, S seconds after boot, for phones with a user (default 5; 0: none)
  --reboot S              an install reboots the phone for S seconds, then it checks again (default 2)
behaviour
  --no-downloads          check only: offered updates are not downloaded nor installed
  --log-chance P          chance of a log upload after each check (default 0.01)
  --log-type T            a ValidLogFileTypes type: Watson or CELog by default (default CELog)
  --backoff-base-ms MS    first retry within MS (default 1000), doubling up to
  --backoff-cap-ms MS     (default 60000); never sooner than Retry-After
connections
  --groups G              phone groups (sites), one keep-alive agent each (default 16)
  --sockets N             sockets per group and listener (default 32)
  --timeout-ms MS         per request (default 30000)
  --insecure              accept any TLS certificate (labs)
output
  --json                  the final report as JSON on stdout
  --quiet                 no progress line on stderr
  --request-ids FILE      the X-Request-Id of every answered update check, one per line`;

export class UsageError extends Error {}

export function parseOptions(argv: string[]): SimOptions {
  const [mode, ...rest] = argv;
  if (mode === '--help' || mode === '-h' || mode === 'help') throw new UsageError('');
  if (mode !== 'steady' && mode !== 'storm' && mode !== 'rollout') throw new UsageError(`the first argument is the mode: steady, storm or rollout`);
  const options: SimOptions = {
    mode,
    url: '',
    externalUrl: null,
    phones: 1000,
    seed: 1,
    mix: DEFAULT_MIX,
    installed: DEFAULT_INSTALLED,
    signedInShare: 0.5,
    externalShare: 0,
    testDeviceShare: 0.01,
    serialOnlyShare: 0.02,
    sipDomain: 'contoso.com',
    password: null,
    rate: null,
    durationSeconds: mode === 'steady' ? 60 : null,
    withinSeconds: mode === 'rollout' ? 10 : 60,
    intervalSeconds: mode === 'rollout' ? 60 : 3600,
    signInDelaySeconds: 5,
    rebootSeconds: 2,
    downloads: true,
    logChance: 0.01,
    logType: 'CELog',
    groups: 16,
    socketsPerGroup: 32,
    requestTimeoutMs: 30_000,
    backoff: { ...DEFAULT_BACKOFF },
    json: false,
    quiet: false,
    requestIdsFile: null,
    identitiesFile: null,
    insecure: false,
    ddi: { enabled: false, tenant: 'DEFAULT', gatewayToken: null, adminToken: null },
  };
  let intervalGiven = false;
  const given = new Set<string>();
  for (let i = 0; i < rest.length; i++) {
    const name = rest[i];
    given.add(name);
    const value = (): string => {
      const next = rest[++i];
      if (next === undefined) throw new UsageError(`${name} needs a value`);
      return next;
    };
    const number = (min: number, max = Number.MAX_SAFE_INTEGER): number => {
      const parsed = Number(value());
      if (!Number.isFinite(parsed) || parsed < min || parsed > max) throw new UsageError(`${name} takes a number from ${min} to ${max}`);
      return parsed;
    };
    const integer = (min: number, max?: number): number => {
      const parsed = number(min, max);
      if (!Number.isInteger(parsed)) throw new UsageError(`${name} takes a whole number`);
      return parsed;
    };
    const share = () => number(0, 1);
    const url = (): string => {
      const text = value();
      let parsed: URL;
      try {
        parsed = new URL(text);
      } catch {
        throw new UsageError(`${name}: "${text}" is not a URL`);
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`${name} must be http: or https:`);
      return text.replace(/\/+$/, '');
    };
    const parsed = <T>(parse: (text: string) => T): T => {
      try {
        return parse(value());
      } catch (error) {
        throw new UsageError(`${name}: ${(error as Error).message}`);
      }
    };
    switch (name) {
      case '--url': options.url = url(); break;
      case '--external-url': options.externalUrl = url(); break;
      case '--phones': options.phones = integer(1, 10_000_000); break;
      case '--seed': options.seed = integer(0, 2 ** 32 - 1); break;
      case '--mix': options.mix = parsed(parseMix); break;
      case '--installed': options.installed = parsed(parseInstalled); break;
      case '--signed-in': options.signedInShare = share(); break;
      case '--external': options.externalShare = share(); break;
      case '--password': options.password = value(); break;
      case '--sip-domain': options.sipDomain = value(); break;
      case '--test-devices': options.testDeviceShare = share(); break;
      case '--serial-only': options.serialOnlyShare = share(); break;
      case '--identities': options.identitiesFile = value(); break;
      case '--rate': options.rate = number(0.001); break;
      case '--duration': options.durationSeconds = number(0.1); break;
      case '--within': options.withinSeconds = number(0); break;
      case '--interval': options.intervalSeconds = number(0.1); intervalGiven = true; break;
      case '--sign-in-delay': options.signInDelaySeconds = number(0); break;
      case '--reboot': options.rebootSeconds = number(0); break;
      case '--no-downloads': options.downloads = false; break;
      case '--log-chance': options.logChance = share(); break;
      case '--log-type': options.logType = value(); break;
      case '--backoff-base-ms': options.backoff.baseMs = integer(1); break;
      case '--backoff-cap-ms': options.backoff.capMs = integer(1); break;
      case '--groups': options.groups = integer(1, 10_000); break;
      case '--sockets': options.socketsPerGroup = integer(1, 10_000); break;
      case '--timeout-ms': options.requestTimeoutMs = integer(1); break;
      case '--insecure': options.insecure = true; break;
      case '--json': options.json = true; break;
      case '--quiet': options.quiet = true; break;
      case '--request-ids': options.requestIdsFile = value(); break;
      case '--ddi': options.ddi.enabled = true; break;
      case '--tenant': options.ddi.tenant = parsed(checkedTenant); break;
      case '--gateway-token': options.ddi.gatewayToken = parsed(checkedToken); break;
      case '--admin-token': options.ddi.adminToken = parsed(checkedToken); break;
      case '--help': case '-h': throw new UsageError('');
      default: throw new UsageError(`unknown option "${name}"`);
    }
  }
  if (!options.url) throw new UsageError('--url is required');
  const { ddi } = options;
  if (!ddi.enabled && (ddi.gatewayToken !== null || ddi.adminToken !== null || given.has('--tenant'))) {
    throw new UsageError('--admin-token, --gateway-token and --tenant are for --ddi devices');
  }
  if (ddi.enabled) {
    // A DDI device is what its attributes say: no user, no MAC address; it runs an `os`.
    if (!given.has('--mix')) options.mix = DEFAULT_DDI_MIX;
    if (!given.has('--installed')) options.installed = DEFAULT_DDI_INSTALLED;
    if (!given.has('--signed-in')) options.signedInShare = 0;
    if (!given.has('--serial-only')) options.serialOnlyShare = 0;
    if (!given.has('--log-chance')) options.logChance = 0;
    if (ddi.gatewayToken !== null && ddi.adminToken !== null) throw new UsageError('--ddi: give --admin-token or --gateway-token, not both');
    if (options.externalShare > 0 && (!options.externalUrl || (ddi.gatewayToken === null && ddi.adminToken === null))) {
      throw new UsageError('--ddi --external needs --external-url and a token (--admin-token or --gateway-token)');
    }
  } else if (options.externalShare > 0 && (!options.externalUrl || options.password === null)) {
    throw new UsageError('--external needs --external-url and --password');
  }
  if (!/^[A-Za-z]+$/.test(options.logType)) throw new UsageError('--log-type is a word such as CELog');
  if (options.mode === 'steady' && options.rate !== null) {
    if (intervalGiven) throw new UsageError('steady: give --rate or --interval, not both');
    options.intervalSeconds = options.phones / options.rate;
  }
  if (options.backoff.capMs < options.backoff.baseMs) throw new UsageError('--backoff-cap-ms is less than --backoff-base-ms');
  return options;
}

function checkedTenant(text: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(text)) throw new Error('a tenant is 1-64 letters, digits, "_" and "-"');
  return text;
}

function checkedToken(text: string): string {
  if (!/^[\x21-\x7e]{1,512}$/.test(text)) throw new Error('a token is 1-512 printable characters without spaces');
  return text;
}
