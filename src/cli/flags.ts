// Command-line flag parsing: `--name value`, `--name=value`, boolean `--name`,
// `--` ends the flags. Every mistake is a usage error (SPREADCORE_ERR_BAD_FLAG).
import { SpreadcoreError } from '../errors.js';

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
    if (!arg.startsWith('--')) throw usageError(`unknown flag ${arg}`);
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const def = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (def === undefined) throw usageError(`unknown flag --${name}`);
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
