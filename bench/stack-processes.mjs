// What the benches read about the running stack's processes from /proc: which PIDs are which
// service (or PostgreSQL, Kafka, Redis), their CPU time, resident memory and open descriptors.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export const SERVICE_NAMES = ['feed-api', 'ingest-gateway', 'connector-workers', 'outbox-relay'];
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

export function cpuMsOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

function commandOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Process groups worth watching: the four services, Postgres, Kafka and Redis. */
export function processGroups() {
  const groups = Object.fromEntries([...SERVICE_NAMES, 'postgres', 'kafka', 'redis'].map((name) => [name, []]));
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const command = commandOf(entry);
    const service = SERVICE_NAMES.find((name) => command.includes(`dist/apps/${name}/src/main.js`));
    if (service) groups[service].push(entry);
    else if (/^postgres(:| )/.test(command) || command.includes('/postgres ') || command.startsWith('/usr/lib/postgresql/')) groups.postgres.push(entry);
    else if (command.includes('kafka.Kafka')) groups.kafka.push(entry);
    else if (command.startsWith('redis-server') || command.includes('/redis-server')) groups.redis.push(entry);
  }
  return groups;
}

/** Resident memory of a process in MiB (VmRSS), 0 when it is gone. */
export function rssMibOf(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return line ? Number(line.split(/\s+/)[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** RSS in MiB of each of the four services (summed over its processes). */
export function serviceRss() {
  const groups = processGroups();
  return Object.fromEntries(SERVICE_NAMES.map((name) => [name, groups[name].reduce((sum, pid) => sum + rssMibOf(pid), 0)]));
}

/** Open file descriptors of each service, and how many of them are sockets. */
export function serviceDescriptors() {
  const groups = processGroups();
  return Object.fromEntries(
    SERVICE_NAMES.map((name) => {
      let fds = 0;
      let sockets = 0;
      for (const pid of groups[name]) {
        let entries = [];
        try {
          entries = readdirSync(`/proc/${pid}/fd`);
        } catch {
          continue;
        }
        fds += entries.length;
        for (const fd of entries) {
          try {
            if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) sockets += 1;
          } catch {
            // closed meanwhile
          }
        }
      }
      return [name, { fds, sockets }];
    }),
  );
}

export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
