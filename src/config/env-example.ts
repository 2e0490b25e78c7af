/** Renders .env.example from the config schema (names, descriptions, defaults). */
import { configSchema } from './schema.js';

const EXAMPLES: Record<string, string> = {
  BOT_TOKEN: '123456789:replace-with-the-token-from-BotFather',
  ADMIN_IDS: '',
};

export function renderEnvExample(): string {
  const lines = ['# Configuration of the bot. Copy to .env and fill in; unset values take the defaults shown.', ''];
  for (const [name, field] of Object.entries(configSchema.shape)) {
    const description = (field as { description?: string }).description ?? '';
    let fallback = '';
    const parsed = (field as { safeParse(v: unknown): { success: boolean; data?: unknown } }).safeParse(undefined);
    if (parsed.success && parsed.data !== undefined && !Array.isArray(parsed.data)) fallback = String(parsed.data);
    lines.push(`# ${description}`);
    const value = EXAMPLES[name] ?? fallback;
    lines.push(name === 'BOT_TOKEN' || value !== '' ? `${name}=${value}` : `# ${name}=`);
    lines.push('');
  }
  return lines.join('\n');
}
