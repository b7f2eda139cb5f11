import { Module } from '@nestjs/common';
import { AdminChanges } from './admin-changes';

/** What the admin features share as a provider: the transaction and audit row of a change. */
@Module({ providers: [AdminChanges], exports: [AdminChanges] })
export class AdminSharedModule {}
