import { randomUUID } from 'node:crypto';
import { finished, PassThrough, type Readable } from 'node:stream';
import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { pathOf, ROUTES } from '@ucupdates/admin-api';
import { CONFIG, type Config } from '@ucupdates/config';
import { type DeviceUpdateConfiguration, effectiveConfiguration } from '@ucupdates/device-config';
import { DeviceLogsRepository } from '@ucupdates/database';
import { ObjectKeys, ObjectStorage, ObjectTooLargeError } from '@ucupdates/storage';
import { DeviceError } from '../device-error';
import { PoolStateService } from '../pool-state/pool-state.service';
import { isValidLogFileExtension, logFileExtension, matchLogType, safeLogFileName } from './device-log-names';

/**
 * `maxLogCacheLimit` counts kilobytes of 1,024 bytes: the quota of the whole log store
 * (docs/decisions.md, "device log quota").
 */
export const LOG_CACHE_LIMIT_UNIT_BYTES = 1024;

/** Who uploads a log, checked by the protocol adapter that read it from the request. */
export interface DeviceLogSender {
  /** 1-64 letters, digits, `.`, `_` or `-`. */
  deviceType: string;
  /** Normalised; null when the device gave none (then it gave a serial number). */
  macAddress: string | null;
  serialNumber: string | null;
}

/** One upload, from either listener: its type and name, the body as it streams in, and who sent it. */
export interface DeviceLogUpload {
  /** The log's type, as sent. */
  logType: string;
  /** The file's name, as sent (reduced here to a safe base name). */
  fileName: string;
  /** The request body, read once, never interpreted. */
  body: Readable;
  /** The request's Content-Length, or null for a chunked body. */
  contentLength: number | null;
  device: DeviceLogSender;
  /** The device's address, as the request audit records it. */
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

const badRequest = (message: string) => new DeviceError('BadRequest', message, HttpStatus.BAD_REQUEST);

/**
 * The device log store (phone-protocol.md, "Device log upload"): checks a log a device uploads
 * against the effective device update configuration (held in memory, no database read), streams
 * the body into the object store under its `ObjectKeys.deviceLog` key while hashing it (never whole
 * in memory), then records it in `device_logs`. The same device sending the same name again makes
 * a new log: nothing is overwritten, since the key is the new log's id.
 *
 * Protocol-neutral: the adapter reads the upload from its request, checks who sent it, and drops
 * whatever of the body is left unread when the log is refused.
 */
@Injectable()
export class DeviceLogStore {
  private readonly logger = new Logger(DeviceLogStore.name);

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(DeviceLogsRepository) private readonly deviceLogs: DeviceLogsRepository,
    @Inject(ObjectStorage) private readonly storage: ObjectStorage,
    @Inject(PoolStateService) private readonly poolState: PoolStateService,
  ) {}

  /**
   * Stores the log, or refuses it with a DeviceError: 400 (type, extension, name, empty), 413
   * (larger than maxLogFileSize) or 507 (the log store is over its quota). A refused log leaves
   * nothing behind.
   */
  async store(upload: DeviceLogUpload): Promise<StoredDeviceLog> {
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
    const quotaLeft = quotaBytes - (await this.deviceLogs.storedBytes());
    if (quotaLeft <= 0 || (upload.contentLength !== null && upload.contentLength > quotaLeft)) {
      throw overQuota(quotaBytes);
    }
    // A chunked body is counted while it streams: past the smaller limit the upload is aborted.
    const maxBytes = Math.min(maxFileBytes, quotaLeft);
    const id = randomUUID();
    // The key's date only groups objects for people browsing the bucket; the row's created_at is
    // the database's clock, like every time the pool compares (no node's clock needs to be right).
    const key = ObjectKeys.deviceLog(id, new Date());
    let stored;
    try {
      stored = await this.storage.put(key, guarded(upload.body), { maxBytes, contentType: 'application/octet-stream' });
    } catch (error) {
      if (error instanceof ObjectTooLargeError) {
        throw maxBytes === maxFileBytes ? tooLarge(maxFileBytes) : overQuota(quotaBytes);
      }
      if (upload.body.destroyed && !upload.body.readableEnded) {
        // The device went away mid-upload: its refusal, not a fault of the node (and no one reads the answer).
        throw badRequest('the upload was cut off before its end');
      }
      throw error;
    }
    try {
      if (stored.size === 0) {
        throw badRequest('the log is empty');
      }
      await this.deviceLogs.insert({
        id,
        deviceType: upload.device.deviceType,
        macAddress: upload.device.macAddress,
        serialNumber: upload.device.serialNumber,
        logType,
        fileName,
        size: stored.size,
        sha256: stored.sha256,
        objectKey: key,
        nodeId: upload.nodeId,
        address: upload.address,
        userId: upload.userId,
        external: upload.external,
      });
    } catch (error) {
      // No row, no object: a log the admin API cannot show must not stay in the store.
      await this.storage.remove(key).catch((cause: unknown) => this.logger.warn(`could not delete ${key}: ${(cause as Error).message}`));
      throw error;
    }
    this.logger.log(`device log ${id} (${logType}, ${stored.size} bytes) from ${upload.device.macAddress ?? upload.device.serialNumber}`);
    return { id, size: stored.size, sha256: stored.sha256, location: pathOf(ROUTES.deviceLog, { id }) };
  }

  private configuration(): DeviceUpdateConfiguration {
    const state = this.poolState.current;
    if (!state) {
      // Not loaded yet (the node is starting): a fault of the node, answered 503 by the filter.
      throw new Error('the device update configuration is not loaded yet');
    }
    return effectiveConfiguration(state.configurations, this.config.UCU_SITE);
  }
}

/**
 * The body as the object store reads it. The store destroys its source when the upload fails or
 * runs past its limit; destroying the request itself would close the connection before the device
 * is answered, so the store gets a pass-through instead. A request that fails (the device went
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

function tooLarge(maxBytes: number): DeviceError {
  return new DeviceError('RequestTooLarge', `the log is larger than MaxLogFileSize (${maxBytes} bytes)`, HttpStatus.PAYLOAD_TOO_LARGE);
}

function overQuota(quotaBytes: number): DeviceError {
  return new DeviceError(
    'InsufficientStorage',
    `the log store is full (MaxLogCacheLimit, ${quotaBytes} bytes); logs are deleted after LogCleanUpInterval`,
    HttpStatus.INSUFFICIENT_STORAGE,
  );
}
