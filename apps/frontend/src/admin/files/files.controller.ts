import { Controller, HttpCode, HttpStatus, Inject, Post } from '@nestjs/common';
import { type PurgeView, ROUTES } from '@ucupdates/admin-api';
import { Role } from '@ucupdates/database';
import { type AdminPrincipal, Principal } from '../../auth/admin-principal';
import { RequireRole } from '../../auth/roles';
import { FilesService } from './files.service';
import { ApiTags } from '@nestjs/swagger';

@Controller()
@ApiTags('files')
@RequireRole(Role.Operator)
export class FilesController {
  constructor(@Inject(FilesService) private readonly files: FilesService) {}

  /** Deletes the files no rule version references any more: `{"removed": n}`. */
  @Post(ROUTES.filesPurge)
  @HttpCode(HttpStatus.OK)
  purge(@Principal() principal: AdminPrincipal): Promise<PurgeView> {
    return this.files.purge(principal);
  }
}
