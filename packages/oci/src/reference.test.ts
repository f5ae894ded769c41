import { describe, expect, it } from 'vitest';
import { OciError } from './errors.js';
import { formatReference, parseReference, registryApiHost, withDefaultTag } from './reference.js';

const HEX = 'b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof OciError ? error.code : 'not an OciError';
  }
}

describe('parseReference', () => {
  describe('when the name has no registry', () => {
    it.each([
      ['alpine', { registry: 'docker.io', repository: 'library/alpine' }],
      ['alpine:3.20', { registry: 'docker.io', repository: 'library/alpine', tag: '3.20' }],
      ['team/app', { registry: 'docker.io', repository: 'team/app' }],
      ['team/sub/app:v1', { registry: 'docker.io', repository: 'team/sub/app', tag: 'v1' }],
    ])('normalises %s to Docker Hub', (text, expected) => {
      expect(parseReference(text)).toEqual(expected);
    });
  });

  describe('when the first component is a host', () => {
    it.each([
      ['localhost/app', { registry: 'localhost', repository: 'app' }],
      ['localhost:5000/app:1', { registry: 'localhost:5000', repository: 'app', tag: '1' }],
      ['127.0.0.1:5000/team/app', { registry: '127.0.0.1:5000', repository: 'team/app' }],
      ['[::1]:5000/app', { registry: '[::1]:5000', repository: 'app' }],
      [
        'myregistry.azurecr.io/net-monitor:v1',
        { registry: 'myregistry.azurecr.io', repository: 'net-monitor', tag: 'v1' },
      ],
      ['Registry.Example.com/app', { registry: 'Registry.Example.com', repository: 'app' }],
      ['UPPER/app', { registry: 'UPPER', repository: 'app' }],
      ['index.docker.io/alpine', { registry: 'docker.io', repository: 'library/alpine' }],
      ['docker.io/team/app', { registry: 'docker.io', repository: 'team/app' }],
    ])('reads %s', (text, expected) => {
      expect(parseReference(text)).toEqual(expected);
    });
  });

  describe('when a digest is given', () => {
    it('reads name@digest', () => {
      expect(parseReference(`ghcr.io/org/app@sha256:${HEX}`)).toEqual({
        registry: 'ghcr.io',
        repository: 'org/app',
        digest: `sha256:${HEX}`,
      });
    });

    it('keeps both tag and digest of name:tag@digest', () => {
      const parsed = parseReference(`localhost:5000/app:v1@sha256:${HEX}`);
      expect(parsed).toEqual({
        registry: 'localhost:5000',
        repository: 'app',
        tag: 'v1',
        digest: `sha256:${HEX}`,
      });
      expect(formatReference(parsed)).toBe(`localhost:5000/app:v1@sha256:${HEX}`);
    });

    it('refuses a short or uppercase digest', () => {
      expect(() => parseReference('app@sha256:abc')).toThrow(/digest is not <algorithm>:<hex>/);
      expect(codeOf(() => parseReference(`app@sha256:${HEX.toUpperCase()}`))).toBe('REFERENCE_INVALID');
    });

    it('refuses an algorithm it cannot verify with UNSUPPORTED', () => {
      expect(codeOf(() => parseReference(`app@md5:${'a'.repeat(32)}`))).toBe('UNSUPPORTED');
    });
  });

  describe('when the reference is malformed', () => {
    it.each([
      ['', /it is empty/],
      ['team/App', /must be lowercase/],
      ['docker.io/Team/app', /must be lowercase/],
      ['app:', /tag "" is not valid/],
      ['app:-bad', /tag "-bad" is not valid/],
      [`app:${'a'.repeat(129)}`, /tag .* is not valid/],
      ['team//app', /empty component/],
      ['team/app/', /empty component/],
      ['app_-x', /path component/],
      ['https://registry.example.com/app', /no scheme/],
      ['app name', /whitespace/],
      [HEX, /ambiguous/],
      ['bad_host.com:port/app', /not a valid host/],
      [`registry.example.com/${'a'.repeat(260)}`, /longer than 255/],
    ])('refuses %j with a message naming the problem', (text, message) => {
      let caught: unknown;
      try {
        parseReference(text);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(OciError);
      expect((caught as OciError).code).toBe('REFERENCE_INVALID');
      expect((caught as OciError).message).toMatch(message);
      expect((caught as OciError).message).toMatch(/e\.g\./);
    });

    it('treats a colon in the first component as a port only when it is numeric', () => {
      expect(codeOf(() => parseReference('localhost:abc/app'))).toBe('REFERENCE_INVALID');
    });
  });

  it('adds latest only when neither tag nor digest is given', () => {
    expect(withDefaultTag(parseReference('app')).tag).toBe('latest');
    expect(withDefaultTag(parseReference(`app@sha256:${HEX}`)).tag).toBeUndefined();
    expect(withDefaultTag(parseReference('app:v2')).tag).toBe('v2');
  });

  it('sends Docker Hub API calls to registry-1.docker.io', () => {
    expect(registryApiHost('docker.io')).toBe('registry-1.docker.io');
    expect(registryApiHost('localhost:5000')).toBe('localhost:5000');
  });
});
