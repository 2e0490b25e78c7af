# Рост: приветственные кредиты, рефералы, промокоды, подписки за Stars, сегменты рассылок.
command-invite = Пригласить друзей и получать кредиты
command-promo = Ввести промокод
command-subscribe = Кредиты каждый месяц за Stars
command-subscription = Ваша подписка
menu-invite = 🎁 Пригласить друзей

growth-welcome-credits = 🎁 Добро пожаловать! Вам начислено { $credits } { $credits ->
    [one] бесплатный кредит
    [few] бесплатных кредита
   *[many] бесплатных кредитов
    }, чтобы попробовать бота.

growth-invite-text =
    🎁 Пригласите друзей

    Ваша ссылка: { $link }

    Когда кто-то запустит бота по ней, вы будете получать { $percent }% кредитов с каждой его оплаты в Stars.
    Пришли по вашей ссылке: { $joined } { $joined ->
        [one] человек
        [few] человека
       *[many] человек
    }
    Заработано: { $earned } { $earned ->
        [one] кредит
        [few] кредита
       *[many] кредитов
    }
growth-invite-joined = 🎉 { $name } пришёл по вашей ссылке. Вы будете получать { $percent }% кредитов с его оплат в Stars.
growth-referral-reward = 💰 +{ $credits } { $credits ->
    [one] кредит
    [few] кредита
   *[many] кредитов
    }: приглашённый вами друг купил кредиты. Ваш баланс: { $balance }.

growth-promo-usage = Отправьте /promo и код, например: /promo SUMMER
growth-promo-redeemed = ✅ Промокод { $code }: +{ $credits } { $credits ->
    [one] кредит
    [few] кредита
   *[many] кредитов
    }. Ваш баланс: { $balance }.
growth-promo-unknown = Такого промокода нет. Проверьте написание.
growth-promo-expired = Срок действия промокода { $code } истёк.
growth-promo-off = Промокод { $code } больше не действует.
growth-promo-used-up = Промокод { $code } закончился: все активации использованы.
growth-promo-already-used = Вы уже использовали промокод { $code }.
growth-promo-rate-limited = Слишком много неверных кодов. Попробуйте снова через { $minutes } { $minutes ->
    [one] минуту
    [few] минуты
   *[many] минут
    }.

growth-sub-no-plans = Подписки сейчас недоступны. Кредиты можно купить через /topup.
growth-sub-choose =
    ⭐ Ежемесячная подписка за Telegram Stars

    Кредиты начисляются сразу и затем каждый месяц, когда Telegram продлевает подписку. Отменить можно в любой момент через /subscription.

    Выберите план:
growth-sub-plan-button = { $credits } { $credits ->
    [one] кредит
    [few] кредита
    *[many] кредитов
  } в месяц — { $stars } ⭐
growth-sub-plan-gone = Этот план больше не предлагается. Отправьте /subscribe, чтобы увидеть текущие.
growth-sub-invoice-title = { $credits } { $credits ->
    [one] кредит
    [few] кредита
    *[many] кредитов
  } в месяц
growth-sub-invoice-description = { $credits } { $credits ->
    [one] кредит
    [few] кредита
    *[many] кредитов
  } каждый месяц на генерацию видео; Telegram продлевает подписку, пока вы её не отмените.
growth-sub-invoice-label = { $credits } { $credits ->
    [one] кредит
    [few] кредита
    *[many] кредитов
  } в месяц
growth-sub-link-text = Подписка: { $credits } { $credits ->
    [one] кредит
    [few] кредита
    *[many] кредитов
  } в месяц за { $stars } ⭐. Нажмите кнопку, чтобы оплатить в Telegram Stars.
growth-sub-pay-button = Подписаться за { $stars } ⭐ в месяц
growth-sub-precheckout-unknown = Этот план больше не предлагается. Отправьте /subscribe и выберите снова.
growth-sub-precheckout-already = У вас уже есть эта подписка. Смотрите /subscription.
growth-sub-started =
    ✅ Подписка оформлена: +{ $credits } { $credits ->
    [one] кредит
    [few] кредита
    *[many] кредитов
  }.
    Ваш баланс: { $balance } { $balance ->
    [one] кредит
    [few] кредита
    *[many] кредитов
  }. Следующее продление: { $date }.
growth-sub-renewed =
    🔄 Подписка продлена: +{ $credits } { $credits ->
    [one] кредит
    [few] кредита
    *[many] кредитов
  }.
    Ваш баланс: { $balance } { $balance ->
    [one] кредит
    [few] кредита
    *[many] кредитов
  }. Следующее продление: { $date }.
growth-sub-none = У вас нет подписки. Отправьте /subscribe, чтобы увидеть планы.
growth-sub-card = ⭐ { $credits } { $credits ->
    [one] кредит
    [few] кредита
    *[many] кредитов
  } в месяц за { $stars } ⭐ — { $state }
growth-sub-state-active = активна
growth-sub-state-canceled = отменена
growth-sub-state-failed = продление не удалось
growth-sub-state-expired = закончилась
growth-sub-renews = Продление { $date }.
growth-sub-ends = Действует до { $date }, затем закончится.
growth-sub-ended = Закончилась { $date }.
growth-sub-canceled-in-telegram = Вы отменили её в Telegram; возобновить можно там же (Настройки → Мои звёзды).
growth-sub-failed-hint = Telegram не смог списать оплату. Пополните Stars, чтобы следующая попытка прошла.
growth-sub-cancel-button = Отменить подписку
growth-sub-resume-button = Возобновить подписку
growth-sub-canceled-alert = Отменено. Подписка действует до конца оплаченного периода.
growth-sub-resumed-alert = Возобновлено. Подписка продлевается как прежде.
growth-sub-gone = Эта подписка больше не действует. Отправьте /subscription.
growth-sub-edit-refused = Telegram отказал в изменении. Попробуйте позже или напишите в /paysupport.
growth-sub-edit-failed = Telegram не ответил. Попробуйте через минуту.
growth-sub-update-canceled = Ваша подписка ({ $credits } { $credits ->
    [one] кредит
    [few] кредита
    *[many] кредитов
  } в месяц) отменена. Она действует до { $date }.
growth-sub-update-active = Ваша подписка ({ $credits } { $credits ->
    [one] кредит
    [few] кредита
    *[many] кредитов
  } в месяц) снова активна. Следующее продление: { $date }.
growth-sub-update-failed = ⚠️ Не удалось продлить подписку ({ $stars } ⭐ в месяц). Пополните Stars; Telegram попробует снова.

admin-usage-promo =
    Использование:
    /promo new КОД КРЕДИТЫ [МАКС_АКТИВАЦИЙ] [ДНЕЙ] — например, /promo new SUMMER 100 500 30
    /promo list
    /promo off КОД
    Код — 3–32 латинские буквы, цифры или _.
admin-promo-created =
    ✅ Промокод { $code }: { $credits } { $credits ->
    [one] кредит
    [few] кредита
    *[many] кредитов
  }, активаций: { $uses }, действует до: { $expires }.
    Ссылка: { $link }
admin-promo-exists = Промокод { $code } уже есть. Выберите другое имя или выключите его: /promo off { $code }.
admin-promo-never = бессрочно
admin-promo-list-empty = Промокодов пока нет. Создайте: /promo new КОД КРЕДИТЫ.
admin-promo-list-title = 🎟 Промокоды (код — состояние — кредиты — использовано — осталось — до):
admin-promo-line = { $code } — { $state } — { $credits } — { $uses } — { $left } — { $expires }
admin-promo-state-on = действует
admin-promo-state-off = выключен
admin-promo-state-expired = истёк
admin-promo-state-used-up = закончился
admin-promo-not-found = Промокода { $code } нет.
admin-promo-off = Промокод { $code } выключен ({ $uses } { $uses ->
    [one] активация
    [few] активации
   *[many] активаций
    }).
admin-promo-already-off = Промокод { $code } уже был выключен.

admin-usage-broadcast-segments =
    Использование: /broadcast [all|paying|inactive|subscribers|ru|en] ТЕКСТ
    Последняя строка вида [Надпись](https://example.com) или [Надпись](/topup) добавит кнопку.
    Сначала вы увидите предпросмотр и подтвердите отправку.
admin-broadcast-bad-button = Строка кнопки должна выглядеть как [Надпись](https://example.com) или [Надпись](/команда), с одной из команд бота.
admin-broadcast-preview-segment = Предпросмотр — сообщение получат { $count } { $count ->
    [one] пользователь
    [few] пользователя
   *[many] пользователей
    } сегмента «{ $segment }» (доступные и не заблокированные). Отправить?
admin-broadcast-segment-all = все
admin-broadcast-segment-paying = платившие
admin-broadcast-segment-inactive = неактивные 30 дней
admin-broadcast-segment-subscribers = подписчики
admin-broadcast-segment-ru = русский язык
admin-broadcast-segment-en = английский язык

admin-user-invited-by = Кто пригласил: { $inviter }
admin-user-invited = Приглашено: { $count } (заработано кредитов: { $earned }) — { $users }
admin-user-subscriptions-title = Подписки:
admin-user-subscription-line = { $credits } { $credits ->
    [one] кредит
    [few] кредита
    *[many] кредитов
  } / { $stars } ⭐ — { $state } — до { $until } — { $payments } { $payments ->
    [one] оплата
    [few] оплаты
   *[many] оплат
    }

admin-stats-growth-title = 📈 Рост
admin-stats-growth-period = { $title }: приглашённых { $referred }, реферальных наград { $rewards } { $rewards ->
    [one] кредит
    [few] кредита
    *[many] кредитов
  } · активаций промокодов { $promos } ({ $promoCredits } { $promoCredits ->
    [one] кредит
    [few] кредита
    *[many] кредитов
  }) · оплат подписок { $subPayments } ({ $subStars } ⭐)
admin-stats-subscribers = Подписчиков: { $subscribers } (продлеваются: { $renewing }) · ежемесячно: { $stars } ⭐
