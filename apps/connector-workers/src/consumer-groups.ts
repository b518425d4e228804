/** The consumer groups of connector-workers (the topic prefix is added); health reports each by this name. */
export const CONSUMER_GROUPS = {
  webhooks: 'connector-workers.webhooks',
  sync: 'connector-workers.sync',
  links: 'connector-workers.links',
  previews: 'connector-workers.link-previews',
} as const;
