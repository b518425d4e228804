import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { DomainError, type FieldViolation } from '@activity/domain';

/**
 * Whitelisting, transforming validation for every DTO; failures become one `validation_failed`
 * problem listing each field and the rule it broke. Each violation carries what the problem
 * renderer needs to say it in the reader's language: the catalogue key (a decorator's
 * `i18nValidationMessage(key)`, else `validation.<rule>`) and the rule's constraints.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    // The target lets a violation find its decorator's constraints; the value is never echoed back.
    validationError: { target: true, value: false },
    exceptionFactory: (errors) => new DomainError('validation_failed', {}, violationsOf(errors)),
  });
}

export function violationsOf(errors: ValidationError[], prefix = ''): FieldViolation[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([rule, text]) => violation(error, field, rule, text));
    return [...own, ...violationsOf(error.children ?? [], field)];
  });
}

function violation(error: ValidationError, field: string, rule: string, text: string): FieldViolation {
  const marker = parseI18nValidationMessage(text);
  const constraints = constraintsOf(error, rule);
  const params: Record<string, string | number> = {};
  constraints.forEach((constraint, index) => (params[`constraint${index + 1}`] = printable(constraint)));
  if (marker) {
    for (const [name, value] of Object.entries(marker.args)) {
      if (name !== 'value' && (typeof value === 'string' || typeof value === 'number')) params[name] = value;
    }
    return { field, rule, message: marker.key, messageKey: marker.key, params };
  }
  return { field, rule, message: text, params };
}

/** The arguments the decorator was given (`@Min(1)` → [1]), read from class-validator's metadata. */
function constraintsOf(error: ValidationError, rule: string): unknown[] {
  const target = error.target?.constructor;
  if (!target) return [];
  const metadata = getMetadataStorage()
    .getTargetValidationMetadatas(target, '', true, false)
    .find((entry) => entry.propertyName === error.property && (entry.name === rule || entry.type === rule));
  return (metadata?.constraints ?? []).filter(
    (constraint) => constraint !== undefined && constraint !== null && typeof constraint !== 'function' && !(constraint instanceof RegExp),
  );
}

function printable(value: unknown): string | number {
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(String).join(', ');
  return String(value);
}

/**
 * The catalogue keys the validation of these classes can produce: for the completeness test, so a
 * decorator added without a message in every language fails a unit test, not a Russian reader.
 */
export function validationMessageKeys(classes: ReadonlyArray<new (...args: never[]) => unknown>): string[] {
  const keys = new Set<string>(['validation.whitelistValidation']);
  for (const target of classes) {
    for (const metadata of getMetadataStorage().getTargetValidationMetadatas(target, '', true, false)) {
      if (metadata.type === 'conditionalValidation' || metadata.type === 'isDefined' || metadata.type === 'whitelistValidation') continue;
      if (metadata.type === 'nestedValidation') {
        keys.add('validation.nestedValidation');
        continue;
      }
      const message = metadata.message;
      const rendered =
        typeof message === 'function'
          ? message({ value: undefined, constraints: metadata.constraints ?? [], property: metadata.propertyName, object: {}, targetName: target.name })
          : message;
      const marker = typeof rendered === 'string' ? parseI18nValidationMessage(rendered) : undefined;
      keys.add(marker ? marker.key : `validation.${metadata.name ?? metadata.type}`);
    }
  }
  return [...keys].sort();
}

/** nestjs-i18n's i18nValidationMessage(key, args) renders "key|{json}"; anything else is a plain message. */
function parseI18nValidationMessage(text: string): { key: string; args: Record<string, unknown> } | undefined {
  const marker = /^([A-Za-z0-9_.]+)\|(\{.*\})$/s.exec(text);
  return marker ? { key: marker[1]!, args: JSON.parse(marker[2]!) as Record<string, unknown> } : undefined;
}
