/** An open Server-Sent Events response, collecting what arrives until it is closed. */
export interface EventStreamClient {
  readonly status: number;
  /** Everything received so far, as text. */
  received(): string;
  /** The parsed `data` of every `event: <name>` received so far, in order. */
  events(name: string): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/** Opens a stream with a bearer token; the caller closes it. */
export async function openEventStream(url: string, token: string): Promise<EventStreamClient> {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
  let text = '';
  const reader = response.body!.getReader();
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += Buffer.from(value).toString('utf8');
      }
    } catch {
      // closed by us or by the server
    }
  })();
  return {
    status: response.status,
    received: () => text,
    events: (name) =>
      text
        .split('\n\n')
        .filter((block) => block.split('\n').includes(`event: ${name}`))
        .map((block) => JSON.parse(block.slice(block.indexOf('data: ') + 'data: '.length).split('\n')[0]!) as Record<string, unknown>),
    close: async () => {
      controller.abort();
      await pump;
    },
  };
}
