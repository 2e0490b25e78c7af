# Catalog v2: the conversation engine, model options, /models, /cost and margins.
catalog-i2v-ask-image = Send the picture to bring to life (the first frame): JPEG, PNG or WEBP, up to 10 MB. (/cancel to stop)
catalog-image-again = Please send another picture (or /cancel).
catalog-ask-resolution = Choose the quality:
catalog-ask-mode = Choose the mode:
catalog-ask-sound = Add sound to the video?
catalog-option-reprompt = Please choose with the buttons above, or /cancel.
catalog-mode-std = Standard
catalog-mode-pro = Pro
catalog-mode-4k = 4K
catalog-sound-on = 🔊 With sound
catalog-sound-off = 🔇 Without sound
catalog-ask-end-image = Optionally, send the last frame of the video (a picture) — or tap Skip.
catalog-need-end-image = Please send a picture for the last frame, or tap Skip.
catalog-quote-mode = Mode: { $mode }
catalog-quote-resolution = Quality: { $resolution }
catalog-quote-sound = Sound: { $sound }
catalog-quote-end-image = Last frame: your picture
issue-image-not-accepted = this model makes video from text only
issue-end-image-not-accepted = this model cannot take a last frame
issue-end-image-type = the last frame must be JPEG, PNG or WEBP
issue-end-image-too-large = the last frame is over { $maxMb } MB
issue-audio-too-short = the audio is { $seconds } s, this model needs at least { $min } s
issue-prompt-too-short = the description must have at least { $min } { $min ->
        [one] character
       *[other] characters
    }
issue-option-invalid = the choice “{ $value }” is no longer offered
issue-option-combination-refused = this combination of length and quality is not supported
issue-sound-not-supported = this model cannot add sound
admin-models-task = — { $task } —
admin-models-options = options: { $options }
admin-models-margin = cost ${ $cost }/{ $unit } · today: revenue ${ $revenueToday }, cost ${ $costToday }, margin ${ $marginToday } · 7 days: revenue ${ $revenueWeek }, cost ${ $costWeek }, margin ${ $marginWeek }
admin-models-hint-v2 = /enable SLUG · /disable SLUG · /price SLUG AMOUNT [fixed|per_second|per_5s|per_output_second] · /cost SLUG USD
admin-unit-job = video
admin-unit-second = audio s
admin-unit-block5s = 5 s
admin-unit-outputSecond = video s
admin-usage-cost = Usage: /cost SLUG USD — the provider's cost in US dollars per price unit (per video, per second or per 5 s), e.g. /cost kling-3-t2v 0.06
admin-cost-set = { $slug }: provider cost set to ${ $cost } per { $unit } (was ${ $old }).
admin-cost-unchanged = { $slug }: provider cost is already ${ $cost } per { $unit }.
admin-stats-margin-line = • { $slug }: revenue ${ $revenue } · provider cost ${ $cost } · margin ${ $margin } ({ $count ->
    [one] { $count } video
   *[other] { $count } videos
  })
admin-stats-margin-title = Margins (at ${ $rate } per ⭐):
admin-price-per_output_second = { $amount } { $amount ->
        [one] credit
       *[other] credits
    } per second of video
admin-command-cost = Set a model's provider cost (USD per unit)
catalog-option-mode = mode
catalog-option-duration = length
catalog-option-resolution = quality
catalog-option-aspectRatio = format
catalog-option-sound = sound
catalog-requote-choice = The { $option } “{ $old }” is no longer offered, so the offer now uses “{ $value }”.
catalog-requote-nothing-charged = Nothing was charged. The price is now { $price } { $price ->
        [one] credit
       *[other] credits
    } (it was { $old }) — here is the new offer:
catalog-ask-negative-prompt = Optionally, describe what the video should avoid (a negative prompt, up to { $max } { $max ->
        [one] character
       *[other] characters
    }), e.g. “blur, text, extra fingers” — or tap Skip.
catalog-need-negative-prompt = Please send what the video should avoid as text, or tap Skip.
catalog-negative-prompt-too-long = The negative prompt is too long: { $length } { $length ->
        [one] character
       *[other] characters
    }, at most { $max }. Please send a shorter one, or tap Skip.
catalog-quote-negative-prompt = Avoid: { $prompt }
