import ipaddr from 'ipaddr.js';

/**
 * Whether a link-preview fetch may connect to this address: public unicast only. Loopback,
 * private (RFC 1918, unique-local), link-local (the cloud metadata endpoints 169.254.169.254 and
 * fd00:ec2::254 among them), carrier-grade NAT, multicast, broadcast, reserved, documentation and
 * unspecified ranges are refused. An IPv4-mapped IPv6 address is judged by its IPv4 address;
 * IPv6 forms that carry an IPv4 address some other way (NAT64, 6to4, Teredo) are refused outright.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) return (parsed as ipaddr.IPv6).toIPv4Address().range() === 'unicast';
  return parsed.range() === 'unicast';
}
