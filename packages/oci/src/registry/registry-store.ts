import { repositoryScope } from '../auth/scope.js';
import { attachArtifact } from '../attach.js';
import { descriptorBound, verifiedChunks, type BlobStreaming } from '../blob-stream.js';
import { isDigest, parseDigest, sha256Digest } from '../digest.js';
import { OciError } from '../errors.js';
import { nextLink } from '../http/link-header.js';
import { assertWithinLimit, concat, MANIFEST_LIMIT_FIX, readBody, readSmallText } from '../http/read-body.js';
import type { HttpResponse } from '../http/transport.js';
import {
  assertManifestSize,
  isManifestMediaType,
  manifestMediaTypeOf,
  MANIFEST_MEDIA_TYPES,
  MAX_MANIFEST_BYTES,
  parseManifest,
  parseReferrersIndex,
  referrerDescriptor,
} from '../manifest.js';
import { assertValidTag } from '../reference.js';
import {
  MEDIA_TYPES,
  type ArtifactStore,
  type AttachRequest,
  type Descriptor,
  type FetchedManifest,
  type FetchOptions,
  type PushManifestOptions,
  type ReferrersOptions,
} from '../types.js';
import {
  BULK_TRANSFER_BYTES,
  registryErrorDetail,
  type RegistryClient,
  type RegistryRequest,
} from './registry-client.js';
import { referrersTag, updateTagIndex, type TagIndexIo } from './referrers-tag-schema.js';

const MANIFEST_ACCEPT = MANIFEST_MEDIA_TYPES.join(', ');
const MAX_REFERRER_PAGES = 64;
/** Blobs up to this size are offered in the upload POST itself (one request where supported). */
const SINGLE_POST_MAX_BYTES = 256 * 1024;

function signalOf(options?: { signal?: AbortSignal }): { signal?: AbortSignal } {
  return options?.signal !== undefined ? { signal: options.signal } : {};
}

function contentType(response: HttpResponse): string | undefined {
  const value = response.headers.get('content-type');
  return value?.split(';')[0]?.trim().toLowerCase() || undefined;
}

/** One repository in an OCI distribution registry. */
export class RegistryStore implements ArtifactStore, BlobStreaming {
  readonly kind = 'registry' as const;
  readonly location: string;
  private readonly pullScope: string[];
  private readonly pushScope: string[];

  constructor(
    readonly client: RegistryClient,
    readonly registry: string,
    readonly repository: string,
  ) {
    this.location = `${registry}/${repository}`;
    this.pullScope = [repositoryScope(repository, ['pull'])];
    this.pushScope = [repositoryScope(repository, ['pull', 'push'])];
  }

  private path(kind: 'manifests' | 'blobs' | 'referrers', ref: string): string {
    return `/v2/${this.repository}/${kind}/${ref}`;
  }

  private checkReference(tagOrDigest: string): void {
    if (tagOrDigest.includes(':')) parseDigest(tagOrDigest);
    else assertValidTag(tagOrDigest);
  }

  /** A request to this repository: registry, repository and (by default) pull scope filled in. */
  private send(
    request: Omit<RegistryRequest, 'registry' | 'repository' | 'scopes'> & { scopes?: readonly string[] },
  ): Promise<HttpResponse> {
    return this.client.request({
      registry: this.registry,
      repository: this.repository,
      scopes: this.pullScope,
      ...request,
    });
  }

  /** `response` when its status is `ok`; else the error for it, with the registry's own error code. */
  private async expectStatus(response: HttpResponse, ok: number, what: string): Promise<HttpResponse> {
    if (response.status === ok) return response;
    throw await this.client.errorFor(response, what, this.registry, this.repository);
  }

  /** True for status `yes`, false for `no` (the answer discarded either way); else the error for it. */
  private async statusIs(response: HttpResponse, yes: number, no: number, what: string): Promise<boolean> {
    if (response.status !== yes && response.status !== no) {
      throw await this.client.errorFor(response, what, this.registry, this.repository);
    }
    response.discard();
    return response.status === yes;
  }

  /** GET a manifest (or HEAD it) by tag or digest, answered 200. */
  private async getManifest(
    method: 'GET' | 'HEAD',
    reference: string,
    what: string,
    signal: AbortSignal | undefined,
  ): Promise<HttpResponse> {
    const response = await this.send({
      method,
      url: this.path('manifests', reference),
      headers: { accept: MANIFEST_ACCEPT },
      what,
      ...(signal !== undefined ? { signal } : {}),
    });
    return this.expectStatus(response, 200, what);
  }

  /** GET a blob, answered 200; above 4 MiB it is a bulk transfer (no whole-request deadline). */
  private async getBlob(
    descriptor: Descriptor,
    what: string,
    signal: AbortSignal | undefined,
  ): Promise<HttpResponse> {
    const response = await this.send({
      method: 'GET',
      url: this.path('blobs', descriptor.digest),
      what,
      bulk: descriptor.size > BULK_TRANSFER_BYTES,
      ...(signal !== undefined ? { signal } : {}),
    });
    return this.expectStatus(response, 200, what);
  }

  async resolve(tagOrDigest: string, options?: { signal?: AbortSignal }): Promise<Descriptor> {
    this.checkReference(tagOrDigest);
    const what = `resolve ${this.location}${isDigest(tagOrDigest) ? '@' : ':'}${tagOrDigest}`;
    const response = await this.getManifest('HEAD', tagOrDigest, what, options?.signal);
    response.discard();
    const digest = response.headers.get('docker-content-digest');
    const mediaType = contentType(response);
    const size = Number(response.headers.get('content-length') ?? 'NaN');
    if (
      digest === undefined ||
      !isDigest(digest) ||
      mediaType === undefined ||
      !isManifestMediaType(mediaType) ||
      !Number.isSafeInteger(size)
    ) {
      // The HEAD did not say enough: fetch the manifest and compute it ourselves.
      return (await this.fetchManifest(tagOrDigest, options)).descriptor;
    }
    if (isDigest(tagOrDigest) && digest !== tagOrDigest) {
      throw new OciError(
        'DIGEST_MISMATCH',
        `${what}: the registry answered for ${digest} instead; it is misbehaving or compromised`,
      );
    }
    assertManifestSize(size, what);
    return { mediaType, digest, size };
  }

  async fetchManifest(target: Descriptor | string, options?: FetchOptions): Promise<FetchedManifest> {
    const reference = typeof target === 'string' ? target : target.digest;
    this.checkReference(reference);
    const byDigest = isDigest(reference);
    const what = `manifest ${this.location}${byDigest ? '@' : ':'}${reference}`;
    const response = await this.getManifest('GET', reference, what, options?.signal);
    const served = contentType(response);
    const headerDigest = response.headers.get('docker-content-digest');
    const bytes = await readBody(response, {
      what,
      maxBytes: options?.maxBytes ?? MAX_MANIFEST_BYTES,
      limitFix: MANIFEST_LIMIT_FIX,
      ...(byDigest ? { digest: reference } : {}),
      ...(typeof target !== 'string' ? { expectedSize: target.size } : {}),
    });
    const digest = byDigest ? reference : sha256Digest(bytes);
    if (!byDigest && headerDigest !== undefined && isDigest(headerDigest) && headerDigest !== digest) {
      const algorithm = parseDigest(headerDigest).algorithm;
      if (algorithm === 'sha256') {
        throw new OciError(
          'DIGEST_MISMATCH',
          `${what}: the registry says ${headerDigest} but the content hashes to ${digest}; it is misbehaving or compromised`,
        );
      }
    }
    const mediaType = manifestMediaTypeOf(bytes, [
      typeof target !== 'string' ? target.mediaType : undefined,
      served,
    ]);
    const manifest = parseManifest(bytes, mediaType, what);
    if (
      typeof target !== 'string' &&
      isManifestMediaType(target.mediaType) &&
      target.mediaType !== mediaType
    ) {
      throw new OciError(
        'MANIFEST_INVALID',
        `${what}: the descriptor says ${target.mediaType} but the manifest is ${mediaType}`,
      );
    }
    return { descriptor: { mediaType, digest, size: bytes.byteLength }, bytes, manifest };
  }

  async fetchBlob(descriptor: Descriptor, options?: FetchOptions): Promise<Uint8Array> {
    parseDigest(descriptor.digest);
    const what = `blob ${descriptor.digest} of ${this.location}`;
    const maxBytes = options?.maxBytes ?? this.client.maxBlobBytes;
    assertWithinLimit(what, descriptor.size, maxBytes);
    const response = await this.getBlob(descriptor, what, options?.signal);
    return readBody(response, { what, maxBytes, digest: descriptor.digest, expectedSize: descriptor.size });
  }

  /** The blob as a verified stream (see `BlobStreaming`); nothing is held in memory. */
  async fetchBlobStream(descriptor: Descriptor, options?: FetchOptions): Promise<AsyncIterable<Uint8Array>> {
    parseDigest(descriptor.digest);
    const what = `blob ${descriptor.digest} of ${this.location}`;
    const maxBytes = options?.maxBytes ?? Number.MAX_SAFE_INTEGER;
    assertWithinLimit(what, descriptor.size, maxBytes);
    const response = await this.getBlob(descriptor, what, options?.signal);
    const declared = response.headers.get('content-length');
    if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > descriptor.size) {
      response.discard();
      throw new OciError(
        'TOO_LARGE',
        `${what}: the server announces ${declared} bytes (Content-Length) but its descriptor says ${descriptor.size}; refused`,
      );
    }
    const chunks = verifiedChunks(response.body, {
      what,
      digest: descriptor.digest,
      expectedSize: descriptor.size,
      maxBytes,
    });
    return (async function* () {
      try {
        yield* chunks;
      } finally {
        response.discard();
      }
    })();
  }

  /**
   * Upload a blob from a stream: POST, then PATCH chunks of `chunkSizeBytes` as they fill, then
   * the committing PUT with the rest, sent only after the whole stream hashed to
   * `descriptor.digest`. An error leaves only an abandoned upload session, nothing committed.
   */
  async pushBlobStream(
    descriptor: Descriptor,
    chunks: AsyncIterable<Uint8Array>,
    options?: { signal?: AbortSignal },
  ): Promise<void> {
    parseDigest(descriptor.digest);
    const what = `push blob ${descriptor.digest} to ${this.location}`;
    const base = { scopes: this.pushScope, what, ...signalOf(options) };
    const start = await this.send({
      ...base,
      method: 'POST',
      url: `/v2/${this.repository}/blobs/uploads/`,
    });
    (await this.expectStatus(start, 202, what)).discard();
    await this.completeUpload(start, descriptor, chunks, base);
    this.client.blobUploads.set(`${this.location}@${descriptor.digest}`, Promise.resolve());
  }

  /**
   * Finish an upload session opened by `start` (a 202): PATCH `chunkSizeBytes` slices as the
   * bytes come, then the committing PUT with the rest. The PUT is only sent once every byte hashed
   * to `descriptor.digest` with the right size, so bad content is never committed.
   */
  private async completeUpload(
    start: HttpResponse,
    descriptor: Descriptor,
    chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    base: { scopes: readonly string[]; what: string; signal?: AbortSignal },
  ): Promise<void> {
    const { what } = base;
    let location = this.uploadLocation(start, what);
    const minChunk = Number(start.headers.get('oci-chunk-min-length') ?? '0');
    const chunkSize = Math.max(this.client.chunkSizeBytes, Number.isSafeInteger(minChunk) ? minChunk : 0);
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    let offset = 0;
    const patch = async (body: Uint8Array): Promise<void> => {
      const response = await this.send({
        ...base,
        what: `${what} (chunk at ${offset})`,
        method: 'PATCH',
        url: location,
        headers: {
          'content-type': 'application/octet-stream',
          'content-range': `${offset}-${offset + body.byteLength - 1}`,
        },
        body,
        bulk: body.byteLength > BULK_TRANSFER_BYTES,
      });
      (await this.expectStatus(response, 202, what)).discard();
      location = this.uploadLocation(response, what);
      offset += body.byteLength;
    };
    // Sizes and digest checked as the bytes pass; the loop ends only once they all verified.
    for await (const chunk of verifiedChunks(chunks, descriptorBound(descriptor, what))) {
      pending.push(chunk);
      pendingBytes += chunk.byteLength;
      if (pendingBytes <= chunkSize) continue;
      // Keep at least one byte back: the closing PUT carries the last piece.
      let buffer = concat(pending, pendingBytes);
      while (buffer.byteLength > chunkSize) {
        await patch(buffer.subarray(0, chunkSize));
        buffer = buffer.subarray(chunkSize);
      }
      pending = [buffer];
      pendingBytes = buffer.byteLength;
    }
    location.searchParams.set('digest', descriptor.digest);
    const put = await this.send({
      ...base,
      method: 'PUT',
      url: location,
      headers: { 'content-type': 'application/octet-stream' },
      ...(pendingBytes > 0 ? { body: concat(pending, pendingBytes) } : {}),
      bulk: pendingBytes > BULK_TRANSFER_BYTES,
    });
    (await this.expectStatus(put, 201, what)).discard();
    this.checkDigestHeader(put, descriptor.digest, what);
  }

  async exists(descriptor: Descriptor, options?: { signal?: AbortSignal }): Promise<boolean> {
    parseDigest(descriptor.digest);
    const kind = isManifestMediaType(descriptor.mediaType) ? 'manifests' : 'blobs';
    const what = `check ${kind === 'manifests' ? 'manifest' : 'blob'} ${descriptor.digest} in ${this.location}`;
    const response = await this.send({
      method: 'HEAD',
      url: this.path(kind, descriptor.digest),
      ...(kind === 'manifests' ? { headers: { accept: MANIFEST_ACCEPT } } : {}),
      what,
      ...signalOf(options),
    });
    return this.statusIs(response, 200, 404, what);
  }

  async pushBlob(
    content: Uint8Array,
    mediaType: string,
    options?: { signal?: AbortSignal },
  ): Promise<Descriptor> {
    const digest = sha256Digest(content);
    const descriptor: Descriptor = { mediaType, digest, size: content.byteLength };
    const key = `${this.location}@${digest}`;
    let upload = this.client.blobUploads.get(key);
    if (upload === undefined) {
      upload = this.uploadBlob(content, digest, options);
      this.client.blobUploads.set(key, upload);
      upload.catch(() => this.client.blobUploads.delete(key));
    }
    await upload;
    return descriptor;
  }

  private async uploadBlob(
    content: Uint8Array,
    digest: string,
    options?: { signal?: AbortSignal },
  ): Promise<void> {
    const what = `push blob ${digest} to ${this.location}`;
    const uploads = `/v2/${this.repository}/blobs/uploads/`;
    const base = { scopes: this.pushScope, what, ...signalOf(options) };
    const single =
      content.byteLength <= SINGLE_POST_MAX_BYTES && !this.client.noSinglePostUpload.has(this.registry);
    const start = await this.send({
      ...base,
      method: 'POST',
      url: single ? `${uploads}?digest=${encodeURIComponent(digest)}` : uploads,
      ...(single ? { headers: { 'content-type': 'application/octet-stream' }, body: content } : {}),
    });
    if (single && start.status === 201) {
      start.discard();
      this.checkDigestHeader(start, digest, what);
      return;
    }
    (await this.expectStatus(start, 202, what)).discard();
    if (single) this.client.noSinglePostUpload.add(this.registry);
    const descriptor = { mediaType: 'application/octet-stream', digest, size: content.byteLength };
    await this.completeUpload(start, descriptor, [content], base);
  }

  /**
   * Cross-repository mount: make a blob of `fromRepository` (same registry) available here
   * without uploading it. Returns false when the registry declined (then push the content).
   */
  async mountBlob(
    descriptor: Descriptor,
    fromRepository: string,
    options?: { signal?: AbortSignal },
  ): Promise<boolean> {
    parseDigest(descriptor.digest);
    const what = `mount blob ${descriptor.digest} from ${this.registry}/${fromRepository} into ${this.location}`;
    const query = new URLSearchParams({ mount: descriptor.digest, from: fromRepository });
    const response = await this.send({
      method: 'POST',
      url: `/v2/${this.repository}/blobs/uploads/?${query.toString()}`,
      scopes: [...this.pushScope, repositoryScope(fromRepository, ['pull'])],
      what,
      ...signalOf(options),
    });
    // 202: not mounted, an upload session was opened instead; the caller uploads normally.
    const mounted = await this.statusIs(response, 201, 202, what);
    if (mounted) this.client.blobUploads.set(`${this.location}@${descriptor.digest}`, Promise.resolve());
    return mounted;
  }

  private uploadLocation(response: HttpResponse, what: string): URL {
    const location = response.headers.get('location');
    if (location === undefined || location === '') {
      throw new OciError('PROTOCOL', `${what}: the registry opened an upload without a Location header`);
    }
    try {
      return new URL(location, this.client.baseUrl(this.registry));
    } catch (error) {
      throw new OciError('PROTOCOL', `${what}: the upload Location is not a valid URL`, { cause: error });
    }
  }

  private checkDigestHeader(response: HttpResponse, digest: string, what: string): void {
    const header = response.headers.get('docker-content-digest');
    if (
      header !== undefined &&
      header !== '' &&
      header !== digest &&
      parseDigest(header).algorithm === 'sha256'
    ) {
      throw new OciError('DIGEST_MISMATCH', `${what}: the registry stored ${header} instead of ${digest}`);
    }
  }

  async pushManifest(
    content: Uint8Array,
    mediaType: string,
    options?: PushManifestOptions,
  ): Promise<Descriptor> {
    const digest = sha256Digest(content);
    const what = `push manifest ${digest} to ${this.location}${options?.tag !== undefined ? `:${options.tag}` : ''}`;
    assertManifestSize(content.byteLength, what);
    const manifest = parseManifest(content, mediaType, what);
    const descriptor: Descriptor = { mediaType, digest, size: content.byteLength };
    const response = await this.putManifest(
      content,
      mediaType,
      options?.tag ?? digest,
      what,
      options?.signal,
    );
    if (manifest.subject !== undefined) {
      if (response.headers.get('oci-subject') !== undefined) {
        this.client.referrersModes.set(this.registry, 'api');
      } else {
        // The registry did not index the subject: keep the tag-schema index up to date.
        this.client.referrersModes.set(this.registry, 'tag-schema');
        const subject = manifest.subject.digest;
        await this.client.referrersUpdates.submit(`${this.location}@${subject}`, {
          referrer: referrerDescriptor(descriptor, manifest),
          apply: (referrers) => this.addToTagIndex(subject, referrers),
        });
      }
    }
    return descriptor;
  }

  private async putManifest(
    content: Uint8Array,
    mediaType: string,
    reference: string,
    what: string,
    signal: AbortSignal | undefined,
    ifMatch?: string,
  ): Promise<HttpResponse> {
    const headers: Record<string, string> = { 'content-type': mediaType };
    if (ifMatch !== undefined) headers['if-match'] = ifMatch;
    for (let attempt = 1; ; attempt++) {
      const response = await this.send({
        method: 'PUT',
        url: this.path('manifests', reference),
        headers,
        body: content,
        scopes: this.pushScope,
        what,
        ...(signal !== undefined ? { signal } : {}),
      });
      if (response.status === 412 && ifMatch !== undefined) {
        response.discard();
        return response;
      }
      if (response.status !== 201 && response.status !== 200) {
        const error = await this.client.errorFor(response, what, this.registry, this.repository);
        // We hashed these exact bytes: DIGEST_INVALID can only be the registry tripping over a
        // concurrent write of a referenced blob (distribution 2.8 does). Transient: retry.
        if (
          response.status === 400 &&
          error.message.includes('(DIGEST_INVALID') &&
          attempt < this.client.maxAttempts
        ) {
          this.client.logger.debug(`oci: ${what}: transient DIGEST_INVALID; retrying`);
          await this.client.clock.sleep(this.client.backoff(attempt), signal);
          continue;
        }
        throw error;
      }
      response.discard();
      this.checkDigestHeader(response, sha256Digest(content), what);
      return response;
    }
  }

  async tag(descriptor: Descriptor, tag: string, options?: { signal?: AbortSignal }): Promise<void> {
    assertValidTag(tag);
    const fetched = await this.fetchManifest(descriptor, signalOf(options));
    await this.putManifest(
      fetched.bytes,
      fetched.descriptor.mediaType,
      tag,
      `tag ${descriptor.digest} as ${this.location}:${tag}`,
      options?.signal,
    );
  }

  async referrers(subject: Descriptor, options?: ReferrersOptions): Promise<Descriptor[]> {
    parseDigest(subject.digest);
    const mode = this.client.referrersModes.get(this.registry);
    let found: Descriptor[] | undefined;
    if (mode !== 'tag-schema') {
      const answer = await this.referrersFromApi(subject.digest, options);
      if (answer === 'no-api') {
        this.client.referrersModes.set(this.registry, 'tag-schema');
        this.client.logger.debug(
          `oci: ${this.registry} has no referrers API; using the referrers tag schema`,
        );
      } else if (answer !== 'no-repository') {
        this.client.referrersModes.set(this.registry, 'api');
        found = answer;
      }
      // 'no-repository': the answer says nothing of the API; the mode stays unknown for the next call
    }
    found ??= (await this.readTagIndex(subject.digest, options?.signal))?.manifests ?? [];
    const { artifactType } = options ?? {};
    return artifactType === undefined ? found : found.filter((d) => d.artifactType === artifactType);
  }

  /**
   * The referrers through the API; `no-api` when the registry does not have it (404 of an unknown
   * route, 405, or a 200 that is not an index); `no-repository` for a 404 `NAME_UNKNOWN`, which a
   * registry with the API answers for a repository it does not have: that must not make the client
   * take the whole registry for one without the API.
   */
  private async referrersFromApi(
    digest: string,
    options?: ReferrersOptions,
  ): Promise<Descriptor[] | 'no-api' | 'no-repository'> {
    const what = `list referrers of ${this.location}@${digest}`;
    let url: string | URL = this.path('referrers', digest);
    if (options?.artifactType !== undefined)
      url += `?artifactType=${encodeURIComponent(options.artifactType)}`;
    const all: Descriptor[] = [];
    for (let page = 1; ; page++) {
      const response = await this.send({
        method: 'GET',
        url,
        headers: { accept: MEDIA_TYPES.imageIndex },
        what,
        ...signalOf(options),
      });
      if (page === 1 && response.status === 404) {
        const detail = registryErrorDetail(await readSmallText(response));
        return detail.startsWith(' (NAME_UNKNOWN') ? 'no-repository' : 'no-api';
      }
      if (
        page === 1 &&
        (response.status === 405 ||
          // a catch-all route answering 200 with something else is no referrers API either
          (response.status === 200 && contentType(response) !== MEDIA_TYPES.imageIndex))
      ) {
        response.discard();
        return 'no-api';
      }
      await this.expectStatus(response, 200, what);
      const bytes = await readBody(response, {
        what,
        maxBytes: MAX_MANIFEST_BYTES,
        limitFix: MANIFEST_LIMIT_FIX,
      });
      all.push(...parseReferrersIndex(bytes, what));
      const next = nextLink(response.headers.getAll('link'));
      if (next === undefined) return all;
      if (page >= MAX_REFERRER_PAGES) {
        throw new OciError(
          'PROTOCOL',
          `${what}: more than ${MAX_REFERRER_PAGES} pages of referrers; refusing to follow further`,
        );
      }
      url = new URL(
        next,
        new URL(typeof url === 'string' ? url : url.href, this.client.baseUrl(this.registry)),
      );
    }
  }

  private async readTagIndex(
    subjectDigest: string,
    signal: AbortSignal | undefined,
  ): Promise<{ manifests: Descriptor[]; etag?: string } | undefined> {
    const tag = referrersTag(subjectDigest);
    const what = `read referrers tag ${this.location}:${tag}`;
    const response = await this.send({
      method: 'GET',
      url: this.path('manifests', tag),
      headers: { accept: MEDIA_TYPES.imageIndex },
      what,
      ...(signal !== undefined ? { signal } : {}),
    });
    if (response.status === 404) {
      response.discard();
      return undefined;
    }
    await this.expectStatus(response, 200, what);
    const etag = response.headers.get('etag');
    const bytes = await readBody(response, {
      what,
      maxBytes: MAX_MANIFEST_BYTES,
      limitFix: MANIFEST_LIMIT_FIX,
    });
    const manifests = parseReferrersIndex(bytes, what);
    return etag !== undefined ? { manifests, etag } : { manifests };
  }

  /** Add referrers of `subjectDigest` to its tag-schema index (see `updateTagIndex`). */
  private async addToTagIndex(subjectDigest: string, referrers: Descriptor[]): Promise<void> {
    const tag = referrersTag(subjectDigest);
    const what = `update referrers tag ${this.location}:${tag}`;
    const io: TagIndexIo = {
      read: () => this.readTagIndex(subjectDigest, undefined),
      write: async (index, ifMatch) => {
        const response = await this.putManifest(index, MEDIA_TYPES.imageIndex, tag, what, undefined, ifMatch);
        return response.status !== 412;
      },
    };
    await updateTagIndex(referrers, {
      io,
      clock: this.client.clock,
      logger: this.client.logger,
      what,
      minSettleMs: this.client.referrersSettleMs.min,
      maxSettleMs: this.client.referrersSettleMs.max,
    });
  }

  attach(request: AttachRequest, options?: { signal?: AbortSignal }): Promise<Descriptor> {
    return attachArtifact(this, request, options);
  }
}
