import type { ErrorCode } from './error-codes';
import type { Locale } from './locale';

interface ErrorText {
  readonly title: string;
  /** `{name}` placeholders are filled from the error's params. */
  readonly detail: string;
}

// Every code must have both languages: the Record type makes a missing entry a compile error.
const MESSAGES: Record<ErrorCode, Record<Locale, ErrorText>> = {
  validation_failed: {
    en: { title: 'Invalid request', detail: 'One or more fields are invalid.' },
    ru: { title: 'Некорректный запрос', detail: 'Одно или несколько полей заполнены неверно.' },
  },
  bad_request: {
    en: { title: 'Bad request', detail: 'The request could not be read: {reason}.' },
    ru: { title: 'Некорректный запрос', detail: 'Не удалось прочитать запрос: {reason}.' },
  },
  malformed_json: {
    en: { title: 'Malformed JSON', detail: 'The request body is not valid JSON: {reason}' },
    ru: { title: 'Некорректный JSON', detail: 'Тело запроса не является корректным JSON: {reason}' },
  },
  unknown_event_type: {
    en: { title: 'Unknown event type', detail: 'Event type "{type}" is not supported by this connector.' },
    ru: { title: 'Неизвестный тип события', detail: 'Тип события «{type}» не поддерживается этим коннектором.' },
  },
  invalid_cursor: {
    en: { title: 'Invalid cursor', detail: 'The cursor is malformed, was tampered with, or was issued for other filters.' },
    ru: { title: 'Некорректный курсор', detail: 'Курсор повреждён, изменён или выдан для других фильтров.' },
  },
  unauthenticated: {
    en: { title: 'Authentication required', detail: 'Send a bearer token in the Authorization header.' },
    ru: { title: 'Требуется аутентификация', detail: 'Передайте bearer-токен в заголовке Authorization.' },
  },
  token_expired: {
    en: { title: 'Token expired', detail: 'The bearer token has expired; obtain a new one.' },
    ru: { title: 'Срок действия токена истёк', detail: 'Срок действия bearer-токена истёк; получите новый.' },
  },
  token_invalid: {
    en: { title: 'Invalid token', detail: 'The bearer token was rejected: {reason}.' },
    ru: { title: 'Недействительный токен', detail: 'Bearer-токен отклонён: {reason}.' },
  },
  oauth_invalid_grant: {
    en: { title: 'Authorization failed', detail: '{provider} did not accept the authorization code: it is wrong, expired or already used. Start linking again.' },
    ru: { title: 'Авторизация не удалась', detail: '{provider} не принял код авторизации: он неверен, истёк или уже использован. Начните привязку заново.' },
  },
  signature_invalid: {
    en: { title: 'Invalid signature', detail: 'The webhook signature does not match the payload.' },
    ru: { title: 'Неверная подпись', detail: 'Подпись вебхука не соответствует содержимому.' },
  },
  signature_expired: {
    en: { title: 'Signature timestamp out of range', detail: 'The webhook timestamp is more than {toleranceSeconds} seconds away from our clock.' },
    ru: { title: 'Метка времени подписи вне допустимого окна', detail: 'Метка времени вебхука отличается от наших часов более чем на {toleranceSeconds} с.' },
  },
  forbidden: {
    en: { title: 'Forbidden', detail: 'You do not have the permission {permission}.' },
    ru: { title: 'Доступ запрещён', detail: 'У вас нет разрешения {permission}.' },
  },
  request_timeout: {
    en: { title: 'Request timeout', detail: 'The request was not received completely within {timeoutSeconds} seconds.' },
    ru: { title: 'Истекло время ожидания запроса', detail: 'Запрос не был получен полностью за {timeoutSeconds} с.' },
  },
  not_found: {
    en: { title: 'Not found', detail: 'Nothing is served at {path}.' },
    ru: { title: 'Не найдено', detail: 'По адресу {path} ничего нет.' },
  },
  webhook_source_not_found: {
    en: { title: 'Unknown webhook source', detail: 'No active {connector} webhook source "{sourceId}" exists.' },
    ru: { title: 'Неизвестный источник вебхуков', detail: 'Активный источник вебхуков {connector} «{sourceId}» не найден.' },
  },
  unknown_connector: {
    en: { title: 'Unknown connector', detail: 'There is no connector named "{connector}" that accepts webhooks.' },
    ru: { title: 'Неизвестный коннектор', detail: 'Коннектор «{connector}», принимающий вебхуки, не существует.' },
  },
  delivery_in_progress: {
    en: { title: 'Delivery in progress', detail: 'Delivery {deliveryId} is being processed right now; retry shortly.' },
    ru: { title: 'Доставка обрабатывается', detail: 'Доставка {deliveryId} сейчас обрабатывается; повторите чуть позже.' },
  },
  account_already_linked: {
    en: { title: 'Account already linked', detail: 'This {provider} account is already linked to a user of this community.' },
    ru: { title: 'Аккаунт уже привязан', detail: 'Этот аккаунт {provider} уже привязан к пользователю этого сообщества.' },
  },
  payload_too_large: {
    en: { title: 'Payload too large', detail: 'The request body exceeds the limit of {limitBytes} bytes.' },
    ru: { title: 'Слишком большой запрос', detail: 'Тело запроса превышает ограничение в {limitBytes} байт.' },
  },
  uri_too_long: {
    en: { title: 'URI too long', detail: 'A path segment of the request is longer than {maxLength} characters.' },
    ru: { title: 'Слишком длинный URI', detail: 'Сегмент пути запроса длиннее {maxLength} символов.' },
  },
  header_fields_too_large: {
    en: { title: 'Request headers too large', detail: 'The request headers exceed the size this server accepts.' },
    ru: { title: 'Слишком большие заголовки запроса', detail: 'Заголовки запроса превышают допустимый размер.' },
  },
  unsupported_media_type: {
    en: { title: 'Unsupported media type', detail: 'Send the body as application/json.' },
    ru: { title: 'Неподдерживаемый тип содержимого', detail: 'Отправьте тело запроса как application/json.' },
  },
  rate_limited: {
    en: { title: 'Too many requests', detail: 'Slow down; retry after {retryAfterSeconds} seconds.' },
    ru: { title: 'Слишком много запросов', detail: 'Повторите запрос через {retryAfterSeconds} с.' },
  },
  internal: {
    en: { title: 'Internal error', detail: 'Something went wrong on our side. Quote error id {errorId} when reporting it.' },
    ru: { title: 'Внутренняя ошибка', detail: 'На нашей стороне что-то пошло не так. Сообщите идентификатор ошибки {errorId}.' },
  },
  backend_unavailable: {
    en: { title: 'Service temporarily unavailable', detail: 'A service this one depends on is unavailable; nothing was accepted. Retry in {retryAfterSeconds} seconds.' },
    ru: { title: 'Сервис временно недоступен', detail: 'Один из сервисов, от которых зависит этот, недоступен; запрос не принят. Повторите через {retryAfterSeconds} с.' },
  },
  dependency_unavailable: {
    en: { title: 'Service temporarily unavailable', detail: '{dependency} is unavailable; nothing was accepted. Retry later.' },
    ru: { title: 'Сервис временно недоступен', detail: '{dependency} недоступен; запрос не принят. Повторите позже.' },
  },
};

export function fillTemplate(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (match, name: string) => (name in params ? String(params[name]) : match));
}

export function describeError(code: ErrorCode, locale: Locale, params: Record<string, string | number> = {}): ErrorText {
  const text = MESSAGES[code][locale];
  return { title: text.title, detail: fillTemplate(text.detail, params) };
}
