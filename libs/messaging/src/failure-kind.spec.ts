import { DomainError } from '@activity/domain';
import { failureKind } from './failure-kind';
import { MalformedMessageError } from './message-errors';

describe('failureKind', () => {
  const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

  it('dead-letters what can never succeed', () => {
    expect(failureKind(new MalformedMessageError('schema_violation', 'x'))).toBe('poison');
    expect(failureKind(withCode('22P05', 'unsupported Unicode escape sequence'))).toBe('poison');
    expect(failureKind(withCode('54000', 'index row size exceeds maximum'))).toBe('poison');
    expect(failureKind(new DomainError('validation_failed'))).toBe('poison');
  });

  it('waits out a dependency that is down', () => {
    expect(failureKind(withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'))).toBe('dependency');
    expect(failureKind(withCode('57P01', 'terminating connection due to administrator command'))).toBe('dependency');
    expect(failureKind(Object.assign(new Error('query failed'), { driverError: { code: '08006' } }))).toBe('dependency');
    expect(failureKind(new Error('Connection terminated unexpectedly'))).toBe('dependency');
    expect(failureKind(new AggregateError([withCode('ECONNREFUSED')]))).toBe('dependency');
    expect(failureKind(Object.assign(new Error('leader not available'), { retriable: true }))).toBe('dependency');
    expect(failureKind(new DomainError('dependency_unavailable', { dependency: 'Steam' }))).toBe('dependency');
  });

  it('retries the rest a bounded number of times', () => {
    expect(failureKind(new TypeError('x is undefined'))).toBe('unknown');
    expect(failureKind('a string')).toBe('unknown');
  });
});
