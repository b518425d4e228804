// A small web site for the local demo (npm start runs it): a page with OpenGraph tags, so a link
// to it in a demo event gains a preview without network access. DEMO_SITE_PORT (default 3092);
// the demo stack puts 127.0.0.1:<port> on LINK_PREVIEW_ALLOW_LIST (never allowed in production).
import { createServer } from 'node:http';
import { parseCommandLine } from '@activity/config';

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Nether survival guide</title>
<meta property="og:title" content="Nether survival guide">
<meta property="og:description" content="Gold armour, fire resistance and where the fortresses hide.">
<meta property="og:image" content="/nether.png">
<meta property="og:site_name" content="Blocks Wiki (demo)">
</head><body><h1>Nether survival guide</h1></body></html>`;

function main(): void {
  parseCommandLine({ usage: 'node dist/tools/demo-site.js', summary: 'The demo stack’s web site with OpenGraph tags (DEMO_SITE_PORT, default 3092).', options: {} });
  const port = Number(process.env['DEMO_SITE_PORT'] ?? 3092);
  const server = createServer((request, response) => {
    if (request.url === '/nether-guide') return void response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  server.listen(port, '127.0.0.1', () =>
    process.stdout.write(`${JSON.stringify({ level: 'info', time: new Date().toISOString(), service: 'demo-site', msg: `demo web site on http://127.0.0.1:${port}` })}\n`),
  );
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
