import { startTracing } from '@activity/observability';

// Imported first by main.ts: OpenTelemetry's auto-instrumentation patches modules as they load.
startTracing('feed-api');
