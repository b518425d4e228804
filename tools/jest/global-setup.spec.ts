import { isDisposableTestDatabase } from './global-setup';

describe('the integration test setup', () => {
  it('drops and recreates only databases named as test databases', () => {
    expect(isDisposableTestDatabase('activity_test')).toBe(true);
    expect(isDisposableTestDatabase('activity')).toBe(false);
    expect(isDisposableTestDatabase('postgres')).toBe(false);
    expect(isDisposableTestDatabase('activity_test_backup')).toBe(false);
    expect(isDisposableTestDatabase('x"; DROP DATABASE activity; --_test')).toBe(false);
  });
});
