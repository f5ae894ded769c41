import { describe, expect, it } from 'vitest';
import { parseChallenges } from './challenge.js';
import { scopeAtoms, scopesFromAtoms } from './scope.js';

describe('WWW-Authenticate challenges', () => {
  it('reads a distribution bearer challenge', () => {
    expect(
      parseChallenges([
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
      ]),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:library/alpine:pull',
        },
      },
    ]);
  });

  it('reads several challenges in one header, unquoted values and escapes', () => {
    expect(
      parseChallenges(['Basic realm="a \\"quoted\\" realm", Bearer realm=https://x/token, service=svc']),
    ).toEqual([
      { scheme: 'basic', params: { realm: 'a "quoted" realm' } },
      { scheme: 'bearer', params: { realm: 'https://x/token', service: 'svc' } },
    ]);
  });

  it('reads challenges spread over several headers', () => {
    expect(parseChallenges(['Basic realm="r"', 'Bearer realm="t"']).map((c) => c.scheme)).toEqual([
      'basic',
      'bearer',
    ]);
  });
});

describe('token scopes', () => {
  it('splits scopes into single actions and merges them back', () => {
    const atoms = scopeAtoms(['repository:a:pull,push', 'repository:b:pull repository:a:pull']);
    expect([...atoms].sort()).toEqual(['repository:a:pull', 'repository:a:push', 'repository:b:pull']);
    expect(scopesFromAtoms(atoms)).toEqual(['repository:a:pull,push', 'repository:b:pull']);
  });
});
