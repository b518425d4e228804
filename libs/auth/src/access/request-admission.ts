import type { FastifyReply } from 'fastify';
import type { AccessRequest } from './access.guard';

/**
 * Where an app plugs request limits into the access check, so they run at the right moments:
 * before anything is verified (an address that keeps failing authentication is refused
 * without spending a signature check), and after authentication but before the permission
 * check (a flood of valid tokens never reaches the Access service).
 */
export interface RequestAdmission {
  admitAddress(request: AccessRequest, reply: FastifyReply): Promise<void>;
  authenticationFailed(request: AccessRequest, reply: FastifyReply): Promise<void>;
  /** `caller` names the verified player or service. */
  admitCaller(request: AccessRequest, reply: FastifyReply, caller: { kind: 'user'; tenantId: string; userId: string } | { kind: 'service'; name: string }): Promise<void>;
}

export const REQUEST_ADMISSION = Symbol('REQUEST_ADMISSION');
