import { Module } from '@nestjs/common';
import { AdminSharedModule } from '../shared/admin-shared.module';
import { RulesController } from './rules.controller';
import { RulesService } from './rules.service';

@Module({ imports: [AdminSharedModule], controllers: [RulesController], providers: [RulesService] })
export class RulesModule {}
