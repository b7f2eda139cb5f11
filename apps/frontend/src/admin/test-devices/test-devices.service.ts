import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { TestDeviceEntity, type TestDeviceIdentifierType } from '@ucupdates/database';
import { DataSource, type EntityManager, QueryFailedError } from 'typeorm';
import type { AdminPrincipal } from '../../auth/admin-principal';
import { ApiError } from '../../errors/api-error';
import { decodeCursor, encodeCursor, type Page } from '../pagination';
import { parseInput } from '../request-input';
import { createTestDevice } from './test-device-input';
import { AdminChanges } from '../admin-changes';

export interface TestDeviceView {
  id: string;
  scope: string;
  name: string;
  identifierType: TestDeviceIdentifierType;
  identifier: string;
}

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
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(AdminChanges) private readonly changes: AdminChanges,
  ) {}

  async create(fields: TestDeviceFields, principal: AdminPrincipal): Promise<TestDeviceView> {
    return this.changes.commit('test-devices', async (manager) => {
      const device = await this.unique(() => manager.getRepository(TestDeviceEntity).save({ ...fields }), fields);
      await this.changes.record(manager, principal, {
        action: 'testDevice.create',
        target: `testDevice/${device.id}`,
        before: null,
        after: { ...view(device) },
      });
      return view(device);
    });
  }

  async list(scope: string | undefined, limit: number, cursor?: string): Promise<Page<TestDeviceView>> {
    const query = this.dataSource.getRepository(TestDeviceEntity).createQueryBuilder('device');
    if (scope) {
      query.andWhere('device.scope = :scope', { scope });
    }
    if (cursor) {
      const after = decodeCursor(cursor, 2);
      query.andWhere('(device.scope, device.name) > (:afterScope, :afterName)', { afterScope: after[0], afterName: after[1] });
    }
    const rows = await query.orderBy('device.scope').addOrderBy('device.name').take(limit + 1).getMany();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { items: page.map(view), nextCursor: rows.length > limit && last ? encodeCursor([last.scope, last.name]) : null };
  }

  async get(id: string): Promise<TestDeviceView> {
    return view(await this.find(this.dataSource.manager, id, false));
  }

  async update(id: string, changes: Partial<TestDeviceFields>, principal: AdminPrincipal): Promise<TestDeviceView> {
    return this.changes.commit('test-devices', async (manager) => {
      const device = await this.find(manager, id, true);
      const before = view(device);
      // The device as it will be is checked whole: an identifier against the type it will have.
      const { id: _, ...current } = before;
      const fields = parseInput(createTestDevice, { ...current, ...changes });
      const saved = await this.unique(() => manager.getRepository(TestDeviceEntity).save({ ...device, ...fields }), fields);
      await this.changes.record(manager, principal, {
        action: 'testDevice.update',
        target: `testDevice/${id}`,
        before: { ...before },
        after: { ...view(saved) },
      });
      return view(saved);
    });
  }

  async delete(id: string, principal: AdminPrincipal): Promise<void> {
    await this.changes.commit('test-devices', async (manager) => {
      const device = await this.find(manager, id, true);
      await manager.getRepository(TestDeviceEntity).delete(id);
      await this.changes.record(manager, principal, {
        action: 'testDevice.delete',
        target: `testDevice/${id}`,
        before: { ...view(device) },
        after: null,
      });
    });
  }

  private async find(manager: EntityManager, id: string, lock: boolean): Promise<TestDeviceEntity> {
    const device = await manager
      .getRepository(TestDeviceEntity)
      .findOne({ where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!device) {
      throw new ApiError('NotFound', `no test device ${id}`, HttpStatus.NOT_FOUND);
    }
    return device;
  }

  /** The unique index on (scope, name) decides races between nodes: a 409, not a 500. */
  private async unique<T>(save: () => Promise<T>, fields: { scope: string; name: string }): Promise<T> {
    try {
      return await save();
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505') {
        throw new ApiError('DuplicateName', `a test device named "${fields.name}" already exists in scope ${fields.scope}`, HttpStatus.CONFLICT, {
          field: 'name',
        });
      }
      throw error;
    }
  }

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
