import { randomUUID } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { XMLParser } from 'fast-xml-parser';
import { download } from './digests';

/** What a phone was offered for one update type. */
export interface Offered {
  updateType: string;
  version: string;
  files: { name: string; url: string; size: number; sha256: string }[];
}

/**
 * Phones checking through the load balancer, several at a time, and downloading now and then what
 * they are offered (verified by size and SHA-256). Records every answer and every failure.
 */
export class PhoneLoad {
  readonly answered: string[] = [];
  readonly errors: string[] = [];
  readonly wrong: string[] = [];
  downloads = 0;
  private running = false;
  private lanes: Promise<void>[] = [];
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 16 });
  private readonly parser = new XMLParser({ parseTagValue: false, isArray: (name) => ['Module', 'File'].includes(name) });

  constructor(
    private readonly baseUrl: string,
    private readonly expected: Map<string, string>,
    private readonly options: { downloadEvery?: number } = {},
  ) {}

  start(lanes = 6): void {
    this.running = true;
    this.lanes = Array.from({ length: lanes }, (_, lane) => this.lane(lane));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.lanes);
    this.agent.destroy();
  }

  private async lane(lane: number): Promise<void> {
    for (let n = 0; this.running; n++) {
      const requestId = randomUUID();
      const mac = `00-04-F2-${lane.toString(16).padStart(2, '0')}-${((n >> 8) & 0xff).toString(16).padStart(2, '0')}-${(n & 0xff).toString(16).padStart(2, '0')}`;
      try {
        const response = await call(`${this.baseUrl}/RequestHandler/ucdevice.upx`, {
          method: 'POST',
          agent: this.agent,
          headers: { 'Content-Type': 'text/xml', 'X-Request-Id': requestId },
          body: Buffer.from(updateCheck(mac)),
        });
        if (response.status !== 200) {
          this.errors.push(`check: HTTP ${response.status} ${response.body.slice(0, 120)}`);
          continue;
        }
        this.answered.push(requestId);
        const offered = this.offered(response.body);
        const versions = new Map(offered.map((module) => [module.updateType, module.version]));
        for (const [updateType, version] of this.expected) {
          if (versions.get(updateType) !== version) this.wrong.push(`${updateType}: offered ${versions.get(updateType)}, expected ${version}`);
        }
        if (n % (this.options.downloadEvery ?? 5) === 0) {
          const file = offered.flatMap((module) => module.files).sort((a, b) => a.size - b.size)[0];
          const got = await download(file.url, this.agent);
          if (got.status !== 200 || got.size !== file.size || got.sha256 !== file.sha256) {
            this.errors.push(`download ${file.name}: HTTP ${got.status}, ${got.size} bytes, ${got.sha256}`);
          } else {
            this.downloads++;
          }
        }
      } catch (error) {
        this.errors.push(`connection: ${(error as Error).message}`);
      }
    }
  }

  private offered(text: string): Offered[] {
    type Module = { UpdateType: string; Version: string; Files?: { File: { Name: string; Url: string; Size: string; Sha256: string }[] } };
    const { Response: answer } = this.parser.parse(text) as { Response: { Modules?: { Module: Module[] } } };
    return (answer.Modules?.Module ?? []).map((module) => ({
      updateType: module.UpdateType,
      version: module.Version,
      files: (module.Files?.File ?? []).map((file) => ({ name: file.Name, url: file.Url, size: Number(file.Size), sha256: file.Sha256 })),
    }));
  }
}

export function updateCheck(mac: string): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?><Request><DeviceType>UCPhone</DeviceType><MacAddress>${mac}</MacAddress>` +
    `<Vendor>Polycom</Vendor><Model>CX600</Model><Revision>A</Revision><Locale>ENU</Locale><Modules><Module>` +
    `<UpdateType>CPE</UpdateType><Filename>CPE.nbt</Filename><Version>1.0</Version></Module></Modules></Request>`
  );
}

/** One HTTP request, its body as text. */
export function call(
  url: string,
  { method = 'GET', headers = {}, body, agent }: { method?: string; headers?: Record<string, string>; body?: Buffer; agent?: Agent } = {},
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method, headers, agent, timeout: 30_000 }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text, headers: response.headers }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
    request.end(body);
  });
}
