import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fromFile, Parser } from '@asyncapi/parser';
import { ALL_TOPICS, deadLetterTopicOf } from '../topics';
import { buildAsyncApiDocument } from './asyncapi-document';
import { eventTypeOf, schemaOf } from './event-contracts';

const sampleType = {
  type: 'sample.thing.happened',
  description: 'A sample activity type',
  payloadSchema: { type: 'object', required: ['size'], properties: { size: { type: 'integer' } } },
};

describe('buildAsyncApiDocument', () => {
  it('is valid AsyncAPI and describes exactly the topics, event types and schemas the code uses, plus the registered activity types', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'asyncapi-')), 'asyncapi.json');
    writeFileSync(file, JSON.stringify(buildAsyncApiDocument([sampleType])));
    const { document, diagnostics } = await fromFile(new Parser(), file).parse();
    expect(diagnostics.filter((d) => d.severity === 0)).toEqual([]);
    const channels = document!.channels().all();
    expect(channels.map((c) => c.address()).sort()).toEqual(ALL_TOPICS.flatMap((t) => [t, deadLetterTopicOf(t)]).sort());
    for (const topic of ALL_TOPICS) {
      const channel = channels.find((c) => c.address() === topic)!;
      const [message] = channel.messages().all();
      expect(message!.name()).toBe(eventTypeOf(topic));
      // The document embeds the very schemas the producers validate against.
      expect(message!.payload()!.json()).toMatchObject({ $id: (schemaOf(topic) as { $id: string }).$id });
    }
    const schemas = document!.components().schemas().all();
    expect(schemas.find((s) => s.id() === 'sample.thing.happened')?.json()).toMatchObject({ required: ['size'] });
    expect(schemas.find((s) => s.id() === 'ActivityEventType')?.json()).toMatchObject({ anyOf: [{ enum: ['sample.thing.happened'] }, { pattern: expect.any(String) }] });
  });
});
