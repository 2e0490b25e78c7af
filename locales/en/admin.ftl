# Admin commands (shown to ADMIN_IDS only).
admin-usage-enable = Usage: /enable SLUG (see /models)
admin-usage-disable = Usage: /disable SLUG (see /models)
admin-usage-price = Usage: /price SLUG AMOUNT [fixed|per_second|per_5s] — AMOUNT is whole credits per video, per second of audio or per 5 s of video
admin-usage-grant = Usage: /grant USER AMOUNT [reason] — USER is a Telegram id or @username; a negative AMOUNT takes credits away
admin-usage-user = Usage: /user USER — a Telegram id or @username
admin-usage-refund = Usage: /refund GENERATION_ID (for a Stars payment: /refundpayment CHARGE_ID)
admin-usage-refundpayment = Usage: /refundpayment CHARGE_ID — the charge id is listed by /user
admin-usage-ban = Usage: /ban USER — a Telegram id or @username
admin-usage-unban = Usage: /unban USER — a Telegram id or @username
admin-usage-broadcast = Usage: /broadcast TEXT — you will see a preview and confirm before anything is sent

admin-yes = yes
admin-no = no

admin-models-title = Model catalog:
admin-models-line = { $state } { $slug } — { $name }: { $price } [{ $provider }]{ $off }
admin-model-state-on = ✅ on
admin-model-state-off = ⛔ off
admin-model-state-not-configured = ⚙️ not configured
admin-model-also-off = , switched off
admin-models-hint = /enable SLUG · /disable SLUG · /price SLUG AMOUNT [fixed|per_second|per_5s]
admin-price-fixed = { $amount } { $amount ->
        [one] credit
       *[other] credits
    } per video
admin-price-per_second = { $amount } { $amount ->
        [one] credit
       *[other] credits
    } per second of audio
admin-price-per_5s = { $amount } { $amount ->
        [one] credit
       *[other] credits
    } per 5 s of video
admin-model-not-found = There is no model "{ $slug }". See /models.
admin-model-enabled = ✅ { $slug } is on.
admin-model-disabled = ⛔ { $slug } is off. Users can't pick it any more; flows already past the choice are re-checked before charging.
admin-model-already-enabled = { $slug } is already on.
admin-model-already-disabled = { $slug } is already off.
admin-model-unconfigured-note = Note: provider { $provider } has no API keys, so users still don't see this model.
admin-price-set = { $slug }: now { $price } (was { $old }). The next quote uses it.
admin-price-unchanged = { $slug } already costs { $price }.

admin-user-not-found = No user "{ $ref }". Use the Telegram id or @username of someone who has written to the bot.
admin-grant-done = { $user }: { $amount } { $amount ->
        [one] credit
       *[other] credits
    }. Balance now { $balance }.
admin-grant-duplicate = This grant was already applied. Balance: { $balance }.
admin-grant-insufficient = { $user } has only { $balance } { $balance ->
        [one] credit
       *[other] credits
    }; a debit can't take the balance below 0.

admin-user-card =
    👤 { $user }
    Balance: { $balance } { $balance ->
            [one] credit
           *[other] credits
        }
    Language: { $language }
    Banned: { $banned } · Unreachable (blocked the bot): { $unreachable }
    First seen: { $created } UTC · last seen: { $seen } UTC
admin-user-generations-title = Last generations:
admin-user-generation-line = • { $id } · { $model } · { $state } · { $price } cr · { $date }
admin-user-payments-title = Last payments:
admin-user-payment-line = • { $stars } ⭐ → { $credits } cr · { $status } · { $date } · { $charge }
admin-user-none = (none)

admin-ban-done = 🚫 { $user } is banned: no new generations or payments.
admin-ban-already = { $user } is already banned.
admin-unban-done = ✅ { $user } is unbanned.
admin-unban-already = { $user } is not banned.

admin-refund-done = ↩️ Generation { $id } refunded: { $amount } { $amount ->
        [one] credit
       *[other] credits
    } back to the user (balance { $balance }).
admin-refund-already = Generation { $id } was already refunded.
admin-refund-not-found = There is no generation "{ $id }". The ids are listed by /user.
admin-refund-not-refundable = Generation { $id } can't be refunded in state { $state }.
admin-refund-is-payment = "{ $id }" is a Stars payment, not a generation: use /refundpayment { $id }

admin-refundpayment-done = ↩️ Refunded { $stars } ⭐ to user { $user }; { $credits } { $credits ->
        [one] credit
       *[other] credits
    } taken back (balance { $balance }).
admin-refundpayment-already = This payment was already refunded ({ $stars } ⭐ to user { $user }).
admin-refundpayment-not-found = There is no payment with charge id "{ $charge }". The ids are listed by /user.
admin-refundpayment-spent = Not refunded: user { $user } has { $balance } { $balance ->
        [one] credit
       *[other] credits
    } left of the { $credits } this payment bought — they were spent. Nothing changed.
admin-refundpayment-telegram-failed = Telegram refused the refund ({ $error }). The credits were given back (balance { $balance }); nothing changed.
admin-refundpayment-uncertain = Telegram did not confirm the refund ({ $error }). The credits stay taken and the payment is marked refunded; run /refundpayment { $charge } again to complete it.

admin-stats-today = 📊 Today (since 00:00 UTC)
admin-stats-week = 📊 Last 7 days
admin-stats-users = New users: { $newUsers } · paying users: { $payingUsers }
admin-stats-stars = Stars received: { $stars } ⭐ in { $payments } { $payments ->
        [one] payment
       *[other] payments
    } · refunded: { $refunded } ⭐
admin-stats-generations = Generations: { $generations } (✅ { $succeeded } · ❌ { $failed }) · success rate { $rate } · mean time { $mean }
admin-stats-credits = Credits spent: { $spent } · refunds: { $refunds } ({ $refunded } { $refunded ->
        [one] credit
       *[other] credits
    })
admin-stats-models-title = By model:
admin-stats-model-line = • { $slug }: { $generations } { $generations ->
        [one] generation
       *[other] generations
    } · success { $rate } · mean { $mean } · { $spent } { $spent ->
        [one] credit
       *[other] credits
    }

admin-broadcast-preview-title = Preview — this message goes to { $count } { $count ->
        [one] user
       *[other] users
    } (reachable and not banned). Send it?
admin-broadcast-send = ✅ Send
admin-broadcast-cancel = ✖️ Cancel
admin-broadcast-cancelled = Broadcast cancelled. Nothing was sent.
admin-broadcast-expired = This preview is no longer valid. Send /broadcast again.
admin-broadcast-already-queued = This broadcast is already queued.
admin-broadcast-queued = 📣 Queued for { $count } { $count ->
        [one] user
       *[other] users
    }. I'll report here when it is done.
admin-broadcast-too-long = The text is too long: at most { $max } { $max ->
        [one] character
       *[other] characters
    }.
admin-broadcast-report = 📣 Broadcast finished: { $sent } sent, { $blocked } blocked the bot, { $failed } failed (of { $total }).

admin-command-models = Admin: model catalog
admin-command-enable = Admin: switch a model on
admin-command-disable = Admin: switch a model off
admin-command-price = Admin: set a model's price
admin-command-grant = Admin: give or take credits
admin-command-user = Admin: user details
admin-command-refund = Admin: refund a generation
admin-command-refundpayment = Admin: refund a Stars payment
admin-command-ban = Admin: ban a user
admin-command-unban = Admin: unban a user
admin-command-stats = Admin: statistics
admin-command-broadcast = Admin: message all users
admin-command-provider = Admin: preferred provider of a model family (KIE or Kling)
admin-usage-provider = Usage: /provider FAMILY kie|kling — FAMILY is one of { $families }
admin-provider-title = Preferred provider per model family (the job moves to the other one when this one is not configured, switched off or down):
admin-provider-line = • { $family }: { $provider } (configured: { $configured })
admin-provider-set = New { $family } jobs now run on { $provider } first.
