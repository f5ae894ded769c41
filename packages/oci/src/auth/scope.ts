/** Registry token scopes (`repository:<name>:<actions>`), as sets of single-action atoms. */

export type Action = 'pull' | 'push' | 'delete';

export function repositoryScope(repository: string, actions: readonly Action[]): string {
  return `repository:${repository}:${[...actions].sort().join(',')}`;
}

/** `repository:a:pull,push` -> [`repository:a:pull`, `repository:a:push`]. */
export function scopeAtoms(scopes: readonly string[]): Set<string> {
  const atoms = new Set<string>();
  for (const scope of scopes) {
    for (const part of scope.split(' ')) {
      if (part === '') continue;
      const last = part.lastIndexOf(':');
      if (last === -1) {
        atoms.add(part);
        continue;
      }
      const resource = part.slice(0, last);
      for (const action of part.slice(last + 1).split(','))
        if (action !== '') atoms.add(`${resource}:${action}`);
    }
  }
  return atoms;
}

/** Atoms -> the fewest scope strings (`repository:a:pull,push`), sorted for a stable cache key. */
export function scopesFromAtoms(atoms: ReadonlySet<string>): string[] {
  const byResource = new Map<string, string[]>();
  for (const atom of atoms) {
    const last = atom.lastIndexOf(':');
    const resource = last === -1 ? atom : atom.slice(0, last);
    const action = last === -1 ? '' : atom.slice(last + 1);
    const list = byResource.get(resource) ?? [];
    if (action !== '') list.push(action);
    byResource.set(resource, list);
  }
  return [...byResource.entries()]
    .map(([resource, actions]) => (actions.length > 0 ? `${resource}:${actions.sort().join(',')}` : resource))
    .sort();
}
