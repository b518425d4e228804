// The `npm start` stack for a bench: used as it is when feed-api and ingest-gateway answer, else
// started (`stack:up`, demo data) with `env` on top of this process's, and stopped again by stop().
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function answers(url) {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok;
  } catch {
    return false;
  }
}

export async function ensureStack({ feedUrl, gatewayUrl, env = {}, log }) {
  if ((await answers(`${feedUrl}/health/ready`)) && (await answers(`${gatewayUrl}/health/ready`))) return { stop: () => undefined };
  log(
    `starting the stack (npm run stack:up)${
      Object.keys(env).length
        ? ` with ${Object.entries(env)
            .map(([key, value]) => `${key}=${value}`)
            .join(' ')}`
        : ''
    } …`,
  );
  const up = spawnSync(process.execPath, [path.join(root, 'tools/stack.mjs'), 'up'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...env } });
  if (up.status !== 0) process.exit(up.status ?? 1);
  return {
    stop() {
      log('stopping the stack it started');
      spawnSync(process.execPath, [path.join(root, 'tools/stack.mjs'), 'down'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    },
  };
}
