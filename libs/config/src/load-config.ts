import { type Config, configSchema, databaseUrlSchema } from './config.schema';

export class ConfigError extends Error {}

/**
 * Parses the environment once. Every problem is reported, each naming its variable, so an
 * operator fixes them all in one go instead of one restart per typo. Secrets are never echoed.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = configSchema.safeParse(env);
  if (result.success) {
    return result.data;
  }
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '(environment)');
    const value = env[name];
    const shown =
      value === undefined
        ? 'not set'
        : /SECRET|TOKEN|PASSWORD/.test(name)
          ? 'set'
          : // A password in a URL (DATABASE_URL, REDIS_URL) is not echoed either.
            JSON.stringify(value.replace(/(\/\/[^:@/]*:)[^@/]*@/, '$1***@'));
    return `  ${name} (${shown}): ${issue.message}`;
  });
  throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
}

/** For the apps' main(): a bad configuration stops the process with the message and exit code 78 (EX_CONFIG). */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}

/**
 * For the migration step and the TypeORM CLI, which need only the database: the same rule for
 * DATABASE_URL as the apps, without asking for the other services' settings.
 */
export function loadDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const result = databaseUrlSchema.safeParse(env.DATABASE_URL);
  if (!result.success) {
    throw new ConfigError(`Invalid configuration:\n  DATABASE_URL: ${result.error.issues[0].message}`);
  }
  return result.data;
}
