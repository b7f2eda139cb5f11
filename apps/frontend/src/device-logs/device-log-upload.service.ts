import { randomUUID } from 'node:crypto';
import { finished, PassThrough, type Readable } from 'node:stream';
import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { CONFIG, type Config } from '@ucupdates/config';
import { type DeviceUpdateConfiguration, effectiveConfiguration } from '@ucupdates/device-config';
import { isValidSerialNumber, normaliseMac, RuleError } from '@ucupdates/rules';
import { ObjectStorage, ObjectTooLargeError } from '@ucupdates/storage';
import { DataSource } from 'typeorm';
import { PhoneError } from '../errors/phone-error';
import { PoolStateService } from '../pool-state/pool-state.service';
import { isValidLogFileExtension, logFileExtension, matchLogType, safeLogFileName } from './device-log-names';

/**
 * `maxLogCacheLimit` counts kilobytes of 1,024 bytes: the quota of the whole log store
 * (docs/decisions.md, "device log quota").
 */
export const LOG_CACHE_LIMIT_UNIT_BYTES = 1024;

/** The device's identity as its headers gave it (`X-UC-DeviceType`, …), not yet checked. */
export interface DeviceLogIdentityHeaders {
  deviceType: string | undefined;
  macAddress: string | undefined;
  serialNumber: string | undefined;
}

/** One upload, from either listener: the path's parts, the body as it streams in, and who sent it. */
export interface DeviceLogUpload {
  /** `<LogType>` of the path, as sent. */
  logType: string;
  /** `<FileName>` of the path, as the router decoded it. */
  fileName: string;
  /** The request body, read once, never interpreted. */
  body: Readable;
  /** The request's Content-Length, or null for a chunked body. */
  contentLength: number | null;
  identity: DeviceLogIdentityHeaders;
  /** The phone's address, as the request audit records it. */
  address: string;
  nodeId: string;
  /** The signed-in user (external listener), else null. */
  userId: string | null;
  external: boolean;
}

export interface StoredDeviceLog {
  id: string;
  size: number;
  sha256: string;
  /** Where the admin API shows it. */
  location: string;
}

/** Rule key fields' form (docs/decisions.md 19), and the device type a rule would match. */
const DEVICE_TYPE = /^[A-Za-z0-9._-]{1,64}$/;
/** `device_logs.serial_number` is varchar(128). */
const MAX_SERIAL_LENGTH = 128;

const badRequest = (message: string) => new PhoneError('BadRequest', message, HttpStatus.BAD_REQUEST);

/**
 * Takes a log a phone uploads (phone-protocol.md, "Device log upload"): checks the device's
 * identity and the log against the effective device update configuration (held in memory, no
 * database read), streams the body into the object store under `logs/<yyyy>/<mm>/<dd>/<id>` while
 * hashing it (never whole in memory), then records it in `device_logs`. The same device sending the
 * same name again makes a new log: nothing is overwritten, since the key is the new log's id.
 *
 * Used by the internal and the external listener's upload routes alike; everything but reading the
 * HTTP request is here.
 */
@Injectable()
export class DeviceLogUploadService {
  private readonly logger = new Logger(DeviceLogUploadService.name);

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ObjectStorage) private readonly storage: ObjectStorage,
    @Inject(PoolStateService) private readonly poolState: PoolStateService,
  ) {}

  /**
   * Stores the log, or refuses it with a PhoneError: 400 (identity, type, extension, name, empty),
   * 413 (larger than maxLogFileSize) or 507 (the log store is over its quota). Whatever happens,
   * the body is read to its end or dropped, and a refused log leaves nothing behind.
   */
  async upload(upload: DeviceLogUpload): Promise<StoredDeviceLog> {
    try {
      return await this.store(upload);
    } catch (error) {
      // Not read, or not to its end: drop the rest, so the connection is not left waiting on it.
      if (!upload.body.readableEnded) {
        upload.body.unpipe();
        upload.body.resume();
      }
      throw error;
    }
  }

  private async store(upload: DeviceLogUpload): Promise<StoredDeviceLog> {
    const identity = checkIdentity(upload.identity);
    const configuration = this.configuration();
    const logType = matchLogType(upload.logType, configuration.validLogFileTypes);
    if (logType === null) {
      throw badRequest(`the log type must be one of ${configuration.validLogFileTypes.join(', ')}`);
    }
    const fileName = safeLogFileName(upload.fileName);
    if (fileName === null) {
      throw badRequest('the file name is empty once reduced to a safe base name');
    }
    const extension = logFileExtension(fileName);
    if (extension === null || !isValidLogFileExtension(extension, configuration.validLogFileExtensions)) {
      throw badRequest(`the file's extension must be one of ${configuration.validLogFileExtensions.join(', ')}`);
    }
    if (upload.contentLength === 0) {
      throw badRequest('the log is empty');
    }
    const maxFileBytes = configuration.maxLogFileSize;
    if (upload.contentLength !== null && upload.contentLength > maxFileBytes) {
      throw tooLarge(maxFileBytes);
    }
    const quotaBytes = configuration.maxLogCacheLimit * LOG_CACHE_LIMIT_UNIT_BYTES;
    // Approximate under concurrency: uploads on this and other nodes that are under way are not
    // counted yet, so the store may end up over its quota by what they add. Uploads are rare and
    // small; a lock or a reservation table is not worth it.
    const quotaLeft = quotaBytes - (await this.storedBytes());
    if (quotaLeft <= 0 || (upload.contentLength !== null && upload.contentLength > quotaLeft)) {
      throw overQuota(quotaBytes);
    }
    // A chunked body is counted while it streams: past the smaller limit the upload is aborted.
    const maxBytes = Math.min(maxFileBytes, quotaLeft);
    const id = randomUUID();
    // The key's date only groups objects for people browsing the bucket; the row's created_at is
    // the database's clock, like every time the pool compares (no node's clock needs to be right).
    const now = new Date();
    const key = `logs/${now.getUTCFullYear()}/${pad(now.getUTCMonth() + 1)}/${pad(now.getUTCDate())}/${id}`;
    let stored;
    try {
      stored = await this.storage.put(key, guarded(upload.body), { maxBytes, contentType: 'application/octet-stream' });
    } catch (error) {
      if (error instanceof ObjectTooLargeError) {
        throw maxBytes === maxFileBytes ? tooLarge(maxFileBytes) : overQuota(quotaBytes);
      }
      if (upload.body.destroyed && !upload.body.readableEnded) {
        // The phone went away mid-upload: its refusal, not a fault of the node (and no one reads the answer).
        throw badRequest('the upload was cut off before its end');
      }
      throw error;
    }
    try {
      if (stored.size === 0) {
        throw badRequest('the log is empty');
      }
      await this.dataSource.query(
        `INSERT INTO device_logs (id, device_type, mac_address, serial_number, log_type, file_name, size, sha256,
                                  object_key, node_id, address, user_id, external)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        [
          id,
          identity.deviceType,
          identity.macAddress,
          identity.serialNumber,
          logType,
          fileName,
          stored.size,
          stored.sha256,
          key,
          upload.nodeId,
          upload.address,
          upload.userId,
          upload.external,
        ],
      );
    } catch (error) {
      // No row, no object: a log the admin API cannot show must not stay in the store.
      await this.storage.delete(key).catch((cause: unknown) => this.logger.warn(`could not delete ${key}: ${(cause as Error).message}`));
      throw error;
    }
    this.logger.log(`device log ${id} (${logType}, ${stored.size} bytes) from ${identity.macAddress ?? identity.serialNumber}`);
    return { id, size: stored.size, sha256: stored.sha256, location: `/api/v1/device-logs/${id}` };
  }

  private configuration(): DeviceUpdateConfiguration {
    const state = this.poolState.current;
    if (!state) {
      // Not loaded yet (the node is starting): a fault of the node, answered 503 by the filter.
      throw new Error('the device update configuration is not loaded yet');
    }
    return effectiveConfiguration(state.configurations, this.config.UCU_SITE);
  }

  private async storedBytes(): Promise<number> {
    const [{ bytes }] = await this.dataSource.query<{ bytes: number }[]>(`SELECT coalesce(sum(size), 0)::float8 AS bytes FROM device_logs`);
    return bytes;
  }
}

function checkIdentity(headers: DeviceLogIdentityHeaders): { deviceType: string; macAddress: string | null; serialNumber: string | null } {
  const deviceType = headers.deviceType?.trim() ?? '';
  if (deviceType === '') {
    throw badRequest('the X-UC-DeviceType header is required');
  }
  if (!DEVICE_TYPE.test(deviceType)) {
    throw badRequest('the X-UC-DeviceType header must be 1-64 letters, digits, ".", "_" or "-"');
  }
  const mac = headers.macAddress?.trim() || null;
  const serial = headers.serialNumber?.trim() || null;
  if (mac === null && serial === null) {
    throw badRequest('an X-UC-MacAddress or X-UC-SerialNumber header is required');
  }
  let macAddress: string | null = null;
  if (mac !== null) {
    try {
      macAddress = normaliseMac(mac);
    } catch (error) {
      if (error instanceof RuleError) {
        throw badRequest(`the X-UC-MacAddress header: ${error.message}`);
      }
      throw error;
    }
  }
  if (serial !== null && (serial.length > MAX_SERIAL_LENGTH || !isValidSerialNumber(serial))) {
    throw badRequest(`the X-UC-SerialNumber header must be 1-${MAX_SERIAL_LENGTH} letters, digits, "-" or "_"`);
  }
  return { deviceType, macAddress, serialNumber: serial };
}

/**
 * The body as the object store reads it. The store destroys its source when the upload fails or
 * runs past its limit; destroying the request itself would close the connection before the phone
 * is answered, so the store gets a pass-through instead. A request that fails (the phone went
 * away) fails the pass-through, so the store never waits for an end that will not come.
 */
function guarded(body: Readable): Readable {
  const through = new PassThrough();
  body.pipe(through);
  finished(body, (error) => {
    if (error && !through.destroyed) {
      through.destroy(error);
    }
  });
  return through;
}

function tooLarge(maxBytes: number): PhoneError {
  return new PhoneError('RequestTooLarge', `the log is larger than MaxLogFileSize (${maxBytes} bytes)`, HttpStatus.PAYLOAD_TOO_LARGE);
}

function overQuota(quotaBytes: number): PhoneError {
  return new PhoneError(
    'InsufficientStorage',
    `the log store is full (MaxLogCacheLimit, ${quotaBytes} bytes); logs are deleted after LogCleanUpInterval`,
    HttpStatus.INSUFFICIENT_STORAGE,
  );
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
