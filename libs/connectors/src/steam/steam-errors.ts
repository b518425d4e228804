/** Steam said the profile (or its game details) is not public: a per-link state, not a failure. */
export class SteamPrivateProfileError extends Error {
  constructor(readonly steamId: string) {
    super(`Steam profile ${steamId} is not public`);
    this.name = 'SteamPrivateProfileError';
  }
}

/** The app has no stats or achievements ("Requested app has no stats"). */
export class SteamNoStatsError extends Error {
  constructor(readonly appId: number) {
    super(`Steam app ${appId} has no stats`);
    this.name = 'SteamNoStatsError';
  }
}

/** Steam refused our key (403 HTML "verify your key= parameter"): retrying will not help. */
export class SteamKeyRejectedError extends Error {
  constructor() {
    super('Steam rejected the API key (403)');
    this.name = 'SteamKeyRejectedError';
  }
}

/** Steam kept failing (429/5xx/timeouts) after the retries. */
export class SteamUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SteamUnavailableError';
  }
}
