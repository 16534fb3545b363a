// Request/answer over the IPC channel of a forked benchmark child. The parent
// forks a script and calls ask(command, args) which resolves with the child's
// answer; the child registers one handler per command with answerIpc().
import { fork, type ChildProcess } from 'node:child_process';

interface Ask { id: number; command: string; args: unknown }
interface Answer { id: number; ok: boolean; value?: unknown; error?: string }

export interface BenchChild {
  readonly process: ChildProcess;
  ask<T>(command: string, args?: unknown, timeoutMs?: number): Promise<T>;
  /** Asks the child to exit ("exit" command), kills it if it does not within 5 s. */
  stop(): Promise<void>;
}

export function forkBenchChild(script: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env): BenchChild {
  const child = fork(script, args, { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
  let nextId = 1;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  child.on('message', (m: Answer) => {
    const w = waiting.get(m.id);
    if (w === undefined) return;
    waiting.delete(m.id);
    clearTimeout(w.timer);
    if (m.ok) w.resolve(m.value); else w.reject(new Error(m.error ?? 'child error'));
  });
  child.on('exit', (code, signal) => {
    for (const w of waiting.values()) { clearTimeout(w.timer); w.reject(new Error(`benchmark child exited (${code ?? signal})`)); }
    waiting.clear();
  });
  const ask = <T>(command: string, args: unknown = null, timeoutMs = 60_000): Promise<T> => new Promise<T>((resolve, reject) => {
    const id = nextId++;
    const timer = setTimeout(() => { waiting.delete(id); reject(new Error(`benchmark child: ${command} timed out`)); }, timeoutMs);
    waiting.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
    child.send({ id, command, args } satisfies Ask);
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    ask('exit', null, 5000).catch(() => {});
    await gone;
    clearTimeout(kill);
  };
  return { process: child, ask, stop };
}

export type IpcHandlers = Record<string, (args: any) => unknown>;

/** In the child: answers the parent's asks; "exit" ends the process after answering. */
export function answerIpc(handlers: IpcHandlers): void {
  process.on('disconnect', () => process.exit(0)); // the parent went away
  process.on('message', (m: Ask) => {
    const reply = (a: Omit<Answer, 'id'>): void => { process.send?.({ id: m.id, ...a }); };
    if (m.command === 'exit') {
      reply({ ok: true });
      setTimeout(() => process.exit(0), 50);
      return;
    }
    const h = handlers[m.command];
    if (h === undefined) { reply({ ok: false, error: `unknown command ${m.command}` }); return; }
    Promise.resolve().then(() => h(m.args)).then(
      (value) => reply({ ok: true, value }),
      (e: unknown) => reply({ ok: false, error: e instanceof Error ? e.stack ?? e.message : String(e) }),
    );
  });
}
