/**
 * Every seeded model (switched-off ones enabled for the test) makes a video through the one
 * engine and the fakes, and the user is charged exactly the quoted price — which is the
 * catalog's price for the stored choices.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useBot } from '../support/bot-fixture.js';
import { media } from '../support/drive.js';
import { MODEL_SPECS } from '../../src/domain/specs.js';
import { DEFAULT_PREFERRED } from '../../src/domain/model-families.js';
import { getModel, quote } from '../../src/domain/catalog.js';
import { generationInputsSchema } from '../../src/domain/generation-inputs.js';

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const COMMAND: Partial<Record<string, string>> = { lipsync: '/lipsync', text2video: '/text2video', image2video: '/image2video' };

describe('every seeded model end to end', () => {
  const f = useBot({ kie: { pollsPerStep: 1 }, kling: true, env: { POLL_INTERVAL_MS: '50', POLL_TIMEOUT_MS: '15000' } });
  beforeAll(async () => {
    await f.prisma().catalogModel.updateMany({ data: { enabled: true } });
  });

  it.each(MODEL_SPECS.filter((s) => s.task in COMMAND && (!s.family || s.provider === DEFAULT_PREFERRED)).map((s) => [s.id, s] as const))(
    '%s: a video for exactly the quoted price',
    async (slug, spec) => {
      const user = await f.newUser(1000);
      await user.sendCommand(COMMAND[spec.task]!);
      await user.waitForMessage();
      if (spec.task !== 'text2video') {
        await user.sendPhoto(media('portrait.jpg'), { width: 512, height: 768 });
      }
      if (spec.task === 'lipsync') {
        await user.waitForMessage({ match: /speech/ });
        await user.sendVoice(media('voice.ogg'), { duration: 3 });
      } else {
        if (spec.task === 'image2video') await user.waitForMessage({ match: /Describe/ });
        await user.sendText('A calm scene, gentle motion');
      }
      const choice = await user.waitForMessage({ match: /Choose the model/ });
      await user.tapButton(choice, new RegExp(`^${escape(spec.displayName)} — `));
      // Options and extras: take the first button each time (the first value, or Skip).
      let quoteText = '';
      for (let step = 0; step < 10; step++) {
        const message = await user.waitForMessage();
        if (/Price: \d+ credits/.test(String(message.text))) {
          quoteText = String(message.text);
          await user.tapButton(message, /Confirm/);
          break;
        }
        const first = (message as { reply_markup?: { inline_keyboard: { text: string }[][] } }).reply_markup?.inline_keyboard[0]?.[0]?.text;
        expect(first, `a question with buttons, got: ${message.text}`).toBeDefined();
        await user.tapButton(message, first!);
      }
      const price = Number(/Price: (\d+) credits/.exec(quoteText)![1]);
      const { video, generation } = await f.deliveredWithOneCharge(user, price);
      expect((video as { caption?: string }).caption).toContain(spec.displayName);
      expect(generation.modelSlug).toBe(slug);
      const model = (await getModel(f.prisma(), slug))!;
      expect(quote(model, generationInputsSchema.parse(generation.inputs))).toBe(price);
    },
    40_000,
  );
});
