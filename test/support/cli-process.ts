// A long-running `spreadcore` command (serve, feed) as a child process: waits for a
// line of its output, keeps everything it printed, and is killed by stopAll().
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT } from './run-cli.js';

export interface CliProcess {
  child: ChildProcess;
  /** stdout and stderr so far. */
  out: () => string;
  /** The exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** The first match of `ready` in the output. */
  match: RegExpExecArray;
}

const running = new Set<ChildProcess>();

export function requireDist(): void {
  if (!existsSync(join(ROOT, 'dist/src/cli/main.js'))) throw new Error('dist is missing: run "npm run build" first (npm test does it)');
}

/** The environment without any SPREADCORE_ variable of the caller's. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SPREADCORE_')) env[k] = v;
  return { ...env, ...extra };
}

/**
 * Starts `spreadcore ...args`; resolves once `ready` matches the output, rejects when
 * the process exits first or after timeoutMs. With `ready` null, resolves at exit.
 */
export function startCli(args: string[], ready: RegExp, env: Record<string, string> = {}, timeoutMs = 20_000): Promise<CliProcess> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let out = '';
  // a process ended by a signal (code null) says which in its output, for the failure message
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => {
    running.delete(child);
    if (signal !== null) out += `\n[ended by ${signal}]\n`;
    resolve(code);
  }));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`spreadcore ${args.join(' ')} did not print ${ready}: ${out}`)), timeoutMs);
    const check = (): void => {
      const m = ready.exec(out);
      if (m !== null) { clearTimeout(timer); resolve({ child, out: () => out, exited, match: m }); }
    };
    child.stdout!.on('data', (b: Buffer) => { out += b.toString(); check(); });
    child.stderr!.on('data', (b: Buffer) => { out += b.toString(); check(); });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`spreadcore ${args.join(' ')} exited (${code}) early: ${out}`)); });
  });
}

/** Starts `spreadcore ...args` with stdout and stderr piped; killed by stopAll(). */
export function spawnCli(args: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.on('exit', () => running.delete(child));
  return child;
}

/** Runs `spreadcore ...args` to its end with `input` on stdin: the exit status, stdout and stderr apart (killed after 30 s). */
export function runCliSplit(args: string[], input = '', env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cleanEnv(env) });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
    child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (status) => { clearTimeout(t); running.delete(child); resolve({ status, stdout, stderr }); });
    child.stdin.on('error', () => { /* the command may stop reading early */ });
    child.stdin.end(input);
  });
}

/** Runs `spreadcore ...args` to its end. */
export function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 30_000): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let out = '';
  child.stdout!.on('data', (b: Buffer) => { out += b.toString(); });
  child.stderr!.on('data', (b: Buffer) => { out += b.toString(); });
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => { clearTimeout(timer); running.delete(child); resolve({ code, out }); });
  });
}

/** Kills every child this module started that is still running. */
export function stopAll(): void {
  for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  running.clear();
}
