import { describe, expect, it } from 'vitest';
import { OciError } from './errors.js';
import {
  formatReference,
  parseReference,
  registryApiHost,
  withDefaultTag,
  type Reference,
} from './reference.js';

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
      ['alpine:3.20 ', /whitespace/],
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

  // The cases of distribution/reference's own tests (reference_test.go, normalize_test.go), read
  // with the normalising parser docker's CLI uses (ParseNormalizedNamed).
  describe("on docker's reference test table", () => {
    const FF = `sha256:${'f'.repeat(64)}`;
    const FF512 = `sha512:${'f'.repeat(128)}`;
    it.each<[string, Reference]>([
      ['test_com', { registry: 'docker.io', repository: 'library/test_com' }],
      ['test.com:tag', { registry: 'docker.io', repository: 'library/test.com', tag: 'tag' }],
      ['test.com:5000', { registry: 'docker.io', repository: 'library/test.com', tag: '5000' }],
      ['test.com/repo:tag', { registry: 'test.com', repository: 'repo', tag: 'tag' }],
      ['test:5000/repo', { registry: 'test:5000', repository: 'repo' }],
      ['test:5000/repo:tag', { registry: 'test:5000', repository: 'repo', tag: 'tag' }],
      [`test:5000/repo@${FF}`, { registry: 'test:5000', repository: 'repo', digest: FF }],
      [`test:5000/repo:tag@${FF}`, { registry: 'test:5000', repository: 'repo', tag: 'tag', digest: FF }],
      ['lowercase:Uppercase', { registry: 'docker.io', repository: 'library/lowercase', tag: 'Uppercase' }],
      ['sub-dom1.foo.com/bar/baz/quux', { registry: 'sub-dom1.foo.com', repository: 'bar/baz/quux' }],
      [
        'b.gcr.io/test.example.com/my-app:test.example.com',
        { registry: 'b.gcr.io', repository: 'test.example.com/my-app', tag: 'test.example.com' },
      ],
      [
        'xn--n3h.com/myimage:xn--n3h.com',
        { registry: 'xn--n3h.com', repository: 'myimage', tag: 'xn--n3h.com' },
      ],
      [
        `xn--7o8h.com/myimage:xn--7o8h.com@${FF512}`,
        { registry: 'xn--7o8h.com', repository: 'myimage', tag: 'xn--7o8h.com', digest: FF512 },
      ],
      ['foo_bar.com:8080', { registry: 'docker.io', repository: 'library/foo_bar.com', tag: '8080' }],
      ['foo/foo_bar.com:8080', { registry: 'docker.io', repository: 'foo/foo_bar.com', tag: '8080' }],
      ['192.168.1.1', { registry: 'docker.io', repository: 'library/192.168.1.1' }],
      ['192.168.1.1:5000', { registry: 'docker.io', repository: 'library/192.168.1.1', tag: '5000' }],
      ['192.168.1.1/repo', { registry: '192.168.1.1', repository: 'repo' }],
      ['192.168.1.1:5000/repo:5050', { registry: '192.168.1.1:5000', repository: 'repo', tag: '5050' }],
      ['[2001:db8::1]/repo', { registry: '[2001:db8::1]', repository: 'repo' }],
      [
        '[2001:db8:1:2:3:4:5:6]/repo:tag',
        { registry: '[2001:db8:1:2:3:4:5:6]', repository: 'repo', tag: 'tag' },
      ],
      [
        `[2001:db8::1]:5000/repo:tag@${FF}`,
        { registry: '[2001:db8::1]:5000', repository: 'repo', tag: 'tag', digest: FF },
      ],
      ['[2001:db8::]:5000/repo', { registry: '[2001:db8::]:5000', repository: 'repo' }],
      ['docker.io/debian', { registry: 'docker.io', repository: 'library/debian' }],
      ['index.docker.io/docker/docker', { registry: 'docker.io', repository: 'docker/docker' }],
      ['docker.io/library/foo/bar', { registry: 'docker.io', repository: 'library/foo/bar' }],
      ['127.0.0.1:5000/library/debian', { registry: '127.0.0.1:5000', repository: 'library/debian' }],
      ['192.168.0.1:80', { registry: 'docker.io', repository: 'library/192.168.0.1', tag: '80' }],
      ['localhost/debian', { registry: 'localhost', repository: 'debian' }],
      ['localhost:5000/library/debian', { registry: 'localhost:5000', repository: 'library/debian' }],
      ['localhost', { registry: 'docker.io', repository: 'library/localhost' }],
      ['localhost:5000', { registry: 'docker.io', repository: 'library/localhost', tag: '5000' }],
      ['Docker/docker', { registry: 'Docker', repository: 'docker' }],
      ['test-com:8080/foo', { registry: 'test-com:8080', repository: 'foo' }],
      ['docker---rules/docker', { registry: 'docker.io', repository: 'docker---rules/docker' }],
      ['dock__er/docker', { registry: 'docker.io', repository: 'dock__er/docker' }],
      [
        `docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a`,
        {
          registry: 'docker.io',
          repository: 'library/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a',
        },
      ],
      [
        `busybox:latest@sha256:${HEX}`,
        { registry: 'docker.io', repository: 'library/busybox', tag: 'latest', digest: `sha256:${HEX}` },
      ],
    ])('reads %s', (text, expected) => {
      expect(parseReference(text)).toEqual(expected);
    });

    it.each([
      ['', /it is empty/],
      [':justtag', /repository name is empty/],
      [`@${FF}`, /repository name is empty/],
      ['repo@sha256:ffffffffffffffffffffffffffffffffff', /digest is not/],
      ['Uppercase:tag', /must be lowercase/],
      ['test:5000/Uppercase/lowercase:tag', /must be lowercase/],
      ['aa/asdf$$^/aa', /path component "asdf\$\$\^"/],
      ['[2001:db8::1]', /tag "1\]" is not valid/],
      ['[2001:db8::1]:5000', /path component/],
      ['[2001:db8::1]:tag', /path component/],
      ['[fe80::1%eth0]:5000/repo', /not a valid host/],
      ['[fe80::1%@invalidzone]:5000/repo', /not a valid host|digest/],
      ['[2001:db8:3:4::192.0.2.33]:5000/debian', /not a valid host/],
      ['fc00::1:5000/debian', /not a valid host/],
      ['-docker', /path component "-docker"/],
      ['-docker.io/docker/docker', /not a valid host/],
      ['docker///docker', /empty component/],
      ['docker-/docker', /path component "docker-"/],
      ['____/____', /path component/],
      ['dock..er/docker', /registry host "dock..er" is not a valid host/],
      ['dock_.er/docker', /registry host "dock_.er" is not a valid host/],
      ['docker/', /empty component/],
      ['1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a', /ambiguous/],
    ])('refuses %j, naming the problem', (text, message) => {
      expect(() => parseReference(text)).toThrow(message);
    });

    it('refuses a 257-character name and accepts the tag beyond 255 characters', () => {
      // 128 × "a/" + "a": 257 characters of name, refused whatever the host
      expect(() => parseReference(`registry.example.com/${'a/'.repeat(128)}a:tag`)).toThrow(
        /is 278 characters, longer than 255/,
      );
      // exactly 255 characters of name with the host: accepted, the tag does not count
      const path = `${'a/'.repeat(116)}${'a'.repeat(2)}`;
      const name = `registry.example.com/${path}`;
      expect(name).toHaveLength(255);
      expect(parseReference(`${name}:tag-puts-this-over-max`)).toEqual({
        registry: 'registry.example.com',
        repository: path,
        tag: 'tag-puts-this-over-max',
      });
      expect(() => parseReference(`${name}a`)).toThrow(/is 256 characters/);
    });

    it('counts the Docker Hub name as docker normalises it (docker.io/library/…)', () => {
      // 240 characters typed, 258 once normalised: docker refuses it, so do we
      const typed = 'a'.repeat(240);
      expect(() => parseReference(typed)).toThrow(
        /the name "docker\.io\/library\/a+…" is 258 characters, longer than 255/,
      );
      expect(parseReference('a'.repeat(237)).repository).toHaveLength(245);
    });

    it('refuses a namespace of more than 255 characters', () => {
      const namespace = 'this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_'.repeat(4);
      expect(() => parseReference(`${namespace.slice(0, -1)}/docker`)).toThrow(/longer than 255/);
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
