/**
 * "One model, two providers" end to end (issue 11): Kling 2.6 is sold by KIE and by the official
 * Kling API and shows as ONE entry. The admin's `/provider` choice (stored, audited) moves new
 * jobs; an outage-class refusal of the preferred provider before any task exists moves the job
 * to the other one with exactly one charge; without the other provider's keys the entry stays
 * on the configured one.
 */
import { describe, expect, it } from 'vitest';
import { useBot } from '../support/bot-fixture.js';
import { answerToQuoteAndConfirm, buttonsOf, eventually, waitForVideo } from '../support/drive.js';
import type { FakeUser } from '../support/fake-telegram/index.js';

/** /text2video "Kling 2.6", first value of every question; returns the quoted price. */
async function orderKling26(user: FakeUser): Promise<number> {
  await user.sendCommand('/text2video');
  await user.waitForMessage();
  await user.sendText('A lighthouse in a storm');
  const message = await user.waitForMessage({ match: /Choose the model/ });
  expect(buttonsOf(message).filter((b) => b.startsWith('Kling 2.6 — '))).toHaveLength(1);
  await user.tapButton(message, /^Kling 2\.6 — /);
  return answerToQuoteAndConfirm(user, await user.waitForMessage());
}

describe('one model, two providers', { timeout: 60_000 }, () => {
  let admin: FakeUser;
  const f = useBot({
    kie: { pollsPerStep: 1 },
    kling: true,
    env: (fx) => {
      admin = fx.tg.user({ firstName: 'Admin', languageCode: 'en' });
      return { ADMIN_IDS: String(admin.id), POLL_INTERVAL_MS: '50', POLL_TIMEOUT_MS: '15000' };
    },
  });

  const delivered = async (user: FakeUser, price: number) => (await f.deliveredWithOneCharge(user, price)).generation;

  it('/provider switches the family: new jobs go to the chosen provider; the change is audited', async () => {
    await admin.sendCommand('/start');
    await admin.waitForMessage();
    await admin.sendCommand('/provider kling-2.6 kling');
    expect((await admin.waitForMessage()).text).toContain('New kling-2.6 jobs now run on kling first.');
    expect(await f.prisma().adminAuditLog.findFirst({ where: { action: 'provider-preference', target: 'kling-2.6' } })).toMatchObject({
      details: { from: 'kie', to: 'kling' },
    });

    const first = await f.newUser(1000);
    const klingCreates = f.kling.requests.filter((r) => r.route === 'create').length;
    const one = await delivered(first, await orderKling26(first));
    expect(one.modelSlug).toBe('kling-v2-6-t2v');
    expect(f.kling.requests.filter((r) => r.route === 'create').length).toBe(klingCreates + 1);

    await admin.sendCommand('/provider kling-2.6 kie');
    await admin.waitForMessage({ match: /run on kie first/ });
    const second = await f.newUser(1000);
    const kieCreates = f.kie.count('createTask');
    const two = await delivered(second, await orderKling26(second));
    expect(two.modelSlug).toBe('kling-2-6-t2v');
    expect(f.kie.count('createTask')).toBe(kieCreates + 1);

    await admin.sendCommand('/provider kling-9 kie');
    expect((await admin.waitForMessage()).text).toMatch(/Usage: \/provider/);
  });

  it('an outage-class refusal of the preferred provider moves the job to the other one: one charge', async () => {
    const user = await f.newUser(1000);
    // KIE: "our balance is empty" (402), an explicit refusal — no task was made.
    f.kie.failNext('createTask', { code: 402 }, 1);
    const klingCreates = f.kling.requests.filter((r) => r.route === 'create').length;
    const generation = await delivered(user, await orderKling26(user));
    expect(generation).toMatchObject({ modelSlug: 'kling-2-6-t2v', provider: 'kling', state: 'delivered' });
    const create = f.kling.requests.filter((r) => r.route === 'create').slice(klingCreates);
    expect(create).toHaveLength(1);
    expect(JSON.parse(create[0]!.body)).toMatchObject({ model_name: 'kling-v2-6', external_task_id: `gen-${generation.id}` });
  });

  it('a bad-input refusal does not move the job: refunded once, nothing sent to Kling', async () => {
    const user = await f.newUser(1000);
    f.kie.failNext('createTask', { code: 422 }, 1);
    const klingCreates = f.kling.requests.filter((r) => r.route === 'create').length;
    const price = await orderKling26(user);
    await eventually(async () => (await f.prisma().generation.findFirst({ where: { userId: BigInt(user.id), state: 'refunded' } })) !== null, 15_000, 'refund');
    expect(await f.ledgerOf(user)).toEqual(['grant:1000', `charge:${-price}`, `refund:${price}`]);
    expect(f.kling.requests.filter((r) => r.route === 'create').length).toBe(klingCreates);
  });
});

describe('one model, two providers: the preferred provider has no keys', { timeout: 60_000 }, () => {
  const f = useBot({ kie: { pollsPerStep: 1 }, env: { POLL_INTERVAL_MS: '50', POLL_TIMEOUT_MS: '15000' } });

  it('Kling preferred but not configured: the one entry is KIE’s and the job runs there', async () => {
    await f.prisma().providerPreference.create({ data: { family: 'kling-2.6', provider: 'kling' } });
    const user = await f.newUser(1000);
    const price = await orderKling26(user);
    await waitForVideo(user, 20_000);
    await eventually(
      async () => (await f.prisma().generation.findFirst({ where: { userId: BigInt(user.id), state: 'delivered' } })) !== null,
      15_000,
      'delivery',
    );
    expect(await f.ledgerOf(user)).toEqual(['grant:1000', `charge:${-price}`]);
    expect((await f.prisma().generation.findFirstOrThrow({ where: { userId: BigInt(user.id) } })).modelSlug).toBe('kling-2-6-t2v');
  });
});
