import { SetMetadata } from '@nestjs/common';

/**
 * Route access metadata. It lives here, below the auth library, because every service's own
 * routes (health, metrics, webhooks) must declare it too; libs/auth reads it in its guard.
 */
export const REQUIRED_PERMISSION = 'activity:required-permission';
export const PUBLIC_ROUTE = 'activity:public-route';
export const INTERNAL_ROUTE = 'activity:internal-route';

/** No authentication at all (health, metrics, webhooks with their own signatures). Must be explicit. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
