import { Module } from '@nestjs/common';
import { AdminSharedModule } from '../shared/admin-shared.module';
import { PhoneUsersController } from './phone-users.controller';
import { PhoneUsersService } from './phone-users.service';

@Module({
  imports: [AdminSharedModule],
  controllers: [PhoneUsersController],
  providers: [PhoneUsersService],
})
export class PhoneUsersModule {}
