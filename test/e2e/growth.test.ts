/**
 * Growth end to end through the fake Bot API and a real database: welcome credits, referral
 * links and rewards, promo codes, Stars subscriptions, broadcast segments with a button.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeStars, type FakeUser, type Message } from '../support/fake-telegram/index.js';
import { useBot } from '../support/bot-fixture.js';
import { buttonsOf, eventually } from '../support/drive.js';
import { ledgerSum } from '../../src/domain/ledger.js';

type Button = { text: string; url?: string; callback_data?: string };
const keyboard = (m: Message) => ((m.reply_markup as { inline_keyboard?: Button[][] } | undefined)?.inline_keyboard ?? []).flat();

describe('growth', () => {
  let admin: FakeUser;
  let stars: FakeStars;
  const f = useBot({
    env: (fx) => {
      admin = fx.tg.user({ firstName: 'Admin', languageCode: 'en' });
      return { ADMIN_IDS: String(admin.id), CREDIT_PACKS: '100', WELCOME_CREDITS: '50', REFERRAL_PERCENT: '10', SUBSCRIPTION_PLANS: '600:500,1500:1100' };
    },
  });
  const prisma = () => f.prisma();
  beforeAll(async () => {
    stars = new FakeStars(f.tg);
    await admin.sendCommand('/start');
    await admin.waitForMessage({ match: /Welcome|Добро/ });
  });
  afterAll(async () => {
    // The books balance for every user at the end.
    if (!f.bot) return;
    const users = await prisma().user.findMany();
    for (const u of users) expect(await ledgerSum(prisma(), u.id), `user ${u.id}`).toBe(u.balance);
  });

  /** A new user who opens `url` (or sends /start) and reads the greeting. */
  async function arrive(url?: string, languageCode = 'en'): Promise<FakeUser> {
    const user = f.tg.user({ languageCode });
    if (url) await stars.openDeepLink(user, url);
    else await user.sendCommand('/start');
    await user.waitForMessage({ match: /Balance|balance|Баланс|баланс/ });
    return user;
  }

  async function inviteLink(user: FakeUser): Promise<string> {
    await user.sendCommand('/invite');
    const text = String((await user.waitForMessage({ match: /Invite friends|Пригласите/ })).text);
    return /https:\/\/t\.me\/\S+/.exec(text)![0];
  }

  async function buyPack(user: FakeUser): Promise<string> {
    return (await buyPackPaid(user)).chargeId;
  }

  async function buyPackPaid(user: FakeUser): Promise<{ chargeId: string; updateId: number; message: Message }> {
    await user.sendCommand('/topup');
    await user.tapButton(await user.waitForMessage({ match: /Choose a pack|Выберите/ }), /^100 /);
    const invoice = await user.waitForMessage({ match: (m) => 'invoice' in m });
    const paid = await user.pay(invoice);
    if (!paid.ok) throw new Error('payment refused');
    await user.waitForMessage({ match: /Payment received|Оплата получена/ });
    return { chargeId: paid.chargeId, updateId: paid.updateId!, message: paid.message };
  }

  async function subscribe(user: FakeUser, plan = /^600 credits/): Promise<{ link: string; chargeId: string; message: Message }> {
    await user.sendCommand('/subscribe');
    const offer = await user.waitForMessage({ match: /Monthly subscription|Ежемесячная/ });
    await user.tapButton(offer, plan);
    const msg = await user.waitForMessage({ match: /Subscription:|Подписка:/ });
    const link = keyboard(msg)[0]!.url!;
    const paid = await stars.payLink(user, link);
    if (!paid.ok) throw new Error(`subscription refused: ${paid.errorMessage}`);
    await user.waitForMessage({ match: /Subscription started|Подписка оформлена/ });
    return { link, chargeId: paid.chargeId, message: paid.message };
  }

  describe('welcome credits', () => {
    it('credits a new user once: not on a second /start, nor on a redelivered update', async () => {
      const user = f.tg.user({ languageCode: 'ru' });
      await user.sendCommand('/start');
      expect((await user.waitForMessage()).text).toBe('🎁 Добро пожаловать! Вам начислено 50 бесплатных кредитов, чтобы попробовать бота.');
      expect((await user.waitForMessage()).text).toContain('50');
      await user.resendLastUpdate();
      await user.sendCommand('/start');
      await user.waitForMessage({ match: /Баланс|баланс/ });
      await user.sendCommand('/balance');
      expect((await user.waitForMessage({ match: /баланс|Баланс/ })).text).toContain('50');
      expect(await f.ledgerOf(user)).toEqual(['welcome:50']);
      expect(user.messages().filter((m) => /Добро пожаловать/.test(String(m.text)))).toHaveLength(1);
    });

    it('survives a restart: the user row is known, no second welcome', async () => {
      const user = await arrive();
      // A new instance on the same database sees the same first-contact record.
      await f.bot.stop();
      const { botEnv, startInProcessBot } = await import('../support/harness.js');
      f.bot = await startInProcessBot(
        botEnv({ tg: f.tg }, f.db, {
          ADMIN_IDS: String(admin.id),
          CREDIT_PACKS: '100',
          WELCOME_CREDITS: '50',
          REFERRAL_PERCENT: '10',
          SUBSCRIPTION_PLANS: '600:500,1500:1100',
        }),
      );
      await user.sendCommand('/start');
      await user.waitForMessage({ match: /balance|Balance/ });
      expect(await f.ledgerOf(user)).toEqual(['welcome:50']);
    });
  });

  describe('referrals', () => {
    it('/invite and the menu button show the link; a new user through it is attributed once and the inviter earns 10% of each payment once', async () => {
      const inviter = await arrive();
      const link = await inviteLink(inviter);
      expect(link).toMatch(new RegExp(`^https://t\\.me/${f.tg.bot().info.username}\\?start=ref_[0-9a-z]+$`));
      const menu = inviter.messages().find((m) => buttonsOf(m).includes('🎁 Invite friends'))!;
      await inviter.tapButton(menu, '🎁 Invite friends');
      expect((await inviter.waitForMessage({ match: /Invite friends/ })).text).toContain(link);

      const invitee = await arrive(link);
      expect((await inviter.waitForMessage({ match: /joined through your invite link/ })).text).toContain('10%');
      // Opening it again, or the inviter opening their own link, changes nothing.
      await stars.openDeepLink(invitee, link);
      await stars.openDeepLink(inviter, link);
      const existing = await arrive();
      await stars.openDeepLink(existing, link);
      await existing.waitForMessage({ match: /balance/ });

      const { chargeId, updateId, message } = await buyPackPaid(invitee);
      await inviter.waitForMessage({ match: /\+10 credits: a friend you invited/ });
      // A redelivered payment, and the same payment in a new update, credit nothing more.
      f.tg.redeliver(updateId);
      f.tg.enqueueUpdate({ message });
      await invitee.sendCommand('/balance');
      await invitee.waitForMessage({ match: /Your balance/ });
      expect(await f.ledgerOf(inviter)).toEqual(['welcome:50', 'referral:10']);
      expect(await prisma().referralReward.count({ where: { chargeId } })).toBe(1);

      const summary = String((await (async () => (await inviter.sendCommand('/invite'), inviter.waitForMessage({ match: /Invite friends/ })))()).text);
      expect(summary).toContain('Joined through your link: 1 person');
      expect(summary).toContain('Earned: 10 credits');
      expect(await prisma().userOrigin.count({ where: { invitedBy: BigInt(inviter.id) } })).toBe(1);

      // /user shows who invited whom.
      await admin.sendCommand(`/user ${invitee.id}`);
      expect((await admin.waitForMessage({ match: /Invited by/ })).text).toContain(`Invited by: Test (${inviter.id})`);
      await admin.sendCommand(`/user ${inviter.id}`);
      expect((await admin.waitForMessage({ match: /Invited:/ })).text).toContain('Invited: 1 (credits earned: 10)');

      // A refund takes the reward back; the inviter spent part of it, so the rest goes to the audit log.
      await admin.sendCommand(`/grant ${inviter.id} -55 spent`);
      await admin.waitForMessage({ match: /Balance now 5/ });
      await admin.sendCommand(`/refundpayment ${chargeId}`);
      expect((await admin.waitForMessage()).text).toContain('Refunded 100 ⭐');
      await eventually(async () => (await prisma().referralReward.findUniqueOrThrow({ where: { chargeId } })).reversedAt !== null, 5_000, 'the take-back');
      expect(await f.ledgerOf(inviter)).toEqual(['welcome:50', 'referral:10', 'grant:-55', 'referral:-5']);
      const audit = await prisma().adminAuditLog.findFirstOrThrow({ where: { action: 'referral_reversal', target: chargeId } });
      expect(audit.details).toMatchObject({ taken: 5, shortfall: 5 });
      expect(audit.adminId).toBe(BigInt(admin.id));
      // The refunded_payment service message arrives too: nothing is taken twice.
      await invitee.waitForMessage({ match: /refunded to you/ });
      expect(await f.balanceOf(inviter)).toBe(0);
    });

    it('a banned inviter gets nobody', async () => {
      const inviter = await arrive();
      const link = await inviteLink(inviter);
      await admin.sendCommand(`/ban ${inviter.id}`);
      await admin.waitForMessage({ match: /is banned/ });
      const invitee = await arrive(link);
      expect((await prisma().userOrigin.findUniqueOrThrow({ where: { userId: BigInt(invitee.id) } })).invitedBy).toBeNull();
    });
  });

  describe('promo codes', () => {
    it('admins create, list and switch off codes (audited); users redeem once with distinct answers', async () => {
      await admin.sendCommand('/promo new spring 40 2 7');
      const created = String((await admin.waitForMessage({ match: /Promo code SPRING/ })).text);
      expect(created).toContain('40 credits, uses: 2');
      expect(created).toContain(`https://t.me/${f.tg.bot().info.username}?start=promo_SPRING`);
      await admin.sendCommand('/promo new SPRING 10');
      expect((await admin.waitForMessage()).text).toContain('already exists');
      await admin.sendCommand('/promo new x 10');
      expect((await admin.waitForMessage()).text).toContain('Usage:');
      await admin.sendCommand('/promo new OFFME 10');
      await admin.waitForMessage({ match: /OFFME/ });
      await admin.sendCommand('/promo off offme');
      expect((await admin.waitForMessage()).text).toBe('Promo code OFFME is switched off (0 uses).');

      const u1 = await arrive();
      await u1.sendCommand('/promo spring');
      expect((await u1.waitForMessage()).text).toBe('✅ Promo code SPRING: +40 credits. Your balance: 90.');
      await u1.sendCommand('/promo SPRING');
      expect((await u1.waitForMessage()).text).toBe('You have already used the promo code SPRING.');
      await u1.sendCommand('/promo OFFME');
      expect((await u1.waitForMessage()).text).toBe('The promo code OFFME is no longer valid.');
      await u1.sendCommand('/promo');
      expect((await u1.waitForMessage()).text).toContain('Send /promo followed by your code');

      const u2 = await arrive(`https://t.me/${f.tg.bot().info.username}?start=promo_SPRING`, 'ru');
      expect(u2.messages().some((m) => m.text === '✅ Промокод SPRING: +40 кредитов. Ваш баланс: 90.')).toBe(true);
      const u3 = await arrive();
      await u3.sendCommand('/promo SPRING');
      expect((await u3.waitForMessage()).text).toBe('The promo code SPRING has been used up: all its uses are taken.');

      await admin.sendCommand('/promo list');
      const list = String((await admin.waitForMessage({ match: /Promo codes/ })).text);
      expect(list).toContain('SPRING — used up — 40 — 2 — 0 —');
      expect(list).toContain('OFFME — off — 10 — 0 — ∞ — never');
      expect(await prisma().adminAuditLog.count({ where: { adminId: BigInt(admin.id), action: { in: ['promo_create', 'promo_off'] } } })).toBe(3);
      expect(await f.ledgerOf(u2)).toEqual(['welcome:50', 'promo:40']);
    });

    it('rate-limits guessing: after 5 wrong codes even a right one waits', async () => {
      await admin.sendCommand('/promo new GUESSME 5');
      await admin.waitForMessage({ match: /GUESSME/ });
      const user = await arrive();
      for (const guess of ['AAAA', 'BBBB', 'CCCC', 'DDDD', 'EEEE']) {
        await user.sendCommand(`/promo ${guess}`);
        expect((await user.waitForMessage()).text).toBe('There is no such promo code. Please check the spelling.');
      }
      await user.sendCommand('/promo GUESSME');
      expect((await user.waitForMessage()).text).toBe('Too many wrong codes. Please try again in 15 minutes.');
      expect(await f.ledgerOf(user)).toEqual(['welcome:50']);
    });

    it('the last use raced by two users: exactly one wins', async () => {
      await admin.sendCommand('/promo new LASTONE 15 1');
      await admin.waitForMessage({ match: /LASTONE/ });
      const [a, b] = [await arrive(), await arrive()];
      // Both updates are queued before the bot takes either; the runner handles them at once.
      await Promise.all([a.sendCommand('/promo LASTONE'), b.sendCommand('/promo LASTONE')]);
      const answers = await Promise.all([a.waitForMessage({ match: /LASTONE/ }), b.waitForMessage({ match: /LASTONE/ })]);
      expect(answers.map((m) => m.text).sort()).toEqual([
        'The promo code LASTONE has been used up: all its uses are taken.',
        '✅ Promo code LASTONE: +15 credits. Your balance: 65.',
      ]);
      expect((await prisma().promoCode.findUniqueOrThrow({ where: { code: 'LASTONE' } })).uses).toBe(1);
      expect((await f.ledgerOf(a)).length + (await f.ledgerOf(b)).length).toBe(3);
    });

    it('a new user through a referral link with a promo code gets exactly the welcome and promo credits', async () => {
      await admin.sendCommand('/promo new FRIEND 25');
      await admin.waitForMessage({ match: /FRIEND/ });
      const inviter = await arrive();
      const link = await inviteLink(inviter);
      const user = await arrive(`${link}-promo_FRIEND`);
      expect(await f.ledgerOf(user)).toEqual(['welcome:50', 'promo:25']);
      expect((await prisma().userOrigin.findUniqueOrThrow({ where: { userId: BigInt(user.id) } })).invitedBy).toBe(BigInt(inviter.id));
      await user.resendLastUpdate();
      await user.sendCommand('/balance');
      expect((await user.waitForMessage({ match: /Your balance/ })).text).toContain('75');

      // Subscription charges reward the inviter too: the first payment and each renewal, once.
      await subscribe(user);
      await inviter.waitForMessage({ match: /\+60 credits: a friend you invited/ });
      const renewal = (await stars.advancePeriod()).find((r) => r.userId === user.id)!;
      await inviter.waitForMessage({ match: /\+60 credits: a friend you invited/ });
      f.tg.enqueueUpdate({ message: renewal.message });
      await user.sendCommand('/balance');
      await user.waitForMessage({ match: /Your balance/ });
      expect(await f.ledgerOf(inviter)).toEqual(['welcome:50', 'referral:60', 'referral:60']);
      expect(await f.ledgerOf(user)).toEqual(['welcome:50', 'promo:25', 'topup:600', 'topup:600']);
    });
  });

  describe('Stars subscriptions', () => {
    it('subscribes through createInvoiceLink, credits the first payment and each renewal once, cancels and resumes', async () => {
      const user = await arrive();
      const first = await subscribe(user);
      const { link, chargeId } = first;
      const call = f.tg.calls('createInvoiceLink').at(-1)!;
      expect(call.params).toMatchObject({ currency: 'XTR', subscription_period: 2592000, payload: `sub:600:500:${user.id}` });
      expect(stars.link(link)?.subscriptionPeriod).toBe(2592000);
      expect(await f.balanceOf(user)).toBe(650);

      // The first payment again in a new update: nothing more.
      f.tg.enqueueUpdate({ message: first.message });
      // A second subscription to the same plan is refused while it runs.
      await user.sendCommand('/subscribe');
      const tap = await user.tapButton(await user.waitForMessage({ match: /Monthly subscription/ }), /^600 credits/);
      expect((await f.tg.waitForCallbackAnswer(tap.id)).text).toBe('You already have this subscription. See /subscription.');

      const renewals = await stars.advancePeriod();
      const mine = renewals.find((r) => r.userId === user.id)!;
      expect(mine.chargeId).not.toBe(chargeId);
      await user.waitForMessage({ match: /Subscription renewed: \+600 credits/ });
      f.tg.enqueueUpdate({ message: mine.message });
      await user.sendCommand('/balance');
      expect((await user.waitForMessage({ match: /Your balance/ })).text).toContain('1,250');
      expect(await f.ledgerOf(user)).toEqual(['welcome:50', 'topup:600', 'topup:600']);

      await user.sendCommand('/subscription');
      const card = await user.waitForMessage({ match: /600 credits a month/ });
      expect(card.text).toContain('active');
      expect(card.text).toMatch(/Renews on \d{4}-\d{2}-\d{2}/);
      await user.tapButton(card, 'Cancel subscription');
      const edited = await user.waitForEdit(card.message_id, { match: /cancelled/ });
      expect(buttonsOf(edited)).toEqual(['Resume subscription']);
      const edit = f.tg.calls('editUserStarSubscription').at(-1)!;
      expect(edit.params).toMatchObject({ user_id: user.id, telegram_payment_charge_id: chargeId, is_canceled: true });
      expect(edit.ok).toBe(true);

      await user.tapButton(edited, 'Resume subscription');
      const resumed = await user.waitForEdit(card.message_id, { match: /active/ });
      expect(buttonsOf(resumed)).toEqual(['Cancel subscription']);

      // Cancelled again: the next period brings no renewal.
      await user.tapButton(resumed, 'Cancel subscription');
      await user.waitForEdit(card.message_id, { match: /cancelled/ });
      await stars.advancePeriod();
      await user.sendCommand('/balance');
      expect((await user.waitForMessage({ match: /Your balance/ })).text).toContain('1,250');
      expect(stars.subscriptions(user.id)[0]?.ended).toBe(true);
    });

    it('follows the subscription updates: cancelled in Telegram, re-enabled, a failed renewal', async () => {
      const user = await arrive();
      const payload = `sub:1500:1100:${user.id}`;
      await subscribe(user, /^1,500 credits/);
      stars.setCanceledByUser(user, payload, true);
      await user.waitForMessage({ match: /subscription \(1,500 credits a month\) is cancelled/ });
      expect((await prisma().starSubscription.findUniqueOrThrow({ where: { payload } })).state).toBe('canceled');
      await user.sendCommand('/subscription');
      const card = await user.waitForMessage({ match: /1,500 credits a month/ });
      expect(card.text).toContain('You cancelled it in Telegram');
      expect(buttonsOf(card)).toEqual([]);

      stars.setCanceledByUser(user, payload, false);
      await user.waitForMessage({ match: /is active again/ });
      stars.setStarBalance(user.id, 10);
      await stars.advancePeriod();
      await user.waitForMessage({ match: /renewal of your subscription \(1,100 ⭐ a month\) failed/ });
      expect((await prisma().starSubscription.findUniqueOrThrow({ where: { payload } })).state).toBe('failed');
      stars.setStarBalance(user.id, 5000);
      await stars.advancePeriod();
      await user.waitForMessage({ match: /Subscription renewed: \+1,500 credits/ });
      expect((await prisma().starSubscription.findUniqueOrThrow({ where: { payload } })).state).toBe('active');

      // /user and /stats.
      await admin.sendCommand(`/user ${user.id}`);
      expect((await admin.waitForMessage({ match: /Subscriptions:/ })).text).toContain('1,500 credits / 1,100 ⭐ — active');
      await admin.sendCommand('/stats');
      const stats = String((await admin.waitForMessage({ match: /Growth/ })).text);
      expect(stats).toMatch(/Subscribers: \d+ \(renewing: \d+\) · monthly recurring: [\d,]+ ⭐/);
      expect(stats).toMatch(/referred users \d+, referral rewards -?[\d,]+ credits/);

      // A refund of a renewal follows the pack rules.
      const renewal = (await prisma().starSubscription.findUniqueOrThrow({ where: { payload } })).lastChargeId!;
      await admin.sendCommand(`/refundpayment ${renewal}`);
      expect((await admin.waitForMessage()).text).toContain('Refunded 1,100 ⭐');
      expect(await f.ledgerOf(user)).toEqual(['welcome:50', 'topup:1500', 'topup:1500', 'payment_refund:-1500']);
    });

    it('refuses a pre-checkout for a plan that is no longer offered; the fake refuses a bad period', async () => {
      const user = await arrive();
      const { Api } = await import('grammy');
      const api = new Api(f.tg.token, { apiRoot: f.tg.apiRoot });
      const stale = await api.createInvoiceLink('old plan', 'old', `sub:999:999:${user.id}`, '', 'XTR', [{ label: 'old', amount: 999 }], {
        subscription_period: 2592000,
      });
      const refused = await stars.payLink(user, stale);
      expect(refused).toEqual({ ok: false, errorMessage: 'This plan is no longer offered. Please send /subscribe and choose again.', timedOut: false });
      await expect(api.createInvoiceLink('x', 'x', 'sub:1:1:1', '', 'XTR', [{ label: 'x', amount: 1 }], { subscription_period: 60 })).rejects.toThrow(
        /SUBSCRIPTION_PERIOD_INVALID/,
      );
      await expect(api.createInvoiceLink('x', 'x', 'sub:1:1:1', '', 'XTR', [{ label: 'x', amount: 10_001 }], { subscription_period: 2592000 })).rejects.toThrow(
        /SUBSCRIPTION_PRICE_INVALID/,
      );
      await expect(api.editUserStarSubscription(user.id, 'nope', true)).rejects.toThrow(/CHARGE_ID_INVALID/);
    });
  });

  describe('broadcast segments and a button', () => {
    it('sends to one segment with a command button; the preview says how many it holds', async () => {
      const payer = await arrive();
      await buyPack(payer);
      const paying = await prisma().user.count({ where: { payments: { some: { status: 'paid' } }, banned: false, unreachable: false } });
      await admin.sendCommand('/broadcast paying Thanks for your support!\n[Top up](/topup)');
      const title = await admin.waitForMessage({ match: /Preview/ });
      expect(title.text).toContain(`goes to ${paying} ${paying === 1 ? 'user' : 'users'} of the segment "paying users"`);
      const preview = await admin.waitForMessage({ match: 'Thanks for your support!' });
      const deepLink = `https://t.me/${f.tg.bot().info.username}?start=cmd_topup`;
      expect(keyboard(preview).map((b) => b.url ?? b.text)).toEqual([deepLink, '✅ Send', '✖️ Cancel']);
      await admin.tapButton(preview, '✅ Send');
      const got = await payer.waitForMessage({ match: 'Thanks for your support!', timeoutMs: 10_000 });
      expect(keyboard(got)).toEqual([{ text: 'Top up', url: deepLink }]);
      const b = await prisma().broadcast.findFirstOrThrow({ orderBy: { createdAt: 'desc' } });
      expect(b).toMatchObject({ segment: 'paying', total: paying, buttonUrl: deepLink });

      // The button opens /topup.
      await stars.openDeepLink(payer, deepLink);
      await payer.waitForMessage({ match: /Choose a pack/ });

      await admin.waitForMessage({ match: /Broadcast finished: 1 sent|Broadcast finished/ });
      await admin.sendCommand('/broadcast ru');
      expect((await admin.waitForMessage()).text).toContain('Usage: /broadcast [all|paying|inactive|subscribers|ru|en] TEXT');
      await admin.sendCommand('/broadcast en Hello\n[Site](javascript:alert)');
      expect((await admin.waitForMessage()).text).toContain('The button line must look like');
    });
  });
});
