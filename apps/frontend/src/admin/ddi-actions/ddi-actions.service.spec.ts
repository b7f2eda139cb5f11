import type { DdiActionsRepository } from '@ucupdates/database';
import { ApiError } from '../../errors/api-error';
import type { AdminChanges } from '../shared/admin-changes';
import { encodeCursor } from '../shared/pagination';
import { DdiActionsService } from './ddi-actions.service';

describe('DdiActionsService.list cursors', () => {
  const page = jest.fn(async () => []);
  const service = new DdiActionsService({ page } as unknown as DdiActionsRepository, {} as AdminChanges);

  beforeEach(() => page.mockClear());

  it('takes the cursor it gave: the last action id', async () => {
    await service.list({}, 10, encodeCursor(['42']));
    expect(page).toHaveBeenCalledWith({}, '42', 11);
  });

  it.each([['a word', 'not an id'], ['a negative number', '-1'], ['a number past bigint', '9'.repeat(30)], ['SQL', '1); DELETE FROM ddi_actions; --']])(
    'refuses a forged one-part cursor of %s as a 400 naming cursor, before any query',
    async (_what, key) => {
      const refused = await service.list({}, 10, encodeCursor([key])).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ApiError);
      expect(refused).toMatchObject({ code: 'BadRequest', details: { field: 'cursor' } });
      expect(page).not.toHaveBeenCalled();
    },
  );
});
