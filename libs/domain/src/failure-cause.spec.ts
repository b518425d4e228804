import { failureCauseOf } from './failure-cause';

describe('failureCauseOf', () => {
  const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

  it('tells an outage from data the database refuses, through wrappers', () => {
    expect(failureCauseOf(withCode('ECONNREFUSED'))).toBe('dependency');
    expect(failureCauseOf(new Error('wrapped', { cause: withCode('57P03') }))).toBe('dependency');
    expect(failureCauseOf(withCode('22021', 'invalid byte sequence'))).toBe('data');
    expect(failureCauseOf(new TypeError('bug'))).toBeUndefined();
  });
});
