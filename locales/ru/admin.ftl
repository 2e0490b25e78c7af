# Команды администратора (только для ADMIN_IDS).
admin-usage-enable = Формат: /enable SLUG (см. /models)
admin-usage-disable = Формат: /disable SLUG (см. /models)
admin-usage-price = Формат: /price SLUG СУММА [fixed|per_second|per_5s] — СУММА в целых кредитах за видео, за секунду аудио или за 5 с видео
admin-usage-grant = Формат: /grant ПОЛЬЗОВАТЕЛЬ СУММА [причина] — id в Telegram или @username; отрицательная СУММА списывает кредиты
admin-usage-user = Формат: /user ПОЛЬЗОВАТЕЛЬ — id в Telegram или @username
admin-usage-refund = Формат: /refund ID_ГЕНЕРАЦИИ (для платежа Stars: /refundpayment ID_ПЛАТЕЖА)
admin-usage-refundpayment = Формат: /refundpayment ID_ПЛАТЕЖА — id платежей показывает /user
admin-usage-ban = Формат: /ban ПОЛЬЗОВАТЕЛЬ — id в Telegram или @username
admin-usage-unban = Формат: /unban ПОЛЬЗОВАТЕЛЬ — id в Telegram или @username
admin-usage-broadcast = Формат: /broadcast ТЕКСТ — сначала будет предпросмотр и подтверждение

admin-yes = да
admin-no = нет

admin-models-title = Каталог моделей:
admin-models-line = { $state } { $slug } — { $name }: { $price } [{ $provider }]{ $off }
admin-model-state-on = ✅ вкл.
admin-model-state-off = ⛔ выкл.
admin-model-state-not-configured = ⚙️ не настроена
admin-model-also-off = , выключена
admin-models-hint = /enable SLUG · /disable SLUG · /price SLUG СУММА [fixed|per_second|per_5s]
admin-price-fixed = { $amount } кр. за видео
admin-price-per_second = { $amount } кр. за секунду аудио
admin-price-per_5s = { $amount } кр. за 5 с видео
admin-model-not-found = Модели «{ $slug }» нет. См. /models.
admin-model-enabled = ✅ { $slug } включена.
admin-model-disabled = ⛔ { $slug } выключена. Пользователи больше не могут её выбрать; начатые сценарии проверяются ещё раз перед списанием.
admin-model-already-enabled = { $slug } уже включена.
admin-model-already-disabled = { $slug } уже выключена.
admin-model-unconfigured-note = Внимание: у провайдера { $provider } нет ключей API, поэтому пользователи эту модель пока не видят.
admin-price-set = { $slug }: теперь { $price } (было { $old }). Следующий расчёт цены уже по ней.
admin-price-unchanged = { $slug } уже стоит { $price }.

admin-user-not-found = Пользователь «{ $ref }» не найден. Укажите id в Telegram или @username того, кто писал боту.
admin-grant-done = { $user }: { $amount } кр. Баланс теперь { $balance }.
admin-grant-duplicate = Это начисление уже выполнено. Баланс: { $balance }.
admin-grant-insufficient = У { $user } только { $balance } кр.; списание не может увести баланс ниже 0.

admin-user-card =
    👤 { $user }
    Баланс: { $balance } кр.
    Язык: { $language }
    Заблокирован: { $banned } · Недоступен (заблокировал бота): { $unreachable }
    Впервые: { $created } UTC · последний раз: { $seen } UTC
admin-user-generations-title = Последние генерации:
admin-user-generation-line = • { $id } · { $model } · { $state } · { $price } кр. · { $date }
admin-user-payments-title = Последние платежи:
admin-user-payment-line = • { $stars } ⭐ → { $credits } кр. · { $status } · { $date } · { $charge }
admin-user-none = (нет)

admin-ban-done = 🚫 { $user } заблокирован: новые генерации и платежи недоступны.
admin-ban-already = { $user } уже заблокирован.
admin-unban-done = ✅ { $user } разблокирован.
admin-unban-already = { $user } не заблокирован.

admin-refund-done = ↩️ Генерация { $id } возвращена: пользователю вернулось { $amount } кр. (баланс { $balance }).
admin-refund-already = Генерация { $id } уже возвращена.
admin-refund-not-found = Генерации «{ $id }» нет. Id показывает /user.
admin-refund-not-refundable = Генерацию { $id } нельзя вернуть в состоянии { $state }.
admin-refund-is-payment = «{ $id }» — это платёж Stars, а не генерация: используйте /refundpayment { $id }

admin-refundpayment-done = ↩️ Пользователю { $user } возвращено { $stars } ⭐; списано { $credits } кр. (баланс { $balance }).
admin-refundpayment-already = Этот платёж уже возвращён ({ $stars } ⭐ пользователю { $user }).
admin-refundpayment-not-found = Платежа с id «{ $charge }» нет. Id показывает /user.
admin-refundpayment-spent = Возврат не сделан: у пользователя { $user } осталось { $balance } кр. из { $credits }, купленных этим платежом, — они потрачены. Ничего не изменилось.
admin-refundpayment-telegram-failed = Telegram отказал в возврате ({ $error }). Кредиты возвращены пользователю (баланс { $balance }); ничего не изменилось.
admin-refundpayment-uncertain = Telegram не подтвердил возврат ({ $error }). Кредиты остаются списанными, платёж отмечен как возвращённый; выполните /refundpayment { $charge } ещё раз, чтобы завершить.

admin-stats-today = 📊 Сегодня (с 00:00 UTC)
admin-stats-week = 📊 За 7 дней
admin-stats-users = Новых пользователей: { $newUsers } · платящих: { $payingUsers }
admin-stats-stars = Получено звёзд: { $stars } ⭐ платежей: { $payments } · возвращено: { $refunded } ⭐
admin-stats-generations = Генераций: { $generations } (✅ { $succeeded } · ❌ { $failed }) · успешных { $rate } · среднее время { $mean }
admin-stats-credits = Потрачено кредитов: { $spent } · возвратов: { $refunds } ({ $refunded } кр.)
admin-stats-models-title = По моделям:
admin-stats-model-line = • { $slug }: генераций { $generations } · успешных { $rate } · в среднем { $mean } · { $spent } кр.

admin-broadcast-preview-title = Предпросмотр — это сообщение получат { $count } { $count ->
        [one] пользователь
        [few] пользователя
       *[many] пользователей
    } (доступные и не заблокированные). Отправить?
admin-broadcast-send = ✅ Отправить
admin-broadcast-cancel = ✖️ Отмена
admin-broadcast-cancelled = Рассылка отменена. Ничего не отправлено.
admin-broadcast-expired = Этот предпросмотр больше не действует. Отправьте /broadcast ещё раз.
admin-broadcast-already-queued = Эта рассылка уже в очереди.
admin-broadcast-queued = 📣 В очереди, получателей: { $count }. Сообщу здесь, когда закончу.
admin-broadcast-too-long = Текст слишком длинный: максимум { $max } { $max ->
        [one] символ
        [few] символа
       *[many] символов
    }.
admin-broadcast-report = 📣 Рассылка завершена: отправлено { $sent }, заблокировали бота { $blocked }, ошибок { $failed } (из { $total }).

admin-command-models = Админ: каталог моделей
admin-command-enable = Админ: включить модель
admin-command-disable = Админ: выключить модель
admin-command-price = Админ: цена модели
admin-command-grant = Админ: начислить или списать кредиты
admin-command-user = Админ: данные пользователя
admin-command-refund = Админ: вернуть генерацию
admin-command-refundpayment = Админ: вернуть платёж Stars
admin-command-ban = Админ: заблокировать пользователя
admin-command-unban = Админ: разблокировать пользователя
admin-command-stats = Админ: статистика
admin-command-broadcast = Админ: рассылка всем
admin-command-provider = Админ: основной провайдер семейства моделей (KIE или Kling)
admin-usage-provider = Использование: /provider СЕМЕЙСТВО kie|kling — СЕМЕЙСТВО: { $families }
admin-provider-title = Основной провайдер по семействам моделей (задача уходит к другому, если этот не настроен, выключен или недоступен):
admin-provider-line = • { $family }: { $provider } (настроен: { $configured })
admin-provider-set = Новые задачи { $family } теперь сначала идут к { $provider }.
