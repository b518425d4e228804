export * from './connector';
export * from './connector-registry';
export * from './minecraft/minecraft-delivery';
export * from './minecraft/minecraft.connector';
export * from './webhook-signatures/standard-webhooks';
