import { Inject, Injectable } from '@nestjs/common';
import type { Page, PhoneUserView } from '@ucupdates/admin-api';
import { type PhoneUserEntity, PhoneUsersRepository } from '@ucupdates/database';
import { hashPassword } from '@ucupdates/phone-directory';
import { QueryFailedError } from 'typeorm';
import type { AdminPrincipal } from '../../auth/admin-principal';
import { ApiError } from '../../errors/api-error';
import { decodeCursor, encodeCursor } from '../shared/pagination';
import { AdminChanges } from '../shared/admin-changes';

@Injectable()
export class PhoneUsersService {
  constructor(
    @Inject(PhoneUsersRepository) private readonly users: PhoneUsersRepository,
    @Inject(AdminChanges) private readonly changes: AdminChanges,
  ) {}

  async create(userId: string, password: string, principal: AdminPrincipal): Promise<PhoneUserView> {
    // Hashed before the transaction: the slow hash should not hold a connection.
    const passwordHash = await hashPassword(password);
    try {
      return await this.changes.transaction(async (tx) => {
        const user = await tx(this.users).create(userId, passwordHash);
        await this.changes.record(tx, principal, {
          action: 'phoneUser.create',
          target: `phoneUser/${user.id}`,
          subject: userId,
          before: null,
          after: { id: user.id, userId },
        });
        return view(user);
      });
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505') {
        throw new ApiError('DuplicateUser', `${userId} is already in the directory`, { field: 'userId' });
      }
      throw error;
    }
  }

  async list(limit: number, cursor?: string): Promise<Page<PhoneUserView>> {
    const after = cursor ? decodeCursor(cursor, 1) : null;
    const rows = await this.users.page(after ? after[0] : null, limit + 1);
    const page = rows.slice(0, limit);
    return { items: page.map(view), nextCursor: rows.length > limit ? encodeCursor([page.at(-1)!.userId]) : null };
  }

  async remove(id: string, principal: AdminPrincipal): Promise<void> {
    await this.changes.transaction(async (tx) => {
      const user = await tx(this.users).lock(id);
      if (!user) {
        throw new ApiError('NotFound', `no phone user ${id}`);
      }
      await tx(this.users).remove(id);
      await this.changes.record(tx, principal, {
        action: 'phoneUser.delete',
        target: `phoneUser/${id}`,
        subject: user.userId,
        before: { id, userId: user.userId },
        after: null,
      });
    });
  }
}

function view(user: PhoneUserEntity): PhoneUserView {
  return { id: user.id, userId: user.userId, createdAt: user.createdAt.toISOString() };
}
