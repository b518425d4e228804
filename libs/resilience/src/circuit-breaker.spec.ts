import { CircuitBreaker } from './circuit-breaker';

describe('CircuitBreaker', () => {
  let now = 0;
  const states: string[] = [];
  const breaker = () => new CircuitBreaker({ failureThreshold: 3, openMs: 1000, dependency: 'Access', onStateChange: (s) => states.push(s) }, () => now);
  const fail = () => Promise.reject(new Error('boom'));
  const succeed = () => Promise.resolve('ok');

  beforeEach(() => {
    now = 0;
    states.length = 0;
  });

  it('opens after consecutive failures and then fails fast without calling', async () => {
    const b = breaker();
    for (let i = 0; i < 3; i += 1) await expect(b.run(fail)).rejects.toThrow('boom');
    expect(b.state).toBe('open');
    const call = jest.fn(succeed);
    await expect(b.run(call)).rejects.toMatchObject({ code: 'dependency_unavailable', params: { dependency: 'Access', retryAfterSeconds: 1 } });
    expect(call).not.toHaveBeenCalled();
  });

  it('a success resets the failure count', async () => {
    const b = breaker();
    await expect(b.run(fail)).rejects.toThrow();
    await expect(b.run(fail)).rejects.toThrow();
    await b.run(succeed);
    await expect(b.run(fail)).rejects.toThrow();
    expect(b.state).toBe('closed');
  });

  it('lets one trial through after the open period: success closes, failure reopens', async () => {
    const b = breaker();
    for (let i = 0; i < 3; i += 1) await expect(b.run(fail)).rejects.toThrow();
    now = 1000;
    expect(b.state).toBe('half-open');
    await expect(b.run(fail)).rejects.toThrow('boom');
    expect(b.state).toBe('open');
    now = 2000;
    await expect(b.run(succeed)).resolves.toBe('ok');
    expect(b.state).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
  });
});
