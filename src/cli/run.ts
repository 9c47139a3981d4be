// Runs the user's command as a child that owns the terminal: stdio inherited, signals sent to us
// passed on, and our exit mirroring the child's (same code, or death by the same signal), so
// `gemini-trace run -- X` behaves like `X` in scripts, tasks and CI.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

// Signals a user or a supervisor sends to stop or poke a program. SIGUSR1 is Node's own
// (it opens the inspector), so it is not intercepted.
const FORWARDED: NodeJS.Signals[] = process.platform === 'win32' ? ['SIGINT', 'SIGTERM', 'SIGBREAK'] : ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'];

/** Resolves with the exit code this process should end with; never rejects. */
export function runChild(command: string[], env: Record<string, string>, onError: (message: string) => void): Promise<number> {
  return new Promise((resolve) => {
    const [file, ...args] = command;
    // On Windows npm, npx, yarn… are .cmd files, which only a shell can start.
    const child = spawn(file, args, { stdio: 'inherit', env, shell: process.platform === 'win32' });
    const handlers = new Map<NodeJS.Signals, () => void>();
    for (const sig of FORWARDED) {
      // A Ctrl+C in a terminal reaches the child directly too (same process group); forwarding it
      // as well is what foreground-child and npm do, and is needed when only we are signalled.
      const h = () => { if (child.exitCode === null && child.signalCode === null) child.kill(sig); };
      handlers.set(sig, h);
      process.on(sig, h);
    }
    const cleanup = () => { for (const [sig, h] of handlers) process.off(sig, h); };

    child.on('error', (e: NodeJS.ErrnoException) => {
      cleanup();
      if (e.code === 'ENOENT') {
        onError(`command not found: ${file}. Check the name, or that it is on PATH (PATH=${env.PATH ?? env.Path ?? ''}).`);
        resolve(127);
      } else if (e.code === 'EACCES') {
        onError(`cannot execute ${file}: permission denied. Make it executable (chmod +x ${file}) or run it through its interpreter.`);
        resolve(126);
      } else {
        onError(`could not start ${file}: ${e.message}`);
        resolve(1);
      }
    });
    child.on('exit', (code, signal) => {
      cleanup();
      if (signal) {
        // Die the same way, so a parent shell sees "killed by SIGTERM", not a number.
        process.kill(process.pid, signal);
        // Still here (the signal is ignored or cannot end us on this OS): the shell convention.
        resolve(128 + (constants.signals[signal] ?? 0));
      } else resolve(code ?? 1);
    });
  });
}
