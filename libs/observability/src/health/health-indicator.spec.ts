import { checkReadiness } from './health-indicator';

const up = (name: string, critical = true) => ({ name, critical, check: async () => undefined });
const down = (name: string, critical = true) => ({ name, critical, check: async () => Promise.reject(new Error(`${name} refused`)) });

describe('checkReadiness', () => {
  it('is ok when everything answers', async () => {
    expect((await checkReadiness([up('postgres'), up('redis', false)])).status).toBe('ok');
  });

  it('is degraded when only an optional dependency is down', async () => {
    const report = await checkReadiness([up('postgres'), down('redis', false)]);
    expect(report.status).toBe('degraded');
    expect(report.checks['redis']).toMatchObject({ status: 'down', critical: false, error: 'redis refused' });
  });

  it('is down when a critical dependency is down', async () => {
    expect((await checkReadiness([down('postgres'), up('redis', false)])).status).toBe('down');
  });

  it('treats a hanging check as down after the timeout', async () => {
    const hanging = { name: 'kafka', critical: true, check: () => new Promise<void>(() => undefined) };
    const report = await checkReadiness([hanging], 50);
    expect(report.checks['kafka']).toMatchObject({ status: 'down', error: 'no answer within 50 ms' });
  });
});
