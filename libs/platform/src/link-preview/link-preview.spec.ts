import { isPublicAddress } from './forbidden-address';
import { previewOf, readPageMetadata } from './link-preview-document';

describe('isPublicAddress', () => {
  it.each(['8.8.8.8', '1.1.1.1', '2001:4860:4860::8888', '::ffff:8.8.8.8'])('allows public unicast %s', (address) => expect(isPublicAddress(address)).toBe(true));

  it.each([
    ['loopback', '127.0.0.1'],
    ['loopback, elsewhere in 127/8', '127.1.2.3'],
    ['IPv6 loopback', '::1'],
    ['RFC 1918', '10.1.2.3'],
    ['RFC 1918', '172.16.0.1'],
    ['RFC 1918', '192.168.1.1'],
    ['cloud metadata (link-local)', '169.254.169.254'],
    ['AWS IPv6 metadata (unique-local)', 'fd00:ec2::254'],
    ['IPv6 link-local', 'fe80::1'],
    ['carrier-grade NAT', '100.64.0.1'],
    ['multicast', '224.0.0.1'],
    ['IPv6 multicast', 'ff02::1'],
    ['broadcast', '255.255.255.255'],
    ['unspecified', '0.0.0.0'],
    ['IPv6 unspecified', '::'],
    ['documentation', '192.0.2.1'],
    ['IPv4-mapped loopback', '::ffff:127.0.0.1'],
    ['IPv4-mapped metadata', '::ffff:169.254.169.254'],
    ['NAT64 of loopback', '64:ff9b::7f00:1'],
    ['6to4 of loopback', '2002:7f00:1::'],
    ['not an address', 'localhost'],
  ])('refuses %s %s', (_kind, address) => expect(isPublicAddress(address)).toBe(false));
});

describe('page metadata', () => {
  const base = new URL('https://example.com/articles/1');

  it('OpenGraph first; relative images made absolute; entities decoded', () => {
    const metadata = readPageMetadata(
      `<!doctype html><html><head><title>Fallback</title>
       <meta property="og:title" content="Diamonds &amp; Dragons"><meta property="og:description" content="A guide">
       <meta property="og:image" content="/img/cover.png"><meta property="og:site_name" content="Example">
       <meta name="twitter:title" content="Card title"></head><body><meta property="og:title" content="ignored"></body></html>`,
      base,
    );
    expect(previewOf(base, metadata)).toEqual({
      url: 'https://example.com/articles/1',
      title: 'Diamonds & Dragons',
      description: 'A guide',
      image: 'https://example.com/img/cover.png',
      siteName: 'Example',
      source: 'opengraph',
    });
  });

  it('Twitter cards, then oEmbed, then <title>; a javascript: image is no image', () => {
    const card = readPageMetadata(`<head><meta name="twitter:title" content="Card"><meta name="twitter:image" content="javascript:alert(1)"></head>`, base);
    expect(previewOf(base, card)).toEqual({ url: base.toString(), title: 'Card', source: 'twitter' });
    const discovery = readPageMetadata(`<head><link rel="alternate" type="application/json+oembed" href="/oembed?url=x"><title>Page</title></head>`, base);
    expect(discovery.oembedUrl).toBe('https://example.com/oembed?url=x');
    expect(previewOf(base, discovery, { title: 'From oEmbed', provider_name: 'Tube', thumbnail_url: 'https://i.example/t.jpg' })).toMatchObject({
      title: 'From oEmbed',
      siteName: 'Tube',
      image: 'https://i.example/t.jpg',
      source: 'oembed',
    });
    expect(previewOf(base, readPageMetadata('<head><title> Just a  title </title><meta name="description" content="d"></head>', base))).toMatchObject({
      title: 'Just a title',
      description: 'd',
      source: 'html',
    });
  });

  it('a page that names nothing makes no preview; broken HTML is read as far as it goes', () => {
    expect(previewOf(base, readPageMetadata('<html><body><p>hello</p></body></html>', base))).toBeNull();
    expect(previewOf(base, readPageMetadata('<HEAD><META PROPERTY=og:title CONTENT=Unquoted><p>stray<title>never closed', base))).toMatchObject({
      title: 'Unquoted',
      source: 'opengraph',
    });
  });
});
