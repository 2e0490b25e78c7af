# Generation flows: talking avatar, text to video, image to video, quotes, history.
flow-busy = You already have a video in progress. Please wait until it is ready — I will send it here.
no-models = This kind of video is not available right now. Please try again later.
no-models-fit =
    None of the models can take this input:
    { $reasons }
models-unfit-title = Not available for this input:
model-option = { $name } — { $price } { $price ->
        [one] credit
       *[other] credits
    }
choose-model = Choose the model:
choose-model-reprompt = Please choose a model with the buttons above, or /cancel.

lipsync-ask-photo = Send a photo of the person: a clear face, JPEG, PNG or WEBP, up to 10 MB. (/cancel to stop)
lipsync-need-photo = That is not a photo. Please send a photo, or an image as a file.
lipsync-photo-ok = Got the photo 👍
lipsync-ask-audio = Now send the speech: a voice note, an audio file or an audio document (up to 10 MB).
lipsync-need-audio = Please send a voice note or an audio file.
lipsync-choose-model = Choose the model (audio: { $seconds } s):
lipsync-ask-prompt = Optionally, describe how the person should speak (mood, expression) — or tap Skip.
lipsync-audio-again = Please send a shorter voice note or audio file (or /cancel).
button-skip = Skip

t2v-ask-prompt = Describe the video you want (up to { $max } { $max ->
        [one] character
       *[other] characters
    }).
i2v-ask-image = Send the picture to bring to life: JPEG or PNG, at least 300×300, up to 10 MB.
i2v-need-image = Please send a picture (a photo or an image file).
i2v-ask-prompt = Describe what should happen in the video (up to { $max } { $max ->
        [one] character
       *[other] characters
    }).
ask-duration = How long should the video be?
ask-duration-reprompt = Please choose the length with the buttons above.
duration-seconds = { $seconds } { $seconds ->
        [one] second
       *[other] seconds
    }
ask-aspect = Choose the format:
aspect-landscape = 16:9 landscape
aspect-portrait = 9:16 portrait
aspect-square = 1:1 square

prompt-empty = Please send the description as text.
prompt-too-long = The text is too long: { $length } { $length ->
        [one] character
       *[other] characters
    }, at most { $max }.
media-too-big-telegram = This file is { $size } MB; bots can only download files up to 20 MB from Telegram.
media-too-big = This file is { $size } MB; the limit is { $max } MB.
media-wrong-image-type = This is not a JPEG, PNG or WEBP image. Please send a photo.
media-wrong-image-type-jpeg-png = This picture must be JPEG or PNG. Please send another one.
media-wrong-audio-type = This is not an audio file I can use (MP3, OGG, WAV, AAC, M4A). Please send a voice note or an audio file.
audio-no-duration = I could not tell how long this audio is. Please send it as a voice note or an MP3.

issue-audio-duration-unknown = the audio length is unknown
issue-audio-too-large = the audio is over { $maxMb } MB
issue-audio-too-long = the audio is { $seconds } s, this model takes at most { $max } s
issue-audio-missing = audio is missing
issue-audio-empty = the audio file is empty
issue-audio-type = this audio format is not supported
issue-image-required = a picture is required
issue-image-missing = a picture is required
issue-image-empty = the picture file is empty
issue-image-type = this picture format is not supported
issue-image-too-large = the picture is over { $maxMb } MB
issue-image-too-small = The picture is too small: each side must be at least { $minSide } px.
issue-image-bad-ratio = The picture is too narrow or too wide: the sides may differ at most 2.5 times.
issue-image-wrong-type = The picture must be JPEG or PNG.
issue-image-unreadable = I could not read this picture. Please send another one.
issue-model-unavailable = This model is not available right now. Please try again later.
issue-prompt-required = a description is required
issue-prompt-too-long = the description is longer than { $max } { $max ->
        [one] character
       *[other] characters
    }
issue-negative-prompt-too-long = the negative prompt is too long
issue-invalid-aspect-ratio = this format is not supported
issue-invalid-duration = this length is not supported
issue-invalid-mode = this mode is not supported
issue-resolution-invalid = this resolution is not supported
issue-seed-out-of-range = the seed must be between { $min } and { $max }
issue-unsupported-kind = this model cannot make this kind of video
issue-unsupported-model = this model is not supported

quote-title = 🎬 { $model }
quote-audio = Audio: { $seconds } s
quote-duration = Length: { $seconds } s
quote-aspect = Format: { $ratio }
quote-prompt = Description: { $prompt }
quote-price = Price: { $price } { $price ->
        [one] credit
       *[other] credits
    }
quote-balance = Your balance: { $balance } { $balance ->
        [one] credit
       *[other] credits
    }
quote-insufficient = Not enough credits: you need { $missing } more. Top up with /topup.
button-confirm = ✅ Confirm — { $price }
button-cancel = ✖️ Cancel
button-topup = ⭐ Top up
quote-cancelled = Cancelled. Nothing was charged.
quote-expired = This offer has expired. Please start again.

confirm-charged = Charged { $price } { $price ->
        [one] credit
       *[other] credits
    }
confirm-created = Started! { $model } is making your video — usually { $eta } min. I will send it here. Balance: { $balance } { $balance ->
        [one] credit
       *[other] credits
    }.
confirm-duplicate = This video is already being made.
confirm-busy = You already have a video in progress. Please wait until it is ready — nothing was charged.
confirm-insufficient = Not enough credits: the price is { $price }, your balance is { $balance }. Nothing was charged.
confirm-model-unavailable = This model has just been switched off. Nothing was charged. Send /start to choose another.
confirm-price-changed = The price has changed from { $old } to { $price } { $price ->
        [one] credit
       *[other] credits
    }. Nothing was charged — here is the new offer:

history-empty = You have no videos yet. Send /start to make one.
history-title = Your recent videos:
history-item = { $n }. { $model } · { $date } · { $state } · { $price } cr.
history-resend = Send #{ $n } again
history-link = Your video: { $url }
video-caption-again = { $model }
state-queued = queued
state-submitted = starting
state-running = in progress
state-succeeded = ready
state-delivered = delivered
state-failed = failed
state-refunded = refunded
