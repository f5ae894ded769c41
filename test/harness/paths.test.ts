import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, sharedPath } from './paths.js';

describe('the shared reference data', () => {
  it('is found beside the checkout', () => {
    expect(existsSync(path.join(repoRoot, 'pnpm-workspace.yaml'))).toBe(true);
    expect(existsSync(sharedPath('vectors', 'catalog.json'))).toBe(true);
  });

  it('names the fix when SCS_SHARED points nowhere', () => {
    const saved = process.env.SCS_SHARED;
    process.env.SCS_SHARED = '/nonexistent/shared';
    try {
      expect(() => sharedPath('x')).toThrow(/set SCS_SHARED/);
    } finally {
      if (saved === undefined) delete process.env.SCS_SHARED;
      else process.env.SCS_SHARED = saved;
    }
  });
});
