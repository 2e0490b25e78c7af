# Ход задания, доставка и ошибки (src/bot/job-messenger.ts). $model — название модели.
job-status-queued = ⏳ { $model }: запрос в очереди…
job-status-submitted = 🎬 { $model }: видео создаётся. Обычно это занимает несколько минут — я пришлю его сюда.
job-status-running = 🎬 { $model }: генерирую видео…
job-status-uploading = 📤 { $model }: видео готово, отправляю…
job-status-done = ✅ { $model }: готово.
job-status-failed = ❌ { $model }: видео не получилось.

job-result-caption = 🎬 { $model }
job-result-link =
    Ваше видео ({ $model }) готово, но оно слишком большое, чтобы отправить его здесь. Скачайте по ссылке:
    { $url }

job-failed-timeout = ⌛ { $model } не успела за отведённое время. Если видео всё же появится позже, я пришлю его бесплатно.
job-failed-content-rejected = 🚫 { $model } отклонила запрос: содержимое не прошло проверку провайдера. Попробуйте другое фото, аудио или описание.
job-failed-bad-input = ⚠️ { $model } не смогла использовать эти файлы или описание. Попробуйте другие.
job-failed-provider-unavailable = 🔧 { $model } сейчас недоступна. Попробуйте позже.
job-failed-provider-error = ❌ { $model } не смогла сделать видео из-за ошибки у провайдера. Попробуйте ещё раз.
job-refunded = { $credits ->
    [one] { $credits } кредит возвращён на баланс.
    [few] { $credits } кредита возвращены на баланс.
   *[many] { $credits } { $credits ->
    [one] кредит
    [few] кредита
    *[many] кредитов
  } возвращены на баланс.
}
