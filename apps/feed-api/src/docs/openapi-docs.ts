import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { FastifyInstance } from 'fastify';
import { INTERNAL_HEADERS } from '@activity/auth';
import type { EventCatalogue } from '@activity/domain';

const UI_FILES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
};

/** The OpenAPI 3.1 document, generated from the controllers and DTOs; activity-type enums come from the registered connectors. */
export function buildOpenApiDocument(app: NestFastifyApplication, catalogue: EventCatalogue): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Activity Service: feed API')
    .setDescription(
      'Player feeds (cursor-paginated, filterable, localised EN/RU), unread counts, long-poll and SSE, and first-party event intake. ' +
        'Errors are application/problem+json with a stable `type` (https://errors.activity.dev/<code>). ' +
        `Player routes take a platform JWT (Authorization: Bearer); /internal routes take the HMAC headers ${Object.values(INTERNAL_HEADERS).join(', ')}.`,
    )
    .setVersion('2')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  // Decorators are evaluated at import, before connectors register: the enum is filled in here.
  for (const operation of Object.values(document.paths).flatMap(
    (path) => Object.values(path) as Array<{ parameters?: Array<{ name?: string; schema?: { items?: Record<string, unknown> } }> }>,
  )) {
    for (const parameter of operation.parameters ?? []) {
      if (parameter.name === 'types' && parameter.schema?.items) parameter.schema.items['enum'] = catalogue.types();
    }
  }
  return document;
}

/** Serves /openapi.json, /asyncapi.json (our Kafka topics) and a Swagger UI at /docs from the swagger-ui-dist package (no CDN). */
export function registerOpenApiRoutes(fastify: FastifyInstance, document: OpenAPIObject, asyncApi: object): void {
  const uiDirectory = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  const body = JSON.stringify(document);
  const asyncApiBody = JSON.stringify(asyncApi);
  fastify.get('/openapi.json', async (_request, reply) => reply.type('application/json').send(body));
  fastify.get('/asyncapi.json', async (_request, reply) => reply.type('application/json').send(asyncApiBody));
  fastify.get('/docs', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(`<!doctype html>
<html><head><meta charset="utf-8"><title>Activity Service API</title><link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/docs/assets/swagger-ui-bundle.js"></script><script src="/docs/assets/init.js"></script></body></html>`),
  );
  // A file, not an inline script, so the page works under a CSP without 'unsafe-inline' scripts.
  fastify.get('/docs/assets/init.js', async (_request, reply) =>
    reply.type('application/javascript; charset=utf-8').send("window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui', deepLinking: true });"),
  );
  fastify.get<{ Params: { file: string } }>('/docs/assets/:file', async (request, reply) => {
    const type = UI_FILES[request.params.file];
    if (!type)
      return reply.status(404).type('application/problem+json').send({ type: 'https://errors.activity.dev/not_found', title: 'Not found', status: 404, code: 'not_found' });
    return reply
      .type(type)
      .header('cache-control', 'public, max-age=86400')
      .send(await readFile(path.join(uiDirectory, request.params.file)));
  });
}
