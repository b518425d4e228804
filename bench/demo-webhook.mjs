// A signed Minecraft webhook for the demo source (Standard Webhooks, the demo's secret), as the
// demo server plugin would send it; `marker` ends up in the event as the advancement key.
import { createHmac, randomUUID } from 'node:crypto';

export const DEMO_SECRET = process.env.DEMO_MINECRAFT_SECRET ?? 'whsec_ZGVtby1taW5lY3JhZnQtc2lnbmluZy1zZWNyZXQ=';
export const DEMO_PLAYER = process.env.DEMO_MINECRAFT_PLAYER_UUID ?? 'a11ce000-0000-4000-8000-000000000001';
const secretBytes = Buffer.from(DEMO_SECRET.slice('whsec_'.length), 'base64');

export function signedWebhook(marker, player = DEMO_PLAYER, prefix = 'bench') {
  const id = `msg_${randomUUID().replace(/-/g, '')}`;
  const timestamp = Math.floor(Date.now() / 1000);
  const body = JSON.stringify({
    type: 'player.advancement',
    occurredAt: new Date().toISOString(),
    server: { id: prefix, name: 'Bench' },
    player: { uuid: player, name: 'bench_player' },
    data: { advancement: { key: `${prefix}:${marker}`, title: 'Bench' } },
  });
  const signature = createHmac('sha256', secretBytes).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { id, body, headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${signature}` } };
}
