import { InitialSchema1795766400000 } from './1795766400000-initial-schema';

/** Every migration, oldest first. Listed explicitly so the apps, the CLI and Jest load the same set. */
export const migrations = [InitialSchema1795766400000];
