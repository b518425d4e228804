import { ValidateBy, ValidateIf, type ValidationOptions } from 'class-validator';
import { i18nValidationMessage } from 'nestjs-i18n';
import { eventCatalogue, isEventId, isStorableText, parseInstant } from '@activity/domain';

/** An instant `parseInstant` accepts: what passes here, `new Date` and PostgreSQL agree on. */
export function IsInstant(options: { allowDate?: boolean } = {}, validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'instant',
      validator: {
        validate: (value: unknown) => parseInstant(value, options) !== null,
        defaultMessage: i18nValidationMessage(options.allowDate ? 'validation.instantOrDate' : 'validation.instant'),
      },
    },
    validationOptions,
  );
}

/** A PostgreSQL bigint event id, as a string of digits. */
export function IsEventId(validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    { name: 'eventId', validator: { validate: (value: unknown) => isEventId(value), defaultMessage: (args) => `${args?.property} must be an event id` } },
    validationOptions,
  );
}

/** Text PostgreSQL can store: no NUL, no unpaired surrogates. */
export function IsStorableText(validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'storableText',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || isStorableText(value),
        defaultMessage: (args) => `${args?.property} must not contain NUL characters or unpaired surrogates`,
      },
    },
    validationOptions,
  );
}

/**
 * Like `@IsOptional()`, but only an absent field is optional: an explicit `null` is validated
 * (and refused) instead of being treated as missing.
 */
export function IsOptionalButNotNull(): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined);
}

/** An activity type of a registered connector, or a first-party `platform.<name>` one. */
export function IsKnownEventType(validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'knownEventType',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && eventCatalogue().isKnown(value),
        defaultMessage: (args) => i18nValidationMessage('validation.knownEventType', { types: eventCatalogue().types().join(', ') })(args!),
      },
    },
    validationOptions,
  );
}
