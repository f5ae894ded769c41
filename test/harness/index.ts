export { repoRoot, sharedDir, sharedPath } from './paths.js';
