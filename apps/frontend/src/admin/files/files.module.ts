import { Module } from '@nestjs/common';
import { AdminSharedModule } from '../shared/admin-shared.module';
import { FilesController } from './files.controller';
import { FilesService } from './files.service';

@Module({ imports: [AdminSharedModule], controllers: [FilesController], providers: [FilesService] })
export class FilesModule {}
