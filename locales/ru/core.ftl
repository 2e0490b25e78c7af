# Ядро: приветствие, меню, помощь, баланс, язык, отмена, общие ошибки.
language-name = Русский

start-greeting =
    Привет, { $name }! Я превращаю ваши фото, голосовые и идеи в видео.

    • Говорящий аватар — пришлите фото и голосовое, получите видео, где человек говорит.
    • Видео по тексту — опишите сцену.
    • Видео из картинки — оживите изображение.

    Ваш баланс: { $balance } { $balance ->
            [one] кредит
            [few] кредита
           *[many] кредитов
        }.
    Что будем делать?

menu-lipsync = 🗣 Говорящий аватар
menu-text2video = ✍️ Видео по тексту
menu-image2video = 🖼 Видео из картинки
menu-balance = 💰 Баланс
menu-topup = ⭐ Пополнить
menu-history = 📜 История
menu-help = ❓ Помощь

help-text =
    Что я умею:
    /lipsync — говорящий аватар: фото + голосовое или аудио → видео, где человек говорит
    /text2video — видео по текстовому описанию
    /image2video — видео из картинки и описания
    /balance — ваши кредиты
    /topup — купить кредиты за Telegram Stars
    /history — последние видео (можно получить снова)
    /language — сменить язык
    /cancel — прервать текущее действие
    /paysupport — помощь с оплатой

    Вы платите только за подтверждённое; если видео не получилось, кредиты вернутся автоматически.

balance-text = Ваш баланс: { $balance } { $balance ->
        [one] кредит
        [few] кредита
       *[many] кредитов
    }.
balance-topup-hint = Пополнить: /topup.

language-choose = Выберите язык:
language-set = Готово — теперь говорю по-русски.

cancel-done = Отменено. Ничего не списано.
cancel-nothing = Сейчас нечего отменять. Отправьте /start, чтобы открыть меню.

unknown-command = Я не знаю такой команды. Отправьте /help, чтобы увидеть, что я умею.
unknown-message = Отправьте /start, чтобы открыть меню.

error-generic = У меня что-то пошло не так. Попробуйте ещё раз через минуту.
error-banned = Ваш аккаунт заблокирован. Если это ошибка, напишите в /paysupport.
error-too-many-requests = Слишком много запросов. Подождите немного.

command-start = Главное меню
command-lipsync = Говорящий аватар (фото + голос)
command-text2video = Видео по тексту
command-image2video = Видео из картинки
command-balance = Ваши кредиты
command-topup = Купить кредиты за Stars
command-history = Последние видео
command-language = Сменить язык
command-cancel = Прервать действие
command-help = Помощь
command-paysupport = Помощь с оплатой
