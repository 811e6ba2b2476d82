/** Whether a process with this pid runs on this host (one of another user counts: signalling it is refused, not absent). */
export function processAlive(pid: number): boolean {
  // `kill(0)` would signal this process's group, and a negative pid another group: neither names one process.
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
