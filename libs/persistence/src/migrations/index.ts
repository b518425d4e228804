import { InitialSchema1764140000000 } from './1764140000000-initial-schema';

/** Every migration, oldest first. Add new ones at the end; never edit a published one. */
export const MIGRATIONS = [InitialSchema1764140000000];
