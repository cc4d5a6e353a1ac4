import { isIP } from 'node:net';
import type { ConfigProblem } from './errors.js';
import type { FanoutConfig } from './schema.js';

/**
 * What a valid configuration may not mean: reported by `fanout validate`, `npm start` and the deploy, never
 * failing them. An http target at a loopback, private, link-local or metadata address (a worker that posts
 * record data to 169.254.169.254 or to its own host is more likely a copied example or a typo than a plan;
 * `http.allowPrivate: true` says it is meant), and the claim check turned off.
 */
export function configWarnings(config: FanoutConfig): ConfigProblem[] {
  const warnings: ConfigProblem[] = [];
  config.targets.forEach((target, index) => {
    if (target.type !== 'http' || target.http?.allowPrivate) return;
    let host: string;
    try {
      host = new URL(target.destination).hostname;
    } catch {
      return;
    }
    const kind = privateAddressKind(host);
    if (kind) {
      warnings.push({
        path: `targets[${index}].destination`,
        message: `${host} is ${kind}: the worker will post record data there; set http.allowPrivate: true if that is meant`,
      });
    }
  });
  if (config.claimCheck === false) {
    warnings.push({
      path: 'claimCheck',
      message:
        'is off: a record above the hand-off limit goes to the DLQ as its position only, replayable while the stream keeps it (24 hours by default), then lost',
    });
  }
  return warnings;
}

/** `warning: targets[1].destination: 127.0.0.1 is a loopback address: ...`, as every command prints it. */
export const formatWarning = (warning: ConfigProblem): string =>
  `warning: ${warning.path ? `${warning.path}: ` : ''}${warning.message}`;

/** Host names that always mean this machine or a cloud's metadata service. */
const NAMED: Array<[RegExp, string]> = [
  [/^localhost$|\.localhost$/, 'this host (localhost)'],
  [/^metadata\.google\.internal$|^metadata$|^instance-data(\.ec2\.internal)?$/, 'a cloud metadata service'],
  [/\.internal$/, 'a private (internal) name'],
];

/**
 * What kind of address a URL host is, when it is not a public one: loopback (127.0.0.0/8, ::1), private
 * (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7), link-local (169.254/16, fe80::/10, whose
 * 169.254.169.254 and fd00:ec2::254 are the instance metadata service), unspecified (0.0.0.0, ::), or a name
 * that means one of them. The WHATWG URL parser has already turned `2130706433` or `0x7f.1` into 127.0.0.1.
 */
export function privateAddressKind(host: string): string | undefined {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  const family = isIP(bare);
  if (family === 4) return ipv4Kind(bare.split('.').map(Number));
  if (family === 6) return ipv6Kind(bare);
  for (const [pattern, kind] of NAMED) if (pattern.test(bare.replace(/\.$/, ''))) return kind;
  return undefined;
}

function ipv4Kind([a = 0, b = 0, c = 0, d = 0]: number[]): string | undefined {
  if (a === 169 && b === 254 && c === 169 && d === 254)
    return 'the instance metadata service (169.254.169.254)';
  if (a === 127) return 'a loopback address';
  if (a === 0) return 'an unspecified address (this host)';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'a private address';
  if (a === 100 && b >= 64 && b <= 127) return 'a shared (carrier-grade NAT) address';
  if (a === 169 && b === 254) return 'a link-local address';
  return undefined;
}

function ipv6Kind(address: string): string | undefined {
  // An IPv4-mapped address; the URL parser writes it in hex (::ffff:7f00:1 for ::ffff:127.0.0.1).
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address)?.[1];
  if (dotted) return ipv4Kind(dotted.split('.').map(Number));
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(address);
  if (hex) {
    const [high, low] = [Number.parseInt(hex[1] as string, 16), Number.parseInt(hex[2] as string, 16)];
    return ipv4Kind([high >> 8, high & 255, low >> 8, low & 255]);
  }
  if (address === '::1') return 'a loopback address';
  if (address === '::') return 'an unspecified address (this host)';
  if (address === 'fd00:ec2::254') return 'the instance metadata service (fd00:ec2::254)';
  const first = Number.parseInt(address.split(':')[0] || '0', 16);
  if ((first & 0xfe00) === 0xfc00) return 'a private (unique local) address';
  if ((first & 0xffc0) === 0xfe80) return 'a link-local address';
  return undefined;
}
