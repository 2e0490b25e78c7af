# Growth: welcome credits, referrals, promo codes, Stars subscriptions, broadcast segments.
command-invite = Invite friends and earn credits
command-promo = Use a promo code
command-subscribe = Monthly credits with Stars
command-subscription = Your subscription
menu-invite = 🎁 Invite friends

growth-welcome-credits = 🎁 Welcome! You got { $credits } free { $credits ->
    [one] credit
   *[other] credits
    } to try the bot.

growth-invite-text =
    🎁 Invite friends

    Your link: { $link }

    When someone starts the bot through it, you get { $percent }% of the credits of every Stars payment they make.
    Joined through your link: { $joined ->
        [one] { $joined } person
       *[other] { $joined } people
    }
    Earned: { $earned } { $earned ->
        [one] credit
       *[other] credits
    }
growth-invite-joined = 🎉 { $name } joined through your invite link. You will get { $percent }% of the credits of their Stars payments.
growth-referral-reward = 💰 +{ $credits } { $credits ->
    [one] credit
   *[other] credits
    }: a friend you invited bought credits. Your balance: { $balance }.

growth-promo-usage = Send /promo followed by your code, e.g. /promo SUMMER
growth-promo-redeemed = ✅ Promo code { $code }: +{ $credits } { $credits ->
    [one] credit
   *[other] credits
    }. Your balance: { $balance }.
growth-promo-unknown = There is no such promo code. Please check the spelling.
growth-promo-expired = The promo code { $code } has expired.
growth-promo-off = The promo code { $code } is no longer valid.
growth-promo-used-up = The promo code { $code } has been used up: all its uses are taken.
growth-promo-already-used = You have already used the promo code { $code }.
growth-promo-rate-limited = Too many wrong codes. Please try again in { $minutes } { $minutes ->
    [one] minute
   *[other] minutes
    }.

growth-sub-no-plans = Subscriptions are not offered right now. You can buy credits with /topup.
growth-sub-choose =
    ⭐ Monthly subscription with Telegram Stars

    You get the credits at once and again every month when Telegram renews the subscription. Cancel any time with /subscription.

    Choose a plan:
growth-sub-plan-button = { $credits } { $credits ->
    [one] credit
    *[other] credits
  } a month — { $stars } ⭐
growth-sub-plan-gone = This plan is no longer offered. Send /subscribe to see the current ones.
growth-sub-invoice-title = { $credits } { $credits ->
    [one] credit
    *[other] credits
  } a month
growth-sub-invoice-description = { $credits } { $credits ->
    [one] credit
    *[other] credits
  } every month for video generation, renewed by Telegram until you cancel.
growth-sub-invoice-label = { $credits } { $credits ->
    [one] credit
    *[other] credits
  } a month
growth-sub-link-text = Subscription: { $credits } { $credits ->
    [one] credit
    *[other] credits
  } a month for { $stars } ⭐. Tap the button to pay with Telegram Stars.
growth-sub-pay-button = Subscribe for { $stars } ⭐ a month
growth-sub-precheckout-unknown = This plan is no longer offered. Please send /subscribe and choose again.
growth-sub-precheckout-already = You already have this subscription. See /subscription.
growth-sub-started =
    ✅ Subscription started: +{ $credits } { $credits ->
    [one] credit
    *[other] credits
  }.
    Your balance: { $balance } { $balance ->
    [one] credit
    *[other] credits
  }. Next renewal: { $date }.
growth-sub-renewed =
    🔄 Subscription renewed: +{ $credits } { $credits ->
    [one] credit
    *[other] credits
  }.
    Your balance: { $balance } { $balance ->
    [one] credit
    *[other] credits
  }. Next renewal: { $date }.
growth-sub-none = You have no subscription. Send /subscribe to see the plans.
growth-sub-card = ⭐ { $credits } { $credits ->
    [one] credit
    *[other] credits
  } a month for { $stars } ⭐ — { $state }
growth-sub-state-active = active
growth-sub-state-canceled = cancelled
growth-sub-state-failed = renewal failed
growth-sub-state-expired = ended
growth-sub-renews = Renews on { $date }.
growth-sub-ends = Runs until { $date }, then ends.
growth-sub-ended = Ended on { $date }.
growth-sub-canceled-in-telegram = You cancelled it in Telegram; renew it there (Settings → My Stars) to keep it.
growth-sub-failed-hint = Telegram could not take the payment. Top up your Stars so the next attempt succeeds.
growth-sub-cancel-button = Cancel subscription
growth-sub-resume-button = Resume subscription
growth-sub-canceled-alert = Cancelled. You keep it until the end of the period.
growth-sub-resumed-alert = Resumed. It renews as before.
growth-sub-gone = This subscription is no longer active. Send /subscription.
growth-sub-edit-refused = Telegram refused the change. Please try again later or write to /paysupport.
growth-sub-edit-failed = Telegram did not answer. Please try again in a minute.
growth-sub-update-canceled = Your subscription ({ $credits } { $credits ->
    [one] credit
    *[other] credits
  } a month) is cancelled. It runs until { $date }.
growth-sub-update-active = Your subscription ({ $credits } { $credits ->
    [one] credit
    *[other] credits
  } a month) is active again. Next renewal: { $date }.
growth-sub-update-failed = ⚠️ The renewal of your subscription ({ $stars } ⭐ a month) failed. Top up your Stars; Telegram will try again.

admin-usage-promo =
    Usage:
    /promo new CODE CREDITS [MAX_USES] [DAYS] — e.g. /promo new SUMMER 100 500 30
    /promo list
    /promo off CODE
    A code is 3–32 letters, digits or _.
admin-promo-created =
    ✅ Promo code { $code }: { $credits } { $credits ->
    [one] credit
    *[other] credits
  }, uses: { $uses }, expires: { $expires }.
    Link: { $link }
admin-promo-exists = A promo code { $code } already exists. Pick another name or switch it off with /promo off { $code }.
admin-promo-never = never
admin-promo-list-empty = There are no promo codes yet. Create one with /promo new CODE CREDITS.
admin-promo-list-title = 🎟 Promo codes (code — state — credits — used — left — expires):
admin-promo-line = { $code } — { $state } — { $credits } — { $uses } — { $left } — { $expires }
admin-promo-state-on = on
admin-promo-state-off = off
admin-promo-state-expired = expired
admin-promo-state-used-up = used up
admin-promo-not-found = There is no promo code { $code }.
admin-promo-off = Promo code { $code } is switched off ({ $uses } { $uses ->
    [one] use
   *[other] uses
    }).
admin-promo-already-off = Promo code { $code } was already off.

admin-usage-broadcast-segments =
    Usage: /broadcast [all|paying|inactive|subscribers|ru|en] TEXT
    An optional last line adds a button: [Label](https://example.com) or [Label](/topup).
    You will see a preview and confirm before anything is sent.
admin-broadcast-bad-button = The button line must look like [Label](https://example.com) or [Label](/command), with one of the bot's commands.
admin-broadcast-preview-segment = Preview — this message goes to { $count } { $count ->
    [one] user
   *[other] users
    } of the segment "{ $segment }" (reachable and not banned). Send it?
admin-broadcast-segment-all = all
admin-broadcast-segment-paying = paying users
admin-broadcast-segment-inactive = inactive for 30 days
admin-broadcast-segment-subscribers = subscribers
admin-broadcast-segment-ru = Russian
admin-broadcast-segment-en = English

admin-user-invited-by = Invited by: { $inviter }
admin-user-invited = Invited: { $count } (credits earned: { $earned }) — { $users }
admin-user-subscriptions-title = Subscriptions:
admin-user-subscription-line = { $credits } { $credits ->
    [one] credit
    *[other] credits
  } / { $stars } ⭐ — { $state } — until { $until } — { $payments } { $payments ->
    [one] payment
   *[other] payments
    }

admin-stats-growth-title = 📈 Growth
admin-stats-growth-period = { $title }: referred users { $referred }, referral rewards { $rewards } { $rewards ->
    [one] credit
    *[other] credits
  } · promo uses { $promos } ({ $promoCredits } { $promoCredits ->
    [one] credit
    *[other] credits
  }) · subscription payments { $subPayments } ({ $subStars } ⭐)
admin-stats-subscribers = Subscribers: { $subscribers } (renewing: { $renewing }) · monthly recurring: { $stars } ⭐
