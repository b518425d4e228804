import path from 'node:path';
import { fromFile, Parser } from '@asyncapi/parser';
import { ALL_TOPICS, deadLetterTopicOf } from '../topics';
import { eventTypeOf, schemaOf } from './event-contracts';

describe('docs/asyncapi.yaml', () => {
  it('is valid and describes exactly the topics, event types and schemas the code uses', async () => {
    const { document, diagnostics } = await fromFile(new Parser(), path.join(process.cwd(), 'docs/asyncapi.yaml')).parse();
    expect(diagnostics.filter((d) => d.severity === 0)).toEqual([]);
    const channels = document!.channels().all();
    expect(channels.map((c) => c.address()).sort()).toEqual(ALL_TOPICS.flatMap((t) => [t, deadLetterTopicOf(t)]).sort());
    for (const topic of ALL_TOPICS) {
      const channel = channels.find((c) => c.address() === topic)!;
      const [message] = channel.messages().all();
      expect(message!.name()).toBe(eventTypeOf(topic));
      // The document embeds the very schema files the producers validate against.
      expect(message!.payload()!.json()).toMatchObject({ $id: (schemaOf(topic) as { $id: string }).$id });
    }
  });
});
