import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (100 on Linux almost everywhere; asked once). */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Resident memory of a process in bytes (VmRSS of /proc/<pid>/status); null when it is gone. */
export function residentBytes(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** The fields of /proc/<pid>/stat after the command name (field 3 onwards), or null when it is gone. */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a process has used so far; 0 when it is gone. */
export function cpuSeconds(pid: number): number {
  const fields = statFields(pid);
  return fields === null ? 0 : (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** The process and its children (nginx's master and workers), as pids. */
export function processTree(pid: number): number[] {
  const pids = [pid];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      for (const child of children ? children.split(' ') : []) pids.push(...processTree(Number(child)));
    }
  } catch {
    // gone, or no children file (kernels without CONFIG_PROC_CHILDREN)
  }
  return pids;
}

/** CPU seconds of a process tree. */
export function treeCpuSeconds(pid: number): number {
  return processTree(pid).reduce((sum, each) => sum + cpuSeconds(each), 0);
}

/**
 * Samples a process's resident memory every `intervalMs` while running, keeping the highest value:
 * the memory a download run costs is its peak, which a reading before and after would miss.
 */
export class MemorySampler {
  private timer: NodeJS.Timeout | null = null;
  peakBytes = 0;

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 100,
  ) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    return this;
  }

  stop(): number {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
    return this.peakBytes;
  }

  private sample(): void {
    this.peakBytes = Math.max(this.peakBytes, residentBytes(this.pid) ?? 0);
  }
}

/** The pids of every process whose command is `name` (all Postgres backends, say). */
export function processesNamed(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/**
 * CPU seconds used so far by every Postgres process of the machine, those that exited included:
 * the live processes' own time plus, for each postmaster (a postgres process whose parent is not
 * one), what the backends it reaped used. So a difference of two readings counts the backends that
 * came and went in between (a node's connections closing when it is killed, say) instead of
 * dropping their whole CPU from the second reading. Other databases' work counts too.
 */
export function postgresCpuSeconds(): number {
  const pids = processesNamed('postgres');
  const postgres = new Set(pids);
  let seconds = 0;
  for (const pid of pids) {
    const fields = statFields(pid);
    if (fields === null) continue;
    seconds += (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    // field 4, the parent's pid, is fields[1]
    if (!postgres.has(Number(fields[1]))) seconds += (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
  }
  return seconds;
}
