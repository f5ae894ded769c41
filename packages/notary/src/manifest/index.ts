export * from './signature-manifest.js';
