// One feed-api process for a read bench, against the bench database, with rate limits out of the
// way; shared by bench/feed-read and bench/search.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Starts feed-api on `port` and resolves once it answers /health/live; the caller kills the child. */
export async function startBenchFeedApi({ port, databaseUrl, cursorSecret, policyFile, keyDir }) {
  const child = spawn(process.execPath, ['--disable-warning=TimeoutNegativeWarning', `${root}/dist/apps/feed-api/src/main.js`], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: '20',
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      KAFKA_TOPIC_PREFIX: 'bench.',
      FEED_CURSOR_SECRET: cursorSecret,
      FEED_RATE_LIMIT_PER_MINUTE: '100000000',
      ACCESS_POLICY_FILE: policyFile,
      JWT_DEV_KEY_DIR: keyDir,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let i = 0; i < 150; i += 1) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health/live`)).ok) return child;
    } catch {
      // starting
    }
    await sleep(200);
  }
  child.kill('SIGTERM');
  throw new Error('feed-api did not start');
}
