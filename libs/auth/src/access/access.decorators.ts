import { SetMetadata } from '@nestjs/common';
import { INTERNAL_ROUTE, REQUIRED_PERMISSION } from '@activity/http';
import type { Permission } from './permissions';

export { INTERNAL_ROUTE, Public, PUBLIC_ROUTE, REQUIRED_PERMISSION } from '@activity/http';

/** The permission a player's token must carry for this route. */
export const RequirePermission = (permission: Permission) => SetMetadata(REQUIRED_PERMISSION, permission);

/** Called by other platform services, authenticated by an HMAC signature rather than a player token. */
export const InternalRoute =
  (permission: Permission): MethodDecorator =>
  (target, key, descriptor) => {
    SetMetadata(INTERNAL_ROUTE, true)(target, key, descriptor);
    SetMetadata(REQUIRED_PERMISSION, permission)(target, key, descriptor);
  };
