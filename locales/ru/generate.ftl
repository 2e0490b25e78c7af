# Генерация: говорящий аватар, видео по тексту, видео из картинки, цены, история.
flow-busy = У вас уже делается видео. Подождите, пока оно будет готово — я пришлю его сюда.
no-models = Сейчас такие видео недоступны. Попробуйте позже.
no-models-fit =
    Ни одна модель не подходит для этих данных:
    { $reasons }
models-unfit-title = Не подходят для этих данных:
model-option = { $name } — { $price } кр.
choose-model = Выберите модель:
choose-model-reprompt = Выберите модель кнопками выше или нажмите /cancel.

lipsync-ask-photo = Пришлите фото человека: лицо крупно, JPEG, PNG или WEBP, до 10 МБ. (/cancel — отмена)
lipsync-need-photo = Это не фото. Пришлите фотографию или картинку файлом.
lipsync-photo-ok = Фото получено 👍
lipsync-ask-audio = Теперь пришлите речь: голосовое сообщение, аудиофайл или аудио документом (до 10 МБ).
lipsync-need-audio = Пришлите голосовое сообщение или аудиофайл.
lipsync-choose-model = Выберите модель (аудио: { $seconds } с):
lipsync-ask-prompt = Можно описать, как человек должен говорить (настроение, мимика), — или нажмите «Пропустить».
lipsync-audio-again = Пришлите голосовое или аудио покороче (или /cancel).
button-skip = Пропустить

t2v-ask-prompt = Опишите видео, которое хотите получить (максимум { $max } { $max ->
        [one] символ
        [few] символа
       *[many] символов
    }).
i2v-ask-image = Пришлите картинку, которую нужно оживить: JPEG или PNG, от 300×300, до 10 МБ.
i2v-need-image = Пришлите картинку (фото или файл изображения).
i2v-ask-prompt = Опишите, что должно происходить в видео (максимум { $max } { $max ->
        [one] символ
        [few] символа
       *[many] символов
    }).
ask-duration = Какой длины сделать видео?
ask-duration-reprompt = Выберите длину кнопками выше.
duration-seconds = { $seconds } { $seconds ->
        [one] секунда
        [few] секунды
       *[many] секунд
    }
ask-aspect = Выберите формат:
aspect-landscape = 16:9 горизонтальное
aspect-portrait = 9:16 вертикальное
aspect-square = 1:1 квадрат

prompt-empty = Пришлите описание текстом.
prompt-too-long = Слишком длинный текст: { $length } { $length ->
        [one] символ
        [few] символа
       *[many] символов
    }, максимум { $max }.
media-too-big-telegram = Файл весит { $size } МБ; боты могут скачивать из Telegram файлы только до 20 МБ.
media-too-big = Файл весит { $size } МБ; максимум — { $max } МБ.
media-wrong-image-type = Это не изображение JPEG, PNG или WEBP. Пришлите фото.
media-wrong-image-type-jpeg-png = Картинка должна быть в формате JPEG или PNG. Пришлите другую.
media-wrong-audio-type = Этот файл не подходит (нужен MP3, OGG, WAV, AAC или M4A). Пришлите голосовое или аудиофайл.
audio-no-duration = Не удалось определить длину аудио. Пришлите его голосовым сообщением или в MP3.

issue-audio-duration-unknown = неизвестна длина аудио
issue-audio-too-large = аудио больше { $maxMb } МБ
issue-audio-too-long = аудио длится { $seconds } с, модель принимает не больше { $max } с
issue-audio-missing = нет аудио
issue-audio-empty = аудиофайл пустой
issue-audio-type = этот формат аудио не поддерживается
issue-image-required = нужна картинка
issue-image-missing = нужна картинка
issue-image-empty = файл картинки пустой
issue-image-type = этот формат картинки не поддерживается
issue-image-too-large = картинка больше { $maxMb } МБ
issue-image-too-small = Картинка слишком маленькая: каждой стороне нужно минимум { $minSide } { $minSide ->
        [one] пиксель
        [few] пикселя
       *[many] пикселей
    }.
issue-image-bad-ratio = Картинка слишком узкая или широкая: стороны могут отличаться не больше чем в 2,5 раза.
issue-image-wrong-type = Картинка должна быть в формате JPEG или PNG.
issue-image-unreadable = Не получилось прочитать картинку. Пришлите другую.
issue-model-unavailable = Эта модель сейчас недоступна. Попробуйте позже.
issue-prompt-required = нужно описание
issue-prompt-too-long = описание слишком длинное: максимум { $max } { $max ->
        [one] символ
        [few] символа
       *[many] символов
    }
issue-negative-prompt-too-long = негативный промпт слишком длинный
issue-invalid-aspect-ratio = этот формат не поддерживается
issue-invalid-duration = эта длина не поддерживается
issue-invalid-mode = этот режим не поддерживается
issue-resolution-invalid = это разрешение не поддерживается
issue-seed-out-of-range = seed должен быть от { $min } до { $max }
issue-unsupported-kind = эта модель не делает такие видео
issue-unsupported-model = эта модель не поддерживается

quote-title = 🎬 { $model }
quote-audio = Аудио: { $seconds } с
quote-duration = Длина: { $seconds } с
quote-aspect = Формат: { $ratio }
quote-prompt = Описание: { $prompt }
quote-price = Цена: { $price } { $price ->
        [one] кредит
        [few] кредита
       *[many] кредитов
    }
quote-balance = Ваш баланс: { $balance } { $balance ->
        [one] кредит
        [few] кредита
       *[many] кредитов
    }
quote-insufficient = Не хватает кредитов: нужно ещё { $missing }. Пополнить: /topup.
button-confirm = ✅ Подтвердить — { $price }
button-cancel = ✖️ Отмена
button-topup = ⭐ Пополнить
quote-cancelled = Отменено. Ничего не списано.
quote-expired = Это предложение устарело. Начните заново.

confirm-charged = Списано: { $price } { $price ->
        [one] кредит
        [few] кредита
       *[many] кредитов
    }
confirm-created = Запущено! { $model } делает ваше видео — обычно { $eta } мин. Я пришлю его сюда. Баланс: { $balance } { $balance ->
        [one] кредит
        [few] кредита
       *[many] кредитов
    }.
confirm-duplicate = Это видео уже делается.
confirm-busy = У вас уже делается видео. Подождите, пока оно будет готово, — ничего не списано.
confirm-insufficient = Не хватает кредитов: цена { $price }, ваш баланс { $balance }. Ничего не списано.
confirm-model-unavailable = Эту модель только что отключили. Ничего не списано. Отправьте /start, чтобы выбрать другую.
confirm-price-changed = Цена изменилась с { $old } на { $price } { $price ->
        [one] кредит
        [few] кредита
       *[many] кредитов
    }. Ничего не списано — вот новое предложение:

history-empty = У вас пока нет видео. Отправьте /start, чтобы сделать первое.
history-title = Ваши последние видео:
history-item = { $n }. { $model } · { $date } · { $state } · { $price } кр.
history-resend = Прислать №{ $n } снова
history-link = Ваше видео: { $url }
video-caption-again = { $model }
state-queued = в очереди
state-submitted = запускается
state-running = делается
state-succeeded = готово
state-delivered = доставлено
state-failed = ошибка
state-refunded = возвращено
