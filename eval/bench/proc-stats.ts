import { readFile } from 'node:fs/promises';

/** Clock ticks per second of /proc/<pid>/stat times: USER_HZ, 100 on every Linux architecture Node runs on. */
const USER_HZ = 100;

/** CPU time (user + system, ms) a process has used so far; NaN once it is gone. */
export async function processCpuMs(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at field 3: utime is field 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
  } catch {
    return Number.NaN;
  }
}

/** CPU time several processes used over an interval: call once at the start, then the result at the end. */
export async function cpuMeter(pids: readonly number[]): Promise<() => Promise<number[]>> {
  const before = await Promise.all(pids.map(processCpuMs));
  return async () => {
    const after = await Promise.all(pids.map(processCpuMs));
    return after.map((value, i) => value - before[i]!);
  };
}
