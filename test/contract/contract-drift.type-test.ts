/**
 * The admin API as the frontend serves it, checked against its contract (libs/admin-api) at the
 * type level: what each controller answers must be the contract's view both ways (assignable to
 * it and from it), so a view that gains, loses or retypes a field without the contract (or the
 * other way round) fails to compile. Compiled by contract-drift.spec.ts (`tsc --noEmit`) in
 * `npm test`, and by `npm run typecheck`.
 */
import type * as Contract from '@ucupdates/admin-api';
import type { AdminAuditController } from '../../apps/frontend/src/admin/audit/admin-audit.controller';
import type { ConfigurationController } from '../../apps/frontend/src/admin/configuration/configuration.controller';
import type { DdiActionsController } from '../../apps/frontend/src/admin/ddi-actions/ddi-actions.controller';
import type { DdiTargetsController } from '../../apps/frontend/src/admin/ddi-targets/ddi-targets.controller';
import type { DeviceLogsController } from '../../apps/frontend/src/admin/devices/device-logs.controller';
import type { DevicesController } from '../../apps/frontend/src/admin/devices/devices.controller';
import type { FilesController } from '../../apps/frontend/src/admin/files/files.controller';
import type { ImportsController } from '../../apps/frontend/src/admin/imports/imports.controller';
import type { NodesController } from '../../apps/frontend/src/admin/nodes/nodes.controller';
import type { PhoneUsersController } from '../../apps/frontend/src/admin/phone-users/phone-users.controller';
import type { RequestAuditController } from '../../apps/frontend/src/admin/request-audit/request-audit.controller';
import type { RulesController } from '../../apps/frontend/src/admin/rules/rules.controller';
import type { SessionController } from '../../apps/frontend/src/admin/session/session.controller';
import type { TestDevicesController } from '../../apps/frontend/src/admin/test-devices/test-devices.controller';
import type { TokensController } from '../../apps/frontend/src/admin/tokens/tokens.controller';
import type { UpdatesController } from '../../apps/frontend/src/admin/updates/updates.controller';

/** True when A and B are each assignable to the other (not distributed over unions). */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** Compiles only for `true`. */
export type Holds<T extends true> = T;

/** What a controller's handler answers (its promise resolved). */
export type Served<C, K extends keyof C> = C[K] extends (...args: never[]) => infer R ? Awaited<R> : never;

export type ContractDrift = [
  Holds<Same<Served<RulesController, 'list'>, Contract.Page<Contract.RuleView>>>,
  Holds<Same<Served<RulesController, 'get'>, Contract.RuleView>>,
  Holds<Same<Served<RulesController, 'approve'>, Contract.RuleView>>,
  Holds<Same<Served<RulesController, 'reset'>, Contract.RuleView>>,
  Holds<Same<Served<RulesController, 'restore'>, Contract.RuleView>>,
  Holds<Same<Served<ImportsController, 'list'>, Contract.Page<Contract.ImportView>>>,
  Holds<Same<Served<ImportsController, 'get'>, Contract.ImportView>>,
  Holds<Same<Served<UpdatesController, 'upload'>, Contract.UploadView>>,
  Holds<Same<Served<FilesController, 'purge'>, Contract.PurgeView>>,
  Holds<Same<Served<NodesController, 'list'>, Contract.Page<Contract.NodeView>>>,
  Holds<Same<Served<DevicesController, 'list'>, Contract.Page<Contract.DeviceView>>>,
  Holds<Same<Served<DevicesController, 'get'>, Contract.DeviceView>>,
  Holds<Same<Served<DevicesController, 'summary'>, Contract.DeviceSummaryView>>,
  Holds<Same<Served<DevicesController, 'compliance'>, Contract.Page<Contract.DeviceComplianceView>>>,
  Holds<Same<Served<TestDevicesController, 'list'>, Contract.Page<Contract.TestDeviceView>>>,
  Holds<Same<Served<TestDevicesController, 'get'>, Contract.TestDeviceView>>,
  Holds<Same<Served<TestDevicesController, 'create'>, Contract.TestDeviceView>>,
  Holds<Same<Served<TestDevicesController, 'update'>, Contract.TestDeviceView>>,
  Holds<Same<Served<TokensController, 'list'>, Contract.Page<Contract.TokenView>>>,
  Holds<Same<Served<TokensController, 'create'>, Contract.NewTokenView>>,
  Holds<Same<Served<PhoneUsersController, 'list'>, Contract.Page<Contract.PhoneUserView>>>,
  Holds<Same<Served<PhoneUsersController, 'create'>, Contract.PhoneUserView>>,
  Holds<Same<Served<DdiTargetsController, 'list'>, Contract.Page<Contract.DdiTargetView>>>,
  Holds<Same<Served<DdiTargetsController, 'get'>, Contract.DdiTargetDetailView>>,
  Holds<Same<Served<DdiTargetsController, 'create'>, Contract.NewDdiTargetView>>,
  Holds<Same<Served<DdiTargetsController, 'issueToken'>, Contract.NewDdiTargetView>>,
  Holds<Same<Served<DdiActionsController, 'list'>, Contract.Page<Contract.DdiActionView>>>,
  Holds<Same<Served<DdiActionsController, 'retry'>, Contract.DdiActionView>>,
  Holds<Same<Served<AdminAuditController, 'list'>, Contract.Page<Contract.AdminAuditView>>>,
  Holds<Same<Served<RequestAuditController, 'list'>, Contract.Page<Contract.RequestAuditView>>>,
  Holds<Same<Served<DeviceLogsController, 'list'>, Contract.Page<Contract.DeviceLogView>>>,
  Holds<Same<Served<DeviceLogsController, 'get'>, Contract.DeviceLogView>>,
  Holds<Same<Served<ConfigurationController, 'list'>, Contract.Page<Contract.ConfigurationView>>>,
  Holds<Same<Served<ConfigurationController, 'effective'>, Contract.ConfigurationView>>,
  Holds<Same<Served<ConfigurationController, 'get'>, Contract.ConfigurationView>>,
  Holds<Same<Served<ConfigurationController, 'set'>, Contract.ConfigurationView>>,
  Holds<Same<Served<SessionController, 'signIn'>, Contract.SessionView>>,
  Holds<Same<Served<SessionController, 'whoAmI'>, Contract.SessionView>>,
];

/** The check itself catches drift: each of these differs from the contract by one field. */
export type DriftIsCaught = [
  // @ts-expect-error a field the contract does not have
  Holds<Same<Contract.RuleView & { extra: string }, Contract.RuleView>>,
  // @ts-expect-error a field the contract has, missing
  Holds<Same<Omit<Contract.ImportView, 'finishedAt'>, Contract.ImportView>>,
  // @ts-expect-error a field of another type (a union widened to string)
  Holds<Same<Omit<Contract.ImportView, 'status'> & { status: string }, Contract.ImportView>>,
  // @ts-expect-error a page of something else
  Holds<Same<Contract.Page<Contract.TokenView>, Contract.Page<Contract.NewTokenView>>>,
];
