/** One `WWW-Authenticate` challenge (RFC 7235): scheme and auth-params. */
export interface AuthChallenge {
  /** Lowercased scheme: `basic`, `bearer`, … */
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parse `WWW-Authenticate` header values into challenges. Handles several challenges in one
 * value (`Basic realm="x", Bearer realm="y",service="z"`), quoted strings with escapes, and
 * unquoted tokens.
 */
export function parseChallenges(values: readonly string[]): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  for (const value of values) {
    let i = 0;
    let current: AuthChallenge | undefined;
    const skipSpace = (): void => {
      while (i < value.length && (value[i] === ' ' || value[i] === '\t')) i++;
    };
    const readToken = (): string => {
      const start = i;
      while (i < value.length && /[!#$%&'*+.^_`|~0-9A-Za-z-]/.test(value[i] ?? '')) i++;
      return value.slice(start, i);
    };
    while (i < value.length) {
      skipSpace();
      if (value[i] === ',') {
        i++;
        continue;
      }
      const token = readToken();
      if (token.length === 0) {
        i++; // skip a stray character
        continue;
      }
      skipSpace();
      if (value[i] === '=' && current !== undefined) {
        // auth-param of the current challenge
        i++;
        skipSpace();
        let paramValue: string;
        if (value[i] === '"') {
          i++;
          let out = '';
          while (i < value.length && value[i] !== '"') {
            if (value[i] === '\\' && i + 1 < value.length) i++;
            out += value[i] ?? '';
            i++;
          }
          i++; // closing quote
          paramValue = out;
        } else {
          // A token by the RFC; read leniently up to the next comma or space (unquoted URLs).
          const start = i;
          while (i < value.length && value[i] !== ',' && value[i] !== ' ' && value[i] !== '\t') i++;
          paramValue = value.slice(start, i);
        }
        current.params[token.toLowerCase()] = paramValue;
      } else {
        // a new challenge: scheme, optionally followed by params (or a token68 we ignore)
        current = { scheme: token.toLowerCase(), params: {} };
        challenges.push(current);
      }
    }
  }
  return challenges;
}
