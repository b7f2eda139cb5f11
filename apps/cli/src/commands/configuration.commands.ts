import { type ConfigurationView, pathOf, ROUTES } from '@ucupdates/admin-api';
import { type Command, type CommandContext, type CommandInput, integerOption, printJson, printLine, showDone, stringOption } from '../command';
import { UsageError } from '../exit-codes';
import { formatList } from '../table';

/** As Get-CsDeviceUpdateConfiguration lists it; the identity is the scope set-config takes. */
function configurationFields(configuration: ConfigurationView): [string, unknown][] {
  return [
    ['Identity', configuration.scope],
    ['ValidLogFileTypes', configuration.validLogFileTypes],
    ['ValidLogFileExtensions', configuration.validLogFileExtensions],
    ['LogCleanUpInterval', configuration.logCleanUpInterval],
    ['LogFlushInterval', configuration.logFlushInterval],
    ['MaxLogCacheLimit', configuration.maxLogCacheLimit],
    ['MaxLogFileSize', configuration.maxLogFileSize],
    ['LogCleanUpTimeOfDay', configuration.logCleanUpTimeOfDay],
    ['DdiPollingInterval', configuration.ddiPollingInterval],
  ];
}

/**
 * Nine properties with lists in them make too wide a table, so each configuration is a block of
 * `Name : value` lines, as Lync's cmdlet shows it.
 */
function showConfigurations(context: CommandContext, configurations: ConfigurationView[]): void {
  printLine(context.stdout, configurations.map((each) => formatList(configurationFields(each))).join('\n\n'));
}

function scopePath(scope: string): string {
  return pathOf(ROUTES.configuration, { scope });
}

function scopeArgument(input: CommandInput): string {
  const scope = input.args[0];
  if (scope === undefined || scope === '') {
    throw new UsageError('give the scope: global or site:NAME');
  }
  return scope;
}

function listOption(input: CommandInput, name: string): string[] | undefined {
  const text = stringOption(input, name);
  if (text === undefined) {
    return undefined;
  }
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) {
    throw new UsageError(`--${name}: give at least one value, separated by commas`);
  }
  return items;
}

/**
 * The body of `PUT /api/v1/configuration/{scope}`: the fields given, in the API's names. Ranges
 * and formats are the API's to check (400, naming the field), so the CLI never disagrees with it.
 */
export function configurationChanges(input: CommandInput): Record<string, unknown> {
  const timeOfDay = stringOption(input, 'log-clean-up-time-of-day');
  const changes: Record<string, unknown> = {
    logCleanUpInterval: stringOption(input, 'log-clean-up-interval'),
    logFlushInterval: stringOption(input, 'log-flush-interval'),
    maxLogCacheLimit: integerOption(input, 'max-log-cache-limit'),
    maxLogFileSize: integerOption(input, 'max-log-file-size'),
    logCleanUpTimeOfDay: timeOfDay?.toLowerCase() === 'none' ? null : timeOfDay,
    validLogFileTypes: listOption(input, 'valid-log-file-types'),
    validLogFileExtensions: listOption(input, 'valid-log-file-extensions'),
    ddiPollingInterval: stringOption(input, 'ddi-polling-interval'),
  };
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
}

const GROUP = 'Device update configuration';

export const CONFIGURATION_COMMANDS: Command[] = [
  {
    name: 'get-config',
    group: GROUP,
    summary: 'show the device update configuration of every scope, or of one',
    usage: '[global | site:NAME | effective]',
    description:
      "Shows the device update configuration (Get-CsDeviceUpdateConfiguration): how phones keep and upload their logs, and how often DDI devices poll. Without a scope, every scope; \"effective\" is the one in force on this pool (its site's if set, else the global one).",
    options: {},
    args: { min: 0, max: 1 },
    examples: ['ucupdates get-config', 'ucupdates get-config site:Redmond', 'ucupdates get-config effective --json'],
    async run(context, input) {
      const scope = input.args[0];
      if (scope === undefined) {
        const configurations = await context.api.listAll<ConfigurationView>(ROUTES.configurations);
        if (context.json) {
          printJson(context, configurations);
        } else {
          showConfigurations(context, configurations);
        }
        return;
      }
      const configuration = await context.api.send<ConfigurationView>({ method: 'GET', path: scopePath(scope) });
      if (context.json) {
        printJson(context, configuration);
      } else {
        showConfigurations(context, [configuration]);
      }
    },
  },
  {
    name: 'set-config',
    group: GROUP,
    summary: 'change (or create) the configuration of a scope',
    usage: 'global|site:NAME [OPTIONS]',
    description:
      'Changes the configuration of a scope (Set-CsDeviceUpdateConfiguration, and New- for a site): the properties given change, the others keep their value (a new site scope starts from the defaults). Lists replace the whole list.',
    options: {
      'log-clean-up-interval': { type: 'string', value: 'D.HH:MM:SS', description: 'how long device logs are kept: 1 to 365 days (default 10.00:00:00)' },
      'log-flush-interval': { type: 'string', value: 'HH:MM:SS', description: 'how often logs are written out: 1 to 60 minutes (default 00:05:00)' },
      'max-log-cache-limit': { type: 'string', value: 'N', description: 'the quota of the device log store, in KB of 1,024 bytes (default 512000)' },
      'max-log-file-size': { type: 'string', value: 'N', description: 'the largest log file a phone may upload, in bytes (default 1024000)' },
      'log-clean-up-time-of-day': { type: 'string', value: 'HH:MM|none', description: 'when the clean-up runs; none for no fixed time (default 03:00)' },
      'valid-log-file-types': { type: 'string', value: 'A,B', description: 'log types phones may upload, comma-separated (default Watson,CELog)' },
      'valid-log-file-extensions': { type: 'string', value: '.X,.Y', description: 'file extensions phones may upload, comma-separated' },
      'ddi-polling-interval': { type: 'string', value: 'HH:MM:SS', description: 'how long DDI devices sleep between polls: 30 seconds to 24 hours (default 00:05:00)' },
    },
    args: { min: 1, max: 1 },
    examples: [
      'ucupdates set-config global --log-clean-up-interval 30.00:00:00',
      'ucupdates set-config site:Redmond --max-log-file-size 2048000 --log-clean-up-time-of-day none',
      'ucupdates set-config global --valid-log-file-extensions .dmp,.clg,.txt',
      'ucupdates set-config global --ddi-polling-interval 00:01:00',
    ],
    async run(context, input) {
      const scope = scopeArgument(input);
      const configuration = await context.api.send<ConfigurationView>({ method: 'PUT', path: scopePath(scope), body: configurationChanges(input) });
      if (context.json) {
        printJson(context, configuration);
      } else {
        showConfigurations(context, [configuration]);
      }
    },
  },
  {
    name: 'remove-config',
    group: GROUP,
    summary: "remove a site's configuration, or reset the global one",
    usage: 'global|site:NAME',
    description:
      "Removes a site's configuration (Remove-CsDeviceUpdateConfiguration): the pool falls back to the global one. Removing global resets it to Lync's defaults.",
    options: {},
    args: { min: 1, max: 1 },
    examples: ['ucupdates remove-config site:Redmond', 'ucupdates remove-config global'],
    async run(context, input) {
      const scope = scopeArgument(input);
      await context.api.send({ method: 'DELETE', path: scopePath(scope) });
      showDone(context, scope.toLowerCase() === 'global' ? 'Reset the global configuration to the defaults.' : `Removed the configuration of ${scope}.`);
    },
  },
];
