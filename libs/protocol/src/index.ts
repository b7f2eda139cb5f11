export { parseRange } from './byte-range';
export type { RangeRequest } from './byte-range';
export { signDownloadToken, verifyDownloadToken } from './download-token';
export {
  FILE_LOCATION_FIELDS,
  FOLDER_LOCATION_FIELDS,
  filePath,
  folderPath,
  parseExternalFilePath,
  parseFilePath,
  tokenSegment,
} from './file-path';
export type { ExternalFilePath, FileLocation, FolderLocation } from './file-path';
export { ProtocolError } from './protocol-error';
export type { ProtocolStatus } from './protocol-error';
export { MAX_REQUEST_BYTES, parseUpdateCheckRequest, resolveModuleUpdateTypes } from './update-check-request';
export type { RequestModule, TypedRequestModule, UpdateCheckRequest } from './update-check-request';
export { renderPhoneError, renderUpdateCheckResponse } from './update-check-response';
export type { ResponseFile, ResponseModule } from './update-check-response';
