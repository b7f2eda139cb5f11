import type { Command } from '../command';
import { AUDIT_COMMANDS } from './audit.commands';
import { CONFIGURATION_COMMANDS } from './configuration.commands';
import { DDI_TARGET_COMMANDS } from './ddi-targets.commands';
import { DDI_ACTION_COMMANDS } from './ddi-actions.commands';
import { DEVICE_LOG_COMMANDS } from './device-logs.commands';
import { DEVICE_COMMANDS } from './devices.commands';
import { NEW_PACKAGE_COMMAND } from './new-package.command';
import { NODE_COMMANDS } from './nodes.commands';
import { PHONE_USER_COMMANDS } from './phone-users.commands';
import { REQUEST_AUDIT_COMMANDS } from './request-audit.commands';
import { RULE_COMMANDS } from './rules.commands';
import { TEST_DEVICE_COMMANDS } from './test-devices.commands';
import { TOKEN_COMMANDS } from './tokens.commands';
import { UPDATE_COMMANDS } from './updates.commands';

/** Every command, in the order the global help lists them. */
export const COMMANDS: readonly Command[] = [
  NEW_PACKAGE_COMMAND,
  ...UPDATE_COMMANDS,
  ...RULE_COMMANDS,
  ...TEST_DEVICE_COMMANDS,
  ...CONFIGURATION_COMMANDS,
  ...NODE_COMMANDS,
  ...AUDIT_COMMANDS,
  ...REQUEST_AUDIT_COMMANDS,
  ...DEVICE_COMMANDS,
  ...DEVICE_LOG_COMMANDS,
  ...DDI_TARGET_COMMANDS,
  ...DDI_ACTION_COMMANDS,
  ...TOKEN_COMMANDS,
  ...PHONE_USER_COMMANDS,
];
