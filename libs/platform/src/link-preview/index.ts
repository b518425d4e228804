export * from './forbidden-address';
export * from './link-preview-document';
export * from './link-preview.service';
export * from './safe-http-fetcher';
