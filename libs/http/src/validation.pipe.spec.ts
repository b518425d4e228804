import { IsIn, IsInt, Matches, Max, Min } from 'class-validator';
import { i18nValidationMessage } from 'nestjs-i18n';
import { DomainError } from '@activity/domain';
import { IsKnownEventType } from './input-validators';
import { createValidationPipe } from './validation.pipe';

class Query {
  @IsInt()
  @Min(1)
  @Max(100)
  limit!: number;

  @IsIn(['me', 'tenant'])
  scope!: string;

  @Matches(/^u/, { message: i18nValidationMessage('validation.field.userId') })
  userId!: string;

  @IsKnownEventType()
  type!: string;
}

async function violations(body: object) {
  try {
    await createValidationPipe().transform(body, { type: 'query', metatype: Query });
  } catch (error) {
    return (error as DomainError).details;
  }
  throw new Error('expected the body to be refused');
}

describe('createValidationPipe', () => {
  it("records each broken rule with its decorator's constraints, for the localised message", async () => {
    const found = await violations({ limit: 0, scope: 'everyone', userId: 'u1', type: 'platform.x' });
    expect(found).toEqual([
      { field: 'limit', rule: 'min', message: 'limit must not be less than 1', params: { constraint1: 1 } },
      { field: 'scope', rule: 'isIn', message: expect.stringContaining('scope must be one of'), params: { constraint1: 'me, tenant' } },
    ]);
  });

  it("takes the catalogue key from nestjs-i18n's i18nValidationMessage and its arguments", async () => {
    const found = await violations({ limit: 5, scope: 'me', userId: 'x', type: 'nope.no.no' });
    expect(found).toEqual([
      { field: 'userId', rule: 'matches', message: 'validation.field.userId', messageKey: 'validation.field.userId', params: {} },
      { field: 'type', rule: 'knownEventType', message: 'validation.knownEventType', messageKey: 'validation.knownEventType', params: { types: expect.any(String) } },
    ]);
  });

  it('refuses fields the DTO does not declare', async () => {
    const found = await violations({ limit: 5, scope: 'me', userId: 'u', type: 'platform.x', extra: 1 });
    expect(found).toEqual([{ field: 'extra', rule: 'whitelistValidation', message: 'property extra should not exist', params: {} }]);
  });
});
