/**
 * What can be wrong with a generation request, as the domain and the providers report it. Each
 * code has a user-facing message `issue-<code>` in the locales; the bot renders it as
 * t(`issue-${code}`). The codes are derived from the generated message keys (src/message-keys.ts),
 * so a code without a message in the locales does not compile.
 */
import type { MessageKey } from '../message-keys.js';
export type IssueCode = MessageKey extends infer K ? (K extends `issue-${infer Code}` ? Code : never) : never;

export interface ValidationIssue {
  code: IssueCode;
  vars?: Record<string, string | number>;
}
