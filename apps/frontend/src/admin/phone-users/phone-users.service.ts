import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { PhoneUserEntity } from '@ucupdates/database';
import { hashPassword } from '@ucupdates/phone-directory';
import { DataSource, QueryFailedError } from 'typeorm';
import type { AdminPrincipal } from '../../auth/admin-principal';
import { ApiError } from '../../errors/api-error';
import { decodeCursor, encodeCursor, type Page } from '../pagination';
import { AdminChanges } from '../admin-changes';

export interface PhoneUserView {
  id: string;
  userId: string;
  createdAt: string;
}

@Injectable()
export class PhoneUsersService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(AdminChanges) private readonly changes: AdminChanges,
  ) {}

  async create(userId: string, password: string, principal: AdminPrincipal): Promise<PhoneUserView> {
    // Hashed before the transaction: the slow hash should not hold a connection.
    const passwordHash = await hashPassword(password);
    try {
      return await this.dataSource.transaction(async (manager) => {
        const user = await manager.getRepository(PhoneUserEntity).save({ userId, passwordHash });
        await this.changes.record(manager, principal, {
          action: 'phoneUser.create',
          target: `phoneUser/${user.id}`,
          before: null,
          after: { id: user.id, userId },
        });
        return view(user);
      });
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505') {
        throw new ApiError('DuplicateUser', `${userId} is already in the directory`, HttpStatus.CONFLICT, { field: 'userId' });
      }
      throw error;
    }
  }

  async list(limit: number, cursor?: string): Promise<Page<PhoneUserView>> {
    const after = cursor ? decodeCursor(cursor, 1) : null;
    const query = this.dataSource.getRepository(PhoneUserEntity).createQueryBuilder('user');
    if (after) {
      query.where('user.user_id > :after', { after: after[0] });
    }
    const rows = await query.orderBy('user.user_id').take(limit + 1).getMany();
    const page = rows.slice(0, limit);
    return { items: page.map(view), nextCursor: rows.length > limit ? encodeCursor([page.at(-1)!.userId]) : null };
  }

  async delete(id: string, principal: AdminPrincipal): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const user = await manager.getRepository(PhoneUserEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!user) {
        throw new ApiError('NotFound', `no phone user ${id}`, HttpStatus.NOT_FOUND);
      }
      await manager.getRepository(PhoneUserEntity).delete(id);
      await this.changes.record(manager, principal, {
        action: 'phoneUser.delete',
        target: `phoneUser/${id}`,
        before: { id, userId: user.userId },
        after: null,
      });
    });
  }
}

function view(user: PhoneUserEntity): PhoneUserView {
  return { id: user.id, userId: user.userId, createdAt: user.createdAt.toISOString() };
}
