/**
 * The address a login is counted against. Behind a reverse proxy every dashboard comes from the
 * proxy's address, so the operator says how many proxies to trust (`auth.trustProxy`) and the
 * client's address is read from `X-Forwarded-For`, from the right: the entries to the left of the
 * proxies' own are written by the client and prove nothing. IPv6 addresses are grouped by their
 * /64 prefix, since one host holds a whole /64 and could otherwise try from each address of it.
 */
import { isIPv4, isIPv6 } from 'node:net';

interface HandshakeLike {
	address: string;
	headers: Record<string, string | string[] | undefined>;
}

/** The client's address: the socket's peer, or the proxies' record of it when trusted. */
export function clientAddress(handshake: HandshakeLike, trustProxy: boolean | number): string {
	const hops = trustProxy === true ? 1 : trustProxy === false ? 0 : trustProxy;
	if (hops === 0) return handshake.address;
	const header = handshake.headers['x-forwarded-for'];
	const chain = (Array.isArray(header) ? header.join(',') : (header ?? ''))
		.split(',')
		.map((part) => part.trim())
		.filter(Boolean);
	// The peer is the last proxy; each proxy appended the address it received from.
	const entry = chain[chain.length - hops];
	return entry !== undefined && (isIPv4(entry) || isIPv6(entry)) ? entry : handshake.address;
}

/** The key a lockout is kept under for an address: IPv4 as is, IPv6 by its /64. */
export function addressGroup(address: string): string {
	const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
	if (mapped) return mapped[1];
	if (!isIPv6(address)) return address;
	const [head, tail = ''] = address.toLowerCase().split('::');
	const left = head ? head.split(':') : [];
	const right = address.includes('::') && tail ? tail.split(':') : [];
	const groups = address.includes('::')
		? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
		: left;
	return `${groups
		.slice(0, 4)
		.map((g) => g.replace(/^0+(?=.)/, ''))
		.join(':')}::/64`;
}
