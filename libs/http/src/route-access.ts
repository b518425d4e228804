import { PATH_METADATA } from '@nestjs/common/constants';
import { PUBLIC_ROUTE, REQUIRED_PERMISSION } from './access-metadata';

/**
 * Refuses to start an app with a route that declares neither a permission nor `@Public()`:
 * forgetting one must be a start-up failure, not an open endpoint.
 */
export function assertEveryRouteDeclaresAccess(controllers: ReadonlyArray<new (...args: never[]) => unknown>): void {
  const missing: string[] = [];
  for (const controller of controllers) {
    const classDeclares = Reflect.getMetadata(PUBLIC_ROUTE, controller) || Reflect.getMetadata(REQUIRED_PERMISSION, controller);
    const prototype = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const handler = prototype[name];
      if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
      const declares = Reflect.getMetadata(PUBLIC_ROUTE, handler) || Reflect.getMetadata(REQUIRED_PERMISSION, handler);
      if (!declares && !classDeclares) missing.push(`${controller.name}.${name}`);
    }
  }
  if (missing.length) throw new Error(`routes without @RequirePermission() or @Public(): ${missing.join(', ')}`);
}
