import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { DomainError } from '@activity/domain';
import type { AccessRequest } from './access/access.guard';
import type { Principal } from './principal';

/** The verified player (set by AccessGuard). */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AccessRequest>().principal;
  if (!principal) throw new DomainError('unauthenticated');
  return principal;
});

/** The verified calling service of an internal route (set by AccessGuard). */
export const InternalCaller = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const caller = context.switchToHttp().getRequest<AccessRequest>().internalCaller;
  if (!caller) throw new DomainError('unauthenticated');
  return caller;
});
