# Эксплуатация: оповещения админов (src/alerts) и /alerts.
admin-command-alerts = Оповещения: текущие проблемы, заглушить

ops-alert-provider-failing = 🚨 { $provider } не работает: { $count ->
    [one] { $count } запрос подряд завершился
    [few] { $count } запроса подряд завершились
   *[many] { $count } запросов подряд завершились
} ошибкой (последняя: { $code }). Пока он не восстановится, пользователи получают возвраты.
    /alerts — посмотреть или заглушить
ops-recovery-provider-failing = ✅ { $provider } снова отвечает.
ops-alert-provider-code = 🚨 { $provider }: { $reason ->
    [credits] на счёте провайдера закончились кредиты (код { $code }). Пополните его — до этого все генерации завершаются ошибкой.
    [limit] ключ API упёрся в лимит (код { $code }). Поднимите лимит ключа в кабинете провайдера.
   *[auth] ключ API отклонён (код { $code }). Проверьте или замените ключ.
}
    /alerts — посмотреть или заглушить
ops-recovery-provider-code = ✅ { $provider }: { $reason ->
    [credits] запросы снова проходят (счёт пополнен).
    [limit] запросы снова проходят (лимит ключа больше не мешает).
   *[auth] ключ API снова принимается.
}
ops-alert-kie-credit = 💸 На счёте KIE мало кредитов: { $balance } (порог оповещения { $threshold }). Пополните на kie.ai.
    /alerts — посмотреть или заглушить
ops-recovery-kie-credit = ✅ Баланс KIE снова выше порога: { $balance } { $balance ->
    [one] кредит
    [few] кредита
    *[many] кредитов
  }.
ops-alert-jobs-overdue = ⏰ { $count ->
    [one] { $count } генерация просрочена
    [few] { $count } генерации просрочены
   *[many] { $count } генераций просрочены
} и всё ещё не завершены (самый ранний срок { $oldest } UTC). Работает ли обработчик задач?
    /alerts — посмотреть или заглушить
ops-recovery-jobs-overdue = ✅ Просроченных генераций больше нет.
ops-alert-payment = 💳 Платёж Stars не зачислен: платёж { $charge }, пользователь { $user }, { $stars } ⭐ ({ $error }). Зачисление повторится автоматически; проверьте /user { $user }.
    /alerts — посмотреть или заглушить
ops-recovery-payment = ✅ Платёж { $charge } зачислен.
ops-alert-other = 🚨 Оповещение: { $key }
ops-recovery-other = ✅ Снято: { $key }

ops-alerts-off = Оповещения в этом процессе не работают.
ops-alerts-none = ✅ Оповещений нет: все проверки в порядке.
ops-alerts-title = { $count ->
    [0] Сейчас ничего не происходит; заглушённые:
    [one] Сейчас действует { $count } оповещение:
    [few] Сейчас действуют { $count } оповещения:
   *[many] Сейчас действуют { $count } оповещений:
}
ops-alerts-state-active = 🔴 с { $since } UTC
ops-alerts-state-clear = 🟢 снято
ops-alerts-muted-until = 🔕 заглушено до { $until } UTC
ops-alerts-button-mute-hour = 🔕 #{ $id } на 1 ч
ops-alerts-button-mute-day = 🔕 #{ $id } на 24 ч
ops-alerts-button-unmute = 🔔 Включить #{ $id }
ops-alerts-muted = 🔕 Оповещение #{ $id } заглушено до { $until } UTC.
ops-alerts-unmuted = 🔔 Оповещение #{ $id } снова включено.
ops-alerts-not-found = Оповещения #{ $id } нет. Смотрите /alerts.
ops-alerts-usage = Использование: /alerts — или /alerts mute ID МИНУТЫ, /alerts unmute ID (ID показывает /alerts; не больше 10080 минут)
