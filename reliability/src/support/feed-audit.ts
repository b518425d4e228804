/**
 * What the players actually see: every page of each player's feed through feed-api, counting how
 * many items carry each delivery id's marker (`rel:<id>` in the advancement key).
 */
export async function countFeedItems(feedApiUrl: string, users: ReadonlyArray<{ userId: string; token: string }>): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const { token } of users) {
    let cursor: string | null = null;
    do {
      const response = await fetch(`${feedApiUrl}/v2/feed?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(10_000),
      });
      if (response.status !== 200) throw new Error(`GET /v2/feed answered ${response.status}: ${await response.text()}`);
      const page = (await response.json()) as { items: Array<{ payload: unknown }>; nextCursor: string | null };
      for (const item of page.items) {
        const id = /rel:(rel_[0-9a-f]{32})/.exec(JSON.stringify(item.payload))?.[1];
        if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      cursor = page.nextCursor;
    } while (cursor);
  }
  return counts;
}
