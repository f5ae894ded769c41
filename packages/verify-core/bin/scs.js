#!/usr/bin/env node
// The installable `scs` command. The workspace ships TypeScript sources (no build step), so the
// CLI runs through tsx, resolved from this package.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
