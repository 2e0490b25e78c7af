# Платежи: пополнение Telegram Stars, /paysupport.
topup-choose =
    Пополнение за Telegram Stars ⭐
    Ваш баланс: { $balance } { $balance ->
        [one] кредит
        [few] кредита
       *[other] кредитов
    }.

    Выберите пакет:
topup-pack-button = { $credits } { $credits ->
        [one] кредит
        [few] кредита
       *[other] кредитов
    } — { $stars } ⭐
topup-no-packs = Пополнение сейчас недоступно. Попробуйте позже.
topup-invoice-title = { $credits } { $credits ->
        [one] кредит
        [few] кредита
       *[other] кредитов
    }
topup-invoice-description = { $credits } { $credits ->
        [one] кредит
        [few] кредита
       *[other] кредитов
    } на генерацию видео. Кредиты не сгорают; если видео не получилось, они возвращаются автоматически.
topup-invoice-label = { $credits } { $credits ->
        [one] кредит
        [few] кредита
       *[other] кредитов
    }
topup-pack-gone = Этот пакет больше не продаётся. Отправьте /topup, чтобы увидеть актуальные.

precheckout-error-unknown-pack = Это предложение устарело. Отправьте /topup и выберите пакет заново.
precheckout-error-price-changed = Цена пакета изменилась. Отправьте /topup и выберите заново.
precheckout-error-wrong-user = Этот счёт выписан для другого аккаунта. Отправьте /topup, чтобы получить свой.
precheckout-error-banned = Ваш аккаунт заблокирован, поэтому платежи не принимаются. Если это ошибка, напишите в /paysupport.
precheckout-error-generic = Сейчас этот платёж принять нельзя. Отправьте /topup и попробуйте ещё раз.

payment-credited =
    ✅ Оплата получена: +{ $credits } { $credits ->
        [one] кредит
        [few] кредита
       *[other] кредитов
    }.
    Ваш баланс: { $balance } { $balance ->
        [one] кредит
        [few] кредита
       *[other] кредитов
    }.
payment-credit-failed = Оплата получена, но кредиты не удалось начислить автоматически. Напишите в /paysupport и укажите этот номер: { $charge }
payment-refunded-notice = ↩️ Вам возвращено { $stars } ⭐.

paysupport-text =
    Помощь с оплатой

    • Кредиты начисляются сразу после подтверждения платежа Telegram. Если они не пришли, напишите нам сюда и укажите время оплаты — мы найдём платёж.
    • Если видео не получилось или не успело сгенерироваться, кредиты возвращаются автоматически.
    • Звёзды можно вернуть за пополнение, кредиты которого ещё не потрачены: напишите нам с просьбой о возврате.
    • Поддержка Telegram не занимается покупками в этом боте — сначала обратитесь к нам.

    Чтобы написать нам, отправьте /paysupport и ваш вопрос, например:
    /paysupport Оплатил 100 ⭐ в 14:05, а кредиты не пришли

paysupport-sent = Спасибо — сообщение передано в поддержку. Администратор свяжется с вами.
paysupport-forward =
    🆘 Обращение в поддержку от { $name } (id { $id }{ $username }), баланс { $balance }:
    { $text }
