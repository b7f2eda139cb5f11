import { Module } from '@nestjs/common';
import { AdminSharedModule } from '../shared/admin-shared.module';
import { TokensController } from './tokens.controller';
import { TokensService } from './tokens.service';

@Module({ imports: [AdminSharedModule], controllers: [TokensController], providers: [TokensService] })
export class TokensModule {}
