# Официальный Kling (issue 11): тексты для кодов из src/providers/kling/suite.ts,
# src/media/probe.ts и src/server/media-hosting.ts, выводятся как `issue-<код>`.
issue-unknown-model = эта модель недоступна для этой задачи
issue-invalid-sound = звук может быть только включён или выключен
issue-sound-pro-only = звук у этой модели доступен только в режиме Pro
issue-end-frame-not-supported = эта модель не умеет использовать последний кадр
issue-end-frame-pro-only = последний кадр у этой модели доступен только в режиме Pro
issue-end-frame-five-seconds-only = последний кадр у этой модели работает только с видео на 5 секунд
issue-end-frame-silent-only = последний кадр у этой модели работает только без звука
issue-cfg-scale-not-supported = у этой модели нет настройки силы промпта
issue-invalid-cfg-scale = сила промпта должна быть от 0 до 1
issue-audio-required = нужно голосовое сообщение или аудиофайл
issue-audio-unreadable = Не получилось прочитать аудио. Пришлите голосовое сообщение или MP3.
issue-source-video-required = нужно видео, сделанное здесь
issue-source-video-expired = Это видео больше нельзя использовать: провайдер удаляет видео через 30 дней.
issue-extend-model-not-supported = Продлить можно только видео, сделанные моделями Kling 1.x.
issue-extend-too-long = Это видео уже почти 3 минуты — длиннее продлённое видео быть не может.
issue-video-required = нужно видео
issue-video-too-short = Видео слишком короткое: нужно не меньше { $min } с.
issue-video-too-long = Видео слишком длинное: можно не больше { $max } с.
issue-video-too-large = Видео больше { $maxMb } МБ.
issue-video-resolution = Такой размер видео не подходит: каждая сторона должна быть от { $min } до { $max } { $max ->
    [one] пиксель
    [few] пикселя
    *[many] пикселей
  }.
issue-video-unreadable = Не получилось прочитать видео. Пришлите файл MP4 или MOV.
issue-url-hosting-unavailable = Эта задача сейчас недоступна. Попробуйте позже.
issue-images-count = Пришлите от { $min } до { $max } фото.
issue-invalid-orientation = такая ориентация не поддерживается
issue-face-window-too-short = Лицо видно в кадре меньше 2 секунд — пришлите другое видео.
issue-no-face = Не нашлось лица в этом видео. Пришлите видео, где лицо хорошо видно.
issue-input-too-large = Этот файл слишком большой для этой задачи.

# Задачи набора Kling (кнопки меню и /команды).
menu-video_extend = ➕ Продлить видео
menu-video_lipsync = 👄 Озвучить видео
menu-multi_image2video = 🖼🖼 Фото в видео
menu-motion_control = 🕺 Перенос движения
issue-images-not-accepted = эта модель не принимает несколько фото
issue-video-not-accepted = эта модель не принимает видео
issue-source-video-not-accepted = эта модель не работает с видео, сделанными здесь

# Входные данные новых задач.
kling-ask-photos = Пришлите от 2 до 4 фото (JPEG или PNG, каждая сторона не меньше 300 px), затем нажмите «Готово». (/cancel — прервать)
kling-photo-added = Фото { $count } добавлено.
kling-photos-need-more = Пришлите хотя бы { $min } фото.
kling-photos-full = Это уже { $max } фото — больше эта задача не принимает.
kling-photos-done = ✅ Готово
kling-ask-motion-photo = Пришлите фото персонажа, который должен двигаться (JPEG или PNG). (/cancel — прервать)
kling-ask-motion-video = Теперь пришлите видео-образец, движения которого повторит персонаж (MP4 или MOV, 3–10 с).
kling-ask-lipsync-video = Пришлите видео для озвучки (MP4 или MOV, 2–60 с, лицо хорошо видно). (/cancel — прервать)
kling-ask-lipsync-voice = Теперь пришлите голос: голосовое сообщение или аудиофайл (2–60 с).
kling-need-video = Пришлите видео (видеосообщение или видеофайл).
kling-ask-face = В этом видео несколько лиц. Какое должно говорить?
kling-face-option = Лицо { $index } ({ $from }–{ $to } с)
kling-extend-ask-prompt = Опишите, как видео должно продолжиться, или нажмите «Пропустить».
catalog-refused = { $text }

# После доставки (кнопки под видео и в /history).
after-again = 🔁 Ещё раз
after-extend = ➕ Продлить
after-talk = 🗣 Озвучить
after-extend-expired = Это видео больше нельзя продлить: провайдер удаляет видео через 30 дней.
after-talk-expired = Это видео больше нельзя использовать: провайдер удаляет видео через 30 дней.
after-not-available = Для этого видео это недоступно.

command-multi_image2video = Видео из нескольких фото
command-motion_control = Оживить фото движением из видео
command-video_lipsync = Озвучить видео голосом
