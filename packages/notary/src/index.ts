export * from './errors.js';
export * from './types.js';
export * from './x509/index.js';
