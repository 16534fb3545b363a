// Command-line flag parsing: `--name value`, `--name=value`, boolean `--name`,
// `--` ends the flags. Every mistake is a usage error (SPREADCORE_ERR_BAD_FLAG); an
// unknown flag names the closest known one ("did you mean --port?").
import { SpreadcoreError } from '../errors.js';
import { closestName } from '../strategy/params/closest-name.js';

export type FlagType = 'string' | 'boolean';
export interface FlagDef { readonly type: FlagType }
export type FlagSpec = Readonly<Record<string, FlagDef>>;

/** string flags give their value, boolean flags `true`; absent flags are undefined. */
export type ParsedFlags<S extends FlagSpec> = {
  [K in keyof S]?: S[K]['type'] extends 'boolean' ? true : string;
};

export interface ParsedArgs<S extends FlagSpec> {
  flags: ParsedFlags<S>;
  positionals: string[];
}

export function usageError(message: string): SpreadcoreError {
  return new SpreadcoreError('SPREADCORE_ERR_BAD_FLAG', message);
}

/**
 * A whole-number flag value in [min, max]; dflt when absent. With emptyIsDefault an
 * empty value (e.g. an environment variable set to "") also means the default.
 */
export function intFlag(name: string, v: string | undefined, dflt: number, min: number, max: number, emptyIsDefault = false): number {
  if (v === undefined || (emptyIsDefault && v === '')) return dflt;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw usageError(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return Number(v);
}

/**
 * A URL flag's value, parsed: one of `schemes` ("ws:", "wss:", ...), without a user
 * name or password, and with `baseOnly` without a query or fragment. The usage error
 * names the flag and what it takes; a value that may hold a password is not repeated
 * (it would also show in the logs and GET /api/health, so it is refused).
 */
export function urlFlag(name: string, v: string, schemes: readonly string[], example: string, baseOnly = false): URL {
  const takes = `a URL starting with ${schemes.map((s) => `${s}//`).join(' or ')}, such as ${example}`;
  let u: URL | undefined;
  try { u = new URL(v); } catch { u = undefined; }
  if (u !== undefined && (u.username !== '' || u.password !== '')) {
    throw usageError(`${name} must not carry a user name or password (it would show in the logs and GET /api/health); give the host only`);
  }
  if (u === undefined && v.includes('@')) throw usageError(`${name} must be ${takes} (the value given is not repeated: it may hold a password)`);
  if (u === undefined || !schemes.includes(u.protocol)) throw usageError(`${name} must be ${takes}, got ${JSON.stringify(v)}`);
  if (baseOnly && (u.search !== '' || u.hash !== '')) throw usageError(`${name} must be a base URL without query or fragment (${takes}), got ${JSON.stringify(v)}`);
  return u;
}

/**
 * " (did you mean X?)" for a mistyped name among `known`, else "". Each candidate is
 * compared as written (`format` adds the dashes or quotes shown to the user).
 */
export function didYouMean(name: string, known: Iterable<string>, format: (k: string) => string = (k) => k): string {
  const near = closestName(name, known);
  return near === null ? '' : ` (did you mean ${format(near)}?)`;
}

/** "unknown flag …" with the closest flag of `spec` (or --help) when one is near. */
function unknownFlag(arg: string, name: string, spec: FlagSpec): SpreadcoreError {
  const known = [...Object.keys(spec), 'help'];
  // `-port`: a long flag with one dash
  const exact = arg.startsWith('--') ? undefined : known.find((k) => k === name);
  const hint = exact !== undefined ? ` (did you mean --${exact}?)` : didYouMean(name, known, (k) => `--${k}`);
  return usageError(`unknown flag ${arg.startsWith('--') ? `--${name}` : arg}${hint}`);
}

/** True when -h or --help appears before any `--`. */
export function wantsHelp(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

export function parseFlags<S extends FlagSpec>(args: readonly string[], spec: S): ParsedArgs<S> {
  const values: Record<string, string | true> = {};
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    if (!arg.startsWith('--')) {
      const eq1 = arg.indexOf('=');
      throw unknownFlag(arg, eq1 < 0 ? arg.slice(1) : arg.slice(1, eq1), spec);
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const def = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (def === undefined) throw unknownFlag(arg, name, spec);
    if (Object.hasOwn(values, name)) throw usageError(`--${name} given more than once`);
    if (def.type === 'boolean') {
      if (eq >= 0) throw usageError(`--${name} takes no value`);
      values[name] = true;
      continue;
    }
    let value: string;
    if (eq >= 0) {
      value = arg.slice(eq + 1);
    } else {
      const next = args[i + 1];
      if (next === undefined || next.startsWith('--')) throw usageError(`--${name} needs a value`);
      value = next;
      i++;
    }
    values[name] = value;
  }
  return { flags: values as ParsedFlags<S>, positionals };
}

/** parseFlags for commands that take no positional arguments: any is a usage error. */
export function parseOnlyFlags<S extends FlagSpec>(args: readonly string[], spec: S): ParsedFlags<S> {
  const { flags, positionals } = parseFlags(args, spec);
  if (positionals.length > 0) throw usageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  return flags;
}
