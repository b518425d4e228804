import { parseTruckersMpDate, readTruckersMpEnvelope, TruckersMpApiError } from './truckersmp-envelope';
import { parseTruckersMpAccount } from './truckersmp-account-input';

describe('the TruckersMP envelope', () => {
  it('accepts error as false or "false"', () => {
    expect(readTruckersMpEnvelope('{"error":false,"response":{"id":1}}', 200)).toEqual({ id: 1 });
    expect(readTruckersMpEnvelope('{"error":"false","response":[1,2]}', 200)).toEqual([1, 2]);
  });

  it('turns error true / "true" into TruckersMpApiError with the descriptor, else the response text', () => {
    expect(() => readTruckersMpEnvelope('{"error":true,"descriptor":"Player not found"}', 404)).toThrow(/Player not found/);
    expect(() => readTruckersMpEnvelope('{"error":"true","response":"Invalid user ID"}', 200)).toThrow(/Invalid user ID/);
    try {
      readTruckersMpEnvelope('{"error":true,"descriptor":"Player not found"}', 200);
    } catch (error) {
      expect(error).toBeInstanceOf(TruckersMpApiError);
      expect((error as TruckersMpApiError).notFound).toBe(true);
    }
  });

  it('refuses what is not the envelope: HTML, a missing flag, an odd flag', () => {
    expect(() => readTruckersMpEnvelope('<html>busy</html>', 200)).toThrow(/not JSON/);
    expect(() => readTruckersMpEnvelope('{"response":{}}', 200)).toThrow(/envelope/);
    expect(() => readTruckersMpEnvelope('{"error":"maybe","response":{}}', 200)).toThrow(/error flag/);
  });

  it('keeps every digit of steamID64 sent as a JSON number beyond 2^53, and leaves other numbers alone', () => {
    const player = readTruckersMpEnvelope<{ id: number; steamID64: string }>('{"error":false,"response":{"id":1287455,"steamID64":76561198083585955}}', 200);
    expect(player.steamID64).toBe('76561198083585955');
    expect(player.id).toBe(1287455);
    expect(String(JSON.parse('76561198083585955'))).not.toBe('76561198083585955');
  });

  it('reads YYYY-MM-DD HH:MM:SS as UTC', () => {
    expect(parseTruckersMpDate('2017-01-09 18:17:28')).toEqual(new Date('2017-01-09T18:17:28Z'));
    expect(parseTruckersMpDate('not a date')).toBeUndefined();
    expect(parseTruckersMpDate(null)).toBeUndefined();
  });
});

describe('parseTruckersMpAccount', () => {
  it.each([
    ['1287455', '1287455'],
    [' https://truckersmp.com/user/1287455 ', '1287455'],
    ['truckersmp.com/user/1287455/', '1287455'],
    ['76561198083585955', '76561198083585955'],
  ])('%s -> %s', (input, id) => expect(parseTruckersMpAccount(input)).toBe(id));

  it.each(['', 'alice', 'https://evil.example/user/1', '0', '12345678901234'])('refuses %j', (input) =>
    expect(() => parseTruckersMpAccount(input)).toThrow(expect.objectContaining({ code: 'validation_failed' })),
  );
});
