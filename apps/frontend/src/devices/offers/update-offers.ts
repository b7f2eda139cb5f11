import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '@ucupdates/config';
import { nodeStarting } from '../device-error';
import { PoolStateService } from '../pool-state/pool-state.service';
import type { DeviceKind } from '../device-request';
import { type CheckPlan, type OfferedDevice, planCheck, updateTypeOfImage } from './offer-plan';

/**
 * The offer decision for every device protocol: who gets which version, from this node's
 * in-memory pool state and its site (UCU_SITE), with no database read.
 */
@Injectable()
export class UpdateOffers {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(PoolStateService) private readonly poolState: PoolStateService,
  ) {}

  /** What the device is offered now; 503 (DeviceError) while the node has not loaded its state. */
  plan(device: OfferedDevice): CheckPlan {
    const state = this.poolState.current;
    if (state === null) throw nodeStarting();
    return planCheck(state, device, this.config.UCU_SITE);
  }

  /**
   * The update type whose image file, for a device of this kind, has this name (updateTypeOfImage);
   * 503 (DeviceError) while the node has not loaded its state.
   */
  updateTypeOfImage(kind: DeviceKind, fileName: string): string | undefined {
    const state = this.poolState.current;
    if (state === null) throw nodeStarting();
    return updateTypeOfImage(state, kind, fileName);
  }
}
