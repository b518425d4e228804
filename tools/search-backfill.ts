// `npm run -s search:backfill [-- --batch 1000]`: writes the search text of events stored before
// migration feed_search (they are not found by GET /v2/feed/search until then). Idempotent and
// resumable: it only touches rows whose search_text is still null, in id order, as the schema
// owner (DATABASE_ADMIN_URL), with the same connectors and message catalogues as the services.
import pino from 'pino';
import { Client } from 'pg';
import { loadConfigOrExit, parseCommandLine } from '@activity/config';
import { eventCatalogue, searchDocument, SUPPORTED_LOCALES, type ActivityObject } from '@activity/domain';
import { installMessageCatalogue, loadMessageCatalogue, messageDirectories, messages } from '@activity/i18n';
import { MigrationConfig } from '@activity/persistence';
import { configureConnectors, createConnectorRegistry } from '@activity/use-cases';

interface Row {
  id: string;
  type: string;
  actor: ActivityObject;
  object: ActivityObject | null;
  target: ActivityObject | null;
  payload: Record<string, unknown>;
}

async function main(): Promise<void> {
  const { values: args } = parseCommandLine({
    usage: 'npm run -s search:backfill --',
    summary: 'Writes the search text of events stored before search existed (rows with search_text null), in batches; safe to stop and run again.',
    options: { batch: { type: 'string', valueName: 'rows', description: 'rows per transaction (default 1000)' } },
  });
  const batch = Number(args['batch'] ?? 1000);
  const config = loadConfigOrExit(MigrationConfig);
  createConnectorRegistry(configureConnectors(process.env), { logger: pino({ level: 'silent' }), redis: null, publicUrl: 'http://127.0.0.1' });
  installMessageCatalogue(await loadMessageCatalogue(messageDirectories()));
  const db = new Client({ connectionString: config.DATABASE_ADMIN_URL, application_name: 'activity-search-backfill' });
  await db.connect();
  let last = '0';
  let written = 0;
  try {
    for (;;) {
      const { rows } = await db.query<Row>(
        `SELECT id::text AS id, type, actor, object, target, payload FROM activity_events WHERE search_text IS NULL AND id > $1::bigint ORDER BY id LIMIT $2`,
        [last, batch],
      );
      if (rows.length === 0) break;
      const texts = rows.map((row) => {
        const event = { type: row.type, actor: row.actor, ...(row.object ? { object: row.object } : {}), ...(row.target ? { target: row.target } : {}), payload: row.payload };
        return { id: row.id, text: searchDocument({ ...event, summaries: SUPPORTED_LOCALES.map((locale) => eventCatalogue().summarize(event, locale, messages())) }) };
      });
      await db.query(
        `UPDATE activity_events a SET search_text = v.text FROM jsonb_to_recordset($1::jsonb) AS v(id bigint, text text) WHERE a.id = v.id AND a.search_text IS NULL`,
        [JSON.stringify(texts)],
      );
      written += rows.length;
      last = rows.at(-1)!.id;
      process.stderr.write(`search text written for ${written} events (up to id ${last})\n`);
    }
  } finally {
    await db.end();
  }
  process.stdout.write(`search:backfill: ${written} events now searchable\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`search:backfill failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
