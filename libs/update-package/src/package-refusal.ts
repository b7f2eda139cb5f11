/** Why a package was refused; stored on the import for the admin to read (update-package.md). */
export enum PackageRefusalCode {
  /** The cabinet itself is unreadable or unsafe (the cab reader's code follows in the message). */
  BadCabinet = 'BadCabinet',
  /** The cabinet holds no `update.xml`. */
  NoUpdates = 'NoUpdates',
  /** An `update.xml` is not well-formed, has a DTD, or a field is missing or invalid. */
  BadDescription = 'BadDescription',
  /** An `update.xml` names a file the cabinet does not hold. */
  MissingFile = 'MissingFile',
  /** The same rule key appears twice in the package with different versions. */
  ConflictingVersions = 'ConflictingVersions',
  /** A signature (the cab's Authenticode, an update's catalog, a `.swu`'s sw-description.sig) did not verify. */
  BadSignature = 'BadSignature',
  /**
   * A DDI update's image is not a SWUpdate image: not a cpio `newc`/`crc` archive, or without
   * `sw-description` first (libs/swu's code follows in the message).
   */
  BadSwu = 'BadSwu',
  /** Microsoft's own package form (`updateInfo.xml`, or an `.exe` with a cabinet inside): repackage it. */
  MicrosoftPackageFormat = 'MicrosoftPackageFormat',
}

/** A package refused for good: importing it again cannot succeed. `file` names the cab entry. */
export class PackageRefusal extends Error {
  constructor(
    readonly code: PackageRefusalCode,
    readonly file: string | null,
    reason: string,
  ) {
    super(file ? `${file}: ${reason}` : reason);
    this.name = 'PackageRefusal';
  }
}
