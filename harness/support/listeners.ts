/**
 * Which addresses processes listen on, read from Linux's /proc: a process's sockets are the `socket:[inode]`
 * links in /proc/<pid>/fd, and /proc/net/tcp and tcp6 list each listening socket (state 0A) with its address.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface Listener {
  pid: number;
  address: string;
  port: number;
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[] = [];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match?.[1]) inodes.add(match[1]);
    } catch {}
  }
  return inodes;
}

/** An address of /proc/net/tcp (little-endian hex IPv4) or tcp6 (four little-endian words), as text. */
function decodeAddress(hex: string): string {
  if (hex.length === 8) {
    return (hex.match(/../g) ?? [])
      .reverse()
      .map((b) => Number.parseInt(b, 16))
      .join('.');
  }
  const words = (hex.match(/.{8}/g) ?? []).map((w) => (w.match(/../g) ?? []).reverse().join(''));
  const full = words.join('');
  if (/^0{32}$/.test(full)) return '::';
  if (full === '00000000000000000000000000000001') return '::1';
  if (full.startsWith('00000000000000000000ffff')) {
    const v4 = full.slice(24);
    return `::ffff:${(v4.match(/../g) ?? []).map((b) => Number.parseInt(b, 16)).join('.')}`;
  }
  return (full.match(/.{4}/g) ?? []).join(':');
}

/** Every TCP socket the given processes listen on. */
export function listenersOf(pids: readonly number[]): Listener[] {
  const byInode = new Map<string, number>();
  for (const pid of pids) for (const inode of socketInodes(pid)) byInode.set(inode, pid);
  const listeners: Listener[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [local, state, inode] = [fields[1], fields[3], fields[9]];
      if (!local || state !== '0A' || !inode) continue;
      const pid = byInode.get(inode);
      if (pid === undefined) continue;
      const [hex, port] = local.split(':') as [string, string];
      listeners.push({ pid, address: decodeAddress(hex), port: Number.parseInt(port, 16) });
    }
  }
  return listeners;
}

/** The parent of every process, from /proc/<pid>/stat (its 4th field, after the name in parentheses). */
function parents(): Map<number, number> {
  const map = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      map.set(Number(entry), ppid);
    } catch {}
  }
  return map;
}

/** The pids of a process's children, grandchildren, ... */
export function descendantsOf(pid: number): number[] {
  const all = parents();
  const found: number[] = [];
  const visit = (parent: number): void => {
    for (const [child, ppid] of all) {
      if (ppid !== parent) continue;
      found.push(child);
      visit(child);
    }
  };
  visit(pid);
  return found;
}

/** True while a process with this pid exists (and is not a zombie). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}
