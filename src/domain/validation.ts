/**
 * What can be wrong with a generation request, as the domain and the providers report it. Each
 * code has a user-facing message `issue-<code>` in the locales; the bot renders it as
 * t(`issue-${code}`), which only compiles while every code has its message (MessageKey).
 */
export const ISSUE_CODES = [
  'audio-duration-unknown',
  'audio-too-large',
  'audio-too-long',
  'audio-missing',
  'audio-empty',
  'audio-type',
  'image-required',
  'image-missing',
  'image-empty',
  'image-type',
  'image-too-large',
  'image-too-small',
  'image-bad-ratio',
  'image-wrong-type',
  'image-unreadable',
  'model-unavailable',
  'prompt-required',
  'prompt-too-long',
  'negative-prompt-too-long',
  'invalid-aspect-ratio',
  'invalid-duration',
  'invalid-mode',
  'resolution-invalid',
  'seed-out-of-range',
  'unsupported-kind',
  'unsupported-model',
] as const;
export type IssueCode = (typeof ISSUE_CODES)[number];

export interface ValidationIssue {
  code: IssueCode;
  vars?: Record<string, string | number>;
}
