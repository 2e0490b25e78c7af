/**
 * grammY's Composer with branching that allocates nothing per update. grammY builds every
 * `on`, `command`, `callbackQuery`, `chatType`, `filter` and `drop` through `lazy`, which
 * constructs a new Composer at every filter for every update: about 34 per update in this bot,
 * a quarter of its CPU under load (docs/benchmarks.md). Here `branch` evaluates the same
 * predicate and calls the chosen middleware directly, and `use`/`filter` return composers of
 * this class, so chains (`composer.chatType('private').command(…)`) stay on the fast path.
 * Behaviour is grammY's: same predicates, same order, same `next` semantics.
 *
 * Features import `Composer` from here (eslint.config.js forbids grammY's in src/bot/features).
 */
import { Composer as GrammyComposer, type Context, type Middleware, type MiddlewareFn } from 'grammy';

type MaybeArray<T> = T | T[];
type MaybePromise<T> = T | Promise<T>;

const pass: MiddlewareFn<Context> = (_ctx, next) => next();

function toMiddlewareFn<C extends Context>(middleware: MaybeArray<Middleware<C>>): MiddlewareFn<C> {
  if (Array.isArray(middleware)) return new Composer<C>(...middleware).middleware();
  if (typeof middleware === 'function') return middleware;
  // Read at call time, as grammY does: handlers added to the composer later still run.
  return (ctx, next) => middleware.middleware()(ctx, next);
}

export class Composer<C extends Context> extends GrammyComposer<C> {
  override use(...middleware: Middleware<C>[]): Composer<C> {
    const composer = new Composer<C>(...middleware);
    super.use(composer);
    return composer;
  }

  // Same overloads as grammY's (a type guard narrows the context); one implementation.
  override filter<D extends C>(predicate: (ctx: C) => ctx is D, ...middleware: Middleware<D>[]): Composer<D>;
  override filter(predicate: (ctx: C) => MaybePromise<boolean>, ...middleware: Middleware<C>[]): Composer<C>;
  override filter(predicate: (ctx: C) => MaybePromise<boolean>, ...middleware: Middleware<C>[]): Composer<C> {
    const composer = new Composer<C>(...middleware);
    this.branch(predicate, composer, pass);
    return composer;
  }

  override drop(predicate: (ctx: C) => MaybePromise<boolean>, ...middleware: Middleware<C>[]): Composer<C> {
    return this.filter(
      (ctx) => {
        const decided = predicate(ctx);
        return decided instanceof Promise ? decided.then((yes) => !yes) : !decided;
      },
      ...middleware,
    );
  }

  override branch(
    predicate: (ctx: C) => MaybePromise<boolean>,
    trueMiddleware: MaybeArray<Middleware<C>>,
    falseMiddleware: MaybeArray<Middleware<C>>,
  ): Composer<C> {
    const onTrue = toMiddlewareFn(trueMiddleware);
    const onFalse = toMiddlewareFn(falseMiddleware);
    return this.use((ctx, next) => {
      const decided = predicate(ctx);
      if (decided instanceof Promise) return decided.then((yes) => (yes ? onTrue : onFalse)(ctx, next));
      return (decided ? onTrue : onFalse)(ctx, next);
    });
  }
}
