/** Who is calling, as established by a verified token. The tenant never comes from anything else. */
export interface Principal {
  readonly tenantId: string;
  readonly userId: string;
}
