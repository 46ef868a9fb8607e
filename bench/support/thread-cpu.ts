import { readFileSync, readdirSync } from 'node:fs';

/** CPU seconds this process's threads have used, summed by kind of thread (Linux /proc; empty elsewhere). */
export function threadCpuSeconds(): Map<string, number> {
  const byKind = new Map<string, number>();
  let tasks: string[];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return byKind;
  }
  for (const task of tasks) {
    try {
      const name = readFileSync(`/proc/self/task/${task}/comm`, 'utf8').trim();
      const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
      // Fields after the parenthesised name: utime and stime are the 12th and 13th, in clock ticks.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const seconds = (Number(fields[11]) + Number(fields[12])) / 100;
      const kind = threadKind(name);
      byKind.set(kind, (byKind.get(kind) ?? 0) + seconds);
    } catch {
      // The thread ended between listing and reading.
    }
  }
  return byKind;
}

/** Cores used per kind of thread between two readings, over `seconds` of wall time, busiest first. */
export function coresUsed(before: Map<string, number>, after: Map<string, number>, seconds: number): string {
  return [...after]
    .map(([kind, total]) => [kind, (total - (before.get(kind) ?? 0)) / seconds] as const)
    .filter(([, cores]) => cores >= 0.01)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, cores]) => `${kind} ${cores.toFixed(2)}`)
    .join(', ');
}

/** CPU seconds all of this process's threads used between two readings. */
export function cpuSecondsBetween(before: Map<string, number>, after: Map<string, number>): number {
  let total = 0;
  for (const [kind, seconds] of after) total += seconds - (before.get(kind) ?? 0);
  return total;
}

function threadKind(name: string): string {
  if (name === 'MainThread' || name === 'node') return 'main thread';
  if (name.startsWith('WorkerThread')) return 'normalizer workers';
  if (name.startsWith('V8Worker')) return 'V8 GC helpers';
  if (name.startsWith('libuv-worker')) return 'libuv';
  return 'chDB';
}
