# Payments: Telegram Stars top-ups, /paysupport.
topup-choose =
    Buy credits with Telegram Stars ⭐
    Your balance: { $balance } { $balance ->
            [one] credit
           *[other] credits
        }.

    Choose a pack:
topup-pack-button = { $credits } { $credits ->
        [one] credit
       *[other] credits
    } — { $stars } ⭐
topup-no-packs = Top-ups are not available right now. Please try again later.
topup-invoice-title = { $credits } { $credits ->
        [one] credit
       *[other] credits
    }
topup-invoice-description = { $credits } { $credits ->
        [one] credit
       *[other] credits
    } for video generation. Credits never expire; a failed video is refunded automatically.
topup-invoice-label = { $credits } { $credits ->
        [one] credit
       *[other] credits
    }
topup-pack-gone = This pack is no longer offered. Send /topup to see the current ones.

precheckout-error-unknown-pack = This offer has expired. Please send /topup and choose a pack again.
precheckout-error-price-changed = The price of this pack has changed. Please send /topup and choose again.
precheckout-error-wrong-user = This invoice was made for another account. Please send /topup to get your own.
precheckout-error-banned = Your account is suspended, so payments are not accepted. Write to /paysupport if you think this is a mistake.
precheckout-error-generic = This payment can't be accepted right now. Please send /topup and try again.

payment-credited =
    ✅ Payment received: +{ $credits } { $credits ->
            [one] credit
           *[other] credits
        }.
    Your balance: { $balance } { $balance ->
            [one] credit
           *[other] credits
        }.
payment-credit-failed = We received your payment, but could not add the credits automatically. Please write to /paysupport with this id: { $charge }
payment-refunded-notice = ↩️ { $stars } ⭐ were refunded to you.

paysupport-text =
    Payment support

    • Credits are added as soon as Telegram confirms the payment. If they did not arrive, write to us here with the time of the payment — we will find it.
    • A video that fails or times out is refunded in credits automatically.
    • Stars can be refunded for a top-up whose credits you have not spent yet: send us a message asking for a refund.
    • Telegram support cannot help with purchases made in this bot; please contact us first.

    To reach us, send /paysupport followed by your question, e.g.
    /paysupport I paid 100 ⭐ at 14:05 but got no credits

paysupport-sent = Thank you — your message went to our support team. An admin will get back to you.
paysupport-forward =
    🆘 Support request from { $name } (id { $id }{ $username }), balance { $balance }:
    { $text }
