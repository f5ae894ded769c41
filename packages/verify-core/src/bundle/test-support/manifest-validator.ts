/**
 * Test support: validates generated objects the way the API server would, offline.
 *
 * - Custom resources: against the real CRDs in ../shared/schemas (Gatekeeper chart CRDs, Ratify
 *   v1 chart CRDs), their `openAPIV3Schema` for the object's version, with unknown fields rejected
 *   (the API server's strict field validation) except under `x-kubernetes-preserve-unknown-fields`.
 * - Constraints: Gatekeeper generates their CRD from the ConstraintTemplate at run time, so the
 *   schema is assembled the same way here: the template's kind and parameter schema, plus the
 *   match schema (fields and patterns of Gatekeeper's match CRD, written out below).
 * - Gatekeeper's `Assign` mutator: its CRD is not in ../shared, so its schema is written out
 *   below (ASSIGN_SCHEMA): the match schema above, and only fields that the upstream Assign
 *   objects in ../shared use (ASSIGN_EXAMPLES; a test holds the schema to them). The allowed
 *   values of `failurePolicy` (UseDefault, Ignore, Fail) come from Gatekeeper's documentation.
 * - Core objects: the kubernetes-models@4.5.0 validators (types, required fields, enums),
 *   plus an unknown-field check of top-level and metadata fields (nested fields are typed with
 *   the kubernetes-models interfaces where the compiler builds them).
 * - Every object: metadata names and labels as Kubernetes requires them.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { parse } from 'yaml';
import { sharedPath } from '../../../../../test/harness/paths.js';

type Json = Record<string, unknown>;

/** The CRDs the bundle's custom resources must satisfy (what the charts install). */
export const CRD_FILES: readonly string[][] = [
  ['gatekeeper', 'charts', 'gatekeeper', 'crds', 'provider-customresourcedefinition.yaml'],
  ['gatekeeper', 'charts', 'gatekeeper', 'crds', 'constrainttemplate-customresourcedefinition.yaml'],
  ['ratify', 'charts', 'ratify', 'crds', 'store-customresourcedefinition.yaml'],
  ['ratify', 'charts', 'ratify', 'crds', 'keymanagementprovider-customresourcedefinition.yaml'],
  ['ratify', 'charts', 'ratify', 'crds', 'verifier-customresourcedefinition.yaml'],
  ['ratify', 'charts', 'ratify', 'crds', 'policy-customresourcedefinition.yaml'],
];

const NAME_PATTERN = '^\\*?[-:a-z0-9]*\\*?$';
const stringArray = { type: 'array', items: { type: 'string' } };
const labelSelector = {
  type: 'object',
  additionalProperties: false,
  properties: {
    matchLabels: { type: 'object', additionalProperties: { type: 'string' } },
    matchExpressions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['key', 'operator'],
        properties: { key: { type: 'string' }, operator: { type: 'string' }, values: stringArray },
      },
    },
  },
};
/** Gatekeeper's constraint `spec.match` (fields, types and patterns of its match CRD). */
const MATCH_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    kinds: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        properties: { apiGroups: stringArray, kinds: stringArray },
      },
    },
    namespaces: { type: 'array', items: { type: 'string', pattern: NAME_PATTERN } },
    excludedNamespaces: { type: 'array', items: { type: 'string', pattern: NAME_PATTERN } },
    labelSelector,
    namespaceSelector: labelSelector,
    name: { type: 'string', pattern: NAME_PATTERN },
    scope: { type: 'string' },
    source: { enum: ['All', 'Generated', 'Original'] },
    processes: { type: 'array', items: { enum: ['audit', 'webhook', 'sync', 'mutation-webhook', '*'] } },
  },
};

/** Upstream Assign objects in ../shared/schemas (Helm template lines are dropped when read). */
export const ASSIGN_EXAMPLES: readonly string[][] = [
  ['gatekeeper', 'test', 'externaldata', 'dummy-provider', 'mutation', 'valid.yaml'],
  ['gatekeeper', 'test', 'externaldata', 'dummy-provider', 'mutation', 'invalid_assign.yaml'],
  ['gatekeeper', 'test', 'bats', 'tests', 'mutations', 'k8sexternalip_assign.yaml'],
  ['ratify', 'charts', 'ratify', 'templates', 'assign.yaml'],
  ['ratify@main', 'deployments', 'ratify-gatekeeper-provider', 'templates', 'assign.yaml'],
];

/** Gatekeeper's Assign (`mutations.gatekeeper.sh/v1`), closed: see ASSIGN_EXAMPLES. */
export const ASSIGN_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { enum: ['mutations.gatekeeper.sh/v1', 'mutations.gatekeeper.sh/v1beta1'] },
    kind: { const: 'Assign' },
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      additionalProperties: false,
      required: ['applyTo', 'location', 'parameters'],
      properties: {
        applyTo: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['groups', 'kinds', 'versions'],
            properties: { groups: stringArray, kinds: stringArray, versions: stringArray },
          },
        },
        match: MATCH_SCHEMA,
        location: { type: 'string', pattern: '^spec\\.' },
        parameters: {
          type: 'object',
          additionalProperties: false,
          required: ['assign'],
          properties: {
            assign: {
              type: 'object',
              additionalProperties: false,
              minProperties: 1,
              maxProperties: 1,
              properties: {
                value: {},
                externalData: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['provider'],
                  properties: {
                    provider: { type: 'string', minLength: 1 },
                    dataSource: { enum: ['ValueAtLocation', 'Username'] },
                    failurePolicy: { enum: ['UseDefault', 'Ignore', 'Fail'] },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;

/** Top-level and metadata fields a core object of the bundle may have (nested fields: typed by kubernetes-models in the compiler). */
const CORE_TOP_FIELDS = [
  'apiVersion',
  'kind',
  'metadata',
  'spec',
  'data',
  'type',
  'automountServiceAccountToken',
];
const METADATA_FIELDS = ['name', 'namespace', 'labels', 'annotations'];

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Mark every object schema with properties as closed, unless it preserves unknown fields. */
export function strictSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strictSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema as Json)) {
    out[key] =
      key === 'properties'
        ? Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, strictSchema(v)]))
        : strictSchema(value);
  }
  if (
    out.properties !== undefined &&
    out['x-kubernetes-preserve-unknown-fields'] !== true &&
    out.additionalProperties === undefined
  ) {
    out.additionalProperties = false;
  }
  return out;
}

function metadataProblems(object: Json, namespaced: boolean | undefined): string[] {
  const problems: string[] = [];
  const metadata = object.metadata as Json | undefined;
  if (metadata === undefined || typeof metadata !== 'object') return ['metadata is missing'];
  const name = metadata.name;
  if (typeof name !== 'string' || name.length > 253 || !SUBDOMAIN.test(name)) {
    problems.push(`metadata.name ${JSON.stringify(name)} is not a DNS-1123 subdomain`);
  }
  for (const field of ['labels', 'annotations'] as const) {
    const map = metadata[field];
    if (map === undefined) continue;
    for (const [key, value] of Object.entries(map as Json)) {
      if (typeof value !== 'string') problems.push(`metadata.${field}.${key} is not a string`);
      if (!LABEL_KEY.test(key)) problems.push(`metadata.${field} key ${key} is not a qualified name`);
      if (
        field === 'labels' &&
        (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value))
      ) {
        problems.push(`metadata.labels.${key} value ${JSON.stringify(value)} is not a label value`);
      }
    }
  }
  if (namespaced === false && metadata.namespace !== undefined)
    problems.push('a cluster-scoped object has metadata.namespace');
  if (namespaced === true && typeof metadata.namespace !== 'string')
    problems.push('a namespaced object has no metadata.namespace');
  for (const key of Object.keys(metadata)) {
    if (!METADATA_FIELDS.includes(key)) problems.push(`metadata.${key} is not a field the bundle may write`);
  }
  return problems;
}

/** The schema violations of `object` (empty: valid). */
function problemsOf(validate: ValidateFunction, object: unknown): string[] {
  if (validate(object)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
  );
}

interface Crd {
  namespaced: boolean;
  validate: ValidateFunction;
}

const CORE_MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
};

export interface ManifestValidator {
  /** Problems with one object (empty: valid). `templates` are the bundle's ConstraintTemplates, for constraints. */
  problems(object: unknown, templates?: readonly unknown[]): string[];
}

export function loadManifestValidator(): ManifestValidator {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  const crds = new Map<string, Crd>();
  for (const file of CRD_FILES) {
    const crd = parse(readFileSync(sharedPath('schemas', ...file), 'utf8')) as Json;
    const spec = crd.spec as {
      group: string;
      scope: string;
      names: { kind: string };
      versions: { name: string; schema: { openAPIV3Schema: unknown } }[];
    };
    for (const version of spec.versions) {
      crds.set(`${spec.group}/${version.name}/${spec.names.kind}`, {
        namespaced: spec.scope === 'Namespaced',
        validate: ajv.compile(strictSchema(version.schema.openAPIV3Schema) as object),
      });
    }
  }

  const assignValidator = ajv.compile(ASSIGN_SCHEMA);

  const constraintValidator = (template: Json): ValidateFunction => {
    const crdSpec = ((template.spec as Json).crd as Json).spec as Json;
    const kind = (crdSpec.names as Json).kind as string;
    const parameters = (crdSpec.validation as Json | undefined)?.openAPIV3Schema ?? {
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
    };
    return ajv.compile({
      type: 'object',
      additionalProperties: false,
      required: ['apiVersion', 'kind', 'metadata', 'spec'],
      properties: {
        apiVersion: {
          enum: [
            'constraints.gatekeeper.sh/v1beta1',
            'constraints.gatekeeper.sh/v1alpha1',
            'constraints.gatekeeper.sh/v1',
          ],
        },
        kind: { const: kind },
        metadata: { type: 'object' },
        spec: {
          type: 'object',
          additionalProperties: false,
          properties: {
            enforcementAction: { enum: ['deny', 'dryrun', 'warn', 'scoped'] },
            match: MATCH_SCHEMA,
            parameters: strictSchema(parameters) as object,
          },
        },
      },
    });
  };

  return {
    problems(input, templates = []) {
      if (input === null || typeof input !== 'object') return ['not an object'];
      const object = input as Json;
      const apiVersion = String(object.apiVersion);
      const kind = String(object.kind);
      const slash = apiVersion.includes('/') ? apiVersion : `/${apiVersion}`;
      const [group = '', version = ''] = slash.split('/');
      if (group === 'constraints.gatekeeper.sh') {
        const template = templates.find(
          (t) =>
            ((((t as Json).spec as Json).crd as Json).spec as Json).names !== undefined &&
            (((((t as Json).spec as Json).crd as Json).spec as Json).names as Json).kind === kind,
        );
        if (template === undefined)
          return [`no ConstraintTemplate of the bundle defines the constraint kind ${kind}`];
        const validate = constraintValidator(template as Json);
        return [...problemsOf(validate, object), ...metadataProblems(object, false)];
      }
      if (group === 'mutations.gatekeeper.sh' && kind === 'Assign') {
        return [...problemsOf(assignValidator, object), ...metadataProblems(object, false)];
      }
      const crd = crds.get(`${group}/${version}/${kind}`);
      if (crd !== undefined) {
        return [...problemsOf(crd.validate, object), ...metadataProblems(object, crd.namespaced)];
      }
      const Model = CORE_MODELS[`${apiVersion}/${kind}`];
      if (Model === undefined) return [`no schema known for ${apiVersion} ${kind}`];
      const problems: string[] = [];
      try {
        new Model(object as never).validate();
      } catch (error) {
        problems.push(error instanceof Error ? error.message : String(error));
      }
      for (const key of Object.keys(object)) {
        if (!CORE_TOP_FIELDS.includes(key)) problems.push(`${key} is not a field of ${kind}`);
      }
      return [...problems, ...metadataProblems(object, true)];
    },
  };
}
