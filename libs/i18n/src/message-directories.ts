import path from 'node:path';

/** The platform's own catalogues (errors, validation, feed, accounts): `locales/<locale>/<namespace>.json`. */
export const PLATFORM_MESSAGES = path.join(__dirname, 'locales');

const registered = new Set<string>([PLATFORM_MESSAGES]);

/**
 * Adds a catalogue directory laid out like PLATFORM_MESSAGES (a connector's `i18n/` folder).
 * Called while connectors are configured, before the app is built; the messages module merges
 * every registered directory at start, so a connector's texts live in its own folder.
 */
export function registerMessageDirectory(directory: string): void {
  registered.add(directory);
}

export function messageDirectories(): string[] {
  return [...registered];
}
