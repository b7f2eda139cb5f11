import { Inject, Injectable } from '@nestjs/common';
import { createTestDevice } from '@ucupdates/admin-api/input';
import type { Page, TestDeviceView } from '@ucupdates/admin-api';
import { type TestDeviceEntity, type TestDeviceIdentifierType, TestDevicesRepository } from '@ucupdates/database';
import { QueryFailedError } from 'typeorm';
import type { AdminPrincipal } from '../../auth/admin-principal';
import { ApiError } from '../../errors/api-error';
import { decodeCursor, encodeCursor } from '../shared/pagination';
import { parseInput } from '../shared/request-input';
import { AdminChanges } from '../shared/admin-changes';

export interface TestDeviceFields {
  scope: string;
  name: string;
  identifierType: TestDeviceIdentifierType;
  identifier: string;
}

/** Lync's New-, Get-, Set- and Remove-CsTestDevice. Names are unique within a scope. */
@Injectable()
export class TestDevicesService {
  constructor(
    @Inject(TestDevicesRepository) private readonly devices: TestDevicesRepository,
    @Inject(AdminChanges) private readonly changes: AdminChanges,
  ) {}

  async create(fields: TestDeviceFields, principal: AdminPrincipal): Promise<TestDeviceView> {
    return this.changes.commit('test-devices', async (tx) => {
      const device = await this.unique(() => tx(this.devices).save(fields), fields);
      await this.changes.record(tx, principal, {
        action: 'testDevice.create',
        target: `testDevice/${device.id}`,
        subject: testDeviceSubject(device),
        before: null,
        after: { ...view(device) },
      });
      return view(device);
    });
  }

  async list(scope: string | undefined, limit: number, cursor?: string): Promise<Page<TestDeviceView>> {
    const after = cursor ? decodeCursor(cursor, 2) : null;
    const rows = await this.devices.page(scope, after ? [after[0], after[1]] : null, limit + 1);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { items: page.map(view), nextCursor: rows.length > limit && last ? encodeCursor([last.scope, last.name]) : null };
  }

  async get(id: string): Promise<TestDeviceView> {
    return view(await this.find(this.devices, id, false));
  }

  async update(id: string, changes: Partial<TestDeviceFields>, principal: AdminPrincipal): Promise<TestDeviceView> {
    return this.changes.commit('test-devices', async (tx) => {
      const device = await this.find(tx(this.devices), id, true);
      const before = view(device);
      // The device as it will be is checked whole: an identifier against the type it will have.
      const { id: _, ...current } = before;
      const fields = parseInput(createTestDevice, { ...current, ...changes });
      const saved = await this.unique(() => tx(this.devices).save({ id: device.id, ...fields }), fields);
      await this.changes.record(tx, principal, {
        action: 'testDevice.update',
        target: `testDevice/${id}`,
        subject: testDeviceSubject(saved),
        before: { ...before },
        after: { ...view(saved) },
      });
      return view(saved);
    });
  }

  async remove(id: string, principal: AdminPrincipal): Promise<void> {
    await this.changes.commit('test-devices', async (tx) => {
      const device = await this.find(tx(this.devices), id, true);
      await tx(this.devices).remove(id);
      await this.changes.record(tx, principal, {
        action: 'testDevice.delete',
        target: `testDevice/${id}`,
        subject: testDeviceSubject(device),
        before: { ...view(device) },
        after: null,
      });
    });
  }

  private async find(devices: TestDevicesRepository, id: string, lock: boolean): Promise<TestDeviceEntity> {
    const device = await devices.byId(id, lock);
    if (!device) {
      throw new ApiError('NotFound', `no test device ${id}`);
    }
    return device;
  }

  /** The unique index on (scope, name) decides races between nodes: a 409, not a 500. */
  private async unique<T>(save: () => Promise<T>, fields: { scope: string; name: string }): Promise<T> {
    try {
      return await save();
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505') {
        throw new ApiError('DuplicateName', `a test device named "${fields.name}" already exists in scope ${fields.scope}`, {
          field: 'name',
        });
      }
      throw error;
    }
  }

}

/** A test device as Lync names one (its Identity): `<scope>/<name>`, e.g. `site:Redmond/Lobby phone`. */
function testDeviceSubject(device: { scope: string; name: string }): string {
  return `${device.scope}/${device.name}`;
}

function view(device: TestDeviceEntity): TestDeviceView {
  return {
    id: device.id,
    scope: device.scope,
    name: device.name,
    identifierType: device.identifierType,
    identifier: device.identifier,
  };
}
