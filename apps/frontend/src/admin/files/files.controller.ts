import { Controller, HttpCode, HttpStatus, Inject, Post } from '@nestjs/common';
import { Role } from '@ucupdates/database';
import { type AdminPrincipal, Principal } from '../../auth/admin-principal';
import { RequireRole } from '../../auth/roles';
import { FilesService } from './files.service';
import { ApiTags } from '@nestjs/swagger';

@Controller('api/v1/files')
@ApiTags('files')
@RequireRole(Role.Operator)
export class FilesController {
  constructor(@Inject(FilesService) private readonly files: FilesService) {}

  /** Deletes the files no rule version references any more: `{"removed": n}`. */
  @Post('purge')
  @HttpCode(HttpStatus.OK)
  purge(@Principal() principal: AdminPrincipal): Promise<{ removed: number }> {
    return this.files.purge(principal);
  }
}
