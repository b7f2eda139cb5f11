/** Object identifiers used by CMS, X.509, Windows catalogs and Authenticode. */
export const Oid = {
  // CMS (RFC 5652) and PKCS #9 attributes.
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentTypeAttribute: '1.2.840.113549.1.9.3',
  messageDigestAttribute: '1.2.840.113549.1.9.4',

  // Microsoft: certificate trust lists, catalogs, Authenticode.
  certificateTrustList: '1.3.6.1.4.1.311.10.1', // szOID_CTL
  catalogList: '1.3.6.1.4.1.311.12.1.1', // szOID_CATALOG_LIST, the subjectUsage of a catalog
  spcIndirectData: '1.3.6.1.4.1.311.2.1.4', // SPC_INDIRECT_DATA_OBJID

  // X.509 extensions (RFC 5280).
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  basicConstraints: '2.5.29.19',
  certificatePolicies: '2.5.29.32',
  authorityKeyIdentifier: '2.5.29.35',
  extendedKeyUsage: '2.5.29.37',
} as const;
