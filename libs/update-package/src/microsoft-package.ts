import { entryKey } from './update-description';
import { PackageRefusal, PackageRefusalCode } from './package-refusal';

/**
 * Microsoft's own packages (update-package.md, "What real Microsoft packages look like"):
 * `UCUpdates.exe` is a self-extracting archive with `UCUpdates.cab` inside, which holds one
 * `updateInfo.xml` (root `Updates/Updates/Update` with a `version`) whose schema was never
 * published. Neither is imported; the refusal says what was found and how to repackage.
 */
export function isUpdateInfoEntry(name: string): boolean {
  return entryKey(name).split('/').pop() === 'updateinfo.xml';
}

/** The `version` of the first `<Update>` of an updateInfo.xml, when it can be read. */
export function updateInfoVersion(xml: Buffer): string | null {
  const match = /<Update\b[^>]*?\bversion\s*=\s*["']([^"'<>]{1,40})["']/i.exec(xml.toString('utf8'));
  return match ? match[1] : null;
}

/** Where a cabinet starts inside a Windows program (`MZ`), found as cabextract finds one: `MSCF` and four zero bytes. */
export function cabinetSignatureIn(bytes: Buffer, from = 0): number {
  for (let at = bytes.indexOf('MSCF', from, 'latin1'); at >= 0; at = bytes.indexOf('MSCF', at + 1, 'latin1')) {
    if (at + 8 <= bytes.length && bytes.readUInt32LE(at + 4) === 0) return at;
  }
  return -1;
}

const REPACKAGE =
  'ucupdates imports packages of update.xml folders (update-package.md): unpack it (cabextract), then make a ' +
  'package of each image with its rule key, version and signature file: ucupdates new-package --image FILE ' +
  '[--catalog FILE] --brand … --model … --revision … --locale … --update-type … --version … -o package.cab';

export function microsoftPackageRefusal(found: { exe: { cabinetOffset: number } | null; updateInfo: string | null; version: string | null }): PackageRefusal {
  const what = found.exe
    ? `a Windows program with a cabinet inside at byte ${found.exe.cabinetOffset} (Microsoft's self-extracting UCUpdates.exe)`
    : "a Microsoft update package (it holds updateInfo.xml, not update.xml)";
  const version = found.version ? `, version ${found.version}` : found.updateInfo ? ', its version unreadable' : '';
  return new PackageRefusal(PackageRefusalCode.MicrosoftPackageFormat, found.updateInfo, `${what}${version}. ${REPACKAGE}`);
}
