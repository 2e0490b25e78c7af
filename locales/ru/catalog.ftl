# Catalog v2: движок диалога, параметры моделей, /models, /cost и маржа.
catalog-i2v-ask-image = Пришлите картинку, которую нужно оживить (первый кадр): JPEG, PNG или WEBP, до 10 МБ. (/cancel — отмена)
catalog-image-again = Пришлите другую картинку (или /cancel).
catalog-ask-resolution = Выберите качество:
catalog-ask-mode = Выберите режим:
catalog-ask-sound = Добавить звук в видео?
catalog-option-reprompt = Выберите кнопкой выше или /cancel.
catalog-mode-std = Стандарт
catalog-mode-pro = Pro
catalog-mode-4k = 4K
catalog-sound-on = 🔊 Со звуком
catalog-sound-off = 🔇 Без звука
catalog-ask-end-image = Можно прислать последний кадр видео (картинку) — или нажмите «Пропустить».
catalog-need-end-image = Пришлите картинку для последнего кадра или нажмите «Пропустить».
catalog-quote-mode = Режим: { $mode }
catalog-quote-resolution = Качество: { $resolution }
catalog-quote-sound = Звук: { $sound }
catalog-quote-end-image = Последний кадр: ваша картинка
issue-image-not-accepted = эта модель делает видео только по тексту
issue-end-image-not-accepted = эта модель не принимает последний кадр
issue-end-image-type = последний кадр должен быть JPEG, PNG или WEBP
issue-end-image-too-large = последний кадр больше { $maxMb } МБ
issue-audio-too-short = аудио длится { $seconds } с, модели нужно не меньше { $min } с
issue-prompt-too-short = в описании должно быть минимум { $min } { $min ->
        [one] символ
        [few] символа
       *[many] символов
    }
issue-option-invalid = вариант «{ $value }» больше не предлагается
issue-option-combination-refused = такое сочетание длины и качества не поддерживается
issue-sound-not-supported = эта модель не добавляет звук
admin-models-task = — { $task } —
admin-models-options = параметры: { $options }
admin-models-margin = себестоимость ${ $cost }/{ $unit } · сегодня: выручка ${ $revenueToday }, затраты ${ $costToday }, маржа ${ $marginToday } · 7 дней: выручка ${ $revenueWeek }, затраты ${ $costWeek }, маржа ${ $marginWeek }
admin-models-hint-v2 = /enable SLUG · /disable SLUG · /price SLUG AMOUNT [fixed|per_second|per_5s|per_output_second] · /cost SLUG USD
admin-unit-job = видео
admin-unit-second = с аудио
admin-unit-block5s = 5 с
admin-unit-outputSecond = с видео
admin-usage-cost = Использование: /cost SLUG USD — себестоимость у провайдера в долларах за единицу цены (за видео, секунду или 5 с), например /cost kling-3-t2v 0.06
admin-cost-set = { $slug }: себестоимость ${ $cost } за { $unit } (было ${ $old }).
admin-cost-unchanged = { $slug }: себестоимость уже ${ $cost } за { $unit }.
admin-stats-margin-line = • { $slug }: выручка ${ $revenue } · затраты ${ $cost } · маржа ${ $margin } ({ $count ->
    [one] { $count } видео
    [few] { $count } видео
   *[many] { $count } видео
  })
admin-stats-margin-title = Маржа (по ${ $rate } за ⭐):
admin-price-per_output_second = { $amount } { $amount ->
        [one] кредит
        [few] кредита
       *[many] кредитов
    } за секунду видео
admin-command-cost = Себестоимость модели у провайдера (USD за единицу)
catalog-option-mode = режим
catalog-option-duration = длина
catalog-option-resolution = качество
catalog-option-aspectRatio = формат
catalog-option-sound = звук
catalog-requote-choice = Вариант «{ $old }» (параметр «{ $option }») больше не предлагается, поэтому в предложении теперь «{ $value }».
catalog-requote-nothing-charged = Ничего не списано. Цена теперь { $price } { $price ->
        [one] кредит
        [few] кредита
       *[many] кредитов
    } (было { $old }) — вот новое предложение:
catalog-ask-negative-prompt = Можно описать, чего в видео быть не должно (негативный промпт, максимум { $max } { $max ->
        [one] символ
        [few] символа
       *[many] символов
    }), например «размытие, надписи, лишние пальцы», — или нажмите «Пропустить».
catalog-need-negative-prompt = Пришлите текстом, чего в видео быть не должно, или нажмите «Пропустить».
catalog-negative-prompt-too-long = Негативный промпт слишком длинный: { $length } { $length ->
        [one] символ
        [few] символа
       *[many] символов
    }, максимум { $max }. Пришлите покороче или нажмите «Пропустить».
catalog-quote-negative-prompt = Избегать: { $prompt }
