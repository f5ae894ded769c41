import { stringify } from 'yaml';

/** A Kubernetes object as the bundle writes it (plain JSON-able data). */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

/** `<kind>-<name>.yaml`, lower case (`<name>.yaml` when the name already starts with the kind): one file per object. */
export function manifestFileName(object: KubernetesObject): string {
  const kind = object.kind.toLowerCase();
  const name = object.metadata.name;
  return name.startsWith(`${kind}-`) ? `${name}.yaml` : `${kind}-${name}.yaml`;
}

/** YAML of one object, with an optional leading comment (one `# ` line per line of `comment`). */
export function toYaml(object: unknown, comment?: string): string {
  const body = stringify(object, { lineWidth: 0, aliasDuplicateObjects: false });
  if (comment === undefined) return body;
  const header = comment
    .split('\n')
    .map((line) => (line === '' ? '#' : `# ${line}`))
    .join('\n');
  return `${header}\n${body}`;
}

/** A DNS-1123 label made of `parts` (lower case, `-` for anything else, at most 63 characters). */
export function dnsLabel(...parts: string[]): string {
  const raw = parts
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  return raw.slice(0, 63).replace(/-$/, '');
}
