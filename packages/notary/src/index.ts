export * from './errors.js';
export * from './types.js';
export * from './x509/index.js';
export * from './cbor/index.js';
export * from './envelope/index.js';
