import { isIP } from 'node:net';

/** Why an address may not be fetched from: each names a kind of internal address. */
export type AddressKind = 'loopback' | 'private' | 'link-local' | 'cloud-metadata' | 'unspecified' | 'multicast' | 'reserved';

/** Addresses that answer instance-metadata requests on the major clouds. Refused even when private URLs are allowed. */
const METADATA = new Set(['169.254.169.254', '169.254.170.2', '100.100.100.200', 'fd00:ec2::254']);

/** Host names that are metadata services whatever they resolve to. */
const METADATA_NAMES = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal']);

function v4Number(address: string): number {
  return address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function inV4(n: number, base: string, bits: number): boolean {
  const size = 2 ** (32 - bits);
  const start = v4Number(base);
  return n >= start && n < start + size;
}

function classifyV4(address: string): AddressKind | undefined {
  if (METADATA.has(address)) return 'cloud-metadata';
  const n = v4Number(address);
  if (inV4(n, '127.0.0.0', 8)) return 'loopback';
  if (inV4(n, '0.0.0.0', 8)) return 'unspecified';
  if (inV4(n, '169.254.0.0', 16)) return 'link-local';
  if (inV4(n, '10.0.0.0', 8) || inV4(n, '172.16.0.0', 12) || inV4(n, '192.168.0.0', 16) || inV4(n, '100.64.0.0', 10)) return 'private';
  if (inV4(n, '224.0.0.0', 4)) return 'multicast';
  if (inV4(n, '192.0.0.0', 24) || inV4(n, '198.18.0.0', 15) || inV4(n, '240.0.0.0', 4)) return 'reserved';
  return undefined;
}

/** Expands an IPv6 address into its eight 16-bit groups. */
function v6Groups(address: string): number[] {
  let text = (address.toLowerCase().split('%')[0] as string).replace(/^\[|\]$/g, '');
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (v4) {
    const n = v4Number(v4);
    text = `${text.slice(0, -v4.length)}${Math.floor(n / 65536).toString(16)}:${(n % 65536).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const parse = (s: string) => (s === '' ? [] : s.split(':').map((g) => Number.parseInt(g, 16)));
  const left = parse(head);
  if (rest === undefined) return left;
  const right = parse(rest);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

function classifyV6(address: string): AddressKind | undefined {
  const g = v6Groups(address);
  const [a = 0, b = 0, , , , f = 0, h6 = 0, h7 = 0] = g;
  const embedded = `${h6 >> 8}.${h6 & 255}.${h7 >> 8}.${h7 & 255}`;
  const firstFive = g.slice(0, 5).every((x) => x === 0);
  if (firstFive && f === 0xffff) return classifyV4(embedded); // ::ffff:a.b.c.d (IPv4-mapped)
  if (a === 0x64 && b === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return classifyV4(embedded); // NAT64
  if (g.every((x) => x === 0)) return 'unspecified';
  if (g.slice(0, 7).every((x) => x === 0) && h7 === 1) return 'loopback';
  if (firstFive && f === 0) return classifyV4(embedded) ?? 'reserved'; // deprecated IPv4-compatible
  const canonical = g.map((x) => x.toString(16)).join(':');
  if (canonical === 'fd00:ec2:0:0:0:0:0:254') return 'cloud-metadata';
  if ((a & 0xffc0) === 0xfe80) return 'link-local';
  if ((a & 0xfe00) === 0xfc00) return 'private';
  if ((a & 0xff00) === 0xff00) return 'multicast';
  if ((a & 0xffc0) === 0xfec0) return 'private'; // site-local (deprecated)
  if (a === 0x2001 && b === 0x0db8) return 'reserved';
  return undefined;
}

/**
 * Classifies an IP address as one of the internal kinds a registration URL may not reach, or
 * `undefined` for a public address.
 * @example classifyAddress('169.254.169.254') // 'cloud-metadata'
 * @example classifyAddress('93.184.216.34') // undefined
 */
export function classifyAddress(address: string): AddressKind | undefined {
  const family = isIP(address.split('%')[0] as string);
  if (family === 4) return classifyV4(address);
  if (family === 6) return classifyV6(address);
  return 'reserved';
}

/** True for host names that always mean an instance-metadata service. */
export function isMetadataName(hostname: string): boolean {
  return METADATA_NAMES.has(hostname.toLowerCase().replace(/\.$/, ''));
}

/** "a loopback address", "a cloud-metadata address", … */
export function describeKind(kind: AddressKind): string {
  return `a${kind === 'unspecified' ? 'n' : ''} ${kind} address`;
}
