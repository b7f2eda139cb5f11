import { TestDeviceEntity } from '../entities';
import { QueryLayer } from './query-layer';

export type TestDeviceFields = Pick<TestDeviceEntity, 'scope' | 'name' | 'identifierType' | 'identifier'>;

/** Lync's test devices (`test_devices`); names are unique within a scope (a unique index). */
export class TestDevicesRepository extends QueryLayer {
  /** In (scope, name) order, after the key `after`, at most `limit`. */
  async page(scope: string | undefined, after: readonly [string, string] | null, limit: number): Promise<TestDeviceEntity[]> {
    const query = this.manager.getRepository(TestDeviceEntity).createQueryBuilder('device');
    if (scope) {
      query.andWhere('device.scope = :scope', { scope });
    }
    if (after) {
      query.andWhere('(device.scope, device.name) > (:afterScope, :afterName)', { afterScope: after[0], afterName: after[1] });
    }
    return query.orderBy('device.scope').addOrderBy('device.name').take(limit).getMany();
  }

  /** The device; with `lock`, locked until the transaction ends. */
  async byId(id: string, lock = false): Promise<TestDeviceEntity | null> {
    return this.manager
      .getRepository(TestDeviceEntity)
      .findOne({ where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  }

  /** Inserts a device, or updates one when `id` is given. */
  async save(device: TestDeviceFields & { id?: string }): Promise<TestDeviceEntity> {
    return this.manager.getRepository(TestDeviceEntity).save({ ...device });
  }

  async remove(id: string): Promise<void> {
    await this.manager.getRepository(TestDeviceEntity).delete(id);
  }
}
