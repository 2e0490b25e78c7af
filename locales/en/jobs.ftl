# Job progress, delivery and failures (src/bot/job-messenger.ts). $model is the model's display name.
job-status-queued = ⏳ { $model }: your request is queued…
job-status-submitted = 🎬 { $model }: the video is being made. This usually takes a few minutes — I will send it here.
job-status-running = 🎬 { $model }: generating your video…
job-status-uploading = 📤 { $model }: the video is ready, sending it…
job-status-done = ✅ { $model }: done.
job-status-failed = ❌ { $model }: the video could not be made.

job-result-caption = 🎬 { $model }
job-result-link =
    Your video ({ $model }) is ready, but it is too large to send here. Download it:
    { $url }

job-failed-timeout = ⌛ { $model } did not finish in time. If the video still arrives later, I will send it to you for free.
job-failed-content-rejected = 🚫 { $model } refused this request: the content was rejected by the provider's policy. Please try a different photo, audio or description.
job-failed-bad-input = ⚠️ { $model } could not use these files or this description. Please try other ones.
job-failed-provider-unavailable = 🔧 { $model } is unavailable right now. Please try again later.
job-failed-provider-error = ❌ { $model } could not make this video because of an error on the provider's side. Please try again.
job-refunded = { $credits ->
    [one] { $credits } credit is back on your balance.
   *[other] { $credits } { $credits ->
    [one] credit
    *[other] credits
  } are back on your balance.
}
