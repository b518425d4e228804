/**
 * A message that can never be processed as it is (bad envelope, bad JSON, schema violation,
 * unknown major version). The consumer sends it to the DLQ at once instead of retrying.
 */
export class MalformedMessageError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'MalformedMessageError';
  }
}
