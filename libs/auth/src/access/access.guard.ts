import { Inject, Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, statusOf } from '@activity/domain';
import { requestContext } from '@activity/observability';
import { InternalRequestVerifier } from '../internal/internal-request-signature';
import { JwtVerifier } from '../jwt-verifier';
import type { Principal } from '../principal';
import { INTERNAL_ROUTE, PUBLIC_ROUTE, REQUIRED_PERMISSION } from './access.decorators';
import { PERMISSION_CHECKER, type PermissionChecker } from './permission-checker';
import type { Permission } from './permissions';
import { REQUEST_ADMISSION, type RequestAdmission } from './request-admission';

export type AccessRequest = FastifyRequest & { principal?: Principal; internalCaller?: string; rawBody?: Buffer };

/**
 * The one guard every route passes: public routes are let through; internal routes need a valid
 * service signature; everything else a verified player token. Then the declared permission is
 * checked (the Access service or the static policy). Deny is 403; a checker that cannot answer
 * fails closed.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtVerifier,
    private readonly internal: InternalRequestVerifier,
    @Inject(PERMISSION_CHECKER) private readonly checker: PermissionChecker,
    @Optional() @Inject(REQUEST_ADMISSION) private readonly admission?: RequestAdmission,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const permission = this.reflector.getAllAndOverride<Permission>(REQUIRED_PERMISSION, targets);
    if (!permission) throw new Error('route without a declared permission reached the guard');
    const request = context.switchToHttp().getRequest<AccessRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    await this.admission?.admitAddress(request, reply);

    if (this.reflector.getAllAndOverride<boolean>(INTERNAL_ROUTE, targets)) {
      const caller = await this.authenticate(request, reply, () =>
        this.internal.verify({ method: request.method, pathWithQuery: request.url, headers: request.headers, body: request.rawBody ?? Buffer.alloc(0) }),
      );
      request.internalCaller = caller;
      await this.admission?.admitCaller(request, reply, { kind: 'service', name: caller });
      await this.require('*', `service:${caller}`, permission);
      return true;
    }

    const principal = await this.authenticate(request, reply, () => this.jwt.verify(request.headers.authorization));
    request.principal = principal;
    requestContext.assign({ tenantId: principal.tenantId });
    await this.admission?.admitCaller(request, reply, { kind: 'user', tenantId: principal.tenantId, userId: principal.userId });
    await this.require(principal.tenantId, `user:${principal.userId}`, permission);
    return true;
  }

  private async authenticate<T>(request: AccessRequest, reply: FastifyReply, verify: () => Promise<T>): Promise<T> {
    try {
      return await verify();
    } catch (error) {
      if (error instanceof DomainError && statusOf(error.code) === 401) await this.admission?.authenticationFailed(request, reply);
      throw error;
    }
  }

  private async require(tenantId: string, subject: string, permission: Permission): Promise<void> {
    if (!(await this.checker.check({ tenantId, subject, permission }))) throw new DomainError('forbidden', { permission });
  }
}

/** For decisions inside a handler (e.g. `scope=tenant` needs more than the route's permission). */
@Injectable()
export class AccessControl {
  constructor(@Inject(PERMISSION_CHECKER) private readonly checker: PermissionChecker) {}

  async require(principal: Principal, permission: Permission, resource?: string): Promise<void> {
    const allowed = await this.checker.check({ tenantId: principal.tenantId, subject: `user:${principal.userId}`, permission, ...(resource ? { resource } : {}) });
    if (!allowed) throw new DomainError('forbidden', { permission });
  }
}
