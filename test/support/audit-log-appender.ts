import { AuditLogFiles } from '../../apps/frontend/src/devices/request-audit/audit-log-files';
import type { AuditLogEntry } from '../../apps/frontend/src/devices/request-audit/audit-log-format';

/**
 * A child process for test/integration/request-audit-files.int-spec.ts: appends batches of rows
 * to the audit files in argv[2] for ever, as a node does, and prints how many rows it has written,
 * until it is killed. Some values hold quotes, commas and line breaks, so a cut inside a quoted
 * cell would show.
 */
async function main(): Promise<void> {
  const files = new AuditLogFiles(process.argv.at(-1) as string, 'crash-node');
  files.start();
  let written = 0;
  for (;;) {
    const batch: AuditLogEntry[] = Array.from({ length: 1 + (written % 7) }, (_, index) => ({
      at: new Date(Date.UTC(2030, 4, 31, 12, 0, 0, (written + index) % 1000)).toISOString(),
      address: '10.0.0.9',
      deviceType: 'UCPhone',
      macAddress: '00-04-F2-00-00-09',
      serialNumber: `SN-${written + index}`,
      vendor: 'Polycom',
      model: 'CX "600",\r\nline two',
      revision: 'A',
      locale: 'ENU',
      requestModules: [{ filename: 'CPE.nbt', version: '4.0.7577.4366', timestamp: null }],
      responseModules: [],
      userId: `=sip:user${written + index}@contoso.com`,
      external: false,
      status: 200,
      nodeId: 'crash-node',
    }));
    await files.append(batch);
    written += batch.length;
    process.stdout.write(`${written}\n`);
  }
}

void main();
