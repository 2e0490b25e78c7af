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
