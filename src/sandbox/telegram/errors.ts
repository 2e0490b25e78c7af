/** Bot API error envelope pieces and the literal descriptions the real server uses. */

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number; migrate_to_chat_id?: number },
  ) {
    super(description);
    this.name = 'ApiError';
  }
}

export const E = {
  unauthorized: 'Unauthorized',
  notFound: 'Not Found',
  tooLarge: 'Request Entity Too Large',
  conflictPoll: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
  conflictWebhookActive: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
  conflictSetWebhook: 'Conflict: terminated by setWebhook request',
  chatNotFound: 'Bad Request: chat not found',
  textEmpty: 'Bad Request: message text is empty',
  textTooLong: 'Bad Request: message is too long',
  captionTooLong: 'Bad Request: message caption is too long',
  notModified:
    'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
  queryTooOld: 'Bad Request: query is too old and response timeout expired or query ID is invalid',
  blocked: 'Forbidden: bot was blocked by the user',
  cantInitiate: "Forbidden: bot can't initiate conversation with a user",
  replyNotFound: 'Bad Request: message to be replied not found',
  editNotFound: 'Bad Request: message to edit not found',
  deleteNotFound: 'Bad Request: message to delete not found',
  cantBeEdited: "Bad Request: message can't be edited",
  noTextToEdit: 'Bad Request: there is no text in the message to edit',
  noCaptionToEdit: 'Bad Request: there is no caption in the message to edit',
  fileTooBig: 'Bad Request: file is too big',
  wrongFileId: 'Bad Request: wrong file_id or the file is temporarily unavailable',
  wrongFileIdentifier: 'Bad Request: wrong file identifier/HTTP URL specified',
  urlContent: 'Bad Request: failed to get HTTP URL content',
  secretChars: 'Bad Request: secret token contains unallowed characters',
  secretLong: 'Bad Request: secret token is too long',
  webhookHttps: 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook',
  webhookPorts: 'Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443',
  webhookInvalid: 'Bad Request: bad webhook: Failed to resolve host: Name or service not known',
  chargeNotFound: 'Bad Request: CHARGE_NOT_FOUND',
  chargeRefunded: 'Bad Request: CHARGE_ALREADY_REFUNDED',
  wrongAction: 'Bad Request: wrong parameter action in request',
  buttonDataInvalid: 'Bad Request: BUTTON_DATA_INVALID',
  buttonUrlInvalid: 'Bad Request: BUTTON_URL_INVALID',
  callbackTextTooLong: 'Bad Request: MESSAGE_TOO_LONG',
  internal: 'Internal Server Error',
  badGateway: 'Bad Gateway',
} as const;

export const badRequest = (what: string): ApiError => new ApiError(400, `Bad Request: ${what}`);

/** Message for a 429 as the real server words it. */
export const tooManyRequests = (retryAfter: number): ApiError => new ApiError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });
