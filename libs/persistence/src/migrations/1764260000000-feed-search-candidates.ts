import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Under row-level security PostgreSQL will not use a non-leakproof operator as an index condition
 * before the policy's own filter, and `@@` (ts_match_vq) is not leakproof: as the application role
 * every search read the tenant's rows one by one (3 s for a rare word over 1M events). This
 * SECURITY DEFINER function finds the matching ids through the GIN index for **the tenant of the
 * calling transaction** (`app.tenant_id`, the setting the policies read; an error when unset) and
 * returns ids only; the search then reads those rows under row-level security as usual. Dynamic
 * SQL gives each call a plan for its own words: the GIN index for a rare word, the newest rows
 * first for a common one.
 */
export class FeedSearchCandidates1764260000000 implements MigrationInterface {
  name = 'FeedSearchCandidates1764260000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION search_activity_event_ids(p_query tsquery, p_user_id text, p_types text[], p_since timestamptz, p_until timestamptz, p_max_id bigint, p_limit int)
      RETURNS TABLE (id bigint)
      LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
      DECLARE
        v_tenant text := current_setting('app.tenant_id');
      BEGIN
        IF v_tenant IS NULL OR v_tenant = '' THEN
          RAISE EXCEPTION 'search_activity_event_ids needs app.tenant_id';
        END IF;
        RETURN QUERY EXECUTE
          'SELECT e.id FROM activity_events e
            WHERE e.tenant_id = $1 AND e.search_vector @@ $2 AND e.id <= $3'
          || CASE WHEN p_user_id IS NOT NULL THEN ' AND e.user_id = $4' ELSE '' END
          || CASE WHEN p_types IS NOT NULL THEN ' AND e.type = ANY($5)' ELSE '' END
          || CASE WHEN p_since IS NOT NULL THEN ' AND e.occurred_at >= $6' ELSE '' END
          || CASE WHEN p_until IS NOT NULL THEN ' AND e.occurred_at < $7' ELSE '' END
          || ' ORDER BY e.id DESC LIMIT $8'
          USING v_tenant, p_query, p_max_id, p_user_id, p_types, p_since, p_until, p_limit;
      END
      $$`);
    await q.query(`REVOKE ALL ON FUNCTION search_activity_event_ids(tsquery, text, text[], timestamptz, timestamptz, bigint, int) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION search_activity_event_ids(tsquery, text, text[], timestamptz, timestamptz, bigint, int) TO activity_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS search_activity_event_ids(tsquery, text, text[], timestamptz, timestamptz, bigint, int)`);
  }
}
