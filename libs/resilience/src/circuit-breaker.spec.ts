import { CircuitBreaker } from './circuit-breaker';

describe('CircuitBreaker (cockatiel)', () => {
  const states: string[] = [];
  const breaker = (openMs = 1000) => new CircuitBreaker({ failureThreshold: 3, openMs, dependency: 'Access', onStateChange: (s) => states.push(s) });
  const fail = () => Promise.reject(new Error('boom'));
  const succeed = () => Promise.resolve('ok');

  beforeEach(() => {
    states.length = 0;
    jest.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => jest.useRealTimers());

  it('opens after consecutive failures and then fails fast with a 503 problem, without calling', async () => {
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
    jest.setSystemTime(Date.now() + 1000);
    await expect(b.run(fail)).rejects.toThrow('boom');
    expect(b.state).toBe('open');
    jest.setSystemTime(Date.now() + 1000);
    await expect(b.run(succeed)).resolves.toBe('ok');
    expect(b.state).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
  });

  it('a slow success that started before the circuit opened does not close it', async () => {
    const b = breaker();
    let finishSlowCall!: (value: string) => void;
    const slow = b.run(() => new Promise<string>((resolve) => (finishSlowCall = resolve)));
    for (let i = 0; i < 3; i += 1) await expect(b.run(fail)).rejects.toThrow();
    expect(b.state).toBe('open');
    finishSlowCall('late');
    await expect(slow).resolves.toBe('late');
    expect(b.state).toBe('open');
    await expect(b.run(succeed)).rejects.toMatchObject({ code: 'dependency_unavailable' });
  });

  it('counts only the errors isFailure names: a 404-like answer neither opens nor is swallowed', async () => {
    const b = new CircuitBreaker({ failureThreshold: 1, openMs: 1000, dependency: 'Steam', isFailure: (error) => (error as Error).message !== 'not found' });
    await expect(b.run(() => Promise.reject(new Error('not found')))).rejects.toThrow('not found');
    expect(b.state).toBe('closed');
  });
});
